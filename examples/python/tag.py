#!/usr/bin/python3
"""Add and remove tags on the messages matching a query, like `notmuch tag`.

The command line is the one of ``notmuch tag``: tag operations first, then the
query, optionally after ``--``::

    tag.py +todo -inbox -- from:alice and date:2024..
    tag.py -unread tag:spam

Everything runs in one ``db.tag_messages()`` call, which does what ``notmuch
tag`` does: only messages that would change are touched (those missing a tag
to add or carrying a tag to remove), each is written once, the whole change
is one atomic section, and with ``maildir.synchronize_flags`` the maildir
flags of the messages' files follow their tags (removing ``unread`` renames
a file to carry the ``S`` flag).  Excluded tags (``search.exclude_tags``) do
not narrow the query: a ``tag:spam`` message is tagged like any other.

When one tag is both added and removed, the last operation wins, as in
``notmuch tag``, where operations apply in order.

It prints the number of messages changed: ``Changed 12 messages.``

Usage::

    tag.py [--database PATH] +TAG|-TAG [...] [--] QUERY...

Without ``--database`` the database is found the way notmuch finds it
(``NOTMUCH_CONFIG``, ``NOTMUCH_PROFILE``, ``~/.notmuch-config``, ...).
"""

import sys

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

USAGE = 'usage: tag.py [--database PATH] +TAG|-TAG [...] [--] QUERY...'


class UsageError(Exception):
    pass


def parse_args(argv):
    """(database path or None, tags to add, tags to remove, query string).

    argparse is not used: it would read ``-inbox`` as an option.
    """
    database = None
    args = list(argv)
    while args and args[0].startswith('--database'):
        option = args.pop(0)
        if option.startswith('--database='):
            database = option[len('--database='):]
        elif option == '--database' and args:
            database = args.pop(0)
        else:
            raise UsageError('--database needs a PATH')

    final = {}   # tag -> True to add, False to remove; the last operation wins
    while args:
        arg = args.pop(0)
        if arg == '--':
            break
        if arg[:1] not in ('+', '-'):
            args.insert(0, arg)
            break
        tag = arg[1:]
        if not tag:
            raise UsageError('empty tag in %r' % arg)
        if arg[0] == '+' and tag.startswith('-'):
            # As in notmuch: such a tag could not be removed again with "-TAG".
            raise UsageError("tag starting with '-' forbidden: %r" % arg)
        final.pop(tag, None)   # re-inserted last, so the output order follows the input
        final[tag] = arg[0] == '+'

    if not final:
        raise UsageError('at least one tag to add or remove is required')
    query = ' '.join(args)
    if not query:
        raise UsageError('at least one search term is required')
    add = [tag for tag, adding in final.items() if adding]
    remove = [tag for tag, adding in final.items() if not adding]
    return database, add, remove, query


def one_line(message):
    """A GLib.Error message on one line, without libnotmuch's "Error: " prefix."""
    text = ' '.join(line.strip() for line in message.splitlines() if line.strip())
    return text[len('Error: '):] if text.startswith('Error: ') else text


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (['-h'], ['--help']):
        print(USAGE)
        print(__doc__.split('\n\n')[0])
        return 0
    try:
        database, add, remove, query = parse_args(argv)
    except UsageError as e:
        print(USAGE, file=sys.stderr)
        print('tag.py: error: %s' % e, file=sys.stderr)
        return 2

    try:
        db = Notmuch.Database.open(database, Notmuch.DatabaseMode.READ_WRITE)
        changed = db.tag_messages(query, add, remove)
        db.close()
    except GLib.Error as e:
        print('tag.py: error: %s' % one_line(e.message), file=sys.stderr)
        return 1
    print('Changed %d message%s.' % (changed, '' if changed == 1 else 's'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
