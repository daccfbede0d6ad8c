/* nm-database-async-maintenance.c: the asynchronous twins of upgrading and compacting
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

/* Upgrading and compacting, with progress reports */

/* Hands the progress reports of an upgrade or a compaction, made on the worker, to the
 * caller's closure on the thread-default main context of the caller, in order and before
 * the result, and releases the closure there: a gjs or Python closure must not be released
 * on the worker. */
typedef struct
{
  GMainContext *context;
  GClosure *closure;

  /* An upgrade reports fractions faster than a main loop needs them: only the newest one
   * is delivered when several wait. */
  GMutex lock;
  double fraction;
  gboolean fraction_pending;
} NmProgressRelay;

static gboolean
nm_progress_relay_nothing (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
nm_progress_relay_clear (NmProgressRelay *self)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, nm_progress_relay_nothing,
                              self->closure, (GDestroyNotify) g_closure_unref);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
}

/* A relay to @closure, or NULL without one. */
static NmProgressRelay *
nm_progress_relay_new (GClosure *closure)
{
  NmProgressRelay *self;

  if (closure == NULL)
    return NULL;
  self = g_atomic_rc_box_new0 (NmProgressRelay);
  self->context = g_main_context_ref_thread_default ();
  self->closure = g_closure_ref (closure);
  g_closure_sink (closure);
  /* A closure made in C with g_cclosure_new() calls a progress function with the value and
   * its data. */
  if (G_CLOSURE_NEEDS_MARSHAL (closure))
    g_closure_set_marshal (closure, g_cclosure_marshal_generic);
  g_mutex_init (&self->lock);
  return self;
}

static void
nm_progress_relay_unref (NmProgressRelay *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) nm_progress_relay_clear);
}

/* Runs @func(@data) on the caller's context, after the reports queued before; the
 * default priority queues it before the result, which GTask delivers at that priority. */
static void
nm_progress_relay_post (NmProgressRelay *self,
                        GSourceFunc      func,
                        gpointer         data,
                        GDestroyNotify   free_data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, free_data);
  g_source_set_static_name (source, "[notmuch-glib] progress");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static gboolean
nm_progress_relay_deliver_fraction (gpointer data)
{
  NmProgressRelay *self = data;
  GValue fraction = G_VALUE_INIT;

  g_value_init (&fraction, G_TYPE_DOUBLE);
  g_mutex_lock (&self->lock);
  g_value_set_double (&fraction, self->fraction);
  self->fraction_pending = FALSE;
  g_mutex_unlock (&self->lock);
  g_closure_invoke (self->closure, NULL, 1, &fraction, NULL);
  return G_SOURCE_REMOVE;
}

/* An NmUpgradeProgressFunc, called on the worker. */
static void
nm_progress_relay_report_fraction (double   fraction,
                                   gpointer data)
{
  NmProgressRelay *self = data;
  gboolean post;

  g_mutex_lock (&self->lock);
  self->fraction = fraction;
  post = !self->fraction_pending;
  self->fraction_pending = TRUE;
  g_mutex_unlock (&self->lock);
  if (post)
    nm_progress_relay_post (self, nm_progress_relay_deliver_fraction,
                            g_atomic_rc_box_acquire (self),
                            (GDestroyNotify) nm_progress_relay_unref);
}

typedef struct
{
  NmProgressRelay *relay;
  GValue message;
} NmProgressMessage;

static void
nm_progress_message_free (NmProgressMessage *report)
{
  nm_progress_relay_unref (report->relay);
  g_value_unset (&report->message);
  g_free (report);
}

static gboolean
nm_progress_relay_deliver_message (gpointer data)
{
  NmProgressMessage *report = data;

  g_closure_invoke (report->relay->closure, NULL, 1, &report->message, NULL);
  return G_SOURCE_REMOVE;
}

/* An NmCompactProgressFunc, called on the worker: every message is delivered. */
static void
nm_progress_relay_report_message (const char *message,
                                  gpointer    data)
{
  NmProgressMessage *report = g_new0 (NmProgressMessage, 1);

  report->relay = g_atomic_rc_box_acquire ((NmProgressRelay *) data);
  g_value_init (&report->message, G_TYPE_STRING);
  g_value_set_string (&report->message, message);
  nm_progress_relay_post (report->relay, nm_progress_relay_deliver_message, report,
                          (GDestroyNotify) nm_progress_message_free);
}

/* Starts @func, an upgrade or a compaction (into @backup_path), on the worker, with its
 * progress reports relayed to @progress. */
static void
nm_database_start_with_progress (NmDatabase          *self,
                                 NmCallFunc           func,
                                 const char          *backup_path,
                                 GClosure            *progress,
                                 gpointer             source_tag,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  NmCall *call = _nm_call_new_full (func, backup_path, 0);

  call->data = nm_progress_relay_new (progress);
  call->data_free = (GDestroyNotify) nm_progress_relay_unref;
  _nm_call_start (call, self, self, source_tag, NM_CALL_WRITES, cancellable, callback,
                  user_data);
}

static gboolean
nm_database_upgrade_call (gpointer       source,
                          NmCall        *call,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return nm_database_upgrade (source,
                              call->data != NULL ? nm_progress_relay_report_fraction : NULL,
                              call->data, error);
}

/**
 * nm_database_upgrade_async:
 * @self: a database open for writing
 * @progress: (nullable): called with the fraction done (a double from 0 to 1), on the
 *   thread-default main context of the caller: from Python or JavaScript a function; in C
 *   a closure of an [callback@Notmuch.UpgradeProgressFunc] made with g_cclosure_new()
 * @cancellable: (nullable): a #GCancellable; cancelling before the upgrade starts changes
 *   nothing, and a started upgrade is never cut short
 * @callback: (scope async) (nullable): called when the upgrade is done
 * @user_data: data for @callback
 *
 * Upgrades the database in its worker thread; see [method@Notmuch.Database.upgrade].  The
 * progress reports reach the caller's main context in order, each before @callback: when
 * several wait there, only the newest is delivered.  libnotmuch reports progress once a
 * second, so a short upgrade reports none.  @progress is released on the same main context
 * once the call is over.
 *
 * Since: 0.1
 */
void
nm_database_upgrade_async (NmDatabase          *self,
                           GClosure            *progress,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  nm_database_start_with_progress (self, nm_database_upgrade_call, NULL, progress,
                                   nm_database_upgrade_async, cancellable, callback, user_data);
}

/**
 * nm_database_upgrade_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.upgrade_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_upgrade_finish (NmDatabase    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _nm_call_finish (result, self, nm_database_upgrade_async, error) != NULL;
}

static gboolean
nm_database_compact_call (gpointer       source,
                          NmCall        *call,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return nm_database_compact (source, call->string,
                              call->data != NULL ? nm_progress_relay_report_message : NULL,
                              call->data, error);
}

/**
 * nm_database_compact_async:
 * @self: a database
 * @backup_path: (type filename) (nullable): where to keep the uncompacted index, on the
 *   same file system; %NULL to delete it
 * @progress: (nullable): called with each progress message (a string), on the
 *   thread-default main context of the caller: from Python or JavaScript a function; in C
 *   a closure of an [callback@Notmuch.CompactProgressFunc] made with g_cclosure_new()
 * @cancellable: (nullable): a #GCancellable; cancelling before the compaction starts
 *   changes nothing, and a started compaction is never cut short
 * @callback: (scope async) (nullable): called when the index is compacted
 * @user_data: data for @callback
 *
 * Compacts the index in the database's worker thread; see
 * [method@Notmuch.Database.compact].  Every progress message reaches the caller's main
 * context, in order, before @callback.  @progress is released on the same main context
 * once the call is over.
 *
 * Since: 0.1
 */
void
nm_database_compact_async (NmDatabase          *self,
                           const char          *backup_path,
                           GClosure            *progress,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  nm_database_start_with_progress (self, nm_database_compact_call, backup_path, progress,
                                   nm_database_compact_async, cancellable, callback, user_data);
}

/**
 * nm_database_compact_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.compact_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_compact_finish (NmDatabase    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _nm_call_finish (result, self, nm_database_compact_async, error) != NULL;
}
