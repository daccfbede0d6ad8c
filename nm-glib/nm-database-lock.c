/* nm-database-lock.c: the database lock, and worker loops that give way to its waiters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-database-private.h"

/* How long a worker loop waits at most for the waiters: a waiter that has the lock by then
 * is not waiting any more, and one that does not is stuck behind another holder. */
#define GIVE_WAY_LONGEST_USEC (50 * G_TIME_SPAN_MILLISECOND)

NmDatabaseLocker *
_nm_database_lock (NmDatabase *self)
{
  if (self == NULL)
    return NULL;
  g_atomic_int_inc (&self->lock_waiters);
  g_rec_mutex_lock (&self->lock);
  /* The loop giving way checks lock_waiters under give_way_lock after it counted itself in
   * giving_way: either it sees this thread's decrement, or this thread sees it giving way
   * and wakes it. */
  if (g_atomic_int_dec_and_test (&self->lock_waiters)
      && g_atomic_int_get (&self->giving_way) > 0)
    {
      g_mutex_lock (&self->give_way_lock);
      g_cond_broadcast (&self->give_way_cond);
      g_mutex_unlock (&self->give_way_lock);
    }
  self->lock_depth++;
  return self;
}

void
_nm_database_unlock (NmDatabaseLocker *self)
{
  gboolean deliver = --self->lock_depth == 0
                     && (self->changed_messages != NULL || self->changed_threads != NULL);

  g_rec_mutex_unlock (&self->lock);
  if (deliver)
    _nm_database_deliver_changes (self);
}

void
_nm_database_give_way (NmDatabase *self)
{
  gint64 deadline;

  if (self == NULL || g_atomic_int_get (&self->lock_waiters) == 0)
    return;
  deadline = g_get_monotonic_time () + GIVE_WAY_LONGEST_USEC;
  g_mutex_lock (&self->give_way_lock);
  g_atomic_int_inc (&self->giving_way);
  while (g_atomic_int_get (&self->lock_waiters) > 0)
    if (!g_cond_wait_until (&self->give_way_cond, &self->give_way_lock, deadline))
      break;
  g_atomic_int_add (&self->giving_way, -1);
  g_mutex_unlock (&self->give_way_lock);
}
