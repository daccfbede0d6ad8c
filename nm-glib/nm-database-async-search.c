/* nm-database-async-search.c: the asynchronous twins of finding, removing, searching
 * and counting
 *
 * Part of the asynchronous twins of the database's calls.  Each runs its blocking call on
 * the database's worker thread (the constructors on GLib's thread pool), with the same
 * errors, and calls back on the caller's thread-default main context.  A twin that only
 * reads, cancelled before it calls back, reports G_IO_ERROR_CANCELLED; a twin that may
 * change the disk, cancelled before it starts, changes nothing, and once started runs to
 * its end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"
#include "nm-async-private.h"
#include "nm-message-private.h"
#include "nm-messages-private.h"
#include "nm-threads-private.h"

/* Finding and removing messages; directories */

static gboolean
nm_database_find_message_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GError *local_error = NULL;
  NmMessage *message = call->number
                         ? nm_database_find_message_by_filename (source, call->string,
                                                                 &local_error)
                         : nm_database_find_message (source, call->string, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  /* Made here, the message notifies where it was asked for. */
  if (message != NULL)
    _nm_message_set_origin (message, call->origin);
  _nm_call_set_value (call, message, g_object_unref);
  return TRUE;
}

/**
 * nm_database_find_message_async:
 * @self: a database
 * @message_id: a message id, without angle brackets
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the message
 * @user_data: data for @callback
 *
 * Looks a message up by its id in the database's worker thread; see
 * [method@Notmuch.Database.find_message].  The message emits its notifications on the
 * thread-default main context of the caller.
 *
 * Since: 0.1
 */
void
nm_database_find_message_async (NmDatabase          *self,
                                const char          *message_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (message_id != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_find_message_call, message_id, FALSE), self,
                  self, nm_database_find_message_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_find_message_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.find_message_async].
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if there is none (with @error
 *   unset) or on error
 *
 * Since: 0.1
 */
NmMessage *
nm_database_find_message_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_find_message_async, error);
}

/**
 * nm_database_find_message_by_filename_async:
 * @self: a database
 * @filename: (type filename): a mail file, absolute or relative to the mail root
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the message
 * @user_data: data for @callback
 *
 * Looks up the message stored in a file in the database's worker thread; see
 * [method@Notmuch.Database.find_message_by_filename].
 *
 * Since: 0.1
 */
void
nm_database_find_message_by_filename_async (NmDatabase          *self,
                                            const char          *filename,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (filename != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_find_message_call, filename, TRUE), self, self,
                  nm_database_find_message_by_filename_async, NM_CALL_READS, cancellable,
                  callback, user_data);
}

/**
 * nm_database_find_message_by_filename_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.find_message_by_filename_async].
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if the file is not indexed
 *   (with @error unset) or on error
 *
 * Since: 0.1
 */
NmMessage *
nm_database_find_message_by_filename_finish (NmDatabase    *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_find_message_by_filename_async, error);
}

static gboolean
nm_database_remove_message_call (gpointer       source,
                                 NmCall        *call,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  GError *local_error = NULL;

  call->count = nm_database_remove_message (source, call->string, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * nm_database_remove_message_async:
 * @self: a database open for writing
 * @filename: (type filename): a mail file, absolute or relative to the mail root
 * @cancellable: (nullable): a #GCancellable; cancelling before the removal starts removes
 *   nothing, and a started removal is never cut short
 * @callback: (scope async) (nullable): called when the file is removed from the index
 * @user_data: data for @callback
 *
 * Removes a file from the index in the database's worker thread; see
 * [method@Notmuch.Database.remove_message].
 *
 * Since: 0.1
 */
void
nm_database_remove_message_async (NmDatabase          *self,
                                  const char          *filename,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (filename != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_remove_message_call, filename, 0), self, self,
                  nm_database_remove_message_async, NM_CALL_WRITES, cancellable, callback,
                  user_data);
}

/**
 * nm_database_remove_message_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.remove_message_async].
 *
 * Returns: %TRUE if the message still has other files; %FALSE if it was removed, or on
 *   error (with @error set)
 *
 * Since: 0.1
 */
gboolean
nm_database_remove_message_finish (NmDatabase    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_remove_message_async, error);

  return call != NULL && call->count != 0;
}

static gboolean
nm_database_get_directory_call (gpointer       source,
                                NmCall        *call,
                                GCancellable  *cancellable,
                                GError       **error)
{
  GError *local_error = NULL;
  NmDirectory *directory = nm_database_get_directory (source, call->string, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  _nm_call_set_value (call, directory, g_object_unref);
  return TRUE;
}

/**
 * nm_database_get_directory_async:
 * @self: a database
 * @path: (type filename): a directory of the mail store, absolute or relative to the mail
 *   root
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the directory
 * @user_data: data for @callback
 *
 * Looks up what the index records about a directory in the database's worker thread; see
 * [method@Notmuch.Database.get_directory].
 *
 * Since: 0.1
 */
void
nm_database_get_directory_async (NmDatabase          *self,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (path != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_get_directory_call, path, 0), self, self,
                  nm_database_get_directory_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_get_directory_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.get_directory_async].
 *
 * Returns: (transfer full) (nullable): the directory, or %NULL if the index has no record
 *   of it (with @error unset) or on error
 *
 * Since: 0.1
 */
NmDirectory *
nm_database_get_directory_finish (NmDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_get_directory_async, error);
}

/* ------------------------------------------------------------------------------------- */
/* Tags, searches and counts */

static gboolean
nm_database_get_all_tags_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  char **tags = nm_database_get_all_tags (source, error);

  _nm_call_set_value (call, tags, (GDestroyNotify) g_strfreev);
  return tags != NULL;
}

/**
 * nm_database_get_all_tags_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the tags
 * @user_data: data for @callback
 *
 * Lists every tag of the database in its worker thread; see
 * [method@Notmuch.Database.get_all_tags].
 *
 * Since: 0.1
 */
void
nm_database_get_all_tags_async (NmDatabase          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  _nm_call_start (_nm_call_new (nm_database_get_all_tags_call), self, self,
                  nm_database_get_all_tags_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_get_all_tags_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.get_all_tags_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order, or
 *   %NULL on error
 *
 * Since: 0.1
 */
char **
nm_database_get_all_tags_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_get_all_tags_async, error);
}

/* What tells a search for messages from one for threads: the blocking search, and the
 * list's own calls that hand the list to the caller. */
typedef gpointer (*NmSearchFunc) (NmDatabase *self, const char *query, GError **error);
typedef void (*NmSetOriginFunc) (gpointer list, NmOrigin *origin);
typedef gboolean (*NmReadAllFunc) (gpointer list, GCancellable *cancellable, GError **error);

typedef struct
{
  NmSearchFunc search;
  NmSetOriginFunc set_origin;
  NmReadAllFunc read_all;
} NmSearchKind;

static const NmSearchKind search_messages = {
  (NmSearchFunc) nm_database_search_messages,
  (NmSetOriginFunc) _nm_messages_set_origin,
  (NmReadAllFunc) _nm_messages_read_all,
};

static const NmSearchKind search_threads = {
  (NmSearchFunc) nm_database_search_threads,
  (NmSetOriginFunc) _nm_threads_set_origin,
  (NmReadAllFunc) _nm_threads_read_all,
};

static gboolean
nm_database_search_call (gpointer       source,
                         NmCall        *call,
                         GCancellable  *cancellable,
                         GError       **error)
{
  const NmSearchKind *kind = call->number ? &search_threads : &search_messages;
  g_autoptr (GObject) list = kind->search (source, call->string, error);

  if (list == NULL)
    return FALSE;
  /* Made here, the list's items notify where the search was asked for. */
  kind->set_origin (list, call->origin);
  /* Read here, the list serves its items without touching the index. */
  if (!kind->read_all (list, cancellable, error))
    return FALSE;
  _nm_call_set_value (call, g_steal_pointer (&list), g_object_unref);
  return TRUE;
}

/**
 * nm_database_search_messages_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable; cancelling stops the search at the next
 *   message with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (nullable): called when every message is read
 * @user_data: data for @callback
 *
 * Searches messages as [method@Notmuch.Database.search_messages] does, in the database's
 * worker thread, and reads every matching message there, as
 * [method@Notmuch.Query.search_messages_async] does.
 *
 * Since: 0.1
 */
void
nm_database_search_messages_async (NmDatabase          *self,
                                   const char          *query,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_search_call, query, FALSE), self, self,
                  nm_database_search_messages_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_search_messages_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.search_messages_async].
 *
 * Returns: (transfer full): the matching messages, or %NULL with @error set
 *
 * Since: 0.1
 */
NmMessages *
nm_database_search_messages_finish (NmDatabase    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_search_messages_async, error);
}

/**
 * nm_database_search_threads_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable; cancelling stops the search at the next
 *   thread with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (nullable): called when every thread is read
 * @user_data: data for @callback
 *
 * Searches threads as [method@Notmuch.Database.search_threads] does, in the database's
 * worker thread, and builds every matching thread there, as
 * [method@Notmuch.Query.search_threads_async] does.
 *
 * Since: 0.1
 */
void
nm_database_search_threads_async (NmDatabase          *self,
                                  const char          *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_search_call, query, TRUE), self, self,
                  nm_database_search_threads_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_search_threads_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.search_threads_async].
 *
 * Returns: (transfer full): the matching threads, or %NULL with @error set
 *
 * Since: 0.1
 */
NmThreads *
nm_database_search_threads_finish (NmDatabase    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_search_threads_async, error);
}

static gboolean
nm_database_count_call (gpointer       source,
                        NmCall        *call,
                        GCancellable  *cancellable,
                        GError       **error)
{
  GError *local_error = NULL;

  call->count = call->number ? nm_database_count_threads (source, call->string, &local_error)
                             : nm_database_count_messages (source, call->string, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

static guint
nm_database_finish_count (NmDatabase    *self,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, source_tag, error);

  return call != NULL ? (guint) call->count : 0;
}

/**
 * nm_database_count_messages_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the count
 * @user_data: data for @callback
 *
 * Counts messages as [method@Notmuch.Database.count_messages] does, in the database's
 * worker thread.
 *
 * Since: 0.1
 */
void
nm_database_count_messages_async (NmDatabase          *self,
                                  const char          *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_count_call, query, FALSE), self, self,
                  nm_database_count_messages_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_count_messages_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.count_messages_async].
 *
 * Returns: the number of messages; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_count_messages_finish (NmDatabase    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return nm_database_finish_count (self, result, nm_database_count_messages_async, error);
}

/**
 * nm_database_count_threads_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the count
 * @user_data: data for @callback
 *
 * Counts threads as [method@Notmuch.Database.count_threads] does, in the database's worker
 * thread.
 *
 * Since: 0.1
 */
void
nm_database_count_threads_async (NmDatabase          *self,
                                 const char          *query,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_count_call, query, TRUE), self, self,
                  nm_database_count_threads_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_count_threads_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.count_threads_async].
 *
 * Returns: the number of threads; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_count_threads_finish (NmDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return nm_database_finish_count (self, result, nm_database_count_threads_async, error);
}
