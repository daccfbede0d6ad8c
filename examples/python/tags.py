#!/usr/bin/python3
"""List the tags of the messages matching a query, with message counts.

Prints one ``<tag><TAB><count>`` line per tag, in byte order (the order
libnotmuch sorts tags in)::

    inbox	280
    unread	97

With no query (or ``*``) every tag in the database is listed
(``db.get_all_tags()``); otherwise the tags of the matching messages
(``messages.collect_tags()``).  A tag's count is the number of messages
``notmuch count 'tag:"<tag>" and (<query>)'`` reports: messages carrying one
of the tags of ``search.exclude_tags`` are not counted, unless the query (or
the tag being counted) names that tag.

Usage::

    tags.py [--database PATH] [QUERY...]

Without ``--database`` the database is found the way notmuch finds it
(``NOTMUCH_CONFIG``, ``NOTMUCH_PROFILE``, ``~/.notmuch-config``, ...).
"""

import argparse
import os
import sys

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402


def tag_term(tag):
    """A query term matching *tag* exactly, whatever characters it holds.

    notmuch's Xapian syntax takes a quoted boolean term with each inner
    double quote doubled, so the tag 'a"b c' becomes 'tag:"a""b c"'.
    """
    return 'tag:"%s"' % tag.replace('"', '""')


def match_all(query_string):
    return query_string.strip() in ('', '*')


def tag_counts(db, query_string):
    """Return [(tag, count)] for the messages matching *query_string*."""
    if match_all(query_string):
        tags = db.get_all_tags()
    else:
        tags = db.search_messages(query_string).collect_tags()
    result = []
    for tag in sorted(tags, key=lambda t: t.encode('utf-8', 'surrogateescape')):
        if match_all(query_string):
            # A lone "*" is special to notmuch; inside a larger query it is not.
            count_query = tag_term(tag)
        else:
            count_query = '%s and (%s)' % (tag_term(tag), query_string)
        result.append((tag, db.count_messages(count_query)))
    return result


def one_line(message):
    """A GLib.Error message on one line, without libnotmuch's "Error: " prefix."""
    text = ' '.join(line.strip() for line in message.splitlines() if line.strip())
    return text[len('Error: '):] if text.startswith('Error: ') else text


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='List the tags of the messages matching a notmuch query, '
                    'one "tag<TAB>count" line per tag.')
    parser.add_argument('--database', metavar='PATH',
                        help="the database directory (default: notmuch's own "
                             'configuration lookup)')
    parser.add_argument('query', nargs='*', metavar='QUERY',
                        help='search terms, joined with spaces (default: *, '
                             'every message)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    query_string = ' '.join(args.query) or '*'
    out = sys.stdout
    if hasattr(out, 'reconfigure'):
        out.reconfigure(encoding='utf-8', errors='surrogateescape')

    try:
        db = Notmuch.Database.open(args.database, Notmuch.DatabaseMode.READ_ONLY)
        for tag, count in tag_counts(db, query_string):
            out.write('%s\t%d\n' % (tag, count))
        db.close()
        out.flush()
    except GLib.Error as e:
        print('tags.py: error: %s' % one_line(e.message), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (tags.py | head): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 141
    return 0


if __name__ == '__main__':
    sys.exit(main())
