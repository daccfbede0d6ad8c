/* threads.c: T15 in C — eight threads share one NmDatabase, its queries and a result list,
 * mixing searches, message reads and tag writes for a few seconds.  Built as
 * torture-threads; tools/memcheck.sh runs it under ThreadSanitizer, and it is meant to be
 * run under `valgrind --tool=helgrind` too.
 *
 *   torture-threads [--threads N] [--seconds S] [--messages M] [MAIL_ROOT]
 *
 * Without MAIL_ROOT it makes its own corpus in a temporary directory with $PYTHON $NMCORPUS
 * and indexes it with $NOTMUCH new (the variables tests/meson.build sets), and removes it
 * afterwards.
 *
 * First the threads share one result list's cursor (nm_messages_next()): every message
 * must reach exactly one of them, in the list's order.  Then each thread i owns the tag "t<i>": it alone adds and removes it, with single calls
 * (add_tag, remove_tag, tag_messages) that the database lock makes atomic, and remembers
 * which messages carry it.  At the end the index must agree, through the library and
 * through the notmuch CLI.  (Writes spanning several calls, freeze ... thaw, lose changes
 * made meanwhile through another wrapper of the same message; see test_t15_lost_update in
 * test_concurrency.py.  They run here on messages no other thread writes to.)
 *
 * Exit status: 0 when every operation succeeded and the index agrees, 1 otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <notmuch-glib.h>

static int n_threads = 8;
static double seconds = 5.0;
static int n_messages = 300;

static NmDatabase *db;
static NmQuery *shared_all;
static NmQuery *shared_inbox;
static NmMessages *shared_model;
static GPtrArray *shared_ids;    /* written by every thread, one call at a time */
static GPtrArray **private_ids;  /* per thread: freeze/thaw only here */
static gint64 deadline;
static gint failures;
static int indexed_count;

typedef struct
{
  int index;
  char *tag;
  char *tmp_tag;
  GHashTable *mine;     /* message ids carrying tag, as this thread knows it */
  guint ops;
  GRand *rand;
} Worker;

#define FAIL(worker, ...) G_STMT_START {                                              \
    g_printerr ("thread %d: ", (worker)->index);                                      \
    g_printerr (__VA_ARGS__);                                                         \
    g_printerr ("\n");                                                                \
    g_atomic_int_inc (&failures);                                                     \
  } G_STMT_END

static gboolean
check_error (Worker *w, const char *what, GError *error)
{
  if (error == NULL)
    return TRUE;
  FAIL (w, "%s: %s (code %d)", what, error->message, error->code);
  return FALSE;
}

static char *
id_query (const char *message_id)
{
  return g_strdup_printf ("id:\"%s\"", message_id);
}

static void
read_message (Worker *w, NmMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) tags = nm_message_get_tags (message);
  g_auto (GStrv) filenames = nm_message_get_filenames (message);
  g_autofree char *subject = nm_message_get_header (message, "subject", &error);
  g_autofree char *filename = nm_message_get_filename (message);

  check_error (w, "get_header", error);
  if (nm_message_get_message_id (message) == NULL || nm_message_get_thread_id (message) == NULL)
    FAIL (w, "a message without an id or thread id");
  if (filename == NULL || filenames[0] == NULL)
    FAIL (w, "a message without a file");
}

static void
op_walk_shared_query (Worker *w)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessages) messages = nm_query_search_messages (shared_all, &error);
  guint limit = g_rand_int_range (w->rand, 1, 30);

  if (!check_error (w, "search_messages", error))
    return;
  for (guint i = 0; i < limit; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);

      if (message == NULL)
        break;
      read_message (w, message);
    }
  nm_messages_check (messages, &error);
  check_error (w, "messages_check", error);
}

static void
op_counts (Worker *w)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *query = g_strdup_printf ("tag:%s", w->tag);
  guint all = nm_query_count_messages (shared_all, &error);
  guint mine;

  if (!check_error (w, "count_messages", error))
    return;
  if (all != (guint) indexed_count)
    FAIL (w, "count of * is %u", all);
  mine = nm_database_count_messages (db, query, &error);
  if (!check_error (w, "count_messages(tag)", error))
    return;
  if (mine != g_hash_table_size (w->mine))
    FAIL (w, "tag:%s counts %u messages, the thread tagged %u", w->tag, mine,
          g_hash_table_size (w->mine));
  nm_query_count_threads (shared_inbox, &error);
  check_error (w, "count_threads", error);
}

static void
op_toggle (Worker *w)
{
  g_autoptr (GError) error = NULL;
  const char *id = g_ptr_array_index (shared_ids, g_rand_int_range (w->rand, 0, shared_ids->len));
  g_autoptr (NmMessage) message = nm_database_find_message (db, id, &error);
  gboolean had;

  if (!check_error (w, "find_message", error))
    return;
  if (message == NULL)
    {
      FAIL (w, "find_message(%s) found nothing", id);
      return;
    }
  had = nm_message_has_tag (message, w->tag);
  if (had != g_hash_table_contains (w->mine, id))
    FAIL (w, "%s: has_tag(%s) is %d", id, w->tag, had);
  if (had)
    {
      nm_message_remove_tag (message, w->tag, &error);
      g_hash_table_remove (w->mine, id);
    }
  else
    {
      nm_message_add_tag (message, w->tag, &error);
      g_hash_table_add (w->mine, (gpointer) id);
    }
  check_error (w, "add/remove_tag", error);
}

static void
op_tag_messages (Worker *w)
{
  g_autoptr (GError) error = NULL;
  const char *id = g_ptr_array_index (shared_ids, g_rand_int_range (w->rand, 0, shared_ids->len));
  g_autofree char *query = id_query (id);
  const char *add[] = { w->tag, NULL };
  guint changed = nm_database_tag_messages (db, query, add, NULL, &error);

  if (!check_error (w, "tag_messages", error))
    return;
  if (changed != (g_hash_table_contains (w->mine, id) ? 0u : 1u))
    FAIL (w, "tag_messages(%s) changed %u messages", id, changed);
  g_hash_table_add (w->mine, (gpointer) id);
}

static void
op_threads (Worker *w)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmThreads) threads = nm_database_search_threads (db, "tag:inbox", &error);
  guint limit = g_rand_int_range (w->rand, 1, 6);

  if (!check_error (w, "search_threads", error))
    return;
  for (guint i = 0; i < limit; i++)
    {
      g_autoptr (NmThread) thread = g_list_model_get_item (G_LIST_MODEL (threads), i);
      g_autoptr (NmMessages) messages = NULL;
      g_auto (GStrv) tags = NULL;
      guint n;

      if (thread == NULL)
        break;
      if (nm_thread_get_authors (thread) == NULL || nm_thread_get_thread_id (thread) == NULL)
        FAIL (w, "a thread without authors or id");
      tags = nm_thread_get_tags (thread);
      messages = nm_thread_get_messages (thread);
      n = g_list_model_get_n_items (G_LIST_MODEL (messages));
      for (guint j = 0; j < n; j++)
        {
          g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), j);

          if (message == NULL)
            FAIL (w, "thread message %u of %u missing", j, n);
          else
            read_message (w, message);
        }
    }
}

static void
op_shared_model (Worker *w)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (shared_model));
  g_autoptr (NmMessage) message = NULL;

  if (n == 0)
    return;
  message = g_list_model_get_item (G_LIST_MODEL (shared_model), g_rand_int_range (w->rand, 0, n));
  if (message != NULL)
    read_message (w, message);
}

static void
op_tag_lists (Worker *w)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *query = g_strdup_printf ("tag:%s", w->tag);
  g_auto (GStrv) all = nm_database_get_all_tags (db, &error);
  g_autoptr (NmMessages) messages = NULL;
  g_auto (GStrv) collected = NULL;

  if (!check_error (w, "get_all_tags", error))
    return;
  messages = nm_database_search_messages (db, query, &error);
  if (!check_error (w, "search_messages(tag)", error))
    return;
  collected = nm_messages_collect_tags (messages, &error);
  check_error (w, "collect_tags", error);
}

static void
op_freeze_thaw (Worker *w)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *ids = private_ids[w->index];
  const char *id;
  g_autoptr (NmMessage) message = NULL;

  if (ids->len == 0)
    return;
  id = g_ptr_array_index (ids, g_rand_int_range (w->rand, 0, ids->len));
  message = nm_database_find_message (db, id, &error);
  if (!check_error (w, "find_message", error) || message == NULL)
    return;
  if (nm_message_freeze (message, &error)
      && nm_message_add_tag (message, w->tmp_tag, &error)
      && nm_message_remove_tag (message, w->tmp_tag, &error))
    nm_message_thaw (message, &error);
  check_error (w, "freeze/thaw", error);
  if (nm_message_has_tag (message, w->tmp_tag))
    FAIL (w, "%s kept %s", id, w->tmp_tag);
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;

  while (g_get_monotonic_time () < deadline)
    {
      switch (g_rand_int_range (w->rand, 0, 8))
        {
        case 0: op_walk_shared_query (w); break;
        case 1: op_counts (w); break;
        case 2: op_toggle (w); break;
        case 3: op_tag_messages (w); break;
        case 4: op_threads (w); break;
        case 5: op_shared_model (w); break;
        case 6: op_tag_lists (w); break;
        default: op_freeze_thaw (w); break;
        }
      w->ops++;
    }
  return NULL;
}

/* One thread's share of a list whose cursor every thread reads. */
typedef struct
{
  NmMessages *list;
  GPtrArray *ids;   /* in the order this thread received them */
} CursorReader;

static gpointer
cursor_reader_main (gpointer data)
{
  CursorReader *reader = data;
  NmMessage *message;

  while ((message = nm_messages_next (reader->list)) != NULL)
    {
      g_ptr_array_add (reader->ids, g_strdup (nm_message_get_message_id (message)));
      g_object_unref (message);
    }
  return NULL;
}

/* Every thread reads the same list through next(): each message must reach exactly one of
 * them, and each thread must see its share in the list's order. */
static void
check_shared_cursor (NmMessages *all)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessages) list = nm_database_search_messages (db, "*", &error);
  g_autoptr (GHashTable) order = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  CursorReader *readers = g_new0 (CursorReader, n_threads);
  GThread **threads = g_new0 (GThread *, n_threads);
  guint received = 0;

  if (list == NULL)
    {
      g_printerr ("shared cursor: %s\n", error->message);
      g_atomic_int_inc (&failures);
      return;
    }
  for (guint i = 0;; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (all), i);

      if (message == NULL)
        break;
      g_hash_table_insert (order, g_strdup (nm_message_get_message_id (message)),
                           GUINT_TO_POINTER (i + 1));
    }
  for (int t = 0; t < n_threads; t++)
    {
      readers[t].list = list;
      readers[t].ids = g_ptr_array_new_with_free_func (g_free);
      threads[t] = g_thread_new ("cursor", cursor_reader_main, &readers[t]);
    }
  for (int t = 0; t < n_threads; t++)
    {
      guint last = 0;

      g_thread_join (threads[t]);
      for (guint i = 0; i < readers[t].ids->len; i++)
        {
          const char *id = g_ptr_array_index (readers[t].ids, i);
          guint position = GPOINTER_TO_UINT (g_hash_table_lookup (order, id));

          if (position <= last)
            {
              g_printerr ("shared cursor: thread %d got %s out of order\n", t, id);
              g_atomic_int_inc (&failures);
            }
          last = position;
          if (!g_hash_table_add (seen, (gpointer) id))
            {
              g_printerr ("shared cursor: %s handed out twice\n", id);
              g_atomic_int_inc (&failures);
            }
          received++;
        }
    }
  if (received != g_hash_table_size (order))
    {
      g_printerr ("shared cursor: %u messages handed out, the list has %u\n", received,
                  g_hash_table_size (order));
      g_atomic_int_inc (&failures);
    }
  for (int t = 0; t < n_threads; t++)
    g_ptr_array_unref (readers[t].ids);
  g_free (readers);
  g_free (threads);
}

/* ---------------------------------------------------------------------------------------- */

static char **
child_environment (const char *config)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "LD_PRELOAD");
  if (config != NULL)
    env = g_environ_setenv (env, "NOTMUCH_CONFIG", config, TRUE);
  return env;
}

static gboolean
run (const char *const *argv, const char *config, char **out)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) env = child_environment (config);
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("%s: %s\n%s", argv[0], error->message, err != NULL ? err : "");
      return FALSE;
    }
  return TRUE;
}

static char *
make_corpus (char **tmpdir)
{
  g_autoptr (GError) error = NULL;
  const char *python = g_getenv ("PYTHON") != NULL ? g_getenv ("PYTHON") : "python3";
  const char *nmcorpus = g_getenv ("NMCORPUS");
  const char *notmuch = g_getenv ("NOTMUCH") != NULL ? g_getenv ("NOTMUCH") : "notmuch";
  g_autofree char *messages = g_strdup_printf ("%d", n_messages);
  g_autofree char *config = NULL;

  if (nmcorpus == NULL)
    {
      g_printerr ("no MAIL_ROOT given and NMCORPUS is not set\n");
      return NULL;
    }
  *tmpdir = g_dir_make_tmp ("torture-threads-XXXXXX", &error);
  if (*tmpdir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }
  config = g_build_filename (*tmpdir, "notmuch-config", NULL);
  {
    const char *generate[] = { python, nmcorpus, *tmpdir, "--messages", messages,
                               "--seed", "15", NULL };
    const char *index[] = { notmuch, "new", "--quiet", NULL };

    if (!run (generate, NULL, NULL) || !run (index, config, NULL))
      return NULL;
  }
  return g_build_filename (*tmpdir, "mail", NULL);
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  run (argv, NULL, NULL);
}

/* What the notmuch CLI says carries a tag. */
static GHashTable *
cli_ids (const char *config, const char *tag)
{
  const char *notmuch = g_getenv ("NOTMUCH") != NULL ? g_getenv ("NOTMUCH") : "notmuch";
  g_autofree char *query = g_strdup_printf ("tag:%s", tag);
  const char *argv[] = { notmuch, "search", "--output=messages", "--exclude=false", query,
                         NULL };
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!run (argv, config, &out))
    return ids;
  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_prefix (*line, "id:"))
      g_hash_table_add (ids, g_strdup (*line + 3));
  return ids;
}

static gboolean
same_ids (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *root = NULL;
  g_autofree char *config = NULL;
  g_autoptr (NmMessages) all = NULL;
  GPtrArray *ids;
  GThread **threads;
  Worker *workers;
  guint total_ops = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Threads (8)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "How long to run (5)", "S" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Corpus size (300)", "M" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[MAIL_ROOT]");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc > 1)
    root = g_strdup (argv[1]);
  else if ((root = make_corpus (&tmpdir)) == NULL)
    return 2;
  if (tmpdir != NULL)
    config = g_build_filename (tmpdir, "notmuch-config", NULL);

  db = nm_database_open (root, NM_DATABASE_MODE_READ_WRITE, &error);
  if (db == NULL)
    {
      g_printerr ("open %s: %s\n", root, error->message);
      return 2;
    }
  shared_all = nm_query_new (db, "*", &error);
  shared_inbox = nm_query_new (db, "tag:inbox", &error);
  shared_model = nm_query_search_messages (shared_inbox, &error);
  all = nm_database_search_messages (db, "*", &error);
  if (shared_all == NULL || shared_inbox == NULL || shared_model == NULL || all == NULL)
    {
      g_printerr ("setup: %s\n", error->message);
      return 2;
    }

  /* Every message id (without '"', which would need quoting in id: queries), split into
   * the shared half and a private share per thread. */
  ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0;; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (all), i);

      if (message == NULL)
        break;
      indexed_count++;
      if (strchr (nm_message_get_message_id (message), '"') == NULL)
        g_ptr_array_add (ids, g_strdup (nm_message_get_message_id (message)));
    }
  shared_ids = g_ptr_array_new ();
  private_ids = g_new0 (GPtrArray *, n_threads);
  for (int t = 0; t < n_threads; t++)
    private_ids[t] = g_ptr_array_new ();
  for (guint i = 0; i < ids->len; i++)
    {
      if (i % 2 == 0)
        g_ptr_array_add (shared_ids, g_ptr_array_index (ids, i));
      else
        g_ptr_array_add (private_ids[(i / 2) % n_threads], g_ptr_array_index (ids, i));
    }

  check_shared_cursor (all);

  workers = g_new0 (Worker, n_threads);
  threads = g_new0 (GThread *, n_threads);
  deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  for (int t = 0; t < n_threads; t++)
    {
      workers[t].index = t;
      workers[t].tag = g_strdup_printf ("t%d", t);
      workers[t].tmp_tag = g_strdup_printf ("t%d-tmp", t);
      workers[t].mine = g_hash_table_new (g_str_hash, g_str_equal);
      workers[t].rand = g_rand_new_with_seed (t + 1);
      threads[t] = g_thread_new (workers[t].tag, worker_main, &workers[t]);
    }
  for (int t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);

  /* The index agrees with what each thread believes it wrote: through the library ... */
  for (int t = 0; t < n_threads; t++)
    {
      g_autofree char *query = g_strdup_printf ("tag:%s", workers[t].tag);
      g_autoptr (NmMessages) tagged = nm_database_search_messages (db, query, &error);
      g_autoptr (GHashTable) found = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);

      total_ops += workers[t].ops;
      if (tagged == NULL)
        {
          FAIL (&workers[t], "final search: %s", error->message);
          g_clear_error (&error);
          continue;
        }
      for (guint i = 0;; i++)
        {
          NmMessage *message = g_list_model_get_item (G_LIST_MODEL (tagged), i);

          if (message == NULL)
            break;
          g_ptr_array_add (keep, message);
          g_hash_table_add (found, (gpointer) nm_message_get_message_id (message));
        }
      if (!same_ids (found, workers[t].mine))
        FAIL (&workers[t], "the library finds %u messages with %s, the thread tagged %u",
              g_hash_table_size (found), workers[t].tag, g_hash_table_size (workers[t].mine));
      if (workers[t].ops == 0)
        FAIL (&workers[t], "did nothing");
    }
  g_clear_object (&all);
  g_clear_object (&shared_model);
  g_clear_object (&shared_inbox);
  g_clear_object (&shared_all);
  if (!nm_database_close (db, &error))
    {
      g_printerr ("close: %s\n", error->message);
      failures++;
    }
  g_clear_object (&db);

  /* ... and through the CLI, after close() committed. */
  if (config != NULL)
    for (int t = 0; t < n_threads; t++)
      {
        g_autoptr (GHashTable) found = cli_ids (config, workers[t].tag);

        if (!same_ids (found, workers[t].mine))
          FAIL (&workers[t], "notmuch finds %u messages with %s, the thread tagged %u",
                g_hash_table_size (found), workers[t].tag,
                g_hash_table_size (workers[t].mine));
      }

  for (int t = 0; t < n_threads; t++)
    {
      g_free (workers[t].tag);
      g_free (workers[t].tmp_tag);
      g_hash_table_unref (workers[t].mine);
      g_rand_free (workers[t].rand);
      g_ptr_array_unref (private_ids[t]);
    }
  g_free (private_ids);
  g_ptr_array_unref (shared_ids);
  g_ptr_array_unref (ids);
  g_free (workers);
  g_free (threads);
  if (tmpdir != NULL)
    remove_tree (tmpdir);

  status = failures == 0 ? 0 : 1;
  g_print ("%s: %d threads, %.1f s, %u operations, %d failures\n",
           status == 0 ? "ok" : "FAILED", n_threads, seconds, total_ops, failures);
  return status;
}
