/* nm-database.h: a notmuch database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(__NOTMUCH_GLIB_INSIDE__) && !defined(NOTMUCH_GLIB_COMPILATION)
#error "Only <notmuch-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "notmuch-glib-version.h"
#include "nm-enums.h"
#include "nm-types.h"

G_BEGIN_DECLS

/**
 * NmUpgradeProgressFunc:
 * @progress: the fraction done, from 0 to 1
 * @user_data: the data passed with the callback
 *
 * Called while [method@Notmuch.Database.upgrade] runs.
 *
 * Since: 0.1
 */
typedef void (*NmUpgradeProgressFunc) (double progress, gpointer user_data);

/**
 * NmCompactProgressFunc:
 * @message: what the compaction is doing
 * @user_data: the data passed with the callback
 *
 * Called while [method@Notmuch.Database.compact] runs.
 *
 * Since: 0.1
 */
typedef void (*NmCompactProgressFunc) (const char *message, gpointer user_data);

#define NM_TYPE_DATABASE (nm_database_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmDatabase, nm_database, NM, DATABASE, GObject)

NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_open (const char *path, NmDatabaseMode mode, GError **error);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_open_with_config (const char *path, NmDatabaseMode mode,
                                          const char *config_path, const char *profile,
                                          GError **error);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_create (const char *path, GError **error);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_create_with_config (const char *path, const char *config_path,
                                            const char *profile, GError **error);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_load_config (const char *config_path, const char *profile,
                                     GError **error);

NM_AVAILABLE_IN_0_1
void nm_database_open_async (const char *path, NmDatabaseMode mode, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_open_finish (GAsyncResult *result, GError **error);

NM_AVAILABLE_IN_0_1
gboolean nm_database_close (NmDatabase *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_reopen (NmDatabase *self, NmDatabaseMode mode, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_commit (NmDatabase *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_begin_atomic (NmDatabase *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_end_atomic (NmDatabase *self, GError **error);

NM_AVAILABLE_IN_0_1
const char *nm_database_get_path (NmDatabase *self);
NM_AVAILABLE_IN_0_1
NmDatabaseMode nm_database_get_mode (NmDatabase *self);
NM_AVAILABLE_IN_0_1
guint nm_database_get_lock_timeout (NmDatabase *self);
NM_AVAILABLE_IN_0_1
guint nm_database_get_version (NmDatabase *self);
NM_AVAILABLE_IN_0_1
guint64 nm_database_get_revision (NmDatabase *self, char **uuid);
NM_AVAILABLE_IN_0_1
NmDatabaseMonitor *nm_database_monitor (NmDatabase *self, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_needs_upgrade (NmDatabase *self);

NM_AVAILABLE_IN_0_1
NmMessage *nm_database_find_message (NmDatabase *self, const char *message_id, GError **error);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_find_message_by_filename (NmDatabase *self, const char *filename,
                                                 GError **error);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_index_file (NmDatabase *self, const char *filename,
                                   NmIndexOptions *options, gboolean *duplicate,
                                   GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_index_file_async (NmDatabase *self, const char *filename,
                                   NmIndexOptions *options, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_index_file_finish (NmDatabase *self, GAsyncResult *result,
                                          gboolean *duplicate, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_remove_message (NmDatabase *self, const char *filename, GError **error);
NM_AVAILABLE_IN_0_1
NmIndexOptions *nm_database_get_default_index_options (NmDatabase *self);

NM_AVAILABLE_IN_0_1
guint nm_database_tag_messages (NmDatabase *self, const char *query,
                                const char * const *add, const char * const *remove,
                                GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_tag_messages_async (NmDatabase *self, const char *query,
                                     const char * const *add, const char * const *remove,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
NM_AVAILABLE_IN_0_1
guint nm_database_tag_messages_finish (NmDatabase *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
NmDirectory *nm_database_get_directory (NmDatabase *self, const char *path, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_upgrade (NmDatabase *self, NmUpgradeProgressFunc progress,
                              gpointer user_data, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_compact (NmDatabase *self, const char *backup_path,
                              NmCompactProgressFunc progress, gpointer user_data,
                              GError **error);

NM_AVAILABLE_IN_0_1
char **nm_database_get_all_tags (NmDatabase *self, GError **error);
NM_AVAILABLE_IN_0_1
char *nm_database_get_config (NmDatabase *self, const char *key, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_set_config (NmDatabase *self, const char *key, const char *value,
                                 GError **error);
NM_AVAILABLE_IN_0_1
char *nm_database_get_config_value (NmDatabase *self, NmConfigKey key, GError **error);
NM_AVAILABLE_IN_0_1
char **nm_database_get_config_values (NmDatabase *self, NmConfigKey key, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_get_config_bool (NmDatabase *self, NmConfigKey key, GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_database_set_config_value (NmDatabase *self, NmConfigKey key, const char *value,
                                       GError **error);
NM_AVAILABLE_IN_0_1
GHashTable *nm_database_get_config_list (NmDatabase *self, const char *prefix, GError **error);
NM_AVAILABLE_IN_0_1
GHashTable *nm_database_get_config_pairs (NmDatabase *self, const char *prefix,
                                          GError **error);
NM_AVAILABLE_IN_0_1
const char *nm_database_get_config_path (NmDatabase *self);

NM_AVAILABLE_IN_0_1
NmMessages *nm_database_search_messages (NmDatabase *self, const char *query, GError **error);
NM_AVAILABLE_IN_0_1
NmThreads *nm_database_search_threads (NmDatabase *self, const char *query, GError **error);
NM_AVAILABLE_IN_0_1
guint nm_database_count_messages (NmDatabase *self, const char *query, GError **error);
NM_AVAILABLE_IN_0_1
guint nm_database_count_threads (NmDatabase *self, const char *query, GError **error);

/* The asynchronous twins (nm-database-async-*.c). */
NM_AVAILABLE_IN_0_1
void nm_database_open_with_config_async (const char *path, NmDatabaseMode mode,
                                         const char *config_path, const char *profile,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_open_with_config_finish (GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_create_async (const char *path, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_create_finish (GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_create_with_config_async (const char *path, const char *config_path,
                                           const char *profile, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_create_with_config_finish (GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_load_config_async (const char *config_path, const char *profile,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_load_config_finish (GAsyncResult *result, GError **error);

NM_AVAILABLE_IN_0_1
void nm_database_close_async (NmDatabase *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_close_finish (NmDatabase *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_reopen_async (NmDatabase *self, NmDatabaseMode mode, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_reopen_finish (NmDatabase *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_commit_async (NmDatabase *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_commit_finish (NmDatabase *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_begin_atomic_async (NmDatabase *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_begin_atomic_finish (NmDatabase *self, GAsyncResult *result,
                                          GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_end_atomic_async (NmDatabase *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_end_atomic_finish (NmDatabase *self, GAsyncResult *result,
                                        GError **error);

NM_AVAILABLE_IN_0_1
void nm_database_get_config_list_async (NmDatabase *self, const char *prefix,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
GHashTable *nm_database_get_config_list_finish (NmDatabase *self, GAsyncResult *result,
                                                GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_set_config_async (NmDatabase *self, const char *key, const char *value,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_set_config_finish (NmDatabase *self, GAsyncResult *result,
                                        GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_set_config_value_async (NmDatabase *self, NmConfigKey key, const char *value,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_set_config_value_finish (NmDatabase *self, GAsyncResult *result,
                                              GError **error);

NM_AVAILABLE_IN_0_1
void nm_database_find_message_async (NmDatabase *self, const char *message_id,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_find_message_finish (NmDatabase *self, GAsyncResult *result,
                                            GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_find_message_by_filename_async (NmDatabase *self, const char *filename,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_find_message_by_filename_finish (NmDatabase *self,
                                                        GAsyncResult *result,
                                                        GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_remove_message_async (NmDatabase *self, const char *filename,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_remove_message_finish (NmDatabase *self, GAsyncResult *result,
                                            GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_get_directory_async (NmDatabase *self, const char *path,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmDirectory *nm_database_get_directory_finish (NmDatabase *self, GAsyncResult *result,
                                               GError **error);

NM_AVAILABLE_IN_0_1
void nm_database_get_all_tags_async (NmDatabase *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
char **nm_database_get_all_tags_finish (NmDatabase *self, GAsyncResult *result,
                                        GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_search_messages_async (NmDatabase *self, const char *query,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmMessages *nm_database_search_messages_finish (NmDatabase *self, GAsyncResult *result,
                                                GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_search_threads_async (NmDatabase *self, const char *query,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmThreads *nm_database_search_threads_finish (NmDatabase *self, GAsyncResult *result,
                                              GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_count_messages_async (NmDatabase *self, const char *query,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
guint nm_database_count_messages_finish (NmDatabase *self, GAsyncResult *result,
                                         GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_count_threads_async (NmDatabase *self, const char *query,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
guint nm_database_count_threads_finish (NmDatabase *self, GAsyncResult *result,
                                        GError **error);

NM_AVAILABLE_IN_0_1
void nm_database_upgrade_async (NmDatabase *self, GClosure *progress,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_upgrade_finish (NmDatabase *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_compact_async (NmDatabase *self, const char *backup_path,
                                GClosure *progress, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
gboolean nm_database_compact_finish (NmDatabase *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_insert (NmDatabase *self, GBytes *message, const char *folder,
                               const char * const *add, const char * const *remove,
                               gboolean create_folder, GCancellable *cancellable,
                               GError **error);
NM_AVAILABLE_IN_0_1
void nm_database_insert_async (NmDatabase *self, GBytes *message, const char *folder,
                               const char * const *add, const char * const *remove,
                               gboolean create_folder, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmMessage *nm_database_insert_finish (NmDatabase *self, GAsyncResult *result, GError **error);

G_END_DECLS
