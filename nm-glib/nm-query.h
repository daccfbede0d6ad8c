/* nm-query.h: a search over a notmuch database
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

#define NM_TYPE_QUERY (nm_query_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmQuery, nm_query, NM, QUERY, GObject)

NM_AVAILABLE_IN_0_1
NmQuery *nm_query_new (NmDatabase *database, const char *query_string, GError **error);
NM_AVAILABLE_IN_0_1
NmQuery *nm_query_new_with_syntax (NmDatabase *database, const char *query_string,
                                   NmQuerySyntax syntax, GError **error);

NM_AVAILABLE_IN_0_1
NmDatabase *nm_query_get_database (NmQuery *self);
NM_AVAILABLE_IN_0_1
const char *nm_query_get_query_string (NmQuery *self);
NM_AVAILABLE_IN_0_1
NmQuerySyntax nm_query_get_syntax (NmQuery *self);
NM_AVAILABLE_IN_0_1
NmSort nm_query_get_sort (NmQuery *self);
NM_AVAILABLE_IN_0_1
void nm_query_set_sort (NmQuery *self, NmSort sort);
NM_AVAILABLE_IN_0_1
NmExclude nm_query_get_exclude (NmQuery *self);
NM_AVAILABLE_IN_0_1
void nm_query_set_exclude (NmQuery *self, NmExclude exclude);
NM_AVAILABLE_IN_0_1
gboolean nm_query_add_tag_exclude (NmQuery *self, const char *tag, GError **error);
NM_AVAILABLE_IN_0_1
char **nm_query_get_excluded_tags (NmQuery *self);

NM_AVAILABLE_IN_0_1
NmMessages *nm_query_search_messages (NmQuery *self, GError **error);
NM_AVAILABLE_IN_0_1
NmThreads *nm_query_search_threads (NmQuery *self, GError **error);
NM_AVAILABLE_IN_0_1
guint nm_query_count_messages (NmQuery *self, GError **error);
NM_AVAILABLE_IN_0_1
guint nm_query_count_threads (NmQuery *self, GError **error);

NM_AVAILABLE_IN_0_1
void nm_query_search_messages_async (NmQuery *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmMessages *nm_query_search_messages_finish (NmQuery *self, GAsyncResult *result,
                                             GError **error);
NM_AVAILABLE_IN_0_1
void nm_query_search_threads_async (NmQuery *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
NmThreads *nm_query_search_threads_finish (NmQuery *self, GAsyncResult *result,
                                           GError **error);
NM_AVAILABLE_IN_0_1
void nm_query_count_messages_async (NmQuery *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
guint nm_query_count_messages_finish (NmQuery *self, GAsyncResult *result, GError **error);
NM_AVAILABLE_IN_0_1
void nm_query_count_threads_async (NmQuery *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
guint nm_query_count_threads_finish (NmQuery *self, GAsyncResult *result, GError **error);

NM_AVAILABLE_IN_0_1
NmMessages *nm_query_load_messages (NmQuery *self, GCancellable *cancellable, GError **error);
NM_AVAILABLE_IN_0_1
NmThreads *nm_query_load_threads (NmQuery *self, GCancellable *cancellable, GError **error);

G_END_DECLS
