/* nm-threads.h: a list of threads: the results of a thread search
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

#define NM_TYPE_THREADS (nm_threads_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmThreads, nm_threads, NM, THREADS, GObject)

NM_AVAILABLE_IN_0_1
gboolean nm_threads_check (NmThreads *self, GError **error);
NM_AVAILABLE_IN_0_1
NmThread *nm_threads_next (NmThreads *self);
NM_AVAILABLE_IN_0_1
gboolean nm_threads_get_monitored (NmThreads *self);
NM_AVAILABLE_IN_0_1
gboolean nm_threads_set_monitored (NmThreads *self, gboolean monitored, GError **error);

G_END_DECLS
