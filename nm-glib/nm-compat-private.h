/* nm-compat-private.h: every workaround of libnotmuch's behaviour, in one place
 *
 * Each entry says which libnotmuch versions need it and why.  The rest of the library calls
 * these instead of the libnotmuch functions they stand for, and never tests a version
 * itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <notmuch.h>

G_BEGIN_DECLS

/* Sets up what the entries below need; called once, before any database is opened. */
void _nm_compat_init (void);

/* Commits.  Every version: the end of an outermost atomic section commits only every
 * `database.autocommit` sections, unless the environment holds XAPIAN_FLUSH_THRESHOLD=1 at
 * that moment; libnotmuch has no call that commits.  Xapian reads the same variable when it
 * opens a writable database, where 1 would mean a commit after every change.  So the
 * variable is 1 only inside _nm_compat_end_outermost_atomic(), and databases are opened and
 * reopened only through these, never while it is 1. */
notmuch_status_t _nm_compat_open (const char              *path,
                                  notmuch_database_mode_t  mode,
                                  const char              *config_path,
                                  const char              *profile,
                                  notmuch_database_t     **database,
                                  char                   **message);
notmuch_status_t _nm_compat_create (const char          *path,
                                    const char          *config_path,
                                    const char          *profile,
                                    notmuch_database_t **database,
                                    char               **message);
/* Opens the index read-only when there is one, to read the configuration it stores. */
notmuch_status_t _nm_compat_load_config (const char          *config_path,
                                         const char          *profile,
                                         notmuch_database_t **database,
                                         char               **message);
notmuch_status_t _nm_compat_reopen (notmuch_database_t      *database,
                                    notmuch_database_mode_t  mode);
notmuch_status_t _nm_compat_end_outermost_atomic (notmuch_database_t *database);

/* Configuration values that end the process.  Every version: libnotmuch calls exit() when it
 * opens a database whose `database.autocommit` (in the configuration file or stored in the
 * database) is not a number.  Such values are refused before libnotmuch sees them, with
 * NM_ERROR_ILLEGAL_ARGUMENT. */
gboolean _nm_compat_check_config_value (const char  *key,
                                        const char  *value,
                                        GError     **error);
/* The same for the configuration file @file (NULL: none); sets @exists to whether there is
 * a file at all, readable or not. */
gboolean _nm_compat_check_config_file (const char  *file,
                                       gboolean    *exists,
                                       GError     **error);

/* The status string.  Every version: notmuch_database_status_string() is never cleared, some
 * messages are appended to the previous one, and only the first Xapian exception of a
 * handle is logged at all.  _nm_compat_mark_status_string() makes libnotmuch log a text of
 * this library's own (through a query that fails to parse), so that the next call's message
 * can be told from an old one; it returns the logged text, or NULL if nothing had been
 * logged since @previous_mark. */
char *_nm_compat_mark_status_string (notmuch_database_t *database,
                                     const char         *previous_mark);
/* Runs a failed query once more on a fresh read-only handle of the database at @path, opened
 * without a configuration file, and returns the message libnotmuch logs for it (or NULL). */
char *_nm_compat_explain_query_failure (const char            *path,
                                        const char            *query_string,
                                        notmuch_query_syntax_t syntax);

/* Silent reopens.  Every version: a read-only handle that reads a revision another process's
 * commit has discarded is reopened by libnotmuch itself, in the middle of any read, and
 * document ids taken before may then be gone (libnotmuch exits on those).  Each reopen
 * allocates a new uuid string that lives as long as the handle, so a changed pointer means a
 * reopen.  Returns TRUE if @database was reopened since *@view_uuid was taken, and updates
 * it. */
gboolean _nm_compat_view_changed (notmuch_database_t  *database,
                                  const char         **view_uuid);

/* Results invalidated by another process's commit.  Up to 0.39, libnotmuch lets
 * Xapian::DatabaseModifiedError escape from these, through C, which aborts the process;
 * 0.40 returns NULL (or NOTMUCH_STATUS_OPERATION_INVALIDATED) instead.  These catch the
 * exception (in C++, nm-compat-guard.cc): NULL then means the results can no longer be
 * read, and the count returns NM_COMPAT_STATUS_INVALIDATED. */
#define NM_COMPAT_STATUS_INVALIDATED ((notmuch_status_t) 26)
notmuch_message_t *_nm_compat_messages_get (notmuch_messages_t *messages);
notmuch_thread_t *_nm_compat_threads_get (notmuch_threads_t *threads);
notmuch_status_t _nm_compat_query_count_threads (notmuch_query_t *query,
                                                 unsigned int    *count);

G_END_DECLS
