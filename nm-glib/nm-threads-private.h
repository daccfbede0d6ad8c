/* nm-threads-private.h: creating thread lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-threads.h"
#include "nm-handle-private.h"
#include "nm-list-private.h"
#include "nm-origin-private.h"

G_BEGIN_DECLS

/* The list of @query's threads, its search run at once (a malformed query fails here). */
NmThreads *_nm_threads_new_for_query (NmQuery *query, GError **error);
/* The list of @query's threads, filled on the database's worker (see NmList), where its
 * search runs too: a search failure is reported by nm_threads_check(). */
NmThreads *_nm_threads_new_loading (NmQuery *query, GCancellable *cancellable, GError **error);

/* Reads every thread now, so that the list serves them without touching the index: what
 * an asynchronous search does in its worker thread.  Fails if the list was cut, and with
 * G_IO_ERROR_CANCELLED at the next thread once @cancellable is cancelled. */
gboolean _nm_threads_read_all (NmThreads *self, GCancellable *cancellable, GError **error);
/* The list core (see _nm_query_list_of()). */
NmList *_nm_threads_get_list (NmThreads *self);
/* See _nm_list_set_origin(). */
void _nm_threads_set_origin (NmThreads *self, NmOrigin *origin);

G_END_DECLS
