/* nm-origin.c: where an object's notifications go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-origin-private.h"

struct _NmOrigin
{
  GMainContext *context;
  GThread *thread;
};

static void
nm_origin_clear (NmOrigin *self)
{
  g_main_context_unref (self->context);
  g_thread_unref (self->thread);
}

NmOrigin *
_nm_origin_new_here (void)
{
  NmOrigin *self = g_atomic_rc_box_new0 (NmOrigin);

  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_ref (g_thread_self ());
  return self;
}

NmOrigin *
_nm_origin_ref (NmOrigin *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
_nm_origin_unref (NmOrigin *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) nm_origin_clear);
}

GMainContext *
_nm_origin_get_context (NmOrigin *self)
{
  return self->context;
}

typedef struct
{
  GObject *object;
  GParamSpec *pspec;
} NmNotification;

static gboolean
nm_notification_emit (gpointer data)
{
  NmNotification *notification = data;

  g_object_notify_by_pspec (notification->object, notification->pspec);
  return G_SOURCE_REMOVE;
}

static void
nm_notification_free (gpointer data)
{
  NmNotification *notification = data;

  g_object_unref (notification->object);
  g_free (notification);
}

void
_nm_origin_notify (NmOrigin   *self,
                   GObject    *object,
                   GParamSpec *pspec)
{
  g_autoptr (GSource) source = NULL;
  NmNotification *notification;

  if (g_main_context_is_owner (self->context))
    {
      g_object_notify_by_pspec (object, pspec);
      return;
    }
  /* A program that runs no main loop still gets its notifications at once, on its own
   * thread; any other thread, the worker included, leaves them to the context. */
  if (g_thread_self () == self->thread && g_main_context_acquire (self->context))
    {
      g_object_notify_by_pspec (object, pspec);
      g_main_context_release (self->context);
      return;
    }
  notification = g_new0 (NmNotification, 1);
  notification->object = g_object_ref (object);
  notification->pspec = pspec;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, nm_notification_emit, notification, nm_notification_free);
  g_source_set_static_name (source, "[notmuch-glib] notify");
  g_source_attach (source, self->context);
}
