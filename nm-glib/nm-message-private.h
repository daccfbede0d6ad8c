/* nm-message-private.h: creating message wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include "nm-message.h"
#include "nm-change-private.h"
#include "nm-handle-private.h"
#include "nm-origin-private.h"

G_BEGIN_DECLS

/* Wraps @native, which read its document when the database's write epoch was
 * @loaded_epoch (_nm_database_get_write_epoch()).  @owner is a reference (released with @owner_release after @native is
 * destroyed) on whatever owns @native's memory: a messages iterator handle for search results,
 * the thread for a thread's messages, %NULL for messages owned by the database.  Messages owned
 * by a thread are never destroyed individually (@owns_native FALSE): libnotmuch hands out the
 * same pointer on every walk. */
NmMessage *_nm_message_new (NmDatabase        *database,
                            guint              generation,
                            guint64            loaded_epoch,
                            notmuch_message_t *native,
                            gpointer           owner,
                            GDestroyNotify     owner_release,
                            gboolean           owns_native);
notmuch_message_t *_nm_message_get_native (NmMessage *self);
guint _nm_message_get_generation (NmMessage *self);
guint64 _nm_message_get_loaded_epoch (NmMessage *self);
/* Makes notify::tags go to @origin (the list's, for a list's item). */
void _nm_message_set_origin (NmMessage *self, NmOrigin *origin);
/* Reads the tags again; TRUE if they changed.  Requires the database lock. */
gboolean _nm_message_refresh_tags (NmMessage *self);
/* Emits notify::tags on the message's main context.  Runs without the lock. */
void _nm_message_notify_tags (NmMessage *self);

/* NmMessage is one class over two files: nm-message.c (the type, reading) and
 * nm-message-write.c (tags, flags, properties, reindexing). */
struct _NmMessage
{
  GObject parent_instance;

  NmDatabase *database;
  /* Where notify::tags is emitted: where the message, or the list it came from, was
   * made. */
  NmOrigin *origin;
  /* Registered with the database for change notification, under message_id. */
  gboolean watched;
  guint generation;
  notmuch_message_t *native;
  gboolean owns_native;
  gpointer owner;
  GDestroyNotify owner_release;

  /* Copies taken the first time they are read: they cannot change, and libnotmuch's
   * get_header() allocates a new copy into the message on every call for these. */
  char *message_id;
  char *thread_id;
  char *from;
  char *subject;
  gint64 date;
  gboolean date_known;
  /* The tags as last read (one block, see _nm_tags_take_packed()), and the database's
   * write epoch then: valid until any object writes (the epoch moves) or this one changes
   * its document (nm_message_write() drops it).  Search results read it when they are
   * wrapped (_nm_message_new()). */
  char **tags;
  guint64 tags_epoch;

  /* libnotmuch's message objects each keep their own copy of the document once read and
   * write the whole copy back on every change.  When another object may have changed the
   * document since @native read it, the message reads and changes it through @current, a
   * native message of its own found again by id (see nm_message_document()). */
  notmuch_message_t *current;
  /* The database's write epoch when @native read the document, and when the copy in use
   * was last known to be up to date. */
  guint64 loaded_epoch;
  guint64 seen_epoch;
  /* freeze() depth, and the changes made since the outermost freeze(): they are applied
   * again to a fresh copy if another object writes the document before thaw(). */
  guint freeze_depth;
  GPtrArray *pending_changes;
  /* Strings handed out without a copy (transfer none) and replaced since. */
  GPtrArray *retired_strings;
};

/* The native message to change the document through: an up-to-date copy, found again by
 * id (with the changes of a freeze in progress applied) when another object may have
 * written the document since @native read it.  Requires the lock. */
notmuch_message_t *_nm_message_document (NmMessage *self, GError **error);
notmuch_message_t *_nm_message_reload (NmMessage *self, GError **error);
/* The native message to read the document from.  Requires the lock. */
notmuch_message_t *_nm_message_read_document (NmMessage *self);
/* Reads a string of the message once and keeps a copy.  Requires the lock. */
const char *_nm_message_cache_string (NmMessage   *self,
                                      char       **cache,
                                      const char *(*read) (notmuch_message_t *));

/* For callers holding the lock: applies @changes in one write, as a public change does
 * (@action names it in an error), and nm_message_tags_to_maildir_flags(). */
gboolean _nm_message_write_locked (NmMessage       *self,
                                   const NmChange  *changes,
                                   guint            n_changes,
                                   const char      *action,
                                   GError         **error);
gboolean _nm_message_tags_to_maildir_flags_locked (NmMessage *self, GError **error);

G_END_DECLS
