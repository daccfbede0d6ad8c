/* nm-messages.c: a list of messages: search results, a thread's messages, replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-messages-private.h"
#include "nm-database-private.h"
#include "nm-compat-private.h"
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
 * indexing work on it directly.  Messages are read from the index as they are asked for,
 * and nothing keeps them once dropped: walking the list in order keeps memory flat however
 * many messages match.  Asking for an earlier position runs the search again from the start.
 * The list can be walked any number of times.  To read every message once,
 * [method@Notmuch.Messages.next] is the fast path: it never counts the messages, which a
 * Python `for` loop does first.
 *
 * If another process commits changes while the list is read, libnotmuch may no longer be
 * able to read the rest: [method@Gio.ListModel.get_item] then returns %NULL from that point
 * on and [method@Notmuch.Messages.check] reports %NM_ERROR_OPERATION_INVALIDATED.
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

  /* The iterator in use and the position of its current message. */
  NmHandle *iterator;
  guint position;

  /* The position nm_messages_next() reads next, and the lock that makes its read and step one. */
  guint cursor;
  GMutex cursor_lock;

  guint n_items;
  gboolean n_items_known;
  gboolean invalidated;
  /* Every item, read in advance by _nm_messages_prefetch(); NULL for a streaming list. */
  GPtrArray *prefetched;
};

static void nm_messages_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NmMessages, nm_messages, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nm_messages_list_model_iface_init))

static void
nm_messages_destroy_native_messages (gpointer native)
{
  notmuch_messages_destroy (native);
}

static void
nm_messages_destroy_native_query (gpointer native)
{
  notmuch_query_destroy (native);
}

/* Starts a new walk over the list.  Requires the database lock. */
static NmHandle *
nm_messages_open_iterator (NmMessages  *self,
                           GError     **error)
{
  notmuch_messages_t *native = NULL;
  notmuch_status_t status;

  switch (self->source)
    {
    case NM_MESSAGES_SOURCE_QUERY:
      status = notmuch_query_search_messages (_nm_handle_get_native (self->native_query),
                                              &native);
      if (!_nm_query_check_status (self->query, status, error, "search for messages matching"))
        return NULL;
      /* Messages of a query belong to the iterator that produced them. */
      return _nm_handle_new (self->database, native, nm_messages_destroy_native_messages,
                             _nm_handle_ref (self->native_query),
                             (GDestroyNotify) _nm_handle_unref);

    case NM_MESSAGES_SOURCE_THREAD:
      native = notmuch_thread_get_messages (_nm_thread_get_native (self->thread));
      break;
    case NM_MESSAGES_SOURCE_THREAD_TOPLEVEL:
      native = notmuch_thread_get_toplevel_messages (_nm_thread_get_native (self->thread));
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

/* Wraps the iterator's current message.  Requires the database lock. */
static NmMessage *
nm_messages_wrap_current (NmMessages *self, notmuch_messages_t *iterator)
{
  notmuch_message_t *native = _nm_compat_messages_get (iterator);

  if (native == NULL)
    {
      self->invalidated = TRUE;
      return NULL;
    }
  if (self->source == NM_MESSAGES_SOURCE_QUERY)
    {
      g_autoptr (NmMessage) message = _nm_message_new (self->database, self->generation,
                                                       _nm_database_get_write_epoch (self->database),
                                                       native,
                                                       _nm_handle_ref (self->iterator),
                                                       (GDestroyNotify) _nm_handle_unref, TRUE);

      /* Reading the message is what makes libnotmuch reopen a read-only handle whose
       * revision a concurrent commit discarded; the message may then be gone (no id), and
       * the iterator's later document ids with it. */
      if (nm_message_get_message_id (message) == NULL
          || !_nm_database_is_current (self->database, self->generation))
        {
          self->invalidated = TRUE;
          return NULL;
        }
      return g_steal_pointer (&message);
    }

  /* libnotmuch returns the same pointer for a thread's message on every walk, and frees it
   * with the thread: it must never be destroyed on its own. */
  return _nm_message_new (self->database, self->generation,
                          self->thread != NULL
                            ? _nm_thread_get_loaded_epoch (self->thread)
                            : _nm_message_get_loaded_epoch (self->parent_message),
                          native,
                          g_object_ref (self->thread != NULL ? G_OBJECT (self->thread)
                                                             : G_OBJECT (self->parent_message)),
                          g_object_unref, FALSE);
}

static gpointer
nm_messages_get_item (GListModel *model,
                      guint       position)
{
  NmMessages *self = NM_MESSAGES (model);
  g_autoptr (GRecMutexLocker) locker = NULL;
  notmuch_messages_t *iterator;
  NmMessage *message;

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
      self->iterator = nm_messages_open_iterator (self, NULL);
      if (self->iterator == NULL)
        {
          self->invalidated = TRUE;
          return NULL;
        }
    }

  iterator = _nm_handle_get_native (self->iterator);
  for (; self->position < position && notmuch_messages_valid (iterator); self->position++)
    notmuch_messages_move_to_next (iterator);
  if (!notmuch_messages_valid (iterator))
    return NULL;

  message = nm_messages_wrap_current (self, iterator);
  notmuch_messages_move_to_next (iterator);
  self->position++;
  return message;
}

/* Counts by walking: a thread's lists are in memory, so this reads nothing from the index.
 * Requires the database lock. */
static guint
nm_messages_count_by_walking (NmMessages *self)
{
  g_autoptr (NmHandle) walk = nm_messages_open_iterator (self, NULL);
  notmuch_messages_t *iterator;
  guint count = 0;

  if (walk == NULL)
    return 0;
  iterator = _nm_handle_get_native (walk);
  for (; notmuch_messages_valid (iterator); notmuch_messages_move_to_next (iterator))
    count++;
  return count;
}

static guint
nm_messages_get_n_items (GListModel *model)
{
  NmMessages *self = NM_MESSAGES (model);
  g_autoptr (GRecMutexLocker) locker = _nm_database_lock (self->database);
  g_autoptr (GError) error = NULL;

  if (self->prefetched != NULL)
    return self->prefetched->len;
  if (self->n_items_known)
    return self->n_items;
  if (!_nm_database_is_current (self->database, self->generation))
    return 0;

  if (self->source == NM_MESSAGES_SOURCE_QUERY)
    {
      self->n_items = nm_query_count_messages (self->query, &error);
      if (error != NULL)
        return 0;
    }
  else
    {
      self->n_items = nm_messages_count_by_walking (self);
    }
  self->n_items_known = TRUE;
  return self->n_items;
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
nm_messages_finalize (GObject *object)
{
  NmMessages *self = NM_MESSAGES (object);

  /* The items of an asynchronous search go where they were made: the worker thread. */
  if (self->prefetched != NULL)
    _nm_database_free_in_worker (self->database, g_steal_pointer (&self->prefetched),
                                 (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&self->iterator, _nm_handle_unref);
  g_clear_pointer (&self->native_query, _nm_handle_unref);
  g_clear_object (&self->query);
  g_clear_object (&self->thread);
  g_clear_object (&self->parent_message);
  g_clear_object (&self->database);

  g_mutex_clear (&self->cursor_lock);

  G_OBJECT_CLASS (nm_messages_parent_class)->finalize (object);
}

static void
nm_messages_class_init (NmMessagesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_messages_finalize;
}

static void
nm_messages_init (NmMessages *self)
{
  g_mutex_init (&self->cursor_lock);
}

NmMessages *
_nm_messages_new_for_query (NmQuery  *query,
                            GError  **error)
{
  NmDatabase *database = nm_query_get_database (query);
  g_autoptr (GRecMutexLocker) locker = _nm_database_lock (database);
  g_autoptr (NmMessages) self = NULL;
  notmuch_query_t *native;

  native = _nm_query_create_native (query, TRUE, error);
  if (native == NULL)
    return NULL;

  self = g_object_new (NM_TYPE_MESSAGES, NULL);
  self->database = g_object_ref (database);
  self->generation = _nm_database_get_generation (database);
  self->source = NM_MESSAGES_SOURCE_QUERY;
  self->query = _nm_query_copy (query);
  self->native_query = _nm_handle_new (database, native, nm_messages_destroy_native_query,
                                       NULL, NULL);
  /* Run the search now, so that a malformed query fails here and not in the first
   * get_item(). */
  self->iterator = nm_messages_open_iterator (self, error);
  if (self->iterator == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

NmMessages *
_nm_messages_new_for_thread (NmThread *thread,
                             gboolean  toplevel_only)
{
  NmMessages *self = g_object_new (NM_TYPE_MESSAGES, NULL);

  self->database = g_object_ref (_nm_thread_get_database (thread));
  self->generation = _nm_thread_get_generation (thread);
  self->source = toplevel_only ? NM_MESSAGES_SOURCE_THREAD_TOPLEVEL : NM_MESSAGES_SOURCE_THREAD;
  self->thread = g_object_ref (thread);
  return self;
}

NmMessages *
_nm_messages_new_for_replies (NmMessage *message)
{
  NmMessages *self = g_object_new (NM_TYPE_MESSAGES, NULL);

  self->database = g_object_ref (nm_message_get_database (message));
  self->generation = _nm_message_get_generation (message);
  self->source = NM_MESSAGES_SOURCE_REPLIES;
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
 */
char **
nm_messages_collect_tags (NmMessages  *self,
                          GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  g_autoptr (GHashTable) seen = NULL;
  g_autoptr (NmHandle) walk = NULL;
  g_autoptr (GPtrArray) tags = NULL;
  notmuch_messages_t *iterator;

  g_return_val_if_fail (NM_IS_MESSAGES (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return NULL;
  walk = nm_messages_open_iterator (self, error);
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
          self->invalidated = TRUE;
          nm_messages_check (self, error);
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
 */
gboolean
nm_messages_check (NmMessages  *self,
                   GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->invalidated)
    {
      g_set_error_literal (error, NM_ERROR, NM_ERROR_OPERATION_INVALIDATED,
                           "The database changed while the messages were read; reopen it "
                           "and search again");
      return FALSE;
    }
  return TRUE;
}

gboolean
_nm_messages_prefetch (NmMessages     *self,
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
  if (!nm_messages_check (self, error))
    return FALSE;
  self->prefetched = g_steal_pointer (&items);
  return TRUE;
}

/**
 * nm_messages_next:
 * @self: a list of messages
 *
 * Gets the message at the list's cursor and moves the cursor past it.  The cursor starts at
 * the first message and belongs to the list: [method@Gio.ListModel.get_item] neither uses
 * nor moves it.
 *
 * This reads the list once from start to end without counting it.  In Python a `for` loop
 * over the list asks for its length first (PyGObject's `Gio.ListModel.__iter__` calls
 * `len()`), which runs the search a second time; this does not:
 *
 * ```python
 * for message in iter(messages.next, None):
 *     print(message.get_message_id())
 * ```
 *
 * Returns: (transfer full) (nullable): the next message, or %NULL after the last one or when
 *   the walk was cut short (see [method@Notmuch.Messages.check])
 */
NmMessage *
nm_messages_next (NmMessages *self)
{
  g_autoptr (GMutexLocker) locker = NULL;
  NmMessage *message;

  g_return_val_if_fail (NM_IS_MESSAGES (self), NULL);

  locker = g_mutex_locker_new (&self->cursor_lock);
  message = nm_messages_get_item (G_LIST_MODEL (self), self->cursor);
  if (message != NULL)
    self->cursor++;
  return message;
}
