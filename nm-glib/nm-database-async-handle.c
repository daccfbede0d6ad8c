/* nm-database-async-handle.c: the asynchronous twins of closing, reopening, committing,
 * atomic sections and the configuration calls
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

/* Closing, reopening, committing and atomic sections */

static gboolean
nm_database_close_call (gpointer       source,
                        NmCall        *call,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return nm_database_close (source, error);
}

static gboolean
nm_database_commit_call (gpointer       source,
                         NmCall        *call,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return nm_database_commit (source, error);
}

static gboolean
nm_database_begin_atomic_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return nm_database_begin_atomic (source, error);
}

static gboolean
nm_database_end_atomic_call (gpointer       source,
                             NmCall        *call,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return nm_database_end_atomic (source, error);
}

/* Starts a write that takes no argument but the database. */
static void
nm_database_start_action (NmDatabase          *self,
                          NmCallFunc           func,
                          gpointer             source_tag,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  _nm_call_start (_nm_call_new (func), self, self, source_tag, NM_CALL_WRITES, cancellable,
                  callback, user_data);
}

/**
 * nm_database_close_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable; cancelling before the close starts leaves the
 *   database open, and a started close is never cut short
 * @callback: (scope async) (nullable): called when the database is closed
 * @user_data: data for @callback
 *
 * Commits and closes the database in its worker thread, after the calls queued before;
 * see [method@Notmuch.Database.close].
 *
 * Since: 0.1
 */
void
nm_database_close_async (NmDatabase          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  nm_database_start_action (self, nm_database_close_call, nm_database_close_async, cancellable,
                            callback, user_data);
}

/**
 * nm_database_close_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.close_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_close_finish (NmDatabase    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return _nm_call_finish (result, self, nm_database_close_async, error) != NULL;
}

/**
 * nm_database_commit_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable; cancelling before the commit starts commits
 *   nothing, and a started commit is never cut short
 * @callback: (scope async) (nullable): called when the changes are durable
 * @user_data: data for @callback
 *
 * Commits in the database's worker thread, after the calls queued before; see
 * [method@Notmuch.Database.commit].
 *
 * Since: 0.1
 */
void
nm_database_commit_async (NmDatabase          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  nm_database_start_action (self, nm_database_commit_call, nm_database_commit_async, cancellable,
                            callback, user_data);
}

/**
 * nm_database_commit_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.commit_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_commit_finish (NmDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _nm_call_finish (result, self, nm_database_commit_async, error) != NULL;
}

/**
 * nm_database_begin_atomic_async:
 * @self: a database open for writing
 * @cancellable: (nullable): a #GCancellable; cancelling before the section begins begins
 *   none, and a started call is never cut short
 * @callback: (scope async) (nullable): called when the section has begun
 * @user_data: data for @callback
 *
 * Begins an atomic section in the database's worker thread; see
 * [method@Notmuch.Database.begin_atomic], which commits what was pending first.  The
 * section belongs to the database, not to a thread: the calls made after @callback ran,
 * blocking or not, are inside it until the matching
 * [method@Notmuch.Database.end_atomic_async].
 *
 * Since: 0.1
 */
void
nm_database_begin_atomic_async (NmDatabase          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  nm_database_start_action (self, nm_database_begin_atomic_call, nm_database_begin_atomic_async,
                            cancellable, callback, user_data);
}

/**
 * nm_database_begin_atomic_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.begin_atomic_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_begin_atomic_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _nm_call_finish (result, self, nm_database_begin_atomic_async, error) != NULL;
}

/**
 * nm_database_end_atomic_async:
 * @self: a database open for writing
 * @cancellable: (nullable): a #GCancellable; cancelling before the section ends leaves it
 *   open, and a started call is never cut short
 * @callback: (scope async) (nullable): called when the section has ended (and, for the
 *   outermost one, its changes are committed)
 * @user_data: data for @callback
 *
 * Ends an atomic section in the database's worker thread, after the calls queued before;
 * see [method@Notmuch.Database.end_atomic].
 *
 * Since: 0.1
 */
void
nm_database_end_atomic_async (NmDatabase          *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  nm_database_start_action (self, nm_database_end_atomic_call, nm_database_end_atomic_async,
                            cancellable, callback, user_data);
}

/**
 * nm_database_end_atomic_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.end_atomic_async].
 *
 * Returns: %TRUE on success; %NM_ERROR_UNBALANCED_ATOMIC if no section was open
 *
 * Since: 0.1
 */
gboolean
nm_database_end_atomic_finish (NmDatabase    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _nm_call_finish (result, self, nm_database_end_atomic_async, error) != NULL;
}

static gboolean
nm_database_reopen_call (gpointer       source,
                         NmCall        *call,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return nm_database_reopen (source, call->number, error);
}

/**
 * nm_database_reopen_async:
 * @self: a database
 * @mode: the mode to reopen in
 * @cancellable: (nullable): a #GCancellable; cancelling before the reopen starts leaves the
 *   database as it is, and a started reopen is never cut short
 * @callback: (scope async) (nullable): called when the database is reopened
 * @user_data: data for @callback
 *
 * Reopens the database in its worker thread, after the calls queued before; see
 * [method@Notmuch.Database.reopen].
 *
 * Since: 0.1
 */
void
nm_database_reopen_async (NmDatabase          *self,
                          NmDatabaseMode       mode,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (mode == NM_DATABASE_MODE_READ_ONLY || mode == NM_DATABASE_MODE_READ_WRITE);

  _nm_call_start (_nm_call_new_full (nm_database_reopen_call, NULL, mode), self, self,
                  nm_database_reopen_async, NM_CALL_WRITES, cancellable, callback, user_data);
}

/**
 * nm_database_reopen_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.reopen_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_reopen_finish (NmDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _nm_call_finish (result, self, nm_database_reopen_async, error) != NULL;
}

/* ------------------------------------------------------------------------------------- */
/* Configuration */

static gboolean
nm_database_get_config_list_call (gpointer       source,
                                  NmCall        *call,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  GHashTable *pairs = nm_database_get_config_list (source, call->string, error);

  _nm_call_set_value (call, pairs, (GDestroyNotify) g_hash_table_unref);
  return pairs != NULL;
}

/**
 * nm_database_get_config_list_async:
 * @self: a database
 * @prefix: (nullable): a key prefix, or %NULL or the empty string for every key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the keys and values
 * @user_data: data for @callback
 *
 * Reads the configuration stored in the database in its worker thread; see
 * [method@Notmuch.Database.get_config_list].
 *
 * Since: 0.1
 */
void
nm_database_get_config_list_async (NmDatabase          *self,
                                   const char          *prefix,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  _nm_call_start (_nm_call_new_full (nm_database_get_config_list_call, prefix, 0), self, self,
                  nm_database_get_config_list_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_get_config_list_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.get_config_list_async].
 *
 * Returns: (transfer full) (element-type utf8 utf8): the keys and values, or %NULL on error
 *
 * Since: 0.1
 */
GHashTable *
nm_database_get_config_list_finish (NmDatabase    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_get_config_list_async, error);
}

static gboolean
nm_database_set_config_call (gpointer       source,
                             NmCall        *call,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return nm_database_set_config (source, call->string, call->other_string, error);
}

/**
 * nm_database_set_config_async:
 * @self: a database open for writing
 * @key: a configuration key
 * @value: the value; the empty string unsets it
 * @cancellable: (nullable): a #GCancellable; cancelling before the value is stored stores
 *   nothing, and a started call is never cut short
 * @callback: (scope async) (nullable): called when the value is stored
 * @user_data: data for @callback
 *
 * Stores a configuration value in the database's worker thread; see
 * [method@Notmuch.Database.set_config].
 *
 * Since: 0.1
 */
void
nm_database_set_config_async (NmDatabase          *self,
                              const char          *key,
                              const char          *value,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  call = _nm_call_new_full (nm_database_set_config_call, key, 0);
  call->other_string = g_strdup (value);
  _nm_call_start (call, self, self, nm_database_set_config_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
}

/**
 * nm_database_set_config_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.set_config_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_set_config_finish (NmDatabase    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _nm_call_finish (result, self, nm_database_set_config_async, error) != NULL;
}

static gboolean
nm_database_set_config_value_call (gpointer       source,
                                   NmCall        *call,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  return nm_database_set_config_value (source, call->number, call->string, error);
}

/**
 * nm_database_set_config_value_async:
 * @self: a database open for writing
 * @key: a configuration key
 * @value: the value; lists are separated by `;`
 * @cancellable: (nullable): a #GCancellable; cancelling before the value is stored stores
 *   nothing, and a started call is never cut short
 * @callback: (scope async) (nullable): called when the value is stored
 * @user_data: data for @callback
 *
 * Stores the value of a well-known configuration key in the database's worker thread; see
 * [method@Notmuch.Database.set_config_value].
 *
 * Since: 0.1
 */
void
nm_database_set_config_value_async (NmDatabase          *self,
                                    NmConfigKey          key,
                                    const char          *value,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (key <= NM_CONFIG_KEY_LAST);
  g_return_if_fail (value != NULL);

  _nm_call_start (_nm_call_new_full (nm_database_set_config_value_call, value, key), self, self,
                  nm_database_set_config_value_async, NM_CALL_WRITES, cancellable, callback,
                  user_data);
}

/**
 * nm_database_set_config_value_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.set_config_value_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_set_config_value_finish (NmDatabase    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _nm_call_finish (result, self, nm_database_set_config_value_async, error) != NULL;
}
