/* nm-list-monitor.c: lists that follow the changes other processes commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-list-private.h"
#include "nm-compat-private.h"
#include "nm-database-monitor.h"
#include "nm-database-private.h"
#include "nm-error-private.h"

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
  _nm_list_unref (update->list);
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
      NmListChange change = { g_strdup (key), NULL };

      /* The lock is taken per result read, so that a view reading the list meanwhile
       * waits for one result at most, not for the whole update. */
      g_clear_pointer (&locker, _nm_database_unlock);
      _nm_database_give_way (self->database);
      locker = _nm_database_lock (self->database);
      if (!_nm_database_is_open (self->database))
        {
          g_free (change.key);
          g_task_return_boolean (task, FALSE);
          return;
        }
      change.entry = self->source->read_key (self->owner, key);
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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
        g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    length = self->entries->len;
  }
  for (guint i = length; i-- > 0;)
    {
      gboolean gone;

      {
        g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
        g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    before = self->entries->len;
  }
  for (guint i = 0; i < update->changes->len; i++)
    nm_list_apply_change (self, G_LIST_MODEL (list),
                          &g_array_index (update->changes, NmListChange, i));
  if (update->order != NULL)
    nm_list_apply_order (self, G_LIST_MODEL (list), update);
  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

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
      _nm_list_start_update (self, from, to);
    }
}

void
_nm_list_start_update (NmList  *self,
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
  update->list = _nm_list_ref (self);
  update->from = from;
  update->to = to;
  task = g_task_new (NULL, NULL, nm_list_updated, NULL);
  g_task_set_source_tag (task, _nm_list_start_update);
  g_task_set_task_data (task, update, (GDestroyNotify) nm_list_update_free);
  _nm_database_run_in_worker (self->database, task, nm_list_update_in_worker);
}

static void
nm_list_database_changed (NmDatabaseMonitor *monitor,
                          guint64            old_revision,
                          guint64            new_revision,
                          gpointer           user_data)
{
  _nm_list_start_update (user_data, old_revision + 1, new_revision);
}

static void
nm_list_stop_monitoring (NmList *self)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

  g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
}

static gboolean
nm_list_start_monitoring (NmList  *self,
                          GError **error)
{
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
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    /* A monitored list knows every result: its length is the number of its entries. */
    if (!self->background)
      {
        while (_nm_list_read (self, NULL) == NM_LIST_READ_ITEM)
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

gboolean
_nm_list_set_monitored (NmList    *self,
                        gboolean   monitored,
                        GError   **error)
{
  if (self == NULL)
    {
      _nm_set_error_literal (error, NM_ERROR_CLOSED_DATABASE,
                           "The list belongs to no database");
      return FALSE;
    }
  if (monitored == (self->monitor != NULL))
    return TRUE;
  if (!monitored)
    nm_list_stop_monitoring (self);
  else if (!nm_list_start_monitoring (self, error))
    return FALSE;
  /* The caller holds the list; handlers run without the database lock, as they may call
   * into the library. */
  g_object_notify (G_OBJECT (self->owner), "monitored");
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
