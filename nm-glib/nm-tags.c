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
  /* Called for every message of a listing: gather the pointers on the stack (a message
   * rarely has more than a few tags) and allocate the vector once, at its final size,
   * rather than through a GStrvBuilder (bench/PROFILE.md, change 3). */
  const char *on_stack[32];
  const char **found = on_stack;
  gsize n = 0, allocated = G_N_ELEMENTS (on_stack);
  char **strv;

  /* libnotmuch keeps tags as sorted, distinct Xapian terms: the copy is already sorted in
   * byte order and de-duplicated. */
  for (; notmuch_tags_valid (tags); notmuch_tags_move_to_next (tags))
    {
      if (n == allocated)
        {
          allocated *= 2;
          if (found == on_stack)
            found = memcpy (g_new (const char *, allocated), on_stack, sizeof on_stack);
          else
            found = g_renew (const char *, found, allocated);
        }
      found[n++] = notmuch_tags_get (tags);
    }
  strv = g_new (char *, n + 1);
  for (gsize i = 0; i < n; i++)
    strv[i] = g_strdup (found[i]);
  strv[n] = NULL;
  if (found != on_stack)
    g_free (found);
  g_clear_pointer (&tags, notmuch_tags_destroy);
  return strv;
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
