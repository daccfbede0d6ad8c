/* nm-database-private.h: what the other types need from NmDatabase
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-database.h"
#include "nm-error.h"
#include "nm-worker-private.h"

G_BEGIN_DECLS

/* NmDatabase is one class over several files, one per concern: nm-database.c (the type, its
 * lifecycle and generations), nm-database-status.c (libnotmuch status to GError),
 * nm-database-config.c, nm-database-index.c (find, index, remove, directories),
 * nm-database-search.c (search shortcuts, tagging) and nm-database-maintenance.c (upgrade,
 * compact). */
struct _NmDatabase
{
  GObject parent_instance;

  GRecMutex lock;
  /* How deep the lock is held: only its holder reads or writes it. */
  guint lock_depth;
  /* The threads in _nm_database_lock(), and the worker loops giving way to them
   * (nm-database-lock.c). */
  gint lock_waiters;
  gint giving_way;
  GMutex give_way_lock;
  GCond give_way_cond;
  notmuch_database_t *native;
  /* Set instead of @native by nm_database_load_config(): a libnotmuch handle holding the
   * configuration only, its index (if any) closed.  Every call that needs the index finds
   * @native unset and fails as on a database that was never opened. */
  notmuch_database_t *config_handle;
  gboolean closed;
  gboolean create;
  /* Opened without a configuration file because none was found. */
  gboolean without_config_file;
  /* Set while upgrade() or compact() runs (the lock is held meanwhile), to the name of the
   * call: libnotmuch is then in the middle of rewriting the index, so every call its
   * progress callback makes on this database is refused. */
  const char *maintenance;
  guint atomic_depth;
  guint generation;
  /* The uuid string of the handle's current view (see _nm_compat_view_changed()). */
  const char *view_uuid;
  /* Counts the writes to message documents made through this handle (see
   * _nm_database_get_write_epoch()), and the messages removed through it. */
  guint64 write_epoch;
  guint64 removals;

  char *path;
  char *config_path;
  char *profile;
  NmDatabaseMode mode;
  guint lock_timeout;

  /* Set while this handle holds the write lock of write_lock_key's database. */
  char *write_lock_key;
  /* libnotmuch never clears its status string: a message is fresh only if it differs from
   * the last one this handle reported. */
  char *last_status_string;
  /* The text _nm_database_mark_status() made libnotmuch log, or NULL. */
  char *status_mark;
  NmWorker worker;
  /* Known after close, when libnotmuch can no longer tell. */
  guint64 revision;
  char *uuid;
  /* The revision of this handle's last commit: a monitor does not report it. */
  guint64 own_revision;

  /* Change notification (nm-database-changes.c).  The message and thread objects alive,
   * by id (id -> GPtrArray of unreferenced objects), guarded by live_lock; and the ids
   * whose tags changed since the last delivery, guarded by the database lock. */
  GMutex live_lock;
  GHashTable *live_messages;
  GHashTable *live_threads;
  GHashTable *changed_messages;
  GHashTable *changed_threads;
};

/* Objects made with g_object_new(), as bindings construct them, have no database.  Every
 * function below takes NULL for one: such a database is never open, so the object behaves
 * as one whose database was closed (NM_ERROR_CLOSED_DATABASE, or empty values). */

notmuch_database_t *_nm_database_get_native (NmDatabase *self);

/* Every libnotmuch call on a database, or on anything derived from it, runs under this
 * lock: libnotmuch, Xapian and talloc are not safe to share between threads.  Releasing
 * the outermost hold delivers the tag changes made meanwhile (see
 * _nm_database_note_tags_changed()), after unlocking, so that handlers never run with the
 * lock held.  NULL for no database.  A locker held for its scope only is declared
 * `g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (...)`: nothing
 * reads it, which compilers warn about otherwise. */
typedef NmDatabase NmDatabaseLocker;
NmDatabaseLocker *_nm_database_lock (NmDatabase *self);
void _nm_database_unlock (NmDatabaseLocker *locker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NmDatabaseLocker, _nm_database_unlock)

/* The last NmConfigKey: every call taking one checks it against this. */
#define NM_CONFIG_KEY_LAST NM_CONFIG_KEY_AUTHORS_MATCHED_SEPARATOR

/* For loops that take the lock once per step on a worker (loading a list, updating a
 * monitored one): called between two steps, without the lock, it waits until the threads
 * waiting for the lock have had it (at most a few milliseconds past one step of theirs).
 * A GRecMutex is not fair: without this, the loop takes the lock again at once and a view
 * on the main thread can wait for it through hundreds of steps. */
void _nm_database_give_way (NmDatabase *self);

/* Refreshes the objects of the messages and threads whose tags changed, then notifies
 * those whose tags differ.  Runs without the lock (nm-database-changes.c). */
void _nm_database_deliver_changes (NmDatabase *self);

/* Both require the lock.  A database is not open for use while upgrade() or compact() runs
 * on it (only its own progress callback can ask then). */
gboolean _nm_database_is_open (NmDatabase *self);
gboolean _nm_database_check_open (NmDatabase *self, GError **error);
/* Fails unless the database is open and outside an atomic section: the section lives in
 * the open handle, which reopen() and compact() replace.  @verb names the call for the
 * error ("reopen").  Requires the lock. */
gboolean _nm_database_check_reopenable (NmDatabase  *self,
                                        const char  *verb,
                                        GError     **error);

/* Reopening the database (which compact() does too) leaves every message, thread, list and
 * directory read before pointing at the closed index, where libnotmuch can throw or exit:
 * objects remember the generation they were read in, and only current ones reach
 * libnotmuch.  Both require the lock. */
guint _nm_database_get_generation (NmDatabase *self);
gboolean _nm_database_is_current (NmDatabase *self, guint generation);
gboolean _nm_database_check_current (NmDatabase *self, guint generation, GError **error);

guint64 _nm_database_get_write_epoch (NmDatabase *self);
/* How many messages were removed through this handle: a walk over results started before
 * a removal may hold the removed document, which libnotmuch ends the process on.  Requires
 * the lock. */
guint64 _nm_database_get_removals (NmDatabase *self);
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

/* Checks @query_string before libnotmuch runs it, for what would crash libnotmuch or Xapian
 * instead of failing (see _nm_compat_check_query() and _nm_compat_parse_first()).
 * Requires the lock. */
gboolean _nm_database_check_query (NmDatabase     *self,
                                   const char     *query_string,
                                   NmQuerySyntax   syntax,
                                   GError        **error);

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

/* Makes @handle's configuration file (notmuch_config_path()) the database's config-path if
 * @loaded (libnotmuch loaded it), else none. */
void _nm_database_remember_config_file (NmDatabase         *self,
                                        notmuch_database_t *handle,
                                        gboolean            loaded);

/* Reads libnotmuch's status string again after this handle reported it.  Requires the
 * lock. */
void _nm_database_remember_status_string (NmDatabase *self);

/* Called after this library reopened the handle: everything read before is invalidated.
 * Requires the lock. */
void _nm_database_start_generation (NmDatabase *self);

/* Fails with NM_ERROR_READ_ONLY_DATABASE, saying that @action needs a writable database,
 * unless the database is open for writing.  Requires the lock. */
gboolean _nm_database_check_writable (NmDatabase  *self,
                                      const char  *action,
                                      GError     **error);

/* nm_database_begin_atomic() and nm_database_end_atomic() for callers holding the lock. */
gboolean _nm_database_begin_atomic_locked (NmDatabase *self, GError **error);
gboolean _nm_database_end_atomic_locked (NmDatabase *self, GError **error);

/* nm_database_index_file(), nm_database_remove_message() and nm_database_get_directory()
 * for callers holding the lock (nm_database_insert() runs them in one atomic section). */
NmMessage *_nm_database_index_file_locked (NmDatabase      *self,
                                           const char      *filename,
                                           NmIndexOptions  *options,
                                           gboolean        *duplicate,
                                           GError         **error);
gboolean _nm_database_remove_message_locked (NmDatabase  *self,
                                             const char  *filename,
                                             GError     **error);
NmDirectory *_nm_database_get_directory_locked (NmDatabase  *self,
                                                const char  *path,
                                                GError     **error);

/* Closes a writable database that is still open when the process exits, unless another
 * thread is inside a call on it or it is inside an atomic section. */
void _nm_database_close_at_exit (NmDatabase *self);

/* Change notification: every message and thread object registers itself while alive
 * (registering requires the lock; unregistering is done from dispose). */
void _nm_database_watch_message (NmDatabase *self, NmMessage *message, const char *message_id);
void _nm_database_unwatch_message (NmDatabase *self, NmMessage *message, const char *message_id);
void _nm_database_watch_thread (NmDatabase *self, NmThread *thread, const char *thread_id);
void _nm_database_unwatch_thread (NmDatabase *self, NmThread *thread, const char *thread_id);

/* Records that the tags of @message_id (in thread @thread_id, or NULL) changed: when the
 * lock is released, every live object of that message and of its thread reads its tags
 * again and notifies `tags` if they differ.  Requires the lock. */
void _nm_database_note_tags_changed (NmDatabase *self, const char *message_id,
                                     const char *thread_id);

G_END_DECLS
