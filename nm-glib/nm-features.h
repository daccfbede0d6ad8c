/* nm-features.h: what the libnotmuch in use was built with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(__NOTMUCH_GLIB_INSIDE__) && !defined(NOTMUCH_GLIB_COMPILATION)
#error "Only <notmuch-glib.h> can be included directly."
#endif

#include <glib.h>
#include "notmuch-glib-version.h"

G_BEGIN_DECLS

NM_AVAILABLE_IN_0_1
gboolean nm_built_with (const char *feature);

G_END_DECLS
