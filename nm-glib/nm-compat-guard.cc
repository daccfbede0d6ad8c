/* nm-compat-guard.cc: libnotmuch calls that can throw through C
 *
 * The only C++ of the library: a C++ frame is what can catch an exception thrown inside
 * libnotmuch and unwound through its C functions (Debian builds them with unwind tables).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-compat-private.h"

notmuch_message_t *
_nm_compat_messages_get (notmuch_messages_t *messages)
{
  try
    {
      return notmuch_messages_get (messages);
    }
  catch (...)
    {
      return nullptr;
    }
}

notmuch_thread_t *
_nm_compat_threads_get (notmuch_threads_t *threads)
{
  try
    {
      return notmuch_threads_get (threads);
    }
  catch (...)
    {
      return nullptr;
    }
}

notmuch_status_t
_nm_compat_query_count_threads (notmuch_query_t *query, unsigned int *count)
{
  try
    {
      return notmuch_query_count_threads (query, count);
    }
  catch (...)
    {
      *count = 0;
      return NM_COMPAT_STATUS_INVALIDATED;
    }
}
