/* nm-worker.c: the thread a database runs its asynchronous calls on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-worker-private.h"

/* A GTask to run, or something to free. */
typedef struct
{
  GTask *task;
  GTaskThreadFunc func;
  gpointer garbage;
  GDestroyNotify free_garbage;
} NmWork;

/* The thread-default main context of a worker thread while it works: one nothing
 * iterates, so that code asking for the current context on a worker (GTask, change
 * notification) never mistakes the worker for the thread of the application's main
 * context.  One per thread, since pushing a context acquires it. */
static GPrivate worker_context = G_PRIVATE_INIT ((GDestroyNotify) g_main_context_unref);

static GMainContext *
nm_worker_get_context (void)
{
  GMainContext *context = g_private_get (&worker_context);

  if (context == NULL)
    {
      context = g_main_context_new ();
      g_private_set (&worker_context, context);
    }
  return context;
}

static void
nm_worker_do_work (gpointer data, gpointer unused)
{
  NmWork *work = data;

  g_main_context_push_thread_default (nm_worker_get_context ());
  if (work->task != NULL)
    {
      work->func (work->task, g_task_get_source_object (work->task),
                  g_task_get_task_data (work->task), g_task_get_cancellable (work->task));
      g_object_unref (work->task);
    }
  else
    {
      work->free_garbage (work->garbage);
    }
  g_main_context_pop_thread_default (nm_worker_get_context ());
  g_free (work);
}

static GThreadPool *
nm_worker_get_pool (NmWorker *self)
{
  GThreadPool *pool = g_atomic_pointer_get (&self->pool);

  if (pool != NULL)
    return pool;
  pool = g_thread_pool_new (nm_worker_do_work, NULL, 1, FALSE, NULL);
  if (g_atomic_pointer_compare_and_exchange (&self->pool, NULL, pool))
    return pool;
  /* Another thread made one first. */
  g_thread_pool_free (pool, FALSE, FALSE);
  return g_atomic_pointer_get (&self->pool);
}

void
_nm_worker_run (NmWorker        *self,
                GTask           *task,
                GTaskThreadFunc  func)
{
  NmWork *work = g_new0 (NmWork, 1);

  work->task = g_object_ref (task);
  work->func = func;
  g_thread_pool_push (nm_worker_get_pool (self), work, NULL);
}

void
_nm_worker_free_later (NmWorker       *self,
                       gpointer        garbage,
                       GDestroyNotify  free_garbage)
{
  NmWork *work = g_new0 (NmWork, 1);

  work->garbage = garbage;
  work->free_garbage = free_garbage;
  g_thread_pool_push (nm_worker_get_pool (self), work, NULL);
}

void
_nm_worker_clear (NmWorker *self)
{
  /* Queued work holds a reference to the database, so none is left when the database
   * goes; this may run on the worker's own thread, hence no waiting. */
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, FALSE);
}
