/* nm-worker-private.h: the thread a database runs its asynchronous calls on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One thread per database, made at the first asynchronous call: most handles never make
 * one, and opening a database should not pay for a thread pool.  Work runs in the order it
 * was queued, and none of it holds a thread of GLib's shared pool waiting for the database
 * lock. */
typedef struct
{
  GThreadPool *pool;
} NmWorker;

/* Runs @func for @task on the worker; @task's source object is the caller. */
void _nm_worker_run (NmWorker *self, GTask *task, GTaskThreadFunc func);

/* Frees @garbage on the worker: releasing thousands of objects read by an asynchronous
 * search takes long enough to stall a main loop. */
void _nm_worker_free_later (NmWorker *self, gpointer garbage, GDestroyNotify free_garbage);

/* Lets queued work finish on its own; safe to call on the worker's own thread. */
void _nm_worker_clear (NmWorker *self);

G_END_DECLS
