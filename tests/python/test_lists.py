"""Lists a view can live on: any position in any order without running the search again,
one read for `len()` and `for`, removals through the same database, and lists that fill in
the background (Query.load_messages/load_threads)."""

import random

import pytest
from gi.repository import Gio, GLib, Notmuch

from nmhelpers import E, RW, cli_lines, ids, nm_error


def keys(items):
    return [i.get_thread_id() if isinstance(i, Notmuch.Thread) else i.get_message_id()
            for i in items]


def search(db, kind, query='*', sort=Notmuch.Sort.NEWEST_FIRST):
    q = Notmuch.Query.new(db, query)
    q.set_sort(sort)
    return q.search_threads() if kind == 'threads' else q.search_messages()


@pytest.mark.parametrize('kind', ['messages', 'threads'])
def test_any_order_gives_the_forward_walk(db, kind):
    forward = keys(iter(search(db, kind).next, None))
    assert len(forward) > 50
    model = search(db, kind)
    # Backwards from the end before anything was read, then random positions.
    n = len(forward)
    backward = [model.get_item(i) for i in reversed(range(n))]
    assert keys(reversed(backward)) == forward
    order = list(range(n))
    random.Random(7).shuffle(order)
    assert [keys([model.get_item(i)])[0] for i in order] == [forward[i] for i in order]
    assert model.get_item(n) is None
    assert model.check()


@pytest.mark.parametrize('kind', ['messages', 'threads'])
def test_for_equals_cursor_and_cli(db, cli, kind):
    model = search(db, kind)
    via_for = keys(model)
    via_cursor = keys(iter(search(db, kind).next, None))
    assert via_for == via_cursor
    output = 'messages' if kind == 'messages' else 'threads'
    prefix = 'id:' if kind == 'messages' else 'thread:'
    assert via_for == cli_lines(cli('search', '--output=' + output, '--exclude=false', '*'),
                                prefix)


def test_thread_positions_are_kept(db):
    """A thread read once is the same object at its position afterwards: the list keeps
    what it built instead of building it again."""
    threads = search(db, 'threads')
    n = len(threads)
    first = [threads.get_item(i) for i in range(n)]
    assert all(threads.get_item(i) is first[i] for i in range(0, n, 7))


def test_thread_keeps_its_summary_and_reads_messages_on_demand(db, cli_json):
    threads = search(db, 'threads', 'tag:inbox')
    summary = {t['thread']: t for t in cli_json('search', '--format=json', '--exclude=false',
                                                  'tag:inbox')}
    for thread in threads:
        s = summary[thread.get_thread_id()]
        assert thread.get_subject() == s['subject']
        assert thread.get_authors() == s['authors']
        assert thread.get_total_messages() == s['total']
        assert thread.get_matched_messages() == s['matched']
        assert thread.get_newest_date() == s['timestamp']
        assert thread.get_tags() == sorted(s['tags'], key=lambda t: t.encode())
        messages = thread.get_messages()
        assert len(messages) == s['total']
        matched = [m for m in messages if m.get_flag(Notmuch.MessageFlag.MATCH)]
        assert len(matched) == s['matched']


def test_n_items_property(db):
    threads = search(db, 'threads')
    assert threads.props.n_items == len(threads) == threads.get_n_items()
    messages = search(db, 'messages')
    assert messages.props.n_items == len(messages)
    assert messages.props.loading is False and threads.props.loading is False


@pytest.mark.parametrize('kind', ['messages', 'threads'])
def test_removing_through_the_same_database_mid_walk(writable, kind):
    """libnotmuch ends the process when a walk reaches a document removed since it started:
    the list starts a new walk that leaves out the removed message."""
    db = writable.open(RW)
    model = search(db, kind, sort=Notmuch.Sort.OLDEST_FIRST)
    first = model.get_item(0)
    # Remove every message of the last thread (or the last messages) before reaching them.
    victims = keys(iter(search(db, 'messages', sort=Notmuch.Sort.NEWEST_FIRST).next, None))[:5]
    for message_id in victims:
        message = db.find_message(message_id)
        for filename in message.get_filenames():
            db.remove_message(filename)
    rest = keys(model)
    after = keys(iter(search(db, kind, sort=Notmuch.Sort.OLDEST_FIRST).next, None))
    assert rest[0] == keys([first])[0]
    assert rest == after
    if kind == 'messages':
        assert not set(victims) & set(rest)
    assert model.check()
    db.close()


def test_cursor_ends_at_a_removal(writable):
    db = writable.open(RW)
    messages = search(db, 'messages')
    first = messages.next()
    db.remove_message(db.find_message(first.get_message_id()).get_filename())
    assert messages.next() is None
    with pytest.raises(GLib.Error) as e:
        messages.check()
    nm_error(e.value, E.OPERATION_INVALIDATED)
    db.close()


def run_until(predicate, timeout=30):
    context = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + timeout * 1000000
    while not predicate():
        assert GLib.get_monotonic_time() < deadline, 'timed out waiting on the main loop'
        context.iteration(True)


@pytest.mark.parametrize('kind', ['messages', 'threads'])
def test_load_fills_in_batches_in_order(db, kind):
    query = Notmuch.Query.new(db, '*')
    expected = keys(iter((query.search_threads() if kind == 'threads'
                          else query.search_messages()).next, None))
    model = query.load_threads(None) if kind == 'threads' else query.load_messages(None)
    assert model.props.loading is True
    assert len(model) == 0
    batches = []
    notified = []
    model.connect('items-changed', lambda m, pos, removed, added:
                  batches.append((pos, removed, added)))
    model.connect('notify::n-items', lambda m, p: notified.append(m.props.n_items))
    run_until(lambda: not model.props.loading)
    assert model.check()
    # Each batch appends after the previous one, and they sum to the whole list.
    position = 0
    for pos, removed, added in batches:
        assert (pos, removed) == (position, 0) and added > 0
        position += added
    assert position == len(expected) == len(model)
    assert batches[0][2] <= 50 < len(expected) and len(batches) > 1
    assert notified == [sum(b[2] for b in batches[:i + 1]) for i in range(len(batches))]
    assert keys(model) == expected


def test_load_cancelled_before_it_starts(db):
    """(The torture suite cancels a load half-way, on a corpus large enough for it.)"""
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    threads = Notmuch.Query.new(db, '*').load_threads(cancellable)
    run_until(lambda: not threads.props.loading)
    assert len(threads) == 0
    with pytest.raises(GLib.Error) as e:
        threads.check()
    assert e.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


@pytest.mark.parametrize('kind', ['threads', 'messages'])
def test_load_bad_query_reported_by_check(db, kind):
    """The search runs on the worker: its failure ends the loading, and check() says why."""
    query = Notmuch.Query.new(db, 'date:garbage..')
    with pytest.raises(GLib.Error) as e:
        getattr(query, 'search_' + kind)()
    nm_error(e.value, E.XAPIAN_EXCEPTION)
    model = getattr(query, 'load_' + kind)(None)
    run_until(lambda: not model.props.loading)
    assert len(model) == 0 and model.get_item(0) is None
    with pytest.raises(GLib.Error) as e:
        model.check()
    nm_error(e.value, E.XAPIAN_EXCEPTION)


def test_load_refused_query_fails_at_once(db):
    """What the library refuses before libnotmuch runs a query fails in load_*() itself."""
    with pytest.raises(GLib.Error) as e:
        Notmuch.Query.new_with_syntax(db, '(of)', Notmuch.QuerySyntax.SEXP).load_threads(None)
    nm_error(e.value, E.BAD_QUERY_SYNTAX)
