/* fuzz-paths.c: file names, directory names and message ids
 *
 * Input: up to 12 operations, each an operation byte followed by its arguments.  A path is
 * a mode byte, then a string (ending at a NUL byte); the mode's bits 0-1 say what the string
 * is: 0 the path itself, 1 a name below the mail root, 2 a suffix to a fixture file's
 * relative name, 3 a suffix to its absolute name (the fixture file given by a further byte).
 *   0 find_message (id)          1 find_message_by_filename (path)
 *   2 get_directory (path), and the directory's getters
 *   3 index_file (path)          4 remove_message (path)
 *   5 keep a thread list and a message list of every message for later
 *   6 read the kept lists
 * The database is put back as it was after each input: files indexed are removed, files
 * removed are indexed again, and the fixture's tags restored.
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

typedef struct
{
  /* Files this input indexed that were not indexed before, and files it removed that
   * were: undone in reverse order. */
  GPtrArray *indexed;
  GPtrArray *removed;
  gboolean wrote;
} Undo;

static char *
take_path (NmFuzzInput *input, const char *mail)
{
  guint8 mode = nm_fuzz_input_byte (input);
  g_autofree char *text = nm_fuzz_input_string (input);
  const char *file;
  guint index;

  switch (mode & 3)
    {
    case 0:
      return g_steal_pointer (&text);
    case 1:
      return g_strconcat (mail, "/", text, NULL);
    default:
      index = nm_fuzz_input_byte (input);
      file = nm_fuzz_messages[(index >> 1) % nm_fuzz_n_messages].files[index & 1];
      if (file == NULL)
        file = nm_fuzz_messages[(index >> 1) % nm_fuzz_n_messages].files[0];
      if ((mode & 3) == 2)
        return g_strconcat (file, text, NULL);
      return g_strconcat (mail, "/", file, text, NULL);
    }
}

static gboolean
is_indexed (NmDatabase *database, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = nm_database_find_message_by_filename (database, path, &error);

  nm_fuzz_check_error (&error, "nm_database_find_message_by_filename");
  return message != NULL;
}

static void
check_message (NmMessage *message)
{
  g_auto (GStrv) filenames = nm_message_get_filenames (message);
  g_autofree char *filename = nm_message_get_filename (message);

  nm_fuzz_check_utf8 (nm_message_get_message_id (message), "a message id");
  /* The ghost of a message that others refer to (its last file removed) has no file. */
  if (nm_message_get_flag (message, NM_MESSAGE_FLAG_GHOST, NULL))
    {
      if (filename != NULL || filenames == NULL || filenames[0] != NULL)
        nm_fuzz_fail ("a ghost message has files");
      return;
    }
  if (filenames == NULL || filenames[0] == NULL || g_strcmp0 (filename, filenames[0]) != 0)
    nm_fuzz_fail ("get_filename (%s) is not the first of get_filenames (%s)",
                  filename != NULL ? filename : "NULL",
                  filenames != NULL && filenames[0] != NULL ? filenames[0] : "none");
}

static void
read_directory (NmDirectory *directory)
{
  g_strfreev (nm_directory_get_child_files (directory));
  g_strfreev (nm_directory_get_child_directories (directory));
  nm_directory_get_path (directory);
  nm_directory_get_mtime (directory);
}

static void
index_file (NmDatabase *database, const char *path, Undo *undo)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = NULL;
  gboolean known = is_indexed (database, path);
  gboolean duplicate = FALSE;

  message = nm_database_index_file (database, path, NULL, &duplicate, &error);
  nm_fuzz_check_result (message != NULL, &error, "nm_database_index_file");
  if (message == NULL)
    return;
  check_message (message);
  undo->wrote = TRUE;
  if (!known)
    g_ptr_array_add (undo->indexed, g_strdup (path));
}

static void
remove_file (NmDatabase *database, const char *path, Undo *undo)
{
  g_autoptr (GError) error = NULL;
  gboolean known = is_indexed (database, path);

  nm_database_remove_message (database, path, &error);
  nm_fuzz_check_error (&error, "nm_database_remove_message");
  undo->wrote = TRUE;
  if (known)
    {
      if (is_indexed (database, path))
        nm_fuzz_fail ("remove_message (\"%s\") left the file indexed", path);
      g_ptr_array_add (undo->removed, g_strdup (path));
    }
}

/* The fixture again: every message with all its files, and nothing else. */
static void
undo_and_check (NmDatabase *database, Undo *undo)
{
  g_autoptr (GError) error = NULL;
  guint count;

  for (guint i = undo->indexed->len; i > 0; i--)
    {
      const char *path = g_ptr_array_index (undo->indexed, i - 1);

      nm_database_remove_message (database, path, &error);
      if (error != NULL || is_indexed (database, path))
        nm_fuzz_fail ("cannot remove \"%s\", which index_file took: %s", path,
                      error != NULL ? error->message : "still indexed");
    }
  for (guint i = undo->removed->len; i > 0; i--)
    {
      const char *path = g_ptr_array_index (undo->removed, i - 1);
      g_autoptr (NmMessage) message = nm_database_index_file (database, path, NULL, NULL,
                                                              &error);

      if (message == NULL || !is_indexed (database, path))
        nm_fuzz_fail ("cannot index \"%s\" again after remove_message: %s", path,
                      error != NULL ? error->message : "not indexed");
    }
  if (!undo->wrote)
    return;
  nm_fuzz_restore_tags (database);
  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    {
      g_autoptr (NmMessage) message = nm_fuzz_find_message (database, i);
      g_auto (GStrv) filenames = nm_message_get_filenames (message);
      guint n = nm_fuzz_messages[i].files[1] != NULL ? 2 : 1;

      if (g_strv_length (filenames) != n)
        nm_fuzz_fail ("%s has %u files after the input, not %u", nm_fuzz_messages[i].message_id,
                      g_strv_length (filenames), n);
    }
  count = nm_database_count_messages (database, "*", &error);
  if (error != NULL)
    nm_fuzz_fail ("cannot count the messages: %s", error->message);
  /* Two of the fixture's messages carry excluded tags. */
  if (count != nm_fuzz_n_messages - 2)
    nm_fuzz_fail ("%u messages after the input, not %u", count, nm_fuzz_n_messages - 2);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  NmFuzzFixture *fixture = nm_fuzz_fixture_get ();
  NmDatabase *database = fixture->database;
  NmFuzzInput input = { data, size };
  Undo undo = { g_ptr_array_new_with_free_func (g_free),
                g_ptr_array_new_with_free_func (g_free), FALSE };
  g_autoptr (NmThreads) kept_threads = NULL;
  g_autoptr (NmMessages) kept_messages = NULL;

  nm_fuzz_begin ();
  for (guint step = 0; step < 12 && !nm_fuzz_input_done (&input); step++)
    {
      g_autoptr (GError) error = NULL;
      guint8 operation = nm_fuzz_input_byte (&input) % 7;

      switch (operation)
        {
        case 0:
          {
            g_autofree char *id = nm_fuzz_input_string (&input);
            g_autoptr (NmMessage) message = nm_database_find_message (database, id, &error);

            nm_fuzz_check_error (&error, "nm_database_find_message");
            if (message != NULL)
              check_message (message);
            break;
          }
        case 1:
          {
            g_autofree char *path = take_path (&input, fixture->mail);
            g_autoptr (NmMessage) message = NULL;

            message = nm_database_find_message_by_filename (database, path, &error);
            nm_fuzz_check_error (&error, "nm_database_find_message_by_filename");
            if (message != NULL)
              check_message (message);
            break;
          }
        case 2:
          {
            g_autofree char *path = take_path (&input, fixture->mail);
            g_autoptr (NmDirectory) directory = nm_database_get_directory (database, path,
                                                                           &error);

            nm_fuzz_check_error (&error, "nm_database_get_directory");
            if (directory != NULL)
              read_directory (directory);
            break;
          }
        case 3:
          {
            g_autofree char *path = take_path (&input, fixture->mail);

            index_file (database, path, &undo);
            break;
          }
        case 4:
          {
            g_autofree char *path = take_path (&input, fixture->mail);

            remove_file (database, path, &undo);
            break;
          }
        case 5:
          g_clear_object (&kept_threads);
          g_clear_object (&kept_messages);
          kept_threads = nm_database_search_threads (database, "*", &error);
          nm_fuzz_check_result (kept_threads != NULL, &error, "nm_database_search_threads");
          kept_messages = nm_database_search_messages (database, "*", &error);
          nm_fuzz_check_result (kept_messages != NULL, &error, "nm_database_search_messages");
          break;
        default:
          /* Lists read after this database's own writes: they may end early (and say so
           * in check()), but must not crash. */
          if (kept_threads != NULL)
            {
              GListModel *model = G_LIST_MODEL (kept_threads);

              for (guint i = 0; i < g_list_model_get_n_items (model); i++)
                {
                  g_autoptr (NmThread) thread = g_list_model_get_item (model, i);
                  g_autoptr (NmMessages) messages = NULL;

                  if (thread == NULL)
                    break;
                  messages = nm_thread_get_messages (thread);
                }
              nm_threads_check (kept_threads, &error);
              nm_fuzz_check_error (&error, "nm_threads_check");
            }
          if (kept_messages != NULL)
            {
              GListModel *model = G_LIST_MODEL (kept_messages);
              g_auto (GStrv) tags = NULL;

              for (guint i = 0; i < g_list_model_get_n_items (model); i++)
                {
                  g_autoptr (NmMessage) message = g_list_model_get_item (model, i);
                  g_auto (GStrv) message_tags = NULL;

                  if (message == NULL)
                    break;
                  message_tags = nm_message_get_tags (message);
                }
              nm_messages_check (kept_messages, &error);
              nm_fuzz_check_error (&error, "nm_messages_check");
              tags = nm_messages_collect_tags (kept_messages, &error);
              nm_fuzz_check_error (&error, "nm_messages_collect_tags");
            }
          break;
        }
    }
  g_clear_object (&kept_threads);
  g_clear_object (&kept_messages);
  undo_and_check (database, &undo);
  g_ptr_array_unref (undo.indexed);
  g_ptr_array_unref (undo.removed);
  nm_fuzz_end ();
  return 0;
}
