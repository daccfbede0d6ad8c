/* nm-compat.c: every workaround of libnotmuch's behaviour, in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nm-compat-private.h"
#include "nm-error.h"

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
  return status;
}

notmuch_status_t
_nm_compat_create (const char          *path,
                   const char          *config_path,
                   const char          *profile,
                   notmuch_database_t **database,
                   char               **message)
{
  notmuch_status_t status;

  G_LOCK (flush_threshold);
  status = notmuch_database_create_with_config (path, config_path, profile, database,
                                                message);
  G_UNLOCK (flush_threshold);
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
  g_set_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT,
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
  autocommit = g_key_file_get_string (key_file, "database", "autocommit", NULL);
  if (autocommit == NULL
      || _nm_compat_check_config_value ("database.autocommit", g_strstrip (autocommit),
                                        &local_error))
    return TRUE;
  g_set_error (error, NM_ERROR, NM_ERROR_ILLEGAL_ARGUMENT, "%s: %s", file,
               local_error->message);
  return FALSE;
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
    notmuch_query_count_messages (query, &count);
  g_clear_pointer (&query, notmuch_query_destroy);
  return g_strdup (notmuch_database_status_string (database));
}

char *
_nm_compat_explain_query_failure (const char             *path,
                                  const char             *query_string,
                                  notmuch_query_syntax_t  syntax)
{
  g_autofree char *message = NULL;
  notmuch_database_t *probe = NULL;
  notmuch_query_t *query = NULL;
  unsigned int count;
  char *explanation = NULL;

  /* No configuration file: the query is parsed the same way (named queries and custom
   * headers are stored in the database), and a file changed since the database was opened
   * cannot make libnotmuch exit here. */
  if (_nm_compat_open (path, NOTMUCH_DATABASE_MODE_READ_ONLY, "", NULL, &probe, &message)
      != NOTMUCH_STATUS_SUCCESS)
    {
      g_clear_pointer (&probe, notmuch_database_destroy);
      return NULL;
    }
  if (notmuch_query_create_with_syntax (probe, query_string, syntax, &query)
      == NOTMUCH_STATUS_SUCCESS
      && notmuch_query_count_messages (query, &count) != NOTMUCH_STATUS_SUCCESS
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
