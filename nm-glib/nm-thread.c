/* nm-thread.c: one thread of a thread search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-thread-private.h"
#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-query-private.h"
#include "nm-messages-private.h"
#include "nm-tags-private.h"

/**
 * NmThread:
 *
 * A thread found by [method@Notmuch.Query.search_threads]: the messages linked by replies
 * and references, with what the search matched in them.
 *
 * A thread keeps what a list row shows — its id, subject, authors, dates, counts and tags,
 * about a kilobyte — and reads no more from the index for them; they keep working after
 * the database is closed.  Its messages ([method@Notmuch.Thread.get_messages]) are read
 * from the index when they are first asked for, with what the search matched in them, and
 * need the open database: after close, the lists are empty.
 *
 * Since: 0.1
 */
struct _NmThread
{
  GObject parent_instance;

  NmDatabase *database;
  guint generation;
  /* The search that found the thread, to read its messages when they are asked for. */
  NmQuery *query;
  /* Where notify::tags is emitted (see NmMessage). */
  NmOrigin *origin;

  char *thread_id;
  char *subject;
  char *authors;
  char **tags;
  gint64 oldest_date;
  gint64 newest_date;
  guint total_messages;
  guint matched_messages;
  guint total_files;

  /* The thread as libnotmuch builds it, made when its messages are first asked for, the
   * query that owns it, and the database's write epoch then. */
  notmuch_thread_t *native;
  NmHandle *native_query;
  guint64 loaded_epoch;
};

G_DEFINE_FINAL_TYPE (NmThread, nm_thread, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_THREAD_ID,
  PROP_SUBJECT,
  PROP_AUTHORS,
  PROP_MATCHED_AUTHORS,
  PROP_UNMATCHED_AUTHORS,
  PROP_OLDEST_DATE,
  PROP_NEWEST_DATE,
  PROP_TOTAL_MESSAGES,
  PROP_MATCHED_MESSAGES,
  PROP_TOTAL_FILES,
  PROP_TAGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nm_thread_dispose (GObject *object)
{
  NmThread *self = NM_THREAD (object);

  if (self->origin != NULL)
    _nm_database_unwatch_thread (self->database, self, self->thread_id);
  g_clear_pointer (&self->origin, _nm_origin_unref);

  G_OBJECT_CLASS (nm_thread_parent_class)->dispose (object);
}

static void
nm_thread_finalize (GObject *object)
{
  NmThread *self = NM_THREAD (object);

  /* The native thread is a talloc child of the query's. */
  g_clear_pointer (&self->native_query, _nm_handle_unref);
  g_clear_object (&self->query);
  g_clear_object (&self->database);
  g_clear_pointer (&self->thread_id, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->authors, g_free);
  g_clear_pointer (&self->tags, g_free);

  G_OBJECT_CLASS (nm_thread_parent_class)->finalize (object);
}

static void
nm_thread_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  NmThread *self = NM_THREAD (object);

  switch (prop_id)
    {
    case PROP_THREAD_ID:
      g_value_set_string (value, self->thread_id);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_AUTHORS:
      g_value_set_string (value, self->authors);
      break;
    case PROP_MATCHED_AUTHORS:
      g_value_take_boxed (value, nm_thread_get_matched_authors (self));
      break;
    case PROP_UNMATCHED_AUTHORS:
      g_value_take_boxed (value, nm_thread_get_unmatched_authors (self));
      break;
    case PROP_OLDEST_DATE:
      g_value_set_int64 (value, nm_thread_get_oldest_date (self));
      break;
    case PROP_NEWEST_DATE:
      g_value_set_int64 (value, nm_thread_get_newest_date (self));
      break;
    case PROP_TOTAL_MESSAGES:
      g_value_set_uint (value, nm_thread_get_total_messages (self));
      break;
    case PROP_MATCHED_MESSAGES:
      g_value_set_uint (value, nm_thread_get_matched_messages (self));
      break;
    case PROP_TOTAL_FILES:
      g_value_set_uint (value, nm_thread_get_total_files (self));
      break;
    case PROP_TAGS:
      g_value_take_boxed (value, nm_thread_get_tags (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_thread_class_init (NmThreadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nm_thread_dispose;
  object_class->finalize = nm_thread_finalize;
  object_class->get_property = nm_thread_get_property;

  /**
   * NmThread:thread-id: (getter get_thread_id)
   *
   * The id of the thread, as used in `thread:` queries.
   *
   * Since: 0.1
   */
  properties[PROP_THREAD_ID] =
    g_param_spec_string ("thread-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:subject: (getter get_subject)
   *
   * The subject of the thread.
   *
   * Since: 0.1
   */
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:authors: (getter get_authors)
   *
   * The authors of the thread as `notmuch search` shows them.
   *
   * Since: 0.1
   */
  properties[PROP_AUTHORS] =
    g_param_spec_string ("authors", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:matched-authors: (getter get_matched_authors)
   *
   * The authors of the matched messages.
   *
   * Since: 0.1
   */
  properties[PROP_MATCHED_AUTHORS] =
    g_param_spec_boxed ("matched-authors", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:unmatched-authors: (getter get_unmatched_authors)
   *
   * The authors of the other messages.
   *
   * Since: 0.1
   */
  properties[PROP_UNMATCHED_AUTHORS] =
    g_param_spec_boxed ("unmatched-authors", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:oldest-date: (getter get_oldest_date)
   *
   * The date of the oldest message, in seconds since the epoch.
   *
   * Since: 0.1
   */
  properties[PROP_OLDEST_DATE] =
    g_param_spec_int64 ("oldest-date", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:newest-date: (getter get_newest_date)
   *
   * The date of the newest message, in seconds since the epoch.
   *
   * Since: 0.1
   */
  properties[PROP_NEWEST_DATE] =
    g_param_spec_int64 ("newest-date", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:total-messages: (getter get_total_messages)
   *
   * The number of messages in the thread.
   *
   * Since: 0.1
   */
  properties[PROP_TOTAL_MESSAGES] =
    g_param_spec_uint ("total-messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:matched-messages: (getter get_matched_messages)
   *
   * The number of messages of the thread that matched the search.
   *
   * Since: 0.1
   */
  properties[PROP_MATCHED_MESSAGES] =
    g_param_spec_uint ("matched-messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:total-files: (getter get_total_files)
   *
   * The number of files holding the thread's messages.
   *
   * Since: 0.1
   */
  properties[PROP_TOTAL_FILES] =
    g_param_spec_uint ("total-files", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:tags: (getter get_tags)
   *
   * The union of the tags of the thread's messages.  Notified when a change made through
   * any object of the database changes it.
   *
   * Since: 0.1
   */
  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_thread_init (NmThread *self)
{
}

NmThread *
_nm_thread_new (NmDatabase       *database,
                NmQuery          *query,
                notmuch_thread_t *native,
                NmOrigin         *origin)
{
  NmThread *self = g_object_new (NM_TYPE_THREAD, NULL);
  const char *subject = notmuch_thread_get_subject (native);
  const char *authors = notmuch_thread_get_authors (native);
  int total_files = notmuch_thread_get_total_files (native);

  self->database = g_object_ref (database);
  self->generation = _nm_database_get_generation (database);
  self->query = g_object_ref (query);
  /* libnotmuch computed these when it built the thread; a copy is all a row needs, and
   * far smaller than the thread with its messages. */
  self->thread_id = g_strdup (notmuch_thread_get_thread_id (native));
  self->subject = g_strdup (subject != NULL ? subject : "");
  self->authors = g_strdup (authors != NULL ? authors : "");
  self->tags = _nm_tags_take_packed (notmuch_thread_get_tags (native));
  self->oldest_date = notmuch_thread_get_oldest_date (native);
  self->newest_date = notmuch_thread_get_newest_date (native);
  self->total_messages = notmuch_thread_get_total_messages (native);
  self->matched_messages = notmuch_thread_get_matched_messages (native);
  self->total_files = total_files > 0 ? (guint) total_files : 0;
  self->origin = _nm_origin_ref (origin);
  _nm_database_watch_thread (database, self, self->thread_id);
  return self;
}

gboolean
_nm_thread_refresh_tags (NmThread *self)
{
  g_autofree char *query_string = g_strdup_printf ("thread:%s", self->thread_id);
  notmuch_query_t *query;
  notmuch_messages_t *messages = NULL;
  g_autofree char **tags = NULL;
  gboolean changed;

  if (!_nm_database_is_open (self->database))
    return FALSE;
  query = notmuch_query_create (_nm_database_get_native (self->database), query_string);
  if (query == NULL)
    return FALSE;
  /* The union of every message's tags, as libnotmuch computes it for a thread: no tag
   * excluded. */
  notmuch_query_set_omit_excluded (query, NOTMUCH_EXCLUDE_FALSE);
  if (_nm_compat_query_search_messages (query, NOTMUCH_QUERY_SYNTAX_XAPIAN, &messages) == NOTMUCH_STATUS_SUCCESS)
    tags = _nm_tags_take_packed (notmuch_messages_collect_tags (messages));
  notmuch_query_destroy (query);
  if (tags == NULL)
    return FALSE;
  changed = !g_strv_equal ((const char * const *) tags, (const char * const *) self->tags);
  g_free (self->tags);
  self->tags = g_steal_pointer (&tags);
  return changed;
}

void
_nm_thread_notify_tags (NmThread *self)
{
  _nm_origin_notify (self->origin, G_OBJECT (self), properties[PROP_TAGS]);
}

notmuch_thread_t *
_nm_thread_build (NmDatabase        *database,
                  guint              generation,
                  notmuch_threads_t *threads)
{
  notmuch_thread_t *native;

  _nm_database_mark_status (database);
  native = _nm_compat_threads_get (threads);
  /* When the query that collects a thread's messages fails (a concurrent commit discarded
   * the revision being read), libnotmuch may free the thread and still return it (see
   * nm-compat-private.h).  The failure shows only in the log, and the pointer must not be
   * touched. */
  if (_nm_database_logged_since_mark (database))
    return NULL;
  if (native == NULL)
    return NULL;
  /* An empty thread: its messages vanished under a concurrent commit.  A changed
   * generation: libnotmuch reopened the handle while reading the thread, so the document
   * ids the walk holds may be gone. */
  if (notmuch_thread_get_total_messages (native) == 0
      || !_nm_database_is_current (database, generation))
    {
      notmuch_thread_destroy (native);
      return NULL;
    }
  return native;
}

notmuch_thread_t *
_nm_thread_find (NmDatabase      *database,
                 guint            generation,
                 notmuch_query_t *native_query,
                 NmQuerySyntax    syntax)
{
  NmCompatCommitStamp stamp = { NULL, };
  notmuch_threads_t *threads = NULL;
  notmuch_thread_t *native = NULL;

  /* As in a walk of a thread list: a commit by another process between the search and the
   * building of the thread could crash libnotmuch (see nm-compat-private.h). */
  _nm_compat_commit_stamp_take (_nm_database_get_native (database),
                                nm_database_get_mode (database) == NM_DATABASE_MODE_READ_ONLY,
                                &stamp);
  if (_nm_compat_query_search_threads (native_query, (notmuch_query_syntax_t) syntax,
                                       &threads) == NOTMUCH_STATUS_SUCCESS
      && notmuch_threads_valid (threads)
      && !_nm_compat_commit_stamp_moved (&stamp))
    native = _nm_thread_build (database, generation, threads);
  _nm_compat_commit_stamp_clear (&stamp);
  return native;
}

notmuch_thread_t *
_nm_thread_get_native (NmThread *self)
{
  g_autoptr (NmQuery) query = NULL;

  if (self->native != NULL || !_nm_database_is_current (self->database, self->generation))
    return self->native;
  /* The thread is found again by its id within the search that found it, so that its
   * messages say whether they matched. */
  query = _nm_query_copy_for_thread (self->query, self->thread_id);
  /* An earlier attempt that found no thread left its query. */
  g_clear_pointer (&self->native_query, _nm_handle_unref);
  self->native_query = _nm_query_new_snapshot (query, NULL);
  if (self->native_query == NULL)
    return NULL;
  self->native = _nm_thread_find (self->database, self->generation,
                                  _nm_handle_get_native (self->native_query),
                                  nm_query_get_syntax (query));
  self->loaded_epoch = _nm_database_get_write_epoch (self->database);
  return self->native;
}

guint64
_nm_thread_get_loaded_epoch (NmThread *self)
{
  return self->loaded_epoch;
}

NmDatabase *
_nm_thread_get_database (NmThread *self)
{
  return self->database;
}

guint
_nm_thread_get_generation (NmThread *self)
{
  return self->generation;
}

/**
 * nm_thread_get_thread_id: (get-property thread-id)
 * @self: a thread
 *
 * Gets the id of the thread, as used in `thread:` queries.
 *
 * Returns: the thread id
 *
 * Since: 0.1
 */
const char *
nm_thread_get_thread_id (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return self->thread_id;
}

/**
 * nm_thread_get_subject: (get-property subject)
 * @self: a thread
 *
 * Gets the subject of the thread: that of its first message in the search's sort order
 * (the newest or the oldest matched message).
 *
 * Returns: the subject; empty if the messages have none
 *
 * Since: 0.1
 */
const char *
nm_thread_get_subject (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return self->subject;
}

/**
 * nm_thread_get_authors: (get-property authors)
 * @self: a thread
 *
 * Gets the authors as `notmuch search` prints them: the authors of the matched messages
 * separated by `, `, then `| ` and the authors of the other messages.
 *
 * Returns: the authors
 *
 * Since: 0.1
 */
const char *
nm_thread_get_authors (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return self->authors;
}

/* libnotmuch builds the authors string as "matched, matched| unmatched, unmatched", each
 * author once; an author whose name itself contains ", " cannot be told apart. */
static char **
nm_thread_split_authors (const char *authors, gboolean matched)
{
  const char *separator;
  g_autofree char *part = NULL;

  /* A thread made without a database has no authors. */
  if (authors == NULL)
    return g_new0 (char *, 1);
  separator = strstr (authors, "| ");
  if (matched)
    part = separator != NULL ? g_strndup (authors, separator - authors) : g_strdup (authors);
  else
    part = g_strdup (separator != NULL ? separator + 2 : "");

  if (part[0] == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (part, ", ", -1);
}

/**
 * nm_thread_get_matched_authors: (get-property matched-authors)
 * @self: a thread
 *
 * Gets the authors of the messages that matched the search, in the order of
 * [method@Notmuch.Thread.get_authors], each once.
 *
 * Returns: (transfer full) (array zero-terminated=1): the authors
 *
 * Since: 0.1
 */
char **
nm_thread_get_matched_authors (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return nm_thread_split_authors (self->authors, TRUE);
}

/**
 * nm_thread_get_unmatched_authors: (get-property unmatched-authors)
 * @self: a thread
 *
 * Gets the authors of the thread's other messages who wrote no matched message, in order,
 * each once.
 *
 * Returns: (transfer full) (array zero-terminated=1): the authors
 *
 * Since: 0.1
 */
char **
nm_thread_get_unmatched_authors (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return nm_thread_split_authors (self->authors, FALSE);
}

/**
 * nm_thread_get_oldest_date: (get-property oldest-date)
 * @self: a thread
 *
 * Gets the date of the thread's oldest message.
 *
 * Returns: seconds since the epoch
 *
 * Since: 0.1
 */
gint64
nm_thread_get_oldest_date (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  return self->oldest_date;
}

/**
 * nm_thread_get_newest_date: (get-property newest-date)
 * @self: a thread
 *
 * Gets the date of the thread's newest message.
 *
 * Returns: seconds since the epoch
 *
 * Since: 0.1
 */
gint64
nm_thread_get_newest_date (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  return self->newest_date;
}

/**
 * nm_thread_get_total_messages: (get-property total-messages)
 * @self: a thread
 *
 * Gets the number of messages in the thread, matched or not.
 *
 * Returns: the number of messages
 *
 * Since: 0.1
 */
guint
nm_thread_get_total_messages (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  return self->total_messages;
}

/**
 * nm_thread_get_matched_messages: (get-property matched-messages)
 * @self: a thread
 *
 * Gets the number of the thread's messages that matched the search (excluded messages
 * count as not matched).
 *
 * Returns: the number of matched messages
 *
 * Since: 0.1
 */
guint
nm_thread_get_matched_messages (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  return self->matched_messages;
}

/**
 * nm_thread_get_total_files: (get-property total-files)
 * @self: a thread
 *
 * Gets the number of files holding the thread's messages: more than the number of
 * messages when some are stored more than once.
 *
 * Returns: the number of files
 *
 * Since: 0.1
 */
guint
nm_thread_get_total_files (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  return self->total_files;
}

/**
 * nm_thread_get_messages:
 * @self: a thread
 *
 * Gets every message of the thread, oldest first.  Each message knows its replies
 * ([method@Notmuch.Message.get_replies]) and whether it matched the search
 * (%NM_MESSAGE_FLAG_MATCH).
 *
 * Returns: (transfer full): the messages
 *
 * Since: 0.1
 */
NmMessages *
nm_thread_get_messages (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return _nm_messages_new_for_thread (self, FALSE);
}

/**
 * nm_thread_get_toplevel_messages:
 * @self: a thread
 *
 * Gets the messages of the thread that reply to no other message of the thread, oldest
 * first: the roots of its reply tree, which [method@Notmuch.Message.get_replies] walks.
 *
 * Returns: (transfer full): the top-level messages
 *
 * Since: 0.1
 */
NmMessages *
nm_thread_get_toplevel_messages (NmThread *self)
{
  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  return _nm_messages_new_for_thread (self, TRUE);
}

/**
 * nm_thread_get_tags: (get-property tags)
 * @self: a thread
 *
 * Gets the union of the tags of the thread's messages.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order
 *
 * Since: 0.1
 */
char **
nm_thread_get_tags (NmThread *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  /* Another thread may be replacing them after a tag change. */
  locker = _nm_database_lock (self->database);
  return self->tags != NULL ? g_strdupv (self->tags) : g_new0 (char *, 1);
}
