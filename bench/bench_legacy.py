#!/usr/bin/python3
"""bench/run.py driver: the legacy ctypes binding (python3-notmuch, `import notmuch`)."""

import notmuch

import benchlib

Database = notmuch.Database
Query = notmuch.Query


def open_database(path):
    return Database(path)


def search(db, query_string, sort):
    query = Query(db, query_string)
    query.set_sort(sort)
    return query.search_messages()


def messages(db, timer, sink, sort=Query.SORT.NEWEST_FIRST):
    with timer:
        for m in search(db, '*', sort):
            sink.append((m.get_message_id(), list(m.get_tags())))


def messages_unsorted(db, timer, sink):
    messages(db, timer, sink, Query.SORT.UNSORTED)


def messages_full(db, timer, sink):
    with timer:
        for m in search(db, '*', Query.SORT.NEWEST_FIRST):
            sink.append((m.get_message_id(), list(m.get_tags()), m.get_header('from'),
                         m.get_header('subject'), m.get_date(), m.get_filename()))


def threads(db, timer, sink):
    with timer:
        query = Query(db, '*')
        query.set_sort(Query.SORT.NEWEST_FIRST)
        for t in query.search_threads():
            sink.append((t.get_subject(), t.get_authors(), t.get_total_messages(),
                         t.get_matched_messages(), list(t.get_tags())))


def counts(db, timer, sink, *queries):
    with timer:
        for q in queries:
            sink.append((Query(db, q).count_messages(),))


def tag_each(path, timer, sink, phase, query, tag):
    with timer:
        db = Database(path, mode=Database.MODE.READ_WRITE)
        db.begin_atomic()
        for m in search(db, query, Query.SORT.UNSORTED):
            if phase == 'add':
                m.add_tag(tag)
            else:
                m.remove_tag(tag)
        db.end_atomic()
        db.close()


def open_close(path, timer, sink, n):
    with timer:
        for _ in range(int(n)):
            db = Database(path)
            db.close()
            sink.append(())


if __name__ == '__main__':
    benchlib.main({
        'W1': messages, 'W1u': messages_unsorted, 'W2': messages_full, 'W3': threads,
        'W4': counts, 'W5a': tag_each, 'W6': open_close, 'W7': messages,
    }, open_database)
