/* nm-thread-private.h: creating thread wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-thread.h"
#include "nm-handle-private.h"

G_BEGIN_DECLS

/* Wraps @native, a thread whose memory belongs to the query snapshot that @owner (a threads
 * iterator handle) keeps alive; takes a reference on @owner. */
NmThread *_nm_thread_new (NmDatabase *database, notmuch_thread_t *native, NmHandle *owner);
/* The database's write epoch when the thread read its messages' documents. */
guint64 _nm_thread_get_loaded_epoch (NmThread *self);
notmuch_thread_t *_nm_thread_get_native (NmThread *self);
NmDatabase *_nm_thread_get_database (NmThread *self);
guint _nm_thread_get_generation (NmThread *self);

G_END_DECLS
