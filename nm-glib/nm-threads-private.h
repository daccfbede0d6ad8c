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

G_END_DECLS
