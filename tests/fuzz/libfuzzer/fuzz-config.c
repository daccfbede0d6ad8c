/* fuzz-config.c: configuration keys and values, and what the stored values do to searches,
 * reopens and fresh opens
 *
 * Input: up to 16 operations, each an operation byte followed by its arguments (strings end
 * at a NUL byte; a well-known key is a byte naming an NmConfigKey):
 *   0 get_config (key)                1 set_config (key, value)
 *   2 get_config_list (flags, prefix|NULL: bit 0 of flags says whether it is given)
 *   3 get_config_value, get_config_values and get_config_bool (well-known key)
 *   4 set_config_value (well-known key, value)
 *   5 reopen for writing              6 a search in the classic syntax (query)
 *   7 a fresh read-only open of the same database, with a search
 *   8 a search in the s-expression syntax (query)
 * Every stored value is put back after the input, and the database reopened so that
 * libnotmuch's view of its configuration is the fixture's again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The names libnotmuch gives the NmConfigKey members, in their order. */
static const char *const well_known_keys[] = {
  "database.path", "database.mail_root", "database.hook_dir", "database.backup_dir",
  "search.exclude_tags", "new.tags", "new.ignore", "maildir.synchronize_flags",
  "user.primary_email", "user.other_email", "user.name", "database.autocommit",
  "show.extra_headers",
};

/* Key -> the value the database stored before the input ("" for none). */
static GHashTable *saved;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  nm_fuzz_fixture_get ();
  saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return 0;
}

/* Returns TRUE if @key was not saved before. */
static gboolean
save_key (NmDatabase *database, const char *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) stored = NULL;
  const char *value;

  if (g_hash_table_contains (saved, key))
    return FALSE;
  stored = nm_database_get_config_list (database, key, &error);
  if (stored == NULL)
    nm_fuzz_fail ("cannot read the stored configuration under \"%s\": %s", key,
                  error->message);
  value = g_hash_table_lookup (stored, key);
  g_hash_table_insert (saved, g_strdup (key), g_strdup (value != NULL ? value : ""));
  return TRUE;
}

/* A key whose setting failed need not be put back (and could not be). */
static void
forget_key (const char *key, gboolean saved_now, gboolean set)
{
  if (saved_now && !set)
    g_hash_table_remove (saved, key);
}

static void
check_config_list (GHashTable *pairs)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, pairs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      nm_fuzz_check_utf8 (key, "a configuration key");
      nm_fuzz_check_utf8 (value, "a configuration value");
    }
}

static void
search (NmDatabase *database, const char *text, NmQuerySyntax syntax)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_query_new_with_syntax (database, text, syntax, &error);
  g_autoptr (NmThreads) threads = NULL;

  nm_fuzz_check_result (query != NULL, &error, "nm_query_new_with_syntax");
  if (query == NULL)
    return;
  nm_query_count_messages (query, &error);
  nm_fuzz_check_error (&error, "nm_query_count_messages");
  threads = nm_query_search_threads (query, &error);
  nm_fuzz_check_result (threads != NULL, &error, "nm_query_search_threads");
  if (threads != NULL)
    nm_fuzz_walk_threads (threads, 2);
}

static void
fresh_open (const char *mail, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmDatabase) database = nm_database_open_with_config (mail,
                                                                  NM_DATABASE_MODE_READ_ONLY,
                                                                  "", NULL, &error);

  /* A value the library let in must not lock everyone out of the database. */
  if (database == NULL)
    nm_fuzz_fail ("the stored configuration makes the database unopenable: %s",
                  error->message);
  search (database, text, NM_QUERY_SYNTAX_XAPIAN);
}

static void
check_set_value (NmDatabase *database, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *read = nm_database_get_config (database, key, &error);

  nm_fuzz_check_result (TRUE, &error, "nm_database_get_config");
  if (g_strcmp0 (read, value[0] != '\0' ? value : NULL) != 0)
    nm_fuzz_fail ("get_config (\"%s\") gives \"%s\" after set_config (\"%s\")", key,
                  read != NULL ? read : "(null)", value);
}

static void
restore (NmDatabase *database)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr (GError) error = NULL;

  if (g_hash_table_size (saved) == 0)
    return;
  g_hash_table_iter_init (&iter, saved);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!nm_database_set_config (database, key, value, &error))
      nm_fuzz_fail ("cannot restore configuration key \"%s\": %s", (char *) key,
                    error->message);
  g_hash_table_remove_all (saved);
  if (!nm_database_reopen (database, NM_DATABASE_MODE_READ_WRITE, &error))
    nm_fuzz_fail ("cannot reopen after restoring the configuration: %s", error->message);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  NmFuzzFixture *fixture = nm_fuzz_fixture_get ();
  NmDatabase *database = fixture->database;
  NmFuzzInput input = { data, size };

  nm_fuzz_begin ();
  for (guint step = 0; step < 16 && !nm_fuzz_input_done (&input); step++)
    {
      g_autoptr (GError) error = NULL;
      guint8 operation = nm_fuzz_input_byte (&input) % 9;

      switch (operation)
        {
        case 0:
          {
            g_autofree char *key = nm_fuzz_input_string (&input);
            g_autofree char *value = nm_database_get_config (database, key, &error);

            nm_fuzz_check_error (&error, "nm_database_get_config");
            nm_fuzz_check_utf8 (value, "a configuration value");
            break;
          }
        case 1:
          {
            g_autofree char *key = nm_fuzz_input_string (&input);
            g_autofree char *value = nm_fuzz_input_string (&input);
            gboolean saved_now = save_key (database, key);
            gboolean ok = nm_database_set_config (database, key, value, &error);

            forget_key (key, saved_now, ok);
            nm_fuzz_check_result (ok, &error, "nm_database_set_config");
            if (ok)
              check_set_value (database, key, value);
            break;
          }
        case 2:
          {
            guint8 flags = nm_fuzz_input_byte (&input);
            g_autofree char *prefix = nm_fuzz_input_string (&input);
            g_autoptr (GHashTable) pairs = NULL;

            pairs = nm_database_get_config_list (database, (flags & 1) ? prefix : NULL, &error);
            nm_fuzz_check_result (pairs != NULL, &error, "nm_database_get_config_list");
            if (pairs != NULL)
              check_config_list (pairs);
            break;
          }
        case 3:
          {
            NmConfigKey key = nm_fuzz_input_byte (&input) % G_N_ELEMENTS (well_known_keys);
            g_autofree char *value = nm_database_get_config_value (database, key, &error);
            g_auto (GStrv) values = NULL;

            nm_fuzz_check_error (&error, "nm_database_get_config_value");
            nm_fuzz_check_utf8 (value, "a configuration value");
            values = nm_database_get_config_values (database, key, &error);
            nm_fuzz_check_result (values != NULL, &error, "nm_database_get_config_values");
            nm_fuzz_check_strv_utf8 (values, "a configuration list item");
            nm_database_get_config_bool (database, key, &error);
            nm_fuzz_check_error (&error, "nm_database_get_config_bool");
            break;
          }
        case 4:
          {
            NmConfigKey key = nm_fuzz_input_byte (&input) % G_N_ELEMENTS (well_known_keys);
            g_autofree char *value = nm_fuzz_input_string (&input);

            gboolean saved_now = save_key (database, well_known_keys[key]);
            gboolean ok = nm_database_set_config_value (database, key, value, &error);

            forget_key (well_known_keys[key], saved_now, ok);
            nm_fuzz_check_result (ok, &error, "nm_database_set_config_value");
            break;
          }
        case 5:
          nm_fuzz_check_result (nm_database_reopen (database, NM_DATABASE_MODE_READ_WRITE,
                                                    &error),
                                &error, "nm_database_reopen");
          break;
        case 6:
        case 8:
          {
            g_autofree char *text = nm_fuzz_input_string (&input);

            search (database, text,
                    operation == 6 ? NM_QUERY_SYNTAX_XAPIAN : NM_QUERY_SYNTAX_SEXP);
            break;
          }
        default:
          {
            g_autofree char *text = nm_fuzz_input_string (&input);

            /* What the database stores now is what another process would see. */
            nm_fuzz_check_result (nm_database_commit (database, &error), &error,
                                  "nm_database_commit");
            fresh_open (fixture->mail, text);
            break;
          }
        }
    }
  restore (database);
  nm_fuzz_end ();
  return 0;
}
