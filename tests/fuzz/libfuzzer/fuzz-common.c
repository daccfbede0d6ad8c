/* fuzz-common.c: the mail store, input reading and checks shared by the libFuzzer harnesses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sanitizer/common_interface_defs.h>

/* libnotmuch's NOTMUCH_TAG_MAX; notmuch.h is not among the library's public headers. */
#define NM_FUZZ_TAG_MAX 200


/* Every file name carries the maildir flags its tags give, so that synchronising the flags
 * after the tags are restored gives the same names back. */
const NmFuzzMessage nm_fuzz_messages[] = {
  { "m1@fuzz.example", { "cur/1.m1:2,", NULL }, { "inbox", "unread", NULL } },
  { "m2@fuzz.example", { "cur/2.m2:2,RS", NULL }, { "inbox", "replied", NULL } },
  { "m3@fuzz.example", { "cur/3.m3:2,FS", NULL }, { "flagged", "spam", NULL } },
  { "m4@fuzz.example", { "sub/cur/4.m4:2,", NULL }, { "deleted", "inbox", "unread", NULL } },
  { "m5@fuzz.example", { "cur/5.m5:2,S", "sub/cur/5b.m5:2,S" }, { "lists/notmuch", "todo", NULL } },
};
const guint nm_fuzz_n_messages = G_N_ELEMENTS (nm_fuzz_messages);

/* The texts of the messages above, in the same order.  A thread of two, encoded words,
 * raw 8-bit header bytes (Latin-1), a folded header, a MIME attachment and one message
 * stored in two files. */
static const char *const message_texts[] = {
  "From: Alice Example <alice@example.org>\n"
  "To: Bob <bob@example.org>\n"
  "Subject: Hello Bob\n"
  "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
  "Message-ID: <m1@fuzz.example>\n"
  "X-Custom: first value\n"
  "\n"
  "Hello Bob, how are things?\n",

  "From: Bob <bob@example.org>\n"
  "To: Alice Example <alice@example.org>\n"
  "Cc: carol@example.org\n"
  "Subject: Re: Hello Bob\n"
  "Date: Tue, 14 Nov 2023 22:15:00 +0000\n"
  "Message-ID: <m2@fuzz.example>\n"
  "In-Reply-To: <m1@fuzz.example>\n"
  "References: <m1@fuzz.example>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/mixed; boundary=\"b\"\n"
  "\n"
  "--b\n"
  "Content-Type: text/plain; charset=utf-8\n"
  "\n"
  "Fine, thanks.\n"
  "--b\n"
  "Content-Type: application/octet-stream; name=\"notes.bin\"\n"
  "Content-Disposition: attachment; filename=\"notes.bin\"\n"
  "Content-Transfer-Encoding: base64\n"
  "\n"
  "AAECAwQFBgc=\n"
  "--b--\n",

  "From: =?UTF-8?B?w4lsb2TDqWU=?= <elodee@example.org>\n"
  "To: alice@example.org\n"
  "Subject: =?UTF-8?Q?Caf=C3=A9_=E2=98=95?= and more\n"
  "Date: Wed, 15 Nov 2023 08:00:00 +0100\n"
  "Message-ID: <m3@fuzz.example>\n"
  "Reply-To: list@example.org\n"
  "X-Folded: one\n"
  " two\n"
  "\tthree\n"
  "\n"
  "Un caf\xc3\xa9, s'il vous pla\xc3\xaet.\n",

  "From: Gr\xfcn <gruen@example.org>\n"
  "To: alice@example.org\n"
  "Subject: Stra\xdf" "e und Gr\xfc\xdf" "e\n"
  "Date: Thu, 16 Nov 2023 12:00:00 -0500\n"
  "Message-ID: <m4@fuzz.example>\n"
  "X-Latin1: caf\xe9\n"
  "\n"
  "Raw bytes: \xe9\xe8\xff\n",

  "From: list-bot <bot@lists.example.org>\n"
  "To: notmuch@lists.example.org\n"
  "Subject: [notmuch] weekly digest\n"
  "Date: Fri, 17 Nov 2023 00:00:00 +0000\n"
  "Message-ID: <m5@fuzz.example>\n"
  "List-Id: <notmuch.lists.example.org>\n"
  "\n"
  "Nothing happened this week.\n",
};

G_STATIC_ASSERT (G_N_ELEMENTS (message_texts) == G_N_ELEMENTS (nm_fuzz_messages));

static gboolean in_input;
static NmFuzzFixture *fixture;

guint8
nm_fuzz_input_byte (NmFuzzInput *input)
{
  guint8 byte;

  if (input->size == 0)
    return 0;
  byte = input->data[0];
  input->data++;
  input->size--;
  return byte;
}

char *
nm_fuzz_input_string (NmFuzzInput *input)
{
  const guint8 *end = memchr (input->data, '\0', input->size);
  gsize length = end != NULL ? (gsize) (end - input->data) : input->size;
  char *text = g_malloc (length + 1);

  memcpy (text, input->data, length);
  text[length] = '\0';
  input->data += length;
  input->size -= length;
  if (end != NULL)
    {
      input->data++;
      input->size--;
    }
  return text;
}

char **
nm_fuzz_input_strv (NmFuzzInput *input, guint max)
{
  guint n = nm_fuzz_input_byte (input) % (max + 1);
  char **strv = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    strv[i] = nm_fuzz_input_string (input);
  return strv;
}

gboolean
nm_fuzz_input_done (const NmFuzzInput *input)
{
  return input->size == 0;
}

char *
nm_fuzz_nest (const char *prefix, const char *middle, const char *suffix, guint power, gsize max)
{
  gsize outer = strlen (prefix) + strlen (suffix);
  gsize inner = strlen (middle);
  gsize times = (gsize) 1 << (3 * MIN (power, 7));
  GString *result;

  if (outer == 0)
    return g_strdup (middle);
  times = MAX (MIN (times, max > inner ? (max - inner) / outer : 0), 1);
  result = g_string_sized_new (outer * times + inner + 1);
  for (gsize i = 0; i < times; i++)
    g_string_append (result, prefix);
  g_string_append (result, middle);
  for (gsize i = 0; i < times; i++)
    g_string_append (result, suffix);
  return g_string_free (result, FALSE);
}

void
nm_fuzz_fail (const char *format, ...)
{
  va_list args;

  fprintf (stderr, "==nm-fuzz== ERROR: ");
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fprintf (stderr, "\n");
  abort ();
}

void
nm_fuzz_check_error (GError **error, const char *call)
{
  if (*error == NULL)
    return;
  if ((*error)->domain != NM_ERROR)
    nm_fuzz_fail ("%s: error outside the NM_ERROR domain: %s %d: %s", call,
                  g_quark_to_string ((*error)->domain), (*error)->code, (*error)->message);
  if ((*error)->message == NULL || !g_utf8_validate ((*error)->message, -1, NULL))
    nm_fuzz_fail ("%s: error message is not UTF-8 (code %d)", call, (*error)->code);
  if ((*error)->code == NM_ERROR_CLOSED_DATABASE)
    nm_fuzz_fail ("%s: the fixture's database was closed: %s", call, (*error)->message);
  g_clear_error (error);
}

void
nm_fuzz_check_result (gboolean ok, GError **error, const char *call)
{
  if (ok && *error != NULL)
    nm_fuzz_fail ("%s: succeeded but set an error: %s", call, (*error)->message);
  if (!ok && *error == NULL)
    nm_fuzz_fail ("%s: failed without an error", call);
  nm_fuzz_check_error (error, call);
}

void
nm_fuzz_check_utf8 (const char *text, const char *what)
{
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    nm_fuzz_fail ("%s is not UTF-8", what);
}

void
nm_fuzz_check_strv_utf8 (char **strv, const char *what)
{
  for (; strv != NULL && *strv != NULL; strv++)
    nm_fuzz_check_utf8 (*strv, what);
}

gboolean
nm_fuzz_tag_is_valid (const char *tag)
{
  return tag[0] != '\0' && g_utf8_validate (tag, -1, NULL) && strlen (tag) <= NM_FUZZ_TAG_MAX;
}

static void
nm_fuzz_read_message (NmMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) tags = NULL;
  g_auto (GStrv) filenames = NULL;
  g_autofree char *subject = NULL;

  nm_fuzz_check_utf8 (nm_message_get_message_id (message), "a message id");
  nm_fuzz_check_utf8 (nm_message_get_thread_id (message), "a thread id");
  nm_message_get_date (message);
  tags = nm_message_get_tags (message);
  nm_fuzz_check_strv_utf8 (tags, "a message's tag");
  filenames = nm_message_get_filenames (message);
  subject = nm_message_get_header (message, "subject", &error);
  nm_fuzz_check_error (&error, "nm_message_get_header");
  nm_fuzz_check_utf8 (subject, "a subject");
}

void
nm_fuzz_walk_messages (NmMessages *messages, guint limit)
{
  GListModel *model = G_LIST_MODEL (messages);
  g_autoptr (GError) error = NULL;
  guint n = g_list_model_get_n_items (model);
  guint i;

  for (i = 0; i < n && i < limit; i++)
    {
      g_autoptr (NmMessage) message = g_list_model_get_item (model, i);

      if (message == NULL)
        nm_fuzz_fail ("message %u of %u is missing", i, n);
      nm_fuzz_read_message (message);
    }
  if (i == n)
    {
      g_autoptr (GObject) beyond = g_list_model_get_item (model, n);

      if (beyond != NULL)
        nm_fuzz_fail ("a list of %u messages has an item %u", n, n);
    }
  nm_fuzz_check_result (nm_messages_check (messages, &error), &error, "nm_messages_check");
}

static void
nm_fuzz_read_thread (NmThread *thread)
{
  g_auto (GStrv) matched_authors = nm_thread_get_matched_authors (thread);
  g_auto (GStrv) unmatched_authors = nm_thread_get_unmatched_authors (thread);
  g_auto (GStrv) tags = nm_thread_get_tags (thread);
  g_autoptr (NmMessages) messages = NULL;
  g_autoptr (NmMessages) toplevel = NULL;

  nm_fuzz_check_utf8 (nm_thread_get_thread_id (thread), "a thread id");
  nm_fuzz_check_utf8 (nm_thread_get_subject (thread), "a thread subject");
  nm_fuzz_check_utf8 (nm_thread_get_authors (thread), "a thread's authors");
  nm_fuzz_check_strv_utf8 (matched_authors, "a matched author");
  nm_fuzz_check_strv_utf8 (unmatched_authors, "an unmatched author");
  nm_fuzz_check_strv_utf8 (tags, "a thread's tag");
  nm_thread_get_oldest_date (thread);
  nm_thread_get_newest_date (thread);
  if (nm_thread_get_matched_messages (thread) > nm_thread_get_total_messages (thread))
    nm_fuzz_fail ("a thread has more matched messages (%u) than messages (%u)",
                  nm_thread_get_matched_messages (thread),
                  nm_thread_get_total_messages (thread));
  nm_thread_get_total_files (thread);
  messages = nm_thread_get_messages (thread);
  if (messages != NULL)
    nm_fuzz_walk_messages (messages, 4);
  toplevel = nm_thread_get_toplevel_messages (thread);
  if (toplevel != NULL)
    nm_fuzz_walk_messages (toplevel, 2);
}

void
nm_fuzz_walk_threads (NmThreads *threads, guint limit)
{
  GListModel *model = G_LIST_MODEL (threads);
  g_autoptr (GError) error = NULL;
  guint n = g_list_model_get_n_items (model);
  guint i;

  for (i = 0; i < n && i < limit; i++)
    {
      g_autoptr (NmThread) thread = g_list_model_get_item (model, i);

      if (thread == NULL)
        nm_fuzz_fail ("thread %u of %u is missing", i, n);
      nm_fuzz_read_thread (thread);
    }
  if (i == n)
    {
      g_autoptr (GObject) beyond = g_list_model_get_item (model, n);

      if (beyond != NULL)
        nm_fuzz_fail ("a list of %u threads has an item %u", n, n);
    }
  nm_fuzz_check_result (nm_threads_check (threads, &error), &error, "nm_threads_check");
}

NmMessage *
nm_fuzz_find_message (NmDatabase *database, guint index)
{
  g_autoptr (GError) error = NULL;
  NmMessage *message;

  message = nm_database_find_message (database, nm_fuzz_messages[index].message_id, &error);
  if (message == NULL)
    nm_fuzz_fail ("fixture message %s is gone: %s", nm_fuzz_messages[index].message_id,
                  error != NULL ? error->message : "not found");
  return message;
}

void
nm_fuzz_restore_tags (NmDatabase *database)
{
  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    {
      g_autoptr (NmMessage) message = nm_fuzz_find_message (database, i);
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) tags = NULL;
      guint n = 0;

      if (!nm_message_set_tags (message, nm_fuzz_messages[i].tags, &error)
          || !nm_message_tags_to_maildir_flags (message, &error))
        nm_fuzz_fail ("cannot restore the tags of %s: %s", nm_fuzz_messages[i].message_id,
                      error->message);
      tags = nm_message_get_tags (message);
      while (nm_fuzz_messages[i].tags[n] != NULL)
        n++;
      if (g_strv_length (tags) != n)
        nm_fuzz_fail ("%s has %u tags after restoring %u", nm_fuzz_messages[i].message_id,
                      g_strv_length (tags), n);
      for (guint t = 0; t < n; t++)
        if (g_strcmp0 (tags[t], nm_fuzz_messages[i].tags[t]) != 0)
          nm_fuzz_fail ("%s has tag %s after restoring %s", nm_fuzz_messages[i].message_id,
                        tags[t], nm_fuzz_messages[i].tags[t]);
    }
}

/* libnotmuch ends the process with exit(1) on an internal error.  Registered at the first
 * input, after the library's exit handler and libFuzzer's, so it runs before them: the
 * process aborts with the stack of the exit() call, and libFuzzer saves the input. */
static void
nm_fuzz_exit_guard (void)
{
  if (!in_input)
    return;
  fprintf (stderr, "==nm-fuzz== ERROR: exit() called while an input runs (libnotmuch's "
           "internal-error path?)\n");
  __sanitizer_print_stack_trace ();
  abort ();
}

void
nm_fuzz_begin (void)
{
  static gboolean guarded;

  if (!guarded)
    atexit (nm_fuzz_exit_guard);
  guarded = TRUE;
  in_input = TRUE;
}

void
nm_fuzz_end (void)
{
  in_input = FALSE;
}

static void
nm_fuzz_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR)
            && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          nm_fuzz_remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
nm_fuzz_remove_fixture (void)
{
  if (fixture == NULL)
    return;
  g_clear_object (&fixture->reader);
  g_clear_object (&fixture->database);
  nm_fuzz_remove_tree (fixture->root);
}

static void
nm_fuzz_write (const char *mail, const char *relative, const char *text, gssize length)
{
  g_autofree char *path = g_build_filename (mail, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) < 0
      || !g_file_set_contents (path, text, length, &error))
    nm_fuzz_fail ("cannot write %s", path);
}

static void
nm_fuzz_build_store (NmFuzzFixture *self)
{
  g_autoptr (NmDatabase) database = NULL;
  g_autoptr (GError) error = NULL;
  static const char not_mail[] = "\x7f" "ELF\x02\x01\x01\0\0\0binary, not mail\n";

  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    for (guint f = 0; f < G_N_ELEMENTS (nm_fuzz_messages[i].files); f++)
      if (nm_fuzz_messages[i].files[f] != NULL)
        nm_fuzz_write (self->mail, nm_fuzz_messages[i].files[f], message_texts[i], -1);
  nm_fuzz_write (self->mail, "junk/not-mail", not_mail, sizeof not_mail - 1);
  nm_fuzz_write (self->mail, "junk/empty", "", 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *dir = g_build_filename (self->mail, i == 0 ? "" : "sub", "new", NULL);
      g_autofree char *tmp = g_build_filename (self->mail, i == 0 ? "" : "sub", "tmp", NULL);

      g_mkdir_with_parents (dir, 0700);
      g_mkdir_with_parents (tmp, 0700);
    }

  database = nm_database_create (self->mail, &error);
  if (database == NULL)
    nm_fuzz_fail ("cannot create the database: %s", error->message);
  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    {
      g_autoptr (NmMessage) message = NULL;

      for (guint f = 0; f < G_N_ELEMENTS (nm_fuzz_messages[i].files); f++)
        {
          g_autoptr (NmMessage) indexed = NULL;

          if (nm_fuzz_messages[i].files[f] == NULL)
            continue;
          indexed = nm_database_index_file (database, nm_fuzz_messages[i].files[f], NULL,
                                            NULL, &error);
          if (indexed == NULL)
            nm_fuzz_fail ("cannot index %s: %s", nm_fuzz_messages[i].files[f],
                          error->message);
        }
      message = nm_fuzz_find_message (database, i);
      if (!nm_message_set_tags (message, nm_fuzz_messages[i].tags, &error))
        nm_fuzz_fail ("cannot tag %s: %s", nm_fuzz_messages[i].message_id, error->message);
    }
  if (!nm_database_set_config (database, "search.exclude_tags", "deleted;spam", &error)
      || !nm_database_set_config (database, "new.tags", "unread;inbox", &error)
      || !nm_database_set_config (database, "maildir.synchronize_flags", "true", &error)
      || !nm_database_set_config (database, "user.primary_email", "alice@example.org", &error)
      || !nm_database_set_config (database, "query.bob", "from:bob", &error)
      || !nm_database_close (database, &error))
    nm_fuzz_fail ("cannot configure the database: %s", error->message);
}

NmFuzzFixture *
nm_fuzz_fixture_get (void)
{
  g_autoptr (GError) error = NULL;
  char *root;

  if (fixture != NULL)
    return fixture;

  /* GLib's criticals and warnings are programming errors in the library or the harness. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  /* The user's configuration must not leak in. */
  g_unsetenv ("NOTMUCH_CONFIG");
  g_unsetenv ("NOTMUCH_PROFILE");
  g_unsetenv ("NOTMUCH_DATABASE");

  root = g_dir_make_tmp ("nm-fuzz-XXXXXX", &error);
  if (root == NULL)
    nm_fuzz_fail ("cannot make a temporary directory: %s", error->message);
  fixture = g_new0 (NmFuzzFixture, 1);
  fixture->root = root;
  fixture->mail = g_build_filename (root, "mail", NULL);
  /* Registered before the first read-write open registers the library's handler, which
   * commits open databases at exit: this one runs after it. */
  atexit (nm_fuzz_remove_fixture);

  nm_fuzz_build_store (fixture);
  /* An empty configuration path: no configuration file, only what the database stores. */
  fixture->database = nm_database_open_with_config (fixture->mail, NM_DATABASE_MODE_READ_WRITE,
                                                    "", NULL, &error);
  if (fixture->database == NULL)
    nm_fuzz_fail ("cannot open the database: %s", error->message);
  fixture->reader = nm_database_open_with_config (fixture->mail, NM_DATABASE_MODE_READ_ONLY,
                                                  "", NULL, &error);
  if (fixture->reader == NULL)
    nm_fuzz_fail ("cannot open the database for reading: %s", error->message);
  return fixture;
}
