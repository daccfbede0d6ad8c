/* nm-thread.c: one thread of a thread search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-thread-private.h"
#include "nm-database-private.h"
#include "nm-messages-private.h"
#include "nm-tags-private.h"

/**
 * NmThread:
 *
 * A thread found by [method@Notmuch.Query.search_threads]: the messages linked by replies
 * and references, with what the search matched in them.
 *
 * A thread is read completely when the search reaches it: its id, subject, authors, dates,
 * counts and tags read no more from the index and keep working after the database is
 * closed.  Its messages ([method@Notmuch.Thread.get_messages]) and
 * [method@Notmuch.Thread.get_total_files] need the open database: after close, the lists
 * are empty and the count is 0.
 */
struct _NmThread
{
  GObject parent_instance;

  NmDatabase *database;
  guint generation;
  guint64 loaded_epoch;
  notmuch_thread_t *native;
  /* The threads iterator the thread came from, which keeps the query owning it alive. */
  NmHandle *owner;

  char *thread_id;
  char *subject;
  char *authors;
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
nm_thread_finalize (GObject *object)
{
  NmThread *self = NM_THREAD (object);

  {
    g_autoptr (GRecMutexLocker) locker = _nm_database_lock (self->database);

    g_clear_pointer (&self->native, notmuch_thread_destroy);
  }
  g_clear_pointer (&self->owner, _nm_handle_unref);
  g_clear_object (&self->database);
  g_clear_pointer (&self->thread_id, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->authors, g_free);

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

  object_class->finalize = nm_thread_finalize;
  object_class->get_property = nm_thread_get_property;

  /**
   * NmThread:thread-id: (getter get_thread_id)
   *
   * The id of the thread, as used in `thread:` queries.
   */
  properties[PROP_THREAD_ID] =
    g_param_spec_string ("thread-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:subject: (getter get_subject)
   *
   * The subject of the thread.
   */
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:authors: (getter get_authors)
   *
   * The authors of the thread as `notmuch search` shows them.
   */
  properties[PROP_AUTHORS] =
    g_param_spec_string ("authors", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:matched-authors: (getter get_matched_authors)
   *
   * The authors of the matched messages.
   */
  properties[PROP_MATCHED_AUTHORS] =
    g_param_spec_boxed ("matched-authors", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:unmatched-authors: (getter get_unmatched_authors)
   *
   * The authors of the other messages.
   */
  properties[PROP_UNMATCHED_AUTHORS] =
    g_param_spec_boxed ("unmatched-authors", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:oldest-date: (getter get_oldest_date)
   *
   * The date of the oldest message, in seconds since the epoch.
   */
  properties[PROP_OLDEST_DATE] =
    g_param_spec_int64 ("oldest-date", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:newest-date: (getter get_newest_date)
   *
   * The date of the newest message, in seconds since the epoch.
   */
  properties[PROP_NEWEST_DATE] =
    g_param_spec_int64 ("newest-date", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:total-messages: (getter get_total_messages)
   *
   * The number of messages in the thread.
   */
  properties[PROP_TOTAL_MESSAGES] =
    g_param_spec_uint ("total-messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:matched-messages: (getter get_matched_messages)
   *
   * The number of messages of the thread that matched the search.
   */
  properties[PROP_MATCHED_MESSAGES] =
    g_param_spec_uint ("matched-messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:total-files: (getter get_total_files)
   *
   * The number of files holding the thread's messages.
   */
  properties[PROP_TOTAL_FILES] =
    g_param_spec_uint ("total-files", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmThread:tags: (getter get_tags)
   *
   * The union of the tags of the thread's messages.
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
                notmuch_thread_t *native,
                NmHandle         *owner)
{
  NmThread *self = g_object_new (NM_TYPE_THREAD, NULL);
  const char *subject = notmuch_thread_get_subject (native);
  const char *authors = notmuch_thread_get_authors (native);

  self->database = g_object_ref (database);
  self->generation = _nm_database_get_generation (database);
  self->loaded_epoch = _nm_database_get_write_epoch (database);
  self->native = native;
  self->owner = _nm_handle_ref (owner);
  /* libnotmuch computed these when it built the thread; copy them now. */
  self->thread_id = g_strdup (notmuch_thread_get_thread_id (native));
  self->subject = g_strdup (subject != NULL ? subject : "");
  self->authors = g_strdup (authors != NULL ? authors : "");
  return self;
}

guint64
_nm_thread_get_loaded_epoch (NmThread *self)
{
  return self->loaded_epoch;
}

notmuch_thread_t *
_nm_thread_get_native (NmThread *self)
{
  return self->native;
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
  const char *separator = strstr (authors, "| ");
  g_autofree char *part = NULL;

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
 */
gint64
nm_thread_get_oldest_date (NmThread *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  locker = _nm_database_lock (self->database);
  return notmuch_thread_get_oldest_date (self->native);
}

/**
 * nm_thread_get_newest_date: (get-property newest-date)
 * @self: a thread
 *
 * Gets the date of the thread's newest message.
 *
 * Returns: seconds since the epoch
 */
gint64
nm_thread_get_newest_date (NmThread *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  locker = _nm_database_lock (self->database);
  return notmuch_thread_get_newest_date (self->native);
}

/**
 * nm_thread_get_total_messages: (get-property total-messages)
 * @self: a thread
 *
 * Gets the number of messages in the thread, matched or not.
 *
 * Returns: the number of messages
 */
guint
nm_thread_get_total_messages (NmThread *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  locker = _nm_database_lock (self->database);
  return notmuch_thread_get_total_messages (self->native);
}

/**
 * nm_thread_get_matched_messages: (get-property matched-messages)
 * @self: a thread
 *
 * Gets the number of the thread's messages that matched the search (excluded messages
 * count as not matched).
 *
 * Returns: the number of matched messages
 */
guint
nm_thread_get_matched_messages (NmThread *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  locker = _nm_database_lock (self->database);
  return notmuch_thread_get_matched_messages (self->native);
}

/**
 * nm_thread_get_total_files: (get-property total-files)
 * @self: a thread
 *
 * Gets the number of files holding the thread's messages: more than the number of
 * messages when some are stored more than once.
 *
 * Returns: the number of files; 0 if the database is closed
 */
guint
nm_thread_get_total_files (NmThread *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  int files;

  g_return_val_if_fail (NM_IS_THREAD (self), 0);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation))
    return 0;
  files = notmuch_thread_get_total_files (self->native);
  return files > 0 ? (guint) files : 0;
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
 * Gets the union of the tags of the thread's messages, as they were when the thread was
 * read.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order
 */
char **
nm_thread_get_tags (NmThread *self)
{
  g_autoptr (GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_THREAD (self), NULL);

  locker = _nm_database_lock (self->database);
  return _nm_tags_take_strv (notmuch_thread_get_tags (self->native));
}
