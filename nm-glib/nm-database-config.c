/* nm-database-config.c: the configuration of a database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdlib.h>

#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-config-file-private.h"
#include "nm-error-private.h"

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
  [NM_CONFIG_KEY_INDEX_AS_TEXT] = "index.as_text",
  [NM_CONFIG_KEY_AUTHORS_SEPARATOR] = "search.authors_separator",
  [NM_CONFIG_KEY_AUTHORS_MATCHED_SEPARATOR] = "search.authors_matched_separator",
};
G_STATIC_ASSERT (G_N_ELEMENTS (config_key_names) == NM_CONFIG_KEY_LAST + 1);

/* A copy of @value, made valid UTF-8: this library stores nothing else, but the CLI and
 * configuration files store any bytes. */
static char *
nm_config_dup_valid (const char *value)
{
  if (value == NULL)
    return NULL;
  return g_utf8_validate (value, -1, NULL) ? g_strdup (value) : g_utf8_make_valid (value, -1);
}

/* What every stored configuration value must be, before the checks of its key. */
static gboolean
nm_database_check_config_utf8 (const char  *key,
                               const char  *value,
                               GError     **error)
{
  if (g_utf8_validate (key, -1, NULL) && g_utf8_validate (value, -1, NULL))
    return TRUE;
  _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT,
                         "Configuration keys and values are valid UTF-8");
  return FALSE;
}

static char **
nm_database_read_config_values (notmuch_database_t *handle, notmuch_config_key_t key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  notmuch_config_values_t *values =
    _nm_compat_config_get_values (handle, key, config_key_names[key]);

  for (; notmuch_config_values_valid (values); notmuch_config_values_move_to_next (values))
    {
      const char *value = notmuch_config_values_get (values);

      if (value[0] != '\0')
        {
          g_autofree char *valid = nm_config_dup_valid (value);

          g_strv_builder_add (builder, valid);
        }
    }
  g_clear_pointer (&values, notmuch_config_values_destroy);
  return g_strv_builder_end (builder);
}

char **
_nm_database_get_config_values (NmDatabase *self, notmuch_config_key_t key)
{
  return nm_database_read_config_values (self->native, key);
}

/* The libnotmuch handle holding the configuration: the open database's, or the one of a
 * database made by nm_database_load_config().  Requires the lock. */
static notmuch_database_t *
nm_database_get_config_handle (NmDatabase  *self,
                               GError     **error)
{
  if (self->config_handle != NULL && !self->closed)
    return self->config_handle;
  if (!_nm_database_check_open (self, error))
    return NULL;
  return self->native;
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
 *
 * Since: 0.1
 */
char *
nm_database_get_config (NmDatabase  *self,
                        const char  *key,
                        GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_database_t *handle;
  char *value = NULL;
  char *copy;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  handle = nm_database_get_config_handle (self, error);
  if (handle == NULL)
    return NULL;
  status = notmuch_database_get_config (handle, key, &value);
  if (!_nm_database_check_status (self, status, error, "Cannot read configuration key %s",
                                  key))
    return NULL;
  copy = value != NULL && value[0] != '\0' ? nm_config_dup_valid (value) : NULL;
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
 * Stores a configuration value in the database.  A key or value that is not UTF-8 is
 * refused with %NM_ERROR_ILLEGAL_ARGUMENT, and so is what would break notmuch programs
 * later: an `index.header.<name>` or `squery.<name>` whose name is not a field name (word
 * characters, not starting with a lower-case letter), a saved s-expression query that is
 * not a list starting with a name, and saved or named queries that use themselves or
 * nest too deeply.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_set_config (NmDatabase  *self,
                        const char  *key,
                        const char  *value,
                        GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_database_check_config_utf8 (key, value, error)
      || !_nm_compat_check_config_value (key, value, error))
    return FALSE;
  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (!_nm_compat_check_config_entry (self->native, key, value, error))
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
 *
 * Since: 0.1
 */
char *
nm_database_get_config_value (NmDatabase   *self,
                              NmConfigKey   key,
                              GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_database_t *handle;
  g_autofree char *value = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  handle = nm_database_get_config_handle (self, error);
  if (handle == NULL)
    return NULL;
  value = _nm_compat_config_get (handle, (notmuch_config_key_t) key, config_key_names[key]);
  return value != NULL && value[0] != '\0' ? nm_config_dup_valid (value) : NULL;
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
 *
 * Since: 0.1
 */
char **
nm_database_get_config_values (NmDatabase   *self,
                               NmConfigKey   key,
                               GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_database_t *handle;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  handle = nm_database_get_config_handle (self, error);
  if (handle == NULL)
    return NULL;
  return nm_database_read_config_values (handle, (notmuch_config_key_t) key);
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
 *
 * Since: 0.1
 */
gboolean
nm_database_get_config_bool (NmDatabase   *self,
                             NmConfigKey   key,
                             GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_database_t *handle;
  notmuch_bool_t value = FALSE;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  handle = nm_database_get_config_handle (self, error);
  if (handle == NULL)
    return FALSE;
  status = _nm_compat_config_get_bool (handle, (notmuch_config_key_t) key,
                                       config_key_names[key], &value);
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
 * A value that is not UTF-8 is refused with %NM_ERROR_ILLEGAL_ARGUMENT.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_set_config_value (NmDatabase   *self,
                              NmConfigKey   key,
                              const char   *value,
                              GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_database_check_config_utf8 (config_key_names[key], value, error)
      || !_nm_compat_check_config_value (config_key_names[key], value, error))
    return FALSE;
  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  status = _nm_compat_config_set (self->native, (notmuch_config_key_t) key,
                                  config_key_names[key], value);
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
 *
 * Since: 0.1
 */
GHashTable *
nm_database_get_config_list (NmDatabase  *self,
                             const char  *prefix,
                             GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
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
      char *key = nm_config_dup_valid (notmuch_config_list_key (list));

      g_hash_table_insert (pairs, key, nm_config_dup_valid (notmuch_config_list_value (list)));
    }
  g_clear_pointer (&list, notmuch_config_list_destroy);
  return g_steal_pointer (&pairs);
}

/**
 * nm_database_get_config_pairs:
 * @self: a database
 * @prefix: (nullable): a key prefix, such as `search.`; %NULL or the empty string for
 *   every key
 * @error: return location for an error
 *
 * Gets the effective configuration under keys starting with @prefix: what the
 * configuration file, the database and notmuch's defaults make of every key, as
 * `notmuch config list` prints it (without its `built_with.` lines, which
 * [func@Notmuch.built_with] answers).  Keys without a value are left out.  Lists are
 * separated by `;`.
 *
 * Returns: (transfer full) (element-type utf8 utf8): the keys and values, or %NULL on error
 *
 * Since: 0.1
 */
GHashTable *
nm_database_get_config_pairs (NmDatabase  *self,
                              const char  *prefix,
                              GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GHashTable) pairs = NULL;
  notmuch_database_t *handle;
  notmuch_config_pairs_t *native_pairs;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  handle = nm_database_get_config_handle (self, error);
  if (handle == NULL)
    return NULL;
  native_pairs = notmuch_config_get_pairs (handle, prefix != NULL ? prefix : "");
  if (native_pairs == NULL)
    {
      _nm_set_error_literal (error, NM_ERROR_OUT_OF_MEMORY, "Cannot list the configuration");
      return NULL;
    }
  pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (; notmuch_config_pairs_valid (native_pairs);
       notmuch_config_pairs_move_to_next (native_pairs))
    {
      const char *value = notmuch_config_pairs_value (native_pairs);

      if (value != NULL)
        g_hash_table_insert (pairs, nm_config_dup_valid (notmuch_config_pairs_key (native_pairs)),
                             nm_config_dup_valid (value));
    }
  notmuch_config_pairs_destroy (native_pairs);
  return g_steal_pointer (&pairs);
}

/**
 * nm_database_get_config_path: (get-property config-path)
 * @self: a database
 *
 * Gets the configuration file libnotmuch loaded for this database: the one given to the
 * constructor, or the one notmuch's lookup found (`NOTMUCH_CONFIG`,
 * `$XDG_CONFIG_HOME/notmuch/<profile>/config`, `~/.notmuch-config[.<profile>]`).  Before
 * the database is initialized, the file to read as the constructor was given it.
 *
 * Returns: (type filename) (nullable): the file, or %NULL if no configuration file was
 *   loaded
 *
 * Since: 0.1
 */
const char *
nm_database_get_config_path (NmDatabase *self)
{
  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);

  return self->config_path;
}

void
_nm_database_remember_config_file (NmDatabase         *self,
                                   notmuch_database_t *handle,
                                   gboolean            loaded)
{
  g_free (self->config_path);
  /* libnotmuch names the file it looked for even when there was none to load. */
  self->config_path = loaded ? g_strdup (notmuch_config_path (handle)) : NULL;
}

/**
 * nm_database_load_config: (constructor)
 * @config_path: (type filename) (nullable): the configuration file, %NULL for notmuch's
 *   lookup, or the empty string for none
 * @profile: (nullable): the configuration profile, or %NULL for `NOTMUCH_PROFILE` or the
 *   default
 * @error: return location for an error
 *
 * Loads the configuration the notmuch CLI would use (the configuration file, what the
 * database stores if there is a database, and notmuch's defaults) without opening the
 * database, which need not exist: what a first-run assistant needs before there is an
 * index.  When notmuch's lookup finds no configuration file, the configuration is
 * notmuch's defaults; a @config_path that cannot be read fails with %NM_ERROR_NO_CONFIG.
 *
 * The database returned holds configuration only.  The calls that read it work:
 * [method@Notmuch.Database.get_config], [method@Notmuch.Database.get_config_value],
 * [method@Notmuch.Database.get_config_values], [method@Notmuch.Database.get_config_bool],
 * [method@Notmuch.Database.get_config_pairs] and [method@Notmuch.Database.get_config_path];
 * [method@Notmuch.Database.get_path] is the database directory the configuration names.
 * Every call that needs the index (searches,
 * lookups, writes, [method@Notmuch.Database.get_config_list], which lists what the index
 * stores) fails with %NM_ERROR_CLOSED_DATABASE, as on a database that was never opened.
 * Open the database with [ctor@Notmuch.Database.open_with_config], or create it with
 * [ctor@Notmuch.Database.create_with_config].
 *
 * Returns: (transfer full): the configuration, or %NULL with @error set
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_load_config (const char  *config_path,
                         const char  *profile,
                         GError     **error)
{
  g_autoptr (NmDatabase) self = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *message = NULL;
  notmuch_database_t *handle = NULL;
  notmuch_status_t status;
  gboolean explicit_file = config_path != NULL && config_path[0] != '\0';
  gboolean config_file_exists;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (NM_TYPE_DATABASE, NULL);
  config_file = _nm_config_file_find (config_path, profile);
  if (!_nm_compat_check_config_file (config_file, &config_file_exists, error))
    return NULL;
  if (explicit_file && !config_file_exists)
    {
      _nm_set_error (error, NM_ERROR_NO_CONFIG, "Cannot load the configuration file %s: %s",
                     config_path, g_strerror (ENOENT));
      return NULL;
    }
  status = _nm_compat_load_config (config_path, profile, &handle, &message);
  /* NO_CONFIG and NO_DATABASE only say what was missing: the rest was loaded. */
  if (status == NOTMUCH_STATUS_NO_CONFIG && explicit_file)
    {
      g_clear_pointer (&handle, notmuch_database_destroy);
      _nm_set_error (error, NM_ERROR_NO_CONFIG, "Cannot load the configuration file %s",
                     config_path);
      return NULL;
    }
  if (status != NOTMUCH_STATUS_SUCCESS && status != NOTMUCH_STATUS_NO_CONFIG
      && status != NOTMUCH_STATUS_NO_DATABASE)
    {
      g_autofree char *text = g_strdup (message != NULL ? message
                                        : notmuch_status_to_string (status));

      g_clear_pointer (&handle, notmuch_database_destroy);
      _nm_set_error_literal (error, _nm_error_code_from_status (status), g_strstrip (text));
      return NULL;
    }

  /* libnotmuch opened the index, if there is one, to read the configuration it stores:
   * nothing else is read from it. */
  notmuch_database_close (handle);
  self->config_handle = handle;
  self->profile = g_strdup (profile);
  self->path = g_strdup (notmuch_database_get_path (handle));
  _nm_database_remember_config_file (self, handle,
                                     status != NOTMUCH_STATUS_NO_CONFIG
                                     && (config_path == NULL || explicit_file));
  return g_steal_pointer (&self);
}
