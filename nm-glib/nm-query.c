/* nm-query.c: a search over a notmuch database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-query-private.h"
#include "nm-error-private.h"
#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-enum-types.h"
#include "nm-list-private.h"
#include "nm-messages-private.h"
#include "nm-tags-private.h"
#include "nm-threads-private.h"

/**
 * NmQuery:
 *
 * A search over a database: a query string plus the sort order and the handling of
 * excluded tags.
 *
 * A new query sorts newest first and excludes nothing, as libnotmuch does; the shortcuts
 * on [class@Notmuch.Database] behave like the `notmuch` CLI instead.  Each search takes a
 * snapshot of the settings, so changing the query later does not change earlier results.
 *
 * A query can also be constructed with its properties, as bindings do:
 * `Notmuch.Query(database=db, query_string='*')` in Python is the same query as
 * [ctor@Notmuch.Query.new], except that what `new()` checks at once (an open database, a
 * query string in UTF-8) is checked by the first search or count.  A query constructed
 * without a database fails every search and count with %NM_ERROR_CLOSED_DATABASE.
 *
 * Query strings are parsed when a search or count runs: a malformed query fails there,
 * with %NM_ERROR_XAPIAN_EXCEPTION (classic syntax) or %NM_ERROR_BAD_QUERY_SYNTAX
 * (s-expressions).
 *
 * Some queries crash libnotmuch (and the notmuch CLI) instead of failing; they fail with
 * %NM_ERROR_BAD_QUERY_SYNTAX before libnotmuch parses them: `(of ...)` or
 * `(matching ...)` outside a field such as `(tag ...)`, a saved query (`squery.<name>`)
 * that is not a list, queries nested more than 100 levels deep (parentheses and braces
 * of the classic syntax, lists of s-expressions), and s-expressions of more than 2000
 * elements (lists and atoms; each word outside any field counts once for each field it is
 * searched in).  Both limits count saved queries, macro parameters, named queries
 * (`query.<name>`) and `sexp:` fields where they are used, so queries that refer to
 * themselves fail too.
 *
 * Since: 0.1
 */
struct _NmQuery
{
  GObject parent_instance;

  /* The settings change under the database lock, since searches in other threads read
   * them. */
  NmDatabase *database;
  char *query_string;
  NmQuerySyntax syntax;
  NmSort sort;
  NmExclude exclude;
  GPtrArray *excluded_tags;
};

G_DEFINE_FINAL_TYPE (NmQuery, nm_query, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DATABASE,
  PROP_QUERY_STRING,
  PROP_SYNTAX,
  PROP_SORT,
  PROP_EXCLUDE,
  PROP_EXCLUDED_TAGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nm_query_finalize (GObject *object)
{
  NmQuery *self = NM_QUERY (object);

  g_clear_pointer (&self->excluded_tags, g_ptr_array_unref);
  g_clear_pointer (&self->query_string, g_free);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (nm_query_parent_class)->finalize (object);
}

static void
nm_query_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  NmQuery *self = NM_QUERY (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_QUERY_STRING:
      g_value_set_string (value, self->query_string);
      break;
    case PROP_SYNTAX:
      g_value_set_enum (value, self->syntax);
      break;
    case PROP_SORT:
      g_value_set_enum (value, self->sort);
      break;
    case PROP_EXCLUDE:
      g_value_set_enum (value, self->exclude);
      break;
    case PROP_EXCLUDED_TAGS:
      g_value_take_boxed (value, nm_query_get_excluded_tags (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_query_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  NmQuery *self = NM_QUERY (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_QUERY_STRING:
      /* NULL, as an empty string, matches every message. */
      self->query_string = g_strdup (g_value_get_string (value) != NULL
                                     ? g_value_get_string (value) : "");
      break;
    case PROP_SYNTAX:
      self->syntax = g_value_get_enum (value);
      break;
    case PROP_SORT:
      nm_query_set_sort (self, g_value_get_enum (value));
      break;
    case PROP_EXCLUDE:
      nm_query_set_exclude (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_query_class_init (NmQueryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_query_finalize;
  object_class->get_property = nm_query_get_property;
  object_class->set_property = nm_query_set_property;

  /**
   * NmQuery:database: (getter get_database)
   *
   * The database the query searches, or %NULL for none.
   *
   * Since: 0.1
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, NM_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmQuery:query-string: (getter get_query_string)
   *
   * The query string; %NULL is the empty string, which matches every message.
   *
   * Since: 0.1
   */
  properties[PROP_QUERY_STRING] =
    g_param_spec_string ("query-string", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmQuery:syntax: (getter get_syntax)
   *
   * The language of the query string.
   *
   * Since: 0.1
   */
  properties[PROP_SYNTAX] =
    g_param_spec_enum ("syntax", NULL, NULL, NM_TYPE_QUERY_SYNTAX, NM_QUERY_SYNTAX_XAPIAN,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * NmQuery:sort: (getter get_sort) (setter set_sort)
   *
   * The order of the results.
   *
   * Since: 0.1
   */
  properties[PROP_SORT] =
    g_param_spec_enum ("sort", NULL, NULL, NM_TYPE_SORT, NM_SORT_NEWEST_FIRST,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * NmQuery:exclude: (getter get_exclude) (setter set_exclude)
   *
   * What the query does with messages carrying an excluded tag.
   *
   * Since: 0.1
   */
  properties[PROP_EXCLUDE] =
    g_param_spec_enum ("exclude", NULL, NULL, NM_TYPE_EXCLUDE, NM_EXCLUDE_TRUE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * NmQuery:excluded-tags: (getter get_excluded_tags)
   *
   * The tags added with [method@Notmuch.Query.add_tag_exclude].
   *
   * Since: 0.1
   */
  properties[PROP_EXCLUDED_TAGS] =
    g_param_spec_boxed ("excluded-tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_query_init (NmQuery *self)
{
  self->sort = NM_SORT_NEWEST_FIRST;
  self->exclude = NM_EXCLUDE_TRUE;
  self->excluded_tags = g_ptr_array_new_with_free_func (g_free);
}

static gboolean
nm_query_check_string (const char  *query_string,
                       GError     **error)
{
  if (g_utf8_validate (query_string, -1, NULL))
    return TRUE;
  _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT, "The query string is not valid UTF-8");
  return FALSE;
}

/**
 * nm_query_new:
 * @database: the database to search
 * @query_string: a query in notmuch's classic syntax; `""` or `*` match every message
 * @error: return location for an error
 *
 * Creates a query in notmuch's classic (Xapian) syntax.
 *
 * Returns: (transfer full): the query, or %NULL with @error set
 *   (%NM_ERROR_CLOSED_DATABASE)
 *
 * Since: 0.1
 */
NmQuery *
nm_query_new (NmDatabase  *database,
              const char  *query_string,
              GError     **error)
{
  return nm_query_new_with_syntax (database, query_string, NM_QUERY_SYNTAX_XAPIAN, error);
}

/**
 * nm_query_new_with_syntax:
 * @database: the database to search
 * @query_string: the query
 * @syntax: the language @query_string is written in
 * @error: return location for an error
 *
 * Creates a query in the given syntax.
 *
 * Returns: (transfer full): the query, or %NULL with @error set
 *
 * Since: 0.1
 */
NmQuery *
nm_query_new_with_syntax (NmDatabase     *database,
                          const char     *query_string,
                          NmQuerySyntax   syntax,
                          GError        **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (database), NULL);
  g_return_val_if_fail (query_string != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = _nm_database_lock (database);
  if (!_nm_database_check_open (database, error) || !nm_query_check_string (query_string, error))
    return NULL;
  return g_object_new (NM_TYPE_QUERY,
                       "database", database,
                       "query-string", query_string,
                       "syntax", syntax,
                       NULL);
}

NmQuery *
_nm_query_new_like_cli (NmDatabase  *database,
                        const char  *query_string,
                        GError     **error)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (database);
  g_autoptr (NmQuery) self = nm_query_new (database, query_string, error);
  g_auto (GStrv) excluded = NULL;

  if (self == NULL)
    return NULL;
  excluded = _nm_database_get_config_values (database, NOTMUCH_CONFIG_EXCLUDE_TAGS);
  for (char **tag = excluded; *tag != NULL; tag++)
    g_ptr_array_add (self->excluded_tags, g_strdup (*tag));
  return g_steal_pointer (&self);
}

notmuch_query_t *
_nm_query_create_native (NmQuery   *self,
                         gboolean   with_tag_excludes,
                         GError   **error)
{
  notmuch_database_t *db = _nm_database_get_native (self->database);
  notmuch_query_t *native = NULL;
  notmuch_status_t status;

  if (!_nm_database_check_open (self->database, error))
    return NULL;
  /* Checked here too for a query constructed with its properties. */
  if (!nm_query_check_string (self->query_string, error))
    return NULL;
  if (!_nm_database_check_query (self->database, self->query_string, self->syntax, error))
    return NULL;
  status = notmuch_query_create_with_syntax (db, self->query_string,
                                             (notmuch_query_syntax_t) self->syntax, &native);
  if (!_nm_database_check_status (self->database, status, error,
                                  "Cannot create the query “%s”", self->query_string))
    return NULL;

  notmuch_query_set_sort (native, (notmuch_sort_t) self->sort);
  notmuch_query_set_omit_excluded (native, (notmuch_exclude_t) self->exclude);
  if (with_tag_excludes)
    {
      for (guint i = 0; i < self->excluded_tags->len; i++)
        _nm_compat_query_add_tag_exclude (native, (notmuch_query_syntax_t) self->syntax,
                                          g_ptr_array_index (self->excluded_tags, i));
    }
  return native;
}

static void
nm_query_destroy_native (gpointer native)
{
  notmuch_query_destroy (native);
}

NmHandle *
_nm_query_new_snapshot (NmQuery  *self,
                        GError  **error)
{
  notmuch_query_t *native = _nm_query_create_native (self, TRUE, error);

  if (native == NULL)
    return NULL;
  return _nm_handle_new (self->database, native, nm_query_destroy_native, NULL, NULL);
}

static void
nm_query_destroy_native_messages (gpointer native)
{
  notmuch_messages_destroy (native);
}

static void
nm_query_destroy_native_threads (gpointer native)
{
  notmuch_threads_destroy (native);
}

NmHandle *
_nm_query_walk_snapshot (NmQuery   *self,
                         NmHandle  *snapshot,
                         gboolean   threads,
                         GError   **error)
{
  notmuch_query_t *native = _nm_handle_get_native (snapshot);
  notmuch_query_syntax_t syntax = (notmuch_query_syntax_t) self->syntax;
  notmuch_messages_t *messages = NULL;
  notmuch_threads_t *thread_results = NULL;
  notmuch_status_t status;

  status = threads ? _nm_compat_query_search_threads (native, syntax, &thread_results)
                   : _nm_compat_query_search_messages (native, syntax, &messages);
  if (!_nm_query_check_status (self, status, error, threads ? "search for threads matching"
                                                            : "search for messages matching"))
    return NULL;
  /* The results belong to the snapshot: the walk keeps it alive. */
  return _nm_handle_new (self->database, threads ? (gpointer) thread_results : messages,
                         threads ? nm_query_destroy_native_threads
                                 : nm_query_destroy_native_messages,
                         _nm_handle_ref (snapshot), (GDestroyNotify) _nm_handle_unref);
}

notmuch_messages_t *
_nm_query_search_messages_quietly (NmQuery          *self,
                                   notmuch_query_t **native)
{
  notmuch_messages_t *messages = NULL;

  *native = _nm_query_create_native (self, TRUE, NULL);
  if (*native == NULL
      || _nm_compat_query_search_messages (*native, (notmuch_query_syntax_t) self->syntax,
                                           &messages) != NOTMUCH_STATUS_SUCCESS)
    return NULL;
  return messages;
}

NmQuery *
_nm_query_copy (NmQuery *self)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);
  NmQuery *copy = g_object_new (NM_TYPE_QUERY,
                                "database", self->database,
                                "query-string", self->query_string,
                                "syntax", self->syntax,
                                "sort", self->sort,
                                "exclude", self->exclude,
                                NULL);

  for (guint i = 0; i < self->excluded_tags->len; i++)
    g_ptr_array_add (copy->excluded_tags, g_strdup (g_ptr_array_index (self->excluded_tags, i)));
  return copy;
}

NmQuery *
_nm_query_copy_for_thread (NmQuery    *self,
                           const char *thread_id)
{
  NmQuery *copy = _nm_query_copy (self);
  const char *query = copy->query_string;
  char *narrowed;

  if (copy->syntax == NM_QUERY_SYNTAX_SEXP)
    narrowed = query[0] != '\0' ? g_strdup_printf ("(and (thread %s) %s)", thread_id, query)
                                 : g_strdup_printf ("(thread %s)", thread_id);
  else
    narrowed = query[0] != '\0' && strcmp (query, "*") != 0
               ? g_strdup_printf ("thread:%s and ( %s )", thread_id, query)
               : g_strdup_printf ("thread:%s", thread_id);
  g_free (copy->query_string);
  copy->query_string = narrowed;
  return copy;
}

NmQuery *
_nm_query_copy_for_message (NmQuery    *self,
                            const char *message_id)
{
  NmQuery *copy = _nm_query_copy (self);
  const char *query = copy->query_string;
  g_autoptr (GString) term = g_string_new (NULL);
  char *narrowed;

  /* Quoted, so that any id reads as one term: Xapian doubles a quote inside quotes, the
   * s-expression parser escapes it with a backslash. */
  for (const char *c = message_id; *c != '\0'; c++)
    {
      if (*c == '"' || (*c == '\\' && copy->syntax == NM_QUERY_SYNTAX_SEXP))
        g_string_append_c (term, copy->syntax == NM_QUERY_SYNTAX_SEXP ? '\\' : '"');
      g_string_append_c (term, *c);
    }
  if (copy->syntax == NM_QUERY_SYNTAX_SEXP)
    narrowed = query[0] != '\0' ? g_strdup_printf ("(and (id \"%s\") %s)", term->str, query)
                                 : g_strdup_printf ("(id \"%s\")", term->str);
  else
    narrowed = query[0] != '\0' && strcmp (query, "*") != 0
               ? g_strdup_printf ("id:\"%s\" and ( %s )", term->str, query)
               : g_strdup_printf ("id:\"%s\"", term->str);
  g_free (copy->query_string);
  copy->query_string = narrowed;
  return copy;
}

NmSort
_nm_query_get_sort (NmQuery *self)
{
  return self->sort;
}

gboolean
_nm_query_check_status (NmQuery           *self,
                        notmuch_status_t   status,
                        GError           **error,
                        const char        *action)
{
  return _nm_database_check_query_status (self->database, status, self->query_string,
                                          self->syntax, error, "Cannot %s “%s”", action,
                                          self->query_string);
}

NmList *
_nm_query_list_of (GObject *results)
{
  return NM_IS_THREADS (results) ? _nm_threads_get_list (NM_THREADS (results))
                                 : _nm_messages_get_list (NM_MESSAGES (results));
}

/**
 * nm_query_get_database: (get-property database)
 * @self: a query
 *
 * Gets the database the query searches.
 *
 * Returns: (transfer none) (nullable): the database, or %NULL for a query constructed
 *   without one
 *
 * Since: 0.1
 */
NmDatabase *
nm_query_get_database (NmQuery *self)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NULL);

  return self->database;
}

/**
 * nm_query_get_query_string: (get-property query-string)
 * @self: a query
 *
 * Gets the query string.
 *
 * Returns: the query string
 *
 * Since: 0.1
 */
const char *
nm_query_get_query_string (NmQuery *self)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NULL);

  return self->query_string;
}

/**
 * nm_query_get_syntax: (get-property syntax)
 * @self: a query
 *
 * Gets the language of the query string.
 *
 * Returns: the syntax
 *
 * Since: 0.1
 */
NmQuerySyntax
nm_query_get_syntax (NmQuery *self)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NM_QUERY_SYNTAX_XAPIAN);

  return self->syntax;
}

/**
 * nm_query_get_sort: (get-property sort)
 * @self: a query
 *
 * Gets the order of the results.
 *
 * Returns: the sort order
 *
 * Since: 0.1
 */
NmSort
nm_query_get_sort (NmQuery *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_QUERY (self), NM_SORT_NEWEST_FIRST);

  locker = _nm_database_lock (self->database);
  return self->sort;
}

/**
 * nm_query_set_sort: (set-property sort)
 * @self: a query
 * @sort: the order of later searches' results
 *
 * Sets the order of the results.  %NM_SORT_UNSORTED is the fastest way to walk many
 * messages.
 *
 * Since: 0.1
 */
void
nm_query_set_sort (NmQuery *self,
                   NmSort   sort)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_if_fail (NM_IS_QUERY (self));
  g_return_if_fail (sort <= NM_SORT_UNSORTED);

  locker = _nm_database_lock (self->database);
  if (self->sort == sort)
    return;
  self->sort = sort;
  /* Handlers may call into the database, from any thread: none runs under its lock. */
  g_clear_pointer (&locker, _nm_database_unlock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT]);
}

/**
 * nm_query_get_exclude: (get-property exclude)
 * @self: a query
 *
 * Gets what the query does with messages carrying an excluded tag.
 *
 * Returns: the exclude mode
 *
 * Since: 0.1
 */
NmExclude
nm_query_get_exclude (NmQuery *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_QUERY (self), NM_EXCLUDE_TRUE);

  locker = _nm_database_lock (self->database);
  return self->exclude;
}

/**
 * nm_query_set_exclude: (set-property exclude)
 * @self: a query
 * @exclude: the exclude mode of later searches
 *
 * Sets what the query does with messages carrying a tag added with
 * [method@Notmuch.Query.add_tag_exclude].
 *
 * Since: 0.1
 */
void
nm_query_set_exclude (NmQuery   *self,
                      NmExclude  exclude)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_if_fail (NM_IS_QUERY (self));
  g_return_if_fail (exclude <= NM_EXCLUDE_ALL);

  locker = _nm_database_lock (self->database);
  if (self->exclude == exclude)
    return;
  self->exclude = exclude;
  g_clear_pointer (&locker, _nm_database_unlock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXCLUDE]);
}

/**
 * nm_query_add_tag_exclude:
 * @self: a query
 * @tag: a tag
 * @error: return location for an error
 *
 * Excludes messages carrying @tag from later searches, as [property@Notmuch.Query:exclude]
 * says.  A tag the query string names explicitly (`tag:spam`) is not excluded.
 *
 * Returns: %TRUE on success; %FALSE with %NM_ERROR_INVALID_TAG for an invalid tag
 *
 * Since: 0.1
 */
gboolean
nm_query_add_tag_exclude (NmQuery     *self,
                          const char  *tag,
                          GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_QUERY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_nm_tag_validate (tag, error))
    return FALSE;
  locker = _nm_database_lock (self->database);
  if (!g_ptr_array_find_with_equal_func (self->excluded_tags, tag, g_str_equal, NULL))
    {
      g_ptr_array_add (self->excluded_tags, g_strdup (tag));
      g_clear_pointer (&locker, _nm_database_unlock);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXCLUDED_TAGS]);
    }
  return TRUE;
}

/**
 * nm_query_get_excluded_tags: (get-property excluded-tags)
 * @self: a query
 *
 * Gets the tags excluded with [method@Notmuch.Query.add_tag_exclude].
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags, in the order added
 *
 * Since: 0.1
 */
char **
nm_query_get_excluded_tags (NmQuery *self)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_QUERY (self), NULL);

  builder = g_strv_builder_new ();
  locker = _nm_database_lock (self->database);
  for (guint i = 0; i < self->excluded_tags->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->excluded_tags, i));
  return g_strv_builder_end (builder);
}

/**
 * nm_query_search_messages:
 * @self: a query
 * @error: return location for an error
 *
 * Runs the query for messages.  The result is a [iface@Gio.ListModel] of
 * [class@Notmuch.Message] that reads messages as they are asked for: walking it in order
 * keeps memory flat when the messages are dropped.
 *
 * Returns: (transfer full): the matching messages, or %NULL with @error set
 *
 * Since: 0.1
 */
NmMessages *
nm_query_search_messages (NmQuery  *self,
                          GError  **error)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _nm_messages_new_for_query (self, error);
}

/**
 * nm_query_search_threads:
 * @self: a query
 * @error: return location for an error
 *
 * Runs the query for threads: every thread with at least one matching message.
 *
 * Returns: (transfer full): the matching threads, or %NULL with @error set
 *
 * Since: 0.1
 */
NmThreads *
nm_query_search_threads (NmQuery  *self,
                         GError  **error)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _nm_threads_new_for_query (self, error);
}

/* Counts messages or threads, under the database lock. */
static guint
nm_query_count (NmQuery   *self,
                gboolean   threads,
                GError   **error)
{
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);
  notmuch_query_syntax_t syntax = (notmuch_query_syntax_t) self->syntax;
  notmuch_query_t *native;
  notmuch_status_t status;
  guint count = 0;

  /* libnotmuch's count always leaves out messages with an excluded tag, while a search in
   * FLAG or FALSE mode returns them: count messages without the excluded tags in those
   * modes. */
  native = _nm_query_create_native (self, threads || self->exclude == NM_EXCLUDE_TRUE
                                                  || self->exclude == NM_EXCLUDE_ALL, error);
  if (native == NULL)
    return 0;
  status = threads ? _nm_compat_query_count_threads (native, syntax, &count)
                   : _nm_compat_query_count_messages (native, syntax, &count);
  g_clear_pointer (&native, notmuch_query_destroy);
  if (!_nm_query_check_status (self, status, error, threads ? "count the threads matching"
                                                            : "count the messages matching"))
    return 0;
  return count;
}

/**
 * nm_query_count_messages:
 * @self: a query
 * @error: return location for an error
 *
 * Counts the messages a search would return; equal to the length of
 * [method@Notmuch.Query.search_messages]'s result in every exclude mode.
 *
 * Returns: the number of messages; 0 on error
 *
 * Since: 0.1
 */
guint
nm_query_count_messages (NmQuery  *self,
                         GError  **error)
{
  g_return_val_if_fail (NM_IS_QUERY (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return nm_query_count (self, FALSE, error);
}

/**
 * nm_query_count_threads:
 * @self: a query
 * @error: return location for an error
 *
 * Counts the threads a search would return.
 *
 * Returns: the number of threads; 0 on error
 *
 * Since: 0.1
 */
guint
nm_query_count_threads (NmQuery  *self,
                        GError  **error)
{
  g_return_val_if_fail (NM_IS_QUERY (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return nm_query_count (self, TRUE, error);
}

/**
 * nm_query_load_messages:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable; cancelling stops the loading at the next
 *   message, and [method@Notmuch.Messages.check] then reports %G_IO_ERROR_CANCELLED
 * @error: return location for an error
 *
 * Runs the query for messages and returns the list at once, empty: it fills on the
 * database's worker thread, in batches announced by [signal@Gio.ListModel::items-changed]
 * and [property@Notmuch.Messages:n-items] on the thread-default main context of the caller.
 * The first batch is small, so that a view shows its first screen at once.
 * [property@Notmuch.Messages:loading] turns %FALSE after the last batch; then
 * [method@Notmuch.Messages.check] tells whether every message was read.  Dropping the list
 * stops the loading.
 *
 * The search itself runs on the worker too, since on a large mailbox it takes long enough
 * to stall the caller's main loop: a query that libnotmuch fails to parse or run leaves the
 * list empty, and [method@Notmuch.Messages.check] then reports the error.
 *
 * Returns: (transfer full): the list, or %NULL with @error set (a closed database, or a
 *   query refused before it runs, as [ctor@Notmuch.Query.new] may refuse it)
 *
 * Since: 0.1
 */
NmMessages *
nm_query_load_messages (NmQuery       *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _nm_messages_new_loading (self, cancellable, error);
}

/**
 * nm_query_load_threads:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable; cancelling stops the loading at the next
 *   thread, and [method@Notmuch.Threads.check] then reports %G_IO_ERROR_CANCELLED
 * @error: return location for an error
 *
 * Runs the query for threads and returns the list at once, empty: it fills on the
 * database's worker thread, in batches announced by [signal@Gio.ListModel::items-changed]
 * and [property@Notmuch.Threads:n-items] on the thread-default main context of the caller,
 * which is what a `GtkListView` over a large mailbox needs.  The first batch is small, so
 * that a view shows its first screen at once.  [property@Notmuch.Threads:loading] turns
 * %FALSE after the last batch; then [method@Notmuch.Threads.check] tells whether every
 * thread was read.  Dropping the list stops the loading.
 *
 * The search itself runs on the worker too, since on a large mailbox it takes long enough
 * to stall the caller's main loop: a query that libnotmuch fails to parse or run leaves the
 * list empty, and [method@Notmuch.Threads.check] then reports the error.
 *
 * Returns: (transfer full): the list, or %NULL with @error set (a closed database, or a
 *   query refused before it runs, as [ctor@Notmuch.Query.new] may refuse it)
 *
 * Since: 0.1
 */
NmThreads *
nm_query_load_threads (NmQuery       *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (NM_IS_QUERY (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _nm_threads_new_loading (self, cancellable, error);
}
