#!/usr/bin/python3
"""bench/run.py driver: notmuch2, the CFFI binding shipped with notmuch."""

import notmuch2

import benchlib

Database = notmuch2.Database
NEWEST_FIRST = Database.SORT.NEWEST_FIRST
# The database given by its path, no configuration file (like the other contenders).
NO_CONFIG = Database.CONFIG.EMPTY


def open_database(path):
    return Database(path, config=NO_CONFIG)


def header(message, name):
    try:
        return message.header(name)
    except LookupError:
        return None


def messages(db, timer, sink, sort=NEWEST_FIRST):
    with timer:
        for m in db.messages('*', sort=sort):
            sink.append((m.messageid, list(m.tags)))


def messages_unsorted(db, timer, sink):
    messages(db, timer, sink, Database.SORT.UNSORTED)


def messages_full(db, timer, sink):
    with timer:
        for m in db.messages('*', sort=NEWEST_FIRST):
            # pathb (bytes) is notmuch2's fast accessor; path builds a pathlib.Path.
            sink.append((m.messageid, list(m.tags), header(m, 'from'), header(m, 'subject'),
                         m.date, m.pathb))


def threads(db, timer, sink):
    with timer:
        for t in db.threads('*', sort=NEWEST_FIRST):
            sink.append((t.subject, t.authors, len(t), t.matched, list(t.tags)))


def counts(db, timer, sink, *queries):
    with timer:
        for q in queries:
            sink.append((db.count_messages(q),))


def tag_each(path, timer, sink, phase, query, tag):
    with timer:
        db = Database(path, mode=Database.MODE.READ_WRITE, config=NO_CONFIG)
        with db.atomic():
            for m in db.messages(query, sort=Database.SORT.UNSORTED):
                if phase == 'add':
                    m.tags.add(tag)
                else:
                    m.tags.discard(tag)
        db.close()


def open_close(path, timer, sink, n):
    with timer:
        for _ in range(int(n)):
            db = Database(path, config=NO_CONFIG)
            db.close()
            sink.append(())


if __name__ == '__main__':
    benchlib.main({
        'W1': messages, 'W1u': messages_unsorted, 'W2': messages_full, 'W3': threads,
        'W4': counts, 'W5a': tag_each, 'W6': open_close, 'W7': messages,
    }, open_database)
