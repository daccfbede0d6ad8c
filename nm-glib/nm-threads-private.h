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

NmThreads *_nm_threads_new_for_query (NmQuery *query, GError **error);

/* Reads every thread now (for the asynchronous search), so that the list serves
 * them without touching the index; fails if the list was cut, and with
 * G_IO_ERROR_CANCELLED at the next thread once @cancellable is cancelled. */
gboolean _nm_threads_read_all (NmThreads *self, GCancellable *cancellable, GError **error);
/* The list core (see _nm_query_list_of()). */
NmList *_nm_threads_get_list (NmThreads *self);
/* See _nm_list_set_origin(). */
void _nm_threads_set_origin (NmThreads *self, NmOrigin *origin);

G_END_DECLS
