/* nm-threads.c: a list of threads: the results of a thread search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-threads-private.h"
#include "nm-database-private.h"
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
 */
struct _NmThreads
{
  GObject parent_instance;

  NmDatabase *database;
  /* A frozen copy of the query, and the native query snapshot that owns every walk. */
  NmQuery *query;
  NmHandle *native_query;
  NmList *list;
};

static void nm_threads_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NmThreads, nm_threads, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nm_threads_list_model_iface_init))

enum
{
  PROP_0,
  PROP_N_ITEMS,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* Requires the database lock. */
static NmHandle *
nm_threads_start_walk (gpointer   list,
                       GError   **error)
{
  NmThreads *self = list;
  notmuch_threads_t *native = NULL;
  notmuch_status_t status;

  status = notmuch_query_search_threads (_nm_handle_get_native (self->native_query), &native);
  if (!_nm_query_check_status (self->query, status, error, "search for threads matching"))
    return NULL;
  return _nm_handle_new (self->database, native, nm_threads_destroy_native_threads,
                         _nm_handle_ref (self->native_query), (GDestroyNotify) _nm_handle_unref);
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

static const NmListSource threads_source = {
  .start_walk = nm_threads_start_walk,
  .read = nm_threads_read,
  .get_item = nm_threads_get_entry_item,
  .get_key = nm_threads_get_entry_key,
  .free_entry = g_object_unref,
  /* libnotmuch counts threads by reading every matching message, which building them does
   * anyway: the list is read to its end instead, once. */
  .count = NULL,
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
  NmThreads *self = NM_THREADS (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->list != NULL ? _nm_list_get_n_items (self->list) : 0);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->list != NULL && _nm_list_is_loading (self->list));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_threads_finalize (GObject *object)
{
  NmThreads *self = NM_THREADS (object);

  g_clear_pointer (&self->list, _nm_list_free);
  g_clear_pointer (&self->native_query, _nm_handle_unref);
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

  /**
   * NmThreads:n-items:
   *
   * The number of threads in the list, as [method@Gio.ListModel.get_n_items] tells it.
   * A list from [method@Notmuch.Query.load_threads] grows as batches arrive.
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * NmThreads:loading:
   *
   * Whether a list from [method@Notmuch.Query.load_threads] is still being filled.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_threads_init (NmThreads *self)
{
}

NmThreads *
_nm_threads_new_for_query (NmQuery  *query,
                           GError  **error)
{
  NmDatabase *database = nm_query_get_database (query);
  g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (database);
  g_autoptr (NmThreads) self = NULL;
  notmuch_query_t *native;

  native = _nm_query_create_native (query, TRUE, error);
  if (native == NULL)
    return NULL;

  self = g_object_new (NM_TYPE_THREADS, NULL);
  self->database = g_object_ref (database);
  self->query = _nm_query_copy (query);
  self->native_query = _nm_handle_new (database, native, nm_threads_destroy_native_query,
                                       NULL, NULL);
  self->list = _nm_list_new (G_LIST_MODEL (self), database, &threads_source);
  /* Run the search now, so that a malformed query fails here. */
  if (!_nm_list_start (self->list, error))
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
  g_return_val_if_fail (NM_IS_THREADS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _nm_list_check (self->list, "threads", error);
}

gboolean
_nm_threads_read_all (NmThreads     *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return _nm_list_read_all (self->list, cancellable, error) && nm_threads_check (self, error);
}

void
_nm_threads_set_origin (NmThreads *self,
                        NmOrigin  *origin)
{
  _nm_list_set_origin (self->list, origin);
}

void
_nm_threads_load (NmThreads    *self,
                  GCancellable *cancellable)
{
  _nm_list_load (self->list, cancellable);
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
 */
NmThread *
nm_threads_next (NmThreads *self)
{
  g_return_val_if_fail (NM_IS_THREADS (self), NULL);

  return _nm_list_next (self->list);
}
