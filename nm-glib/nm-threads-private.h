/* nm-threads-private.h: creating thread lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-threads.h"
#include "nm-handle-private.h"

G_BEGIN_DECLS

NmThreads *_nm_threads_new_for_query (NmQuery *query, GError **error);

/* Reads every item now, so that the list serves them without touching the index: what an
 * asynchronous search does in its worker thread.  Stops with G_IO_ERROR_CANCELLED at the
 * next item once @cancellable is cancelled. */
gboolean _nm_threads_prefetch (NmThreads *self, GCancellable *cancellable, GError **error);

G_END_DECLS
