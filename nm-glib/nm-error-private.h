/* nm-error-private.h: mapping libnotmuch status codes to NmError
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-error.h"

G_BEGIN_DECLS

NmError _nm_error_code_from_status (notmuch_status_t status);

G_END_DECLS
