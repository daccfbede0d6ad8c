/* test-message-thread.c: every NmMessage and NmThread accessor against the notmuch CLI
 *
 * Oracles: `notmuch show --format=json --body=false` (messages, reply trees, match flags)
 * and `notmuch search --format=json` (thread summaries).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-test-fixture.h"

/* Message id → thread id, from `notmuch search --output=messages thread:X` for every thread. */
static GHashTable *
cli_thread_of_messages (const NmTestCorpus *corpus)
{
  GHashTable *thread_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) threads = nm_test_cli_thread_ids (corpus, "--exclude=false", "*", NULL);

  for (char **t = threads; *t != NULL; t++)
    {
      g_autofree char *query = g_strdup_printf ("thread:%s", *t);
      g_auto (GStrv) ids = nm_test_cli_message_ids (corpus, "--exclude=false", query, NULL);

      for (char **id = ids; *id != NULL; id++)
        g_hash_table_insert (thread_of, g_strdup (*id), g_strdup (*t));
    }
  return thread_of;
}

static char *
normalize_address_text (const char *text)
{
  GString *out;

  if (text == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    if (*p != '"' && *p != '\\')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* Commas separating addresses: outside quoted strings, comments and angle brackets. */
static guint
count_address_separators (const char *text)
{
  gboolean quoted = FALSE;
  int angle = 0, comment = 0;
  guint commas = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"' && comment == 0)
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (*p == '(')
        comment++;
      else if (*p == ')' && comment > 0)
        comment--;
      else if (*p == '<')
        angle++;
      else if (*p == '>' && angle > 0)
        angle--;
      else if (*p == ',' && angle == 0 && comment == 0)
        commas++;
    }
  return commas;
}

static gboolean
is_address_header (const char *name)
{
  return g_ascii_strcasecmp (name, "from") == 0 || g_ascii_strcasecmp (name, "to") == 0
         || g_ascii_strcasecmp (name, "cc") == 0;
}

/* Compares a header with the CLI's: exactly, or for address headers after
 * normalize_address_text().  Returns FALSE if an address header lost its structure: it
 * has more address separators than the CLI's properly quoted value. */
static gboolean
assert_header (NmMessage *message, const char *name, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *value = nm_message_get_header (message, name, &error);
  g_autofree char *value_normalized = NULL;
  g_autofree char *expected_normalized = NULL;

  g_assert_no_error (error);
  if (expected != NULL && expected[0] == '\0')
    expected = NULL;
  if (g_strcmp0 (value, expected) == 0)
    return TRUE;
  value_normalized = normalize_address_text (value);
  expected_normalized = normalize_address_text (expected);
  if (!is_address_header (name) || g_strcmp0 (value_normalized, expected_normalized) != 0)
    g_error ("message %s, header %s: library '%s', CLI '%s'",
             nm_message_get_message_id (message), name, value, expected);
  return count_address_separators (value) == count_address_separators (expected);
}

/* ------------------------------------------------------------------------------------- */

static void
test_message_accessors (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) show = nm_test_show_all (fx->corpus);
  g_autoptr (GHashTable) index = nm_test_show_index (show);
  g_autoptr (GHashTable) thread_of = cli_thread_of_messages (fx->corpus);
  g_autoptr (NmQuery) query = nm_test_query_new (fx->db, "*");
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *duplicate = nm_test_corpus_duplicate_id (fx->corpus);
  guint n_with_cc = 0, n_without_cc = 0, n_duplicates = 0;

  messages = nm_test_search_messages (query);
  items = nm_test_collect (G_LIST_MODEL (messages));
  g_assert_cmpuint (items->len, ==, g_hash_table_size (index));

  for (guint i = 0; i < items->len; i++)
    {
      NmMessage *message = g_ptr_array_index (items, i);
      const char *id = nm_message_get_message_id (message);
      JsonObject *expected = g_hash_table_lookup (index, id);
      g_auto (GStrv) tags = nm_message_get_tags (message);
      g_auto (GStrv) expected_tags = NULL;
      g_auto (GStrv) filenames = nm_message_get_filenames (message);
      g_auto (GStrv) expected_filenames = NULL;
      g_autofree char *filename = nm_message_get_filename (message);
      g_autoptr (NmMessages) replies = nm_message_get_replies (message);
      g_autofree char *prop_id = NULL;
      g_autofree char *prop_thread = NULL;
      g_autofree char *prop_filename = NULL;
      g_auto (GStrv) prop_filenames = NULL;
      g_auto (GStrv) prop_tags = NULL;
      gint64 prop_date = 0;
      NmDatabase *prop_db = NULL;

      g_assert_nonnull (expected);
      g_assert_true (nm_message_get_database (message) == fx->db);
      g_assert_cmpstr (nm_message_get_thread_id (message), ==,
                       g_hash_table_lookup (thread_of, id));
      g_assert_cmpint (nm_message_get_date (message), ==, nm_test_json_int (expected, "timestamp"));

      /* Headers: indexed ones, ones read from the file, absent ones, any case. */
      assert_header (message, "From", nm_test_json_header (expected, "From"));
      assert_header (message, "Subject", nm_test_json_header (expected, "Subject"));
      assert_header (message, "To", nm_test_json_header (expected, "To"));
      assert_header (message, "Cc", nm_test_json_header (expected, "Cc"));
      {
        /* The CLI reformats dates; the header is there, and the indexed date is above. */
        g_autofree char *date = nm_message_get_header (message, "Date", &error);

        g_assert_no_error (error);
        g_assert_nonnull (date);
      }
      assert_header (message, "subject", nm_test_json_header (expected, "Subject"));
      assert_header (message, "FROM", nm_test_json_header (expected, "From"));
      assert_header (message, "X-No-Such-Header", NULL);
      if (nm_test_json_header (expected, "Cc") != NULL)
        n_with_cc++;
      else
        n_without_cc++;
      {
        g_autofree char *message_id = nm_message_get_header (message, "Message-ID", &error);

        g_assert_no_error (error);
        g_assert_nonnull (message_id);
      }

      /* Files, in libnotmuch's order. */
      expected_filenames = nm_test_json_strv (expected, "filename");
      nm_test_assert_strv_equal (filenames, expected_filenames);
      g_assert_cmpstr (filename, ==, expected_filenames[0]);
      if (g_strv_length (filenames) > 1)
        {
          g_assert_cmpstr (id, ==, duplicate);
          n_duplicates++;
        }

      /* Tags, sorted. */
      expected_tags = nm_test_json_strv (expected, "tags");
      nm_test_assert_strv_equal (tags, expected_tags);
      for (char **tag = tags; *tag != NULL; tag++)
        g_assert_true (nm_message_has_tag (message, *tag));
      g_assert_false (nm_message_has_tag (message, "no-such-tag"));

      /* Flags (MATCH is defined for thread messages only, see test_message_flags): nothing
       * is excluded without excluded tags, and nothing from a search is a ghost. */
      (void) nm_message_get_flag (message, NM_MESSAGE_FLAG_MATCH, &error);
      g_assert_no_error (error);
      g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_EXCLUDED, &error));
      g_assert_no_error (error);
      g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, &error));
      g_assert_no_error (error);

      /* A message not reached through a thread has no replies list. */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (replies)), ==, 0);
      g_assert_null (g_list_model_get_item (G_LIST_MODEL (replies), 0));

      /* Properties. */
      g_object_get (message, "message-id", &prop_id, "thread-id", &prop_thread,
                    "date", &prop_date, "filename", &prop_filename, "filenames", &prop_filenames,
                    "tags", &prop_tags, "database", &prop_db, NULL);
      g_assert_cmpstr (prop_id, ==, id);
      g_assert_cmpstr (prop_thread, ==, nm_message_get_thread_id (message));
      g_assert_cmpint (prop_date, ==, nm_message_get_date (message));
      g_assert_cmpstr (prop_filename, ==, filename);
      nm_test_assert_strv_equal (prop_filenames, filenames);
      nm_test_assert_strv_equal (prop_tags, tags);
      g_assert_true (prop_db == fx->db);
      g_object_unref (prop_db);
    }
  g_assert_cmpuint (n_duplicates, ==, 1);
  g_test_message ("%u messages with Cc, %u without", n_with_cc, n_without_cc);
  g_assert_cmpuint (n_without_cc, >, 0);
}

/* The flags of thread messages: MATCH and EXCLUDED, as `notmuch show` reports them.
 * `notmuch show --exclude=false` searches with NOTMUCH_EXCLUDE_FLAG, `--exclude=true` with
 * NOTMUCH_EXCLUDE_TRUE, both excluding the configured deleted and spam. */
static void
test_message_flags (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *flag_queries[] = { "tag:unread", "tag:inbox and not tag:replied", "tag:attachment",
                                 "*" };
  const struct { NmExclude mode; const char *cli; } modes[] = {
    { NM_EXCLUDE_FLAG, "--exclude=false" },
    { NM_EXCLUDE_TRUE, "--exclude=true" },
  };
  guint n_excluded = 0;

  for (gsize q = 0; q < G_N_ELEMENTS (flag_queries); q++)
    for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (JsonArray) show = nm_test_notmuch_json (fx->corpus, "show",
                                                           "--format=json", "--body=false",
                                                           modes[m].cli, "--entire-thread=true",
                                                           flag_queries[q], NULL);
        g_autoptr (GHashTable) index = nm_test_show_index (show);
        g_autoptr (NmQuery) query = nm_test_query_new (fx->db, flag_queries[q]);
        g_autoptr (NmThreads) threads = NULL;
        g_autoptr (GPtrArray) thread_items = NULL;
        guint n_matched = 0, n_unmatched = 0, n_seen = 0;

        g_test_message ("query %s, %s", flag_queries[q], modes[m].cli);
        nm_query_set_exclude (query, modes[m].mode);
        nm_test_query_exclude_cli_tags (query);
        threads = nm_test_search_threads (query);
        thread_items = nm_test_collect (G_LIST_MODEL (threads));
        g_assert_cmpuint (thread_items->len, ==, json_array_get_length (show));
        for (guint t = 0; t < thread_items->len; t++)
          {
            g_autoptr (NmMessages) members = nm_thread_get_messages (g_ptr_array_index (thread_items, t));
            g_autoptr (GPtrArray) items = nm_test_collect (G_LIST_MODEL (members));

            for (guint i = 0; i < items->len; i++)
              {
                NmMessage *message = g_ptr_array_index (items, i);
                JsonObject *expected = g_hash_table_lookup (index,
                                                            nm_message_get_message_id (message));
                gboolean match = nm_message_get_flag (message, NM_MESSAGE_FLAG_MATCH, &error);
                gboolean excluded;

                g_assert_no_error (error);
                g_assert_nonnull (expected);
                g_assert_cmpint (match, ==, nm_test_json_boolean (expected, "match"));
                excluded = nm_message_get_flag (message, NM_MESSAGE_FLAG_EXCLUDED, &error);
                g_assert_no_error (error);
                g_assert_cmpint (excluded, ==, nm_test_json_boolean (expected, "excluded"));
                g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, &error));
                g_assert_no_error (error);
                if (match)
                  n_matched++;
                else
                  n_unmatched++;
                n_excluded += excluded;
                n_seen++;
              }
          }
        g_assert_cmpuint (n_seen, ==, g_hash_table_size (index));
        g_test_message ("%u matched, %u not", n_matched, n_unmatched);
        g_assert_cmpuint (n_matched, >, 0);
      }
  g_assert_cmpuint (n_excluded, >, 0);
}

typedef struct
{
  GHashTable *trees;   /* first message id of a thread → GPtrArray of "depth id" */
  GPtrArray *current;
  guint thread_index;
} TreeCollector;

static void
collect_tree_step (JsonObject *message, guint depth, guint thread_index, gpointer user_data)
{
  TreeCollector *collector = user_data;
  const char *id = nm_test_json_string (message, "id");

  if (collector->current == NULL || thread_index != collector->thread_index)
    {
      collector->current = g_ptr_array_new_with_free_func (g_free);
      collector->thread_index = thread_index;
      g_hash_table_insert (collector->trees, g_strdup (id), collector->current);
    }
  g_ptr_array_add (collector->current, g_strdup_printf ("%u %s", depth, id));
}

static void
walk_tree (NmMessages *messages, guint depth, GPtrArray *out, GHashTable *dates)
{
  g_autoptr (GPtrArray) items = nm_test_collect (G_LIST_MODEL (messages));
  gint64 previous = G_MININT64;

  for (guint i = 0; i < items->len; i++)
    {
      NmMessage *message = g_ptr_array_index (items, i);
      g_autoptr (NmMessages) replies = nm_message_get_replies (message);

      /* Replies come oldest first. */
      g_assert_cmpint (nm_message_get_date (message), >=, previous);
      previous = nm_message_get_date (message);
      g_hash_table_insert (dates, g_strdup (nm_message_get_message_id (message)),
                           g_memdup2 (&previous, sizeof previous));
      g_ptr_array_add (out, g_strdup_printf ("%u %s", depth,
                                             nm_message_get_message_id (message)));
      walk_tree (replies, depth + 1, out, dates);
    }
}

/* Every thread's reply tree, toplevel → replies, equals `notmuch show`'s. */
static void
test_reply_trees (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (JsonArray) show = nm_test_notmuch_json (fx->corpus, "show", "--format=json",
                                                     "--body=false", "--exclude=false",
                                                     "--entire-thread=true", "*", NULL);
  g_autoptr (GHashTable) trees = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  TreeCollector collector = { trees, NULL, 0 };
  g_autoptr (NmQuery) query = nm_test_query_new (fx->db, "*");
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (GPtrArray) thread_items = NULL;
  guint max_depth = 0, n_multi = 0;

  nm_test_show_foreach (show, collect_tree_step, &collector);
  threads = nm_test_search_threads (query);
  thread_items = nm_test_collect (G_LIST_MODEL (threads));
  g_assert_cmpuint (thread_items->len, ==, g_hash_table_size (trees));

  for (guint t = 0; t < thread_items->len; t++)
    {
      NmThread *thread = g_ptr_array_index (thread_items, t);
      g_autoptr (NmMessages) toplevel = nm_thread_get_toplevel_messages (thread);
      g_autoptr (NmMessages) members = nm_thread_get_messages (thread);
      g_autoptr (GPtrArray) member_items = nm_test_collect (G_LIST_MODEL (members));
      g_autoptr (GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GHashTable) dates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            g_free);
      GPtrArray *expected;
      gint64 previous = G_MININT64;

      walk_tree (toplevel, 0, steps, dates);
      g_assert_cmpuint (steps->len, >, 0);
      expected = g_hash_table_lookup (trees, strchr (g_ptr_array_index (steps, 0), ' ') + 1);
      g_assert_nonnull (expected);
      g_assert_cmpuint (steps->len, ==, expected->len);
      for (guint i = 0; i < steps->len; i++)
        {
          const char *step = g_ptr_array_index (steps, i);

          g_assert_cmpstr (step, ==, g_ptr_array_index (expected, i));
          max_depth = MAX (max_depth, (guint) g_ascii_strtoull (step, NULL, 10));
        }

      /* get_messages: the same messages, oldest first, every one of them matched. */
      g_assert_cmpuint (member_items->len, ==, steps->len);
      g_assert_cmpuint (member_items->len, ==, nm_thread_get_total_messages (thread));
      for (guint i = 0; i < member_items->len; i++)
        {
          NmMessage *message = g_ptr_array_index (member_items, i);

          g_assert_true (g_hash_table_contains (dates, nm_message_get_message_id (message)));
          g_assert_cmpint (nm_message_get_date (message), >=, previous);
          previous = nm_message_get_date (message);
          g_assert_cmpstr (nm_message_get_thread_id (message), ==,
                           nm_thread_get_thread_id (thread));
        }
      if (member_items->len > 1)
        n_multi++;
    }
  g_test_message ("%u threads with replies, deepest reply at depth %u", n_multi, max_depth);
  g_assert_cmpuint (n_multi, >, 0);
  g_assert_cmpuint (max_depth, >=, 2);
}

/* Splits libnotmuch's authors string "A, B| C, D" (matched authors, then "|", then the
 * others) into the lists get_matched_authors() and get_unmatched_authors() return. */
static char **
split_authors (const char *authors, gboolean matched)
{
  const char *bar = strstr (authors, "| ");
  g_autofree char *part = matched ? (bar != NULL ? g_strndup (authors, bar - authors)
                                                 : g_strdup (authors))
                                  : g_strdup (bar != NULL ? bar + 2 : "");

  if (part[0] == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (part, ", ", -1);
}

typedef struct
{
  GHashTable *files;   /* first id of a thread → number of files of its messages */
  GHashTable *by_id;   /* message id → first id of its thread */
  const char *first;
  guint thread_index;
  gboolean started;
} FileCounter;

static void
count_files_step (JsonObject *message, guint depth G_GNUC_UNUSED, guint thread_index,
                  gpointer user_data)
{
  FileCounter *counter = user_data;
  const char *id = nm_test_json_string (message, "id");
  g_auto (GStrv) filenames = nm_test_json_strv (message, "filename");
  guint n;

  if (!counter->started || thread_index != counter->thread_index)
    {
      counter->first = id;
      counter->thread_index = thread_index;
      counter->started = TRUE;
    }
  n = GPOINTER_TO_UINT (g_hash_table_lookup (counter->files, counter->first));
  g_hash_table_insert (counter->files, (gpointer) counter->first,
                       GUINT_TO_POINTER (n + g_strv_length (filenames)));
  g_hash_table_insert (counter->by_id, (gpointer) id, (gpointer) counter->first);
}

static void
test_thread_accessors (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *thread_queries[] = { "*", "tag:unread", "tag:inbox and not tag:replied",
                                   "tag:attachment" };
  const struct { NmSort sort; const char *cli; } sorts[] = {
    { NM_SORT_NEWEST_FIRST, "--sort=newest-first" },
    { NM_SORT_OLDEST_FIRST, "--sort=oldest-first" },
  };
  g_autoptr (JsonArray) show = nm_test_notmuch_json (fx->corpus, "show", "--format=json",
                                                     "--body=false", "--exclude=false",
                                                     "--entire-thread=true", "*", NULL);
  g_autoptr (GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  FileCounter counter = { files, by_id, NULL, 0, FALSE };
  guint n_partial = 0, n_threads = 0;

  nm_test_show_foreach (show, count_files_step, &counter);

  for (gsize q = 0; q < G_N_ELEMENTS (thread_queries); q++)
    for (gsize s = 0; s < G_N_ELEMENTS (sorts); s++)
      {
        g_autoptr (JsonArray) expected = nm_test_notmuch_json (fx->corpus, "search",
                                                               "--format=json", sorts[s].cli,
                                                               thread_queries[q], NULL);
        g_autoptr (NmQuery) query = nm_test_query_new (fx->db, thread_queries[q]);
        g_autoptr (NmThreads) threads = NULL;
        g_autoptr (GPtrArray) items = NULL;

        g_test_message ("query %s, %s", thread_queries[q], sorts[s].cli);
        /* Like the CLI: its config excludes these two tags. */
        nm_query_set_sort (query, sorts[s].sort);
        nm_test_query_exclude_cli_tags (query);
        threads = nm_test_search_threads (query);
        items = nm_test_collect (G_LIST_MODEL (threads));
        g_assert_cmpuint (items->len, ==, json_array_get_length (expected));

        for (guint i = 0; i < items->len; i++)
          {
            NmThread *thread = g_ptr_array_index (items, i);
            JsonObject *summary = json_array_get_object_element (expected, i);
            g_auto (GStrv) tags = nm_thread_get_tags (thread);
            g_auto (GStrv) expected_tags = nm_test_json_strv (summary, "tags");
            g_auto (GStrv) matched = nm_thread_get_matched_authors (thread);
            g_auto (GStrv) unmatched = nm_thread_get_unmatched_authors (thread);
            g_auto (GStrv) expected_matched = split_authors (nm_test_json_string (summary, "authors"), TRUE);
            g_auto (GStrv) expected_unmatched = split_authors (nm_test_json_string (summary, "authors"), FALSE);
            g_autoptr (NmMessages) members = nm_thread_get_messages (thread);
            g_autoptr (NmMessages) toplevel = nm_thread_get_toplevel_messages (thread);
            g_autoptr (NmMessage) first_top = g_list_model_get_item (G_LIST_MODEL (toplevel), 0);
            g_autofree char *prop_id = NULL;
            g_autofree char *prop_subject = NULL;
            g_autofree char *prop_authors = NULL;
            guint prop_total = 0, prop_matched = 0, prop_files = 0;
            gint64 prop_oldest = 0, prop_newest = 0;
            const char *first_id;
            gint64 timestamp = nm_test_json_int (summary, "timestamp");

            nm_test_assert_thread_counts (thread, summary);
            g_assert_cmpstr (nm_thread_get_subject (thread), ==,
                             nm_test_json_string (summary, "subject"));
            g_assert_cmpstr (nm_thread_get_authors (thread), ==,
                             nm_test_json_string (summary, "authors"));
            nm_test_assert_strv_equal (matched, expected_matched);
            nm_test_assert_strv_equal (unmatched, expected_unmatched);
            for (char **a = matched; *a != NULL; a++)
              {
                g_assert_false (g_strv_contains ((const char * const *) unmatched, *a));
                g_assert_false (g_strv_contains ((const char * const *) (a + 1), *a));
              }
            g_assert_cmpuint (g_strv_length (matched), >, 0);
            g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (members)), ==,
                              nm_thread_get_total_messages (thread));
            /* The CLI's timestamp is the newest date when sorting newest first, else the
             * oldest. */
            if (sorts[s].sort == NM_SORT_NEWEST_FIRST)
              g_assert_cmpint (nm_thread_get_newest_date (thread), ==, timestamp);
            else
              g_assert_cmpint (nm_thread_get_oldest_date (thread), ==, timestamp);
            g_assert_cmpint (nm_thread_get_oldest_date (thread), <=,
                             nm_thread_get_newest_date (thread));
            nm_test_assert_strv_equal (tags, expected_tags);
            if (nm_thread_get_matched_messages (thread) < nm_thread_get_total_messages (thread))
              n_partial++;
            n_threads++;

            /* Files: one per message, plus the second copy of the duplicate. */
            g_assert_nonnull (first_top);
            first_id = g_hash_table_lookup (by_id, nm_message_get_message_id (first_top));
            g_assert_nonnull (first_id);
            g_assert_cmpuint (nm_thread_get_total_files (thread), ==,
                              GPOINTER_TO_UINT (g_hash_table_lookup (files, first_id)));

            g_object_get (thread, "thread-id", &prop_id, "subject", &prop_subject,
                          "authors", &prop_authors, "total-messages", &prop_total,
                          "matched-messages", &prop_matched, "total-files", &prop_files,
                          "oldest-date", &prop_oldest, "newest-date", &prop_newest, NULL);
            g_assert_cmpstr (prop_id, ==, nm_thread_get_thread_id (thread));
            g_assert_cmpstr (prop_subject, ==, nm_thread_get_subject (thread));
            g_assert_cmpstr (prop_authors, ==, nm_thread_get_authors (thread));
            g_assert_cmpuint (prop_total, ==, nm_thread_get_total_messages (thread));
            g_assert_cmpuint (prop_matched, ==, nm_thread_get_matched_messages (thread));
            g_assert_cmpuint (prop_files, ==, nm_thread_get_total_files (thread));
            g_assert_cmpint (prop_oldest, ==, nm_thread_get_oldest_date (thread));
            g_assert_cmpint (prop_newest, ==, nm_thread_get_newest_date (thread));
          }
      }
  g_test_message ("%u threads checked, %u partly matched", n_threads, n_partial);
  g_assert_cmpuint (n_partial, >, 0);
}

/* Tag writes, checked in the library and, once committed, with the CLI. */
static void
test_tag_writes (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "tag:inbox", NULL);
  g_autofree char *id_query = nm_test_id_query (ids[0]);
  g_autoptr (NmMessage) message = NULL;
  g_auto (GStrv) before = NULL;
  g_auto (GStrv) snapshot = NULL;
  g_auto (GStrv) tags = NULL;
  char too_long[NM_TEST_TAG_MAX + 2];
  char longest[NM_TEST_TAG_MAX + 1];
  const char *invalid[] = { "", "bad\xff\xfe", too_long };
  const char *new_set[] = { "zeta", "alpha", "Beta", "ünïcode", "alpha", NULL };
  const char *sorted_set[] = { "Beta", "alpha", "zeta", "ünïcode", NULL };
  const char *with_invalid[] = { "fine", "", NULL };

  memset (too_long, 'x', sizeof too_long - 1);
  too_long[sizeof too_long - 1] = '\0';
  memset (longest, 'y', sizeof longest - 1);
  longest[sizeof longest - 1] = '\0';

  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  before = nm_message_get_tags (message);
  g_assert_true (g_strv_contains ((const char * const *) before, "inbox"));

  /* add / remove, and a snapshot taken earlier stays as it was. */
  snapshot = nm_message_get_tags (message);
  g_assert_true (nm_message_add_tag (message, "test-added", &error));
  g_assert_no_error (error);
  g_assert_true (nm_message_add_tag (message, "test-added", &error));
  g_assert_no_error (error);
  g_assert_true (nm_message_has_tag (message, "test-added"));
  nm_test_assert_strv_equal (snapshot, before);
  g_assert_false (g_strv_contains ((const char * const *) snapshot, "test-added"));
  g_assert_true (nm_message_remove_tag (message, "inbox", &error));
  g_assert_no_error (error);
  g_assert_true (nm_message_remove_tag (message, "never-there", &error));
  g_assert_no_error (error);
  g_assert_false (nm_message_has_tag (message, "inbox"));
  nm_test_assert_strv_equal (snapshot, before);
  tags = nm_message_get_tags (message);
  g_assert_true (g_strv_contains ((const char * const *) tags, "test-added"));
  g_assert_false (g_strv_contains ((const char * const *) tags, "inbox"));
  g_assert_cmpuint (g_strv_length (tags), ==, g_strv_length (before));
  g_clear_pointer (&tags, g_strfreev);

  /* The longest valid tag. */
  g_assert_true (nm_message_add_tag (message, longest, &error));
  g_assert_no_error (error);
  g_assert_true (nm_message_has_tag (message, longest));
  g_assert_true (nm_message_remove_tag (message, longest, &error));
  g_assert_no_error (error);

  /* Invalid tags: INVALID_TAG, and nothing changes. */
  g_clear_pointer (&snapshot, g_strfreev);
  snapshot = nm_message_get_tags (message);
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (nm_message_add_tag (message, invalid[i], &error));
      nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
      g_clear_error (&error);
      g_assert_false (nm_message_remove_tag (message, invalid[i], &error));
      nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
      g_clear_error (&error);
    }
  g_assert_false (nm_message_set_tags (message, with_invalid, &error));
  nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
  g_clear_error (&error);
  tags = nm_message_get_tags (message);
  nm_test_assert_strv_equal (tags, snapshot);
  g_clear_pointer (&tags, g_strfreev);

  /* set_tags: exactly the set, sorted, without duplicates. */
  g_assert_true (nm_message_set_tags (message, new_set, &error));
  g_assert_no_error (error);
  tags = nm_message_get_tags (message);
  nm_test_assert_strv_equal (tags, sorted_set);
  g_clear_pointer (&tags, g_strfreev);

  /* remove_all_tags */
  g_assert_true (nm_message_remove_all_tags (message, &error));
  g_assert_no_error (error);
  tags = nm_message_get_tags (message);
  g_assert_cmpuint (g_strv_length (tags), ==, 0);
  g_clear_pointer (&tags, g_strfreev);

  /* freeze / thaw, nested; an unbalanced thaw fails. */
  g_assert_true (nm_message_freeze (message, &error));
  g_assert_true (nm_message_freeze (message, &error));
  g_assert_true (nm_message_add_tag (message, "frozen-1", &error));
  g_assert_true (nm_message_add_tag (message, "frozen-2", &error));
  g_assert_true (nm_message_remove_tag (message, "frozen-1", &error));
  g_assert_true (nm_message_thaw (message, &error));
  g_assert_true (nm_message_thaw (message, &error));
  g_assert_no_error (error);
  g_assert_false (nm_message_thaw (message, &error));
  nm_test_assert_error_code (error, NM_ERROR_UNBALANCED_FREEZE_THAW);
  g_clear_error (&error);
  tags = nm_message_get_tags (message);
  {
    const char *expected[] = { "frozen-2", NULL };

    nm_test_assert_strv_equal (tags, expected);
  }
  g_clear_pointer (&tags, g_strfreev);

  /* A message reached through a thread can be tagged too. */
  {
    g_autofree char *thread_query = g_strdup_printf ("thread:%s",
                                                     nm_message_get_thread_id (message));
    g_autoptr (NmThreads) threads = nm_database_search_threads (fx->db, thread_query, &error);
    g_autoptr (NmThread) thread = NULL;
    g_autoptr (NmMessages) members = NULL;
    g_autoptr (GPtrArray) items = NULL;

    g_assert_no_error (error);
    thread = g_list_model_get_item (G_LIST_MODEL (threads), 0);
    members = nm_thread_get_messages (thread);
    items = nm_test_collect (G_LIST_MODEL (members));
    for (guint i = 0; i < items->len; i++)
      {
        NmMessage *member = g_ptr_array_index (items, i);

        g_assert_true (nm_message_add_tag (member, "thread-tagged", &error));
        g_assert_no_error (error);
        g_assert_true (nm_message_has_tag (member, "thread-tagged"));
      }
  }

  /* Written: close, then ask the CLI. */
  g_clear_object (&message);
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  {
    g_auto (GStrv) cli_tags = nm_test_notmuch_lines (fx->corpus, "search", "--output=tags",
                                                     "--exclude=false", id_query, NULL);
    const char *expected[] = { "frozen-2", "thread-tagged", NULL };

    nm_test_strv_sort (cli_tags);
    nm_test_assert_strv_equal (cli_tags, expected);
    g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "--exclude=false", "tag:thread-tagged",
                                             NULL), >=, 1);
    g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "--exclude=false", "tag:test-added",
                                             NULL), ==, 0);
  }

  /* A read-only database refuses tag writes. */
  g_clear_object (&fx->db);
  g_assert_null (fx->db_weak);
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_false (nm_message_add_tag (message, "read-only", &error));
  nm_test_assert_error_code (error, NM_ERROR_READ_ONLY_DATABASE);
  g_clear_error (&error);
  g_assert_false (nm_message_remove_all_tags (message, &error));
  nm_test_assert_error_code (error, NM_ERROR_READ_ONLY_DATABASE);
  g_clear_error (&error);
  {
    const char *expected[] = { "frozen-2", "thread-tagged", NULL };

    tags = nm_message_get_tags (message);
    nm_test_assert_strv_equal (tags, expected);
  }
}

/* Tag lists of a message, a thread and a message list are snapshots. */
static void
test_tag_snapshots (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*", NULL);
  g_autofree char *thread_query = NULL;
  g_autoptr (NmMessage) found = nm_database_find_message (fx->db, ids[0], &error);
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (NmThread) thread = NULL;
  g_autoptr (NmMessages) members = NULL;
  g_autoptr (NmMessage) member = NULL;
  g_auto (GStrv) thread_tags = NULL;
  g_auto (GStrv) collected = NULL;
  g_auto (GStrv) member_tags = NULL;
  g_auto (GStrv) thread_tags_after = NULL;
  g_auto (GStrv) member_tags_after = NULL;

  g_assert_no_error (error);
  thread_query = g_strdup_printf ("thread:%s", nm_message_get_thread_id (found));
  threads = nm_database_search_threads (fx->db, thread_query, &error);
  g_assert_no_error (error);
  thread = g_list_model_get_item (G_LIST_MODEL (threads), 0);
  members = nm_thread_get_messages (thread);
  for (guint i = 0; member == NULL; i++)
    {
      NmMessage *candidate = g_list_model_get_item (G_LIST_MODEL (members), i);

      g_assert_nonnull (candidate);
      if (g_strcmp0 (nm_message_get_message_id (candidate), ids[0]) == 0)
        member = candidate;
      else
        g_object_unref (candidate);
    }
  thread_tags = nm_thread_get_tags (thread);
  collected = nm_messages_collect_tags (members, &error);
  g_assert_no_error (error);
  nm_test_assert_strv_equal (collected, thread_tags);
  member_tags = nm_message_get_tags (member);

  /* Change the tags through the thread's own message object. */
  g_assert_true (nm_message_add_tag (member, "snapshot-new", &error));
  g_assert_no_error (error);
  member_tags_after = nm_message_get_tags (member);
  g_assert_true (g_strv_contains ((const char * const *) member_tags_after, "snapshot-new"));
  g_assert_false (g_strv_contains ((const char * const *) member_tags, "snapshot-new"));
  g_assert_false (g_strv_contains ((const char * const *) collected, "snapshot-new"));
  /* A live thread follows a tag change made through any object of the database: its tag
   * union gains the new tag, and nothing else changes. */
  thread_tags_after = nm_thread_get_tags (thread);
  g_assert_true (g_strv_contains ((const char * const *) thread_tags_after, "snapshot-new"));
  g_assert_cmpuint (g_strv_length (thread_tags_after), ==,
                    g_strv_length (thread_tags)
                    + !g_strv_contains ((const char * const *) thread_tags, "snapshot-new"));
  for (char **tag = thread_tags; *tag != NULL; tag++)
    g_assert_true (g_strv_contains ((const char * const *) thread_tags_after, *tag));
}

/* A property is one index term, "XPROPERTY<key>=<value>", of at most 245 bytes: longer ones
 * made libnotmuch exit.  Keys and values that are not UTF-8 are refused too. */
static void
test_property_limits (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const gsize fit = 245 - strlen ("XPROPERTY");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*", NULL);
  g_autoptr (NmMessage) message = nm_database_find_message (fx->db, ids[0], &error);
  const char *bad_utf8[][2] = { { "k\xff", "v" }, { "k", "v\xc3" } };

  g_assert_no_error (error);
  for (gsize total = fit - 1; total <= fit + 1; total++)
    {
      /* "key=v", with the key making up the length. */
      g_autofree char *key = g_strnfill (total - 2, 'k');
      g_auto (GStrv) values = NULL;
      gboolean fits = total <= fit;

      g_assert_cmpint (nm_message_add_property (message, key, "v", &error), ==, fits);
      if (!fits)
        {
          nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
          g_clear_error (&error);
        }
      g_assert_no_error (error);
      values = nm_message_get_property_values (message, key);
      g_assert_cmpuint (g_strv_length (values), ==, fits ? 1 : 0);
      g_assert_cmpint (nm_message_remove_property (message, key, "v", &error), ==, fits);
      if (!fits)
        nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
      g_clear_error (&error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad_utf8); i++)
    {
      g_assert_false (nm_message_add_property (message, bad_utf8[i][0], bad_utf8[i][1],
                                               &error));
      nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
      g_clear_error (&error);
      g_assert_false (nm_message_remove_property (message, bad_utf8[i][0], bad_utf8[i][1],
                                                  &error));
      nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
      g_clear_error (&error);
    }
  /* Every property that was added was removed again. */
  {
    g_auto (GStrv) left = nm_message_get_all_properties (message, NULL, FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (left), ==, 0);
  }
}

static const NmTestCase cases[] = {
  { "/message/accessors", test_message_accessors, NM_TEST_ON_SHARED },
  { "/message/flags", test_message_flags, NM_TEST_ON_SHARED },
  { "/message/reply-trees", test_reply_trees, NM_TEST_ON_SHARED },
  { "/message/tag-writes", test_tag_writes, NM_TEST_ON_COPY },
  { "/message/property-limits", test_property_limits, NM_TEST_ON_COPY },
  { "/message/tag-snapshots", test_tag_snapshots, NM_TEST_ON_COPY },
  { "/thread/accessors", test_thread_accessors, NM_TEST_ON_SHARED },
};

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);
  nm_test_add_cases (cases, G_N_ELEMENTS (cases));
  return nm_test_run ();
}
