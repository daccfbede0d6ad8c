/* nm-messages-private.h: creating message lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-messages.h"
#include "nm-handle-private.h"

G_BEGIN_DECLS

NmMessages *_nm_messages_new_for_query (NmQuery *query, GError **error);
NmMessages *_nm_messages_new_for_thread (NmThread *thread, gboolean toplevel_only);
NmMessages *_nm_messages_new_for_replies (NmMessage *message);

G_END_DECLS
