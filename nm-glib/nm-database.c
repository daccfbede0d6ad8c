/* nm-database.c: a notmuch database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nm-database-private.h"
#include "nm-directory-private.h"
#include "nm-enum-types.h"
#include "nm-error-private.h"
#include "nm-guard-private.h"
#include "nm-index-options-private.h"
#include "nm-message-private.h"
#include "nm-messages-private.h"
#include "nm-query-private.h"
#include "nm-tags-private.h"
#include "nm-threads-private.h"

/**
 * NmDatabase:
 *
 * A notmuch database: the index of a mail store.
 *
 * Open one with [ctor@Notmuch.Database.open], search it with [ctor@Notmuch.Query.new] or the
 * shortcuts [method@Notmuch.Database.search_threads] and
 * [method@Notmuch.Database.search_messages], and close it with
 * [method@Notmuch.Database.close] when done.
 *
 * Every object obtained from a database keeps the database alive, so objects can be dropped
 * in any order.  After [method@Notmuch.Database.close], every call on the database or on an
 * object derived from it fails with %NM_ERROR_CLOSED_DATABASE or returns a value it had
 * already read.  All calls on one database, from any object derived from it, are serialised
 * by one lock, so the objects can be shared between threads.
 *
 * Writes become durable when the database is closed, when the outermost atomic section ends,
 * on [method@Notmuch.Database.commit], and when a writable database is finalized.
 *
 * To wait for another process's write lock, construct the database with the
 * [property@Notmuch.Database:lock-timeout] property and initialize it with
 * [method@Gio.Initable.init].
 *
 * A configuration file whose `database.autocommit` is not a number is refused with
 * %NM_ERROR_ILLEGAL_ARGUMENT (libnotmuch would end the process).  Such a value stored in
 * the database itself (`notmuch config set --database`) cannot be checked before libnotmuch
 * reads it, and libnotmuch 0.37 then exits the process while opening; this library never
 * stores such a value.
 */
struct _NmDatabase
{
  GObject parent_instance;

  GRecMutex lock;
  notmuch_database_t *native;
  gboolean closed;
  gboolean create;
  /* Opened without a configuration file because none was found. */
  gboolean without_config_file;
  guint atomic_depth;
  guint generation;
  /* The uuid string of the handle's current view: libnotmuch allocates a new one, kept until
   * the handle is destroyed, every time it reopens the handle (see
   * nm_database_notice_silent_reopen()). */
  const char *view_uuid;
  /* Counts the writes to message documents made through this handle (see
   * _nm_database_get_write_epoch()). */
  guint64 write_epoch;

  char *path;
  char *config_path;
  char *profile;
  NmDatabaseMode mode;
  guint lock_timeout;

  /* Set while this handle holds the write lock of write_lock_key's database. */
  char *write_lock_key;
  /* libnotmuch never clears its status string: a message is fresh only if it differs from
   * the last one this handle reported. */
  char *last_status_string;
  /* The text _nm_database_mark_status() made libnotmuch log, or NULL. */
  char *status_mark;
  /* Runs the asynchronous calls on this database one after another. */
  GThreadPool *worker;
  /* Known after close, when libnotmuch can no longer tell. */
  guint64 revision;
  char *uuid;
};

static void nm_database_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NmDatabase, nm_database, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      nm_database_initable_iface_init))

enum
{
  PROP_0,
  PROP_PATH,
  PROP_MODE,
  PROP_CONFIG_PATH,
  PROP_PROFILE,
  PROP_LOCK_TIMEOUT,
  PROP_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Xapian's write lock is per open file description, so a second read-write open of the same
 * database in this process would wait for itself forever.  Paths held for writing by a handle
 * of this process are kept here, with the handle, and refused at once. */
G_LOCK_DEFINE_STATIC (write_locks);
static GHashTable *write_locks;

static char *
nm_database_lock_key (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *key = g_strdup (resolved != NULL ? resolved : path);

  free (resolved);
  return key;
}

/* A writable database that the program never releases (kept in a reference cycle a garbage
 * collector cannot see through, or simply alive at exit) would lose its pending changes:
 * at exit, every writable handle outside an atomic section is closed, which commits. */
static void
nm_database_close_all_at_exit (void)
{
  GHashTableIter iter;
  gpointer database;

  G_LOCK (write_locks);
  g_hash_table_iter_init (&iter, write_locks);
  while (g_hash_table_iter_next (&iter, NULL, &database))
    {
      NmDatabase *self = database;

      /* A thread still inside a call keeps its changes to itself; exit does not wait. */
      if (!g_rec_mutex_trylock (&self->lock))
        continue;
      if (_nm_database_is_open (self) && self->atomic_depth == 0)
        {
          notmuch_database_close (self->native);
          self->closed = TRUE;
        }
      g_rec_mutex_unlock (&self->lock);
    }
  G_UNLOCK (write_locks);
}

static gboolean
nm_database_claim_write_lock (NmDatabase *self, const char *path, GError **error)
{
  g_autofree char *key = nm_database_lock_key (path);

  G_LOCK (write_locks);
  if (write_locks == NULL)
    {
      write_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      atexit (nm_database_close_all_at_exit);
    }
  if (g_hash_table_contains (write_locks, key))
    {
      G_UNLOCK (write_locks);
      g_set_error (error, NM_ERROR, NM_ERROR_LOCKED,
                   "The database at %s is already open for writing in this process", path);
      return FALSE;
    }
  g_hash_table_insert (write_locks, g_strdup (key), self);
  G_UNLOCK (write_locks);
  self->write_lock_key = g_steal_pointer (&key);
  return TRUE;
}

static void
nm_database_release_write_lock (NmDatabase *self)
{
  if (self->write_lock_key == NULL)
    return;
  G_LOCK (write_locks);
  g_hash_table_remove (write_locks, self->write_lock_key);
  G_UNLOCK (write_locks);
  g_clear_pointer (&self->write_lock_key, g_free);
}

static gboolean
nm_database_write_lock_is_held_elsewhere (int fd)
{
  /* F_OFD_GETLK reports a conflicting lock of another process (OFD or classic) without
   * taking anything, so there is no window in which this process holds the lock itself. */
  struct flock probe = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  if (fcntl (fd, F_OFD_GETLK, &probe) < 0)
    return FALSE;
  return probe.l_type != F_UNLCK;
}

/* libnotmuch waits for another process's write lock without a time limit; wait here instead,
 * for at most timeout_ms, and fail with NM_ERROR_LOCKED. */
static gboolean
nm_database_wait_for_write_lock (const char *path, guint timeout_ms, GError **error)
{
  const char *const layouts[] = { ".notmuch/xapian/flintlock", "xapian/flintlock" };
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  int fd = -1;

  for (gsize i = 0; i < G_N_ELEMENTS (layouts) && fd < 0; i++)
    {
      g_autofree char *lock_path = g_build_filename (path, layouts[i], NULL);

      fd = open (lock_path, O_RDONLY | O_CLOEXEC);
    }
  if (fd < 0)
    return TRUE;   /* no lock file: nobody holds the lock, or libnotmuch reports the error */

  while (nm_database_write_lock_is_held_elsewhere (fd))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          close (fd);
          g_set_error (error, NM_ERROR, NM_ERROR_LOCKED,
                       "The database at %s is locked for writing by another process", path);
          return FALSE;
        }
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  close (fd);
  return TRUE;
}

/* libnotmuch 0.37 commits at the end of an outermost atomic section only if the environment
 * holds XAPIAN_FLUSH_THRESHOLD=1 at that moment; Xapian reads the same variable when it opens
 * a writable database, where 1 would mean a commit after every change.  The variable is
 * switched to 1 only around those commits, and writable databases are opened only while it
 * is not, both under this lock.  It exists (with the user's value, or "0", which both read
 * as unset) before the first switch, so switching only replaces a string in place: getenv()
 * in other threads never sees the environment array reallocated. */
G_LOCK_DEFINE_STATIC (flush_threshold);
static char *flush_threshold_default;

static void
nm_database_init_flush_threshold (void)
{
  const char *value = g_getenv ("XAPIAN_FLUSH_THRESHOLD");

  flush_threshold_default = g_strdup (value != NULL ? value : "0");
  if (value == NULL)
    setenv ("XAPIAN_FLUSH_THRESHOLD", flush_threshold_default, 1);
}

static notmuch_status_t
nm_database_end_outermost_atomic (notmuch_database_t *native)
{
  notmuch_status_t status;

  /* setenv() rather than g_setenv(), which logs that setenv() is not thread-safe: this is
   * the one use where it is, see above. */
  G_LOCK (flush_threshold);
  setenv ("XAPIAN_FLUSH_THRESHOLD", "1", 1);
  status = notmuch_database_end_atomic (native);
  setenv ("XAPIAN_FLUSH_THRESHOLD", flush_threshold_default, 1);
  G_UNLOCK (flush_threshold);
  return status;
}

static void
nm_database_remember_status_string (NmDatabase *self)
{
  g_free (self->last_status_string);
  self->last_status_string = g_strdup (notmuch_database_status_string (self->native));
}

static void
nm_database_forget_native (NmDatabase *self)
{
  g_clear_pointer (&self->native, notmuch_database_destroy);
}

/* libnotmuch exits the process when it opens a database whose stored autocommit value is
 * not a number, so such a value is refused before it is stored. */
static gboolean
nm_database_validate_config (const char *key, const char *value, GError **error)
{
  const char *end = NULL;

  if (g_strcmp0 (key, "database.autocommit") != 0 || value[0] == '\0')
    return TRUE;
  if (g_ascii_isdigit (value[0]))
    g_ascii_strtoull (value, (char **) &end, 10);
  if (end != NULL && *end == '\0')
    return TRUE;
  g_set_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT,
               "database.autocommit must be a non-negative number, not “%s”", value);
  return FALSE;
}

static const char *const config_key_names[] = {
  [NM_CONFIG_KEY_DATABASE_PATH] = "database.path",
  [NM_CONFIG_KEY_MAIL_ROOT] = "database.mail_root",
  [NM_CONFIG_KEY_HOOK_DIR] = "database.hook_dir",
  [NM_CONFIG_KEY_BACKUP_DIR] = "database.backup_dir",
  [NM_CONFIG_KEY_EXCLUDE_TAGS] = "search.exclude_tags",
  [NM_CONFIG_KEY_NEW_TAGS] = "new.tags",
  [NM_CONFIG_KEY_NEW_IGNORE] = "new.ignore",
  [NM_CONFIG_KEY_SYNC_MAILDIR_FLAGS] = "maildir.synchronize_flags",
  [NM_CONFIG_KEY_PRIMARY_EMAIL] = "user.primary_email",
  [NM_CONFIG_KEY_OTHER_EMAIL] = "user.other_email",
  [NM_CONFIG_KEY_USER_NAME] = "user.name",
  [NM_CONFIG_KEY_AUTOCOMMIT] = "database.autocommit",
  [NM_CONFIG_KEY_EXTRA_HEADERS] = "show.extra_headers",
};

/* The configuration file libnotmuch would read, found the way it finds it.  Called on
 * every open: plain getenv() and one concatenation per candidate (bench/PROFILE.md,
 * section 5). */
static char *
nm_database_find_config_file (const char *config_path, const char *profile)
{
  const char *notmuch_config, *home, *xdg_config;

  if (config_path != NULL)
    return config_path[0] != '\0' ? g_strdup (config_path) : NULL;
  notmuch_config = getenv ("NOTMUCH_CONFIG");
  if (notmuch_config != NULL)
    return g_strdup (notmuch_config);
  home = getenv ("HOME");
  xdg_config = getenv ("XDG_CONFIG_HOME");
  if (profile == NULL)
    profile = getenv ("NOTMUCH_PROFILE");
  if (xdg_config != NULL || home != NULL)
    {
      g_autofree char *xdg_file =
        g_strconcat (xdg_config != NULL ? xdg_config : home,
                     xdg_config != NULL ? "/notmuch/" : "/.config/notmuch/",
                     profile != NULL ? profile : "default", "/config", NULL);

      if (g_access (xdg_file, R_OK) == 0)
        return g_steal_pointer (&xdg_file);
    }
  if (home == NULL)
    return NULL;
  return g_strconcat (home, "/.notmuch-config", profile != NULL ? "." : NULL, profile, NULL);
}

/* Checks the configuration file @file (NULL: none) before libnotmuch reads it: libnotmuch
 * exits the process when database.autocommit is not a number, so such a file is refused
 * here.  Sets @exists to whether there is a file at all, readable or not. */
static gboolean
nm_database_validate_config_file (const char  *file,
                                  gboolean    *exists,
                                  GError     **error)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *autocommit = NULL;
  g_autoptr (GError) local_error = NULL;

  /* access() first: most opens have no configuration file, and finding that out costs
   * one system call and no allocation. */
  *exists = file != NULL && (g_access (file, R_OK) == 0 || errno != ENOENT);
  if (!*exists)
    return TRUE;
  key_file = g_key_file_new ();
  if (!g_key_file_load_from_file (key_file, file, G_KEY_FILE_NONE, NULL))
    return TRUE;   /* libnotmuch reports an unreadable file itself */
  autocommit = g_key_file_get_string (key_file, "database", "autocommit", NULL);
  if (autocommit == NULL || nm_database_validate_config ("database.autocommit",
                                                         g_strstrip (autocommit), &local_error))
    return TRUE;
  g_set_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT, "%s: %s", file,
               local_error->message);
  return FALSE;
}

/* Opens or creates the native database from the construct properties.  Requires the lock. */
static gboolean
nm_database_open_native (NmDatabase *self, GError **error)
{
  g_autofree char *message = NULL;
  const char *config_path = self->config_path;
  g_autofree char *config_file = nm_database_find_config_file (config_path, self->profile);
  gboolean config_file_exists;
  notmuch_database_t *native = NULL;
  notmuch_status_t status;

  if (!nm_database_validate_config_file (config_file, &config_file_exists, error))
    return FALSE;
  /* With an explicit database path and no config file, say so at once rather than let
   * libnotmuch search again, fail with NO_CONFIG and open a second time (below). */
  if (!self->create && self->path != NULL && config_path == NULL && !config_file_exists)
    {
      config_path = "";
      self->without_config_file = TRUE;
    }

  G_LOCK (flush_threshold);
  if (self->create)
    {
      status = notmuch_database_create_with_config (self->path,
                                                    config_path != NULL ? config_path : "",
                                                    self->profile, &native, &message);
    }
  else
    {
      status = notmuch_database_open_with_config (self->path,
                                                  (notmuch_database_mode_t) self->mode,
                                                  config_path, self->profile, &native,
                                                  &message);
      /* With an explicit database path, a missing config file only means there is no
       * configuration beyond what the database stores. */
      if (status == NOTMUCH_STATUS_NO_CONFIG && self->path != NULL && config_path == NULL)
        {
          g_clear_pointer (&message, free);
          status = notmuch_database_open_with_config (self->path,
                                                      (notmuch_database_mode_t) self->mode,
                                                      "", self->profile, &native, &message);
          self->without_config_file = TRUE;
        }
    }
  G_UNLOCK (flush_threshold);

  if (status != NOTMUCH_STATUS_SUCCESS)
    {
      g_autofree char *text = g_strdup (message != NULL ? message
                                        : notmuch_status_to_string (status));

      if (native != NULL)
        notmuch_database_destroy (native);
      g_set_error_literal (error, NM_ERROR, _nm_error_code_from_status (status),
                           g_strstrip (text));
      return FALSE;
    }

  self->native = native;
  notmuch_database_get_revision (native, &self->view_uuid);
  if (self->create)
    self->mode = NM_DATABASE_MODE_READ_WRITE;
  g_free (self->path);
  self->path = g_strdup (notmuch_database_get_path (native));
  nm_database_remember_status_string (self);
  return TRUE;
}

/* Finds the database path notmuch's lookup would choose, with a read-only open that never
 * waits for locks. */
static char *
nm_database_look_up_path (NmDatabase *self, GError **error)
{
  g_autofree char *message = NULL;
  notmuch_database_t *probe = NULL;
  notmuch_status_t status;
  char *path;

  status = notmuch_database_open_with_config (NULL, NOTMUCH_DATABASE_MODE_READ_ONLY,
                                              self->config_path, self->profile, &probe,
                                              &message);
  if (status != NOTMUCH_STATUS_SUCCESS)
    {
      g_autofree char *text = g_strdup (message != NULL ? message
                                        : notmuch_status_to_string (status));

      if (probe != NULL)
        notmuch_database_destroy (probe);
      g_set_error_literal (error, NM_ERROR, _nm_error_code_from_status (status),
                           g_strstrip (text));
      return NULL;
    }
  path = g_strdup (notmuch_database_get_path (probe));
  notmuch_database_destroy (probe);
  return path;
}

static gboolean
nm_database_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  NmDatabase *self = NM_DATABASE (initable);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autofree char *lock_path = NULL;

  if (self->native != NULL || self->closed)
    return TRUE;

  if (self->create || self->mode == NM_DATABASE_MODE_READ_WRITE)
    {
      lock_path = self->path != NULL ? g_strdup (self->path)
                                     : nm_database_look_up_path (self, error);
      if (lock_path == NULL)
        return FALSE;
      if (!nm_database_claim_write_lock (self, lock_path, error))
        return FALSE;
      if (!self->create
          && !nm_database_wait_for_write_lock (lock_path, self->lock_timeout, error))
        {
          nm_database_release_write_lock (self);
          return FALSE;
        }
    }

  if (!nm_database_open_native (self, error))
    {
      nm_database_release_write_lock (self);
      return FALSE;
    }
  return TRUE;
}

static void
nm_database_initable_iface_init (GInitableIface *iface)
{
  iface->init = nm_database_initable_init;
}

static void
nm_database_finalize (GObject *object)
{
  NmDatabase *self = NM_DATABASE (object);

  /* Every object derived from the database holds a reference to it, so nothing points into
   * the native database any more.  Destroying it commits pending writes. */
  /* Pending work holds a reference to the database, so none is left; this may run on the
   * worker's own thread, hence no waiting. */
  if (self->worker != NULL)
    g_thread_pool_free (g_steal_pointer (&self->worker), FALSE, FALSE);
  nm_database_forget_native (self);
  nm_database_release_write_lock (self);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->config_path, g_free);
  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->last_status_string, g_free);
  g_clear_pointer (&self->status_mark, g_free);
  g_clear_pointer (&self->uuid, g_free);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (nm_database_parent_class)->finalize (object);
}

static void
nm_database_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  NmDatabase *self = NM_DATABASE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_CONFIG_PATH:
      g_value_set_string (value, self->config_path);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    case PROP_LOCK_TIMEOUT:
      g_value_set_uint (value, self->lock_timeout);
      break;
    case PROP_VERSION:
      g_value_set_uint (value, nm_database_get_version (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_database_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  NmDatabase *self = NM_DATABASE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_CONFIG_PATH:
      self->config_path = g_value_dup_string (value);
      break;
    case PROP_PROFILE:
      self->profile = g_value_dup_string (value);
      break;
    case PROP_LOCK_TIMEOUT:
      self->lock_timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_database_class_init (NmDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  nm_database_init_flush_threshold ();

  object_class->finalize = nm_database_finalize;
  object_class->get_property = nm_database_get_property;
  object_class->set_property = nm_database_set_property;

  /**
   * NmDatabase:path: (getter get_path)
   *
   * The directory of the database.  Before initialization it is the path to open, or %NULL
   * for notmuch's own lookup (`NOTMUCH_CONFIG`, `NOTMUCH_PROFILE`, the config file); once
   * open, the path libnotmuch opened.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:mode: (getter get_mode)
   *
   * Whether the database is open for reading only or for reading and writing.
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, NM_TYPE_DATABASE_MODE, NM_DATABASE_MODE_READ_ONLY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:config-path:
   *
   * The notmuch configuration file to read: %NULL for notmuch's lookup, the empty string
   * for none.
   */
  properties[PROP_CONFIG_PATH] =
    g_param_spec_string ("config-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:profile:
   *
   * The notmuch configuration profile, or %NULL for `NOTMUCH_PROFILE` or the default.
   */
  properties[PROP_PROFILE] =
    g_param_spec_string ("profile", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:lock-timeout: (getter get_lock_timeout)
   *
   * How long a read-write open waits for another process's write lock, in milliseconds,
   * before failing with %NM_ERROR_LOCKED.  The default, 0, does not wait.  A write lock held
   * by this process fails at once whatever the timeout.
   */
  properties[PROP_LOCK_TIMEOUT] =
    g_param_spec_uint ("lock-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:version: (getter get_version)
   *
   * The format version of the database.
   */
  properties[PROP_VERSION] =
    g_param_spec_uint ("version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* Work for the database's worker thread: a GTask to run, or something to free. */
typedef struct
{
  GTask *task;
  GTaskThreadFunc func;
  gpointer garbage;
  GDestroyNotify free_garbage;
} NmDatabaseWork;

static void
nm_database_do_work (gpointer data, gpointer unused)
{
  NmDatabaseWork *work = data;

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
  g_free (work);
}

/* The database's worker thread pool, made at the first asynchronous call: most handles never
 * make one, and an open should not pay for it (bench/PROFILE.md, section 5).  One thread
 * at a time per database: asynchronous calls run in order, and none of them holds a
 * thread of GLib's shared pool waiting for the database lock. */
static GThreadPool *
nm_database_get_worker (NmDatabase *self)
{
  GThreadPool *worker = g_atomic_pointer_get (&self->worker);

  if (worker != NULL)
    return worker;
  worker = g_thread_pool_new (nm_database_do_work, NULL, 1, FALSE, NULL);
  if (g_atomic_pointer_compare_and_exchange (&self->worker, NULL, worker))
    return worker;
  /* Another thread made one first. */
  g_thread_pool_free (worker, FALSE, FALSE);
  return g_atomic_pointer_get (&self->worker);
}

void
_nm_database_free_in_worker (NmDatabase     *self,
                             gpointer        garbage,
                             GDestroyNotify  free_garbage)
{
  NmDatabaseWork *work = g_new0 (NmDatabaseWork, 1);

  work->garbage = garbage;
  work->free_garbage = free_garbage;
  g_thread_pool_push (nm_database_get_worker (self), work, NULL);
}

void
_nm_database_run_in_worker (NmDatabase      *self,
                            GTask           *task,
                            GTaskThreadFunc  func)
{
  NmDatabaseWork *work = g_new0 (NmDatabaseWork, 1);

  work->task = g_object_ref (task);
  work->func = func;
  g_thread_pool_push (nm_database_get_worker (self), work, NULL);
}

static void
nm_database_init (NmDatabase *self)
{
  g_rec_mutex_init (&self->lock);
}

notmuch_database_t *
_nm_database_get_native (NmDatabase *self)
{
  return self->native;
}

GRecMutexLocker *
_nm_database_lock (NmDatabase *self)
{
  return g_rec_mutex_locker_new (&self->lock);
}

gboolean
_nm_database_is_open (NmDatabase *self)
{
  return self->native != NULL && !self->closed;
}

gboolean
_nm_database_check_open (NmDatabase *self, GError **error)
{
  if (_nm_database_is_open (self))
    return TRUE;
  g_set_error (error, NM_ERROR, NM_ERROR_CLOSED_DATABASE,
               self->closed ? "The database at %s has been closed"
                            : "The database at %s is not open",
               self->path != NULL ? self->path : "(default)");
  return FALSE;
}

/* A read-only handle that reads a revision another process's commit has discarded is
 * reopened by libnotmuch itself (_notmuch_message_ensure_metadata), in the middle of any
 * read.  Document ids taken from the old revision may then be gone, and libnotmuch exit()s
 * on those: everything read before the reopen is invalidated, as after
 * nm_database_reopen().  Each reopen allocates a new uuid string that lives as long as the
 * handle, so a changed pointer means a reopen.  Requires the lock. */
static void
nm_database_notice_silent_reopen (NmDatabase *self)
{
  const char *uuid = NULL;

  if (self->native == NULL)
    return;
  notmuch_database_get_revision (self->native, &uuid);
  if (uuid == self->view_uuid)
    return;
  self->view_uuid = uuid;
  self->generation++;
}

/* Called after this library reopened the handle and invalidated what was read before. */
static void
nm_database_start_generation (NmDatabase *self)
{
  self->generation++;
  if (self->native != NULL)
    notmuch_database_get_revision (self->native, &self->view_uuid);
}

guint
_nm_database_get_generation (NmDatabase *self)
{
  nm_database_notice_silent_reopen (self);
  return self->generation;
}

gboolean
_nm_database_is_current (NmDatabase *self, guint generation)
{
  if (!_nm_database_is_open (self))
    return FALSE;
  nm_database_notice_silent_reopen (self);
  return self->generation == generation;
}

gboolean
_nm_database_check_current (NmDatabase *self, guint generation, GError **error)
{
  if (!_nm_database_check_open (self, error))
    return FALSE;
  nm_database_notice_silent_reopen (self);
  if (self->generation == generation)
    return TRUE;
  g_set_error_literal (error, NM_ERROR, NM_ERROR_OPERATION_INVALIDATED,
                       "The database was reopened after this was read; search again");
  return FALSE;
}

/* What libnotmuch logged since the last message this handle reported, or NULL.  It appends
 * some messages to the previous one instead of replacing it.  Requires the lock. */
static const char *
nm_database_fresh_status_string (NmDatabase *self)
{
  const char *status_string;

  if (self->native == NULL)
    return NULL;
  status_string = notmuch_database_status_string (self->native);
  if (status_string == NULL || g_strcmp0 (status_string, self->last_status_string) == 0)
    return NULL;
  if (self->last_status_string != NULL && g_str_has_prefix (status_string, self->last_status_string))
    return status_string + strlen (self->last_status_string);
  return status_string;
}

/* Every libnotmuch message object keeps its own copy of the document once read, and
 * writes the whole copy back on each change: a copy read before another object changed the
 * document would undo that change.  Objects compare this counter with the one they saw
 * when their copy was read, and read the document again when it moved.  Requires the lock. */
guint64
_nm_database_get_write_epoch (NmDatabase *self)
{
  return self->write_epoch;
}

/* Records a write to one or more message documents; returns the new epoch.  Requires the
 * lock. */
guint64
_nm_database_note_write (NmDatabase *self)
{
  return ++self->write_epoch;
}

/* Makes libnotmuch's status string a text of this library's own, so that
 * _nm_database_logged_since_mark() can tell whether the next call logged anything even when
 * it logs the same text as an earlier failure.  libnotmuch has no way to clear the string;
 * logging happens here through a query that fails to parse, and only when something else
 * was logged since the last mark.  Requires the lock. */
void
_nm_database_mark_status (NmDatabase *self)
{
  const char *status_string;
  notmuch_query_t *query = NULL;
  unsigned int count;

  if (self->native == NULL)
    return;
  status_string = notmuch_database_status_string (self->native);
  if (status_string == NULL || g_strcmp0 (status_string, self->status_mark) == 0)
    return;
  if (notmuch_query_create_with_syntax (self->native, "(nm-glib-status-mark",
                                        NOTMUCH_QUERY_SYNTAX_SEXP, &query)
      == NOTMUCH_STATUS_SUCCESS)
    notmuch_query_count_messages (query, &count);
  g_clear_pointer (&query, notmuch_query_destroy);
  g_free (self->status_mark);
  self->status_mark = g_strdup (notmuch_database_status_string (self->native));
  /* The mark is not an error of the caller's. */
  nm_database_remember_status_string (self);
}

/* Whether libnotmuch logged something since _nm_database_mark_status().  Requires the lock. */
gboolean
_nm_database_logged_since_mark (NmDatabase *self)
{
  if (self->native == NULL)
    return FALSE;
  return g_strcmp0 (notmuch_database_status_string (self->native), self->status_mark) != 0;
}

static gboolean
nm_database_check_status_va (NmDatabase        *self,
                             notmuch_status_t   status,
                             GError           **error,
                             const char        *format,
                             va_list            args)
{
  const char *status_string;
  g_autofree char *context = NULL;

  if (status == NOTMUCH_STATUS_SUCCESS)
    return TRUE;
  if (status == NM_GUARD_STATUS_INVALIDATED)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_OPERATION_INVALIDATED,
                           "The database was changed by another process while it was read; "
                           "reopen it and try again");
      return FALSE;
    }

  status_string = nm_database_fresh_status_string (self);
  if (status_string != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (status_string));

      nm_database_remember_status_string (self);
      if (text[0] != '\0')
        {
          g_set_error_literal (error, NM_ERROR, _nm_error_code_from_status (status), text);
          return FALSE;
        }
    }

  context = g_strdup_vprintf (format, args);
  g_set_error (error, NM_ERROR, _nm_error_code_from_status (status), "%s: %s", context,
               notmuch_status_to_string (status));
  return FALSE;
}

gboolean
_nm_database_check_status (NmDatabase        *self,
                           notmuch_status_t   status,
                           GError           **error,
                           const char        *format,
                           ...)
{
  va_list args;
  gboolean ok;

  va_start (args, format);
  ok = nm_database_check_status_va (self, status, error, format, args);
  va_end (args);
  return ok;
}

/* libnotmuch logs only the first Xapian exception of a handle; later ones leave its status
 * string as it was, and a repeated message cannot be told from a stale one.  Running the
 * failed query once more on a fresh read-only handle gets the message for this query.
 * Requires the lock. */
static char *
nm_database_explain_query_failure (NmDatabase    *self,
                                   const char    *query_string,
                                   NmQuerySyntax  syntax)
{
  g_autofree char *message = NULL;
  notmuch_database_t *probe = NULL;
  notmuch_query_t *query = NULL;
  unsigned int count;
  char *explanation = NULL;

  if (notmuch_database_open_with_config (self->path, NOTMUCH_DATABASE_MODE_READ_ONLY,
                                         self->without_config_file ? "" : self->config_path,
                                         self->profile, &probe, &message)
      != NOTMUCH_STATUS_SUCCESS)
    {
      g_clear_pointer (&probe, notmuch_database_destroy);
      return NULL;
    }
  if (notmuch_query_create_with_syntax (probe, query_string, (notmuch_query_syntax_t) syntax,
                                        &query) == NOTMUCH_STATUS_SUCCESS
      && notmuch_query_count_messages (query, &count) != NOTMUCH_STATUS_SUCCESS
      && notmuch_database_status_string (probe) != NULL)
    explanation = g_strstrip (g_strdup (notmuch_database_status_string (probe)));
  notmuch_database_destroy (probe);
  return explanation;
}

gboolean
_nm_database_check_query_status (NmDatabase        *self,
                                 notmuch_status_t   status,
                                 const char        *query_string,
                                 NmQuerySyntax      syntax,
                                 GError           **error,
                                 const char        *format,
                                 ...)
{
  va_list args;
  gboolean ok;

  if ((status == NOTMUCH_STATUS_XAPIAN_EXCEPTION || status == NOTMUCH_STATUS_BAD_QUERY_SYNTAX)
      && self->native != NULL)
    {
      if (nm_database_fresh_status_string (self) == NULL)
        {
          char *explanation = nm_database_explain_query_failure (self, query_string, syntax);

          if (explanation != NULL)
            {
              g_set_error_literal (error, NM_ERROR, _nm_error_code_from_status (status),
                                   explanation);
              g_free (explanation);
              return FALSE;
            }
        }
    }

  va_start (args, format);
  ok = nm_database_check_status_va (self, status, error, format, args);
  va_end (args);
  return ok;
}

char **
_nm_database_get_config_values (NmDatabase *self, notmuch_config_key_t key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  notmuch_config_values_t *values = notmuch_config_get_values (self->native, key);

  for (; notmuch_config_values_valid (values); notmuch_config_values_move_to_next (values))
    {
      const char *value = notmuch_config_values_get (values);

      if (value[0] != '\0')
        g_strv_builder_add (builder, value);
    }
  g_clear_pointer (&values, notmuch_config_values_destroy);
  return g_strv_builder_end (builder);
}

/**
 * nm_database_open: (constructor)
 * @path: (type filename) (nullable): the database directory, or %NULL for notmuch's own
 *   lookup (`NOTMUCH_CONFIG`, `NOTMUCH_PROFILE`, `~/.notmuch-config`, ...)
 * @mode: how to open the database
 * @error: return location for an error
 *
 * Opens a notmuch database.  With a @path, a missing configuration file is not an error:
 * the configuration then comes from the database.  Without one, notmuch's lookup must find
 * a configuration or database, else this fails with %NM_ERROR_NO_CONFIG or
 * %NM_ERROR_NO_DATABASE.
 *
 * A read-write open fails at once with %NM_ERROR_LOCKED when another handle holds the write
 * lock; see [property@Notmuch.Database:lock-timeout] to wait instead.
 *
 * Returns: (transfer full): the open database, or %NULL with @error set
 */
NmDatabase *
nm_database_open (const char      *path,
                  NmDatabaseMode   mode,
                  GError         **error)
{
  return nm_database_open_with_config (path, mode, NULL, NULL, error);
}

/**
 * nm_database_open_with_config: (constructor)
 * @path: (type filename) (nullable): the database directory, or %NULL for notmuch's lookup
 * @mode: how to open the database
 * @config_path: (type filename) (nullable): the configuration file, %NULL for notmuch's
 *   lookup, or the empty string for none
 * @profile: (nullable): the configuration profile, or %NULL for the default
 * @error: return location for an error
 *
 * Opens a notmuch database with an explicit configuration file and profile.
 *
 * Returns: (transfer full): the open database, or %NULL with @error set
 */
NmDatabase *
nm_database_open_with_config (const char      *path,
                              NmDatabaseMode   mode,
                              const char      *config_path,
                              const char      *profile,
                              GError         **error)
{
  g_autoptr (NmDatabase) self = NULL;

  g_return_val_if_fail (mode == NM_DATABASE_MODE_READ_ONLY
                        || mode == NM_DATABASE_MODE_READ_WRITE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* What g_initable_new() with the four construct properties does, without marshalling
   * each through a GValue: this runs on every open (bench/PROFILE.md, section 5). */
  self = g_object_new (NM_TYPE_DATABASE, NULL);
  self->path = g_strdup (path);
  self->mode = mode;
  self->config_path = g_strdup (config_path);
  self->profile = g_strdup (profile);
  if (!g_initable_init (G_INITABLE (self), NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * nm_database_create: (constructor)
 * @path: (type filename): an existing directory, the root of the mail store
 * @error: return location for an error
 *
 * Creates a new, empty notmuch database in @path (in its `.notmuch` subdirectory) and opens
 * it for reading and writing.  No configuration file is read.
 *
 * Returns: (transfer full): the new database, or %NULL with @error set
 *   (%NM_ERROR_DATABASE_EXISTS if there is one already)
 */
NmDatabase *
nm_database_create (const char  *path,
                    GError     **error)
{
  g_autoptr (NmDatabase) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (NM_TYPE_DATABASE,
                       "path", path,
                       "mode", NM_DATABASE_MODE_READ_WRITE,
                       "config-path", "",
                       NULL);
  self->create = TRUE;
  if (!g_initable_init (G_INITABLE (self), NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
nm_database_remember_revision (NmDatabase *self)
{
  const char *uuid = NULL;

  self->revision = notmuch_database_get_revision (self->native, &uuid);
  g_free (self->uuid);
  self->uuid = g_strdup (uuid);
}

/**
 * nm_database_close:
 * @self: a database
 * @error: return location for an error
 *
 * Commits pending changes and closes the database.  Objects obtained from it stay valid to
 * hold and drop, but every further call on them or on the database fails with
 * %NM_ERROR_CLOSED_DATABASE or returns a value read before.  Closing inside an unfinished
 * atomic section discards that section's changes.  Closing twice is harmless.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_close (NmDatabase  *self,
                   GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (self->closed || self->native == NULL)
    {
      self->closed = TRUE;
      return TRUE;
    }

  nm_database_remember_revision (self);
  status = notmuch_database_close (self->native);
  /* libnotmuch frees nothing on close; the native handle stays until finalize, so objects
   * derived from it never point into freed memory. */
  self->closed = TRUE;
  self->atomic_depth = 0;
  nm_database_release_write_lock (self);
  return _nm_database_check_status (self, status, error, "Cannot close the database at %s",
                                    self->path);
}

/**
 * nm_database_reopen:
 * @self: a database
 * @mode: the mode to reopen in
 * @error: return location for an error
 *
 * Reopens the database, committing pending changes first, to see what other processes
 * committed since it was opened, or to switch between reading and writing.  This is the way
 * to recover from %NM_ERROR_OPERATION_INVALIDATED; results obtained before must be searched
 * again.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_reopen (NmDatabase      *self,
                    NmDatabaseMode   mode,
                    GError         **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status;
  gboolean had_write_lock;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;

  if (self->atomic_depth > 0)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT,
                           "Cannot reopen the database inside an atomic section");
      return FALSE;
    }

  had_write_lock = self->write_lock_key != NULL;
  if (mode == NM_DATABASE_MODE_READ_WRITE && !had_write_lock)
    {
      if (!nm_database_claim_write_lock (self, self->path, error))
        return FALSE;
      if (!nm_database_wait_for_write_lock (self->path, self->lock_timeout, error))
        {
          nm_database_release_write_lock (self);
          return FALSE;
        }
    }

  G_LOCK (flush_threshold);
  status = notmuch_database_reopen (self->native, (notmuch_database_mode_t) mode);
  G_UNLOCK (flush_threshold);
  nm_database_start_generation (self);
  if (!_nm_database_check_status (self, status, error, "Cannot reopen the database at %s",
                                  self->path))
    {
      if (!had_write_lock)
        nm_database_release_write_lock (self);
      return FALSE;
    }

  if (mode == NM_DATABASE_MODE_READ_ONLY)
    nm_database_release_write_lock (self);
  if (self->mode != mode)
    {
      self->mode = mode;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
  return TRUE;
}

/* Commits what is pending.  libnotmuch 0.37 has no commit call: its end of an outermost
 * atomic section commits only every database.autocommit sections, or when the environment
 * says XAPIAN_FLUSH_THRESHOLD=1, which notmuch reads at that moment.  Requires the lock. */
static notmuch_status_t
nm_database_commit_pending (NmDatabase *self)
{
  notmuch_status_t status = notmuch_database_begin_atomic (self->native);

  if (status != NOTMUCH_STATUS_SUCCESS)
    return status;
  return nm_database_end_outermost_atomic (self->native);
}

/**
 * nm_database_commit:
 * @self: a database
 * @error: return location for an error
 *
 * Makes every change made so far durable, so that it survives even if the process is
 * killed, and visible to other processes that reopen the database.  Does nothing on a
 * read-only database.  Inside an atomic section it fails with %NM_ERROR_ILLEGAL_ARGUMENT:
 * the outermost [method@Notmuch.Database.end_atomic] commits instead.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_commit (NmDatabase  *self,
                    GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->mode != NM_DATABASE_MODE_READ_WRITE)
    return TRUE;
  if (self->atomic_depth > 0)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT,
                           "Cannot commit inside an atomic section: end it instead");
      return FALSE;
    }
  return _nm_database_check_status (self, nm_database_commit_pending (self), error,
                                    "Cannot commit the database at %s", self->path);
}

/**
 * nm_database_begin_atomic:
 * @self: a database open for writing
 * @error: return location for an error
 *
 * Starts an atomic section: the changes made until the matching
 * [method@Notmuch.Database.end_atomic] become visible and durable together when the
 * outermost section ends, or not at all.  Sections nest.
 *
 * Changes made before the outermost section begins are committed first, so that closing
 * the database inside an unfinished section discards that section's changes and only those.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_begin_atomic (NmDatabase  *self,
                          GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status = NOTMUCH_STATUS_SUCCESS;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  /* Xapian cancels an unfinished transaction by dropping every uncommitted change, including
   * those made before the transaction began. */
  if (self->atomic_depth == 0 && self->mode == NM_DATABASE_MODE_READ_WRITE)
    status = nm_database_commit_pending (self);
  if (status == NOTMUCH_STATUS_SUCCESS)
    status = notmuch_database_begin_atomic (self->native);
  if (!_nm_database_check_status (self, status, error, "Cannot begin an atomic section"))
    return FALSE;
  self->atomic_depth++;
  return TRUE;
}

/**
 * nm_database_end_atomic:
 * @self: a database open for writing
 * @error: return location for an error
 *
 * Ends the innermost atomic section started with [method@Notmuch.Database.begin_atomic].
 * Ending the outermost section commits its changes.
 *
 * Returns: %TRUE on success; %NM_ERROR_UNBALANCED_ATOMIC if no section is open
 */
gboolean
nm_database_end_atomic (NmDatabase  *self,
                        GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->atomic_depth == 1 && self->mode == NM_DATABASE_MODE_READ_WRITE)
    status = nm_database_end_outermost_atomic (self->native);
  else
    status = notmuch_database_end_atomic (self->native);
  if (!_nm_database_check_status (self, status, error, "Cannot end the atomic section"))
    return FALSE;
  self->atomic_depth--;
  return TRUE;
}

/**
 * nm_database_get_path: (get-property path)
 * @self: a database
 *
 * Gets the directory of the database.
 *
 * Returns: (type filename) (nullable): the path, or %NULL if the database was never opened
 */
const char *
nm_database_get_path (NmDatabase *self)
{
  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);

  return self->path;
}

/**
 * nm_database_get_mode: (get-property mode)
 * @self: a database
 *
 * Gets whether the database is open for reading only or for writing.
 *
 * Returns: the mode
 */
NmDatabaseMode
nm_database_get_mode (NmDatabase *self)
{
  g_return_val_if_fail (NM_IS_DATABASE (self), NM_DATABASE_MODE_READ_ONLY);

  return self->mode;
}

/**
 * nm_database_get_lock_timeout: (get-property lock-timeout)
 * @self: a database
 *
 * Gets how long a read-write open waits for another process's write lock.
 *
 * Returns: the timeout in milliseconds
 */
guint
nm_database_get_lock_timeout (NmDatabase *self)
{
  g_return_val_if_fail (NM_IS_DATABASE (self), 0);

  return self->lock_timeout;
}

/**
 * nm_database_get_version: (get-property version)
 * @self: a database
 *
 * Gets the format version of the database.
 *
 * Returns: the version, or 0 if the database is closed
 */
guint
nm_database_get_version (NmDatabase *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);

  locker = _nm_database_lock (self);
  if (!_nm_database_is_open (self))
    return 0;
  return notmuch_database_get_version (self->native);
}

/**
 * nm_database_get_revision:
 * @self: a database
 * @uuid: (out) (optional) (transfer full): the UUID of the database, which identifies the
 *   sequence the revision belongs to
 *
 * Gets the revision of the database as last committed or read: it grows with every
 * committed change, and `lastmod:` queries select messages by it.  After close, the last
 * value seen.
 *
 * Revisions are 64-bit; JavaScript numbers hold them exactly only up to 2^53.
 *
 * Returns: the revision
 */
guint64
nm_database_get_revision (NmDatabase  *self,
                          char       **uuid)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);

  locker = _nm_database_lock (self);
  if (_nm_database_is_open (self))
    nm_database_remember_revision (self);
  if (uuid != NULL)
    *uuid = g_strdup (self->uuid);
  return self->revision;
}

/**
 * nm_database_needs_upgrade:
 * @self: a database
 *
 * Checks whether the database is in an older format that an upgrade would improve.  Only
 * databases open for writing can need an upgrade.
 *
 * Returns: %TRUE if the database should be upgraded
 */
gboolean
nm_database_needs_upgrade (NmDatabase *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_is_open (self))
    return FALSE;
  return notmuch_database_needs_upgrade (self->native);
}

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
 */
NmMessage *
nm_database_find_message (NmDatabase  *self,
                          const char  *message_id,
                          GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
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
 */
NmMessage *
nm_database_find_message_by_filename (NmDatabase  *self,
                                      const char  *filename,
                                      GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
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
 * root.  libnotmuch 0.37 compares the root with the file name as strings, so
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
      g_set_error (error, NM_ERROR, NM_ERROR_PATH_ERROR,
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
 *   [method@Notmuch.Database.get_default_index_options]
 * @duplicate: (out) (optional): set to %TRUE if a message with the same id was indexed
 *   already, in which case @filename was added to it
 * @error: return location for an error
 *
 * Indexes a mail file.  Tags are not added: apply the configured `new.tags` yourself for
 * new messages.
 *
 * Returns: (transfer full): the message now stored in @filename, or %NULL with @error set:
 *   %NM_ERROR_FILE_NOT_EMAIL, %NM_ERROR_FILE_ERROR (missing or unreadable) or
 *   %NM_ERROR_PATH_ERROR
 */
NmMessage *
nm_database_index_file (NmDatabase      *self,
                        const char      *filename,
                        NmIndexOptions  *options,
                        gboolean        *duplicate,
                        GError         **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  g_autofree char *path = NULL;
  notmuch_message_t *native = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (duplicate != NULL)
    *duplicate = FALSE;

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  path = nm_database_path_in_mail_root (self, filename, error);
  if (path == NULL)
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
 */
gboolean
nm_database_remove_message (NmDatabase  *self,
                            const char  *filename,
                            GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  /* libnotmuch 0.37 reports success for a file it does not know even on a read-only
   * database. */
  if (self->mode != NM_DATABASE_MODE_READ_WRITE)
    {
      g_set_error (error, NM_ERROR, NM_ERROR_READ_ONLY_DATABASE,
                   "Cannot remove %s: the database at %s is open read-only", filename,
                   self->path);
      return FALSE;
    }
  status = notmuch_database_remove_message (self->native, filename);
  if (status == NOTMUCH_STATUS_SUCCESS || status == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
    _nm_database_note_write (self);
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
 */
NmIndexOptions *
nm_database_get_default_index_options (NmDatabase *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
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
 * nm_database_get_all_tags:
 * @self: a database
 * @error: return location for an error
 *
 * Gets every tag used in the database.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order, or
 *   %NULL on error
 */
char **
nm_database_get_all_tags (NmDatabase  *self,
                          GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
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
 * nm_database_get_config:
 * @self: a database
 * @key: a configuration key, such as `search.exclude_tags`
 * @error: return location for an error
 *
 * Gets a configuration value as the notmuch CLI sees it: from the database, the
 * configuration file, or notmuch's defaults.  Lists are separated by `;`.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if the key is not set (or set to
 *   the empty string) or on error
 */
char *
nm_database_get_config (NmDatabase  *self,
                        const char  *key,
                        GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  char *value = NULL;
  char *copy;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  status = notmuch_database_get_config (self->native, key, &value);
  if (!_nm_database_check_status (self, status, error, "Cannot read configuration key %s",
                                  key))
    return NULL;
  copy = value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
  free (value);
  return copy;
}

/**
 * nm_database_set_config:
 * @self: a database open for writing
 * @key: a configuration key
 * @value: the value; the empty string unsets it
 * @error: return location for an error
 *
 * Stores a configuration value in the database.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_set_config (NmDatabase  *self,
                        const char  *key,
                        const char  *value,
                        GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_database_validate_config (key, value, error))
    return FALSE;
  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  status = notmuch_database_set_config (self->native, key, value);
  return _nm_database_check_status (self, status, error, "Cannot set configuration key %s",
                                    key);
}

/**
 * nm_database_get_config_value:
 * @self: a database
 * @key: a configuration key
 * @error: return location for an error
 *
 * Gets the value of a well-known configuration key as the notmuch CLI sees it (database,
 * configuration file, defaults); a list comes as one string separated by `;`.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if it is not set (or empty) or
 *   on error
 */
char *
nm_database_get_config_value (NmDatabase   *self,
                              NmConfigKey   key,
                              GError      **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  const char *value;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  value = notmuch_config_get (self->native, (notmuch_config_key_t) key);
  return value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

/**
 * nm_database_get_config_values:
 * @self: a database
 * @key: a list-valued configuration key, such as %NM_CONFIG_KEY_NEW_TAGS
 * @error: return location for an error
 *
 * Gets the items of a list-valued configuration key.
 *
 * Returns: (transfer full) (array zero-terminated=1): the items, without empty ones;
 *   %NULL on error
 */
char **
nm_database_get_config_values (NmDatabase   *self,
                               NmConfigKey   key,
                               GError      **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  return _nm_database_get_config_values (self, (notmuch_config_key_t) key);
}

/**
 * nm_database_get_config_bool:
 * @self: a database
 * @key: a boolean configuration key, such as %NM_CONFIG_KEY_SYNC_MAILDIR_FLAGS
 * @error: return location for an error
 *
 * Gets the value of a boolean configuration key.
 *
 * Returns: the value; %FALSE with %NM_ERROR_ILLEGAL_ARGUMENT if it is not a boolean
 */
gboolean
nm_database_get_config_bool (NmDatabase   *self,
                             NmConfigKey   key,
                             GError      **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_bool_t value = FALSE;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  status = notmuch_config_get_bool (self->native, (notmuch_config_key_t) key, &value);
  if (!_nm_database_check_status (self, status, error, "%s is not a boolean",
                                  config_key_names[key]))
    return FALSE;
  return value;
}

/**
 * nm_database_set_config_value:
 * @self: a database open for writing
 * @key: a configuration key
 * @value: the value; lists are separated by `;`
 * @error: return location for an error
 *
 * Stores the value of a well-known configuration key in the database.  A value in a
 * configuration file still takes precedence when the database is opened with that file.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_set_config_value (NmDatabase   *self,
                              NmConfigKey   key,
                              const char   *value,
                              GError      **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_database_validate_config (config_key_names[key], value, error))
    return FALSE;
  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  status = notmuch_config_set (self->native, (notmuch_config_key_t) key, value);
  return _nm_database_check_status (self, status, error, "Cannot set configuration key %s",
                                    config_key_names[key]);
}

/**
 * nm_database_get_config_list:
 * @self: a database
 * @prefix: (nullable): a key prefix, or %NULL or the empty string for every key
 * @error: return location for an error
 *
 * Gets the configuration stored in the database itself (not the configuration file) under
 * keys starting with @prefix.
 *
 * Returns: (transfer full) (element-type utf8 utf8): the keys and values, or %NULL on error
 */
GHashTable *
nm_database_get_config_list (NmDatabase  *self,
                             const char  *prefix,
                             GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  g_autoptr (GHashTable) pairs = NULL;
  notmuch_config_list_t *list = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  status = notmuch_database_get_config_list (self->native, prefix != NULL ? prefix : "",
                                             &list);
  if (!_nm_database_check_status (self, status, error,
                                  "Cannot list configuration keys starting with “%s”",
                                  prefix != NULL ? prefix : ""))
    return NULL;

  pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* libnotmuch's key and value strings die at the next call: copy each at once. */
  for (; notmuch_config_list_valid (list); notmuch_config_list_move_to_next (list))
    {
      char *key = g_strdup (notmuch_config_list_key (list));

      g_hash_table_insert (pairs, key, g_strdup (notmuch_config_list_value (list)));
    }
  g_clear_pointer (&list, notmuch_config_list_destroy);
  return g_steal_pointer (&pairs);
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
 */
guint
nm_database_count_messages (NmDatabase  *self,
                            const char  *query,
                            GError     **error)
{
  g_autoptr (NmQuery) search = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);
  g_return_val_if_fail (query != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  search = _nm_query_new_like_cli (self, query, error);
  if (search == NULL)
    return 0;
  return nm_query_count_messages (search, error);
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
 */
guint
nm_database_count_threads (NmDatabase  *self,
                           const char  *query,
                           GError     **error)
{
  g_autoptr (NmQuery) search = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);
  g_return_val_if_fail (query != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  search = _nm_query_new_like_cli (self, query, error);
  if (search == NULL)
    return 0;
  return nm_query_count_threads (search, error);
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
 */
NmDirectory *
nm_database_get_directory (NmDatabase  *self,
                           const char  *path,
                           GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_directory_t *native = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  status = notmuch_database_get_directory (self->native, path, &native);
  if (!_nm_database_check_status (self, status, error, "Cannot look up directory %s", path))
    return NULL;
  if (native == NULL)
    return NULL;
  return _nm_directory_new (self, self->generation, native, path);
}

/* Appends `tag:"<tag>"`, or `not tag:"<tag>"`, quoted so that any tag reads as one term. */
static void
nm_database_append_tag_term (GString *query, gboolean negate, const char *tag)
{
  g_string_append (query, negate ? "not tag:\"" : "tag:\"");
  for (const char *c = tag; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (query, '"');
      g_string_append_c (query, *c);
    }
  g_string_append_c (query, '"');
}

/* Narrows @query to the messages a tag change would change, as `notmuch tag` does: those
 * missing a tag to add or carrying a tag to remove. */
static char *
nm_database_build_tagging_query (const char         *query,
                                 const char * const *add,
                                 const char * const *remove)
{
  GString *narrowed = g_string_new (NULL);
  gboolean first = TRUE;

  if (query[0] != '\0' && strcmp (query, "*") != 0)
    g_string_append_printf (narrowed, "( %s ) and ", query);
  g_string_append (narrowed, "( ");
  for (const char * const *tag = add; *tag != NULL; tag++, first = FALSE)
    {
      g_string_append (narrowed, first ? "" : " or ");
      nm_database_append_tag_term (narrowed, TRUE, *tag);
    }
  for (const char * const *tag = remove; *tag != NULL; tag++, first = FALSE)
    {
      g_string_append (narrowed, first ? "" : " or ");
      nm_database_append_tag_term (narrowed, FALSE, *tag);
    }
  g_string_append (narrowed, " )");
  return g_string_free (narrowed, FALSE);
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
 * A tag may not be both added and removed.
 *
 * Returns: the number of messages changed; 0 on error (with @error set)
 */
guint
nm_database_tag_messages (NmDatabase          *self,
                          const char          *query,
                          const char * const  *add,
                          const char * const  *remove,
                          GError             **error)
{
  static const char *const none[] = { NULL };
  g_autoptr (GRecMutexLocker) locker = NULL;
  g_autofree char *narrowed = NULL;
  notmuch_query_t *native_query = NULL;
  notmuch_messages_t *messages = NULL;
  notmuch_bool_t sync_maildir_flags = FALSE;
  notmuch_status_t status;
  guint changed = 0;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);
  g_return_val_if_fail (query != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  add = add != NULL ? add : none;
  remove = remove != NULL ? remove : none;
  if (!nm_database_validate_tags (add, error) || !nm_database_validate_tags (remove, error))
    return 0;
  for (const char * const *tag = add; *tag != NULL; tag++)
    if (g_strv_contains (remove, *tag))
      {
        g_set_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT,
                     "Tag “%s” cannot be both added and removed", *tag);
        return 0;
      }
  if (add[0] == NULL && remove[0] == NULL)
    return 0;

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return 0;
  if (self->mode != NM_DATABASE_MODE_READ_WRITE)
    {
      g_set_error (error, NM_ERROR, NM_ERROR_READ_ONLY_DATABASE,
                   "Cannot tag messages: the database at %s is open read-only", self->path);
      return 0;
    }

  status = notmuch_config_get_bool (self->native, NOTMUCH_CONFIG_SYNC_MAILDIR_FLAGS,
                                    &sync_maildir_flags);
  if (!_nm_database_check_status (self, status, error,
                                  "Cannot read maildir.synchronize_flags"))
    return 0;

  narrowed = nm_database_build_tagging_query (query, add, remove);
  native_query = notmuch_query_create (self->native, narrowed);
  if (native_query == NULL)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_OUT_OF_MEMORY, "Cannot create a query");
      return 0;
    }
  notmuch_query_set_sort (native_query, NOTMUCH_SORT_UNSORTED);
  notmuch_query_set_omit_excluded (native_query, NOTMUCH_EXCLUDE_FALSE);

  if (!nm_database_begin_atomic (self, error))
    {
      notmuch_query_destroy (native_query);
      return 0;
    }
  status = notmuch_query_search_messages (native_query, &messages);
  for (; status == NOTMUCH_STATUS_SUCCESS && notmuch_messages_valid (messages);
       notmuch_messages_move_to_next (messages))
    {
      notmuch_message_t *message = _nm_guard_messages_get (messages);

      if (message == NULL)
        {
          status = NM_GUARD_STATUS_INVALIDATED;
          break;
        }
      status = nm_database_retag (message, add, remove, sync_maildir_flags);
      notmuch_message_destroy (message);
      if (status == NOTMUCH_STATUS_SUCCESS)
        changed++;
    }
  notmuch_query_destroy (native_query);
  if (changed > 0)
    _nm_database_note_write (self);

  if (!_nm_database_check_status (self, status, error, "Cannot tag the messages matching “%s”",
                                  query))
    {
      /* The changes made so far stay: libnotmuch cannot abandon an atomic section short of
       * closing the database. */
      nm_database_end_atomic (self, NULL);
      return 0;
    }
  if (!nm_database_end_atomic (self, error))
    return 0;
  return changed;
}

/* Adapts libnotmuch's upgrade progress callback, which takes its data first. */
typedef struct
{
  NmUpgradeProgressFunc func;
  gpointer user_data;
} NmUpgradeProgress;

static void
nm_database_report_upgrade (void *closure, double progress)
{
  NmUpgradeProgress *report = closure;

  report->func (progress, report->user_data);
}

/**
 * nm_database_upgrade:
 * @self: a database open for writing
 * @progress: (scope call) (nullable) (closure user_data): called with the fraction done
 * @user_data: data for @progress
 * @error: return location for an error
 *
 * Upgrades the database to the newest format libnotmuch supports, if
 * [method@Notmuch.Database.needs_upgrade] says so.  A database that needs no upgrade is
 * left alone.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_upgrade (NmDatabase             *self,
                     NmUpgradeProgressFunc   progress,
                     gpointer                user_data,
                     GError                **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  NmUpgradeProgress report = { progress, user_data };
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->mode != NM_DATABASE_MODE_READ_WRITE)
    {
      g_set_error (error, NM_ERROR, NM_ERROR_READ_ONLY_DATABASE,
                   "Cannot upgrade: the database at %s is open read-only", self->path);
      return FALSE;
    }
  status = notmuch_database_upgrade (self->native,
                                     progress != NULL ? nm_database_report_upgrade : NULL,
                                     &report);
  _nm_database_note_write (self);
  return _nm_database_check_status (self, status, error, "Cannot upgrade the database at %s",
                                    self->path);
}

/* Forwards libnotmuch's compaction messages and keeps the last one, which names the error
 * when compaction fails. */
typedef struct
{
  NmCompactProgressFunc func;
  gpointer user_data;
  char *last_message;
} NmCompactProgress;

static void
nm_database_report_compaction (const char *message, void *closure)
{
  NmCompactProgress *report = closure;

  g_free (report->last_message);
  report->last_message = g_strdup (message);
  if (report->func != NULL)
    report->func (message, report->user_data);
}

/**
 * nm_database_compact:
 * @self: a database
 * @backup_path: (type filename) (nullable): where to keep the uncompacted index, on the
 *   same file system; %NULL to delete it
 * @progress: (scope call) (nullable) (closure user_data): called with progress messages
 * @user_data: data for @progress
 * @error: return location for an error
 *
 * Rewrites the index compactly.  Pending changes are committed first.  Compaction needs the
 * write lock: it fails with %NM_ERROR_LOCKED when another process holds it (after
 * [property@Notmuch.Database:lock-timeout]).  Results read before must be searched again.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_database_compact (NmDatabase             *self,
                     const char             *backup_path,
                     NmCompactProgressFunc   progress,
                     gpointer                user_data,
                     GError                **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  NmCompactProgress report = { progress, user_data, NULL };
  gboolean claimed_write_lock = FALSE;
  notmuch_status_t status;
  gboolean ok;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->atomic_depth > 0)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT,
                           "Cannot compact the database inside an atomic section");
      return FALSE;
    }
  if (self->write_lock_key == NULL)
    {
      if (!nm_database_claim_write_lock (self, self->path, error))
        return FALSE;
      claimed_write_lock = TRUE;
    }

  /* libnotmuch compacts through a handle of its own, which takes the write lock: this
   * handle must not hold it meanwhile.  Reopening read-only commits and releases it. */
  G_LOCK (flush_threshold);
  status = notmuch_database_reopen (self->native, NOTMUCH_DATABASE_MODE_READ_ONLY);
  G_UNLOCK (flush_threshold);
  nm_database_start_generation (self);
  if (!_nm_database_check_status (self, status, error, "Cannot compact the database at %s",
                                  self->path))
    goto out;
  if (!nm_database_wait_for_write_lock (self->path, self->lock_timeout, error))
    {
      status = NOTMUCH_STATUS_FILE_ERROR;
      goto reopen;
    }

  G_LOCK (flush_threshold);
  status = notmuch_database_compact (self->path, backup_path, nm_database_report_compaction,
                                     &report);
  G_UNLOCK (flush_threshold);
  if (status != NOTMUCH_STATUS_SUCCESS)
    g_set_error (error, NM_ERROR, _nm_error_code_from_status (status),
                 "Cannot compact the database at %s: %s", self->path,
                 report.last_message != NULL ? g_strstrip (report.last_message)
                                             : notmuch_status_to_string (status));

reopen:
  {
    notmuch_status_t reopen_status;

    G_LOCK (flush_threshold);
    reopen_status = notmuch_database_reopen (self->native,
                                             (notmuch_database_mode_t) self->mode);
    G_UNLOCK (flush_threshold);
    if (status == NOTMUCH_STATUS_SUCCESS)
      {
        status = reopen_status;
        _nm_database_check_status (self, status, error, "Cannot reopen the database at %s",
                                   self->path);
      }
  }

out:
  ok = status == NOTMUCH_STATUS_SUCCESS;
  if (claimed_write_lock)
    nm_database_release_write_lock (self);
  g_free (report.last_message);
  return ok;
}

typedef struct
{
  char *path;
  NmDatabaseMode mode;
} NmOpenRequest;

static void
nm_open_request_free (NmOpenRequest *request)
{
  g_free (request->path);
  g_free (request);
}

static void
nm_database_open_in_thread (GTask        *task,
                            gpointer      unused,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  NmOpenRequest *request = task_data;
  GError *error = NULL;
  NmDatabase *database;

  if (g_task_return_error_if_cancelled (task))
    return;
  database = nm_database_open (request->path, request->mode, &error);
  if (database == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, database, g_object_unref);
}

/**
 * nm_database_open_async:
 * @path: (type filename) (nullable): the database directory, or %NULL for notmuch's lookup
 * @mode: how to open the database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the database is open
 * @user_data: data for @callback
 *
 * Opens a database in a worker thread; see [ctor@Notmuch.Database.open].  @callback runs
 * in the thread-default main context of the calling thread.
 */
void
nm_database_open_async (const char          *path,
                        NmDatabaseMode       mode,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  NmOpenRequest *request = g_new0 (NmOpenRequest, 1);

  request->path = g_strdup (path);
  request->mode = mode;
  g_task_set_source_tag (task, nm_database_open_async);
  g_task_set_task_data (task, request, (GDestroyNotify) nm_open_request_free);
  g_task_run_in_thread (task, nm_database_open_in_thread);
}

/**
 * nm_database_open_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Notmuch.Database.open_async].
 *
 * Returns: (transfer full): the open database, or %NULL with @error set
 */
NmDatabase *
nm_database_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nm_database_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *filename;
  NmIndexOptions *options;
  gboolean duplicate;
} NmIndexRequest;

static void
nm_index_request_free (NmIndexRequest *request)
{
  g_free (request->filename);
  g_clear_object (&request->options);
  g_free (request);
}

static void
nm_database_index_in_worker (GTask        *task,
                             gpointer      source,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  NmIndexRequest *request = task_data;
  GError *error = NULL;
  NmMessage *message;

  if (g_task_return_error_if_cancelled (task))
    return;
  message = nm_database_index_file (source, request->filename, request->options,
                                    &request->duplicate, &error);
  if (message == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message, g_object_unref);
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
 */
void
nm_database_index_file_async (NmDatabase          *self,
                              const char          *filename,
                              NmIndexOptions      *options,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  NmIndexRequest *request;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (filename != NULL);
  g_return_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options));

  task = g_task_new (self, cancellable, callback, user_data);
  request = g_new0 (NmIndexRequest, 1);
  request->filename = g_strdup (filename);
  request->options = options != NULL ? g_object_ref (options) : NULL;
  g_task_set_source_tag (task, nm_database_index_file_async);
  g_task_set_task_data (task, request, (GDestroyNotify) nm_index_request_free);
  /* Once indexing ran, report what happened, even if cancelled meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  _nm_database_run_in_worker (self, task, nm_database_index_in_worker);
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
 */
NmMessage *
nm_database_index_file_finish (NmDatabase    *self,
                               GAsyncResult  *result,
                               gboolean      *duplicate,
                               GError       **error)
{
  NmIndexRequest *request;
  NmMessage *message;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nm_database_index_file_async,
                        NULL);

  request = g_task_get_task_data (G_TASK (result));
  message = g_task_propagate_pointer (G_TASK (result), error);
  if (duplicate != NULL)
    *duplicate = message != NULL && request->duplicate;
  return message;
}

typedef struct
{
  char *query;
  GStrv add;
  GStrv remove;
} NmTagRequest;

static void
nm_tag_request_free (NmTagRequest *request)
{
  g_free (request->query);
  g_strfreev (request->add);
  g_strfreev (request->remove);
  g_free (request);
}

static void
nm_database_tag_in_worker (GTask        *task,
                           gpointer      source,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  NmTagRequest *request = task_data;
  GError *error = NULL;
  guint changed;

  /* The change is one atomic section: cancelling is possible only before it starts, so a
   * cancelled call leaves nothing half-written. */
  if (g_task_return_error_if_cancelled (task))
    return;
  changed = nm_database_tag_messages (source, request->query,
                                      (const char * const *) request->add,
                                      (const char * const *) request->remove, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, changed);
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
  g_autoptr (GTask) task = NULL;
  NmTagRequest *request;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  request = g_new0 (NmTagRequest, 1);
  request->query = g_strdup (query);
  request->add = g_strdupv ((char **) add);
  request->remove = g_strdupv ((char **) remove);
  g_task_set_source_tag (task, nm_database_tag_messages_async);
  g_task_set_task_data (task, request, (GDestroyNotify) nm_tag_request_free);
  g_task_set_check_cancellable (task, FALSE);
  _nm_database_run_in_worker (self, task, nm_database_tag_in_worker);
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
 */
guint
nm_database_tag_messages_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gssize changed;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nm_database_tag_messages_async,
                        0);

  changed = g_task_propagate_int (G_TASK (result), error);
  return changed > 0 ? (guint) changed : 0;
}
