/* nm-message.h: one indexed mail message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(__NOTMUCH_GLIB_INSIDE__) && !defined(NOTMUCH_GLIB_COMPILATION)
#error "Only <notmuch-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include <gmime/gmime.h>
#include "notmuch-glib-version.h"
#include "nm-enums.h"
#include "nm-types.h"

G_BEGIN_DECLS

#define NM_TYPE_MESSAGE (nm_message_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmMessage, nm_message, NM, MESSAGE, GObject)

NM_AVAILABLE_IN_0_1
NmDatabase *nm_message_get_database (NmMessage *self);
NM_AVAILABLE_IN_0_1
const char *nm_message_get_message_id (NmMessage *self);
NM_AVAILABLE_IN_0_1
const char *nm_message_get_thread_id (NmMessage *self);
NM_AVAILABLE_IN_0_1
gint64 nm_message_get_date (NmMessage *self);
NM_AVAILABLE_IN_0_1
char *nm_message_get_header (NmMessage *self, const char *name, GError **error);
NM_AVAILABLE_IN_0_1
char *nm_message_get_filename (NmMessage *self);
NM_AVAILABLE_IN_0_1
char **nm_message_get_filenames (NmMessage *self);
NM_AVAILABLE_IN_0_1
char **nm_message_get_tags (NmMessage *self);
NM_AVAILABLE_IN_0_1
char *nm_message_get_subject (NmMessage *self);
NM_AVAILABLE_IN_0_1
char *nm_message_get_author (NmMessage *self);
NM_AVAILABLE_IN_0_1
gboolean nm_message_has_tag (NmMessage *self, const char *tag);
NM_AVAILABLE_IN_0_1
gboolean nm_message_get_flag (NmMessage *self, NmMessageFlag flag, GError **error);
NM_AVAILABLE_IN_0_1
NmMessages *nm_message_get_replies (NmMessage *self);

NM_AVAILABLE_IN_0_1
gboolean nm_message_add_tag (NmMessage *self, const char *tag, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_remove_tag (NmMessage *self, const char *tag, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_remove_all_tags (NmMessage *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_set_tags (NmMessage *self, const char * const *tags, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_freeze (NmMessage *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_thaw (NmMessage *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_maildir_flags_to_tags (NmMessage *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_tags_to_maildir_flags (NmMessage *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_has_maildir_flag (NmMessage *self, gunichar flag, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_reindex (NmMessage *self, NmIndexOptions *options, GError **error);

NM_AVAILABLE_IN_0_1
char **nm_message_get_property_values (NmMessage *self, const char *key);
NM_AVAILABLE_IN_0_1
gboolean nm_message_add_property (NmMessage *self, const char *key, const char *value,
                                  GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_remove_property (NmMessage *self, const char *key, const char *value,
                                     GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_message_remove_all_properties (NmMessage *self, const char *prefix, GError **error);
NM_AVAILABLE_IN_0_1
guint nm_message_count_properties (NmMessage *self, const char *key, GError **error);
NM_AVAILABLE_IN_0_1
char **nm_message_get_all_properties (NmMessage *self, const char *prefix, gboolean exact,
                                      GError **error);

/* The asynchronous twins (nm-message-async.c). */
NM_AVAILABLE_IN_0_1
void nm_message_get_header_async (NmMessage *self, const char *name, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
char *nm_message_get_header_finish (NmMessage *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_message_reindex_async (NmMessage *self, NmIndexOptions *options,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_message_reindex_finish (NmMessage *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_message_tags_to_maildir_flags_async (NmMessage *self, GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_message_tags_to_maildir_flags_finish (NmMessage *self, GAsyncResult *result,
                                                  GError **error);
NM_AVAILABLE_IN_0_1
GMimeMessage *nm_message_parse (NmMessage *self, NmDecryptPolicy decrypt,
                                GCancellable *cancellable, GError **error);
NM_AVAILABLE_IN_0_1
void nm_message_parse_async (NmMessage *self, NmDecryptPolicy decrypt,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
NM_AVAILABLE_IN_0_1
GMimeMessage *nm_message_parse_finish (NmMessage *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
char *nm_message_get_body_text (NmMessage *self, NmDecryptPolicy decrypt,
                                GCancellable *cancellable, GError **error);
NM_AVAILABLE_IN_0_1
void nm_message_get_body_text_async (NmMessage *self, NmDecryptPolicy decrypt,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
NM_AVAILABLE_IN_0_1
char *nm_message_get_body_text_finish (NmMessage *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
GPtrArray *nm_message_get_attachments (NmMessage *self, NmDecryptPolicy decrypt,
                                       GCancellable *cancellable, GError **error);
NM_AVAILABLE_IN_0_1
void nm_message_get_attachments_async (NmMessage *self, NmDecryptPolicy decrypt,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
GPtrArray *nm_message_get_attachments_finish (NmMessage *self, GAsyncResult *result,
                                              GError **error);
NM_AVAILABLE_IN_0_1
GBytes *nm_message_load_bytes (NmMessage *self, GCancellable *cancellable, GError **error);
NM_AVAILABLE_IN_0_1
void nm_message_load_bytes_async (NmMessage *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
GBytes *nm_message_load_bytes_finish (NmMessage *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
GFile *nm_message_get_file (NmMessage *self);

G_END_DECLS
