/* fuzz-tags.c: tags on messages, and tag changes by query
 *
 * Input: the message to start with (a byte), then up to 24 operations, each an operation
 * byte followed by its arguments:
 *   0 add_tag (tag)       1 remove_tag (tag)       2 has_tag (tag)
 *   3 set_tags (count byte, tags)                   4 remove_all_tags
 *   5 tag_messages (query, add list, remove list)  (lists: a count byte, then strings)
 *   6 freeze              7 thaw                   8 another message (byte)
 *   9 get_tags and get_all_tags
 * Strings end at a NUL byte.  Every tag the library's rules allow must be taken, every other
 * refused with NM_ERROR_INVALID_TAG, and reading the tags back must agree.  The fixture's
 * tags (and maildir file names) are restored after each input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz-common.h"

#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  nm_fuzz_fixture_get ();
  return 0;
}

static void
check_tag_verdict (gboolean ok, GError **error, gboolean valid, const char *call)
{
  if (ok && !valid)
    nm_fuzz_fail ("%s took a tag the rules refuse", call);
  if (!ok && valid && *error != NULL && g_error_matches (*error, NM_ERROR, NM_ERROR_INVALID_TAG))
    nm_fuzz_fail ("%s refused a valid tag: %s", call, (*error)->message);
  if (!ok && !valid && !g_error_matches (*error, NM_ERROR, NM_ERROR_INVALID_TAG))
    nm_fuzz_fail ("%s refused an invalid tag without NM_ERROR_INVALID_TAG", call);
  nm_fuzz_check_result (ok, error, call);
}

static gboolean
strv_is_valid (char **tags)
{
  for (; *tags != NULL; tags++)
    if (!nm_fuzz_tag_is_valid (*tags))
      return FALSE;
  return TRUE;
}

static void
check_sorted_tags (char **tags, const char *what)
{
  nm_fuzz_check_strv_utf8 (tags, what);
  for (guint i = 0; tags[i] != NULL && tags[i + 1] != NULL; i++)
    if (strcmp (tags[i], tags[i + 1]) >= 0)
      nm_fuzz_fail ("%s are not sorted and distinct: \"%s\" before \"%s\"", what, tags[i],
                    tags[i + 1]);
}

static void
check_set_tags (NmMessage *message, char **wanted)
{
  g_auto (GStrv) tags = nm_message_get_tags (message);
  guint n = 0;

  check_sorted_tags (tags, "a message's tags");
  for (guint i = 0; wanted[i] != NULL; i++)
    {
      if (!g_strv_contains ((const char * const *) tags, wanted[i]))
        nm_fuzz_fail ("set_tags: tag \"%s\" is missing", wanted[i]);
      /* Count each distinct tag once. */
      if (!g_strv_contains ((const char * const *) wanted + i + 1, wanted[i]))
        n++;
    }
  if (g_strv_length (tags) != n)
    nm_fuzz_fail ("set_tags: %u tags set, %u read back", n, g_strv_length (tags));
}

/* Every fixture message's tags, read through new objects (what the database holds). */
static char ***
snapshot_tags (NmDatabase *database)
{
  char ***snapshot = g_new0 (char **, nm_fuzz_n_messages);

  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    {
      g_autoptr (NmMessage) message = nm_fuzz_find_message (database, i);

      snapshot[i] = nm_message_get_tags (message);
    }
  return snapshot;
}

static void
free_snapshot (char ***snapshot)
{
  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    g_strfreev (snapshot[i]);
  g_free (snapshot);
}

/* The ids of the messages @query matches, excluded tags included, as a set; NULL if the
 * query fails. */
static GHashTable *
matching_ids (NmDatabase *database, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmQuery) query = nm_query_new (database, text, &error);
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListModel *model;

  if (query == NULL)
    return NULL;
  nm_query_set_exclude (query, NM_EXCLUDE_FALSE);
  messages = nm_query_search_messages (query, &error);
  if (messages == NULL)
    return NULL;
  model = G_LIST_MODEL (messages);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (model, i);

      g_hash_table_add (ids, g_strdup (nm_message_get_message_id (message)));
    }
  return g_steal_pointer (&ids);
}

/* tag_messages must change exactly the messages its query matches that need the change,
 * say how many it changed, and change nothing when it fails. */
static void
check_tag_messages (NmDatabase *database, const char *text, char **add, char **remove)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) matching = matching_ids (database, text);
  char ***before = snapshot_tags (database);
  char ***after;
  guint changed, differ = 0;

  changed = nm_database_tag_messages (database, text, (const char * const *) add,
                                      (const char * const *) remove, &error);
  if (error == NULL && !(strv_is_valid (add) && strv_is_valid (remove)))
    nm_fuzz_fail ("nm_database_tag_messages took a tag the rules refuse");
  after = snapshot_tags (database);
  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    {
      const char *id = nm_fuzz_messages[i].message_id;
      gboolean same = g_strv_equal ((const char * const *) before[i],
                                    (const char * const *) after[i]);

      differ += !same;
      if (error != NULL || matching == NULL || !g_hash_table_contains (matching, id))
        {
          if (!same)
            nm_fuzz_fail ("tag_messages (\"%s\") changed %s, which %s", text, id,
                          error != NULL ? "it should not have touched: it failed"
                                        : "the query does not match");
          continue;
        }
      for (guint t = 0; add[t] != NULL; t++)
        if (!g_strv_contains ((const char * const *) after[i], add[t]))
          nm_fuzz_fail ("tag_messages (\"%s\") did not add \"%s\" to %s", text, add[t], id);
      for (guint t = 0; remove[t] != NULL; t++)
        if (g_strv_contains ((const char * const *) after[i], remove[t]))
          nm_fuzz_fail ("tag_messages (\"%s\") did not remove \"%s\" from %s", text,
                        remove[t], id);
    }
  /* With nothing to change, the query need not even be parsed. */
  if (error == NULL && matching == NULL && (add[0] != NULL || remove[0] != NULL))
    nm_fuzz_fail ("tag_messages (\"%s\") succeeded on a query that a search refuses", text);
  if (error == NULL && changed != differ)
    nm_fuzz_fail ("tag_messages (\"%s\") says it changed %u messages; %u changed", text,
                  changed, differ);
  free_snapshot (before);
  free_snapshot (after);
  nm_fuzz_check_error (&error, "nm_database_tag_messages");
}

static NmMessage *
take_message (NmFuzzInput *input)
{
  return nm_fuzz_find_message (nm_fuzz_fixture_get ()->database,
                               nm_fuzz_input_byte (input) % nm_fuzz_n_messages);
}

/* Thaws what the input froze, so that the frozen changes reach the database before the
 * restore overwrites them. */
static void
thaw_all (NmMessage *message, guint *frozen)
{
  for (; *frozen > 0; (*frozen)--)
    {
      g_autoptr (GError) error = NULL;

      nm_fuzz_check_result (nm_message_thaw (message, &error), &error, "nm_message_thaw");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  NmFuzzFixture *fixture = nm_fuzz_fixture_get ();
  NmFuzzInput input = { data, size };
  g_autoptr (NmMessage) message = NULL;
  guint frozen = 0;

  nm_fuzz_begin ();
  message = take_message (&input);
  for (guint step = 0; step < 24 && !nm_fuzz_input_done (&input); step++)
    {
      g_autoptr (GError) error = NULL;
      guint8 operation = nm_fuzz_input_byte (&input) % 10;

      switch (operation)
        {
        case 0:
        case 1:
          {
            g_autofree char *tag = nm_fuzz_input_string (&input);
            gboolean ok = operation == 0 ? nm_message_add_tag (message, tag, &error)
                                         : nm_message_remove_tag (message, tag, &error);

            check_tag_verdict (ok, &error, nm_fuzz_tag_is_valid (tag),
                               operation == 0 ? "nm_message_add_tag" : "nm_message_remove_tag");
            if (ok && nm_message_has_tag (message, tag) != (operation == 0))
              nm_fuzz_fail ("has_tag disagrees with the %s just made",
                            operation == 0 ? "addition" : "removal");
            break;
          }
        case 2:
          {
            g_autofree char *tag = nm_fuzz_input_string (&input);
            g_auto (GStrv) tags = nm_message_get_tags (message);

            if (nm_message_has_tag (message, tag)
                != g_strv_contains ((const char * const *) tags, tag))
              nm_fuzz_fail ("has_tag and get_tags disagree");
            break;
          }
        case 3:
          {
            g_auto (GStrv) tags = nm_fuzz_input_strv (&input, 6);
            gboolean ok = nm_message_set_tags (message, (const char * const *) tags, &error);

            check_tag_verdict (ok, &error, strv_is_valid (tags), "nm_message_set_tags");
            if (ok && frozen == 0)
              check_set_tags (message, tags);
            break;
          }
        case 4:
          nm_fuzz_check_result (nm_message_remove_all_tags (message, &error), &error,
                                "nm_message_remove_all_tags");
          break;
        case 5:
          {
            g_autofree char *query = nm_fuzz_input_string (&input);
            g_auto (GStrv) add = nm_fuzz_input_strv (&input, 3);
            g_auto (GStrv) remove = nm_fuzz_input_strv (&input, 3);

            check_tag_messages (fixture->database, query, add, remove);
            break;
          }
        case 6:
          nm_fuzz_check_result (nm_message_freeze (message, &error), &error, "nm_message_freeze");
          frozen++;
          break;
        case 7:
          {
            gboolean ok = nm_message_thaw (message, &error);

            if (ok != (frozen > 0))
              nm_fuzz_fail ("nm_message_thaw %s with %u freezes", ok ? "succeeded" : "failed",
                            frozen);
            nm_fuzz_check_result (ok, &error, "nm_message_thaw");
            if (ok)
              frozen--;
            break;
          }
        case 8:
          thaw_all (message, &frozen);
          g_clear_object (&message);
          message = take_message (&input);
          break;
        default:
          {
            g_auto (GStrv) tags = nm_message_get_tags (message);
            g_auto (GStrv) all = nm_database_get_all_tags (fixture->database, &error);

            check_sorted_tags (tags, "a message's tags");
            nm_fuzz_check_result (all != NULL, &error, "nm_database_get_all_tags");
            if (all != NULL)
              check_sorted_tags (all, "the database's tags");
            break;
          }
        }
    }
  thaw_all (message, &frozen);
  g_clear_object (&message);
  nm_fuzz_restore_tags (fixture->database);
  nm_fuzz_end ();
  return 0;
}
