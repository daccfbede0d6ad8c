/* test-lists.c: lists a view can live on: kept positions, removals through the same
 * database, and lists loaded in the background
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-test-fixture.h"

static NmQuery *
new_query (NmDatabase *db, const char *string, NmSort sort)
{
  g_autoptr (GError) error = NULL;
  NmQuery *query = nm_query_new (db, string, &error);

  g_assert_no_error (error);
  nm_query_set_sort (query, sort);
  return query;
}

static GListModel *
search (NmDatabase *db, gboolean threads, NmSort sort)
{
  g_autoptr (NmQuery) query = new_query (db, "*", sort);
  g_autoptr (GError) error = NULL;
  GListModel *model = threads ? G_LIST_MODEL (nm_query_search_threads (query, &error))
                              : G_LIST_MODEL (nm_query_search_messages (query, &error));

  g_assert_no_error (error);
  return model;
}

static const char *
key_of (gpointer item)
{
  return NM_IS_THREAD (item) ? nm_thread_get_thread_id (item)
                             : nm_message_get_message_id (item);
}

/* The keys of @model read with its cursor, which keeps nothing. */
static GStrv
cursor_keys (GListModel *model)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  gpointer item;

  while ((item = NM_IS_THREADS (model) ? (gpointer) nm_threads_next (NM_THREADS (model))
                                       : (gpointer) nm_messages_next (NM_MESSAGES (model)))
         != NULL)
    {
      g_strv_builder_add (builder, key_of (item));
      g_object_unref (item);
    }
  return g_strv_builder_end (builder);
}

static void
test_any_order (gconstpointer data)
{
  gboolean threads = GPOINTER_TO_INT (data);
  g_autoptr (NmDatabase) db = nm_test_corpus_open (nm_test_corpus_shared (),
                                                   NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (GListModel) walked = search (db, threads, NM_SORT_NEWEST_FIRST);
  g_autoptr (GListModel) model = search (db, threads, NM_SORT_NEWEST_FIRST);
  g_auto (GStrv) forward = cursor_keys (walked);
  guint n = g_strv_length (forward);

  g_assert_cmpuint (n, >, 20);
  /* From the end backwards before anything was read, then by jumps. */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      g_assert_cmpstr (key_of (item), ==, forward[i]);
    }
  for (guint i = 0; i < 3 * n; i++)
    {
      guint j = (i * 7919) % n;
      g_autoptr (GObject) item = g_list_model_get_item (model, j);

      g_assert_cmpstr (key_of (item), ==, forward[j]);
    }
  g_assert_null (g_list_model_get_item (model, n));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  /* A thread list keeps the threads it built: the same object comes back. */
  if (threads)
    {
      g_autoptr (GObject) a = g_list_model_get_item (model, n / 2);
      g_autoptr (GObject) b = g_list_model_get_item (model, n / 2);

      g_assert_true (a == b);
    }
}

static void
test_removal_mid_walk (gconstpointer data)
{
  gboolean threads = GPOINTER_TO_INT (data);
  NmTestCorpus *corpus = nm_test_corpus_copy_shared ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (GListModel) model = search (db, threads, NM_SORT_OLDEST_FIRST);
  g_autoptr (GListModel) newest = search (db, FALSE, NM_SORT_NEWEST_FIRST);
  g_autoptr (GListModel) cursor = search (db, threads, NM_SORT_OLDEST_FIRST);
  g_autoptr (GObject) first = g_list_model_get_item (model, 0);
  g_autoptr (GObject) first_by_cursor = NULL;
  g_autoptr (GListModel) after_model = NULL;
  g_auto (GStrv) after = NULL;
  g_autoptr (GError) error = NULL;
  guint n;

  first_by_cursor = NM_IS_THREADS (cursor) ? (gpointer) nm_threads_next (NM_THREADS (cursor))
                                           : (gpointer) nm_messages_next (NM_MESSAGES (cursor));
  g_assert_nonnull (first_by_cursor);
  /* The newest messages go, every file of each, before either walk reaches them. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (newest, i);
      g_auto (GStrv) files = nm_message_get_filenames (message);

      for (char **file = files; *file != NULL; file++)
        {
          nm_database_remove_message (db, *file, &error);
          g_assert_no_error (error);
        }
    }
  after_model = search (db, threads, NM_SORT_OLDEST_FIRST);
  after = cursor_keys (after_model);
  n = g_strv_length (after);
  g_assert_cmpstr (key_of (first), ==, after[0]);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      g_assert_nonnull (item);
      g_assert_cmpstr (key_of (item), ==, after[i]);
    }
  g_assert_null (g_list_model_get_item (model, n));
  g_assert_true (threads ? nm_threads_check (NM_THREADS (model), NULL)
                         : nm_messages_check (NM_MESSAGES (model), NULL));

  /* The cursor keeps nothing to find its place again: it ends, and says why. */
  g_assert_null (threads ? (gpointer) nm_threads_next (NM_THREADS (cursor))
                         : (gpointer) nm_messages_next (NM_MESSAGES (cursor)));
  if (threads)
    nm_threads_check (NM_THREADS (cursor), &error);
  else
    nm_messages_check (NM_MESSAGES (cursor), &error);
  g_assert_error (error, NM_ERROR, NM_ERROR_OPERATION_INVALIDATED);

  g_clear_object (&first);
  g_clear_object (&first_by_cursor);
  g_clear_object (&model);
  g_clear_object (&cursor);
  g_clear_object (&newest);
  g_clear_object (&after_model);
  g_assert_true (nm_database_close (db, NULL));
  g_clear_object (&db);
  nm_test_corpus_free (corpus);
}

typedef struct
{
  GListModel *model;
  GThread *thread;
  guint batches;
  guint first_batch;
  guint published;
  guint n_items_notified;
  guint loading_notified;
  gboolean in_order;
  gboolean on_caller_thread;
} LoadWatch;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added,
                  LoadWatch *watch)
{
  watch->in_order &= position == watch->published && removed == 0 && added > 0;
  watch->on_caller_thread &= g_thread_self () == watch->thread;
  watch->published += added;
  if (watch->batches++ == 0)
    watch->first_batch = added;
}

static void
on_notify (GObject *object, GParamSpec *pspec, LoadWatch *watch)
{
  watch->on_caller_thread &= g_thread_self () == watch->thread;
  if (g_str_equal (pspec->name, "n-items"))
    watch->n_items_notified++;
  else
    watch->loading_notified++;
}

static gboolean
is_loading (GListModel *model)
{
  gboolean loading;

  g_object_get (model, "loading", &loading, NULL);
  return loading;
}

/* Loads @threads or messages of the shared corpus on @context, which the calling thread
 * has pushed as its thread-default one. */
static void
load_and_watch (GMainContext  *context,
                gboolean       threads,
                GCancellable  *cancellable,
                LoadWatch     *watch,
                GStrv         *expected)
{
  g_autoptr (NmDatabase) db = nm_test_corpus_open (nm_test_corpus_shared (),
                                                   NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) query = new_query (db, "*", NM_SORT_NEWEST_FIRST);
  g_autoptr (GListModel) walked = search (db, threads, NM_SORT_NEWEST_FIRST);
  g_autoptr (GError) error = NULL;

  *expected = cursor_keys (walked);
  watch->thread = g_thread_self ();
  watch->in_order = TRUE;
  watch->on_caller_thread = TRUE;
  watch->model = threads ? G_LIST_MODEL (nm_query_load_threads (query, cancellable, &error))
                         : G_LIST_MODEL (nm_query_load_messages (query, cancellable, &error));
  g_assert_no_error (error);
  g_assert_true (is_loading (watch->model));
  g_assert_cmpuint (g_list_model_get_n_items (watch->model), ==, 0);
  g_signal_connect (watch->model, "items-changed", G_CALLBACK (on_items_changed), watch);
  g_signal_connect (watch->model, "notify::n-items", G_CALLBACK (on_notify), watch);
  g_signal_connect (watch->model, "notify::loading", G_CALLBACK (on_notify), watch);
  while (is_loading (watch->model))
    g_main_context_iteration (context, TRUE);
}

static void
test_load (gconstpointer data)
{
  gboolean threads = GPOINTER_TO_INT (data);
  LoadWatch watch = { 0 };
  g_auto (GStrv) expected = NULL;
  guint n;

  load_and_watch (NULL, threads, NULL, &watch, &expected);
  n = g_strv_length (expected);
  g_assert_true (watch.in_order);
  g_assert_true (watch.on_caller_thread);
  g_assert_cmpuint (watch.published, ==, n);
  g_assert_cmpuint (g_list_model_get_n_items (watch.model), ==, n);
  /* A small first batch, so that a view's first screen fills at once. */
  g_assert_cmpuint (watch.first_batch, ==, MIN (n, 50));
  g_assert_cmpuint (watch.batches, ==, n > 50 ? 2 : 1);
  g_assert_cmpuint (watch.n_items_notified, ==, watch.batches);
  g_assert_cmpuint (watch.loading_notified, ==, 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (watch.model, i);

      g_assert_cmpstr (key_of (item), ==, expected[i]);
    }
  g_assert_true (threads ? nm_threads_check (NM_THREADS (watch.model), NULL)
                         : nm_messages_check (NM_MESSAGES (watch.model), NULL));
  g_clear_object (&watch.model);
}

static gpointer
load_in_thread (gpointer data)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  LoadWatch *watch = data;
  g_auto (GStrv) expected = NULL;

  g_main_context_push_thread_default (context);
  load_and_watch (context, TRUE, NULL, watch, &expected);
  g_assert_cmpuint (watch->published, ==, g_strv_length (expected));
  g_clear_object (&watch->model);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_load_on_thread_default_context (void)
{
  LoadWatch watch = { 0 };
  GThread *thread = g_thread_new ("loader", load_in_thread, &watch);

  g_thread_join (thread);
  g_assert_true (watch.in_order);
  g_assert_true (watch.on_caller_thread);
}

/* Cancelled before the worker starts: nothing is published, and check() says why.  (The
 * Python suite cancels a load half-way, on a corpus large enough to leave time for it.) */
static void
test_load_cancelled (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  LoadWatch watch = { 0 };
  g_auto (GStrv) expected = NULL;
  g_autoptr (GError) error = NULL;

  g_cancellable_cancel (cancellable);
  load_and_watch (NULL, TRUE, cancellable, &watch, &expected);
  g_assert_cmpuint (watch.published, ==, 0);
  g_assert_cmpuint (watch.batches, ==, 0);
  g_assert_cmpuint (watch.loading_notified, ==, 1);
  g_assert_false (nm_threads_check (NM_THREADS (watch.model), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&watch.model);
}

/* The search runs on the worker: a query libnotmuch cannot parse leaves the list empty,
 * and check() says why, where the same search run at once fails at once. */
static void
test_load_bad_query (gconstpointer data)
{
  gboolean threads = GPOINTER_TO_INT (data);
  g_autoptr (NmDatabase) db = nm_test_corpus_open (nm_test_corpus_shared (),
                                                   NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmQuery) query = new_query (db, "date:garbage..", NM_SORT_NEWEST_FIRST);
  g_autoptr (GListModel) model = NULL;
  g_autoptr (GObject) searched = NULL;
  g_autoptr (GError) error = NULL;

  searched = threads ? G_OBJECT (nm_query_search_threads (query, &error))
                     : G_OBJECT (nm_query_search_messages (query, &error));
  g_assert_null (searched);
  g_assert_error (error, NM_ERROR, NM_ERROR_XAPIAN_EXCEPTION);
  g_clear_error (&error);

  model = threads ? G_LIST_MODEL (nm_query_load_threads (query, NULL, &error))
                  : G_LIST_MODEL (nm_query_load_messages (query, NULL, &error));
  g_assert_no_error (error);
  while (is_loading (model))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_null (g_list_model_get_item (model, 0));
  if (threads)
    g_assert_false (nm_threads_check (NM_THREADS (model), &error));
  else
    g_assert_false (nm_messages_check (NM_MESSAGES (model), &error));
  g_assert_error (error, NM_ERROR, NM_ERROR_XAPIAN_EXCEPTION);
}

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);

  g_test_add_data_func ("/lists/any-order/messages", GINT_TO_POINTER (FALSE), test_any_order);
  g_test_add_data_func ("/lists/any-order/threads", GINT_TO_POINTER (TRUE), test_any_order);
  g_test_add_data_func ("/lists/removal/messages", GINT_TO_POINTER (FALSE),
                        test_removal_mid_walk);
  g_test_add_data_func ("/lists/removal/threads", GINT_TO_POINTER (TRUE),
                        test_removal_mid_walk);
  g_test_add_data_func ("/lists/load/messages", GINT_TO_POINTER (FALSE), test_load);
  g_test_add_data_func ("/lists/load/threads", GINT_TO_POINTER (TRUE), test_load);
  g_test_add_func ("/lists/load/thread-default-context", test_load_on_thread_default_context);
  g_test_add_func ("/lists/load/cancelled", test_load_cancelled);
  g_test_add_data_func ("/lists/load/bad-query/messages", GINT_TO_POINTER (FALSE),
                        test_load_bad_query);
  g_test_add_data_func ("/lists/load/bad-query/threads", GINT_TO_POINTER (TRUE),
                        test_load_bad_query);

  return nm_test_run ();
}
