/* nm-guard-private.h: libnotmuch calls that can throw through C
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The status libnotmuch 0.40 gives to results invalidated by another process's commit
 * (NOTMUCH_STATUS_OPERATION_INVALIDATED); 0.37 has no name for it. */
#define NM_GUARD_STATUS_INVALIDATED ((notmuch_status_t) 26)

/* libnotmuch 0.37 lets Xapian::DatabaseModifiedError escape from these when another process
 * has committed since the results were computed, which aborts the process.  These wrappers
 * catch it: NULL (or NOTMUCH_STATUS_XAPIAN_EXCEPTION) then means the results can no longer
 * be read; the count returns NM_GUARD_STATUS_INVALIDATED.  libnotmuch 0.40 returns NULL
 * itself. */
notmuch_message_t *_nm_guard_messages_get (notmuch_messages_t *messages);
notmuch_thread_t *_nm_guard_threads_get (notmuch_threads_t *threads);
notmuch_status_t _nm_guard_query_count_threads (notmuch_query_t *query, unsigned int *count);

#ifdef __cplusplus
}
#endif
