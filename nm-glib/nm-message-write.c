/* nm-message-write.c: changing a message: tags, maildir flags, properties, reindexing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-message-private.h"
#include "nm-compat-private.h"
#include "nm-database-private.h"
#include "nm-error-private.h"
#include "nm-index-options-private.h"
#include "nm-tags-private.h"
static gboolean
nm_message_check_status (NmMessage         *self,
                         notmuch_status_t   status,
                         GError           **error,
                         const char        *action)
{
  return _nm_database_check_status (self->database, status, error, "Cannot %s message %s",
                                    action, _nm_message_cache_string (self, &self->message_id,
                                                    notmuch_message_get_message_id));
}

/* Applies @changes to the document in one write or, while the message is frozen, keeps
 * them for thaw().  Requires the lock. */
static gboolean
nm_message_write (NmMessage       *self,
                  const NmChange  *changes,
                  guint            n_changes,
                  const char      *action,
                  GError         **error)
{
  notmuch_message_t *document = _nm_message_document (self, error);
  notmuch_status_t status, thaw_status;

  /* The snapshot is read again at the next get_tags(), and kept until then to tell whether
   * the tags changed. */
  self->tags_epoch = G_MAXUINT64;
  if (document == NULL)
    return FALSE;
  /* One freeze around the changes makes them one write: the thaw syncs every change,
   * property removals included. */
  status = notmuch_message_freeze (document);
  if (status != NOTMUCH_STATUS_SUCCESS)
    return nm_message_check_status (self, status, error, action);
  for (guint i = 0; status == NOTMUCH_STATUS_SUCCESS && i < n_changes; i++)
    status = _nm_change_apply (&changes[i], document);
  /* Thaw even after a failure, so the message is not left frozen. */
  thaw_status = notmuch_message_thaw (document);
  if (status == NOTMUCH_STATUS_SUCCESS)
    status = thaw_status;
  if (status != NOTMUCH_STATUS_SUCCESS)
    return nm_message_check_status (self, status, error, action);

  if (self->freeze_depth > 0)
    {
      for (guint i = 0; i < n_changes; i++)
        g_ptr_array_add (self->pending_changes, _nm_change_copy (&changes[i]));
      return TRUE;
    }
  self->seen_epoch = _nm_database_note_write (self->database);
  _nm_database_note_tags_changed (self->database, nm_message_get_message_id (self),
                                  nm_message_get_thread_id (self));
  return TRUE;
}

gboolean
_nm_message_write_locked (NmMessage       *self,
                          const NmChange  *changes,
                          guint            n_changes,
                          const char      *action,
                          GError         **error)
{
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, changes, n_changes, action, error);
}

/* One change, as a public call makes it: under the lock, to a message of the current view. */
static gboolean
nm_message_apply (NmMessage       *self,
                  const NmChange  *change,
                  const char      *action,
                  GError         **error)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

  return _nm_message_write_locked (self, change, 1, action, error);
}

/**
 * nm_message_add_tag:
 * @self: a message of a database open for writing
 * @tag: the tag to add
 * @error: return location for an error
 *
 * Adds a tag.  Adding a tag the message has changes nothing.
 *
 * Returns: %TRUE on success; %NM_ERROR_INVALID_TAG for an empty, non-UTF-8 or too long tag
 *
 * Since: 0.1
 */
gboolean
nm_message_add_tag (NmMessage   *self,
                    const char  *tag,
                    GError     **error)
{
  NmChange change = { NM_CHANGE_ADD_TAG, (char *) tag, NULL };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_tag_validate (tag, error))
    return FALSE;
  return nm_message_apply (self, &change, "add a tag to", error);
}

/**
 * nm_message_remove_tag:
 * @self: a message of a database open for writing
 * @tag: the tag to remove
 * @error: return location for an error
 *
 * Removes a tag.  Removing a tag the message does not have changes nothing.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_remove_tag (NmMessage   *self,
                       const char  *tag,
                       GError     **error)
{
  NmChange change = { NM_CHANGE_REMOVE_TAG, (char *) tag, NULL };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_tag_validate (tag, error))
    return FALSE;
  return nm_message_apply (self, &change, "remove a tag from", error);
}

/**
 * nm_message_remove_all_tags:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Removes every tag.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_remove_all_tags (NmMessage  *self,
                            GError    **error)
{
  NmChange change = { NM_CHANGE_REMOVE_ALL_TAGS, NULL, NULL };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return nm_message_apply (self, &change, "remove the tags of", error);
}

/**
 * nm_message_set_tags:
 * @self: a message of a database open for writing
 * @tags: (array zero-terminated=1): the complete new set of tags
 * @error: return location for an error
 *
 * Replaces the message's tags with @tags in one change: tags not in @tags are removed, the
 * missing ones added, and the index is written once.  Nothing changes if a tag is invalid.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_set_tags (NmMessage          *self,
                     const char * const *tags,
                     GError            **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (NmChange));
  g_auto (GStrv) current = NULL;
  notmuch_message_t *document;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (tags != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (const char * const *tag = tags; *tag != NULL; tag++)
    if (!_nm_tag_validate (*tag, error))
      return FALSE;

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  document = _nm_message_document (self, error);
  if (document == NULL)
    return FALSE;
  current = _nm_tags_take_strv (notmuch_message_get_tags (document));
  for (char **tag = current; *tag != NULL; tag++)
    if (!g_strv_contains (tags, *tag))
      g_array_append_val (changes, ((NmChange) { NM_CHANGE_REMOVE_TAG, *tag, NULL }));
  for (const char * const *tag = tags; *tag != NULL; tag++)
    if (!g_strv_contains ((const char * const *) current, *tag))
      g_array_append_val (changes, ((NmChange) { NM_CHANGE_ADD_TAG, (char *) *tag, NULL }));
  /* An empty GArray has no data: no element to take the address of. */
  return nm_message_write (self, changes->len > 0 ? &g_array_index (changes, NmChange, 0) : NULL,
                           changes->len, "set the tags of", error);
}

/**
 * nm_message_freeze:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Defers writing tag changes to the index until the matching [method@Notmuch.Message.thaw],
 * so that several changes are written, and seen by other readers, at once.  Freezes nest.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_freeze (NmMessage  *self,
                   GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->freeze_depth == 0)
    {
      /* A thread's messages share their native message with every other object made for
       * the same message: the frozen copy must be this message's own. */
      document = self->owns_native || self->current != NULL ? _nm_message_document (self, error)
                                                            : _nm_message_reload (self, error);
      if (document == NULL)
        return FALSE;
      if (!nm_message_check_status (self, notmuch_message_freeze (document), error, "freeze"))
        return FALSE;
      self->pending_changes = g_ptr_array_new_with_free_func (_nm_change_free);
    }
  self->freeze_depth++;
  return TRUE;
}

/**
 * nm_message_thaw:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Ends a [method@Notmuch.Message.freeze]; the outermost thaw writes the changes.
 *
 * Returns: %TRUE on success; %NM_ERROR_UNBALANCED_FREEZE_THAW without a matching freeze
 *
 * Since: 0.1
 */
gboolean
nm_message_thaw (NmMessage  *self,
                 GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->freeze_depth == 0)
    {
      _nm_set_error (error, NM_ERROR_UNBALANCED_FREEZE_THAW,
                     "Cannot thaw message %s: it is not frozen", nm_message_get_message_id (self));
      return FALSE;
    }
  if (self->freeze_depth > 1)
    {
      self->freeze_depth--;
      return TRUE;
    }
  /* Found again, with the kept changes applied, if another object wrote meanwhile. */
  document = _nm_message_document (self, error);
  self->freeze_depth = 0;
  g_clear_pointer (&self->pending_changes, g_ptr_array_unref);
  if (document == NULL)
    return FALSE;
  status = notmuch_message_thaw (document);
  if (status == NOTMUCH_STATUS_SUCCESS)
    {
      self->seen_epoch = _nm_database_note_write (self->database);
      _nm_database_note_tags_changed (self->database, nm_message_get_message_id (self),
                                      nm_message_get_thread_id (self));
    }
  return nm_message_check_status (self, status, error, "thaw");
}

/**
 * nm_message_maildir_flags_to_tags:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Sets the tags that mirror maildir flags from the flags in the message's file names:
 * `draft` (D), `flagged` (F), `passed` (P), `replied` (R), and `unread` for the absence
 * of S.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_maildir_flags_to_tags (NmMessage  *self,
                                  GError    **error)
{
  NmChange change = { NM_CHANGE_MAILDIR_FLAGS_TO_TAGS, NULL, NULL };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return nm_message_apply (self, &change, "read the maildir flags of", error);
}

/**
 * nm_message_tags_to_maildir_flags:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Renames the message's files in `cur/` directories so that their maildir flags match its
 * tags (the reverse of [method@Notmuch.Message.maildir_flags_to_tags]); files in `new/`
 * move to `cur/`.  [method@Notmuch.Message.get_filenames] returns the new names afterwards.
 *
 * Returns: %TRUE on success; %NM_ERROR_PATH_ERROR, renaming nothing, if a new name could be
 *   too long for the index
 *
 * Since: 0.1
 */
gboolean
nm_message_tags_to_maildir_flags (NmMessage  *self,
                                  GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  return _nm_message_tags_to_maildir_flags_locked (self, error);
}

gboolean
_nm_message_tags_to_maildir_flags_locked (NmMessage  *self,
                                          GError    **error)
{
  notmuch_message_t *document;
  notmuch_status_t status;

  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  document = _nm_message_document (self, error);
  if (document == NULL
      || !_nm_compat_check_maildir_renames (_nm_database_get_native (self->database), document,
                                            error))
    return FALSE;
  status = notmuch_message_tags_to_maildir_flags (document);
  /* libnotmuch writes the document when it renames a file, frozen or not. */
  self->seen_epoch = _nm_database_note_write (self->database);
  return nm_message_check_status (self, status, error, "write the maildir flags of");
}

/**
 * nm_message_has_maildir_flag:
 * @self: a message
 * @flag: a maildir flag character, such as `S` or `F`
 * @error: return location for an error
 *
 * Checks whether any of the message's file names carries a maildir flag.
 *
 * Returns: %TRUE if one does; %FALSE if none does, or on error
 *
 * Since: 0.1
 */
gboolean
nm_message_has_maildir_flag (NmMessage  *self,
                             gunichar    flag,
                             GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_bool_t set = FALSE;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (flag == 0 || flag > 0x7f)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "Maildir flags are ASCII characters, not U+%04X", flag);
      return FALSE;
    }
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  status = notmuch_message_has_maildir_flag_st (_nm_message_read_document (self), (char) flag,
                                                &set);
  if (!nm_message_check_status (self, status, error, "read the maildir flags of"))
    return FALSE;
  return set;
}

/**
 * nm_message_reindex:
 * @self: a message of a database open for writing
 * @options: (nullable): how to index, or %NULL for the database's defaults; options
 *   constructed without a database are refused with %NM_ERROR_ILLEGAL_ARGUMENT
 * @error: return location for an error
 *
 * Indexes the message's files again, keeping its tags and properties.  Cached header
 * values are read again afterwards.  Malformed mail can make libnotmuch log a critical, as
 * for [method@Notmuch.Database.index_file].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_reindex (NmMessage       *self,
                    NmIndexOptions  *options,
                    GError         **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_index_options_check_usable (options, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  document = _nm_message_document (self, error);
  if (document == NULL)
    return FALSE;
  status = notmuch_message_reindex (document,
                                    options != NULL ? _nm_index_options_get_native (options)
                                                    : NULL);
  /* Reindexing rewrites the document behind every copy, this message's included: the next
   * read finds it again. */
  _nm_database_note_write (self->database);
  if (!nm_message_check_status (self, status, error, "reindex"))
    return FALSE;
  /* The thread id was handed out without a copy: it stays valid until the message is
   * finalized. */
  if (self->thread_id != NULL)
    {
      if (self->retired_strings == NULL)
        self->retired_strings = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (self->retired_strings, g_steal_pointer (&self->thread_id));
    }
  g_clear_pointer (&self->from, g_free);
  g_clear_pointer (&self->subject, g_free);
  self->date_known = FALSE;
  return TRUE;
}

/* Copies "key=value" pairs, or only the values, as valid UTF-8: this library refuses to
 * store anything else, but `notmuch restore` stores any bytes.  Requires the lock. */
static char **
nm_message_take_properties (notmuch_message_properties_t *native_properties, gboolean values_only)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (; notmuch_message_properties_valid (native_properties);
       notmuch_message_properties_move_to_next (native_properties))
    {
      const char *value = notmuch_message_properties_value (native_properties);
      g_autofree char *pair = NULL;

      if (values_only)
        pair = g_strdup (value);
      else
        pair = g_strconcat (notmuch_message_properties_key (native_properties), "=", value,
                            NULL);
      if (!g_utf8_validate (pair, -1, NULL))
        {
          char *valid = g_utf8_make_valid (pair, -1);

          g_free (pair);
          pair = valid;
        }
      g_strv_builder_add (builder, pair);
    }
  g_clear_pointer (&native_properties, notmuch_message_properties_destroy);
  return g_strv_builder_end (builder);
}

/* Property keys cannot contain '=', which separates key and value in the index; keys and
 * values are UTF-8, as every string this library hands out.  @value may be NULL. */
static gboolean
nm_message_check_property (const char  *key,
                           const char  *value,
                           GError     **error)
{
  if (!g_utf8_validate (key, -1, NULL) || (value != NULL && !g_utf8_validate (value, -1, NULL)))
    {
      _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT,
                             "Message properties are valid UTF-8");
      return FALSE;
    }
  if (strchr (key, '=') != NULL)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "Property keys cannot contain “=”: “%s”", key);
      return FALSE;
    }
  return value == NULL || _nm_compat_check_property_term (key, value, error);
}

/**
 * nm_message_get_property_values:
 * @self: a message
 * @key: a property key
 *
 * Gets the values of a message property: applications store their own data on messages as
 * key/value properties, each key with any number of values.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values of exactly @key; empty if
 *   there are none or the database is closed
 *
 * Since: 0.1
 */
char **
nm_message_get_property_values (NmMessage  *self,
                                const char *key)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_properties_t *native_properties;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation))
    return g_new0 (char *, 1);
  native_properties = _nm_compat_message_get_properties (_nm_message_read_document (self), key,
                                                         TRUE);
  if (native_properties == NULL)
    return g_new0 (char *, 1);
  return nm_message_take_properties (native_properties, TRUE);
}

/**
 * nm_message_add_property:
 * @self: a message of a database open for writing
 * @key: the property key; it cannot contain `=`
 * @value: the value to add
 * @error: return location for an error
 *
 * Adds a value to a message property.  Adding a value the key has changes nothing.
 *
 * The index stores a property as one term of at most 245 bytes, which leaves 236 bytes
 * for `key=value` in UTF-8.
 *
 * Returns: %TRUE on success; %NM_ERROR_ILLEGAL_ARGUMENT for a key with `=`, a key or value
 *   that is not UTF-8, or a longer `key=value`
 *
 * Since: 0.1
 */
gboolean
nm_message_add_property (NmMessage   *self,
                         const char  *key,
                         const char  *value,
                         GError     **error)
{
  NmChange change = { NM_CHANGE_ADD_PROPERTY, (char *) key, (char *) value };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_message_check_property (key, value, error))
    return FALSE;
  return nm_message_apply (self, &change, "add a property to", error);
}

/**
 * nm_message_remove_property:
 * @self: a message of a database open for writing
 * @key: the property key
 * @value: (nullable): the value to remove, or %NULL for every value of @key
 * @error: return location for an error
 *
 * Removes one value, or every value, of a message property.
 *
 * Returns: %TRUE on success; %NM_ERROR_ILLEGAL_ARGUMENT for a key or value that
 *   [method@Notmuch.Message.add_property] refuses
 *
 * Since: 0.1
 */
gboolean
nm_message_remove_property (NmMessage   *self,
                            const char  *key,
                            const char  *value,
                            GError     **error)
{
  NmChange change = { NM_CHANGE_REMOVE_PROPERTY, (char *) key, (char *) value };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_message_check_property (key, value, error))
    return FALSE;
  return nm_message_apply (self, &change, "remove a property from", error);
}

/**
 * nm_message_remove_all_properties:
 * @self: a message of a database open for writing
 * @prefix: (nullable): remove only the properties whose key starts with @prefix, or %NULL
 *   for all
 * @error: return location for an error
 *
 * Removes every property, or every property whose key starts with @prefix.
 *
 * Returns: %TRUE on success; %NM_ERROR_ILLEGAL_ARGUMENT for a prefix with `=` (no key
 *   starts with one) or that is not UTF-8
 *
 * Since: 0.1
 */
gboolean
nm_message_remove_all_properties (NmMessage   *self,
                                  const char  *prefix,
                                  GError     **error)
{
  NmChange change = { NM_CHANGE_REMOVE_PROPERTIES_WITH_PREFIX, (char *) prefix, NULL };

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* libnotmuch removes by term prefix: "a=b" would remove key "a" with values from "b". */
  if (prefix != NULL && !nm_message_check_property (prefix, NULL, error))
    return FALSE;

  return nm_message_apply (self, &change, "remove the properties of", error);
}

/**
 * nm_message_count_properties:
 * @self: a message
 * @key: a property key
 * @error: return location for an error
 *
 * Counts the values of a message property.
 *
 * Returns: the number of values of exactly @key; 0 on error
 *
 * Since: 0.1
 */
guint
nm_message_count_properties (NmMessage   *self,
                             const char  *key,
                             GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  unsigned int count = 0;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), 0);
  g_return_val_if_fail (key != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return 0;
  status = _nm_compat_message_count_properties (_nm_message_read_document (self), key, &count);
  if (!nm_message_check_status (self, status, error, "count the properties of"))
    return 0;
  return count;
}

/**
 * nm_message_get_all_properties:
 * @self: a message
 * @prefix: (nullable): a key, or key prefix; %NULL or the empty string for all keys
 * @exact: whether @prefix must match the whole key
 * @error: return location for an error
 *
 * Gets a message's properties as `key=value` strings.  Keys cannot contain `=`, so the
 * first `=` of each string separates key and value.
 *
 * Returns: (transfer full) (array zero-terminated=1): the properties, sorted by key; %NULL
 *   on error
 *
 * Since: 0.1
 */
char **
nm_message_get_all_properties (NmMessage   *self,
                               const char  *prefix,
                               gboolean     exact,
                               GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_properties_t *native_properties;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return NULL;
  native_properties = _nm_compat_message_get_properties (_nm_message_read_document (self),
                                                         prefix != NULL ? prefix : "", exact);
  if (native_properties == NULL)
    {
      nm_message_check_status (self, NM_COMPAT_STATUS_INVALIDATED, error,
                               "read the properties of");
      return NULL;
    }
  return nm_message_take_properties (native_properties, FALSE);
}
