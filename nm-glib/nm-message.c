/* nm-message.c: one indexed mail message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-message-private.h"
#include "nm-error-private.h"
#include "nm-compat-private.h"
#include "nm-database-private.h"
#include "nm-index-options-private.h"
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
 */
struct _NmMessage
{
  GObject parent_instance;

  NmDatabase *database;
  /* Where notify::tags is emitted: where the message, or the list it came from, was
   * made. */
  NmOrigin *origin;
  /* Registered with the database for change notification, under message_id. */
  gboolean watched;
  guint generation;
  notmuch_message_t *native;
  gboolean owns_native;
  gpointer owner;
  GDestroyNotify owner_release;

  /* Copies taken the first time they are read: they cannot change, and libnotmuch's
   * get_header() allocates a new copy into the message on every call for these. */
  char *message_id;
  char *thread_id;
  char *from;
  char *subject;
  gint64 date;
  gboolean date_known;
  /* The tags as last read (one block, see _nm_tags_take_packed()), and the database's
   * write epoch then: valid until any object writes (the epoch moves) or this one changes
   * its document (nm_message_write() drops it).  Search results read it when they are
   * wrapped (_nm_message_new()). */
  char **tags;
  guint64 tags_epoch;

  /* libnotmuch's message objects each keep their own copy of the document once read and
   * write the whole copy back on every change.  When another object may have changed the
   * document since @native read it, the message reads and changes it through @current, a
   * native message of its own found again by id (see nm_message_document()). */
  notmuch_message_t *current;
  /* The database's write epoch when @native read the document, and when the copy in use
   * was last known to be up to date. */
  guint64 loaded_epoch;
  guint64 seen_epoch;
  /* freeze() depth, and the changes made since the outermost freeze(): they are applied
   * again to a fresh copy if another object writes the document before thaw(). */
  guint freeze_depth;
  GPtrArray *pending_changes;
  /* Strings handed out without a copy (transfer none) and replaced since. */
  GPtrArray *retired_strings;
};

/* One change to a message document, kept while the message is frozen. */
typedef enum
{
  NM_CHANGE_ADD_TAG,
  NM_CHANGE_REMOVE_TAG,
  NM_CHANGE_REMOVE_ALL_TAGS,
  NM_CHANGE_MAILDIR_FLAGS_TO_TAGS,
  NM_CHANGE_ADD_PROPERTY,
  NM_CHANGE_REMOVE_PROPERTY,
  NM_CHANGE_REMOVE_PROPERTIES_WITH_PREFIX,
} NmChangeKind;

typedef struct
{
  NmChangeKind kind;
  /* The tag, property key or key prefix (NULL: every property). */
  char *name;
  /* The property value; NULL removes every value of the key. */
  char *value;
} NmChange;

static void
nm_change_free (gpointer data)
{
  NmChange *change = data;

  g_free (change->name);
  g_free (change->value);
  g_free (change);
}

static NmChange *
nm_change_copy (const NmChange *change)
{
  NmChange *copy = g_new (NmChange, 1);

  copy->kind = change->kind;
  copy->name = g_strdup (change->name);
  copy->value = g_strdup (change->value);
  return copy;
}

/* Requires the database lock. */
static notmuch_status_t
nm_change_apply (const NmChange    *change,
                 notmuch_message_t *document)
{
  switch (change->kind)
    {
    case NM_CHANGE_ADD_TAG:
      return notmuch_message_add_tag (document, change->name);
    case NM_CHANGE_REMOVE_TAG:
      return notmuch_message_remove_tag (document, change->name);
    case NM_CHANGE_REMOVE_ALL_TAGS:
      return notmuch_message_remove_all_tags (document);
    case NM_CHANGE_MAILDIR_FLAGS_TO_TAGS:
      return notmuch_message_maildir_flags_to_tags (document);
    case NM_CHANGE_ADD_PROPERTY:
      return notmuch_message_add_property (document, change->name, change->value);
    case NM_CHANGE_REMOVE_PROPERTY:
      return change->value != NULL
               ? notmuch_message_remove_property (document, change->name, change->value)
               : notmuch_message_remove_all_properties (document, change->name);
    case NM_CHANGE_REMOVE_PROPERTIES_WITH_PREFIX:
      return change->name != NULL
               ? notmuch_message_remove_all_properties_with_prefix (document, change->name)
               : notmuch_message_remove_all_properties (document, NULL);
    default:
      g_assert_not_reached ();
    }
}

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
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, NM_TYPE_DATABASE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:message-id: (getter get_message_id)
   *
   * The Message-ID, without angle brackets.
   */
  properties[PROP_MESSAGE_ID] =
    g_param_spec_string ("message-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:thread-id: (getter get_thread_id)
   *
   * The id of the thread the message belongs to.
   */
  properties[PROP_THREAD_ID] =
    g_param_spec_string ("thread-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:date: (getter get_date)
   *
   * The date of the message in seconds since the epoch, as indexed.
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
   */
  properties[PROP_FILENAME] =
    g_param_spec_string ("filename", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:filenames: (getter get_filenames)
   *
   * Every file of the message, as they can be shown (see
   * [property@Notmuch.Message:filename]).
   */
  properties[PROP_FILENAMES] =
    g_param_spec_boxed ("filenames", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:tags: (getter get_tags)
   *
   * The tags of the message, sorted in byte order.  Notified when a change made through
   * any object of the database changes them.
   */
  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:subject: (getter get_subject)
   *
   * The Subject header, decoded to text.
   */
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * NmMessage:author: (getter get_author)
   *
   * The From header, decoded to text: who wrote the message.
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
static notmuch_message_t *
nm_message_reload (NmMessage  *self,
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
        nm_change_apply (g_ptr_array_index (self->pending_changes, i), fresh);
    }
  g_clear_pointer (&self->current, notmuch_message_destroy);
  self->current = fresh;
  self->seen_epoch = _nm_database_get_write_epoch (self->database);
  return fresh;
}

/* The native message holding an up-to-date copy of the document, to change it through:
 * found again if another object wrote message documents since this one's copy was read.
 * Requires the lock. */
static notmuch_message_t *
nm_message_document (NmMessage  *self,
                     GError    **error)
{
  if (self->seen_epoch != _nm_database_get_write_epoch (self->database))
    return nm_message_reload (self, error);
  return self->current != NULL ? self->current : self->native;
}

/* The native message to read the document from: an up-to-date copy, or the one at hand if
 * the message cannot be found again (it was removed, or it is a ghost).  Requires the
 * lock. */
static notmuch_message_t *
nm_message_read_document (NmMessage *self)
{
  notmuch_message_t *document = nm_message_document (self, NULL);

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
  nm_message_snapshot_tags (self, nm_message_read_document (self));
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
static const char *
nm_message_cache_string (NmMessage   *self,
                         char       **cache,
                         const char *(*read) (notmuch_message_t *))
{
  if (*cache == NULL && _nm_database_is_current (self->database, self->generation))
    *cache = g_strdup (read (cache == &self->message_id ? self->native
                                                       : nm_message_read_document (self)));
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
 */
const char *
nm_message_get_message_id (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  locker = _nm_database_lock (self->database);
  return nm_message_cache_string (self, &self->message_id, notmuch_message_get_message_id);
}

/**
 * nm_message_get_thread_id: (get-property thread-id)
 * @self: a message
 *
 * Gets the id of the thread the message belongs to, as used in `thread:` queries.
 *
 * Returns: (nullable): the thread id, or %NULL if the database was closed before it was
 *   first read
 */
const char *
nm_message_get_thread_id (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  locker = _nm_database_lock (self->database);
  return nm_message_cache_string (self, &self->thread_id, notmuch_message_get_thread_id);
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
 */
gint64
nm_message_get_date (NmMessage *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), 0);

  locker = _nm_database_lock (self->database);
  if (!self->date_known && _nm_database_is_current (self->database, self->generation))
    {
      self->date = notmuch_message_get_date (nm_message_read_document (self));
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
  value = notmuch_message_get_header (nm_message_read_document (self), name);
  if (value == NULL)
    {
      _nm_set_error (error, NM_ERROR_FILE_ERROR,
                     "Cannot read the %s header of message %s: its file is missing or unreadable",
                     name, nm_message_cache_string (self, &self->message_id,
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
  filename = notmuch_message_get_filename (nm_message_read_document (self));
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

  filenames = notmuch_message_get_filenames (nm_message_read_document (self));
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
    nm_message_snapshot_tags (self, nm_message_read_document (self));
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
  tags = notmuch_message_get_tags (nm_message_read_document (self));
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
static gboolean
nm_message_check_status (NmMessage         *self,
                         notmuch_status_t   status,
                         GError           **error,
                         const char        *action)
{
  return _nm_database_check_status (self->database, status, error, "Cannot %s message %s",
                                    action, nm_message_cache_string (self, &self->message_id,
                                                    notmuch_message_get_message_id));
}

/* Applies @changes to the document in one write or, while the message is frozen, keeps
 * them for thaw().  Requires the lock. */
static gboolean
nm_message_write (NmMessage       *self,
                  const NmChange  *changes,
                  guint            n_changes,
                  const char      *action,
                  GError         **error)
{
  notmuch_message_t *document = nm_message_document (self, error);
  notmuch_status_t status, thaw_status;

  /* The snapshot is read again at the next get_tags(), and kept until then to tell whether
   * the tags changed. */
  self->tags_epoch = G_MAXUINT64;
  if (document == NULL)
    return FALSE;
  /* One freeze around the changes makes them one write: the thaw syncs every change,
   * property removals included. */
  status = notmuch_message_freeze (document);
  if (status != NOTMUCH_STATUS_SUCCESS)
    return nm_message_check_status (self, status, error, action);
  for (guint i = 0; status == NOTMUCH_STATUS_SUCCESS && i < n_changes; i++)
    status = nm_change_apply (&changes[i], document);
  /* Thaw even after a failure, so the message is not left frozen. */
  thaw_status = notmuch_message_thaw (document);
  if (status == NOTMUCH_STATUS_SUCCESS)
    status = thaw_status;
  if (status != NOTMUCH_STATUS_SUCCESS)
    return nm_message_check_status (self, status, error, action);

  if (self->freeze_depth > 0)
    {
      for (guint i = 0; i < n_changes; i++)
        g_ptr_array_add (self->pending_changes, nm_change_copy (&changes[i]));
      return TRUE;
    }
  self->seen_epoch = _nm_database_note_write (self->database);
  _nm_database_note_tags_changed (self->database, nm_message_get_message_id (self),
                                  nm_message_get_thread_id (self));
  return TRUE;
}

/**
 * nm_message_add_tag:
 * @self: a message of a database open for writing
 * @tag: the tag to add
 * @error: return location for an error
 *
 * Adds a tag.  Adding a tag the message has changes nothing.
 *
 * Returns: %TRUE on success; %NM_ERROR_INVALID_TAG for an empty, non-UTF-8 or too long tag
 */
gboolean
nm_message_add_tag (NmMessage   *self,
                    const char  *tag,
                    GError     **error)
{
  NmChange change = { NM_CHANGE_ADD_TAG, (char *) tag, NULL };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_tag_validate (tag, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "add a tag to", error);
}

/**
 * nm_message_remove_tag:
 * @self: a message of a database open for writing
 * @tag: the tag to remove
 * @error: return location for an error
 *
 * Removes a tag.  Removing a tag the message does not have changes nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_message_remove_tag (NmMessage   *self,
                       const char  *tag,
                       GError     **error)
{
  NmChange change = { NM_CHANGE_REMOVE_TAG, (char *) tag, NULL };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_tag_validate (tag, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "remove a tag from", error);
}

/**
 * nm_message_remove_all_tags:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Removes every tag.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_message_remove_all_tags (NmMessage  *self,
                            GError    **error)
{
  NmChange change = { NM_CHANGE_REMOVE_ALL_TAGS, NULL, NULL };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "remove the tags of", error);
}

/**
 * nm_message_set_tags:
 * @self: a message of a database open for writing
 * @tags: (array zero-terminated=1): the complete new set of tags
 * @error: return location for an error
 *
 * Replaces the message's tags with @tags in one change: tags not in @tags are removed, the
 * missing ones added, and the index is written once.  Nothing changes if a tag is invalid.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_message_set_tags (NmMessage          *self,
                     const char * const *tags,
                     GError            **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (NmChange));
  g_auto (GStrv) current = NULL;
  notmuch_message_t *document;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (tags != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (const char * const *tag = tags; *tag != NULL; tag++)
    if (!_nm_tag_validate (*tag, error))
      return FALSE;

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  document = nm_message_document (self, error);
  if (document == NULL)
    return FALSE;
  current = _nm_tags_take_strv (notmuch_message_get_tags (document));
  for (char **tag = current; *tag != NULL; tag++)
    if (!g_strv_contains (tags, *tag))
      g_array_append_val (changes, ((NmChange) { NM_CHANGE_REMOVE_TAG, *tag, NULL }));
  for (const char * const *tag = tags; *tag != NULL; tag++)
    if (!g_strv_contains ((const char * const *) current, *tag))
      g_array_append_val (changes, ((NmChange) { NM_CHANGE_ADD_TAG, (char *) *tag, NULL }));
  return nm_message_write (self, (NmChange *) changes->data, changes->len, "set the tags of",
                           error);
}

/**
 * nm_message_freeze:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Defers writing tag changes to the index until the matching [method@Notmuch.Message.thaw],
 * so that several changes are written, and seen by other readers, at once.  Freezes nest.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_message_freeze (NmMessage  *self,
                   GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->freeze_depth == 0)
    {
      /* A thread's messages share their native message with every other object made for
       * the same message: the frozen copy must be this message's own. */
      document = self->owns_native || self->current != NULL ? nm_message_document (self, error)
                                                            : nm_message_reload (self, error);
      if (document == NULL)
        return FALSE;
      if (!nm_message_check_status (self, notmuch_message_freeze (document), error, "freeze"))
        return FALSE;
      self->pending_changes = g_ptr_array_new_with_free_func (nm_change_free);
    }
  self->freeze_depth++;
  return TRUE;
}

/**
 * nm_message_thaw:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Ends a [method@Notmuch.Message.freeze]; the outermost thaw writes the changes.
 *
 * Returns: %TRUE on success; %NM_ERROR_UNBALANCED_FREEZE_THAW without a matching freeze
 */
gboolean
nm_message_thaw (NmMessage  *self,
                 GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  if (self->freeze_depth == 0)
    {
      _nm_set_error (error, NM_ERROR_UNBALANCED_FREEZE_THAW,
                     "Cannot thaw message %s: it is not frozen", nm_message_get_message_id (self));
      return FALSE;
    }
  if (self->freeze_depth > 1)
    {
      self->freeze_depth--;
      return TRUE;
    }
  /* Found again, with the kept changes applied, if another object wrote meanwhile. */
  document = nm_message_document (self, error);
  self->freeze_depth = 0;
  g_clear_pointer (&self->pending_changes, g_ptr_array_unref);
  if (document == NULL)
    return FALSE;
  status = notmuch_message_thaw (document);
  if (status == NOTMUCH_STATUS_SUCCESS)
    {
      self->seen_epoch = _nm_database_note_write (self->database);
      _nm_database_note_tags_changed (self->database, nm_message_get_message_id (self),
                                      nm_message_get_thread_id (self));
    }
  return nm_message_check_status (self, status, error, "thaw");
}

/**
 * nm_message_maildir_flags_to_tags:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Sets the tags that mirror maildir flags from the flags in the message's file names:
 * `draft` (D), `flagged` (F), `passed` (P), `replied` (R), and `unread` for the absence
 * of S.
 *
 * Returns: %TRUE on success
 */
gboolean
nm_message_maildir_flags_to_tags (NmMessage  *self,
                                  GError    **error)
{
  NmChange change = { NM_CHANGE_MAILDIR_FLAGS_TO_TAGS, NULL, NULL };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "read the maildir flags of", error);
}

/**
 * nm_message_tags_to_maildir_flags:
 * @self: a message of a database open for writing
 * @error: return location for an error
 *
 * Renames the message's files in `cur/` directories so that their maildir flags match its
 * tags (the reverse of [method@Notmuch.Message.maildir_flags_to_tags]); files in `new/`
 * move to `cur/`.  [method@Notmuch.Message.get_filenames] returns the new names afterwards.
 *
 * Returns: %TRUE on success; %NM_ERROR_PATH_ERROR, renaming nothing, if a new name could be
 *   too long for the index
 */
gboolean
nm_message_tags_to_maildir_flags (NmMessage  *self,
                                  GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  document = nm_message_document (self, error);
  if (document == NULL
      || !_nm_compat_check_maildir_renames (_nm_database_get_native (self->database), document,
                                            error))
    return FALSE;
  status = notmuch_message_tags_to_maildir_flags (document);
  /* libnotmuch writes the document when it renames a file, frozen or not. */
  self->seen_epoch = _nm_database_note_write (self->database);
  return nm_message_check_status (self, status, error, "write the maildir flags of");
}

/**
 * nm_message_has_maildir_flag:
 * @self: a message
 * @flag: a maildir flag character, such as `S` or `F`
 * @error: return location for an error
 *
 * Checks whether any of the message's file names carries a maildir flag.
 *
 * Returns: %TRUE if one does; %FALSE if none does, or on error
 */
gboolean
nm_message_has_maildir_flag (NmMessage  *self,
                             gunichar    flag,
                             GError    **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_bool_t set = FALSE;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (flag == 0 || flag > 0x7f)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "Maildir flags are ASCII characters, not U+%04X", flag);
      return FALSE;
    }
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  status = notmuch_message_has_maildir_flag_st (nm_message_read_document (self), (char) flag,
                                                &set);
  if (!nm_message_check_status (self, status, error, "read the maildir flags of"))
    return FALSE;
  return set;
}

/**
 * nm_message_reindex:
 * @self: a message of a database open for writing
 * @options: (nullable): how to index, or %NULL for the database's defaults; options
 *   constructed without a database are refused with %NM_ERROR_ILLEGAL_ARGUMENT
 * @error: return location for an error
 *
 * Indexes the message's files again, keeping its tags and properties.  Cached header
 * values are read again afterwards.  Malformed mail can make libnotmuch log a critical, as
 * for [method@Notmuch.Database.index_file].
 *
 * Returns: %TRUE on success
 */
gboolean
nm_message_reindex (NmMessage       *self,
                    NmIndexOptions  *options,
                    GError         **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_t *document;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (options == NULL || NM_IS_INDEX_OPTIONS (options), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_index_options_check_usable (options, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  document = nm_message_document (self, error);
  if (document == NULL)
    return FALSE;
  status = notmuch_message_reindex (document,
                                    options != NULL ? _nm_index_options_get_native (options)
                                                    : NULL);
  /* Reindexing rewrites the document behind every copy, this message's included: the next
   * read finds it again. */
  _nm_database_note_write (self->database);
  if (!nm_message_check_status (self, status, error, "reindex"))
    return FALSE;
  /* The thread id was handed out without a copy: it stays valid until the message is
   * finalized. */
  if (self->thread_id != NULL)
    {
      if (self->retired_strings == NULL)
        self->retired_strings = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (self->retired_strings, g_steal_pointer (&self->thread_id));
    }
  g_clear_pointer (&self->from, g_free);
  g_clear_pointer (&self->subject, g_free);
  self->date_known = FALSE;
  return TRUE;
}

/* Copies "key=value" pairs, or only the values.  Requires the lock. */
static char **
nm_message_take_properties (notmuch_message_properties_t *native_properties, gboolean values_only)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (; notmuch_message_properties_valid (native_properties);
       notmuch_message_properties_move_to_next (native_properties))
    {
      const char *value = notmuch_message_properties_value (native_properties);

      g_autofree char *pair = NULL;

      if (values_only)
        {
          g_strv_builder_add (builder, value);
          continue;
        }
      pair = g_strconcat (notmuch_message_properties_key (native_properties), "=", value, NULL);
      g_strv_builder_add (builder, pair);
    }
  g_clear_pointer (&native_properties, notmuch_message_properties_destroy);
  return g_strv_builder_end (builder);
}

/* Property keys cannot contain '=', which separates key and value in the index; keys and
 * values are UTF-8, as every string this library hands out.  @value may be NULL. */
static gboolean
nm_message_check_property (const char  *key,
                           const char  *value,
                           GError     **error)
{
  if (!g_utf8_validate (key, -1, NULL) || (value != NULL && !g_utf8_validate (value, -1, NULL)))
    {
      _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT,
                             "Message properties are valid UTF-8");
      return FALSE;
    }
  if (strchr (key, '=') != NULL)
    {
      _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                     "Property keys cannot contain “=”: “%s”", key);
      return FALSE;
    }
  return value == NULL || _nm_compat_check_property_term (key, value, error);
}

/**
 * nm_message_get_property_values:
 * @self: a message
 * @key: a property key
 *
 * Gets the values of a message property: applications store their own data on messages as
 * key/value properties, each key with any number of values.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values of exactly @key; empty if
 *   there are none or the database is closed
 */
char **
nm_message_get_property_values (NmMessage  *self,
                                const char *key)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_properties_t *native_properties;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_is_current (self->database, self->generation))
    return g_new0 (char *, 1);
  native_properties = _nm_compat_message_get_properties (nm_message_read_document (self), key,
                                                         TRUE);
  if (native_properties == NULL)
    return g_new0 (char *, 1);
  return nm_message_take_properties (native_properties, TRUE);
}

/**
 * nm_message_add_property:
 * @self: a message of a database open for writing
 * @key: the property key; it cannot contain `=`
 * @value: the value to add
 * @error: return location for an error
 *
 * Adds a value to a message property.  Adding a value the key has changes nothing.
 *
 * The index stores a property as one term of at most 245 bytes, which leaves 236 bytes
 * for `key=value` in UTF-8.
 *
 * Returns: %TRUE on success; %NM_ERROR_ILLEGAL_ARGUMENT for a key with `=`, a key or value
 *   that is not UTF-8, or a longer `key=value`
 */
gboolean
nm_message_add_property (NmMessage   *self,
                         const char  *key,
                         const char  *value,
                         GError     **error)
{
  NmChange change = { NM_CHANGE_ADD_PROPERTY, (char *) key, (char *) value };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_message_check_property (key, value, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "add a property to", error);
}

/**
 * nm_message_remove_property:
 * @self: a message of a database open for writing
 * @key: the property key
 * @value: (nullable): the value to remove, or %NULL for every value of @key
 * @error: return location for an error
 *
 * Removes one value, or every value, of a message property.
 *
 * Returns: %TRUE on success; %NM_ERROR_ILLEGAL_ARGUMENT for a key or value that
 *   [method@Notmuch.Message.add_property] refuses
 */
gboolean
nm_message_remove_property (NmMessage   *self,
                            const char  *key,
                            const char  *value,
                            GError     **error)
{
  NmChange change = { NM_CHANGE_REMOVE_PROPERTY, (char *) key, (char *) value };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!nm_message_check_property (key, value, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "remove a property from", error);
}

/**
 * nm_message_remove_all_properties:
 * @self: a message of a database open for writing
 * @prefix: (nullable): remove only the properties whose key starts with @prefix, or %NULL
 *   for all
 * @error: return location for an error
 *
 * Removes every property, or every property whose key starts with @prefix.
 *
 * Returns: %TRUE on success; %NM_ERROR_ILLEGAL_ARGUMENT for a prefix with `=` (no key
 *   starts with one) or that is not UTF-8
 */
gboolean
nm_message_remove_all_properties (NmMessage   *self,
                                  const char  *prefix,
                                  GError     **error)
{
  NmChange change = { NM_CHANGE_REMOVE_PROPERTIES_WITH_PREFIX, (char *) prefix, NULL };
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* libnotmuch removes by term prefix: "a=b" would remove key "a" with values from "b". */
  if (prefix != NULL && !nm_message_check_property (prefix, NULL, error))
    return FALSE;

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return FALSE;
  return nm_message_write (self, &change, 1, "remove the properties of", error);
}

/**
 * nm_message_count_properties:
 * @self: a message
 * @key: a property key
 * @error: return location for an error
 *
 * Counts the values of a message property.
 *
 * Returns: the number of values of exactly @key; 0 on error
 */
guint
nm_message_count_properties (NmMessage   *self,
                             const char  *key,
                             GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  unsigned int count = 0;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_MESSAGE (self), 0);
  g_return_val_if_fail (key != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return 0;
  status = _nm_compat_message_count_properties (nm_message_read_document (self), key, &count);
  if (!nm_message_check_status (self, status, error, "count the properties of"))
    return 0;
  return count;
}

/**
 * nm_message_get_all_properties:
 * @self: a message
 * @prefix: (nullable): a key, or key prefix; %NULL or the empty string for all keys
 * @exact: whether @prefix must match the whole key
 * @error: return location for an error
 *
 * Gets a message's properties as `key=value` strings.  Keys cannot contain `=`, so the
 * first `=` of each string separates key and value.
 *
 * Returns: (transfer full) (array zero-terminated=1): the properties, sorted by key; %NULL
 *   on error
 */
char **
nm_message_get_all_properties (NmMessage   *self,
                               const char  *prefix,
                               gboolean     exact,
                               GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_message_properties_t *native_properties;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (self->database);
  if (!_nm_database_check_current (self->database, self->generation, error))
    return NULL;
  native_properties = _nm_compat_message_get_properties (nm_message_read_document (self),
                                                         prefix != NULL ? prefix : "", exact);
  if (native_properties == NULL)
    {
      nm_message_check_status (self, NM_COMPAT_STATUS_INVALIDATED, error,
                               "read the properties of");
      return NULL;
    }
  return nm_message_take_properties (native_properties, FALSE);
}
