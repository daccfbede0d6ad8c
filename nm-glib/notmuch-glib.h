/* notmuch-glib.h: the only header applications include
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define __NOTMUCH_GLIB_INSIDE__

#include "notmuch-glib-version.h"
#include "nm-enums.h"
#include "nm-enum-types.h"
#include "nm-types.h"
#include "nm-error.h"
#include "nm-features.h"
#include "nm-database.h"
#include "nm-database-monitor.h"
#include "nm-query.h"
#include "nm-messages.h"
#include "nm-message.h"
#include "nm-threads.h"
#include "nm-thread.h"
#include "nm-index-options.h"
#include "nm-directory.h"

#undef __NOTMUCH_GLIB_INSIDE__
