/* nm-async-private.h: running a blocking call of the API as an asynchronous one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "nm-types.h"
#include "nm-origin-private.h"

G_BEGIN_DECLS

/* One _async/_finish twin in flight.  Its blocking call runs in a worker thread: the
 * database's own worker for calls on a database or on anything derived from it (they run
 * there one after another), a thread of GLib's pool for the constructors, which have no
 * database yet.  The callback runs on the thread-default main context of the _async
 * call. */
typedef struct _NmCall NmCall;

/* Runs the blocking call for @source (the object the twin was called on, or NULL) with the
 * arguments of @call, and stores its result in @call; returns FALSE with @error set on
 * failure. */
typedef gboolean (*NmCallFunc) (gpointer       source,
                                NmCall        *call,
                                GCancellable  *cancellable,
                                GError       **error);

typedef enum
{
  /* Only reads: cancelled before the callback, the call reports G_IO_ERROR_CANCELLED and
   * its result is dropped. */
  NM_CALL_READS,
  /* May change the disk: cancelled before it starts, the call changes nothing; once
   * started it runs to its end and reports what it did, cancelled or not. */
  NM_CALL_WRITES,
} NmCallKind;

struct _NmCall
{
  NmCallFunc func;

  /* The arguments, copied. */
  char *string;
  char *other_string;
  /* Tags to add and to remove, where a call takes them. */
  GStrv add;
  GStrv remove;
  guint number;
  GObject *object;
  gpointer data;
  GDestroyNotify data_free;
  /* Where the objects the call makes emit their notifications: where it was called. */
  NmOrigin *origin;

  /* The result. */
  gpointer value;
  GDestroyNotify value_free;
  guint64 count;
};

NmCall *_nm_call_new (NmCallFunc func);
/* A call with the two arguments most calls take: @string (copied) and @number. */
NmCall *_nm_call_new_full (NmCallFunc func, const char *string, guint number);

/* Queues @call (which the task then owns) on @database's worker for a method of @source,
 * or on GLib's thread pool for a constructor (@source NULL). */
void _nm_call_start (NmCall              *call,
                     NmDatabase          *database,
                     gpointer             source,
                     gpointer             source_tag,
                     NmCallKind           kind,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data);

/* The call of @result, or NULL with @error set if it failed; the call stays owned by the
 * task. */
NmCall *_nm_call_finish (GAsyncResult  *result,
                         gpointer       source,
                         gpointer       source_tag,
                         GError       **error);

/* Sets the result value, freed with @value_free unless _nm_call_finish_value() takes it. */
void _nm_call_set_value (NmCall *call, gpointer value, GDestroyNotify value_free);

/* Takes the result value (which the caller then owns). */
gpointer _nm_call_take_value (NmCall *call);

/* The result value of the call of @result (which the caller then owns), or NULL with
 * @error set if it failed. */
gpointer _nm_call_finish_value (GAsyncResult  *result,
                                gpointer       source,
                                gpointer       source_tag,
                                GError       **error);

G_END_DECLS
