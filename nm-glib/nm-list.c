/* nm-list.c: what NmMessages and NmThreads share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-list-private.h"
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


NmList *
_nm_list_ref (NmList *self)
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

void
_nm_list_unref (NmList *self)
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
  _nm_list_unref (self);
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

NmListRead
_nm_list_read (NmList    *self,
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
    if (_nm_list_read (self, NULL) != NM_LIST_READ_ITEM)
      return NULL;
  if (_nm_list_read (self, &item) != NM_LIST_READ_ITEM)
    return NULL;
  return item;
}

gpointer
_nm_list_get_item (NmList *self,
                   guint   position)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  if (self == NULL || g_atomic_int_get (&self->searching))
    return NULL;
  locker = _nm_database_lock (self->database);

  return nm_list_get_item_locked (self, position);
}

guint
_nm_list_get_n_items (NmList *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GError) error = NULL;

  if (self == NULL || g_atomic_int_get (&self->searching))
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
  while (_nm_list_read (self, NULL) == NM_LIST_READ_ITEM)
    ;
  return self->entries->len;
}

gboolean
_nm_list_check (NmList  *self,
                GError **error)
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
                   self->source->items);
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
  if (g_atomic_int_get (&self->searching))
    return TRUE;
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
      g_autoptr (NmDatabaseLocker) locker = NULL;

      _nm_database_give_way (self->database);
      locker = _nm_database_lock (self->database);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      read = _nm_list_read (self, NULL);
    }
  while (read == NM_LIST_READ_ITEM);
  return _nm_list_check (self, error);
}

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
  _nm_list_unref (batch->list);
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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
      _nm_list_start_update (self, from, to);
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

  batch->list = _nm_list_ref (self);
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

/* Runs the search of a list loaded in the background, keeping its failure for check().
 * FALSE if the list was dropped.  On the worker. */
static gboolean
nm_list_start_loading (NmList       *self,
                       GCancellable *cancellable)
{
  g_autoptr (GObject) list = g_weak_ref_get (&self->list);
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = NULL;

  if (list == NULL)
    return FALSE;
  g_atomic_int_set (&self->searching, TRUE);
  locker = _nm_database_lock (self->database);
  if (self->walk == NULL && !self->cut && !self->complete
      && _nm_database_is_current (self->database, self->generation)
      && !g_cancellable_is_cancelled (cancellable))
    self->cut = !_nm_list_start (self, &self->load_error);
  g_atomic_int_set (&self->searching, FALSE);
  return TRUE;
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

  if (!nm_list_start_loading (self, cancellable))
    return;
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
      read = _nm_list_read (self, NULL);
      read_count = self->entries->len;
      g_clear_pointer (&locker, _nm_database_unlock);
      _nm_database_give_way (self->database);
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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    self->background = TRUE;
    self->loading = TRUE;
  }
  /* The task has no source object: it must not keep the list alive. */
  task = g_task_new (NULL, cancellable, NULL, NULL);
  g_task_set_source_tag (task, _nm_list_load);
  g_task_set_task_data (task, _nm_list_ref (self), (GDestroyNotify) _nm_list_unref);
  _nm_database_run_in_worker (self->database, task, nm_list_load_in_worker);
}

void
_nm_list_install_properties (GObjectClass *object_class)
{
  g_object_class_install_property (object_class, NM_LIST_PROP_N_ITEMS,
                                   g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                      G_PARAM_READABLE
                                                      | G_PARAM_EXPLICIT_NOTIFY
                                                      | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, NM_LIST_PROP_LOADING,
                                   g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                         G_PARAM_READABLE
                                                         | G_PARAM_EXPLICIT_NOTIFY
                                                         | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, NM_LIST_PROP_MONITORED,
                                   g_param_spec_boolean ("monitored", NULL, NULL, FALSE,
                                                         G_PARAM_READWRITE
                                                         | G_PARAM_EXPLICIT_NOTIFY
                                                         | G_PARAM_STATIC_STRINGS));
}

void
_nm_list_get_property (NmList     *self,
                       GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  switch (prop_id)
    {
    case NM_LIST_PROP_N_ITEMS:
      g_value_set_uint (value, _nm_list_get_n_items (self));
      break;
    case NM_LIST_PROP_LOADING:
      g_value_set_boolean (value, _nm_list_is_loading (self));
      break;
    case NM_LIST_PROP_MONITORED:
      g_value_set_boolean (value, _nm_list_get_monitored (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
_nm_list_set_property (NmList       *self,
                       GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case NM_LIST_PROP_MONITORED:
      /* A property cannot report the error: the setter method does. */
      _nm_list_set_monitored (self, g_value_get_boolean (value), NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}
