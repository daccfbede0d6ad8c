/* nm-query-check-private.h: finding the queries libnotmuch cannot run safely
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* libnotmuch parses an s-expression by recursion, several C++ frames per level of nesting
 * and one more for every further element of a list, and Xapian's query parser recurses on
 * parentheses too: a thread with a 256 KiB stack overflows at 1000 levels or 3000 elements
 * of one list (an 8 MiB stack at 20000 levels), and the time to build the query grows
 * with the square of its terms (seconds for a few thousand).  Queries written by hand or
 * built by programs nest a few levels, so 100 levels and 2000 elements leave room for
 * them while keeping libnotmuch within a 256 KiB stack (measured with both limits reached
 * at once) and well under a second.  Levels count the
 * parentheses and braces of the classic syntax, the lists of s-expressions, and every
 * expansion of a saved query, macro parameter or named query.  Elements are the lists and
 * atoms of s-expressions (not the name at the head of a list; each word of an atom outside
 * any field counts once for every field it is searched in), plus every such expansion and every
 * value of a `sexp:` or `query:` field tried; the classic syntax's words are not counted,
 * as Xapian reads them without recursion. */
#define NM_QUERY_DEPTH_MAX 100
#define NM_QUERY_ELEMENTS_MAX 2000

/* The value of the configuration key @key (`squery.<name>`, `query.<name>`,
 * `index.header.<name>`) as the database sees it, newly allocated, or NULL if it is not
 * set or empty. */
typedef char *(*NmQueryConfigLookup) (const char *key, gpointer user_data);

/* Checks @query_string (an s-expression if @sexp, else notmuch's classic syntax, which can
 * embed s-expressions with `sexp:` and named queries with `query:`) for what makes
 * libnotmuch crash instead of failing: see _nm_compat_check_query().  Fails with
 * NM_ERROR_BAD_QUERY_SYNTAX; a query that is merely malformed passes, for libnotmuch to
 * report.  If @probes is not NULL, the texts in the classic syntax that must parse before
 * the query may run are added to it (see _nm_compat_check_query()). */
gboolean _nm_query_check (const char           *query_string,
                          gboolean              sexp,
                          NmQueryConfigLookup   lookup,
                          gpointer              user_data,
                          GPtrArray            *probes,
                          GError              **error);

/* Checks that @definition, the value of a saved s-expression query (`squery.<name>`), is
 * what libnotmuch can expand: a list with an atom at its head.  Fails with
 * NM_ERROR_ILLEGAL_ARGUMENT (or NM_ERROR_BAD_QUERY_SYNTAX beyond the limits). */
gboolean _nm_query_check_saved_sexp (const char  *definition,
                                     GError     **error);

G_END_DECLS
