/* nm-database-maintenance.c: upgrading and compacting a database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"
#include "nm-compat-private.h"
#include "nm-error-private.h"
#include "nm-write-lock-private.h"

/**
 * nm_database_needs_upgrade:
 * @self: a database
 *
 * Checks whether the database is in an older format that an upgrade would improve.  Only
 * databases open for writing can need an upgrade.
 *
 * Returns: %TRUE if the database should be upgraded
 *
 * Since: 0.1
 */
gboolean
nm_database_needs_upgrade (NmDatabase *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_is_open (self))
    return FALSE;
  return notmuch_database_needs_upgrade (self->native);
}

/* Adapts libnotmuch's upgrade progress callback, which takes its data first. */
typedef struct
{
  NmUpgradeProgressFunc func;
  gpointer user_data;
} NmUpgradeProgress;

static void
nm_database_report_upgrade (void *closure, double progress)
{
  NmUpgradeProgress *report = closure;

  report->func (progress, report->user_data);
}

/**
 * nm_database_upgrade:
 * @self: a database open for writing
 * @progress: (scope call) (nullable) (closure user_data): called with the fraction done
 * @user_data: data for @progress
 * @error: return location for an error
 *
 * Upgrades the database to the newest format libnotmuch supports, if
 * [method@Notmuch.Database.needs_upgrade] says so.  A database that needs no upgrade is
 * left alone.
 *
 * libnotmuch calls @progress about once a second, in the middle of rewriting the index,
 * while this call holds the database's lock.  Every call on this database (or on an object
 * obtained from it) that @progress makes therefore fails with %NM_ERROR_ILLEGAL_ARGUMENT
 * or returns an empty value, and calls from other threads wait until the upgrade is done:
 * @progress must not wait for them.  Other databases, including another handle of the
 * same path, can be used from @progress.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_database_upgrade (NmDatabase             *self,
                     NmUpgradeProgressFunc   progress,
                     gpointer                user_data,
                     GError                **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  NmUpgradeProgress report = { progress, user_data };
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_open (self, error))
    return FALSE;
  if (!_nm_database_check_writable (self, "upgrade", error))
    return FALSE;
  self->maintenance = "upgrade";
  status = _nm_compat_upgrade (self->native,
                               progress != NULL ? nm_database_report_upgrade : NULL, &report);
  self->maintenance = NULL;
  _nm_database_note_write (self);
  return _nm_database_check_status (self, status, error, "Cannot upgrade the database at %s",
                                    self->path);
}

/* Forwards libnotmuch's compaction messages and keeps the last one, which names the error
 * when compaction fails. */
typedef struct
{
  NmCompactProgressFunc func;
  gpointer user_data;
  char *last_message;
} NmCompactProgress;

static void
nm_database_report_compaction (const char *message, void *closure)
{
  NmCompactProgress *report = closure;

  g_free (report->last_message);
  report->last_message = g_strdup (message);
  if (report->func != NULL)
    report->func (message, report->user_data);
}

/**
 * nm_database_compact:
 * @self: a database
 * @backup_path: (type filename) (nullable): where to keep the uncompacted index, on the
 *   same file system; %NULL to delete it
 * @progress: (scope call) (nullable) (closure user_data): called with progress messages
 * @user_data: data for @progress
 * @error: return location for an error
 *
 * Rewrites the index compactly.  Pending changes are committed first.  Compaction needs the
 * write lock: it fails with %NM_ERROR_LOCKED when another process holds it (after
 * [property@Notmuch.Database:lock-timeout]).  Results read before must be searched again.
 *
 * @progress runs while this call holds the database's lock: as for
 * [method@Notmuch.Database.upgrade], every call it makes on this database fails with
 * %NM_ERROR_ILLEGAL_ARGUMENT or returns an empty value, calls from other threads wait
 * until compaction is done, and other databases can be used.  Opening the same path for
 * writing fails with %NM_ERROR_LOCKED meanwhile.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
/* Compacts through libnotmuch's own handle, which takes the write lock: this handle must
 * not hold it meanwhile.  Requires the lock. */
static gboolean
nm_database_compact_with_own_handle (NmDatabase         *self,
                                     const char         *backup_path,
                                     NmCompactProgress  *report,
                                     GError            **error)
{
  notmuch_status_t status;

  if (!_nm_write_lock_wait (self->path, self->lock_timeout, error))
    return FALSE;
  /* Outside the compatibility layer's open lock: the compacting handle writes no document,
   * so the flush threshold does not matter to it, and the progress callback may open or
   * commit other databases itself. */
  self->maintenance = "compact";
  status = notmuch_database_compact (self->path, backup_path, nm_database_report_compaction,
                                     report);
  self->maintenance = NULL;
  if (status == NOTMUCH_STATUS_SUCCESS)
    return TRUE;
  _nm_set_error (error, _nm_error_code_from_status (status),
                 "Cannot compact the database at %s: %s", self->path,
                 report->last_message != NULL ? g_strstrip (report->last_message)
                                              : notmuch_status_to_string (status));
  return FALSE;
}

gboolean
nm_database_compact (NmDatabase             *self,
                     const char             *backup_path,
                     NmCompactProgressFunc   progress,
                     gpointer                user_data,
                     GError                **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  NmCompactProgress report = { progress, user_data, NULL };
  char *claim = NULL;
  notmuch_status_t status;
  gboolean compacted;

  g_return_val_if_fail (NM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = _nm_database_lock (self);
  if (!_nm_database_check_reopenable (self, "compact", error))
    return FALSE;
  /* No other handle of this process may take the write lock meanwhile. */
  if (self->write_lock_key == NULL
      && !_nm_write_lock_claim (self->path, self, &claim, error))
    return FALSE;

  /* Reopening read-only commits and releases Xapian's write lock. */
  status = _nm_compat_reopen (self->native, NOTMUCH_DATABASE_MODE_READ_ONLY);
  _nm_database_start_generation (self);
  if (!_nm_database_check_status (self, status, error, "Cannot compact the database at %s",
                                  self->path))
    {
      _nm_write_lock_release (&claim);
      return FALSE;
    }
  compacted = nm_database_compact_with_own_handle (self, backup_path, &report, error);
  g_free (report.last_message);
  status = _nm_compat_reopen (self->native, (notmuch_database_mode_t) self->mode);
  _nm_database_start_generation (self);
  _nm_write_lock_release (&claim);
  if (!compacted)
    return FALSE;
  return _nm_database_check_status (self, status, error, "Cannot reopen the database at %s",
                                    self->path);
}
