/* nm-change.c: one change to a message document, kept while the message is frozen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-change-private.h"

void
_nm_change_free (gpointer data)
{
  NmChange *change = data;

  g_free (change->name);
  g_free (change->value);
  g_free (change);
}

NmChange *
_nm_change_copy (const NmChange *change)
{
  NmChange *copy = g_new (NmChange, 1);

  copy->kind = change->kind;
  copy->name = g_strdup (change->name);
  copy->value = g_strdup (change->value);
  return copy;
}

/* Requires the database lock. */
notmuch_status_t
_nm_change_apply (const NmChange    *change,
                  notmuch_message_t *document)
{
  switch (change->kind)
    {
    case NM_CHANGE_ADD_TAG:
      return notmuch_message_add_tag (document, change->name);
    case NM_CHANGE_REMOVE_TAG:
      return notmuch_message_remove_tag (document, change->name);
    case NM_CHANGE_REMOVE_ALL_TAGS:
      return notmuch_message_remove_all_tags (document);
    case NM_CHANGE_MAILDIR_FLAGS_TO_TAGS:
      return notmuch_message_maildir_flags_to_tags (document);
    case NM_CHANGE_ADD_PROPERTY:
      return notmuch_message_add_property (document, change->name, change->value);
    case NM_CHANGE_REMOVE_PROPERTY:
      return change->value != NULL
               ? notmuch_message_remove_property (document, change->name, change->value)
               : notmuch_message_remove_all_properties (document, change->name);
    case NM_CHANGE_REMOVE_PROPERTIES_WITH_PREFIX:
      return change->name != NULL
               ? notmuch_message_remove_all_properties_with_prefix (document, change->name)
               : notmuch_message_remove_all_properties (document, NULL);
    default:
      g_assert_not_reached ();
    }
}
