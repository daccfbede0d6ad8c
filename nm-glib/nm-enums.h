/* nm-enums.h: the enumerations of the notmuch-glib API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(__NOTMUCH_GLIB_INSIDE__) && !defined(NOTMUCH_GLIB_COMPILATION)
#error "Only <notmuch-glib.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* The explicit values equal libnotmuch's, which lets the library pass them through unchanged. */

/**
 * NmDatabaseMode:
 * @NM_DATABASE_MODE_READ_ONLY: open the database for reading only
 * @NM_DATABASE_MODE_READ_WRITE: open the database for reading and writing; only one
 *   read-write handle can exist per database at a time
 *
 * How a database is opened.
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_DATABASE_MODE >*/
{
  NM_DATABASE_MODE_READ_ONLY = 0,
  NM_DATABASE_MODE_READ_WRITE = 1,
} NmDatabaseMode;

/**
 * NmSort:
 * @NM_SORT_OLDEST_FIRST: oldest message or thread first
 * @NM_SORT_NEWEST_FIRST: newest message or thread first (the default)
 * @NM_SORT_MESSAGE_ID: by message id, in byte order
 * @NM_SORT_UNSORTED: in index order; the fastest way to walk many results
 *
 * The order of search results.
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_SORT >*/
{
  NM_SORT_OLDEST_FIRST = 0,
  NM_SORT_NEWEST_FIRST = 1,
  NM_SORT_MESSAGE_ID = 2,
  NM_SORT_UNSORTED = 3,
} NmSort;

/**
 * NmExclude:
 * @NM_EXCLUDE_FLAG: return excluded messages, marked with %NM_MESSAGE_FLAG_EXCLUDED; a thread
 *   counts them as not matched
 * @NM_EXCLUDE_TRUE: leave excluded messages out of the results; threads still contain them
 * @NM_EXCLUDE_FALSE: return excluded messages and count them as matched in threads
 * @NM_EXCLUDE_ALL: leave excluded messages out of the results and out of threads
 *
 * What a query does with messages carrying an excluded tag
 * (see [method@Notmuch.Query.add_tag_exclude]).
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_EXCLUDE >*/
{
  NM_EXCLUDE_FLAG = 0,
  NM_EXCLUDE_TRUE = 1,
  NM_EXCLUDE_FALSE = 2,
  NM_EXCLUDE_ALL = 3,
} NmExclude;

/**
 * NmMessageFlag:
 * @NM_MESSAGE_FLAG_MATCH: the message matched the query that produced it (for messages
 *   reached through a thread)
 * @NM_MESSAGE_FLAG_EXCLUDED: the message carries an excluded tag
 * @NM_MESSAGE_FLAG_GHOST: the message is a ghost: it is known only because another message
 *   refers to it, and has no file
 *
 * A flag of a message, queried one at a time with [method@Notmuch.Message.get_flag].
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_MESSAGE_FLAG >*/
{
  NM_MESSAGE_FLAG_MATCH = 0,
  NM_MESSAGE_FLAG_EXCLUDED = 1,
  NM_MESSAGE_FLAG_GHOST = 2,
} NmMessageFlag;

/**
 * NmDecryptPolicy:
 * @NM_DECRYPT_POLICY_FALSE: never decrypt while indexing
 * @NM_DECRYPT_POLICY_TRUE: decrypt while indexing and stash the session keys
 * @NM_DECRYPT_POLICY_AUTO: use stashed session keys only
 * @NM_DECRYPT_POLICY_NOSTASH: decrypt while indexing without stashing session keys
 *
 * Whether indexing decrypts encrypted messages.
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_DECRYPT_POLICY >*/
{
  NM_DECRYPT_POLICY_FALSE = 0,
  NM_DECRYPT_POLICY_TRUE = 1,
  NM_DECRYPT_POLICY_AUTO = 2,
  NM_DECRYPT_POLICY_NOSTASH = 3,
} NmDecryptPolicy;

/**
 * NmQuerySyntax:
 * @NM_QUERY_SYNTAX_XAPIAN: the classic notmuch query syntax (`from:alice and tag:inbox`)
 * @NM_QUERY_SYNTAX_SEXP: the s-expression syntax (`(and (from alice) (tag inbox))`)
 *
 * The language a query string is written in.
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_QUERY_SYNTAX >*/
{
  NM_QUERY_SYNTAX_XAPIAN = 0,
  NM_QUERY_SYNTAX_SEXP = 1,
} NmQuerySyntax;

/**
 * NmConfigKey:
 * @NM_CONFIG_KEY_DATABASE_PATH: `database.path`, the directory holding the database
 * @NM_CONFIG_KEY_MAIL_ROOT: `database.mail_root`, the root of the mail store
 * @NM_CONFIG_KEY_HOOK_DIR: `database.hook_dir`, where notmuch's hooks live
 * @NM_CONFIG_KEY_BACKUP_DIR: `database.backup_dir`, where backups go
 * @NM_CONFIG_KEY_EXCLUDE_TAGS: `search.exclude_tags`, tags hidden from searches (a list)
 * @NM_CONFIG_KEY_NEW_TAGS: `new.tags`, tags given to new messages (a list)
 * @NM_CONFIG_KEY_NEW_IGNORE: `new.ignore`, file names an indexer skips (a list)
 * @NM_CONFIG_KEY_SYNC_MAILDIR_FLAGS: `maildir.synchronize_flags`, whether tags and maildir
 *   flags are kept in step (a boolean)
 * @NM_CONFIG_KEY_PRIMARY_EMAIL: `user.primary_email`
 * @NM_CONFIG_KEY_OTHER_EMAIL: `user.other_email` (a list)
 * @NM_CONFIG_KEY_USER_NAME: `user.name`
 * @NM_CONFIG_KEY_AUTOCOMMIT: `database.autocommit`, how many atomic sections libnotmuch ends
 *   before it commits by itself (a number)
 * @NM_CONFIG_KEY_EXTRA_HEADERS: `show.extra_headers` (a list)
 * @NM_CONFIG_KEY_INDEX_AS_TEXT: `index.as_text`, regular expressions of MIME types indexed
 *   as text (a list)
 * @NM_CONFIG_KEY_AUTHORS_SEPARATOR: `search.authors_separator`, what separates the authors
 *   of a thread (by default `, `)
 * @NM_CONFIG_KEY_AUTHORS_MATCHED_SEPARATOR: `search.authors_matched_separator`, what
 *   separates the authors of matched messages from the others (by default `| `)
 *
 * The configuration keys libnotmuch knows, for
 * [method@Notmuch.Database.get_config_value] and friends.
 *
 * Every key works with every libnotmuch this library supports.  The last three are
 * newer than some of them: with a libnotmuch that does not know a key, its value is read
 * and stored by name, as [method@Notmuch.Database.get_config] and
 * [method@Notmuch.Database.set_config] do, and the two separators read as their defaults
 * when unset (the separators such a libnotmuch always uses).  Such a libnotmuch does not
 * act on a stored value: it indexes no extra MIME types as text and keeps its own
 * separators.
 *
 * Since: 0.1
 */
typedef enum /*< prefix=NM_CONFIG_KEY >*/
{
  NM_CONFIG_KEY_DATABASE_PATH = 0,
  NM_CONFIG_KEY_MAIL_ROOT = 1,
  NM_CONFIG_KEY_HOOK_DIR = 2,
  NM_CONFIG_KEY_BACKUP_DIR = 3,
  NM_CONFIG_KEY_EXCLUDE_TAGS = 4,
  NM_CONFIG_KEY_NEW_TAGS = 5,
  NM_CONFIG_KEY_NEW_IGNORE = 6,
  NM_CONFIG_KEY_SYNC_MAILDIR_FLAGS = 7,
  NM_CONFIG_KEY_PRIMARY_EMAIL = 8,
  NM_CONFIG_KEY_OTHER_EMAIL = 9,
  NM_CONFIG_KEY_USER_NAME = 10,
  NM_CONFIG_KEY_AUTOCOMMIT = 11,
  NM_CONFIG_KEY_EXTRA_HEADERS = 12,
  NM_CONFIG_KEY_INDEX_AS_TEXT = 13,
  NM_CONFIG_KEY_AUTHORS_SEPARATOR = 14,
  NM_CONFIG_KEY_AUTHORS_MATCHED_SEPARATOR = 15,
} NmConfigKey;

G_END_DECLS
