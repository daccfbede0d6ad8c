"""Query objects, s-expression queries, exclude modes and the GListModel behaviour of
Messages and Threads."""

import json
import random

import pytest
from gi.repository import Gio, GLib, GObject, Notmuch

from nmhelpers import byte_sorted, cli_lines, ids

Sort = Notmuch.Sort
Exclude = Notmuch.Exclude
Flag = Notmuch.MessageFlag
SEXP = Notmuch.QuerySyntax.SEXP
XAPIAN = Notmuch.QuerySyntax.XAPIAN


# -- properties -----------------------------------------------------------------------------

def test_query_defaults(db):
    q = Notmuch.Query.new(db, 'tag:inbox and not tag:unread')
    assert q.get_query_string() == 'tag:inbox and not tag:unread'
    assert q.props.query_string == 'tag:inbox and not tag:unread'
    assert q.get_syntax() == XAPIAN == q.props.syntax
    assert q.get_sort() == Sort.NEWEST_FIRST == q.props.sort
    assert q.get_exclude() == Exclude.TRUE == q.props.exclude
    assert q.get_excluded_tags() == [] == q.props.excluded_tags
    assert q.get_database() is db
    assert q.props.database is db


def test_query_setters(db):
    q = Notmuch.Query.new(db, '*')
    q.set_sort(Sort.OLDEST_FIRST)
    assert q.get_sort() == Sort.OLDEST_FIRST == q.props.sort
    q.props.sort = Sort.MESSAGE_ID
    assert q.get_sort() == Sort.MESSAGE_ID
    q.set_exclude(Exclude.FLAG)
    assert q.get_exclude() == Exclude.FLAG == q.props.exclude
    q.props.exclude = Exclude.ALL
    assert q.get_exclude() == Exclude.ALL
    assert q.add_tag_exclude('spam') is True
    assert q.add_tag_exclude('deleted') is True
    assert q.add_tag_exclude('ünïcode') is True
    # In the order added, not sorted.
    assert q.get_excluded_tags() == ['spam', 'deleted', 'ünïcode']
    assert q.props.excluded_tags == ['spam', 'deleted', 'ünïcode']


def test_sexp_query_properties(db):
    q = Notmuch.Query.new_with_syntax(db, '(tag inbox)', SEXP)
    assert q.get_syntax() == SEXP == q.props.syntax
    assert q.get_query_string() == '(tag inbox)'
    x = Notmuch.Query.new_with_syntax(db, 'tag:inbox', XAPIAN)
    assert x.get_syntax() == XAPIAN


def test_search_snapshots_query_settings(db, cli):
    """Changing a query after a search does not change that search's results."""
    q = Notmuch.Query.new(db, 'tag:inbox')
    newest = q.search_messages()
    threads = q.search_threads()
    q.set_sort(Sort.OLDEST_FIRST)
    q.add_tag_exclude('todo')
    expected = cli_lines(cli('search', '--output=messages', '--exclude=false', 'tag:inbox'),
                         'id:')
    assert ids(newest) == expected
    assert len(newest) == len(expected)
    assert ids(threads) == cli_lines(cli('search', '--output=threads', '--exclude=false',
                                         'tag:inbox'), 'thread:')
    assert ids(q.search_messages())[0] != expected[0]


# -- s-expression queries -------------------------------------------------------------------

SEXP_QUERIES = ['(tag inbox)', '(and (tag inbox) (not (tag unread)))',
                '(or (tag todo) (tag Zeta))', '(subject release)', '(from "example.org")',
                '(tag deleted)', '(date 2023-01-01 2023-12-31)']


@pytest.mark.parametrize('sexp', SEXP_QUERIES)
def test_sexp_queries_match_cli(db, cli, sexp):
    q = Notmuch.Query.new_with_syntax(db, sexp, SEXP)
    msgs = cli_lines(cli('search', '--query=sexp', '--output=messages', '--exclude=false',
                         sexp), 'id:')
    threads = cli_lines(cli('search', '--query=sexp', '--output=threads', '--exclude=false',
                            sexp), 'thread:')
    assert msgs, sexp
    assert q.count_messages() == len(msgs)
    assert q.count_threads() == len(threads)
    assert ids(q.search_messages()) == msgs
    assert ids(q.search_threads()) == threads
    assert int(cli('count', '--query=sexp', '--exclude=false', sexp)) == len(msgs)


def test_sexp_equals_xapian(db):
    a = Notmuch.Query.new_with_syntax(db, '(and (tag inbox) (not (tag unread)))', SEXP)
    b = Notmuch.Query.new(db, 'tag:inbox and not tag:unread')
    assert ids(a.search_messages()) == ids(b.search_messages())


# -- sorts ----------------------------------------------------------------------------------

def test_sort_message_id_is_byte_order(db):
    q = Notmuch.Query.new(db, '*')
    q.set_sort(Sort.MESSAGE_ID)
    got = ids(q.search_messages())
    assert got == byte_sorted(got)
    q.set_sort(Sort.UNSORTED)
    unsorted = ids(q.search_messages())
    assert sorted(unsorted) == sorted(got)
    assert len(unsorted) == q.count_messages()


def test_sort_orders_by_date(db):
    q = Notmuch.Query.new(db, '*')
    q.set_sort(Sort.OLDEST_FIRST)
    dates = [m.get_date() for m in q.search_messages()]
    assert dates == sorted(dates)
    q.set_sort(Sort.NEWEST_FIRST)
    dates = [m.get_date() for m in q.search_messages()]
    assert dates == sorted(dates, reverse=True)
    dates = [t.get_newest_date() for t in q.search_threads()]
    assert dates == sorted(dates, reverse=True)


# -- exclude modes --------------------------------------------------------------------------

CLI_EXCLUDE = {Exclude.FLAG: 'flag', Exclude.TRUE: 'true', Exclude.FALSE: 'false',
               Exclude.ALL: 'all'}


def excluding_query(db, q, mode):
    query = Notmuch.Query.new(db, q)
    query.add_tag_exclude('deleted')
    query.add_tag_exclude('spam')
    query.set_exclude(mode)
    return query


@pytest.mark.parametrize('q', ['*', 'tag:inbox', 'tag:todo or tag:unread'])
@pytest.mark.parametrize('mode', list(CLI_EXCLUDE), ids=list(CLI_EXCLUDE.values()))
def test_exclude_modes(db, cli, corpus, q, mode):
    query = excluding_query(db, q, mode)
    msgs = query.search_messages()
    items = list(msgs)
    # len() equals what iteration yields, in every mode, and equals count_messages().
    assert len(msgs) == len(items) == query.count_messages()
    assert None not in items
    got_ids = {m.get_message_id() for m in items}
    all_ids = set(cli_lines(cli('search', '--output=messages', '--exclude=false', q), 'id:'))
    excluded_here = all_ids & corpus.excluded_ids
    if mode in (Exclude.FLAG, Exclude.FALSE):
        assert got_ids == all_ids
    else:
        assert got_ids == all_ids - corpus.excluded_ids
        assert len(items) == int(cli('count', q))
    flagged = {m.get_message_id() for m in items if m.get_flag(Flag.EXCLUDED)}
    if mode == Exclude.FLAG:
        assert flagged == excluded_here
    else:
        assert flagged == set()
    if q == '*':
        assert excluded_here

    # Threads: identical to `notmuch search --exclude=<mode>`.
    threads = query.search_threads()
    titems = list(threads)
    assert len(threads) == len(titems) == query.count_threads()
    expected = json.loads(cli('search', '--format=json', '--exclude=' + CLI_EXCLUDE[mode], q))
    assert [t.get_thread_id() for t in titems] == [e['thread'] for e in expected]
    assert [(t.get_matched_messages(), t.get_total_messages()) for t in titems] == \
        [(e['matched'], e['total']) for e in expected]
    assert [t.get_authors() for t in titems] == [e['authors'] for e in expected]


def test_exclude_all_removes_messages_from_threads(db, corpus):
    query = excluding_query(db, '*', Exclude.ALL)
    for thread in query.search_threads():
        members = [m.get_message_id() for m in thread.get_messages()]
        assert not set(members) & corpus.excluded_ids
        assert len(members) == thread.get_total_messages()


@pytest.mark.parametrize('mode', [Exclude.FLAG, Exclude.TRUE, Exclude.FALSE],
                         ids=['flag', 'true', 'false'])
def test_excluded_messages_inside_threads(db, corpus, mode):
    """A thread keeps its excluded messages (except with ALL); they carry EXCLUDED unless
    the mode is FALSE, and only matched, non-excluded messages count as matched."""
    query = excluding_query(db, '*', mode)
    seen = set()
    for thread in query.search_threads():
        messages = list(thread.get_messages())
        for m in messages:
            excluded = m.get_message_id() in corpus.excluded_ids
            if excluded:
                seen.add(m.get_message_id())
            assert m.get_flag(Flag.EXCLUDED) == (excluded and mode != Exclude.FALSE)
        assert thread.get_matched_messages() == sum(
            1 for m in messages if m.get_flag(Flag.MATCH) and not m.get_flag(Flag.EXCLUDED))
    # Excluded single messages of longer threads are reached in every one of these modes.
    assert set(corpus.tagged['spam']) & seen and set(corpus.tagged['deleted']) & seen


# -- GListModel -----------------------------------------------------------------------------

@pytest.fixture(params=['messages', 'threads', 'thread-messages'])
def model(request, db):
    if request.param == 'messages':
        return Notmuch.Query.new(db, 'tag:inbox').search_messages()
    if request.param == 'threads':
        return Notmuch.Query.new(db, '*').search_threads()
    biggest = max(Notmuch.Query.new(db, '*').search_threads(),
                  key=lambda t: t.get_total_messages())
    assert biggest.get_total_messages() >= 5
    return biggest.get_messages()


def test_model_is_list_model(model):
    assert isinstance(model, Gio.ListModel)
    item_type = model.get_item_type()
    assert item_type in (Notmuch.Message.__gtype__, Notmuch.Thread.__gtype__)
    first = model.get_item(0)
    assert GObject.type_is_a(first.__gtype__, item_type)


def test_model_len_equals_iteration(model):
    items = list(model)
    assert len(items) == len(model) == model.get_n_items() > 3
    assert None not in items
    assert model.check() is True


def test_model_iterate_twice(model):
    first = ids(model)
    second = ids(model)
    assert first == second
    assert len(set(first)) == len(first)


def test_model_indexing(model):
    order = ids(model)
    n = len(order)
    assert ids([model[0]]) == order[:1]
    assert ids([model[n - 1]]) == order[-1:]
    assert ids([model[-1]]) == order[-1:]
    assert ids([model[-n]]) == order[:1]
    assert ids(model[1:4]) == order[1:4]
    for bad in (n, n + 1, 10 ** 6, -n - 1):
        with pytest.raises(IndexError):
            model[bad]
    assert model.get_item(n) is None
    assert model.get_item(n + 100) is None


def test_model_random_access(model):
    order = ids(model)
    n = len(order)
    # Every backwards step restarts the walk (threads are rebuilt): keep it to ~60 steps.
    positions = list(range(n))
    rng = random.Random(7)
    rng.shuffle(positions)
    positions = positions[:40] + [0, n - 1, 0, n - 1]
    for i in positions:
        assert ids([model[i]]) == [order[i]]
    for i in reversed(range(n - 12, n)):
        assert ids([model.get_item(i)]) == [order[i]]
    assert ids(model) == order


def test_model_interleaved_iterators(model):
    order = ids(model)
    k = min(len(order), 25)
    a, b = iter(model), iter(model)
    got_a, got_b = [], []
    for _ in range(k):
        got_a.append(next(a))
        got_b.append(next(b))
    assert ids(got_a) == ids(got_b) == order[:k]


def test_model_next_reads_every_item_once(model):
    """next() walks its own cursor: the items of a `for` loop, in order, then None for good."""
    order = ids(model)
    assert ids(iter(model.next, None)) == order
    assert model.next() is None
    assert model.next() is None
    assert model.check() is True


def test_model_next_and_get_item_are_separate(model):
    order = ids(model)
    n = len(order)
    got = []
    for i in range(n):
        got.append(model.next())
        assert ids([model.get_item(n - 1 - i)]) == [order[n - 1 - i]]   # backwards: reruns
    assert ids(got) == order
    assert model.next() is None
    assert ids(model) == order


def test_model_next_walks_a_search_never_counted(db):
    """A cursor walk of a search it did not count gives the count all the same."""
    threads = Notmuch.Query.new(db, '*').search_threads()
    walked = sum(1 for _ in iter(threads.next, None))
    assert walked == Notmuch.Query.new(db, '*').count_threads() == len(threads)


def test_model_next_after_reopen(corpus):
    """A reopen invalidates the list: next() gives None at once and check() says why."""
    db = Notmuch.Database.open(corpus.mail_root, Notmuch.DatabaseMode.READ_ONLY)
    messages = db.search_messages('*')
    threads = db.search_threads('*')
    assert messages.next() is not None and threads.next() is not None
    db.reopen(Notmuch.DatabaseMode.READ_ONLY)
    assert messages.next() is None and threads.next() is None
    for model in (messages, threads):
        with pytest.raises(GLib.Error) as ei:
            model.check()
        assert ei.value.code == Notmuch.Error.OPERATION_INVALIDATED
    db.close()


def test_collect_tags_does_not_consume(db):
    msgs = Notmuch.Query.new(db, 'tag:inbox').search_messages()
    before = ids(msgs)
    half = [msgs[i] for i in range(len(before) // 2)]
    tags = msgs.collect_tags()
    assert tags == byte_sorted({t for m in msgs for t in m.get_tags()})
    assert ids(msgs) == before
    assert len(msgs) == len(before)
    assert msgs.collect_tags() == tags
    assert ids(half) == before[:len(half)]


def test_collect_tags_fresh_model(db):
    """collect_tags() first, then a walk: the walk is complete."""
    msgs = Notmuch.Query.new(db, '*').search_messages()
    assert 'inbox' in msgs.collect_tags()
    assert len(ids(msgs)) == len(msgs) == Notmuch.Query.new(db, '*').count_messages()


def test_thread_models_twice(db):
    thread = max(Notmuch.Query.new(db, '*').search_threads(),
                 key=lambda t: t.get_total_messages())
    walks = []
    for _ in range(3):
        walk = []

        def visit(messages):
            for m in messages:
                walk.append(m.get_message_id())
                visit(m.get_replies())
        visit(thread.get_toplevel_messages())
        walks.append(walk)
    assert walks[0] == walks[1] == walks[2]
    assert sorted(walks[0]) == sorted(ids(thread.get_messages()))
