/* test-database.c: NmDatabase against a real notmuch database, with the notmuch CLI as oracle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "nm-test-fixture.h"

/* `notmuch count --lastmod '*'`: "count\tuuid\trevision" */
static guint64
cli_revision (const NmTestCorpus *corpus, char **uuid)
{
  g_autofree char *out = nm_test_notmuch (corpus, "count", "--lastmod", "*", NULL);
  g_auto (GStrv) fields = g_strsplit (g_strstrip (out), "\t", -1);
  guint64 revision = 0;

  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  g_assert_true (g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT64, &revision, NULL));
  if (uuid != NULL)
    *uuid = g_strdup (fields[1]);
  return revision;
}

/* ------------------------------------------------------------------------------------- */

static void
test_open_properties (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autofree char *uuid = NULL;
  g_autofree char *cli_uuid = NULL;
  g_autofree char *prop_path = NULL;
  NmDatabaseMode prop_mode = NM_DATABASE_MODE_READ_WRITE;
  guint prop_version = 0;
  guint64 revision;

  g_assert_cmpstr (nm_database_get_path (fx->db), ==, fx->corpus->mail);
  g_assert_cmpint (nm_database_get_mode (fx->db), ==, NM_DATABASE_MODE_READ_ONLY);
  g_assert_cmpuint (nm_database_get_lock_timeout (fx->db), ==, 0);
  /* libnotmuch 0.37 writes format version 3. */
  g_assert_cmpuint (nm_database_get_version (fx->db), >=, 3);
  g_assert_false (nm_database_needs_upgrade (fx->db));

  revision = nm_database_get_revision (fx->db, &uuid);
  g_assert_cmpuint (revision, >, 0);
  g_assert_cmpuint (revision, ==, cli_revision (fx->corpus, &cli_uuid));
  g_assert_cmpstr (uuid, ==, cli_uuid);
  g_assert_cmpuint (nm_database_get_revision (fx->db, NULL), ==, revision);

  g_object_get (fx->db, "path", &prop_path, "mode", &prop_mode, "version", &prop_version, NULL);
  g_assert_cmpstr (prop_path, ==, fx->corpus->mail);
  g_assert_cmpint (prop_mode, ==, NM_DATABASE_MODE_READ_ONLY);
  g_assert_cmpuint (prop_version, ==, nm_database_get_version (fx->db));
}

static void
test_open_lookup (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabase) db = NULL;
  g_autofree char *home = nm_test_make_tmpdir ();
  g_autofree char *saved_home = g_strdup (g_getenv ("HOME"));
  g_autofree char *missing = g_build_filename (home, "no-such-config", NULL);
  guint total = nm_test_notmuch_count (fx->corpus, "--exclude=false", "*", NULL);

  /* An explicit config file, no path: the path comes from the config. */
  db = nm_database_open_with_config (NULL, NM_DATABASE_MODE_READ_ONLY, fx->corpus->config,
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nm_database_get_path (db), ==, fx->corpus->mail);
  g_clear_object (&db);

  /* No path, no config argument: NOTMUCH_CONFIG. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("NOTMUCH_CONFIG", fx->corpus->config, TRUE);
  db = nm_database_open (NULL, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nm_database_get_path (db), ==, fx->corpus->mail);
  g_clear_object (&db);
  g_unsetenv ("NOTMUCH_CONFIG");

  /* A path and no config file anywhere: not an error, the configuration is the database's.
   * No search.exclude_tags then, so counting excludes nothing. */
  db = nm_database_open (fx->corpus->mail, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nm_database_get_path (db), ==, fx->corpus->mail);
  g_assert_cmpuint (nm_database_count_messages (db, "*", &error), ==, total);
  g_assert_no_error (error);
  g_clear_object (&db);

  /* config_path "" means no config file. */
  db = nm_database_open_with_config (fx->corpus->mail, NM_DATABASE_MODE_READ_ONLY, "", NULL,
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (db, "*", &error), ==, total);
  g_assert_no_error (error);
  g_clear_object (&db);

  /* An explicit config file that does not exist is an error. */
  db = nm_database_open_with_config (fx->corpus->mail, NM_DATABASE_MODE_READ_ONLY, missing,
                                     NULL, &error);
  nm_test_assert_error_code (error, NM_ERROR_NO_CONFIG);
  g_assert_null (db);
  g_clear_error (&error);

  /* Nothing to find: no path, no NOTMUCH_CONFIG, an empty HOME. */
  db = nm_database_open (NULL, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_null (db);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, NM_ERROR, NM_ERROR_NO_CONFIG)
                 || g_error_matches (error, NM_ERROR, NM_ERROR_NO_DATABASE));
  g_clear_error (&error);

  if (saved_home != NULL)
    g_setenv ("HOME", saved_home, TRUE);
  else
    g_unsetenv ("HOME");
  nm_test_remove_tree (home);
}

static void
test_open_errors (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = nm_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "does-not-exist", NULL);
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *dotnotmuch = g_build_filename (dir, ".notmuch", NULL);
  NmDatabase *db;

  (void) fx;
  /* No database at the path: NO_DATABASE, naming the path and the reason, with every
   * libnotmuch. */
  db = nm_database_open (missing, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_null (db);
  nm_test_assert_error_code (error, NM_ERROR_NO_DATABASE);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_clear_error (&error);

  db = nm_database_open ("relative/path", NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_null (db);
  nm_test_assert_error_code (error, NM_ERROR_PATH_ERROR);
  g_clear_error (&error);

  /* An empty directory holds no database. */
  db = nm_database_open (dir, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_null (db);
  nm_test_assert_error_code (error, NM_ERROR_NO_DATABASE);
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, ".notmuch"));
  g_clear_error (&error);

  g_file_set_contents (file, "not a database", -1, &error);
  g_assert_no_error (error);
  db = nm_database_open (file, NM_DATABASE_MODE_READ_WRITE, &error);
  g_assert_null (db);
  nm_test_assert_error_code (error, NM_ERROR_NO_DATABASE);
  g_assert_nonnull (strstr (error->message, file));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
  g_clear_error (&error);

  /* Nothing was created by the failed opens. */
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (dotnotmuch, G_FILE_TEST_EXISTS));
  nm_test_remove_tree (dir);
}

static void
test_create (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabase) db = NULL;
  g_autoptr (NmDatabase) again = NULL;
  g_autofree char *dir = nm_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "does-not-exist", "nor-this", NULL);
  g_autofree char *dotnotmuch = g_build_filename (dir, ".notmuch", NULL);
  g_auto (GStrv) tags = NULL;
  gpointer weak;

  (void) fx;
  db = nm_database_create (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  weak = db;
  g_object_add_weak_pointer (G_OBJECT (db), &weak);
  g_assert_cmpstr (nm_database_get_path (db), ==, dir);
  g_assert_cmpint (nm_database_get_mode (db), ==, NM_DATABASE_MODE_READ_WRITE);
  g_assert_cmpuint (nm_database_get_version (db), >=, 3);
  g_assert_true (g_file_test (dotnotmuch, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (nm_database_count_messages (db, "*", &error), ==, 0);
  g_assert_no_error (error);
  tags = nm_database_get_all_tags (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 0);

  /* While the new database is open for writing, and after it is closed: it exists. */
  again = nm_database_create (dir, &error);
  g_assert_null (again);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, NM_ERROR, NM_ERROR_DATABASE_EXISTS)
                 || g_error_matches (error, NM_ERROR, NM_ERROR_LOCKED));
  g_clear_error (&error);

  g_assert_true (nm_database_close (db, &error));
  g_assert_no_error (error);
  g_clear_object (&db);
  g_assert_null (weak);

  again = nm_database_create (dir, &error);
  g_assert_null (again);
  nm_test_assert_error_code (error, NM_ERROR_DATABASE_EXISTS);
  g_clear_error (&error);

  db = nm_database_open (dir, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (db, "*", &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&db);

  /* A missing directory is made, with its parents, with every libnotmuch. */
  again = nm_database_create (missing, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (g_file_test (missing, G_FILE_TEST_IS_DIR));
  g_assert_true (nm_database_close (again, &error));
  g_clear_object (&again);

  again = nm_database_create ("relative/dir", &error);
  g_assert_null (again);
  g_assert_error (error, NM_ERROR, NM_ERROR_PATH_ERROR);
  g_clear_error (&error);

  nm_test_remove_tree (dir);
}

static void
test_locked (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabase) second = NULL;
  g_autoptr (NmDatabase) reader = NULL;
  g_autofree char *dotted = g_build_filename (fx->corpus->mail, ".", NULL);
  gint64 start;

  /* The fixture holds the database open for writing. */
  start = g_get_monotonic_time ();
  second = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY);
  g_clear_object (&second);

  second = nm_database_open_with_config (fx->corpus->mail, NM_DATABASE_MODE_READ_WRITE,
                                         fx->corpus->config, NULL, &error);
  g_assert_null (second);
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
  g_clear_error (&error);

  /* The same database spelled differently. */
  second = nm_database_open (dotted, NM_DATABASE_MODE_READ_WRITE, &error);
  g_assert_null (second);
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
  g_clear_error (&error);

  /* A timeout does not make a lock held by this process worth waiting for. */
  second = g_initable_new (NM_TYPE_DATABASE, NULL, &error,
                           "path", fx->corpus->mail,
                           "mode", NM_DATABASE_MODE_READ_WRITE,
                           "config-path", fx->corpus->config,
                           "lock-timeout", 5000,
                           NULL);
  g_assert_null (second);
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);

  /* Readers are never blocked, and a reader cannot be reopened for writing either. */
  reader = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_ONLY);
  g_assert_false (nm_database_reopen (reader, NM_DATABASE_MODE_READ_WRITE, &error));
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpint (nm_database_get_mode (reader), ==, NM_DATABASE_MODE_READ_ONLY);

  /* Closing releases the lock. */
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  second = nm_database_open_with_config (fx->corpus->mail, NM_DATABASE_MODE_READ_WRITE,
                                         fx->corpus->config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  g_assert_true (nm_database_close (second, &error));
  g_assert_no_error (error);

  /* And so does dropping the last reference of an open writer. */
  g_clear_object (&second);
  g_clear_object (&fx->db);
  second = nm_database_open_with_config (fx->corpus->mail, NM_DATABASE_MODE_READ_WRITE,
                                         fx->corpus->config, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&second);

  /* A reader can become the writer once nobody else is. */
  g_assert_true (nm_database_reopen (reader, NM_DATABASE_MODE_READ_WRITE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nm_database_get_mode (reader), ==, NM_DATABASE_MODE_READ_WRITE);
  second = nm_database_open (fx->corpus->mail, NM_DATABASE_MODE_READ_WRITE, &error);
  g_assert_null (second);
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
}

static void
test_revision (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_autofree char *uuid_before = NULL;
  g_autofree char *uuid_after = NULL;
  g_autofree char *cli_uuid = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*",
                                              NULL);
  guint64 before, after;

  g_assert_cmpint (nm_database_get_mode (fx->db), ==, NM_DATABASE_MODE_READ_WRITE);
  g_assert_false (nm_database_needs_upgrade (fx->db));
  before = nm_database_get_revision (fx->db, &uuid_before);
  g_assert_cmpuint (before, ==, cli_revision (fx->corpus, NULL));

  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_true (nm_message_add_tag (message, "revision-test", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);

  after = nm_database_get_revision (fx->db, &uuid_after);
  g_assert_cmpuint (after, >, before);
  g_assert_cmpstr (uuid_after, ==, uuid_before);
  g_assert_cmpuint (after, ==, cli_revision (fx->corpus, &cli_uuid));
  g_assert_cmpstr (cli_uuid, ==, uuid_after);
}

static void
test_find_message (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) show = nm_test_show_all (fx->corpus);
  g_autoptr (GHashTable) index = nm_test_show_index (show);
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "--exclude=false", "*", NULL);
  g_auto (GStrv) ghosts = nm_test_corpus_ghost_ids (fx->corpus);
  g_autofree char *duplicate = nm_test_corpus_duplicate_id (fx->corpus);
  NmMessage *message;

  g_assert_cmpuint (g_strv_length (ids), ==, g_hash_table_size (index));
  g_assert_cmpuint (g_strv_length (ids), >, 0);
  for (char **id = ids; *id != NULL; id++)
    {
      JsonObject *expected = g_hash_table_lookup (index, *id);
      g_auto (GStrv) filenames = NULL;
      g_auto (GStrv) expected_filenames = NULL;
      g_autofree char *filename = NULL;

      message = nm_database_find_message (fx->db, *id, &error);
      g_assert_no_error (error);
      g_assert_nonnull (message);
      g_assert_nonnull (expected);
      g_assert_cmpstr (nm_message_get_message_id (message), ==, *id);
      g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, &error));
      g_assert_no_error (error);
      filenames = nm_message_get_filenames (message);
      expected_filenames = nm_test_json_strv (expected, "filename");
      nm_test_assert_strv_equal (filenames, expected_filenames);
      filename = nm_message_get_filename (message);
      g_assert_cmpstr (filename, ==, expected_filenames[0]);
      g_assert_cmpint (nm_message_get_date (message), ==, nm_test_json_int (expected, "timestamp"));
      g_object_unref (message);
    }

  /* The message stored twice. */
  message = nm_database_find_message (fx->db, duplicate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  {
    g_auto (GStrv) filenames = nm_message_get_filenames (message);

    g_assert_cmpuint (g_strv_length (filenames), ==, 2);
  }
  g_object_unref (message);

  /* Unknown ids: NULL, and no error. */
  message = nm_database_find_message (fx->db, "no-such-message@nowhere.example", &error);
  g_assert_no_error (error);
  g_assert_null (message);
  message = nm_database_find_message (fx->db, "", &error);
  g_assert_no_error (error);
  g_assert_null (message);

  /* Ghosts: ids only referred to.  They are found, flagged, and have no file. */
  g_assert_cmpuint (g_strv_length (ghosts), >, 0);
  for (char **ghost = ghosts; *ghost != NULL; ghost++)
    {
      g_auto (GStrv) filenames = NULL;
      g_autofree char *filename = NULL;

      message = nm_database_find_message (fx->db, *ghost, &error);
      g_assert_no_error (error);
      g_assert_nonnull (message);
      g_assert_cmpstr (nm_message_get_message_id (message), ==, *ghost);
      g_assert_true (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, &error));
      g_assert_no_error (error);
      filename = nm_message_get_filename (message);
      g_assert_null (filename);
      filenames = nm_message_get_filenames (message);
      g_assert_cmpuint (g_strv_length (filenames), ==, 0);
      g_assert_nonnull (nm_message_get_thread_id (message));
      g_object_unref (message);
    }
}

static void
test_find_message_by_filename (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) show = nm_test_show_all (fx->corpus);
  g_autoptr (GHashTable) index = nm_test_show_index (show);
  g_autoptr (GHashTable) file_to_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_auto (GStrv) files = nm_test_notmuch_lines (fx->corpus, "search", "--output=files",
                                                "--exclude=false", "*", NULL);
  g_autofree char *missing = g_build_filename (fx->corpus->mail, "no-such-file", NULL);
  g_autofree char *prefix = g_strconcat (fx->corpus->mail, "/", NULL);
  GHashTableIter iter;
  gpointer id, value;
  NmMessage *message;

  g_hash_table_iter_init (&iter, index);
  while (g_hash_table_iter_next (&iter, &id, &value))
    {
      g_auto (GStrv) filenames = nm_test_json_strv (value, "filename");

      for (char **f = filenames; *f != NULL; f++)
        g_hash_table_insert (file_to_id, g_strdup (*f), id);
    }
  g_assert_cmpuint (g_strv_length (files), ==, g_hash_table_size (file_to_id));
  /* One message is stored twice. */
  g_assert_cmpuint (g_strv_length (files), ==, g_hash_table_size (index) + 1);

  for (char **file = files; *file != NULL; file++)
    {
      g_auto (GStrv) filenames = NULL;

      message = nm_database_find_message_by_filename (fx->db, *file, &error);
      g_assert_no_error (error);
      g_assert_nonnull (message);
      g_assert_cmpstr (nm_message_get_message_id (message), ==,
                       g_hash_table_lookup (file_to_id, *file));
      filenames = nm_message_get_filenames (message);
      g_assert_true (g_strv_contains ((const char * const *) filenames, *file));
      g_object_unref (message);

      /* Relative to the mail root. */
      g_assert_true (g_str_has_prefix (*file, prefix));
      message = nm_database_find_message_by_filename (fx->db, *file + strlen (prefix), &error);
      g_assert_no_error (error);
      g_assert_nonnull (message);
      g_assert_cmpstr (nm_message_get_message_id (message), ==,
                       g_hash_table_lookup (file_to_id, *file));
      g_object_unref (message);
    }

  message = nm_database_find_message_by_filename (fx->db, missing, &error);
  g_assert_no_error (error);
  g_assert_null (message);
  message = nm_database_find_message_by_filename (fx->db, "/etc/passwd", &error);
  g_assert_no_error (error);
  g_assert_null (message);
}

static void
test_all_tags (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) tags = nm_database_get_all_tags (fx->db, &error);
  g_auto (GStrv) expected = nm_test_notmuch_lines (fx->corpus, "search", "--output=tags",
                                                   "--exclude=false", "*", NULL);
  g_auto (GStrv) sorted = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (tags);
  /* Sorted in byte order, no duplicates. */
  sorted = nm_test_strv_sort (g_strdupv (tags));
  nm_test_assert_strv_equal (tags, sorted);
  for (guint i = 1; tags[i] != NULL && tags[i - 1] != NULL; i++)
    g_assert_cmpstr (tags[i - 1], !=, tags[i]);
  nm_test_strv_sort (expected);
  nm_test_assert_strv_equal (tags, expected);
  /* The excluded tags are there too. */
  g_assert_true (g_strv_contains ((const char * const *) tags, "spam"));
  g_assert_true (g_strv_contains ((const char * const *) tags, "deleted"));
}

static void
test_config_read (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  const char *keys[] = { "search.exclude_tags", "new.tags", "maildir.synchronize_flags" };
  g_autoptr (GHashTable) list = NULL;
  g_autofree char *value = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_auto (GStrv) expected = nm_test_notmuch_lines (fx->corpus, "config", "get", keys[i],
                                                       NULL);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) items = NULL;
      g_auto (GStrv) split = NULL;

      /* A list value is `;`-separated, as in the config file; the CLI prints one item a
       * line. */
      value = nm_database_get_config (fx->db, keys[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (value);
      split = g_strsplit (value, ";", -1);
      for (char **item = split; *item != NULL; item++)
        if ((*item)[0] != '\0')
          g_strv_builder_add (builder, *item);
      items = g_strv_builder_end (builder);
      nm_test_assert_strv_equal (items, expected);
      g_clear_pointer (&value, g_free);
    }

  value = nm_database_get_config (fx->db, "search.exclude_tags", &error);
  g_assert_no_error (error);
  {
    g_auto (GStrv) excluded = g_strsplit (value, ";", -1);

    g_assert_true (g_strv_contains ((const char * const *) excluded, "deleted"));
    g_assert_true (g_strv_contains ((const char * const *) excluded, "spam"));
  }
  g_clear_pointer (&value, g_free);

  value = nm_database_get_config (fx->db, "no.such.key", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  list = nm_database_get_config_list (fx->db, "no.such.prefix.", &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (g_hash_table_size (list), ==, 0);
  g_clear_pointer (&list, g_hash_table_unref);
  list = nm_database_get_config_list (fx->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);

  /* Read-only: no writes. */
  g_assert_false (nm_database_set_config (fx->db, "test.key", "value", &error));
  nm_test_assert_error_code (error, NM_ERROR_READ_ONLY_DATABASE);
}

static void
test_config_write (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) list = NULL;
  g_autofree char *value = NULL;
  g_autofree char *cli = NULL;

  g_assert_true (nm_database_set_config (fx->db, "test.key", "first value", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_set_config (fx->db, "test.other", "Grüße; zwei", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_set_config (fx->db, "unrelated.key", "x", &error));
  g_assert_no_error (error);

  value = nm_database_get_config (fx->db, "test.key", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "first value");
  g_clear_pointer (&value, g_free);

  list = nm_database_get_config_list (fx->db, "test.", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (list), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (list, "test.key"), ==, "first value");
  g_assert_cmpstr (g_hash_table_lookup (list, "test.other"), ==, "Grüße; zwei");
  g_clear_pointer (&list, g_hash_table_unref);

  list = nm_database_get_config_list (fx->db, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (list, "test.key"), ==, "first value");
  g_assert_cmpstr (g_hash_table_lookup (list, "unrelated.key"), ==, "x");
  g_clear_pointer (&list, g_hash_table_unref);

  /* Another process sees the value once it is committed. */
  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);
  cli = nm_test_notmuch (fx->corpus, "config", "get", "test.key", NULL);
  g_assert_cmpstr (g_strchomp (cli), ==, "first value");

  /* The empty string unsets. */
  g_assert_true (nm_database_set_config (fx->db, "test.key", "", &error));
  g_assert_no_error (error);
  value = nm_database_get_config (fx->db, "test.key", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  /* It survives close and reopen. */
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  value = nm_database_get_config (fx->db, "test.other", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "Grüße; zwei");
}

/* The keys newer libnotmuch releases added behave the same on every release. */
static void
test_config_newer_keys (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) values = NULL;
  g_autofree char *value = NULL;

  value = nm_database_get_config_value (fx->db, NM_CONFIG_KEY_AUTHORS_SEPARATOR, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, ", ");
  g_clear_pointer (&value, g_free);
  value = nm_database_get_config_value (fx->db, NM_CONFIG_KEY_AUTHORS_MATCHED_SEPARATOR,
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "| ");
  g_clear_pointer (&value, g_free);
  values = nm_database_get_config_values (fx->db, NM_CONFIG_KEY_INDEX_AS_TEXT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (values), ==, 0);
  g_clear_pointer (&values, g_strfreev);

  g_assert_true (nm_database_set_config_value (fx->db, NM_CONFIG_KEY_INDEX_AS_TEXT,
                                               "^text/;^application/x-diff$", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_set_config_value (fx->db, NM_CONFIG_KEY_AUTHORS_SEPARATOR, " / ",
                                               &error));
  g_assert_no_error (error);
  values = nm_database_get_config_values (fx->db, NM_CONFIG_KEY_INDEX_AS_TEXT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (values), ==, 2);
  g_assert_cmpstr (values[0], ==, "^text/");
  g_assert_cmpstr (values[1], ==, "^application/x-diff$");
  /* The same value by name. */
  value = nm_database_get_config (fx->db, "search.authors_separator", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, " / ");
  g_clear_pointer (&value, g_free);
  /* Not a boolean. */
  g_assert_false (nm_database_get_config_bool (fx->db, NM_CONFIG_KEY_AUTHORS_SEPARATOR,
                                               &error));
  g_assert_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  value = nm_database_get_config_value (fx->db, NM_CONFIG_KEY_AUTHORS_SEPARATOR, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, " / ");
  g_clear_pointer (&value, g_free);
  value = nm_database_get_config_value (fx->db, NM_CONFIG_KEY_INDEX_AS_TEXT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "^text/;^application/x-diff$");
}

static const char *count_queries[] = {
  "*", "tag:inbox", "tag:unread", "tag:spam", "tag:deleted", "not tag:inbox",
  "tag:attachment", "tag:spam or tag:deleted", "date:2000..", "no-such-word-anywhere",
};

static void
test_search_count_shortcuts (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (count_queries); i++)
    {
      const char *q = count_queries[i];
      g_autoptr (NmMessages) messages = NULL;
      g_autoptr (NmThreads) threads = NULL;
      g_auto (GStrv) ids = NULL;
      g_auto (GStrv) thread_ids = NULL;
      g_auto (GStrv) expected_ids = nm_test_cli_message_ids (fx->corpus, q, NULL);
      g_auto (GStrv) expected_threads = nm_test_cli_thread_ids (fx->corpus, q, NULL);
      guint expected_count = nm_test_notmuch_count (fx->corpus, q, NULL);
      guint expected_thread_count = nm_test_notmuch_count (fx->corpus, "--output=threads", q,
                                                           NULL);
      g_autofree char *prefixed = NULL;

      g_test_message ("query: %s", q);
      g_assert_cmpuint (nm_database_count_messages (fx->db, q, &error), ==, expected_count);
      g_assert_no_error (error);
      g_assert_cmpuint (nm_database_count_threads (fx->db, q, &error), ==,
                        expected_thread_count);
      g_assert_no_error (error);

      messages = nm_database_search_messages (fx->db, q, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, expected_count);
      ids = nm_test_message_ids (G_LIST_MODEL (messages));
      nm_test_assert_strv_equal (ids, expected_ids);

      threads = nm_database_search_threads (fx->db, q, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (threads)), ==,
                        expected_thread_count);
      thread_ids = nm_test_thread_ids (G_LIST_MODEL (threads));
      nm_test_assert_strv_equal (thread_ids, expected_threads);
    }

  /* Exclusion is applied: search.exclude_tags hides messages from "*" but not from a query
   * naming the tag. */
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), <,
                    nm_test_notmuch_count (fx->corpus, "--exclude=false", "*", NULL));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==,
                    nm_test_notmuch_count (fx->corpus, "--exclude=false",
                                           "not tag:spam and not tag:deleted", NULL));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "tag:spam", &error), >=, 2);
  g_assert_no_error (error);
}

static void
test_index_remove (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (NmMessage) again = NULL;
  g_autoptr (NmMessage) copy = NULL;
  g_autoptr (NmIndexOptions) options = nm_database_get_default_index_options (fx->db);
  g_autofree char *dir = g_build_filename (fx->corpus->mail, "added", "cur", NULL);
  g_autofree char *path = nm_test_write_mail (dir, "one:2,", "added-1@test.example",
                                              "Added one");
  g_autofree char *copy_path = nm_test_write_mail (dir, "one-copy:2,", "added-1@test.example",
                                                   "Added one, again");
  g_autofree char *relative = nm_test_write_mail (dir, "two:2,", "added-2@test.example",
                                                  "Added two");
  g_autofree char *garbage = g_build_filename (dir, "garbage", NULL);
  g_autofree char *outside_dir = nm_test_make_tmpdir ();
  g_autofree char *outside = nm_test_write_mail (outside_dir, "outside",
                                                 "outside@test.example", "Outside");
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *prefix = g_strconcat (fx->corpus->mail, "/", NULL);
  g_auto (GStrv) filenames = NULL;
  g_auto (GStrv) tags = NULL;
  gboolean duplicate = TRUE;
  guint count;

  count = nm_database_count_messages (fx->db, "*", &error);
  g_assert_no_error (error);
  g_assert_nonnull (options);

  message = nm_database_index_file (fx->db, path, options, &duplicate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_false (duplicate);
  g_assert_cmpstr (nm_message_get_message_id (message), ==, "added-1@test.example");
  /* Tue, 01 Jun 2021 10:00:00 +0000 */
  g_assert_cmpint (nm_message_get_date (message), ==, 1622541600);
  filenames = nm_message_get_filenames (message);
  g_assert_cmpuint (g_strv_length (filenames), ==, 1);
  g_assert_cmpstr (filenames[0], ==, path);
  g_clear_pointer (&filenames, g_strfreev);
  /* Indexing adds no tags. */
  tags = nm_message_get_tags (message);
  g_assert_cmpuint (g_strv_length (tags), ==, 0);

  /* The same file again is a duplicate, not an error. */
  again = nm_database_index_file (fx->db, path, NULL, &duplicate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (duplicate);
  g_assert_cmpstr (nm_message_get_message_id (again), ==, "added-1@test.example");
  g_clear_object (&again);

  /* Another file with the same id joins the message. */
  copy = nm_database_index_file (fx->db, copy_path, NULL, &duplicate, &error);
  g_assert_no_error (error);
  g_assert_true (duplicate);
  filenames = nm_message_get_filenames (copy);
  g_assert_cmpuint (g_strv_length (filenames), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) filenames, path));
  g_assert_true (g_strv_contains ((const char * const *) filenames, copy_path));
  g_clear_pointer (&filenames, g_strfreev);
  g_clear_object (&copy);

  /* A path relative to the mail root; duplicate is optional. */
  again = nm_database_index_file (fx->db, relative + strlen (prefix), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nm_message_get_message_id (again), ==, "added-2@test.example");
  g_clear_object (&again);

  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==, count + 2);
  g_assert_no_error (error);

  /* Failures change nothing. */
  g_file_set_contents (garbage, "\x01\x02 this is not a mail\n\xff\xfe", -1, &error);
  g_assert_no_error (error);
  again = nm_database_index_file (fx->db, garbage, NULL, &duplicate, &error);
  g_assert_null (again);
  nm_test_assert_error_code (error, NM_ERROR_FILE_NOT_EMAIL);
  g_clear_error (&error);
  again = nm_database_index_file (fx->db, missing, NULL, NULL, &error);
  g_assert_null (again);
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  g_clear_error (&error);
  again = nm_database_index_file (fx->db, dir, NULL, NULL, &error);
  g_assert_null (again);
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  g_clear_error (&error);
  again = nm_database_index_file (fx->db, outside, NULL, NULL, &error);
  g_assert_null (again);
  nm_test_assert_error_code (error, NM_ERROR_PATH_ERROR);
  g_clear_error (&error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==, count + 2);
  g_assert_no_error (error);

  /* Another process sees the new messages once committed. */
  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "id:added-1@test.example", NULL), ==, 1);
  {
    g_auto (GStrv) files = nm_test_notmuch_lines (fx->corpus, "search", "--output=files",
                                                  "id:added-1@test.example", NULL);

    g_assert_cmpuint (g_strv_length (files), ==, 2);
  }

  /* Removing one of two files keeps the message; removing the last removes it. */
  g_assert_true (nm_database_remove_message (fx->db, copy_path, &error));
  g_assert_no_error (error);
  g_assert_false (nm_database_remove_message (fx->db, path, &error));
  g_assert_no_error (error);
  again = nm_database_find_message (fx->db, "added-1@test.example", &error);
  g_assert_no_error (error);
  g_assert_null (again);
  /* Removing a file that is not indexed changes nothing. */
  g_assert_false (nm_database_remove_message (fx->db, missing, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==, count + 1);
  g_assert_no_error (error);

  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "id:added-1@test.example", NULL), ==, 0);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "id:added-2@test.example", NULL), ==, 1);

  /* A read-only database refuses both. */
  g_clear_object (&message);
  g_clear_object (&options);
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);
  again = nm_database_index_file (fx->db, path, NULL, NULL, &error);
  g_assert_null (again);
  nm_test_assert_error_code (error, NM_ERROR_READ_ONLY_DATABASE);
  g_clear_error (&error);
  g_assert_false (nm_database_remove_message (fx->db, relative, &error));
  nm_test_assert_error_code (error, NM_ERROR_READ_ONLY_DATABASE);
  g_clear_error (&error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==, count + 1);
  g_assert_no_error (error);
  again = nm_database_find_message (fx->db, "added-2@test.example", &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_clear_object (&again);

  nm_test_remove_tree (outside_dir);
}

static void
test_atomic (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*", NULL);
  g_autofree char *inside = nm_test_id_tag_query (ids[0], "atomic-inside");
  g_autofree char *outer = nm_test_id_tag_query (ids[0], "atomic-outer");

  g_assert_false (nm_database_end_atomic (fx->db, &error));
  nm_test_assert_error_code (error, NM_ERROR_UNBALANCED_ATOMIC);
  g_clear_error (&error);

  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_true (nm_database_begin_atomic (fx->db, &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_begin_atomic (fx->db, &error));
  g_assert_no_error (error);
  g_assert_true (nm_message_add_tag (message, "atomic-inside", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_end_atomic (fx->db, &error));
  g_assert_no_error (error);
  /* Nested: the inner end commits nothing. */
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, inside, NULL), ==, 0);
  g_assert_true (nm_message_add_tag (message, "atomic-outer", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_end_atomic (fx->db, &error));
  g_assert_no_error (error);
  g_assert_false (nm_database_end_atomic (fx->db, &error));
  nm_test_assert_error_code (error, NM_ERROR_UNBALANCED_ATOMIC);
  g_clear_error (&error);
  g_assert_true (nm_message_has_tag (message, "atomic-inside"));
  g_assert_true (nm_message_has_tag (message, "atomic-outer"));

  /* Nothing is lost silently: the outermost end_atomic() makes the section durable and
   * visible. */
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, inside, NULL), ==, 1);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, outer, NULL), ==, 1);
}

static void
test_atomic_close_inside (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*", NULL);
  g_autofree char *pending = nm_test_id_tag_query (ids[0], "pending-before");
  g_autofree char *discarded = nm_test_id_tag_query (ids[0], "discarded");

  /* The one exception to "nothing is lost": close() inside an unfinished atomic section
   * discards that section's changes, and only those. */
  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_true (nm_message_add_tag (message, "pending-before", &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_begin_atomic (fx->db, &error));
  g_assert_no_error (error);
  g_assert_true (nm_message_add_tag (message, "discarded", &error));
  g_assert_no_error (error);
  g_clear_object (&message);
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, discarded, NULL), ==, 0);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, pending, NULL), ==, 1);
}

static void
test_commit (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (NmMessage) untouched = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*", NULL);
  g_autofree char *query = nm_test_id_tag_query (ids[1], "committed");

  message = nm_database_find_message (fx->db, ids[1], &error);
  g_assert_no_error (error);
  untouched = nm_database_find_message (fx->db, ids[2], &error);
  g_assert_no_error (error);
  g_assert_true (nm_message_add_tag (message, "committed", &error));
  g_assert_no_error (error);
  /* Not visible to another process before the commit (libnotmuch commits on close). */
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, query, NULL), ==, 0);
  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, query, NULL), ==, 1);
  g_assert_cmpint (nm_database_get_mode (fx->db), ==, NM_DATABASE_MODE_READ_WRITE);

  /* The handle, and the objects taken from it, are still usable after a commit. */
  {
    g_autoptr (GString) problems = g_string_new (NULL);
    g_auto (GStrv) tags = nm_message_get_tags (message);
    g_autofree char *filename = nm_message_get_filename (message);

    if (!g_strv_contains ((const char * const *) tags, "committed"))
      g_string_append_printf (problems, " get_tags() gives %u tags without 'committed';",
                              g_strv_length (tags));
    g_auto (GStrv) untouched_tags = nm_message_get_tags (untouched);
    g_autofree char *untouched_query = nm_test_id_query (ids[2]);
    g_auto (GStrv) expected_tags = nm_test_notmuch_lines (fx->corpus, "search", "--output=tags",
                                                          untouched_query, NULL);
    g_autofree char *untouched_filename = nm_message_get_filename (untouched);

    if (filename == NULL)
      g_string_append (problems, " get_filename() gives NULL;");
    if (g_strv_length (untouched_tags) != g_strv_length (expected_tags))
      g_string_append_printf (problems, " a message not read before the commit has %u tags "
                              "instead of %u;", g_strv_length (untouched_tags),
                              g_strv_length (expected_tags));
    if (untouched_filename == NULL)
      g_string_append (problems, " a message not read before the commit has no filename;");
    g_assert_true (nm_message_remove_tag (message, "committed", &error));
    g_assert_cmpstr (problems->str, ==, "");
  }
  g_assert_no_error (error);
  g_assert_false (nm_message_has_tag (message, "committed"));
  g_clear_object (&message);
  g_clear_object (&untouched);

  /* Finalizing a writable database commits. */
  g_clear_object (&fx->db);
  g_assert_null (fx->db_weak);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, query, NULL), ==, 0);

  /* Inside an atomic section, commit() refuses: the section's end commits. */
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_WRITE);
  g_assert_true (nm_database_begin_atomic (fx->db, &error));
  g_assert_no_error (error);
  g_assert_false (nm_database_commit (fx->db, &error));
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (nm_database_end_atomic (fx->db, &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);
  nm_test_fixture_reopen (fx, NM_DATABASE_MODE_READ_ONLY);

  /* On a read-only database there is nothing to commit. */
  g_assert_true (nm_database_commit (fx->db, &error));
  g_assert_no_error (error);

}

static void
count_mode_notify (GObject *object G_GNUC_UNUSED, GParamSpec *pspec G_GNUC_UNUSED,
                   gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* reopen(): switches modes, sees other processes' commits, and leaves what was read before
 * failing with OPERATION_INVALIDATED instead of reaching the closed index. */
static void
test_reopen (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*", NULL);
  g_autofree char *id_query = nm_test_id_query (ids[0]);
  g_autofree char *external = nm_test_id_tag_query (ids[0], "external");
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmMessage) first = NULL;
  g_autoptr (NmMessage) fresh = NULL;
  g_autoptr (NmDatabase) other = NULL;
  g_autofree char *out = NULL;
  guint notified = 0;

  g_signal_connect (fx->db, "notify::mode", G_CALLBACK (count_mode_notify), &notified);
  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nm_message_get_message_id (message), ==, ids[0]);
  messages = nm_database_search_messages (fx->db, "*", &error);
  g_assert_no_error (error);
  first = g_list_model_get_item (G_LIST_MODEL (messages), 0);
  g_assert_cmpstr (nm_message_get_message_id (first), ==, ids[0]);

  /* Writer → reader: the write lock goes. */
  g_assert_true (nm_database_reopen (fx->db, NM_DATABASE_MODE_READ_ONLY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nm_database_get_mode (fx->db), ==, NM_DATABASE_MODE_READ_ONLY);
  g_assert_cmpuint (notified, ==, 1);
  other = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_WRITE);
  g_assert_true (nm_database_close (other, &error));
  g_assert_no_error (error);
  g_clear_object (&other);

  /* What was read before: cached values, or OPERATION_INVALIDATED; never the closed index. */
  g_assert_cmpstr (nm_message_get_message_id (message), ==, ids[0]);
  g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, &error));
  nm_test_assert_error_code (error, NM_ERROR_OPERATION_INVALIDATED);
  g_clear_error (&error);
  g_assert_false (nm_message_add_tag (message, "stale", &error));
  nm_test_assert_error_code (error, NM_ERROR_OPERATION_INVALIDATED);
  g_clear_error (&error);
  {
    g_auto (GStrv) tags = nm_message_get_tags (message);
    g_autofree char *filename = nm_message_get_filename (message);

    g_assert_nonnull (tags);
  }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (messages), 1));
  g_assert_false (nm_messages_check (messages, &error));
  nm_test_assert_error_code (error, NM_ERROR_OPERATION_INVALIDATED);
  g_clear_error (&error);
  g_assert_null (nm_messages_collect_tags (messages, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A new search works. */
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==,
                    nm_test_notmuch_count (fx->corpus, "*", NULL));
  g_assert_no_error (error);

  /* Another process commits; the reader sees it after the next reopen. */
  out = nm_test_notmuch (fx->corpus, "tag", "+external", "--", id_query, NULL);
  g_assert_cmpuint (nm_database_count_messages (fx->db, external, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (nm_database_reopen (fx->db, NM_DATABASE_MODE_READ_ONLY, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (nm_database_count_messages (fx->db, external, &error), ==, 1);
  g_assert_no_error (error);

  /* Reader → writer: writes work on objects read now; the lock is held again. */
  g_assert_true (nm_database_reopen (fx->db, NM_DATABASE_MODE_READ_WRITE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nm_database_get_mode (fx->db), ==, NM_DATABASE_MODE_READ_WRITE);
  g_assert_cmpuint (notified, ==, 2);
  fresh = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_true (nm_message_has_tag (fresh, "external"));
  g_assert_true (nm_message_remove_tag (fresh, "external", &error));
  g_assert_no_error (error);
  other = nm_database_open (fx->corpus->mail, NM_DATABASE_MODE_READ_WRITE, &error);
  g_assert_null (other);
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
  g_clear_error (&error);

  g_clear_object (&fresh);
  g_clear_object (&first);
  g_clear_object (&messages);
  g_clear_object (&message);
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, external, NULL), ==, 0);
}

static void
test_close_twice (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  g_assert_true (nm_database_close (fx->db, NULL));
  /* The lock is free: another writer can open. */
  {
    g_autoptr (NmDatabase) other = nm_test_corpus_open (fx->corpus, NM_DATABASE_MODE_READ_WRITE);

    g_assert_true (nm_database_close (other, &error));
    g_assert_no_error (error);
  }
}

/* T07: one live object of every type, close the database, call every public function. */

#define assert_closed(error) \
  G_STMT_START { \
    nm_test_assert_error_code ((error), NM_ERROR_CLOSED_DATABASE); \
    g_clear_error (&(error)); \
  } G_STMT_END

static void
test_calls_after_close (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = NULL;
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (NmMessage) unread = NULL;
  g_autoptr (NmMessage) found = NULL;
  g_autoptr (NmThreads) threads = NULL;
  g_autoptr (NmThread) thread = NULL;
  g_autoptr (NmMessages) thread_messages = NULL;
  g_autoptr (NmMessage) thread_message = NULL;
  g_autoptr (NmMessages) replies = NULL;
  g_autoptr (NmIndexOptions) options = NULL;
  g_autoptr (NmDirectory) directory = NULL;
  g_autoptr (NmQuery) new_query = NULL;
  g_autofree char *directory_path = NULL;
  g_autofree char *first_file = NULL;
  g_autofree char *uuid_before = NULL;
  g_autofree char *uuid_after = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *thread_id = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *from = NULL;
  g_autofree char *thread_subject = NULL;
  g_autofree char *thread_authors = NULL;
  g_autofree char *new_path = NULL;
  g_auto (GStrv) thread_tags = NULL;
  g_auto (GStrv) tags_before = NULL;
  g_autofree char *path = g_strdup (nm_database_get_path (fx->db));
  gint64 date, oldest, newest;
  guint64 revision;
  guint total, matched, n_messages;
  const char *no_tags[] = { NULL };

  /* The objects, each used once while open. */
  query = nm_query_new (fx->db, "*", &error);
  g_assert_no_error (error);
  messages = nm_query_search_messages (query, &error);
  g_assert_no_error (error);
  n_messages = g_list_model_get_n_items (G_LIST_MODEL (messages));
  g_assert_cmpuint (n_messages, ==, nm_test_notmuch_count (fx->corpus, "--exclude=false", "*",
                                                          NULL));
  message = g_list_model_get_item (G_LIST_MODEL (messages), 0);
  unread = g_list_model_get_item (G_LIST_MODEL (messages), 1);
  message_id = g_strdup (nm_message_get_message_id (message));
  thread_id = g_strdup (nm_message_get_thread_id (message));
  date = nm_message_get_date (message);
  subject = nm_message_get_header (message, "Subject", &error);
  g_assert_no_error (error);
  from = nm_message_get_header (message, "From", &error);
  g_assert_no_error (error);
  tags_before = nm_message_get_tags (message);
  found = nm_database_find_message (fx->db, message_id, &error);
  g_assert_no_error (error);
  threads = nm_query_search_threads (query, &error);
  g_assert_no_error (error);
  thread = g_list_model_get_item (G_LIST_MODEL (threads), 0);
  g_assert_nonnull (thread);
  thread_subject = g_strdup (nm_thread_get_subject (thread));
  thread_authors = g_strdup (nm_thread_get_authors (thread));
  thread_tags = nm_thread_get_tags (thread);
  oldest = nm_thread_get_oldest_date (thread);
  newest = nm_thread_get_newest_date (thread);
  total = nm_thread_get_total_messages (thread);
  matched = nm_thread_get_matched_messages (thread);
  thread_messages = nm_thread_get_toplevel_messages (thread);
  thread_message = g_list_model_get_item (G_LIST_MODEL (thread_messages), 0);
  g_assert_nonnull (thread_message);
  replies = nm_message_get_replies (thread_message);
  options = nm_database_get_default_index_options (fx->db);
  g_assert_nonnull (options);
  first_file = nm_message_get_filename (message);
  g_assert_true (g_str_has_prefix (first_file, fx->corpus->mail));
  directory_path = g_path_get_dirname (first_file + strlen (fx->corpus->mail) + 1);
  directory = nm_database_get_directory (fx->db, directory_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (directory);
  {
    g_auto (GStrv) files = nm_directory_get_child_files (directory);

    g_assert_cmpuint (g_strv_length (files), >, 0);
  }
  new_path = nm_test_write_mail (fx->corpus->mail, "new-after-close",
                                 "after-close@test.example", "After close");
  revision = nm_database_get_revision (fx->db, &uuid_before);

  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);

  /* NmDatabase */
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  g_assert_false (nm_database_reopen (fx->db, NM_DATABASE_MODE_READ_ONLY, &error));
  assert_closed (error);
  g_assert_false (nm_database_reopen (fx->db, NM_DATABASE_MODE_READ_WRITE, &error));
  assert_closed (error);
  g_assert_false (nm_database_commit (fx->db, &error));
  assert_closed (error);
  g_assert_false (nm_database_begin_atomic (fx->db, &error));
  assert_closed (error);
  g_assert_false (nm_database_end_atomic (fx->db, &error));
  assert_closed (error);
  g_assert_cmpstr (nm_database_get_path (fx->db), ==, path);
  (void) nm_database_get_mode (fx->db);
  g_assert_cmpuint (nm_database_get_lock_timeout (fx->db), ==, 0);
  g_assert_cmpuint (nm_database_get_version (fx->db), ==, 0);
  g_assert_cmpuint (nm_database_get_revision (fx->db, &uuid_after), ==, revision);
  g_assert_cmpstr (uuid_after, ==, uuid_before);
  g_assert_false (nm_database_needs_upgrade (fx->db));
  g_assert_null (nm_database_find_message (fx->db, message_id, &error));
  assert_closed (error);
  g_assert_null (nm_database_find_message_by_filename (fx->db, new_path, &error));
  assert_closed (error);
  g_assert_null (nm_database_index_file (fx->db, new_path, NULL, NULL, &error));
  assert_closed (error);
  g_assert_null (nm_database_index_file (fx->db, new_path, options, NULL, &error));
  assert_closed (error);
  g_assert_false (nm_database_remove_message (fx->db, new_path, &error));
  assert_closed (error);
  g_assert_null (nm_database_get_default_index_options (fx->db));
  g_assert_null (nm_database_get_all_tags (fx->db, &error));
  assert_closed (error);
  g_assert_null (nm_database_get_config (fx->db, "new.tags", &error));
  assert_closed (error);
  g_assert_false (nm_database_set_config (fx->db, "test.key", "x", &error));
  assert_closed (error);
  g_assert_null (nm_database_get_config_list (fx->db, "", &error));
  assert_closed (error);
  g_assert_null (nm_database_get_config_value (fx->db, NM_CONFIG_KEY_NEW_TAGS, &error));
  assert_closed (error);
  g_assert_null (nm_database_get_config_values (fx->db, NM_CONFIG_KEY_EXCLUDE_TAGS, &error));
  assert_closed (error);
  g_assert_false (nm_database_get_config_bool (fx->db, NM_CONFIG_KEY_SYNC_MAILDIR_FLAGS,
                                               &error));
  assert_closed (error);
  g_assert_false (nm_database_set_config_value (fx->db, NM_CONFIG_KEY_USER_NAME, "x", &error));
  assert_closed (error);
  {
    const char *add[] = { "closed-tag", NULL };
    const char *none[] = { NULL };

    g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", add, none, &error), ==, 0);
    assert_closed (error);
  }
  g_assert_null (nm_database_get_directory (fx->db, directory_path, &error));
  assert_closed (error);
  g_assert_false (nm_database_upgrade (fx->db, NULL, NULL, &error));
  assert_closed (error);
  g_assert_false (nm_database_compact (fx->db, NULL, NULL, NULL, &error));
  assert_closed (error);
  g_assert_null (nm_database_search_messages (fx->db, "*", &error));
  assert_closed (error);
  g_assert_null (nm_database_search_threads (fx->db, "*", &error));
  assert_closed (error);
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), ==, 0);
  assert_closed (error);
  g_assert_cmpuint (nm_database_count_threads (fx->db, "*", &error), ==, 0);
  assert_closed (error);
  {
    g_autofree char *prop_path = NULL;
    guint prop_version = 1;

    g_object_get (fx->db, "path", &prop_path, "version", &prop_version, NULL);
    g_assert_cmpstr (prop_path, ==, path);
    g_assert_cmpuint (prop_version, ==, 0);
  }

  /* NmQuery */
  new_query = nm_query_new (fx->db, "*", &error);
  g_assert_null (new_query);
  assert_closed (error);
  new_query = nm_query_new_with_syntax (fx->db, "(tag inbox)", NM_QUERY_SYNTAX_SEXP, &error);
  g_assert_null (new_query);
  assert_closed (error);
  g_assert_true (nm_query_get_database (query) == fx->db);
  g_assert_cmpstr (nm_query_get_query_string (query), ==, "*");
  g_assert_cmpint (nm_query_get_syntax (query), ==, NM_QUERY_SYNTAX_XAPIAN);
  nm_query_set_sort (query, NM_SORT_OLDEST_FIRST);
  g_assert_cmpint (nm_query_get_sort (query), ==, NM_SORT_OLDEST_FIRST);
  nm_query_set_exclude (query, NM_EXCLUDE_ALL);
  g_assert_cmpint (nm_query_get_exclude (query), ==, NM_EXCLUDE_ALL);
  g_assert_true (nm_query_add_tag_exclude (query, "spam", &error));
  g_assert_no_error (error);
  {
    g_auto (GStrv) excluded = nm_query_get_excluded_tags (query);
    const char *expected[] = { "spam", NULL };

    nm_test_assert_strv_equal (excluded, expected);
  }
  g_assert_null (nm_query_search_messages (query, &error));
  assert_closed (error);
  g_assert_null (nm_query_search_threads (query, &error));
  assert_closed (error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  assert_closed (error);
  g_assert_cmpuint (nm_query_count_threads (query, &error), ==, 0);
  assert_closed (error);

  /* NmMessages: reads nothing more; its length stays the one it reported. */
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (messages)) == NM_TYPE_MESSAGE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, n_messages);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (messages), 2));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (messages), 0));
  g_assert_null (nm_messages_collect_tags (messages, &error));
  assert_closed (error);
  g_assert_false (nm_messages_check (messages, &error));
  assert_closed (error);

  /* NmThreads */
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (threads)) == NM_TYPE_THREAD);
  (void) g_list_model_get_n_items (G_LIST_MODEL (threads));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (threads), 1));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (threads), 0));
  g_assert_false (nm_threads_check (threads, &error));
  assert_closed (error);

  /* NmMessage: what was read before is kept, the rest fails or is empty. */
  g_assert_true (nm_message_get_database (message) == fx->db);
  g_assert_cmpstr (nm_message_get_message_id (message), ==, message_id);
  g_assert_cmpstr (nm_message_get_thread_id (message), ==, thread_id);
  g_assert_cmpint (nm_message_get_date (message), ==, date);
  {
    g_autofree char *value = nm_message_get_header (message, "Subject", &error);

    if (error != NULL)
      assert_closed (error);
    else
      g_assert_cmpstr (value, ==, subject);
  }
  {
    g_autofree char *value = nm_message_get_header (message, "from", &error);

    if (error != NULL)
      assert_closed (error);
    else
      g_assert_cmpstr (value, ==, from);
  }
  g_assert_null (nm_message_get_header (message, "To", &error));
  assert_closed (error);
  g_assert_null (nm_message_get_header (message, "X-No-Such-Header", &error));
  assert_closed (error);
  g_assert_null (nm_message_get_filename (message));
  {
    g_auto (GStrv) filenames = nm_message_get_filenames (message);
    g_auto (GStrv) tags = nm_message_get_tags (message);

    g_assert_nonnull (filenames);
    g_assert_cmpuint (g_strv_length (filenames), ==, 0);
    g_assert_nonnull (tags);
    g_assert_cmpuint (g_strv_length (tags), ==, 0);
  }
  g_assert_false (nm_message_has_tag (message, tags_before[0] != NULL ? tags_before[0] : "x"));
  g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_MATCH, &error));
  assert_closed (error);
  g_assert_false (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, &error));
  assert_closed (error);
  {
    g_autoptr (NmMessages) message_replies = nm_message_get_replies (message);

    g_assert_nonnull (message_replies);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (message_replies)), ==, 0);
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (message_replies), 0));
  }
  g_assert_false (nm_message_add_tag (message, "new-tag", &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_tag (message, "inbox", &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_all_tags (message, &error));
  assert_closed (error);
  g_assert_false (nm_message_set_tags (message, no_tags, &error));
  assert_closed (error);
  g_assert_false (nm_message_freeze (message, &error));
  assert_closed (error);
  g_assert_false (nm_message_thaw (message, &error));
  assert_closed (error);
  g_assert_false (nm_message_maildir_flags_to_tags (message, &error));
  assert_closed (error);
  g_assert_false (nm_message_tags_to_maildir_flags (message, &error));
  assert_closed (error);
  g_assert_false (nm_message_has_maildir_flag (message, 'S', &error));
  assert_closed (error);
  g_assert_false (nm_message_reindex (message, NULL, &error));
  assert_closed (error);
  g_assert_false (nm_message_reindex (message, options, &error));
  assert_closed (error);
  {
    g_auto (GStrv) values = nm_message_get_property_values (message, "key");

    g_assert_nonnull (values);
    g_assert_cmpuint (g_strv_length (values), ==, 0);
  }
  g_assert_false (nm_message_add_property (message, "key", "value", &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_property (message, "key", "value", &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_property (message, "key", NULL, &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_all_properties (message, NULL, &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_all_properties (message, "k", &error));
  assert_closed (error);
  g_assert_cmpuint (nm_message_count_properties (message, "key", &error), ==, 0);
  assert_closed (error);
  g_assert_null (nm_message_get_all_properties (message, NULL, FALSE, &error));
  assert_closed (error);
  g_assert_null (nm_message_get_all_properties (message, "key", TRUE, &error));
  assert_closed (error);
  /* Invalid tags are reported as such, closed or not. */
  g_assert_false (nm_message_add_tag (message, "", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  {
    g_autofree char *prop_id = NULL;
    g_autofree char *prop_thread = NULL;
    g_autofree char *prop_filename = NULL;
    g_auto (GStrv) prop_filenames = NULL;
    g_auto (GStrv) prop_tags = NULL;
    NmDatabase *prop_db = NULL;
    gint64 prop_date = 0;

    g_object_get (message, "message-id", &prop_id, "thread-id", &prop_thread,
                  "date", &prop_date, "filename", &prop_filename,
                  "filenames", &prop_filenames, "tags", &prop_tags, "database", &prop_db,
                  NULL);
    g_assert_cmpstr (prop_id, ==, message_id);
    g_assert_cmpstr (prop_thread, ==, thread_id);
    g_assert_cmpint (prop_date, ==, date);
    g_assert_null (prop_filename);
    g_assert_true (prop_db == fx->db);
    g_object_unref (prop_db);
  }

  /* A message whose values were never read, but for its id (read when a search yields a
   * message): nothing else to give, nothing crashes. */
  g_assert_nonnull (nm_message_get_message_id (unread));
  g_assert_null (nm_message_get_thread_id (unread));
  g_assert_cmpint (nm_message_get_date (unread), ==, 0);
  g_assert_null (nm_message_get_header (unread, "From", &error));
  assert_closed (error);
  g_assert_null (nm_message_get_filename (unread));

  /* A found message. */
  g_assert_null (nm_message_get_filename (found));
  g_assert_false (nm_message_add_tag (found, "x", &error));
  assert_closed (error);

  /* NmThread: read completely when it was built; its values stay. */
  g_assert_cmpstr (nm_thread_get_subject (thread), ==, thread_subject);
  g_assert_cmpstr (nm_thread_get_authors (thread), ==, thread_authors);
  g_assert_nonnull (nm_thread_get_thread_id (thread));
  {
    g_auto (GStrv) matched_authors = nm_thread_get_matched_authors (thread);
    g_auto (GStrv) unmatched_authors = nm_thread_get_unmatched_authors (thread);
    g_auto (GStrv) tags = nm_thread_get_tags (thread);

    g_assert_nonnull (matched_authors);
    g_assert_nonnull (unmatched_authors);
    nm_test_assert_strv_equal (tags, thread_tags);
  }
  g_assert_cmpint (nm_thread_get_oldest_date (thread), ==, oldest);
  g_assert_cmpint (nm_thread_get_newest_date (thread), ==, newest);
  g_assert_cmpuint (nm_thread_get_total_messages (thread), ==, total);
  g_assert_cmpuint (nm_thread_get_matched_messages (thread), ==, matched);
  (void) nm_thread_get_total_files (thread);
  {
    g_autoptr (NmMessages) all = nm_thread_get_messages (thread);
    g_autoptr (NmMessages) top = nm_thread_get_toplevel_messages (thread);
    guint n_all = g_list_model_get_n_items (G_LIST_MODEL (all));
    guint i;

    /* Whatever the lists give, their length is what they yield. */
    for (i = 0;; i++)
      {
        g_autoptr (NmMessage) m = g_list_model_get_item (G_LIST_MODEL (all), i);

        if (m == NULL)
          break;
        (void) nm_message_get_message_id (m);
      }
    g_assert_cmpuint (i, ==, n_all);
    (void) g_list_model_get_n_items (G_LIST_MODEL (top));
  }
  {
    g_autofree char *prop_subject = NULL;
    g_auto (GStrv) prop_tags = NULL;
    guint prop_total = 0;

    g_object_get (thread, "subject", &prop_subject, "tags", &prop_tags,
                  "total-messages", &prop_total, NULL);
    g_assert_cmpstr (prop_subject, ==, thread_subject);
    g_assert_cmpuint (prop_total, ==, total);
  }

  /* Thread messages and replies. */
  (void) nm_message_get_message_id (thread_message);
  g_assert_null (nm_message_get_filename (thread_message));
  g_assert_false (nm_message_get_flag (thread_message, NM_MESSAGE_FLAG_MATCH, &error));
  assert_closed (error);
  g_assert_false (nm_message_remove_all_tags (thread_message, &error));
  assert_closed (error);
  (void) g_list_model_get_n_items (G_LIST_MODEL (replies));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (replies), 0));
  g_assert_null (nm_messages_collect_tags (replies, &error));
  assert_closed (error);
  g_assert_null (nm_messages_collect_tags (thread_messages, &error));
  assert_closed (error);

  /* NmDirectory */
  g_assert_cmpstr (nm_directory_get_path (directory), ==, directory_path);
  g_assert_cmpint (nm_directory_get_mtime (directory), ==, 0);
  g_assert_false (nm_directory_set_mtime (directory, 12345, &error));
  assert_closed (error);
  {
    g_auto (GStrv) files = nm_directory_get_child_files (directory);
    g_auto (GStrv) directories = nm_directory_get_child_directories (directory);

    g_assert_nonnull (files);
    g_assert_cmpuint (g_strv_length (files), ==, 0);
    g_assert_nonnull (directories);
    g_assert_cmpuint (g_strv_length (directories), ==, 0);
  }
  g_assert_false (nm_directory_delete (directory, &error));
  assert_closed (error);

  /* NmIndexOptions: plain values, or the closed error. */
  (void) nm_index_options_get_decrypt_policy (options);
  if (!nm_index_options_set_decrypt_policy (options, NM_DECRYPT_POLICY_FALSE, &error))
    assert_closed (error);

  /* Nothing of this was written. */
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "id:after-close@test.example", NULL), ==,
                    0);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "tag:new-tag", NULL), ==, 0);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "tag:closed-tag", NULL), ==, 0);
  g_assert_cmpint (nm_error_quark (), ==, g_quark_from_static_string ("nm-error-quark"));
}

/* T24: error A, then a different error B, on the same handle: B's message describes B. */

static void
assert_fresh_message (const GError *error, const char *must_contain, const char *must_not_contain)
{
  g_assert_nonnull (error);
  g_test_message ("error %d: %s", error->code, error->message);
  if (must_contain != NULL && strstr (error->message, must_contain) == NULL)
    g_error ("error message '%s' does not mention '%s'", error->message, must_contain);
  if (must_not_contain != NULL && strstr (error->message, must_not_contain) != NULL)
    g_error ("error message '%s' is stale: it mentions '%s'", error->message, must_not_contain);
}

static void
test_fresh_error_messages (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = NULL;
  g_autoptr (NmMessage) message = NULL;
  g_autofree char *missing = g_build_filename (fx->corpus->mail, "missing-file", NULL);
  g_autofree char *directory = g_build_filename (fx->corpus->mail, "a-directory", NULL);
  g_autofree char *garbage = g_build_filename (fx->corpus->mail, "garbage-file", NULL);
  g_auto (GStrv) ids = nm_test_cli_message_ids (fx->corpus, "*",
                                              NULL);
  guint count;

  g_mkdir_with_parents (directory, 0700);
  g_file_set_contents (garbage, "\x01\x02\x03 not mail \xff", -1, &error);
  g_assert_no_error (error);

  /* A: a Xapian syntax error.  libnotmuch's own text. */
  count = nm_database_count_messages (fx->db, "foo AND", &error);
  g_assert_cmpuint (count, ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  assert_fresh_message (error, "AND", NULL);
  g_clear_error (&error);

  /* B: another Xapian error on the same handle.  libnotmuch 0.37 logs only the first Xapian
   * exception of a handle (exception_reported), yet B's message must be B's own. */
  query = nm_query_new (fx->db, "date:garbage..", &error);
  g_assert_no_error (error);
  g_assert_null (nm_query_search_messages (query, &error));
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  assert_fresh_message (error, "date:garbage..", "<expression> AND <expression>");
  assert_fresh_message (error, "Didn't understand date", NULL);
  g_clear_error (&error);
  g_clear_object (&query);

  /* B2, B3: more of them, through threads and counts. */
  g_assert_cmpuint (nm_database_count_threads (fx->db, "subject:/[/", &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  assert_fresh_message (error, "regular expression", "garbage");
  g_clear_error (&error);
  g_assert_null (nm_database_search_threads (fx->db, "thread:{", &error));
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  assert_fresh_message (error, "thread:{", "regular expression");
  g_clear_error (&error);

  /* C: an s-expression syntax error, then D: another one. */
  query = nm_query_new_with_syntax (fx->db, "(and", NM_QUERY_SYNTAX_SEXP, &error);
  g_assert_no_error (error);
  g_assert_null (nm_query_search_threads (query, &error));
  nm_test_assert_error_code (error, NM_ERROR_BAD_QUERY_SYNTAX);
  assert_fresh_message (error, "(and", "date:garbage");
  g_clear_error (&error);
  g_clear_object (&query);
  query = nm_query_new_with_syntax (fx->db, "(unknownfield foo)", NM_QUERY_SYNTAX_SEXP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_query_count_messages (query, &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_BAD_QUERY_SYNTAX);
  assert_fresh_message (error, "unknownfield", "(and");
  g_clear_error (&error);
  g_clear_object (&query);

  /* E: a missing file, F: a directory, G: not mail: each message names its own file. */
  g_assert_null (nm_database_index_file (fx->db, missing, NULL, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  assert_fresh_message (error, "missing-file", "unknownfield");
  g_clear_error (&error);
  g_assert_null (nm_database_index_file (fx->db, directory, NULL, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  assert_fresh_message (error, "a-directory", "missing-file");
  g_clear_error (&error);
  g_assert_null (nm_database_index_file (fx->db, garbage, NULL, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_FILE_NOT_EMAIL);
  assert_fresh_message (error, "garbage-file", "a-directory");
  g_clear_error (&error);

  /* H: an unbalanced end_atomic after the file errors. */
  g_assert_false (nm_database_end_atomic (fx->db, &error));
  nm_test_assert_error_code (error, NM_ERROR_UNBALANCED_ATOMIC);
  assert_fresh_message (error, "atomic", "garbage-file");
  g_clear_error (&error);

  /* I: an unbalanced thaw, J: an invalid tag, K: the same query error as A again. */
  message = nm_database_find_message (fx->db, ids[0], &error);
  g_assert_no_error (error);
  g_assert_false (nm_message_thaw (message, &error));
  nm_test_assert_error_code (error, NM_ERROR_UNBALANCED_FREEZE_THAW);
  assert_fresh_message (error, "thaw", "atomic");
  g_clear_error (&error);
  g_assert_false (nm_message_add_tag (message, "", &error));
  nm_test_assert_error_code (error, NM_ERROR_INVALID_TAG);
  assert_fresh_message (error, NULL, "thaw");
  g_clear_error (&error);
  g_assert_cmpuint (nm_database_count_threads (fx->db, "foo AND", &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_XAPIAN_EXCEPTION);
  assert_fresh_message (error, "foo AND", "Empty tag");
  assert_fresh_message (error, "<expression> AND <expression>", NULL);
  g_clear_error (&error);

  /* The handle still works. */
  g_assert_cmpuint (nm_database_count_messages (fx->db, "*", &error), >, 0);
  g_assert_no_error (error);
}

/* Calls on the database from its own compaction's progress callback. */
typedef struct
{
  NmDatabase *db;
  const NmTestCorpus *corpus;
  guint calls;
} CompactCallback;

static void
compact_callback_reenters (const char *message G_GNUC_UNUSED, gpointer user_data)
{
  CompactCallback *cb = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabase) same_path = NULL;

  if (cb->calls++ > 0)
    return;
  g_assert_false (nm_database_reopen (cb->db, NM_DATABASE_MODE_READ_WRITE, &error));
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "progress callback of its own compact()"));
  g_clear_error (&error);
  g_assert_false (nm_database_reopen (cb->db, NM_DATABASE_MODE_READ_ONLY, &error));
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (nm_database_commit (cb->db, &error));
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (nm_database_count_messages (cb->db, "*", &error), ==, 0);
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (nm_database_close (cb->db, &error));
  nm_test_assert_error_code (error, NM_ERROR_ILLEGAL_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (nm_database_get_version (cb->db), ==, 0);

  /* Another handle of the same path: writing waits for the compaction, reading works. */
  g_assert_null (nm_database_open (cb->corpus->mail, NM_DATABASE_MODE_READ_WRITE, &error));
  nm_test_assert_error_code (error, NM_ERROR_LOCKED);
  g_clear_error (&error);
  same_path = nm_database_open (cb->corpus->mail, NM_DATABASE_MODE_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nm_database_count_messages (same_path, "*", &error), ==,
                    nm_test_notmuch_count (cb->corpus, "--exclude=false", "*", NULL));
  g_assert_no_error (error);
}

static void
test_compact_reentrant (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  CompactCallback cb = { fx->db, fx->corpus, 0 };
  const char *add[] = { "after-compact", NULL };

  g_assert_true (nm_database_compact (fx->db, NULL, compact_callback_reenters, &cb, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cb.calls, >, 0);
  /* Whole and writable afterwards. */
  g_assert_cmpint (nm_database_get_mode (fx->db), ==, NM_DATABASE_MODE_READ_WRITE);
  g_assert_cmpuint (nm_database_tag_messages (fx->db, "*", add, NULL, &error), ==,
                    nm_test_notmuch_count (fx->corpus, "--exclude=false", "*", NULL));
  g_assert_no_error (error);
  g_assert_true (nm_database_close (fx->db, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nm_test_notmuch_count (fx->corpus, "--exclude=false", "tag:after-compact",
                                           NULL), ==,
                    nm_test_notmuch_count (fx->corpus, "--exclude=false", "*", NULL));
}

/* Error messages are valid UTF-8 even when they name files whose names are not. */
static void
test_error_messages_utf8 (NmTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (fx->corpus->mail, "cur", "\xff\xfe", NULL);
  g_autoptr (NmDatabase) none = nm_database_open ("/nonexistent/\xff", NM_DATABASE_MODE_READ_ONLY,
                                                  &error);

  g_assert_null (none);
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "\xef\xbf\xbd"));
  g_clear_error (&error);

  g_assert_null (nm_database_index_file (fx->db, missing, NULL, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  g_assert_null (nm_database_index_file (fx->db, "/elsewhere/\xff", NULL, NULL, &error));
  nm_test_assert_error_code (error, NM_ERROR_PATH_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  g_assert_null (nm_database_find_message (fx->db, "\xff@x", &error));
  g_assert_no_error (error);
}

static const NmTestCase cases[] = {
  { "/database/open/properties", test_open_properties, NM_TEST_ON_SHARED },
  { "/database/open/lookup", test_open_lookup, NM_TEST_ON_SHARED },
  { "/database/open/errors", test_open_errors, NM_TEST_ON_SHARED },
  { "/database/open/locked", test_locked, NM_TEST_ON_COPY },
  { "/database/create", test_create, NM_TEST_ON_SHARED },
  { "/database/revision", test_revision, NM_TEST_ON_COPY },
  { "/database/find-message", test_find_message, NM_TEST_ON_SHARED },
  { "/database/find-message-by-filename", test_find_message_by_filename, NM_TEST_ON_SHARED },
  { "/database/all-tags", test_all_tags, NM_TEST_ON_SHARED },
  { "/database/config/read", test_config_read, NM_TEST_ON_SHARED },
  { "/database/config/write", test_config_write, NM_TEST_ON_COPY },
  { "/database/config/newer-keys", test_config_newer_keys, NM_TEST_ON_COPY },
  { "/database/search-count-shortcuts", test_search_count_shortcuts, NM_TEST_ON_SHARED },
  { "/database/index-remove", test_index_remove, NM_TEST_ON_COPY },
  { "/database/atomic/end-commits", test_atomic, NM_TEST_ON_COPY },
  { "/database/atomic/close-inside", test_atomic_close_inside, NM_TEST_ON_COPY },
  { "/database/commit", test_commit, NM_TEST_ON_COPY },
  { "/database/reopen", test_reopen, NM_TEST_ON_COPY },
  { "/database/close/twice", test_close_twice, NM_TEST_ON_COPY },
  { "/database/close/every-call-after-close", test_calls_after_close, NM_TEST_ON_COPY },
  { "/database/errors/fresh-messages", test_fresh_error_messages, NM_TEST_ON_COPY },
  { "/database/compact/reentrant", test_compact_reentrant, NM_TEST_ON_COPY },
  { "/database/errors/utf8", test_error_messages_utf8, NM_TEST_ON_COPY },
};

int
main (int argc, char **argv)
{
  nm_test_init (&argc, &argv);
  nm_test_add_cases (cases, G_N_ELEMENTS (cases));
  return nm_test_run ();
}
