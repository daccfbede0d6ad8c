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
 * The shim is not linked with libnotmuch and finds the functions it calls at run time:
 * a preloaded libnotmuch would be initialised before the AddressSanitizer runtime is
 * ready for it, and the process hangs in glibc's gettext lock when GLib first translates
 * a message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <notmuch.h>

static void *
next_symbol (const char *name)
{
  void *symbol = dlsym (RTLD_NEXT, name);

  if (symbol == NULL)
    {
      fprintf (stderr, "nm-fault: %s not found: %s\n", name, dlerror ());
      abort ();
    }
  return symbol;
}

/* Leaves a message in the database's log through a query that fails to parse. */
static void
log_injected_failure (notmuch_database_t *database)
{
  __typeof__ (notmuch_query_create_with_syntax) *create_with_syntax =
    next_symbol ("notmuch_query_create_with_syntax");
  __typeof__ (notmuch_query_count_messages) *count_messages =
    next_symbol ("notmuch_query_count_messages");
  __typeof__ (notmuch_query_destroy) *destroy = next_symbol ("notmuch_query_destroy");
  notmuch_query_t *unparsable = NULL;
  unsigned int count;

  if (create_with_syntax (database, "(nm-fault-injected", NOTMUCH_QUERY_SYNTAX_SEXP,
                          &unparsable) == NOTMUCH_STATUS_SUCCESS)
    count_messages (unparsable, &count);
  if (unparsable != NULL)
    destroy (unparsable);
}

notmuch_status_t
notmuch_query_search_messages (notmuch_query_t     *query,
                               notmuch_messages_t **out)
{
  __typeof__ (notmuch_query_search_messages) *real =
    next_symbol ("notmuch_query_search_messages");
  __typeof__ (notmuch_query_get_query_string) *get_query_string =
    next_symbol ("notmuch_query_get_query_string");
  __typeof__ (notmuch_query_get_database) *get_database =
    next_symbol ("notmuch_query_get_database");
  const char *prefix = getenv ("NM_FAULT_SEARCH_PREFIX");
  const char *query_string;

  if (prefix == NULL || prefix[0] == '\0')
    return real (query, out);
  query_string = get_query_string (query);
  if (query_string == NULL || strncmp (query_string, prefix, strlen (prefix)) != 0)
    return real (query, out);

  fprintf (stderr, "nm-fault: search for '%s' fails\n", query_string);
  log_injected_failure (get_database (query));
  *out = NULL;
  return NOTMUCH_STATUS_XAPIAN_EXCEPTION;
}
