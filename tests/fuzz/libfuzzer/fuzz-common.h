/* fuzz-common.h: what the libFuzzer harnesses share
 *
 * Every harness works on one small mail store and notmuch database that it builds through
 * the library in LLVMFuzzerInitialize(), and leaves the database as it found it after each
 * input, so that an input that fails reproduces on its own.
 *
 * Inputs are read as a sequence of bytes (operation codes, flags) and strings; a string runs
 * to the next NUL byte or to the end of the input, since every string argument of the
 * library is a C string.
 *
 * A finding aborts: a crash, a sanitizer report, a GLib critical or warning, an exit() inside
 * an input (libnotmuch's internal-error path ends the process with exit(1)), an error outside
 * the NM_ERROR domain, an error message that is not UTF-8, or a broken invariant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <notmuch-glib.h>

G_BEGIN_DECLS

typedef struct
{
  const guint8 *data;
  gsize size;
} NmFuzzInput;

/* The next byte, or 0 once the input is used up. */
guint8 nm_fuzz_input_byte (NmFuzzInput *input);
/* The bytes up to the next NUL (consumed) or the end, as a string allocated at its exact
 * size, so that AddressSanitizer sees a read past its end.  "" once the input is used up. */
char *nm_fuzz_input_string (NmFuzzInput *input);
/* A byte giving a count (at most @max), then that many strings. */
char **nm_fuzz_input_strv (NmFuzzInput *input, guint max);
gboolean nm_fuzz_input_done (const NmFuzzInput *input);

/* @prefix repeated n times, @middle, then @suffix repeated n times, n being 8^@power
 * (@power 0-7) or less, to stay within @max bytes (but 1 at least): how a short input
 * reaches the lengths and nesting depths that overflow fixed limits. */
char *nm_fuzz_nest (const char *prefix, const char *middle, const char *suffix, guint power,
                    gsize max);

/* The mail store: every harness gets the same messages. */
typedef struct
{
  const char *message_id;
  /* Relative to the mail root; the first is the message's first file. */
  const char *files[2];
  const char *tags[4];
} NmFuzzMessage;

extern const NmFuzzMessage nm_fuzz_messages[];
extern const guint nm_fuzz_n_messages;

typedef struct
{
  char *root;       /* a temporary directory, removed at exit */
  char *mail;       /* root/mail, the mail root and database path */
  NmDatabase *database;  /* read-write */
  NmDatabase *reader;    /* the same database, read-only */
} NmFuzzFixture;

/* Builds the mail store and the database, once per process. */
NmFuzzFixture *nm_fuzz_fixture_get (void);

/* Brackets one input: an exit() in between is a finding. */
void nm_fuzz_begin (void);
void nm_fuzz_end (void);

/* Reports a broken invariant and aborts. */
void nm_fuzz_fail (const char *format, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

/* Checks an error returned by @call (NULL is fine) and clears it. */
void nm_fuzz_check_error (GError **error, const char *call);
/* The same, and checks that @ok and the error agree (FALSE exactly when an error is set). */
void nm_fuzz_check_result (gboolean ok, GError **error, const char *call);
/* Aborts unless @text is NULL or valid UTF-8. */
void nm_fuzz_check_utf8 (const char *text, const char *what);
void nm_fuzz_check_strv_utf8 (char **strv, const char *what);

/* The rules the library promises for tags (non-empty, UTF-8, at most NOTMUCH_TAG_MAX). */
gboolean nm_fuzz_tag_is_valid (const char *tag);

/* Reads a list the way a client would: every item, up to @limit, with its getters. */
void nm_fuzz_walk_messages (NmMessages *messages, guint limit);
void nm_fuzz_walk_threads (NmThreads *threads, guint limit);

/* A fixture message looked up again (a new object each time). */
NmMessage *nm_fuzz_find_message (NmDatabase *database, guint index);
/* Gives every fixture message its original tags back. */
void nm_fuzz_restore_tags (NmDatabase *database);

G_END_DECLS
