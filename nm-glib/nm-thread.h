/* nm-thread.h: one thread of a thread search
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

#define NM_TYPE_THREAD (nm_thread_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmThread, nm_thread, NM, THREAD, GObject)

NM_AVAILABLE_IN_0_1
const char *nm_thread_get_thread_id (NmThread *self);
NM_AVAILABLE_IN_0_1
const char *nm_thread_get_subject (NmThread *self);
NM_AVAILABLE_IN_0_1
const char *nm_thread_get_authors (NmThread *self);
NM_AVAILABLE_IN_0_1
char **nm_thread_get_matched_authors (NmThread *self);
NM_AVAILABLE_IN_0_1
char **nm_thread_get_unmatched_authors (NmThread *self);
NM_AVAILABLE_IN_0_1
gint64 nm_thread_get_oldest_date (NmThread *self);
NM_AVAILABLE_IN_0_1
gint64 nm_thread_get_newest_date (NmThread *self);
NM_AVAILABLE_IN_0_1
guint nm_thread_get_total_messages (NmThread *self);
NM_AVAILABLE_IN_0_1
guint nm_thread_get_matched_messages (NmThread *self);
NM_AVAILABLE_IN_0_1
guint nm_thread_get_total_files (NmThread *self);
NM_AVAILABLE_IN_0_1
NmMessages *nm_thread_get_messages (NmThread *self);
NM_AVAILABLE_IN_0_1
NmMessages *nm_thread_get_toplevel_messages (NmThread *self);
NM_AVAILABLE_IN_0_1
char **nm_thread_get_tags (NmThread *self);

G_END_DECLS
