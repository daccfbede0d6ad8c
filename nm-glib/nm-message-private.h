/* nm-message-private.h: creating message wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-message.h"
#include "nm-handle-private.h"
#include "nm-origin-private.h"

G_BEGIN_DECLS

/* Wraps @native, which read its document when the database's write epoch was
 * @loaded_epoch (_nm_database_get_write_epoch()).  @owner is a reference (released with @owner_release after @native is
 * destroyed) on whatever owns @native's memory: a messages iterator handle for search results,
 * the thread for a thread's messages, %NULL for messages owned by the database.  Messages owned
 * by a thread are never destroyed individually (@owns_native FALSE): libnotmuch hands out the
 * same pointer on every walk. */
NmMessage *_nm_message_new (NmDatabase        *database,
                            guint              generation,
                            guint64            loaded_epoch,
                            notmuch_message_t *native,
                            gpointer           owner,
                            GDestroyNotify     owner_release,
                            gboolean           owns_native);
notmuch_message_t *_nm_message_get_native (NmMessage *self);
guint _nm_message_get_generation (NmMessage *self);
guint64 _nm_message_get_loaded_epoch (NmMessage *self);
/* Makes notify::tags go to @origin (the list's, for a list's item). */
void _nm_message_set_origin (NmMessage *self, NmOrigin *origin);
/* Reads the tags again; TRUE if they changed.  Requires the database lock. */
gboolean _nm_message_refresh_tags (NmMessage *self);
/* Emits notify::tags on the message's main context.  Runs without the lock. */
void _nm_message_notify_tags (NmMessage *self);

G_END_DECLS
