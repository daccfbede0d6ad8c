/* nm-test-fixture.c: the test-utility library of the C tests
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
 * module names.  libnotmuch 0.40 leaks the message it formats (with asprintf) for each
 * candidate database directory that does not exist (_db_dir_exists in lib/open.cc); glibc's
 * vasprintf cuts that stack short too, so tools/test-libnotmuch.sh runs ASan with the slow
 * unwinder for the vendored releases. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:notmuch_database_get_config\n"
         "leak:libxapian.so\n"
         "leak:libsexp.so\n"
         "leak:_db_dir_exists\n"
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

char **
nm_test_cli_ids (const NmTestCorpus *corpus, const char *output, const char *prefix,
                 const char *first, ...)
{
  g_autoptr (GPtrArray) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char **lines;
  va_list args;

  va_start (args, first);
  argv = nm_test_args_collect (first, args);
  va_end (args);
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

JsonArray *
nm_test_notmuch_json (const NmTestCorpus *corpus, const char *first, ...)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  JsonNode *root;
  va_list args;

  va_start (args, first);
  out = nm_test_notmuch_va (corpus, first, args);
  va_end (args);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_node_dup_array (root);
}

static JsonNode *
nm_test_json_member (JsonObject *object, const char *key)
{
  JsonNode *member;

  g_assert_nonnull (object);
  member = json_object_get_member (object, key);
  if (member == NULL)
    g_error ("JSON object has no member “%s”", key);
  return member;
}

static void
nm_test_json_assert_value (JsonNode *node, const char *key, GType type)
{
  if (json_node_get_value_type (node) != type)
    g_error ("JSON member “%s” holds a %s, expected a %s", key,
             g_type_name (json_node_get_value_type (node)), g_type_name (type));
}

const char *
nm_test_json_string (JsonObject *object, const char *key)
{
  JsonNode *member = nm_test_json_member (object, key);

  nm_test_json_assert_value (member, key, G_TYPE_STRING);
  return json_node_get_string (member);
}

gint64
nm_test_json_int (JsonObject *object, const char *key)
{
  JsonNode *member = nm_test_json_member (object, key);

  nm_test_json_assert_value (member, key, G_TYPE_INT64);
  return json_node_get_int (member);
}

gboolean
nm_test_json_boolean (JsonObject *object, const char *key)
{
  JsonNode *member = nm_test_json_member (object, key);

  nm_test_json_assert_value (member, key, G_TYPE_BOOLEAN);
  return json_node_get_boolean (member);
}

char **
nm_test_json_strv (JsonObject *object, const char *key)
{
  JsonNode *member = nm_test_json_member (object, key);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (member));
  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      nm_test_json_assert_value (item, key, G_TYPE_STRING);
      g_strv_builder_add (builder, json_node_get_string (item));
    }
  return g_strv_builder_end (builder);
}

const char *
nm_test_json_header (JsonObject *message, const char *name)
{
  JsonObject *headers = json_node_get_object (nm_test_json_member (message, "headers"));
  JsonNode *value = json_object_get_member (headers, name);

  return value != NULL && json_node_get_value_type (value) == G_TYPE_STRING
    ? json_node_get_string (value) : NULL;
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

void
nm_test_assert_thread_counts (NmThread *thread, JsonObject *summary)
{
  g_assert_cmpstr (nm_thread_get_thread_id (thread), ==, nm_test_json_string (summary, "thread"));
  g_assert_cmpint (nm_thread_get_matched_messages (thread), ==,
                   nm_test_json_int (summary, "matched"));
  g_assert_cmpint (nm_thread_get_total_messages (thread), ==,
                   nm_test_json_int (summary, "total"));
}

static void
nm_test_show_walk_nodes (JsonArray *nodes, guint depth, guint thread_index,
                         NmTestShowFunc func, gpointer user_data)
{
  /* A list of nodes; a node is [message, [replies...]], the message null for a ghost. */
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonArray *node = json_array_get_array_element (nodes, i);
      JsonNode *message = json_array_get_element (node, 0);

      if (JSON_NODE_HOLDS_OBJECT (message))
        func (json_node_get_object (message), depth, thread_index, user_data);
      nm_test_show_walk_nodes (json_array_get_array_element (node, 1), depth + 1,
                               thread_index, func, user_data);
    }
}

JsonArray *
nm_test_show_all (const NmTestCorpus *corpus)
{
  return nm_test_notmuch_json (corpus, "show", "--format=json", "--body=false",
                               "--exclude=false", "*", NULL);
}

void
nm_test_show_foreach (JsonArray *show, NmTestShowFunc func, gpointer user_data)
{
  for (guint t = 0; t < json_array_get_length (show); t++)
    nm_test_show_walk_nodes (json_array_get_array_element (show, t), 0, t, func, user_data);
}

static void
nm_test_show_index_add (JsonObject *message, guint depth, guint thread_index,
                        gpointer user_data)
{
  (void) depth;
  (void) thread_index;
  g_hash_table_insert (user_data, (gpointer) nm_test_json_string (message, "id"), message);
}

GHashTable *
nm_test_show_index (JsonArray *show)
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

char *
nm_test_write_mail (const char *directory, const char *name, const char *message_id,
                    const char *subject)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (directory, name, NULL);
  g_autofree char *text = g_strdup_printf ("From: Test Writer <writer@example.org>\n"
                                           "To: Someone <someone@example.org>\n"
                                           "Subject: %s\n"
                                           "Date: Tue, 01 Jun 2021 10:00:00 +0000\n"
                                           "Message-ID: <%s>\n"
                                           "\n"
                                           "A message written by a test.\n",
                                           subject, message_id);

  g_mkdir_with_parents (directory, 0700);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
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
nm_test_find_duplicate (JsonObject *message, guint depth, guint thread_index,
                        gpointer user_data)
{
  NmTestDuplicateSearch *search = user_data;
  g_auto (GStrv) filenames = NULL;

  (void) depth;
  (void) thread_index;
  if (search->id != NULL)
    return;
  filenames = nm_test_json_strv (message, "filename");
  if (g_strv_length (filenames) >= 2)
    search->id = g_strdup (nm_test_json_string (message, "id"));
}

char *
nm_test_corpus_duplicate_id (const NmTestCorpus *corpus)
{
  g_autoptr (JsonArray) show = nm_test_show_all (corpus);
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

char *
nm_test_id_tag_query (const char *message_id, const char *tag)
{
  g_autofree char *id_query = nm_test_id_query (message_id);

  return g_strdup_printf ("%s and tag:%s", id_query, tag);
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
  g_autoptr (JsonArray) threads = nm_test_notmuch_json (corpus, "search", "--format=json",
                                                        "--sort=oldest-first", "*", NULL);
  guint spam = 0;
  gboolean deleted = FALSE;

  for (guint i = 0; i < json_array_get_length (threads); i++)
    {
      JsonObject *thread = json_array_get_object_element (threads, i);
      JsonArray *query = json_object_get_array_member (thread, "query");
      /* [matched ids, unmatched ids], each null when there are none */
      const char *matched = json_array_get_string_element (query, 0);
      gint64 total = nm_test_json_int (thread, "total");
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
                                                           nm_test_json_string (thread,
                                                                                "thread"));
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

NmTestCorpus *
nm_test_corpus_generate (guint n_messages)
{
  g_autofree char *root = nm_test_make_tmpdir ();
  g_autofree char *srcdir_generator = g_build_filename (NM_TEST_SRCDIR, "..", "nmcorpus.py",
                                                        NULL);
  g_autofree char *count = g_strdup_printf ("%u", n_messages);
  const char *notmuch = nm_test_getenv ("NOTMUCH", "notmuch");
  NmTestCorpus *corpus = nm_test_corpus_new_at (root);
  const char *generate[] = {
    nm_test_getenv ("PYTHON", "python3"),
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

static void
nm_test_fixture_watch (NmTestFixture *fx, NmDatabase *db)
{
  fx->db = db;
  fx->db_weak = db;
  g_object_add_weak_pointer (G_OBJECT (db), &fx->db_weak);
}

void
nm_test_fixture_setup_shared (NmTestFixture *fx, gconstpointer data)
{
  (void) data;
  fx->corpus = nm_test_corpus_shared ();
  nm_test_fixture_watch (fx, nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY));
}

void
nm_test_fixture_setup_copy (NmTestFixture *fx, gconstpointer data)
{
  (void) data;
  fx->copy = nm_test_corpus_copy_shared ();
  fx->corpus = fx->copy;
  nm_test_fixture_watch (fx, nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_WRITE));
}

void
nm_test_fixture_teardown (NmTestFixture *fx, gconstpointer data)
{
  (void) data;
  /* Every object a test took from the database is gone: the database must go with the
   * fixture's reference. */
  g_clear_object (&fx->db);
  g_assert_null (fx->db_weak);
  g_clear_pointer (&fx->copy, nm_test_corpus_free);
}

void
nm_test_fixture_reopen (NmTestFixture *fx, NmDatabaseMode mode)
{
  g_autoptr (GError) error = NULL;

  if (fx->db != NULL)
    {
      nm_database_close (fx->db, &error);
      g_assert_no_error (error);
      g_clear_object (&fx->db);
      g_assert_null (fx->db_weak);
    }
  nm_test_fixture_watch (fx, nm_test_corpus_open (fx->corpus, mode));
}

void
nm_test_add_cases (const NmTestCase *cases, gsize n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    g_test_add (cases[i].path, NmTestFixture, NULL,
                cases[i].corpus == NM_TEST_ON_COPY ? nm_test_fixture_setup_copy
                                                   : nm_test_fixture_setup_shared,
                cases[i].func, nm_test_fixture_teardown);
}

NmQuery *
nm_test_query_new (NmDatabase *db, const char *string)
{
  g_autoptr (GError) error = NULL;
  NmQuery *query = nm_query_new (db, string, &error);

  g_assert_no_error (error);
  g_assert_nonnull (query);
  return query;
}

void
nm_test_query_exclude_cli_tags (NmQuery *query)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (nm_query_add_tag_exclude (query, "deleted", &error));
  g_assert_true (nm_query_add_tag_exclude (query, "spam", &error));
  g_assert_no_error (error);
}

NmMessages *
nm_test_search_messages (NmQuery *query)
{
  g_autoptr (GError) error = NULL;
  NmMessages *messages = nm_query_search_messages (query, &error);

  g_assert_no_error (error);
  g_assert_nonnull (messages);
  return messages;
}

NmThreads *
nm_test_search_threads (NmQuery *query)
{
  g_autoptr (GError) error = NULL;
  NmThreads *threads = nm_query_search_threads (query, &error);

  g_assert_no_error (error);
  g_assert_nonnull (threads);
  return threads;
}

GPtrArray *
nm_test_collect (GListModel *model)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0;; i++)
    {
      gpointer item = g_list_model_get_item (model, i);

      if (item == NULL)
        break;
      g_ptr_array_add (items, item);
    }
  g_assert_cmpuint (items->len, ==, g_list_model_get_n_items (model));
  return items;
}

static char **
nm_test_model_ids (GListModel *model, gboolean threads)
{
  g_autoptr (GPtrArray) items = nm_test_collect (model);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);

      g_strv_builder_add (builder, threads ? nm_thread_get_thread_id (NM_THREAD (item))
                                           : nm_message_get_message_id (NM_MESSAGE (item)));
    }
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
