/* nm-test-fixture.c: shared fixture code of the C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _XOPEN_SOURCE 700
#include "nm-test-fixture.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#ifndef NM_TEST_SRCDIR
#define NM_TEST_SRCDIR "."
#endif

static NmTestCorpus *shared_corpus;

/* LeakSanitizer (an ASan build) reads its suppressions from this hook.  These are leaks of
 * libnotmuch 0.37, Xapian and libsexp on the error paths the tests provoke, the same as
 * valgrind.supp; the stacks through Xapian are cut short by the fast unwinder, hence the
 * module names. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:notmuch_database_get_config\n"
         "leak:libxapian.so\n"
         "leak:libsexp.so\n"
         "leak:g_mime_stream_fs_new_with_bounds\n";
}

static const char *
nm_test_getenv (const char *name, const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : fallback;
}

void
nm_test_init (int *argc, char ***argv)
{
  /* A notmuch configuration of the user running the tests must not leak in. */
  g_unsetenv ("NOTMUCH_CONFIG");
  g_unsetenv ("NOTMUCH_PROFILE");
  g_unsetenv ("NOTMUCH_DATABASE");
  g_unsetenv ("MAILDIR");
  g_test_init (argc, argv, NULL);
}

int
nm_test_run (void)
{
  int status = g_test_run ();

  g_clear_pointer (&shared_corpus, nm_test_corpus_free);
  return status;
}

char *
nm_test_make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *path = g_dir_make_tmp ("nm-glib-test-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

static int
nm_test_remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  (void) st;
  (void) ftw;
  if (type == FTW_DP)
    g_rmdir (path);
  else
    g_unlink (path);
  return 0;
}

void
nm_test_remove_tree (const char *path)
{
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  nftw (path, nm_test_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The environment of every child: no LD_PRELOAD (a sanitizer runtime preloaded into this
 * process must not reach the CLI) and no G_DEBUG (the CLI is the oracle, not under test). */
static char **
nm_test_child_environment (const char *config)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "LD_PRELOAD");
  env = g_environ_unsetenv (env, "G_DEBUG");
  env = g_environ_unsetenv (env, "NOTMUCH_PROFILE");
  env = g_environ_unsetenv (env, "NOTMUCH_DATABASE");
  if (config != NULL)
    env = g_environ_setenv (env, "NOTMUCH_CONFIG", config, TRUE);
  else
    env = g_environ_unsetenv (env, "NOTMUCH_CONFIG");
  return env;
}

static gboolean
nm_test_spawn (const char * const *argv, const char *config, char **out, char **err,
               GError **error)
{
  g_auto (GStrv) env = nm_test_child_environment (config);
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                     &wait_status, error))
    return FALSE;
  return g_spawn_check_wait_status (wait_status, error);
}

static void
nm_test_spawn_checked (const char * const *argv, const char *config)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *command = g_strjoinv (" ", (char **) argv);

  if (!nm_test_spawn (argv, config, &out, &err, &error))
    g_error ("`%s` failed: %s\nstdout: %s\nstderr: %s", command, error->message,
             out != NULL ? out : "", err != NULL ? err : "");
}

static NmTestCorpus *
nm_test_corpus_new_at (const char *root)
{
  NmTestCorpus *corpus = g_new0 (NmTestCorpus, 1);

  corpus->root = g_strdup (root);
  corpus->mail = g_build_filename (root, "mail", NULL);
  corpus->config = g_build_filename (root, "notmuch-config", NULL);
  return corpus;
}

void
nm_test_corpus_free (NmTestCorpus *corpus)
{
  if (corpus == NULL)
    return;
  nm_test_remove_tree (corpus->root);
  g_free (corpus->root);
  g_free (corpus->mail);
  g_free (corpus->config);
  g_free (corpus);
}

static GPtrArray *
nm_test_args_collect (const char *first, va_list args)
{
  GPtrArray *array = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (array, (gpointer) arg);
  g_ptr_array_add (array, NULL);
  return array;
}

gboolean
nm_test_notmuch_argv (const NmTestCorpus  *corpus,
                      const char * const  *args,
                      char               **out,
                      char               **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_ptr_array_add (argv, (gpointer) nm_test_getenv ("NOTMUCH", "notmuch"));
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);

  ok = nm_test_spawn ((const char * const *) argv->pdata, corpus->config, out, err, &error);
  if (error != NULL && !g_error_matches (error, G_SPAWN_EXIT_ERROR, error->code))
    g_error ("Cannot run notmuch: %s", error->message);
  return ok;
}

static char *
nm_test_notmuch_va (const NmTestCorpus *corpus, const char *first, va_list args)
{
  g_autoptr (GPtrArray) argv = nm_test_args_collect (first, args);
  g_autofree char *err = NULL;
  char *out = NULL;

  if (!nm_test_notmuch_argv (corpus, (const char * const *) argv->pdata, &out, &err))
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv->pdata);

      g_error ("`notmuch %s` failed: %s", command, err);
    }
  return out;
}

char *
nm_test_notmuch (const NmTestCorpus *corpus, const char *first, ...)
{
  va_list args;
  char *out;

  va_start (args, first);
  out = nm_test_notmuch_va (corpus, first, args);
  va_end (args);
  return out;
}

static char **
nm_test_split_lines (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (char **line = lines; *line != NULL; line++)
    if ((*line)[0] != '\0')
      g_strv_builder_add (builder, *line);
  return g_strv_builder_end (builder);
}

char **
nm_test_notmuch_lines (const NmTestCorpus *corpus, const char *first, ...)
{
  g_autofree char *out = NULL;
  va_list args;

  va_start (args, first);
  out = nm_test_notmuch_va (corpus, first, args);
  va_end (args);
  return nm_test_split_lines (out);
}

static char **
nm_test_cli_ids_va (const NmTestCorpus *corpus, const char *output, const char *prefix,
                    const char *first, va_list args)
{
  g_autoptr (GPtrArray) argv = nm_test_args_collect (first, args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char **lines;

  g_ptr_array_insert (argv, 0, (gpointer) output);
  g_ptr_array_insert (argv, 0, (gpointer) "search");
  if (!nm_test_notmuch_argv (corpus, (const char * const *) argv->pdata, &out, &err))
    g_error ("notmuch search failed: %s", err);
  lines = nm_test_split_lines (out);
  for (char **line = lines; *line != NULL; line++)
    {
      g_assert_true (g_str_has_prefix (*line, prefix));
      memmove (*line, *line + strlen (prefix), strlen (*line) - strlen (prefix) + 1);
    }
  return lines;
}

char **
nm_test_cli_message_ids (const NmTestCorpus *corpus, const char *first, ...)
{
  va_list args;
  char **ids;

  va_start (args, first);
  ids = nm_test_cli_ids_va (corpus, "--output=messages", "id:", first, args);
  va_end (args);
  return ids;
}

char **
nm_test_cli_thread_ids (const NmTestCorpus *corpus, const char *first, ...)
{
  va_list args;
  char **ids;

  va_start (args, first);
  ids = nm_test_cli_ids_va (corpus, "--output=threads", "thread:", first, args);
  va_end (args);
  return ids;
}

NmJson *
nm_test_notmuch_json (const NmTestCorpus *corpus, const char *first, ...)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  NmJson *json;
  va_list args;

  va_start (args, first);
  out = nm_test_notmuch_va (corpus, first, args);
  va_end (args);
  json = nm_json_parse (out, &error);
  g_assert_no_error (error);
  return json;
}

guint
nm_test_notmuch_count (const NmTestCorpus *corpus, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint64 count = 0;
  va_list args;

  va_start (args, first);
  argv = nm_test_args_collect (first, args);
  va_end (args);
  g_ptr_array_insert (argv, 0, (gpointer) "count");
  if (!nm_test_notmuch_argv (corpus, (const char * const *) argv->pdata, &out, &err))
    g_error ("notmuch count failed: %s", err);
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (out), 10, 0, G_MAXUINT, &count, NULL));
  return (guint) count;
}

static void
nm_test_show_walk_nodes (NmJson *nodes, guint depth, guint thread_index, NmTestShowFunc func,
                         gpointer user_data)
{
  /* A list of nodes; a node is [message, [replies...]]. */
  for (guint i = 0; i < nm_json_length (nodes); i++)
    {
      NmJson *node = nm_json_index (nodes, i);
      NmJson *message = nm_json_index (node, 0);

      if (message->type == NM_JSON_OBJECT)
        func (message, depth, thread_index, user_data);
      nm_test_show_walk_nodes (nm_json_index (node, 1), depth + 1, thread_index, func,
                               user_data);
    }
}

void
nm_test_show_foreach (NmJson *show, NmTestShowFunc func, gpointer user_data)
{
  for (guint t = 0; t < nm_json_length (show); t++)
    nm_test_show_walk_nodes (nm_json_index (show, t), 0, t, func, user_data);
}

static void
nm_test_show_index_add (NmJson *message, guint depth, guint thread_index, gpointer user_data)
{
  (void) depth;
  (void) thread_index;
  g_hash_table_insert (user_data, (gpointer) nm_json_get_string (message, "id"), message);
}

GHashTable *
nm_test_show_index (NmJson *show)
{
  GHashTable *index = g_hash_table_new (g_str_hash, g_str_equal);

  nm_test_show_foreach (show, nm_test_show_index_add, index);
  return index;
}

char *
nm_test_mail_header (const char *filename, const char *name)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) value = NULL;
  gsize name_length = strlen (name);

  if (!g_file_get_contents (filename, &contents, NULL, NULL))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_strchomp (*line);
      if ((*line)[0] == '\0')
        break;
      if (value != NULL)
        {
          if ((*line)[0] == ' ' || (*line)[0] == '\t')
            {
              g_string_append (value, *line);
              continue;
            }
          break;
        }
      if (g_ascii_strncasecmp (*line, name, name_length) == 0 && (*line)[name_length] == ':')
        value = g_string_new (*line + name_length + 1);
    }
  if (value == NULL)
    return NULL;
  g_strstrip (value->str);
  return g_string_free (g_steal_pointer (&value), FALSE);
}

static void
nm_test_add_angle_ids (GHashTable *ids, const char *value)
{
  const char *p = value;

  while (value != NULL && (p = strchr (p, '<')) != NULL)
    {
      const char *end = strchr (p, '>');

      if (end == NULL)
        break;
      g_hash_table_add (ids, g_strndup (p + 1, end - p - 1));
      p = end + 1;
    }
}

static void
nm_test_collect_references (const char *directory, GHashTable *ids)
{
  g_autoptr (GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      if (strcmp (name, ".notmuch") == 0)
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          nm_test_collect_references (path, ids);
        }
      else
        {
          g_autofree char *in_reply_to = nm_test_mail_header (path, "In-Reply-To");
          g_autofree char *references = nm_test_mail_header (path, "References");

          nm_test_add_angle_ids (ids, in_reply_to);
          nm_test_add_angle_ids (ids, references);
        }
    }
}

char **
nm_test_corpus_ghost_ids (const NmTestCorpus *corpus)
{
  g_autoptr (GHashTable) referenced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_auto (GStrv) known = nm_test_cli_message_ids (corpus, "--exclude=false", "*", NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer id;

  nm_test_collect_references (corpus->mail, referenced);
  for (char **k = known; *k != NULL; k++)
    g_hash_table_remove (referenced, *k);
  g_hash_table_iter_init (&iter, referenced);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      /* libnotmuch replaces ids longer than this by a hash of them: such an id is not in
       * the list of known ids, but is not a ghost either. */
      if (strlen (id) <= NM_TEST_MESSAGE_ID_MAX)
        g_strv_builder_add (builder, id);
    }
  return nm_test_strv_sort (g_strv_builder_end (builder));
}

typedef struct
{
  char *id;
} NmTestDuplicateSearch;

static void
nm_test_find_duplicate (NmJson *message, guint depth, guint thread_index, gpointer user_data)
{
  NmTestDuplicateSearch *search = user_data;

  (void) depth;
  (void) thread_index;
  if (search->id == NULL && nm_json_length (nm_json_member (message, "filename")) >= 2)
    search->id = g_strdup (nm_json_get_string (message, "id"));
}

char *
nm_test_corpus_duplicate_id (const NmTestCorpus *corpus)
{
  g_autoptr (NmJson) show = nm_test_notmuch_json (corpus, "show", "--format=json",
                                                  "--body=false", "--exclude=false", "*",
                                                  NULL);
  NmTestDuplicateSearch search = { NULL };

  nm_test_show_foreach (show, nm_test_find_duplicate, &search);
  g_assert_nonnull (search.id);
  return search.id;
}

char *
nm_test_id_query (const char *message_id)
{
  g_auto (GStrv) parts = g_strsplit (message_id, "\"", -1);
  g_autofree char *quoted = g_strjoinv ("\"\"", parts);

  return g_strdup_printf ("id:\"%s\"", quoted);
}

static void
nm_test_tag (const NmTestCorpus *corpus, const char *tag, const char *query)
{
  g_autofree char *out = nm_test_notmuch (corpus, "tag", tag, "--", query, NULL);
}

/* Tags a few messages with excluded tags; see nm_test_corpus_shared(). */
static void
nm_test_corpus_add_excluded (const NmTestCorpus *corpus)
{
  g_autoptr (NmJson) threads = nm_test_notmuch_json (corpus, "search", "--format=json",
                                                     "--sort=oldest-first", "*", NULL);
  guint spam = 0;
  gboolean deleted = FALSE;

  for (guint i = 0; i < nm_json_length (threads); i++)
    {
      NmJson *thread = nm_json_index (threads, i);
      NmJson *query = nm_json_member (thread, "query");
      const char *matched = nm_json_index (query, 0)->string;
      gint64 total = nm_json_get_int (thread, "total");
      g_auto (GStrv) ids = g_strsplit (matched != NULL ? matched : "", " ", -1);

      if (matched == NULL)
        continue;
      if (total == 1 && spam < 2 && g_strv_length (ids) == 1)
        {
          nm_test_tag (corpus, "+spam", matched);
          spam++;
        }
      else if (total >= 3 && !deleted && g_strv_length (ids) >= 2)
        {
          /* The thread's message ids in date order. */
          g_autofree char *thread_query = g_strdup_printf ("thread:%s",
                                                           nm_json_get_string (thread, "thread"));
          g_auto (GStrv) members = nm_test_cli_message_ids (corpus, "--sort=oldest-first",
                                                            thread_query, NULL);

          g_autofree char *second = nm_test_id_query (members[1]);

          nm_test_tag (corpus, "+deleted", second);
          deleted = TRUE;
        }
    }
  g_assert_cmpuint (spam, ==, 2);
  g_assert_true (deleted);
}

static NmTestCorpus *
nm_test_corpus_generate (guint n_messages)
{
  g_autofree char *root = nm_test_make_tmpdir ();
  g_autofree char *srcdir_generator = g_build_filename (NM_TEST_SRCDIR, "..", "nmcorpus.py",
                                                        NULL);
  g_autofree char *count = g_strdup_printf ("%u", n_messages);
  const char *notmuch = nm_test_getenv ("NOTMUCH", "notmuch");
  NmTestCorpus *corpus = nm_test_corpus_new_at (root);
  const char *generate[] = {
    nm_test_getenv ("PYTHON", "/usr/bin/python3"),
    nm_test_getenv ("NMCORPUS", srcdir_generator),
    root, "--messages", count, NULL
  };
  const char *index[] = { notmuch, "new", "--quiet", NULL };

  nm_test_spawn_checked (generate, NULL);
  g_assert_true (g_file_test (corpus->mail, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (corpus->config, G_FILE_TEST_IS_REGULAR));
  nm_test_spawn_checked (index, corpus->config);
  return corpus;
}

const NmTestCorpus *
nm_test_corpus_shared (void)
{
  if (shared_corpus == NULL)
    {
      shared_corpus = nm_test_corpus_generate (NM_TEST_CORPUS_MESSAGES);
      nm_test_corpus_add_excluded (shared_corpus);
    }
  return shared_corpus;
}

NmTestCorpus *
nm_test_corpus_copy (const NmTestCorpus *source)
{
  g_autofree char *root = nm_test_make_tmpdir ();
  g_autofree char *from = g_build_filename (source->root, ".", NULL);
  g_autofree char *config = NULL;
  g_auto (GStrv) parts = NULL;
  g_autofree char *rewritten = NULL;
  g_autoptr (GError) error = NULL;
  const char *copy[] = { "cp", "-a", from, root, NULL };
  NmTestCorpus *corpus = nm_test_corpus_new_at (root);

  nm_test_spawn_checked (copy, NULL);
  /* The config names the mail root by its absolute path: point it at the copy. */
  g_file_get_contents (corpus->config, &config, NULL, &error);
  g_assert_no_error (error);
  parts = g_strsplit (config, source->root, -1);
  rewritten = g_strjoinv (root, parts);
  g_file_set_contents (corpus->config, rewritten, -1, &error);
  g_assert_no_error (error);
  return corpus;
}

NmTestCorpus *
nm_test_corpus_copy_shared (void)
{
  return nm_test_corpus_copy (nm_test_corpus_shared ());
}

NmDatabase *
nm_test_corpus_open (const NmTestCorpus *corpus, NmDatabaseMode mode)
{
  g_autoptr (GError) error = NULL;
  NmDatabase *db = nm_database_open_with_config (corpus->mail, mode, corpus->config, NULL,
                                                 &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

static char **
nm_test_model_ids (GListModel *model, gboolean threads)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (model);
  guint i;

  for (i = 0;; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      if (item == NULL)
        break;
      g_strv_builder_add (builder, threads ? nm_thread_get_thread_id (NM_THREAD (item))
                                           : nm_message_get_message_id (NM_MESSAGE (item)));
    }
  g_assert_cmpuint (i, ==, n);
  return g_strv_builder_end (builder);
}

char **
nm_test_message_ids (GListModel *messages)
{
  return nm_test_model_ids (messages, FALSE);
}

char **
nm_test_thread_ids (GListModel *threads)
{
  return nm_test_model_ids (threads, TRUE);
}

static int
nm_test_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char **
nm_test_strv_sort (char **strv)
{
  qsort (strv, g_strv_length (strv), sizeof (char *), nm_test_compare_strings);
  return strv;
}

void
nm_test_assert_strv_equal_impl (const char *file, int line, const char *func,
                                const char *expr_a, const char *expr_b,
                                const char * const *a, const char * const *b)
{
  guint length_a, length_b;
  g_autofree char *message = NULL;

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  length_a = g_strv_length ((char **) a);
  length_b = g_strv_length ((char **) b);
  for (guint i = 0; i < MAX (length_a, length_b); i++)
    {
      const char *x = i < length_a ? a[i] : NULL;
      const char *y = i < length_b ? b[i] : NULL;

      if (g_strcmp0 (x, y) != 0)
        {
          message = g_strdup_printf ("assertion failed (%s == %s): lengths %u and %u, "
                                     "first difference at [%u]: \"%s\" != \"%s\"",
                                     expr_a, expr_b, length_a, length_b, i,
                                     x != NULL ? x : "(end)", y != NULL ? y : "(end)");
          g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
          return;
        }
    }
}
