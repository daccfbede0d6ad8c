/* nm-test-fixture.h: shared fixture code of the C tests
 *
 * A test program generates one corpus (tests/nmcorpus.py, then `notmuch new`) the first time
 * a test asks for it, and every test that writes works on its own copy.  The notmuch CLI is
 * the oracle: helpers run it on a corpus and return its output.
 *
 * The environment (set by tests/meson.build, with defaults for running a test by hand):
 * NMCORPUS (the generator), PYTHON (to run it), NOTMUCH (the CLI).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch-glib.h>
#include "nm-test-json.h"

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
/* A private copy of @source (files, database and a config pointing at the copy). */
NmTestCorpus *nm_test_corpus_copy (const NmTestCorpus *source);
/* A writable copy of the shared corpus. */
NmTestCorpus *nm_test_corpus_copy_shared (void);
/* Removes the corpus's files. */
void nm_test_corpus_free (NmTestCorpus *corpus);

/* Opens the corpus's database with its config file; asserts success. */
NmDatabase *nm_test_corpus_open (const NmTestCorpus *corpus, NmDatabaseMode mode);

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
/* The same, parsed as JSON. */
NmJson *nm_test_notmuch_json (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
/* `notmuch search --output=messages ARGS...` without the "id:" prefixes. */
char **nm_test_cli_message_ids (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
/* `notmuch search --output=threads ARGS...` without the "thread:" prefixes. */
char **nm_test_cli_thread_ids (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
/* `notmuch count ARGS...` as a number. */
guint nm_test_notmuch_count (const NmTestCorpus *corpus, const char *first, ...)
  G_GNUC_NULL_TERMINATED;

/* Calls @func for every message of `notmuch show --format=json` output, depth first, with
 * its depth in the reply tree and the index of its thread in @show. */
typedef void (*NmTestShowFunc) (NmJson *message, guint depth, guint thread_index,
                                gpointer user_data);
void nm_test_show_foreach (NmJson *show, NmTestShowFunc func, gpointer user_data);
/* Message id → message object (borrowed from @show) for every message of @show. */
GHashTable *nm_test_show_index (NmJson *show);

/* Message ids that the corpus's mails refer to (In-Reply-To, References) but that no
 * indexed message has: the ghosts.  Sorted. */
char **nm_test_corpus_ghost_ids (const NmTestCorpus *corpus);
/* The id of a message stored in two or more files; asserts there is one. */
char *nm_test_corpus_duplicate_id (const NmTestCorpus *corpus);

/* A query for one message id: id:"<id>", quoted as notmuch's query parser wants. */
char *nm_test_id_query (const char *message_id);

/* The value of a header of a mail file, unfolded and undecoded, or NULL. */
char *nm_test_mail_header (const char *filename, const char *name);

char *nm_test_make_tmpdir (void);
void nm_test_remove_tree (const char *path);

/* Walks a list model in order with get_item() until it returns NULL; the ids of the items.
 * Also asserts the walk ends at the model's length. */
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
