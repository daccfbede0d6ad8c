/* test-query.c: NmQuery, sorts and exclusion against the notmuch CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-test-fixture.h"

static const char *queries[] = {
  "*", "tag:inbox", "tag:unread or tag:flagged", "not tag:inbox", "tag:spam",
  "tag:attachment", "date:2000..",
};

/* ------------------------------------------------------------------------------------- */

static void
count_notify (GObject *object G_GNUC_UNUSED, GParamSpec *pspec, gpointer user_data)
{
  GHashTable *counts = user_data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

#define notified(counts, name) GPOINTER_TO_UINT (g_hash_table_lookup ((counts), (name)))

static void
test_properties (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_test_query_new (fx->db, "tag:inbox");
  g_autoptr (NmQuery) sexp = NULL;
  g_autoptr (NmQuery) bad = NULL;
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto (GStrv) excluded = nm_query_get_excluded_tags (query);
  g_autofree char *prop_string = NULL;
  g_auto (GStrv) prop_excluded = NULL;
  char too_long[NM_TEST_TAG_MAX + 2];
  NmDatabase *prop_db = NULL;
  NmQuerySyntax prop_syntax = NM_QUERY_SYNTAX_SEXP;
  NmSort prop_sort = NM_SORT_UNSORTED;
  NmExclude prop_exclude = NM_EXCLUDE_ALL;

  /* libnotmuch's defaults: newest first, no excluded tags. */
  g_assert_true (nm_query_get_database (query) == fx->db);
  g_assert_cmpstr (nm_query_get_query_string (query), ==, "tag:inbox");
  g_assert_cmpint (nm_query_get_syntax (query), ==, NM_QUERY_SYNTAX_XAPIAN);
  g_assert_cmpint (nm_query_get_sort (query), ==, NM_SORT_NEWEST_FIRST);
  g_assert_cmpint (nm_query_get_exclude (query), ==, NM_EXCLUDE_TRUE);
  g_assert_cmpuint (g_strv_length (excluded), ==, 0);

  g_object_get (query, "database", &prop_db, "query-string", &prop_string,
                "syntax", &prop_syntax, "sort", &prop_sort, "exclude", &prop_exclude,
                "excluded-tags", &prop_excluded, NULL);
  g_assert_true (prop_db == fx->db);
  g_object_unref (prop_db);
  g_assert_cmpstr (prop_string, ==, "tag:inbox");
  g_assert_cmpint (prop_syntax, ==, NM_QUERY_SYNTAX_XAPIAN);
  g_assert_cmpint (prop_sort, ==, NM_SORT_NEWEST_FIRST);
  g_assert_cmpint (prop_exclude, ==, NM_EXCLUDE_TRUE);
  g_assert_cmpuint (g_strv_length (prop_excluded), ==, 0);

  /* Setters notify once per change, not when nothing changes. */
  g_signal_connect (query, "notify", G_CALLBACK (count_notify), counts);
  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  g_assert_cmpint (nm_query_get_sort (query), ==, NM_SORT_OLDEST_FIRST);
  g_assert_cmpuint (notified (counts, "sort"), ==, 1);
  g_object_set (query, "sort", NM_SORT_MESSAGE_ID, NULL);
  g_assert_cmpint (nm_query_get_sort (query), ==, NM_SORT_MESSAGE_ID);
  g_assert_cmpuint (notified (counts, "sort"), ==, 2);
  nm_query_set_exclude (query, NM_EXCLUDE_FLAG);
  nm_query_set_exclude (query, NM_EXCLUDE_FLAG);
  g_assert_cmpint (nm_query_get_exclude (query), ==, NM_EXCLUDE_FLAG);
  g_assert_cmpuint (notified (counts, "exclude"), ==, 1);

  g_assert_true (nm_query_add_tag_exclude (query, "spam", &error));
  g_assert_no_error (error);
  g_assert_true (nm_query_add_tag_exclude (query, "deleted", &error));
  g_assert_no_error (error);
  g_assert_true (nm_query_add_tag_exclude (query, "spam", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified (counts, "excluded-tags"), ==, 2);
  g_clear_pointer (&excluded, g_strfreev);
  excluded = nm_query_get_excluded_tags (query);
  {
    const char *expected[] = { "spam", "deleted", NULL };

    nm_test_assert_strv_equal (excluded, expected);
  }

  /* Invalid tags are refused and change nothing. */
  memset (too_long, 'x', sizeof too_long - 1);
  too_long[sizeof too_long - 1] = '\0';
  g_assert_false (nm_query_add_tag_exclude (query, "", &error));
  nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
  g_clear_error (&error);
  g_assert_false (nm_query_add_tag_exclude (query, "bad\xff\xfe", &error));
  nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
  g_clear_error (&error);
  g_assert_false (nm_query_add_tag_exclude (query, too_long, &error));
  nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
  g_clear_error (&error);
  g_clear_pointer (&excluded, g_strfreev);
  excluded = nm_query_get_excluded_tags (query);
  g_assert_cmpuint (g_strv_length (excluded), ==, 2);
  g_assert_cmpuint (notified (counts, "excluded-tags"), ==, 2);

  sexp = nm_query_new_with_syntax (fx->db, "(tag inbox)", NM_QUERY_SYNTAX_SEXP, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nm_query_get_syntax (sexp), ==, NM_QUERY_SYNTAX_SEXP);
  g_assert_cmpstr (nm_query_get_query_string (sexp), ==, "(tag inbox)");

  /* A query string must be UTF-8. */
  bad = nm_query_new (fx->db, "subject:\xff\xfe", &error);
  g_assert_null (bad);
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
}

static const struct
{
  NmSort sort;
  const char *cli;
} sorts[] = {
  { NM_SORT_NEWEST_FIRST, "--sort=newest-first" },
  { NM_SORT_OLDEST_FIRST, "--sort=oldest-first" },
  { NM_SORT_MESSAGE_ID, NULL },
  { NM_SORT_UNSORTED, NULL },
};

/* Every sort gives the CLI's order (--exclude=false: Query.new excludes nothing). */
static void
assert_sorts_like_cli (NmTestFixture *fx, gboolean threads)
{
  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    for (gsize s = 0; s < G_N_ELEMENTS (sorts); s++)
      {
        g_autoptr (NmQuery) query = nm_test_query_new (fx->db, queries[q]);
        g_autoptr (GListModel) model = NULL;
        g_auto (GStrv) ids = NULL;
        g_auto (GStrv) expected = NULL;
        const char *cli_sort = sorts[s].cli != NULL ? sorts[s].cli : "--sort=newest-first";

        if (threads && sorts[s].sort == NM_SORT_MESSAGE_ID)
          continue;  /* no CLI equivalent for threads */
        g_test_message ("query %s, sort %d", queries[q], sorts[s].sort);
        nm_query_set_sort (query, sorts[s].sort);
        if (threads)
          {
            model = G_LIST_MODEL (nm_test_search_threads (query));
            ids = nm_test_thread_ids (model);
            expected = nm_test_cli_thread_ids (fx->corpus, "--exclude=false", cli_sort,
                                               queries[q], NULL);
          }
        else
          {
            model = G_LIST_MODEL (nm_test_search_messages (query));
            ids = nm_test_message_ids (model);
            expected = nm_test_cli_message_ids (fx->corpus, "--exclude=false", cli_sort,
                                                queries[q], NULL);
          }
        if (sorts[s].sort == NM_SORT_MESSAGE_ID)
          {
            /* Byte order of the ids. */
            nm_test_strv_sort (expected);
          }
        else if (sorts[s].sort == NM_SORT_UNSORTED)
          {
            nm_test_strv_sort (expected);
            nm_test_strv_sort (ids);
          }
        nm_test_assert_strv_equal (ids, expected);
        g_assert_cmpuint (g_list_model_get_n_items (model), ==, g_strv_length (expected));
      }
}

static void
test_sort_messages (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  assert_sorts_like_cli (fx, FALSE);
}

static void
test_sort_threads (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  assert_sorts_like_cli (fx, TRUE);
}

static const struct
{
  NmExclude mode;
  const char *cli;
} excludes[] = {
  { NM_EXCLUDE_FLAG, "--exclude=flag" },
  { NM_EXCLUDE_TRUE, "--exclude=true" },
  { NM_EXCLUDE_FALSE, "--exclude=false" },
  { NM_EXCLUDE_ALL, "--exclude=all" },
};

/* Whether @message carries spam or deleted, except a tag that @query names: libnotmuch
 * does not exclude a tag the query string asks for explicitly. */
static gboolean
has_excluded_tag (NmMessage *message, const char *query)
{
  return (nm_message_has_tag (message, "spam") && strstr (query, "tag:spam") == NULL)
         || (nm_message_has_tag (message, "deleted") && strstr (query, "tag:deleted") == NULL);
}

static void
test_exclude_messages (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  const char *exclude_queries[] = { "*", "tag:inbox", "tag:spam", "tag:spam or tag:deleted" };
  guint n_excluded_total = nm_test_notmuch_count (fx->corpus, "--exclude=false",
                                                  "tag:spam or tag:deleted", NULL);

  g_assert_cmpuint (n_excluded_total, >=, 3);
  for (gsize q = 0; q < G_N_ELEMENTS (exclude_queries); q++)
    for (gsize e = 0; e < G_N_ELEMENTS (excludes); e++)
      {
        g_autoptr (NmQuery) query = nm_test_query_new (fx->db, exclude_queries[q]);
        g_autoptr (NmMessages) messages = NULL;
        g_auto (GStrv) expected = NULL;
        guint n_items, n_flagged = 0, i;

        g_test_message ("query %s, exclude %s", exclude_queries[q], excludes[e].cli);
        nm_query_set_exclude (query, excludes[e].mode);
        nm_test_query_exclude_cli_tags (query);
        messages = nm_test_search_messages (query);

        /* The length is what the walk yields, in every mode. */
        n_items = g_list_model_get_n_items (G_LIST_MODEL (messages));
        for (i = 0;; i++)
          {
            g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);
            gboolean flagged;

            if (message == NULL)
              break;
            flagged = nm_message_get_flag (message, NM_MESSAGE_FLAG_EXCLUDED, &error);
            g_assert_no_error (error);
            if (excludes[e].mode == NM_EXCLUDE_FLAG)
              g_assert_cmpint (flagged, ==, has_excluded_tag (message, exclude_queries[q]));
            if (excludes[e].mode == NM_EXCLUDE_TRUE || excludes[e].mode == NM_EXCLUDE_ALL)
              g_assert_false (has_excluded_tag (message, exclude_queries[q]));
            n_flagged += flagged;
          }
        g_assert_cmpuint (i, ==, n_items);
        g_assert_cmpuint (nm_query_count_messages (query, &error), ==, n_items);
        g_assert_no_error (error);

        /* The same messages as the CLI (whose config excludes the same two tags). */
        expected = nm_test_cli_message_ids (fx->corpus, excludes[e].cli, exclude_queries[q],
                                            NULL);
        {
          g_auto (GStrv) ids = nm_test_message_ids (G_LIST_MODEL (messages));

          nm_test_assert_strv_equal (ids, expected);
        }
        if (excludes[e].mode == NM_EXCLUDE_FLAG && g_strcmp0 (exclude_queries[q], "*") == 0)
          g_assert_cmpuint (n_flagged, ==, n_excluded_total);
      }
}

static void
test_exclude_threads (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  const char *exclude_queries[] = { "*", "tag:inbox", "tag:spam or tag:deleted" };

  for (gsize q = 0; q < G_N_ELEMENTS (exclude_queries); q++)
    for (gsize e = 0; e < G_N_ELEMENTS (excludes); e++)
      {
        g_autoptr (NmQuery) query = nm_test_query_new (fx->db, exclude_queries[q]);
        g_autoptr (NmThreads) threads = NULL;
        g_autoptr (JsonArray) expected = nm_test_notmuch_json (fx->corpus, "search",
                                                               "--format=json", excludes[e].cli,
                                                               exclude_queries[q], NULL);
        guint n_items, i;

        g_test_message ("query %s, exclude %s", exclude_queries[q], excludes[e].cli);
        nm_query_set_exclude (query, excludes[e].mode);
        nm_test_query_exclude_cli_tags (query);
        threads = nm_test_search_threads (query);

        n_items = g_list_model_get_n_items (G_LIST_MODEL (threads));
        for (i = 0;; i++)
          {
            g_autoptr (NmThread) thread = g_list_model_get_item (G_LIST_MODEL (threads), i);
            JsonObject *summary;

            if (thread == NULL)
              break;
            g_assert_cmpuint (i, <, json_array_get_length (expected));
            summary = json_array_get_object_element (expected, i);
            nm_test_assert_thread_counts (thread, summary);
            g_assert_cmpuint (nm_thread_get_matched_messages (thread), <=,
                              nm_thread_get_total_messages (thread));
          }
        g_assert_cmpuint (i, ==, json_array_get_length (expected));
        g_assert_cmpuint (i, ==, n_items);
        g_assert_cmpuint (nm_query_count_threads (query, &error), ==, n_items);
        g_assert_no_error (error);
      }
}

/* Exclusion semantics inside one thread: the thread whose second message is "deleted". */
static void
test_exclude_thread_members (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) deleted = nm_test_cli_message_ids (fx->corpus, "--exclude=false",
                                                    "tag:deleted", NULL);
  g_autofree char *deleted_query = NULL;
  g_auto (GStrv) thread_ids = NULL;
  g_autofree char *thread_query = NULL;
  guint total;

  g_assert_cmpuint (g_strv_length (deleted), >=, 1);
  deleted_query = nm_test_id_query (deleted[0]);
  thread_ids = nm_test_cli_thread_ids (fx->corpus, "--exclude=false", deleted_query, NULL);
  thread_query = g_strdup_printf ("thread:%s", thread_ids[0]);
  total = nm_test_notmuch_count (fx->corpus, "--exclude=false", thread_query, NULL);
  g_assert_cmpuint (total, >=, 3);

  for (gsize e = 0; e < G_N_ELEMENTS (excludes); e++)
    {
      g_autoptr (NmQuery) query = nm_test_query_new (fx->db, thread_query);
      g_autoptr (NmThreads) threads = NULL;
      g_autoptr (NmThread) thread = NULL;
      g_autoptr (NmMessages) members = NULL;
      guint n_members = 0, n_matched = 0;

      g_test_message ("exclude %s", excludes[e].cli);
      nm_query_set_exclude (query, excludes[e].mode);
      g_assert_true (nm_query_add_tag_exclude (query, "deleted", &error));
      g_assert_no_error (error);
      threads = nm_test_search_threads (query);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==, 1);
      thread = g_list_model_get_item (G_LIST_MODEL (threads), 0);
      g_assert_nonnull (thread);
      members = nm_thread_get_messages (thread);
      for (guint i = 0;; i++)
        {
          g_autoptr (NmMessage) member = g_list_model_get_item (G_LIST_MODEL (members), i);
          gboolean match, excluded;

          if (member == NULL)
            break;
          n_members++;
          match = nm_message_get_flag (member, NM_MESSAGE_FLAG_MATCH, &error);
          g_assert_no_error (error);
          excluded = nm_message_get_flag (member, NM_MESSAGE_FLAG_EXCLUDED, &error);
          g_assert_no_error (error);
          /* A thread counts a matching message as matched unless FLAG marked it. */
          n_matched += match && !(excluded && excludes[e].mode == NM_EXCLUDE_FLAG);
          if (g_strcmp0 (nm_message_get_message_id (member), deleted[0]) == 0)
            {
              /* ALL leaves it out of the thread. */
              g_assert_cmpint (excludes[e].mode, !=, NM_EXCLUDE_ALL);
              /* TRUE leaves it out of the matches; FLAG and FALSE match it, and FLAG
               * marks it. */
              g_assert_cmpint (match, ==, excludes[e].mode != NM_EXCLUDE_TRUE);
              if (excludes[e].mode == NM_EXCLUDE_FLAG)
                g_assert_true (excluded);
            }
          else
            {
              g_assert_true (match);
              g_assert_false (excluded);
            }
        }
      g_assert_cmpuint (n_members, ==, g_list_model_get_n_items (G_LIST_MODEL (members)));
      g_assert_cmpuint (n_matched, ==, nm_thread_get_matched_messages (thread));
      g_assert_cmpuint (n_members, ==, nm_thread_get_total_messages (thread));
      if (excludes[e].mode == NM_EXCLUDE_ALL)
        g_assert_cmpuint (n_members, ==, total - 1);
      else
        g_assert_cmpuint (n_members, ==, total);
    }
}

static void
test_sexp (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *sexps[] = {
    "(tag inbox)",
    "(and (tag inbox) (not (tag unread)))",
    "(or (tag spam) (tag flagged))",
    "()",
    "(date 2000 *)",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sexps); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NmQuery) query = NULL;
      g_autoptr (NmMessages) messages = NULL;
      g_autoptr (NmThreads) threads = NULL;
      g_auto (GStrv) ids = NULL;
      g_auto (GStrv) thread_ids = NULL;
      g_auto (GStrv) expected = nm_test_cli_message_ids (fx->corpus, "--query=sexp",
                                                         "--exclude=false", sexps[i], NULL);
      g_auto (GStrv) expected_threads = nm_test_cli_thread_ids (fx->corpus, "--query=sexp",
                                                                "--exclude=false", sexps[i],
                                                                NULL);

      g_test_message ("sexp %s", sexps[i]);
      query = nm_query_new_with_syntax (fx->db, sexps[i], NM_QUERY_SYNTAX_SEXP, &error);
      g_assert_no_error (error);
      messages = nm_test_search_messages (query);
      ids = nm_test_message_ids (G_LIST_MODEL (messages));
      nm_test_assert_strv_equal (ids, expected);
      threads = nm_test_search_threads (query);
      thread_ids = nm_test_thread_ids (G_LIST_MODEL (threads));
      nm_test_assert_strv_equal (thread_ids, expected_threads);
      g_assert_cmpuint (nm_query_count_messages (query, &error), ==, g_strv_length (expected));
      g_assert_no_error (error);
      g_assert_cmpuint (nm_query_count_threads (query, &error), ==,
                        g_strv_length (expected_threads));
      g_assert_no_error (error);
    }
  /* The first one is not trivial. */
  {
    g_auto (GStrv) inbox = nm_test_cli_message_ids (fx->corpus, "--exclude=false", "tag:inbox",
                                                    NULL);

    g_assert_cmpuint (g_strv_length (inbox), >, 0);
  }
}

static void
assert_query_fails (NmTestFixture *fx, const char *string, NmQuerySyntax syntax, NmError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_query_new_with_syntax (fx->db, string, syntax, &error);
  NmMessages *messages;
  NmThreads *threads;

  /* Parsed when searched, not when created. */
  g_assert_no_error (error);
  g_test_message ("malformed query %s", string);

  messages = nm_query_search_messages (query, &error);
  g_assert_null (messages);
  nm_test_assert_error_code (error, code);
  g_clear_error (&error);
  threads = nm_query_search_threads (query, &error);
  g_assert_null (threads);
  nm_test_assert_error_code (error, code);
  g_clear_error (&error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  nm_test_assert_error_code (error, code);
  g_clear_error (&error);
  g_assert_cmpuint (nm_query_count_threads (query, &error), ==, 0);
  nm_test_assert_error_code (error, code);
  g_clear_error (&error);

  /* With every setting. */
  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  nm_query_set_exclude (query, NM_EXCLUDE_FLAG);
  g_assert_true (nm_query_add_tag_exclude (query, "spam", &error));
  messages = nm_query_search_messages (query, &error);
  g_assert_null (messages);
  nm_test_assert_error_code (error, code);
}

static void
test_malformed (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  const char *xapian[] = { "foo AND", "AND OR NOT", "date:garbage..", "subject:/[/",
                           "lastmod:abc..def", "thread:{" };
  const char *sexp[] = { "(and", ")", "(subject", "(unknownfield foo)", "(date garbage)" };

  for (gsize i = 0; i < G_N_ELEMENTS (xapian); i++)
    assert_query_fails (fx, xapian[i], NM_QUERY_SYNTAX_XAPIAN, NM_ERROR_XAPIAN_EXCEPTION);
  for (gsize i = 0; i < G_N_ELEMENTS (sexp); i++)
    assert_query_fails (fx, sexp[i], NM_QUERY_SYNTAX_SEXP, NM_ERROR_BAD_QUERY_SYNTAX);

  /* The shortcuts too. */
  g_assert_null (nm_database_search_messages (fx->db, "foo AND", &error));
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  g_clear_error (&error);
  g_assert_null (nm_database_search_threads (fx->db, "foo AND", &error));
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  g_clear_error (&error);

  /* The handle still works. */
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==,
                    nm_test_notmuch_count (fx->corpus, "*", NULL));
  g_assert_no_error (error);
}

/* Changing a query after a search does not change that search's results. */
static void
test_snapshot (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_test_query_new (fx->db, "*");
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (NmMessage) first = NULL;
  g_autoptr (NmMessage) last = NULL;
  g_auto (GStrv) expected = nm_test_cli_message_ids (fx->corpus, "--exclude=false",
                                                     "--sort=newest-first", "*", NULL);
  g_auto (GStrv) expected_threads = nm_test_cli_thread_ids (fx->corpus, "--exclude=false",
                                                            "--sort=newest-first", "*", NULL);
  guint n = g_strv_length (expected);

  messages = nm_test_search_messages (query);
  threads = nm_test_search_threads (query);
  first = g_list_model_get_item (G_LIST_MODEL (messages), 0);
  g_assert_cmpstr (nm_message_get_message_id (first), ==, expected[0]);

  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  nm_query_set_exclude (query, NM_EXCLUDE_ALL);
  g_assert_true (nm_query_add_tag_exclude (query, "inbox", &error));
  g_assert_true (nm_query_add_tag_exclude (query, "spam", &error));
  g_assert_no_error (error);

  /* Continuing, restarting and counting all use the settings of the search. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, n);
  last = g_list_model_get_item (G_LIST_MODEL (messages), n - 1);
  g_assert_cmpstr (nm_message_get_message_id (last), ==, expected[n - 1]);
  {
    g_auto (GStrv) ids = nm_test_message_ids (G_LIST_MODEL (messages));
    g_auto (GStrv) thread_ids = nm_test_thread_ids (G_LIST_MODEL (threads));

    nm_test_assert_strv_equal (ids, expected);
    nm_test_assert_strv_equal (thread_ids, expected_threads);
  }

  /* A new search uses the new settings. */
  {
    g_autoptr (NmMessages) changed = nm_test_search_messages (query);
    g_auto (GStrv) ids = nm_test_message_ids (G_LIST_MODEL (changed));

    g_assert_cmpuint (g_strv_length (ids), <, n);
    g_assert_cmpuint (g_strv_length (ids), ==,
                      nm_test_notmuch_count (fx->corpus, "--exclude=false",
                                             "not tag:inbox and not tag:spam", NULL));
    g_assert_cmpuint (nm_query_count_messages (query, &error), ==, g_strv_length (ids));
  }
}

/* Counts agree with `notmuch count` and with the length of a search. */
static void
test_count (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;

  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr (NmQuery) query = nm_test_query_new (fx->db, queries[q]);

      /* Nothing excluded. */
      g_assert_cmpuint (nm_query_count_messages (query, &error), ==,
                        nm_test_notmuch_count (fx->corpus, "--exclude=false", queries[q], NULL));
      g_assert_no_error (error);
      g_assert_cmpuint (nm_query_count_threads (query, &error), ==,
                        nm_test_notmuch_count (fx->corpus, "--exclude=false",
                                               "--output=threads", queries[q], NULL));
      g_assert_no_error (error);

      /* The configured tags excluded, as the CLI does by default. */
      nm_test_query_exclude_cli_tags (query);
      g_assert_cmpuint (nm_query_count_messages (query, &error), ==,
                        nm_test_notmuch_count (fx->corpus, queries[q], NULL));
      g_assert_no_error (error);
      g_assert_cmpuint (nm_query_count_threads (query, &error), ==,
                        nm_test_notmuch_count (fx->corpus, "--output=threads", queries[q],
                                               NULL));
      g_assert_no_error (error);
    }
}

/* A model can be walked any number of times, and indexed in any order. */
static void
test_model_access (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (NmQuery) query = nm_test_query_new (fx->db, "*");
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmThreads) threads = NULL;
  g_auto (GStrv) first_walk = NULL;
  g_auto (GStrv) second_walk = NULL;
  g_auto (GStrv) thread_walk = NULL;
  guint n, n_threads;

  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  messages = nm_test_search_messages (query);
  threads = nm_test_search_threads (query);
  first_walk = nm_test_message_ids (G_LIST_MODEL (messages));
  second_walk = nm_test_message_ids (G_LIST_MODEL (messages));
  nm_test_assert_strv_equal (first_walk, second_walk);
  n = g_strv_length (first_walk);
  g_assert_cmpuint (n, ==, nm_test_notmuch_count (fx->corpus, "--exclude=false", "*", NULL));

  /* Backwards, and every item twice. */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr (NmMessage) a = g_list_model_get_item (G_LIST_MODEL (messages), i);
      g_autoptr (NmMessage) b = g_list_model_get_item (G_LIST_MODEL (messages), i);

      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_cmpstr (nm_message_get_message_id (a), ==, first_walk[i]);
      g_assert_cmpstr (nm_message_get_message_id (b), ==, first_walk[i]);
    }
  /* Jumps. */
  for (guint i = 0; i < n; i += 7)
    {
      guint j = (i * 31) % n;
      g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), j);

      g_assert_cmpstr (nm_message_get_message_id (message), ==, first_walk[j]);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (messages), n));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (messages), G_MAXUINT));
  {
    g_autoptr (NmMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), 0);

    g_assert_cmpstr (nm_message_get_message_id (message), ==, first_walk[0]);
  }

  thread_walk = nm_test_thread_ids (G_LIST_MODEL (threads));
  n_threads = g_strv_length (thread_walk);
  for (guint i = n_threads; i-- > 0;)
    {
      g_autoptr (NmThread) thread = g_list_model_get_item (G_LIST_MODEL (threads), i);

      g_assert_cmpstr (nm_thread_get_thread_id (thread), ==, thread_walk[i]);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (threads), n_threads));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (messages)) == NM_TYPE_MESSAGE);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (threads)) == NM_TYPE_THREAD);
  g_assert_true (nm_messages_check (messages, NULL));
  g_assert_true (nm_threads_check (threads, NULL));

  /* The cursor: every item once, in order, then NULL for good; get_item() does not move
   * it, and it does not move get_item()'s walk. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (NmMessage) next = nm_messages_next (messages);
      g_autoptr (NmMessage) last = g_list_model_get_item (G_LIST_MODEL (messages), n - 1);

      g_assert_nonnull (next);
      g_assert_cmpstr (nm_message_get_message_id (next), ==, first_walk[i]);
      g_assert_cmpstr (nm_message_get_message_id (last), ==, first_walk[n - 1]);
    }
  g_assert_null (nm_messages_next (messages));
  g_assert_null (nm_messages_next (messages));
  for (guint i = 0; i < n_threads; i++)
    {
      g_autoptr (NmThread) next = nm_threads_next (threads);

      g_assert_nonnull (next);
      g_assert_cmpstr (nm_thread_get_thread_id (next), ==, thread_walk[i]);
      if (i == n_threads / 2)
        {
          g_autoptr (NmThread) first = g_list_model_get_item (G_LIST_MODEL (threads), 0);

          g_assert_cmpstr (nm_thread_get_thread_id (first), ==, thread_walk[0]);
        }
    }
  g_assert_null (nm_threads_next (threads));
  g_assert_true (nm_messages_check (messages, NULL));
  g_assert_true (nm_threads_check (threads, NULL));

  /* collect_tags() does not consume the list. */
  {
    g_autoptr (GError) error = NULL;
    g_auto (GStrv) tags = nm_messages_collect_tags (messages, &error);
    g_auto (GStrv) expected = nm_test_notmuch_lines (fx->corpus, "search", "--output=tags",
                                                     "--exclude=false", "*", NULL);
    g_auto (GStrv) third_walk = nm_test_message_ids (G_LIST_MODEL (messages));

    g_assert_no_error (error);
    nm_test_strv_sort (expected);
    nm_test_assert_strv_equal (tags, expected);
    nm_test_assert_strv_equal (third_walk, first_walk);
  }
}

/* Queries on which libnotmuch crashes (a NULL pointer, or the stack) are refused first. */
static void
test_crashing (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GString) deep = g_string_new (NULL);
  g_autoptr (GString) deep_classic = g_string_new (NULL);
  const char *sexp[] = { "(of)", "(matching (tag inbox))", "(and (of x))", "(\"of\" x)",
                         NULL, NULL };
  const char *classic[] = { "sexp:\"(of)\"", NULL, NULL };

  for (int i = 0; i < 20000; i++)
    g_string_append (deep, "(and ");
  for (int i = 0; i < 20000; i++)
    g_string_append_c (deep, ')');
  sexp[G_N_ELEMENTS (sexp) - 2] = deep->str;
  for (int i = 0; i < 20000; i++)
    g_string_append (deep_classic, "(a or (b and ");
  g_string_append_c (deep_classic, 'c');
  for (int i = 0; i < 20000; i++)
    g_string_append (deep_classic, "))");
  classic[G_N_ELEMENTS (classic) - 2] = deep_classic->str;

  for (int syntax = 0; syntax < 2; syntax++)
    for (const char **text = syntax == 0 ? sexp : classic; *text != NULL; text++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (NmQuery) query = nm_query_new_with_syntax (
          fx->db, *text, syntax == 0 ? NM_QUERY_SYNTAX_SEXP : NM_QUERY_SYNTAX_XAPIAN, &error);
        g_autoptr (NmMessages) messages = NULL;

        g_assert_no_error (error);
        g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
        nm_test_assert_error_code (error, NM_ERROR_BAD_QUERY_SYNTAX);
        g_clear_error (&error);
        g_assert_cmpuint (nm_query_count_threads (query, &error), ==, 0);
        nm_test_assert_error_code (error, NM_ERROR_BAD_QUERY_SYNTAX);
        g_clear_error (&error);
        messages = nm_query_search_messages (query, &error);
        g_assert_null (messages);
        nm_test_assert_error_code (error, NM_ERROR_BAD_QUERY_SYNTAX);
      }
}

static const NmTestCase cases[] = {
  { "/query/properties", test_properties, NM_TEST_ON_SHARED },
  { "/query/sort/messages", test_sort_messages, NM_TEST_ON_SHARED },
  { "/query/sort/threads", test_sort_threads, NM_TEST_ON_SHARED },
  { "/query/exclude/messages", test_exclude_messages, NM_TEST_ON_SHARED },
  { "/query/exclude/threads", test_exclude_threads, NM_TEST_ON_SHARED },
  { "/query/exclude/thread-members", test_exclude_thread_members, NM_TEST_ON_SHARED },
  { "/query/sexp", test_sexp, NM_TEST_ON_SHARED },
  { "/query/malformed", test_malformed, NM_TEST_ON_SHARED },
  { "/query/snapshot", test_snapshot, NM_TEST_ON_SHARED },
  { "/query/count", test_count, NM_TEST_ON_SHARED },
  { "/query/model-access", test_model_access, NM_TEST_ON_SHARED },
  { "/query/crashing", test_crashing, NM_TEST_ON_SHARED },
};

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);
  nm_test_add_cases (cases, G_N_ELEMENTS (cases));
  return nm_test_run ();
}
