/* nm-messages.c: a list of messages: search results, a thread's messages, replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-messages-private.h"
#include "nm-async-private.h"
#include "nm-compat-private.h"
#include "nm-database-private.h"
#include "nm-error-private.h"
#include "nm-list-private.h"
#include "nm-message-private.h"
#include "nm-query-private.h"
#include "nm-tags-private.h"
#include "nm-thread-private.h"

/**
 * NmMessages:
 *
 * A list of messages: the results of [method@Notmuch.Query.search_messages], the messages
 * of a [class@Notmuch.Thread], or the replies to a [class@Notmuch.Message].
 *
 * It is a [iface@Gio.ListModel] of [class@Notmuch.Message], so Python's `len()`, `for` and
 * indexing work on it directly, and a `GtkListView` can show it.  Messages are read from
 * the index as they are asked for, in order; the list keeps the id of each message it read
 * (about 60 bytes each), so that any position read before is answered again by looking the
 * message up by id, without running the search again.  The messages themselves are not
 * kept: walking the list keeps memory nearly flat however many messages match.  Its length
 * is counted by libnotmuch.  To read every message once and keep nothing,
 * [method@Notmuch.Messages.next] is the fast path.
 *
 * [method@Notmuch.Query.load_messages] makes a list that fills on the database's worker
 * thread, in batches announced by [signal@Gio.ListModel::items-changed].
 *
 * If another process commits changes while the list is read, libnotmuch may no longer be
 * able to read the rest: [method@Gio.ListModel.get_item] then returns %NULL from that point
 * on and [method@Notmuch.Messages.check] reports %NM_ERROR_OPERATION_INVALIDATED.
 * Messages removed through the database while the list is read are left out of the rest.
 *
 * Since: 0.1
 */

typedef enum
{
  NM_MESSAGES_SOURCE_QUERY,
  NM_MESSAGES_SOURCE_THREAD,
  NM_MESSAGES_SOURCE_THREAD_TOPLEVEL,
  NM_MESSAGES_SOURCE_REPLIES,
} NmMessagesSource;

struct _NmMessages
{
  GObject parent_instance;

  NmDatabase *database;
  /* The database generation the list was read in (see _nm_database_get_generation()). */
  guint generation;
  NmMessagesSource source;
  /* NM_MESSAGES_SOURCE_QUERY: a frozen copy of the query, and the native query snapshot
   * that owns every messages iterator and message of this list. */
  NmQuery *query;
  NmHandle *native_query;
  /* The other sources: the thread that owns the messages, or the message whose replies
   * these are. */
  NmThread *thread;
  NmMessage *parent_message;

  NmList *list;
};

/* What the list keeps of a query's result: enough to find the message again, and to place
 * a new result in date order. */
typedef struct
{
  /* The message object last made for the entry, while something holds it: asked for
   * again, the position gives the same object. */
  GWeakRef item;
  gint64 date;
  gboolean excluded;
  char message_id[];
} NmMessageEntry;

static void
nm_messages_free_entry (gpointer data)
{
  NmMessageEntry *entry = data;

  g_weak_ref_clear (&entry->item);
  g_free (entry);
}

static void nm_messages_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NmMessages, nm_messages, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nm_messages_list_model_iface_init))

static void
nm_messages_destroy_native_messages (gpointer native)
{
  notmuch_messages_destroy (native);
}

/* Starts a new walk over the list.  Requires the database lock. */
static NmHandle *
nm_messages_start_walk (gpointer   list,
                        GError   **error)
{
  NmMessages *self = list;
  notmuch_messages_t *native = NULL;
  notmuch_thread_t *thread;

  switch (self->source)
    {
    case NM_MESSAGES_SOURCE_QUERY:
      return _nm_query_walk_snapshot (self->query, self->native_query, FALSE, error);

    case NM_MESSAGES_SOURCE_THREAD:
    case NM_MESSAGES_SOURCE_THREAD_TOPLEVEL:
      /* Read when first asked for: NULL when the thread can no longer be read. */
      thread = _nm_thread_get_native (self->thread);
      if (thread == NULL)
        {
          _nm_set_error_literal (error, NM_ERROR_OPERATION_INVALIDATED,
                               "The thread can no longer be read; search again");
          return NULL;
        }
      native = self->source == NM_MESSAGES_SOURCE_THREAD
               ? notmuch_thread_get_messages (thread)
               : notmuch_thread_get_toplevel_messages (thread);
      break;
    case NM_MESSAGES_SOURCE_REPLIES:
      /* NULL for a message that was not reached through a thread: it has no replies list. */
      native = notmuch_message_get_replies (_nm_message_get_native (self->parent_message));
      break;
    default:
      g_assert_not_reached ();
    }

  /* A thread's lists are iterators over lists the thread owns; destroying the iterator
   * frees only the iterator. */
  return _nm_handle_new (self->database, native, nm_messages_destroy_native_messages,
                         g_object_ref (self->thread != NULL ? G_OBJECT (self->thread)
                                                            : G_OBJECT (self->parent_message)),
                         g_object_unref);
}

/* Requires the database lock. */
static NmMessageEntry *
nm_messages_new_entry (notmuch_message_t *native,
                       const char        *message_id)
{
  gsize length = strlen (message_id) + 1;
  NmMessageEntry *entry = g_malloc (sizeof (NmMessageEntry) + length);
  notmuch_bool_t excluded = FALSE;

  notmuch_message_get_flag_st (native, NOTMUCH_MESSAGE_FLAG_EXCLUDED, &excluded);
  g_weak_ref_init (&entry->item, NULL);
  entry->excluded = excluded;
  entry->date = notmuch_message_get_date (native);
  memcpy (entry->message_id, message_id, length);
  return entry;
}

/* Wraps a query's result.  Requires the database lock. */
static NmMessage *
nm_messages_wrap_result (NmMessages        *self,
                         notmuch_message_t *native,
                         NmHandle          *walk)
{
  g_autoptr (NmMessage) message = _nm_message_new (self->database, self->generation,
                                                   _nm_database_get_write_epoch (self->database),
                                                   native, _nm_handle_ref (walk),
                                                   (GDestroyNotify) _nm_handle_unref, TRUE);

  /* Reading the message is what makes libnotmuch reopen a read-only handle whose revision
   * a concurrent commit discarded; the message may then be gone (no id), and the walk's
   * later document ids with it. */
  if (nm_message_get_message_id (message) == NULL
      || !_nm_database_is_current (self->database, self->generation))
    return NULL;
  _nm_message_set_origin (message, _nm_list_get_origin (self->list));
  return g_steal_pointer (&message);
}

/* Wraps a message a thread owns.  Requires the database lock. */
static NmMessage *
nm_messages_wrap_thread_message (NmMessages        *self,
                                 notmuch_message_t *native)
{
  /* libnotmuch returns the same pointer for a thread's message on every walk, and frees it
   * with the thread: it must never be destroyed on its own. */
  NmMessage *message =
    _nm_message_new (self->database, self->generation,
                     self->thread != NULL ? _nm_thread_get_loaded_epoch (self->thread)
                                          : _nm_message_get_loaded_epoch (self->parent_message),
                     native,
                     g_object_ref (self->thread != NULL ? G_OBJECT (self->thread)
                                                        : G_OBJECT (self->parent_message)),
                     g_object_unref, FALSE);

  _nm_message_set_origin (message, _nm_list_get_origin (self->list));
  return message;
}

static NmListRead
nm_messages_read (gpointer   list,
                  NmHandle  *walk,
                  gpointer  *entry,
                  gpointer  *item)
{
  NmMessages *self = list;
  notmuch_messages_t *iterator = _nm_handle_get_native (walk);
  g_autoptr (NmMessage) message = NULL;
  notmuch_message_t *native;

  if (!notmuch_messages_valid (iterator))
    return NM_LIST_READ_END;
  native = _nm_compat_messages_get (iterator);
  if (native == NULL)
    return NM_LIST_READ_CUT;

  if (self->source != NM_MESSAGES_SOURCE_QUERY)
    {
      /* A thread's messages are in memory: the list keeps the wrappers themselves. */
      notmuch_messages_move_to_next (iterator);
      *entry = nm_messages_wrap_thread_message (self, native);
      if (item != NULL)
        *item = g_object_ref (*entry);
      return NM_LIST_READ_ITEM;
    }

  message = nm_messages_wrap_result (self, native, walk);
  notmuch_messages_move_to_next (iterator);
  if (message == NULL)
    return NM_LIST_READ_CUT;
  *entry = nm_messages_new_entry (native, nm_message_get_message_id (message));
  g_weak_ref_set (&((NmMessageEntry *) *entry)->item, message);
  if (item != NULL)
    *item = g_steal_pointer (&message);
  return NM_LIST_READ_ITEM;
}

/* Finds a kept result again by its message id.  Requires the database lock. */
static gpointer
nm_messages_get_entry_item (gpointer list,
                            gpointer entry)
{
  NmMessages *self = list;
  NmMessageEntry *kept = entry;
  notmuch_message_t *native = NULL;
  NmMessage *message;

  if (self->source != NM_MESSAGES_SOURCE_QUERY)
    return g_object_ref (entry);
  /* One made before the database was reopened reads the old view: a new one reads the
   * current one. */
  message = g_weak_ref_get (&kept->item);
  if (message != NULL
      && _nm_message_get_generation (message) == _nm_database_get_generation (self->database))
    return message;
  g_clear_object (&message);
  if (!_nm_database_is_open (self->database)
      || notmuch_database_find_message (_nm_database_get_native (self->database),
                                        kept->message_id, &native) != NOTMUCH_STATUS_SUCCESS
      || native == NULL)
    return NULL;
  if (kept->excluded)
    notmuch_message_set_flag (native, NOTMUCH_MESSAGE_FLAG_EXCLUDED, TRUE);
  message = _nm_message_new (self->database, _nm_database_get_generation (self->database),
                             _nm_database_get_write_epoch (self->database), native, NULL,
                             NULL, TRUE);
  _nm_message_set_origin (message, _nm_list_get_origin (self->list));
  g_weak_ref_set (&kept->item, message);
  return message;
}

static const char *
nm_messages_get_entry_key (gpointer entry)
{
  return ((NmMessageEntry *) entry)->message_id;
}

static const char *
nm_messages_get_thread_entry_key (gpointer entry)
{
  return nm_message_get_message_id (entry);
}

/* libnotmuch's count always leaves out messages with an excluded tag, which the search
 * returns in the FLAG and FALSE modes: nm_query_count_messages() counts those too. */
static guint
nm_messages_count (gpointer   list,
                   GError   **error)
{
  NmMessages *self = list;

  return nm_query_count_messages (self->query, error);
}

/* The entry of the message @key if the list's search matches it now, or NULL.  Requires the
 * database lock. */
static gpointer
nm_messages_read_key (gpointer    list,
                      const char *key)
{
  NmMessages *self = list;
  g_autoptr (NmQuery) query = _nm_query_copy_for_message (self->query, key);
  notmuch_query_t *native;
  notmuch_messages_t *messages = _nm_query_search_messages_quietly (query, &native);
  gpointer entry = NULL;

  if (messages != NULL && notmuch_messages_valid (messages))
    {
      notmuch_message_t *message = _nm_compat_messages_get (messages);

      if (message != NULL)
        entry = nm_messages_new_entry (message, key);
    }
  g_clear_pointer (&native, notmuch_query_destroy);
  return entry;
}

static GHashTable *
nm_messages_changed_keys (gpointer list,
                          guint64  from,
                          guint64  to)
{
  return _nm_list_changed_ids (NM_MESSAGES (list)->database, from, to, FALSE);
}

/* A message removed by another process leaves no trace in the revision: the count tells. */
static gboolean
nm_messages_is_complete (gpointer   list,
                         GPtrArray *entries)
{
  return entries->len == nm_query_count_messages (NM_MESSAGES (list)->query, NULL);
}

static GPtrArray *
nm_messages_all_keys (gpointer    list,
                      GHashTable *known,
                      GHashTable *entries)
{
  NmMessages *self = list;
  GPtrArray *order = g_ptr_array_new_with_free_func (g_free);
  notmuch_query_t *native;
  notmuch_messages_t *messages = _nm_query_search_messages_quietly (self->query, &native);

  if (messages != NULL)
    for (; notmuch_messages_valid (messages); notmuch_messages_move_to_next (messages))
      {
        notmuch_message_t *message = _nm_compat_messages_get (messages);
        const char *id;

        if (message == NULL)
          break;
        id = notmuch_message_get_message_id (message);
        if (id != NULL)
          {
            g_ptr_array_add (order, g_strdup (id));
            if (!g_hash_table_contains (known, id))
              g_hash_table_insert (entries, g_strdup (id), nm_messages_new_entry (message, id));
          }
        notmuch_message_destroy (message);
      }
  g_clear_pointer (&native, notmuch_query_destroy);
  return order;
}

static int
nm_messages_compare (gpointer      list,
                     gconstpointer a,
                     gconstpointer b)
{
  const NmMessageEntry *first = a, *second = b;

  switch (_nm_query_get_sort (NM_MESSAGES (list)->query))
    {
    case NM_SORT_NEWEST_FIRST:
      return first->date > second->date ? -1 : first->date < second->date;
    case NM_SORT_OLDEST_FIRST:
      return first->date < second->date ? -1 : first->date > second->date;
    case NM_SORT_MESSAGE_ID:
      return strcmp (first->message_id, second->message_id);
    default:
      return 0;
    }
}

static const NmListSource query_source = {
  .items = "messages",
  .start_walk = nm_messages_start_walk,
  .read = nm_messages_read,
  .get_item = nm_messages_get_entry_item,
  .get_key = nm_messages_get_entry_key,
  .free_entry = nm_messages_free_entry,
  .count = nm_messages_count,
  .changed_keys = nm_messages_changed_keys,
  .read_key = nm_messages_read_key,
  .is_complete = nm_messages_is_complete,
  .all_keys = nm_messages_all_keys,
  .compare = nm_messages_compare,
};

/* A thread's messages are in memory: the list keeps the wrappers it made, and counts by
 * reading. */
static const NmListSource thread_source = {
  .items = "messages",
  .start_walk = nm_messages_start_walk,
  .read = nm_messages_read,
  .get_item = nm_messages_get_entry_item,
  .get_key = nm_messages_get_thread_entry_key,
  .free_entry = g_object_unref,
  .count = NULL,
};

static gpointer
nm_messages_get_item (GListModel *model,
                      guint       position)
{
  return _nm_list_get_item (NM_MESSAGES (model)->list, position);
}

static guint
nm_messages_get_n_items (GListModel *model)
{
  return _nm_list_get_n_items (NM_MESSAGES (model)->list);
}

static GType
nm_messages_get_item_type (GListModel *model)
{
  return NM_TYPE_MESSAGE;
}

static void
nm_messages_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item = nm_messages_get_item;
  iface->get_item_type = nm_messages_get_item_type;
  iface->get_n_items = nm_messages_get_n_items;
}

static void
nm_messages_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  _nm_list_get_property (NM_MESSAGES (object)->list, object, prop_id, value, pspec);
}

static void
nm_messages_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  _nm_list_set_property (NM_MESSAGES (object)->list, object, prop_id, value, pspec);
}

static void
nm_messages_finalize (GObject *object)
{
  NmMessages *self = NM_MESSAGES (object);

  g_clear_pointer (&self->list, _nm_list_free);
  g_clear_pointer (&self->native_query, _nm_handle_unref);
  g_clear_object (&self->query);
  g_clear_object (&self->thread);
  g_clear_object (&self->parent_message);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (nm_messages_parent_class)->finalize (object);
}

static void
nm_messages_class_init (NmMessagesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_messages_finalize;
  object_class->get_property = nm_messages_get_property;
  object_class->set_property = nm_messages_set_property;

  /* The properties every list has, made by the list core; what they are here: */
  /**
   * NmMessages:n-items:
   *
   * The number of messages in the list, as [method@Gio.ListModel.get_n_items] tells it.
   * A list from [method@Notmuch.Query.load_messages] grows as batches arrive.
   *
   * Since: 0.1
   */

  /**
   * NmMessages:loading:
   *
   * Whether a list from [method@Notmuch.Query.load_messages] is still being filled.
   *
   * Since: 0.1
   */

  /**
   * NmMessages:monitored: (getter get_monitored) (setter set_monitored)
   *
   * Whether the results of a search follow the changes other processes commit to the
   * database (see [class@Notmuch.DatabaseMonitor]): messages that start matching are
   * inserted in sort order, those that stop matching are removed, and changed ones are
   * replaced at their place, each announced by [signal@Gio.ListModel::items-changed] for
   * those positions only.  The messages of a thread or the replies to a message cannot be
   * monitored.  Setting it from Python or gjs fails silently when the database cannot be
   * watched: use [method@Notmuch.Messages.set_monitored] to get the error.
   *
   * Since: 0.1
   */

  _nm_list_install_properties (object_class);
}

static void
nm_messages_init (NmMessages *self)
{
}

/* Requires the database lock. */
static NmMessages *
nm_messages_new (NmDatabase         *database,
                 guint               generation,
                 NmMessagesSource    source,
                 const NmListSource *list_source)
{
  NmMessages *self = g_object_new (NM_TYPE_MESSAGES, NULL);

  /* A thread or message made without a database has an empty list. */
  if (database == NULL)
    return self;
  self->database = g_object_ref (database);
  self->generation = generation;
  self->source = source;
  self->list = _nm_list_new (G_LIST_MODEL (self), database, list_source);
  return self;
}

/* The list of @query's messages, its search not run yet.  Requires the database lock. */
static NmMessages *
nm_messages_new_for_query (NmQuery  *query,
                           GError  **error)
{
  NmDatabase *database = nm_query_get_database (query);
  g_autoptr (NmHandle) snapshot = _nm_query_new_snapshot (query, error);
  NmMessages *self;

  if (snapshot == NULL)
    return NULL;
  self = nm_messages_new (database, _nm_database_get_generation (database),
                          NM_MESSAGES_SOURCE_QUERY, &query_source);
  self->query = _nm_query_copy (query);
  self->native_query = g_steal_pointer (&snapshot);
  return self;
}

NmMessages *
_nm_messages_new_for_query (NmQuery  *query,
                            GError  **error)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (nm_query_get_database (query));
  g_autoptr (NmMessages) self = nm_messages_new_for_query (query, error);

  /* Run the search now, so that a malformed query fails here and not in the first
   * get_item(). */
  if (self == NULL || !_nm_list_start (self->list, error))
    return NULL;
  return g_steal_pointer (&self);
}

NmMessages *
_nm_messages_new_loading (NmQuery       *query,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr (NmMessages) self = NULL;

  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (nm_query_get_database (query));

    self = nm_messages_new_for_query (query, error);
  }
  if (self != NULL)
    _nm_list_load (self->list, cancellable);
  return g_steal_pointer (&self);
}

NmMessages *
_nm_messages_new_for_thread (NmThread *thread,
                             gboolean  toplevel_only)
{
  NmDatabase *database = _nm_thread_get_database (thread);
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (database);
  NmMessages *self = nm_messages_new (database, _nm_thread_get_generation (thread),
                                      toplevel_only ? NM_MESSAGES_SOURCE_THREAD_TOPLEVEL
                                                    : NM_MESSAGES_SOURCE_THREAD,
                                      &thread_source);

  self->thread = g_object_ref (thread);
  return self;
}

NmMessages *
_nm_messages_new_for_replies (NmMessage *message)
{
  NmDatabase *database = nm_message_get_database (message);
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (database);
  NmMessages *self = nm_messages_new (database, _nm_message_get_generation (message),
                                      NM_MESSAGES_SOURCE_REPLIES, &thread_source);

  self->parent_message = g_object_ref (message);
  return self;
}

static int
nm_messages_compare_tags (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/**
 * nm_messages_collect_tags:
 * @self: a list of messages
 * @error: return location for an error
 *
 * Gets every tag carried by at least one message of the list.  The list itself is not
 * consumed: it can still be walked afterwards.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order, or
 *   %NULL on error
 *
 * Since: 0.1
 */
char **
nm_messages_collect_tags (NmMessages  *self,
                          GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GHashTable) seen = NULL;
  g_autoptr (NmHandle) walk = NULL;
  g_autoptr (GPtrArray) tags = NULL;
  notmuch_messages_t *iterator;

  g_return_val_if_fail (NM_IS_MESSAGES (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return NULL;
  walk = nm_messages_start_walk (self, error);
  if (walk == NULL)
    return NULL;

  /* notmuch_messages_collect_tags() would exhaust the iterator and destroy each message,
   * which is wrong for the messages a thread owns: collect here instead. */
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  tags = g_ptr_array_new_with_free_func (g_free);
  iterator = _nm_handle_get_native (walk);
  for (; notmuch_messages_valid (iterator); notmuch_messages_move_to_next (iterator))
    {
      notmuch_message_t *message = _nm_compat_messages_get (iterator);
      notmuch_tags_t *message_tags;

      if (message == NULL)
        {
          _nm_set_error_literal (error, NM_ERROR_OPERATION_INVALIDATED,
                               "The database changed while the tags were read; reopen it "
                               "and search again");
          return NULL;
        }
      message_tags = notmuch_message_get_tags (message);
      for (; notmuch_tags_valid (message_tags); notmuch_tags_move_to_next (message_tags))
        {
          const char *tag = notmuch_tags_get (message_tags);

          if (!g_hash_table_contains (seen, tag))
            {
              char *copy = g_strdup (tag);

              g_hash_table_add (seen, copy);
              g_ptr_array_add (tags, copy);
            }
        }
      g_clear_pointer (&message_tags, notmuch_tags_destroy);
      if (self->source == NM_MESSAGES_SOURCE_QUERY)
        notmuch_message_destroy (message);
    }

  g_ptr_array_sort (tags, nm_messages_compare_tags);
  g_ptr_array_add (tags, NULL);
  g_ptr_array_set_free_func (tags, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
}

static gboolean
nm_messages_collect_tags_call (gpointer       source,
                               NmCall        *call,
                               GCancellable  *cancellable,
                               GError       **error)
{
  char **tags = nm_messages_collect_tags (source, error);

  _nm_call_set_value (call, tags, (GDestroyNotify) g_strfreev);
  return tags != NULL;
}

/**
 * nm_messages_collect_tags_async:
 * @self: a list of messages
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the tags
 * @user_data: data for @callback
 *
 * Collects the tags of the list's messages in the database's worker thread; see
 * [method@Notmuch.Messages.collect_tags].
 *
 * Since: 0.1
 */
void
nm_messages_collect_tags_async (NmMessages          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_MESSAGES (self));

  _nm_call_start (_nm_call_new (nm_messages_collect_tags_call), self->database, self,
                  nm_messages_collect_tags_async, NM_CALL_READS, cancellable, callback,
                  user_data);
}

/**
 * nm_messages_collect_tags_finish:
 * @self: a list of messages
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Messages.collect_tags_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order, or
 *   %NULL on error
 *
 * Since: 0.1
 */
char **
nm_messages_collect_tags_finish (NmMessages    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _nm_call_finish_value (result, self, nm_messages_collect_tags_async, error);
}

/**
 * nm_messages_check:
 * @self: a list of messages
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
nm_messages_check (NmMessages  *self,
                   GError     **error)
{
  g_return_val_if_fail (NM_IS_MESSAGES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _nm_list_check (self->list, error);
}

gboolean
_nm_messages_read_all (NmMessages    *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return _nm_list_read_all (self->list, cancellable, error);
}

NmList *
_nm_messages_get_list (NmMessages *self)
{
  return self->list;
}

void
_nm_messages_set_origin (NmMessages *self,
                         NmOrigin   *origin)
{
  _nm_list_set_origin (self->list, origin);
}

/**
 * nm_messages_next:
 * @self: a list of messages
 *
 * Gets the message at the list's cursor and moves the cursor past it.  The cursor starts at
 * the first message and belongs to the list: [method@Gio.ListModel.get_item] neither uses
 * nor moves it.
 *
 * This reads the list once from start to end without counting it and without keeping
 * anything of the messages it returned.  In Python a `for` loop over the list asks for its
 * length first (PyGObject's `Gio.ListModel.__iter__` calls `len()`), which counts the
 * messages first; this does not:
 *
 * ```python
 * for message in iter(messages.next, None):
 *     print(message.get_message_id())
 * ```
 *
 * Removing a message through the database ends the cursor's walk (check() then reports
 * %NM_ERROR_OPERATION_INVALIDATED); [method@Gio.ListModel.get_item] carries on.
 *
 * Returns: (transfer full) (nullable): the next message, or %NULL after the last one or when
 *   the walk was cut short (see [method@Notmuch.Messages.check])
 *
 * Since: 0.1
 */
NmMessage *
nm_messages_next (NmMessages *self)
{
  g_return_val_if_fail (NM_IS_MESSAGES (self), NULL);

  return _nm_list_next (self->list);
}

/**
 * nm_messages_get_monitored: (get-property monitored)
 * @self: a list of messages
 *
 * Gets whether the list follows the changes other processes commit.
 *
 * Returns: %TRUE if it does
 *
 * Since: 0.1
 */
gboolean
nm_messages_get_monitored (NmMessages *self)
{
  g_return_val_if_fail (NM_IS_MESSAGES (self), FALSE);

  return _nm_list_get_monitored (self->list);
}

/**
 * nm_messages_set_monitored: (set-property monitored)
 * @self: a list of messages
 * @monitored: whether to follow the database
 * @error: return location for an error
 *
 * Makes the results of a search follow the changes other processes commit to the
 * database, or stop following them; see [property@Notmuch.Messages:monitored].  Turning it
 * on reads every message of a list not read yet, and needs a main loop running on the
 * thread-default main context of the caller, where the changes are announced.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the database cannot be watched
 *   or the list is not the results of a search
 *
 * Since: 0.1
 */
gboolean
nm_messages_set_monitored (NmMessages  *self,
                           gboolean     monitored,
                           GError     **error)
{
  g_return_val_if_fail (NM_IS_MESSAGES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _nm_list_set_monitored (self->list, monitored, error);
}
