/* nm-message-content.c: the content of a message, read from its file with GMime
 *
 * What reading needs from the index (file names, session keys) is copied under the database
 * lock; the file is then read, parsed and decrypted without it, so a slow disk or gpg does
 * not hold up other users of the database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-error-private.h"
#include "nm-message-private.h"
#include "nm-database-private.h"
#include "nm-mime-private.h"

/* The property under which indexing with decryption stores session keys. */
#define SESSION_KEY_PROPERTY "session-key"

/* A message's files and session keys, copied out of the index. */
typedef struct
{
  char *message_id;
  char **filenames;
  char **session_keys;
} NmContentSource;

static void
nm_content_source_clear (NmContentSource *source)
{
  g_clear_pointer (&source->message_id, g_free);
  g_clear_pointer (&source->filenames, g_strfreev);
  g_clear_pointer (&source->session_keys, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NmContentSource, nm_content_source_clear)

static gboolean
nm_content_source_init (NmContentSource  *source,
                        NmMessage        *message,
                        NmDecryptPolicy   decrypt,
                        GError          **error)
{
  NmDatabase *database = nm_message_get_database (message);
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (database);

  if (!_nm_database_check_current (database, _nm_message_get_generation (message), error))
    return FALSE;
  source->message_id = g_strdup (nm_message_get_message_id (message));
  source->filenames = nm_message_get_filenames (message);
  if (decrypt != NM_DECRYPT_POLICY_FALSE)
    source->session_keys = nm_message_get_property_values (message, SESSION_KEY_PROPERTY);
  return TRUE;
}

/* The first of the message's files that can be read, decompressed if it is gzipped.
 * @used_filename: (out) (transfer none): which file that was */
static GBytes *
nm_content_source_load (const NmContentSource  *source,
                        const char            **used_filename,
                        GCancellable           *cancellable,
                        GError                **error)
{
  g_autoptr (GError) first_error = NULL;

  if (source->filenames[0] == NULL)
    {
      _nm_set_error (error, NM_ERROR_FILE_ERROR,
                   "Message %s has no file: it is only known from other messages' references",
                   source->message_id);
      return NULL;
    }
  for (char **filename = source->filenames; *filename != NULL; filename++)
    {
      g_autoptr (GError) local_error = NULL;
      GBytes *bytes = _nm_mime_load_file (*filename, cancellable, &local_error);

      if (bytes != NULL)
        {
          if (used_filename != NULL)
            *used_filename = *filename;
          return bytes;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  _nm_set_error (error, NM_ERROR_FILE_ERROR, "Cannot read message %s: %s",
               source->message_id, first_error->message);
  return NULL;
}

/* Reads, parses and decrypts the message described by @source. */
static GMimeMessage *
nm_content_source_parse (const NmContentSource  *source,
                         NmDecryptPolicy         decrypt,
                         GCancellable           *cancellable,
                         GError                **error)
{
  NmMimeCrypto crypto = { decrypt, (const char * const *) source->session_keys };
  const char *filename = NULL;
  GMimeMessage *parsed;
  GBytes *bytes;

  bytes = nm_content_source_load (source, &filename, cancellable, error);
  if (bytes == NULL)
    return NULL;
  parsed = _nm_mime_parse_bytes (bytes);
  if (parsed == NULL)
    {
      _nm_set_error (error, NM_ERROR_FILE_NOT_EMAIL,
                   "Cannot parse message %s: %s is not an email message", source->message_id,
                   filename);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_object_unref (parsed);
      return NULL;
    }
  if (decrypt != NM_DECRYPT_POLICY_FALSE)
    _nm_mime_decrypt_in_place (parsed, &crypto);
  return parsed;
}

/* What a walk over the parts the CLI shows gives back: the body text or the attachments. */
typedef gpointer (*NmShownPartsFunc) (GMimeMessage *message, const NmMimeCrypto *crypto);

/* Reads the message as the CLI reads it before showing it, not yet decrypted (@walk
 * decrypts what it shows, with the session keys given to it), and walks it with @walk. */
static gpointer
nm_message_walk_shown_parts (NmMessage         *self,
                             NmDecryptPolicy    decrypt,
                             NmShownPartsFunc   walk,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_auto (NmContentSource) source = { 0 };
  g_autoptr (GMimeMessage) parsed = NULL;
  NmMimeCrypto crypto;

  if (!nm_content_source_init (&source, self, decrypt, error))
    return NULL;
  crypto.policy = decrypt;
  crypto.session_keys = (const char * const *) source.session_keys;
  parsed = nm_content_source_parse (&source, NM_DECRYPT_POLICY_FALSE, cancellable, error);
  if (parsed == NULL)
    return NULL;
  return walk (parsed, &crypto);
}

/**
 * nm_message_parse:
 * @self: a message
 * @decrypt: which encrypted parts to decrypt, as `notmuch show --decrypt`:
 *   %NM_DECRYPT_POLICY_FALSE none, %NM_DECRYPT_POLICY_AUTO those whose session key indexing
 *   stored (no secret key needed), %NM_DECRYPT_POLICY_TRUE or %NM_DECRYPT_POLICY_NOSTASH
 *   those too and any that gpg can decrypt with its secret keys
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Reads the message's file with GMime.  A message stored in several files is read from the
 * first one that can be read; a gzipped file is decompressed.
 *
 * The message comes back as stored, except that each encrypted part that can be decrypted
 * (PGP/MIME, including messages Microsoft Exchange rearranged, and S/MIME enveloped-data) is
 * replaced by its cleartext.  Nothing is written to the index: a session key that gpg found
 * is not stored, so this works on a database open read-only.
 *
 * Returns: (transfer full): the parsed message, or %NULL with @error set:
 *   %NM_ERROR_FILE_ERROR when no file of the message can be read (or it has none),
 *   %NM_ERROR_FILE_NOT_EMAIL when the file is not mail, %NM_ERROR_CLOSED_DATABASE, or
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
GMimeMessage *
nm_message_parse (NmMessage        *self,
                  NmDecryptPolicy   decrypt,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_auto (NmContentSource) source = { 0 };

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (decrypt <= NM_DECRYPT_POLICY_NOSTASH, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!nm_content_source_init (&source, self, decrypt, error))
    return NULL;
  return nm_content_source_parse (&source, decrypt, cancellable, error);
}

/**
 * nm_message_get_body_text:
 * @self: a message
 * @decrypt: which encrypted parts to decrypt (see [method@Notmuch.Message.parse])
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Gets the text a reader sees: the content of the `text/plain` parts that
 * `notmuch show --format=json` gives no `filename` (those of forwarded messages included),
 * in document order, joined with a newline.  Each part is decoded to UTF-8 as the CLI
 * decodes it: line ends become LF, the charset is converted (a part labelled ISO-8859-x
 * that uses windows-125x characters is read as windows-125x), and the bytes that are still
 * not UTF-8, and NUL bytes, become U+FFFD.
 *
 * The parts are those the CLI shows: encrypted parts decrypted as @decrypt allows,
 * S/MIME signed-data unwrapped, PGP/MIME messages that Microsoft Exchange rearranged
 * repaired, and the "legacy display" part of a fully decrypted message left out.
 * Every `text/plain` part is either in this text or among
 * [method@Notmuch.Message.get_attachments].
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when the message has no such
 *   part (with @error unset) or on error (see [method@Notmuch.Message.parse])
 *
 * Since: 0.1
 */
char *
nm_message_get_body_text (NmMessage        *self,
                          NmDecryptPolicy   decrypt,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (decrypt <= NM_DECRYPT_POLICY_NOSTASH, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return nm_message_walk_shown_parts (self, decrypt, (NmShownPartsFunc) _nm_mime_get_body_text,
                                      cancellable, error);
}

/**
 * nm_message_get_attachments:
 * @self: a message
 * @decrypt: which encrypted parts to decrypt (see [method@Notmuch.Message.parse])
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Gets the parts that `notmuch show --format=json` gives a `filename`, signature parts
 * included, in document order, from the same view of the message as
 * [method@Notmuch.Message.get_body_text].  g_mime_part_get_filename() gives each part's
 * name; g_mime_part_get_content() and g_mime_data_wrapper_write_to_stream() write its
 * decoded content, as `notmuch show --part=N` prints it.
 *
 * The array holds a reference on each part and releases it when freed with
 * g_ptr_array_unref(); take a reference to keep a part longer.  (Language bindings take
 * their own references: an element free function and `transfer full` would free the parts
 * twice in PyGObject and gjs.)
 *
 * Returns: (transfer container) (element-type GMime.Part): the parts, or %NULL on error (see
 *   [method@Notmuch.Message.parse])
 *
 * Since: 0.1
 */
GPtrArray *
nm_message_get_attachments (NmMessage        *self,
                            NmDecryptPolicy   decrypt,
                            GCancellable     *cancellable,
                            GError          **error)
{
  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (decrypt <= NM_DECRYPT_POLICY_NOSTASH, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return nm_message_walk_shown_parts (self, decrypt, (NmShownPartsFunc) _nm_mime_get_attachments,
                                      cancellable, error);
}

/**
 * nm_message_load_bytes:
 * @self: a message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Reads the message as `notmuch show --format=raw` prints it: the bytes of its first file
 * that can be read, decompressed if the file is gzipped.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set: %NM_ERROR_FILE_ERROR when
 *   no file of the message can be read (or it has none), %NM_ERROR_CLOSED_DATABASE, or
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
GBytes *
nm_message_load_bytes (NmMessage     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_auto (NmContentSource) source = { 0 };

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!nm_content_source_init (&source, self, NM_DECRYPT_POLICY_FALSE, error))
    return NULL;
  return nm_content_source_load (&source, NULL, cancellable, error);
}

/**
 * nm_message_get_file:
 * @self: a message
 *
 * Gets the first file of the message (see [method@Notmuch.Message.get_filename]) as a
 * #GFile, for example to open it with another program.  The file may be gzipped.
 *
 * Returns: (transfer full) (nullable): the file, or %NULL for a ghost message or a closed
 *   database
 *
 * Since: 0.1
 */
GFile *
nm_message_get_file (NmMessage *self)
{
  g_autofree char *filename = NULL;

  g_return_val_if_fail (NM_IS_MESSAGE (self), NULL);

  filename = nm_message_get_filename (self);
  return filename != NULL ? g_file_new_for_path (filename) : NULL;
}

/* ------------------------------------------------------------------------------------- */
/* The asynchronous twins, run in the database's worker thread. */

typedef enum
{
  NM_CONTENT_PARSE,
  NM_CONTENT_BODY_TEXT,
  NM_CONTENT_ATTACHMENTS,
  NM_CONTENT_BYTES,
} NmContentKind;

typedef struct
{
  NmContentKind kind;
  NmDecryptPolicy decrypt;
} NmContentRequest;

static void
nm_message_read_in_worker (GTask        *task,
                           gpointer      source,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  NmContentRequest *request = task_data;
  NmMessage *self = source;
  GError *error = NULL;
  gpointer result = NULL;
  GDestroyNotify free_result = g_object_unref;

  if (g_task_return_error_if_cancelled (task))
    return;
  switch (request->kind)
    {
    case NM_CONTENT_PARSE:
      result = nm_message_parse (self, request->decrypt, cancellable, &error);
      break;
    case NM_CONTENT_BODY_TEXT:
      result = nm_message_get_body_text (self, request->decrypt, cancellable, &error);
      free_result = g_free;
      break;
    case NM_CONTENT_ATTACHMENTS:
      result = nm_message_get_attachments (self, request->decrypt, cancellable, &error);
      free_result = (GDestroyNotify) g_ptr_array_unref;
      break;
    case NM_CONTENT_BYTES:
      result = nm_message_load_bytes (self, cancellable, &error);
      free_result = (GDestroyNotify) g_bytes_unref;
      break;
    default:
      g_assert_not_reached ();
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, free_result);
}

static void
nm_message_read_async (NmMessage           *self,
                       NmContentKind        kind,
                       NmDecryptPolicy      decrypt,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  NmContentRequest *request = g_new0 (NmContentRequest, 1);

  request->kind = kind;
  request->decrypt = decrypt;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, g_free);
  _nm_database_run_in_worker (nm_message_get_database (self), task, nm_message_read_in_worker);
}

static gpointer
nm_message_read_finish (NmMessage     *self,
                        GAsyncResult  *result,
                        gpointer       source_tag,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * nm_message_parse_async:
 * @self: a message
 * @decrypt: which encrypted parts to decrypt
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the message is parsed
 * @user_data: data for @callback
 *
 * Parses the message in the database's worker thread; see [method@Notmuch.Message.parse].
 *
 * Since: 0.1
 */
void
nm_message_parse_async (NmMessage           *self,
                        NmDecryptPolicy      decrypt,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (NM_IS_MESSAGE (self));
  g_return_if_fail (decrypt <= NM_DECRYPT_POLICY_NOSTASH);

  nm_message_read_async (self, NM_CONTENT_PARSE, decrypt, nm_message_parse_async, cancellable,
                         callback, user_data);
}

/**
 * nm_message_parse_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.parse_async].
 *
 * Returns: (transfer full): the parsed message, or %NULL with @error set
 *
 * Since: 0.1
 */
GMimeMessage *
nm_message_parse_finish (NmMessage     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return nm_message_read_finish (self, result, nm_message_parse_async, error);
}

/**
 * nm_message_get_body_text_async:
 * @self: a message
 * @decrypt: which encrypted parts to decrypt
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the text is read
 * @user_data: data for @callback
 *
 * Reads the body text in the database's worker thread; see
 * [method@Notmuch.Message.get_body_text].
 *
 * Since: 0.1
 */
void
nm_message_get_body_text_async (NmMessage           *self,
                                NmDecryptPolicy      decrypt,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NM_IS_MESSAGE (self));
  g_return_if_fail (decrypt <= NM_DECRYPT_POLICY_NOSTASH);

  nm_message_read_async (self, NM_CONTENT_BODY_TEXT, decrypt, nm_message_get_body_text_async,
                         cancellable, callback, user_data);
}

/**
 * nm_message_get_body_text_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.get_body_text_async].
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when the message has none (with
 *   @error unset) or on error
 *
 * Since: 0.1
 */
char *
nm_message_get_body_text_finish (NmMessage     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return nm_message_read_finish (self, result, nm_message_get_body_text_async, error);
}

/**
 * nm_message_get_attachments_async:
 * @self: a message
 * @decrypt: which encrypted parts to decrypt
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the attachments are found
 * @user_data: data for @callback
 *
 * Finds the attachments in the database's worker thread; see
 * [method@Notmuch.Message.get_attachments].
 *
 * Since: 0.1
 */
void
nm_message_get_attachments_async (NmMessage           *self,
                                  NmDecryptPolicy      decrypt,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NM_IS_MESSAGE (self));
  g_return_if_fail (decrypt <= NM_DECRYPT_POLICY_NOSTASH);

  nm_message_read_async (self, NM_CONTENT_ATTACHMENTS, decrypt,
                         nm_message_get_attachments_async, cancellable, callback, user_data);
}

/**
 * nm_message_get_attachments_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.get_attachments_async].
 *
 * Returns: (transfer container) (element-type GMime.Part): the parts, or %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
nm_message_get_attachments_finish (NmMessage     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return nm_message_read_finish (self, result, nm_message_get_attachments_async, error);
}

/**
 * nm_message_load_bytes_async:
 * @self: a message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the file is read
 * @user_data: data for @callback
 *
 * Reads the message's file in the database's worker thread; see
 * [method@Notmuch.Message.load_bytes].
 *
 * Since: 0.1
 */
void
nm_message_load_bytes_async (NmMessage           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NM_IS_MESSAGE (self));

  nm_message_read_async (self, NM_CONTENT_BYTES, NM_DECRYPT_POLICY_FALSE,
                         nm_message_load_bytes_async, cancellable, callback, user_data);
}

/**
 * nm_message_load_bytes_finish:
 * @self: a message
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Message.load_bytes_async].
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set
 *
 * Since: 0.1
 */
GBytes *
nm_message_load_bytes_finish (NmMessage     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nm_message_read_finish (self, result, nm_message_load_bytes_async, error);
}
