/* nm-database-index.c: finding, indexing and removing messages; directories
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-database-private.h"
#include "nm-async-private.h"
#include "nm-error-private.h"
#include "nm-compat-private.h"
#include "nm-directory-private.h"
#include "nm-index-options-private.h"
#include "nm-message-private.h"

/**
 * nm_database_find_message:
 * @self: a database
 * @message_id: a message id, without angle brackets
 * @error: return location for an error
 *
 * Looks a message up by its id.  A message known only from another message's references
 * is found too, as a ghost (see %NM_MESSAGE_FLAG_GHOST).
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if there is none (with @error
 *   unset) or on error
 *
 * Since: 0.1
 */
NmMessage *
nm_database_find_message (NmDatabase  *self,
                          const char  *message_id,
                          GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *native = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (message_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  status = notmuch_database_find_message (self->native, message_id, &native);
  if (!_nm_database_check_status (self, status, error, "Cannot look up message “%s”",
                                  message_id))
    return NULL;
  if (native == NULL)
    return NULL;
  return _nm_message_new (self, self->generation, self->write_epoch, native, NULL, NULL,
                          TRUE);
}

/**
 * nm_database_find_message_by_filename:
 * @self: a database
 * @filename: (type filename): a mail file, absolute or relative to the mail root
 * @error: return location for an error
 *
 * Looks up the message stored in a file.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if the file is not indexed
 *   (with @error unset) or on error
 *
 * Since: 0.1
 */
NmMessage *
nm_database_find_message_by_filename (NmDatabase  *self,
                                      const char  *filename,
                                      GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *native = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  status = notmuch_database_find_message_by_filename (self->native, filename, &native);
  if (!_nm_database_check_status (self, status, error, "Cannot look up the message in %s",
                                  filename))
    return NULL;
  if (native == NULL)
    return NULL;
  return _nm_message_new (self, self->generation, self->write_epoch, native, NULL, NULL,
                          TRUE);
}

/* @filename as an absolute path without "." or ".." components, if it lies in the mail
 * root.  libnotmuch compares the root with the file name as strings, so
 * "root/../elsewhere" would pass and be stored as is.  Requires the lock. */
static char *
nm_database_path_in_mail_root (NmDatabase  *self,
                               const char  *filename,
                               GError     **error)
{
  const char *configured_root = notmuch_config_get (self->native, NOTMUCH_CONFIG_MAIL_ROOT);
  g_autofree char *root = NULL;
  g_autofree char *path = NULL;

  if (configured_root == NULL || configured_root[0] == '\0')
    configured_root = notmuch_database_get_path (self->native);
  root = g_canonicalize_filename (configured_root, NULL);
  path = g_canonicalize_filename (filename, root);
  if (!g_str_has_prefix (path, root) || path[strlen (root)] != G_DIR_SEPARATOR)
    {
      _nm_set_error (error, NM_ERROR_PATH_ERROR,
                     "Cannot index %s: it is outside the mail root %s", filename, root);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/**
 * nm_database_index_file:
 * @self: a database open for writing
 * @filename: (type filename): a mail file inside the mail root, absolute or relative to it
 * @options: (nullable): how to index, or %NULL for
 *   [method@Notmuch.Database.get_default_index_options]; options constructed without a
 *   database are refused with %NM_ERROR_ILLEGAL_ARGUMENT
 * @duplicate: (out) (optional): set to %TRUE if a message with the same id was indexed
 *   already, in which case @filename was added to it
 * @error: return location for an error
 *
 * Indexes a mail file.  Tags are not added: apply the configured `new.tags` yourself for
 * new messages.
 *
 * Some malformed mail makes libnotmuch log through GLib instead of failing: every version
 * logs a `gmime-CRITICAL` for a message/rfc822 part with no message in it, and indexes
 * the rest of the file.  An application that makes criticals fatal
 * (`G_DEBUG=fatal-criticals`) aborts there; a library cannot prevent that without changing
 * how the whole process logs.
 *
 * Returns: (transfer full): the message now stored in @filename, or %NULL with @error set:
 *   %NM_ERROR_FILE_NOT_EMAIL, %NM_ERROR_FILE_ERROR (missing or unreadable) or
 *   %NM_ERROR_PATH_ERROR (outside the mail root, or a name or directory too long for the
 *   index's terms of at most 245 bytes)
 *
 * Since: 0.1
 */
NmMessage *
nm_database_index_file (NmDatabase      *self,
                        const char      *filename,
                        NmIndexOptions  *options,
                        gboolean        *duplicate,
                        GError         **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  return _nm_database_index_file_locked (self, filename, options, duplicate, error);
}

NmMessage *
_nm_database_index_file_locked (NmDatabase      *self,
                                const char      *filename,
                                NmIndexOptions  *options,
                                gboolean        *duplicate,
                                GError         **error)
{
  g_autofree char *path = NULL;
  notmuch_message_t *native = NULL;
  notmuch_status_t status;

  if (duplicate != NULL)
    *duplicate = FALSE;

  if (!_nm_index_options_check_usable (options, error))
    return NULL;
  if (!_nm_database_check_open (self, error))
    return NULL;
  path = nm_database_path_in_mail_root (self, filename, error);
  if (path == NULL || !_nm_compat_check_file_terms (self->native, path, 0, error))
    return NULL;
  status = notmuch_database_index_file (self->native, path,
                                        options != NULL
                                        ? _nm_index_options_get_native (options) : NULL,
                                        &native);
  if (status == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
    {
      if (duplicate != NULL)
        *duplicate = TRUE;
      status = NOTMUCH_STATUS_SUCCESS;
    }
  if (!_nm_database_check_status (self, status, error, "Cannot index %s", filename))
    return NULL;
  _nm_database_note_write (self);
  return _nm_message_new (self, self->generation, self->write_epoch, native, NULL, NULL,
                          TRUE);
}

/**
 * nm_database_remove_message:
 * @self: a database open for writing
 * @filename: (type filename): a mail file, absolute or relative to the mail root
 * @error: return location for an error
 *
 * Removes a file from the index.  The message goes with it unless other files hold the
 * same message.  Removing a file that is not indexed changes nothing.
 *
 * Returns: %TRUE if the message still has other files; %FALSE if it was removed, or on
 *   error (with @error set)
 *
 * Since: 0.1
 */
gboolean
nm_database_remove_message (NmDatabase  *self,
                            const char  *filename,
                            GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  return _nm_database_remove_message_locked (self, filename, error);
}

gboolean
_nm_database_remove_message_locked (NmDatabase  *self,
                                    const char  *filename,
                                    GError     **error)
{
  notmuch_status_t status;

  if (!_nm_database_check_open (self, error))
    return FALSE;
  /* libnotmuch reports success for a file it does not know even on a read-only database. */
  if (!_nm_database_check_writable (self, "remove a message", error))
    return FALSE;
  status = notmuch_database_remove_message (self->native, filename);
  if (status == NOTMUCH_STATUS_SUCCESS || status == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
    _nm_database_note_write (self);
  if (status == NOTMUCH_STATUS_SUCCESS)
    self->removals++;
  if (status == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
    return TRUE;
  _nm_database_check_status (self, status, error, "Cannot remove %s", filename);
  return FALSE;
}

/**
 * nm_database_get_default_index_options:
 * @self: a database
 *
 * Gets a new set of index options, initialized from the database's configuration.
 *
 * Returns: (transfer full) (nullable): the options, or %NULL if the database is closed
 *
 * Since: 0.1
 */
NmIndexOptions *
nm_database_get_default_index_options (NmDatabase *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_indexopts_t *native;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_is_open (self))
    return NULL;
  native = notmuch_database_get_default_indexopts (self->native);
  if (native == NULL)
    return NULL;
  return _nm_index_options_new (self, native);
}

/**
 * nm_database_get_directory:
 * @self: a database
 * @path: (type filename): a directory of the mail store, absolute or relative to the mail
 *   root
 * @error: return location for an error
 *
 * Looks up what the index records about a directory.  Directories are recorded when mail
 * in them is indexed.
 *
 * Returns: (transfer full) (nullable): the directory, or %NULL if the index has no record
 *   of it (with @error unset) or on error
 *
 * Since: 0.1
 */
NmDirectory *
nm_database_get_directory (NmDatabase  *self,
                           const char  *path,
                           GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  return _nm_database_get_directory_locked (self, path, error);
}

NmDirectory *
_nm_database_get_directory_locked (NmDatabase  *self,
                                   const char  *path,
                                   GError     **error)
{
  notmuch_directory_t *native = NULL;
  notmuch_status_t status;

  if (!_nm_database_check_open (self, error))
    return NULL;
  status = notmuch_database_get_directory (self->native, path, &native);
  if (!_nm_database_check_status (self, status, error, "Cannot look up directory %s", path))
    return NULL;
  if (native == NULL)
    return NULL;
  return _nm_directory_new (self, self->generation, native, path);
}

static gboolean
nm_database_index_file_call (gpointer       source,
                             NmCall        *call,
                             GCancellable  *cancellable,
                             GError       **error)
{
  gboolean duplicate = FALSE;
  NmMessage *message = nm_database_index_file (source, call->string,
                                               (NmIndexOptions *) call->object, &duplicate,
                                               error);

  call->count = duplicate;
  _nm_call_set_value (call, message, g_object_unref);
  return message != NULL;
}

/**
 * nm_database_index_file_async:
 * @self: a database open for writing
 * @filename: (type filename): a mail file inside the mail root
 * @options: (nullable): how to index, or %NULL for the defaults
 * @cancellable: (nullable): a #GCancellable; cancelling before indexing starts indexes
 *   nothing
 * @callback: (scope async) (nullable): called when the file is indexed
 * @user_data: data for @callback
 *
 * Indexes a mail file in the database's worker thread; see
 * [method@Notmuch.Database.index_file].
 *
 * Since: 0.1
 */
void
nm_database_index_file_async (NmDatabase          *self,
                              const char          *filename,
                              NmIndexOptions      *options,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (filename != NULL);
  g_return_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options));

  call = _nm_call_new_full (nm_database_index_file_call, filename, 0);
  call->object = options != NULL ? g_object_ref (G_OBJECT (options)) : NULL;
  _nm_call_start (call, self, self, nm_database_index_file_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
}

/**
 * nm_database_index_file_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @duplicate: (out) (optional): set to %TRUE if the message was indexed already
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.index_file_async].
 *
 * Returns: (transfer full): the message stored in the file, or %NULL with @error set
 *
 * Since: 0.1
 */
NmMessage *
nm_database_index_file_finish (NmDatabase    *self,
                               GAsyncResult  *result,
                               gboolean      *duplicate,
                               GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_index_file_async, error);

  if (duplicate != NULL)
    *duplicate = call != NULL && call->count != 0;
  return call != NULL ? _nm_call_take_value (call) : NULL;
}
