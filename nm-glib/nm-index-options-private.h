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

G_END_DECLS
