/* nm-features.c: what the libnotmuch in use was built with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <notmuch.h>

#include "nm-features.h"

/**
 * nm_built_with:
 * @feature: the name of an optional feature of libnotmuch: `compact`, `field_processor`,
 *   `retry_lock`, `session_key` or `sexp_queries`
 *
 * Checks whether the libnotmuch this library runs with was built with a feature, as
 * `notmuch config get built_with.<feature>` reports it.  For example, queries in
 * %NM_QUERY_SYNTAX_SEXP need `sexp_queries`.
 *
 * Returns: %TRUE if libnotmuch has the feature; %FALSE for a feature it lacks or does not
 *   know
 *
 * Since: 0.1
 */
gboolean
nm_built_with (const char *feature)
{
  g_return_val_if_fail (feature != NULL, FALSE);

  return notmuch_built_with (feature);
}
