/* nm-write-lock.c: the write locks this process holds, and waiting for others'
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "nm-write-lock-private.h"
#include "nm-database-private.h"

/* Xapian's write lock is per open file description, so a second read-write open of the same
 * database in this process would wait for itself forever.  Paths held for writing by a handle
 * of this process are kept here, with the handle, and refused at once. */
G_LOCK_DEFINE_STATIC (write_locks);
static GHashTable *write_locks;

static char *
nm_write_lock_key (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *key = g_strdup (resolved != NULL ? resolved : path);

  free (resolved);
  return key;
}

/* A writable database that the program never releases (kept in a reference cycle a garbage
 * collector cannot see through, or simply alive at exit) would lose its pending changes:
 * at exit, every writable handle is closed, which commits. */
static void
nm_write_lock_close_all_at_exit (void)
{
  GHashTableIter iter;
  gpointer holder;

  G_LOCK (write_locks);
  g_hash_table_iter_init (&iter, write_locks);
  while (g_hash_table_iter_next (&iter, NULL, &holder))
    _nm_database_close_at_exit (holder);
  G_UNLOCK (write_locks);
}

gboolean
_nm_write_lock_claim (const char  *path,
                      NmDatabase  *holder,
                      char       **key,
                      GError     **error)
{
  g_autofree char *new_key = nm_write_lock_key (path);

  G_LOCK (write_locks);
  if (write_locks == NULL)
    {
      write_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      atexit (nm_write_lock_close_all_at_exit);
    }
  if (g_hash_table_contains (write_locks, new_key))
    {
      G_UNLOCK (write_locks);
      g_set_error (error, NM_ERROR, NM_ERROR_LOCKED,
                   "The database at %s is already open for writing in this process", path);
      return FALSE;
    }
  g_hash_table_insert (write_locks, g_strdup (new_key), holder);
  G_UNLOCK (write_locks);
  *key = g_steal_pointer (&new_key);
  return TRUE;
}

void
_nm_write_lock_release (char **key)
{
  if (*key == NULL)
    return;
  G_LOCK (write_locks);
  g_hash_table_remove (write_locks, *key);
  G_UNLOCK (write_locks);
  g_clear_pointer (key, g_free);
}

static gboolean
nm_write_lock_is_held_elsewhere (int fd)
{
  /* F_OFD_GETLK reports a conflicting lock of another process (OFD or classic) without
   * taking anything, so there is no window in which this process holds the lock itself. */
  struct flock probe = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  if (fcntl (fd, F_OFD_GETLK, &probe) < 0)
    return FALSE;
  return probe.l_type != F_UNLCK;
}

/* libnotmuch waits for another process's write lock without a time limit: the waiting
 * happens here instead, bounded. */
gboolean
_nm_write_lock_wait (const char  *path,
                     guint        timeout_ms,
                     GError     **error)
{
  const char *const layouts[] = { ".notmuch/xapian/flintlock", "xapian/flintlock" };
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  int fd = -1;

  for (gsize i = 0; i < G_N_ELEMENTS (layouts) && fd < 0; i++)
    {
      g_autofree char *lock_path = g_build_filename (path, layouts[i], NULL);

      fd = open (lock_path, O_RDONLY | O_CLOEXEC);
    }
  if (fd < 0)
    return TRUE;   /* no lock file: nobody holds the lock, or libnotmuch reports the error */

  while (nm_write_lock_is_held_elsewhere (fd))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          close (fd);
          g_set_error (error, NM_ERROR, NM_ERROR_LOCKED,
                       "The database at %s is locked for writing by another process", path);
          return FALSE;
        }
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  close (fd);
  return TRUE;
}
