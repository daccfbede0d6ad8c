/* nm-threads.c: a list of threads: the results of a thread search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-threads-private.h"
#include "nm-compat-private.h"
#include "nm-database-private.h"
#include "nm-error-private.h"
#include "nm-list-private.h"
#include "nm-query-private.h"
#include "nm-thread-private.h"

/**
 * NmThreads:
 *
 * The results of [method@Notmuch.Query.search_threads]: a [iface@Gio.ListModel] of
 * [class@Notmuch.Thread], so Python's `len()`, `for` and indexing work on it directly, and
 * a `GtkListView` can show it.
 *
 * Threads are built as they are asked for, in order, and the list keeps each thread it
 * built — what a row shows, about a kilobyte per thread — so that any position read before
 * is answered at once.  Its length is known once every thread is built: `len()` builds them
 * all, and a Python `for` loop then reads them from the list, so the results are read once.
 * To read every thread once and keep nothing, [method@Notmuch.Threads.next] is the fast
 * path.  [method@Notmuch.Query.load_threads] makes a list that fills on the database's
 * worker thread, in batches announced by [signal@Gio.ListModel::items-changed].
 *
 * If another process commits changes while the list is read,
 * [method@Gio.ListModel.get_item] returns %NULL from that point on and
 * [method@Notmuch.Threads.check] reports %NM_ERROR_OPERATION_INVALIDATED.  Messages
 * removed through the database while the list is read are left out of the rest.
 *
 * On a read-only database any commit of another process since the list's search ends the
 * walk there, before the next thread is built: libnotmuch builds a thread by reading its
 * messages one after another, and once the other process has committed twice, those reads
 * can crash the process inside libnotmuch (a %NULL message it dereferences itself) or make
 * it exit; no caller of libnotmuch can intercept either.  One window remains inside
 * libnotmuch: the other process commits while a single thread is being built (well under
 * a millisecond per thread), having committed once already since the database was opened
 * or last reopened.  Reopen a database that may be behind before searching for threads.
 * Lists of messages are not affected.
 *
 * Since: 0.1
 */
struct _NmThreads
{
  GObject parent_instance;

  NmDatabase *database;
  /* A frozen copy of the query, and the native query snapshot that owns every walk. */
  NmQuery *query;
  NmHandle *native_query;
  NmList *list;
  /* Taken when the current walk started (see nm-compat-private.h). */
  NmCompatCommitStamp commit_stamp;
};

static void nm_threads_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NmThreads, nm_threads, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nm_threads_list_model_iface_init))

/* Requires the database lock. */
static NmHandle *
nm_threads_start_walk (gpointer   list,
                       GError   **error)
{
  NmThreads *self = list;

  /* Before the search, so that no commit after it goes unnoticed. */
  _nm_compat_commit_stamp_take (_nm_database_get_native (self->database),
                                nm_database_get_mode (self->database)
                                == NM_DATABASE_MODE_READ_ONLY,
                                &self->commit_stamp);
  return _nm_query_walk_snapshot (self->query, self->native_query, TRUE, error);
}

/* Requires the database lock. */
static NmListRead
nm_threads_read (gpointer   list,
                 NmHandle  *walk,
                 gpointer  *entry,
                 gpointer  *item)
{
  NmThreads *self = list;
  notmuch_threads_t *iterator = _nm_handle_get_native (walk);
  notmuch_thread_t *native;
  NmThread *thread;

  if (!notmuch_threads_valid (iterator))
    return NM_LIST_READ_END;
  /* Another process committed: building the thread could crash or end the process inside
   * libnotmuch (see nm-compat-private.h). */
  if (_nm_compat_commit_stamp_moved (&self->commit_stamp))
    return NM_LIST_READ_CUT;
  native = _nm_thread_build (self->database, _nm_list_get_generation (self->list), iterator);
  if (native == NULL)
    return NM_LIST_READ_CUT;
  thread = _nm_thread_new (self->database, self->query, native,
                           _nm_list_get_origin (self->list));
  /* The thread keeps a copy of what it shows; libnotmuch's thread, with every message, is
   * freed at once. */
  notmuch_thread_destroy (native);
  notmuch_threads_move_to_next (iterator);
  *entry = thread;
  if (item != NULL)
    *item = g_object_ref (thread);
  return NM_LIST_READ_ITEM;
}

static gpointer
nm_threads_get_entry_item (gpointer list,
                           gpointer entry)
{
  return g_object_ref (entry);
}

static const char *
nm_threads_get_entry_key (gpointer entry)
{
  return nm_thread_get_thread_id (entry);
}

/* Builds the thread @key as the list's search finds it now, or NULL.  Requires the database
 * lock. */
static gpointer
nm_threads_read_key (gpointer    list,
                     const char *key)
{
  NmThreads *self = list;
  g_autoptr (NmQuery) query = _nm_query_copy_for_thread (self->query, key);
  notmuch_query_t *native = _nm_query_create_native (query, TRUE, NULL);
  notmuch_thread_t *thread;
  NmThread *entry = NULL;

  if (native == NULL)
    return NULL;
  thread = _nm_thread_find (self->database, _nm_database_get_generation (self->database),
                            native, nm_query_get_syntax (self->query));
  if (thread != NULL)
    entry = _nm_thread_new (self->database, self->query, thread,
                            _nm_list_get_origin (self->list));
  g_clear_pointer (&thread, notmuch_thread_destroy);
  notmuch_query_destroy (native);
  return entry;
}

static GHashTable *
nm_threads_changed_keys (gpointer list,
                         guint64  from,
                         guint64  to)
{
  return _nm_list_changed_ids (NM_THREADS (list)->database, from, to, TRUE);
}

/* Every matching message belongs to one thread and is counted by it: a thread that lost a
 * message the revision does not show (a removed one) makes the sum differ. */
static gboolean
nm_threads_is_complete (gpointer   list,
                        GPtrArray *entries)
{
  NmThreads *self = list;
  guint64 matched = 0;

  for (guint i = 0; i < entries->len; i++)
    matched += nm_thread_get_matched_messages (entries->pdata[i]);
  return matched == nm_query_count_messages (self->query, NULL);
}

/* The threads in result order: libnotmuch orders threads by their first message in the
 * order of the message search, which is much cheaper to read than the threads. */
static GPtrArray *
nm_threads_all_keys (gpointer    list,
                     GHashTable *known,
                     GHashTable *entries)
{
  NmThreads *self = list;
  GPtrArray *order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  notmuch_query_t *native;
  notmuch_messages_t *messages = _nm_query_search_messages_quietly (self->query, &native);

  if (messages != NULL)
    for (; notmuch_messages_valid (messages); notmuch_messages_move_to_next (messages))
      {
        notmuch_message_t *message = _nm_compat_messages_get (messages);
        const char *thread_id;

        if (message == NULL)
          break;
        thread_id = notmuch_message_get_thread_id (message);
        if (thread_id != NULL && !g_hash_table_contains (seen, thread_id))
          {
            char *key = g_strdup (thread_id);

            g_ptr_array_add (order, key);
            g_hash_table_add (seen, key);
          }
        notmuch_message_destroy (message);
      }
  g_clear_pointer (&native, notmuch_query_destroy);
  for (guint i = 0; i < order->len; i++)
    if (!g_hash_table_contains (known, order->pdata[i]))
      {
        gpointer entry = nm_threads_read_key (self, order->pdata[i]);

        if (entry != NULL)
          g_hash_table_insert (entries, g_strdup (order->pdata[i]), entry);
      }
  return order;
}

static int
nm_threads_compare (gpointer      list,
                    gconstpointer a,
                    gconstpointer b)
{
  NmThread *first = (NmThread *) a, *second = (NmThread *) b;
  gint64 x, y;

  switch (_nm_query_get_sort (NM_THREADS (list)->query))
    {
    case NM_SORT_NEWEST_FIRST:
      x = nm_thread_get_newest_date (second);
      y = nm_thread_get_newest_date (first);
      break;
    case NM_SORT_OLDEST_FIRST:
      x = nm_thread_get_oldest_date (first);
      y = nm_thread_get_oldest_date (second);
      break;
    default:
      return 0;
    }
  return x < y ? -1 : x > y;
}

static const NmListSource threads_source = {
  .items = "threads",
  .start_walk = nm_threads_start_walk,
  .read = nm_threads_read,
  .get_item = nm_threads_get_entry_item,
  .get_key = nm_threads_get_entry_key,
  .free_entry = g_object_unref,
  /* libnotmuch counts threads by reading every matching message, which building them does
   * anyway: the list is read to its end instead, once. */
  .count = NULL,
  .changed_keys = nm_threads_changed_keys,
  .read_key = nm_threads_read_key,
  .is_complete = nm_threads_is_complete,
  .all_keys = nm_threads_all_keys,
  .compare = nm_threads_compare,
};

static gpointer
nm_threads_get_item (GListModel *model,
                     guint       position)
{
  return _nm_list_get_item (NM_THREADS (model)->list, position);
}

static guint
nm_threads_get_n_items (GListModel *model)
{
  return _nm_list_get_n_items (NM_THREADS (model)->list);
}

static GType
nm_threads_get_item_type (GListModel *model)
{
  return NM_TYPE_THREAD;
}

static void
nm_threads_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item = nm_threads_get_item;
  iface->get_item_type = nm_threads_get_item_type;
  iface->get_n_items = nm_threads_get_n_items;
}

static void
nm_threads_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  _nm_list_get_property (NM_THREADS (object)->list, object, prop_id, value, pspec);
}

static void
nm_threads_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  _nm_list_set_property (NM_THREADS (object)->list, object, prop_id, value, pspec);
}

static void
nm_threads_finalize (GObject *object)
{
  NmThreads *self = NM_THREADS (object);

  g_clear_pointer (&self->list, _nm_list_free);
  g_clear_pointer (&self->native_query, _nm_handle_unref);
  _nm_compat_commit_stamp_clear (&self->commit_stamp);
  g_clear_object (&self->query);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (nm_threads_parent_class)->finalize (object);
}

static void
nm_threads_class_init (NmThreadsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_threads_finalize;
  object_class->get_property = nm_threads_get_property;
  object_class->set_property = nm_threads_set_property;

  /* The properties every list has, made by the list core; what they are here: */
  /**
   * NmThreads:n-items:
   *
   * The number of threads in the list, as [method@Gio.ListModel.get_n_items] tells it.
   * A list from [method@Notmuch.Query.load_threads] grows as batches arrive.
   *
   * Since: 0.1
   */

  /**
   * NmThreads:loading:
   *
   * Whether a list from [method@Notmuch.Query.load_threads] is still being filled.
   *
   * Since: 0.1
   */

  /**
   * NmThreads:monitored: (getter get_monitored) (setter set_monitored)
   *
   * Whether the list follows the changes other processes commit to the database (see
   * [class@Notmuch.DatabaseMonitor]): threads that start matching are inserted in sort
   * order, those that stop matching are removed, and changed ones are replaced at their
   * place, each announced by [signal@Gio.ListModel::items-changed] for those positions
   * only.  A thread that did not change stays the same object.  Setting it from Python or
   * gjs fails silently when the database cannot be watched: use
   * [method@Notmuch.Threads.set_monitored] to get the error.
   *
   * Since: 0.1
   */

  _nm_list_install_properties (object_class);
}

static void
nm_threads_init (NmThreads *self)
{
}

/* The list of @query's threads, its search not run yet.  Requires the database lock. */
static NmThreads *
nm_threads_new_for_query (NmQuery  *query,
                          GError  **error)
{
  NmDatabase *database = nm_query_get_database (query);
  g_autoptr (NmHandle) snapshot = _nm_query_new_snapshot (query, error);
  NmThreads *self;

  if (snapshot == NULL)
    return NULL;
  self = g_object_new (NM_TYPE_THREADS, NULL);
  self->database = g_object_ref (database);
  self->query = _nm_query_copy (query);
  self->native_query = g_steal_pointer (&snapshot);
  self->list = _nm_list_new (G_LIST_MODEL (self), database, &threads_source);
  return self;
}

NmThreads *
_nm_threads_new_for_query (NmQuery  *query,
                           GError  **error)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (nm_query_get_database (query));
  g_autoptr (NmThreads) self = nm_threads_new_for_query (query, error);

  /* Run the search now, so that a malformed query fails here. */
  if (self == NULL || !_nm_list_start (self->list, error))
    return NULL;
  return g_steal_pointer (&self);
}

NmThreads *
_nm_threads_new_loading (NmQuery       *query,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr (NmThreads) self = NULL;

  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (nm_query_get_database (query));

    self = nm_threads_new_for_query (query, error);
  }
  if (self != NULL)
    _nm_list_load (self->list, cancellable);
  return g_steal_pointer (&self);
}

/**
 * nm_threads_check:
 * @self: a list of threads
 * @error: return location for an error
 *
 * Checks whether the list could be read completely.  A walk that ended early because
 * another process changed the database gives %NM_ERROR_OPERATION_INVALIDATED; reopen the
 * database with [method@Notmuch.Database.reopen] and search again.
 *
 * Returns: %TRUE if nothing cut the list short
 *
 * Since: 0.1
 */
gboolean
nm_threads_check (NmThreads  *self,
                  GError    **error)
{
  g_return_val_if_fail (NM_IS_THREADS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _nm_list_check (self->list, error);
}

gboolean
_nm_threads_read_all (NmThreads     *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return _nm_list_read_all (self->list, cancellable, error);
}

NmList *
_nm_threads_get_list (NmThreads *self)
{
  return self->list;
}

void
_nm_threads_set_origin (NmThreads *self,
                        NmOrigin  *origin)
{
  _nm_list_set_origin (self->list, origin);
}

/**
 * nm_threads_next:
 * @self: a list of threads
 *
 * Gets the thread at the list's cursor and moves the cursor past it.  The cursor starts at
 * the first thread and belongs to the list: [method@Gio.ListModel.get_item] neither uses
 * nor moves it.
 *
 * This reads the list once from start to end and keeps nothing of the threads it
 * returned: memory stays flat however many threads match.  A `for` loop over the list
 * (which asks for its length first) keeps every thread instead:
 *
 * ```python
 * for thread in iter(threads.next, None):
 *     print(thread.get_subject())
 * ```
 *
 * Removing a message through the database ends the cursor's walk (check() then reports
 * %NM_ERROR_OPERATION_INVALIDATED); [method@Gio.ListModel.get_item] carries on.
 *
 * Returns: (transfer full) (nullable): the next thread, or %NULL after the last one or when
 *   the walk was cut short (see [method@Notmuch.Threads.check])
 *
 * Since: 0.1
 */
NmThread *
nm_threads_next (NmThreads *self)
{
  g_return_val_if_fail (NM_IS_THREADS (self), NULL);

  return _nm_list_next (self->list);
}

/**
 * nm_threads_get_monitored: (get-property monitored)
 * @self: a list of threads
 *
 * Gets whether the list follows the changes other processes commit.
 *
 * Returns: %TRUE if it does
 *
 * Since: 0.1
 */
gboolean
nm_threads_get_monitored (NmThreads *self)
{
  g_return_val_if_fail (NM_IS_THREADS (self), FALSE);

  return _nm_list_get_monitored (self->list);
}

/**
 * nm_threads_set_monitored: (set-property monitored)
 * @self: a list of threads
 * @monitored: whether to follow the database
 * @error: return location for an error
 *
 * Makes the list follow the changes other processes commit to the database, or stop
 * following them; see [property@Notmuch.Threads:monitored].  Turning it on reads every
 * thread of a list not read yet, and needs a main loop running on the thread-default
 * main context of the caller, where the changes are announced.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the database cannot be watched
 *
 * Since: 0.1
 */
gboolean
nm_threads_set_monitored (NmThreads  *self,
                          gboolean    monitored,
                          GError    **error)
{
  g_return_val_if_fail (NM_IS_THREADS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _nm_list_set_monitored (self->list, monitored, error);
}
