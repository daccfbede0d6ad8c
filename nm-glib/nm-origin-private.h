/* nm-origin-private.h: where an object's notifications go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The thread an object (or the list it came from) was made on, and that thread's
 * thread-default main context then: signals and notifications of the object are emitted
 * there, never on the worker.  Shared by every item of a list. */
typedef struct _NmOrigin NmOrigin;

/* The calling thread and its thread-default main context. */
NmOrigin *_nm_origin_new_here (void);
NmOrigin *_nm_origin_ref (NmOrigin *self);
void _nm_origin_unref (NmOrigin *self);
GMainContext *_nm_origin_get_context (NmOrigin *self);

/* Emits notify::@pspec of @object at once when the calling thread runs the origin's
 * context, or is the origin's thread and may acquire it; else from an idle source on the
 * context. */
void _nm_origin_notify (NmOrigin *self, GObject *object, GParamSpec *pspec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NmOrigin, _nm_origin_unref)

G_END_DECLS
