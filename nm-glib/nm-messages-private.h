/* nm-messages-private.h: creating message lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-messages.h"
#include "nm-handle-private.h"
#include "nm-list-private.h"
#include "nm-origin-private.h"

G_BEGIN_DECLS

/* The list of @query's messages, its search run at once (a malformed query fails here). */
NmMessages *_nm_messages_new_for_query (NmQuery *query, GError **error);
/* The list of @query's messages, filled on the database's worker (see NmList), where its
 * search runs too: a search failure is reported by nm_messages_check(). */
NmMessages *_nm_messages_new_loading (NmQuery *query, GCancellable *cancellable,
                                      GError **error);
NmMessages *_nm_messages_new_for_thread (NmThread *thread, gboolean toplevel_only);
NmMessages *_nm_messages_new_for_replies (NmMessage *message);

/* Reads every message now, so that the list serves them without touching the index: what
 * an asynchronous search does in its worker thread.  Fails if the list was cut, and with
 * G_IO_ERROR_CANCELLED at the next message once @cancellable is cancelled. */
gboolean _nm_messages_read_all (NmMessages *self, GCancellable *cancellable, GError **error);
/* The list core (see _nm_query_list_of()). */
NmList *_nm_messages_get_list (NmMessages *self);
/* See _nm_list_set_origin(). */
void _nm_messages_set_origin (NmMessages *self, NmOrigin *origin);

G_END_DECLS
