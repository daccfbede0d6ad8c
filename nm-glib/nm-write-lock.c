/* nm-write-lock.c: the write locks this process holds, and waiting for others'
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "nm-write-lock-private.h"
#include "nm-error-private.h"
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
      _nm_set_error (error, NM_ERROR_LOCKED,
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

char *
_nm_write_lock_find_index (const char *path)
{
  const char *const layouts[] = { ".notmuch/xapian", "xapian" };

  for (gsize i = 0; i < G_N_ELEMENTS (layouts); i++)
    {
      g_autofree char *index = g_build_filename (path, layouts[i], NULL);

      if (g_file_test (index, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&index);
    }
  return NULL;
}

/* libnotmuch waits for another process's write lock without a time limit: the waiting
 * happens here instead, bounded. */
gboolean
_nm_write_lock_wait (const char  *path,
                     guint        timeout_ms,
                     GError     **error)
{
  g_autofree char *index = _nm_write_lock_find_index (path);
  g_autofree char *lock_path = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  int fd;

  if (index == NULL)
    return TRUE;   /* no index: libnotmuch reports the error */
  lock_path = g_build_filename (index, "flintlock", NULL);
  fd = open (lock_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return TRUE;   /* no lock file: nobody holds the lock */

  while (nm_write_lock_is_held_elsewhere (fd))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          close (fd);
          _nm_set_error (error, NM_ERROR_LOCKED,
                         "The database at %s is locked for writing by another process", path);
          return FALSE;
        }
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  close (fd);
  return TRUE;
}
