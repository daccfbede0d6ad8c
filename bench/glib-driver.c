/* glib-driver.c: every benchmark workload done with notmuch-glib's C API
 *
 * Usage: glib-driver WORKLOAD DATABASE [ARGUMENTS...]  (see bench/run.py)
 *
 * Prints the same report line as bench/floor.c, from the same record encoding and the same
 * two passes, so that bench/run.py can compare the checksums.  Lists are walked the way a C user of a
 * GListModel walks them: g_list_model_get_item() until it returns NULL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <notmuch-glib.h>

#include "bench-driver.h"

static void
check (gboolean ok, GError *error, const char *what)
{
  if (!ok || error != NULL)
    {
      g_printerr ("glib-driver: %s: %s\n", what, error != NULL ? error->message : "failed");
      exit (1);
    }
}

static void
put_tags (Bench *bench, char **tags)
{
  for (char **tag = tags; *tag != NULL; tag++)
    {
      put_bytes (bench, *tag, strlen (*tag));
      put_bytes (bench, " ", 1);
    }
  g_strfreev (tags);
  put_bytes (bench, "\x1f", 1);
}

static NmDatabase *
open_database (const char *path, NmDatabaseMode mode)
{
  GError *error = NULL;
  NmDatabase *db = nm_database_open (path, mode, &error);

  check (db != NULL, error, "open");
  return db;
}

static NmQuery *
create_query (NmDatabase *db, const char *query_string, NmSort sort)
{
  GError *error = NULL;
  NmQuery *query = nm_query_new (db, query_string, &error);

  check (query != NULL, error, "query");
  nm_query_set_sort (query, sort);
  return query;
}

/* W1, W1u, W2 and W7. */
static void
read_messages (Bench *bench, NmDatabase *db, NmSort sort, gboolean full)
{
  GError *error = NULL;
  NmQuery *query;
  NmMessages *messages;
  NmMessage *message;

  bench_start (bench);
  query = create_query (db, "*", sort);
  messages = nm_query_search_messages (query, &error);
  check (messages != NULL, error, "search");
  for (guint i = 0; (message = g_list_model_get_item (G_LIST_MODEL (messages), i)) != NULL; i++)
    {
      put (bench, nm_message_get_message_id (message));
      put_tags (bench, nm_message_get_tags (message));
      if (full)
        {
          char *from = nm_message_get_header (message, "from", &error);
          char *subject;
          char *filename;

          check (TRUE, error, "from");
          subject = nm_message_get_header (message, "subject", &error);
          check (TRUE, error, "subject");
          filename = nm_message_get_filename (message);
          put (bench, from);
          put (bench, subject);
          put_int (bench, nm_message_get_date (message));
          put (bench, filename);
          g_free (from);
          g_free (subject);
          g_free (filename);
        }
      g_object_unref (message);
      bench->count++;
    }
  check (nm_messages_check (messages, &error), error, "walk");
  g_object_unref (messages);
  g_object_unref (query);
  bench_stop (bench);
}

/* W3. */
static void
read_threads (Bench *bench, NmDatabase *db)
{
  GError *error = NULL;
  NmQuery *query;
  NmThreads *threads;
  NmThread *thread;

  bench_start (bench);
  query = create_query (db, "*", NM_SORT_NEWEST_FIRST);
  threads = nm_query_search_threads (query, &error);
  check (threads != NULL, error, "search");
  for (guint i = 0; (thread = g_list_model_get_item (G_LIST_MODEL (threads), i)) != NULL; i++)
    {
      put (bench, nm_thread_get_subject (thread));
      put (bench, nm_thread_get_authors (thread));
      put_int (bench, nm_thread_get_total_messages (thread));
      put_int (bench, nm_thread_get_matched_messages (thread));
      put_tags (bench, nm_thread_get_tags (thread));
      g_object_unref (thread);
      bench->count++;
    }
  check (nm_threads_check (threads, &error), error, "walk");
  g_object_unref (threads);
  g_object_unref (query);
  bench_stop (bench);
}

/* W4. */
static void
count_queries (Bench *bench, NmDatabase *db, int n_queries, char **queries)
{
  bench_start (bench);
  for (int i = 0; i < n_queries; i++)
    {
      GError *error = NULL;
      NmQuery *query = nm_query_new (db, queries[i], &error);
      guint count;

      check (query != NULL, error, "query");
      count = nm_query_count_messages (query, &error);
      check (TRUE, error, "count");
      put_int (bench, count);
      g_object_unref (query);
      bench->count++;
    }
  bench_stop (bench);
}

/* W5a, one phase: one add_tag() or remove_tag() per message in one atomic section. */
static void
tag_each (Bench *bench, const char *path, const char *phase, const char *query_string,
          const char *tag)
{
  gboolean add = strcmp (phase, "add") == 0;
  GError *error = NULL;
  NmDatabase *db;
  NmQuery *query;
  NmMessages *messages;
  NmMessage *message;

  bench_start (bench);
  db = open_database (path, NM_DATABASE_MODE_READ_WRITE);
  check (nm_database_begin_atomic (db, &error), error, "begin_atomic");
  query = create_query (db, query_string, NM_SORT_UNSORTED);
  messages = nm_query_search_messages (query, &error);
  check (messages != NULL, error, "search");
  for (guint i = 0; (message = g_list_model_get_item (G_LIST_MODEL (messages), i)) != NULL; i++)
    {
      check (add ? nm_message_add_tag (message, tag, &error)
                 : nm_message_remove_tag (message, tag, &error), error, "tag");
      g_object_unref (message);
      bench->count++;
    }
  check (nm_messages_check (messages, &error), error, "walk");
  g_object_unref (messages);
  g_object_unref (query);
  check (nm_database_end_atomic (db, &error), error, "end_atomic");
  check (nm_database_close (db, &error), error, "close");
  g_object_unref (db);
  bench_stop (bench);
  put_int (bench, bench->count);
}

/* W5b, one phase: one nm_database_tag_messages(). */
static void
tag_query (Bench *bench, const char *path, const char *phase, const char *query_string,
           const char *tag)
{
  const char *tags[] = { tag, NULL };
  gboolean add = strcmp (phase, "add") == 0;
  GError *error = NULL;
  NmDatabase *db;

  bench_start (bench);
  db = open_database (path, NM_DATABASE_MODE_READ_WRITE);
  bench->count = nm_database_tag_messages (db, query_string, add ? tags : NULL,
                                           add ? NULL : tags, &error);
  check (TRUE, error, "tag_messages");
  check (nm_database_close (db, &error), error, "close");
  g_object_unref (db);
  bench_stop (bench);
  put_int (bench, bench->count);
}

/* W6. */
static void
open_close (Bench *bench, const char *path, int n)
{
  bench_start (bench);
  for (int i = 0; i < n; i++)
    {
      GError *error = NULL;
      NmDatabase *db = open_database (path, NM_DATABASE_MODE_READ_ONLY);

      check (nm_database_close (db, &error), error, "close");
      g_object_unref (db);
      bench->count++;
    }
  bench_stop (bench);
}

/* The read-only workloads; returns FALSE for any other. */
static gboolean
read_workload (Bench *bench, NmDatabase *db, const char *workload, int argc, char **argv)
{
  /* W1n, W2n, W3n: the cursor workloads of the Python driver; C reads every list the same
   * way, item after item until NULL, which never counts. */
  if (strcmp (workload, "W1") == 0 || strcmp (workload, "W1n") == 0
      || strcmp (workload, "W7") == 0)
    read_messages (bench, db, NM_SORT_NEWEST_FIRST, FALSE);
  else if (strcmp (workload, "W1u") == 0)
    read_messages (bench, db, NM_SORT_UNSORTED, FALSE);
  else if (strcmp (workload, "W2") == 0 || strcmp (workload, "W2n") == 0)
    read_messages (bench, db, NM_SORT_NEWEST_FIRST, TRUE);
  else if (strcmp (workload, "W3") == 0 || strcmp (workload, "W3n") == 0)
    read_threads (bench, db);
  else if (strcmp (workload, "W4") == 0)
    count_queries (bench, db, argc, argv);
  else
    return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  Bench bench = { 0 }, check = { .hashing = 1 };
  const char *workload, *path;

  if (argc < 3)
    {
      g_printerr ("usage: glib-driver WORKLOAD DATABASE [ARGUMENTS...]\n");
      return 1;
    }
  workload = argv[1];
  path = argv[2];
  check.crc = crc32 (0, NULL, 0);

  if (strcmp (workload, "W5a") == 0 && argc == 6)
    tag_each (&check, path, argv[3], argv[4], argv[5]);
  else if (strcmp (workload, "W5b") == 0 && argc == 6)
    tag_query (&check, path, argv[3], argv[4], argv[5]);
  else if (strcmp (workload, "W6") == 0 && argc == 4)
    open_close (&check, path, atoi (argv[3]));
  else
    {
      NmDatabase *db = open_database (path, NM_DATABASE_MODE_READ_ONLY);

      /* As in floor.c: a checksum pass, then the timed pass (W7 reads once). */
      if (!read_workload (&check, db, workload, argc - 3, argv + 3))
        {
          g_printerr ("glib-driver: unknown workload or wrong arguments: %s\n", workload);
          return 1;
        }
      if (strcmp (workload, "W7") != 0)
        {
          read_workload (&bench, db, workload, argc - 3, argv + 3);
          if (bench.count != check.count)
            {
              g_printerr ("glib-driver: the two passes read %lu and %lu items\n",
                          check.count, bench.count);
              return 1;
            }
          check.cpu = bench.cpu;
          check.wall = bench.wall;
        }
      g_object_unref (db);
    }

  printf ("count=%lu crc=%08lx cpu=%.6f wall=%.6f maxrss=%ld\n", check.count, check.crc,
          check.cpu, check.wall, peak_rss ());
  return 0;
}
