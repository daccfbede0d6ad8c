/* test-async.c: the asynchronous API from C, with a GMainLoop, against the notmuch CLI
 *
 * Every asynchronous call (open, search for messages and threads, count, index, tag, read a
 * message's content, insert), the cancellation rules (a search stops with
 * G_IO_ERROR_CANCELLED, a tag change or delivery cancelled before it starts changes nothing),
 * calls running one after another in the database's worker,
 * callbacks delivered in the calling thread's main context, and a main loop that keeps
 * running while a search works in the background.
 *
 * Uses the test-utility library of the C tests (tests/c/nm-test-fixture.h) for the small
 * corpus and the CLI helpers, and generates one bigger corpus (BIG_CORPUS_MESSAGES) for the
 * tests that need a search lasting long enough to be cancelled or to be overlapped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-test-fixture.h"

/* Big enough that a search for every thread takes many 10 ms ticks. */
#define BIG_CORPUS_MESSAGES 3000

/* An async call that has not called back by then is a hang: fail instead of waiting for
 * the test harness's timeout. */
#define WATCHDOG_SECONDS 120

static NmTestCorpus *big_corpus;

/* ------------------------------------------------------------------------------------- */
/* The big corpus (the shared fixture only makes the small one). */

static const NmTestCorpus *
big_corpus_get (void)
{
  if (big_corpus == NULL)
    big_corpus = nm_test_corpus_generate (BIG_CORPUS_MESSAGES);
  return big_corpus;
}

/* ------------------------------------------------------------------------------------- */
/* Waiting for callbacks. */

/* What one callback saw. */
typedef struct
{
  GAsyncResult *result;
  GObject *source;
  GThread *thread;           /* the thread the callback ran in */
  GMainContext *context;     /* its thread-default context then */
  gboolean context_owner;    /* whether that thread owned the context */
  guint order;               /* 1 for the first callback of the test, 2 for the next, ... */
  GMainLoop *loop;           /* quit when the callback runs */
  GCancellable *cancel_on_callback;  /* cancelled when the callback runs, if set */
  gint64 time;               /* g_get_monotonic_time () when the callback ran */
} Outcome;

static guint callbacks_so_far;

static void
on_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *outcome = user_data;

  g_assert_null (outcome->result);
  outcome->result = g_object_ref (result);
  outcome->source = source != NULL ? g_object_ref (source) : NULL;
  outcome->thread = g_thread_self ();
  outcome->context = g_main_context_ref_thread_default ();
  outcome->context_owner = g_main_context_is_owner (outcome->context);
  outcome->order = g_atomic_int_add (&callbacks_so_far, 1) + 1;
  outcome->time = g_get_monotonic_time ();
  if (outcome->cancel_on_callback != NULL)
    g_cancellable_cancel (outcome->cancel_on_callback);
  if (outcome->loop != NULL)
    g_main_loop_quit (outcome->loop);
}

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->result);
  g_clear_object (&outcome->source);
  g_clear_pointer (&outcome->context, g_main_context_unref);
  outcome->loop = NULL;
}

static gboolean
on_watchdog (gpointer user_data)
{
  g_error ("an asynchronous call did not call back within %d s", WATCHDOG_SECONDS);
  return G_SOURCE_REMOVE;
}

static gboolean
all_done (Outcome **outcomes, guint n)
{
  for (guint i = 0; i < n; i++)
    if (outcomes[i]->result == NULL)
      return FALSE;
  return TRUE;
}

/* Runs a main loop on the thread-default context until every outcome has its result. */
static void
wait_for_all (Outcome **outcomes, guint n)
{
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
  GSource *watchdog = g_timeout_source_new_seconds (WATCHDOG_SECONDS);

  g_source_set_callback (watchdog, on_watchdog, NULL, NULL);
  g_source_attach (watchdog, context);
  for (guint i = 0; i < n; i++)
    outcomes[i]->loop = loop;
  while (!all_done (outcomes, n))
    g_main_loop_run (loop);
  for (guint i = 0; i < n; i++)
    outcomes[i]->loop = NULL;
  g_source_destroy (watchdog);
  g_source_unref (watchdog);
}

static void
wait_for (Outcome *outcome)
{
  wait_for_all (&outcome, 1);
}

/* The callback ran in this thread, in the main context it was called from. */
static void
assert_delivered_here (const Outcome *outcome)
{
  g_autoptr (GMainContext) here = g_main_context_ref_thread_default ();

  g_assert_true (outcome->thread == g_thread_self ());
  g_assert_true (outcome->context == here);
  g_assert_true (outcome->context_owner);
}

/* ------------------------------------------------------------------------------------- */
/* Helpers. */

static NmMessages *
search_messages_sync_async (NmQuery *query)
{
  g_autoptr (GError) error = NULL;
  Outcome outcome = { 0 };
  NmMessages *messages;

  nm_query_search_messages_async (query, NULL, on_ready, &outcome);
  wait_for (&outcome);
  assert_delivered_here (&outcome);
  g_assert_true (outcome.source == G_OBJECT (query));
  messages = nm_query_search_messages_finish (query, outcome.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (messages);
  outcome_clear (&outcome);
  return messages;
}

static NmThreads *
threads_finish (NmQuery *query, Outcome *outcome)
{
  g_autoptr (GError) error = NULL;
  NmThreads *threads = nm_query_search_threads_finish (query, outcome->result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (threads);
  return threads;
}

/* The CLI's view of every message's tags: for each tag, the messages carrying it.  (Not
 * `notmuch dump`: it opens the database for writing, so it waits for our write lock.) */
static char *
cli_tag_state (const NmTestCorpus *corpus)
{
  g_auto (GStrv) tags = nm_test_notmuch_lines (corpus, "search", "--exclude=false",
                                               "--output=tags", "*", NULL);
  GString *state = g_string_new (NULL);

  for (char **tag = tags; *tag != NULL; tag++)
    {
      g_autofree char *query = g_strdup_printf ("tag:\"%s\"", *tag);
      g_auto (GStrv) ids = nm_test_cli_message_ids (corpus, "--exclude=false",
                                                    "--sort=oldest-first", query, NULL);
      g_autofree char *joined = g_strjoinv (" ", ids);

      g_string_append_printf (state, "%s: %s\n", *tag, joined);
    }
  return g_string_free (state, FALSE);
}

/* ------------------------------------------------------------------------------------- */

static void
test_open (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabase) db = NULL;
  g_autoptr (NmDatabase) missing = NULL;
  g_autoptr (NmDatabase) cancelled_db = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *nowhere = g_build_filename (corpus->root, "no-such-database", NULL);
  Outcome ok = { 0 }, bad = { 0 }, cancelled = { 0 };
  Outcome *all[] = { &ok, &bad, &cancelled };

  nm_database_open_async (corpus->mail, NM_DATABASE_MODE_READ_ONLY, NULL, on_ready, &ok);
  nm_database_open_async (nowhere, NM_DATABASE_MODE_READ_ONLY, NULL, on_ready, &bad);
  g_cancellable_cancel (cancellable);
  nm_database_open_async (corpus->mail, NM_DATABASE_MODE_READ_ONLY, cancellable, on_ready,
                          &cancelled);
  wait_for_all (all, G_N_ELEMENTS (all));

  /* open_async has no source object. */
  g_assert_null (ok.source);
  assert_delivered_here (&ok);
  db = nm_database_open_finish (ok.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_cmpstr (nm_database_get_path (db), ==, corpus->mail);
  g_assert_cmpint (nm_database_get_mode (db), ==, NM_DATABASE_MODE_READ_ONLY);
  /* Opened without the corpus's config file: search.exclude_tags is not set. */
  g_assert_cmpuint (nm_database_count_messages (db, "*", &error), ==,
                    nm_test_notmuch_count (corpus, "--exclude=false", "*", NULL));
  g_assert_no_error (error);

  assert_delivered_here (&bad);
  missing = nm_database_open_finish (bad.result, &error);
  g_assert_null (missing);
  g_assert_nonnull (error);
  g_assert_true (error->domain == NM_ERROR);
  g_clear_error (&error);

  assert_delivered_here (&cancelled);
  cancelled_db = nm_database_open_finish (cancelled.result, &error);
  g_assert_null (cancelled_db);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  outcome_clear (&ok);
  outcome_clear (&bad);
  outcome_clear (&cancelled);
}

static void
test_search_messages (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  const char *queries[] = { "*", "tag:inbox", "not tag:inbox", "tag:unread or tag:flagged" };

  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr (NmQuery) query = nm_test_query_new (db, queries[q]);
      g_autoptr (NmMessages) messages = search_messages_sync_async (query);
      g_auto (GStrv) ids = nm_test_message_ids (G_LIST_MODEL (messages));
      /* Query.new excludes nothing and sorts newest first. */
      g_auto (GStrv) expected = nm_test_cli_message_ids (corpus, "--exclude=false",
                                                         "--sort=newest-first", queries[q],
                                                         NULL);

      g_test_message ("query %s", queries[q]);
      nm_test_assert_strv_equal (ids, expected);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==,
                        g_strv_length (expected));
      /* The model is read completely, and can be walked again. */
      g_assert_true (nm_messages_check (messages, NULL));
      {
        g_auto (GStrv) again = nm_test_message_ids (G_LIST_MODEL (messages));

        nm_test_assert_strv_equal (again, expected);
      }
    }
}

static void
test_search_threads (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  const char *queries[] = { "*", "tag:inbox", "not tag:inbox", "tag:attachment" };

  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr (NmQuery) query = nm_test_query_new (db, queries[q]);
      g_autoptr (NmThreads) threads = NULL;
      g_auto (GStrv) ids = NULL;
      g_auto (GStrv) expected = nm_test_cli_thread_ids (corpus, "--exclude=false",
                                                        "--sort=newest-first", queries[q],
                                                        NULL);
      Outcome outcome = { 0 };

      g_test_message ("query %s", queries[q]);
      nm_query_search_threads_async (query, NULL, on_ready, &outcome);
      wait_for (&outcome);
      assert_delivered_here (&outcome);
      g_assert_true (outcome.source == G_OBJECT (query));
      threads = threads_finish (query, &outcome);
      ids = nm_test_thread_ids (G_LIST_MODEL (threads));
      nm_test_assert_strv_equal (ids, expected);
      g_assert_true (nm_threads_check (threads, NULL));
      outcome_clear (&outcome);
    }
}

/* The call works on the query as it was when called. */
static void
test_search_takes_a_copy (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) query = nm_test_query_new (db, "*");
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = NULL;
  g_auto (GStrv) expected = nm_test_cli_message_ids (corpus, "--exclude=false",
                                                     "--sort=oldest-first", "*", NULL);
  Outcome outcome = { 0 };

  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  nm_query_search_messages_async (query, NULL, on_ready, &outcome);
  nm_query_set_sort (query, NM_SORT_NEWEST_FIRST);
  wait_for (&outcome);
  messages = nm_query_search_messages_finish (query, outcome.result, &error);
  g_assert_no_error (error);
  ids = nm_test_message_ids (G_LIST_MODEL (messages));
  nm_test_assert_strv_equal (ids, expected);
  outcome_clear (&outcome);
}

/* Counts, and malformed queries. */
static void
test_count_messages (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  const char *queries[] = { "*", "tag:inbox", "tag:spam", "tag:no-such-tag" };
  g_autoptr (NmQuery) bad = nm_test_query_new (db, "foo AND");
  g_autoptr (GError) error = NULL;
  Outcome bad_count = { 0 }, bad_messages = { 0 }, bad_threads = { 0 };
  Outcome *bad_all[] = { &bad_count, &bad_messages, &bad_threads };

  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr (NmQuery) query = nm_test_query_new (db, queries[q]);
      Outcome outcome = { 0 };
      guint count;

      nm_query_count_messages_async (query, NULL, on_ready, &outcome);
      wait_for (&outcome);
      assert_delivered_here (&outcome);
      count = nm_query_count_messages_finish (query, outcome.result, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==,
                        nm_test_notmuch_count (corpus, "--exclude=false", queries[q], NULL));
      outcome_clear (&outcome);
    }

  /* A malformed query fails in the callback, with libnotmuch's error, for every call. */
  nm_query_count_messages_async (bad, NULL, on_ready, &bad_count);
  nm_query_search_messages_async (bad, NULL, on_ready, &bad_messages);
  nm_query_search_threads_async (bad, NULL, on_ready, &bad_threads);
  wait_for_all (bad_all, G_N_ELEMENTS (bad_all));
  g_assert_cmpuint (nm_query_count_messages_finish (bad, bad_count.result, &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  g_clear_error (&error);
  g_assert_null (nm_query_search_messages_finish (bad, bad_messages.result, &error));
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  g_clear_error (&error);
  g_assert_null (nm_query_search_threads_finish (bad, bad_threads.result, &error));
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  outcome_clear (&bad_count);
  outcome_clear (&bad_messages);
  outcome_clear (&bad_threads);
}

static void
test_index_file (void)
{
  g_autoptr (NmTestCorpus) corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (corpus->mail, "async", "cur", NULL);
  g_autofree char *fresh = nm_test_write_mail (dir, "fresh:2,", "fresh@async.example",
                                               "Fresh");
  g_autofree char *copy = nm_test_write_mail (dir, "copy:2,", "fresh@async.example",
                                              "Fresh again");
  g_autofree char *skipped = nm_test_write_mail (dir, "skipped:2,", "skipped@async.example",
                                                 "Never indexed");
  g_autofree char *garbage = g_build_filename (dir, "garbage", NULL);
  g_autofree char *files = NULL;
  guint before = nm_test_notmuch_count (corpus, "--exclude=false", "*", NULL);
  Outcome first = { 0 }, second = { 0 }, cancelled = { 0 }, failed = { 0 };
  Outcome *all[] = { &first, &second, &cancelled, &failed };
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (NmMessage) duplicate_message = NULL;
  g_autoptr (NmMessage) none = NULL;
  g_auto (GStrv) filenames = NULL;
  gboolean duplicate = TRUE;

  g_file_set_contents (garbage, "\x01\x02 not a mail\n\xff\xfe", -1, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  nm_database_index_file_async (db, fresh, NULL, NULL, on_ready, &first);
  nm_database_index_file_async (db, copy, NULL, NULL, on_ready, &second);
  nm_database_index_file_async (db, skipped, NULL, cancellable, on_ready, &cancelled);
  nm_database_index_file_async (db, garbage, NULL, NULL, on_ready, &failed);
  wait_for_all (all, G_N_ELEMENTS (all));

  /* The worker runs the calls in order. */
  g_assert_cmpuint (first.order, <, second.order);
  g_assert_cmpuint (second.order, <, cancelled.order);
  g_assert_cmpuint (cancelled.order, <, failed.order);

  assert_delivered_here (&first);
  message = nm_database_index_file_finish (db, first.result, &duplicate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_false (duplicate);
  g_assert_cmpstr (nm_message_get_message_id (message), ==, "fresh@async.example");

  duplicate = FALSE;
  duplicate_message = nm_database_index_file_finish (db, second.result, &duplicate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (duplicate_message);
  g_assert_true (duplicate);
  filenames = nm_message_get_filenames (duplicate_message);
  g_assert_cmpuint (g_strv_length (filenames), ==, 2);

  duplicate = TRUE;
  none = nm_database_index_file_finish (db, cancelled.result, &duplicate, &error);
  g_assert_null (none);
  g_assert_false (duplicate);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The duplicate flag is optional. */
  g_assert_null (nm_database_index_file_finish (db, failed.result, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_FILE_NOT_EMAIL);
  g_clear_error (&error);

  g_assert_true (nm_database_commit (db, &error));
  g_assert_no_error (error);

  /* The CLI sees the new message with both its files, and not the skipped one. */
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "--exclude=false", "*", NULL), ==,
                    before + 1);
  files = nm_test_notmuch (corpus, "search", "--output=files", "id:fresh@async.example", NULL);
  g_assert_nonnull (strstr (files, fresh));
  g_assert_nonnull (strstr (files, copy));
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "id:skipped@async.example", NULL), ==, 0);

  outcome_clear (&first);
  outcome_clear (&second);
  outcome_clear (&cancelled);
  outcome_clear (&failed);
}

static void
test_tag_messages (void)
{
  g_autoptr (NmTestCorpus) corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (NmQuery) tagged = nm_test_query_new (db, "tag:async-tag");
  g_autoptr (GError) error = NULL;
  const char *query = "tag:inbox and tag:unread";
  const char *add[] = { "async-tag", NULL };
  const char *remove[] = { "inbox", NULL };
  guint matching = nm_test_notmuch_count (corpus, "--exclude=false", query, NULL);
  g_autofree char *both = g_strdup_printf ("(%s) or tag:async-tag", query);
  g_autofree char *tags_before = NULL;
  g_autofree char *tags_after = NULL;
  Outcome tag = { 0 }, count = { 0 }, again = { 0 };
  Outcome *all[] = { &tag, &count, &again };
  guint changed;

  g_assert_cmpuint (matching, >, 0);
  nm_database_tag_messages_async (db, query, add, remove, NULL, on_ready, &tag);
  /* Queued behind the change: sees it. */
  nm_query_count_messages_async (tagged, NULL, on_ready, &count);
  /* The same change again changes nothing. */
  nm_database_tag_messages_async (db, both, add, remove, NULL, on_ready, &again);
  wait_for_all (all, G_N_ELEMENTS (all));
  g_assert_cmpuint (tag.order, <, count.order);
  g_assert_cmpuint (count.order, <, again.order);

  assert_delivered_here (&tag);
  changed = nm_database_tag_messages_finish (db, tag.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, matching);
  g_assert_cmpuint (nm_query_count_messages_finish (tagged, count.result, &error), ==,
                    matching);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_tag_messages_finish (db, again.result, &error), ==, 0);
  g_assert_no_error (error);

  /* Committed: the CLI sees the change at once. */
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "--exclude=false", "tag:async-tag", NULL),
                    ==, matching);
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "--exclude=false",
                                           "tag:async-tag and tag:inbox", NULL), ==, 0);
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "--exclude=false", query, NULL), ==, 0);

  /* A bad tag fails in the callback and changes nothing. */
  tags_before = cli_tag_state (corpus);
  {
    const char *empty[] = { "", NULL };
    Outcome bad = { 0 };

    nm_database_tag_messages_async (db, "*", empty, NULL, NULL, on_ready, &bad);
    wait_for (&bad);
    g_assert_cmpuint (nm_database_tag_messages_finish (db, bad.result, &error), ==, 0);
    nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
    g_clear_error (&error);
    outcome_clear (&bad);
  }
  tags_after = cli_tag_state (corpus);
  g_assert_cmpstr (tags_after, ==, tags_before);

  outcome_clear (&tag);
  outcome_clear (&count);
  outcome_clear (&again);
}

static void
test_tag_read_only (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (GError) error = NULL;
  const char *add[] = { "never", NULL };
  Outcome outcome = { 0 };

  nm_database_tag_messages_async (db, "*", add, NULL, NULL, on_ready, &outcome);
  wait_for (&outcome);
  g_assert_cmpuint (nm_database_tag_messages_finish (db, outcome.result, &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_READ_ONLY_DATABASE);
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "--exclude=false", "tag:never", NULL), ==,
                    0);
  outcome_clear (&outcome);
}

/* Cancelled before it starts, a tag change changes nothing: whether the cancellable was
 * cancelled before the call, or while the call waited behind a search in the worker. */
static void
test_tag_cancelled_before_start (void)
{
  g_autoptr (NmTestCorpus) corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (NmQuery) everything = nm_test_query_new (db, "*");
  g_autoptr (GCancellable) early = g_cancellable_new ();
  g_autoptr (GCancellable) queued = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *tags_before = cli_tag_state (corpus);
  g_autofree char *tags_after = NULL;
  const char *add[] = { "cancelled-tag", NULL };
  const char *remove[] = { "inbox", "unread", NULL };
  Outcome search[3] = { { 0 } }, pre = { 0 }, waiting = { 0 };
  Outcome *all[] = { &search[0], &search[1], &search[2], &pre, &waiting };

  g_cancellable_cancel (early);
  nm_database_tag_messages_async (db, "*", add, remove, early, on_ready, &pre);
  /* The worker is busy with the searches while the change waits. */
  for (guint i = 0; i < G_N_ELEMENTS (search); i++)
    nm_query_search_threads_async (everything, NULL, on_ready, &search[i]);
  nm_database_tag_messages_async (db, "*", add, remove, queued, on_ready, &waiting);
  g_cancellable_cancel (queued);
  wait_for_all (all, G_N_ELEMENTS (all));

  g_assert_cmpuint (nm_database_tag_messages_finish (db, pre.result, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (nm_database_tag_messages_finish (db, waiting.result, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (waiting.order, >, search[2].order);
  for (guint i = 0; i < G_N_ELEMENTS (search); i++)
    {
      g_autoptr (NmThreads) threads = threads_finish (everything, &search[i]);

      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==,
                        nm_test_notmuch_count (corpus, "--exclude=false", "--output=threads",
                                               "*", NULL));
      outcome_clear (&search[i]);
    }

  tags_after = cli_tag_state (corpus);
  g_assert_cmpstr (tags_after, ==, tags_before);
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "--exclude=false", "tag:cancelled-tag",
                                           NULL), ==, 0);
  outcome_clear (&pre);
  outcome_clear (&waiting);
}

/* A tag change that started runs to its end even if cancelled meanwhile.  The cancellable
 * is cancelled from the callback of the call queued just before the change, that is about
 * when the worker starts the change: either the change is cut off before it starts, or it
 * changes every message; never some of them. */
static void
test_tag_never_cut_short (void)
{
  g_autoptr (NmTestCorpus) corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (NmQuery) everything = nm_test_query_new (db, "*");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  const char *add[] = { "whole", NULL };
  guint total = nm_test_notmuch_count (corpus, "--exclude=false", "*", NULL);
  Outcome count = { 0 }, tag = { 0 };
  Outcome *all[] = { &count, &tag };
  guint changed, tagged;

  count.cancel_on_callback = cancellable;
  nm_query_count_messages_async (everything, NULL, on_ready, &count);
  nm_database_tag_messages_async (db, "*", add, NULL, cancellable, on_ready, &tag);
  wait_for_all (all, G_N_ELEMENTS (all));
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  changed = nm_database_tag_messages_finish (db, tag.result, &error);
  tagged = nm_test_notmuch_count (corpus, "--exclude=false", "tag:whole", NULL);
  if (error != NULL)
    {
      g_test_message ("the change was cancelled before it started");
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpuint (changed, ==, 0);
      g_assert_cmpuint (tagged, ==, 0);
    }
  else
    {
      g_test_message ("the change had started, and ran to its end");
      g_assert_cmpuint (changed, ==, total);
      g_assert_cmpuint (tagged, ==, total);
    }
  outcome_clear (&count);
  outcome_clear (&tag);
}

/* A search cancelled before it starts, and one cancelled while it reads the results. */
static gboolean
on_cancel_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_search_cancelled (void)
{
  const NmTestCorpus *corpus = big_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) everything = nm_test_query_new (db, "*");
  g_autoptr (GCancellable) early = g_cancellable_new ();
  g_autoptr (GCancellable) midway = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessages) no_messages = NULL;
  g_autoptr (NmThreads) no_threads = NULL;
  g_autoptr (NmThreads) after = NULL;
  Outcome pre = { 0 }, running = { 0 }, next = { 0 };
  Outcome *first[] = { &pre };
  Outcome *rest[] = { &running, &next };
  gint64 started;

  g_cancellable_cancel (early);
  nm_query_search_messages_async (everything, early, on_ready, &pre);
  wait_for_all (first, 1);
  assert_delivered_here (&pre);
  no_messages = nm_query_search_messages_finish (everything, pre.result, &error);
  g_assert_null (no_messages);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Cancelled 20 ms in, while the worker reads about a thousand threads. */
  started = g_get_monotonic_time ();
  nm_query_search_threads_async (everything, midway, on_ready, &running);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 20, on_cancel_timeout, g_object_ref (midway),
                      g_object_unref);
  /* The worker goes on with the next call. */
  nm_query_search_threads_async (everything, NULL, on_ready, &next);
  wait_for_all (rest, G_N_ELEMENTS (rest));
  g_assert_true (g_cancellable_is_cancelled (midway));
  g_assert_cmpuint (running.order, <, next.order);

  no_threads = nm_query_search_threads_finish (everything, running.result, &error);
  g_test_message ("the cancelled search called back after %" G_GINT64_FORMAT " ms, the "
                  "complete one %" G_GINT64_FORMAT " ms later", (running.time - started) / 1000,
                  (next.time - running.time) / 1000);
  g_assert_null (no_threads);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  after = threads_finish (everything, &next);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (after)), ==,
                    nm_test_notmuch_count (corpus, "--exclude=false", "--output=threads", "*",
                                           NULL));
  outcome_clear (&pre);
  outcome_clear (&running);
  outcome_clear (&next);
}

/* Two searches at once on one database, and one on a second handle of the same database:
 * the first two run one after the other in the database's worker, calling back in order. */
static void
test_concurrent_searches (void)
{
  const NmTestCorpus *corpus = big_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmDatabase) other_db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) threads_query = nm_test_query_new (db, "*");
  g_autoptr (NmQuery) messages_query = nm_test_query_new (db, "tag:inbox");
  g_autoptr (NmQuery) other_query = nm_test_query_new (other_db, "not tag:inbox");
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmMessages) other = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) thread_ids = NULL;
  g_auto (GStrv) message_ids = NULL;
  g_auto (GStrv) other_ids = NULL;
  g_auto (GStrv) expected_threads = nm_test_cli_thread_ids (corpus, "--exclude=false",
                                                            "--sort=newest-first", "*", NULL);
  g_auto (GStrv) expected_messages = nm_test_cli_message_ids (corpus, "--exclude=false",
                                                              "--sort=newest-first",
                                                              "tag:inbox", NULL);
  g_auto (GStrv) expected_other = nm_test_cli_message_ids (corpus, "--exclude=false",
                                                           "--sort=newest-first",
                                                           "not tag:inbox", NULL);
  Outcome first = { 0 }, second = { 0 }, third = { 0 };
  Outcome *all[] = { &first, &second, &third };

  nm_query_search_threads_async (threads_query, NULL, on_ready, &first);
  nm_query_search_messages_async (messages_query, NULL, on_ready, &second);
  nm_query_search_messages_async (other_query, NULL, on_ready, &third);
  wait_for_all (all, G_N_ELEMENTS (all));
  g_assert_cmpuint (first.order, <, second.order);

  assert_delivered_here (&first);
  assert_delivered_here (&second);
  assert_delivered_here (&third);
  threads = threads_finish (threads_query, &first);
  messages = nm_query_search_messages_finish (messages_query, second.result, &error);
  g_assert_no_error (error);
  other = nm_query_search_messages_finish (other_query, third.result, &error);
  g_assert_no_error (error);

  thread_ids = nm_test_thread_ids (G_LIST_MODEL (threads));
  message_ids = nm_test_message_ids (G_LIST_MODEL (messages));
  other_ids = nm_test_message_ids (G_LIST_MODEL (other));
  nm_test_assert_strv_equal (thread_ids, expected_threads);
  nm_test_assert_strv_equal (message_ids, expected_messages);
  nm_test_assert_strv_equal (other_ids, expected_other);
  outcome_clear (&first);
  outcome_clear (&second);
  outcome_clear (&third);
}

/* The main thread reads messages synchronously from the database an async search works on:
 * both see everything. */
static void
test_search_while_reading (void)
{
  const NmTestCorpus *corpus = big_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) async_query = nm_test_query_new (db, "*");
  g_autoptr (NmQuery) sync_query = nm_test_query_new (db, "*");
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) read_ids = NULL;
  g_auto (GStrv) thread_ids = NULL;
  g_auto (GStrv) expected_messages = nm_test_cli_message_ids (corpus, "--exclude=false",
                                                              "--sort=newest-first", "*", NULL);
  g_auto (GStrv) expected_threads = nm_test_cli_thread_ids (corpus, "--exclude=false",
                                                            "--sort=newest-first", "*", NULL);
  guint with_subject = 0;
  Outcome outcome = { 0 };

  nm_query_search_threads_async (async_query, NULL, on_ready, &outcome);

  messages = nm_query_search_messages (sync_query, &error);
  g_assert_no_error (error);
  for (guint i = 0;; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);
      g_autofree char *subject = NULL;
      g_auto (GStrv) tags = NULL;

      if (message == NULL)
        break;
      g_strv_builder_add (builder, nm_message_get_message_id (message));
      subject = nm_message_get_header (message, "subject", &error);
      g_assert_no_error (error);
      if (subject != NULL)
        with_subject++;
      tags = nm_message_get_tags (message);
      g_assert_nonnull (tags);
      g_assert_cmpint (nm_message_get_date (message), >, 0);
    }
  g_assert_true (nm_messages_check (messages, NULL));
  read_ids = g_strv_builder_end (builder);
  nm_test_assert_strv_equal (read_ids, expected_messages);
  g_assert_cmpuint (with_subject, >, 0);

  wait_for (&outcome);
  threads = threads_finish (async_query, &outcome);
  thread_ids = nm_test_thread_ids (G_LIST_MODEL (threads));
  nm_test_assert_strv_equal (thread_ids, expected_threads);
  outcome_clear (&outcome);
}

/* Calls made from another thread, with its own thread-default main context, call back in
 * that thread and context, never in the main one. */
typedef struct
{
  const NmTestCorpus *corpus;
  NmDatabase *db;
  guint n_messages;
  guint count;
  gboolean opened;
  gint done;
} ThreadCalls;

static gpointer
calls_in_thread (gpointer user_data)
{
  ThreadCalls *calls = user_data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = NULL;
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmDatabase) opened = NULL;
  Outcome search = { 0 }, count = { 0 }, open = { 0 };
  Outcome *all[] = { &search, &count, &open };

  g_main_context_push_thread_default (context);
  query = nm_test_query_new (calls->db, "*");
  nm_query_search_messages_async (query, NULL, on_ready, &search);
  nm_query_count_messages_async (query, NULL, on_ready, &count);
  nm_database_open_async (calls->corpus->mail, NM_DATABASE_MODE_READ_ONLY, NULL, on_ready,
                          &open);
  wait_for_all (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      assert_delivered_here (all[i]);
      g_assert_true (all[i]->context == context);
      g_assert_false (all[i]->context == g_main_context_default ());
    }
  messages = nm_query_search_messages_finish (query, search.result, &error);
  g_assert_no_error (error);
  calls->n_messages = g_list_model_get_n_items (G_LIST_MODEL (messages));
  calls->count = nm_query_count_messages_finish (query, count.result, &error);
  g_assert_no_error (error);
  opened = nm_database_open_finish (open.result, &error);
  g_assert_no_error (error);
  calls->opened = opened != NULL;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    outcome_clear (all[i]);
  g_main_context_pop_thread_default (context);
  g_atomic_int_set (&calls->done, TRUE);
  return NULL;
}

static void
test_main_context (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) query = nm_test_query_new (db, "*");
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (GError) error = NULL;
  ThreadCalls calls = { corpus, db, 0, 0, FALSE, FALSE };
  guint total = nm_test_notmuch_count (corpus, "--exclude=false", "*", NULL);
  Outcome here = { 0 };
  GThread *thread;

  /* From the main thread: the callback runs in the main thread, in the global default
   * context, which the main loop owns. */
  nm_query_search_messages_async (query, NULL, on_ready, &here);
  wait_for (&here);
  assert_delivered_here (&here);
  g_assert_true (here.context == g_main_context_default ());
  messages = nm_query_search_messages_finish (query, here.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, total);
  outcome_clear (&here);

  /* From another thread, while the main thread keeps iterating the default context: the
   * thread's own assertions check where its callbacks run. */
  thread = g_thread_new ("async-caller", calls_in_thread, &calls);
  while (!g_atomic_int_get (&calls.done))
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_thread_join (thread);
  g_assert_true (calls.opened);
  g_assert_cmpuint (calls.n_messages, ==, total);
  g_assert_cmpuint (calls.count, ==, total);
}

/* A 10 ms timeout keeps running on the main loop while a search reads about a thousand
 * threads in the worker. */
typedef struct
{
  guint ticks;
  gint64 last;
  gint64 longest_gap;
} Ticker;

static gboolean
on_tick (gpointer user_data)
{
  Ticker *ticker = user_data;
  gint64 now = g_get_monotonic_time ();

  ticker->ticks++;
  ticker->longest_gap = MAX (ticker->longest_gap, now - ticker->last);
  ticker->last = now;
  return G_SOURCE_CONTINUE;
}

static void
test_responsive (void)
{
  const NmTestCorpus *corpus = big_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) query = nm_test_query_new (db, "*");
  g_autoptr (NmThreads) threads = NULL;
  Ticker ticker = { 0, 0, 0 };
  Outcome outcome = { 0 };
  gint64 started;
  guint tick;

  started = ticker.last = g_get_monotonic_time ();
  tick = g_timeout_add (10, on_tick, &ticker);
  nm_query_search_threads_async (query, NULL, on_ready, &outcome);
  wait_for (&outcome);
  g_source_remove (tick);
  g_test_message ("search: %" G_GINT64_FORMAT " ms, %u ticks, longest gap %" G_GINT64_FORMAT
                  " ms", (g_get_monotonic_time () - started) / 1000, ticker.ticks,
                  ticker.longest_gap / 1000);
  threads = threads_finish (query, &outcome);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==,
                    nm_test_notmuch_count (corpus, "--exclude=false", "--output=threads", "*",
                                           NULL));
  g_assert_cmpuint (ticker.ticks, >=, 5);
  outcome_clear (&outcome);
}

/* The caller may drop the database and the query while a call is pending: the call keeps
 * them alive, and they go once it has called back and its result is dropped. */
static void
on_finalized (gpointer data, GObject *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

static void
test_unref_while_pending (void)
{
  const NmTestCorpus *corpus = big_corpus_get ();
  NmDatabase *db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  NmQuery *query = nm_test_query_new (db, "*");
  g_autoptr (GError) error = NULL;
  NmThreads *threads;
  gint finalized = FALSE;
  Outcome outcome = { 0 };

  g_object_weak_ref (G_OBJECT (db), on_finalized, &finalized);
  nm_query_search_threads_async (query, NULL, on_ready, &outcome);
  g_object_unref (query);
  g_object_unref (db);
  wait_for (&outcome);
  g_assert_false (g_atomic_int_get (&finalized));
  threads = nm_query_search_threads_finish (NM_QUERY (outcome.source), outcome.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==,
                    nm_test_notmuch_count (corpus, "--exclude=false", "--output=threads", "*",
                                           NULL));
  g_object_unref (threads);
  outcome_clear (&outcome);
  /* The worker may drop its reference a moment after the callback ran. */
  for (guint i = 0; i < WATCHDOG_SECONDS * 100 && !g_atomic_int_get (&finalized); i++)
    g_usleep (10000);
  g_assert_true (g_atomic_int_get (&finalized));
}

/* Closing the database while a search is pending: the search ends with CLOSED_DATABASE, or
 * had read everything before; never a partial result. */
static void
test_close_while_pending (void)
{
  const NmTestCorpus *corpus = big_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) query = nm_test_query_new (db, "*");
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (GError) error = NULL;
  Outcome first = { 0 }, queued = { 0 };
  Outcome *all[] = { &first, &queued };

  nm_query_search_threads_async (query, NULL, on_ready, &first);
  nm_query_search_threads_async (query, NULL, on_ready, &queued);
  g_usleep (20000);
  g_assert_true (nm_database_close (db, &error));
  g_assert_no_error (error);
  wait_for_all (all, G_N_ELEMENTS (all));

  threads = nm_query_search_threads_finish (query, first.result, &error);
  if (threads != NULL)
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==,
                      nm_test_notmuch_count (corpus, "--exclude=false", "--output=threads",
                                             "*", NULL));
  else
    nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);
  g_clear_object (&threads);

  threads = nm_query_search_threads_finish (query, queued.result, &error);
  g_assert_null (threads);
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  outcome_clear (&first);
  outcome_clear (&queued);
}

/* GMime 3.2 declares no g_autoptr() cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

/* What the four asynchronous reads of one message gave. */
typedef struct
{
  NmMessage *message;
  Outcome parsed, text, attachments, bytes;
} ContentReads;

static char *
decoded_parts (GPtrArray *parts)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      GMimePart *part = g_ptr_array_index (parts, i);
      GMimeStream *stream = g_mime_stream_mem_new ();
      GByteArray *bytes;

      g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (part), stream);
      bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
      g_string_append_printf (joined, "%s %u:", g_mime_part_get_filename (part), bytes->len);
      g_string_append_len (joined, (const char *) bytes->data, bytes->len);
      g_object_unref (stream);
    }
  return g_string_free (joined, FALSE);
}

/* Every message read in the worker (parse, body text, attachments, bytes) while the main
 * thread reads the same messages synchronously: the same answers, delivered here. */
static void
test_read_content (void)
{
  const NmTestCorpus *corpus = nm_test_corpus_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessages) messages = nm_database_search_messages (db, "*", &error);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (messages));
  g_autofree ContentReads *reads = g_new0 (ContentReads, n);
  g_autoptr (GPtrArray) outcomes = g_ptr_array_new ();
  guint with_attachments = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      reads[i].message = g_list_model_get_item (G_LIST_MODEL (messages), i);
      nm_message_parse_async (reads[i].message, NM_DECRYPT_POLICY_AUTO, NULL, on_ready,
                              &reads[i].parsed);
      nm_message_get_body_text_async (reads[i].message, NM_DECRYPT_POLICY_AUTO, NULL,
                                      on_ready, &reads[i].text);
      nm_message_get_attachments_async (reads[i].message, NM_DECRYPT_POLICY_AUTO, NULL,
                                        on_ready, &reads[i].attachments);
      nm_message_load_bytes_async (reads[i].message, NULL, on_ready, &reads[i].bytes);
      g_ptr_array_add (outcomes, &reads[i].parsed);
      g_ptr_array_add (outcomes, &reads[i].text);
      g_ptr_array_add (outcomes, &reads[i].attachments);
      g_ptr_array_add (outcomes, &reads[i].bytes);
    }

  for (guint i = 0; i < n; i++)
    {
      NmMessage *message = reads[i].message;
      g_autoptr (GMimeMessage) parsed = nm_message_parse (message, NM_DECRYPT_POLICY_AUTO,
                                                          NULL, &error);
      g_autofree char *text = nm_message_get_body_text (message, NM_DECRYPT_POLICY_AUTO,
                                                        NULL, &error);
      g_autoptr (GPtrArray) parts = nm_message_get_attachments (message,
                                                                NM_DECRYPT_POLICY_AUTO, NULL,
                                                                &error);
      g_autoptr (GBytes) bytes = nm_message_load_bytes (message, NULL, &error);
      g_autoptr (GMimeMessage) parsed_async = NULL;
      g_autofree char *text_async = NULL;
      g_autoptr (GPtrArray) parts_async = NULL;
      g_autoptr (GBytes) bytes_async = NULL;
      g_autofree char *decoded = NULL;
      g_autofree char *decoded_async = NULL;

      g_assert_no_error (error);
      wait_for_all ((Outcome **) outcomes->pdata + 4 * i, 4);
      assert_delivered_here (&reads[i].parsed);
      assert_delivered_here (&reads[i].bytes);
      g_assert_true (reads[i].text.source == G_OBJECT (message));

      parsed_async = nm_message_parse_finish (message, reads[i].parsed.result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (g_mime_message_get_message_id (parsed_async), ==,
                       g_mime_message_get_message_id (parsed));
      text_async = nm_message_get_body_text_finish (message, reads[i].text.result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (text_async, ==, text);
      parts_async = nm_message_get_attachments_finish (message, reads[i].attachments.result,
                                                       &error);
      g_assert_no_error (error);
      decoded = decoded_parts (parts);
      decoded_async = decoded_parts (parts_async);
      g_assert_cmpstr (decoded_async, ==, decoded);
      with_attachments += parts->len > 0;
      bytes_async = nm_message_load_bytes_finish (message, reads[i].bytes.result, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes_async, bytes));

      outcome_clear (&reads[i].parsed);
      outcome_clear (&reads[i].text);
      outcome_clear (&reads[i].attachments);
      outcome_clear (&reads[i].bytes);
      g_clear_object (&reads[i].message);
    }
  g_assert_cmpuint (with_attachments, >, 0);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

/* Deliveries run in the worker in order; one cancelled before it starts delivers nothing. */
static void
test_insert (void)
{
  g_autoptr (NmTestCorpus) corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) first_mail = text_bytes (
    "From: a@async.example\nSubject: first\nMessage-ID: <first@insert.async>\n\nOne.\n");
  g_autoptr (GBytes) second_mail = text_bytes (
    "From: a@async.example\nSubject: second\nMessage-ID: <second@insert.async>\n\nTwo.\n");
  g_autoptr (GBytes) skipped_mail = text_bytes (
    "From: a@async.example\nSubject: skip\nMessage-ID: <skipped@insert.async>\n\nNo.\n");
  const char *add[] = { "async", NULL };
  const char *remove[] = { "unread", NULL };
  Outcome first = { 0 }, second = { 0 }, cancelled = { 0 };
  Outcome *all[] = { &first, &second, &cancelled };
  g_autoptr (NmMessage) one = NULL;
  g_autoptr (NmMessage) two = NULL;
  g_autoptr (NmMessage) none = NULL;
  g_autofree char *new_dir = g_build_filename (corpus->mail, "async-box", "new", NULL);
  g_autofree char *cur_dir = g_build_filename (corpus->mail, "async-box", "cur", NULL);
  g_autofree char *one_file = NULL;
  g_autofree char *two_file = NULL;
  g_autofree char *one_dir = NULL;
  g_autofree char *two_dir = NULL;
  g_autofree char *tags = NULL;

  g_cancellable_cancel (cancellable);
  nm_database_insert_async (db, first_mail, "async-box", add, NULL, TRUE, NULL, on_ready,
                            &first);
  nm_database_insert_async (db, second_mail, "async-box", add, remove, FALSE, NULL, on_ready,
                            &second);
  nm_database_insert_async (db, skipped_mail, "async-box", NULL, NULL, FALSE, cancellable,
                            on_ready, &cancelled);
  wait_for_all (all, G_N_ELEMENTS (all));
  g_assert_cmpuint (first.order, <, second.order);
  g_assert_cmpuint (second.order, <, cancelled.order);
  assert_delivered_here (&first);

  one = nm_database_insert_finish (db, first.result, &error);
  g_assert_no_error (error);
  one_file = nm_message_get_filename (one);
  one_dir = g_path_get_dirname (one_file);
  g_assert_cmpstr (one_dir, ==, new_dir);
  two = nm_database_insert_finish (db, second.result, &error);
  g_assert_no_error (error);
  two_file = nm_message_get_filename (two);
  two_dir = g_path_get_dirname (two_file);
  g_assert_cmpstr (two_dir, ==, cur_dir);
  none = nm_database_insert_finish (db, cancelled.result, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Committed: the CLI sees both, tagged, and not the cancelled one. */
  g_clear_object (&db);
  tags = nm_test_notmuch (corpus, "search", "--output=tags", "id:second@insert.async", NULL);
  g_assert_cmpstr (tags, ==, "async\ninbox\n");
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "id:first@insert.async", NULL), ==, 1);
  g_assert_cmpuint (nm_test_notmuch_count (corpus, "id:skipped@insert.async", NULL), ==, 0);
  outcome_clear (&first);
  outcome_clear (&second);
  outcome_clear (&cancelled);
}

int
main (int argc, char **argv)
{
  int status;

  nm_test_init (&argc, &argv);
  g_test_add_func ("/async/open", test_open);
  g_test_add_func ("/async/search-messages", test_search_messages);
  g_test_add_func ("/async/search-threads", test_search_threads);
  g_test_add_func ("/async/search-takes-a-copy", test_search_takes_a_copy);
  g_test_add_func ("/async/count-messages", test_count_messages);
  g_test_add_func ("/async/index-file", test_index_file);
  g_test_add_func ("/async/tag-messages", test_tag_messages);
  g_test_add_func ("/async/tag-read-only", test_tag_read_only);
  g_test_add_func ("/async/tag-cancelled-before-start", test_tag_cancelled_before_start);
  g_test_add_func ("/async/tag-never-cut-short", test_tag_never_cut_short);
  g_test_add_func ("/async/search-cancelled", test_search_cancelled);
  g_test_add_func ("/async/concurrent-searches", test_concurrent_searches);
  g_test_add_func ("/async/search-while-reading", test_search_while_reading);
  g_test_add_func ("/async/main-context", test_main_context);
  g_test_add_func ("/async/responsive", test_responsive);
  g_test_add_func ("/async/unref-while-pending", test_unref_while_pending);
  g_test_add_func ("/async/close-while-pending", test_close_while_pending);
  g_test_add_func ("/async/read-content", test_read_content);
  g_test_add_func ("/async/insert", test_insert);
  status = nm_test_run ();
  g_clear_pointer (&big_corpus, nm_test_corpus_free);
  return status;
}
