#!/usr/bin/python3
"""bench/run.py driver: notmuch-glib from Python through GObject-Introspection."""

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import Notmuch  # noqa: E402

import benchlib  # noqa: E402

READ_ONLY = Notmuch.DatabaseMode.READ_ONLY
READ_WRITE = Notmuch.DatabaseMode.READ_WRITE


def open_database(path):
    return Notmuch.Database.open(path, READ_ONLY)


def search(db, query_string, sort):
    query = Notmuch.Query.new(db, query_string)
    query.set_sort(sort)
    return query.search_messages()


def messages(db, timer, sink, sort=Notmuch.Sort.NEWEST_FIRST):
    with timer:
        for m in search(db, '*', sort):
            sink.append((m.get_message_id(), m.get_tags()))


def messages_cursor(db, timer, sink):
    with timer:
        messages = search(db, '*', Notmuch.Sort.NEWEST_FIRST)
        for m in iter(messages.next, None):
            sink.append((m.get_message_id(), m.get_tags()))


def messages_unsorted(db, timer, sink):
    messages(db, timer, sink, Notmuch.Sort.UNSORTED)


def messages_full(db, timer, sink):
    with timer:
        for m in search(db, '*', Notmuch.Sort.NEWEST_FIRST):
            sink.append((m.get_message_id(), m.get_tags(), m.get_header('from'),
                         m.get_header('subject'), m.get_date(), m.get_filename()))


def messages_full_cursor(db, timer, sink):
    with timer:
        messages = search(db, '*', Notmuch.Sort.NEWEST_FIRST)
        for m in iter(messages.next, None):
            sink.append((m.get_message_id(), m.get_tags(), m.get_header('from'),
                         m.get_header('subject'), m.get_date(), m.get_filename()))


def threads(db, timer, sink):
    with timer:
        for t in Notmuch.Query.new(db, '*').search_threads():
            sink.append((t.get_subject(), t.get_authors(), t.get_total_messages(),
                         t.get_matched_messages(), t.get_tags()))


def threads_cursor(db, timer, sink):
    with timer:
        threads = Notmuch.Query.new(db, '*').search_threads()
        for t in iter(threads.next, None):
            sink.append((t.get_subject(), t.get_authors(), t.get_total_messages(),
                         t.get_matched_messages(), t.get_tags()))


def counts(db, timer, sink, *queries):
    with timer:
        for q in queries:
            sink.append((Notmuch.Query.new(db, q).count_messages(),))


def tag_each(path, timer, sink, phase, query, tag):
    with timer:
        db = Notmuch.Database.open(path, READ_WRITE)
        db.begin_atomic()
        for m in search(db, query, Notmuch.Sort.UNSORTED):
            if phase == 'add':
                m.add_tag(tag)
            else:
                m.remove_tag(tag)
        db.end_atomic()
        db.close()


def tag_query(path, timer, sink, phase, query, tag):
    with timer:
        db = Notmuch.Database.open(path, READ_WRITE)
        if phase == 'add':
            db.tag_messages(query, [tag], [])
        else:
            db.tag_messages(query, [], [tag])
        db.close()


def open_close(path, timer, sink, n):
    with timer:
        for _ in range(int(n)):
            db = Notmuch.Database.open(path, READ_ONLY)
            db.close()
            sink.append(())


if __name__ == '__main__':
    benchlib.main({
        'W1': messages, 'W1u': messages_unsorted, 'W2': messages_full, 'W3': threads,
        'W1n': messages_cursor, 'W2n': messages_full_cursor, 'W3n': threads_cursor,
        'W4': counts, 'W5a': tag_each, 'W5b': tag_query, 'W6': open_close, 'W7': messages,
    }, open_database)
