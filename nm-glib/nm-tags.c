/* nm-tags.c: tag validation and tag list snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-tags-private.h"
#include <string.h>

#include "nm-error.h"

char **
_nm_tags_take_strv (notmuch_tags_t *tags)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  /* libnotmuch keeps tags as sorted, distinct Xapian terms: the copy is already sorted in
   * byte order and de-duplicated. */
  for (; notmuch_tags_valid (tags); notmuch_tags_move_to_next (tags))
    g_strv_builder_add (builder, notmuch_tags_get (tags));
  g_clear_pointer (&tags, notmuch_tags_destroy);
  return g_strv_builder_end (builder);
}

gboolean
_nm_tag_validate (const char *tag, GError **error)
{
  if (tag == NULL || tag[0] == '\0')
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_INVALID_TAG, "Empty tags are not allowed");
      return FALSE;
    }
  if (!g_utf8_validate (tag, -1, NULL))
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_INVALID_TAG, "Tag is not valid UTF-8");
      return FALSE;
    }
  if (strlen (tag) > NOTMUCH_TAG_MAX)
    {
      g_set_error (error, NM_ERROR, NM_ERROR_INVALID_TAG,
                   "Tag is longer than %d bytes", NOTMUCH_TAG_MAX);
      return FALSE;
    }
  return TRUE;
}
