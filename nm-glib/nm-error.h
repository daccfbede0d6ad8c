/* nm-error.h: the notmuch-glib error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(__NOTMUCH_GLIB_INSIDE__) && !defined(NOTMUCH_GLIB_COMPILATION)
#error "Only <notmuch-glib.h> can be included directly."
#endif

#include <glib.h>
#include "notmuch-glib-version.h"

G_BEGIN_DECLS

/**
 * NM_ERROR:
 *
 * The error domain of every error notmuch-glib reports.
 *
 * Since: 0.1
 */
#define NM_ERROR (nm_error_quark ())

/**
 * NmError:
 * @NM_ERROR_OUT_OF_MEMORY: libnotmuch ran out of memory
 * @NM_ERROR_READ_ONLY_DATABASE: a write was attempted on a database opened read-only
 * @NM_ERROR_XAPIAN_EXCEPTION: the Xapian index reported an error, for example a malformed query
 * @NM_ERROR_FILE_ERROR: a file could not be read or does not exist
 * @NM_ERROR_FILE_NOT_EMAIL: the file is not an email message
 * @NM_ERROR_DUPLICATE_MESSAGE_ID: a message with the same id is already indexed
 * @NM_ERROR_NULL_POINTER: a required argument was missing
 * @NM_ERROR_TAG_TOO_LONG: a tag is longer than libnotmuch allows
 * @NM_ERROR_UNBALANCED_FREEZE_THAW: thaw() without a matching freeze()
 * @NM_ERROR_UNBALANCED_ATOMIC: end_atomic() without a matching begin_atomic()
 * @NM_ERROR_UNSUPPORTED_OPERATION: the operation is not supported by this database or build
 * @NM_ERROR_UPGRADE_REQUIRED: the database must be upgraded first
 * @NM_ERROR_PATH_ERROR: a path is malformed, relative where it must be absolute, or outside
 *   the mail root
 * @NM_ERROR_IGNORED: the operation was ignored
 * @NM_ERROR_ILLEGAL_ARGUMENT: an argument is invalid
 * @NM_ERROR_MALFORMED_CRYPTO_PROTOCOL: a MIME part claims a cryptographic protocol that cannot
 *   be understood
 * @NM_ERROR_FAILED_CRYPTO_CONTEXT_CREATION: the cryptographic engine could not be started
 * @NM_ERROR_UNKNOWN_CRYPTO_PROTOCOL: a MIME part uses an unknown cryptographic protocol
 * @NM_ERROR_NO_CONFIG: no configuration file could be loaded
 * @NM_ERROR_NO_DATABASE: no database could be found
 * @NM_ERROR_DATABASE_EXISTS: a database already exists at the path
 * @NM_ERROR_BAD_QUERY_SYNTAX: the query string is malformed
 * @NM_ERROR_NO_MAIL_ROOT: no mail root could be determined
 * @NM_ERROR_CLOSED_DATABASE: the database has been closed, or was never opened
 * @NM_ERROR_OPERATION_INVALIDATED: another process changed the database while results were
 *   read; reopen the database with [method@Notmuch.Database.reopen] and search again
 * @NM_ERROR_LOCKED: the database is locked for writing by another handle
 * @NM_ERROR_INVALID_TAG: a tag is empty, not valid UTF-8, or too long
 *
 * The errors of the %NM_ERROR domain. The codes up to @NM_ERROR_CLOSED_DATABASE have the
 * numeric values of libnotmuch's `notmuch_status_t`; each error's message is libnotmuch's own
 * message for the call that failed where libnotmuch gives one.
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_ERROR >*/
{
  NM_ERROR_OUT_OF_MEMORY = 1,
  NM_ERROR_READ_ONLY_DATABASE = 2,
  NM_ERROR_XAPIAN_EXCEPTION = 3,
  NM_ERROR_FILE_ERROR = 4,
  NM_ERROR_FILE_NOT_EMAIL = 5,
  NM_ERROR_DUPLICATE_MESSAGE_ID = 6,
  NM_ERROR_NULL_POINTER = 7,
  NM_ERROR_TAG_TOO_LONG = 8,
  NM_ERROR_UNBALANCED_FREEZE_THAW = 9,
  NM_ERROR_UNBALANCED_ATOMIC = 10,
  NM_ERROR_UNSUPPORTED_OPERATION = 11,
  NM_ERROR_UPGRADE_REQUIRED = 12,
  NM_ERROR_PATH_ERROR = 13,
  NM_ERROR_IGNORED = 14,
  NM_ERROR_ILLEGAL_ARGUMENT = 15,
  NM_ERROR_MALFORMED_CRYPTO_PROTOCOL = 16,
  NM_ERROR_FAILED_CRYPTO_CONTEXT_CREATION = 17,
  NM_ERROR_UNKNOWN_CRYPTO_PROTOCOL = 18,
  NM_ERROR_NO_CONFIG = 19,
  NM_ERROR_NO_DATABASE = 20,
  NM_ERROR_DATABASE_EXISTS = 21,
  NM_ERROR_BAD_QUERY_SYNTAX = 22,
  NM_ERROR_NO_MAIL_ROOT = 23,
  NM_ERROR_CLOSED_DATABASE = 24,
  NM_ERROR_OPERATION_INVALIDATED = 26,
  NM_ERROR_LOCKED = 100,
  NM_ERROR_INVALID_TAG = 101,
} NmError;

NM_AVAILABLE_IN_0_1
GQuark nm_error_quark (void);

G_END_DECLS
