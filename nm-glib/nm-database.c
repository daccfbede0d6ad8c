/* nm-database.c: a notmuch database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-config-file-private.h"
#include "nm-enum-types.h"
#include "nm-error-private.h"
#include "nm-write-lock-private.h"

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
 * [method@Gio.Initable.init].  Until it is initialized, a database constructed that way is
 * not open: every call fails with %NM_ERROR_CLOSED_DATABASE or returns an empty value.
 *
 * A configuration file whose `database.autocommit` is not a number is refused with
 * %NM_ERROR_ILLEGAL_ARGUMENT, and so is storing such a value.
 *
 * Since: 0.1
 */
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

/* The error of an object made without a database. */
#define NM_DATABASE_NONE_MESSAGE \
  "This object belongs to no database: it was constructed without one"

/* Opens or creates the native database from the construct properties, once the
 * configuration file (if @config_file_exists) was checked.  Requires the lock. */
static gboolean
nm_database_open_native (NmDatabase  *self,
                         gboolean     config_file_exists,
                         GError     **error)
{
  g_autofree char *message = NULL;
  const char *config_path = self->config_path;
  notmuch_database_t *native = NULL;
  notmuch_status_t status;

  /* With an explicit database path and no config file, say so at once rather than let
   * libnotmuch search again, fail with NO_CONFIG and open a second time (below). */
  if (self->path != NULL && config_path == NULL && !config_file_exists)
    {
      config_path = "";
      self->without_config_file = TRUE;
    }

  if (self->create)
    {
      status = _nm_compat_create (self->path, config_path, self->profile, &native,
                                  &message);
    }
  else
    {
      status = _nm_compat_open (self->path, (notmuch_database_mode_t) self->mode, config_path,
                                self->profile, &native, &message);
      /* With an explicit database path, a missing config file only means there is no
       * configuration beyond what the database stores. */
      if (status == NOTMUCH_STATUS_NO_CONFIG && self->path != NULL && config_path == NULL)
        {
          g_clear_pointer (&message, free);
          status = _nm_compat_open (self->path, (notmuch_database_mode_t) self->mode, "",
                                    self->profile, &native, &message);
          self->without_config_file = TRUE;
        }
    }

  if (status != NOTMUCH_STATUS_SUCCESS)
    {
      g_autofree char *text = g_strdup (message != NULL ? message
                                        : notmuch_status_to_string (status));

      if (native != NULL)
        notmuch_database_destroy (native);
      _nm_set_error_literal (error, _nm_error_code_from_status (status),
                             g_strstrip (text));
      return FALSE;
    }

  self->native = native;
  _nm_database_remember_config_file (self, native,
                                     !self->without_config_file
                                     && (config_path == NULL || config_path[0] != '\0'));
  notmuch_database_get_revision (native, &self->view_uuid);
  if (self->create)
    self->mode = NM_DATABASE_MODE_READ_WRITE;
  g_free (self->path);
  self->path = g_strdup (notmuch_database_get_path (native));
  _nm_database_remember_status_string (self);
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

  status = _nm_compat_open (NULL, NOTMUCH_DATABASE_MODE_READ_ONLY, self->config_path,
                            self->profile, &probe, &message);
  if (status != NOTMUCH_STATUS_SUCCESS)
    {
      g_autofree char *text = g_strdup (message != NULL ? message
                                        : notmuch_status_to_string (status));

      if (probe != NULL)
        notmuch_database_destroy (probe);
      _nm_set_error_literal (error, _nm_error_code_from_status (status),
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
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self);
  g_autofree char *lock_path = NULL;
  g_autofree char *config_file = NULL;
  gboolean config_file_exists;

  if (self->native != NULL || self->config_handle != NULL || self->closed)
    return TRUE;

  /* Before libnotmuch reads the file for any open, the lookup of the path below
   * included. */
  config_file = _nm_config_file_find (self->config_path, self->profile);
  if (!_nm_compat_check_config_file (config_file, &config_file_exists, error))
    return FALSE;

  /* Without a path, where a database is created is known only once it is: the write lock
   * is claimed then. */
  if ((self->create && self->path != NULL)
      || (!self->create && self->mode == NM_DATABASE_MODE_READ_WRITE))
    {
      lock_path = self->path != NULL ? g_strdup (self->path)
                                     : nm_database_look_up_path (self, error);
      if (lock_path == NULL)
        return FALSE;
      if (!_nm_write_lock_claim (lock_path, self, &self->write_lock_key, error))
        return FALSE;
      if (!self->create && !_nm_write_lock_wait (lock_path, self->lock_timeout, error))
        {
          _nm_write_lock_release (&self->write_lock_key);
          return FALSE;
        }
    }

  if (!nm_database_open_native (self, config_file_exists, error))
    {
      _nm_write_lock_release (&self->write_lock_key);
      return FALSE;
    }
  if (self->create && self->write_lock_key == NULL
      && !_nm_write_lock_claim (self->path, self, &self->write_lock_key, error))
    {
      g_clear_pointer (&self->native, notmuch_database_destroy);
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

  _nm_worker_clear (&self->worker);
  /* Every object derived from the database holds a reference to it, so nothing points into
   * the native database any more.  Destroying it commits pending writes. */
  g_clear_pointer (&self->native, notmuch_database_destroy);
  g_clear_pointer (&self->config_handle, notmuch_database_destroy);
  _nm_write_lock_release (&self->write_lock_key);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->config_path, g_free);
  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->last_status_string, g_free);
  g_clear_pointer (&self->status_mark, g_free);
  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->live_messages, g_hash_table_unref);
  g_clear_pointer (&self->live_threads, g_hash_table_unref);
  g_clear_pointer (&self->changed_messages, g_hash_table_unref);
  g_clear_pointer (&self->changed_threads, g_hash_table_unref);
  g_mutex_clear (&self->live_lock);
  g_cond_clear (&self->give_way_cond);
  g_mutex_clear (&self->give_way_lock);
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
    /* Properties are UTF-8 strings; a path is any bytes (get_path() hands those out). */
    case PROP_PATH:
      g_value_take_string (value, self->path != NULL ? g_filename_display_name (self->path)
                                                     : NULL);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_CONFIG_PATH:
      g_value_take_string (value, self->config_path != NULL
                                    ? g_filename_display_name (self->config_path)
                                    : NULL);
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

  _nm_compat_init ();

  object_class->finalize = nm_database_finalize;
  object_class->get_property = nm_database_get_property;
  object_class->set_property = nm_database_set_property;

  /**
   * NmDatabase:path: (getter get_path)
   *
   * The directory of the database.  Before initialization it is the path to open, or %NULL
   * for notmuch's own lookup (`NOTMUCH_CONFIG`, `NOTMUCH_PROFILE`, the config file); once
   * open, the path libnotmuch opened.  Read as a property it is the path's display name
   * (valid UTF-8); [method@Notmuch.Database.get_path] gives the bytes.
   *
   * Since: 0.1
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:mode: (getter get_mode)
   *
   * Whether the database is open for reading only or for reading and writing.
   *
   * Since: 0.1
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, NM_TYPE_DATABASE_MODE, NM_DATABASE_MODE_READ_ONLY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:config-path: (getter get_config_path)
   *
   * The notmuch configuration file.  Before initialization it is the file to read: %NULL
   * for notmuch's lookup, the empty string for none; once open, the file libnotmuch
   * loaded, or %NULL if it loaded none.  Read as a property it is the file's display name
   * (valid UTF-8); [method@Notmuch.Database.get_config_path] gives the bytes.
   *
   * Since: 0.1
   */
  properties[PROP_CONFIG_PATH] =
    g_param_spec_string ("config-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:profile:
   *
   * The notmuch configuration profile, or %NULL for `NOTMUCH_PROFILE` or the default.
   *
   * Since: 0.1
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
   *
   * Since: 0.1
   */
  properties[PROP_LOCK_TIMEOUT] =
    g_param_spec_uint ("lock-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmDatabase:version: (getter get_version)
   *
   * The format version of the database.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_uint ("version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_database_init (NmDatabase *self)
{
  g_rec_mutex_init (&self->lock);
  g_mutex_init (&self->give_way_lock);
  g_cond_init (&self->give_way_cond);
  g_mutex_init (&self->live_lock);
}

void
_nm_database_run_in_worker (NmDatabase      *self,
                            GTask           *task,
                            GTaskThreadFunc  func)
{
  if (self == NULL)
    {
      g_task_return_new_error (task, NM_ERROR, NM_ERROR_CLOSED_DATABASE, "%s",
                               NM_DATABASE_NONE_MESSAGE);
      return;
    }
  _nm_worker_run (&self->worker, task, func);
}

void
_nm_database_free_in_worker (NmDatabase     *self,
                             gpointer        garbage,
                             GDestroyNotify  free_garbage)
{
  _nm_worker_free_later (&self->worker, garbage, free_garbage);
}

void
_nm_database_close_at_exit (NmDatabase *self)
{
  /* A thread still inside a call keeps its changes to itself; exit does not wait. */
  if (!g_rec_mutex_trylock (&self->lock))
    return;
  if (_nm_database_is_open (self) && self->atomic_depth == 0)
    {
      notmuch_database_close (self->native);
      self->closed = TRUE;
    }
  g_rec_mutex_unlock (&self->lock);
}

notmuch_database_t *
_nm_database_get_native (NmDatabase *self)
{
  return self != NULL ? self->native : NULL;
}

gboolean
_nm_database_is_open (NmDatabase *self)
{
  return self != NULL && self->native != NULL && !self->closed && self->maintenance == NULL;
}

gboolean
_nm_database_check_open (NmDatabase *self, GError **error)
{
  if (_nm_database_is_open (self))
    return TRUE;
  if (self == NULL)
    {
      _nm_set_error_literal (error, NM_ERROR_CLOSED_DATABASE, NM_DATABASE_NONE_MESSAGE);
      return FALSE;
    }
  if (self->maintenance != NULL)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "The database at %s cannot be used from the progress callback of its own "
                     "%s()", self->path, self->maintenance);
      return FALSE;
    }
  _nm_set_error (error, NM_ERROR_CLOSED_DATABASE,
                 self->closed ? "The database at %s has been closed"
                              : "The database at %s is not open",
                 self->path != NULL ? self->path : "(default)");
  return FALSE;
}

gboolean
_nm_database_check_reopenable (NmDatabase  *self,
                               const char  *verb,
                               GError     **error)
{
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->atomic_depth > 0)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "Cannot %s the database inside an atomic section", verb);
      return FALSE;
    }
  return TRUE;
}

gboolean
_nm_database_check_writable (NmDatabase  *self,
                             const char  *action,
                             GError     **error)
{
  if (self->mode == NM_DATABASE_MODE_READ_WRITE)
    return TRUE;
  _nm_set_error (error, NM_ERROR_READ_ONLY_DATABASE,
                 "Cannot %s: the database at %s is open read-only", action, self->path);
  return FALSE;
}

/* libnotmuch may reopen a read-only handle by itself, in the middle of any read: what was
 * read before is then invalidated, as after nm_database_reopen().  Requires the lock. */
static void
nm_database_notice_silent_reopen (NmDatabase *self)
{
  if (self != NULL && self->native != NULL && _nm_compat_view_changed (self->native, &self->view_uuid))
    self->generation++;
}

void
_nm_database_start_generation (NmDatabase *self)
{
  self->generation++;
  if (self->native != NULL)
    _nm_compat_view_changed (self->native, &self->view_uuid);
}

guint
_nm_database_get_generation (NmDatabase *self)
{
  nm_database_notice_silent_reopen (self);
  return self != NULL ? self->generation : 0;
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
  _nm_set_error_literal (error, NM_ERROR_OPERATION_INVALIDATED,
                         "The database was reopened after this was read; search again");
  return FALSE;
}

/* Every libnotmuch message object keeps its own copy of the document once read, and
 * writes the whole copy back on each change: a copy read before another object changed the
 * document would undo that change.  Objects compare this counter with the one they saw
 * when their copy was read, and read the document again when it moved.  Requires the lock. */
guint64
_nm_database_get_write_epoch (NmDatabase *self)
{
  return self != NULL ? self->write_epoch : 0;
}

guint64
_nm_database_get_removals (NmDatabase *self)
{
  return self != NULL ? self->removals : 0;
}

/* Records a write to one or more message documents; returns the new epoch.  Requires the
 * lock. */
guint64
_nm_database_note_write (NmDatabase *self)
{
  return self != NULL ? ++self->write_epoch : 0;
}

/**
 * nm_database_open: (constructor)
 * @path: (type filename) (nullable): the database directory, or %NULL for notmuch's own
 *   lookup (`NOTMUCH_CONFIG`, `NOTMUCH_PROFILE`, `~/.notmuch-config`, ...)
 * @mode: how to open the database
 * @error: return location for an error
 *
 * Opens a notmuch database.  With a @path, a missing configuration file is not an error:
 * the configuration then comes from the database, and no database at @path (a missing
 * path, a regular file, a directory without `.notmuch`) fails with %NM_ERROR_NO_DATABASE
 * naming the path and the reason.  Without one, notmuch's lookup must find a configuration
 * or database, else this fails with %NM_ERROR_NO_CONFIG or %NM_ERROR_NO_DATABASE.
 *
 * A read-write open fails at once with %NM_ERROR_LOCKED when another handle holds the write
 * lock; see [property@Notmuch.Database:lock-timeout] to wait instead.
 *
 * Returns: (transfer full): the open database, or %NULL with @error set
 *
 * Since: 0.1
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
 *
 * Since: 0.1
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
   * each through a GValue, which would cost more than the rest of a cheap open. */
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
 * @path: (type filename): the root of the mail store, an absolute path
 * @error: return location for an error
 *
 * Creates a new, empty notmuch database in @path (in its `.notmuch` subdirectory) and opens
 * it for reading and writing.  A missing @path is made, with its parents, and removed again
 * if the database cannot be created.  No configuration file is read.
 *
 * Returns: (transfer full): the new database, or %NULL with @error set
 *   (%NM_ERROR_DATABASE_EXISTS if there is one already)
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_create (const char  *path,
                    GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return nm_database_create_with_config (path, "", NULL, error);
}

/**
 * nm_database_create_with_config: (constructor)
 * @path: (type filename) (nullable): the root of the mail store, or %NULL for the database
 *   directory the configuration names (`database.path`, else notmuch's defaults)
 * @config_path: (type filename) (nullable): the configuration file, %NULL for notmuch's
 *   lookup, or the empty string for none
 * @profile: (nullable): the configuration profile, or %NULL for `NOTMUCH_PROFILE` or the
 *   default
 * @error: return location for an error
 *
 * Creates a new, empty notmuch database and opens it for reading and writing, with the
 * configuration of a file and profile, as `notmuch new` does on its first run.  With a
 * @path, a configuration file that notmuch's lookup does not find is not an error; without
 * one, the lookup must find a configuration (else %NM_ERROR_NO_CONFIG).
 *
 * Returns: (transfer full): the new database, or %NULL with @error set
 *   (%NM_ERROR_DATABASE_EXISTS if there is one already)
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_create_with_config (const char  *path,
                                const char  *config_path,
                                const char  *profile,
                                GError     **error)
{
  g_autoptr (NmDatabase) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (NM_TYPE_DATABASE, NULL);
  self->path = g_strdup (path);
  self->mode = NM_DATABASE_MODE_READ_WRITE;
  self->config_path = g_strdup (config_path);
  self->profile = g_strdup (profile);
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
 *
 * Since: 0.1
 */
gboolean
nm_database_close (NmDatabase  *self,
                   GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (self->maintenance != NULL)
    return _nm_database_check_open (self, error);
  if (self->closed || self->native == NULL)
    {
      self->closed = TRUE;
      return TRUE;
    }

  nm_database_remember_revision (self);
  if (self->mode == NM_DATABASE_MODE_READ_WRITE)
    self->own_revision = self->revision;
  status = notmuch_database_close (self->native);
  /* libnotmuch frees nothing on close; the native handle stays until finalize, so objects
   * derived from it never point into freed memory. */
  self->closed = TRUE;
  self->atomic_depth = 0;
  _nm_write_lock_release (&self->write_lock_key);
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
 *
 * Since: 0.1
 */
gboolean
nm_database_reopen (NmDatabase      *self,
                    NmDatabaseMode   mode,
                    GError         **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_status_t status;
  gboolean had_write_lock, mode_changed;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_reopenable (self, "reopen", error))
    return FALSE;

  had_write_lock = self->write_lock_key != NULL;
  if (mode == NM_DATABASE_MODE_READ_WRITE && !had_write_lock)
    {
      if (!_nm_write_lock_claim (self->path, self, &self->write_lock_key, error))
        return FALSE;
      if (!_nm_write_lock_wait (self->path, self->lock_timeout, error))
        {
          _nm_write_lock_release (&self->write_lock_key);
          return FALSE;
        }
    }

  status = _nm_compat_reopen (self->native, (notmuch_database_mode_t) mode);
  _nm_database_start_generation (self);
  if (!_nm_database_check_status (self, status, error, "Cannot reopen the database at %s",
                                  self->path))
    {
      if (!had_write_lock)
        _nm_write_lock_release (&self->write_lock_key);
      return FALSE;
    }

  if (mode == NM_DATABASE_MODE_READ_ONLY)
    _nm_write_lock_release (&self->write_lock_key);
  mode_changed = self->mode != mode;
  self->mode = mode;
  /* Handlers may call into the database from any thread. */
  g_clear_pointer (&locker, _nm_database_unlock);
  if (mode_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
  return TRUE;
}

/**
 * nm_database_get_path: (get-property path)
 * @self: a database
 *
 * Gets the directory of the database.
 *
 * Returns: (type filename) (nullable): the path, or %NULL if the database was never opened
 *
 * Since: 0.1
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
 *
 * Since: 0.1
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
 *
 * Since: 0.1
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
 *
 * Since: 0.1
 */
guint
nm_database_get_version (NmDatabase *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

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
 *
 * Since: 0.1
 */
guint64
nm_database_get_revision (NmDatabase  *self,
                          char       **uuid)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), 0);

  locker = _nm_database_lock (self);
  if (_nm_database_is_open (self))
    nm_database_remember_revision (self);
  if (uuid != NULL)
    *uuid = g_strdup (self->uuid);
  return self->revision;
}
