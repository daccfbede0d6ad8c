/* test-content.c: message content (GMime) and delivery against the notmuch CLI
 *
 * The corpus comes from tests/mimecorpus.py: MIME cases (alternatives, nested multiparts,
 * named and unnamed attachments, RFC 2231 and 2047 names, ISO-8859-1, Shift_JIS, KOI8-R,
 * broken MIME, a gzipped file) and, with throw-away keys in a temporary GNUPGHOME,
 * PGP/MIME and S/MIME signed and encrypted mail, indexed with `notmuch new --decrypt=true`
 * so that the PGP session keys are stored.
 *
 * Oracles: `notmuch show --format=json --decrypt=false|auto|true` (the text parts without
 * a filename, and the parts with one), `notmuch show --part=N --format=raw` (attachment
 * bytes), `notmuch show --format=raw` (load_bytes), and `notmuch insert` on a twin copy of
 * the corpus (placement, flags, tags, duplicates).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "nm-test-fixture.h"

/* GMime 3.2 declares no g_autoptr() cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

static NmTestCorpus *mime_corpus;
static char *gnupghome;

static const char *const policy_names[] = { "false", "true", "auto", "nostash" };
static const NmDecryptPolicy policies[] = {
  NM_DECRYPT_POLICY_FALSE, NM_DECRYPT_POLICY_AUTO, NM_DECRYPT_POLICY_TRUE
};

/* The words that only the cleartext of the encrypted cases holds (tests/mimecorpus.py). */
static const struct
{
  const char *id;
  const char *secret;
  gboolean pgp;
} encrypted_cases[] = {
  { "pgp-encrypted@mime.example", "pineapple", TRUE },
  { "pgp-encrypted-signed@mime.example", "kiwi", TRUE },
  { "pgp-protected-headers@mime.example", "mango", TRUE },
  { "pgp-protected-signed@mime.example", "papaya", TRUE },
  { "exchange-mixed-up@mime.example", "quince", TRUE },
  { "smime-encrypted@mime.example", "lychee", FALSE },
};

/* tools/memcheck.sh sets NM_TEST_SKIP_DECRYPTION under valgrind: there, GMime cannot make
 * its OpenPGP context in these processes (gpgme's check of the gpg engine fails, so the part
 * is "unregistered"), which says nothing about the library.  The plain and AddressSanitizer
 * runs decrypt every case. */
static gboolean
decryption_skipped (void)
{
  return g_strcmp0 (g_getenv ("NM_TEST_SKIP_DECRYPTION"), "1") == 0;
}

/* The cases whose text only gpg or gpgsm can reach (tests/mimecorpus.py names them so). */
static gboolean
is_crypto_case (const char *id)
{
  return g_str_has_prefix (id, "pgp-") || g_str_has_prefix (id, "smime-")
         || g_str_has_prefix (id, "exchange-");
}

/* For the tests that are about decryption: TRUE (and the test skipped) under valgrind. */
static gboolean
skip_decryption_test (void)
{
  if (!decryption_skipped ())
    return FALSE;
  g_test_skip ("NM_TEST_SKIP_DECRYPTION=1: gpg cannot be used in this process");
  return TRUE;
}

/* ------------------------------------------------------------------------------------- */
/* Running programs. */

static const char *
getenv_or (const char *name, const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : fallback;
}

/* Runs @argv (with NOTMUCH_CONFIG=@config unless NULL, without LD_PRELOAD) with @input on
 * its standard input.  Returns its standard output, binary-safe; @exit_status gets its
 * exit status. */
static GBytes *
run_program (const char * const *argv, const char *config, GBytes *input, int *exit_status)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) env = g_get_environ ();
  GBytes *out = NULL;

  env = g_environ_unsetenv (env, "LD_PRELOAD");
  env = g_environ_unsetenv (env, "G_DEBUG");
  if (config != NULL)
    env = g_environ_setenv (env, "NOTMUCH_CONFIG", config, TRUE);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE
                                        | (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                         : G_SUBPROCESS_FLAGS_NONE));
  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  if (exit_status != NULL)
    *exit_status = g_subprocess_get_exit_status (process);
  return out;
}

static GBytes *
cli_va (const NmTestCorpus *corpus, GBytes *input, int *exit_status, const char *first,
        va_list args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) getenv_or ("NOTMUCH", "notmuch"));
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  return run_program ((const char * const *) argv->pdata, corpus->config, input, exit_status);
}

/* `notmuch ARGS...` on @corpus; asserts that it succeeds. */
static GBytes *
cli (const NmTestCorpus *corpus, const char *first, ...) G_GNUC_NULL_TERMINATED;
static GBytes *
cli (const NmTestCorpus *corpus, const char *first, ...)
{
  GBytes *out;
  va_list args;
  int status = -1;

  va_start (args, first);
  out = cli_va (corpus, NULL, &status, first, args);
  va_end (args);
  g_assert_cmpint (status, ==, 0);
  return out;
}

/* `notmuch ARGS...` with @input on standard input; its exit status. */
static int
cli_with_input (const NmTestCorpus *corpus, GBytes *input, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
static int
cli_with_input (const NmTestCorpus *corpus, GBytes *input, const char *first, ...)
{
  g_autoptr (GBytes) out = NULL;
  va_list args;
  int status = -1;

  va_start (args, first);
  out = cli_va (corpus, input, &status, first, args);
  va_end (args);
  return status;
}

static void
run_checked (const char * const *argv, const char *config)
{
  int status = -1;
  g_autoptr (GBytes) out = run_program (argv, config, NULL, &status);

  if (status != 0)
    g_error ("`%s` exited with %d", argv[0], status);
}

/* ------------------------------------------------------------------------------------- */
/* The corpus. */

static void
stop_gpg_agent (const char *home)
{
  const char *argv[] = { "gpgconf", "--kill", "all", NULL };
  g_autofree char *previous = g_strdup (g_getenv ("GNUPGHOME"));

  g_setenv ("GNUPGHOME", home, TRUE);
  run_checked (argv, NULL);
  if (previous != NULL)
    g_setenv ("GNUPGHOME", previous, TRUE);
}

static const NmTestCorpus *
mime_corpus_get (void)
{
  if (mime_corpus == NULL)
    {
      g_autofree char *root = nm_test_make_tmpdir ();
      g_autofree char *generator = g_build_filename (NM_TEST_SRCDIR, "..", "mimecorpus.py",
                                                     NULL);
      NmTestCorpus *corpus = g_new0 (NmTestCorpus, 1);

      corpus->root = g_strdup (root);
      corpus->mail = g_build_filename (root, "mail", NULL);
      corpus->config = g_build_filename (root, "notmuch-config", NULL);
      gnupghome = g_build_filename (root, "gnupg", NULL);
      /* The CLI, gpg and the library (through GMime) all find the keys here. */
      g_setenv ("GNUPGHOME", gnupghome, TRUE);
      {
        const char *generate[] = {
          getenv_or ("PYTHON", "/usr/bin/python3"), getenv_or ("MIMECORPUS", generator),
          root, "--gnupghome", gnupghome, NULL
        };
        const char *index[] = {
          getenv_or ("NOTMUCH", "notmuch"), "new", "--quiet", "--decrypt=true", NULL
        };

        run_checked (generate, NULL);
        run_checked (index, corpus->config);
      }
      mime_corpus = corpus;
    }
  return mime_corpus;
}

static void
mime_corpus_free (void)
{
  if (mime_corpus == NULL)
    return;
  stop_gpg_agent (gnupghome);
  g_clear_pointer (&mime_corpus, nm_test_corpus_free);
  g_clear_pointer (&gnupghome, g_free);
}

static NmMessage *
find (NmDatabase *db, const char *id)
{
  g_autoptr (GError) error = NULL;
  NmMessage *message = nm_database_find_message (db, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static GBytes *
part_bytes (GMimePart *part)
{
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (part), stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  return g_bytes_new (array->data, array->len);
}

static void
assert_bytes_equal (GBytes *a, GBytes *b)
{
  gsize size_a, size_b;
  const guint8 *data_a = g_bytes_get_data (a, &size_a);
  const guint8 *data_b = g_bytes_get_data (b, &size_b);

  g_assert_cmpmem (data_a, size_a, data_b, size_b);
}

/* ------------------------------------------------------------------------------------- */
/* What `notmuch show --format=json` shows. */

typedef struct
{
  GString *text;          /* the text/plain parts without a filename, joined */
  guint n_text;
  GPtrArray *attachments; /* the parts with a filename (JsonObject, borrowed from the JSON) */
  guint n_text_plain;     /* every text/plain part, named or not */
  gboolean utf8;          /* whether the CLI's output was UTF-8 (see shown_get()) */
} Shown;

static void
shown_walk (Shown *shown, JsonNode *node)
{
  JsonObject *part;
  JsonNode *content;
  g_autofree char *type = NULL;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        shown_walk (shown, json_array_get_element (array, i));
      return;
    }
  part = json_node_get_object (node);
  /* A forwarded message: its headers and its body. */
  if (!json_object_has_member (part, "id"))
    {
      shown_walk (shown, json_object_get_member (part, "body"));
      return;
    }
  type = g_ascii_strdown (nm_test_json_string (part, "content-type"), -1);
  if (strcmp (type, "text/plain") == 0)
    shown->n_text_plain++;
  if (json_object_has_member (part, "filename"))
    {
      g_ptr_array_add (shown->attachments, part);
    }
  else if (strcmp (type, "text/plain") == 0)
    {
      if (shown->n_text++ > 0)
        g_string_append_c (shown->text, '\n');
      g_string_append (shown->text, nm_test_json_string (part, "content"));
    }
  content = json_object_get_member (part, "content");
  if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    shown_walk (shown, content);
}

typedef struct
{
  const char *id;
  JsonObject *found;
} ShowSearch;

static void
show_find (JsonObject *message, guint depth, guint thread_index, gpointer user_data)
{
  ShowSearch *search = user_data;

  if (strcmp (nm_test_json_string (message, "id"), search->id) == 0)
    search->found = message;
}

/* The CLI's view of message @id with --decrypt=@policy; the JSON stays in @show.  The CLI
 * copies bytes it cannot decode into its JSON as they are, and json-glib reads only UTF-8:
 * such output is made valid first (each bad byte U+FFFD), and @utf8 says so. */
static Shown
shown_get (const NmTestCorpus *corpus, const char *id, NmDecryptPolicy policy,
           JsonArray **show)
{
  g_autofree char *decrypt = g_strdup_printf ("--decrypt=%s", policy_names[policy]);
  g_autofree char *query = nm_test_id_query (id);
  g_autoptr (GBytes) out = cli (corpus, "show", "--format=json", "--entire-thread=false",
                                decrypt, query, NULL);
  g_autofree char *text = g_utf8_make_valid (g_bytes_get_data (out, NULL),
                                             g_bytes_get_size (out));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  ShowSearch search = { id, NULL };
  Shown shown = { g_string_new (NULL), 0, g_ptr_array_new (), 0, TRUE };

  shown.utf8 = g_utf8_validate (g_bytes_get_data (out, NULL), g_bytes_get_size (out), NULL);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  *show = json_node_dup_array (json_parser_get_root (parser));
  nm_test_show_foreach (*show, show_find, &search);
  g_assert_nonnull (search.found);
  shown_walk (&shown, json_object_get_member (search.found, "body"));
  return shown;
}

static void
shown_clear (Shown *shown)
{
  g_string_free (shown->text, TRUE);
  g_ptr_array_unref (shown->attachments);
}

/* ------------------------------------------------------------------------------------- */

/* For every message and decryption policy: the body text is the CLI's text parts, the
 * attachments are its named parts (name, type, bytes of --part=N), and every text/plain
 * part is in exactly one of the two. */
static void
test_body_and_attachments (void)
{
  const NmTestCorpus *corpus = mime_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_auto (GStrv) ids = nm_test_cli_message_ids (corpus, "*", NULL);
  guint compared_attachments = 0, non_utf8 = 0;

  g_assert_cmpuint (g_strv_length (ids), >=, 30);
  for (char **id = ids; *id != NULL; id++)
    for (guint p = 0; p < G_N_ELEMENTS (policies); p++)
      {
        if (decryption_skipped () && is_crypto_case (*id))
          continue;

        g_autoptr (NmMessage) message = find (db, *id);
        g_autoptr (JsonArray) show = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *text = NULL;
        g_autoptr (GPtrArray) attachments = NULL;
        Shown shown = shown_get (corpus, *id, policies[p], &show);
        guint n_text_plain_attachments = 0;

        g_test_message ("%s, --decrypt=%s", *id, policy_names[policies[p]]);
        text = nm_message_get_body_text (message, policies[p], NULL, &error);
        g_assert_no_error (error);
        if (shown.n_text == 0)
          {
            g_assert_null (text);
          }
        else if (shown.utf8)
          {
            g_assert_cmpstr (text, ==, shown.text->str);
          }
        else
          {
            /* The CLI leaves bytes it cannot decode as they are; they become U+FFFD (one
             * per maximal ill-formed sequence, where shown_get() replaced every byte: the
             * Python suite compares them exactly).  Up to the first one, the texts agree. */
            const char *replaced = strstr (shown.text->str, "\xef\xbf\xbd");
            gsize same = replaced != NULL ? (gsize) (replaced - shown.text->str) : 0;

            g_assert_nonnull (text);
            g_assert_nonnull (replaced);
            g_assert_true (g_utf8_validate (text, -1, NULL));
            g_assert_cmpmem (text, same, shown.text->str, same);
            g_assert_true (g_str_has_prefix (text + same, "\xef\xbf\xbd"));
            non_utf8++;
          }

        attachments = nm_message_get_attachments (message, policies[p], NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (attachments->len, ==, shown.attachments->len);
        for (guint i = 0; i < attachments->len; i++)
          {
            GMimePart *part = g_ptr_array_index (attachments, i);
            JsonObject *expected = g_ptr_array_index (shown.attachments, i);
            g_autofree char *type = g_mime_content_type_get_mime_type (
              g_mime_object_get_content_type (GMIME_OBJECT (part)));
            g_autofree char *number = g_strdup_printf (
              "--part=%" G_GINT64_FORMAT, nm_test_json_int (expected, "id"));
            g_autofree char *decrypt = g_strdup_printf ("--decrypt=%s",
                                                        policy_names[policies[p]]);
            g_autofree char *query = nm_test_id_query (*id);
            g_autoptr (GBytes) cli_part = cli (corpus, "show", "--format=raw", decrypt, number,
                                               query, NULL);
            g_autoptr (GBytes) ours = part_bytes (part);

            g_assert_cmpstr (g_mime_part_get_filename (part), ==,
                             nm_test_json_string (expected, "filename"));
            g_assert_cmpint (g_ascii_strcasecmp (type,
                                                 nm_test_json_string (expected, "content-type")),
                             ==, 0);
            assert_bytes_equal (ours, cli_part);
            if (g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (part)),
                                             "text", "plain"))
              n_text_plain_attachments++;
            compared_attachments++;
          }
        g_assert_cmpuint (shown.n_text + n_text_plain_attachments, ==, shown.n_text_plain);
        shown_clear (&shown);
      }
  /* The corpus has what the comparison is about (fewer without the gpg cases). */
  g_assert_cmpuint (compared_attachments, >=, decryption_skipped () ? 30 : 40);
  g_assert_cmpuint (non_utf8, >=, 3);
}

/* FALSE never decrypts; AUTO and TRUE decrypt with the stored session keys (PGP), TRUE also
 * with gpgsm's secret key (S/MIME, whose session keys are not stored). */
static void
test_decryption_policies (void)
{
  const NmTestCorpus *corpus = mime_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);

  if (skip_decryption_test ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (encrypted_cases); i++)
    {
      g_autoptr (NmMessage) message = find (db, encrypted_cases[i].id);
      g_autoptr (GError) error = NULL;
      g_autofree char *never = nm_message_get_body_text (message, NM_DECRYPT_POLICY_FALSE,
                                                          NULL, &error);
      g_autofree char *stored = nm_message_get_body_text (message, NM_DECRYPT_POLICY_AUTO,
                                                           NULL, &error);
      g_autofree char *any = nm_message_get_body_text (message, NM_DECRYPT_POLICY_TRUE,
                                                        NULL, &error);

      g_assert_no_error (error);
      g_assert_true (never == NULL || strstr (never, encrypted_cases[i].secret) == NULL);
      g_assert_nonnull (any);
      g_assert_nonnull (strstr (any, encrypted_cases[i].secret));
      if (encrypted_cases[i].pgp)
        g_assert_nonnull (strstr (stored, encrypted_cases[i].secret));
      else
        g_assert_true (stored == NULL || strstr (stored, encrypted_cases[i].secret) == NULL);
    }
}

/* After the secret keys are gone, AUTO still decrypts the PGP messages with the session keys
 * indexing stored, as the CLI does; nothing can decrypt the S/MIME one. */
static void
test_session_keys_without_secret_keys (void)
{
  const NmTestCorpus *corpus = mime_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autofree char *keyless = g_strconcat (gnupghome, "-keyless", NULL);
  g_autofree char *secret_keys = g_build_filename (keyless, "private-keys-v1.d", NULL);
  const char *copy[] = { "cp", "-a", gnupghome, keyless, NULL };

  if (skip_decryption_test ())
    return;

  /* A running gpg-agent adds and removes files in its home while cp reads it. */
  stop_gpg_agent (gnupghome);
  run_checked (copy, NULL);
  nm_test_remove_tree (secret_keys);
  g_assert_cmpint (g_mkdir (secret_keys, 0700), ==, 0);
  g_setenv ("GNUPGHOME", keyless, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (encrypted_cases); i++)
    for (guint p = 1; p < G_N_ELEMENTS (policies); p++)
      {
        g_autoptr (NmMessage) message = find (db, encrypted_cases[i].id);
        g_autoptr (JsonArray) show = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *text = nm_message_get_body_text (message, policies[p], NULL, &error);
        Shown shown = shown_get (corpus, encrypted_cases[i].id, policies[p], &show);
        gboolean decrypted = text != NULL && strstr (text, encrypted_cases[i].secret) != NULL;

        g_assert_no_error (error);
        g_assert_cmpstr (text, ==, shown.n_text > 0 ? shown.text->str : NULL);
        g_assert_cmpint (decrypted, ==, encrypted_cases[i].pgp);
        shown_clear (&shown);
      }

  g_setenv ("GNUPGHOME", gnupghome, TRUE);
  stop_gpg_agent (keyless);
  nm_test_remove_tree (keyless);
}

/* TRUE may find a session key with gpg, but never stores it: the index is unchanged, and it
 * works on a read-only database. */
static void
test_decrypt_never_writes (void)
{
  const NmTestCorpus *corpus = mime_corpus_get ();
  g_autoptr (NmTestCorpus) copy = nm_test_corpus_copy (corpus);
  g_autoptr (NmDatabase) db = NULL;
  g_autoptr (GBytes) before = NULL;
  g_autoptr (GBytes) after = NULL;

  if (skip_decryption_test ())
    return;

  /* Without the stored keys, so that TRUE has to ask gpg. */
  for (guint i = 0; i < G_N_ELEMENTS (encrypted_cases); i++)
    {
      g_autoptr (NmDatabase) rw = nm_test_corpus_open (copy, NM_DATABASE_MODE_READ_WRITE);
      g_autoptr (NmMessage) message = find (rw, encrypted_cases[i].id);
      g_autoptr (GError) error = NULL;

      nm_message_remove_property (message, "session-key", NULL, &error);
      g_assert_no_error (error);
      nm_database_close (rw, &error);
      g_assert_no_error (error);
    }
  before = cli (copy, "dump", "--include=properties", "--include=tags", NULL);
  db = nm_test_corpus_open (copy, NM_DATABASE_MODE_READ_ONLY);
  for (guint i = 0; i < G_N_ELEMENTS (encrypted_cases); i++)
    {
      g_autoptr (NmMessage) message = find (db, encrypted_cases[i].id);
      g_autoptr (GError) error = NULL;
      g_autofree char *stored = nm_message_get_body_text (message, NM_DECRYPT_POLICY_AUTO,
                                                           NULL, &error);
      g_autofree char *any = nm_message_get_body_text (message, NM_DECRYPT_POLICY_TRUE, NULL,
                                                        &error);

      g_assert_no_error (error);
      g_assert_true (stored == NULL || strstr (stored, encrypted_cases[i].secret) == NULL);
      g_assert_nonnull (strstr (any, encrypted_cases[i].secret));
      g_assert_cmpuint (nm_message_count_properties (message, "session-key", &error), ==, 0);
    }
  g_clear_object (&db);
  after = cli (copy, "dump", "--include=properties", "--include=tags", NULL);
  assert_bytes_equal (after, before);
}

/* parse(): the message as stored, with the cleartext in place of each part it can
 * decrypt. */
static void
test_parse (void)
{
  const NmTestCorpus *corpus = mime_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_autoptr (NmMessage) plain = find (db, "plain@mime.example");
  g_autoptr (NmMessage) encrypted = find (db, "pgp-encrypted@mime.example");
  g_autoptr (NmMessage) mixed_up = find (db, "exchange-mixed-up@mime.example");
  g_autoptr (NmMessage) smime = find (db, "smime-encrypted@mime.example");
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) parsed = nm_message_parse (plain, NM_DECRYPT_POLICY_FALSE, NULL,
                                                      &error);
  g_autoptr (GMimeMessage) still_encrypted = NULL;
  g_autoptr (GMimeMessage) decrypted = NULL;
  g_autoptr (GMimeMessage) repaired = NULL;
  g_autoptr (GMimeMessage) smime_decrypted = NULL;
  g_autofree char *subject = nm_message_get_header (plain, "subject", NULL);
  g_autofree char *text = NULL;
  GMimeObject *body;

  if (skip_decryption_test ())
    return;

  g_assert_no_error (error);
  g_assert_true (GMIME_IS_MESSAGE (parsed));
  g_assert_cmpstr (g_mime_message_get_subject (parsed), ==, subject);
  g_assert_cmpstr (g_mime_message_get_message_id (parsed), ==, "plain@mime.example");

  still_encrypted = nm_message_parse (encrypted, NM_DECRYPT_POLICY_FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (GMIME_IS_MULTIPART_ENCRYPTED (g_mime_message_get_mime_part (still_encrypted)));

  decrypted = nm_message_parse (encrypted, NM_DECRYPT_POLICY_AUTO, NULL, &error);
  g_assert_no_error (error);
  body = g_mime_message_get_mime_part (decrypted);
  g_assert_true (GMIME_IS_MULTIPART (body));
  g_assert_false (GMIME_IS_MULTIPART_ENCRYPTED (body));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (g_mime_multipart_get_part (
    GMIME_MULTIPART (body), 0)));
  g_assert_nonnull (strstr (text, "pineapple"));

  repaired = nm_message_parse (mixed_up, NM_DECRYPT_POLICY_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (repaired)));

  smime_decrypted = nm_message_parse (smime, NM_DECRYPT_POLICY_TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (smime_decrypted)));
}

/* load_bytes() is `notmuch show --format=raw`: a gzipped file comes decompressed. */
static void
test_load_bytes (void)
{
  const NmTestCorpus *corpus = mime_corpus_get ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (corpus, NM_DATABASE_MODE_READ_ONLY);
  g_auto (GStrv) ids = nm_test_cli_message_ids (corpus, "*", NULL);
  g_autoptr (NmMessage) gzipped = find (db, "gzipped@mime.example");
  g_autofree char *filename = nm_message_get_filename (gzipped);
  g_autoptr (GFile) file = nm_message_get_file (gzipped);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *on_disk = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  gsize disk_size;

  for (char **id = ids; *id != NULL; id++)
    {
      g_autoptr (NmMessage) message = find (db, *id);
      g_autofree char *query = nm_test_id_query (*id);
      g_autoptr (GBytes) raw = cli (corpus, "show", "--format=raw", query, NULL);
      g_autoptr (GBytes) ours = nm_message_load_bytes (message, NULL, &error);

      g_assert_no_error (error);
      assert_bytes_equal (ours, raw);
    }

  g_assert_cmpstr (path, ==, filename);
  g_file_get_contents (filename, &on_disk, &disk_size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint ((guchar) on_disk[0], ==, 0x1f);
  bytes = nm_message_load_bytes (gzipped, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (bytes, NULL), "From: "));
}

/* Files gone, unreadable or not mail; ghosts; a second file standing in for a missing
 * first; a closed database; cancellation. */
static void
test_read_errors (void)
{
  g_autoptr (NmTestCorpus) copy = nm_test_corpus_copy (mime_corpus_get ());
  g_autoptr (NmDatabase) db = nm_test_corpus_open (copy, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (NmMessage) plain = find (db, "plain@mime.example");
  g_autoptr (NmMessage) latin1 = find (db, "latin1@mime.example");
  g_autoptr (NmMessage) two_files = find (db, "two-files@mime.example");
  g_autoptr (NmMessage) replying = NULL;
  g_autoptr (NmMessage) ghost = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *plain_file = nm_message_get_filename (plain);
  g_autofree char *latin1_file = nm_message_get_filename (latin1);
  g_auto (GStrv) copies = nm_message_get_filenames (two_files);
  g_autofree char *reply_file = g_build_filename (copy->mail, "cur", "reply:2,S", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GMimeMessage) parsed = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GFile) no_file = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  gboolean duplicate;

  /* The file is gone. */
  g_assert_cmpint (g_unlink (plain_file), ==, 0);
  parsed = nm_message_parse (plain, NM_DECRYPT_POLICY_FALSE, NULL, &error);
  g_assert_null (parsed);
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  g_assert_nonnull (strstr (error->message, plain_file));
  g_clear_error (&error);
  bytes = nm_message_load_bytes (plain, NULL, &error);
  g_assert_null (bytes);
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  g_clear_error (&error);

  /* Not mail any more. */
  g_file_set_contents (latin1_file, "\x01\x02 not mail at all", -1, &error);
  g_assert_no_error (error);
  text = nm_message_get_body_text (latin1, NM_DECRYPT_POLICY_AUTO, NULL, &error);
  g_assert_null (text);
  nm_test_assert_error_code (error, NM_ERROR_FILE_NOT_EMAIL);
  g_clear_error (&error);
  attachments = nm_message_get_attachments (latin1, NM_DECRYPT_POLICY_AUTO, NULL, &error);
  g_assert_null (attachments);
  nm_test_assert_error_code (error, NM_ERROR_FILE_NOT_EMAIL);
  g_clear_error (&error);

  /* The first of two files is gone: the second is read. */
  g_assert_cmpuint (g_strv_length (copies), ==, 2);
  g_assert_cmpint (g_unlink (copies[0]), ==, 0);
  text = nm_message_get_body_text (two_files, NM_DECRYPT_POLICY_FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "Same message, two files.\n");
  bytes = nm_message_load_bytes (two_files, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *second = NULL;
    gsize size;

    g_file_get_contents (copies[1], &second, &size, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), second, size);
  }
  g_clear_pointer (&bytes, g_bytes_unref);

  /* A ghost has no file. */
  g_file_set_contents (reply_file,
                       "From: a@mime.example\nSubject: reply\n"
                       "Message-ID: <reply@mime.example>\n"
                       "In-Reply-To: <never-seen@mime.example>\n\nA reply.\n", -1, &error);
  g_assert_no_error (error);
  replying = nm_database_index_file (db, reply_file, NULL, &duplicate, &error);
  g_assert_no_error (error);
  ghost = find (db, "never-seen@mime.example");
  g_assert_true (nm_message_get_flag (ghost, NM_MESSAGE_FLAG_GHOST, NULL));
  parsed = nm_message_parse (ghost, NM_DECRYPT_POLICY_FALSE, NULL, &error);
  g_assert_null (parsed);
  nm_test_assert_error_code (error, NM_ERROR_FILE_ERROR);
  g_clear_error (&error);
  no_file = nm_message_get_file (ghost);
  g_assert_null (no_file);

  /* Cancelled before it starts. */
  g_cancellable_cancel (cancellable);
  parsed = nm_message_parse (two_files, NM_DECRYPT_POLICY_FALSE, cancellable, &error);
  g_assert_null (parsed);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  bytes = nm_message_load_bytes (two_files, cancellable, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* A closed database. */
  nm_database_close (db, &error);
  g_assert_no_error (error);
  parsed = nm_message_parse (two_files, NM_DECRYPT_POLICY_FALSE, NULL, &error);
  g_assert_null (parsed);
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
  g_clear_error (&error);
  g_clear_pointer (&text, g_free);
  text = nm_message_get_body_text (two_files, NM_DECRYPT_POLICY_FALSE, NULL, &error);
  g_assert_null (text);
  nm_test_assert_error_code (error, NM_ERROR_CLOSED_DATABASE);
}

/* ------------------------------------------------------------------------------------- */
/* Delivery: nm_database_insert() against `notmuch insert` on twin copies. */

typedef struct
{
  const char *name;
  const char *folder;
  gboolean create_folder;
  const char *add[3];
  const char *remove[3];
  const char *message_id;  /* NULL: a new message of its own */
  gboolean mbox;
} Delivery;

static GBytes *
delivery_bytes (const Delivery *delivery)
{
  g_autofree char *id = delivery->message_id != NULL ? g_strdup (delivery->message_id)
                                                     : g_strdup_printf ("%s@insert.example",
                                                                        delivery->name);
  g_autofree char *text = g_strdup_printf ("%sFrom: Deliverer <deliver@insert.example>\n"
                                           "To: Test User <test@mime.example>\n"
                                           "Subject: Delivered: %s\n"
                                           "Date: Tue, 02 Jan 2024 08:00:00 +0000\n"
                                           "Message-ID: <%s>\n\nDelivered by %s.\n",
                                           delivery->mbox
                                           ? "From deliver@insert.example Tue Jan  2 08:00:00 2024\n"
                                           : "",
                                           delivery->name, id, delivery->name);

  return g_bytes_new_take (g_steal_pointer (&text), strlen (text));
}

/* A file as "<directory relative to the mail root>/[:2,<flags>]": what both deliveries
 * must agree on (the unique names differ). */
static char *
placement (const char *mail_root, const char *filename)
{
  g_autofree char *directory = g_path_get_dirname (filename);
  const char *flags = strstr (filename, ":2,");

  g_assert_true (g_str_has_prefix (directory, mail_root));
  return g_strdup_printf ("%s/%s", directory + strlen (mail_root), flags != NULL ? flags : "");
}

/* The files of message @id, as the CLI lists them. */
static char **
message_files (const NmTestCorpus *corpus, const char *id)
{
  g_autofree char *query = nm_test_id_query (id);

  return nm_test_notmuch_lines (corpus, "search", "--output=files", query, NULL);
}

static char **
placements (const NmTestCorpus *corpus, const char *id)
{
  g_auto (GStrv) files = message_files (corpus, id);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (char **file = files; *file != NULL; file++)
    {
      g_autofree char *where = placement (corpus->mail, *file);

      g_strv_builder_add (builder, where);
    }
  return nm_test_strv_sort (g_strv_builder_end (builder));
}

/* The contents of the files of a message, sorted. */
static char **
file_contents (const NmTestCorpus *corpus, const char *id)
{
  g_auto (GStrv) files = message_files (corpus, id);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (char **file = files; *file != NULL; file++)
    {
      g_autofree char *contents = NULL;
      g_autoptr (GError) error = NULL;

      g_file_get_contents (*file, &contents, NULL, &error);
      g_assert_no_error (error);
      g_strv_builder_add (builder, contents);
    }
  return nm_test_strv_sort (g_strv_builder_end (builder));
}

static void
deliver_both (const NmTestCorpus *cli_twin, const NmTestCorpus *lib_twin,
              const Delivery *delivery)
{
  g_autoptr (GBytes) bytes = delivery_bytes (delivery);
  g_autofree char *id = delivery->message_id != NULL ? g_strdup (delivery->message_id)
                                                     : g_strdup_printf ("%s@insert.example",
                                                                        delivery->name);
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (NmDatabase) db = nm_test_corpus_open (lib_twin, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) cli_placements = NULL;
  g_auto (GStrv) lib_placements = NULL;
  g_auto (GStrv) cli_tags = NULL;
  g_auto (GStrv) lib_tags = NULL;
  g_auto (GStrv) cli_files = NULL;
  g_auto (GStrv) lib_files = NULL;
  g_auto (GStrv) returned_tags = NULL;
  g_autofree char *query = nm_test_id_query (id);
  int status;

  g_test_message ("delivery %s", delivery->name);
  g_ptr_array_add (args, g_strdup ("insert"));
  g_ptr_array_add (args, g_strdup_printf ("--folder=%s", delivery->folder));
  if (delivery->create_folder)
    g_ptr_array_add (args, g_strdup ("--create-folder"));
  for (guint i = 0; delivery->add[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup_printf ("+%s", delivery->add[i]));
  for (guint i = 0; delivery->remove[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup_printf ("-%s", delivery->remove[i]));
  g_ptr_array_add (argv, (gpointer) getenv_or ("NOTMUCH", "notmuch"));
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (args, i));
  g_ptr_array_add (argv, NULL);
  {
    g_autoptr (GBytes) out = run_program ((const char * const *) argv->pdata, cli_twin->config,
                                          bytes, &status);
  }
  g_assert_cmpint (status, ==, 0);

  message = nm_database_insert (db, bytes, delivery->folder, delivery->add, delivery->remove,
                                delivery->create_folder, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpstr (nm_message_get_message_id (message), ==, id);
  returned_tags = nm_message_get_tags (message);
  nm_database_close (db, &error);
  g_assert_no_error (error);

  cli_placements = placements (cli_twin, id);
  lib_placements = placements (lib_twin, id);
  nm_test_assert_strv_equal (lib_placements, cli_placements);
  cli_tags = nm_test_notmuch_lines (cli_twin, "search", "--output=tags", query, NULL);
  lib_tags = nm_test_notmuch_lines (lib_twin, "search", "--output=tags", query, NULL);
  nm_test_assert_strv_equal (lib_tags, cli_tags);
  nm_test_assert_strv_equal (returned_tags, cli_tags);
  cli_files = file_contents (cli_twin, id);
  lib_files = file_contents (lib_twin, id);
  nm_test_assert_strv_equal (lib_files, cli_files);
}

static void
test_insert_like_cli (void)
{
  g_autoptr (NmTestCorpus) cli_twin = nm_test_corpus_copy (mime_corpus_get ());
  g_autoptr (NmTestCorpus) lib_twin = nm_test_corpus_copy (mime_corpus_get ());
  const Delivery deliveries[] = {
    { "root", "", FALSE, { NULL }, { NULL }, NULL, FALSE },
    { "read", "", FALSE, { NULL }, { "unread", NULL }, NULL, FALSE },
    { "flagged", "work", TRUE, { "flagged", "work", NULL }, { NULL }, NULL, FALSE },
    { "nested", "lists/devel", TRUE, { NULL }, { "inbox", NULL }, NULL, FALSE },
    { "replied", "work", FALSE, { "replied", NULL }, { "unread", NULL }, NULL, FALSE },
    { "mbox", "work", FALSE, { NULL }, { NULL }, NULL, TRUE },
    /* Another file of an indexed message: its tags stay. */
    { "duplicate", "dups", TRUE, { "new-tag", NULL }, { "inbox", NULL },
      "plain@mime.example", FALSE },
  };
  const Delivery unsynced = { "unsynced", "", FALSE, { NULL }, { "unread", NULL }, NULL,
                              FALSE };
  g_autoptr (GBytes) out = NULL;
  g_autofree char *mbox_file = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (deliveries); i++)
    deliver_both (cli_twin, lib_twin, &deliveries[i]);

  /* Without flag synchronization, a read message stays in new/. */
  out = cli (cli_twin, "config", "set", "maildir.synchronize_flags", "false", NULL);
  g_clear_pointer (&out, g_bytes_unref);
  out = cli (lib_twin, "config", "set", "maildir.synchronize_flags", "false", NULL);
  deliver_both (cli_twin, lib_twin, &unsynced);

  /* The mbox line became a header. */
  {
    g_auto (GStrv) files = nm_test_notmuch_lines (lib_twin, "search", "--output=files",
                                                  "id:mbox@insert.example", NULL);
    g_autofree char *contents = NULL;

    g_file_get_contents (files[0], &contents, NULL, NULL);
    g_assert_true (g_str_has_prefix (contents,
                                     "X-Envelope-From: deliver@insert.example Tue Jan  2"));
  }
}

/* Every file below the mail root (the index excepted), sorted. */
static void
collect_files (const char *directory, GStrvBuilder *builder)
{
  g_autoptr (GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      if (strcmp (name, ".notmuch") == 0)
        continue;
      g_strv_builder_add (builder, path);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, builder);
    }
}

static char **
mail_tree (const NmTestCorpus *corpus)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  collect_files (corpus->mail, builder);
  return nm_test_strv_sort (g_strv_builder_end (builder));
}

static void
assert_insert_fails (NmDatabase *db, const NmTestCorpus *corpus, GBytes *bytes,
                     const char *folder, const char * const *add, const char * const *remove,
                     gboolean create_folder, GCancellable *cancellable, GQuark domain, int code)
{
  g_auto (GStrv) tree_before = mail_tree (corpus);
  guint count_before = nm_database_count_messages (db, "*", NULL);
  g_auto (GStrv) tree_after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NmMessage) message = nm_database_insert (db, bytes, folder, add, remove,
                                                      create_folder, cancellable, &error);

  g_assert_null (message);
  g_assert_error (error, domain, code);
  tree_after = mail_tree (corpus);
  nm_test_assert_strv_equal (tree_after, tree_before);
  g_assert_cmpuint (nm_database_count_messages (db, "*", NULL), ==, count_before);
}

/* Refusals, and failures that leave nothing behind: no file, no index entry, no folder
 * (nor its record in the index) made by the failed call. */
static void
test_insert_errors (void)
{
  g_autoptr (NmTestCorpus) copy = nm_test_corpus_copy (mime_corpus_get ());
  g_autoptr (NmDatabase) db = nm_test_corpus_open (copy, NM_DATABASE_MODE_READ_WRITE);
  g_autoptr (NmDatabase) read_only = nm_test_corpus_open (copy, NM_DATABASE_MODE_READ_ONLY);
  const Delivery good = { "good", "", FALSE, { NULL }, { NULL }, NULL, FALSE };
  g_autoptr (GBytes) bytes = delivery_bytes (&good);
  g_autoptr (GBytes) not_mail = g_bytes_new_static ("\x01\x02\x03 binary junk", 16);
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (NmDirectory) junk_record = NULL;
  const char *bad_tag[] = { "", NULL };
  const char *both[] = { "x", NULL };
  g_autofree char *junk = g_build_filename (copy->mail, "junk", NULL);
  g_autoptr (GError) error = NULL;
  const struct
  {
    NmDatabase *db;
    GBytes *bytes;
    const char *folder;
    const char * const *add;
    const char * const *remove;
    gboolean create_folder;
    NmError code;
  } refusals[] = {
    { read_only, bytes, "", NULL, NULL, FALSE, NM_ERROR_READ_ONLY_DATABASE },
    { db, bytes, "missing", NULL, NULL, FALSE, NM_ERROR_FILE_ERROR },
    { db, bytes, "../outside", NULL, NULL, TRUE, NM_ERROR_PATH_ERROR },
    { db, bytes, "a/../../outside", NULL, NULL, TRUE, NM_ERROR_PATH_ERROR },
    { db, bytes, "/tmp", NULL, NULL, TRUE, NM_ERROR_PATH_ERROR },
    { db, bytes, "", bad_tag, NULL, FALSE, NM_ERROR_INVALID_TAG },
    { db, bytes, "", both, both, FALSE, NM_ERROR_ILLEGAL_ARGUMENT },
    { db, empty, "", NULL, NULL, FALSE, NM_ERROR_FILE_NOT_EMAIL },
    /* Written, moved to new/ and refused by the indexer: undone, the new folder included. */
    { db, not_mail, "junk/box", NULL, NULL, TRUE, NM_ERROR_FILE_NOT_EMAIL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    assert_insert_fails (refusals[i].db, copy, refusals[i].bytes, refusals[i].folder,
                         refusals[i].add, refusals[i].remove, refusals[i].create_folder, NULL,
                         NM_ERROR, refusals[i].code);
  g_assert_false (g_file_test (junk, G_FILE_TEST_EXISTS));
  junk_record = nm_database_get_directory (db, "junk/box/new", &error);
  g_assert_no_error (error);
  g_assert_null (junk_record);
  g_cancellable_cancel (cancellable);
  assert_insert_fails (db, copy, bytes, "junk", NULL, NULL, TRUE, cancellable, G_IO_ERROR,
                       G_IO_ERROR_CANCELLED);

  /* The CLI refuses the same (once it can take the write lock). */
  g_clear_object (&db);
  g_assert_cmpint (cli_with_input (copy, bytes, "insert", "--folder=missing", NULL), !=, 0);
  g_assert_cmpint (cli_with_input (copy, bytes, "insert", "--folder=../outside", NULL), !=, 0);
  g_assert_cmpint (cli_with_input (copy, not_mail, "insert", NULL), !=, 0);
}

int
main (int argc, char **argv)
{
  int status;

  nm_test_init (&argc, &argv);

  g_test_add_func ("/content/body-and-attachments", test_body_and_attachments);
  g_test_add_func ("/content/decryption-policies", test_decryption_policies);
  g_test_add_func ("/content/session-keys-without-secret-keys",
                   test_session_keys_without_secret_keys);
  g_test_add_func ("/content/decrypt-never-writes", test_decrypt_never_writes);
  g_test_add_func ("/content/parse", test_parse);
  g_test_add_func ("/content/load-bytes", test_load_bytes);
  g_test_add_func ("/content/read-errors", test_read_errors);
  g_test_add_func ("/insert/like-cli", test_insert_like_cli);
  g_test_add_func ("/insert/errors", test_insert_errors);

  status = nm_test_run ();
  mime_corpus_free ();
  return status;
}
