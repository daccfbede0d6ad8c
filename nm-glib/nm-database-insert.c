/* nm-database-insert.c: delivering a message into the mail store, as `notmuch insert`
 *
 * The message is written to FOLDER/tmp under a unique maildir name, synced to disk, renamed
 * into FOLDER/new and indexed; the tags then move it to FOLDER/cur when maildir flags
 * follow tags.  Index changes happen in one atomic section.  A failure at any step undoes
 * the steps before it: the file, the index entry, and the directories (and the index's
 * records of them) that the delivery created.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nm-error-private.h"
#include "nm-database-private.h"
#include "nm-async-private.h"
#include "nm-directory-private.h"
#include "nm-message-private.h"
#include "nm-tags-private.h"

/* What `notmuch insert` writes in place of an mbox "From " line opening the message. */
#define ENVELOPE_FROM_HEADER "X-Envelope-From: "

/* Everything a delivery made so far, to undo it on failure. */
typedef struct
{
  NmDatabase *database;
  char *mail_root;
  /* FOLDER, absolute. */
  char *maildir;
  /* The file's unique name, without maildir flags. */
  char *name;
  /* Where the file is now, or NULL before it is written and after it is removed. */
  char *path;
  /* Directories made by this delivery, parents first. */
  GPtrArray *created_directories;
} NmDelivery;

static void
nm_delivery_clear (NmDelivery *delivery)
{
  g_clear_pointer (&delivery->mail_root, g_free);
  g_clear_pointer (&delivery->maildir, g_free);
  g_clear_pointer (&delivery->name, g_free);
  g_clear_pointer (&delivery->path, g_free);
  g_clear_pointer (&delivery->created_directories, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NmDelivery, nm_delivery_clear)

static void
nm_set_error_from_errno (GError     **error,
                         int          saved_errno,
                         const char  *action,
                         const char  *path)
{
  _nm_set_error (error, NM_ERROR_FILE_ERROR, "Cannot %s %s: %s", action, path,
               g_strerror (saved_errno));
}

/* A directory's entries reach the disk only when the directory itself is synced. */
static gboolean
nm_sync_directory (const char  *path,
                   GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    {
      nm_set_error_from_errno (error, errno, "open directory", path);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      nm_set_error_from_errno (error, saved_errno, "sync directory", path);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Makes @path and its missing parents below the mail root, remembering each one made. */
static gboolean
nm_delivery_make_directory (NmDelivery  *delivery,
                            const char  *path,
                            GError     **error)
{
  g_autofree char *parent = NULL;
  GStatBuf info;

  if (g_stat (path, &info) == 0)
    {
      if (S_ISDIR (info.st_mode))
        return TRUE;
      _nm_set_error (error, NM_ERROR_FILE_ERROR, "Cannot create folder %s: %s",
                   path, g_strerror (ENOTDIR));
      return FALSE;
    }
  if (errno != ENOENT)
    {
      nm_set_error_from_errno (error, errno, "create folder", path);
      return FALSE;
    }
  parent = g_path_get_dirname (path);
  if (strcmp (path, delivery->mail_root) != 0
      && !nm_delivery_make_directory (delivery, parent, error))
    return FALSE;
  if (g_mkdir (path, 0700) != 0)
    {
      nm_set_error_from_errno (error, errno, "create folder", path);
      return FALSE;
    }
  g_ptr_array_add (delivery->created_directories, g_strdup (path));
  return nm_sync_directory (parent, error);
}

static gboolean
nm_delivery_prepare_folder (NmDelivery  *delivery,
                            gboolean     create_folder,
                            const char  *folder,
                            GError     **error)
{
  static const char *const subdirectories[] = { "cur", "new", "tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirectories); i++)
    {
      g_autofree char *path = g_build_filename (delivery->maildir, subdirectories[i], NULL);

      if (create_folder)
        {
          if (!nm_delivery_make_directory (delivery, path, error))
            return FALSE;
        }
      else if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          _nm_set_error (error, NM_ERROR_FILE_ERROR,
                       "Cannot deliver to folder “%s”: %s is not a directory (create the "
                       "folder, or ask for it to be created)", folder, path);
          return FALSE;
        }
    }
  return TRUE;
}

/* A name no other delivery uses, after the maildir convention: seconds, microseconds,
 * process and a counter for deliveries within one process, then the host name. */
static char *
nm_delivery_unique_name (void)
{
  static gint deliveries;
  gint64 now = g_get_real_time ();
  g_autofree char *host = g_strdup (g_get_host_name ());

  /* '/' cannot be in a file name, and ':' starts maildir flags. */
  g_strdelimit (host, "/:", '_');
  return g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%d.%s", now / G_USEC_PER_SEC,
                          (int) (now % G_USEC_PER_SEC), (int) getpid (),
                          g_atomic_int_add (&deliveries, 1), host);
}

static gboolean
nm_write_all (int          fd,
              const char  *data,
              gsize        length,
              const char  *path,
              GError     **error)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          nm_set_error_from_errno (error, errno, "write", path);
          return FALSE;
        }
      data += written;
      length -= written;
    }
  return TRUE;
}

/* Writes the message to FOLDER/tmp and syncs it. */
static gboolean
nm_delivery_write_tmp (NmDelivery  *delivery,
                       GBytes      *message,
                       GError     **error)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  int fd = -1;
  gboolean ok;

  while (fd < 0)
    {
      g_free (delivery->name);
      g_free (delivery->path);
      delivery->name = nm_delivery_unique_name ();
      delivery->path = g_build_filename (delivery->maildir, "tmp", delivery->name, NULL);
      fd = open (delivery->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        {
          nm_set_error_from_errno (error, errno, "create", delivery->path);
          g_clear_pointer (&delivery->path, g_free);
          return FALSE;
        }
    }

  /* An mbox "From " line is kept as a header, so that the file is plain mail. */
  ok = TRUE;
  if (length >= 5 && memcmp (data, "From ", 5) == 0)
    {
      ok = nm_write_all (fd, ENVELOPE_FROM_HEADER, strlen (ENVELOPE_FROM_HEADER),
                         delivery->path, error);
      data += 5;
      length -= 5;
    }
  ok = ok && nm_write_all (fd, data, length, delivery->path, error);
  if (ok && fsync (fd) != 0)
    {
      nm_set_error_from_errno (error, errno, "sync", delivery->path);
      ok = FALSE;
    }
  if (close (fd) != 0 && ok)
    {
      nm_set_error_from_errno (error, errno, "write", delivery->path);
      ok = FALSE;
    }
  return ok;
}

/* Moves the synced file from FOLDER/tmp into FOLDER/new. */
static gboolean
nm_delivery_move_to_new (NmDelivery  *delivery,
                         GError     **error)
{
  g_autofree char *new_directory = g_build_filename (delivery->maildir, "new", NULL);
  g_autofree char *new_path = g_build_filename (new_directory, delivery->name, NULL);

  if (g_rename (delivery->path, new_path) != 0)
    {
      int saved_errno = errno;

      _nm_set_error (error, NM_ERROR_FILE_ERROR, "Cannot move %s to %s: %s",
                   delivery->path, new_path, g_strerror (saved_errno));
      return FALSE;
    }
  g_free (delivery->path);
  delivery->path = g_steal_pointer (&new_path);
  return nm_sync_directory (new_directory, error);
}

/* Where the delivered file is now: maildir flag synchronization may have renamed it into
 * cur/, with flags appended to its name. */
static void
nm_delivery_locate (NmDelivery *delivery,
                    NmMessage  *message)
{
  g_auto (GStrv) filenames = nm_message_get_filenames (message);
  gsize name_length = strlen (delivery->name);

  for (char **filename = filenames; *filename != NULL; filename++)
    {
      g_autofree char *base = g_path_get_basename (*filename);

      if (strncmp (base, delivery->name, name_length) == 0
          && (base[name_length] == '\0' || base[name_length] == ':'))
        {
          g_free (delivery->path);
          delivery->path = g_strdup (*filename);
          return;
        }
    }
}

static void
nm_append_tag_changes (GArray             *changes,
                       NmChangeKind        kind,
                       const char * const *tags)
{
  for (const char * const *tag = tags; *tag != NULL; tag++)
    {
      NmChange change = { kind, (char *) *tag, NULL };

      g_array_append_val (changes, change);
    }
}

/* Tags a newly indexed message with new.tags, then the caller's changes, in one write.
 * Requires the lock. */
static gboolean
nm_delivery_tag (NmMessage           *message,
                 const char * const  *new_tags,
                 const char * const  *add,
                 const char * const  *remove,
                 GError             **error)
{
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (NmChange));

  nm_append_tag_changes (changes, NM_CHANGE_ADD_TAG, new_tags);
  nm_append_tag_changes (changes, NM_CHANGE_REMOVE_TAG, remove);
  nm_append_tag_changes (changes, NM_CHANGE_ADD_TAG, add);
  return _nm_message_write_locked (message, (const NmChange *) changes->data, changes->len,
                                   "tag", error);
}

/* Removes from the index what the delivery added: the file, and the records of the
 * directories it created.  Requires the lock, inside the delivery's atomic section. */
static void
nm_delivery_unindex (NmDelivery *delivery)
{
  if (delivery->path != NULL)
    _nm_database_remove_message_locked (delivery->database, delivery->path, NULL);
  for (guint i = delivery->created_directories->len; i > 0; i--)
    {
      const char *path = g_ptr_array_index (delivery->created_directories, i - 1);
      g_autoptr (NmDirectory) directory = _nm_database_get_directory_locked (delivery->database,
                                                                             path, NULL);

      if (directory != NULL)
        _nm_directory_delete_locked (directory, NULL);
    }
}

/* Removes the file and the directories the delivery created. */
static void
nm_delivery_undo (NmDelivery *delivery)
{
  if (delivery->path != NULL)
    g_unlink (delivery->path);
  g_clear_pointer (&delivery->path, g_free);
  for (guint i = delivery->created_directories->len; i > 0; i--)
    g_rmdir (g_ptr_array_index (delivery->created_directories, i - 1));
}

/* Indexes the file, tags it and syncs its maildir flags, in one atomic section. */
static NmMessage *
nm_delivery_index (NmDelivery          *delivery,
                   const char * const  *new_tags,
                   const char * const  *add,
                   const char * const  *remove,
                   gboolean             sync_maildir_flags,
                   GError             **error)
{
  NmDatabase *database = delivery->database;
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (database);
  g_autoptr (NmMessage) message = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *new_path = g_strdup (delivery->path);
  gboolean duplicate = FALSE;
  gboolean ok;

  if (!_nm_database_begin_atomic_locked (database, error))
    return NULL;
  message = _nm_database_index_file_locked (database, delivery->path, NULL, &duplicate,
                                            &local_error);
  ok = message != NULL;
  /* As the CLI does, a message indexed before keeps its tags: the file is one more copy. */
  if (ok && !duplicate)
    ok = nm_delivery_tag (message, new_tags, add, remove, &local_error);
  if (ok && sync_maildir_flags)
    {
      ok = _nm_message_tags_to_maildir_flags_locked (message, &local_error);
      nm_delivery_locate (delivery, message);
    }
  if (ok && strcmp (delivery->path, new_path) != 0)
    {
      /* Renamed into cur/: make that rename durable too. */
      g_autofree char *directory = g_path_get_dirname (delivery->path);

      ok = nm_sync_directory (directory, &local_error);
    }
  if (!ok)
    {
      if (message != NULL)
        nm_delivery_locate (delivery, message);
      nm_delivery_unindex (delivery);
    }
  if (!_nm_database_end_atomic_locked (database, ok ? &local_error : NULL))
    {
      if (ok)
        nm_delivery_unindex (delivery);
      ok = FALSE;
    }
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&message);
}

/* @folder as an absolute path, if it lies in the mail root. */
static char *
nm_delivery_folder_path (const char  *mail_root,
                         const char  *folder,
                         GError     **error)
{
  g_auto (GStrv) components = NULL;
  g_autofree char *path = NULL;

  if (g_path_is_absolute (folder))
    {
      _nm_set_error (error, NM_ERROR_PATH_ERROR,
                   "Cannot deliver to folder “%s”: folders are relative to the mail root %s",
                   folder, mail_root);
      return NULL;
    }
  components = g_strsplit (folder, G_DIR_SEPARATOR_S, -1);
  for (char **component = components; *component != NULL; component++)
    if (strcmp (*component, "..") == 0)
      {
        _nm_set_error (error, NM_ERROR_PATH_ERROR,
                     "Cannot deliver to folder “%s”: it is outside the mail root %s", folder,
                     mail_root);
        return NULL;
      }
  path = g_canonicalize_filename (folder, mail_root);
  return g_steal_pointer (&path);
}

static gboolean
nm_validate_tag_changes (const char * const  *add,
                         const char * const  *remove,
                         GError             **error)
{
  for (const char * const *tag = add; *tag != NULL; tag++)
    if (!_nm_tag_validate (*tag, error))
      return FALSE;
  for (const char * const *tag = remove; *tag != NULL; tag++)
    {
      if (!_nm_tag_validate (*tag, error))
        return FALSE;
      if (g_strv_contains (add, *tag))
        {
          _nm_set_error (error, NM_ERROR_ILLEGAL_ARGUMENT,
                       "Tag “%s” cannot be both added and removed", *tag);
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads what delivery needs from the configuration: the mail root, new.tags and whether
 * maildir flags follow tags. */
static gboolean
nm_delivery_read_config (NmDelivery  *delivery,
                         char      ***new_tags,
                         gboolean    *sync_maildir_flags,
                         GError     **error)
{
  NmDatabase *database = delivery->database;
  g_autoptr (NmDatabaseLocker) G_GNUC_UNUSED locker = _nm_database_lock (database);
  g_autofree char *mail_root = NULL;
  GError *local_error = NULL;

  if (!_nm_database_check_open (database, error)
      || !_nm_database_check_writable (database, "insert a message", error))
    return FALSE;
  mail_root = nm_database_get_config_value (database, NM_CONFIG_KEY_MAIL_ROOT, NULL);
  delivery->mail_root = g_canonicalize_filename (mail_root != NULL && mail_root[0] != '\0'
                                                 ? mail_root
                                                 : nm_database_get_path (database), NULL);
  *new_tags = nm_database_get_config_values (database, NM_CONFIG_KEY_NEW_TAGS, error);
  if (*new_tags == NULL)
    return FALSE;
  for (char **tag = *new_tags; *tag != NULL; tag++)
    if (!_nm_tag_validate (*tag, &local_error))
      {
        _nm_set_error (error, NM_ERROR_INVALID_TAG, "Tag “%s” in new.tags: %s", *tag,
                     local_error->message);
        g_error_free (local_error);
        return FALSE;
      }
  *sync_maildir_flags = nm_database_get_config_bool (database,
                                                     NM_CONFIG_KEY_SYNC_MAILDIR_FLAGS,
                                                     &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/**
 * nm_database_insert:
 * @self: a database open for writing
 * @message: the message; a first line in mbox style (`From ...`) becomes an
 *   `X-Envelope-From:` header
 * @folder: (nullable): the maildir folder to deliver to, relative to the mail root, such as
 *   `INBOX` or `lists/devel`; %NULL or `""` for the mail root itself
 * @add: (array zero-terminated=1) (nullable): tags to add after the configured `new.tags`
 * @remove: (array zero-terminated=1) (nullable): tags to remove after adding `new.tags`
 * @create_folder: whether to create @folder (with its `cur`, `new` and `tmp`) if missing
 * @cancellable: (nullable): a #GCancellable; cancelling before the message is indexed
 *   delivers nothing
 * @error: return location for an error
 *
 * Delivers a message into the mail store and indexes it, as
 * `notmuch insert --folder=FOLDER [--create-folder] +TAG... -TAG...` does.  The message is
 * written to `FOLDER/tmp` under a unique name, synced to disk and moved to `FOLDER/new`,
 * then indexed and tagged with `new.tags`, @remove and @add, in one atomic section.  When
 * `maildir.synchronize_flags` is set and the tags call for flags (no `unread`, or
 * `flagged`, `replied`, `draft`, `passed`), the file moves on to `FOLDER/cur` with those
 * flags.
 *
 * A message whose id is indexed already becomes another file of that message, whose tags
 * stay as they are.
 *
 * On failure nothing is left behind: no file in `tmp`, `new` or `cur`, no index entry, and
 * no folder that this call created.
 *
 * Returns: (transfer full): the message, or %NULL with @error set:
 *   %NM_ERROR_READ_ONLY_DATABASE; %NM_ERROR_PATH_ERROR for a folder outside the mail root
 *   (absolute, or with a `..` component); %NM_ERROR_FILE_ERROR when the folder is missing
 *   (without @create_folder) or cannot be written; %NM_ERROR_FILE_NOT_EMAIL when the bytes
 *   are not mail; %NM_ERROR_INVALID_TAG; %NM_ERROR_ILLEGAL_ARGUMENT for a tag both added and
 *   removed; %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
NmMessage *
nm_database_insert (NmDatabase          *self,
                    GBytes              *message,
                    const char          *folder,
                    const char * const  *add,
                    const char * const  *remove,
                    gboolean             create_folder,
                    GCancellable        *cancellable,
                    GError             **error)
{
  static const char *const none[] = { NULL };
  g_auto (NmDelivery) delivery = { 0 };
  g_auto (GStrv) new_tags = NULL;
  gboolean sync_maildir_flags = FALSE;
  NmMessage *delivered;

  g_return_val_if_fail (NM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  folder = folder != NULL ? folder : "";
  add = add != NULL ? add : none;
  remove = remove != NULL ? remove : none;
  if (!nm_validate_tag_changes (add, remove, error))
    return NULL;
  delivery.database = self;
  delivery.created_directories = g_ptr_array_new_with_free_func (g_free);
  if (!nm_delivery_read_config (&delivery, &new_tags, &sync_maildir_flags, error))
    return NULL;
  delivery.maildir = nm_delivery_folder_path (delivery.mail_root, folder, error);
  if (delivery.maildir == NULL)
    return NULL;
  if (g_bytes_get_size (message) == 0)
    {
      _nm_set_error_literal (error, NM_ERROR_FILE_NOT_EMAIL,
                           "Cannot insert a message: it is empty");
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!nm_delivery_prepare_folder (&delivery, create_folder, folder, error)
      || !nm_delivery_write_tmp (&delivery, message, error)
      || !nm_delivery_move_to_new (&delivery, error)
      || g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      nm_delivery_undo (&delivery);
      return NULL;
    }
  delivered = nm_delivery_index (&delivery, (const char * const *) new_tags, add, remove,
                                 sync_maildir_flags, error);
  if (delivered == NULL)
    nm_delivery_undo (&delivery);
  return delivered;
}

static gboolean
nm_database_insert_call (gpointer       source,
                         NmCall        *call,
                         GCancellable  *cancellable,
                         GError       **error)
{
  NmMessage *message = nm_database_insert (source, call->data, call->string,
                                           (const char * const *) call->add,
                                           (const char * const *) call->remove, call->number,
                                           cancellable, error);

  _nm_call_set_value (call, message, g_object_unref);
  return message != NULL;
}

/**
 * nm_database_insert_async:
 * @self: a database open for writing
 * @message: the message
 * @folder: (nullable): the maildir folder, relative to the mail root
 * @add: (array zero-terminated=1) (nullable): tags to add after `new.tags`
 * @remove: (array zero-terminated=1) (nullable): tags to remove
 * @create_folder: whether to create @folder if missing
 * @cancellable: (nullable): a #GCancellable; cancelling before the message is indexed
 *   delivers nothing, and a delivery whose indexing started is never cut short
 * @callback: (scope async) (nullable): called when the message is delivered
 * @user_data: data for @callback
 *
 * Delivers a message in the database's worker thread; see
 * [method@Notmuch.Database.insert].
 *
 * Since: 0.1
 */
void
nm_database_insert_async (NmDatabase          *self,
                          GBytes              *message,
                          const char          *folder,
                          const char * const  *add,
                          const char * const  *remove,
                          gboolean             create_folder,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  NmCall *call;

  g_return_if_fail (NM_IS_DATABASE (self));
  g_return_if_fail (message != NULL);

  call = _nm_call_new_full (nm_database_insert_call, folder, create_folder);
  call->data = g_bytes_ref (message);
  call->data_free = (GDestroyNotify) g_bytes_unref;
  call->add = g_strdupv ((char **) add);
  call->remove = g_strdupv ((char **) remove);
  _nm_call_start (call, self, self, nm_database_insert_async, NM_CALL_WRITES, cancellable,
                  callback, user_data);
}

/**
 * nm_database_insert_finish:
 * @self: a database
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Notmuch.Database.insert_async].
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 *
 * Since: 0.1
 */
NmMessage *
nm_database_insert_finish (NmDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _nm_call_finish_value (result, self, nm_database_insert_async, error);
}
