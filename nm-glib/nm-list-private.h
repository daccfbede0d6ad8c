/* nm-list-private.h: what NmMessages and NmThreads share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "nm-database-monitor.h"
#include "nm-handle-private.h"
#include "nm-origin-private.h"
#include "nm-types.h"

G_BEGIN_DECLS

typedef enum
{
  NM_LIST_READ_ITEM,    /* a result was read */
  NM_LIST_READ_END,     /* there are no more results */
  NM_LIST_READ_CUT,     /* the rest of the results can no longer be read */
} NmListRead;

/* How a list reads its results.  Every function runs under the database lock.  An entry is
 * what the list keeps of a result so that the result's position can be answered again
 * without reading the results again: the item itself when it is small, or enough to find
 * it (a message id). */
typedef struct
{
  /* What the list holds, as its errors name it: "messages" or "threads". */
  const char *items;
  /* Starts a walk over the results, or fails with @error. */
  NmHandle *(*start_walk) (gpointer list, GError **error);
  /* Reads the walk's current result and moves past it.  On NM_LIST_READ_ITEM, *@entry is
   * set and, when @item is not NULL, *@item to the item (transfer full). */
  NmListRead (*read) (gpointer list, NmHandle *walk, gpointer *entry, gpointer *item);
  /* The item of a kept entry (transfer full), or NULL if it can no longer be had. */
  gpointer (*get_item) (gpointer list, gpointer entry);
  /* What tells an entry from another: its message or thread id. */
  const char *(*get_key) (gpointer entry);
  /* Frees an entry; NULL when the list frees them itself. */
  GDestroyNotify free_entry;
  /* Counts the results without reading them, or NULL when only reading them tells.  Sets
   * @error on failure. */
  guint (*count) (gpointer list, GError **error);

  /* Following the database (lists with the monitored property; NULL for lists that cannot
   * be monitored).  The keys of the results that messages changed in revisions @from to
   * @to may concern, as a set of owned strings. */
  GHashTable *(*changed_keys) (gpointer list, guint64 from, guint64 to);
  /* The entry of the result @key as it is now, or NULL if it no longer matches. */
  gpointer (*read_key) (gpointer list, const char *key);
  /* Whether @entries (in order) are every result: FALSE when results vanished in a way
   * the revision does not show (removed messages). */
  gboolean (*is_complete) (gpointer list, GPtrArray *entries);
  /* Every key, in result order; with @entries, an entry for each key missing from
   * @known (key -> entry), made as read_key() does. */
  GPtrArray *(*all_keys) (gpointer list, GHashTable *known, GHashTable *entries);
  /* The list's sort order of two entries: 0 for every pair when the list has none (a new
   * result then goes last). */
  int (*compare) (gpointer list, gconstpointer a, gconstpointer b);
} NmListSource;

/* Reads a search's results in order, keeps an entry for each result read, and answers any
 * position from the entries: a position is read once.  A walk continues where the last one
 * stopped.  The cursor (nm_*_next()) streams the results with a walk of its own and keeps
 * nothing.  A list loaded in the background (load_messages(), load_threads()) fills on the
 * database's worker and publishes its entries in batches on the main context it was made
 * in.  Unless noted, functions take the database lock themselves. */
typedef struct _NmList NmList;

/* @list is the GListModel that owns the core (not referenced).  Requires the lock. */
NmList *_nm_list_new (GListModel         *list,
                      NmDatabase         *database,
                      const NmListSource *source);
void _nm_list_free (NmList *self);

/* A list made with g_object_new(), as bindings construct objects, has no core: the
 * functions below take NULL for one, and answer as for a list of a closed database. */

/* Starts the walk now, so that a malformed query fails when the list is made.  Requires
 * the lock. */
gboolean _nm_list_start (NmList *self, GError **error);

/* The database generation the results belong to. */
guint _nm_list_get_generation (NmList *self);

/* Where the list's items notify, and where a list loaded in the background publishes its
 * batches: where the list was made, unless set (an asynchronous search makes its list on
 * the worker for its caller).  Setting requires that no item was made yet. */
NmOrigin *_nm_list_get_origin (NmList *self);
void _nm_list_set_origin (NmList *self, NmOrigin *origin);

gpointer _nm_list_get_item (NmList *self, guint position);
guint _nm_list_get_n_items (NmList *self);
/* Whether the list could be read completely: fails when a walk was cut short or the
 * background load failed. */
gboolean _nm_list_check (NmList *self, GError **error);
gpointer _nm_list_next (NmList *self);
gboolean _nm_list_is_loading (NmList *self);

/* Whether the list follows the changes other processes commit (see NmDatabaseMonitor):
 * results that start matching are inserted in sort order, those that stop matching are
 * removed, changed ones are replaced in place, each with items-changed on the list's main
 * context.  Turning it on reads the list to its end first.  Setting notifies the list's
 * "monitored" when it changed, and fails for a list without a core.  Call on the list's
 * thread. */
gboolean _nm_list_get_monitored (NmList *self);
gboolean _nm_list_set_monitored (NmList *self, gboolean monitored, GError **error);

/* Reads every result now, on the calling thread (for the asynchronous searches), then
 * fails as _nm_list_check() does. */
gboolean _nm_list_read_all (NmList        *self,
                            GCancellable  *cancellable,
                            GError       **error);

/* Fills the list on the database's worker, publishing batches on the thread-default main
 * context of the caller. */
void _nm_list_load (NmList       *self,
                    GCancellable *cancellable);

/* The properties both list classes have, with the same ids: the classes document them,
 * the core makes and answers them. */
typedef enum
{
  NM_LIST_PROP_N_ITEMS = 1,
  NM_LIST_PROP_LOADING,
  NM_LIST_PROP_MONITORED,
} NmListProperty;

void _nm_list_install_properties (GObjectClass *object_class);
/* @object is the list that owns @self (which may be NULL, see above). */
void _nm_list_get_property (NmList     *self,
                            GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec);
void _nm_list_set_property (NmList       *self,
                            GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec);

/* The ids of the messages changed in revisions @from to @to (`lastmod:`), or of their
 * threads.  Requires the database lock. */
GHashTable *_nm_list_changed_ids (NmDatabase *database,
                                  guint64     from,
                                  guint64     to,
                                  gboolean    thread_ids);

/* The core's own state and the functions its two files share (nm-list.c: reading, the
 * cursor, loading; nm-list-monitor.c: following the database). */
struct _NmList
{
  /* The GListModel the core belongs to, which does not keep it alive: a list loading in
   * the background stops when it is dropped. */
  GWeakRef list;
  NmDatabase *database;
  const NmListSource *source;
  gpointer owner;
  /* The database generation the results belong to (see _nm_database_get_generation()). */
  guint generation;

  /* Everything below is guarded by the database lock, but the cursor fields. */

  /* An entry per result read so far, in order. */
  GPtrArray *entries;
  /* The walk that reads the next results, and the database's removal count when it
   * started (see _nm_database_get_removals()). */
  NmHandle *walk;
  guint64 walk_removals;
  gboolean complete;
  gboolean cut;
  guint count;
  gboolean count_known;

  /* Where the list was made: its items notify there, and a list loaded in the background
   * publishes its batches on its main context. */
  NmOrigin *origin;
  /* A list loaded in the background: the entries published so far, and how the loading
   * ended. */
  gboolean background;
  gboolean loading;
  guint published;
  GError *load_error;
  /* Atomic: the worker runs the search of a list loaded in the background.  The search is
   * one libnotmuch call that holds the database lock throughout (hundreds of milliseconds
   * on a large mailbox) while nothing is published yet: until it ends, the list answers
   * that it is empty and loading without waiting for the lock. */
  gint searching;

  /* Following the database: the monitor, the revisions of a change that arrived while an
   * update was computed or the list loaded (0 when none), and whether an update runs.
   * Only the list's thread touches these. */
  NmDatabaseMonitor *monitor;
  /* Every entry by its key, while monitored (guarded by the database lock). */
  GHashTable *by_key;
  guint64 pending_from;
  guint64 pending_to;
  gboolean updating;

  /* The cursor of nm_*_next(), guarded by cursor_lock (then the database lock). */
  GMutex cursor_lock;
  NmHandle *cursor_walk;
  guint64 cursor_removals;
  guint cursor;
  gboolean cursor_done;
  gboolean cursor_cut;
};

NmList *_nm_list_ref (NmList *self);
void _nm_list_unref (NmList *self);
/* Reads the next result into the entries; *@item, when @item is not NULL, is set to its
 * item on NM_LIST_READ_ITEM.  Requires the lock. */
NmListRead _nm_list_read (NmList *self, gpointer *item);
/* Updates a monitored list for the revisions @from to @to, now or once the update or the
 * load under way is done.  On the list's thread. */
void _nm_list_start_update (NmList *self, guint64 from, guint64 to);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NmList, _nm_list_free)

G_END_DECLS
