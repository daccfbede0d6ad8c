/* nm-index-options-private.h: creating index options
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-index-options.h"
#include "nm-handle-private.h"

G_BEGIN_DECLS

NmIndexOptions *_nm_index_options_new (NmDatabase *database, notmuch_indexopts_t *native);
notmuch_indexopts_t *_nm_index_options_get_native (NmIndexOptions *self);
/* Refuses, with NM_ERROR_ILLEGAL_ARGUMENT, options constructed without a database, which
 * have no native options; NULL options are fine. */
gboolean _nm_index_options_check_usable (NmIndexOptions *options, GError **error);

G_END_DECLS
