/* nm-directory-private.h: creating directory wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-directory.h"

G_BEGIN_DECLS

NmDirectory *_nm_directory_new (NmDatabase *database, guint generation,
                                notmuch_directory_t *native, const char *path);
/* nm_directory_delete() for callers holding the database lock. */
gboolean _nm_directory_delete_locked (NmDirectory *self, GError **error);

G_END_DECLS
