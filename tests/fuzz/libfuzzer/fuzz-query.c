/* fuzz-query.c: query strings in both syntaxes
 *
 * Input: a flags byte, a repeat byte, the query string (or with nesting, a prefix, a middle
 * and a suffix), then optionally a tag to exclude.
 *   flags bit 0: s-expression syntax (else Xapian's)
 *         bit 1: the read-only handle (else the read-write one)
 *         bits 2-4: what to run (counts on both handles, which must agree, message walks,
 *           thread walks, the database shortcuts)
 *         bits 5-6: sort order; bit 7 with the next byte's top bits: exclude mode
 *   repeat byte: if bits 3-5 are all set, the query is the prefix repeated 8^n times, n
 *     being bits 0-2, the middle, then the suffix as many times (deep nesting, long terms),
 *     up to a size limit; bits 6-7: the rest of the exclude mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz-common.h"

/* Room for the nesting depth that overflows libnotmuch's s-expression parser under
 * AddressSanitizer (between 12,000 and 25,000 levels of "(and ").  Xapian's parser takes
 * about a second per thousand terms under AddressSanitizer, so classic queries stay short
 * enough for the timeout. */
#define SEXP_QUERY_MAX (192 * 1024)
#define XAPIAN_QUERY_MAX 1024

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  nm_fuzz_fixture_get ();
  return 0;
}

/* The query string, or with the nesting bits of @repeat set, a prefix, a middle and a
 * suffix, the prefix and suffix repeated around the middle. */
static char *
take_query (NmFuzzInput *input, guint8 repeat, gsize max)
{
  g_autofree char *prefix = nm_fuzz_input_string (input);
  g_autofree char *middle = NULL;
  g_autofree char *suffix = NULL;

  if ((repeat & 0x38) != 0x38)
    return g_steal_pointer (&prefix);
  middle = nm_fuzz_input_string (input);
  suffix = nm_fuzz_input_string (input);
  /* Only balanced nesting needs the full length; a long atom costs libsexp seconds. */
  if (suffix[0] == '\0')
    max = MIN (max, XAPIAN_QUERY_MAX * 16);
  return nm_fuzz_nest (prefix, middle, suffix, repeat & 7, max);
}

/* @query's settings on @database. */
static NmQuery *
twin_query (NmQuery *query, NmDatabase *database)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) excluded = nm_query_get_excluded_tags (query);
  NmQuery *twin = nm_query_new_with_syntax (database, nm_query_get_query_string (query),
                                            nm_query_get_syntax (query), &error);

  if (twin == NULL)
    nm_fuzz_fail ("a query one handle takes, the other refuses: %s", error->message);
  nm_query_set_sort (twin, nm_query_get_sort (query));
  nm_query_set_exclude (twin, nm_query_get_exclude (query));
  for (guint i = 0; excluded[i] != NULL; i++)
    if (!nm_query_add_tag_exclude (twin, excluded[i], &error))
      nm_fuzz_fail ("cannot exclude \"%s\" again: %s", excluded[i], error->message);
  return twin;
}

/* Counts on @query, and the same query on @other: both handles see the same committed
 * database, so they must agree. */
static void
count_on_both (NmQuery *query, NmDatabase *other)
{
  g_autoptr (NmQuery) twin = twin_query (query, other);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) twin_error = NULL;
  guint count, twin_count;

  count = nm_query_count_messages (query, &error);
  twin_count = nm_query_count_messages (twin, &twin_error);
  if ((error == NULL) != (twin_error == NULL) || count != twin_count)
    nm_fuzz_fail ("the read-write and read-only handles count %u%s and %u%s messages", count,
                  error != NULL ? " (failed)" : "", twin_count,
                  twin_error != NULL ? " (failed)" : "");
  nm_fuzz_check_error (&error, "nm_query_count_messages");
  nm_fuzz_check_error (&twin_error, "nm_query_count_messages");

  count = nm_query_count_threads (query, &error);
  twin_count = nm_query_count_threads (twin, &twin_error);
  if ((error == NULL) != (twin_error == NULL) || count != twin_count)
    nm_fuzz_fail ("the read-write and read-only handles count %u%s and %u%s threads", count,
                  error != NULL ? " (failed)" : "", twin_count,
                  twin_error != NULL ? " (failed)" : "");
  nm_fuzz_check_error (&error, "nm_query_count_threads");
  nm_fuzz_check_error (&twin_error, "nm_query_count_threads");
}

static void
run_query (NmQuery *query, NmDatabase *other, guint what)
{
  g_autoptr (GError) error = NULL;

  switch (what)
    {
    case 0:
      count_on_both (query, other);
      break;
    case 1:
    case 2:
      {
        g_autoptr (NmMessages) messages = nm_query_search_messages (query, &error);
        g_auto (GStrv) tags = NULL;

        nm_fuzz_check_result (messages != NULL, &error, "nm_query_search_messages");
        if (messages == NULL)
          break;
        nm_fuzz_walk_messages (messages, what == 1 ? 3 : 100);
        tags = nm_messages_collect_tags (messages, &error);
        nm_fuzz_check_result (tags != NULL, &error, "nm_messages_collect_tags");
        nm_fuzz_check_strv_utf8 (tags, "a collected tag");
        break;
      }
    default:
      {
        g_autoptr (NmThreads) threads = nm_query_search_threads (query, &error);

        nm_fuzz_check_result (threads != NULL, &error, "nm_query_search_threads");
        if (threads != NULL)
          nm_fuzz_walk_threads (threads, what == 3 ? 2 : 100);
        break;
      }
    }
}

static void
run_shortcut (NmDatabase *database, const char *text, guint what)
{
  g_autoptr (GError) error = NULL;

  switch (what)
    {
    case 5:
      nm_database_count_messages (database, text, &error);
      nm_fuzz_check_error (&error, "nm_database_count_messages");
      nm_database_count_threads (database, text, &error);
      nm_fuzz_check_error (&error, "nm_database_count_threads");
      break;
    case 6:
      {
        g_autoptr (NmMessages) messages = nm_database_search_messages (database, text, &error);

        nm_fuzz_check_result (messages != NULL, &error, "nm_database_search_messages");
        if (messages != NULL)
          nm_fuzz_walk_messages (messages, 3);
        break;
      }
    default:
      {
        g_autoptr (NmThreads) threads = nm_database_search_threads (database, text, &error);

        nm_fuzz_check_result (threads != NULL, &error, "nm_database_search_threads");
        if (threads != NULL)
          nm_fuzz_walk_threads (threads, 2);
        break;
      }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  NmFuzzFixture *fixture = nm_fuzz_fixture_get ();
  NmFuzzInput input = { data, size };
  guint8 flags = nm_fuzz_input_byte (&input);
  guint8 repeat = nm_fuzz_input_byte (&input);
  NmQuerySyntax syntax = (flags & 1) ? NM_QUERY_SYNTAX_SEXP : NM_QUERY_SYNTAX_XAPIAN;
  guint what = (flags >> 2) & 7;
  g_autofree char *text = take_query (&input, repeat,
                                      syntax == NM_QUERY_SYNTAX_SEXP && what < 5
                                      ? SEXP_QUERY_MAX : XAPIAN_QUERY_MAX);
  g_autofree char *excluded = nm_fuzz_input_string (&input);
  NmDatabase *database = (flags & 2) ? fixture->reader : fixture->database;
  g_autoptr (NmQuery) query = NULL;
  g_autoptr (GError) error = NULL;

  nm_fuzz_begin ();
  if (what >= 5)
    {
      /* The shortcuts take the classic syntax only. */
      run_shortcut (database, text, what);
      nm_fuzz_end ();
      return 0;
    }

  query = nm_query_new_with_syntax (database, text, syntax, &error);
  nm_fuzz_check_result (query != NULL, &error, "nm_query_new_with_syntax");
  if (query != NULL)
    {
      nm_query_set_sort (query, (NmSort) ((flags >> 5) & 3));
      nm_query_set_exclude (query, (NmExclude) (((flags >> 7) | (repeat >> 6 << 1)) & 3));
      if (excluded[0] != '\0')
        {
          gboolean ok = nm_query_add_tag_exclude (query, excluded, &error);

          if (ok != nm_fuzz_tag_is_valid (excluded))
            nm_fuzz_fail ("nm_query_add_tag_exclude: %s a tag it should %s", ok ? "took" : "refused",
                          ok ? "refuse" : "take");
          nm_fuzz_check_result (ok, &error, "nm_query_add_tag_exclude");
        }
      run_query (query, database == fixture->reader ? fixture->database : fixture->reader,
                 what);
    }
  nm_fuzz_end ();
  return 0;
}
