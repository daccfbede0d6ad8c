/* cases.c: torture scenarios that need C (run by test_*.py as separate processes)
 *
 *   torture-cases strings MAIL_ROOT MESSAGE_ID                  T09
 *   torture-cases invalid-utf8 MAIL_ROOT MESSAGE_ID             T20
 *
 * Each scenario prints one line "@@torture@@ {json}" with what it saw and exits 0; a crash
 * or a sanitizer report is a non-zero exit, which the Python side reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <notmuch-glib.h>

static void
die (const char *what, GError *error)
{
  fprintf (stderr, "%s: %s\n", what, error != NULL ? error->message : "failed");
  exit (2);
}

/* A JSON array of plain ASCII words. */
static void
append_json_list (GString *out, const char *name, GPtrArray *items)
{
  g_string_append_printf (out, "\"%s\": [", name);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (out, "%s\"%s\"", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (items, i));
  g_string_append (out, "]");
}

/* ------------------------------------------------------------------------------------------
 * T09: keep every string the library returned; change tags, rename the file through the
 * maildir flags, reindex, drop the message: every string must still read as it did.
 * Strings returned as const (transfer none) must live as long as their object; strings
 * returned as transfer full are ours.  Under AddressSanitizer a dangling one aborts.
 * ---------------------------------------------------------------------------------------- */

typedef struct
{
  char *name;
  const char *pointer;    /* what the library returned */
  char *copy;             /* what it said then */
  gpointer owner;         /* the object whose lifetime a const string has, or NULL if ours */
  gboolean owner_alive;
} Kept;

static GArray *kept;

static void
keep (const char *name, const char *pointer, gpointer owner)
{
  Kept k = { g_strdup (name), pointer, g_strdup (pointer), owner, TRUE };

  if (pointer == NULL)
    {
      fprintf (stderr, "%s returned NULL\n", name);
      exit (2);
    }
  g_array_append_val (kept, k);
}

static void
keep_strv (const char *name, char **strv)
{
  for (guint i = 0; strv[i] != NULL; i++)
    {
      g_autofree char *item = g_strdup_printf ("%s[%u]", name, i);

      keep (item, strv[i], NULL);
    }
}

static void
owner_gone (gpointer owner)
{
  for (guint i = 0; i < kept->len; i++)
    if (g_array_index (kept, Kept, i).owner == owner)
      g_array_index (kept, Kept, i).owner_alive = FALSE;
}

static void
check_kept (const char *step, GPtrArray *changed)
{
  for (guint i = 0; i < kept->len; i++)
    {
      Kept *k = &g_array_index (kept, Kept, i);

      if (k->owner_alive && strcmp (k->pointer, k->copy) != 0)
        g_ptr_array_add (changed, g_strdup_printf ("%s@%s", k->name, step));
    }
}

static int
scenario_strings (const char *root, const char *message_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  g_autoptr (GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *query_string = g_strdup_printf ("id:\"%s\"", message_id);
  NmDatabase *db;
  NmMessage *message;
  NmQuery *query;
  NmThreads *threads;
  NmThread *thread;
  char *subject, *from, *filename, *renamed;
  char **filenames, **tags, **authors;
  GString *out;

  kept = g_array_new (FALSE, FALSE, sizeof (Kept));
  db = nm_database_open (root, NM_DATABASE_MODE_READ_WRITE, &error);
  if (db == NULL)
    die ("open", error);
  message = nm_database_find_message (db, message_id, &error);
  if (message == NULL)
    die ("find_message", error);
  query = nm_query_new (db, query_string, &error);
  if (query == NULL)
    die ("query", error);
  threads = nm_query_search_threads (query, &error);
  if (threads == NULL)
    die ("search_threads", error);
  thread = g_list_model_get_item (G_LIST_MODEL (threads), 0);
  if (thread == NULL)
    die ("thread", NULL);

  keep ("message_id", nm_message_get_message_id (message), message);
  keep ("thread_id", nm_message_get_thread_id (message), message);
  keep ("thread.thread_id", nm_thread_get_thread_id (thread), thread);
  keep ("thread.subject", nm_thread_get_subject (thread), thread);
  keep ("thread.authors", nm_thread_get_authors (thread), thread);
  keep ("query_string", nm_query_get_query_string (query), query);
  keep ("database.path", nm_database_get_path (db), db);
  subject = nm_message_get_header (message, "subject", &error);
  keep ("subject", subject, NULL);
  from = nm_message_get_header (message, "from", &error);
  keep ("from", from, NULL);
  filename = nm_message_get_filename (message);
  keep ("filename", filename, NULL);
  filenames = nm_message_get_filenames (message);
  keep_strv ("filenames", filenames);
  tags = nm_message_get_tags (message);
  keep_strv ("tags", tags);
  authors = nm_thread_get_matched_authors (thread);
  keep_strv ("thread.matched_authors", authors);

  if (!nm_message_add_tag (message, "t09", &error)
      || !nm_message_remove_tag (message, "unread", &error))
    die ("tags", error);
  g_ptr_array_add (steps, (gpointer) "tags");
  check_kept ("tags", changed);

  if (!nm_message_tags_to_maildir_flags (message, &error))
    die ("tags_to_maildir_flags", error);
  renamed = nm_message_get_filename (message);
  if (g_strcmp0 (renamed, filename) == 0)
    die ("the file was not renamed", NULL);
  g_free (renamed);
  g_ptr_array_add (steps, (gpointer) "rename");
  check_kept ("rename", changed);

  if (!nm_message_reindex (message, NULL, &error))
    die ("reindex", error);
  g_ptr_array_add (steps, (gpointer) "reindex");
  check_kept ("reindex", changed);

  g_object_unref (message);
  owner_gone (message);
  g_object_unref (thread);
  owner_gone (thread);
  g_object_unref (threads);
  g_object_unref (query);
  owner_gone (query);
  g_ptr_array_add (steps, (gpointer) "unref");
  check_kept ("unref", changed);

  if (!nm_database_close (db, &error))
    die ("close", error);
  g_object_unref (db);
  owner_gone (db);
  check_kept ("close", changed);

  out = g_string_new ("@@torture@@ {");
  append_json_list (out, "steps", steps);
  g_string_append (out, ", ");
  append_json_list (out, "changed", changed);
  g_string_append_printf (out, ", \"kept\": %u}", kept->len);
  puts (out->str);
  g_string_free (out, TRUE);

  g_free (subject);
  g_free (from);
  g_free (filename);
  g_strfreev (filenames);
  g_strfreev (tags);
  g_strfreev (authors);
  for (guint i = 0; i < kept->len; i++)
    {
      g_free (g_array_index (kept, Kept, i).name);
      g_free (g_array_index (kept, Kept, i).copy);
    }
  g_array_unref (kept);
  return 0;
}

/* ------------------------------------------------------------------------------------------
 * T20: a tag that is not valid UTF-8 (Python cannot pass one) is refused everywhere with
 * NM_ERROR_INVALID_TAG, and nothing changes.
 * ---------------------------------------------------------------------------------------- */

static const char *
outcome (gboolean ok, GError **error)
{
  static char buffer[256];

  if (ok)
    return "accepted";
  if (*error == NULL)
    return "failed-without-error";
  g_snprintf (buffer, sizeof buffer, "%s:%d", (*error)->domain == NM_ERROR ? "nm" : "other",
              (*error)->code);
  g_clear_error (error);
  return buffer;
}

static int
scenario_invalid_utf8 (const char *root, const char *message_id)
{
  static const char *const bad_tags[] = { "\xff\xfe", "ok\xc3", "\xed\xa0\x80" /* surrogate */ };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *query_string = g_strdup_printf ("id:\"%s\"", message_id);
  g_auto (GStrv) before = NULL;
  g_auto (GStrv) after = NULL;
  NmDatabase *db;
  NmMessage *message;
  NmQuery *query;
  GString *out;
  gboolean same;

  db = nm_database_open (root, NM_DATABASE_MODE_READ_WRITE, &error);
  if (db == NULL)
    die ("open", error);
  message = nm_database_find_message (db, message_id, &error);
  if (message == NULL)
    die ("find_message", error);
  query = nm_query_new (db, "*", &error);
  if (query == NULL)
    die ("query", error);
  before = nm_message_get_tags (message);

  for (guint i = 0; i < G_N_ELEMENTS (bad_tags); i++)
    {
      const char *tag = bad_tags[i];
      const char *set[] = { "inbox", tag, NULL };
      const char *one[] = { tag, NULL };
      guint n;

      g_ptr_array_add (results, g_strdup_printf ("add_tag=%s",
                       outcome (nm_message_add_tag (message, tag, &error), &error)));
      g_ptr_array_add (results, g_strdup_printf ("remove_tag=%s",
                       outcome (nm_message_remove_tag (message, tag, &error), &error)));
      g_ptr_array_add (results, g_strdup_printf ("set_tags=%s",
                       outcome (nm_message_set_tags (message, set, &error), &error)));
      n = nm_database_tag_messages (db, query_string, one, NULL, &error);
      g_ptr_array_add (results, g_strdup_printf ("tag_messages_add=%s",
                       outcome (error == NULL && n > 0, &error)));
      n = nm_database_tag_messages (db, query_string, NULL, one, &error);
      g_ptr_array_add (results, g_strdup_printf ("tag_messages_remove=%s",
                       outcome (error == NULL, &error)));
      g_ptr_array_add (results, g_strdup_printf ("add_tag_exclude=%s",
                       outcome (nm_query_add_tag_exclude (query, tag, &error), &error)));
    }
  after = nm_message_get_tags (message);
  same = g_strv_equal ((const char * const *) before, (const char * const *) after);

  g_object_unref (query);
  g_object_unref (message);
  if (!nm_database_close (db, &error))
    die ("close", error);
  g_object_unref (db);

  out = g_string_new ("@@torture@@ {");
  append_json_list (out, "results", results);
  g_string_append_printf (out, ", \"unchanged\": %s, \"invalid_tag\": %d}",
                          same ? "true" : "false", NM_ERROR_INVALID_TAG);
  puts (out->str);
  g_string_free (out, TRUE);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 4 && strcmp (argv[1], "strings") == 0)
    return scenario_strings (argv[2], argv[3]);
  if (argc >= 4 && strcmp (argv[1], "invalid-utf8") == 0)
    return scenario_invalid_utf8 (argv[2], argv[3]);
  fprintf (stderr, "usage: %s strings|invalid-utf8 MAIL_ROOT MESSAGE_ID\n", argv[0]);
  return 2;
}
