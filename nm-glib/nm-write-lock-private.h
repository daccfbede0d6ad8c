/* nm-write-lock-private.h: the write locks this process holds, and waiting for others'
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nm-types.h"

G_BEGIN_DECLS

/* Records that @holder opens the database at @path for writing; fails with NM_ERROR_LOCKED
 * if a handle of this process holds it already.  On success *@key is what
 * _nm_write_lock_release() takes. */
gboolean _nm_write_lock_claim (const char  *path,
                               NmDatabase  *holder,
                               char       **key,
                               GError     **error);

/* Forgets the claim *@key, if any, and clears it. */
void _nm_write_lock_release (char **key);

/* Waits until no other process holds the write lock of the database at @path, for at most
 * @timeout_ms, then fails with NM_ERROR_LOCKED. */
gboolean _nm_write_lock_wait (const char  *path,
                              guint        timeout_ms,
                              GError     **error);

G_END_DECLS
