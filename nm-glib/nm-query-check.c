/* nm-query-check.c: finding the queries libnotmuch cannot run safely
 *
 * libnotmuch reads s-expressions with the sfsexp library and turns them into Xapian
 * queries form by form.  This file reads them the same way (the first complete expression
 * of the text; blanks are the bytes 1 to 32 and 127; atoms are plain, "double quoted" with
 * backslash escapes, or 'ticked) and follows the same forms, saved queries and macros
 * included, only far enough to find what crashes: an `of` or `matching` form outside a
 * field, a saved query that is not a list, and nesting or expansion beyond the limits.
 * Everything else that libnotmuch would refuse is left to it, so that its own message
 * reaches the caller.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-query-check-private.h"
#include "nm-error-private.h"

typedef enum
{
  NM_SEXP_PLAIN,    /* an unquoted atom */
  NM_SEXP_QUOTED,   /* a "double quoted" or 'ticked atom */
  NM_SEXP_LIST,
} NmSexpKind;

typedef struct _NmSexp NmSexp;
struct _NmSexp
{
  NmSexpKind kind;
  char *text;       /* atoms: the value libnotmuch sees */
  NmSexp *first;    /* lists: the first element */
  NmSexp *next;     /* the next element of the enclosing list */
};

/* A macro parameter bound to an argument, which is read in the bindings of the call. */
typedef struct _NmSexpBinding NmSexpBinding;
struct _NmSexpBinding
{
  const char *name;
  const NmSexp *value;
  const NmSexpBinding *context;
  const NmSexpBinding *next;
};

/* What the forms inside a field may be. */
typedef struct
{
  gboolean expands;   /* (of ...) and (matching ...) work inside it */
} NmSexpField;

static const NmSexpField nm_sexp_expanding_field = { TRUE };
static const NmSexpField nm_sexp_plain_field = { FALSE };

typedef enum
{
  NM_FORM_COMBINE,      /* and, or, not: each argument is a query */
  NM_FORM_FIELD,        /* each argument is a term or query of the field */
  NM_FORM_RANGE,        /* atoms only */
  NM_FORM_INFIX,        /* one atom: a query in the classic syntax */
  NM_FORM_NAMED_QUERY,  /* one atom: the name of a query in the classic syntax */
  NM_FORM_ATOM,         /* one atom, nothing parsed from it */
  NM_FORM_EXPAND,       /* of, matching: queries whose results expand the field around */
} NmSexpFormKind;

typedef struct
{
  const char *name;
  NmSexpFormKind kind;
  const NmSexpField *field;
} NmSexpForm;

/* libnotmuch's own forms, the same in every version that has them. */
static const NmSexpForm nm_sexp_forms[] = {
  { "and", NM_FORM_COMBINE, NULL },
  { "attachment", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "body", NM_FORM_FIELD, &nm_sexp_plain_field },
  { "date", NM_FORM_RANGE, &nm_sexp_plain_field },
  { "folder", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "from", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "id", NM_FORM_FIELD, &nm_sexp_plain_field },
  { "infix", NM_FORM_INFIX, NULL },
  { "is", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "lastmod", NM_FORM_RANGE, &nm_sexp_plain_field },
  { "matching", NM_FORM_EXPAND, NULL },
  { "mid", NM_FORM_FIELD, &nm_sexp_plain_field },
  { "mimetype", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "not", NM_FORM_COMBINE, NULL },
  { "of", NM_FORM_EXPAND, NULL },
  { "or", NM_FORM_COMBINE, NULL },
  { "path", NM_FORM_FIELD, &nm_sexp_plain_field },
  { "property", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "query", NM_FORM_NAMED_QUERY, NULL },
  { "regex", NM_FORM_ATOM, NULL },
  { "rx", NM_FORM_ATOM, NULL },
  { "starts-with", NM_FORM_ATOM, NULL },
  { "subject", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "tag", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "thread", NM_FORM_FIELD, &nm_sexp_expanding_field },
  { "to", NM_FORM_FIELD, &nm_sexp_expanding_field },
};

typedef struct
{
  NmQueryConfigLookup lookup;
  gpointer user_data;
  /* Every node and binding made, freed together. */
  GPtrArray *garbage;
  /* Where the texts to parse first go (see _nm_query_check()), or NULL. */
  GPtrArray *probes;
  /* Elements parsed, and expansions of saved queries, macro parameters, named queries and
   * `sexp:` fields followed, against NM_QUERY_ELEMENTS_MAX: the work of following any
   * expansion is bounded by the elements parsed. */
  guint elements;
} NmQueryCheck;

static gboolean nm_query_check_xapian (NmQueryCheck  *check,
                                       const char    *text,
                                       guint          depth,
                                       GError       **error);

static gboolean
nm_query_check_too_deep (GError **error)
{
  _nm_set_error (error, NM_ERROR_BAD_QUERY_SYNTAX,
                 "The query nests more than %d levels deep, saved and named queries included",
                 NM_QUERY_DEPTH_MAX);
  return FALSE;
}

static gboolean
nm_query_check_count (NmQueryCheck *check, GError **error)
{
  if (++check->elements <= NM_QUERY_ELEMENTS_MAX)
    return TRUE;
  _nm_set_error (error, NM_ERROR_BAD_QUERY_SYNTAX,
                 "The query has more than %d elements, saved and named queries included",
                 NM_QUERY_ELEMENTS_MAX);
  return FALSE;
}

static gboolean
nm_sexp_is_blank (char c)
{
  return ((guchar) c >= 1 && (guchar) c <= ' ') || c == 0x7f;
}

/* Characters that end an unquoted atom. */
static gboolean
nm_sexp_ends_atom (char c)
{
  return c == '\0' || nm_sexp_is_blank (c) || c == '(' || c == ')' || c == '"' || c == '\'';
}

static NmSexp *
nm_sexp_new (NmQueryCheck *check, NmSexpKind kind, char *text)
{
  NmSexp *node = g_new0 (NmSexp, 1);

  node->kind = kind;
  node->text = text;
  g_ptr_array_add (check->garbage, node);
  if (text != NULL)
    g_ptr_array_add (check->garbage, text);
  return node;
}

/* Reads a "double quoted" atom starting at *@pos; FALSE if it is not closed.  A backslash
 * keeps the next character in the atom, and is dropped before a quote or a backslash. */
static gboolean
nm_sexp_read_quoted (const char **pos, GString *value)
{
  const char *p = *pos + 1;

  for (; *p != '"'; p++)
    {
      if (*p == '\0')
        return FALSE;
      if (*p == '\\' && p[1] != '\0')
        {
          if (p[1] != '"' && p[1] != '\\')
            g_string_append_c (value, '\\');
          p++;
        }
      g_string_append_c (value, *p);
    }
  *pos = p + 1;
  return TRUE;
}

/* Reads a 'ticked atom starting at *@pos: a balanced parenthesised text, kept as it is, or
 * an atom's characters; FALSE if the parentheses are not closed. */
static gboolean
nm_sexp_read_ticked (const char **pos, GString *value)
{
  const char *start = *pos + 1;
  const char *p = start;
  guint level = 0;

  if (*p != '(')
    {
      while (!nm_sexp_ends_atom (*p))
        p++;
      g_string_append_len (value, start, p - start);
      *pos = p;
      return TRUE;
    }
  do
    {
      if (*p == '\0')
        return FALSE;
      if (*p == '"')
        {
          g_autoptr (GString) ignored = g_string_new (NULL);

          if (!nm_sexp_read_quoted (&p, ignored))
            return FALSE;
          continue;
        }
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '(')
        level++;
      else if (*p == ')')
        level--;
      p++;
    }
  while (level > 0);
  g_string_append_len (value, start, p - start);
  *pos = p;
  return TRUE;
}

/* Reads an unquoted atom: a backslash makes a following parenthesis, quote, tick or
 * backslash part of it, and is kept before anything else. */
static void
nm_sexp_read_plain (const char **pos, GString *value)
{
  const char *p = *pos;

  while (!nm_sexp_ends_atom (*p))
    {
      if (*p == '\\' && p[1] != '\0' && strchr ("()\"'\\", p[1]) != NULL)
        p++;
      g_string_append_c (value, *p);
      p++;
    }
  *pos = p;
}

/* Parses the first complete expression of @text into *@out, or sets it to NULL if there is
 * none (libnotmuch reports that as a syntax error itself).  Fails beyond the limits;
 * @depth is the nesting around @text. */
static gboolean
nm_sexp_parse (NmQueryCheck  *check,
               const char    *text,
               guint          depth,
               NmSexp       **out,
               GError       **error)
{
  g_autoptr (GPtrArray) open = g_ptr_array_new ();   /* the lists not yet closed */
  g_autoptr (GPtrArray) last = g_ptr_array_new ();   /* their last elements so far */
  const char *p = text;

  *out = NULL;
  for (;;)
    {
      NmSexp *node;

      while (nm_sexp_is_blank (*p))
        p++;
      if (*p == '\0')
        return TRUE;
      if (*p == ')')
        {
          if (open->len == 0)
            return TRUE;
          node = g_ptr_array_steal_index (open, open->len - 1);
          g_ptr_array_set_size (last, open->len);
          p++;
          if (open->len == 0)
            {
              *out = node;
              return TRUE;
            }
          continue;
        }

      if (*p == '(')
        {
          node = nm_sexp_new (check, NM_SEXP_LIST, NULL);
          p++;
        }
      else
        {
          g_autoptr (GString) value = g_string_new (NULL);
          NmSexpKind kind = NM_SEXP_QUOTED;

          if (*p == '"')
            {
              if (!nm_sexp_read_quoted (&p, value))
                return TRUE;
            }
          else if (*p == '\'')
            {
              if (!nm_sexp_read_ticked (&p, value))
                return TRUE;
            }
          else
            {
              nm_sexp_read_plain (&p, value);
              kind = NM_SEXP_PLAIN;
            }
          node = nm_sexp_new (check, kind, g_string_free (g_steal_pointer (&value), FALSE));
        }

      /* The atom at the head of a list names the form; it is no element of its own. */
      if ((open->len == 0 || g_ptr_array_index (last, open->len - 1) != NULL
           || node->kind == NM_SEXP_LIST)
          && !nm_query_check_count (check, error))
        return FALSE;
      if (open->len > 0)
        {
          NmSexp *previous = g_ptr_array_index (last, open->len - 1);
          NmSexp *list = g_ptr_array_index (open, open->len - 1);

          if (previous != NULL)
            previous->next = node;
          else
            list->first = node;
          g_ptr_array_index (last, open->len - 1) = node;
        }
      else if (node->kind != NM_SEXP_LIST)
        {
          *out = node;
          return TRUE;
        }
      if (node->kind == NM_SEXP_LIST)
        {
          if (depth + open->len + 1 > NM_QUERY_DEPTH_MAX)
            return nm_query_check_too_deep (error);
          g_ptr_array_add (open, node);
          g_ptr_array_add (last, NULL);
        }
    }
}

/* The value of configuration key @prefix@name, or NULL. */
static char *
nm_query_check_lookup (NmQueryCheck *check, const char *prefix, const char *name)
{
  g_autofree char *key = g_strconcat (prefix, name, NULL);

  return check->lookup (key, check->user_data);
}

static const NmSexpForm *
nm_sexp_find_form (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (nm_sexp_forms); i++)
    if (strcmp (nm_sexp_forms[i].name, name) == 0)
      return &nm_sexp_forms[i];
  return NULL;
}

static gboolean nm_sexp_check (NmQueryCheck         *check,
                               const NmSexp         *node,
                               const NmSexpField    *field,
                               const NmSexpBinding  *bindings,
                               guint                 depth,
                               GError              **error);

static gboolean
nm_sexp_check_arguments (NmQueryCheck         *check,
                         const NmSexp         *first,
                         const NmSexpField    *field,
                         const NmSexpBinding  *bindings,
                         guint                 depth,
                         GError              **error)
{
  for (const NmSexp *argument = first; argument != NULL; argument = argument->next)
    if (!nm_sexp_check (check, argument, field, bindings, depth, error))
      return FALSE;
  return TRUE;
}

/* A saved query (`squery.<name>`): a query, or a macro applied to the call's arguments. */
static gboolean
nm_sexp_check_saved (NmQueryCheck         *check,
                     const NmSexp         *call,
                     const char           *definition,
                     const NmSexpField    *field,
                     const NmSexpBinding  *bindings,
                     guint                 depth,
                     GError              **error)
{
  NmSexp *saved;
  const NmSexp *parameters, *body, *parameter, *argument;
  const NmSexpBinding *macro_bindings = NULL;

  if (!nm_query_check_count (check, error)
      || !nm_sexp_parse (check, definition, depth, &saved, error))
    return FALSE;
  if (saved == NULL)
    return TRUE;
  /* libnotmuch reads the head of the saved query without looking: every version crashes
   * on an atom or an empty list. */
  if (saved->kind != NM_SEXP_LIST || saved->first == NULL)
    {
      g_autofree char *name = g_utf8_make_valid (call->first->text, -1);

      _nm_set_error (error, NM_ERROR_BAD_QUERY_SYNTAX,
                     "The saved query “%s” is not a list", name);
      return FALSE;
    }
  if (saved->first->kind == NM_SEXP_LIST || strcmp (saved->first->text, "macro") != 0)
    return nm_sexp_check (check, saved, field, bindings, depth + 1, error);

  parameters = saved->first->next;
  if (parameters == NULL || parameters->kind != NM_SEXP_LIST || parameters->next == NULL)
    return TRUE;
  body = parameters->next;
  for (parameter = parameters->first, argument = call->first->next;
       parameter != NULL && argument != NULL;
       parameter = parameter->next, argument = argument->next)
    {
      NmSexpBinding *binding;

      if (parameter->kind != NM_SEXP_PLAIN)
        return TRUE;
      binding = g_new0 (NmSexpBinding, 1);
      binding->name = parameter->text;
      binding->value = argument;
      binding->context = bindings;
      binding->next = macro_bindings;
      g_ptr_array_add (check->garbage, binding);
      macro_bindings = binding;
    }
  if (parameter != NULL || argument != NULL)
    return TRUE;
  return nm_sexp_check (check, body, field, macro_bindings, depth + 1, error);
}

/* The words of @atom: runs of letters and digits, as Xapian splits text into terms. */
static guint
nm_sexp_count_words (const char *atom)
{
  gboolean in_word = FALSE;
  guint words = 0;

  for (const char *p = atom; *p != '\0'; p++)
    {
      gboolean word_character = g_ascii_isalnum (*p) || (guchar) *p >= 0x80;

      words += word_character && !in_word;
      in_word = word_character;
    }
  return words;
}

/* Follows @node as libnotmuch would turn it into a query inside @field (NULL: none), with
 * macro parameters bound by @bindings.  @depth is @node's nesting. */
static gboolean
nm_sexp_check (NmQueryCheck         *check,
               const NmSexp         *node,
               const NmSexpField    *field,
               const NmSexpBinding  *bindings,
               guint                 depth,
               GError              **error)
{
  const NmSexp *head = node->first;
  const NmSexp *argument;
  const NmSexpForm *form;
  g_autofree char *definition = NULL;

  if (node->kind == NM_SEXP_LIST && depth > NM_QUERY_DEPTH_MAX)
    return nm_query_check_too_deep (error);

  if (node->kind == NM_SEXP_PLAIN && node->text[0] == ',')
    {
      for (const NmSexpBinding *binding = bindings; binding != NULL; binding = binding->next)
        if (strcmp (binding->name, node->text + 1) == 0)
          return nm_query_check_count (check, error)
                 && nm_sexp_check (check, binding->value, field, binding->context, depth + 1,
                                   error);
      return TRUE;
    }
  /* A word outside a field is searched in every field: it adds a term per field to a query
   * whose construction takes time quadratic in its terms.  An atom of several words is a
   * phrase of as many terms in each field. */
  if (node->kind != NM_SEXP_LIST && field == NULL)
    {
      for (guint words = MAX (nm_sexp_count_words (node->text), 1); words > 0; words--)
        for (gsize i = 0; i < G_N_ELEMENTS (nm_sexp_forms); i++)
          if (nm_sexp_forms[i].kind == NM_FORM_FIELD && !nm_query_check_count (check, error))
            return FALSE;
      return TRUE;
    }
  if (node->kind != NM_SEXP_LIST || head == NULL || head->kind == NM_SEXP_LIST)
    return TRUE;

  /* The order libnotmuch tries: saved queries, headers, its own forms. */
  definition = nm_query_check_lookup (check, "squery.", head->text);
  if (definition != NULL)
    return nm_sexp_check_saved (check, node, definition, field, bindings, depth, error);
  g_clear_pointer (&definition, g_free);
  definition = nm_query_check_lookup (check, "index.header.", head->text);
  if (definition != NULL)
    return field != NULL
           || nm_sexp_check_arguments (check, head->next, &nm_sexp_plain_field, bindings,
                                       depth + 1, error);

  form = nm_sexp_find_form (head->text);
  if (form == NULL)
    return TRUE;
  if (form->field != NULL)
    {
      if (field != NULL)
        return TRUE;
      field = form->field;
    }
  argument = head->next;
  switch (form->kind)
    {
    case NM_FORM_COMBINE:
    case NM_FORM_FIELD:
      return nm_sexp_check_arguments (check, argument, field, bindings, depth + 1, error);
    case NM_FORM_RANGE:
    case NM_FORM_ATOM:
      return TRUE;
    case NM_FORM_INFIX:
    case NM_FORM_NAMED_QUERY:
      if (field != NULL || argument == NULL || argument->next != NULL
          || argument->kind == NM_SEXP_LIST)
        return TRUE;
      if (form->kind == NM_FORM_INFIX)
        return nm_query_check_xapian (check, argument->text, depth + 1, error);
      g_clear_pointer (&definition, g_free);
      definition = nm_query_check_lookup (check, "query.", argument->text);
      return definition == NULL
             || nm_query_check_xapian (check, definition, depth + 1, error);
    case NM_FORM_EXPAND:
      /* Every version dereferences the enclosing field without looking: outside one it
       * crashes. */
      if (field == NULL)
        {
          _nm_set_error (error, NM_ERROR_BAD_QUERY_SYNTAX,
                         "(%s ...) is only allowed inside a field, as in (tag (%s ...))",
                         form->name, form->name);
          return FALSE;
        }
      /* The expanded query starts afresh: no field, no macro parameters. */
      return !field->expands
             || nm_sexp_check_arguments (check, argument, NULL, NULL, depth + 1, error);
    default:
      g_assert_not_reached ();
    }
}

/* A macro's body as any call would expand it: each parameter bound to a plain word.  A
 * macro that calls itself, directly or through others, then nests without end; the call's
 * own arguments cannot stop that, since the s-expression syntax has no conditionals. */
static gboolean
nm_sexp_check_macro_body (NmQueryCheck  *check,
                          const NmSexp  *definition,
                          guint          depth,
                          GError       **error)
{
  static const NmSexp word = { NM_SEXP_PLAIN, (char *) "word", NULL, NULL };
  const NmSexp *parameters = definition->first->next;
  const NmSexpBinding *bindings = NULL;

  if (parameters == NULL || parameters->kind != NM_SEXP_LIST || parameters->next == NULL)
    return TRUE;
  for (const NmSexp *parameter = parameters->first; parameter != NULL; parameter = parameter->next)
    {
      NmSexpBinding *binding;

      if (parameter->kind != NM_SEXP_PLAIN)
        return TRUE;
      binding = g_new0 (NmSexpBinding, 1);
      binding->name = parameter->text;
      binding->value = &word;
      binding->next = bindings;
      g_ptr_array_add (check->garbage, binding);
      bindings = binding;
    }
  return nm_sexp_check (check, parameters->next, NULL, bindings, depth + 1, error);
}

static gboolean
nm_query_check_sexp (NmQueryCheck  *check,
                     const char    *text,
                     guint          depth,
                     GError       **error)
{
  NmSexp *root;

  if (!nm_sexp_parse (check, text, depth, &root, error))
    return FALSE;
  if (root == NULL)
    return TRUE;
  if (root->kind == NM_SEXP_LIST && root->first != NULL && root->first->kind == NM_SEXP_PLAIN
      && strcmp (root->first->text, "macro") == 0)
    return nm_sexp_check_macro_body (check, root, depth, error);
  return nm_sexp_check (check, root, NULL, NULL, depth + 1, error);
}

/* The values a field of the classic syntax may have at @p: a "quoted" text (up to the
 * first quote, and with "" read as a quote, as both readings are possible), or the
 * characters up to a blank.  Added to @values. */
static void
nm_query_field_values (const char *p, GPtrArray *values)
{
  if (*p == '"')
    {
      const char *end = strchr (p + 1, '"');
      GString *unescaped = g_string_new (NULL);

      g_ptr_array_add (values, end != NULL ? g_strndup (p + 1, end - p - 1) : g_strdup (p + 1));
      for (p++; *p != '\0'; p++)
        {
          if (*p == '"' && p[1] != '"')
            break;
          if (*p == '"')
            p++;
          g_string_append_c (unescaped, *p);
        }
      g_ptr_array_add (values, g_string_free (unescaped, FALSE));
      return;
    }
  g_ptr_array_add (values, g_strndup (p, strcspn (p, " \t\n\r\f\v")));
}

/* Checks a query in the classic syntax: its nesting, the s-expressions of its `sexp:`
 * fields and the named queries of its `query:` fields, each found wherever the text holds
 * one (inside phrases too: checking more than Xapian parses only costs time). */
static gboolean
nm_query_is_word_character (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* @text with the `+` and `-` blanked that mark a field (`-date:...`, `+=sexp:...`), or NULL
 * if there is none.  Xapian crashes on such a field at the start of the text or of a group;
 * between a mark and its field it skips any character that is neither part of a word nor
 * a blank.  A mark that follows a word character, or a field's colon, is no mark.
 * Blanking more marks than Xapian would read as such only costs a parse. */
static char *
nm_query_blank_marked_fields (const char *text)
{
  g_autofree char *blanked = g_strdup (text);
  gboolean found = FALSE;

  for (char *p = blanked; *p != '\0'; p++)
    {
      char *field = p;

      if ((*p != '+' && *p != '-')
          || (p > blanked && (nm_query_is_word_character (p[-1]) || p[-1] == ':')))
        continue;
      while (*field != '\0' && !nm_query_is_word_character (*field)
             && !g_ascii_isspace (*field))
        field++;
      if (!g_ascii_isalpha (*field))
        continue;
      while (nm_query_is_word_character (*field))
        field++;
      if (*field != ':')
        continue;
      for (char *mark = p; mark < field && !nm_query_is_word_character (*mark); mark++)
        if (*mark == '+' || *mark == '-')
          *mark = ' ';
      found = TRUE;
    }
  return found ? g_steal_pointer (&blanked) : NULL;
}

static gboolean
nm_query_check_xapian (NmQueryCheck  *check,
                       const char    *text,
                       guint          depth,
                       GError       **error)
{
  guint level = 0;
  char *blanked;

  if (depth > NM_QUERY_DEPTH_MAX)
    return nm_query_check_too_deep (error);
  if (!nm_query_check_count (check, error))
    return FALSE;
  if (check->probes != NULL && (blanked = nm_query_blank_marked_fields (text)) != NULL)
    g_ptr_array_add (check->probes, blanked);
  for (const char *p = text; *p != '\0'; p++)
    {
      g_autoptr (GPtrArray) values = NULL;
      gboolean named;

      if (*p == '(' || *p == '{')
        {
          if (depth + ++level > NM_QUERY_DEPTH_MAX)
            return nm_query_check_too_deep (error);
          continue;
        }
      if (*p == ')' || *p == '}')
        {
          level -= level > 0;
          continue;
        }
      if (g_ascii_strncasecmp (p, "sexp:", strlen ("sexp:")) == 0)
        named = FALSE;
      else if (g_ascii_strncasecmp (p, "query:", strlen ("query:")) == 0)
        named = TRUE;
      else
        continue;

      p = strchr (p, ':') + 1;
      values = g_ptr_array_new_with_free_func (g_free);
      nm_query_field_values (p, values);
      for (guint i = 0; i < values->len; i++)
        {
          const char *value = g_ptr_array_index (values, i);

          if (!named)
            {
              if (!nm_query_check_count (check, error)
                  || !nm_query_check_sexp (check, value, depth + level, error))
                return FALSE;
              continue;
            }
          /* Xapian ends a name where its rules for terms say (control characters,
           * parentheses, and more): every prefix is tried. */
          for (gsize end = 1, length = strlen (value); end <= length; end++)
            {
              g_autofree char *name = NULL;
              g_autofree char *definition = NULL;

              if (((guchar) value[end] & 0xc0) == 0x80)
                continue;   /* inside a UTF-8 character */
              if (!nm_query_check_count (check, error))
                return FALSE;
              name = g_strndup (value, end);
              definition = nm_query_check_lookup (check, "query.", name);
              if (definition != NULL
                  && !nm_query_check_xapian (check, definition, depth + level + 1, error))
                return FALSE;
            }
        }
      p--;
    }
  return TRUE;
}

gboolean
_nm_query_check (const char           *query_string,
                 gboolean              sexp,
                 NmQueryConfigLookup   lookup,
                 gpointer              user_data,
                 GPtrArray            *probes,
                 GError              **error)
{
  NmQueryCheck check = { lookup, user_data, g_ptr_array_new_with_free_func (g_free), probes, 0 };
  gboolean ok;

  ok = sexp ? nm_query_check_sexp (&check, query_string, 0, error)
            : nm_query_check_xapian (&check, query_string, 0, error);
  g_ptr_array_unref (check.garbage);
  return ok;
}

gboolean
_nm_query_check_saved_sexp (const char  *definition,
                            GError     **error)
{
  NmQueryCheck check = { NULL, NULL, g_ptr_array_new_with_free_func (g_free), NULL, 0 };
  NmSexp *root = NULL;
  gboolean ok = nm_sexp_parse (&check, definition, 0, &root, error);

  /* libnotmuch reads the head of a saved query without looking (see
   * nm_sexp_check_saved()). */
  if (ok && (root == NULL || root->kind != NM_SEXP_LIST || root->first == NULL
             || root->first->kind == NM_SEXP_LIST))
    {
      _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT,
                             "A saved s-expression query is a list that starts with a name, "
                             "as (tag inbox) or (macro (x) ...)");
      ok = FALSE;
    }
  g_ptr_array_unref (check.garbage);
  return ok;
}
