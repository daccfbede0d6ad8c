/* nm-database-monitor.c: telling when another process changed a database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-monitor.h"
#include "nm-compat-private.h"
#include "nm-database-private.h"
#include "nm-error-private.h"
#include "nm-origin-private.h"
#include "nm-write-lock-private.h"

/**
 * NmDatabaseMonitor:
 *
 * Tells when another process committed changes to a database: new mail indexed by
 * `notmuch new`, tags changed by another client, mail removed.  Get one with
 * [method@Notmuch.Database.monitor]; [signal@Notmuch.DatabaseMonitor::changed] is emitted
 * on the thread-default main context of the caller.
 *
 * The monitor watches the index's files (with [class@Gio.FileMonitor], so it costs nothing
 * while nothing changes) and, after a burst of changes has settled for about a tenth of a
 * second, reads the committed revision with a read-only handle of its own on the
 * database's worker thread.  A change is therefore reported about 100–200 ms after the
 * other process committed it, and a burst of commits is reported once.  Commits made
 * through the monitored database object itself are not reported.
 *
 * A database open read-only is reopened by the monitor before the signal, so that it sees
 * the change: lists read before keep the items they read, and their
 * [method@Notmuch.Threads.check] reports %NM_ERROR_OPERATION_INVALIDATED; lists with
 * [property@Notmuch.Threads:monitored] set follow the change on their own.
 *
 * Since: 0.1
 */
struct _NmDatabaseMonitor
{
  GObject parent_instance;

  NmDatabase *database;
  NmOrigin *origin;
  GFileMonitor *files;
  /* The check after a burst of file changes, scheduled on the origin's context. */
  GSource *pending_check;
  gboolean checking;
  gboolean check_again;
  /* The revision last reported, or seen when the monitor started, and the number of
   * messages then: removing messages does not move the revision. */
  guint64 revision;
  guint messages;
};

typedef struct
{
  guint64 revision;
  guint messages;
} NmDatabaseState;

G_DEFINE_FINAL_TYPE (NmDatabaseMonitor, nm_database_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DATABASE,
  PROP_REVISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How long a burst of file changes must settle before the revision is read. */
#define SETTLE_MS 100

static void
nm_database_monitor_dispose (GObject *object)
{
  NmDatabaseMonitor *self = NM_DATABASE_MONITOR (object);

  if (self->files != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->files, self);
      g_file_monitor_cancel (self->files);
      g_clear_object (&self->files);
    }
  if (self->pending_check != NULL)
    {
      g_source_destroy (self->pending_check);
      g_clear_pointer (&self->pending_check, g_source_unref);
    }

  G_OBJECT_CLASS (nm_database_monitor_parent_class)->dispose (object);
}

static void
nm_database_monitor_finalize (GObject *object)
{
  NmDatabaseMonitor *self = NM_DATABASE_MONITOR (object);

  g_clear_pointer (&self->origin, _nm_origin_unref);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (nm_database_monitor_parent_class)->finalize (object);
}

static void
nm_database_monitor_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  NmDatabaseMonitor *self = NM_DATABASE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_REVISION:
      g_value_set_uint64 (value, self->revision);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_database_monitor_class_init (NmDatabaseMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nm_database_monitor_dispose;
  object_class->finalize = nm_database_monitor_finalize;
  object_class->get_property = nm_database_monitor_get_property;

  /**
   * NmDatabaseMonitor:database: (getter get_database)
   *
   * The database watched.
   *
   * Since: 0.1
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, NM_TYPE_DATABASE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabaseMonitor:revision: (getter get_revision)
   *
   * The revision of the database last reported by
   * [signal@Notmuch.DatabaseMonitor::changed], or the one seen when the monitor started.
   *
   * Since: 0.1
   */
  properties[PROP_REVISION] =
    g_param_spec_uint64 ("revision", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NmDatabaseMonitor::changed:
   * @self: the monitor
   * @old_revision: the revision reported before
   * @new_revision: the revision another process committed
   *
   * Emitted when another process committed changes to the database.  The messages it
   * changed or added match the query `lastmod:<old_revision + 1>..<new_revision>`.
   * Removing messages does not move the revision: when messages were only removed,
   * @new_revision equals @old_revision.
   *
   * Since: 0.1
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void
nm_database_monitor_init (NmDatabaseMonitor *self)
{
}

/* The committed revision and the number of messages, read with @probe. */
static NmDatabaseState *
nm_database_monitor_read_state (notmuch_database_t *probe)
{
  NmDatabaseState *state = g_new0 (NmDatabaseState, 1);
  notmuch_query_t *query = notmuch_query_create (probe, "");
  unsigned int count = 0;

  state->revision = notmuch_database_get_revision (probe, NULL);
  if (query != NULL)
    {
      notmuch_query_set_omit_excluded (query, NOTMUCH_EXCLUDE_FALSE);
      if (_nm_compat_query_count_messages (query, NOTMUCH_QUERY_SYNTAX_XAPIAN, &count) == NOTMUCH_STATUS_SUCCESS)
        state->messages = count;
      notmuch_query_destroy (query);
    }
  return state;
}

/* Reads the revision the database has committed, with a handle of its own (the monitored
 * one may be read-only and see an older revision), and reopens a read-only monitored
 * handle that is behind it.  Runs on the database's worker. */
static void
nm_database_monitor_probe_in_worker (GTask        *task,
                                     gpointer      source,
                                     gpointer      task_data,
                                     GCancellable *cancellable)
{
  NmDatabaseMonitor *self = source;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  notmuch_database_t *probe = NULL;
  NmDatabaseState *state;
  guint64 view_revision;
  gboolean read_only;

  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);
    GError *error = NULL;

    if (!_nm_database_check_open (self->database, &error))
      {
        g_task_return_error (task, error);
        return;
      }
    path = g_strdup (self->database->path);
    view_revision = notmuch_database_get_revision (self->database->native, NULL);
    read_only = self->database->mode == NM_DATABASE_MODE_READ_ONLY;
  }

  if (_nm_compat_open (path, NOTMUCH_DATABASE_MODE_READ_ONLY, "", NULL, &probe, &message)
      != NOTMUCH_STATUS_SUCCESS)
    {
      g_clear_pointer (&probe, notmuch_database_destroy);
      g_task_return_new_error (task, NM_ERROR, NM_ERROR_FILE_ERROR,
                               "Cannot read the revision of the database at %s", path);
      return;
    }
  state = nm_database_monitor_read_state (probe);
  notmuch_database_destroy (probe);

  if (read_only && (state->revision > view_revision || state->messages != self->messages))
    nm_database_reopen (self->database, NM_DATABASE_MODE_READ_ONLY, NULL);
  g_task_return_pointer (task, state, g_free);
}

static void nm_database_monitor_schedule_check (NmDatabaseMonitor *self);

static void
nm_database_monitor_probed (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  NmDatabaseMonitor *self = NM_DATABASE_MONITOR (source);
  g_autofree NmDatabaseState *state = g_task_propagate_pointer (G_TASK (result), NULL);
  guint64 before = self->revision;
  gboolean own;

  self->checking = FALSE;
  if (self->check_again)
    {
      self->check_again = FALSE;
      nm_database_monitor_schedule_check (self);
    }
  /* A closed database, or an index being replaced (compaction): the next change tells. */
  if (state == NULL || state->revision < before
      || (state->revision == before && state->messages == self->messages))
    return;
  self->messages = state->messages;

  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    /* While this handle writes, no other process can commit. */
    own = (state->revision == self->database->own_revision && state->revision > before)
          || self->database->mode == NM_DATABASE_MODE_READ_WRITE;
  }
  if (state->revision > before)
    {
      self->revision = state->revision;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
    }
  if (!own)
    g_signal_emit (self, signals[CHANGED], 0, before, state->revision);
}

static gboolean
nm_database_monitor_check (gpointer data)
{
  NmDatabaseMonitor *self = data;
  g_autoptr (GTask) task = NULL;

  g_clear_pointer (&self->pending_check, g_source_unref);
  if (self->checking)
    {
      self->check_again = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->checking = TRUE;
  task = g_task_new (self, NULL, nm_database_monitor_probed, NULL);
  g_task_set_source_tag (task, nm_database_monitor_check);
  _nm_database_run_in_worker (self->database, task, nm_database_monitor_probe_in_worker);
  return G_SOURCE_REMOVE;
}

static void
nm_database_monitor_schedule_check (NmDatabaseMonitor *self)
{
  if (self->pending_check != NULL)
    return;
  self->pending_check = g_timeout_source_new (SETTLE_MS);
  g_source_set_callback (self->pending_check, nm_database_monitor_check, self, NULL);
  g_source_set_static_name (self->pending_check, "[notmuch-glib] database monitor");
  g_source_attach (self->pending_check, _nm_origin_get_context (self->origin));
}

static void
nm_database_monitor_files_changed (GFileMonitor      *files,
                                   GFile             *file,
                                   GFile             *other_file,
                                   GFileMonitorEvent  event,
                                   gpointer           user_data)
{
  nm_database_monitor_schedule_check (user_data);
}

/**
 * nm_database_monitor:
 * @self: a database
 * @error: return location for an error
 *
 * Starts watching the database for changes committed by other processes; see
 * [class@Notmuch.DatabaseMonitor].  The monitor's signal is emitted on the thread-default
 * main context of the caller, which must run a main loop.  Drop the monitor to stop.
 *
 * Returns: (transfer full): the monitor, or %NULL with @error set (a closed database, or
 *   an index that cannot be watched)
 *
 * Since: 0.1
 */
NmDatabaseMonitor *
nm_database_monitor (NmDatabase  *self,
                     GError     **error)
{
  g_autoptr (NmDatabaseMonitor) monitor = NULL;
  g_autoptr (GFile) index = NULL;
  g_autofree char *index_path = NULL;
  g_autofree char *path = NULL;
  g_autofree NmDatabaseState *state = NULL;
  g_autoptr (GError) local_error = NULL;
  guint64 revision;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self);

    if (!_nm_database_check_open (self, error))
      return NULL;
    path = g_strdup (self->path);
    revision = notmuch_database_get_revision (self->native, NULL);
    state = nm_database_monitor_read_state (self->native);
  }
  index_path = _nm_write_lock_find_index (path);
  if (index_path == NULL)
    {
      _nm_set_error (error, NM_ERROR_FILE_ERROR,
                   "Cannot find the index of the database at %s to watch it", path);
      return NULL;
    }

  monitor = g_object_new (NM_TYPE_DATABASE_MONITOR, NULL);
  monitor->database = g_object_ref (self);
  monitor->origin = _nm_origin_new_here ();
  monitor->revision = revision;
  monitor->messages = state->messages;
  index = g_file_new_for_path (index_path);
  /* The file monitor reports on the thread-default main context of this thread. */
  monitor->files = g_file_monitor_directory (index, G_FILE_MONITOR_NONE, NULL, &local_error);
  if (monitor->files == NULL)
    {
      /* In the library's own domain, as every error of the library. */
      _nm_set_error (error, NM_ERROR_FILE_ERROR, "Cannot watch %s: %s", index_path,
                   local_error->message);
      return NULL;
    }
  g_signal_connect (monitor->files, "changed",
                    G_CALLBACK (nm_database_monitor_files_changed), monitor);
  return g_steal_pointer (&monitor);
}

/**
 * nm_database_monitor_get_database: (get-property database)
 * @self: a monitor
 *
 * Gets the database watched.
 *
 * Returns: (transfer none): the database
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_monitor_get_database (NmDatabaseMonitor *self)
{
  g_return_val_if_fail (NM_IS_DATABASE_MONITOR (self), NULL);

  return self->database;
}

/**
 * nm_database_monitor_get_revision: (get-property revision)
 * @self: a monitor
 *
 * Gets the revision last reported, or seen when the monitor started.
 *
 * Returns: the revision
 *
 * Since: 0.1
 */
guint64
nm_database_monitor_get_revision (NmDatabaseMonitor *self)
{
  g_return_val_if_fail (NM_IS_DATABASE_MONITOR (self), 0);

  return self->revision;
}
