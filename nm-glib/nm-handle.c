/* nm-handle.c: a reference-counted owner of one libnotmuch object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-handle-private.h"
#include "nm-database-private.h"

struct _NmHandle
{
  NmDatabase *database;
  gpointer native;
  GDestroyNotify native_free;
  gpointer owner;
  GDestroyNotify owner_release;
};

NmHandle *
_nm_handle_new (NmDatabase     *database,
                gpointer        native,
                GDestroyNotify  native_free,
                gpointer        owner,
                GDestroyNotify  owner_release)
{
  NmHandle *self = g_atomic_rc_box_new0 (NmHandle);

  self->database = g_object_ref (database);
  self->native = native;
  self->native_free = native_free;
  self->owner = owner;
  self->owner_release = owner_release;
  return self;
}

NmHandle *
_nm_handle_ref (NmHandle *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
nm_handle_clear (NmHandle *self)
{
  /* talloc is not thread-safe: freeing a child edits its parent, so it happens under the
   * database lock.  The native object goes first, then whatever owns its memory. */
  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    g_clear_pointer (&self->native, self->native_free);
  }
  if (self->owner != NULL)
    self->owner_release (self->owner);
  g_clear_object (&self->database);
}

void
_nm_handle_unref (NmHandle *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) nm_handle_clear);
}

gpointer
_nm_handle_get_native (NmHandle *self)
{
  return self->native;
}
