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
 *   NM_FAULT_RENAME_FROM=/tmp/:   rename() fails with EIO when the old path contains the
 *       string, as it can on a full or failing disk.
 *
 *   NM_FAULT_INDEX_FILE=/new/:   notmuch_database_index_file() indexes every file whose path
 *       contains the string, then reports NOTMUCH_STATUS_XAPIAN_EXCEPTION: a failure after
 *       the index was changed, which the caller must undo.
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
#include <errno.h>
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

/* The fault named by @variable applies to @path. */
static int
fault_applies (const char *variable, const char *path)
{
  const char *part = getenv (variable);

  return part != NULL && part[0] != '\0' && path != NULL && strstr (path, part) != NULL;
}

int
rename (const char *oldpath,
        const char *newpath)
{
  __typeof__ (rename) *real = next_symbol ("rename");

  if (!fault_applies ("NM_FAULT_RENAME_FROM", oldpath))
    return real (oldpath, newpath);
  fprintf (stderr, "nm-fault: rename of '%s' fails\n", oldpath);
  errno = EIO;
  return -1;
}

notmuch_status_t
notmuch_database_index_file (notmuch_database_t  *database,
                             const char          *filename,
                             notmuch_indexopts_t *options,
                             notmuch_message_t  **out)
{
  __typeof__ (notmuch_database_index_file) *real =
    next_symbol ("notmuch_database_index_file");
  __typeof__ (notmuch_message_destroy) *destroy = next_symbol ("notmuch_message_destroy");
  notmuch_message_t *message = NULL;
  notmuch_status_t status = real (database, filename, options, &message);

  if (!fault_applies ("NM_FAULT_INDEX_FILE", filename)
      || (status != NOTMUCH_STATUS_SUCCESS && status != NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID))
    {
      if (out != NULL)
        *out = message;
      else if (message != NULL)
        destroy (message);
      return status;
    }
  fprintf (stderr, "nm-fault: indexing '%s' fails after it changed the index\n", filename);
  if (message != NULL)
    destroy (message);
  log_injected_failure (database);
  if (out != NULL)
    *out = NULL;
  return NOTMUCH_STATUS_XAPIAN_EXCEPTION;
}
