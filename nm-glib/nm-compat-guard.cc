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
_nm_compat_query_count_threads (notmuch_query_t        *query,
                                notmuch_query_syntax_t  syntax,
                                unsigned int           *count)
{
  gboolean locked = _nm_compat_begin_parse (query, syntax);
  notmuch_status_t status;

  try
    {
      status = notmuch_query_count_threads (query, count);
    }
  catch (...)
    {
      *count = 0;
      status = NM_COMPAT_STATUS_INVALIDATED;
    }
  _nm_compat_end_parse (locked);
  return status;
}

notmuch_message_properties_t *
_nm_compat_message_get_properties (notmuch_message_t *message,
                                   const char        *key,
                                   notmuch_bool_t     exact)
{
  try
    {
      return notmuch_message_get_properties (message, key, exact);
    }
  catch (...)
    {
      return nullptr;
    }
}

notmuch_status_t
_nm_compat_message_count_properties (notmuch_message_t *message,
                                     const char        *key,
                                     unsigned int      *count)
{
  try
    {
      return notmuch_message_count_properties (message, key, count);
    }
  catch (...)
    {
      *count = 0;
      return NM_COMPAT_STATUS_INVALIDATED;
    }
}
