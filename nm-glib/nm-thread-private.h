/* nm-thread-private.h: creating thread wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-thread.h"
#include "nm-handle-private.h"
#include "nm-origin-private.h"

G_BEGIN_DECLS

/* Wraps @native, a thread whose memory belongs to the query snapshot that @owner (a threads
 * iterator handle) keeps alive; takes a reference on @owner. */
/* A thread of @query's results, from what libnotmuch built; @native is not kept.
 * notify::tags goes to @origin.  Requires the database lock. */
NmThread *_nm_thread_new (NmDatabase *database, NmQuery *query, notmuch_thread_t *native,
                          NmOrigin *origin);

/* Reads the union of the messages' tags again; TRUE if it changed.  Requires the database
 * lock. */
gboolean _nm_thread_refresh_tags (NmThread *self);
/* Emits notify::tags on the thread's main context.  Runs without the lock. */
void _nm_thread_notify_tags (NmThread *self);

/* Builds the current thread of @threads, or returns NULL when the results can no longer be
 * read (invalidated by another process's commit).  Requires the database lock. */
notmuch_thread_t *_nm_thread_build (NmDatabase        *database,
                                    guint              generation,
                                    notmuch_threads_t *threads);
/* Runs @native_query, which matches one thread, and builds that thread; NULL when there is
 * none or it can no longer be read.  Requires the database lock. */
notmuch_thread_t *_nm_thread_find (NmDatabase      *database,
                                   guint            generation,
                                   notmuch_query_t *native_query,
                                   NmQuerySyntax    syntax);

/* The thread as libnotmuch builds it, with its messages; built the first time, NULL if it
 * cannot be read any more.  Requires the database lock. */
notmuch_thread_t *_nm_thread_get_native (NmThread *self);
guint64 _nm_thread_get_loaded_epoch (NmThread *self);
NmDatabase *_nm_thread_get_database (NmThread *self);
guint _nm_thread_get_generation (NmThread *self);

G_END_DECLS
