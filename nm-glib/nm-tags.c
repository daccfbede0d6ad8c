/* nm-tags.c: tag validation and tag list snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-tags-private.h"
#include <string.h>

#include "nm-error-private.h"

/* The tags of one libnotmuch iterator, as pointers into its list.  Most messages carry a
 * handful of tags: the pointers are gathered on the stack, so the copies below allocate
 * at their final size, with no growing array in between. */
typedef struct
{
  const char *on_stack[32];
  const char **tags;
  gsize n;
} NmTagList;

/* Fills @list from @tags (NULL: no tags) and destroys the iterator in nm_tag_list_clear(),
 * which must follow: the pointers are valid until then. */
static void
nm_tag_list_gather (NmTagList      *list,
                    notmuch_tags_t *tags)
{
  gsize allocated = G_N_ELEMENTS (list->on_stack);

  list->tags = list->on_stack;
  list->n = 0;
  /* libnotmuch keeps tags as sorted, distinct Xapian terms: the list is already sorted in
   * byte order and de-duplicated. */
  for (; tags != NULL && notmuch_tags_valid (tags); notmuch_tags_move_to_next (tags))
    {
      if (list->n == allocated)
        {
          allocated *= 2;
          if (list->tags == list->on_stack)
            list->tags = memcpy (g_new (const char *, allocated), list->on_stack,
                                 sizeof list->on_stack);
          else
            list->tags = g_renew (const char *, list->tags, allocated);
        }
      list->tags[list->n++] = notmuch_tags_get (tags);
    }
}

static void
nm_tag_list_clear (NmTagList      *list,
                   notmuch_tags_t *tags)
{
  if (list->tags != list->on_stack)
    g_free (list->tags);
  if (tags != NULL)
    notmuch_tags_destroy (tags);
}

char **
_nm_tags_take_strv (notmuch_tags_t *tags)
{
  NmTagList list;
  char **strv;

  nm_tag_list_gather (&list, tags);
  strv = g_new (char *, list.n + 1);
  for (gsize i = 0; i < list.n; i++)
    strv[i] = g_strdup (list.tags[i]);
  strv[list.n] = NULL;
  nm_tag_list_clear (&list, tags);
  return strv;
}

char **
_nm_tags_take_packed (notmuch_tags_t *tags)
{
  NmTagList list;
  gsize text_size = 0;
  char **packed;
  char *text;

  nm_tag_list_gather (&list, tags);
  for (gsize i = 0; i < list.n; i++)
    text_size += strlen (list.tags[i]) + 1;
  packed = g_malloc ((list.n + 1) * sizeof (char *) + text_size);
  text = (char *) (packed + list.n + 1);
  for (gsize i = 0; i < list.n; i++)
    {
      gsize size = strlen (list.tags[i]) + 1;

      packed[i] = memcpy (text, list.tags[i], size);
      text += size;
    }
  packed[list.n] = NULL;
  nm_tag_list_clear (&list, tags);
  return packed;
}

gboolean
_nm_tag_validate (const char *tag, GError **error)
{
  if (tag == NULL || tag[0] == '\0')
    {
      _nm_set_error_literal (error, NM_ERROR_INVALID_TAG, "Empty tags are not allowed");
      return FALSE;
    }
  if (!g_utf8_validate (tag, -1, NULL))
    {
      _nm_set_error_literal (error, NM_ERROR_INVALID_TAG, "Tag is not valid UTF-8");
      return FALSE;
    }
  if (strlen (tag) > NOTMUCH_TAG_MAX)
    {
      _nm_set_error (error, NM_ERROR_INVALID_TAG,
                     "Tag is longer than %d bytes", NOTMUCH_TAG_MAX);
      return FALSE;
    }
  return TRUE;
}
