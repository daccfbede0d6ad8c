/* nm-message-async.c: the asynchronous twins of the message calls that read or rename its
 * files
 *
 * Each runs its blocking call (nm-message.c) on the database's worker thread, with the
 * same errors, and calls back on the caller's thread-default main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-message.h"
#include "nm-async-private.h"
#include "nm-index-options.h"

static gboolean
nm_message_get_header_call (gpointer       source,
                            NmCall        *call,
                            GCancellable  *cancellable,
                            GError       **error)
{
  GError *local_error = NULL;
  char *value = nm_message_get_header (source, call->string, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  _nm_call_set_value (call, value, g_free);
  return TRUE;
}

/**
 * nm_message_get_header_async:
 * @self: a message
 * @name: a header name, in any case
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the value
 * @user_data: data for @callback
 *
 * Reads a header in the database's worker thread; see [method@Notmuch.Message.get_header].
 * Headers other than From, Subject and Message-ID are read from the message's file.
 *
 * Since: 0.1
 */
void
nm_message_get_header_async (NmMessage           *self,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_MESSAGE (self));
  g_return_if_fail (name != NULL);

  call = _nm_call_new (nm_message_get_header_call);
  call->string = g_strdup (name);
  _nm_call_start (call, nm_message_get_database (self), self, nm_message_get_header_async,
                  NM_CALL_READS, cancellable, callback, user_data);
}

/**
 * nm_message_get_header_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.get_header_async].
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if the message has no such
 *   header (with @error unset) or on error
 *
 * Since: 0.1
 */
char *
nm_message_get_header_finish (NmMessage     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _nm_call_finish_value (result, self, nm_message_get_header_async, error);
}

static gboolean
nm_message_reindex_call (gpointer       source,
                         NmCall        *call,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return nm_message_reindex (source, NM_INDEX_OPTIONS (call->object), error);
}

/**
 * nm_message_reindex_async:
 * @self: a message of a database open for writing
 * @options: (nullable): how to index, or %NULL for the database's defaults
 * @cancellable: (nullable): a #GCancellable; cancelling before reindexing starts changes
 *   nothing, and a started reindexing is never cut short
 * @callback: (scope async) (nullable): called when the message is indexed again
 * @user_data: data for @callback
 *
 * Indexes the message's files again in the database's worker thread; see
 * [method@Notmuch.Message.reindex].
 *
 * Since: 0.1
 */
void
nm_message_reindex_async (NmMessage           *self,
                          NmIndexOptions      *options,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_MESSAGE (self));
  g_return_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options));

  call = _nm_call_new (nm_message_reindex_call);
  call->object = options != NULL ? g_object_ref (G_OBJECT (options)) : NULL;
  _nm_call_start (call, nm_message_get_database (self), self, nm_message_reindex_async,
                  NM_CALL_WRITES, cancellable, callback, user_data);
}

/**
 * nm_message_reindex_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.reindex_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_reindex_finish (NmMessage     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _nm_call_finish (result, self, nm_message_reindex_async, error) != NULL;
}

static gboolean
nm_message_tags_to_maildir_flags_call (gpointer       source,
                                       NmCall        *call,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  return nm_message_tags_to_maildir_flags (source, error);
}

/**
 * nm_message_tags_to_maildir_flags_async:
 * @self: a message of a database open for writing
 * @cancellable: (nullable): a #GCancellable; cancelling before the renaming starts renames
 *   nothing, and a started renaming is never cut short
 * @callback: (scope async) (nullable): called when the files are renamed
 * @user_data: data for @callback
 *
 * Renames the message's files to match its tags in the database's worker thread; see
 * [method@Notmuch.Message.tags_to_maildir_flags].
 *
 * Since: 0.1
 */
void
nm_message_tags_to_maildir_flags_async (NmMessage           *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (NM_IS_MESSAGE (self));

  _nm_call_start (_nm_call_new (nm_message_tags_to_maildir_flags_call),
                  nm_message_get_database (self), self,
                  nm_message_tags_to_maildir_flags_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
}

/**
 * nm_message_tags_to_maildir_flags_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.tags_to_maildir_flags_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_message_tags_to_maildir_flags_finish (NmMessage     *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return _nm_call_finish (result, self, nm_message_tags_to_maildir_flags_async, error) != NULL;
}
