/* nm-test-fixture.h: the test-utility library of the C tests (libnm-test-fixture.a)
 *
 * A test program generates one corpus (tests/nmcorpus.py, then `notmuch new`) the first time
 * a test asks for it, and every test that writes works on its own copy.  The notmuch CLI is
 * the oracle: helpers run it on a corpus and return its output, its JSON parsed by json-glib.
 *
 * The environment (set by tests/meson.build, with defaults for running a test by hand):
 * NMCORPUS (the generator), PYTHON (to run it), NOTMUCH (the CLI).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <notmuch-glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *root;    /* a temporary directory holding everything below */
  char *mail;    /* root/mail: the mail root, holding the database in .notmuch */
  char *config;  /* root/notmuch-config */
} NmTestCorpus;

/* libnotmuch's NOTMUCH_TAG_MAX: the longest tag in bytes. */
#define NM_TEST_TAG_MAX 200

/* libnotmuch replaces Message-IDs longer than this by "notmuch-sha1-<hash>". */
#define NM_TEST_MESSAGE_ID_MAX 189

/* How many mail files the generator writes for the shared corpus (one message is stored
 * in two of them). */
#define NM_TEST_CORPUS_MESSAGES 120

/* g_test_init() plus a clean notmuch environment (no NOTMUCH_CONFIG and friends). */
void nm_test_init (int *argc, char ***argv);
/* g_test_run(), then removes the shared corpus. */
int nm_test_run (void);

/* The corpus shared by the tests of this program: generated on first use, read-only by
 * convention.  Beyond what the generator writes, two single-message threads carry the tag
 * "spam" and the second message of the first thread with at least 3 messages carries
 * "deleted" (both in search.exclude_tags), so exclusion is always exercised. */
const NmTestCorpus *nm_test_corpus_shared (void);
/* A new corpus of @n_messages mail files, indexed, without the tags nm_test_corpus_shared()
 * adds. */
NmTestCorpus *nm_test_corpus_generate (guint n_messages);
/* A private copy of @source (files, database and a config pointing at the copy). */
NmTestCorpus *nm_test_corpus_copy (const NmTestCorpus *source);
/* A writable copy of the shared corpus. */
NmTestCorpus *nm_test_corpus_copy_shared (void);
/* Removes the corpus's files. */
void nm_test_corpus_free (NmTestCorpus *corpus);

/* Opens the corpus's database with its config file; asserts success. */
NmDatabase *nm_test_corpus_open (const NmTestCorpus *corpus, NmDatabaseMode mode);

/* The GTest fixture of most tests: a database open read-only on the shared corpus, or
 * read-write on a private copy of it.  The teardown asserts that dropping the fixture's
 * reference finalizes the database: a test that leaks a reference to anything derived from
 * the database fails. */
typedef struct
{
  NmTestCorpus *copy;          /* the private copy, for tests that write; else NULL */
  const NmTestCorpus *corpus;  /* the shared corpus, or copy */
  NmDatabase *db;
  gpointer db_weak;            /* db, until it is finalized */
} NmTestFixture;

void nm_test_fixture_setup_shared (NmTestFixture *fx, gconstpointer data);
void nm_test_fixture_setup_copy (NmTestFixture *fx, gconstpointer data);
void nm_test_fixture_teardown (NmTestFixture *fx, gconstpointer data);
/* Closes the fixture's database if it has one, asserts that it is finalized, and opens it
 * again in @mode. */
void nm_test_fixture_reopen (NmTestFixture *fx, NmDatabaseMode mode);

/* Where a test runs: on the shared corpus, or on a private copy (a test that writes). */
typedef enum
{
  NM_TEST_ON_SHARED,
  NM_TEST_ON_COPY,
} NmTestCorpusUse;

typedef struct
{
  const char *path;
  void (*func) (NmTestFixture *fx, gconstpointer data);
  NmTestCorpusUse corpus;
} NmTestCase;

/* Registers every test of @cases with the fixture. */
void nm_test_add_cases (const NmTestCase *cases, gsize n_cases);

/* A query on @db; asserts success. */
NmQuery *nm_test_query_new (NmDatabase *db, const char *string);
/* Excludes the tags every generated corpus's config lists in search.exclude_tags ("deleted" and
 * "spam"), as the CLI does. */
void nm_test_query_exclude_cli_tags (NmQuery *query);
/* The query's messages or threads; asserts success. */
NmMessages *nm_test_search_messages (NmQuery *query);
NmThreads *nm_test_search_threads (NmQuery *query);
/* Every item of @model, read in order with get_item() until it returns NULL.  Asserts that
 * the walk ends at the model's length. */
GPtrArray *nm_test_collect (GListModel *model);

/* Runs the notmuch CLI on @corpus (NOTMUCH_CONFIG=corpus->config, without LD_PRELOAD).
 * Returns TRUE if it exited with status 0; @out and @err receive its output. */
gboolean nm_test_notmuch_argv (const NmTestCorpus  *corpus,
                               const char * const  *args,
                               char               **out,
                               char               **err);
/* Runs the CLI with NULL-terminated arguments, asserts success and returns stdout. */
char *nm_test_notmuch (const NmTestCorpus *corpus, const char *first, ...) G_GNUC_NULL_TERMINATED;
/* The same, split into lines (no empty lines). */
char **nm_test_notmuch_lines (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
/* The same, parsed as JSON; asserts that it is an array (as every --format=json output the
 * tests read: `notmuch search` and `notmuch show`). */
JsonArray *nm_test_notmuch_json (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
/* `notmuch search OUTPUT ARGS...`, each line without @prefix (which it asserts). */
char **nm_test_cli_ids (const NmTestCorpus *corpus, const char *output, const char *prefix,
                        const char *first, ...) G_GNUC_NULL_TERMINATED;
/* `notmuch search --output=messages ARGS...` without the "id:" prefixes. */
#define nm_test_cli_message_ids(corpus, ...) \
  nm_test_cli_ids ((corpus), "--output=messages", "id:", __VA_ARGS__)
/* `notmuch search --output=threads ARGS...` without the "thread:" prefixes. */
#define nm_test_cli_thread_ids(corpus, ...) \
  nm_test_cli_ids ((corpus), "--output=threads", "thread:", __VA_ARGS__)
/* `notmuch count ARGS...` as a number. */
guint nm_test_notmuch_count (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;

/* Members of a JSON object of the CLI's output: they assert that the member exists and has
 * the type. */
const char *nm_test_json_string (JsonObject *object, const char *key);
gint64 nm_test_json_int (JsonObject *object, const char *key);
gboolean nm_test_json_boolean (JsonObject *object, const char *key);
/* An array of strings as a new GStrv, in order. */
char **nm_test_json_strv (JsonObject *object, const char *key);
/* A header of a message of `notmuch show --format=json`, or NULL if it has none. */
const char *nm_test_json_header (JsonObject *message, const char *name);
/* Asserts that @thread has the id and the matched and total message counts of @summary, a
 * thread of `notmuch search --format=json`. */
void nm_test_assert_thread_counts (NmThread *thread, JsonObject *summary);

/* `notmuch show --format=json --body=false --exclude=false '*'`: every message of @corpus,
 * without bodies. */
JsonArray *nm_test_show_all (const NmTestCorpus *corpus);
/* Calls @func for every message of `notmuch show --format=json` output, depth first, with
 * its depth in the reply tree and the index of its thread in @show. */
typedef void (*NmTestShowFunc) (JsonObject *message, guint depth, guint thread_index,
                                gpointer user_data);
void nm_test_show_foreach (JsonArray *show, NmTestShowFunc func, gpointer user_data);
/* Message id → message object (borrowed from @show) for every message of @show. */
GHashTable *nm_test_show_index (JsonArray *show);

/* Message ids that the corpus's mails refer to (In-Reply-To, References) but that no
 * indexed message has: the ghosts.  Sorted. */
char **nm_test_corpus_ghost_ids (const NmTestCorpus *corpus);
/* The id of a message stored in two or more files; asserts there is one. */
char *nm_test_corpus_duplicate_id (const NmTestCorpus *corpus);

/* A query for one message id: id:"<id>", quoted as notmuch's query parser wants. */
char *nm_test_id_query (const char *message_id);
/* A query for that message if it carries @tag. */
char *nm_test_id_tag_query (const char *message_id, const char *tag);

/* The value of a header of a mail file, unfolded and undecoded, or NULL. */
char *nm_test_mail_header (const char *filename, const char *name);
/* Writes a small mail file @directory/@name (making @directory), dated
 * Tue, 01 Jun 2021 10:00:00 +0000 (1622541600), and returns its path. */
char *nm_test_write_mail (const char *directory, const char *name, const char *message_id,
                          const char *subject);

char *nm_test_make_tmpdir (void);
void nm_test_remove_tree (const char *path);

/* The ids of the items of a list model, read as nm_test_collect() does. */
char **nm_test_message_ids (GListModel *messages);
char **nm_test_thread_ids (GListModel *threads);
/* Sorts @strv in byte order in place and returns it. */
char **nm_test_strv_sort (char **strv);

#define nm_test_assert_strv_equal(a, b) \
  nm_test_assert_strv_equal_impl (__FILE__, __LINE__, G_STRFUNC, #a, #b, \
                                  (const char * const *) (a), (const char * const *) (b))
void nm_test_assert_strv_equal_impl (const char *file, int line, const char *func,
                                     const char *expr_a, const char *expr_b,
                                     const char * const *a, const char * const *b);

#define nm_test_assert_error_code(error, code) \
  G_STMT_START { \
    g_assert_error ((error), NM_ERROR, (gint) (code)); \
    g_assert_nonnull ((error)->message); \
    g_assert_cmpstr ((error)->message, !=, ""); \
  } G_STMT_END

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NmTestCorpus, nm_test_corpus_free)

G_END_DECLS
