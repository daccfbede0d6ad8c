/* test-fuzz-findings.c: regressions of the libFuzzer findings N1-N8 (issue 12;
 * /work/reports/fuzz-c.md, inputs in tests/fuzz/libfuzzer/corpus/).  Each test drives the
 * library with the input that broke it, on a private copy of the shared corpus, and checks
 * the outcome against the notmuch CLI where there is one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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

static const NmTestCase cases[] = {
  { "/fuzz-findings/n1/tag-messages-query-not-utf8", test_tag_messages_query_not_utf8,
    NM_TEST_ON_COPY },
  { "/fuzz-findings/n1/tag-messages-error-utf8", test_tag_messages_error_utf8,
    NM_TEST_ON_COPY },
  /*N4*/
};

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);
  nm_test_add_cases (cases, G_N_ELEMENTS (cases));
  return nm_test_run ();
}
