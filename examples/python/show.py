#!/usr/bin/python3
"""Print the threads matching a query as indented reply trees, with their text.

For every matching thread, newest first (with the messages of
``search.exclude_tags`` left out, as ``notmuch search`` does), the thread is
printed as::

    thread:<id> <subject> (<n> messages)
    From: ...
    To: ...
    Date: ...
    Subject: ...
    Tags: inbox unread

    The text of the message, as notmuch show prints its text parts.
    Attachment: report.pdf (application/pdf)

      From: ...        <- a reply, two more spaces per level of depth
      ...

Each message gets its ``From``, ``To``, ``Date`` (the Date header, as
written by the sender), ``Subject`` and ``Tags`` lines and a blank line, then
its body text (``message.get_body_text()``: the text/plain parts that have no
file name, decoded to UTF-8, which is what ``notmuch show --format=text``
prints for them), one ``Attachment:`` line per part with a file name
(``message.get_attachments()``) and a blank line.  Encrypted parts are
decrypted as ``notmuch show --decrypt`` would (``--decrypt=auto`` by default:
with the session keys stored in the index).  The tree is walked from
``thread.get_toplevel_messages()`` down through ``message.get_replies()``; a
thread whose root message is missing has several top-level messages.

Usage::

    show.py [--database PATH] [--decrypt false|auto|true] QUERY...

Without ``--database`` the database is found the way notmuch finds it
(``NOTMUCH_CONFIG``, ``NOTMUCH_PROFILE``, ``~/.notmuch-config``, ...).
"""

import argparse
import os
import sys

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

HEADERS = ('From', 'To', 'Date', 'Subject')
DECRYPT = {
    'false': Notmuch.DecryptPolicy.FALSE,
    'auto': Notmuch.DecryptPolicy.AUTO,
    'true': Notmuch.DecryptPolicy.TRUE,
}
INDENT = '  '


def clean(text):
    """Header values on one line: control characters become spaces."""
    if text is None:
        return ''
    return ''.join(' ' if ord(c) < 32 else c for c in text)


def walk(messages):
    """Yield (depth, message) for a reply forest, parents before replies.

    An explicit stack instead of recursion, so that a very long reply chain
    cannot exhaust Python's recursion limit.
    """
    stack = [(0, m) for m in reversed(list(messages))]
    while stack:
        depth, message = stack.pop()
        if message is None:  # a model cut short by a concurrent writer
            continue
        yield depth, message
        replies = list(message.get_replies())
        stack.extend((depth + 1, reply) for reply in reversed(replies))


def format_message(message, depth, decrypt):
    """The lines printed for one message, indented for its depth."""
    pad = INDENT * depth
    lines = ['%s%s: %s' % (pad, name, clean(message.get_header(name)))
             for name in HEADERS]
    lines.append('%sTags: %s' % (pad, ' '.join(message.get_tags())))
    lines.append('')
    text = message.get_body_text(decrypt, None)
    if text is not None:
        lines.extend(pad + line for line in text.splitlines())
    for part in message.get_attachments(decrypt, None):
        lines.append('%sAttachment: %s (%s)' % (
            pad, clean(part.get_filename()), part.get_content_type().get_mime_type()))
    lines.append('')
    return lines


def show_thread(thread, out, decrypt):
    total = thread.get_total_messages()
    out.write('thread:%s %s (%d message%s)\n' % (
        thread.get_thread_id(), clean(thread.get_subject()), total,
        '' if total == 1 else 's'))
    for depth, message in walk(thread.get_toplevel_messages()):
        out.write('\n'.join(format_message(message, depth, decrypt)) + '\n')


def one_line(message):
    """A GLib.Error message on one line, without libnotmuch's "Error: " prefix."""
    text = ' '.join(line.strip() for line in message.splitlines() if line.strip())
    return text[len('Error: '):] if text.startswith('Error: ') else text


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Print the threads matching a notmuch query as indented '
                    'reply trees (newest thread first).')
    parser.add_argument('--database', metavar='PATH',
                        help="the database directory (default: notmuch's own "
                             'configuration lookup)')
    parser.add_argument('--decrypt', choices=sorted(DECRYPT), default='auto',
                        help='decrypt encrypted parts as notmuch show --decrypt does '
                             '(default: auto, with the session keys stored in the index)')
    parser.add_argument('query', nargs='+', metavar='QUERY',
                        help='search terms, joined with spaces (use * for all)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    query_string = ' '.join(args.query)
    out = sys.stdout
    if hasattr(out, 'reconfigure'):
        out.reconfigure(encoding='utf-8', errors='surrogateescape')

    try:
        db = Notmuch.Database.open(args.database, Notmuch.DatabaseMode.READ_ONLY)
        threads = db.search_threads(query_string)
        for thread in threads:
            if thread is None:  # cut short by a concurrent writer
                break
            show_thread(thread, out, DECRYPT[args.decrypt])
        threads.check()
        db.close()
        out.flush()
    except GLib.Error as e:
        print('show.py: error: %s' % one_line(e.message), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (show.py ... | head): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 141
    return 0


if __name__ == '__main__':
    sys.exit(main())
