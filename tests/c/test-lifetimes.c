/* test-lifetimes.c: objects dropped in any order stay usable (scenarios T01-T04, see
 * tests/README.md)
 *
 * libnotmuch frees children with their talloc parent.  Every wrapper keeps alive what owns
 * its memory, so the order in which objects are dropped must never matter, and the database
 * must be finalized exactly when the last object derived from it goes.  Run under valgrind
 * to see the use-after-free these tests would otherwise provoke.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-test-fixture.h"

typedef struct
{
  const NmTestCorpus *corpus;
  NmDatabase *db;
  /* Weak pointers to every object a test tracked: all must be NULL at teardown. */
  GPtrArray *watched;
} Fixture;

/* The oracle, read once: `notmuch show --format=json --body=false --exclude=false '*'`. */
static JsonArray *oracle_show;
static GHashTable *oracle_index;

static JsonObject *
oracle_message (const char *id)
{
  JsonObject *message;

  if (oracle_show == NULL)
    {
      oracle_show = nm_test_show_all (nm_test_corpus_shared ());
      oracle_index = nm_test_show_index (oracle_show);
    }
  message = g_hash_table_lookup (oracle_index, id);
  if (message == NULL)
    g_error ("message %s is not in `notmuch show`", id);
  return message;
}

/* Checks every value of @message against the CLI. */
static void
assert_message_matches_cli (NmMessage *message)
{
  const char *id = nm_message_get_message_id (message);
  JsonObject *expected;
  g_auto (GStrv) tags = nm_message_get_tags (message);
  g_auto (GStrv) filenames = nm_message_get_filenames (message);
  g_auto (GStrv) expected_tags = NULL;
  g_auto (GStrv) expected_filenames = NULL;
  g_autofree char *filename = nm_message_get_filename (message);
  g_autoptr (GError) error = NULL;
  g_autofree char *subject = nm_message_get_header (message, "Subject", &error);

  g_assert_nonnull (id);
  expected = oracle_message (id);
  expected_tags = nm_test_json_strv (expected, "tags");
  expected_filenames = nm_test_json_strv (expected, "filename");
  nm_test_assert_strv_equal (tags, expected_tags);
  nm_test_assert_strv_equal (filenames, expected_filenames);
  g_assert_cmpstr (filename, ==, expected_filenames[0]);
  g_assert_cmpint (nm_message_get_date (message), ==, nm_test_json_int (expected, "timestamp"));
  g_assert_nonnull (nm_message_get_thread_id (message));
  g_assert_no_error (error);
  {
    const char *expected_subject = nm_test_json_header (expected, "Subject");

    if (expected_subject != NULL && expected_subject[0] != '\0')
      g_assert_cmpstr (subject, ==, expected_subject);
  }
}

static void
setup (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  fx->corpus = nm_test_corpus_shared ();
  fx->watched = g_ptr_array_new_with_free_func (g_free);
  fx->db = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY);
}

/* Remembers @object, which must be finalized by the end of the test. */
static gpointer
watch (Fixture *fx, gpointer object)
{
  gpointer *slot = g_new0 (gpointer, 1);

  g_assert_nonnull (object);
  *slot = object;
  g_object_add_weak_pointer (G_OBJECT (object), slot);
  g_ptr_array_add (fx->watched, slot);
  return object;
}

static void
teardown (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  gpointer db_weak = NULL;

  if (fx->db != NULL)
    {
      db_weak = fx->db;
      g_object_add_weak_pointer (G_OBJECT (fx->db), &db_weak);
      g_clear_object (&fx->db);
      /* The last reference went: no object kept a reference it should have dropped. */
      g_assert_null (db_weak);
    }
  for (guint i = 0; i < fx->watched->len; i++)
    {
      gpointer *slot = g_ptr_array_index (fx->watched, i);

      if (*slot != NULL)
        g_error ("a %s was not finalized: a reference leaked", G_OBJECT_TYPE_NAME (*slot));
    }
  g_ptr_array_unref (fx->watched);
}

static NmQuery *
new_query (Fixture *fx, NmDatabase *db, const char *string)
{
  return watch (fx, nm_test_query_new (db, string));
}

/* The thread with the most messages, as the CLI sees it. */
static char *
biggest_thread_query (Fixture *fx)
{
  g_autoptr (JsonArray) threads = nm_test_notmuch_json (fx->corpus, "search", "--format=json",
                                                        "--exclude=false", "*", NULL);
  const char *best = NULL;
  gint64 best_total = 0;

  for (guint i = 0; i < json_array_get_length (threads); i++)
    {
      JsonObject *thread = json_array_get_object_element (threads, i);

      if (nm_test_json_int (thread, "total") > best_total)
        {
          best_total = nm_test_json_int (thread, "total");
          best = nm_test_json_string (thread, "thread");
        }
    }
  g_assert_cmpint (best_total, >=, 3);
  return g_strdup_printf ("thread:%s", best);
}

/* ------------------------------------------------------------------------------------- */

/* T01: keep the messages, drop the query and the database, use the messages. */
static void
test_t01_keep_messages (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  NmQuery *query = new_query (fx, fx->db, "*");
  NmMessages *messages = watch (fx, nm_query_search_messages (query, &error));
  g_autoptr (GPtrArray) kept = NULL;
  g_auto (GStrv) expected_ids = nm_test_cli_message_ids (fx->corpus, "--exclude=false", "*",
                                                         NULL);
  gpointer db_weak = fx->db;

  g_assert_no_error (error);
  kept = nm_test_collect (G_LIST_MODEL (messages));
  g_assert_cmpuint (kept->len, ==, g_strv_length (expected_ids));
  for (guint i = 0; i < kept->len; i++)
    watch (fx, g_ptr_array_index (kept, i));

  /* Drop everything but the messages: the database stays alive for them. */
  g_object_add_weak_pointer (G_OBJECT (fx->db), &db_weak);
  g_object_unref (messages);
  g_object_unref (query);
  g_clear_object (&fx->db);
  g_assert_nonnull (db_weak);

  for (guint i = 0; i < kept->len; i++)
    {
      NmMessage *message = g_ptr_array_index (kept, i);

      g_assert_cmpstr (nm_message_get_message_id (message), ==, expected_ids[i]);
      assert_message_matches_cli (message);
      g_assert_true (nm_message_get_database (message) == db_weak);
    }

  /* The last message takes the database with it. */
  g_clear_pointer (&kept, g_ptr_array_unref);
  g_assert_null (db_weak);
}

/* T02: list() every model, drop the models, use every element. */
static void
test_t02_collect_all (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  NmQuery *query = new_query (fx, fx->db, "*");
  NmMessages *messages = NULL;
  NmThreads *threads = NULL;
  g_autoptr (GPtrArray) all_messages = NULL;
  g_autoptr (GPtrArray) all_threads = NULL;
  g_autoptr (GPtrArray) thread_messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) thread_sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);
  g_autoptr (JsonArray) summaries = nm_test_notmuch_json (fx->corpus, "search",
                                                          "--format=json", "--exclude=false",
                                                          "*", NULL);
  guint n_thread_messages = 0;

  for (guint i = 0; i < json_array_get_length (summaries); i++)
    {
      JsonObject *summary = json_array_get_object_element (summaries, i);

      g_hash_table_insert (thread_sizes, g_strdup (nm_test_json_string (summary, "thread")),
                           GINT_TO_POINTER ((int) nm_test_json_int (summary, "total")));
    }

  messages = watch (fx, nm_query_search_messages (query, &error));
  g_assert_no_error (error);
  threads = watch (fx, nm_query_search_threads (query, &error));
  g_assert_no_error (error);
  all_messages = nm_test_collect (G_LIST_MODEL (messages));
  all_threads = nm_test_collect (G_LIST_MODEL (threads));
  g_assert_cmpuint (all_threads->len, ==, json_array_get_length (summaries));
  for (guint i = 0; i < all_threads->len; i++)
    {
      NmMessages *members = watch (fx, nm_thread_get_messages (g_ptr_array_index (all_threads, i)));
      g_autoptr (GPtrArray) items = nm_test_collect (G_LIST_MODEL (members));

      for (guint j = 0; j < items->len; j++)
        g_ptr_array_add (thread_messages, g_object_ref (g_ptr_array_index (items, j)));
      g_object_unref (members);
    }
  g_object_unref (messages);
  g_object_unref (threads);
  g_object_unref (query);
  g_clear_object (&fx->db);

  for (guint i = 0; i < all_messages->len; i++)
    assert_message_matches_cli (g_ptr_array_index (all_messages, i));
  for (guint i = 0; i < thread_messages->len; i++)
    {
      NmMessage *message = g_ptr_array_index (thread_messages, i);
      g_autoptr (NmMessages) replies = nm_message_get_replies (message);
      g_autoptr (GPtrArray) reply_items = nm_test_collect (G_LIST_MODEL (replies));

      assert_message_matches_cli (message);
      g_assert_true (nm_message_get_flag (message, NM_MESSAGE_FLAG_MATCH, &error));
      g_assert_no_error (error);
      n_thread_messages++;
      for (guint j = 0; j < reply_items->len; j++)
        assert_message_matches_cli (g_ptr_array_index (reply_items, j));
    }
  g_assert_cmpuint (n_thread_messages, ==, all_messages->len);
  for (guint i = 0; i < all_threads->len; i++)
    {
      NmThread *thread = g_ptr_array_index (all_threads, i);
      gpointer size = g_hash_table_lookup (thread_sizes, nm_thread_get_thread_id (thread));
      g_autoptr (NmMessages) members = nm_thread_get_messages (thread);
      g_auto (GStrv) tags = nm_thread_get_tags (thread);

      g_assert_nonnull (size);
      g_assert_cmpuint (nm_thread_get_total_messages (thread), ==, GPOINTER_TO_INT (size));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (members)), ==,
                        GPOINTER_TO_INT (size));
      g_assert_nonnull (nm_thread_get_subject (thread));
      g_assert_nonnull (nm_thread_get_authors (thread));
      g_assert_cmpint (nm_thread_get_oldest_date (thread), <=,
                       nm_thread_get_newest_date (thread));
      g_assert_cmpuint (g_strv_length (tags), >, 0);
    }
}

typedef struct
{
  guint depth;
  char *id;
} WalkStep;

/* Walks @messages and their replies recursively, depth first: "depth id" lines. */
static void
walk_tree (Fixture *fx, NmMessages *messages, guint depth, GPtrArray *out, gboolean track)
{
  for (guint i = 0;; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);
      g_autoptr (NmMessages) replies = NULL;

      if (message == NULL)
        break;
      if (track)
        watch (fx, message);
      g_ptr_array_add (out, g_strdup_printf ("%u %s", depth,
                                             nm_message_get_message_id (message)));
      replies = nm_message_get_replies (message);
      if (track)
        watch (fx, replies);
      walk_tree (fx, replies, depth + 1, out, track);
    }
}

static void
oracle_tree_step (JsonObject *message, guint depth, guint thread_index G_GNUC_UNUSED,
                  gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%u %s", depth,
                                               nm_test_json_string (message, "id")));
}

static char **
strv_from_array (GPtrArray *array)
{
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

/* T03: walk a thread toplevel → replies three times, dropping every wrapper in between. */
static void
test_t03_rewalk_thread (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *thread_query = biggest_thread_query (fx);
  g_autoptr (JsonArray) show = nm_test_notmuch_json (fx->corpus, "show", "--format=json",
                                                     "--body=false", "--exclude=false",
                                                     "--entire-thread=true", thread_query,
                                                     NULL);
  g_auto (GStrv) expected = NULL;
  GPtrArray *expected_steps = g_ptr_array_new_with_free_func (g_free);
  NmQuery *query = new_query (fx, fx->db, thread_query);
  NmThreads *threads = watch (fx, nm_query_search_threads (query, &error));
  NmThread *thread;

  g_assert_no_error (error);
  nm_test_show_foreach (show, oracle_tree_step, expected_steps);
  expected = strv_from_array (expected_steps);
  g_assert_cmpuint (g_strv_length (expected), >=, 3);
  thread = watch (fx, g_list_model_get_item (G_LIST_MODEL (threads), 0));
  g_object_unref (threads);
  g_object_unref (query);

  /* Same thread object, fresh wrappers each walk. */
  for (int walk = 0; walk < 3; walk++)
    {
      NmMessages *toplevel = watch (fx, nm_thread_get_toplevel_messages (thread));
      GPtrArray *steps = g_ptr_array_new_with_free_func (g_free);
      g_auto (GStrv) ids = NULL;

      walk_tree (fx, toplevel, 0, steps, TRUE);
      g_object_unref (toplevel);
      ids = strv_from_array (steps);
      nm_test_assert_strv_equal (ids, expected);
    }
  g_object_unref (thread);

  /* Everything dropped between walks, the database included. */
  for (int walk = 0; walk < 3; walk++)
    {
      NmDatabase *db = watch (fx, nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY));
      NmQuery *q = new_query (fx, db, thread_query);
      NmThreads *ts = watch (fx, nm_query_search_threads (q, &error));
      NmThread *t = watch (fx, g_list_model_get_item (G_LIST_MODEL (ts), 0));
      NmMessages *toplevel = watch (fx, nm_thread_get_toplevel_messages (t));
      GPtrArray *steps = g_ptr_array_new_with_free_func (g_free);
      g_auto (GStrv) ids = NULL;

      g_assert_no_error (error);
      /* Drop the parents first: the list keeps what it needs. */
      g_object_unref (db);
      g_object_unref (q);
      g_object_unref (ts);
      g_object_unref (t);
      walk_tree (fx, toplevel, 0, steps, TRUE);
      g_object_unref (toplevel);
      ids = strv_from_array (steps);
      nm_test_assert_strv_equal (ids, expected);
    }
}

/* The message of @messages with id @id, read with get_item() from the start; watched. */
static NmMessage *
find_watched (Fixture *fx, NmMessages *messages, const char *id)
{
  for (guint i = 0;; i++)
    {
      NmMessage *message = g_list_model_get_item (G_LIST_MODEL (messages), i);

      g_assert_nonnull (message);
      if (g_strcmp0 (nm_message_get_message_id (message), id) == 0)
        return watch (fx, message);
      g_object_unref (message);
    }
}

/* T04: one native thread message behind two wrappers (get_messages and toplevel/replies):
 * dropping one wrapper must not free what the other uses. */
static void
test_t04_two_wrappers (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *thread_query = biggest_thread_query (fx);
  NmQuery *query = new_query (fx, fx->db, thread_query);
  NmThreads *threads = watch (fx, nm_query_search_threads (query, &error));
  NmThread *thread = watch (fx, g_list_model_get_item (G_LIST_MODEL (threads), 0));
  NmMessages *all = watch (fx, nm_thread_get_messages (thread));
  NmMessages *toplevel = watch (fx, nm_thread_get_toplevel_messages (thread));
  NmMessage *root_from_all;
  NmMessage *root_from_top = watch (fx, g_list_model_get_item (G_LIST_MODEL (toplevel), 0));
  const char *root_id = nm_message_get_message_id (root_from_top);
  NmMessages *replies;
  NmMessage *reply_from_tree;
  NmMessage *reply_from_all;
  g_autofree char *reply_id = NULL;

  g_assert_no_error (error);
  root_from_all = find_watched (fx, all, root_id);
  g_assert_true (root_from_all != root_from_top);

  /* Drop the toplevel wrapper and everything above; use the other. */
  g_object_unref (root_from_top);
  g_object_unref (toplevel);
  g_object_unref (threads);
  g_object_unref (query);
  g_clear_object (&fx->db);
  assert_message_matches_cli (root_from_all);
  g_assert_true (nm_message_get_flag (root_from_all, NM_MESSAGE_FLAG_MATCH, &error));
  g_assert_no_error (error);

  /* The other way round, one level down: a reply reached through the tree and through
   * get_messages. */
  replies = watch (fx, nm_message_get_replies (root_from_all));
  reply_from_tree = watch (fx, g_list_model_get_item (G_LIST_MODEL (replies), 0));
  g_assert_nonnull (reply_from_tree);
  reply_id = g_strdup (nm_message_get_message_id (reply_from_tree));
  reply_from_all = find_watched (fx, all, reply_id);
  g_object_unref (reply_from_all);
  g_object_unref (all);
  g_object_unref (root_from_all);
  g_object_unref (thread);
  assert_message_matches_cli (reply_from_tree);
  {
    g_autoptr (NmMessages) more = nm_message_get_replies (reply_from_tree);

    for (guint i = 0;; i++)
      {
        g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (more), i);

        if (message == NULL)
          break;
        assert_message_matches_cli (message);
      }
  }
  g_object_unref (replies);
  g_object_unref (reply_from_tree);
}

/* Every order of dropping database, query, messages, message and thread. */

enum { DB, QUERY, MESSAGES, MESSAGE, THREAD, N_OBJECTS };

static void
use_remaining (GObject **objects, const char *expected_id, const char *expected_thread)
{
  g_autoptr (GError) error = NULL;

  if (objects[DB] != NULL)
    {
      g_assert_cmpuint (nm_database_count_messages (NM_DATABASE (objects[DB]), "*", &error), >, 0);
      g_assert_no_error (error);
    }
  if (objects[QUERY] != NULL)
    {
      g_assert_cmpuint (nm_query_count_messages (NM_QUERY (objects[QUERY]), &error), >, 0);
      g_assert_no_error (error);
    }
  if (objects[MESSAGES] != NULL)
    {
      g_autoptr (NmMessage) first = g_list_model_get_item (G_LIST_MODEL (objects[MESSAGES]), 0);
      g_autoptr (NmMessage) second = g_list_model_get_item (G_LIST_MODEL (objects[MESSAGES]), 1);

      g_assert_cmpstr (nm_message_get_message_id (first), ==, expected_id);
      g_assert_nonnull (second);
    }
  if (objects[MESSAGE] != NULL)
    {
      NmMessage *message = NM_MESSAGE (objects[MESSAGE]);
      g_auto (GStrv) tags = nm_message_get_tags (message);
      g_autofree char *filename = nm_message_get_filename (message);

      g_assert_cmpstr (nm_message_get_message_id (message), ==, expected_id);
      g_assert_nonnull (filename);
      g_assert_nonnull (tags);
    }
  if (objects[THREAD] != NULL)
    {
      NmThread *thread = NM_THREAD (objects[THREAD]);
      g_autoptr (NmMessages) members = nm_thread_get_messages (thread);
      g_autoptr (NmMessage) member = g_list_model_get_item (G_LIST_MODEL (members), 0);
      g_auto (GStrv) tags = nm_thread_get_tags (thread);

      g_assert_cmpstr (nm_thread_get_thread_id (thread), ==, expected_thread);
      g_assert_nonnull (member);
      g_assert_nonnull (nm_message_get_message_id (member));
    }
}

static gboolean
next_permutation (int *p, int n)
{
  int i = n - 2, j = n - 1;

  while (i >= 0 && p[i] >= p[i + 1])
    i--;
  if (i < 0)
    return FALSE;
  while (p[j] <= p[i])
    j--;
  { int t = p[i]; p[i] = p[j]; p[j] = t; }
  for (int a = i + 1, b = n - 1; a < b; a++, b--)
    { int t = p[a]; p[a] = p[b]; p[b] = t; }
  return TRUE;
}

static void
test_drop_orders (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  int order[N_OBJECTS] = { 0, 1, 2, 3, 4 };
  guint n_orders = 0;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "--exclude=false", "*", NULL);
  g_auto (GStrv) thread_ids = nm_test_cli_thread_ids (fx->corpus, "--exclude=false", "*", NULL);

  g_clear_object (&fx->db);
  do
    {
      g_autoptr (GError) error = NULL;
      GObject *objects[N_OBJECTS];
      gpointer weak[N_OBJECTS];
      NmThreads *threads;

      objects[DB] = G_OBJECT (nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY));
      objects[QUERY] = G_OBJECT (nm_query_new (NM_DATABASE (objects[DB]), "*", &error));
      g_assert_no_error (error);
      objects[MESSAGES] = G_OBJECT (nm_query_search_messages (NM_QUERY (objects[QUERY]), &error));
      g_assert_no_error (error);
      objects[MESSAGE] = g_list_model_get_item (G_LIST_MODEL (objects[MESSAGES]), 0);
      threads = nm_query_search_threads (NM_QUERY (objects[QUERY]), &error);
      g_assert_no_error (error);
      objects[THREAD] = g_list_model_get_item (G_LIST_MODEL (threads), 0);
      g_object_unref (threads);
      for (int i = 0; i < N_OBJECTS; i++)
        {
          weak[i] = objects[i];
          g_object_add_weak_pointer (objects[i], &weak[i]);
        }

      for (int step = 0; step < N_OBJECTS; step++)
        {
          g_clear_object (&objects[order[step]]);
          use_remaining (objects, ids[0], thread_ids[0]);
        }
      for (int i = 0; i < N_OBJECTS; i++)
        g_assert_null (weak[i]);
      n_orders++;
    }
  while (next_permutation (order, N_OBJECTS));
  g_assert_cmpuint (n_orders, ==, 120);
}

/* Random access into the models; items kept across restarts of the underlying walk. */
static void
test_model_random_access (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  NmQuery *query = new_query (fx, fx->db, "*");
  NmMessages *messages;
  NmThreads *threads;
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) kept_threads = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "--exclude=false",
                                                "--sort=oldest-first", "*", NULL);
  g_auto (GStrv) thread_ids = nm_test_cli_thread_ids (fx->corpus, "--exclude=false",
                                                      "--sort=oldest-first", "*", NULL);
  guint n = g_strv_length (ids);
  guint n_threads = g_strv_length (thread_ids);

  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  messages = watch (fx, nm_query_search_messages (query, &error));
  g_assert_no_error (error);
  threads = watch (fx, nm_query_search_threads (query, &error));
  g_assert_no_error (error);
  g_object_unref (query);

  /* Backwards: every step restarts the walk, which must not free earlier items. */
  for (guint i = n; i-- > 0;)
    {
      NmMessage *a = g_list_model_get_item (G_LIST_MODEL (messages), i);
      NmMessage *b = g_list_model_get_item (G_LIST_MODEL (messages), i);

      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_ptr_array_add (kept, watch (fx, a));
      g_assert_cmpstr (nm_message_get_message_id (b), ==, ids[i]);
      g_object_unref (b);
      /* The one kept is still fine once its twin is gone. */
      g_assert_cmpstr (nm_message_get_message_id (a), ==, ids[i]);
    }
  for (guint i = n_threads; i-- > 0;)
    {
      NmThread *thread = g_list_model_get_item (G_LIST_MODEL (threads), i);

      g_assert_nonnull (thread);
      g_assert_cmpstr (nm_thread_get_thread_id (thread), ==, thread_ids[i]);
      g_ptr_array_add (kept_threads, watch (fx, thread));
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (messages), n));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (threads), n_threads));

  g_object_unref (messages);
  g_object_unref (threads);
  g_clear_object (&fx->db);
  for (guint i = 0; i < kept->len; i++)
    {
      NmMessage *message = g_ptr_array_index (kept, i);

      g_assert_cmpstr (nm_message_get_message_id (message), ==, ids[n - 1 - i]);
      assert_message_matches_cli (message);
    }
  for (guint i = 0; i < kept_threads->len; i++)
    {
      NmThread *thread = g_ptr_array_index (kept_threads, i);
      g_autoptr (NmMessages) members = nm_thread_get_messages (thread);
      g_autoptr (GPtrArray) items = nm_test_collect (G_LIST_MODEL (members));

      g_assert_cmpstr (nm_thread_get_thread_id (thread), ==, thread_ids[n_threads - 1 - i]);
      g_assert_cmpuint (items->len, ==, nm_thread_get_total_messages (thread));
      for (guint j = 0; j < items->len; j++)
        assert_message_matches_cli (g_ptr_array_index (items, j));
    }
}

/* A found message, a reply list and a thread's list each keep the database alive alone. */
static void
test_last_object_keeps_database (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *thread_query = biggest_thread_query (fx);
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "--exclude=false", thread_query,
                                                NULL);
  gpointer db_weak;
  NmMessage *found;
  NmMessages *replies;
  NmMessages *members;

  /* A found message. */
  db_weak = fx->db;
  g_object_add_weak_pointer (G_OBJECT (fx->db), &db_weak);
  found = watch (fx, nm_database_find_message (fx->db, ids[0], &error));
  g_assert_no_error (error);
  g_clear_object (&fx->db);
  g_assert_nonnull (db_weak);
  assert_message_matches_cli (found);
  g_object_unref (found);
  g_assert_null (db_weak);

  /* A reply list, with its thread, query and database dropped. */
  fx->db = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY);
  db_weak = fx->db;
  g_object_add_weak_pointer (G_OBJECT (fx->db), &db_weak);
  {
    NmQuery *query = new_query (fx, fx->db, thread_query);
    NmThreads *threads = watch (fx, nm_query_search_threads (query, &error));
    NmThread *thread = watch (fx, g_list_model_get_item (G_LIST_MODEL (threads), 0));
    NmMessages *toplevel = watch (fx, nm_thread_get_toplevel_messages (thread));
    NmMessage *root = watch (fx, g_list_model_get_item (G_LIST_MODEL (toplevel), 0));

    replies = watch (fx, nm_message_get_replies (root));
    members = watch (fx, nm_thread_get_messages (thread));
    g_object_unref (root);
    g_object_unref (toplevel);
    g_object_unref (thread);
    g_object_unref (threads);
    g_object_unref (query);
  }
  g_clear_object (&fx->db);
  g_assert_nonnull (db_weak);
  {
    g_autoptr (GPtrArray) items = nm_test_collect (G_LIST_MODEL (replies));

    g_assert_cmpuint (items->len, >, 0);
    for (guint i = 0; i < items->len; i++)
      assert_message_matches_cli (g_ptr_array_index (items, i));
  }
  g_object_unref (replies);
  g_assert_nonnull (db_weak);
  {
    g_autoptr (GPtrArray) items = nm_test_collect (G_LIST_MODEL (members));

    g_assert_cmpuint (items->len, ==, g_strv_length (ids));
  }
  g_object_unref (members);
  g_assert_null (db_weak);
}

/* Objects made with g_object_new(), as bindings make them, belong to no database: every
 * call fails with NM_ERROR_CLOSED_DATABASE or returns an empty value, with no critical
 * (the tests run with fatal criticals). */
static void
test_constructed_without_database (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = g_object_new (NM_TYPE_MESSAGE, NULL);
  g_autoptr (NmDirectory) directory = g_object_new (NM_TYPE_DIRECTORY, NULL);
  g_autoptr (NmIndexOptions) options = g_object_new (NM_TYPE_INDEX_OPTIONS, "decrypt-policy",
                                                     NM_DECRYPT_POLICY_TRUE, NULL);
  g_autoptr (NmQuery) query = g_object_new (NM_TYPE_QUERY, "sort", NM_SORT_OLDEST_FIRST,
                                            "query-string", NULL, NULL);
  g_autoptr (NmDatabase) database = g_object_new (NM_TYPE_DATABASE, NULL);
  g_auto (GStrv) tags = nm_message_get_tags (message);
  g_auto (GStrv) files = nm_directory_get_child_files (directory);
  g_autoptr (NmMessages) replies = nm_message_get_replies (message);

  g_assert_cmpuint (g_strv_length (tags), ==, 0);
  g_assert_null (nm_message_get_message_id (message));
  g_assert_null (nm_message_get_database (message));
  g_assert_false (nm_message_add_tag (message, "x", &error));
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (replies)), ==, 0);

  g_assert_cmpuint (g_strv_length (files), ==, 0);
  g_assert_false (nm_directory_set_mtime (directory, 5, &error));
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);

  g_assert_cmpint (nm_index_options_get_decrypt_policy (options), ==, NM_DECRYPT_POLICY_AUTO);
  g_assert_false (nm_index_options_set_decrypt_policy (options, NM_DECRYPT_POLICY_FALSE,
                                                       &error));
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);

  g_assert_cmpint (nm_query_get_sort (query), ==, NM_SORT_OLDEST_FIRST);
  g_assert_cmpstr (nm_query_get_query_string (query), ==, "");
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);
  g_assert_null (nm_query_search_threads (query, &error));
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);

  g_assert_null (nm_database_find_message (database, "x@y", &error));
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);
  g_assert_null (nm_database_index_file (database, "/nonexistent", options, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
}

int
main (int argc, char **argv)
{
  int status;

  nm_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/lifetimes/t01-keep-messages", test_t01_keep_messages);
  ADD ("/lifetimes/t02-collect-all", test_t02_collect_all);
  ADD ("/lifetimes/t03-rewalk-thread", test_t03_rewalk_thread);
  ADD ("/lifetimes/t04-two-wrappers", test_t04_two_wrappers);
  ADD ("/lifetimes/drop-orders", test_drop_orders);
  ADD ("/lifetimes/model-random-access", test_model_random_access);
  ADD ("/lifetimes/last-object-keeps-database", test_last_object_keeps_database);
#undef ADD
  g_test_add_func ("/lifetimes/constructed-without-database",
                   test_constructed_without_database);

  status = nm_test_run ();
  g_clear_pointer (&oracle_index, g_hash_table_unref);
  g_clear_pointer (&oracle_show, json_array_unref);
  return status;
}
