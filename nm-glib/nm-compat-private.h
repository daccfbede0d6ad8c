/* nm-compat-private.h: every workaround of libnotmuch's behaviour, in one place
 *
 * Each entry says which libnotmuch versions need it and why.  The rest of the library calls
 * these instead of the libnotmuch functions they stand for, and never tests a version
 * itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/stat.h>

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

/* Configuration keys.  libnotmuch 0.38 added NOTMUCH_CONFIG_INDEX_AS_TEXT, 0.39
 * NOTMUCH_CONFIG_AUTHORS_SEPARATOR and NOTMUCH_CONFIG_AUTHORS_MATCHED_SEPARATOR; 0.37, 0.38
 * and 0.39 all say 5.6.0 in notmuch.h, and an older libnotmuch given a key it does not know
 * reads past the end of its table of key names.  So on every version the keys after
 * NOTMUCH_CONFIG_EXTRA_HEADERS are read and written by @name, through the string API every
 * version has (the values are the same: libnotmuch keeps one map of names to values), and
 * the two separators read as the defaults of 0.39 (", " and "| ", the separators earlier
 * versions always use) when unset.  The other keys go to libnotmuch's own calls.
 * _nm_compat_config_get() returns a new string, or NULL. */
char *_nm_compat_config_get (notmuch_database_t   *database,
                             notmuch_config_key_t  key,
                             const char           *name);
notmuch_config_values_t *_nm_compat_config_get_values (notmuch_database_t   *database,
                                                       notmuch_config_key_t  key,
                                                       const char           *name);
notmuch_status_t _nm_compat_config_get_bool (notmuch_database_t   *database,
                                             notmuch_config_key_t  key,
                                             const char           *name,
                                             notmuch_bool_t       *value);
notmuch_status_t _nm_compat_config_set (notmuch_database_t   *database,
                                        notmuch_config_key_t  key,
                                        const char           *name,
                                        const char           *value);

/* Upgrades.  Every version: with a progress callback, notmuch_database_upgrade() makes
 * SIGALRM fire every second to time its calls, through a handler of its own, and leaves
 * SIGALRM ignored and the process's real-time interval timer stopped when it returns.
 * This restores the application's handler and timer afterwards.  Every version also leaks
 * a talloc context when there is nothing to upgrade: the call is skipped then (callers
 * refuse a read-only database first, which never needs an upgrade). */
notmuch_status_t _nm_compat_upgrade (notmuch_database_t *database,
                                     void (*progress) (void *closure, double fraction),
                                     void               *closure);

/* Configuration values that end the process.  Every version: libnotmuch calls exit() when it
 * opens a database whose `database.autocommit` (in the configuration file or stored in the
 * database) is not a number.  Such values are refused before libnotmuch sees them, with
 * NM_ERROR_ILLEGAL_ARGUMENT. */
gboolean _nm_compat_check_config_value (const char  *key,
                                        const char  *value,
                                        GError     **error);
/* Checks a configuration entry before it is stored in @database, so that no notmuch
 * program fails on it later: `index.header.<name>` and `squery.<name>` need a field name
 * as the CLI requires one; a saved s-expression query must be a list that starts with a
 * name; saved and named queries (`squery.`, `query.`) must pass the pre-check of every
 * query (see _nm_compat_check_query()) with the new value in place, which refuses one
 * that uses itself.  Fails with NM_ERROR_ILLEGAL_ARGUMENT.  Requires the database lock. */
gboolean _nm_compat_check_config_entry (notmuch_database_t  *database,
                                        const char          *key,
                                        const char          *value,
                                        GError             **error);
/* The same for the configuration file @file (NULL: none); sets @exists to whether there is
 * a file at all, readable or not. */
gboolean _nm_compat_check_config_file (const char  *file,
                                       gboolean    *exists,
                                       GError     **error);

/* Index terms.  Every version: libnotmuch calls exit() instead of failing when a term it
 * makes from a caller's string is longer than its limit of 245 bytes: a message property
 * ("Unhandled error modifying message property"), and the folder: and path: terms of a file
 * being indexed ("adding folder term", "adding path term").  For the term of the file's own
 * name 0.37 exits too ("adding file-direntry term"), where later versions fail with
 * NOTMUCH_STATUS_PATH_ERROR.  These refuse such strings before libnotmuch sees them. */
/* NM_ERROR_ILLEGAL_ARGUMENT unless "@key=@value" fits in a property term. */
gboolean _nm_compat_check_property_term (const char  *key,
                                         const char  *value,
                                         GError     **error);
/* NM_ERROR_PATH_ERROR unless the terms of @filename (absolute, without "." or ".."
 * components) fit, with room for @growth more bytes in its name (a rename by
 * tags_to_maildir_flags()).  Requires the database lock. */
gboolean _nm_compat_check_file_terms (notmuch_database_t  *database,
                                      const char          *filename,
                                      gsize                growth,
                                      GError             **error);
/* The same for every file of @message, with room for the flags tags_to_maildir_flags()
 * may add to its name. */
gboolean _nm_compat_check_maildir_renames (notmuch_database_t  *database,
                                           notmuch_message_t   *message,
                                           GError             **error);

/* Queries that crash libnotmuch.  Every version: an (of ...) or (matching ...) form outside
 * a field dereferences a NULL pointer, and so does a saved query (`squery.<name>`) that is
 * an atom or an empty list; nesting a few thousand levels deep overflows the stack, in
 * s-expressions and in the classic syntax alike, and so do saved and named queries
 * (`query.<name>`) that refer to themselves.  s-expressions also reach libnotmuch through
 * `sexp:` fields of the classic syntax, and classic queries through (infix ...) and named
 * queries.  The notmuch CLI crashes on the same queries.  This refuses them with
 * NM_ERROR_BAD_QUERY_SYNTAX before libnotmuch parses them (see nm-query-check.c), with
 * the saved queries, named queries and custom headers of @database's configuration.
 * Requires the database lock. */
gboolean _nm_compat_check_query (notmuch_database_t      *database,
                                 const char              *query_string,
                                 notmuch_query_syntax_t   syntax,
                                 GPtrArray               *parse_first,
                                 GError                 **error);
/* Fields marked with `+` or `-` that crash Xapian.  Every version, with Xapian 1.4: when a
 * field processor of libnotmuch fails on a field marked with `+` or `-` at the start of a
 * query or of a group (`-date:garbage`, `(+thread:{`, `+subject:/(/`), Xapian's query
 * parser corrupts its memory and the process crashes (the CLI too), where the same field
 * without the mark fails cleanly.  _nm_compat_check_query() adds such a query's texts in
 * the classic syntax, with those marks blanked, to @parse_first; each must parse with
 * _nm_compat_parse_first() before the query runs, and a failure is the query's. */
notmuch_status_t _nm_compat_parse_first (notmuch_database_t *database,
                                         const char         *text);

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

/* Thread walks of a read-only handle while another process commits.  Every version:
 * libnotmuch builds a thread by reading its messages one after another, and once another
 * process has committed twice since the revision the handle reads, those reads fail in ways
 * no caller of libnotmuch can intercept.  0.40 returns NULL from notmuch_messages_get()
 * (the iterator's status says "operation invalidated") and its own _notmuch_thread_create()
 * dereferences that NULL: SIGSEGV.  0.37 to 0.39 reopen the handle on their own and exit(1)
 * if the thread's next message was deleted ("a messages iterator contains a non-existent
 * document ID").  A commit, by any process, replaces Xapian's version file by a rename,
 * which changes the times of the index directory: a walk takes a stamp of it before its
 * search, and _nm_compat_commit_stamp_moved() says before each thread is built whether
 * anyone committed since; the walk then ends, as invalidated, before libnotmuch reads a
 * revision that may be discarded under it.  What remains is a commit while one thread is
 * being built (well under a millisecond per thread) by a process that had already committed
 * once since the handle's revision.  Writable handles need none of this: no other process
 * can commit to their database. */
typedef struct
{
  char *index_dir;      /* NULL: nothing to watch */
  struct stat stat;
} NmCompatCommitStamp;
void _nm_compat_commit_stamp_take (notmuch_database_t  *database,
                                   gboolean             read_only,
                                   NmCompatCommitStamp *stamp);
gboolean _nm_compat_commit_stamp_moved (const NmCompatCommitStamp *stamp);
void _nm_compat_commit_stamp_clear (NmCompatCommitStamp *stamp);

/* Results invalidated by another process's commit.  Up to 0.39, libnotmuch lets
 * Xapian::DatabaseModifiedError escape from these, through C, which aborts the process;
 * 0.40 returns NULL (or NOTMUCH_STATUS_OPERATION_INVALIDATED) instead.  These catch the
 * exception (in C++, nm-compat-guard.cc): NULL then means the results can no longer be
 * read, and the count returns NM_COMPAT_STATUS_INVALIDATED. */
#define NM_COMPAT_STATUS_INVALIDATED ((notmuch_status_t) 26)
notmuch_message_t *_nm_compat_messages_get (notmuch_messages_t *messages);

/* Every version: reading the properties of a message whose document was removed through
 * the same handle throws Xapian::DocNotFoundError through C (libnotmuch re-reads the
 * document after a property change).  NULL, or NM_COMPAT_STATUS_INVALIDATED, when the
 * document can no longer be read. */
notmuch_message_properties_t *_nm_compat_message_get_properties (notmuch_message_t *message,
                                                                 const char        *key,
                                                                 notmuch_bool_t     exact);
notmuch_status_t _nm_compat_message_count_properties (notmuch_message_t *message,
                                                      const char        *key,
                                                      unsigned int      *count);
notmuch_thread_t *_nm_compat_threads_get (notmuch_threads_t *threads);

/* s-expression parsing.  Every version: libnotmuch parses s-expressions with the sfsexp
 * library, which keeps its parser's state in process-wide caches without a lock: two
 * threads parsing at once, on two databases (which this library lets run in parallel),
 * get each other's expressions or crash.  Every search, count and tag exclusion of a query
 * that may parse one (@syntax is NOTMUCH_QUERY_SYNTAX_SEXP, or the string holds `sexp:` or
 * `query:` fields) runs under one process-wide lock; libnotmuch parses an s-expression
 * query again for each of these calls, so the whole call runs under it. */
notmuch_status_t _nm_compat_query_search_messages (notmuch_query_t         *query,
                                                   notmuch_query_syntax_t   syntax,
                                                   notmuch_messages_t     **messages);
notmuch_status_t _nm_compat_query_search_threads (notmuch_query_t         *query,
                                                  notmuch_query_syntax_t   syntax,
                                                  notmuch_threads_t      **threads);
notmuch_status_t _nm_compat_query_count_messages (notmuch_query_t        *query,
                                                  notmuch_query_syntax_t  syntax,
                                                  unsigned int           *count);
/* The same, catching what 0.37 to 0.39 throw (see above). */
notmuch_status_t _nm_compat_query_count_threads (notmuch_query_t        *query,
                                                 notmuch_query_syntax_t  syntax,
                                                 unsigned int           *count);
void _nm_compat_query_add_tag_exclude (notmuch_query_t        *query,
                                       notmuch_query_syntax_t  syntax,
                                       const char             *tag);
/* For nm-compat-guard.cc: takes the lock if @query may parse an s-expression; returns
 * whether it did, for _nm_compat_end_parse(). */
gboolean _nm_compat_begin_parse (notmuch_query_t        *query,
                                 notmuch_query_syntax_t  syntax);
void _nm_compat_end_parse (gboolean locked);

G_END_DECLS
