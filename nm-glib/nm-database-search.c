/* nm-database-search.c: search shortcuts and changing the tags of many messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-database-private.h"
#include "nm-async-private.h"
#include "nm-error-private.h"
#include "nm-compat-private.h"
#include "nm-messages-private.h"
#include "nm-query-private.h"
#include "nm-tags-private.h"
#include "nm-threads-private.h"

/**
 * nm_database_get_all_tags:
 * @self: a database
 * @error: return location for an error
 *
 * Gets every tag used in the database.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order, or
 *   %NULL on error
 *
 * Since: 0.1
 */
char **
nm_database_get_all_tags (NmDatabase  *self,
                          GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_tags_t *tags;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  tags = notmuch_database_get_all_tags (self->native);
  if (tags == NULL)
    {
      _nm_database_check_status (self, NOTMUCH_STATUS_XAPIAN_EXCEPTION, error,
                                 "Cannot list the tags of the database at %s", self->path);
      return NULL;
    }
  return _nm_tags_take_strv (tags);
}

/**
 * nm_database_search_messages:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @error: return location for an error
 *
 * Searches messages the way the `notmuch` CLI does: newest first, leaving out messages
 * with a tag listed in `search.exclude_tags`.  Use [ctor@Notmuch.Query.new] for other
 * settings.
 *
 * Returns: (transfer full): the matching messages, or %NULL on error
 *
 * Since: 0.1
 */
NmMessages *
nm_database_search_messages (NmDatabase  *self,
                             const char  *query,
                             GError     **error)
{
  g_autoptr (NmQuery) search = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  search = _nm_query_new_like_cli (self, query, error);
  if (search == NULL)
    return NULL;
  return nm_query_search_messages (search, error);
}

/**
 * nm_database_search_threads:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @error: return location for an error
 *
 * Searches threads the way `notmuch search` does: newest first, with messages tagged with
 * a tag of `search.exclude_tags` excluded.
 *
 * Returns: (transfer full): the matching threads, or %NULL on error
 *
 * Since: 0.1
 */
NmThreads *
nm_database_search_threads (NmDatabase  *self,
                            const char  *query,
                            GError     **error)
{
  g_autoptr (NmQuery) search = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  search = _nm_query_new_like_cli (self, query, error);
  if (search == NULL)
    return NULL;
  return nm_query_search_threads (search, error);
}

/* Counts threads, or messages, matching @query as `notmuch count` does. */
static guint
nm_database_count (NmDatabase  *self,
                   const char  *query,
                   gboolean     threads,
                   GError     **error)
{
  g_autoptr (NmQuery) search = _nm_query_new_like_cli (self, query, error);

  if (search == NULL)
    return 0;
  return threads ? nm_query_count_threads (search, error) : nm_query_count_messages (search, error);
}

/**
 * nm_database_count_messages:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @error: return location for an error
 *
 * Counts matching messages the way `notmuch count` does, leaving out messages with a tag
 * listed in `search.exclude_tags`.
 *
 * Returns: the number of messages; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_count_messages (NmDatabase  *self,
                            const char  *query,
                            GError     **error)
{
  g_return_val_if_fail (NM_IS_DATABASE (self), 0);
  g_return_val_if_fail (query != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return nm_database_count (self, query, FALSE, error);
}

/**
 * nm_database_count_threads:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @error: return location for an error
 *
 * Counts matching threads the way `notmuch count --output=threads` does.
 *
 * Returns: the number of threads; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_count_threads (NmDatabase  *self,
                           const char  *query,
                           GError     **error)
{
  g_return_val_if_fail (NM_IS_DATABASE (self), 0);
  g_return_val_if_fail (query != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return nm_database_count (self, query, TRUE, error);
}

/* Whether the tag change would change @message: a tag to add is missing or a tag to
 * remove is present.  Requires the lock. */
static gboolean
nm_database_needs_retag (notmuch_message_t  *message,
                         const char * const *add,
                         const char * const *remove)
{
  g_autoptr (GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          NULL);
  notmuch_tags_t *tags = notmuch_message_get_tags (message);

  for (; tags != NULL && notmuch_tags_valid (tags); notmuch_tags_move_to_next (tags))
    g_hash_table_add (present, g_strdup (notmuch_tags_get (tags)));
  g_clear_pointer (&tags, notmuch_tags_destroy);
  for (const char * const *tag = add; *tag != NULL; tag++)
    if (!g_hash_table_contains (present, *tag))
      return TRUE;
  for (const char * const *tag = remove; *tag != NULL; tag++)
    if (g_hash_table_contains (present, *tag))
      return TRUE;
  return FALSE;
}

/* Applies one tag change to one message, in one index write.  Requires the lock. */
static notmuch_status_t
nm_database_retag (notmuch_message_t  *message,
                   const char * const *add,
                   const char * const *remove,
                   gboolean            sync_maildir_flags)
{
  notmuch_status_t status = notmuch_message_freeze (message);
  notmuch_status_t thaw_status;

  if (status != NOTMUCH_STATUS_SUCCESS)
    return status;
  for (const char * const *tag = remove; status == NOTMUCH_STATUS_SUCCESS && *tag != NULL; tag++)
    status = notmuch_message_remove_tag (message, *tag);
  for (const char * const *tag = add; status == NOTMUCH_STATUS_SUCCESS && *tag != NULL; tag++)
    status = notmuch_message_add_tag (message, *tag);
  thaw_status = notmuch_message_thaw (message);
  if (status == NOTMUCH_STATUS_SUCCESS)
    status = thaw_status;
  if (status == NOTMUCH_STATUS_SUCCESS && sync_maildir_flags)
    status = notmuch_message_tags_to_maildir_flags (message);
  return status;
}

static gboolean
nm_database_validate_tags (const char * const *tags, GError **error)
{
  for (const char * const *tag = tags; *tag != NULL; tag++)
    if (!_nm_tag_validate (*tag, error))
      return FALSE;
  return TRUE;
}

/**
 * nm_database_tag_messages:
 * @self: a database open for writing
 * @query: the messages to change, in notmuch's query syntax (`*` for all)
 * @add: (array zero-terminated=1) (nullable): tags to add
 * @remove: (array zero-terminated=1) (nullable): tags to remove
 * @error: return location for an error
 *
 * Changes the tags of every message matching @query, as `notmuch tag` does: messages that
 * already have the result are not touched, each changed message is written once, maildir
 * flags follow the tags when `maildir.synchronize_flags` is set, and the whole change is
 * one atomic section, committed when it ends.  Excluded tags do not apply.
 *
 * @query runs as given, as a [class@Notmuch.Query] in the classic syntax would, and is
 * checked as one is: a query that is not UTF-8 is refused with
 * %NM_ERROR_ILLEGAL_ARGUMENT.  Each matching message is changed only if a tag to add is
 * missing or a tag to remove is present, and only those count.
 * A tag may not be both added and removed.  With `maildir.synchronize_flags`, a message
 * file whose name could grow too long for the index stops the change with
 * %NM_ERROR_PATH_ERROR (see [method@Notmuch.Message.tags_to_maildir_flags]).
 *
 * Returns: the number of messages changed; 0 on error (with @error set)
 *
 * Since: 0.1
 */
guint
nm_database_tag_messages (NmDatabase          *self,
                          const char          *query,
                          const char * const  *add,
                          const char * const  *remove,
                          GError             **error)
{
  static const char *const none[] = { NULL };
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_query_t *native_query = NULL;
  notmuch_messages_t *messages = NULL;
  notmuch_bool_t sync_maildir_flags = FALSE;
  g_autoptr (GError) rename_error = NULL;
  notmuch_status_t status;
  guint changed = 0;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);
  g_return_val_if_fail (query != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!g_utf8_validate (query, -1, NULL))
    {
      _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT,
                             "The query string is not valid UTF-8");
      return 0;
    }
  add = add != NULL ? add : none;
  remove = remove != NULL ? remove : none;
  if (!nm_database_validate_tags (add, error) || !nm_database_validate_tags (remove, error))
    return 0;
  for (const char * const *tag = add; *tag != NULL; tag++)
    if (g_strv_contains (remove, *tag))
      {
        _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                       "Tag “%s” cannot be both added and removed", *tag);
        return 0;
      }
  if (add[0] == NULL && remove[0] == NULL)
    return 0;

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return 0;
  if (!_nm_database_check_writable (self, "tag messages", error))
    return 0;

  status = notmuch_config_get_bool (self->native, NOTMUCH_CONFIG_SYNC_MAILDIR_FLAGS,
                                    &sync_maildir_flags);
  if (!_nm_database_check_status (self, status, error,
                                  "Cannot read maildir.synchronize_flags"))
    return 0;

  /* The query runs as given: spliced into a narrowing query (as `notmuch tag` does), an
   * unbalanced parenthesis or quote in it would change what it means, and libnotmuch
   * reads `tag:"x/"` as `tag:x`.  Each message is checked instead. */
  if (!_nm_database_check_query (self, query, NM_QUERY_SYNTAX_XAPIAN, error))
    return 0;
  native_query = notmuch_query_create (self->native, query);
  if (native_query == NULL)
    {
      _nm_set_error_literal (error, NM_ERROR_OUT_OF_MEMORY, "Cannot create a query");
      return 0;
    }
  notmuch_query_set_sort (native_query, NOTMUCH_SORT_UNSORTED);
  notmuch_query_set_omit_excluded (native_query, NOTMUCH_EXCLUDE_FALSE);

  if (!_nm_database_begin_atomic_locked (self, error))
    {
      notmuch_query_destroy (native_query);
      return 0;
    }
  status = _nm_compat_query_search_messages (native_query, NOTMUCH_QUERY_SYNTAX_XAPIAN,
                                             &messages);
  for (; status == NOTMUCH_STATUS_SUCCESS && notmuch_messages_valid (messages);
       notmuch_messages_move_to_next (messages))
    {
      notmuch_message_t *message = _nm_compat_messages_get (messages);

      if (message == NULL)
        {
          status = NM_COMPAT_STATUS_INVALIDATED;
          break;
        }
      if (!nm_database_needs_retag (message, add, remove))
        {
          notmuch_message_destroy (message);
          continue;
        }
      if (sync_maildir_flags
          && !_nm_compat_check_maildir_renames (self->native, message, &rename_error))
        {
          notmuch_message_destroy (message);
          break;
        }
      status = nm_database_retag (message, add, remove, sync_maildir_flags);
      if (status == NOTMUCH_STATUS_SUCCESS)
        {
          _nm_database_note_tags_changed (self, notmuch_message_get_message_id (message),
                                          notmuch_message_get_thread_id (message));
          changed++;
        }
      notmuch_message_destroy (message);
    }
  notmuch_query_destroy (native_query);
  if (changed > 0)
    _nm_database_note_write (self);
  if (rename_error != NULL)
    {
      _nm_database_end_atomic_locked (self, NULL);
      g_propagate_error (error, g_steal_pointer (&rename_error));
      return 0;
    }

  if (!_nm_database_check_status (self, status, error, "Cannot tag the messages matching “%s”",
                                  query))
    {
      /* The changes made so far stay: libnotmuch cannot abandon an atomic section short of
       * closing the database. */
      _nm_database_end_atomic_locked (self, NULL);
      return 0;
    }
  if (!_nm_database_end_atomic_locked (self, error))
    return 0;
  return changed;
}

static gboolean
nm_database_tag_messages_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GError *local_error = NULL;

  call->count = nm_database_tag_messages (source, call->string,
                                          (const char * const *) call->add,
                                          (const char * const *) call->remove, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * nm_database_tag_messages_async:
 * @self: a database open for writing
 * @query: the messages to change
 * @add: (array zero-terminated=1) (nullable): tags to add
 * @remove: (array zero-terminated=1) (nullable): tags to remove
 * @cancellable: (nullable): a #GCancellable; cancelling before the change starts changes
 *   nothing, and a started change is never cut short
 * @callback: (scope async) (nullable): called when the change is committed
 * @user_data: data for @callback
 *
 * Changes tags in the database's worker thread; see [method@Notmuch.Database.tag_messages].
 *
 * Since: 0.1
 */
void
nm_database_tag_messages_async (NmDatabase          *self,
                                const char          *query,
                                const char * const  *add,
                                const char * const  *remove,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  call = _nm_call_new_full (nm_database_tag_messages_call, query, 0);
  call->add = g_strdupv ((char **) add);
  call->remove = g_strdupv ((char **) remove);
  /* The change is one atomic section: cancelling is possible only before it starts, so a
   * cancelled call leaves nothing half-written. */
  _nm_call_start (call, self, self, nm_database_tag_messages_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
}

/**
 * nm_database_tag_messages_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.tag_messages_async].
 *
 * Returns: the number of messages changed; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_tag_messages_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_tag_messages_async, error);

  return call != NULL ? (guint) call->count : 0;
}
