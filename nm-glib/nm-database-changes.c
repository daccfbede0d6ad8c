/* nm-database-changes.c: telling the objects of a message or thread that its tags changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"
#include "nm-message-private.h"
#include "nm-thread-private.h"

/* An object is registered from its creation until its dispose, which runs while its
 * reference count is still 1: taking a reference under live_lock is therefore always
 * taken on a living object, and dispose (waiting for live_lock) sees it. */
static void
nm_database_watch (NmDatabase  *self,
                   GHashTable **table,
                   gpointer     object,
                   const char  *id)
{
  GPtrArray *objects;

  g_mutex_lock (&self->live_lock);
  if (*table == NULL)
    *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_ptr_array_unref);
  objects = g_hash_table_lookup (*table, id);
  if (objects == NULL)
    {
      objects = g_ptr_array_new ();
      g_hash_table_insert (*table, g_strdup (id), objects);
    }
  g_ptr_array_add (objects, object);
  g_mutex_unlock (&self->live_lock);
}

static void
nm_database_unwatch (NmDatabase *self,
                     GHashTable *table,
                     gpointer    object,
                     const char *id)
{
  GPtrArray *objects;

  g_mutex_lock (&self->live_lock);
  objects = table != NULL ? g_hash_table_lookup (table, id) : NULL;
  if (objects != NULL && g_ptr_array_remove_fast (objects, object) && objects->len == 0)
    g_hash_table_remove (table, id);
  g_mutex_unlock (&self->live_lock);
}

void
_nm_database_watch_message (NmDatabase *self,
                            NmMessage  *message,
                            const char *message_id)
{
  nm_database_watch (self, &self->live_messages, message, message_id);
}

void
_nm_database_unwatch_message (NmDatabase *self,
                              NmMessage  *message,
                              const char *message_id)
{
  nm_database_unwatch (self, self->live_messages, message, message_id);
}

void
_nm_database_watch_thread (NmDatabase *self,
                           NmThread   *thread,
                           const char *thread_id)
{
  nm_database_watch (self, &self->live_threads, thread, thread_id);
}

void
_nm_database_unwatch_thread (NmDatabase *self,
                             NmThread   *thread,
                             const char *thread_id)
{
  nm_database_unwatch (self, self->live_threads, thread, thread_id);
}

static void
nm_database_add_change (GHashTable **changed,
                        const char  *id)
{
  if (id == NULL)
    return;
  if (*changed == NULL)
    *changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!g_hash_table_contains (*changed, id))
    g_hash_table_add (*changed, g_strdup (id));
}

void
_nm_database_note_tags_changed (NmDatabase *self,
                                const char *message_id,
                                const char *thread_id)
{
  nm_database_add_change (&self->changed_messages, message_id);
  nm_database_add_change (&self->changed_threads, thread_id);
}

/* References the live objects of every id in @ids.  Requires live_lock. */
static void
nm_database_collect_live (GHashTable *live,
                          GHashTable *ids,
                          GPtrArray  *objects)
{
  GHashTableIter iter;
  gpointer id;

  if (live == NULL || ids == NULL)
    return;
  g_hash_table_iter_init (&iter, ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      GPtrArray *alive = g_hash_table_lookup (live, id);

      for (guint i = 0; alive != NULL && i < alive->len; i++)
        g_ptr_array_add (objects, g_object_ref (alive->pdata[i]));
    }
}

void
_nm_database_deliver_changes (NmDatabase *self)
{
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) threads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) changed_messages = NULL;
  g_autoptr (GHashTable) changed_threads = NULL;

  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self);

    changed_messages = g_steal_pointer (&self->changed_messages);
    changed_threads = g_steal_pointer (&self->changed_threads);
    g_mutex_lock (&self->live_lock);
    nm_database_collect_live (self->live_messages, changed_messages, messages);
    nm_database_collect_live (self->live_threads, changed_threads, threads);
    g_mutex_unlock (&self->live_lock);

    for (guint i = messages->len; i-- > 0;)
      if (!_nm_message_refresh_tags (messages->pdata[i]))
        g_ptr_array_remove_index_fast (messages, i);
    for (guint i = threads->len; i-- > 0;)
      if (!_nm_thread_refresh_tags (threads->pdata[i]))
        g_ptr_array_remove_index_fast (threads, i);
  }

  for (guint i = 0; i < messages->len; i++)
    _nm_message_notify_tags (messages->pdata[i]);
  for (guint i = 0; i < threads->len; i++)
    _nm_thread_notify_tags (threads->pdata[i]);
}
