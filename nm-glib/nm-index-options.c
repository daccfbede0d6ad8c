/* nm-index-options.c: options for indexing mail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nm-index-options-private.h"
#include "nm-database-private.h"
#include "nm-enum-types.h"
#include "nm-error-private.h"

/**
 * NmIndexOptions:
 *
 * How [method@Notmuch.Database.index_file] and [method@Notmuch.Message.reindex] index a
 * message.  Get one from [method@Notmuch.Database.get_default_index_options], which
 * initializes it from the database's configuration.  Options constructed directly
 * (`Notmuch.IndexOptions()` in Python) belong to no database: they read the default
 * %NM_DECRYPT_POLICY_AUTO, fail to change with %NM_ERROR_CLOSED_DATABASE, and indexing
 * refuses them with %NM_ERROR_ILLEGAL_ARGUMENT.
 *
 * Since: 0.1
 */
struct _NmIndexOptions
{
  GObject parent_instance;

  NmDatabase *database;
  notmuch_indexopts_t *native;
};

G_DEFINE_FINAL_TYPE (NmIndexOptions, nm_index_options, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DECRYPT_POLICY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define NM_INDEX_OPTIONS_NONE_MESSAGE \
  "These index options belong to no database: get them from " \
  "Notmuch.Database.get_default_index_options()"

static void
nm_index_options_finalize (GObject *object)
{
  NmIndexOptions *self = NM_INDEX_OPTIONS (object);

  {
    g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (self->database);

    g_clear_pointer (&self->native, notmuch_indexopts_destroy);
  }
  g_clear_object (&self->database);

  G_OBJECT_CLASS (nm_index_options_parent_class)->finalize (object);
}

static void
nm_index_options_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NmIndexOptions *self = NM_INDEX_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_DECRYPT_POLICY:
      g_value_set_enum (value, nm_index_options_get_decrypt_policy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_index_options_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NmIndexOptions *self = NM_INDEX_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_DECRYPT_POLICY:
      nm_index_options_set_decrypt_policy (self, g_value_get_enum (value), NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nm_index_options_class_init (NmIndexOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nm_index_options_finalize;
  object_class->get_property = nm_index_options_get_property;
  object_class->set_property = nm_index_options_set_property;

  /**
   * NmIndexOptions:decrypt-policy: (getter get_decrypt_policy) (setter set_decrypt_policy)
   *
   * Whether indexing decrypts encrypted messages.
   *
   * Since: 0.1
   */
  properties[PROP_DECRYPT_POLICY] =
    g_param_spec_enum ("decrypt-policy", NULL, NULL, NM_TYPE_DECRYPT_POLICY,
                       NM_DECRYPT_POLICY_AUTO,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nm_index_options_init (NmIndexOptions *self)
{
}

NmIndexOptions *
_nm_index_options_new (NmDatabase          *database,
                       notmuch_indexopts_t *native)
{
  NmIndexOptions *self = g_object_new (NM_TYPE_INDEX_OPTIONS, NULL);

  self->database = g_object_ref (database);
  self->native = native;
  return self;
}

notmuch_indexopts_t *
_nm_index_options_get_native (NmIndexOptions *self)
{
  return self->native;
}

gboolean
_nm_index_options_check_usable (NmIndexOptions  *options,
                                GError         **error)
{
  if (options == NULL || options->native != NULL)
    return TRUE;
  _nm_set_error_literal (error, NM_ERROR_ILLEGAL_ARGUMENT, NM_INDEX_OPTIONS_NONE_MESSAGE);
  return FALSE;
}

/* Requires the lock: the native options belong to the database's handle. */
static NmDecryptPolicy
nm_index_options_get_decrypt_policy_locked (NmIndexOptions *self)
{
  return (NmDecryptPolicy) notmuch_indexopts_get_decrypt_policy (self->native);
}

/**
 * nm_index_options_get_decrypt_policy: (get-property decrypt-policy)
 * @self: index options
 *
 * Gets whether indexing decrypts encrypted messages.
 *
 * Returns: the decryption policy
 *
 * Since: 0.1
 */
NmDecryptPolicy
nm_index_options_get_decrypt_policy (NmIndexOptions *self)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;

  g_return_val_if_fail (NM_IS_INDEX_OPTIONS (self), NM_DECRYPT_POLICY_AUTO);

  if (self->native == NULL)
    return NM_DECRYPT_POLICY_AUTO;
  locker = _nm_database_lock (self->database);
  return nm_index_options_get_decrypt_policy_locked (self);
}

/**
 * nm_index_options_set_decrypt_policy: (set-property decrypt-policy)
 * @self: index options
 * @policy: the decryption policy
 * @error: return location for an error
 *
 * Sets whether indexing decrypts encrypted messages.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
nm_index_options_set_decrypt_policy (NmIndexOptions   *self,
                                     NmDecryptPolicy   policy,
                                     GError          **error)
{
  g_autoptr (NmDatabaseLocker) locker = NULL;
  notmuch_status_t status;

  g_return_val_if_fail (NM_IS_INDEX_OPTIONS (self), FALSE);
  g_return_val_if_fail (policy <= NM_DECRYPT_POLICY_NOSTASH, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->native == NULL)
    {
      _nm_set_error_literal (error, NM_ERROR_CLOSED_DATABASE, NM_INDEX_OPTIONS_NONE_MESSAGE);
      return FALSE;
    }
  locker = _nm_database_lock (self->database);
  if (nm_index_options_get_decrypt_policy_locked (self) == policy)
    return TRUE;
  status = notmuch_indexopts_set_decrypt_policy (self->native,
                                                 (notmuch_decryption_policy_t) policy);
  if (!_nm_database_check_status (self->database, status, error,
                                  "Cannot set the decryption policy"))
    return FALSE;
  /* Handlers may call into the database, from any thread: none runs under its lock. */
  g_clear_pointer (&locker, _nm_database_unlock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DECRYPT_POLICY]);
  return TRUE;
}
