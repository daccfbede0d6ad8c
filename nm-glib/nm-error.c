/* nm-error.c: the notmuch-glib error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-error-private.h"

/**
 * nm_error_quark:
 *
 * Gets the quark of the %NM_ERROR domain.
 *
 * Returns: the error domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (nm-error-quark, nm_error)

NmError
_nm_error_code_from_status (notmuch_status_t status)
{
  /* NmError shares libnotmuch's numbering for every failing status up to CLOSED_DATABASE, so
   * a status from a newer libnotmuch is the only thing that needs a decision. */
  if (status > NOTMUCH_STATUS_SUCCESS && status <= NOTMUCH_STATUS_CLOSED_DATABASE)
    return (NmError) status;
  if ((int) status == NM_ERROR_OPERATION_INVALIDATED)
    return NM_ERROR_OPERATION_INVALIDATED;
  return NM_ERROR_XAPIAN_EXCEPTION;
}


void
_nm_set_error (GError     **error,
               NmError      code,
               const char  *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _nm_set_error_literal (error, code, message);
}

void
_nm_set_error_literal (GError     **error,
                       NmError      code,
                       const char  *message)
{
  g_autofree char *valid = NULL;

  if (error == NULL)
    return;
  if (!g_utf8_validate (message, -1, NULL))
    message = valid = g_utf8_make_valid (message, -1);
  g_set_error_literal (error, NM_ERROR, code, message);
}
