/* test-fuzz-findings.c: regressions of the libFuzzer findings N1-N11 (inputs in
 * tests/fuzz/libfuzzer/corpus/).  Each test drives the
 * library with the input that broke it, on a private copy of the shared corpus, and checks
 * the outcome against the notmuch CLI where there is one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-test-fixture.h"

/* The messages @query matches, excluded ones included, as the CLI counts them. */
static guint
cli_count (NmTestFixture *fx, const char *query)
{
  return nm_test_notmuch_count (fx->corpus, "--exclude=false", "--", query, NULL);
}

/* N1: a query that is not UTF-8 is refused as Query.new refuses it; nothing changes. */
static void
test_tag_messages_query_not_utf8 (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *add[] = { "fuzz-n1", NULL };
  const char *queries[] = { "\xff", "thread:{\xff", "tag:inbox and \xc3" };

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_cmpuint (nm_database_tag_messages (fx->db, queries[i], add, NULL, &error), ==, 0);
      g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  g_assert_cmpuint (cli_count (fx, "tag:fuzz-n1"), ==, 0);
}

/* N1: an error about a query quotes it as valid UTF-8. */
static void
test_tag_messages_error_utf8 (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *add[] = { "fuzz-n1", NULL };
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (nm_database_tag_messages (fx->db, "thread:{", add, NULL, &error), ==, 0);
  g_assert_nonnull (error);
  g_assert_true (error->domain == NM_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* tag_messages (@query, +@tag) changes exactly the messages @query matches (none has @tag),
 * as the CLI finds them before and after. */
static void
expect_tags_what_query_matches (NmTestFixture *fx, const char *query, const char *tag)
{
  const char *add[] = { tag, NULL };
  g_autofree char *tagged = g_strdup_printf ("tag:\"%s\"", tag);
  g_autoptr (GError) error = NULL;
  guint matching = cli_count (fx, query);
  guint changed;

  g_assert_cmpuint (cli_count (fx, tagged), ==, 0);
  changed = nm_database_tag_messages (fx->db, query, add, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, matching);
  g_assert_cmpuint (cli_count (fx, tagged), ==, matching);
}

/* N2: an unbalanced parenthesis in the query does not escape into the tag terms. */
static void
test_tag_messages_parenthesis (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_assert_cmpuint (cli_count (fx, "tag:inbox"), >, 0);
  expect_tags_what_query_matches (fx, "tag:nosuchtag) or (tag:inbox", "fuzz-n2");
}

/* N2: an unbalanced quote does not swallow the tag terms into a phrase. */
static void
test_tag_messages_quote (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  expect_tags_what_query_matches (fx, "\"", "fuzz-n2");
  expect_tags_what_query_matches (fx, "tag:inbox and \"and", "fuzz-n2b");
}

/* N3: a tag ending in '/' is added to messages carrying the tag without it, and removing
 * such a tag that no message carries changes nothing. */
static void
test_tag_messages_trailing_slash (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *add[] = { "inbox/", NULL };
  const char *remove_absent[] = { "inbox//", NULL };
  g_autoptr (GError) error = NULL;
  guint all = cli_count (fx, "*");

  g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", add, NULL, &error), ==, all);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", add, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", NULL, remove_absent, &error), ==,
                    0);
  g_assert_no_error (error);
}

/* N3: the count is of the messages changed: removing "unread/" (which none carries) from
 * every message changes none, although libnotmuch reads tag:"unread/" as tag:unread. */
static void
test_tag_messages_count (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *remove[] = { "unread/", NULL };
  const char *add[] = { "inbox", NULL };
  g_autoptr (GError) error = NULL;
  guint inbox = cli_count (fx, "tag:inbox");

  g_assert_cmpuint (cli_count (fx, "tag:unread"), >, 0);
  g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", NULL, remove, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", add, NULL, &error), ==,
                    cli_count (fx, "*") - inbox);
  g_assert_no_error (error);
}

/* Every non-alphanumeric byte of @text as %XX, as the dump format allows. */
static char *
dump_encode (const char *text)
{
  GString *encoded = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    if (g_ascii_isalnum (*c))
      g_string_append_c (encoded, *c);
    else
      g_string_append_printf (encoded, "%%%02x", (guchar) *c);
  return g_string_free (encoded, FALSE);
}

/* The Message-ID of one message of the corpus. */
static char *
some_message_id (NmTestFixture *fx)
{
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "--exclude=false", "--limit=1",
                                                "*", NULL);

  g_assert_nonnull (ids[0]);
  return g_strdup (ids[0]);
}

/* N4: a property key or value that is not UTF-8 is refused, and nothing is stored. */
static void
test_property_not_utf8_refused (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autofree char *id = some_message_id (fx);
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = nm_database_find_message (fx->db, id, &error);
  const char *pairs[][2] = { { "k", "\xff" }, { "\xff", "v" }, { "k\xc3", "v" } };

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_assert_false (nm_message_add_property (message, pairs[i][0], pairs[i][1], &error));
      g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
      g_assert_false (nm_message_remove_property (message, pairs[i][0], pairs[i][1], &error));
      g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_cmpuint (nm_message_count_properties (message, "k", &error), ==, 0);
  g_assert_no_error (error);
}

/* N4: a property that is not UTF-8, stored by `notmuch restore`, is handed out as valid
 * UTF-8 by the getters. */
static void
test_property_not_utf8_read (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autofree char *id = some_message_id (fx);
  g_autofree char *encoded = dump_encode (id);
  g_autofree char *dump = g_strdup_printf ("#= %s k=%%ff%%fex\n", encoded);
  g_autofree char *file = g_build_filename (fx->corpus->root, "properties.dump", NULL);
  g_autofree char *input = g_strdup_printf ("--input=%s", file);
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_auto (GStrv) values = NULL;
  g_auto (GStrv) pairs = NULL;

  g_assert_true (g_file_set_contents (file, dump, -1, &error));
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  out = nm_test_notmuch (fx->corpus, "restore", "--include=properties", input, NULL);
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  message = nm_database_find_message (fx->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_message_count_properties (message, "k", &error), ==, 1);
  values = nm_message_get_property_values (message, "k");
  g_assert_cmpuint (g_strv_length (values), ==, 1);
  g_assert_true (g_utf8_validate (values[0], -1, NULL));
  g_assert_true (g_str_has_suffix (values[0], "x"));
  /* U+FFFD replaces the bytes that are not UTF-8: restore did store them. */
  g_assert_nonnull (strstr (values[0], "\xef\xbf\xbd"));
  pairs = nm_message_get_all_properties (message, "k", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (pairs), ==, 1);
  g_assert_true (g_utf8_validate (pairs[0], -1, NULL));
  g_assert_true (g_str_has_prefix (pairs[0], "k="));
}

/* N5: a configuration key or value that is not UTF-8 is refused, through both setters; the
 * error refusing a bad database.autocommit is UTF-8. */
static void
test_config_not_utf8_refused (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *pairs[][2] = { { "user.name", "\xff" }, { "x\xff.y", "v" },
                             { "database.autocommit", "\xff" }, { "squery.A\xc3", "(tag a)" } };
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_assert_false (nm_database_set_config (fx->db, pairs[i][0], pairs[i][1], &error));
      g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  g_assert_false (nm_database_set_config_value (fx->db, NM_CONFIG_KEY_USER_NAME, "a\xff",
                                                &error));
  g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);
  name = nm_database_get_config (fx->db, "user.name", &error);
  g_assert_no_error (error);
  g_assert_true (name == NULL || g_utf8_validate (name, -1, NULL));
}

/* N5: values that are not UTF-8, stored by the CLI, reach every getter as valid UTF-8. */
static void
test_config_not_utf8_read (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *set_name[] = { "config", "set", "--database", "fuzz.name", "\xff" "ab", NULL };
  const char *set_other[] = { "config", "set", "--database", "user.other_email",
                              "a@example.org;\xff" "b@example.org", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) list = NULL;
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  g_auto (GStrv) tags = NULL;
  GHashTableIter iter;
  gpointer key, item;

  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  g_assert_true (nm_test_notmuch_argv (fx->corpus, set_name, NULL, NULL));
  g_assert_true (nm_test_notmuch_argv (fx->corpus, set_other, NULL, NULL));
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);

  name = nm_database_get_config (fx->db, "fuzz.name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "\xef\xbf\xbd" "ab");
  value = nm_database_get_config_value (fx->db, NM_CONFIG_KEY_OTHER_EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "a@example.org;\xef\xbf\xbd" "b@example.org");
  tags = nm_database_get_config_values (fx->db, NM_CONFIG_KEY_OTHER_EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 2);
  g_assert_cmpstr (tags[1], ==, "\xef\xbf\xbd" "b@example.org");
  list = nm_database_get_config_list (fx->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (list, "fuzz.name"), ==, "\xef\xbf\xbd" "ab");
  g_hash_table_iter_init (&iter, list);
  while (g_hash_table_iter_next (&iter, &key, &item))
    g_assert_true (g_utf8_validate (key, -1, NULL) && g_utf8_validate (item, -1, NULL));
}

/* Asserts that set_config (@key, @value) is refused with ILLEGAL_ARGUMENT, and that
 * nothing was stored. */
static void
expect_config_refused (NmTestFixture *fx, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stored = NULL;

  g_assert_false (nm_database_set_config (fx->db, key, value, &error));
  g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  stored = nm_database_get_config (fx->db, key, &error);
  g_assert_no_error (error);
  g_assert_null (stored);
}

/* Stores @key = @value with the CLI, which checks less than the library. */
static void
cli_set_config (NmTestFixture *fx, const char *key, const char *value)
{
  const char *args[] = { "config", "set", "--database", key, value, NULL };
  g_autofree char *err = NULL;

  if (!nm_test_notmuch_argv (fx->corpus, args, NULL, &err))
    g_error ("notmuch config set %s: %s", key, err);
}

/* Counts @text (an s-expression if @sexp) and expects BAD_QUERY_SYNTAX. */
static void
expect_query_refused (NmTestFixture *fx, const char *text, gboolean sexp)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_query_new_with_syntax (fx->db, text,
                                                        sexp ? NM_QUERY_SYNTAX_SEXP
                                                             : NM_QUERY_SYNTAX_XAPIAN,
                                                        &error);

  g_assert_no_error (error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  g_assert_error (error, NM_ERROR, NM_ERROR_BAD_QUERY_SYNTAX);
}

/* N6: a saved s-expression query must be a list starting with a name, under a name the CLI
 * accepts. */
static void
test_saved_sexp_shape (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = NULL;
  const char *bad[] = { "a", "()", "((tag inbox))", "(tag inbox", "\"(tag inbox)\"" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_config_refused (fx, "squery.Mine", bad[i]);
  expect_config_refused (fx, "squery.mine", "(tag inbox)");
  expect_config_refused (fx, "squery.", "(tag inbox)");
  expect_config_refused (fx, "squery.My-Query", "(tag inbox)");

  g_assert_true (nm_database_set_config (fx->db, "squery.Mine", "(tag inbox)", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_set_config (fx->db, "squery.Macro", "(macro (t) (tag ,t))",
                                         &error));
  g_assert_no_error (error);
  query = nm_query_new_with_syntax (fx->db, "(and (Mine) (Macro inbox))", NM_QUERY_SYNTAX_SEXP,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, cli_count (fx, "tag:inbox"));
  g_assert_no_error (error);
  g_assert_true (nm_database_set_config (fx->db, "squery.Mine", "", &error));
  g_assert_no_error (error);
}

/* N6: the same values stored by the CLI are refused when a query uses them. */
static void
test_saved_sexp_shape_from_cli (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  cli_set_config (fx, "squery.Atom", "a");
  cli_set_config (fx, "squery.Empty", "()");
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  expect_query_refused (fx, "(Atom)", TRUE);
  expect_query_refused (fx, "(Empty)", TRUE);
  expect_query_refused (fx, "sexp:(Atom)", FALSE);
}

/* N7: saved and named queries that use themselves are refused when stored. */
static void
test_recursive_queries_refused (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;

  expect_config_refused (fx, "squery.Loop", "(Loop)");
  expect_config_refused (fx, "squery.Loop", "(or (tag inbox) (and (Loop)))");
  expect_config_refused (fx, "query.a", "query:a");
  g_assert_true (nm_database_set_config (fx->db, "query.a", "query:b", &error));
  g_assert_no_error (error);
  expect_config_refused (fx, "query.b", "tag:inbox or query:a");
  g_assert_true (nm_database_set_config (fx->db, "squery.A", "(B)", &error));
  g_assert_no_error (error);
  expect_config_refused (fx, "squery.B", "(A)");
  /* Through both syntaxes: B -> query c -> sexp:(B). */
  g_assert_true (nm_database_set_config (fx->db, "query.c", "sexp:\"(B)\"", &error));
  g_assert_no_error (error);
  expect_config_refused (fx, "squery.B", "(query c)");
  /* Macros that call themselves, with or without their parameters. */
  expect_config_refused (fx, "squery.M", "(macro (x) (M ,x))");
  expect_config_refused (fx, "squery.M", "(macro (x y) (and (tag ,x) (M ,y ,x)))");
  g_assert_true (nm_database_set_config (fx->db, "squery.P", "(macro (x) (Q ,x))", &error));
  g_assert_no_error (error);
  expect_config_refused (fx, "squery.Q", "(macro (y) (or (tag ,y) (P ,y)))");
  g_assert_true (nm_database_set_config (fx->db, "squery.Q", "(macro (y) (tag ,y))", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "sexp:\"(P inbox)\"", &error), ==, nm_test_notmuch_count (fx->corpus, "tag:inbox", NULL));
  g_assert_no_error (error);
  /* A chain that ends is fine. */
  g_assert_true (nm_database_set_config (fx->db, "query.b", "tag:inbox", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "query:a", &error), ==,
                    nm_test_notmuch_count (fx->corpus, "tag:inbox", NULL));
  g_assert_no_error (error);
}

/* N7: cycles stored by the CLI are refused when a query follows them. */
static void
test_recursive_queries_from_cli (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  cli_set_config (fx, "query.a", "query:b");
  cli_set_config (fx, "query.b", "query:a");
  cli_set_config (fx, "squery.Loop", "(Loop)");
  cli_set_config (fx, "squery.Ping", "(Pong)");
  cli_set_config (fx, "squery.Pong", "(or (tag x) (Ping))");
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  expect_query_refused (fx, "query:a", FALSE);
  expect_query_refused (fx, "(Loop)", TRUE);
  expect_query_refused (fx, "(Ping)", TRUE);
  expect_query_refused (fx, "(query a)", TRUE);
}

/* N8: index.header.<name> takes only names the CLI takes: `tag` would make every later
 * open of the database fail. */
static void
test_header_field_names (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  const char *bad[] = { "index.header.tag", "index.header.from", "index.header.",
                        "index.header.X-Tag", "index.header.A.B", "index.header.A B" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_config_refused (fx, bad[i], "X-Tag");
  g_assert_true (nm_database_set_config (fx->db, "index.header.List", "List-Id", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_set_config (fx->db, "index.header.Ünï_2", "X-Other", &error));
  g_assert_no_error (error);
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==,
                    nm_test_notmuch_count (fx->corpus, "*", NULL));
  g_assert_no_error (error);
}

/* N10: a word outside any field is searched in every field, so a phrase of many words there
 * is as many terms in each: 112 KiB of them took 40 s under AddressSanitizer.  Each word
 * counts against the element limit once per field. */
static void
test_long_phrase_outside_fields (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GString) phrase = g_string_new ("\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = NULL;

  /* 14 fields: 142 words are 1,988 elements, 143 words 2,002. */
  for (guint i = 0; i < 142; i++)
    g_string_append (phrase, "word ");
  g_string_append_c (phrase, '"');
  query = nm_query_new_with_syntax (fx->db, phrase->str, NM_QUERY_SYNTAX_SEXP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  g_assert_no_error (error);

  g_string_insert (phrase, 1, "word ");
  expect_query_refused (fx, phrase->str, TRUE);
  /* Inside a field a phrase is searched once, and its words are not limited. */
  g_string_assign (phrase, "(subject \"");
  for (guint i = 0; i < 10000; i++)
    g_string_append (phrase, "word ");
  g_string_append (phrase, "\")");
  g_clear_object (&query);
  query = nm_query_new_with_syntax (fx->db, phrase->str, NM_QUERY_SYNTAX_SEXP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  g_assert_no_error (error);
}

/* N11: a field marked with + or - at the start of a query or group, whose value libnotmuch
 * cannot parse, corrupts Xapian's query parser (the CLI crashes); it fails as the unmarked
 * field does.  Marked fields that parse run as the CLI runs them. */
static void
test_marked_field_that_fails (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  const char *failing[] = { "-date:garbage", "ue(((+sexp:(", "ue((\x1e+sexp:(", "(+thread:{",
                            "+subject:/(/", "++=sexp:(-attat)" };
  const char *parsing[] = { "-tag:inbox", "+tag:inbox -tag:unread", "(-tag:unread)" };

  for (gsize i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_cmpuint (nm_database_count_messages (fx->db, failing[i], &error), ==, 0);
      g_assert_error (error, NM_ERROR, NM_ERROR_XAPIAN_EXCEPTION);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (parsing); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NmQuery) query = nm_query_new (fx->db, parsing[i], &error);

      g_assert_cmpuint (nm_query_count_messages (query, &error), ==,
                        cli_count (fx, parsing[i]));
      g_assert_no_error (error);
    }
}

static const NmTestCase cases[] = {
  { "/fuzz-findings/n1/tag-messages-query-not-utf8", test_tag_messages_query_not_utf8,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n1/tag-messages-error-utf8", test_tag_messages_error_utf8,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n2/tag-messages-parenthesis", test_tag_messages_parenthesis,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n2/tag-messages-quote", test_tag_messages_quote, NM_TEST_ON_COPY },
  { "/fuzz-findings/n3/tag-messages-trailing-slash", test_tag_messages_trailing_slash,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n3/tag-messages-count", test_tag_messages_count, NM_TEST_ON_COPY },
  { "/fuzz-findings/n4/property-not-utf8-refused", test_property_not_utf8_refused,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n4/property-not-utf8-read", test_property_not_utf8_read,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n5/config-not-utf8-refused", test_config_not_utf8_refused,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n5/config-not-utf8-read", test_config_not_utf8_read, NM_TEST_ON_COPY },
  { "/fuzz-findings/n6/saved-sexp-shape", test_saved_sexp_shape, NM_TEST_ON_COPY },
  { "/fuzz-findings/n6/saved-sexp-shape-from-cli", test_saved_sexp_shape_from_cli,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n7/recursive-queries-refused", test_recursive_queries_refused,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n7/recursive-queries-from-cli", test_recursive_queries_from_cli,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n8/header-field-names", test_header_field_names, NM_TEST_ON_COPY },
  { "/fuzz-findings/n10/long-phrase-outside-fields", test_long_phrase_outside_fields,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n11/marked-field-that-fails", test_marked_field_that_fails,
    NM_TEST_ON_COPY },
};

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);
  nm_test_add_cases (cases, G_N_ELEMENTS (cases));
  return nm_test_run ();
}
