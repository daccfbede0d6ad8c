/* nm-threads.c: a list of threads: the results of a thread search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-threads-private.h"
#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-query-private.h"
#include "nm-thread-private.h"

/**
 * NmThreads:
 *
 * The results of [method@Notmuch.Query.search_threads]: a [iface@Gio.ListModel] of
 * [class@Notmuch.Thread], so Python's `len()`, `for` and indexing work on it directly, and
 * a `GtkListView` can show it.
 *
 * Threads are built as they are asked for and nothing keeps them once dropped.  Asking for
 * an earlier position runs the search again from the start.  To read every thread once,
 * [method@Notmuch.Threads.next] is the fast path: it never counts the threads, which a
 * Python `for` loop does first.
 *
 * If another process commits changes while the list is read,
 * [method@Gio.ListModel.get_item] returns %NULL from that point on and
 * [method@Notmuch.Threads.check] reports %NM_ERROR_OPERATION_INVALIDATED.
 *
 * One such race cannot be contained with libnotmuch 0.37.  libnotmuch builds a thread
 * by reading its messages one after another, and reading one can make it reopen the
 * database on its own.  If the other process deleted one of the thread's remaining
 * messages, libnotmuch then ends the process with exit status 1 ("a messages iterator
 * contains a non-existent document ID").  Lists of messages are not affected.
 */
struct _NmThreads
{
  GObject parent_instance;

  NmDatabase *database;
  /* The database generation the list was read in (see _nm_database_get_generation()). */
  guint generation;
  /* A frozen copy of the query, and the native query snapshot that owns every thread. */
  NmQuery *query;
  NmHandle *native_query;

  /* The iterator in use and the position of its current thread. */
  NmHandle *iterator;
  guint position;

  /* The position nm_threads_next() reads next, and the lock that makes its read and step one. */
  guint cursor;
  GMutex cursor_lock;

  guint n_items;
  gboolean n_items_known;
  gboolean invalidated;
  /* Every item, read in advance by _nm_threads_prefetch(); NULL for a streaming list. */
  GPtrArray *prefetched;
};

static void nm_threads_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NmThreads, nm_threads, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nm_threads_list_model_iface_init))

static void
nm_threads_destroy_native_threads (gpointer native)
{
  notmuch_threads_destroy (native);
}

static void
nm_threads_destroy_native_query (gpointer native)
{
  notmuch_query_destroy (native);
}

/* Starts a new walk over the results.  Requires the database lock. */
static NmHandle *
nm_threads_open_iterator (NmThreads  *self,
                          GError    **error)
{
  notmuch_threads_t *native = NULL;
  notmuch_status_t status;

  status = notmuch_query_search_threads (_nm_handle_get_native (self->native_query), &native);
  if (!_nm_query_check_status (self->query, status, error, "search for threads matching"))
    return NULL;
  return _nm_handle_new (self->database, native, nm_threads_destroy_native_threads,
                         _nm_handle_ref (self->native_query), (GDestroyNotify) _nm_handle_unref);
}

/* Builds the iterator's current thread, or returns NULL if the database changed under it.
 * Requires the database lock. */
static notmuch_thread_t *
nm_threads_build_current (NmThreads         *self,
                          notmuch_threads_t *iterator)
{
  notmuch_thread_t *native;

  _nm_database_mark_status (self->database);
  native = _nm_compat_threads_get (iterator);
  /* When the query that collects a thread's messages fails (a concurrent commit discarded
   * the revision being read), libnotmuch 0.37 frees the thread and still returns it
   * (lib/thread.cc, _notmuch_thread_create).  The failure shows only in the log, and the
   * pointer must not be touched. */
  if (_nm_database_logged_since_mark (self->database))
    return NULL;
  if (native == NULL)
    return NULL;
  /* An empty thread: its messages vanished under a concurrent commit.  A changed
   * generation: libnotmuch reopened the handle while reading the thread, so the document
   * ids the iterator holds may be gone. */
  if (notmuch_thread_get_total_messages (native) == 0
      || !_nm_database_is_current (self->database, self->generation))
    {
      notmuch_thread_destroy (native);
      return NULL;
    }
  return native;
}

static gpointer
nm_threads_get_item (GListModel *model,
                     guint       position)
{
  NmThreads *self = NM_THREADS (model);
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_threads_t *iterator;
  notmuch_thread_t *native;
  NmThread *thread;

  if (self->prefetched != NULL)
    return position < self->prefetched->len
           ? g_object_ref (g_ptr_array_index (self->prefetched, position)) : NULL;

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_open (self->database))
    return NULL;
  if (!_nm_database_is_current (self->database, self->generation))
    self->invalidated = TRUE;
  if (self->invalidated)
    return NULL;

  if (self->iterator == NULL || position < self->position)
    {
      g_clear_pointer (&self->iterator, _nm_handle_unref);
      self->position = 0;
      self->iterator = nm_threads_open_iterator (self, NULL);
      if (self->iterator == NULL)
        {
          self->invalidated = TRUE;
          return NULL;
        }
    }

  iterator = _nm_handle_get_native (self->iterator);
  for (; self->position < position && notmuch_threads_valid (iterator); self->position++)
    {
      /* Skipping a thread still builds it: libnotmuch has no cheaper way forward. */
      native = nm_threads_build_current (self, iterator);
      if (native == NULL)
        {
          self->invalidated = TRUE;
          return NULL;
        }
      notmuch_thread_destroy (native);
      notmuch_threads_move_to_next (iterator);
    }
  if (!notmuch_threads_valid (iterator))
    return NULL;

  native = nm_threads_build_current (self, iterator);
  if (native == NULL)
    {
      self->invalidated = TRUE;
      return NULL;
    }
  thread = _nm_thread_new (self->database, native, self->iterator);
  notmuch_threads_move_to_next (iterator);
  self->position++;
  return thread;
}

static guint
nm_threads_get_n_items (GListModel *model)
{
  NmThreads *self = NM_THREADS (model);
  g_autoptr (GRecMutexLocker) locker = _nm_database_lock (self->database);
  g_autoptr (GError) error = NULL;

  if (self->prefetched != NULL)
    return self->prefetched->len;
  if (self->n_items_known)
    return self->n_items;
  if (!_nm_database_is_current (self->database, self->generation))
    return 0;

  self->n_items = nm_query_count_threads (self->query, &error);
  if (error != NULL)
    return 0;
  self->n_items_known = TRUE;
  return self->n_items;
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
nm_threads_finalize (GObject *object)
{
  NmThreads *self = NM_THREADS (object);

  /* The items of an asynchronous search go where they were made: the worker thread. */
  if (self->prefetched != NULL)
    _nm_database_free_in_worker (self->database, g_steal_pointer (&self->prefetched),
                                 (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&self->iterator, _nm_handle_unref);
  g_clear_pointer (&self->native_query, _nm_handle_unref);
  g_clear_object (&self->query);
  g_clear_object (&self->database);

  g_mutex_clear (&self->cursor_lock);

  G_OBJECT_CLASS (nm_threads_parent_class)->finalize (object);
}

static void
nm_threads_class_init (NmThreadsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_threads_finalize;
}

static void
nm_threads_init (NmThreads *self)
{
  g_mutex_init (&self->cursor_lock);
}

NmThreads *
_nm_threads_new_for_query (NmQuery  *query,
                           GError  **error)
{
  NmDatabase *database = nm_query_get_database (query);
  g_autoptr (GRecMutexLocker) locker = _nm_database_lock (database);
  g_autoptr (NmThreads) self = NULL;
  notmuch_query_t *native;

  native = _nm_query_create_native (query, TRUE, error);
  if (native == NULL)
    return NULL;

  self = g_object_new (NM_TYPE_THREADS, NULL);
  self->database = g_object_ref (database);
  self->generation = _nm_database_get_generation (database);
  self->query = _nm_query_copy (query);
  self->native_query = _nm_handle_new (database, native, nm_threads_destroy_native_query,
                                       NULL, NULL);
  /* Run the search now, so that a malformed query fails here. */
  self->iterator = nm_threads_open_iterator (self, error);
  if (self->iterator == NULL)
    return NULL;
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
 */
gboolean
nm_threads_check (NmThreads  *self,
                  GError    **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREADS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->invalidated)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_OPERATION_INVALIDATED,
                           "The database changed while the threads were read; reopen it "
                           "and search again");
      return FALSE;
    }
  return TRUE;
}

gboolean
_nm_threads_prefetch (NmThreads     *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gpointer item;

  /* The lock is taken per item, so other threads using the database are held up by one
   * item at most. */
  for (guint position = 0; (item = g_list_model_get_item (G_LIST_MODEL (self), position)) != NULL;
       position++)
    {
      g_ptr_array_add (items, item);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  if (!nm_threads_check (self, error))
    return FALSE;
  self->prefetched = g_steal_pointer (&items);
  return TRUE;
}

/**
 * nm_threads_next:
 * @self: a list of threads
 *
 * Gets the thread at the list's cursor and moves the cursor past it.  The cursor starts at
 * the first thread and belongs to the list: [method@Gio.ListModel.get_item] neither uses
 * nor moves it.
 *
 * This reads the list once from start to end without counting it, which matters for
 * threads: libnotmuch counts threads by reading every matching message
 * (`notmuch_query_count_threads()`), about a third of the cost of reading the threads
 * themselves.  In Python a `for` loop over the list asks for its length first
 * (PyGObject's `Gio.ListModel.__iter__` calls `len()`); this does not:
 *
 * ```python
 * for thread in iter(threads.next, None):
 *     print(thread.get_subject())
 * ```
 *
 * Returns: (transfer full) (nullable): the next thread, or %NULL after the last one or when
 *   the walk was cut short (see [method@Notmuch.Threads.check])
 */
NmThread *
nm_threads_next (NmThreads *self)
{
  g_autoptr (GMutexLocker) locker = NULL;
  NmThread *thread;

  g_return_val_if_fail (NM_IS_THREADS (self), NULL);

  locker = g_mutex_locker_new (&self->cursor_lock);
  thread = nm_threads_get_item (G_LIST_MODEL (self), self->cursor);
  if (thread != NULL)
    self->cursor++;
  return thread;
}
