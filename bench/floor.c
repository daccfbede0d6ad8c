/* floor.c: the benchmark floor: every workload done with raw libnotmuch
 *
 * Usage: floor WORKLOAD DATABASE [ARGUMENTS...]  (see bench/run.py)
 *
 * Prints one line "count=N crc=XXXXXXXX cpu=SECONDS wall=SECONDS maxrss=KIB": the number
 * of items read, a CRC-32 of what was read (the same record encoding as bench/benchlib.py),
 * the CPU and wall time of the timed section and the peak RSS of the process.
 *
 * A read-only workload runs twice on one open database: a first pass checksums what it
 * reads, then the timed pass does the same reads and drops the data, as the other drivers
 * do, so that no contender's time includes checksumming or keeping the results.  The
 * extra workload "dump" checksums the id and tags of every message in Message-ID order;
 * run.py uses it to compare databases after W5.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>

#include <notmuch.h>

#include "bench-driver.h"

static void die (const char *format, ...) __attribute__ ((format (printf, 1, 2), noreturn));

static void
die (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("floor: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

static void
check (notmuch_status_t status, const char *what)
{
  if (status != NOTMUCH_STATUS_SUCCESS)
    die ("%s: %s", what, notmuch_status_to_string (status));
}

static void
put_tags (Bench *bench, notmuch_tags_t *tags)
{
  for (; notmuch_tags_valid (tags); notmuch_tags_move_to_next (tags))
    {
      const char *tag = notmuch_tags_get (tags);

      put_bytes (bench, tag, strlen (tag));
      put_bytes (bench, " ", 1);
    }
  notmuch_tags_destroy (tags);
  put_bytes (bench, "\x1f", 1);
}

static notmuch_database_t *
open_database (const char *path, notmuch_database_mode_t mode)
{
  notmuch_database_t *db = NULL;
  char *message = NULL;
  notmuch_status_t status = notmuch_database_open_with_config (path, mode, "", NULL, &db,
                                                               &message);

  if (status != NOTMUCH_STATUS_SUCCESS)
    die ("cannot open %s: %s", path,
         message != NULL ? message : notmuch_status_to_string (status));
  return db;
}

static notmuch_query_t *
create_query (notmuch_database_t *db, const char *query_string, notmuch_sort_t sort)
{
  notmuch_query_t *query = notmuch_query_create (db, query_string);

  if (query == NULL)
    die ("cannot create the query %s", query_string);
  notmuch_query_set_sort (query, sort);
  return query;
}

/* W1, W1u, W2, W7 and dump: every message, its id and tags, and for W2 more fields. */
static void
read_messages (Bench *bench, notmuch_database_t *db, notmuch_sort_t sort, int full)
{
  notmuch_query_t *query;
  notmuch_messages_t *messages;

  bench_start (bench);
  query = create_query (db, "*", sort);
  check (notmuch_query_search_messages (query, &messages), "search");
  for (; notmuch_messages_valid (messages); notmuch_messages_move_to_next (messages))
    {
      notmuch_message_t *message = notmuch_messages_get (messages);

      put (bench, notmuch_message_get_message_id (message));
      put_tags (bench, notmuch_message_get_tags (message));
      if (full)
        {
          put (bench, notmuch_message_get_header (message, "from"));
          put (bench, notmuch_message_get_header (message, "subject"));
          put_int (bench, notmuch_message_get_date (message));
          put (bench, notmuch_message_get_filename (message));
        }
      notmuch_message_destroy (message);
      bench->count++;
    }
  notmuch_query_destroy (query);
  bench_stop (bench);
}

/* W3: every thread, newest first. */
static void
read_threads (Bench *bench, notmuch_database_t *db)
{
  notmuch_query_t *query;
  notmuch_threads_t *threads;

  bench_start (bench);
  query = create_query (db, "*", NOTMUCH_SORT_NEWEST_FIRST);
  check (notmuch_query_search_threads (query, &threads), "search");
  for (; notmuch_threads_valid (threads); notmuch_threads_move_to_next (threads))
    {
      notmuch_thread_t *thread = notmuch_threads_get (threads);

      put (bench, notmuch_thread_get_subject (thread));
      put (bench, notmuch_thread_get_authors (thread));
      put_int (bench, notmuch_thread_get_total_messages (thread));
      put_int (bench, notmuch_thread_get_matched_messages (thread));
      put_tags (bench, notmuch_thread_get_tags (thread));
      notmuch_thread_destroy (thread);
      bench->count++;
    }
  notmuch_query_destroy (query);
  bench_stop (bench);
}

/* W4: one message count per query. */
static void
count_queries (Bench *bench, notmuch_database_t *db, int n_queries, char **queries)
{
  bench_start (bench);
  for (int i = 0; i < n_queries; i++)
    {
      notmuch_query_t *query = notmuch_query_create (db, queries[i]);
      unsigned int count;

      if (query == NULL)
        die ("cannot create the query %s", queries[i]);
      check (notmuch_query_count_messages (query, &count), "count");
      put_int (bench, count);
      notmuch_query_destroy (query);
      bench->count++;
    }
  bench_stop (bench);
}

/* W5a, one phase: open read-write, add (or remove) @tag on every message matching @query,
 * one call per message in one atomic section, close. */
static void
tag_each (Bench *bench, const char *path, const char *phase, const char *query_string,
          const char *tag)
{
  int add = strcmp (phase, "add") == 0;
  notmuch_database_t *db;
  notmuch_query_t *query;
  notmuch_messages_t *messages;

  bench_start (bench);
  db = open_database (path, NOTMUCH_DATABASE_MODE_READ_WRITE);
  check (notmuch_database_begin_atomic (db), "begin_atomic");
  query = create_query (db, query_string, NOTMUCH_SORT_UNSORTED);
  check (notmuch_query_search_messages (query, &messages), "search");
  for (; notmuch_messages_valid (messages); notmuch_messages_move_to_next (messages))
    {
      notmuch_message_t *message = notmuch_messages_get (messages);

      check (add ? notmuch_message_add_tag (message, tag)
                 : notmuch_message_remove_tag (message, tag), "tag");
      notmuch_message_destroy (message);
      bench->count++;
    }
  notmuch_query_destroy (query);
  check (notmuch_database_end_atomic (db), "end_atomic");
  check (notmuch_database_close (db), "close");
  notmuch_database_destroy (db);
  bench_stop (bench);
  put_int (bench, bench->count);
}

/* W6: open read-only and close, @n times. */
static void
open_close (Bench *bench, const char *path, int n)
{
  bench_start (bench);
  for (int i = 0; i < n; i++)
    {
      notmuch_database_t *db = open_database (path, NOTMUCH_DATABASE_MODE_READ_ONLY);

      check (notmuch_database_close (db), "close");
      notmuch_database_destroy (db);
      bench->count++;
    }
  bench_stop (bench);
}

/* The read-only workloads; returns 0 for any other. */
static int
read_workload (Bench *bench, notmuch_database_t *db, const char *workload, int argc,
               char **argv)
{
  /* W1n, W2n, W3n: the cursor workloads of the Python driver; C reads every list the same
   * way, item after item until NULL, which never counts. */
  if (strcmp (workload, "W1") == 0 || strcmp (workload, "W1n") == 0
      || strcmp (workload, "W7") == 0)
    read_messages (bench, db, NOTMUCH_SORT_NEWEST_FIRST, 0);
  else if (strcmp (workload, "W1u") == 0)
    read_messages (bench, db, NOTMUCH_SORT_UNSORTED, 0);
  else if (strcmp (workload, "W2") == 0 || strcmp (workload, "W2n") == 0)
    read_messages (bench, db, NOTMUCH_SORT_NEWEST_FIRST, 1);
  else if (strcmp (workload, "dump") == 0)
    read_messages (bench, db, NOTMUCH_SORT_MESSAGE_ID, 0);
  else if (strcmp (workload, "W3") == 0 || strcmp (workload, "W3n") == 0)
    read_threads (bench, db);
  else if (strcmp (workload, "W4") == 0)
    count_queries (bench, db, argc, argv);
  else
    return 0;
  return 1;
}

int
main (int argc, char **argv)
{
  Bench bench = { 0 }, check = { .hashing = 1 };
  const char *workload, *path;

  if (argc < 3)
    die ("usage: floor WORKLOAD DATABASE [ARGUMENTS...]");
  workload = argv[1];
  path = argv[2];
  check.crc = crc32 (0, NULL, 0);

  if (strcmp (workload, "W5a") == 0 && argc == 6)
    tag_each (&check, path, argv[3], argv[4], argv[5]);
  else if (strcmp (workload, "W6") == 0 && argc == 4)
    open_close (&check, path, atoi (argv[3]));
  else
    {
      notmuch_database_t *db = open_database (path, NOTMUCH_DATABASE_MODE_READ_ONLY);

      /* A first pass checksums what is read; the timed second pass reads the same and
       * drops it.  W7 (memory) and dump read once. */
      if (!read_workload (&check, db, workload, argc - 3, argv + 3))
        die ("unknown workload or wrong arguments: %s", workload);
      if (strcmp (workload, "W7") != 0 && strcmp (workload, "dump") != 0)
        {
          read_workload (&bench, db, workload, argc - 3, argv + 3);
          if (bench.count != check.count)
            die ("the two passes read %lu and %lu items", check.count, bench.count);
          check.cpu = bench.cpu;
          check.wall = bench.wall;
        }
      notmuch_database_destroy (db);
    }

  printf ("count=%lu crc=%08lx cpu=%.6f wall=%.6f maxrss=%ld\n", check.count, check.crc,
          check.cpu, check.wall, peak_rss ());
  return 0;
}
