#!/usr/bin/python3
"""Deliver a message read from standard input into the mail store, like notmuch insert.

The message is written to FOLDER/tmp, synced to disk, moved to FOLDER/new and indexed,
then tagged with the configured ``new.tags`` and the +TAG/-TAG changes given on the command
line; when ``maildir.synchronize_flags`` is set and the tags call for maildir flags (no
``unread``, or ``flagged``, ``replied``...), the file moves on to FOLDER/cur with them.
Everything happens in ``Notmuch.Database.insert()``; on failure nothing is left behind.
An mbox ``From`` first line is kept as an ``X-Envelope-From:`` header.

A message whose Message-ID is indexed already becomes one more file of that message, whose
tags stay as they are (as with notmuch insert).

Usage::

    insert.py [--database PATH] [--folder FOLDER] [--create-folder] [+TAG|-TAG]... < mail

FOLDER is relative to the mail root (default: the mail root itself).  Prints nothing on
success and exits with 0; on error prints the reason and exits with 1.  Without
``--database`` the database is found the way notmuch finds it (``NOTMUCH_CONFIG``,
``NOTMUCH_PROFILE``, ``~/.notmuch-config``, ...).
"""

import argparse
import sys

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402


def parse_args(argv):
    if argv is None:
        argv = sys.argv[1:]
    # "+tag" and "-tag" are tag changes, not options (argparse would read "-hidden" as -h).
    changes = [arg for arg in argv if arg[:1] == '+' or (arg[:1] == '-' and arg[1:2] not in
                                                           ('', '-', 'h'))]
    options = [arg for arg in argv if arg not in changes]
    parser = argparse.ArgumentParser(
        description='Deliver a message from standard input into a maildir folder and '
                    'index it, as notmuch insert does.',
        usage='%(prog)s [-h] [--database PATH] [--folder FOLDER] [--create-folder] '
              '[+TAG|-TAG]...')
    parser.add_argument('--database', metavar='PATH',
                        help="the database directory (default: notmuch's own "
                             'configuration lookup)')
    parser.add_argument('--folder', default='',
                        help='the maildir folder, relative to the mail root')
    parser.add_argument('--create-folder', action='store_true',
                        help='create the folder if it does not exist')
    args = parser.parse_args(options)
    bad = [change for change in changes if len(change) < 2]
    if bad:
        parser.error('tag changes are +TAG or -TAG, not %s' % ' '.join(bad))
    args.add = [change[1:] for change in changes if change[0] == '+']
    args.remove = [change[1:] for change in changes if change[0] == '-']
    return args


def main(argv=None):
    args = parse_args(argv)
    message = GLib.Bytes.new(sys.stdin.buffer.read())
    try:
        db = Notmuch.Database.open(args.database, Notmuch.DatabaseMode.READ_WRITE)
        try:
            db.insert(message, args.folder, args.add, args.remove, args.create_folder, None)
        finally:
            db.close()
    except GLib.Error as e:
        print('insert.py: error: %s' % e.message.strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
