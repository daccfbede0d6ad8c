/* nm-list.c: what NmMessages and NmThreads share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-list-private.h"
#include "nm-compat-private.h"
#include "nm-database-monitor.h"
#include "nm-database-private.h"
#include "nm-error-private.h"

/* The first batch of a list loaded in the background is small, so that the first screen
 * of a view fills at once; later batches grow, so that a large list is not announced one
 * screen at a time. */
#define FIRST_BATCH 50
#define LARGEST_BATCH 2000

/* Entries freed on the calling thread; more go to the worker, where they were made. */
#define ENTRIES_FREED_IN_PLACE 1000

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

static NmList *
nm_list_ref (NmList *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
nm_list_clear (NmList *self)
{
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->walk, _nm_handle_unref);
  g_clear_pointer (&self->cursor_walk, _nm_handle_unref);
  if (self->entries->len > ENTRIES_FREED_IN_PLACE && self->source->free_entry != NULL)
    _nm_database_free_in_worker (self->database, g_steal_pointer (&self->entries),
                                 (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->origin, _nm_origin_unref);
  g_clear_error (&self->load_error);
  g_mutex_clear (&self->cursor_lock);
  g_weak_ref_clear (&self->list);
  g_clear_object (&self->database);
}

static void
nm_list_unref (NmList *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) nm_list_clear);
}

NmList *
_nm_list_new (GListModel         *list,
              NmDatabase         *database,
              const NmListSource *source)
{
  NmList *self = g_atomic_rc_box_new0 (NmList);

  g_weak_ref_init (&self->list, list);
  self->owner = list;
  self->database = g_object_ref (database);
  self->source = source;
  self->generation = _nm_database_get_generation (database);
  self->entries = g_ptr_array_new_with_free_func (source->free_entry);
  self->origin = _nm_origin_new_here ();
  g_mutex_init (&self->cursor_lock);
  return self;
}

void
_nm_list_free (NmList *self)
{
  /* A load still running holds its own reference and stops at its next result. */
  g_weak_ref_set (&self->list, NULL);
  nm_list_unref (self);
}

guint
_nm_list_get_generation (NmList *self)
{
  return self->generation;
}

NmOrigin *
_nm_list_get_origin (NmList *self)
{
  return self->origin;
}

void
_nm_list_set_origin (NmList   *self,
                     NmOrigin *origin)
{
  _nm_origin_unref (self->origin);
  self->origin = _nm_origin_ref (origin);
}

gboolean
_nm_list_start (NmList  *self,
                GError **error)
{
  self->walk = self->source->start_walk (self->owner, error);
  self->walk_removals = _nm_database_get_removals (self->database);
  return self->walk != NULL;
}

/* Appends @entry to the entries.  Requires the lock. */
static void
nm_list_keep (NmList   *self,
              gpointer  entry)
{
  g_ptr_array_add (self->entries, entry);
  if (self->by_key != NULL)
    g_hash_table_insert (self->by_key, (gpointer) self->source->get_key (entry), entry);
}

/* Starts a new walk after messages were removed through the database: libnotmuch ends the
 * process when a walk reaches a document removed since the walk started.  The new walk
 * skips the results kept already; @item as in nm_list_read().  Requires the lock. */
static NmListRead
nm_list_restart (NmList    *self,
                 gpointer  *item)
{
  g_autoptr (GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  NmListRead read;
  gpointer entry;

  g_clear_pointer (&self->walk, _nm_handle_unref);
  self->walk = self->source->start_walk (self->owner, NULL);
  self->walk_removals = _nm_database_get_removals (self->database);
  if (self->walk == NULL)
    return NM_LIST_READ_CUT;
  for (guint i = 0; i < self->entries->len; i++)
    g_hash_table_add (kept, (gpointer) self->source->get_key (self->entries->pdata[i]));
  while ((read = self->source->read (self->owner, self->walk, &entry, NULL)) == NM_LIST_READ_ITEM)
    {
      if (!g_hash_table_contains (kept, self->source->get_key (entry)))
        {
          nm_list_keep (self, entry);
          if (item != NULL)
            *item = self->source->get_item (self->owner, entry);
          return NM_LIST_READ_ITEM;
        }
      if (self->source->free_entry != NULL)
        self->source->free_entry (entry);
    }
  return read;
}

/* Reads the next result into the entries; *@item (when @item is not NULL) is set to its
 * item on NM_LIST_READ_ITEM.  Requires the lock. */
static NmListRead
nm_list_read (NmList    *self,
              gpointer  *item)
{
  NmListRead read;
  gpointer entry;

  if (self->complete)
    return NM_LIST_READ_END;
  if (self->cut)
    return NM_LIST_READ_CUT;
  if (!_nm_database_is_current (self->database, self->generation))
    read = NM_LIST_READ_CUT;
  else if (self->walk == NULL && self->entries->len == 0)
    read = _nm_list_start (self, NULL) ? self->source->read (self->owner, self->walk, &entry, item)
                                       : NM_LIST_READ_CUT;
  else if (self->walk == NULL || self->walk_removals != _nm_database_get_removals (self->database))
    return nm_list_restart (self, item);
  else
    read = self->source->read (self->owner, self->walk, &entry, item);

  if (read == NM_LIST_READ_ITEM)
    {
      nm_list_keep (self, entry);
      return read;
    }
  self->complete = read == NM_LIST_READ_END;
  self->cut = read == NM_LIST_READ_CUT;
  g_clear_pointer (&self->walk, _nm_handle_unref);
  return read;
}

/* Requires the lock. */
static gpointer
nm_list_get_item_locked (NmList *self,
                         guint   position)
{
  gpointer item = NULL;

  if (!_nm_database_is_open (self->database))
    return NULL;
  if (self->background && position >= self->published)
    return NULL;
  if (position < self->entries->len)
    return self->source->get_item (self->owner, self->entries->pdata[position]);
  if (self->background)
    return NULL;
  /* Results skipped on the way are read without making their items. */
  while (self->entries->len < position)
    if (nm_list_read (self, NULL) != NM_LIST_READ_ITEM)
      return NULL;
  if (nm_list_read (self, &item) != NM_LIST_READ_ITEM)
    return NULL;
  return item;
}

gpointer
_nm_list_get_item (NmList *self,
                   guint   position)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  if (self == NULL)
    return NULL;
  locker = _nm_database_lock (self->database);

  return nm_list_get_item_locked (self, position);
}

guint
_nm_list_get_n_items (NmList *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GError) error = NULL;

  if (self == NULL)
    return 0;
  locker = _nm_database_lock (self->database);

  if (self->background)
    return self->published;
  /* Once told, the number stays: a list cut short answers NULL past the cut. */
  if (self->count_known)
    return self->count;
  if (self->complete || self->cut)
    return self->entries->len;
  if (self->source->count != NULL)
    {
      if (!_nm_database_is_current (self->database, self->generation))
        return self->entries->len;
      self->count = self->source->count (self->owner, &error);
      if (error != NULL)
        return self->entries->len;
      self->count_known = TRUE;
      return self->count;
    }
  while (nm_list_read (self, NULL) == NM_LIST_READ_ITEM)
    ;
  return self->entries->len;
}

gboolean
_nm_list_check (NmList      *self,
                const char  *what,
                GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  if (self == NULL)
    return _nm_database_check_open (NULL, error);
  locker = _nm_database_lock (self->database);

  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->load_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->load_error));
      return FALSE;
    }
  if (self->cut || self->cursor_cut)
    {
      _nm_set_error (error, NM_ERROR_OPERATION_INVALIDATED,
                   "The database changed while the %s were read; reopen it and search again",
                   what);
      return FALSE;
    }
  return TRUE;
}

/* Requires the cursor lock and the database lock. */
static gpointer
nm_list_next_locked (NmList *self)
{
  gpointer entry = NULL;
  gpointer item = NULL;
  NmListRead read = NM_LIST_READ_CUT;

  /* Once every result is kept, in the order the cursor reads them, it reads the entries. */
  if (self->complete)
    {
      g_clear_pointer (&self->cursor_walk, _nm_handle_unref);
      if (self->cursor >= self->entries->len)
        return NULL;
      return self->source->get_item (self->owner, self->entries->pdata[self->cursor++]);
    }
  if (self->cursor_done || !_nm_database_is_open (self->database))
    return NULL;
  if (self->cursor_walk == NULL)
    {
      self->cursor_walk = self->source->start_walk (self->owner, NULL);
      self->cursor_removals = _nm_database_get_removals (self->database);
    }
  /* The cursor keeps nothing to skip what it read already: a removal through the database
   * since its walk started ends it, as another process's commit does. */
  if (self->cursor_walk != NULL
      && self->cursor_removals == _nm_database_get_removals (self->database)
      && _nm_database_is_current (self->database, self->generation))
    read = self->source->read (self->owner, self->cursor_walk, &entry, &item);

  if (read == NM_LIST_READ_ITEM)
    {
      if (self->source->free_entry != NULL)
        self->source->free_entry (entry);
      self->cursor++;
      return item;
    }
  self->cursor_done = TRUE;
  self->cursor_cut = read == NM_LIST_READ_CUT;
  g_clear_pointer (&self->cursor_walk, _nm_handle_unref);
  return NULL;
}

gpointer
_nm_list_next (NmList *self)
{
  g_autoptr (GMutexLocker) cursor_locker = NULL;
  g_autoptr (NmDatabaseLocker) locker = NULL;

  if (self == NULL)
    return NULL;
  cursor_locker = g_mutex_locker_new (&self->cursor_lock);
  locker = _nm_database_lock (self->database);
  return nm_list_next_locked (self);
}

gboolean
_nm_list_is_loading (NmList *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  if (self == NULL)
    return FALSE;
  locker = _nm_database_lock (self->database);
  return self->loading;
}

gboolean
_nm_list_read_all (NmList        *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  NmListRead read;

  /* The lock is taken per result, so other threads using the database are held up by one
   * result at most. */
  do
    {
      g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      read = nm_list_read (self, NULL);
    }
  while (read == NM_LIST_READ_ITEM);
  return TRUE;
}

static void nm_list_start_update (NmList *self, guint64 from, guint64 to);

/* One batch of a background load, published on the list's main context. */
typedef struct
{
  NmList *list;
  guint published;
  gboolean done;
} NmListBatch;

static void
nm_list_batch_free (NmListBatch *batch)
{
  nm_list_unref (batch->list);
  g_free (batch);
}

static gboolean
nm_list_publish (gpointer data)
{
  NmListBatch *batch = data;
  NmList *self = batch->list;
  g_autoptr (GObject) list = g_weak_ref_get (&self->list);
  guint before;

  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    before = self->published;
    self->published = batch->published;
    if (batch->done)
      self->loading = FALSE;
  }
  /* Signals are emitted without the database lock: a handler may call into the library
   * from another thread's point of view as well as this one's. */
  if (list == NULL)
    return G_SOURCE_REMOVE;
  if (batch->published > before)
    {
      g_list_model_items_changed (G_LIST_MODEL (list), before, 0, batch->published - before);
      g_object_notify (list, "n-items");
    }
  if (batch->done)
    g_object_notify (list, "loading");
  /* A change that arrived while the list loaded. */
  if (batch->done && self->pending_to != 0)
    {
      guint64 from = self->pending_from, to = self->pending_to;

      self->pending_from = self->pending_to = 0;
      nm_list_start_update (self, from, to);
    }
  return G_SOURCE_REMOVE;
}

static void
nm_list_schedule_publish (NmList   *self,
                          guint     published,
                          gboolean  done)
{
  NmListBatch *batch = g_new0 (NmListBatch, 1);
  g_autoptr (GSource) source = g_idle_source_new ();

  batch->list = nm_list_ref (self);
  batch->published = published;
  batch->done = done;
  /* An idle source, never g_main_context_invoke(): that would run the batch on the worker
   * itself whenever the worker can acquire the context, as it can the global default one
   * while the main loop is not running. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, nm_list_publish, batch, (GDestroyNotify) nm_list_batch_free);
  g_source_set_static_name (source, "[notmuch-glib] list batch");
  g_source_attach (source, _nm_origin_get_context (self->origin));
}

static void
nm_list_load_in_worker (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  NmList *self = task_data;
  guint batch = FIRST_BATCH;
  guint read_in_batch = 0;
  guint read_count = 0;
  NmListRead read = NM_LIST_READ_ITEM;

  while (read == NM_LIST_READ_ITEM)
    {
      /* The list is held only while one result is read: dropping it stops the loading. */
      g_autoptr (GObject) list = g_weak_ref_get (&self->list);
      g_autoptr (NmDatabaseLocker) locker = NULL;

      if (list == NULL)
        return;
      locker = _nm_database_lock (self->database);
      if (g_cancellable_set_error_if_cancelled (cancellable, &self->load_error))
        break;
      read = nm_list_read (self, NULL);
      read_count = self->entries->len;
      g_clear_pointer (&locker, _nm_database_unlock);
      if (read == NM_LIST_READ_ITEM && ++read_in_batch == batch)
        {
          nm_list_schedule_publish (self, read_count, FALSE);
          read_in_batch = 0;
          batch = MIN (batch * 2, LARGEST_BATCH);
        }
    }
  nm_list_schedule_publish (self, read_count, TRUE);
}

void
_nm_list_load (NmList       *self,
               GCancellable *cancellable)
{
  g_autoptr (GTask) task = NULL;

  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    self->background = TRUE;
    self->loading = TRUE;
  }
  /* The task has no source object: it must not keep the list alive. */
  task = g_task_new (NULL, cancellable, NULL, NULL);
  g_task_set_source_tag (task, _nm_list_load);
  g_task_set_task_data (task, nm_list_ref (self), (GDestroyNotify) nm_list_unref);
  _nm_database_run_in_worker (self->database, task, nm_list_load_in_worker);
}

gboolean
_nm_list_get_monitored (NmList *self)
{
  return self != NULL && self->monitor != NULL;
}

/* One change to the entries: @entry replaces the result @key, or removes it when NULL. */
typedef struct
{
  char *key;
  gpointer entry;
} NmListChange;

/* What an update computed on the worker: the changes, and when results vanished, every
 * key in order with the entries of those the list lacks. */
typedef struct
{
  NmList *list;
  guint64 from;
  guint64 to;
  GArray *changes;
  GPtrArray *order;
  GHashTable *new_entries;
} NmListUpdate;

static void
nm_list_update_free (NmListUpdate *update)
{
  NmList *self = update->list;

  for (guint i = 0; update->changes != NULL && i < update->changes->len; i++)
    {
      NmListChange *change = &g_array_index (update->changes, NmListChange, i);

      g_free (change->key);
      if (change->entry != NULL && self->source->free_entry != NULL)
        self->source->free_entry (change->entry);
    }
  g_clear_pointer (&update->changes, g_array_unref);
  g_clear_pointer (&update->order, g_ptr_array_unref);
  g_clear_pointer (&update->new_entries, g_hash_table_unref);
  nm_list_unref (update->list);
  g_free (update);
}

static int
nm_list_compare (NmList        *self,
                 gconstpointer  a,
                 gconstpointer  b)
{
  return self->source->compare (self->owner, a, b);
}

/* The position of @key in the entries at or after @from, or -1.  Requires the lock. */
static gint
nm_list_find (NmList     *self,
              const char *key,
              guint       from)
{
  gpointer entry = g_hash_table_lookup (self->by_key, key);
  guint low = from, high = self->entries->len;

  if (entry == NULL)
    return -1;
  /* In a sorted list, the entries that sort like this one are found by bisection. */
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (nm_list_compare (self, self->entries->pdata[middle], entry) < 0)
        low = middle + 1;
      else
        high = middle;
    }
  for (guint i = low; i < self->entries->len; i++)
    if (self->entries->pdata[i] == entry)
      return (gint) i;
  /* Out of order (an unsorted list, or ties libnotmuch ordered otherwise). */
  for (guint i = from; i < low; i++)
    if (self->entries->pdata[i] == entry)
      return (gint) i;
  return -1;
}

/* Where @entry goes in the sort order.  Requires the lock. */
static guint
nm_list_sorted_position (NmList   *self,
                         gpointer  entry)
{
  guint low = 0, high = self->entries->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (nm_list_compare (self, self->entries->pdata[middle], entry) <= 0)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

/* Computes an update on the worker. */
static void
nm_list_update_in_worker (GTask        *task,
                          gpointer      source,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  NmListUpdate *update = task_data;
  NmList *self = update->list;
  g_autoptr (GObject) list = g_weak_ref_get (&self->list);
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GHashTable) keys = NULL;
  g_autoptr (GPtrArray) after = NULL;
  GHashTableIter iter;
  gpointer key;

  if (list == NULL)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_open (self->database))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  keys = self->source->changed_keys (self->owner, update->from, update->to);
  update->changes = g_array_new (FALSE, TRUE, sizeof (NmListChange));
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      NmListChange change = { g_strdup (key), self->source->read_key (self->owner, key) };

      g_array_append_val (update->changes, change);
    }

  /* The entries as they will be, to see whether results vanished besides. */
  after = g_ptr_array_new ();
  {
    g_autoptr (GHashTable) changed = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < update->changes->len; i++)
      {
        NmListChange *change = &g_array_index (update->changes, NmListChange, i);

        g_hash_table_insert (changed, change->key, change->entry);
      }
    for (guint i = 0; i < self->entries->len; i++)
      if (!g_hash_table_contains (changed, self->source->get_key (self->entries->pdata[i])))
        g_ptr_array_add (after, self->entries->pdata[i]);
    for (guint i = 0; i < update->changes->len; i++)
      {
        NmListChange *change = &g_array_index (update->changes, NmListChange, i);

        if (change->entry != NULL)
          g_ptr_array_add (after, change->entry);
      }
  }
  if (!self->source->is_complete (self->owner, after))
    {
      g_autoptr (GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < after->len; i++)
        g_hash_table_add (known, (gpointer) self->source->get_key (after->pdata[i]));
      update->new_entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   self->source->free_entry);
      update->order = self->source->all_keys (self->owner, known, update->new_entries);
    }
  g_task_return_boolean (task, TRUE);
}

/* Emits items-changed for one change of the entries, without the lock. */
static void
nm_list_announce (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added)
{
  g_list_model_items_changed (list, position, removed, added);
}

static void
nm_list_remove_at (NmList     *self,
                   GListModel *list,
                   guint       position)
{
  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    g_hash_table_remove (self->by_key, self->source->get_key (self->entries->pdata[position]));
    g_ptr_array_remove_index (self->entries, position);
    self->published = self->entries->len;
  }
  nm_list_announce (list, position, 1, 0);
}

static void
nm_list_insert_at (NmList     *self,
                   GListModel *list,
                   guint       position,
                   gpointer    entry)
{
  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    g_hash_table_insert (self->by_key, (gpointer) self->source->get_key (entry), entry);
    g_ptr_array_insert (self->entries, position, entry);
    self->published = self->entries->len;
  }
  nm_list_announce (list, position, 0, 1);
}

/* Applies one change: a result replaced in place if it keeps its place in the order,
 * else moved; inserted in order; or removed. */
static void
nm_list_apply_change (NmList       *self,
                      GListModel   *list,
                      NmListChange *change)
{
  gint position;
  gboolean in_place = FALSE;

  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    position = nm_list_find (self, change->key, 0);
    if (position >= 0 && change->entry != NULL)
      {
        guint at = (guint) position;

        in_place = (at == 0 || nm_list_compare (self, self->entries->pdata[at - 1],
                                                change->entry) <= 0)
                   && (at + 1 == self->entries->len
                       || nm_list_compare (self, change->entry, self->entries->pdata[at + 1]) <= 0);
        if (in_place)
          {
            /* The old entry goes with the array's free function. */
            gpointer old = self->entries->pdata[at];

            g_hash_table_remove (self->by_key, self->source->get_key (old));
            self->entries->pdata[at] = g_steal_pointer (&change->entry);
            g_hash_table_insert (self->by_key,
                                 (gpointer) self->source->get_key (self->entries->pdata[at]),
                                 self->entries->pdata[at]);
            if (self->source->free_entry != NULL)
              self->source->free_entry (old);
          }
      }
  }
  if (in_place)
    {
      nm_list_announce (list, (guint) position, 1, 1);
      return;
    }
  if (position >= 0)
    nm_list_remove_at (self, list, (guint) position);
  if (change->entry != NULL)
    {
      guint at;

      {
        g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

        at = nm_list_sorted_position (self, change->entry);
      }
      nm_list_insert_at (self, list, at, g_steal_pointer (&change->entry));
    }
}

/* Puts the entries in @order: removes the results that vanished, then moves or inserts
 * each key at its place. */
static void
nm_list_apply_order (NmList         *self,
                     GListModel     *list,
                     NmListUpdate   *update)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  guint length;

  for (guint i = 0; i < update->order->len; i++)
    g_hash_table_add (wanted, update->order->pdata[i]);
  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    length = self->entries->len;
  }
  for (guint i = length; i-- > 0;)
    {
      gboolean gone;

      {
        g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

        gone = !g_hash_table_contains (wanted, self->source->get_key (self->entries->pdata[i]));
      }
      if (gone)
        nm_list_remove_at (self, list, i);
    }
  for (guint i = 0; i < update->order->len; i++)
    {
      const char *key = update->order->pdata[i];
      gpointer entry = NULL;
      gint found;

      {
        g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

        if (i < self->entries->len
            && g_str_equal (self->source->get_key (self->entries->pdata[i]), key))
          continue;
        found = nm_list_find (self, key, i + 1);
        if (found >= 0)
          entry = g_ptr_array_steal_index (self->entries, (guint) found);
      }
      /* A move: the same entry, and the same item object, at its new place. */
      if (found >= 0)
        {
          nm_list_announce (list, (guint) found, 1, 0);
          nm_list_insert_at (self, list, i, entry);
          continue;
        }
      {
        g_autofree char *stolen_key = NULL;

        if (!g_hash_table_steal_extended (update->new_entries, key, (gpointer *) &stolen_key,
                                          &entry))
          continue;
      }
      nm_list_insert_at (self, list, i, entry);
    }
}

static void
nm_list_updated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  NmListUpdate *update = g_task_get_task_data (G_TASK (result));
  NmList *self = update->list;
  g_autoptr (GObject) list = g_weak_ref_get (&self->list);
  guint before;

  self->updating = FALSE;
  if (list == NULL || !g_task_propagate_boolean (G_TASK (result), NULL))
    return;
  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    before = self->entries->len;
  }
  for (guint i = 0; i < update->changes->len; i++)
    nm_list_apply_change (self, G_LIST_MODEL (list),
                          &g_array_index (update->changes, NmListChange, i));
  if (update->order != NULL)
    nm_list_apply_order (self, G_LIST_MODEL (list), update);
  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    /* The entries now belong to the database's current view. */
    self->generation = _nm_database_get_generation (self->database);
    self->cut = FALSE;
    if (self->entries->len != before)
      before = G_MAXUINT;
  }
  if (before == G_MAXUINT)
    g_object_notify (list, "n-items");
  if (self->pending_to != 0)
    {
      guint64 from = self->pending_from, to = self->pending_to;

      self->pending_from = self->pending_to = 0;
      nm_list_start_update (self, from, to);
    }
}

static void
nm_list_start_update (NmList  *self,
                      guint64  from,
                      guint64  to)
{
  g_autoptr (GTask) task = NULL;
  NmListUpdate *update;

  if (self->updating || self->loading)
    {
      /* Joined with the one under way: the range grows. */
      if (self->pending_to == 0 || from < self->pending_from)
        self->pending_from = from;
      self->pending_to = MAX (self->pending_to, to);
      return;
    }
  self->updating = TRUE;
  update = g_new0 (NmListUpdate, 1);
  update->list = nm_list_ref (self);
  update->from = from;
  update->to = to;
  task = g_task_new (NULL, NULL, nm_list_updated, NULL);
  g_task_set_source_tag (task, nm_list_start_update);
  g_task_set_task_data (task, update, (GDestroyNotify) nm_list_update_free);
  _nm_database_run_in_worker (self->database, task, nm_list_update_in_worker);
}

static void
nm_list_database_changed (NmDatabaseMonitor *monitor,
                          guint64            old_revision,
                          guint64            new_revision,
                          gpointer           user_data)
{
  nm_list_start_update (user_data, old_revision + 1, new_revision);
}

gboolean
_nm_list_set_monitored (NmList    *self,
                        gboolean   monitored,
                        GError   **error)
{
  if (monitored == (self->monitor != NULL))
    return TRUE;
  if (!monitored)
    {
      g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_clear_object (&self->monitor);
      g_clear_pointer (&self->by_key, g_hash_table_unref);
      return TRUE;
    }
  if (self->source->changed_keys == NULL)
    {
      _nm_set_error_literal (error, NM_ERROR_UNSUPPORTED_OPERATION,
                           "Only the results of a search can follow the database");
      return FALSE;
    }
  self->monitor = nm_database_monitor (self->database, error);
  if (self->monitor == NULL)
    return FALSE;
  g_signal_connect (self->monitor, "changed", G_CALLBACK (nm_list_database_changed), self);
  {
    g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

    /* A monitored list knows every result: its length is the number of its entries. */
    if (!self->background)
      {
        while (nm_list_read (self, NULL) == NM_LIST_READ_ITEM)
          ;
        self->background = TRUE;
        self->published = self->entries->len;
      }
    self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < self->entries->len; i++)
      g_hash_table_insert (self->by_key,
                           (gpointer) self->source->get_key (self->entries->pdata[i]),
                           self->entries->pdata[i]);
  }
  return TRUE;
}

GHashTable *
_nm_list_changed_ids (NmDatabase *database,
                      guint64     from,
                      guint64     to,
                      gboolean    thread_ids)
{
  g_autofree char *query_string = g_strdup_printf ("lastmod:%" G_GUINT64_FORMAT "..%"
                                                   G_GUINT64_FORMAT, from, to);
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  notmuch_query_t *query = notmuch_query_create (_nm_database_get_native (database),
                                                 query_string);
  notmuch_messages_t *messages = NULL;

  if (query == NULL)
    return ids;
  notmuch_query_set_sort (query, NOTMUCH_SORT_UNSORTED);
  notmuch_query_set_omit_excluded (query, NOTMUCH_EXCLUDE_FALSE);
  if (_nm_compat_query_search_messages (query, NOTMUCH_QUERY_SYNTAX_XAPIAN, &messages) == NOTMUCH_STATUS_SUCCESS)
    for (; notmuch_messages_valid (messages); notmuch_messages_move_to_next (messages))
      {
        notmuch_message_t *message = _nm_compat_messages_get (messages);
        const char *id;

        if (message == NULL)
          break;
        id = thread_ids ? notmuch_message_get_thread_id (message)
                        : notmuch_message_get_message_id (message);
        if (id != NULL && !g_hash_table_contains (ids, id))
          g_hash_table_add (ids, g_strdup (id));
        notmuch_message_destroy (message);
      }
  notmuch_query_destroy (query);
  return ids;
}
