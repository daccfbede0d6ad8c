/* nm-database-async-open.c: the asynchronous twins of the constructors
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

/* Starts a constructor on GLib's thread pool, as it has no database yet; @path is kept in
 * the call's data as its one other string argument. */
static void
nm_database_start_constructor (NmCallFunc           func,
                               const char          *path,
                               NmDatabaseMode       mode,
                               const char          *config_path,
                               const char          *profile,
                               NmCallKind           kind,
                               gpointer             source_tag,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NmCall *call = _nm_call_new_full (func, config_path, mode);

  call->data = g_strdup (path);
  call->data_free = g_free;
  call->other_string = g_strdup (profile);
  _nm_call_start (call, NULL, NULL, source_tag, kind, cancellable, callback, user_data);
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
 *
 * Since: 0.1
 */
void
nm_database_open_async (const char          *path,
                        NmDatabaseMode       mode,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (mode == NM_DATABASE_MODE_READ_ONLY || mode == NM_DATABASE_MODE_READ_WRITE);

  nm_database_start_constructor (nm_database_open_with_config_call, path, mode, NULL, NULL,
                                 NM_CALL_READS, nm_database_open_async, cancellable, callback,
                                 user_data);
}

/**
 * nm_database_open_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Notmuch.Database.open_async].
 *
 * Returns: (transfer full): the open database, or %NULL with @error set
 *
 * Since: 0.1
 */
NmDatabase *
nm_database_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  return _nm_call_finish_value (result, NULL, nm_database_open_async, error);
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
  g_return_if_fail (mode == NM_DATABASE_MODE_READ_ONLY || mode == NM_DATABASE_MODE_READ_WRITE);

  nm_database_start_constructor (nm_database_open_with_config_call, path, mode, config_path,
                                 profile, NM_CALL_READS, nm_database_open_with_config_async,
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
  return _nm_call_finish_value (result, NULL, nm_database_open_with_config_async, error);
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

  nm_database_start_constructor (nm_database_create_with_config_call, path, 0, "", NULL,
                                 NM_CALL_WRITES, nm_database_create_async, cancellable,
                                 callback, user_data);
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
  return _nm_call_finish_value (result, NULL, nm_database_create_async, error);
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
  nm_database_start_constructor (nm_database_create_with_config_call, path, 0, config_path,
                                 profile, NM_CALL_WRITES, nm_database_create_with_config_async,
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
  return _nm_call_finish_value (result, NULL, nm_database_create_with_config_async, error);
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
  nm_database_start_constructor (nm_database_load_config_call, NULL, 0, config_path, profile,
                                 NM_CALL_READS, nm_database_load_config_async, cancellable,
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
  return _nm_call_finish_value (result, NULL, nm_database_load_config_async, error);
}
