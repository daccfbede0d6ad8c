"""Lifetime torture (scenarios T01-T07 and T16 of tests/README.md), each scenario in a child
interpreter so that a crash (SIGSEGV, talloc abort, exit(1)) is a failed test with a return
code."""

import collections
import json
import textwrap

import pytest

from nmhelpers import cli_lines, show_tree

CLOSED = 24


def ok(result):
    assert result.returncode == 0, result
    return result.merged()


# -- T01: keep message wrappers, drop the database and the query ----------------------------

def test_t01_messages_outlive_database_and_query(run_py, corpus, show_index):
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RO)
    query = Notmuch.Query.new(db, '*')
    messages = list(query.search_messages())
    del db, query
    gc.collect()
    rows = [[m.get_message_id(), m.get_tags(), m.get_filenames(), m.get_filename(),
             m.get_thread_id(), m.get_date()] for m in messages]
    del messages
    gc.collect()
    out(rows=rows)
    ''', corpus.mail_root)
    rows = ok(r)['rows']
    _, flat, thread_of = show_index
    assert len(rows) == len(flat)
    assert [row[0] for row in rows] == cli_lines(corpus.cli('search', '--output=messages',
                                                             '--exclude=false', '*'), 'id:')
    for mid, tags, filenames, filename, tid, date in rows:
        js = flat[mid]
        assert tags == js['tags']
        assert filenames == js['filename']
        assert filename == js['filename'][0]
        assert tid == thread_of[mid]
        assert date == js['timestamp']


# -- T02: list() of every kind of model, then use every element ------------------------------

def test_t02_list_then_use(run_py, corpus, show_index):
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RO)
    messages = list(db.search_messages('*'))
    threads = list(Notmuch.Query.new(db, '*').search_threads())
    thread_messages = [list(t.get_messages()) for t in threads]
    gc.collect()
    out(messages=[[m.get_message_id(), m.get_tags(), m.get_header('subject')]
                  for m in messages])
    out(threads=[[t.get_thread_id(), t.get_subject(), t.get_authors(), t.get_total_messages(),
                  t.get_tags()] for t in threads])
    out(members=[[m.get_message_id() for m in ms] for ms in thread_messages],
        member_tags=[[m.get_tags() for m in ms] for ms in thread_messages])
    ''', corpus.mail_root)
    v = ok(r)
    by_thread, flat, _ = show_index
    assert [m[0] for m in v['messages']] == cli_lines(corpus.cli('search', '--output=messages',
                                                                  '*'), 'id:')
    for mid, tags, subject in v['messages']:
        assert tags == flat[mid]['tags']
        assert subject == flat[mid]['headers']['Subject']
    assert [t[0] for t in v['threads']] == list(by_thread)
    summary = {t['thread']: t for t in json.loads(corpus.cli('search', '--format=json',
                                                             '--exclude=false', '*'))}
    for (tid, subject, authors, total, tags), members, member_tags in zip(
            v['threads'], v['members'], v['member_tags']):
        assert (subject, authors, total, tags) == (summary[tid]['subject'],
                                                   summary[tid]['authors'],
                                                   summary[tid]['total'], summary[tid]['tags'])
        assert len(members) == total
        expected = sorted((mid for mid in flat if show_index[2][mid] == tid),
                          key=lambda mid: flat[mid]['timestamp'])
        assert members == expected
        assert member_tags == [flat[mid]['tags'] for mid in members]


# -- T03: walk reply trees three times, dropping every wrapper in between --------------------

WALK = '''
def walk(messages):
    return [[m.get_message_id(), m.get_tags(), walk(m.get_replies())] for m in messages]

def strip(tree):
    return [[i, strip(c)] for i, _, c in tree]
'''


def test_t03_rewalk_thread(run_py, corpus, show_index):
    by_thread, _, _ = show_index
    # The threads with the deepest reply trees.
    def depth(nodes):
        return 1 + max((depth(r) for _, r in nodes), default=0)
    deep = sorted(by_thread, key=lambda tid: (-depth(show_tree(by_thread[tid])), tid))[:3]
    r = run_py(WALK + textwrap.dedent('''
    db = Notmuch.Database.open(sys.argv[1], RO)
    for tid in sys.argv[2:]:
        thread = Notmuch.Query.new(db, 'thread:' + tid).search_threads()[0]
        walks = []
        for i in range(3):
            walks.append(walk(thread.get_toplevel_messages()))
            flat = [m.get_message_id() for m in thread.get_messages()]
            gc.collect()
        out(**{tid: [strip(w) for w in walks], tid + '-flat': flat})
    # Keep only one top-level message: it must keep its thread's memory alive.
    thread = Notmuch.Query.new(db, 'thread:' + sys.argv[2]).search_threads()[0]
    root = thread.get_toplevel_messages()[0]
    del thread, db
    gc.collect()
    out(root=[strip(walk([root])) for i in range(3)])
    '''), corpus.mail_root, *deep)
    v = ok(r)
    for tid in deep:
        expected = [list(x) for x in show_tree(by_thread[tid])]
        walks = v[tid]
        assert walks[0] == walks[1] == walks[2]
        assert jsonable(show_tree(by_thread[tid])) == walks[0]
        assert len(v[tid + '-flat']) == count_nodes(show_tree(by_thread[tid]))
        assert expected
    first = jsonable(show_tree(by_thread[deep[0]]))[:1]
    assert v['root'] == [first, first, first]
    assert depth(show_tree(by_thread[deep[0]])) >= 3


def jsonable(tree):
    return [[i, jsonable(c)] for i, c in tree]


def count_nodes(tree):
    return sum(1 + count_nodes(c) for _, c in tree)


# -- T05: a database inside a reference cycle ------------------------------------------------

T05_SETUP = '''
db = Notmuch.Database.open(sys.argv[1], RO)
messages = db.search_messages('*')
threads = db.search_threads('*')
first = list(messages)[:20]
thread = threads[0]
db.cache = [messages, threads, first, thread, thread.get_messages(),
            first[0].get_tags(), db.get_all_tags(), db]
holder = {'db': db}
holder['self'] = holder
first[0].holder = holder
expected = [m.get_message_id() for m in first]
'''


def test_t05_cycle_collected(run_py, corpus):
    r = run_py(T05_SETUP + textwrap.dedent('''
    del db, messages, threads, first, thread, holder
    print('collected', gc.collect(), file=sys.stderr)
    out(done=True, n=len(expected))
    '''), corpus.mail_root)
    assert ok(r) == {'done': True, 'n': 20}


def test_t05_cycle_left_to_exit(run_py, corpus):
    r = run_py(T05_SETUP + textwrap.dedent('''
    out(n=len(expected), ids=[m.get_message_id() for m in db.cache[2]])
    '''), corpus.mail_root)
    v = ok(r)
    assert v['n'] == 20
    assert v['ids'] == cli_lines(corpus.cli('search', '--output=messages', '*'), 'id:')[:20]


def test_t05_cycle_left_to_exit_after_close(run_py, corpus):
    r = run_py(T05_SETUP + textwrap.dedent('''
    db.close()
    out(ids=[m.get_message_id() for m in db.cache[2]])
    '''), corpus.mail_root)
    assert len(ok(r)['ids']) == 20


def test_writable_database_finalized_at_exit_commits(run_py, writable):
    """T16 (c): a writable database dropped at normal interpreter exit commits."""
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    for m in list(db.search_messages('tag:inbox'))[:25]:
        m.add_tag('at-exit')
    out(done=True)
    ''', writable.mail_root)
    ok(r)
    assert int(writable.cli('count', '--exclude=false', 'tag:at-exit')) == 25


def test_writable_database_in_cycle_commits_at_exit(run_py, writable):
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    messages = list(db.search_messages('tag:inbox'))[:25]
    for m in messages:
        m.add_tag('cycle-exit')
    db.cache = [messages, db]
    del db, messages, m
    gc.collect()
    out(done=True)
    ''', writable.mail_root)
    ok(r)
    assert int(writable.cli('count', '--exclude=false', 'tag:cycle-exit')) == 25


# -- T06: run_dispose on the database and the query ------------------------------------------

def test_t06_run_dispose(run_py, corpus):
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RO)
    query = Notmuch.Query.new(db, '*')
    messages = query.search_messages()
    threads = query.search_threads()
    m0 = messages[0]
    before = [m0.get_message_id(), m0.get_tags(), m0.get_filenames(), len(messages),
              threads[0].get_thread_id(), threads[0].get_subject()]
    GObject.Object.run_dispose(query)
    GObject.Object.run_dispose(db)
    results = []
    def attempt(name, f):
        try:
            v = f()
            results.append([name, 'ok', v])
        except GLib.Error as e:
            results.append([name, e.domain, e.code])
    attempt('m0', lambda: [m0.get_message_id(), m0.get_tags(), m0.get_filenames()])
    attempt('len', lambda: len(messages))
    attempt('ids', lambda: [m.get_message_id() for m in messages if m is not None][:3])
    attempt('thread', lambda: [threads[0].get_thread_id(), threads[0].get_subject()])
    attempt('count', lambda: query.count_messages())
    attempt('db.count', lambda: db.count_messages('*'))
    attempt('find', lambda: db.find_message(before[0]).get_message_id())
    attempt('close', lambda: db.close())
    attempt('after-close', lambda: query.count_messages())
    out(before=before, results=results)
    del db, query, messages, threads, m0
    gc.collect()
    out(end=True)
    ''', corpus.mail_root)
    v = ok(r)
    assert v['end'] is True
    before = v['before']
    for name, status, value in v['results']:
        if status != 'ok':
            assert (status, value) == ('nm-error-quark', CLOSED), name
    res = {name: (status, value) for name, status, value in v['results']}
    if res['m0'][0] == 'ok':
        assert res['m0'][1] == before[:3]
    if res['thread'][0] == 'ok':
        assert res['thread'][1] == before[4:6]
    if res['ids'][0] == 'ok' and res['ids'][1]:
        assert res['ids'][1][0] == before[0]
    assert res['close'] == ('ok', True)
    assert res['after-close'] == ('nm-error-quark', CLOSED)


# -- T07: one live object of every type, close, call every method ----------------------------

T07 = '''
db = Notmuch.Database.open(sys.argv[1], RW)
query = Notmuch.Query.new(db, '*')
messages = query.search_messages()
threads = query.search_threads()
thread = max(list(threads), key=lambda t: t.get_total_messages())
thread_messages = thread.get_messages()
toplevel = thread.get_toplevel_messages()
tmsg = thread_messages[0]
replies = toplevel[0].get_replies()
msg = messages[0]
found = db.find_message(msg.get_message_id())
ghost = db.find_message(sys.argv[2])
directory = db.get_directory('INBOX/cur')
options = db.get_default_index_options()
tags = msg.get_tags()
cached = {'msg.id': msg.get_message_id(), 'thread.id': thread.get_thread_id(),
          'thread.subject': thread.get_subject(), 'thread.authors': thread.get_authors(),
          'thread.total': thread.get_total_messages(), 'thread.tags': thread.get_tags(),
          'path': db.get_path(), 'revision': db.get_revision()[0]}
filename = msg.get_filename()
out(cached=cached, first_close=db.close(), second_close=db.close())

K = Notmuch.ConfigKey
calls = [
  ('db', db, 'close', ()), ('db', db, 'reopen', (RO,)), ('db', db, 'commit', ()),
  ('db', db, 'begin_atomic', ()), ('db', db, 'end_atomic', ()), ('db', db, 'get_path', ()),
  ('db', db, 'get_mode', ()), ('db', db, 'get_version', ()), ('db', db, 'get_revision', ()),
  ('db', db, 'needs_upgrade', ()), ('db', db, 'get_lock_timeout', ()),
  ('db', db, 'find_message', ('x@y',)), ('db', db, 'find_message_by_filename', (filename,)),
  ('db', db, 'index_file', (filename, None)), ('db', db, 'remove_message', (filename,)),
  ('db', db, 'get_all_tags', ()), ('db', db, 'get_directory', ('INBOX',)),
  ('db', db, 'get_default_index_options', ()), ('db', db, 'get_config', ('user.name',)),
  ('db', db, 'set_config', ('a.b', 'c')), ('db', db, 'get_config_list', ('',)),
  ('db', db, 'get_config_value', (K.NEW_TAGS,)), ('db', db, 'get_config_values', (K.NEW_TAGS,)),
  ('db', db, 'get_config_bool', (K.SYNC_MAILDIR_FLAGS,)),
  ('db', db, 'set_config_value', (K.USER_NAME, 'x')),
  ('db', db, 'search_messages', ('*',)), ('db', db, 'search_threads', ('*',)),
  ('db', db, 'count_messages', ('*',)), ('db', db, 'count_threads', ('*',)),
  ('db', db, 'tag_messages', ('*', ['a'], [])), ('db', db, 'upgrade', (None,)),
  ('db', db, 'compact', (None, None)),
]
for label, m in (('msg', msg), ('found', found), ('tmsg', tmsg), ('ghost', ghost)):
    calls += [(label, m, name, args) for name, args in [
      ('get_message_id', ()), ('get_thread_id', ()), ('get_date', ()),
      ('get_header', ('subject',)), ('get_header', ('x-foo',)), ('get_filename', ()),
      ('get_filenames', ()), ('get_tags', ()), ('has_tag', ('inbox',)),
      ('get_flag', (Notmuch.MessageFlag.MATCH,)), ('get_flag', (Notmuch.MessageFlag.GHOST,)),
      ('get_flag', (Notmuch.MessageFlag.EXCLUDED,)), ('get_replies', ()),
      ('add_tag', ('z',)), ('remove_tag', ('z',)), ('remove_all_tags', ()),
      ('set_tags', (['a'],)), ('freeze', ()), ('thaw', ()), ('maildir_flags_to_tags', ()),
      ('tags_to_maildir_flags', ()), ('has_maildir_flag', ('S',)), ('reindex', (None,)),
      ('get_property_values', ('k',)), ('add_property', ('k', 'v')),
      ('remove_property', ('k', None)), ('remove_all_properties', (None,)),
      ('count_properties', ('k',)), ('get_all_properties', (None, False)),
      ('get_database', ())]]
calls += [('thread', thread, name, ()) for name in [
  'get_thread_id', 'get_subject', 'get_authors', 'get_matched_authors',
  'get_unmatched_authors', 'get_oldest_date', 'get_newest_date', 'get_total_messages',
  'get_matched_messages', 'get_total_files', 'get_messages', 'get_toplevel_messages',
  'get_tags']]
calls += [('query', query, name, args) for name, args in [
  ('get_query_string', ()), ('get_syntax', ()), ('get_sort', ()),
  ('set_sort', (Notmuch.Sort.OLDEST_FIRST,)), ('get_exclude', ()),
  ('set_exclude', (Notmuch.Exclude.FLAG,)), ('add_tag_exclude', ('x',)),
  ('get_excluded_tags', ()), ('search_messages', ()), ('search_threads', ()),
  ('count_messages', ()), ('count_threads', ()), ('get_database', ())]]
for label, model in (('messages', messages), ('thread_messages', thread_messages),
                     ('toplevel', toplevel), ('replies', replies), ('threads', threads)):
    calls += [(label, model, name, args) for name, args in [
      ('get_n_items', ()), ('get_item', (0,)), ('get_item', (1,)), ('get_item', (10 ** 6,)),
      ('check', ()), ('get_item_type', ())]]
    if label != 'threads':
        calls.append((label, model, 'collect_tags', ()))
calls += [('directory', directory, name, args) for name, args in [
  ('get_path', ()), ('get_mtime', ()), ('set_mtime', (5,)), ('get_child_files', ()),
  ('get_child_directories', ()), ('delete', ())]]
calls += [('options', options, 'get_decrypt_policy', ()),
          ('options', options, 'set_decrypt_policy', (Notmuch.DecryptPolicy.TRUE,))]
calls += [('Query', Notmuch.Query, 'new', (db, '*')),
          ('Query', Notmuch.Query, 'new_with_syntax', (db, '(tag x)', Notmuch.QuerySyntax.SEXP))]

def show(v):
    if isinstance(v, (Notmuch.Messages, Notmuch.Threads)):
        items = [x for x in v]
        return ['model', len(v), sum(x is not None for x in items)]
    if isinstance(v, GObject.Object):
        return ['object', type(v).__name__]
    if isinstance(v, (GObject.GEnum, GObject.GFlags)):
        return int(v)
    if isinstance(v, tuple):
        return [show(x) for x in v]
    if isinstance(v, GObject.GType):
        return v.name
    return v

results = []
for label, obj, name, args in calls:
    try:
        value = getattr(obj, name)(*args)
        results.append([label, name, 'ok', show(value)])
    except GLib.Error as e:
        results.append([label, name, e.domain, e.code])
# The models can still be iterated: the walk ends without a crash.
walked = {}
for label, model in (('messages', messages), ('threads', threads),
                     ('thread_messages', thread_messages)):
    walked[label] = sum(1 for x in model if x is not None)
out(results=results, walked=walked, tags=tags)
del db, query, messages, threads, thread, thread_messages, toplevel, tmsg, replies, msg
del found, ghost, directory, options
gc.collect()
out(end=True)
'''


def test_t07_every_method_after_close(run_py, writable, corpus):
    ghost = sorted(corpus.info['ghost_ids'])[0]
    r = run_py(T07, writable.mail_root, ghost)
    v = ok(r)
    assert v['end'] is True
    assert v['first_close'] is True and v['second_close'] is True
    results = v['results']
    assert len(results) > 200
    errors = collections.Counter()
    for label, name, status, value in results:
        if status != 'ok':
            assert (status, value) == ('nm-error-quark', CLOSED), (label, name, status, value)
            errors[label] += 1
    res = {(label, name): (status, value) for label, name, status, value in results}
    cached = v['cached']
    # Writes and reads that need the index all fail with CLOSED_DATABASE ...
    for call in [('db', 'commit'), ('db', 'find_message'), ('db', 'search_messages'),
                 ('db', 'count_messages'), ('db', 'get_all_tags'), ('db', 'get_config'),
                 ('db', 'set_config'), ('db', 'tag_messages'), ('db', 'index_file'),
                 ('db', 'remove_message'), ('db', 'reopen'), ('msg', 'add_tag'),
                 ('tmsg', 'add_tag'), ('found', 'remove_tag'), ('msg', 'set_tags'),
                 ('msg', 'freeze'), ('msg', 'add_property'), ('query', 'search_messages'),
                 ('query', 'count_messages'), ('query', 'search_threads'),
                 ('directory', 'set_mtime'), ('directory', 'delete'), ('Query', 'new'),
                 ('messages', 'collect_tags')]:
        assert res[call] == ('nm-error-quark', CLOSED), call
    # ... and values read before the close are still returned.
    assert res[('db', 'close')] == ('ok', True)
    assert res[('db', 'get_path')] == ('ok', cached['path'])
    assert res[('db', 'get_revision')][1][0] == cached['revision']
    assert res[('msg', 'get_message_id')] == ('ok', cached['msg.id'])
    assert res[('thread', 'get_thread_id')] == ('ok', cached['thread.id'])
    assert res[('thread', 'get_subject')] == ('ok', cached['thread.subject'])
    assert res[('thread', 'get_authors')] == ('ok', cached['thread.authors'])
    assert res[('thread', 'get_total_messages')] == ('ok', cached['thread.total'])
    assert res[('thread', 'get_tags')] == ('ok', cached['thread.tags'])
    assert res[('query', 'get_query_string')] == ('ok', '*')
    # Items of models are either absent (None) or real objects; never garbage.
    for label in ('messages', 'thread_messages', 'toplevel', 'replies', 'threads'):
        status, value = res[(label, 'get_item')]
        assert status == 'ok' and (value is None or value[0] == 'object')
    # A tag list obtained before the close is a snapshot that stays as it was.
    assert v['tags'] == cli_lines(writable.cli('search', '--output=tags', '--exclude=false',
                                               'id:' + cached['msg.id']))
    # Nothing was written by any of the failed calls.
    assert int(writable.cli('count', '--exclude=false', 'tag:z or tag:a')) == 0
    assert writable.cli('config', 'get', 'a.b').strip() == ''


def test_messages_iterated_before_close(run_py, corpus):
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RO)
    messages = db.search_messages('tag:inbox')
    seen = []
    kept = []
    for m in messages:
        seen.append([m.get_message_id(), m.get_tags(), m.get_filename(), m.get_date(),
                     m.get_thread_id()])
        kept.append(m)
    threads = list(db.search_threads('tag:inbox'))
    subjects = [t.get_subject() for t in threads]
    db.close()
    after = []
    for m in kept:
        row = []
        for f in (m.get_message_id, m.get_tags, m.get_filename, m.get_date, m.get_thread_id,
                  lambda: m.get_header('subject'), lambda: m.get_flag(Notmuch.MessageFlag.MATCH)):
            try:
                row.append(['ok', f()])
            except GLib.Error as e:
                row.append([e.domain, e.code])
        after.append(row)
    again = [m.get_message_id() for m in messages if m is not None]
    out(seen=seen, after=after, subjects=subjects,
        subjects_after=[t.get_subject() for t in threads], again=len(again))
    del db, messages, kept, threads
    gc.collect()
    out(end=True)
    ''', corpus.mail_root)
    v = ok(r)
    assert v['end'] is True
    seen, after = v['seen'], v['after']
    assert [s[0] for s in seen] == cli_lines(corpus.cli('search', '--output=messages',
                                                          'tag:inbox'), 'id:')
    empty = {1: [], 2: None, 3: 0, 4: None}
    for before, row in zip(seen, after):
        for i, cell in enumerate(row):
            if cell[0] != 'ok':
                assert cell == ['nm-error-quark', CLOSED]
                continue
            if i == 0:
                assert cell[1] == before[0]        # read before the close: kept
            elif i < 5:
                assert cell[1] in (before[i], empty[i])
    assert v['subjects_after'] == v['subjects']
    assert v['again'] in (0, len(seen))


def test_thread_messages_after_close(corpus):
    """A thread's summary survives close(); its message lists need the open database and
    are empty afterwards, as the NmThread documentation says."""
    from gi.repository import Notmuch
    from nmhelpers import RO
    db = Notmuch.Database.open(corpus.mail_root, RO)
    thread = max(Notmuch.Query.new(db, '*').search_threads(),
                 key=lambda t: t.get_total_messages())
    expected = [m.get_message_id() for m in thread.get_messages()]
    subject, tags, files = thread.get_subject(), thread.get_tags(), thread.get_total_files()
    assert len(expected) > 1 and files >= len(expected)
    db.close()
    assert thread.get_total_messages() == len(expected)
    assert (thread.get_subject(), thread.get_tags()) == (subject, tags)
    assert thread.get_total_files() == files
    assert len(thread.get_messages()) == 0
    assert len(thread.get_toplevel_messages()) == 0
