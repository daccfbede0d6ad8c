/* nm-test-json.c: a minimal JSON reader for the notmuch CLI's --format=json output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-test-json.h"

#include <stdlib.h>
#include <string.h>

typedef struct
{
  const char *p;
  const char *start;
} NmJsonReader;

static NmJson *nm_json_read_value (NmJsonReader *reader, GError **error, guint depth);

static void
nm_json_fail (NmJsonReader *reader, GError **error, const char *what)
{
  if (error != NULL && *error == NULL)
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE, "JSON: %s at offset %ld", what,
                 (long) (reader->p - reader->start));
}

static void
nm_json_skip_space (NmJsonReader *reader)
{
  while (*reader->p == ' ' || *reader->p == '\t' || *reader->p == '\n' || *reader->p == '\r')
    reader->p++;
}

static NmJson *
nm_json_new (NmJsonType type)
{
  NmJson *node = g_new0 (NmJson, 1);

  node->type = type;
  if (type == NM_JSON_ARRAY || type == NM_JSON_OBJECT)
    node->items = g_ptr_array_new_with_free_func ((GDestroyNotify) nm_json_free);
  if (type == NM_JSON_OBJECT)
    node->keys = g_ptr_array_new_with_free_func (g_free);
  return node;
}

void
nm_json_free (NmJson *node)
{
  if (node == NULL)
    return;
  g_free (node->string);
  if (node->items != NULL)
    g_ptr_array_unref (node->items);
  if (node->keys != NULL)
    g_ptr_array_unref (node->keys);
  g_free (node);
}

static int
nm_json_hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

static char *
nm_json_read_string (NmJsonReader *reader, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (*reader->p != '"')
    {
      nm_json_fail (reader, error, "expected a string");
      return NULL;
    }
  reader->p++;
  while (*reader->p != '"')
    {
      if (*reader->p == '\0' || (guchar) *reader->p < 0x20)
        {
          nm_json_fail (reader, error, "unterminated string");
          return NULL;
        }
      if (*reader->p != '\\')
        {
          g_string_append_c (out, *reader->p++);
          continue;
        }
      reader->p++;
      switch (*reader->p)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int unit = nm_json_hex4 (reader->p + 1);
            gunichar c;

            if (unit < 0)
              {
                nm_json_fail (reader, error, "bad \\u escape");
                return NULL;
              }
            reader->p += 4;
            c = unit;
            if (unit >= 0xD800 && unit <= 0xDBFF && reader->p[1] == '\\' && reader->p[2] == 'u')
              {
                int low = nm_json_hex4 (reader->p + 3);

                if (low >= 0xDC00 && low <= 0xDFFF)
                  {
                    c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    reader->p += 6;
                  }
              }
            g_string_append_unichar (out, c);
          }
          break;
        default:
          nm_json_fail (reader, error, "bad escape");
          return NULL;
        }
      reader->p++;
    }
  reader->p++;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static NmJson *
nm_json_read_container (NmJsonReader *reader, GError **error, guint depth, gboolean object)
{
  g_autoptr (NmJson) node = nm_json_new (object ? NM_JSON_OBJECT : NM_JSON_ARRAY);
  char close = object ? '}' : ']';

  reader->p++;
  nm_json_skip_space (reader);
  if (*reader->p == close)
    {
      reader->p++;
      return g_steal_pointer (&node);
    }
  for (;;)
    {
      NmJson *value;

      nm_json_skip_space (reader);
      if (object)
        {
          char *key = nm_json_read_string (reader, error);

          if (key == NULL)
            return NULL;
          g_ptr_array_add (node->keys, key);
          nm_json_skip_space (reader);
          if (*reader->p != ':')
            {
              nm_json_fail (reader, error, "expected ':'");
              return NULL;
            }
          reader->p++;
        }
      value = nm_json_read_value (reader, error, depth + 1);
      if (value == NULL)
        return NULL;
      g_ptr_array_add (node->items, value);
      nm_json_skip_space (reader);
      if (*reader->p == ',')
        {
          reader->p++;
          continue;
        }
      if (*reader->p == close)
        {
          reader->p++;
          return g_steal_pointer (&node);
        }
      nm_json_fail (reader, error, object ? "expected ',' or '}'" : "expected ',' or ']'");
      return NULL;
    }
}

static NmJson *
nm_json_read_value (NmJsonReader *reader, GError **error, guint depth)
{
  NmJson *node;

  if (depth > 512)
    {
      nm_json_fail (reader, error, "nested too deeply");
      return NULL;
    }
  nm_json_skip_space (reader);
  switch (*reader->p)
    {
    case '{':
      return nm_json_read_container (reader, error, depth, TRUE);
    case '[':
      return nm_json_read_container (reader, error, depth, FALSE);
    case '"':
      {
        char *string = nm_json_read_string (reader, error);

        if (string == NULL)
          return NULL;
        node = nm_json_new (NM_JSON_STRING);
        node->string = string;
        return node;
      }
    case 't':
    case 'f':
    case 'n':
      {
        static const struct { const char *word; NmJsonType type; gboolean value; } words[] = {
          { "true", NM_JSON_BOOLEAN, TRUE },
          { "false", NM_JSON_BOOLEAN, FALSE },
          { "null", NM_JSON_NULL, FALSE },
        };

        for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
          if (g_str_has_prefix (reader->p, words[i].word))
            {
              reader->p += strlen (words[i].word);
              node = nm_json_new (words[i].type);
              node->boolean = words[i].value;
              return node;
            }
        nm_json_fail (reader, error, "unknown literal");
        return NULL;
      }
    default:
      {
        char *end = NULL;
        double number = g_ascii_strtod (reader->p, &end);

        if (end == reader->p)
          {
            nm_json_fail (reader, error, "unexpected character");
            return NULL;
          }
        reader->p = end;
        node = nm_json_new (NM_JSON_NUMBER);
        node->number = number;
        return node;
      }
    }
}

NmJson *
nm_json_parse (const char *text, GError **error)
{
  NmJsonReader reader = { text, text };
  g_autoptr (NmJson) node = nm_json_read_value (&reader, error, 0);

  if (node == NULL)
    return NULL;
  nm_json_skip_space (&reader);
  if (*reader.p != '\0')
    {
      nm_json_fail (&reader, error, "trailing data");
      return NULL;
    }
  return g_steal_pointer (&node);
}

guint
nm_json_length (const NmJson *node)
{
  g_assert_nonnull (node);
  g_assert_true (node->type == NM_JSON_ARRAY || node->type == NM_JSON_OBJECT);
  return node->items->len;
}

NmJson *
nm_json_index (const NmJson *array, guint index)
{
  g_assert_nonnull (array);
  g_assert_cmpint (array->type, ==, NM_JSON_ARRAY);
  g_assert_cmpuint (index, <, array->items->len);
  return g_ptr_array_index (array->items, index);
}

NmJson *
nm_json_member (const NmJson *object, const char *key)
{
  g_assert_nonnull (object);
  g_assert_cmpint (object->type, ==, NM_JSON_OBJECT);
  for (guint i = 0; i < object->keys->len; i++)
    if (strcmp (g_ptr_array_index (object->keys, i), key) == 0)
      return g_ptr_array_index (object->items, i);
  return NULL;
}

static NmJson *
nm_json_member_of_type (const NmJson *object, const char *key, NmJsonType type)
{
  NmJson *member = nm_json_member (object, key);

  if (member == NULL)
    g_error ("JSON object has no member “%s”", key);
  if (member->type != type)
    g_error ("JSON member “%s” has type %d, expected %d", key, member->type, type);
  return member;
}

const char *
nm_json_get_string (const NmJson *object, const char *key)
{
  return nm_json_member_of_type (object, key, NM_JSON_STRING)->string;
}

gint64
nm_json_get_int (const NmJson *object, const char *key)
{
  return (gint64) nm_json_member_of_type (object, key, NM_JSON_NUMBER)->number;
}

gboolean
nm_json_get_boolean (const NmJson *object, const char *key)
{
  return nm_json_member_of_type (object, key, NM_JSON_BOOLEAN)->boolean;
}

char **
nm_json_get_strv (const NmJson *object, const char *key)
{
  NmJson *array = nm_json_member_of_type (object, key, NM_JSON_ARRAY);
  char **strv = g_new0 (char *, array->items->len + 1);

  for (guint i = 0; i < array->items->len; i++)
    {
      NmJson *item = g_ptr_array_index (array->items, i);

      g_assert_cmpint (item->type, ==, NM_JSON_STRING);
      strv[i] = g_strdup (item->string);
    }
  return strv;
}
