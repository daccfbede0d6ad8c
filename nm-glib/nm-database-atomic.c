/* nm-database-atomic.c: committing and atomic sections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-error-private.h"

/* Commits what is pending: libnotmuch has no call for it, but the end of an outermost atomic
 * section can be made to commit (see _nm_compat_end_outermost_atomic()).  Requires the
 * lock. */
static notmuch_status_t
nm_database_commit_pending (NmDatabase *self)
{
  notmuch_status_t status = notmuch_database_begin_atomic (self->native);

  if (status != NOTMUCH_STATUS_SUCCESS)
    return status;
  status = _nm_compat_end_outermost_atomic (self->native);
  self->own_revision = notmuch_database_get_revision (self->native, NULL);
  return status;
}

/**
 * nm_database_commit:
 * @self: a database
 * @error: return location for an error
 *
 * Makes every change made so far durable, so that it survives even if the process is
 * killed, and visible to other processes that reopen the database.  Does nothing on a
 * read-only database.  Inside an atomic section it fails with %NM_ERROR_ILLEGAL_ARGUMENT:
 * the outermost [method@Notmuch.Database.end_atomic] commits instead.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_commit (NmDatabase  *self,
                    GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->mode != NM_DATABASE_MODE_READ_WRITE)
    return TRUE;
  if (self->atomic_depth > 0)
    {
      _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT,
                             "Cannot commit inside an atomic section: end it instead");
      return FALSE;
    }
  return _nm_database_check_status (self, nm_database_commit_pending (self), error,
                                    "Cannot commit the database at %s", self->path);
}

gboolean
_nm_database_begin_atomic_locked (NmDatabase  *self,
                                  GError     **error)
{
  notmuch_status_t status = NOTMUCH_STATUS_SUCCESS;

  if (!_nm_database_check_open (self, error))
    return FALSE;
  /* Xapian cancels an unfinished transaction by dropping every uncommitted change, including
   * those made before the transaction began. */
  if (self->atomic_depth == 0 && self->mode == NM_DATABASE_MODE_READ_WRITE)
    status = nm_database_commit_pending (self);
  if (status == NOTMUCH_STATUS_SUCCESS)
    status = notmuch_database_begin_atomic (self->native);
  if (!_nm_database_check_status (self, status, error, "Cannot begin an atomic section"))
    return FALSE;
  self->atomic_depth++;
  return TRUE;
}

/**
 * nm_database_begin_atomic:
 * @self: a database open for writing
 * @error: return location for an error
 *
 * Starts an atomic section: the changes made until the matching
 * [method@Notmuch.Database.end_atomic] become visible and durable together when the
 * outermost section ends, or not at all.  Sections nest.
 *
 * Changes made before the outermost section begins are committed first, so that closing
 * the database inside an unfinished section discards that section's changes and only those.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_begin_atomic (NmDatabase  *self,
                          GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  return _nm_database_begin_atomic_locked (self, error);
}

gboolean
_nm_database_end_atomic_locked (NmDatabase  *self,
                                GError     **error)
{
  notmuch_status_t status;

  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (self->atomic_depth == 1 && self->mode == NM_DATABASE_MODE_READ_WRITE)
    {
      status = _nm_compat_end_outermost_atomic (self->native);
      self->own_revision = notmuch_database_get_revision (self->native, NULL);
    }
  else
    {
      status = notmuch_database_end_atomic (self->native);
    }
  if (!_nm_database_check_status (self, status, error, "Cannot end the atomic section"))
    return FALSE;
  self->atomic_depth--;
  return TRUE;
}

/**
 * nm_database_end_atomic:
 * @self: a database open for writing
 * @error: return location for an error
 *
 * Ends the innermost atomic section started with [method@Notmuch.Database.begin_atomic].
 * Ending the outermost section commits its changes.
 *
 * Returns: %TRUE on success; %NM_ERROR_UNBALANCED_ATOMIC if no section is open
 *
 * Since: 0.1
 */
gboolean
nm_database_end_atomic (NmDatabase  *self,
                        GError     **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  return _nm_database_end_atomic_locked (self, error);
}
