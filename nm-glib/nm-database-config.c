/* nm-database-config.c: the configuration of a database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>

#include "nm-database-private.h"
#include "nm-compat-private.h"

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

char **
_nm_database_get_config_values (NmDatabase *self, notmuch_config_key_t key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  notmuch_config_values_t *values =
    _nm_compat_config_get_values (self->native, key, config_key_names[key]);

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

  if (!_nm_compat_check_config_value (key, value, error))
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
 *
 * Since: 0.1
 */
char *
nm_database_get_config_value (NmDatabase   *self,
                              NmConfigKey   key,
                              GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  char *value;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return NULL;
  value = _nm_compat_config_get (self->native, (notmuch_config_key_t) key,
                                 config_key_names[key]);
  if (value == NULL || value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
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
 *
 * Since: 0.1
 */
gboolean
nm_database_get_config_bool (NmDatabase   *self,
                             NmConfigKey   key,
                             GError      **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_bool_t value = FALSE;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key < G_N_ELEMENTS (config_key_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  status = _nm_compat_config_get_bool (self->native, (notmuch_config_key_t) key,
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

  if (!_nm_compat_check_config_value (config_key_names[key], value, error))
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
      char *key = g_strdup (notmuch_config_list_key (list));

      g_hash_table_insert (pairs, key, g_strdup (notmuch_config_list_value (list)));
    }
  g_clear_pointer (&list, notmuch_config_list_destroy);
  return g_steal_pointer (&pairs);
}
