/* nm-database-monitor.h: telling when another process changed a database
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

#define NM_TYPE_DATABASE_MONITOR (nm_database_monitor_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmDatabaseMonitor, nm_database_monitor, NM, DATABASE_MONITOR, GObject)

NM_AVAILABLE_IN_0_1
NmDatabase *nm_database_monitor_get_database (NmDatabaseMonitor *self);
NM_AVAILABLE_IN_0_1
guint64 nm_database_monitor_get_revision (NmDatabaseMonitor *self);

G_END_DECLS
