/* fuzz-properties.c: message property keys and values
 *
 * Input: the message to start with (a byte), then up to 24 operations, each an operation
 * byte followed by its arguments (strings end at a NUL byte; a flags byte's bit 0 says
 * whether an optional string is given, bit 1 is `exact`, bits 3-5 all set repeat the first
 * string 8^n times, n being bits 0-2 of the next byte):
 *   0 add_property (flags, key, value)      1 remove_property (flags, key, value|NULL)
 *   2 get_property_values (key)             3 count_properties (key)
 *   4 get_all_properties (flags, prefix|NULL)
 *   5 remove_all_properties (flags, prefix|NULL)
 *   6 another message (byte)
 * The fixture's messages have no properties; they are removed again after each input.
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

/* The first string of an operation, possibly repeated (see the input format above). */
static char *
take_key (NmFuzzInput *input, guint8 flags)
{
  g_autofree char *piece = nm_fuzz_input_string (input);

  if ((flags & 0x38) != 0x38)
    return g_steal_pointer (&piece);
  /* Well beyond Xapian's term limit (245 bytes, prefix included). */
  return nm_fuzz_nest (piece, "", "", nm_fuzz_input_byte (input) & 7, 4096);
}

static gboolean
values_contain (NmMessage *message, const char *key, const char *value)
{
  g_auto (GStrv) values = nm_message_get_property_values (message, key);

  nm_fuzz_check_strv_utf8 (values, "a property value");
  return values != NULL && g_strv_contains ((const char * const *) values, value);
}

static void
clear_properties (NmMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) left = NULL;

  if (!nm_message_remove_all_properties (message, NULL, &error))
    nm_fuzz_fail ("cannot remove the properties of %s: %s",
                  nm_message_get_message_id (message), error->message);
  left = nm_message_get_all_properties (message, NULL, FALSE, &error);
  if (left == NULL || left[0] != NULL)
    nm_fuzz_fail ("%s keeps properties after remove_all_properties",
                  nm_message_get_message_id (message));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  NmFuzzFixture *fixture = nm_fuzz_fixture_get ();
  NmFuzzInput input = { data, size };
  guint index = nm_fuzz_input_byte (&input) % nm_fuzz_n_messages;
  guint32 touched = 0;
  g_autoptr (NmMessage) message = NULL;

  nm_fuzz_begin ();
  message = nm_fuzz_find_message (fixture->database, index);
  for (guint step = 0; step < 24 && !nm_fuzz_input_done (&input); step++)
    {
      g_autoptr (GError) error = NULL;
      guint8 operation = nm_fuzz_input_byte (&input) % 7;

      switch (operation)
        {
        case 0:
        case 1:
          {
            guint8 flags = nm_fuzz_input_byte (&input);
            g_autofree char *key = take_key (&input, flags);
            g_autofree char *value = nm_fuzz_input_string (&input);
            gboolean ok;

            touched |= 1u << index;
            if (operation == 0)
              ok = nm_message_add_property (message, key, value, &error);
            else
              ok = nm_message_remove_property (message, key, (flags & 1) ? value : NULL, &error);
            if (!ok && strchr (key, '=') == NULL && g_utf8_validate (key, -1, NULL)
                && g_utf8_validate (value, -1, NULL) && strlen (key) + strlen (value) < 100)
              nm_fuzz_fail ("%s refused a short, plain property: %s",
                            operation == 0 ? "add_property" : "remove_property",
                            error->message);
            nm_fuzz_check_result (ok, &error, operation == 0 ? "nm_message_add_property"
                                                              : "nm_message_remove_property");
            if (ok && values_contain (message, key, value) != (operation == 0))
              nm_fuzz_fail ("get_property_values disagrees with the %s just made",
                            operation == 0 ? "addition" : "removal");
            break;
          }
        case 2:
          {
            g_autofree char *key = nm_fuzz_input_string (&input);

            values_contain (message, key, "");
            break;
          }
        case 3:
          {
            g_autofree char *key = nm_fuzz_input_string (&input);
            g_auto (GStrv) values = nm_message_get_property_values (message, key);
            guint count = nm_message_count_properties (message, key, &error);

            nm_fuzz_check_error (&error, "nm_message_count_properties");
            if (values != NULL && count != g_strv_length (values))
              nm_fuzz_fail ("count_properties says %u, get_property_values gives %u", count,
                            g_strv_length (values));
            break;
          }
        case 4:
          {
            guint8 flags = nm_fuzz_input_byte (&input);
            g_autofree char *prefix = nm_fuzz_input_string (&input);
            g_auto (GStrv) pairs = nm_message_get_all_properties (message,
                                                                  (flags & 1) ? prefix : NULL,
                                                                  (flags & 2) != 0, &error);

            nm_fuzz_check_result (pairs != NULL, &error, "nm_message_get_all_properties");
            nm_fuzz_check_strv_utf8 (pairs, "a key=value property pair");
            for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
              if (strchr (pairs[i], '=') == NULL)
                nm_fuzz_fail ("property pair \"%s\" has no '='", pairs[i]);
            break;
          }
        case 5:
          {
            guint8 flags = nm_fuzz_input_byte (&input);
            g_autofree char *prefix = nm_fuzz_input_string (&input);

            touched |= 1u << index;
            nm_fuzz_check_result (nm_message_remove_all_properties (message,
                                                                    (flags & 1) ? prefix : NULL,
                                                                    &error),
                                  &error, "nm_message_remove_all_properties");
            break;
          }
        default:
          index = nm_fuzz_input_byte (&input) % nm_fuzz_n_messages;
          g_clear_object (&message);
          message = nm_fuzz_find_message (fixture->database, index);
          break;
        }
    }
  g_clear_object (&message);
  for (guint i = 0; i < nm_fuzz_n_messages; i++)
    if (touched & (1u << i))
      {
        g_autoptr (NmMessage) restored = nm_fuzz_find_message (fixture->database, i);

        clear_properties (restored);
      }
  nm_fuzz_end ();
  return 0;
}
