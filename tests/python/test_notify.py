"""Changes inside the process: every live Message of a message and every live Thread holding
it see a tag change made through any object of the database, and emit notify::tags on the
main context they were made on (never on the worker), before a synchronous call returns."""

import threading

import pytest
from gi.repository import GLib, Notmuch

from nmhelpers import RW


class Watch:
    """Records notify::tags of some objects, with the thread each arrived on."""

    def __init__(self, *objects):
        self.seen = []
        for o in objects:
            o.connect('notify::tags', self.record)

    def record(self, obj, pspec):
        self.seen.append((obj, threading.get_ident()))

    def objects(self):
        return [o for o, _ in self.seen]

    def threads(self):
        return {t for _, t in self.seen}


def pick(db, query='tag:inbox and not tag:flagged'):
    """A message and the thread holding it, found through a thread list."""
    threads = Notmuch.Query.new(db, query).search_threads()
    thread = threads[0]
    message_id = thread.get_messages()[0].get_message_id()
    return threads, thread, message_id


def drain():
    while GLib.MainContext.default().iteration(False):
        pass


def test_add_tag_reaches_every_object(writable):
    db = writable.open(RW)
    threads, thread, message_id = pick(db)
    a = db.find_message(message_id)
    b = db.find_message(message_id)
    listed = [m for m in db.search_messages('id:' + message_id)][0]
    watch = Watch(a, b, listed, thread)
    assert 'flagged' not in thread.get_tags()

    assert a.add_tag('flagged')
    # Synchronous, on this thread: notified before add_tag returned.
    assert set(map(id, watch.objects())) == {id(a), id(b), id(listed), id(thread)}
    assert watch.threads() == {threading.get_ident()}
    for m in (a, b, listed):
        assert 'flagged' in m.get_tags() and 'flagged' in m.props.tags
    assert 'flagged' in thread.get_tags() and 'flagged' in thread.props.tags
    # The list still holds that thread object.
    assert threads[0] is thread

    # A change that changes nothing notifies nothing.
    del watch.seen[:]
    assert b.add_tag('flagged')
    assert watch.seen == []

    assert b.remove_tag('flagged')
    assert {id(o) for o in watch.objects()} == {id(a), id(b), id(listed), id(thread)}
    assert 'flagged' not in thread.get_tags() and 'flagged' not in a.get_tags()
    db.close()


@pytest.mark.parametrize('change', ['set_tags', 'remove_all_tags', 'freeze_thaw',
                                    'maildir_flags_to_tags', 'tag_messages'])
def test_each_kind_of_change_notifies(writable, change):
    db = writable.open(RW)
    _, thread, message_id = pick(db)
    writer = db.find_message(message_id)
    reader = db.find_message(message_id)
    watch = Watch(reader, thread)
    before = reader.get_tags()
    if change == 'set_tags':
        writer.set_tags(['a-new-tag'])
    elif change == 'remove_all_tags':
        writer.remove_all_tags()
    elif change == 'freeze_thaw':
        writer.freeze()
        writer.add_tag('frozen-tag')
        assert watch.seen == [], 'nothing is notified before the outermost thaw'
        writer.thaw()
    elif change == 'maildir_flags_to_tags':
        # The corpus file names carry flags that its tags do not all mirror.
        writer.set_tags(['unrelated'])
        del watch.seen[:]
        writer.maildir_flags_to_tags()
    else:
        assert db.tag_messages('id:' + message_id, ['by-query'], []) == 1
    after = reader.get_tags()
    assert after != before or change == 'maildir_flags_to_tags'
    assert reader in watch.objects()
    assert thread in watch.objects()
    assert set(after) <= set(thread.get_tags())
    db.close()


def test_async_change_notifies_on_the_main_context(writable):
    db = writable.open(RW)
    _, thread, message_id = pick(db)
    reader = db.find_message(message_id)
    watch = Watch(reader, thread)
    done = []
    db.tag_messages_async('id:' + message_id, ['from-the-worker'], [], None,
                          lambda d, res: done.append(d.tag_messages_finish(res)))
    while not done or len(watch.seen) < 2:
        GLib.MainContext.default().iteration(True)
    assert done == [1]
    assert watch.threads() == {threading.get_ident()}
    assert 'from-the-worker' in reader.get_tags()
    assert 'from-the-worker' in thread.get_tags()
    db.close()


def test_change_from_another_thread_notifies_on_the_main_context(writable):
    db = writable.open(RW)
    _, thread, message_id = pick(db)
    reader = db.find_message(message_id)
    watch = Watch(reader, thread)

    def work():
        db.find_message(message_id).add_tag('from-a-thread')

    t = threading.Thread(target=work)
    t.start()
    t.join()
    # Nothing ran on the other thread; the main loop delivers.
    assert watch.seen == []
    drain()
    assert watch.threads() == {threading.get_ident()}
    assert {id(o) for o in watch.objects()} == {id(reader), id(thread)}
    db.close()


def test_loaded_thread_list_rows_notify(writable):
    """Threads of a list loaded on the worker belong to the caller's main context."""
    db = writable.open(RW)
    threads = Notmuch.Query.new(db, '*').load_threads(None)
    while threads.props.loading:
        GLib.MainContext.default().iteration(True)
    thread = threads[len(threads) // 2]
    watch = Watch(thread)
    message = thread.get_messages()[0]
    message.add_tag('seen-by-row')
    assert watch.objects() == [thread]
    assert watch.threads() == {threading.get_ident()}
    assert 'seen-by-row' in threads[len(threads) // 2].get_tags()
    db.close()


def test_subject_and_author_properties(db, cli_json):
    for message in db.search_messages('*'):
        subject = message.get_header('subject')
        author = message.get_header('from')
        assert message.props.subject == subject == message.get_subject()
        assert message.props.author == author == message.get_author()
    shown = cli_json('show', '--format=json', '--body=false', '--entire-thread=false',
                     'tag:inbox')
    checked = 0

    def walk(nodes):
        nonlocal checked
        for msg, replies in nodes:
            walk(replies)
            if msg is None:      # a message of the thread that did not match
                continue
            m = db.find_message(msg['id'])
            assert m.props.subject == (msg['headers'].get('Subject') or None)
            assert m.props.author == (msg['headers'].get('From') or None)
            checked += 1
    for thread in shown:
        walk(thread)
    assert checked > 10
