/* test-monitor.c: Database.monitor() and monitored lists against commits of the notmuch CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-test-fixture.h"

/* How long a change may take to arrive: the monitor settles for 100 ms and reads the
 * revision on the worker; a loaded machine or valgrind needs far longer. */
#define BOUND_SECONDS 60

typedef struct
{
  guint reports;
  guint64 old_revision;
  guint64 new_revision;
} Reports;

static void
on_changed (NmDatabaseMonitor *monitor, guint64 old_revision, guint64 new_revision,
            Reports *reports)
{
  reports->reports++;
  reports->old_revision = old_revision;
  reports->new_revision = new_revision;
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @done says so, or the bound passes. */
static gboolean
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + BOUND_SECONDS * G_TIME_SPAN_SECOND;
  guint waker = g_timeout_add (50, wake, NULL);
  gboolean ok;

  while (!(ok = done (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  return ok;
}

static gboolean
reported (gpointer data)
{
  return ((Reports *) data)->reports > 0;
}

static void
test_monitor_reports_cli_commit (void)
{
  NmTestCorpus *corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabaseMonitor) monitor = nm_database_monitor (db, &error);
  g_auto (GStrv) ids = nm_test_cli_message_ids (corpus, "*", NULL);
  g_autofree char *query = g_strdup_printf ("id:%s", ids[0]);
  g_autofree char *out = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_auto (GStrv) tags = NULL;
  Reports reports = { 0 };
  guint64 start;

  g_assert_no_error (error);
  g_assert_true (nm_database_monitor_get_database (monitor) == db);
  start = nm_database_monitor_get_revision (monitor);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_changed), &reports);
  out = nm_test_notmuch (corpus, "tag", "+from-the-cli", "--", query, NULL);
  g_assert_true (iterate_until (reported, &reports));
  g_assert_cmpuint (reports.reports, ==, 1);
  g_assert_cmpuint (reports.old_revision, ==, start);
  g_assert_cmpuint (reports.new_revision, >, start);
  g_assert_cmpuint (nm_database_monitor_get_revision (monitor), ==, reports.new_revision);
  /* The read-only database was reopened to see it. */
  message = nm_database_find_message (db, ids[0], &error);
  g_assert_no_error (error);
  tags = nm_message_get_tags (message);
  g_assert_true (g_strv_contains ((const char * const *) tags, "from-the-cli"));

  g_clear_object (&message);
  g_clear_object (&monitor);
  g_assert_true (nm_database_close (db, NULL));
  g_clear_object (&db);
  nm_test_corpus_free (corpus);
}

typedef struct
{
  GListModel *model;
  char *gone;
  guint removed;
  guint added;
} Follow;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added,
                  Follow *follow)
{
  follow->removed += removed;
  follow->added += added;
}

static gboolean
thread_gone (gpointer data)
{
  Follow *follow = data;

  for (guint i = 0; i < g_list_model_get_n_items (follow->model); i++)
    {
      g_autoptr (NmThread) thread = g_list_model_get_item (follow->model, i);

      if (g_str_equal (nm_thread_get_thread_id (thread), follow->gone))
        return FALSE;
    }
  return TRUE;
}

static gboolean
not_loading (gpointer data)
{
  gboolean loading;

  g_object_get (data, "loading", &loading, NULL);
  return !loading;
}

static void
test_monitored_threads (void)
{
  NmTestCorpus *corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_query_new (db, "tag:inbox", &error);
  g_autoptr (NmThreads) threads = nm_query_load_threads (query, NULL, &error);
  g_auto (GStrv) before = nm_test_cli_thread_ids (corpus, "--exclude=false", "tag:inbox", NULL);
  g_auto (GStrv) after = NULL;
  g_autofree char *thread_query = NULL;
  g_autofree char *out = NULL;
  Follow follow = { G_LIST_MODEL (threads) };
  guint n;

  g_assert_no_error (error);
  g_assert_true (iterate_until (not_loading, threads));
  g_assert_true (nm_threads_set_monitored (threads, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (nm_threads_get_monitored (threads));
  n = g_list_model_get_n_items (G_LIST_MODEL (threads));
  g_assert_cmpuint (n, ==, g_strv_length (before));
  g_signal_connect (threads, "items-changed", G_CALLBACK (on_items_changed), &follow);

  follow.gone = before[1];
  thread_query = g_strdup_printf ("thread:%s", before[1]);
  out = nm_test_notmuch (corpus, "tag", "-inbox", "--", thread_query, NULL);
  g_assert_true (iterate_until (thread_gone, &follow));
  g_assert_cmpuint (follow.removed, ==, 1);
  g_assert_cmpuint (follow.added, ==, 0);
  after = nm_test_cli_thread_ids (corpus, "--exclude=false", "tag:inbox", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==, g_strv_length (after));
  for (guint i = 0; after[i] != NULL; i++)
    {
      g_autoptr (NmThread) thread = g_list_model_get_item (G_LIST_MODEL (threads), i);

      g_assert_cmpstr (nm_thread_get_thread_id (thread), ==, after[i]);
    }
  g_assert_true (nm_threads_check (threads, NULL));

  g_clear_object (&threads);
  g_assert_true (nm_database_close (db, NULL));
  g_clear_object (&db);
  nm_test_corpus_free (corpus);
}

static void
test_thread_messages_cannot_be_monitored (void)
{
  g_autoptr (NmDatabase) db = nm_test_corpus_open (nm_test_corpus_shared (),
                                                   NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (GError) error = NULL;
  g_autoptr (NmThreads) threads = nm_database_search_threads (db, "*", &error);
  g_autoptr (NmThread) thread = g_list_model_get_item (G_LIST_MODEL (threads), 0);
  g_autoptr (NmMessages) messages = nm_thread_get_messages (thread);

  g_assert_false (nm_messages_set_monitored (messages, TRUE, &error));
  g_assert_error (error, NM_ERROR, NM_ERROR_UNSUPPORTED_OPERATION);
  g_assert_false (nm_messages_get_monitored (messages));
}

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);

  g_test_add_func ("/monitor/cli-commit", test_monitor_reports_cli_commit);
  g_test_add_func ("/monitor/threads", test_monitored_threads);
  g_test_add_func ("/monitor/thread-messages", test_thread_messages_cannot_be_monitored);

  return nm_test_run ();
}
