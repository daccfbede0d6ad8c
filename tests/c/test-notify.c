/* test-notify.c: notify::tags on every live message and thread object of a changed
 * message, on the main context they belong to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-test-fixture.h"

typedef struct
{
  NmTestCorpus *corpus;
  NmDatabase *db;
  char *message_id;
  NmThreads *threads;
  NmThread *thread;
  NmMessage *a;
  NmMessage *b;
  GThread *main_thread;
  /* notify::tags received per object, and whether all came on the main thread. */
  GHashTable *seen;
  gboolean on_main_thread;
} Fixture;

static void
on_tags (GObject *object, GParamSpec *pspec, Fixture *fx)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (fx->seen, object));

  g_hash_table_insert (fx->seen, object, GUINT_TO_POINTER (n + 1));
  fx->on_main_thread &= g_thread_self () == fx->main_thread;
}

static guint
seen (Fixture *fx, gpointer object)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fx->seen, object));
}

static void
setup (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessages) members = NULL;
  g_autoptr (NmMessage) first = NULL;

  fx->corpus = nm_test_corpus_copy_shared ();
  fx->db = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_WRITE);
  fx->threads = nm_database_search_threads (fx->db, "tag:inbox", &error);
  g_assert_no_error (error);
  fx->thread = g_list_model_get_item (G_LIST_MODEL (fx->threads), 0);
  members = nm_thread_get_messages (fx->thread);
  first = g_list_model_get_item (G_LIST_MODEL (members), 0);
  fx->message_id = g_strdup (nm_message_get_message_id (first));
  fx->a = nm_database_find_message (fx->db, fx->message_id, &error);
  fx->b = nm_database_find_message (fx->db, fx->message_id, &error);
  g_assert_no_error (error);
  fx->main_thread = g_thread_self ();
  fx->seen = g_hash_table_new (NULL, NULL);
  fx->on_main_thread = TRUE;
  g_signal_connect (fx->a, "notify::tags", G_CALLBACK (on_tags), fx);
  g_signal_connect (fx->b, "notify::tags", G_CALLBACK (on_tags), fx);
  g_signal_connect (fx->thread, "notify::tags", G_CALLBACK (on_tags), fx);
}

static void
teardown (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fx->a);
  g_clear_object (&fx->b);
  g_clear_object (&fx->thread);
  g_clear_object (&fx->threads);
  g_assert_true (nm_database_close (fx->db, NULL));
  g_clear_object (&fx->db);
  g_clear_pointer (&fx->seen, g_hash_table_unref);
  g_clear_pointer (&fx->message_id, g_free);
  nm_test_corpus_free (fx->corpus);
}

static gboolean
has_tag (char **tags, const char *tag)
{
  g_auto (GStrv) owned = tags;

  return g_strv_contains ((const char * const *) owned, tag);
}

static void
test_sync (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  const char *add[] = { "by-query", NULL };

  g_assert_true (nm_message_add_tag (fx->a, "notify-me", &error));
  g_assert_no_error (error);
  /* Before add_tag() returned, on this thread. */
  g_assert_cmpuint (seen (fx, fx->a), ==, 1);
  g_assert_cmpuint (seen (fx, fx->b), ==, 1);
  g_assert_cmpuint (seen (fx, fx->thread), ==, 1);
  g_assert_true (has_tag (nm_message_get_tags (fx->b), "notify-me"));
  g_assert_true (has_tag (nm_thread_get_tags (fx->thread), "notify-me"));

  /* Nothing changes, nothing is notified. */
  g_assert_true (nm_message_add_tag (fx->b, "notify-me", &error));
  g_assert_cmpuint (seen (fx, fx->a), ==, 1);

  g_assert_true (nm_message_freeze (fx->b, &error));
  g_assert_true (nm_message_remove_tag (fx->b, "notify-me", &error));
  g_assert_cmpuint (seen (fx, fx->a), ==, 1);
  g_assert_true (nm_message_thaw (fx->b, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen (fx, fx->a), ==, 2);
  g_assert_cmpuint (seen (fx, fx->thread), ==, 2);
  g_assert_false (has_tag (nm_thread_get_tags (fx->thread), "notify-me"));

  g_assert_cmpuint (nm_database_tag_messages (fx->db, "tag:inbox", add, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (seen (fx, fx->b), ==, 3);
  g_assert_cmpuint (seen (fx, fx->thread), ==, 3);
  g_assert_true (fx->on_main_thread);
}

static gpointer
change_in_thread (gpointer data)
{
  Fixture *fx = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) other = nm_database_find_message (fx->db, fx->message_id, &error);

  g_assert_no_error (error);
  g_assert_true (nm_message_add_tag (other, "from-a-thread", &error));
  g_assert_no_error (error);
  return NULL;
}

static void
test_other_thread (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  GThread *thread = g_thread_new ("changer", change_in_thread, fx);

  g_thread_join (thread);
  /* Left to the main context: nothing ran on the other thread. */
  g_assert_cmpuint (seen (fx, fx->a), ==, 0);
  while (seen (fx, fx->a) == 0 || seen (fx, fx->b) == 0 || seen (fx, fx->thread) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (fx->on_main_thread);
  g_assert_true (has_tag (nm_message_get_tags (fx->a), "from-a-thread"));
  g_assert_true (has_tag (nm_thread_get_tags (fx->thread), "from-a-thread"));
}

static void
on_tagged (GObject *source, GAsyncResult *result, gpointer user_data)
{
  guint *changed = user_data;
  g_autoptr (GError) error = NULL;

  *changed = nm_database_tag_messages_finish (NM_DATABASE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (Fixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autofree char *query = g_strdup_printf ("id:%s", fx->message_id);
  const char *add[] = { "from-the-worker", NULL };
  guint changed = 0;

  nm_database_tag_messages_async (fx->db, query, add, NULL, NULL, on_tagged, &changed);
  while (changed == 0 || seen (fx, fx->a) == 0 || seen (fx, fx->thread) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (fx->on_main_thread);
  g_assert_true (has_tag (nm_message_get_tags (fx->b), "from-the-worker"));
}

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/notify/sync", test_sync);
  ADD ("/notify/other-thread", test_other_thread);
  ADD ("/notify/async", test_async);
#undef ADD

  return nm_test_run ();
}
