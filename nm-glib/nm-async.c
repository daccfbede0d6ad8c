/* nm-async.c: running a blocking call of the API as an asynchronous one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-async-private.h"
#include "nm-database-private.h"

NmCall *
_nm_call_new (NmCallFunc func)
{
  NmCall *call = g_new0 (NmCall, 1);

  call->func = func;
  call->origin = _nm_origin_new_here ();
  return call;
}

NmCall *
_nm_call_new_full (NmCallFunc  func,
                   const char *string,
                   guint       number)
{
  NmCall *call = _nm_call_new (func);

  call->string = g_strdup (string);
  call->number = number;
  return call;
}

static void
nm_call_free (NmCall *call)
{
  g_free (call->string);
  g_free (call->other_string);
  g_strfreev (call->add);
  g_strfreev (call->remove);
  g_clear_object (&call->object);
  if (call->data_free != NULL)
    g_clear_pointer (&call->data, call->data_free);
  g_clear_pointer (&call->origin, _nm_origin_unref);
  if (call->value_free != NULL)
    g_clear_pointer (&call->value, call->value_free);
  g_free (call);
}

static void
nm_call_run (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  NmCall *call = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (call->func (source, call, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
_nm_call_start (NmCall              *call,
                NmDatabase          *database,
                gpointer             source,
                gpointer             source_tag,
                NmCallKind           kind,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (source, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) nm_call_free);
  /* A write that ran reports what it did: the caller must learn that the disk changed. */
  if (kind == NM_CALL_WRITES)
    g_task_set_check_cancellable (task, FALSE);
  /* A method of an object made without a database fails there, as its blocking call. */
  if (source != NULL)
    _nm_database_run_in_worker (database, task, nm_call_run);
  else
    g_task_run_in_thread (task, nm_call_run);
}

NmCall *
_nm_call_finish (GAsyncResult  *result,
                 gpointer       source,
                 gpointer       source_tag,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

void
_nm_call_set_value (NmCall         *call,
                    gpointer        value,
                    GDestroyNotify  value_free)
{
  call->value = value;
  call->value_free = value_free;
}

gpointer
_nm_call_take_value (NmCall *call)
{
  call->value_free = NULL;
  return g_steal_pointer (&call->value);
}

gpointer
_nm_call_finish_value (GAsyncResult  *result,
                       gpointer       source,
                       gpointer       source_tag,
                       GError       **error)
{
  NmCall *call = _nm_call_finish (result, source, source_tag, error);

  return call != NULL ? _nm_call_take_value (call) : NULL;
}
