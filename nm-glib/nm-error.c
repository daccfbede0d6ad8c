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

