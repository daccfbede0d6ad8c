/* nm-query-private.h: native queries for searches and counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-query.h"
#include "nm-handle-private.h"
#include "nm-list-private.h"

G_BEGIN_DECLS

/* A query with the CLI's defaults: newest first, the configured search.exclude_tags
 * excluded with NM_EXCLUDE_TRUE. */
NmQuery *_nm_query_new_like_cli (NmDatabase *database, const char *query_string, GError **error);

/* A native query with the current settings; its excluded tags only if @with_tag_excludes.
 * Requires the database lock. */
notmuch_query_t *_nm_query_create_native (NmQuery *self, gboolean with_tag_excludes,
                                          GError **error);

/* A native query with the tag excludes, as a handle: the snapshot a list's walks belong to.
 * Requires the database lock. */
NmHandle *_nm_query_new_snapshot (NmQuery *self, GError **error);
/* Runs @snapshot (of @self) for messages, or for threads: a handle on the results, which
 * keeps the snapshot alive, or NULL with @error set.  Requires the database lock. */
NmHandle *_nm_query_walk_snapshot (NmQuery *self, NmHandle *snapshot, gboolean threads,
                                   GError **error);
/* Runs a native query with the tag excludes for messages, for a list's own reads, which
 * skip what they cannot read: NULL on failure, without an error.  *@native owns the
 * messages; the caller destroys it unless it is NULL.  Requires the database lock. */
notmuch_messages_t *_nm_query_search_messages_quietly (NmQuery *self, notmuch_query_t **native);

/* A private copy with the same settings, which a search result keeps so that it does not
 * change when the query is changed later. */
NmQuery *_nm_query_copy (NmQuery *self);
/* A copy of @self narrowed to the thread @thread_id, or to the message @message_id. */
NmQuery *_nm_query_copy_for_thread (NmQuery *self, const char *thread_id);
NmQuery *_nm_query_copy_for_message (NmQuery *self, const char *message_id);
NmSort _nm_query_get_sort (NmQuery *self);

/* Turns the status of running the query into an error carrying libnotmuch's message for
 * this query; @action says what failed ("search for messages matching").  Requires the
 * database lock. */
gboolean _nm_query_check_status (NmQuery *self, notmuch_status_t status, GError **error,
                                 const char *action);

/* The list core of a search's results, an NmMessages or an NmThreads: what the query does
 * the same with either list. */
NmList *_nm_query_list_of (GObject *results);

G_END_DECLS
