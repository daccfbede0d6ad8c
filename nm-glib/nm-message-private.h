/* nm-message-private.h: creating message wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-message.h"
#include "nm-handle-private.h"

G_BEGIN_DECLS

/* Wraps @native.  @owner is a reference (released with @owner_release after @native is
 * destroyed) on whatever owns @native's memory: a messages iterator handle for search results,
 * the thread for a thread's messages, %NULL for messages owned by the database.  Messages owned
 * by a thread are never destroyed individually (@owns_native FALSE): libnotmuch hands out the
 * same pointer on every walk. */
NmMessage *_nm_message_new (NmDatabase        *database,
                            guint              generation,
                            notmuch_message_t *native,
                            gpointer           owner,
                            GDestroyNotify     owner_release,
                            gboolean           owns_native);
notmuch_message_t *_nm_message_get_native (NmMessage *self);
guint _nm_message_get_generation (NmMessage *self);

G_END_DECLS
