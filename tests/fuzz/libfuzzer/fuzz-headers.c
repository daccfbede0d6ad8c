/* fuzz-headers.c: header names
 *
 * Input: a byte choosing the message (bit 7: through the read-only handle), then up to 8
 * header names, each ending at a NUL byte.  Every value must be UTF-8 (the fixture has raw
 * Latin-1 bytes, encoded words and folded lines in its headers), and the lookup must not
 * depend on the case of the name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  nm_fuzz_fixture_get ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  NmFuzzFixture *fixture = nm_fuzz_fixture_get ();
  NmFuzzInput input = { data, size };
  guint8 choice = nm_fuzz_input_byte (&input);
  NmDatabase *database = (choice & 0x80) ? fixture->reader : fixture->database;
  g_autoptr (NmMessage) message = NULL;

  nm_fuzz_begin ();
  message = nm_fuzz_find_message (database, (choice & 0x7f) % nm_fuzz_n_messages);
  for (guint i = 0; i < 8 && (i == 0 || !nm_fuzz_input_done (&input)); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = nm_fuzz_input_string (&input);
      g_autofree char *value = nm_message_get_header (message, name, &error);
      g_autofree char *upper = NULL;
      g_autofree char *upper_value = NULL;

      nm_fuzz_check_error (&error, "nm_message_get_header");
      nm_fuzz_check_utf8 (value, "a header value");
      if (value != NULL && value[0] == '\0')
        nm_fuzz_fail ("get_header (\"%s\") gave \"\" rather than NULL", name);

      upper = g_ascii_strup (name, -1);
      upper_value = nm_message_get_header (message, upper, &error);
      nm_fuzz_check_error (&error, "nm_message_get_header");
      if (g_strcmp0 (value, upper_value) != 0)
        nm_fuzz_fail ("get_header depends on case: \"%s\" gives \"%s\", \"%s\" gives \"%s\"",
                      name, value ? value : "(null)", upper, upper_value ? upper_value : "(null)");
    }
  nm_fuzz_end ();
  return 0;
}
