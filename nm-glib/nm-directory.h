/* nm-directory.h: a directory of the mail store, as the index records it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(__NOTMUCH_GLIB_INSIDE__) && !defined(NOTMUCH_GLIB_COMPILATION)
#error "Only <notmuch-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "notmuch-glib-version.h"
#include "nm-types.h"

G_BEGIN_DECLS

#define NM_TYPE_DIRECTORY (nm_directory_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmDirectory, nm_directory, NM, DIRECTORY, GObject)

NM_AVAILABLE_IN_0_1
const char *nm_directory_get_path (NmDirectory *self);
NM_AVAILABLE_IN_0_1
gint64 nm_directory_get_mtime (NmDirectory *self);
NM_AVAILABLE_IN_0_1
gboolean nm_directory_set_mtime (NmDirectory *self, gint64 mtime, GError **error);
NM_AVAILABLE_IN_0_1
char **nm_directory_get_child_files (NmDirectory *self);
NM_AVAILABLE_IN_0_1
char **nm_directory_get_child_directories (NmDirectory *self);
NM_AVAILABLE_IN_0_1
void nm_directory_get_child_files_async (NmDirectory *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
char **nm_directory_get_child_files_finish (NmDirectory *self, GAsyncResult *result,
                                            GError **error);
NM_AVAILABLE_IN_0_1
void nm_directory_get_child_directories_async (NmDirectory *self, GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
NM_AVAILABLE_IN_0_1
char **nm_directory_get_child_directories_finish (NmDirectory *self, GAsyncResult *result,
                                                  GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_directory_delete (NmDirectory *self, GError **error);

G_END_DECLS
