/* nm-mime-private.h: reading mail files with GMime the way `notmuch show` does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gmime/gmime.h>
#include "nm-enums.h"

G_BEGIN_DECLS

/* GMime 3.2 declares no g_autoptr() cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFilter, g_object_unref)

/* The message-wide inputs of decryption: the policy and the session keys stored in the
 * index for the message (its "session-key" property values). */
typedef struct
{
  NmDecryptPolicy policy;
  const char * const *session_keys;
} NmMimeCrypto;

/* The contents of @path, decompressed when the file is gzipped (by its magic bytes, as
 * libnotmuch decides).  Errors are G_IO_ERROR ones, or NM_ERROR_FILE_ERROR for a broken
 * gzip stream. */
GBytes *_nm_mime_load_file (const char    *path,
                            GCancellable  *cancellable,
                            GError       **error);

/* Parses mail bytes as the CLI does (consuming the reference on @bytes); %NULL when GMime
 * finds no message in them. */
GMimeMessage *_nm_mime_parse_bytes (GBytes *bytes);

/* Replaces every encrypted part of @message that @crypto can decrypt by its cleartext. */
void _nm_mime_decrypt_in_place (GMimeMessage       *message,
                                const NmMimeCrypto *crypto);

/* The text/plain parts `notmuch show` gives no filename, decoded to UTF-8 and joined with
 * "\n", or %NULL when there is none. */
char *_nm_mime_get_body_text (GMimeMessage       *message,
                              const NmMimeCrypto *crypto);

/* The parts `notmuch show` gives a filename, in document order (element-type GMimePart). */
GPtrArray *_nm_mime_get_attachments (GMimeMessage       *message,
                                     const NmMimeCrypto *crypto);

/* @text with every ill-formed UTF-8 sequence replaced by U+FFFD, one per maximal ill-formed
 * subpart (Unicode's recommended practice, the same as Python's "replace"). */
char *_nm_mime_make_valid_utf8 (const char *text,
                                gsize       length);

G_END_DECLS
