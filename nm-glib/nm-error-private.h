/* nm-error-private.h: mapping libnotmuch status codes to NmError
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-error.h"

G_BEGIN_DECLS

NmError _nm_error_code_from_status (notmuch_status_t status);

/* g_set_error() and g_set_error_literal() in the NM_ERROR domain, with the message made
 * valid UTF-8 (invalid bytes become U+FFFD): bindings cannot convert an error whose
 * message is not, and messages include file names, caller's strings and libnotmuch's own
 * text, any of which can hold other bytes. */
void _nm_set_error (GError     **error,
                    NmError      code,
                    const char  *format,
                    ...) G_GNUC_PRINTF (3, 4);
void _nm_set_error_literal (GError     **error,
                            NmError      code,
                            const char  *message);

G_END_DECLS
