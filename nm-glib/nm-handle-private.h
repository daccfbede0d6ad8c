/* nm-handle-private.h: a reference-counted owner of one libnotmuch object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "nm-types.h"

G_BEGIN_DECLS

/* libnotmuch frees a child with its talloc parent, so a native object may be freed only once
 * nothing points into it.  A handle owns one native object (a query snapshot, a messages or
 * threads iterator), frees it under the database lock when its last reference goes, and only
 * then releases the owner of the native object's memory. */
typedef struct _NmHandle NmHandle;

NmHandle *_nm_handle_new (NmDatabase     *database,
                          gpointer        native,
                          GDestroyNotify  native_free,
                          gpointer        owner,
                          GDestroyNotify  owner_release);
NmHandle *_nm_handle_ref (NmHandle *self);
void _nm_handle_unref (NmHandle *self);
gpointer _nm_handle_get_native (NmHandle *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NmHandle, _nm_handle_unref)

G_END_DECLS
