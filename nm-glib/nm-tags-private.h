/* nm-tags-private.h: tag validation and tag list snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include <glib.h>

G_BEGIN_DECLS

/* Copies every tag of @tags into a new string array and destroys the iterator; a %NULL
 * iterator (libnotmuch's answer on a closed database) gives an empty array. */
char **_nm_tags_take_strv (notmuch_tags_t *tags);

/* The same list in one allocation, strings after the pointers, freed with g_free(): one
 * malloc instead of one per tag, for the snapshot every search result takes
 * (nm-message.c). */
char **_nm_tags_take_packed (notmuch_tags_t *tags);

/* Rejects what libnotmuch would accept but the notmuch CLI forbids: empty tags, invalid
 * UTF-8 and tags longer than NOTMUCH_TAG_MAX bytes. */
gboolean _nm_tag_validate (const char *tag, GError **error);

G_END_DECLS
