/* nm-test-json.h: a minimal JSON reader for the notmuch CLI's --format=json output
 *
 * The C tests use the notmuch CLI as their oracle.  This small parser avoids a json-glib
 * dependency; it accepts standard JSON (RFC 8259) and nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  NM_JSON_NULL,
  NM_JSON_BOOLEAN,
  NM_JSON_NUMBER,
  NM_JSON_STRING,
  NM_JSON_ARRAY,
  NM_JSON_OBJECT,
} NmJsonType;

typedef struct _NmJson NmJson;

struct _NmJson
{
  NmJsonType type;
  gboolean boolean;
  double number;
  char *string;
  /* NM_JSON_ARRAY: the elements; NM_JSON_OBJECT: the member values, in document order */
  GPtrArray *items;
  /* NM_JSON_OBJECT: the member names, parallel to items */
  GPtrArray *keys;
};

NmJson *nm_json_parse (const char *text, GError **error);
void nm_json_free (NmJson *node);

guint nm_json_length (const NmJson *node);
NmJson *nm_json_index (const NmJson *array, guint index);
/* %NULL if @object has no member @key */
NmJson *nm_json_member (const NmJson *object, const char *key);

/* Typed member accessors: they assert that the member exists and has the type. */
const char *nm_json_get_string (const NmJson *object, const char *key);
gint64 nm_json_get_int (const NmJson *object, const char *key);
gboolean nm_json_get_boolean (const NmJson *object, const char *key);
/* An array of strings as a new GStrv, in order. */
char **nm_json_get_strv (const NmJson *object, const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NmJson, nm_json_free)

G_END_DECLS
