/* nm-database-async.c: the asynchronous twins of the database's calls
 *
 * Every call of NmDatabase that can touch the disk has an _async/_finish twin, and they are
 * all here, side by side, whichever concern file holds the blocking call (lifecycle,
 * configuration, index, search, maintenance): each runs its blocking call on the database's
 * worker thread (the constructors on GLib's thread pool), with the same errors, and calls
 * back on the caller's thread-default main context.  A twin that only reads, cancelled
 * before it calls back, reports G_IO_ERROR_CANCELLED; a twin that may change the disk,
 * cancelled before it starts, changes nothing, and once started runs to its end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"
#include "nm-async-private.h"
#include "nm-message-private.h"
#include "nm-messages-private.h"
#include "nm-threads-private.h"

/* ------------------------------------------------------------------------------------- */
/* Constructors */

static gboolean
nm_database_open_with_config_call (gpointer       source,
                                   NmCall        *call,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  NmDatabase *database = nm_database_open_with_config (call->data, call->number,
                                                       call->string, call->other_string,
                                                       error);

  _nm_call_set_value (call, database, g_object_unref);
  return database != NULL;
}

/**
 * nm_database_open_with_config_async:
 * @path: (type filename) (nullable): the database directory, or %NULL for notmuch's lookup
 * @mode: how to open the database
 * @config_path: (type filename) (nullable): the configuration file, %NULL for notmuch's
 *   lookup, or the empty string for none
 * @profile: (nullable): the configuration profile, or %NULL for the default
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the database is open
 * @user_data: data for @callback
 *
 * Opens a database in a worker thread; see [ctor@Notmuch.Database.open_with_config].
 * @callback runs on the thread-default main context of the caller.
 *
 * Since: 0.1
 */
void
nm_database_open_with_config_async (const char          *path,
                                    NmDatabaseMode       mode,
                                    const char          *config_path,
                                    const char          *profile,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (mode == NM_DATABASE_MODE_READ_ONLY || mode == NM_DATABASE_MODE_READ_WRITE);

  call = _nm_call_new (nm_database_open_with_config_call);
  call->data = g_strdup (path);
  call->data_free = g_free;
  call->number = mode;
  call->string = g_strdup (config_path);
  call->other_string = g_strdup (profile);
  _nm_call_start (call, NULL, NULL, nm_database_open_with_config_async, NM_CALL_READS,
                  cancellable, callback, user_data);
}

/**
 * nm_database_open_with_config_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Notmuch.Database.open_with_config_async].
 *
 * Returns: (transfer full): the open database, or %NULL with @error set
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_open_with_config_finish (GAsyncResult  *result,
                                     GError       **error)
{
  NmCall *call = _nm_call_finish (result, NULL, nm_database_open_with_config_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

static gboolean
nm_database_create_with_config_call (gpointer       source,
                                     NmCall        *call,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  NmDatabase *database = nm_database_create_with_config (call->data, call->string,
                                                         call->other_string, error);

  _nm_call_set_value (call, database, g_object_unref);
  return database != NULL;
}

static void
nm_database_start_create (const char          *path,
                          const char          *config_path,
                          const char          *profile,
                          gpointer             source_tag,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  NmCall *call = _nm_call_new (nm_database_create_with_config_call);

  call->data = g_strdup (path);
  call->data_free = g_free;
  call->string = g_strdup (config_path);
  call->other_string = g_strdup (profile);
  _nm_call_start (call, NULL, NULL, source_tag, NM_CALL_WRITES, cancellable, callback,
                  user_data);
}

/**
 * nm_database_create_async:
 * @path: (type filename): the root of the mail store
 * @cancellable: (nullable): a #GCancellable; cancelling before the database is created
 *   creates nothing, and a started creation is never cut short
 * @callback: (scope async) (nullable): called when the database is created
 * @user_data: data for @callback
 *
 * Creates a database in a worker thread; see [ctor@Notmuch.Database.create].
 *
 * Since: 0.1
 */
void
nm_database_create_async (const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (path != NULL);

  nm_database_start_create (path, "", NULL, nm_database_create_async, cancellable, callback,
                            user_data);
}

/**
 * nm_database_create_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Notmuch.Database.create_async].
 *
 * Returns: (transfer full): the new database, open for writing, or %NULL with @error set
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_create_finish (GAsyncResult  *result,
                           GError       **error)
{
  NmCall *call = _nm_call_finish (result, NULL, nm_database_create_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

/**
 * nm_database_create_with_config_async:
 * @path: (type filename) (nullable): the root of the mail store, or %NULL for the one the
 *   configuration names
 * @config_path: (type filename) (nullable): the configuration file, %NULL for notmuch's
 *   lookup, or the empty string for none
 * @profile: (nullable): the configuration profile, or %NULL for the default
 * @cancellable: (nullable): a #GCancellable; cancelling before the database is created
 *   creates nothing, and a started creation is never cut short
 * @callback: (scope async) (nullable): called when the database is created
 * @user_data: data for @callback
 *
 * Creates a database in a worker thread; see [ctor@Notmuch.Database.create_with_config].
 *
 * Since: 0.1
 */
void
nm_database_create_with_config_async (const char          *path,
                                      const char          *config_path,
                                      const char          *profile,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  nm_database_start_create (path, config_path, profile, nm_database_create_with_config_async,
                            cancellable, callback, user_data);
}

/**
 * nm_database_create_with_config_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Notmuch.Database.create_with_config_async].
 *
 * Returns: (transfer full): the new database, open for writing, or %NULL with @error set
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_create_with_config_finish (GAsyncResult  *result,
                                       GError       **error)
{
  NmCall *call = _nm_call_finish (result, NULL, nm_database_create_with_config_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

static gboolean
nm_database_load_config_call (gpointer       source,
                              NmCall        *call,
                              GCancellable  *cancellable,
                              GError       **error)
{
  NmDatabase *database = nm_database_load_config (call->string, call->other_string, error);

  _nm_call_set_value (call, database, g_object_unref);
  return database != NULL;
}

/**
 * nm_database_load_config_async:
 * @config_path: (type filename) (nullable): the configuration file, %NULL for notmuch's
 *   lookup, or the empty string for none
 * @profile: (nullable): the configuration profile, or %NULL for the default
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the configuration is loaded
 * @user_data: data for @callback
 *
 * Loads a configuration in a worker thread; see [ctor@Notmuch.Database.load_config].
 *
 * Since: 0.1
 */
void
nm_database_load_config_async (const char          *config_path,
                               const char          *profile,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NmCall *call = _nm_call_new (nm_database_load_config_call);

  call->string = g_strdup (config_path);
  call->other_string = g_strdup (profile);
  _nm_call_start (call, NULL, NULL, nm_database_load_config_async, NM_CALL_READS, cancellable,
                  callback, user_data);
}

/**
 * nm_database_load_config_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Notmuch.Database.load_config_async].
 *
 * Returns: (transfer full): the configuration, or %NULL with @error set
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_load_config_finish (GAsyncResult  *result,
                                GError       **error)
{
  NmCall *call = _nm_call_finish (result, NULL, nm_database_load_config_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

/* ------------------------------------------------------------------------------------- */
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

/* Finishes a call whose only result is whether it succeeded. */
static gboolean
nm_database_finish_action (NmDatabase    *self,
                           GAsyncResult  *result,
                           gpointer       source_tag,
                           GError       **error)
{
  return _nm_call_finish (result, self, source_tag, error) != NULL;
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
  return nm_database_finish_action (self, result, nm_database_close_async, error);
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
  return nm_database_finish_action (self, result, nm_database_commit_async, error);
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
  return nm_database_finish_action (self, result, nm_database_begin_atomic_async, error);
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
  return nm_database_finish_action (self, result, nm_database_end_atomic_async, error);
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
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (mode == NM_DATABASE_MODE_READ_ONLY || mode == NM_DATABASE_MODE_READ_WRITE);

  call = _nm_call_new (nm_database_reopen_call);
  call->number = mode;
  _nm_call_start (call, self, self, nm_database_reopen_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
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
  return nm_database_finish_action (self, result, nm_database_reopen_async, error);
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
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));

  call = _nm_call_new (nm_database_get_config_list_call);
  call->string = g_strdup (prefix);
  _nm_call_start (call, self, self, nm_database_get_config_list_async, NM_CALL_READS,
                  cancellable, callback, user_data);
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
  NmCall *call = _nm_call_finish (result, self, nm_database_get_config_list_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
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

  call = _nm_call_new (nm_database_set_config_call);
  call->string = g_strdup (key);
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
  return nm_database_finish_action (self, result, nm_database_set_config_async, error);
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
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (key <= NM_CONFIG_KEY_EXTRA_HEADERS);
  g_return_if_fail (value != NULL);

  call = _nm_call_new (nm_database_set_config_value_call);
  call->number = key;
  call->string = g_strdup (value);
  _nm_call_start (call, self, self, nm_database_set_config_value_async, NM_CALL_WRITES,
                  cancellable, callback, user_data);
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
  return nm_database_finish_action (self, result, nm_database_set_config_value_async, error);
}

/* ------------------------------------------------------------------------------------- */
/* Finding and removing messages; directories */

static gboolean
nm_database_find_message_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GError *local_error = NULL;
  NmMessage *message = call->number
                         ? nm_database_find_message_by_filename (source, call->string,
                                                                 &local_error)
                         : nm_database_find_message (source, call->string, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  /* Made here, the message notifies where it was asked for. */
  if (message != NULL)
    _nm_message_set_origin (message, call->origin);
  _nm_call_set_value (call, message, g_object_unref);
  return TRUE;
}

static void
nm_database_start_find (NmDatabase          *self,
                        const char          *key,
                        gboolean             by_filename,
                        gpointer             source_tag,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  NmCall *call = _nm_call_new (nm_database_find_message_call);

  call->string = g_strdup (key);
  call->number = by_filename;
  _nm_call_start (call, self, self, source_tag, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_find_message_async:
 * @self: a database
 * @message_id: a message id, without angle brackets
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the message
 * @user_data: data for @callback
 *
 * Looks a message up by its id in the database's worker thread; see
 * [method@Notmuch.Database.find_message].  The message emits its notifications on the
 * thread-default main context of the caller.
 *
 * Since: 0.1
 */
void
nm_database_find_message_async (NmDatabase          *self,
                                const char          *message_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (message_id != NULL);

  nm_database_start_find (self, message_id, FALSE, nm_database_find_message_async,
                          cancellable, callback, user_data);
}

/**
 * nm_database_find_message_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.find_message_async].
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if there is none (with @error
 *   unset) or on error
 *
 * Since: 0.1
 */
NmMessage *
nm_database_find_message_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_find_message_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

/**
 * nm_database_find_message_by_filename_async:
 * @self: a database
 * @filename: (type filename): a mail file, absolute or relative to the mail root
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the message
 * @user_data: data for @callback
 *
 * Looks up the message stored in a file in the database's worker thread; see
 * [method@Notmuch.Database.find_message_by_filename].
 *
 * Since: 0.1
 */
void
nm_database_find_message_by_filename_async (NmDatabase          *self,
                                            const char          *filename,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (filename != NULL);

  nm_database_start_find (self, filename, TRUE, nm_database_find_message_by_filename_async,
                          cancellable, callback, user_data);
}

/**
 * nm_database_find_message_by_filename_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.find_message_by_filename_async].
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if the file is not indexed
 *   (with @error unset) or on error
 *
 * Since: 0.1
 */
NmMessage *
nm_database_find_message_by_filename_finish (NmDatabase    *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_find_message_by_filename_async,
                                  error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

static gboolean
nm_database_remove_message_call (gpointer       source,
                                 NmCall        *call,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  GError *local_error = NULL;

  call->count = nm_database_remove_message (source, call->string, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * nm_database_remove_message_async:
 * @self: a database open for writing
 * @filename: (type filename): a mail file, absolute or relative to the mail root
 * @cancellable: (nullable): a #GCancellable; cancelling before the removal starts removes
 *   nothing, and a started removal is never cut short
 * @callback: (scope async) (nullable): called when the file is removed from the index
 * @user_data: data for @callback
 *
 * Removes a file from the index in the database's worker thread; see
 * [method@Notmuch.Database.remove_message].
 *
 * Since: 0.1
 */
void
nm_database_remove_message_async (NmDatabase          *self,
                                  const char          *filename,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (filename != NULL);

  call = _nm_call_new (nm_database_remove_message_call);
  call->string = g_strdup (filename);
  _nm_call_start (call, self, self, nm_database_remove_message_async, NM_CALL_WRITES,
                  cancellable, callback, user_data);
}

/**
 * nm_database_remove_message_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.remove_message_async].
 *
 * Returns: %TRUE if the message still has other files; %FALSE if it was removed, or on
 *   error (with @error set)
 *
 * Since: 0.1
 */
gboolean
nm_database_remove_message_finish (NmDatabase    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_remove_message_async, error);

  return call != NULL && call->count != 0;
}

static gboolean
nm_database_get_directory_call (gpointer       source,
                                NmCall        *call,
                                GCancellable  *cancellable,
                                GError       **error)
{
  GError *local_error = NULL;
  NmDirectory *directory = nm_database_get_directory (source, call->string, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  _nm_call_set_value (call, directory, g_object_unref);
  return TRUE;
}

/**
 * nm_database_get_directory_async:
 * @self: a database
 * @path: (type filename): a directory of the mail store, absolute or relative to the mail
 *   root
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the directory
 * @user_data: data for @callback
 *
 * Looks up what the index records about a directory in the database's worker thread; see
 * [method@Notmuch.Database.get_directory].
 *
 * Since: 0.1
 */
void
nm_database_get_directory_async (NmDatabase          *self,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (path != NULL);

  call = _nm_call_new (nm_database_get_directory_call);
  call->string = g_strdup (path);
  _nm_call_start (call, self, self, nm_database_get_directory_async, NM_CALL_READS,
                  cancellable, callback, user_data);
}

/**
 * nm_database_get_directory_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.get_directory_async].
 *
 * Returns: (transfer full) (nullable): the directory, or %NULL if the index has no record
 *   of it (with @error unset) or on error
 *
 * Since: 0.1
 */
NmDirectory *
nm_database_get_directory_finish (NmDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_get_directory_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

/* ------------------------------------------------------------------------------------- */
/* Tags, searches and counts */

static gboolean
nm_database_get_all_tags_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  char **tags = nm_database_get_all_tags (source, error);

  _nm_call_set_value (call, tags, (GDestroyNotify) g_strfreev);
  return tags != NULL;
}

/**
 * nm_database_get_all_tags_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the tags
 * @user_data: data for @callback
 *
 * Lists every tag of the database in its worker thread; see
 * [method@Notmuch.Database.get_all_tags].
 *
 * Since: 0.1
 */
void
nm_database_get_all_tags_async (NmDatabase          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));

  _nm_call_start (_nm_call_new (nm_database_get_all_tags_call), self, self,
                  nm_database_get_all_tags_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_database_get_all_tags_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.get_all_tags_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order, or
 *   %NULL on error
 *
 * Since: 0.1
 */
char **
nm_database_get_all_tags_finish (NmDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_get_all_tags_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

static gboolean
nm_database_search_messages_call (gpointer       source,
                                  NmCall        *call,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr (NmMessages) messages = nm_database_search_messages (source, call->string, error);

  if (messages == NULL)
    return FALSE;
  _nm_messages_set_origin (messages, call->origin);
  /* Read here, the list serves its items without touching the index. */
  if (!_nm_messages_read_all (messages, cancellable, error))
    return FALSE;
  _nm_call_set_value (call, g_steal_pointer (&messages), g_object_unref);
  return TRUE;
}

/**
 * nm_database_search_messages_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable; cancelling stops the search at the next
 *   message with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (nullable): called when every message is read
 * @user_data: data for @callback
 *
 * Searches messages as [method@Notmuch.Database.search_messages] does, in the database's
 * worker thread, and reads every matching message there, as
 * [method@Notmuch.Query.search_messages_async] does.
 *
 * Since: 0.1
 */
void
nm_database_search_messages_async (NmDatabase          *self,
                                   const char          *query,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  call = _nm_call_new (nm_database_search_messages_call);
  call->string = g_strdup (query);
  _nm_call_start (call, self, self, nm_database_search_messages_async, NM_CALL_READS,
                  cancellable, callback, user_data);
}

/**
 * nm_database_search_messages_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.search_messages_async].
 *
 * Returns: (transfer full): the matching messages, or %NULL with @error set
 *
 * Since: 0.1
 */
NmMessages *
nm_database_search_messages_finish (NmDatabase    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_search_messages_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

static gboolean
nm_database_search_threads_call (gpointer       source,
                                 NmCall        *call,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr (NmThreads) threads = nm_database_search_threads (source, call->string, error);

  if (threads == NULL)
    return FALSE;
  _nm_threads_set_origin (threads, call->origin);
  if (!_nm_threads_read_all (threads, cancellable, error))
    return FALSE;
  _nm_call_set_value (call, g_steal_pointer (&threads), g_object_unref);
  return TRUE;
}

/**
 * nm_database_search_threads_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable; cancelling stops the search at the next
 *   thread with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (nullable): called when every thread is read
 * @user_data: data for @callback
 *
 * Searches threads as [method@Notmuch.Database.search_threads] does, in the database's
 * worker thread, and builds every matching thread there, as
 * [method@Notmuch.Query.search_threads_async] does.
 *
 * Since: 0.1
 */
void
nm_database_search_threads_async (NmDatabase          *self,
                                  const char          *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  call = _nm_call_new (nm_database_search_threads_call);
  call->string = g_strdup (query);
  _nm_call_start (call, self, self, nm_database_search_threads_async, NM_CALL_READS,
                  cancellable, callback, user_data);
}

/**
 * nm_database_search_threads_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.search_threads_async].
 *
 * Returns: (transfer full): the matching threads, or %NULL with @error set
 *
 * Since: 0.1
 */
NmThreads *
nm_database_search_threads_finish (NmDatabase    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, nm_database_search_threads_async, error);

  return call != NULL ? _nm_call_steal_value (call) : NULL;
}

static gboolean
nm_database_count_call (gpointer       source,
                        NmCall        *call,
                        GCancellable  *cancellable,
                        GError       **error)
{
  GError *local_error = NULL;

  call->count = call->number ? nm_database_count_threads (source, call->string, &local_error)
                             : nm_database_count_messages (source, call->string, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

static void
nm_database_start_count (NmDatabase          *self,
                         const char          *query,
                         gboolean             threads,
                         gpointer             source_tag,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  NmCall *call = _nm_call_new (nm_database_count_call);

  call->string = g_strdup (query);
  call->number = threads;
  _nm_call_start (call, self, self, source_tag, NM_CALL_READS, cancellable, callback,
                  user_data);
}

static guint
nm_database_finish_count (NmDatabase    *self,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  NmCall *call = _nm_call_finish (result, self, source_tag, error);

  return call != NULL ? (guint) call->count : 0;
}

/**
 * nm_database_count_messages_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the count
 * @user_data: data for @callback
 *
 * Counts messages as [method@Notmuch.Database.count_messages] does, in the database's
 * worker thread.
 *
 * Since: 0.1
 */
void
nm_database_count_messages_async (NmDatabase          *self,
                                  const char          *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  nm_database_start_count (self, query, FALSE, nm_database_count_messages_async, cancellable,
                           callback, user_data);
}

/**
 * nm_database_count_messages_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.count_messages_async].
 *
 * Returns: the number of messages; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_count_messages_finish (NmDatabase    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return nm_database_finish_count (self, result, nm_database_count_messages_async, error);
}

/**
 * nm_database_count_threads_async:
 * @self: a database
 * @query: a query string in notmuch's syntax
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the count
 * @user_data: data for @callback
 *
 * Counts threads as [method@Notmuch.Database.count_threads] does, in the database's worker
 * thread.
 *
 * Since: 0.1
 */
void
nm_database_count_threads_async (NmDatabase          *self,
                                 const char          *query,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (query != NULL);

  nm_database_start_count (self, query, TRUE, nm_database_count_threads_async, cancellable,
                           callback, user_data);
}

/**
 * nm_database_count_threads_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.count_threads_async].
 *
 * Returns: the number of threads; 0 on error
 *
 * Since: 0.1
 */
guint
nm_database_count_threads_finish (NmDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return nm_database_finish_count (self, result, nm_database_count_threads_async, error);
}

/* ------------------------------------------------------------------------------------- */
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
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));

  call = _nm_call_new (nm_database_upgrade_call);
  call->data = nm_progress_relay_new (progress);
  call->data_free = (GDestroyNotify) nm_progress_relay_unref;
  _nm_call_start (call, self, self, nm_database_upgrade_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
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
  return nm_database_finish_action (self, result, nm_database_upgrade_async, error);
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
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));

  call = _nm_call_new (nm_database_compact_call);
  call->string = g_strdup (backup_path);
  call->data = nm_progress_relay_new (progress);
  call->data_free = (GDestroyNotify) nm_progress_relay_unref;
  _nm_call_start (call, self, self, nm_database_compact_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
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
  return nm_database_finish_action (self, result, nm_database_compact_async, error);
}
