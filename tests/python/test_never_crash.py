"""Never crash: reduced reproductions of what random API programs found (issue 12), each in a
child interpreter, so that a crash, an exit() inside libnotmuch or a hang is a failed test
and not a dead runner.  Every reproduction must give a GLib.Error in the Notmuch domain (or
work) instead."""

import json
import os
import shutil

import pytest
import xapian                   # Debian python3-xapian: writes database metadata directly

from gi.repository import GLib, Notmuch

from nmhelpers import E, RO, RW

ILLEGAL = int(E.ILLEGAL_ARGUMENT)
LOCKED = int(E.LOCKED)


def ok(result):
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result.merged()


def remove_feature(mail_root, feature):
    """Makes the database at *mail_root* look as if it was made by a notmuch that lacked
    *feature*, so that it needs an upgrade."""
    db = xapian.WritableDatabase(os.path.join(mail_root, '.notmuch', 'xapian'), xapian.DB_OPEN)
    lines = db.get_metadata('features').decode().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(feature + '\t')]
    assert len(kept) == len(lines) - 1, lines
    db.set_metadata('features', ''.join(kept))
    db.commit()
    db.close()


# -- class 2: calls on a database from its own upgrade()/compact() progress callback ----------

# The callback tries every kind of call once.  libnotmuch times upgrade()'s callback with
# SIGALRM once a second; a thread sends it far more often, so that a small database gets
# callbacks too.
MAINTENANCE = '''
import signal, tempfile, threading, time
path, other, which = sys.argv[1], sys.argv[2], sys.argv[3]
db = Notmuch.Database.open(path, RW)
expected = db.count_messages('*')
mid = next(iter(db.search_messages('*'))).get_message_id()
msg = db.find_message(mid)
scratch = tempfile.mkdtemp()
results = {}
calls = []
waiting = []
threads = []

def attempt(name, f):
    try:
        results[name] = ['ok', f()]
    except GLib.Error as e:
        results[name] = [e.domain, e.code, e.message]

def elsewhere():
    waiting.append(['count', db.count_messages('*')])

def progress(*args):
    calls.append(args)
    if results:
        return
    attempt('count', lambda: db.count_messages('*'))
    attempt('search', lambda: len(db.search_messages('*')))
    attempt('query', lambda: Notmuch.Query.new(db, '*').count_messages())
    attempt('find', lambda: db.find_message('x@y'))
    attempt('get_tags', lambda: msg.get_tags())
    attempt('add_tag', lambda: msg.add_tag('from-callback'))
    attempt('all_tags', lambda: db.get_all_tags())
    attempt('set_config', lambda: db.set_config('nmglib.callback', 'x'))
    attempt('commit', lambda: db.commit())
    attempt('begin_atomic', lambda: db.begin_atomic())
    attempt('reopen_ro', lambda: db.reopen(RO))
    attempt('reopen_rw', lambda: db.reopen(RW))
    attempt('upgrade', lambda: db.upgrade(None))
    attempt('compact', lambda: db.compact(None, None))
    attempt('close', lambda: db.close())
    attempt('open_rw_same', lambda: Notmuch.Database.open(path, RW).get_path())
    attempt('open_ro_same', lambda: Notmuch.Database.open(path, RO).count_messages('*'))
    attempt('open_other', lambda: Notmuch.Database.open(other, RO).count_messages('*'))
    attempt('create_other', lambda: Notmuch.Database.create(scratch).close())
    # Another thread waits for the lock instead of failing: it is not done while the
    # callback runs, and finishes once the call returns.
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(0.5)
    waiting.append(['done in callback', not thread.is_alive()])
    threads.append(thread)

stop = threading.Event()
def alarms():
    while not stop.is_set():
        os.kill(os.getpid(), signal.SIGALRM)
        time.sleep(0.001)

if which == 'upgrade':
    out(needed=db.needs_upgrade())
    signal.signal(signal.SIGALRM, lambda *a: None)
    sender = threading.Thread(target=alarms)
    sender.start()
    done = db.upgrade(progress)
    stop.set()
    sender.join()
    out(needed_after=db.needs_upgrade(),
        handler_kept=signal.getsignal(signal.SIGALRM) is not signal.SIG_IGN)
else:
    done = db.compact(None, progress)
threads[0].join()
out(done=done, calls=len(calls), results=results, waiting=waiting, expected=expected)
# The database is whole and writable afterwards.
msg = db.find_message(mid)
msg.add_tag('after-' + which)
out(after=[db.count_messages('*'), db.get_mode() == RW, msg.get_tags()])
out(closed=db.close())
'''


@pytest.mark.parametrize('which', ['compact', 'upgrade'])
def test_calls_from_own_progress_callback(run_py, writable, corpus, which):
    if which == 'upgrade':
        remove_feature(writable.mail_root, 'modification tracking')
    r = run_py(MAINTENANCE, writable.mail_root, corpus.mail_root, which, timeout=120)
    v = ok(r)
    if which == 'upgrade':
        assert v['needed'] is True and v['needed_after'] is False
        assert v['handler_kept'] is True
    assert v['done'] is True
    assert v['calls'] > 0
    res = v['results']
    for name in ('count', 'search', 'query', 'find', 'add_tag', 'all_tags', 'set_config',
                 'commit', 'begin_atomic', 'reopen_ro', 'reopen_rw', 'upgrade', 'compact',
                 'close'):
        domain, code, message = res[name]
        assert (domain, code) == ('nm-error-quark', ILLEGAL), (name, res[name])
        assert 'progress callback of its own %s()' % which in message, message
    assert res['get_tags'] == ['ok', []]
    assert res['open_rw_same'][:2] == ['nm-error-quark', LOCKED]
    assert res['open_ro_same'] == ['ok', v['expected']]
    assert res['open_other'] == ['ok', int(corpus.cli('count', '*'))]
    assert res['create_other'] == ['ok', True]
    assert v['waiting'] == [['done in callback', False], ['count', v['expected']]]
    count, writable_mode, tags = v['after']
    assert count == v['expected'] and writable_mode
    assert 'after-' + which in tags and 'from-callback' not in tags
    assert v['closed'] is True
    assert writable.cli('config', 'get', 'nmglib.callback').strip() == ''
    assert int(writable.cli('count', 'tag:after-' + which)) == 1


def test_reopen_from_compact_callback_returns(run_py, writable):
    """The reduced reproduction: it never returned."""
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    done = db.compact(None, lambda *a: db.reopen(Notmuch.DatabaseMode.READ_ONLY), None)
    out(done=done, mode=int(db.get_mode()), count=db.count_messages('*'))
    ''', writable.mail_root, timeout=60)
    v = ok(r)
    assert v['done'] is True and v['mode'] == int(RW) and v['count'] > 0
    assert 'progress callback of its own compact()' in r.stderr


def test_notify_handlers_run_outside_the_lock(run_py, writable):
    """A notify handler that waits for another thread using the same database: it waited
    for ever while the library emitted the notification under the database's lock."""
    r = run_py('''
    import threading
    db = Notmuch.Database.open(sys.argv[1], RW)
    query = Notmuch.Query.new(db, '*')
    directory = db.get_directory('INBOX')
    options = db.get_default_index_options()
    finished = {}

    def waits_for_another_thread(label):
        def handler(obj, pspec):
            thread = threading.Thread(target=lambda: query.count_messages())
            thread.start()
            thread.join(10)
            finished[label] = not thread.is_alive()
        return handler

    for label, obj, signal, change in [
            ('sort', query, 'notify::sort', lambda: query.set_sort(Notmuch.Sort.OLDEST_FIRST)),
            ('exclude', query, 'notify::exclude',
             lambda: query.set_exclude(Notmuch.Exclude.FLAG)),
            ('excluded-tags', query, 'notify::excluded-tags',
             lambda: query.add_tag_exclude('spam')),
            ('mtime', directory, 'notify::mtime', lambda: directory.set_mtime(12345)),
            ('decrypt-policy', options, 'notify::decrypt-policy',
             lambda: options.set_decrypt_policy(Notmuch.DecryptPolicy.FALSE)),
            ('mode', db, 'notify::mode', lambda: db.reopen(RO))]:
        obj.connect(signal, waits_for_another_thread(label))
        change()
    out(finished=finished)
    ''', writable.mail_root, timeout=180)
    assert ok(r)['finished'] == {label: True for label in (
        'sort', 'exclude', 'excluded-tags', 'mtime', 'decrypt-policy', 'mode')}


# -- class 3: a database.autocommit value libnotmuch exits on, on every way to open ----------

OPEN_EVERY_WAY = '''
path, config = sys.argv[1], sys.argv[2]
results = {}

def attempt(name, f):
    try:
        results[name] = ['ok', f().get_path()]
    except GLib.Error as e:
        results[name] = [e.domain, e.code, e.message]

def generic(**props):
    database = Notmuch.Database(**props)
    database.init(None)
    return database

def asynchronously(path, mode):
    loop = GLib.MainLoop()
    box = []
    def done(source, result):
        try:
            box.append(Notmuch.Database.open_finish(result))
        except GLib.Error as e:
            box.append(e)
        loop.quit()
    Notmuch.Database.open_async(path, mode, None, done)
    loop.run()
    if isinstance(box[0], GLib.Error):
        raise box[0]
    return box[0]

attempt('lookup_ro', lambda: Notmuch.Database.open(None, RO))
attempt('lookup_rw', lambda: Notmuch.Database.open(None, RW))
attempt('path_rw', lambda: Notmuch.Database.open(path, RW))
attempt('with_config_rw', lambda: Notmuch.Database.open_with_config(None, RW, config, None))
attempt('generic_rw', lambda: generic(path=None, mode=RW))
attempt('generic_rw_timeout', lambda: generic(path=None, mode=RW, lock_timeout=100))
attempt('generic_config_rw', lambda: generic(mode=RW, config_path=config))
attempt('async_lookup_rw', lambda: asynchronously(None, RW))
attempt('async_path_rw', lambda: asynchronously(path, RW))
out(results=results)
'''


@pytest.mark.parametrize('value', ['abc', '5 ', r'5\\s', r'\\s', '12abc'])
def test_bad_autocommit_refused_on_every_open(run_py, writable, value):
    with open(writable.config, 'a', encoding='utf-8') as f:
        f.write('\n[database]\nautocommit=%s\n' % value)
    r = run_py(OPEN_EVERY_WAY, writable.mail_root, writable.config,
               env={'NOTMUCH_CONFIG': writable.config})
    results = ok(r)['results']
    assert len(results) == 9
    for name, result in results.items():
        assert result[:2] == ['nm-error-quark', ILLEGAL], (name, result)
        assert writable.config in result[2] and 'database.autocommit' in result[2], result


def test_bad_config_file_after_open(run_py, writable):
    """A failed query is run again on a second handle to get libnotmuch's message; that
    handle must not read the configuration file, which may have gone bad since."""
    expected = int(writable.cli('count', '*'))
    r = run_py('''
    config = sys.argv[1]
    db = Notmuch.Database.open(None, RO)
    with open(config, 'a') as f:
        f.write('\\n[database]\\nautocommit=abc\\n')
    errors = []
    for bad in ('foo AND', 'date:garbage..', 'foo AND'):
        try:
            db.count_messages(bad)
        except GLib.Error as e:
            errors.append([e.code, e.message])
    out(errors=errors, count=db.count_messages('*'))
    ''', writable.config, env={'NOTMUCH_CONFIG': writable.config})
    v = ok(r)
    assert [code for code, _ in v['errors']] == [int(E.XAPIAN_EXCEPTION)] * 3
    assert 'Syntax: <expression> AND <expression>' in v['errors'][0][1]
    assert "Didn't understand date specification 'garbage'" in v['errors'][1][1]
    assert 'Syntax: <expression> AND <expression>' in v['errors'][2][1]
    assert v['count'] == expected


# -- class 4: index terms longer than libnotmuch's limit (245 bytes) --------------------------

# A property is the term "XPROPERTY<key>=<value>": 236 bytes of key=value fit.
PROPERTY_FIT = 245 - len('XPROPERTY')

PROPERTIES = '''
db = Notmuch.Database.open(sys.argv[1], RW)
msg = db.find_message(sys.argv[2])
results = []

def attempt(label, f):
    try:
        results.append([label, 'ok', f()])
    except GLib.Error as e:
        results.append([label, e.domain, e.code])

for key, value in json.loads(sys.argv[3]):
    attempt(['add', key, value], lambda: msg.add_property(key, value))
    attempt(['values', key, value], lambda: value in msg.get_property_values(key))
    attempt(['remove', key, value], lambda: msg.remove_property(key, value))
    attempt(['gone', key, value], lambda: value in msg.get_property_values(key))
    # The same inside a freeze, whose changes are applied again at thaw().
    msg.freeze()
    attempt(['frozen add', key, value], lambda: msg.add_property(key, value))
    msg.thaw()
    attempt(['thawed', key, value], lambda: value in msg.get_property_values(key))
    msg.remove_all_properties(None)
out(results=results)
db.close()
'''


def property_cases():
    """(key, value) pairs of key=value lengths (in bytes) around the limit."""
    cases = []
    for total in (PROPERTY_FIT - 1, PROPERTY_FIT, PROPERTY_FIT + 1, PROPERTY_FIT + 2, 1000):
        cases.append(('k' * (total - 2), 'v'))          # long key
        cases.append(('k', 'v' * (total - 2)))          # long value
    # Multibyte: lengths count bytes, not characters.
    cases.append(('é' * ((PROPERTY_FIT - 2) // 2), 'v'))        # 234 + 2 bytes
    cases.append(('é' * ((PROPERTY_FIT - 2) // 2 + 1), 'v'))    # 236 + 2 bytes
    cases.append(('', 'empty key'))
    return cases


def test_property_term_length(run_py, writable):
    mid = writable.cli('search', '--output=messages', '--limit=1', '*').strip()[len('id:'):]
    cases = property_cases()
    r = run_py(PROPERTIES, writable.mail_root, mid, json.dumps(cases))
    got = {(label, key, value): rest for label, key, value, *rest in
           ([*row[0], *row[1:]] for row in ok(r)['results'])}
    for key, value in cases:
        size = len(('%s=%s' % (key, value)).encode())
        fits = size <= PROPERTY_FIT
        for label, expected in (('add', True), ('values', True), ('remove', True),
                                ('gone', False), ('frozen add', True), ('thawed', True)):
            result = got[(label, key, value)]
            if fits:
                assert result == ['ok', expected], (label, size, result)
            elif label in ('add', 'remove', 'frozen add'):
                assert result == ['nm-error-quark', ILLEGAL], (label, size, result)
            else:
                assert result == ['ok', False], (label, size, result)
    # Nothing was left behind.
    assert writable.cli('search', '--output=messages', 'property:k=v') == ''


def test_property_keys_with_equals_sign(run_py, writable):
    """libnotmuch removes properties by term prefix: remove_property('a=b', None) would
    remove key "a" with a value starting with "b="."""
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    msg = next(iter(db.search_messages('*')))
    msg.add_property('a', 'b=c')
    msg.add_property('a', 'x')
    results = {}
    for name, f in [('add', lambda: msg.add_property('a=b', 'c')),
                    ('remove', lambda: msg.remove_property('a=b', 'c')),
                    ('remove all values', lambda: msg.remove_property('a=b', None)),
                    ('remove by prefix', lambda: msg.remove_all_properties('a=b'))]:
        try:
            results[name] = ['ok', f()]
        except GLib.Error as e:
            results[name] = [e.domain, e.code]
    out(results=results, left=msg.get_all_properties('a', True))
    ''', writable.mail_root)
    v = ok(r)
    for name, result in v['results'].items():
        assert result == ['nm-error-quark', ILLEGAL], (name, result)
    assert v['left'] == ['a=b=c', 'a=x']


INDEX_PATHS = '''
db = Notmuch.Database.open(sys.argv[1], RW)
results = []
for path in json.loads(sys.argv[2]):
    try:
        msg, duplicate = db.index_file(path, None)
        results.append([path, 'ok', msg.get_filename() == path])
    except GLib.Error as e:
        results.append([path, e.domain, e.code])
out(results=results, count=Notmuch.Query.new(db, '*').count_messages())
db.close()
'''

# The name of a file is the term "XFDIRENTRY<directory id>:<name>", the directory id up to
# ten digits; the longest terms of its directory are "P<directory>/**" and
# "XFOLDER:<directory without cur or new>".
NAME_FIT = 245 - len('XFDIRENTRY') - 10 - 1
DIRECTORY_FIT = 245 - len('P') - len('/**')
FOLDER_FIT = 245 - len('XFOLDER:')


def copy_message(source, path, number):
    """Writes a copy of the mail file *source* with a Message-ID of its own to *path*."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(source, 'rb') as f:
        lines = f.read().split(b'\n')
    lines = [line for line in lines if not line.lower().startswith(b'message-id:')]
    with open(path, 'wb') as f:
        f.write(b'Message-ID: <long-path-%d@nm-glib.test>\n' % number + b'\n'.join(lines))


def test_index_file_term_length(run_py, writable):
    source = writable.cli('search', '--output=files', '--limit=1', '*').strip()
    root = writable.mail_root
    cases = []

    def directory(length, leaf):
        """A relative directory of *length* bytes ending in *leaf*."""
        head = length - len(leaf) - 1
        return 'd' * (head - 101) + '/' + 'e' * 100 + '/' + leaf if head > 101 else None

    for length, fits in ((NAME_FIT, True), (NAME_FIT + 1, False)):
        cases.append((os.path.join(root, 'INBOX', 'cur', 'n' * length), fits))
    for length, fits in ((DIRECTORY_FIT, True), (DIRECTORY_FIT + 1, False)):
        cases.append((os.path.join(root, directory(length, 'cur'), 'mail:2,'), fits))
    for length, fits in ((FOLDER_FIT, True), (FOLDER_FIT + 1, False)):
        cases.append((os.path.join(root, directory(length, 'plain'), 'mail'), fits))
    for number, (path, _) in enumerate(cases):
        copy_message(source, path, number)
    before = int(writable.cli('count', '--exclude=false', '*'))
    r = run_py(INDEX_PATHS, root, json.dumps([path for path, _ in cases]))
    v = ok(r)
    for (path, fits), (_, *result) in zip(cases, v['results']):
        if fits:
            assert result == ['ok', True], (len(path), result)
        else:
            assert result == ['nm-error-quark', int(E.PATH_ERROR)], (len(path), result)
    indexed = sum(fits for _, fits in cases)
    assert v['count'] == before + indexed
    assert int(writable.cli('count', '--exclude=false', '*')) == before + indexed


def test_maildir_rename_term_length(run_py, writable):
    """tags_to_maildir_flags() renames files to "<name>:2,<flags>": a name that could grow
    past the limit is refused before any rename (libnotmuch 0.37 would exit)."""
    source = writable.cli('search', '--output=files', '--limit=1', '*').strip()
    path = os.path.join(writable.mail_root, 'INBOX', 'cur', 'r' * (NAME_FIT - 3))
    copy_message(source, path, 99)
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    msg, _ = db.index_file(sys.argv[2], None)
    msg.add_tag('flagged')
    results = {}
    for name, f in [('message', lambda: msg.tags_to_maildir_flags()),
                    ('tag_messages', lambda: db.tag_messages('id:' + msg.get_message_id(),
                                                             ['replied'], []))]:
        try:
            results[name] = ['ok', f()]
        except GLib.Error as e:
            results[name] = [e.domain, e.code]
    out(results=results, files=msg.get_filenames())
    db.close()
    ''', writable.mail_root, path)
    v = ok(r)
    assert v['results'] == {'message': ['nm-error-quark', int(E.PATH_ERROR)],
                            'tag_messages': ['nm-error-quark', int(E.PATH_ERROR)]}
    assert v['files'] == [path] and os.path.exists(path)


# -- class 5: queries that crash libnotmuch -------------------------------------------------

# Stored with the CLI: set_config refuses the cycles, atoms and crashing forms among them
# (tests/python/test_fuzz_c_findings.py), but other programs store them.
SAVED = {
    'squery.Loop': '(Loop)',
    'squery.Bad': '(of x)',
    'squery.Atom': 'foo',
    'squery.Empty': '()',
    'squery.OfMacro': '(macro (a) (of ,a))',
    'squery.TagMacro': '(macro (a) (tag ,a))',
    'query.loop': 'query:loop',
    'query.ping': 'query:pong',
    'query.pong': 'query:ping',
    'query.xs': 'sexp:"(of x)"',
    'query.inbox': 'tag:inbox',
}

# (syntax, query): every one crashed libnotmuch (0.37 to 0.40), or would with the
# configuration above.
CRASHING = [
    ('sexp', '(of)'),
    ('sexp', '(matching)'),
    ('sexp', '(matching (tag inbox))'),
    ('sexp', '(and (of x))'),
    ('sexp', '(not (matching (tag inbox)))'),
    ('sexp', '(tag (of (of x)))'),
    ('sexp', '("of" x)'),
    ('sexp', "('of x)"),
    ('sexp', '(of x) trailing text'),
    ('sexp', '(and ' * 20000 + ')' * 20000),
    ('sexp', '(or ' + '(tag a) ' * 100000 + ')'),
    ('sexp', '(Loop)'),
    ('sexp', '(Bad)'),
    ('sexp', '(Atom)'),
    ('sexp', '(Empty)'),
    ('sexp', '(OfMacro (tag inbox))'),
    ('sexp', '(query loop)'),
    ('sexp', '(query xs)'),
    ('sexp', '(infix "sexp:\\"(of x)\\"")'),
    ('xapian', 'sexp:"(of)"'),
    ('xapian', 'tag:inbox and sexp:"(matching (tag inbox))"'),
    ('xapian', 'sexp:"(and ' + '(and ' * 20000 + ')' * 20001 + '"'),
    ('xapian', '(a or (b and ' * 100000 + 'c' + '))' * 100000),
    ('xapian', 'query:loop'),
    ('xapian', 'query:ping'),
    ('xapian', 'query:xs'),
    ('xapian', 'thread:{query:xs}'),
    # Xapian ends the name at the control character (found by a random test).
    ('xapian', 'query:loop\x01x'),
    ('xapian', 'tag:inbox thread:{query:loop\x01tag:x}'),
]

QUERIES = '''
db = Notmuch.Database.open(sys.argv[1], RW)
for key, value in json.loads(sys.argv[2]).items():
    db.set_config(key, value)
with open(sys.argv[3], encoding='utf-8') as f:
    cases = json.load(f)
results = []

def attempt(f):
    try:
        return ['ok', f()]
    except GLib.Error as e:
        return [e.domain, e.code, e.message]

def in_worker(query, start, finish):
    """The asynchronous twin, which runs libnotmuch in the database's worker thread."""
    loop = GLib.MainLoop()
    box = []
    def done(source, result):
        box.append(attempt(lambda: finish(result)))
        loop.quit()
    start(None, done)
    loop.run()
    return box[0]

for syntax, text in cases:
    syntax = Notmuch.QuerySyntax.SEXP if syntax == 'sexp' else Notmuch.QuerySyntax.XAPIAN
    query = Notmuch.Query.new_with_syntax(db, text, syntax)
    row = {
        'count_messages': attempt(query.count_messages),
        'count_threads': attempt(query.count_threads),
        'search_messages': attempt(lambda: sum(1 for m in query.search_messages())),
        'search_threads': attempt(lambda: sum(1 for t in query.search_threads())),
        'async_messages': in_worker(query, query.search_messages_async,
                                    lambda r: len(query.search_messages_finish(r))),
        'async_count': in_worker(query, query.count_messages_async,
                                 query.count_messages_finish),
    }
    if syntax == Notmuch.QuerySyntax.XAPIAN:
        row['db.count_messages'] = attempt(lambda: db.count_messages(text))
        row['db.search_threads'] = attempt(lambda: len(db.search_threads(text)))
        row['tag_messages'] = attempt(lambda: db.tag_messages(text, ['crash-test'], []))
    results.append(row)
out(results=results, count=Notmuch.Query.new(db, '*').count_messages())
db.close()
'''


def run_queries(run_py, writable, cases):
    # The cases are too long for a command line.
    path = os.path.join(writable.base, 'cases.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(cases, f)
    for key, value in SAVED.items():
        writable.cli('config', 'set', '--database', key, value)
    r = run_py(QUERIES, writable.mail_root, '{}', path, timeout=300)
    return ok(r)


def test_crashing_queries_refused(run_py, writable):
    v = run_queries(run_py, writable, CRASHING)
    assert len(v['results']) == len(CRASHING)
    for (syntax, text), row in zip(CRASHING, v['results']):
        for call, result in row.items():
            assert result[:2] == ['nm-error-quark', int(E.BAD_QUERY_SYNTAX)], \
                (syntax, text[:80], call, result)
    assert int(writable.cli('count', '--exclude=false', 'tag:crash-test')) == 0


# (syntax, query): a field marked with + or - at the start of a query or group, whose value
# libnotmuch's field processor cannot parse, corrupts Xapian 1.4's query parser (the CLI
# crashes on each); without the mark the same field fails cleanly (found by fuzz-config).
MARKED_FIELDS = [
    ('xapian', '-date:garbage'),
    ('xapian', '+date:garbage'),
    ('xapian', 'ue(((+sexp:('),
    ('xapian', 'ue((\x1e+sexp:('),
    ('xapian', '+=sexp:(-attat)'),
    ('xapian', '(+thread:{'),
    ('xapian', '+subject:/(/'),
    ('xapian', '(-folder:/(/ )'),
    ('xapian', 'query:marked'),
    ('sexp', '(infix "+date:garbage")'),
]


def test_marked_fields_that_fail_are_refused(run_py, writable):
    writable.cli('config', 'set', '--database', 'query.marked', '-date:garbage')
    v = run_queries(run_py, writable, MARKED_FIELDS)
    for (syntax, text), row in zip(MARKED_FIELDS, v['results']):
        for call, result in row.items():
            assert result[:2] == ['nm-error-quark', int(E.XAPIAN_EXCEPTION)], \
                (syntax, text, call, result)
            assert 'Xapian' in result[2] or 'regex' in result[2] or 's-expression' in result[2]
    # Marked fields that parse run as the CLI runs them.
    parsing = ['+tag:inbox', '-tag:inbox', '(-tag:unread)', '+tag:inbox -tag:unread']
    v = run_queries(run_py, writable, [('xapian', text) for text in parsing])
    for text, row in zip(parsing, v['results']):
        expected = int(writable.cli('count', '--exclude=false', text))
        assert row['count_messages'] == ['ok', expected], text
    assert v['results'][0]['count_messages'] != v['results'][3]['count_messages']


def test_queries_at_the_limits_work(run_py, writable):
    """What the check lets through runs, and gives the CLI's answer; one step further is
    refused."""
    within = [
        ('sexp', '(tag (of (tag inbox)))'),
        ('sexp', '(tag (matching (tag inbox)))'),
        ('sexp', '(TagMacro inbox)'),
        ('sexp', '(query inbox)'),
        ('sexp', '(and ' * 99 + '(tag inbox)' + ')' * 99),
        ('sexp', '(or ' + '(tag inbox) ' * 999 + ')'),
        ('sexp', '(id ' + ' '.join('x%d@y' % i for i in range(1999)) + ')'),
        ('xapian', '(' * 100 + 'tag:inbox' + ')' * 100),
        ('xapian', 'query:inbox'),
        ('xapian', 'sexp:"(tag ""inbox"")"'),
    ]
    beyond = [
        ('sexp', '(and ' * 100 + '(tag inbox)' + ')' * 100),
        ('sexp', '(or ' + '(tag inbox) ' * 1000 + ')'),
        ('sexp', '(id ' + ' '.join('x%d@y' % i for i in range(2000)) + ')'),
        ('xapian', '(' * 101 + 'tag:inbox' + ')' * 101),
    ]
    v = run_queries(run_py, writable, within + beyond)
    inbox = int(writable.cli('count', '--exclude=false', 'tag:inbox'))
    for (syntax, text), row in zip(within, v['results']):
        expected = 0 if text.startswith('(id ') else inbox
        for call, result in row.items():
            if call == 'tag_messages':
                assert result[0] == 'ok', (text[:60], call, result)
            elif call in ('count_messages', 'search_messages', 'async_messages',
                          'async_count'):
                assert result == ['ok', expected], (text[:60], call, result)
            else:
                assert result[0] == 'ok', (text[:60], call, result)
    for (syntax, text), row in zip(beyond, v['results'][len(within):]):
        for call, result in row.items():
            assert result[:2] == ['nm-error-quark', int(E.BAD_QUERY_SYNTAX)], \
                (text[:60], call, result)


def test_sexp_queries_on_databases_in_parallel(run_py, corpus, tmp_path):
    """libnotmuch parses s-expressions with sfsexp, whose parser state is process-wide:
    threads counting s-expression queries on their own databases got each other's
    expressions ("unknown prefix 'spam'") or crashed.  Found while fixing class 5."""
    roots = []
    for i in range(4):
        dest = str(tmp_path / ('copy%d' % i))
        shutil.copytree(corpus.base, dest, symlinks=True)
        roots.append(os.path.join(dest, 'mail'))
    r = run_py('''
    import threading
    errors = []
    counts = []
    def work(path):
        db = Notmuch.Database.open(path, RO)
        for i in range(1000):
            text = '(and (tag inbox) (or (from nobody%d) (not (tag spam))))' % i
            query = Notmuch.Query.new_with_syntax(db, text, Notmuch.QuerySyntax.SEXP)
            try:
                counts.append(query.count_messages())
            except GLib.Error as e:
                errors.append(e.message)
    threads = [threading.Thread(target=work, args=(path,)) for path in sys.argv[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out(errors=errors[:5], counts=sorted(set(counts)))
    ''', *roots, timeout=300)
    v = ok(r)
    assert v['errors'] == []
    assert v['counts'] == [int(corpus.cli('count', '--exclude=false',
                                          'tag:inbox and not tag:spam'))]


# -- class 6: every error message is valid UTF-8, whatever bytes a path holds ---------------

BYTE = os.fsdecode(b'\xff')      # a file name byte that is not UTF-8


def error_of(call):
    """The GLib.Error *call* raises (a message that is not UTF-8 made PyGObject raise
    "RuntimeError: Converting the GError failed" instead, losing the code)."""
    with pytest.raises(GLib.Error) as ei:
        call()
    assert ei.value.domain == 'nm-error-quark', ei.value
    return ei.value


def test_non_utf8_paths_in_errors(writable, tmp_path, monkeypatch):
    mail = writable.mail_root
    # A copy of the whole database under a directory whose name is not UTF-8, opened
    # without a configuration file (one cannot name such a path).
    base = os.path.join(str(tmp_path), 'root' + BYTE)
    shutil.copytree(writable.base, base, symlinks=True)
    bad = os.path.join(base, 'mail')
    monkeypatch.delenv('NOTMUCH_CONFIG')
    monkeypatch.setenv('HOME', str(tmp_path / 'nohome'))

    def same(make_call):
        """The error for a path with the byte, and for the same path without it."""
        dirty, clean = error_of(make_call(BYTE)), error_of(make_call('x'))
        assert dirty.code == clean.code, (dirty.message, clean.message)
        return dirty

    checked = [
        same(lambda c: lambda: Notmuch.Database.open('/nonexistent/' + c, RO)),
        same(lambda c: lambda: Notmuch.Database.open(os.path.join(base, c), RO)),
        same(lambda c: lambda: Notmuch.Database.create('/proc/' + c)),
    ]
    # libnotmuch's message names no path here: the code is what must survive.
    same(lambda c: lambda: Notmuch.Database.open_with_config(mail, RO, '/nonexistent/' + c,
                                                             None))
    db = Notmuch.Database.open(mail, RW)
    checked += [
        same(lambda c: lambda: db.index_file(mail + '/extra/cur/' + c, None)),
        same(lambda c: lambda: db.index_file('/elsewhere/' + c, None)),
        same(lambda c: lambda: db.index_file(mail + ('/' + c * 100) * 3 + '/mail', None)),
    ]
    assert db.find_message_by_filename(mail + '/x/' + BYTE) is None
    assert db.get_directory(mail + '/' + BYTE) is None
    assert db.remove_message(mail + '/x/' + BYTE) is False
    checked.append(error_of(lambda: db.compact('/nonexistent/' + BYTE, None)))
    assert checked[-1].code == int(E.FILE_ERROR)
    db.close()

    # The database's own path in messages, and libnotmuch's text naming a file.
    db = Notmuch.Database.open(bad, RW)
    checked += [
        error_of(lambda: db.index_file(bad + '/nofile', None)),
        error_of(lambda: Notmuch.Database.open(bad, RW)),
    ]
    assert [e.code for e in checked[-2:]] == [int(E.FILE_ERROR), LOCKED]
    db.close()
    db = Notmuch.Database.open(bad, RO)
    checked.append(error_of(lambda: db.remove_message(bad + '/x')))
    assert checked[-1].code == int(E.READ_ONLY_DATABASE)
    db.close()
    for call in (lambda: db.count_messages('*'), lambda: db.find_message_by_filename(bad + '/x'),
                 lambda: db.get_directory(bad), lambda: db.get_all_tags()):
        checked.append(error_of(call))
        assert checked[-1].code == int(E.CLOSED_DATABASE)

    for e in checked:
        assert '\ufffd' in e.message, e.message


def test_non_utf8_config_file_path(run_py, writable, tmp_path):
    """The configuration file's path in the error for a bad value in it."""
    config = os.path.join(str(tmp_path), 'config' + BYTE)
    shutil.copy(writable.config, config)
    with open(config, 'a', encoding='utf-8') as f:
        f.write('\n[database]\nautocommit=abc\n')
    r = run_py('''
    try:
        Notmuch.Database.open(None, RO)
    except GLib.Error as e:
        out(code=e.code, message=e.message)
    ''', env={'NOTMUCH_CONFIG': config})
    v = ok(r)
    assert v['code'] == ILLEGAL and '\ufffd' in v['message'], v


# -- class 7: objects constructed without a database ----------------------------------------

# Calls every method of every class with plausible arguments, the way a binding user might
# on an object made with its constructor (g_object_new()) instead of by the database.  An
# asynchronous method is finished in the callback its own call passes.
EVERY_METHOD = '''
from gi.repository import Gio
made = {
    'Message': lambda: Notmuch.Message(),
    'Directory': lambda: Notmuch.Directory(),
    'IndexOptions': lambda: Notmuch.IndexOptions(),
    'Database': lambda: Notmuch.Database(),
    'Database(path, RW)': lambda: Notmuch.Database(path=sys.argv[1], mode=RW),
    'Query': lambda: Notmuch.Query(),
    'Query(database=None)': lambda: Notmuch.Query(database=None),
    'Query(sort=OLDEST_FIRST)': lambda: Notmuch.Query(sort=Notmuch.Sort.OLDEST_FIRST),
    'Query(exclude, query_string=None)': lambda: Notmuch.Query(exclude=Notmuch.Exclude.FLAG,
                                                               query_string=None),
    'Query(database=Database())': lambda: Notmuch.Query(database=Notmuch.Database(),
                                                        query_string='*'),
}

def plausible(arg):
    """A value for an argument, or NotImplemented for none to pass."""
    t = arg.get_type()
    tag = t.get_tag_as_string()
    if tag == 'void':
        return NotImplemented
    if tag == 'utf8':
        return arg.get_name()
    if tag == 'filename':
        return '/nonexistent/x'
    if tag == 'gboolean':
        return False
    if tag == 'gunichar':
        return 'S'
    if tag in ('gint', 'guint', 'gint32', 'guint32', 'gint64', 'guint64', 'gdouble'):
        return 5
    if tag == 'array':
        return [arg.get_name()]
    assert tag == 'interface', (arg.get_name(), tag)
    info = t.get_interface()
    kind = type(info).__name__
    if kind in ('EnumInfo', 'FlagsInfo'):
        return getattr(Notmuch, info.get_name())(info.get_values()[0].get_value())
    if arg.may_be_null():
        return None
    if (info.get_namespace(), info.get_name()) == ('GLib', 'Bytes'):
        return GLib.Bytes.new(b'Subject: a message')
    assert info.get_namespace() == 'Notmuch', info.get_name()
    return made.get(info.get_name(), getattr(Notmuch, info.get_name()))()

def show(value):
    if isinstance(value, Gio.ListModel):
        return ['list', value.get_n_items(), value.get_item(0)]
    if isinstance(value, GObject.Object):
        return ['object', type(value).__name__]
    if isinstance(value, tuple):
        return [show(v) for v in value]
    if isinstance(value, (GObject.GEnum, GObject.GFlags)):
        return int(value)
    return value

def call(obj, method):
    args = []
    finish = None
    for arg in method.get_arguments():
        if arg.get_direction() != 0:     # GI_DIRECTION_IN
            continue
        t = arg.get_type()
        if t.get_tag_as_string() == 'interface' and \\
                t.get_interface().get_name() == 'AsyncReadyCallback':
            finish = getattr(obj, method.get_name()[:-len('_async')] + '_finish')
            box = []
            loop = GLib.MainLoop()
            def done(source, result, *unused):
                try:
                    box.append(['ok', show(finish(result))])
                except GLib.Error as e:
                    box.append([e.domain, e.code])
                loop.quit()
            args.append(done)
            continue
        value = plausible(arg)
        if value is not NotImplemented:
            args.append(value)
    try:
        value = getattr(obj, method.get_name())(*args)
    except GLib.Error as e:
        return [e.domain, e.code]
    if finish is None:
        return ['ok', show(value)]
    loop.run()
    return box[0]

results = []
for label, make in made.items():
    cls = type(make())
    for method in cls.__info__.get_methods():
        name = method.get_name()
        if name.endswith('_finish') or not method.is_method():
            continue
        results.append([label, name, call(make(), method)])
    # Constructors that take a database.
    if cls is Notmuch.Query:
        for name, args in (('new', (Notmuch.Database(), '*')),
                           ('new_with_syntax', (Notmuch.Database(), '*',
                                                Notmuch.QuerySyntax.SEXP))):
            try:
                getattr(Notmuch.Query, name)(*args)
                results.append([label, name, ['ok', None]])
            except GLib.Error as e:
                results.append([label, name, [e.domain, e.code]])
    gc.collect()
out(results=results)
'''


def test_every_method_without_database(run_py, writable):
    r = run_py(EVERY_METHOD, writable.mail_root, env={'G_DEBUG': 'fatal-warnings'},
               timeout=120)
    assert r.returncode == 0, r
    assert 'CRITICAL' not in r.stderr and 'WARNING' not in r.stderr, r.stderr
    results = ok(r)['results']
    closed = int(E.CLOSED_DATABASE)
    seen = {(label, name): outcome for label, name, outcome in results}
    assert len(results) > 100
    for label, name, outcome in results:
        if outcome[0] != 'ok':
            assert outcome == ['nm-error-quark', closed], (label, name, outcome)
    # The reproductions of the issue, and what an empty object answers.
    assert seen[('Message', 'get_tags')] == ['ok', []]
    assert seen[('Message', 'get_message_id')] == ['ok', None]
    assert seen[('Message', 'get_replies')] == ['ok', ['list', 0, None]]
    assert seen[('Message', 'add_tag')] == ['nm-error-quark', closed]
    assert seen[('Directory', 'get_child_files')] == ['ok', []]
    assert seen[('Directory', 'set_mtime')] == ['nm-error-quark', closed]
    assert seen[('IndexOptions', 'get_decrypt_policy')] == ['ok', int(Notmuch.DecryptPolicy.AUTO)]
    assert seen[('IndexOptions', 'set_decrypt_policy')] == ['nm-error-quark', closed]
    for label in ('Query', 'Query(database=None)', 'Query(sort=OLDEST_FIRST)',
                  'Query(exclude, query_string=None)', 'Query(database=Database())'):
        for name in ('count_messages', 'count_threads', 'search_messages', 'search_threads',
                     'search_messages_async', 'search_threads_async', 'count_messages_async'):
            assert seen[(label, name)] == ['nm-error-quark', closed], (label, name)
    assert seen[('Query(sort=OLDEST_FIRST)', 'get_sort')] == \
        ['ok', int(Notmuch.Sort.OLDEST_FIRST)]
    assert seen[('Query(exclude, query_string=None)', 'get_query_string')] == ['ok', '']
    for label in ('Database', 'Database(path, RW)'):
        for name in ('count_messages', 'find_message', 'reopen', 'commit', 'compact',
                     'upgrade', 'index_file_async', 'tag_messages_async'):
            assert seen[(label, name)] == ['nm-error-quark', closed], (label, name)
        assert seen[(label, 'get_version')] == ['ok', 0]


def test_query_constructed_with_properties(run_py, corpus):
    """Notmuch.Query(database=db, query_string=...) is the query Query.new makes."""
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RO)
    made = Notmuch.Query(database=db, query_string='tag:inbox')
    new = Notmuch.Query.new(db, 'tag:inbox')
    def describe(q):
        return [q.get_query_string(), int(q.get_syntax()), int(q.get_sort()),
                int(q.get_exclude()), q.get_excluded_tags(), q.count_messages(),
                q.count_threads(), [m.get_message_id() for m in q.search_messages()]]
    sexp = Notmuch.Query(database=db, query_string='(tag inbox)',
                         syntax=Notmuch.QuerySyntax.SEXP, sort=Notmuch.Sort.OLDEST_FIRST)
    out(made=describe(made), new=describe(new), sexp=describe(sexp),
        oldest=[m.get_message_id() for m in
                Notmuch.Query.new(db, 'tag:inbox').search_messages()][::-1])
    ''', corpus.mail_root)
    v = ok(r)
    assert v['made'] == v['new']
    assert v['made'][5] == int(corpus.cli('count', '--exclude=false', 'tag:inbox'))
    assert v['sexp'][5:7] == v['new'][5:7]
    assert v['sexp'][7] == v['oldest']


def test_index_options_without_database(run_py, writable):
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    msg = next(iter(db.search_messages('*')))
    options = Notmuch.IndexOptions(decrypt_policy=Notmuch.DecryptPolicy.TRUE)
    results = {}
    for name, f in [('index_file', lambda: db.index_file(msg.get_filename(), options)),
                    ('reindex', lambda: msg.reindex(options)),
                    ('async', lambda: None)]:
        try:
            results[name] = ['ok', bool(f())]
        except GLib.Error as e:
            results[name] = [e.domain, e.code]
    out(results=results, policy=int(options.get_decrypt_policy()))
    ''', writable.mail_root)
    v = ok(r)
    assert v['results']['index_file'] == ['nm-error-quark', ILLEGAL]
    assert v['results']['reindex'] == ['nm-error-quark', ILLEGAL]
    assert v['policy'] == int(Notmuch.DecryptPolicy.AUTO)


# -- class 8: libnotmuch's indexer logs a gmime-CRITICAL for some broken mail ---------------

# A message/rfc822 part with no message in it: every libnotmuch version passes the missing
# message to GMime, which logs a critical, and indexes the rest.
EMPTY_RFC822 = '''\
From: Sender <sender@example.org>
To: Receiver <receiver@example.org>
Subject: an empty forwarded message
Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <empty-rfc822@nm-glib.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain

The forwarded message below is empty.
--B
Content-Type: message/rfc822

--B--
'''

INDEX_BROKEN = '''
db = Notmuch.Database.open(sys.argv[1], RW)
msg, _ = db.index_file(sys.argv[2], None)
msg.reindex(None)
out(indexed=msg.get_message_id(), found=db.count_messages('id:empty-rfc822@nm-glib.test'))
db.close()
'''


def write_broken_mail(writable):
    path = os.path.join(writable.mail_root, 'INBOX', 'cur', 'empty-rfc822:2,')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(EMPTY_RFC822)
    return path


def test_broken_mime_indexes_without_fatal_criticals(run_py, writable):
    """Indexing such mail works and only logs: the library's own tests make criticals
    fatal (tests/meson.build), so this one runs its child without G_DEBUG, as an
    application normally runs."""
    path = write_broken_mail(writable)
    r = run_py(INDEX_BROKEN, writable.mail_root, path, env={'G_DEBUG': ''})
    assert ok(r) == {'indexed': 'empty-rfc822@nm-glib.test', 'found': 1}
    assert 'gmime-CRITICAL' in r.stderr, r.stderr


def test_broken_mime_with_fatal_criticals(run_py, writable):
    """Pins libnotmuch's behaviour, documented on index_file() and reindex(): with fatal
    criticals the same indexing aborts the process, in GMime, called by libnotmuch.  The
    test notices if a libnotmuch version stops logging it."""
    path = write_broken_mail(writable)
    r = run_py(INDEX_BROKEN, writable.mail_root, path, env={'G_DEBUG': 'fatal-criticals'})
    assert r.returncode != 0, r
    assert 'gmime-CRITICAL' in r.stderr and 'GMIME_IS_MESSAGE' in r.stderr, r.stderr
