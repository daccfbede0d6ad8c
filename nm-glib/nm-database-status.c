/* nm-database-status.c: libnotmuch's status codes and messages as GErrors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-error-private.h"

void
_nm_database_remember_status_string (NmDatabase *self)
{
  g_free (self->last_status_string);
  self->last_status_string = g_strdup (notmuch_database_status_string (self->native));
}

/* What libnotmuch logged since the last message this handle reported, or NULL.  It appends
 * some messages to the previous one instead of replacing it.  Requires the lock. */
static const char *
nm_database_fresh_status_string (NmDatabase *self)
{
  const char *status_string;

  if (self->native == NULL)
    return NULL;
  status_string = notmuch_database_status_string (self->native);
  if (status_string == NULL || g_strcmp0 (status_string, self->last_status_string) == 0)
    return NULL;
  if (self->last_status_string != NULL && g_str_has_prefix (status_string, self->last_status_string))
    return status_string + strlen (self->last_status_string);
  return status_string;
}

/* Makes libnotmuch's status string a text of this library's own, so that
 * _nm_database_logged_since_mark() can tell whether the next call logged anything even when
 * it logs the same text as an earlier failure.  Requires the lock. */
void
_nm_database_mark_status (NmDatabase *self)
{
  char *mark;

  if (self->native == NULL)
    return;
  mark = _nm_compat_mark_status_string (self->native, self->status_mark);
  if (mark == NULL)
    return;
  g_free (self->status_mark);
  self->status_mark = mark;
  /* The mark is not an error of the caller's. */
  _nm_database_remember_status_string (self);
}

/* Whether libnotmuch logged something since _nm_database_mark_status().  Requires the lock. */
gboolean
_nm_database_logged_since_mark (NmDatabase *self)
{
  if (self->native == NULL)
    return FALSE;
  return g_strcmp0 (notmuch_database_status_string (self->native), self->status_mark) != 0;
}

static gboolean
nm_database_check_status_va (NmDatabase        *self,
                             notmuch_status_t   status,
                             GError           **error,
                             const char        *format,
                             va_list            args) G_GNUC_PRINTF (4, 0);

static gboolean
nm_database_check_status_va (NmDatabase        *self,
                             notmuch_status_t   status,
                             GError           **error,
                             const char        *format,
                             va_list            args)
{
  const char *status_string;
  g_autofree char *context = NULL;

  if (status == NOTMUCH_STATUS_SUCCESS)
    return TRUE;
  if (status == NM_COMPAT_STATUS_INVALIDATED)
    {
      _nm_set_error_literal (error, NM_ERROR_OPERATION_INVALIDATED,
                             "The database was changed by another process while it was read; "
                             "reopen it and try again");
      return FALSE;
    }

  status_string = nm_database_fresh_status_string (self);
  if (status_string != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (status_string));

      _nm_database_remember_status_string (self);
      if (text[0] != '\0')
        {
          _nm_set_error_literal (error, _nm_error_code_from_status (status), text);
          return FALSE;
        }
    }

  context = g_strdup_vprintf (format, args);
  _nm_set_error (error, _nm_error_code_from_status (status), "%s: %s", context,
                 notmuch_status_to_string (status));
  return FALSE;
}

gboolean
_nm_database_check_status (NmDatabase        *self,
                           notmuch_status_t   status,
                           GError           **error,
                           const char        *format,
                           ...)
{
  va_list args;
  gboolean ok;

  va_start (args, format);
  ok = nm_database_check_status_va (self, status, error, format, args);
  va_end (args);
  return ok;
}

gboolean
_nm_database_check_query_status (NmDatabase        *self,
                                 notmuch_status_t   status,
                                 const char        *query_string,
                                 NmQuerySyntax      syntax,
                                 GError           **error,
                                 const char        *format,
                                 ...)
{
  va_list args;
  gboolean ok;

  if ((status == NOTMUCH_STATUS_XAPIAN_EXCEPTION || status == NOTMUCH_STATUS_BAD_QUERY_SYNTAX)
      && self->native != NULL && nm_database_fresh_status_string (self) == NULL)
    {
      g_autofree char *explanation =
        _nm_compat_explain_query_failure (self->path, query_string,
                                          (notmuch_query_syntax_t) syntax);

      if (explanation != NULL)
        {
          _nm_set_error_literal (error, _nm_error_code_from_status (status),
                                 explanation);
          return FALSE;
        }
    }

  va_start (args, format);
  ok = nm_database_check_status_va (self, status, error, format, args);
  va_end (args);
  return ok;
}

gboolean
_nm_database_check_query (NmDatabase     *self,
                          const char     *query_string,
                          NmQuerySyntax   syntax,
                          GError        **error)
{
  g_autoptr (GPtrArray) parse_first = g_ptr_array_new_with_free_func (g_free);

  if (!_nm_compat_check_query (self->native, query_string, (notmuch_query_syntax_t) syntax,
                               parse_first, error))
    return FALSE;
  for (guint i = 0; i < parse_first->len; i++)
    {
      const char *text = g_ptr_array_index (parse_first, i);

      if (!_nm_database_check_query_status (self, _nm_compat_parse_first (self->native, text),
                                            text, NM_QUERY_SYNTAX_XAPIAN, error,
                                            "Cannot parse the query “%s”", text))
        return FALSE;
    }
  return TRUE;
}
