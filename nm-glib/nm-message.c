/* nm-message.c: one indexed mail message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-message-private.h"
#include "nm-error-private.h"
#include "nm-database-private.h"
#include "nm-messages-private.h"
#include "nm-tags-private.h"

/**
 * NmMessage:
 *
 * One message of the index.  A message may be stored in several files (copies with the same
 * Message-ID), or in none (a ghost, known only from another message's references).
 *
 * Every string a message returns is a copy, and every tag list a snapshot: changing tags
 * later does not change a list obtained before.  A message keeps alive whatever owns its
 * data (its search results, thread and database), so it stays usable however the objects
 * it came from are dropped.
 *
 * Messages come from a database.  One constructed directly (`Notmuch.Message()` in
 * Python) belongs to none and behaves as a message whose database was closed: every call
 * fails with %NM_ERROR_CLOSED_DATABASE or returns an empty value.
 *
 * Since: 0.1
 */

G_DEFINE_FINAL_TYPE (NmMessage, nm_message, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DATABASE,
  PROP_MESSAGE_ID,
  PROP_THREAD_ID,
  PROP_DATE,
  PROP_FILENAME,
  PROP_FILENAMES,
  PROP_TAGS,
  PROP_SUBJECT,
  PROP_AUTHOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nm_message_dispose (GObject *object)
{
  NmMessage *self = NM_MESSAGE (object);

  if (self->watched)
    _nm_database_unwatch_message (self->database, self, self->message_id);
  self->watched = FALSE;

  G_OBJECT_CLASS (nm_message_parent_class)->dispose (object);
}

static void
nm_message_finalize (GObject *object)
{
  NmMessage *self = NM_MESSAGE (object);

  /* The native message first, then whatever owns its memory, then the database. */
  if (self->owns_native)
    {
      g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

      g_clear_pointer (&self->native, notmuch_message_destroy);
    }
  if (self->current != NULL)
    {
      g_autoptr (NmDatabaseLocker) locker = _nm_database_lock (self->database);

      g_clear_pointer (&self->current, notmuch_message_destroy);
    }
  self->native = NULL;
  if (self->owner != NULL)
    self->owner_release (self->owner);
  g_clear_object (&self->database);
  g_clear_pointer (&self->origin, _nm_origin_unref);
  g_clear_pointer (&self->message_id, g_free);
  g_clear_pointer (&self->thread_id, g_free);
  g_clear_pointer (&self->from, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->tags, g_free);
  g_clear_pointer (&self->pending_changes, g_ptr_array_unref);
  g_clear_pointer (&self->retired_strings, g_ptr_array_unref);

  G_OBJECT_CLASS (nm_message_parent_class)->finalize (object);
}

static void
nm_message_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  NmMessage *self = NM_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, nm_message_get_message_id (self));
      break;
    case PROP_THREAD_ID:
      g_value_set_string (value, nm_message_get_thread_id (self));
      break;
    case PROP_DATE:
      g_value_set_int64 (value, nm_message_get_date (self));
      break;
    case PROP_FILENAME:
      {
        g_autofree char *filename = nm_message_get_filename (self);

        g_value_take_string (value, filename != NULL ? g_filename_display_name (filename)
                                                     : NULL);
      }
      break;
    case PROP_FILENAMES:
      {
        g_auto (GStrv) filenames = nm_message_get_filenames (self);

        /* A string property is UTF-8: each name as it can be shown. */
        for (char **filename = filenames; filename != NULL && *filename != NULL; filename++)
          {
            char *shown = g_filename_display_name (*filename);

            g_free (*filename);
            *filename = shown;
          }
        g_value_take_boxed (value, g_steal_pointer (&filenames));
      }
      break;
    case PROP_TAGS:
      g_value_take_boxed (value, nm_message_get_tags (self));
      break;
    case PROP_SUBJECT:
      g_value_take_string (value, nm_message_get_subject (self));
      break;
    case PROP_AUTHOR:
      g_value_take_string (value, nm_message_get_author (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_message_class_init (NmMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nm_message_dispose;
  object_class->finalize = nm_message_finalize;
  object_class->get_property = nm_message_get_property;

  /**
   * NmMessage:database: (getter get_database)
   *
   * The database the message belongs to.
   *
   * Since: 0.1
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, NM_TYPE_DATABASE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:message-id: (getter get_message_id)
   *
   * The Message-ID, without angle brackets.
   *
   * Since: 0.1
   */
  properties[PROP_MESSAGE_ID] =
    g_param_spec_string ("message-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:thread-id: (getter get_thread_id)
   *
   * The id of the thread the message belongs to.
   *
   * Since: 0.1
   */
  properties[PROP_THREAD_ID] =
    g_param_spec_string ("thread-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:date: (getter get_date)
   *
   * The date of the message in seconds since the epoch, as indexed.
   *
   * Since: 0.1
   */
  properties[PROP_DATE] =
    g_param_spec_int64 ("date", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:filename: (getter get_filename)
   *
   * The first file of the message, as it can be shown: a string property holds UTF-8, so
   * bytes of a file name that are not are replaced by U+FFFD.
   * [method@Notmuch.Message.get_filename] gives the name itself.
   *
   * Since: 0.1
   */
  properties[PROP_FILENAME] =
    g_param_spec_string ("filename", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:filenames: (getter get_filenames)
   *
   * Every file of the message, as they can be shown (see
   * [property@Notmuch.Message:filename]).
   *
   * Since: 0.1
   */
  properties[PROP_FILENAMES] =
    g_param_spec_boxed ("filenames", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:tags: (getter get_tags)
   *
   * The tags of the message, sorted in byte order.  Notified when a change made through
   * any object of the database changes them.
   *
   * Since: 0.1
   */
  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:subject: (getter get_subject)
   *
   * The Subject header, decoded to text.
   *
   * Since: 0.1
   */
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:author: (getter get_author)
   *
   * The From header, decoded to text: who wrote the message.
   *
   * Since: 0.1
   */
  properties[PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_message_init (NmMessage *self)
{
}

/* Reads the tags of @document into the snapshot.  Requires the lock. */
static void
nm_message_snapshot_tags (NmMessage         *self,
                          notmuch_message_t *document)
{
  notmuch_tags_t *tags = notmuch_message_get_tags (document);

  g_clear_pointer (&self->tags, g_free);
  if (tags == NULL)   /* a Xapian error, logged by libnotmuch */
    return;
  self->tags = _nm_tags_take_packed (tags);
  self->tags_epoch = _nm_database_get_write_epoch (self->database);
}

NmMessage *
_nm_message_new (NmDatabase        *database,
                 guint              generation,
                 guint64            loaded_epoch,
                 notmuch_message_t *native,
                 gpointer           owner,
                 GDestroyNotify     owner_release,
                 gboolean           owns_native)
{
  NmMessage *self = g_object_new (NM_TYPE_MESSAGE, NULL);

  self->database = g_object_ref (database);
  self->generation = generation;
  self->loaded_epoch = loaded_epoch;
  self->seen_epoch = loaded_epoch;
  self->native = native;
  self->owns_native = owns_native;
  self->owner = owner;
  self->owner_release = owner_release;
  self->origin = _nm_origin_new_here ();
  if (nm_message_get_message_id (self) != NULL)
    {
      _nm_database_watch_message (database, self, self->message_id);
      self->watched = TRUE;
    }
  /* A search result is the newest talloc child of its iterator only now: libnotmuch's
   * notmuch_message_get_tags() walks the siblings of the message (talloc_reference()), so
   * reading the tags later, with many results kept alive, costs O(results) per message
   * (quadratic over a kept search).  The metadata read here is the one the message id
   * needs anyway. */
  if (owns_native && owner != NULL && _nm_database_is_current (database, generation))
    nm_message_snapshot_tags (self, native);
  return self;
}

guint64
_nm_message_get_loaded_epoch (NmMessage *self)
{
  return self->loaded_epoch;
}


/* Finds the message's document again, into a native message of its own, with the changes
 * of a freeze in progress applied.  Requires the lock. */
notmuch_message_t *
_nm_message_reload (NmMessage  *self,
                    GError    **error)
{
  const char *message_id = nm_message_get_message_id (self);
  notmuch_message_t *fresh = NULL;

  if (message_id == NULL
      || notmuch_database_find_message (_nm_database_get_native (self->database), message_id,
                                        &fresh) != NOTMUCH_STATUS_SUCCESS
      || fresh == NULL)
    {
      _nm_set_error (error, NM_ERROR_OPERATION_INVALIDATED,
                     "Message %s is no longer in the database; search again",
                     message_id != NULL ? message_id : "(unknown)");
      return NULL;
    }
  if (self->freeze_depth > 0)
    {
      notmuch_message_freeze (fresh);
      for (guint i = 0; i < self->pending_changes->len; i++)
        _nm_change_apply (g_ptr_array_index (self->pending_changes, i), fresh);
    }
  g_clear_pointer (&self->current, notmuch_message_destroy);
  self->current = fresh;
  self->seen_epoch = _nm_database_get_write_epoch (self->database);
  return fresh;
}

/* The native message holding an up-to-date copy of the document, to change it through:
 * found again if another object wrote message documents since this one's copy was read.
 * Requires the lock. */
notmuch_message_t *
_nm_message_document (NmMessage  *self,
                      GError    **error)
{
  if (self->seen_epoch != _nm_database_get_write_epoch (self->database))
    return _nm_message_reload (self, error);
  return self->current != NULL ? self->current : self->native;
}

/* The native message to read the document from: an up-to-date copy, or the one at hand if
 * the message cannot be found again (it was removed, or it is a ghost).  Requires the
 * lock. */
notmuch_message_t *
_nm_message_read_document (NmMessage *self)
{
  notmuch_message_t *document = _nm_message_document (self, NULL);

  if (document != NULL)
    return document;
  return self->current != NULL ? self->current : self->native;
}

void
_nm_message_set_origin (NmMessage *self,
                        NmOrigin  *origin)
{
  _nm_origin_unref (self->origin);
  self->origin = _nm_origin_ref (origin);
}

gboolean
_nm_message_refresh_tags (NmMessage *self)
{
  g_autofree char **before = g_steal_pointer (&self->tags);

  if (!_nm_database_is_current (self->database, self->generation))
    return FALSE;
  nm_message_snapshot_tags (self, _nm_message_read_document (self));
  return before == NULL || self->tags == NULL
         || !g_strv_equal ((const char * const *) before, (const char * const *) self->tags);
}

void
_nm_message_notify_tags (NmMessage *self)
{
  _nm_origin_notify (self->origin, G_OBJECT (self), properties[PROP_TAGS]);
}

notmuch_message_t *
_nm_message_get_native (NmMessage *self)
{
  return self->native;
}

guint
_nm_message_get_generation (NmMessage *self)
{
  return self->generation;
}

/* Runs @read once and keeps a copy of its answer; a NULL answer (the database was closed
 * before the value was read) is not kept.  Requires the database lock. */
const char *
_nm_message_cache_string (NmMessage   *self,
                          char       **cache,
                          const char *(*read) (notmuch_message_t *))
{
  if (*cache == NULL && _nm_database_is_current (self->database, self->generation))
    *cache = g_strdup (read (cache == &self->message_id ? self->native
                                                       : _nm_message_read_document (self)));
  return *cache;
}

/**
 * nm_message_get_database: (get-property database)
 * @self: a message
 *
 * Gets the database the message belongs to.
 *
 * Returns: (transfer none) (nullable): the database, or %NULL for a message constructed
 *   without one
 *
 * Since: 0.1
 */
NmDatabase *
nm_message_get_database (NmMessage *self)
{
  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  return self->database;
}

/**
 * nm_message_get_message_id: (get-property message-id)
 * @self: a message
 *
 * Gets the Message-ID of the message, without angle brackets.  A message without one is
 * given an id of the form `notmuch-sha1-<hash of the file>`.
 *
 * Returns: (nullable): the message id, or %NULL if the database was closed before it was
 *   first read
 *
 * Since: 0.1
 */
const char *
nm_message_get_message_id (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  locker = _nm_database_lock (self->database);
  return _nm_message_cache_string (self, &self->message_id, notmuch_message_get_message_id);
}

/**
 * nm_message_get_thread_id: (get-property thread-id)
 * @self: a message
 *
 * Gets the id of the thread the message belongs to, as used in `thread:` queries.
 *
 * Returns: (nullable): the thread id, or %NULL if the database was closed before it was
 *   first read
 *
 * Since: 0.1
 */
const char *
nm_message_get_thread_id (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  locker = _nm_database_lock (self->database);
  return _nm_message_cache_string (self, &self->thread_id, notmuch_message_get_thread_id);
}

/**
 * nm_message_get_date: (get-property date)
 * @self: a message
 *
 * Gets the date of the message as the index stores it (from the Date header when the
 * message was indexed).
 *
 * Returns: the date in seconds since the epoch; 0 for a ghost, or if the database was
 *   closed before the date was first read
 *
 * Since: 0.1
 */
gint64
nm_message_get_date (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), 0);

  locker = _nm_database_lock (self->database);
  if (!self->date_known && _nm_database_is_current (self->database, self->generation))
    {
      self->date = notmuch_message_get_date (_nm_message_read_document (self));
      self->date_known = TRUE;
    }
  return self->date;
}

/**
 * nm_message_get_header:
 * @self: a message
 * @name: a header name, in any case (`Subject`, `from`, `List-Id`)
 * @error: return location for an error
 *
 * Gets the value of a header, decoded to UTF-8.  From, Subject and Message-ID come from the
 * index; other headers are read from the message's file.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if the message has no such
 *   header (with @error unset) or on error (%NM_ERROR_FILE_ERROR when the file cannot be
 *   read)
 *
 * Since: 0.1
 */
char *
nm_message_get_header (NmMessage   *self,
                       const char  *name,
                       GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  char **cache = NULL;
  const char *value;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (g_ascii_strcasecmp (name, "from") == 0)
    cache = &self->from;
  else if (g_ascii_strcasecmp (name, "subject") == 0)
    cache = &self->subject;
  if (cache != NULL && *cache != NULL)
    return (*cache)[0] != '\0' ? g_strdup (*cache) : NULL;

  if (!_nm_database_check_current (self->database, self->generation, error))
    return NULL;
  value = notmuch_message_get_header (_nm_message_read_document (self), name);
  if (value == NULL)
    {
      _nm_set_error (error, NM_ERROR_FILE_ERROR,
                     "Cannot read the %s header of message %s: its file is missing or unreadable",
                     name, _nm_message_cache_string (self, &self->message_id,
                                                    notmuch_message_get_message_id));
      return NULL;
    }
  if (cache != NULL)
    *cache = g_strdup (value);
  return value[0] != '\0' ? g_strdup (value) : NULL;
}

/**
 * nm_message_get_subject: (get-property subject)
 * @self: a message
 *
 * Gets the Subject header, decoded to text, as [method@Notmuch.Message.get_header] does.
 *
 * Returns: (transfer full) (nullable): the subject, or %NULL if the message has none or
 *   it cannot be read
 *
 * Since: 0.1
 */
char *
nm_message_get_subject (NmMessage *self)
{
  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  return nm_message_get_header (self, "subject", NULL);
}

/**
 * nm_message_get_author: (get-property author)
 * @self: a message
 *
 * Gets the From header, decoded to text: who wrote the message.
 *
 * Returns: (transfer full) (nullable): the author, or %NULL if the message has no From
 *   header or it cannot be read
 *
 * Since: 0.1
 */
char *
nm_message_get_author (NmMessage *self)
{
  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  return nm_message_get_header (self, "from", NULL);
}

static gboolean
nm_message_is_ghost (NmMessage *self)
{
  notmuch_bool_t ghost = FALSE;

  return notmuch_message_get_flag_st (self->native, NOTMUCH_MESSAGE_FLAG_GHOST, &ghost)
           == NOTMUCH_STATUS_SUCCESS && ghost;
}

/**
 * nm_message_get_filename: (get-property filename)
 * @self: a message
 *
 * Gets the first file of the message, in libnotmuch's order (see
 * [method@Notmuch.Message.get_filenames]).
 *
 * Returns: (transfer full) (type filename) (nullable): the absolute path, or %NULL for a
 *   ghost message or a closed database
 *
 * Since: 0.1
 */
char *
nm_message_get_filename (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  const char *filename;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation) || nm_message_is_ghost (self))
    return NULL;
  filename = notmuch_message_get_filename (_nm_message_read_document (self));
  return filename != NULL && filename[0] != '\0' ? g_strdup (filename) : NULL;
}

/**
 * nm_message_get_filenames: (get-property filenames)
 * @self: a message
 *
 * Gets every file holding the message; more than one when copies with the same Message-ID
 * were indexed.
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type filename): the absolute
 *   paths; empty for a ghost message or a closed database
 *
 * Since: 0.1
 */
char **
nm_message_get_filenames (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GStrvBuilder) builder = NULL;
  notmuch_filenames_t *filenames;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  builder = g_strv_builder_new ();
  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation) || nm_message_is_ghost (self))
    return g_strv_builder_end (builder);

  filenames = notmuch_message_get_filenames (_nm_message_read_document (self));
  for (; notmuch_filenames_valid (filenames); notmuch_filenames_move_to_next (filenames))
    g_strv_builder_add (builder, notmuch_filenames_get (filenames));
  g_clear_pointer (&filenames, notmuch_filenames_destroy);
  return g_strv_builder_end (builder);
}

/**
 * nm_message_get_tags: (get-property tags)
 * @self: a message
 *
 * Gets a snapshot of the message's tags.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, sorted in byte order; empty
 *   if the database is closed
 *
 * Since: 0.1
 */
char **
nm_message_get_tags (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation))
    return g_new0 (char *, 1);
  if (self->tags == NULL
      || self->tags_epoch != _nm_database_get_write_epoch (self->database))
    nm_message_snapshot_tags (self, _nm_message_read_document (self));
  return self->tags != NULL ? g_strdupv (self->tags) : g_new0 (char *, 1);
}

/**
 * nm_message_has_tag:
 * @self: a message
 * @tag: a tag
 *
 * Checks whether the message carries a tag.
 *
 * Returns: %TRUE if it does
 *
 * Since: 0.1
 */
gboolean
nm_message_has_tag (NmMessage  *self,
                    const char *tag)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_tags_t *tags;
  gboolean found = FALSE;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation))
    return FALSE;
  tags = notmuch_message_get_tags (_nm_message_read_document (self));
  for (; !found && notmuch_tags_valid (tags); notmuch_tags_move_to_next (tags))
    found = strcmp (notmuch_tags_get (tags), tag) == 0;
  g_clear_pointer (&tags, notmuch_tags_destroy);
  return found;
}

/**
 * nm_message_get_flag:
 * @self: a message
 * @flag: the flag to test
 * @error: return location for an error
 *
 * Tests one flag of the message: whether it matched the search it came from, carries an
 * excluded tag, or is a ghost.
 *
 * Returns: whether the flag is set; %FALSE on error
 *
 * Since: 0.1
 */
gboolean
nm_message_get_flag (NmMessage      *self,
                     NmMessageFlag   flag,
                     GError        **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_bool_t set = FALSE;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (flag <= NM_MESSAGE_FLAG_GHOST, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  status = notmuch_message_get_flag_st (self->native, (notmuch_message_flag_t) flag, &set);
  if (!_nm_database_check_status (self->database, status, error,
                                  "Cannot read a flag of message %s",
                                  nm_message_get_message_id (self)))
    return FALSE;
  return set;
}

/**
 * nm_message_get_replies:
 * @self: a message
 *
 * Gets the direct replies to the message within its thread, oldest first.  Only a message
 * reached through a thread ([method@Notmuch.Thread.get_messages],
 * [method@Notmuch.Thread.get_toplevel_messages] or another message's replies) knows its
 * replies; for any other message the list is empty.
 *
 * Returns: (transfer full): the replies
 *
 * Since: 0.1
 */
NmMessages *
nm_message_get_replies (NmMessage *self)
{
  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  /* A list constructed without a database is empty, as this message's replies are. */
  if (self->database == NULL)
    return g_object_new (NM_TYPE_MESSAGES, NULL);
  return _nm_messages_new_for_replies (self);
}

/* Requires the database lock. */
