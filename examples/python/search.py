#!/usr/bin/python3
"""List the threads matching a query, in the format of `notmuch search`.

Each matching thread is printed on one line, exactly as the notmuch CLI's
default text output does it:

    thread:<id>   <date> [<matched>/<total>] <authors>; <subject> (<tags>)

The date is notmuch's relative date ("5 mins. ago", "Today 12:30",
"Yest. 12:30", "Mon. 12:30", "October 12", "2008-06-30") of the newest
message of the thread (of the oldest with ``--sort oldest``), and
``[<matched>/<total>(<files>)]`` is printed when the thread has more files
than messages.  Messages carrying one of the tags of ``search.exclude_tags``
are left out, as the CLI does, unless the query names the tag.

Usage::

    search.py [--database PATH] [--sort newest|oldest|message-id|unsorted]
              [--limit N] [QUERY...]

The query defaults to ``*`` (every thread).  Without ``--database`` the
database is found the way notmuch finds it (``NOTMUCH_CONFIG``,
``NOTMUCH_PROFILE``, ``~/.notmuch-config``, ...).

Run it uninstalled with::

    GI_TYPELIB_PATH=build/introspection LD_LIBRARY_PATH=build/nm-glib \\
        python3 examples/python/search.py --database ~/mail tag:inbox
"""

import argparse
import itertools
import os
import sys
import time

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

SORTS = {
    'newest': Notmuch.Sort.NEWEST_FIRST,
    'newest-first': Notmuch.Sort.NEWEST_FIRST,
    'oldest': Notmuch.Sort.OLDEST_FIRST,
    'oldest-first': Notmuch.Sort.OLDEST_FIRST,
    'message-id': Notmuch.Sort.MESSAGE_ID,
    'unsorted': Notmuch.Sort.UNSORTED,
}

# notmuch formats dates with strftime() in the C locale (it never calls
# setlocale), so the names are always English, whatever the environment.
WEEKDAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')  # tm_wday 0 = Monday
MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July',
          'August', 'September', 'October', 'November', 'December')

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def relative_date(then, now=None):
    """Format the epoch time *then* relative to *now*, like notmuch does.

    This follows ``notmuch_time_relative_date`` in notmuch's notmuch-time.c,
    in local time:

    * in the future: ``the future``
    * more than 180 days ago: ``2008-06-30``
    * less than an hour ago: ``5 mins. ago``
    * at most 7 days ago: ``Today 12:30`` (same weekday, less than a day
      ago), ``Yest. 12:30`` (the previous weekday) or ``Mon. 12:30`` (another
      weekday); exactly a week ago falls through to the next rule
    * otherwise: ``October 12``
    """
    if now is None:
        now = int(time.time())
    tm_now = time.localtime(now)
    tm_then = time.localtime(then)

    if then > now:
        return 'the future'
    delta = now - then

    if delta > 180 * DAY:
        return '%d-%02d-%02d' % (tm_then.tm_year, tm_then.tm_mon, tm_then.tm_mday)
    if delta < HOUR:
        return '%d mins. ago' % (delta // MINUTE)
    hhmm = '%02d:%02d' % (tm_then.tm_hour, tm_then.tm_min)
    if delta <= 7 * DAY:
        if tm_then.tm_wday == tm_now.tm_wday and delta < DAY:
            return 'Today ' + hhmm
        if (tm_now.tm_wday + 7 - tm_then.tm_wday) % 7 == 1:
            return 'Yest. ' + hhmm
        if tm_then.tm_wday != tm_now.tm_wday:
            return '%s. %s' % (WEEKDAYS[tm_then.tm_wday], hhmm)
    return '%s %02d' % (MONTHS[tm_then.tm_mon - 1], tm_then.tm_mday)


def sanitize(text):
    """Replace control characters as notmuch's sanitize_string() does.

    Tabs and newlines become spaces, other characters below 32 become '?'.
    A missing value prints as glibc's printf prints a NULL string.
    """
    if text is None:
        return '(null)'
    return ''.join(' ' if c in '\t\n' else '?' if ord(c) < 32 else c
                   for c in text)


def format_thread(thread, sort):
    """Return the summary line `notmuch search` prints for *thread*."""
    if sort == Notmuch.Sort.OLDEST_FIRST:
        date = thread.get_oldest_date()
    else:
        date = thread.get_newest_date()
    matched = thread.get_matched_messages()
    total = thread.get_total_messages()
    files = thread.get_total_files()
    if files == total:
        counts = '[%d/%d]' % (matched, total)
    else:
        counts = '[%d/%d(%d)]' % (matched, total, files)
    return 'thread:%s %12s %s %s; %s (%s)' % (
        thread.get_thread_id(), relative_date(date), counts,
        sanitize(thread.get_authors()), sanitize(thread.get_subject()),
        ' '.join(thread.get_tags()))


def exclude_tags(db):
    """The tags of the `search.exclude_tags` setting, as a list."""
    value = db.get_config('search.exclude_tags') or ''
    return [tag for tag in value.split(';') if tag]


def search(db, query_string, sort=None):
    """Return the Threads matching *query_string* the way `notmuch search` does.

    With no *sort*, the database's CLI-like shortcut is used (newest first,
    excluded tags from the configuration).  With a sort, a Query is set up with
    the same exclusions by hand.
    """
    if sort is None:
        return db.search_threads(query_string)
    query = Notmuch.Query.new(db, query_string)
    query.set_sort(sort)
    for tag in exclude_tags(db):
        query.add_tag_exclude(tag)
    query.set_exclude(Notmuch.Exclude.TRUE)
    return query.search_threads()


def one_line(message):
    """A GLib.Error message on one line, without libnotmuch's "Error: " prefix."""
    text = ' '.join(line.strip() for line in message.splitlines() if line.strip())
    return text[len('Error: '):] if text.startswith('Error: ') else text


def non_negative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must be 0 or more: %r' % text)
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='List the threads matching a notmuch query, in the format '
                    'of `notmuch search`.')
    parser.add_argument('--database', metavar='PATH',
                        help="the database directory (default: notmuch's own "
                             'configuration lookup)')
    parser.add_argument('--sort', choices=sorted(SORTS),
                        help='the order of the threads (default: newest)')
    parser.add_argument('--limit', type=non_negative, metavar='N',
                        help='print at most N threads')
    parser.add_argument('query', nargs='*', metavar='QUERY',
                        help='search terms, joined with spaces (default: *)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    query_string = ' '.join(args.query) or '*'
    sort = SORTS[args.sort] if args.sort else None

    out = sys.stdout
    if hasattr(out, 'reconfigure'):
        out.reconfigure(encoding='utf-8', errors='surrogateescape')

    try:
        db = Notmuch.Database.open(args.database, Notmuch.DatabaseMode.READ_ONLY)
        threads = search(db, query_string, sort)
        for thread in itertools.islice(threads, args.limit):
            if thread is None:  # cut short by a concurrent writer
                break
            out.write(format_thread(thread, sort) + '\n')
        threads.check()
        db.close()
        out.flush()
    except GLib.Error as e:
        print('search.py: error: %s' % one_line(e.message), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (search.py | head): stop quietly, as the CLI
        # does when SIGPIPE ends it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 141
    return 0


if __name__ == '__main__':
    sys.exit(main())
