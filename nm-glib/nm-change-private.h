/* nm-change-private.h: one change to a message document, kept while the message is frozen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <notmuch.h>
#include <glib.h>

G_BEGIN_DECLS

/* libnotmuch's message objects each keep their own copy of the document once read and
 * write the whole copy back on every change: a message frozen while another object changed
 * the document keeps its changes here, and applies them again to a fresh copy. */
/* One change to a message document, kept while the message is frozen. */
typedef enum
{
  NM_CHANGE_ADD_TAG,
  NM_CHANGE_REMOVE_TAG,
  NM_CHANGE_REMOVE_ALL_TAGS,
  NM_CHANGE_MAILDIR_FLAGS_TO_TAGS,
  NM_CHANGE_ADD_PROPERTY,
  NM_CHANGE_REMOVE_PROPERTY,
  NM_CHANGE_REMOVE_PROPERTIES_WITH_PREFIX,
} NmChangeKind;

typedef struct
{
  NmChangeKind kind;
  /* The tag, property key or key prefix (NULL: every property). */
  char *name;
  /* The property value; NULL removes every value of the key. */
  char *value;
} NmChange;

void _nm_change_free (gpointer change);
NmChange *_nm_change_copy (const NmChange *change);
/* Applies @change to @document.  Requires the database lock. */
notmuch_status_t _nm_change_apply (const NmChange    *change,
                                   notmuch_message_t *document);

G_END_DECLS
