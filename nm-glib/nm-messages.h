/* nm-messages.h: a list of messages: search results, a thread's messages, replies
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

#define NM_TYPE_MESSAGES (nm_messages_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmMessages, nm_messages, NM, MESSAGES, GObject)

NM_AVAILABLE_IN_0_1
char **nm_messages_collect_tags (NmMessages *self, GError **error);
NM_AVAILABLE_IN_0_1
void nm_messages_collect_tags_async (NmMessages *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
NM_AVAILABLE_IN_0_1
char **nm_messages_collect_tags_finish (NmMessages *self, GAsyncResult *result,
                                        GError **error);
NM_AVAILABLE_IN_0_1
gboolean nm_messages_check (NmMessages *self, GError **error);
NM_AVAILABLE_IN_0_1
NmMessage *nm_messages_next (NmMessages *self);
NM_AVAILABLE_IN_0_1
gboolean nm_messages_get_monitored (NmMessages *self);
NM_AVAILABLE_IN_0_1
gboolean nm_messages_set_monitored (NmMessages *self, gboolean monitored, GError **error);

G_END_DECLS
