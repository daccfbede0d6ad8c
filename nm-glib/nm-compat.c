/* nm-compat.c: every workaround of libnotmuch's behaviour, in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nm-compat-private.h"
#include "nm-error-private.h"
#include "nm-query-check-private.h"

/* Opens and commits are serialised by this lock, so that no writable database is opened
 * while XAPIAN_FLUSH_THRESHOLD is 1.  The variable exists (with the user's value, or "0",
 * which both libraries read as unset) before the first switch, so switching only replaces a
 * string in place: getenv() in other threads never sees the environment array
 * reallocated.  setenv() rather than g_setenv(), which logs that setenv() is not
 * thread-safe: this is the one use where it is. */
G_LOCK_DEFINE_STATIC (flush_threshold);
static char *flush_threshold_default;

void
_nm_compat_init (void)
{
  const char *value = g_getenv ("XAPIAN_FLUSH_THRESHOLD");

  if (flush_threshold_default != NULL)
    return;
  flush_threshold_default = g_strdup (value != NULL ? value : "0");
  if (value == NULL)
    setenv ("XAPIAN_FLUSH_THRESHOLD", flush_threshold_default, 1);
}

/* No database at @path: a missing path, something else than a directory, a directory
 * without a notmuch directory.  Rewrites *@message to name the path and the reason, and
 * returns TRUE, unless a database is there (the failure is then a real one). */
static gboolean
nm_compat_explain_missing_database (const char  *path,
                                    char       **message)
{
  GStatBuf info;
  const char *reason;

  if (g_stat (path, &info) != 0)
    reason = g_strerror (errno);
  else if (!S_ISDIR (info.st_mode))
    reason = g_strerror (ENOTDIR);
  else
    {
      g_autofree char *notmuch_dir = g_build_filename (path, ".notmuch", NULL);
      g_autofree char *index = g_build_filename (path, "xapian", NULL);

      if (g_file_test (notmuch_dir, G_FILE_TEST_EXISTS) || g_file_test (index, G_FILE_TEST_EXISTS))
        return FALSE;
      reason = "there is no notmuch database (.notmuch) in it";
    }
  g_free (*message);
  *message = g_strdup_printf ("Cannot open the database at %s: %s", path, reason);
  return TRUE;
}

notmuch_status_t
_nm_compat_open (const char              *path,
                 notmuch_database_mode_t  mode,
                 const char              *config_path,
                 const char              *profile,
                 notmuch_database_t     **database,
                 char                   **message)
{
  notmuch_status_t status;

  G_LOCK (flush_threshold);
  status = notmuch_database_open_with_config (path, mode, config_path, profile, database,
                                              message);
  G_UNLOCK (flush_threshold);
  /* Opening where there is no database.  0.37 says FILE_ERROR with the OS's reason for a
   * missing path or a regular file; 0.38 and later NO_DATABASE without it; every version
   * FILE_ERROR for a directory without a database.  NO_DATABASE with the path and the
   * reason on every version. */
  if ((status == NOTMUCH_STATUS_FILE_ERROR || status == NOTMUCH_STATUS_NO_DATABASE)
      && path != NULL && message != NULL && nm_compat_explain_missing_database (path, message))
    status = NOTMUCH_STATUS_NO_DATABASE;
  return status;
}

/* Makes the missing directories of @path, and returns the topmost one it made (to remove
 * if creating the database fails), or NULL if it made none. */
static char *
nm_compat_make_missing_directories (const char *path)
{
  g_autofree char *topmost = NULL;
  g_autofree char *parent = NULL;

  if (path == NULL || !g_path_is_absolute (path) || g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  topmost = g_strdup (path);
  while ((parent = g_path_get_dirname (topmost)) != NULL
         && !g_file_test (parent, G_FILE_TEST_EXISTS) && strcmp (parent, topmost) != 0)
    {
      g_free (topmost);
      topmost = g_steal_pointer (&parent);
    }
  if (g_mkdir_with_parents (path, 0755) != 0)
    return NULL;
  return g_steal_pointer (&topmost);
}

static void
nm_compat_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        nm_compat_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

notmuch_status_t
_nm_compat_create (const char          *path,
                   const char          *config_path,
                   const char          *profile,
                   notmuch_database_t **database,
                   char               **message)
{
  /* 0.37 fails on a missing directory; 0.38 and later make it, with its parents.  Made
   * here on every version, and removed again if the database cannot be created. */
  g_autofree char *made = nm_compat_make_missing_directories (path);
  notmuch_status_t status;

  G_LOCK (flush_threshold);
  status = notmuch_database_create_with_config (path, config_path, profile, database,
                                                message);
  G_UNLOCK (flush_threshold);
  if (status != NOTMUCH_STATUS_SUCCESS && made != NULL)
    nm_compat_remove_tree (made);
  return status;
}

notmuch_status_t
_nm_compat_load_config (const char          *config_path,
                        const char          *profile,
                        notmuch_database_t **database,
                        char               **message)
{
  notmuch_status_t status;

  G_LOCK (flush_threshold);
  status = notmuch_database_load_config (NULL, config_path, profile, database, message);
  G_UNLOCK (flush_threshold);
  return status;
}

notmuch_status_t
_nm_compat_reopen (notmuch_database_t      *database,
                   notmuch_database_mode_t  mode)
{
  notmuch_status_t status;

  G_LOCK (flush_threshold);
  status = notmuch_database_reopen (database, mode);
  G_UNLOCK (flush_threshold);
  return status;
}

notmuch_status_t
_nm_compat_end_outermost_atomic (notmuch_database_t *database)
{
  notmuch_status_t status;

  G_LOCK (flush_threshold);
  setenv ("XAPIAN_FLUSH_THRESHOLD", "1", 1);
  status = notmuch_database_end_atomic (database);
  setenv ("XAPIAN_FLUSH_THRESHOLD", flush_threshold_default, 1);
  G_UNLOCK (flush_threshold);
  return status;
}

notmuch_status_t
_nm_compat_upgrade (notmuch_database_t *database,
                    void (*progress) (void *closure, double fraction),
                    void               *closure)
{
  struct sigaction handler;
  struct itimerval timer;
  notmuch_status_t status;

  if (!notmuch_database_needs_upgrade (database))
    return NOTMUCH_STATUS_SUCCESS;
  if (progress == NULL)
    return notmuch_database_upgrade (database, NULL, NULL);
  sigaction (SIGALRM, NULL, &handler);
  getitimer (ITIMER_REAL, &timer);
  status = notmuch_database_upgrade (database, progress, closure);
  sigaction (SIGALRM, &handler, NULL);
  setitimer (ITIMER_REAL, &timer, NULL);
  return status;
}

gboolean
_nm_compat_check_config_value (const char  *key,
                               const char  *value,
                               GError     **error)
{
  const char *end = NULL;

  if (g_strcmp0 (key, "database.autocommit") != 0 || value[0] == '\0')
    return TRUE;
  if (g_ascii_isdigit (value[0]))
    g_ascii_strtoull (value, (char **) &end, 10);
  if (end != NULL && *end == '\0')
    return TRUE;
  _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                 "database.autocommit must be a non-negative number, not “%s”", value);
  return FALSE;
}

gboolean
_nm_compat_check_config_file (const char  *file,
                              gboolean    *exists,
                              GError     **error)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *autocommit = NULL;
  g_autoptr (GError) local_error = NULL;

  /* access() first: most opens have no configuration file, and finding that out costs
   * one system call and no allocation. */
  *exists = file != NULL && (g_access (file, R_OK) == 0 || errno != ENOENT);
  if (!*exists)
    return TRUE;
  key_file = g_key_file_new ();
  if (!g_key_file_load_from_file (key_file, file, G_KEY_FILE_NONE, NULL))
    return TRUE;   /* libnotmuch reports an unreadable file itself */
  /* The value exactly as libnotmuch reads it: GKeyFile keeps trailing blanks, and `\s`
   * escapes stand for spaces. */
  autocommit = g_key_file_get_string (key_file, "database", "autocommit", NULL);
  if (autocommit == NULL
      || _nm_compat_check_config_value ("database.autocommit", autocommit, &local_error))
    return TRUE;
  _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT, "%s: %s", file,
                 local_error->message);
  return FALSE;
}

/* libnotmuch's NOTMUCH_TERM_MAX, and the prefixes of the terms checked here; none is in
 * its public header. */
#define NM_COMPAT_TERM_MAX 245
#define NM_COMPAT_PROPERTY_PREFIX "XPROPERTY"
#define NM_COMPAT_FILE_PREFIX "XFDIRENTRY"
#define NM_COMPAT_FOLDER_PREFIX "XFOLDER:"
#define NM_COMPAT_PATH_PREFIX "P"
/* A file's term holds the document id of its directory, up to ten digits, and a colon. */
#define NM_COMPAT_DIRECTORY_ID_MAX 10

gboolean
_nm_compat_check_property_term (const char  *key,
                                const char  *value,
                                GError     **error)
{
  gsize length = strlen (NM_COMPAT_PROPERTY_PREFIX) + strlen (key) + 1 + strlen (value);

  if (length <= NM_COMPAT_TERM_MAX)
    return TRUE;
  _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                 "A message property is at most %d bytes long as “key=value”, not %"
                 G_GSIZE_FORMAT, (int) (NM_COMPAT_TERM_MAX - strlen (NM_COMPAT_PROPERTY_PREFIX)),
                 length - strlen (NM_COMPAT_PROPERTY_PREFIX));
  return FALSE;
}

/* Whether a term of @prefix and @text, plus @extra bytes, fits. */
static gboolean
nm_compat_term_fits (const char *prefix, gsize text_length, gsize extra)
{
  return strlen (prefix) + text_length + extra <= NM_COMPAT_TERM_MAX;
}

gboolean
_nm_compat_check_file_terms (notmuch_database_t  *database,
                             const char          *filename,
                             gsize                growth,
                             GError             **error)
{
  const char *root = notmuch_config_get (database, NOTMUCH_CONFIG_MAIL_ROOT);
  const char *relative = filename;
  const char *name;
  gsize directory_length, folder_length;

  /* The directory and name as libnotmuch splits them: relative to the configured mail root
   * when the path starts with it as a string, else the whole path. */
  while (relative[0] == '/' && relative[1] == '/')
    relative++;
  if (root != NULL && root[0] != '\0' && g_str_has_prefix (relative, root))
    {
      relative += strlen (root);
      while (relative[0] == '/')
        relative++;
    }
  name = strrchr (relative, '/');
  name = name != NULL ? name + 1 : relative;
  directory_length = name > relative ? (gsize) (name - relative) - 1 : 0;
  while (directory_length > 0 && relative[directory_length - 1] == '/')
    directory_length--;
  /* The folder of a maildir's cur/ or new/ is its parent. */
  folder_length = directory_length;
  if (directory_length >= 3
      && (strncmp (relative + directory_length - 3, "cur", 3) == 0
          || strncmp (relative + directory_length - 3, "new", 3) == 0)
      && (directory_length == 3 || relative[directory_length - 4] == '/'))
    folder_length = directory_length == 3 ? 0 : directory_length - 4;

  if (!nm_compat_term_fits (NM_COMPAT_FILE_PREFIX, strlen (name),
                            NM_COMPAT_DIRECTORY_ID_MAX + 1 + growth))
    {
      _nm_set_error (error, NM_ERROR_PATH_ERROR,
                     "The name of %s is too long for the index", filename);
      return FALSE;
    }
  /* The longest path: term is the directory followed by a slash and two stars. */
  if (!nm_compat_term_fits (NM_COMPAT_FOLDER_PREFIX, folder_length, 0)
      || !nm_compat_term_fits (NM_COMPAT_PATH_PREFIX, directory_length,
                               directory_length > 0 ? strlen ("/**") : 0))
    {
      _nm_set_error (error, NM_ERROR_PATH_ERROR,
                     "The directory of %s is too long for the index", filename);
      return FALSE;
    }
  return TRUE;
}

gboolean
_nm_compat_check_maildir_renames (notmuch_database_t  *database,
                                  notmuch_message_t   *message,
                                  GError             **error)
{
  /* A name without an info part gains ":2," and up to five flags (DFPRS). */
  const gsize growth = strlen (":2,") + strlen ("DFPRS");
  notmuch_filenames_t *filenames = notmuch_message_get_filenames (message);
  gboolean fits = TRUE;

  for (; fits && notmuch_filenames_valid (filenames); notmuch_filenames_move_to_next (filenames))
    fits = _nm_compat_check_file_terms (database, notmuch_filenames_get (filenames), growth,
                                        error);
  g_clear_pointer (&filenames, notmuch_filenames_destroy);
  return fits;
}

static char *
nm_compat_lookup_config (const char *key,
                         gpointer    database)
{
  char *value = NULL;
  char *copy = NULL;

  if (notmuch_database_get_config (database, key, &value) == NOTMUCH_STATUS_SUCCESS
      && value != NULL && value[0] != '\0')
    copy = g_strdup (value);
  free (value);
  return copy;
}

notmuch_status_t
_nm_compat_parse_first (notmuch_database_t *database,
                        const char         *text)
{
  notmuch_query_t *query = NULL;
  unsigned int count;
  notmuch_status_t status;

  status = notmuch_query_create_with_syntax (database, text, NOTMUCH_QUERY_SYNTAX_XAPIAN,
                                             &query);
  if (status == NOTMUCH_STATUS_SUCCESS)
    status = _nm_compat_query_count_messages (query, NOTMUCH_QUERY_SYNTAX_XAPIAN, &count);
  g_clear_pointer (&query, notmuch_query_destroy);
  return status;
}

gboolean
_nm_compat_check_query (notmuch_database_t      *database,
                        const char              *query_string,
                        notmuch_query_syntax_t   syntax,
                        GPtrArray               *parse_first,
                        GError                 **error)
{
  return _nm_query_check (query_string, syntax == NOTMUCH_QUERY_SYNTAX_SEXP,
                          nm_compat_lookup_config, database, parse_first, error);
}

/* Whether @name may follow `index.header.` or `squery.`: the rule of the CLI's
 * validate_field_name(), which every notmuch program expects of stored names.  A name
 * starting with a lower-case letter may clash with libnotmuch's own prefixes (`tag`): an
 * `index.header.tag` makes every later open of the database fail. */
static gboolean
nm_compat_is_field_name (const char *name)
{
  if (name[0] == '\0' || (name[0] >= 'a' && name[0] <= 'z'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    switch (g_unichar_type (g_utf8_get_char (p)))
      {
      case G_UNICODE_UPPERCASE_LETTER:
      case G_UNICODE_LOWERCASE_LETTER:
      case G_UNICODE_TITLECASE_LETTER:
      case G_UNICODE_MODIFIER_LETTER:
      case G_UNICODE_OTHER_LETTER:
      case G_UNICODE_NON_SPACING_MARK:
      case G_UNICODE_ENCLOSING_MARK:
      case G_UNICODE_SPACING_MARK:
      case G_UNICODE_DECIMAL_NUMBER:
      case G_UNICODE_LETTER_NUMBER:
      case G_UNICODE_OTHER_NUMBER:
      case G_UNICODE_CONNECT_PUNCTUATION:
        break;
      default:
        return FALSE;
      }
  return TRUE;
}

/* The database's configuration, with one key set to a value not stored yet. */
typedef struct
{
  notmuch_database_t *database;
  const char *key;
  const char *value;
} NmCompatPendingConfig;

static char *
nm_compat_lookup_pending (const char *key,
                          gpointer    user_data)
{
  NmCompatPendingConfig *pending = user_data;

  if (strcmp (key, pending->key) == 0)
    return pending->value[0] != '\0' ? g_strdup (pending->value) : NULL;
  return nm_compat_lookup_config (key, pending->database);
}

gboolean
_nm_compat_check_config_entry (notmuch_database_t  *database,
                               const char          *key,
                               const char          *value,
                               GError             **error)
{
  NmCompatPendingConfig pending = { database, key, value };
  g_autoptr (GError) local_error = NULL;
  gboolean sexp;

  if (g_str_has_prefix (key, "index.header.") || g_str_has_prefix (key, "squery."))
    {
      const char *name = strchr (key, '.') + 1;

      if (g_str_has_prefix (key, "index.header."))
        name = key + strlen ("index.header.");
      if (!nm_compat_is_field_name (name))
        {
          _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                         "“%s” is not a field name: a field name is letters, digits and "
                         "“_”, and does not start with a lower-case letter (those are "
                         "notmuch's own)", name);
          return FALSE;
        }
    }
  if (g_str_has_prefix (key, "squery."))
    sexp = TRUE;
  else if (g_str_has_prefix (key, "query."))
    sexp = FALSE;
  else
    return TRUE;
  if (value[0] == '\0')
    return TRUE;
  if (sexp && !_nm_query_check_saved_sexp (value, error))
    return FALSE;
  /* Followed through the configuration as it would be, a query that uses itself goes
   * deeper than the pre-check of every query allows. */
  if (_nm_query_check (value, sexp, nm_compat_lookup_pending, &pending, NULL, &local_error))
    return TRUE;
  _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT, "Cannot store %s: %s", key,
                 local_error->message);
  return FALSE;
}

/* sfsexp's parser state is process-wide. */
G_LOCK_DEFINE_STATIC (sexp_parser);

gboolean
_nm_compat_begin_parse (notmuch_query_t        *query,
                        notmuch_query_syntax_t  syntax)
{
  const char *text = notmuch_query_get_query_string (query);
  gboolean fields = FALSE;

  for (const char *p = text; !fields && p != NULL && *p != '\0'; p++)
    fields = g_ascii_strncasecmp (p, "sexp:", strlen ("sexp:")) == 0
             || g_ascii_strncasecmp (p, "query:", strlen ("query:")) == 0;
  if (syntax != NOTMUCH_QUERY_SYNTAX_SEXP && !fields)
    return FALSE;
  G_LOCK (sexp_parser);
  return TRUE;
}

void
_nm_compat_end_parse (gboolean locked)
{
  if (locked)
    G_UNLOCK (sexp_parser);
}

notmuch_status_t
_nm_compat_query_search_messages (notmuch_query_t         *query,
                                  notmuch_query_syntax_t   syntax,
                                  notmuch_messages_t     **messages)
{
  gboolean locked = _nm_compat_begin_parse (query, syntax);
  notmuch_status_t status = notmuch_query_search_messages (query, messages);

  _nm_compat_end_parse (locked);
  return status;
}

notmuch_status_t
_nm_compat_query_search_threads (notmuch_query_t         *query,
                                 notmuch_query_syntax_t   syntax,
                                 notmuch_threads_t      **threads)
{
  gboolean locked = _nm_compat_begin_parse (query, syntax);
  notmuch_status_t status = notmuch_query_search_threads (query, threads);

  _nm_compat_end_parse (locked);
  return status;
}

notmuch_status_t
_nm_compat_query_count_messages (notmuch_query_t        *query,
                                 notmuch_query_syntax_t  syntax,
                                 unsigned int           *count)
{
  gboolean locked = _nm_compat_begin_parse (query, syntax);
  notmuch_status_t status = notmuch_query_count_messages (query, count);

  _nm_compat_end_parse (locked);
  return status;
}

void
_nm_compat_query_add_tag_exclude (notmuch_query_t        *query,
                                  notmuch_query_syntax_t  syntax,
                                  const char             *tag)
{
  gboolean locked = _nm_compat_begin_parse (query, syntax);

  /* The status only says a tag is ignored because the query names it explicitly, or
   * reports a parse error that the search itself reports again. */
  (void) notmuch_query_add_tag_exclude (query, tag);
  _nm_compat_end_parse (locked);
}

char *
_nm_compat_mark_status_string (notmuch_database_t *database,
                               const char         *previous_mark)
{
  const char *status_string = notmuch_database_status_string (database);
  notmuch_query_t *query = NULL;
  unsigned int count;

  if (status_string == NULL || g_strcmp0 (status_string, previous_mark) == 0)
    return NULL;
  if (notmuch_query_create_with_syntax (database, "(nm-glib-status-mark",
                                        NOTMUCH_QUERY_SYNTAX_SEXP, &query)
      == NOTMUCH_STATUS_SUCCESS)
    _nm_compat_query_count_messages (query, NOTMUCH_QUERY_SYNTAX_SEXP, &count);
  g_clear_pointer (&query, notmuch_query_destroy);
  return g_strdup (notmuch_database_status_string (database));
}

char *
_nm_compat_explain_query_failure (const char             *path,
                                  const char             *query_string,
                                  notmuch_query_syntax_t  syntax)
{
  g_autofree char *message = NULL;
  g_autoptr (GPtrArray) parse_first = g_ptr_array_new_with_free_func (g_free);
  notmuch_database_t *probe = NULL;
  notmuch_query_t *query = NULL;
  unsigned int count;
  char *explanation = NULL;
  gboolean parsed = TRUE;

  /* No configuration file: the query is parsed the same way (named queries and custom
   * headers are stored in the database), and a file changed since the database was opened
   * cannot make libnotmuch exit here. */
  if (_nm_compat_open (path, NOTMUCH_DATABASE_MODE_READ_ONLY, "", NULL, &probe, &message)
      != NOTMUCH_STATUS_SUCCESS)
    {
      g_clear_pointer (&probe, notmuch_database_destroy);
      return NULL;
    }
  /* Without the configuration file, saved and named queries may differ from the ones the
   * query was checked with. */
  if (!_nm_compat_check_query (probe, query_string, syntax, parse_first, NULL))
    {
      notmuch_database_destroy (probe);
      return NULL;
    }
  for (guint i = 0; i < parse_first->len && parsed; i++)
    parsed = _nm_compat_parse_first (probe, g_ptr_array_index (parse_first, i))
             == NOTMUCH_STATUS_SUCCESS;
  if ((!parsed
       || (notmuch_query_create_with_syntax (probe, query_string, syntax, &query)
           == NOTMUCH_STATUS_SUCCESS
           && _nm_compat_query_count_messages (query, syntax, &count) != NOTMUCH_STATUS_SUCCESS))
      && notmuch_database_status_string (probe) != NULL)
    explanation = g_strstrip (g_strdup (notmuch_database_status_string (probe)));
  notmuch_database_destroy (probe);
  return explanation;
}

gboolean
_nm_compat_view_changed (notmuch_database_t  *database,
                         const char         **view_uuid)
{
  const char *uuid = NULL;

  notmuch_database_get_revision (database, &uuid);
  if (uuid == *view_uuid)
    return FALSE;
  *view_uuid = uuid;
  return TRUE;
}

/* Configuration keys (see nm-compat-private.h). */

static gboolean
nm_compat_config_by_name (notmuch_config_key_t key)
{
  return (int) key > (int) NOTMUCH_CONFIG_EXTRA_HEADERS;
}

/* The defaults libnotmuch 0.39 gives the keys it added; NULL for none. */
static const char *
nm_compat_config_default (const char *name)
{
  if (strcmp (name, "search.authors_separator") == 0)
    return ", ";
  if (strcmp (name, "search.authors_matched_separator") == 0)
    return "| ";
  return NULL;
}

char *
_nm_compat_config_get (notmuch_database_t   *database,
                       notmuch_config_key_t  key,
                       const char           *name)
{
  char *value = NULL;
  char *copy;

  if (!nm_compat_config_by_name (key))
    return g_strdup (notmuch_config_get (database, key));
  if (notmuch_database_get_config (database, name, &value) != NOTMUCH_STATUS_SUCCESS)
    value = NULL;
  if (value == NULL || value[0] == '\0')
    copy = g_strdup (nm_compat_config_default (name));
  else
    copy = g_strdup (value);
  free (value);
  return copy;
}

notmuch_config_values_t *
_nm_compat_config_get_values (notmuch_database_t   *database,
                              notmuch_config_key_t  key,
                              const char           *name)
{
  if (!nm_compat_config_by_name (key))
    return notmuch_config_get_values (database, key);
  return notmuch_config_get_values_string (database, name);
}

notmuch_status_t
_nm_compat_config_get_bool (notmuch_database_t   *database,
                            notmuch_config_key_t  key,
                            const char           *name,
                            notmuch_bool_t       *value)
{
  g_autofree char *text = NULL;

  if (!nm_compat_config_by_name (key))
    return notmuch_config_get_bool (database, key, value);
  /* As libnotmuch reads a boolean: unset is false, else "true" or "false" in any case. */
  text = _nm_compat_config_get (database, key, name);
  *value = FALSE;
  if (text == NULL || g_ascii_strcasecmp (text, "false") == 0)
    return NOTMUCH_STATUS_SUCCESS;
  if (g_ascii_strcasecmp (text, "true") == 0)
    {
      *value = TRUE;
      return NOTMUCH_STATUS_SUCCESS;
    }
  return NOTMUCH_STATUS_ILLEGAL_ARGUMENT;
}

notmuch_status_t
_nm_compat_config_set (notmuch_database_t   *database,
                       notmuch_config_key_t  key,
                       const char           *name,
                       const char           *value)
{
  if (!nm_compat_config_by_name (key))
    return notmuch_config_set (database, key, value);
  return notmuch_database_set_config (database, name, value);
}

/* Thread walks of a read-only handle (see nm-compat-private.h). */

void
_nm_compat_commit_stamp_take (notmuch_database_t  *database,
                              gboolean             read_only,
                              NmCompatCommitStamp *stamp)
{
  const char *path;
  char *split;

  _nm_compat_commit_stamp_clear (stamp);
  if (!read_only)
    return;
  /* libnotmuch opens the index in PATH/xapian if it exists, else PATH/.notmuch/xapian. */
  path = notmuch_database_get_path (database);
  split = g_build_filename (path, "xapian", NULL);
  if (g_file_test (split, G_FILE_TEST_IS_DIR))
    stamp->index_dir = split;
  else
    {
      g_free (split);
      stamp->index_dir = g_build_filename (path, ".notmuch", "xapian", NULL);
    }
  if (stat (stamp->index_dir, &stamp->stat) != 0)
    memset (&stamp->stat, 0, sizeof stamp->stat);
}

gboolean
_nm_compat_commit_stamp_moved (const NmCompatCommitStamp *stamp)
{
  struct stat now;

  if (stamp->index_dir == NULL)
    return FALSE;
  if (stat (stamp->index_dir, &now) != 0)
    memset (&now, 0, sizeof now);
  return now.st_ino != stamp->stat.st_ino || now.st_dev != stamp->stat.st_dev
         || now.st_mtim.tv_sec != stamp->stat.st_mtim.tv_sec
         || now.st_mtim.tv_nsec != stamp->stat.st_mtim.tv_nsec
         || now.st_ctim.tv_sec != stamp->stat.st_ctim.tv_sec
         || now.st_ctim.tv_nsec != stamp->stat.st_ctim.tv_nsec;
}

void
_nm_compat_commit_stamp_clear (NmCompatCommitStamp *stamp)
{
  g_clear_pointer (&stamp->index_dir, g_free);
  memset (&stamp->stat, 0, sizeof stamp->stat);
}
