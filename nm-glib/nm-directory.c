/* nm-directory.c: a directory of the mail store, as the index records it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-directory-private.h"
#include "nm-async-private.h"
#include "nm-error-private.h"
#include "nm-database-private.h"

/**
 * NmDirectory:
 *
 * What the index records about a directory of the mail store: the modification time an
 * indexer stored with [method@Notmuch.Directory.set_mtime], and the files and
 * subdirectories indexed in it.  An incremental indexer compares the stored time with the
 * directory's real one to find the directories that changed.
 *
 * Get one with [method@Notmuch.Database.get_directory].  One constructed directly
 * (`Notmuch.Directory()` in Python) belongs to no database and behaves as a directory whose
 * database was closed: every call fails with %NM_ERROR_CLOSED_DATABASE or returns an
 * empty value.
 *
 * Since: 0.1
 */
struct _NmDirectory
{
  GObject parent_instance;

  NmDatabase *database;
  guint generation;
  notmuch_directory_t *native;
  char *path;
};

G_DEFINE_FINAL_TYPE (NmDirectory, nm_directory, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_MTIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nm_directory_finalize (GObject *object)
{
  NmDirectory *self = NM_DIRECTORY (object);

  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    g_clear_pointer (&self->native, notmuch_directory_destroy);
  }
  g_clear_object (&self->database);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (nm_directory_parent_class)->finalize (object);
}

static void
nm_directory_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  NmDirectory *self = NM_DIRECTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_take_string (value, self->path != NULL ? g_filename_display_name (self->path)
                                                     : NULL);
      break;
    case PROP_MTIME:
      g_value_set_int64 (value, nm_directory_get_mtime (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_directory_class_init (NmDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_directory_finalize;
  object_class->get_property = nm_directory_get_property;

  /**
   * NmDirectory:path: (getter get_path)
   *
   * The path the directory was looked up with, as it can be shown: bytes that are not
   * UTF-8 are replaced by U+FFFD ([method@Notmuch.Directory.get_path] gives the path
   * itself).
   *
   * Since: 0.1
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmDirectory:mtime: (getter get_mtime)
   *
   * The modification time stored for the directory.
   *
   * Since: 0.1
   */
  properties[PROP_MTIME] =
    g_param_spec_int64 ("mtime", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_directory_init (NmDirectory *self)
{
}

NmDirectory *
_nm_directory_new (NmDatabase          *database,
                   guint                generation,
                   notmuch_directory_t *native,
                   const char          *path)
{
  NmDirectory *self = g_object_new (NM_TYPE_DIRECTORY, NULL);

  self->database = g_object_ref (database);
  self->generation = generation;
  self->native = native;
  self->path = g_strdup (path);
  return self;
}

/* A deleted directory has no native object any more.  Requires the lock. */
static gboolean
nm_directory_check_usable (NmDirectory *self, GError **error)
{
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->native == NULL)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "The directory %s has been deleted from the index", self->path);
      return FALSE;
    }
  return TRUE;
}

/**
 * nm_directory_get_path: (get-property path)
 * @self: a directory
 *
 * Gets the path the directory was looked up with.
 *
 * Returns: (type filename) (nullable): the path, or %NULL for a directory constructed
 *   without a database
 *
 * Since: 0.1
 */
const char *
nm_directory_get_path (NmDirectory *self)
{
  g_return_val_if_fail (NM_IS_DIRECTORY (self), NULL);

  return self->path;
}

/**
 * nm_directory_get_mtime: (get-property mtime)
 * @self: a directory
 *
 * Gets the modification time stored with [method@Notmuch.Directory.set_mtime].
 *
 * Returns: seconds since the epoch; 0 if none was stored, the directory was deleted or the
 *   database is closed
 *
 * Since: 0.1
 */
gint64
nm_directory_get_mtime (NmDirectory *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DIRECTORY (self), 0);

  locker = _nm_database_lock (self->database);
  if (!nm_directory_check_usable (self, NULL))
    return 0;
  return notmuch_directory_get_mtime (self->native);
}

/**
 * nm_directory_set_mtime:
 * @self: a directory of a database open for writing
 * @mtime: the modification time to store, in seconds since the epoch
 * @error: return location for an error
 *
 * Stores the directory's modification time, normally after indexing its content, so that a
 * later scan can skip the directory while its real modification time is unchanged.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_directory_set_mtime (NmDirectory  *self,
                        gint64        mtime,
                        GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!nm_directory_check_usable (self, error))
    return FALSE;
  status = notmuch_directory_set_mtime (self->native, (time_t) mtime);
  if (!_nm_database_check_status (self->database, status, error,
                                  "Cannot store the modification time of %s", self->path))
    return FALSE;
  /* Handlers may call into the database, from any thread: none runs under its lock. */
  g_clear_pointer (&locker, _nm_database_unlock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MTIME]);
  return TRUE;
}

static char **
nm_directory_take_names (notmuch_filenames_t *names)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (; notmuch_filenames_valid (names); notmuch_filenames_move_to_next (names))
    g_strv_builder_add (builder, notmuch_filenames_get (names));
  g_clear_pointer (&names, notmuch_filenames_destroy);
  return g_strv_builder_end (builder);
}

/* The names of the files, or of the subdirectories, indexed directly in the directory;
 * empty when it can no longer be read. */
static char **
nm_directory_list_children (NmDirectory *self,
                            gboolean     directories)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

  if (!nm_directory_check_usable (self, NULL))
    return g_new0 (char *, 1);
  return nm_directory_take_names (directories
                                  ? notmuch_directory_get_child_directories (self->native)
                                  : notmuch_directory_get_child_files (self->native));
}

/**
 * nm_directory_get_child_files:
 * @self: a directory
 *
 * Gets the names of the files indexed directly in the directory.
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type filename): the file
 *   names, without the directory part, sorted; empty if the database is closed
 *
 * Since: 0.1
 */
char **
nm_directory_get_child_files (NmDirectory *self)
{
  g_return_val_if_fail (NM_IS_DIRECTORY (self), NULL);

  return nm_directory_list_children (self, FALSE);
}

/**
 * nm_directory_get_child_directories:
 * @self: a directory
 *
 * Gets the names of the subdirectories the index knows in the directory.
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type filename): the
 *   directory names, sorted; empty if the database is closed
 *
 * Since: 0.1
 */
char **
nm_directory_get_child_directories (NmDirectory *self)
{
  g_return_val_if_fail (NM_IS_DIRECTORY (self), NULL);

  return nm_directory_list_children (self, TRUE);
}

static gboolean
nm_directory_list_children_call (gpointer       source,
                                 NmCall        *call,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  _nm_call_set_value (call, nm_directory_list_children (source, call->number),
                      (GDestroyNotify) g_strfreev);
  return TRUE;
}

static void
nm_directory_start_listing (NmDirectory         *self,
                            gboolean             directories,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  _nm_call_start (_nm_call_new_full (nm_directory_list_children_call, NULL, directories),
                  self->database, self, source_tag, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_directory_get_child_files_async:
 * @self: a directory
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the file names
 * @user_data: data for @callback
 *
 * Lists the files indexed in the directory in the database's worker thread; see
 * [method@Notmuch.Directory.get_child_files].
 *
 * Since: 0.1
 */
void
nm_directory_get_child_files_async (NmDirectory         *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (NM_IS_DIRECTORY (self));

  nm_directory_start_listing (self, FALSE, nm_directory_get_child_files_async, cancellable,
                              callback, user_data);
}

/**
 * nm_directory_get_child_files_finish:
 * @self: a directory
 * @result: the result passed to the callback
 * @error: return location for an error: only %G_IO_ERROR_CANCELLED
 *
 * Finishes [method@Notmuch.Directory.get_child_files_async].
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type filename): the file
 *   names, sorted; empty if the database is closed; %NULL if the call was cancelled
 *
 * Since: 0.1
 */
char **
nm_directory_get_child_files_finish (NmDirectory   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _nm_call_finish_value (result, self, nm_directory_get_child_files_async, error);
}

/**
 * nm_directory_get_child_directories_async:
 * @self: a directory
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the directory names
 * @user_data: data for @callback
 *
 * Lists the subdirectories the index knows in the directory, in the database's worker
 * thread; see [method@Notmuch.Directory.get_child_directories].
 *
 * Since: 0.1
 */
void
nm_directory_get_child_directories_async (NmDirectory         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (NM_IS_DIRECTORY (self));

  nm_directory_start_listing (self, TRUE, nm_directory_get_child_directories_async,
                              cancellable, callback, user_data);
}

/**
 * nm_directory_get_child_directories_finish:
 * @self: a directory
 * @result: the result passed to the callback
 * @error: return location for an error: only %G_IO_ERROR_CANCELLED
 *
 * Finishes [method@Notmuch.Directory.get_child_directories_async].
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type filename): the
 *   directory names, sorted; empty if the database is closed; %NULL if the call was
 *   cancelled
 *
 * Since: 0.1
 */
char **
nm_directory_get_child_directories_finish (NmDirectory   *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  return _nm_call_finish_value (result, self, nm_directory_get_child_directories_async, error);
}

/**
 * nm_directory_delete:
 * @self: a directory of a database open for writing
 * @error: return location for an error
 *
 * Deletes the directory's record from the index (not from the disk), for a directory that
 * no longer exists.  Its files must be removed with [method@Notmuch.Database.remove_message]
 * first.  Afterwards the object only fails.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_directory_delete (NmDirectory  *self,
                     GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  return _nm_directory_delete_locked (self, error);
}

gboolean
_nm_directory_delete_locked (NmDirectory  *self,
                             GError      **error)
{
  notmuch_status_t status;

  if (!nm_directory_check_usable (self, error))
    return FALSE;
  if (nm_database_get_mode (self->database) != NM_DATABASE_MODE_READ_WRITE)
    {
      _nm_set_error (error, NM_ERROR_READ_ONLY_DATABASE,
                     "Cannot delete directory %s: the database is open read-only", self->path);
      return FALSE;
    }
  /* Once past its writability check, libnotmuch destroys the native object itself, whatever
   * the outcome. */
  status = notmuch_directory_delete (g_steal_pointer (&self->native));
  return _nm_database_check_status (self->database, status, error, "Cannot delete directory %s",
                                    self->path);
}
