/* nm-mime.c: reading mail files with GMime the way `notmuch show` does
 *
 * A message is walked part by part in document order, with the notmuch CLI's view of the
 * tree: encrypted parts replaced by their cleartext when the decryption policy allows it,
 * S/MIME signed-data unwrapped, PGP/MIME messages that Microsoft Exchange turned into
 * multipart/mixed repaired, and the "legacy display" part of a fully decrypted payload
 * with protected headers left out.  Body text and attachments are both read from that
 * walk, so every part lands in the same place as in `notmuch show --format=json`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-error-private.h"
#include "nm-mime-private.h"
#include "nm-error.h"

#include <string.h>

/* Where an object sits in the tree that nm_message_parse() returns: the MIME part of a
 * GMimeMessage (@index unused) or part @index of a GMimeMultipart.  No container: the
 * object is only shown by the walk (the content of S/MIME signed-data). */
typedef struct
{
  GMimeObject *container;
  int index;
} NmMimePlace;

typedef struct
{
  NmMimePlace place;
  GMimeObject *cleartext;
} NmMimeCleartext;

typedef void (*NmMimeLeafFunc) (GMimePart *part, gpointer user_data);

typedef struct
{
  const NmMimeCrypto *crypto;
  /* The CLI checks multipart/signed signatures only when it may call gpg; a checked
   * signature is part of the cryptographic envelope, an unchecked one is payload. */
  gboolean verify;
  /* Whether the first part outside the cryptographic envelope was reached, and whether a
   * decryption succeeded before that: only then is the message fully decrypted. */
  gboolean payload_seen;
  gboolean fully_decrypted;
  NmMimeLeafFunc leaf;
  gpointer user_data;
  /* Decrypted parts and where their cleartext goes; NULL when not wanted. */
  GArray *cleartexts;
} NmMimeWalk;

static const NmMimePlace nowhere = { NULL, 0 };

static void
nm_mime_cleartext_clear (gpointer data)
{
  NmMimeCleartext *cleartext = data;

  g_clear_object (&cleartext->cleartext);
}

/* Microsoft Exchange rewrites PGP/MIME messages into multipart/mixed with an empty
 * text/plain part first, then the two parts of the multipart/encrypted.  Returns a
 * multipart/encrypted made of those two, or NULL for any other part.
 * (draft-dkg-openpgp-pgpmime-message-mangling, section 4.1) */
static GMimeObject *
nm_mime_repair_mixed_up (GMimeObject *object)
{
  GMimeMultipart *multipart = GMIME_MULTIPART (object);
  GMimeObject *prelude, *version, *payload;
  GMimeMultipartEncrypted *repaired;
  g_autofree char *prelude_text = NULL;

  if (!g_mime_content_type_is_type (g_mime_object_get_content_type (object), "multipart",
                                    "mixed")
      || g_mime_multipart_get_count (multipart) != 3)
    return NULL;
  prelude = g_mime_multipart_get_part (multipart, 0);
  version = g_mime_multipart_get_part (multipart, 1);
  payload = g_mime_multipart_get_part (multipart, 2);
  if (!GMIME_IS_TEXT_PART (prelude)
      || !g_mime_content_type_is_type (g_mime_object_get_content_type (prelude), "text",
                                       "plain")
      || !g_mime_content_type_is_type (g_mime_object_get_content_type (version),
                                       "application", "pgp-encrypted")
      || !g_mime_content_type_is_type (g_mime_object_get_content_type (payload),
                                       "application", "octet-stream"))
    return NULL;
  prelude_text = g_mime_text_part_get_text (GMIME_TEXT_PART (prelude));
  if (prelude_text != NULL && prelude_text[0] != '\0')
    return NULL;

  repaired = g_mime_multipart_encrypted_new ();
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (repaired), "protocol",
                                            "application/pgp-encrypted");
  g_mime_multipart_add (GMIME_MULTIPART (repaired), version);
  g_mime_multipart_add (GMIME_MULTIPART (repaired), payload);
  return GMIME_OBJECT (repaired);
}

static gboolean
nm_mime_has_protected_headers (GMimeObject *object)
{
  return g_strcmp0 (g_mime_object_get_content_type_parameter (object, "protected-headers"),
                    "v1") == 0;
}

/* A payload with protected headers may start with a "legacy display" part repeating those
 * headers for mail readers that do not know them: multipart/mixed with two parts, the first
 * a text/plain (or, in early implementations, text/rfc822-headers) part.  Returns the
 * second part then, else @payload. */
static GMimeObject *
nm_mime_skip_legacy_display (GMimeObject *payload)
{
  GMimeObject *first;
  GMimeContentType *first_type;

  if (!GMIME_IS_MULTIPART (payload)
      || !g_mime_content_type_is_type (g_mime_object_get_content_type (payload), "multipart",
                                       "mixed")
      || !nm_mime_has_protected_headers (payload)
      || g_mime_multipart_get_count (GMIME_MULTIPART (payload)) != 2)
    return payload;
  first = g_mime_multipart_get_part (GMIME_MULTIPART (payload), 0);
  first_type = g_mime_object_get_content_type (first);
  if (!GMIME_IS_TEXT_PART (first)
      || !(g_mime_content_type_is_type (first_type, "text", "plain")
           || g_mime_content_type_is_type (first_type, "text", "rfc822-headers"))
      || !nm_mime_has_protected_headers (first))
    return payload;
  return g_mime_multipart_get_part (GMIME_MULTIPART (payload), 1);
}

static gboolean
nm_mime_is_smime (GMimeObject *object, GMimeSecureMimeType type)
{
  return GMIME_IS_APPLICATION_PKCS7_MIME (object)
         && g_mime_application_pkcs7_mime_get_smime_type (GMIME_APPLICATION_PKCS7_MIME (object))
              == type;
}

/* One decryption attempt, with a stored session key or (@session_key NULL) with gpg's
 * secret keys.  A failure only means the part stays encrypted, as in the CLI. */
static GMimeObject *
nm_mime_try_decrypt (GMimeObject *encrypted,
                     const char  *session_key)
{
  g_autoptr (GError) error = NULL;
  GMimeDecryptResult *result = NULL;
  GMimeObject *cleartext;

  if (GMIME_IS_MULTIPART_ENCRYPTED (encrypted))
    cleartext = g_mime_multipart_encrypted_decrypt (GMIME_MULTIPART_ENCRYPTED (encrypted),
                                                    GMIME_DECRYPT_NONE, session_key, &result,
                                                    &error);
  else
    cleartext = g_mime_application_pkcs7_mime_decrypt (GMIME_APPLICATION_PKCS7_MIME (encrypted),
                                                       GMIME_DECRYPT_NONE, session_key, &result,
                                                       &error);
  g_clear_object (&result);
  return cleartext;
}

/* The stored session keys first; then, unless the policy is AUTO, gpg.  Nothing is written
 * back: a session key found by gpg is not stashed. */
static GMimeObject *
nm_mime_decrypt (NmMimeWalk  *walk,
                 GMimeObject *encrypted)
{
  const char * const *keys = walk->crypto->session_keys;
  GMimeObject *cleartext = NULL;

  for (; cleartext == NULL && keys != NULL && *keys != NULL; keys++)
    cleartext = nm_mime_try_decrypt (encrypted, *keys);
  if (cleartext == NULL && walk->crypto->policy != NM_DECRYPT_POLICY_AUTO)
    cleartext = nm_mime_try_decrypt (encrypted, NULL);
  if (cleartext != NULL && !walk->payload_seen)
    walk->fully_decrypted = TRUE;
  return cleartext;
}

/* The content of S/MIME signed-data; the signatures themselves are not needed. */
static GMimeObject *
nm_mime_unwrap_signed_data (GMimeObject *object)
{
  g_autoptr (GError) error = NULL;
  GMimeSignatureList *signatures;
  GMimeObject *content = NULL;

  signatures = g_mime_application_pkcs7_mime_verify (GMIME_APPLICATION_PKCS7_MIME (object),
                                                     GMIME_VERIFY_NONE, &content, &error);
  g_clear_object (&signatures);
  return content;
}

/* Whether @object is the first part outside the cryptographic envelope.  The first child of
 * a multipart/encrypted, when it has the protocol's type, is control information. */
static gboolean
nm_mime_is_first_payload (NmMimeWalk  *walk,
                          GMimeObject *object,
                          GMimeObject *parent,
                          int          index)
{
  if (walk->payload_seen)
    return FALSE;
  if (parent != NULL && GMIME_IS_MULTIPART_ENCRYPTED (parent) && index == 0)
    {
      const char *protocol = g_mime_object_get_content_type_parameter (parent, "protocol");
      g_autofree char *type = NULL;

      if (protocol != NULL && g_mime_object_get_content_type (object) != NULL)
        type = g_mime_content_type_get_mime_type (g_mime_object_get_content_type (object));
      if (type != NULL && strcmp (type, protocol) == 0)
        return FALSE;
    }
  walk->payload_seen = TRUE;
  return TRUE;
}

static void
nm_mime_note_cleartext (NmMimeWalk  *walk,
                        NmMimePlace  place,
                        GMimeObject *cleartext)
{
  NmMimeCleartext entry = { place, NULL };

  if (walk->cleartexts == NULL || place.container == NULL)
    return;
  entry.cleartext = g_object_ref (cleartext);
  g_array_append_val (walk->cleartexts, entry);
}

/* Walks @object, child @index of @parent, which sits at @place in the parsed tree. */
static void
nm_mime_walk_object (NmMimeWalk  *walk,
                     GMimeObject *object,
                     GMimeObject *parent,
                     int          index,
                     NmMimePlace  place)
{
  g_autoptr (GMimeObject) repaired = NULL;
  g_autoptr (GMimeObject) unwrapped = NULL;
  gboolean unwrapped_is_cleartext = FALSE;
  GMimeObject *shown = object;

  if (GMIME_IS_MULTIPART (object))
    {
      repaired = nm_mime_repair_mixed_up (object);
      if (repaired != NULL)
        shown = repaired;
    }
  else if (!GMIME_IS_PART (object) && !GMIME_IS_MESSAGE_PART (object))
    {
      /* The CLI leaves out objects of any other type. */
      return;
    }

  if (GMIME_IS_MULTIPART_ENCRYPTED (shown)
      && walk->crypto->policy != NM_DECRYPT_POLICY_FALSE)
    {
      /* RFC 3156 section 4: exactly a control part and the encrypted data. */
      if (g_mime_multipart_get_count (GMIME_MULTIPART (shown)) == 2)
        unwrapped = nm_mime_decrypt (walk, shown);
      unwrapped_is_cleartext = unwrapped != NULL;
    }
  else if (GMIME_IS_MULTIPART_SIGNED (shown) && walk->verify)
    {
      /* Part of the envelope; what is shown does not change. */
    }
  else if (nm_mime_is_smime (shown, GMIME_SECURE_MIME_TYPE_SIGNED_DATA))
    {
      unwrapped = nm_mime_unwrap_signed_data (shown);
    }
  else if (nm_mime_is_smime (shown, GMIME_SECURE_MIME_TYPE_ENVELOPED_DATA)
           && walk->crypto->policy != NM_DECRYPT_POLICY_FALSE)
    {
      unwrapped = nm_mime_decrypt (walk, shown);
      unwrapped_is_cleartext = unwrapped != NULL;
    }
  else if (nm_mime_is_first_payload (walk, shown, parent, index) && walk->fully_decrypted)
    {
      GMimeObject *payload = nm_mime_skip_legacy_display (shown);

      if (payload != shown)
        {
          NmMimePlace payload_place = { shown, 1 };

          nm_mime_walk_object (walk, payload, parent, index, payload_place);
          return;
        }
    }
  if (unwrapped_is_cleartext)
    nm_mime_note_cleartext (walk, place, unwrapped);

  if (GMIME_IS_PART (shown) && walk->leaf != NULL)
    walk->leaf (GMIME_PART (shown), walk->user_data);

  if (GMIME_IS_MULTIPART (shown))
    {
      int count = g_mime_multipart_get_count (GMIME_MULTIPART (shown));

      for (int i = 0; i < count; i++)
        {
          NmMimePlace child_place = { shown, i };
          GMimeObject *child = g_mime_multipart_get_part (GMIME_MULTIPART (shown), i);

          /* The cleartext takes the place of the encrypted data, and in the parsed tree
           * the place of the whole multipart/encrypted. */
          if (i == GMIME_MULTIPART_ENCRYPTED_CONTENT && unwrapped != NULL)
            {
              child = unwrapped;
              child_place = place;
            }
          nm_mime_walk_object (walk, child, shown, i, child_place);
        }
    }
  else if (GMIME_IS_MESSAGE_PART (shown))
    {
      GMimeMessage *message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (shown));
      GMimeObject *body = message != NULL ? g_mime_message_get_mime_part (message) : NULL;
      NmMimePlace body_place = { GMIME_OBJECT (message), 0 };

      if (body != NULL)
        nm_mime_walk_object (walk, body, GMIME_OBJECT (message), 0, body_place);
    }
  else if (unwrapped != NULL)
    {
      nm_mime_walk_object (walk, unwrapped, shown, 0,
                           unwrapped_is_cleartext ? place : nowhere);
    }
}

static void
nm_mime_walk (GMimeMessage       *message,
              const NmMimeCrypto *crypto,
              NmMimeLeafFunc      leaf,
              gpointer            user_data,
              GArray             *cleartexts)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  NmMimeWalk walk = { 0 };
  NmMimePlace body_place = { GMIME_OBJECT (message), 0 };

  walk.crypto = crypto;
  walk.verify = crypto->policy == NM_DECRYPT_POLICY_TRUE
                || crypto->policy == NM_DECRYPT_POLICY_NOSTASH;
  walk.leaf = leaf;
  walk.user_data = user_data;
  walk.cleartexts = cleartexts;
  if (body != NULL)
    nm_mime_walk_object (&walk, body, GMIME_OBJECT (message), 0, body_place);
}

void
_nm_mime_decrypt_in_place (GMimeMessage       *message,
                           const NmMimeCrypto *crypto)
{
  g_autoptr (GArray) cleartexts = NULL;

  if (crypto->policy == NM_DECRYPT_POLICY_FALSE)
    return;
  cleartexts = g_array_new (FALSE, FALSE, sizeof (NmMimeCleartext));
  g_array_set_clear_func (cleartexts, nm_mime_cleartext_clear);
  nm_mime_walk (message, crypto, NULL, NULL, cleartexts);

  /* Outer parts first: an inner cleartext's place lies in an outer cleartext. */
  for (guint i = 0; i < cleartexts->len; i++)
    {
      NmMimeCleartext *entry = &g_array_index (cleartexts, NmMimeCleartext, i);

      if (GMIME_IS_MESSAGE (entry->place.container))
        {
          g_mime_message_set_mime_part (GMIME_MESSAGE (entry->place.container),
                                        entry->cleartext);
        }
      else
        {
          GMimeObject *encrypted = g_mime_multipart_replace (
            GMIME_MULTIPART (entry->place.container), entry->place.index, entry->cleartext);

          g_clear_object (&encrypted);
        }
    }
}

static gboolean
nm_mime_is_attachment (GMimePart *part)
{
  return g_mime_part_get_filename (part) != NULL;
}

/* Appends the content of a text part decoded to UTF-8 as `notmuch show` decodes it: line
 * ends made LF, the charset converted (a part labelled ISO-8859-x that uses the windows-125x
 * characters is read as windows-125x), an unknown charset left as it is. */
static void
nm_mime_append_text (GByteArray *text,
                     GMimePart  *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part),
                                                                  "charset");
  g_autoptr (GMimeFilter) windows = NULL;
  g_autoptr (GMimeFilter) line_ends = NULL;
  g_autoptr (GMimeFilter) conversion = NULL;
  g_autoptr (GMimeStream) decoded = NULL;
  g_autoptr (GMimeStream) filtered = NULL;
  GByteArray *bytes;

  if (content == NULL)
    return;
  if (charset != NULL)
    charset = g_mime_charset_canon_name (charset);
  if (charset != NULL && g_ascii_strncasecmp (charset, "iso-8859-", 9) == 0)
    {
      g_autoptr (GMimeStream) sink = g_mime_stream_null_new ();
      g_autoptr (GMimeStream) probe = g_mime_stream_filter_new (sink);

      windows = g_mime_filter_windows_new (charset);
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (probe), windows);
      g_mime_data_wrapper_write_to_stream (content, probe);
      /* Owned by the filter, which lives until the end of this function. */
      charset = g_mime_filter_windows_real_charset (GMIME_FILTER_WINDOWS (windows));
    }

  decoded = g_mime_stream_mem_new ();
  filtered = g_mime_stream_filter_new (decoded);
  line_ends = g_mime_filter_dos2unix_new (FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), line_ends);
  if (charset != NULL)
    conversion = g_mime_filter_charset_new (charset, "UTF-8");
  if (conversion != NULL)
    g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), conversion);
  /* Not flushed, as in the CLI: what the filters hold back at the very end (a last bare CR,
   * an incomplete multibyte character) is left out. */
  g_mime_data_wrapper_write_to_stream (content, filtered);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (decoded));
  g_byte_array_append (text, bytes->data, bytes->len);
}

typedef struct
{
  GByteArray *text;
  guint n_parts;
} NmMimeBody;

static void
nm_mime_collect_text (GMimePart *part,
                      gpointer   user_data)
{
  NmMimeBody *body = user_data;

  if (nm_mime_is_attachment (part)
      || !g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (part)),
                                       "text", "plain"))
    return;
  if (body->n_parts++ > 0)
    g_byte_array_append (body->text, (const guint8 *) "\n", 1);
  nm_mime_append_text (body->text, part);
}

char *
_nm_mime_get_body_text (GMimeMessage       *message,
                        const NmMimeCrypto *crypto)
{
  g_autoptr (GByteArray) text = g_byte_array_new ();
  NmMimeBody body = { text, 0 };

  nm_mime_walk (message, crypto, nm_mime_collect_text, &body, NULL);
  if (body.n_parts == 0)
    return NULL;
  return _nm_mime_make_valid_utf8 ((const char *) text->data, text->len);
}

static void
nm_mime_collect_attachment (GMimePart *part,
                            gpointer   user_data)
{
  if (nm_mime_is_attachment (part))
    g_ptr_array_add (user_data, g_object_ref (part));
}

GPtrArray *
_nm_mime_get_attachments (GMimeMessage       *message,
                          const NmMimeCrypto *crypto)
{
  GPtrArray *attachments = g_ptr_array_new_with_free_func (g_object_unref);

  nm_mime_walk (message, crypto, nm_mime_collect_attachment, attachments, NULL);
  return attachments;
}

GMimeMessage *
_nm_mime_parse_bytes (GBytes *bytes)
{
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeParser) parser = NULL;

  /* Without a copy when the caller gave the only reference. */
  stream = g_mime_stream_mem_new_with_byte_array (g_bytes_unref_to_array (bytes));
  parser = g_mime_parser_new_with_stream (stream);
  return g_mime_parser_construct_message (parser, NULL);
}

/* The length of the maximal subpart of an ill-formed sequence starting at @p: the longest
 * prefix of a well-formed sequence, or 1 (Unicode 15, section 3.9, table 3-7). */
static gsize
nm_mime_ill_formed_length (const guchar *p,
                           const guchar *end)
{
  guchar low = 0x80, high = 0xbf;
  gsize needed, length = 1;

  if (*p >= 0xc2 && *p <= 0xdf)
    needed = 1;
  else if (*p >= 0xe0 && *p <= 0xef)
    needed = 2;
  else if (*p >= 0xf0 && *p <= 0xf4)
    needed = 3;
  else
    return 1;
  if (*p == 0xe0)
    low = 0xa0;
  else if (*p == 0xed)
    high = 0x9f;
  else if (*p == 0xf0)
    low = 0x90;
  else if (*p == 0xf4)
    high = 0x8f;
  for (; length <= needed && p + length < end; length++)
    {
      if (p[length] < low || p[length] > high)
        break;
      low = 0x80;
      high = 0xbf;
    }
  return length;
}

char *
_nm_mime_make_valid_utf8 (const char *text,
                          gsize       length)
{
  GString *valid = g_string_sized_new (length);
  const guchar *p = (const guchar *) text;
  const guchar *end = p + length;

  while (p < end)
    {
      const char *stop = NULL;
      gsize subpart;

      /* g_utf8_validate_len() also stops at a NUL, which a C string cannot carry either. */
      if (g_utf8_validate_len ((const char *) p, end - p, &stop))
        {
          g_string_append_len (valid, (const char *) p, end - p);
          break;
        }
      g_string_append_len (valid, (const char *) p, (const guchar *) stop - p);
      p = (const guchar *) stop;
      subpart = *p == '\0' ? 1 : nm_mime_ill_formed_length (p, end);
      /* A complete, valid sequence here would have passed validation. */
      g_string_append (valid, "\xef\xbf\xbd");
      p += subpart;
    }
  return g_string_free (valid, FALSE);
}

static GBytes *
nm_mime_gunzip (GBytes        *compressed,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr (GInputStream) source = g_memory_input_stream_new_from_bytes (compressed);
  g_autoptr (GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) decompressed = g_converter_input_stream_new (source,
                                                                        G_CONVERTER (gunzip));
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (sink, decompressed,
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                              | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              cancellable, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
}

GBytes *
_nm_mime_load_file (const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GBytes) contents = g_file_load_bytes (file, cancellable, NULL, error);
  const guchar *data;
  gsize size;

  if (contents == NULL)
    return NULL;
  data = g_bytes_get_data (contents, &size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    return nm_mime_gunzip (contents, cancellable, error);
  return g_steal_pointer (&contents);
}
