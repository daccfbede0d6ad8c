/* nm-types.h: forward declarations of the notmuch-glib object types
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

G_BEGIN_DECLS

typedef struct _NmDatabase NmDatabase;
typedef struct _NmQuery NmQuery;
typedef struct _NmMessages NmMessages;
typedef struct _NmMessage NmMessage;
typedef struct _NmThreads NmThreads;
typedef struct _NmThread NmThread;
typedef struct _NmIndexOptions NmIndexOptions;
typedef struct _NmDirectory NmDirectory;
typedef struct _NmDatabaseMonitor NmDatabaseMonitor;

G_END_DECLS
