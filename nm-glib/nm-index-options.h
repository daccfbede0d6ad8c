/* nm-index-options.h: options for indexing mail
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

#define NM_TYPE_INDEX_OPTIONS (nm_index_options_get_type ())
NM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NmIndexOptions, nm_index_options, NM, INDEX_OPTIONS, GObject)

NM_AVAILABLE_IN_0_1
NmDecryptPolicy nm_index_options_get_decrypt_policy (NmIndexOptions *self);
NM_AVAILABLE_IN_0_1
gboolean nm_index_options_set_decrypt_policy (NmIndexOptions *self, NmDecryptPolicy policy,
                                              GError **error);

G_END_DECLS
