/* nm-database-private.h: what the other types need from NmDatabase
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-database.h"
#include "nm-error.h"

G_BEGIN_DECLS

notmuch_database_t *_nm_database_get_native (NmDatabase *self);

/* Every libnotmuch call on a database, or on anything derived from it, runs under this
 * lock: libnotmuch, Xapian and talloc are not safe to share between threads. */
GRecMutexLocker *_nm_database_lock (NmDatabase *self);

/* Both require the lock. */
gboolean _nm_database_is_open (NmDatabase *self);
gboolean _nm_database_check_open (NmDatabase *self, GError **error);

/* Reopening the database (which compact() does too) leaves every message, thread, list and
 * directory read before pointing at the closed index, where libnotmuch can throw or exit:
 * objects remember the generation they were read in, and only current ones reach
 * libnotmuch.  Both require the lock. */
guint _nm_database_get_generation (NmDatabase *self);
gboolean _nm_database_is_current (NmDatabase *self, guint generation);
gboolean _nm_database_check_current (NmDatabase *self, guint generation, GError **error);

guint64 _nm_database_get_write_epoch (NmDatabase *self);
guint64 _nm_database_note_write (NmDatabase *self);

void _nm_database_mark_status (NmDatabase *self);
gboolean _nm_database_logged_since_mark (NmDatabase *self);

/* Turns a failing status into an NmError carrying libnotmuch's message for this call when
 * it logged one, else @format's text; returns TRUE for success.  Requires the lock. */
gboolean _nm_database_check_status (NmDatabase        *self,
                                    notmuch_status_t   status,
                                    GError           **error,
                                    const char        *format,
                                    ...) G_GNUC_PRINTF (4, 5);

/* The same for the status of running a query: when libnotmuch did not log this query's
 * Xapian exception, the query is run again on a fresh handle to get its message. */
gboolean _nm_database_check_query_status (NmDatabase        *self,
                                          notmuch_status_t   status,
                                          const char        *query_string,
                                          NmQuerySyntax      syntax,
                                          GError           **error,
                                          const char        *format,
                                          ...) G_GNUC_PRINTF (6, 7);

/* Runs @func in the database's worker thread, where the asynchronous calls run one after
 * another; @task is the GTask whose source object is the caller. */
void _nm_database_run_in_worker (NmDatabase *self, GTask *task, GTaskThreadFunc func);

/* Frees @garbage in the database's worker thread: releasing thousands of threads or
 * messages read by an asynchronous search takes long enough to stall a main loop. */
void _nm_database_free_in_worker (NmDatabase *self, gpointer garbage,
                                  GDestroyNotify free_garbage);

/* The values of a list-valued configuration key (e.g. NOTMUCH_CONFIG_EXCLUDE_TAGS), as seen
 * by the notmuch CLI: database, config file and defaults.  Requires the lock. */
char **_nm_database_get_config_values (NmDatabase *self, notmuch_config_key_t key);

G_END_DECLS
