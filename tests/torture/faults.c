/* faults.c: fault injection into libnotmuch, loaded with LD_PRELOAD by the torture suite
 *
 * libnotmuch calls its own exported functions through the PLT, so a preloaded definition
 * replaces them for libnotmuch's internal calls too.  This makes failures that normally
 * need a lucky race with another process's commit happen every time:
 *
 *   NM_FAULT_SEARCH_PREFIX=thread:   notmuch_query_search_messages() fails with
 *       NOTMUCH_STATUS_XAPIAN_EXCEPTION for every query string starting with the prefix,
 *       as it does when a concurrent commit discards the revision being read.  Building a
 *       thread runs such a query (lib/thread.cc, _notmuch_thread_create).  Like the real
 *       failure, it leaves a message in the database's log: libnotmuch's logging function
 *       is not exported, so the message comes from a query that fails to parse.
 *
 * Every injected failure is counted on stderr ("nm-fault: ...").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <notmuch.h>

typedef notmuch_status_t (*search_messages_fn) (notmuch_query_t *, notmuch_messages_t **);

notmuch_status_t
notmuch_query_search_messages (notmuch_query_t     *query,
                               notmuch_messages_t **out)
{
  static search_messages_fn real;
  const char *prefix = getenv ("NM_FAULT_SEARCH_PREFIX");
  const char *query_string;

  if (real == NULL)
    real = (search_messages_fn) dlsym (RTLD_NEXT, "notmuch_query_search_messages");
  if (prefix != NULL && prefix[0] != '\0')
    {
      query_string = notmuch_query_get_query_string (query);
      if (query_string != NULL && strncmp (query_string, prefix, strlen (prefix)) == 0)
        {
          notmuch_query_t *unparsable = NULL;
          unsigned int count;

          fprintf (stderr, "nm-fault: search for '%s' fails\n", query_string);
          if (notmuch_query_create_with_syntax (notmuch_query_get_database (query),
                                                "(nm-fault-injected", NOTMUCH_QUERY_SYNTAX_SEXP,
                                                &unparsable) == NOTMUCH_STATUS_SUCCESS)
            notmuch_query_count_messages (unparsable, &count);
          if (unparsable != NULL)
            notmuch_query_destroy (unparsable);
          *out = NULL;
          return NOTMUCH_STATUS_XAPIAN_EXCEPTION;
        }
    }
  return real (query, out);
}
