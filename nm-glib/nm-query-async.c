/* nm-query-async.c: the asynchronous twins of the query's searches and counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-query-private.h"
#include "nm-database-private.h"
#include "nm-messages-private.h"
#include "nm-threads-private.h"

/* Runs @in_worker on the database's worker.  The asynchronous calls work on a copy taken
 * when they are called, so that the worker thread never reads settings the caller may be
 * changing. */
static void
nm_query_start_task (NmQuery             *self,
                     gpointer             source_tag,
                     GTaskThreadFunc      in_worker,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (NM_IS_QUERY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, _nm_query_copy (self), g_object_unref);
  /* The results are made on the worker but belong to the caller. */
  g_object_set_data_full (G_OBJECT (task), "nm-origin", _nm_origin_new_here (),
                          (GDestroyNotify) _nm_origin_unref);
  _nm_database_run_in_worker (nm_query_get_database (self), task, in_worker);
}

/* Searches for messages or threads, as the task's source tag says, and reads every result
 * there, so that the list serves its items without touching the index. */
static void
nm_query_search_in_worker (GTask        *task,
                           gpointer      source,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  g_autoptr (GObject) results = NULL;
  NmList *list;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (g_task_get_source_tag (task) == nm_query_search_threads_async)
    results = G_OBJECT (nm_query_search_threads (task_data, &error));
  else
    results = G_OBJECT (nm_query_search_messages (task_data, &error));
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  list = _nm_query_list_of (results);
  _nm_list_set_origin (list, g_object_get_data (G_OBJECT (task), "nm-origin"));
  if (!_nm_list_read_all (list, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&results), g_object_unref);
}

static gpointer
nm_query_finish_search (NmQuery       *self,
                        GAsyncResult  *result,
                        gpointer       source_tag,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * nm_query_search_messages_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable; cancelling stops the search at the next
 *   message with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (nullable): called when every message is read
 * @user_data: data for @callback
 *
 * Runs the query for messages in the database's worker thread and reads every matching
 * message there, so that the result serves its items without touching the index.
 * @callback runs in the thread-default main context of the calling thread.
 *
 * Since: 0.1
 */
void
nm_query_search_messages_async (NmQuery             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  nm_query_start_task (self, nm_query_search_messages_async, nm_query_search_in_worker,
                       cancellable, callback, user_data);
}

/**
 * nm_query_search_messages_finish:
 * @self: a query
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Query.search_messages_async].
 *
 * Returns: (transfer full): the matching messages, or %NULL with @error set
 *
 * Since: 0.1
 */
NmMessages *
nm_query_search_messages_finish (NmQuery       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return nm_query_finish_search (self, result, nm_query_search_messages_async, error);
}

/**
 * nm_query_search_threads_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable; cancelling stops the search at the next
 *   thread with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (nullable): called when every thread is read
 * @user_data: data for @callback
 *
 * Runs the query for threads in the database's worker thread and builds every matching
 * thread there: the result can be shown, for example bound to a `GtkListView`, without
 * touching the index from the main loop.
 *
 * Since: 0.1
 */
void
nm_query_search_threads_async (NmQuery             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  nm_query_start_task (self, nm_query_search_threads_async, nm_query_search_in_worker,
                       cancellable, callback, user_data);
}

/**
 * nm_query_search_threads_finish:
 * @self: a query
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Query.search_threads_async].
 *
 * Returns: (transfer full): the matching threads, or %NULL with @error set
 *
 * Since: 0.1
 */
NmThreads *
nm_query_search_threads_finish (NmQuery       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return nm_query_finish_search (self, result, nm_query_search_threads_async, error);
}

/* Counts messages or threads, as the task's source tag says. */
static void
nm_query_count_in_worker (GTask        *task,
                          gpointer      source,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  GError *error = NULL;
  guint count;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (g_task_get_source_tag (task) == nm_query_count_threads_async)
    count = nm_query_count_threads (task_data, &error);
  else
    count = nm_query_count_messages (task_data, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, count);
}

static guint
nm_query_finish_count (NmQuery       *self,
                       GAsyncResult  *result,
                       gpointer       source_tag,
                       GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint) count : 0;
}

/**
 * nm_query_count_messages_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the count
 * @user_data: data for @callback
 *
 * Counts matching messages in the database's worker thread; see
 * [method@Notmuch.Query.count_messages].
 *
 * Since: 0.1
 */
void
nm_query_count_messages_async (NmQuery             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  nm_query_start_task (self, nm_query_count_messages_async, nm_query_count_in_worker,
                       cancellable, callback, user_data);
}

/**
 * nm_query_count_messages_finish:
 * @self: a query
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Query.count_messages_async].
 *
 * Returns: the number of messages; 0 on error
 *
 * Since: 0.1
 */
guint
nm_query_count_messages_finish (NmQuery       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return nm_query_finish_count (self, result, nm_query_count_messages_async, error);
}

/**
 * nm_query_count_threads_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the count
 * @user_data: data for @callback
 *
 * Counts matching threads in the database's worker thread; see
 * [method@Notmuch.Query.count_threads].
 *
 * Since: 0.1
 */
void
nm_query_count_threads_async (NmQuery             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  nm_query_start_task (self, nm_query_count_threads_async, nm_query_count_in_worker,
                       cancellable, callback, user_data);
}

/**
 * nm_query_count_threads_finish:
 * @self: a query
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Query.count_threads_async].
 *
 * Returns: the number of threads; 0 on error
 *
 * Since: 0.1
 */
guint
nm_query_count_threads_finish (NmQuery       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return nm_query_finish_count (self, result, nm_query_count_threads_async, error);
}
