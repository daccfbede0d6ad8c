"""Regressions of the failure classes the API fuzzer found (tests/fuzz/api_fuzz.py; issue 12).

Each reproducer runs in a child interpreter, so that a process that libnotmuch ends with
exit(1), a segfault or a deadlock fails its test instead of killing the runner.  What each
test asserts is what DESIGN.md promises: bad input gives a GLib.Error in the Notmuch domain
with the code for that situation (or the call works), never a dead process, never another
exception.  Tests of classes not fixed yet are strict expected failures: remove the marker
when the fix lands.
"""

import os
import re

import pytest

from nmhelpers import E

# Run in every child after CHILD_PRELUDE: attempt(f) is ['ok', value] when f() returns,
# ['error', code name, message] for a GLib.Error of the Notmuch domain, and
# ['exception', type, message] for anything else (which every test refuses).
ATTEMPT = '''
import threading
SEXP = Notmuch.QuerySyntax.SEXP
MAIL = sys.argv[1] if len(sys.argv) > 1 else None

def attempt(f):
    try:
        value = f()
        if isinstance(value, (GObject.Object, tuple)):
            value = repr(value)
        return ['ok', value]
    except GLib.Error as e:
        if e.domain != 'nm-error-quark':
            return ['exception', 'GLib.Error in %s' % e.domain, e.message]
        return ['error', Notmuch.Error(e.code).value_name[len('NM_ERROR_'):], e.message]
    except Exception as e:
        return ['exception', type(e).__name__, str(e)]
'''

XFAIL = pytest.mark.xfail(strict=True)


def child(run_py, code, *argv, timeout=60, env=None):
    """Run *code* after ATTEMPT; assert the child ended normally; return its out() values."""
    r = run_py(ATTEMPT + code, *argv, timeout=timeout, env=env)
    assert r.returncode == 0, r
    return r.merged()


def expect(outcome, *codes):
    """*outcome* (from attempt()) is a Notmuch error with one of *codes*, or 'ok' when
    codes include None."""
    if outcome[0] == 'ok':
        assert None in codes, outcome
        return
    assert outcome[0] == 'error', outcome
    assert outcome[1] in [c.value_name[len('NM_ERROR_'):] for c in codes if c is not None], \
        outcome
    assert outcome[2], 'an error carries a message'


# ---------------------------------------------------------------------------
# 1. A list read after remove_message() on its own database
# ---------------------------------------------------------------------------

REMOVE_THEN_WALK = '''
db = Notmuch.Database.open(MAIL, RW)
lst = getattr(db, sys.argv[2])('*')
files = [m.get_filenames() for m in db.search_messages('*')]
for names in files[1::2]:            # every other message, each with all its files
    for name in names:
        db.remove_message(name)
walked = []
def walk():
    for item in iter(lst.next, None):
        walked.append(item.get_thread_id())
    return len(walked)
out(walk=attempt(walk), check=attempt(lst.check), left=db.count_messages('*'),
    removed=len(files[1::2]), total=len(files))
'''


@pytest.mark.parametrize('search', ['search_threads', 'search_messages'])
def test_list_read_after_remove_message_on_same_handle(run_py, writable, search):
    """A deletion through the list's own database ends the list early, like a commit of
    another process (DESIGN rule 5): no item is lost silently without check() saying so."""
    v = child(run_py, REMOVE_THEN_WALK, writable.mail_root, search)
    assert v['left'] == v['total'] - v['removed']
    expect(v['walk'], None)
    expect(v['check'], None, E.OPERATION_INVALIDATED)
    if v['check'][0] == 'ok':
        assert v['check'][1] is True


# ---------------------------------------------------------------------------
# 2. Callbacks that call back into the library
# ---------------------------------------------------------------------------

COMPACT_REENTRANT = '''
db = Notmuch.Database.open(MAIL, RW)
calls = []
def progress(*args):
    calls.append(attempt(lambda: %s))
out(compact=attempt(lambda: db.compact(None, progress)), calls=calls,
    after=attempt(lambda: Notmuch.Database.open(MAIL, RO).count_messages('*')))
'''


@pytest.mark.parametrize('call', ['db.reopen(RO)', 'db.commit()',
                                  'Notmuch.Database.open(MAIL, RO).count_messages("*")'])
def test_compact_progress_callback_calls_back(run_py, writable, call):
    # The deadlock shows as a timeout (TimeoutExpired); compact takes a second or two.
    v = child(run_py, COMPACT_REENTRANT % call, writable.mail_root, timeout=10)
    expect(v['compact'], None, E.LOCKED, E.ILLEGAL_ARGUMENT)
    assert v['calls'], 'the progress callback was called'
    for outcome in v['calls']:
        expect(outcome, None, E.LOCKED, E.ILLEGAL_ARGUMENT, E.CLOSED_DATABASE)
    expect(v['after'], None)


COMPACT_OTHER_THREAD = '''
db = Notmuch.Database.open(MAIL, RW)
results = []
def progress(*args):
    if results:
        return
    # Another thread opens a database while the callback waits for it.
    t = threading.Thread(target=lambda: results.append(
        attempt(lambda: Notmuch.Database.open(MAIL, RO).count_messages('*'))))
    t.start()
    t.join(5)
    results.append(t.is_alive())
out(compact=attempt(lambda: db.compact(None, progress)), results=results)
'''


def test_compact_callback_waits_for_another_thread(run_py, writable):
    v = child(run_py, COMPACT_OTHER_THREAD, writable.mail_root, timeout=15)
    expect(v['compact'], None)
    opened, alive = v['results']
    assert alive is False, 'the other thread was still blocked after 5 s'
    expect(opened, None)


# ---------------------------------------------------------------------------
# 3. database.autocommit that is not a number
# ---------------------------------------------------------------------------

AUTOCOMMIT = '''
with open(os.environ['NOTMUCH_CONFIG'], 'a') as f:
    f.write('\\n[database]\\nautocommit=abc\\n')
def by_init():
    db = Notmuch.Database(path=None, mode=RW)
    db.init(None)
    return db
def by_async():
    loop = GLib.MainLoop()
    results = []
    Notmuch.Database.open_async(None, RW, None, lambda s, r, *a: (results.append(r),
                                                                 loop.quit()))
    loop.run()
    return Notmuch.Database.open_finish(results[0])
out(outcome=attempt({'open': lambda: Notmuch.Database.open(None, RW),
                     'open_with_config': lambda: Notmuch.Database.open_with_config(
                         None, RW, None, None),
                     'init': by_init, 'open_async': by_async}[sys.argv[2]]))
'''


@pytest.mark.parametrize('how', ['open', 'open_with_config', 'init', 'open_async'])
def test_autocommit_not_a_number_without_path(run_py, writable, how):
    v = child(run_py, AUTOCOMMIT, writable.mail_root, how)
    expect(v['outcome'], E.ILLEGAL_ARGUMENT)


def test_autocommit_not_a_number_with_path(run_py, writable):
    """The case that works already: the same file, an explicit path."""
    v = child(run_py, '''
with open(os.environ['NOTMUCH_CONFIG'], 'a') as f:
    f.write('\\n[database]\\nautocommit=abc\\n')
out(outcome=attempt(lambda: Notmuch.Database.open(MAIL, RW)))
''', writable.mail_root)
    expect(v['outcome'], E.ILLEGAL_ARGUMENT)


AUTOCOMMIT_AFTER_OPEN = '''
db = Notmuch.Database.open(MAIL, RO)
with open(os.environ['NOTMUCH_CONFIG'], 'a') as f:
    f.write('\\n[database]\\nautocommit=abc\\n')
out(first=attempt(lambda: db.count_messages('foo AND')),
    second=attempt(lambda: db.count_messages('foo AND')),
    after=attempt(lambda: db.count_messages('*')))
'''


def test_autocommit_written_after_open_then_failed_queries(run_py, writable):
    v = child(run_py, AUTOCOMMIT_AFTER_OPEN, writable.mail_root)
    expect(v['first'], E.XAPIAN_EXCEPTION)
    expect(v['second'], E.XAPIAN_EXCEPTION)
    expect(v['after'], None)


# ---------------------------------------------------------------------------
# 4. Long property keys and values
# ---------------------------------------------------------------------------

PROPERTY = '''
db = Notmuch.Database.open(MAIL, RW)
m = db.search_messages('*').get_item(0)
before = m.get_all_properties(None, False)
out(outcome=attempt(lambda: %s), same=(m.get_all_properties(None, False) == before))
'''


@pytest.mark.parametrize('call', ["m.add_property('k' * 240, 'v')",
                                  "m.add_property('k', 'v' * 240)",
                                  "m.remove_property('k' * 240, 'v')",
                                  "m.remove_property('k', 'v' * 240)"])
def test_long_property(run_py, writable, call):
    v = child(run_py, PROPERTY % call, writable.mail_root)
    expect(v['outcome'], E.ILLEGAL_ARGUMENT)
    assert v['same'], 'a refused property change changed nothing'


def test_long_property_reads(run_py, writable):
    """Reading with a long key works already (no term is written)."""
    v = child(run_py, '''
db = Notmuch.Database.open(MAIL, RW)
m = db.search_messages('*').get_item(0)
out(count=attempt(lambda: m.count_properties('k' * 300)),
    values=attempt(lambda: m.get_property_values('k' * 300)),
    remove_all=attempt(lambda: m.remove_property('k' * 300, None)))
''', writable.mail_root)
    assert v['count'] == ['ok', 0]
    assert v['values'] == ['ok', []]
    expect(v['remove_all'], None, E.ILLEGAL_ARGUMENT)


# ---------------------------------------------------------------------------
# 5. s-expression queries libnotmuch 0.37 crashes on
# ---------------------------------------------------------------------------

SEXP_QUERY = '''
import json
db = Notmuch.Database.open(MAIL, RO)
text = json.loads(sys.argv[2])
def run():
    q = Notmuch.Query.new_with_syntax(db, text, SEXP)
    return getattr(q, sys.argv[3])()
out(outcome=attempt(run), after=attempt(lambda: db.count_messages('*')))
'''

CRASHING_SEXP = ['(of)', '(matching)', '(matching (tag inbox))', '(of inbox)',
                 '(not (of inbox))', '(and ' * 20000 + ')' * 20000]


@pytest.mark.parametrize('text', CRASHING_SEXP, ids=lambda t: t if len(t) < 30 else 'deep')
@pytest.mark.parametrize('call', ['count_messages', 'search_threads'])
def test_sexp_query_refused(run_py, db, text, call):
    import json
    v = child(run_py, SEXP_QUERY, db.get_path(), json.dumps(text), call)
    expect(v['outcome'], E.BAD_QUERY_SYNTAX)
    expect(v['after'], None)


SEXP_ASYNC = '''
db = Notmuch.Database.open(MAIL, RO)
q = Notmuch.Query.new_with_syntax(db, '(and ' * 20000 + ')' * 20000, SEXP)
loop = GLib.MainLoop()
results = []
q.count_messages_async(None, lambda s, r, *a: (results.append(r), loop.quit()))
loop.run()
out(outcome=attempt(lambda: q.count_messages_finish(results[0])))
'''


def test_sexp_deep_nesting_on_worker_thread(run_py, db):
    v = child(run_py, SEXP_ASYNC, db.get_path())
    expect(v['outcome'], E.BAD_QUERY_SYNTAX)


# ---------------------------------------------------------------------------
# 6. File names that are not UTF-8 in error messages
# ---------------------------------------------------------------------------

RAW_NAMES = '''
db = Notmuch.Database.open(MAIL, RO if sys.argv[3:] == ['read-only'] else RW)
calls = {
    'index_file': lambda p: db.index_file(p, None),
    'remove_message': lambda p: db.remove_message(p),
    'find_message_by_filename': lambda p: db.find_message_by_filename(p),
    'open': lambda p: Notmuch.Database.open(p, RO),
    'open_with_config': lambda p: Notmuch.Database.open_with_config(p, RO, '', None),
}
call = calls[sys.argv[2]]
out(ascii=attempt(lambda: call(MAIL + '/extra/nosuch')),
    raw=attempt(lambda: call(MAIL + '/extra/\\udcff')))
'''


@pytest.mark.parametrize('call', ['index_file', 'open', 'open_with_config',
                                  'remove_message read-only'])
def test_error_naming_a_file_that_is_not_utf8(run_py, writable, call):
    """The same call fails the same way whether or not the missing file's name is UTF-8."""
    v = child(run_py, RAW_NAMES, writable.mail_root, *call.split())
    assert v['ascii'][0] == 'error', v
    assert v['raw'][:2] == v['ascii'][:2], v


@pytest.mark.parametrize('call', ['remove_message', 'find_message_by_filename'])
def test_no_error_for_a_file_that_is_not_utf8(run_py, writable, call):
    """These answer without an error for a file that is not indexed: nothing to convert."""
    v = child(run_py, RAW_NAMES, writable.mail_root, call)
    assert v['raw'] == v['ascii'], v


def test_not_mail_with_a_name_that_is_not_utf8(run_py, writable):
    path = os.path.join(os.fsencode(writable.mail_root), b'INBOX', b'cur', b'\xff:2,')
    with open(path, 'wb') as f:
        f.write(b'\x00\x01 not mail')
    v = child(run_py, '''
db = Notmuch.Database.open(MAIL, RW)
out(outcome=attempt(lambda: db.index_file(MAIL + '/INBOX/cur/\\udcff:2,', None)))
''', writable.mail_root)
    expect(v['outcome'], E.FILE_NOT_EMAIL)


# ---------------------------------------------------------------------------
# 7. Objects constructed generically (GObject.new, Python keyword construction)
# ---------------------------------------------------------------------------

CONSTRUCTED = '''
out(outcome=attempt(lambda: %s))
'''

WITHOUT_DATABASE = [
    'Notmuch.Message().get_tags()',
    'Notmuch.Message().get_message_id()',
    "Notmuch.Message().add_tag('x')",
    'Notmuch.Messages().get_n_items()',
    'Notmuch.Messages().next()',
    'Notmuch.Messages().collect_tags()',
    'Notmuch.Thread().get_thread_id()',
    'Notmuch.Thread().get_messages()',
    'Notmuch.Threads().get_n_items()',
    'Notmuch.Directory().get_mtime()',
    'Notmuch.IndexOptions().get_decrypt_policy()',
    'Notmuch.Query().count_messages()',
    'Notmuch.Query(sort=Notmuch.Sort.OLDEST_FIRST).get_sort()',
    "Notmuch.Query(database=None, query_string='*').count_messages()",
]


@pytest.mark.parametrize('expression', WITHOUT_DATABASE)
def test_constructed_without_database(run_py, expression):
    """No crash, no critical (the suite runs with fatal criticals), and any error is a
    Notmuch error."""
    v = child(run_py, CONSTRUCTED % expression)
    assert v['outcome'][0] in ('ok', 'error'), v


def test_query_constructed_with_properties(run_py, db):
    """Generic construction with a database works, whatever the order of the properties."""
    v = child(run_py, '''
db = Notmuch.Database.open(MAIL, RO)
q = Notmuch.Query(sort=Notmuch.Sort.OLDEST_FIRST, query_string='*', database=db,
                  syntax=Notmuch.QuerySyntax.XAPIAN)
out(count=attempt(q.count_messages), expected=Notmuch.Query.new(db, '*').count_messages(),
    sort=int(q.get_sort()))
''', db.get_path())
    assert v['count'] == ['ok', v['expected']]
    assert v['sort'] == 0


def test_database_constructed_without_init(run_py):
    """A Database that was never initialized answers CLOSED_DATABASE (works already)."""
    v = child(run_py, '''
db = Notmuch.Database()
out(count=attempt(lambda: db.count_messages('*')), close=attempt(db.close))
''')
    expect(v['count'], E.CLOSED_DATABASE)
    expect(v['close'], None)


# ---------------------------------------------------------------------------
# 8. A broken MIME part: gmime prints a CRITICAL from libnotmuch's indexer
# ---------------------------------------------------------------------------

BROKEN_RFC822 = (b'From: a@example.org\nTo: b@example.org\nSubject: broken\n'
                 b'Message-ID: <broken-rfc822@example.org>\nMIME-Version: 1.0\n'
                 b'Content-Type: multipart/mixed; boundary="BB"\n\n'
                 b'--BB\nContent-Type: text/plain\n\nhi\n'
                 b'--BB\nContent-Type: message/rfc822\n\n--BB--\n')


def test_index_broken_mime_part(run_py, writable):
    """Indexing works; gmime's CRITICAL (g_mime_message_get_mime_part: assertion
    'GMIME_IS_MESSAGE (message)' failed), printed from inside libnotmuch as `notmuch new`
    prints it, is a residual hazard no wrapper can stop: run with criticals not fatal."""
    path = os.path.join(writable.mail_root, 'INBOX', 'cur', 'broken:2,')
    with open(path, 'wb') as f:
        f.write(BROKEN_RFC822)
    r = run_py(ATTEMPT + '''
db = Notmuch.Database.open(MAIL, RW)
outcome = attempt(lambda: db.index_file(sys.argv[2], None)[0].get_message_id())
out(outcome=outcome)
''', writable.mail_root, path, env={'G_DEBUG': ''})
    assert r.returncode == 0, r
    assert r.merged()['outcome'] == ['ok', 'broken-rfc822@example.org']
    assert re.findall(r'([\w-]+)-CRITICAL', r.stderr) in ([], ['gmime']), r.stderr


# ---------------------------------------------------------------------------
# 9. (new) A file name too long for libnotmuch's file-direntry term
# ---------------------------------------------------------------------------

def test_index_file_with_long_name(run_py, writable):
    name = 'x' * 240
    with open(os.path.join(writable.mail_root, 'INBOX', 'cur', name), 'wb') as f:
        f.write(b'From: a@example.org\nSubject: long\nMessage-ID: <long-name@example.org>\n\nhi\n')
    v = child(run_py, '''
db = Notmuch.Database.open(MAIL, RW)
before = db.count_messages('*')
out(outcome=attempt(lambda: db.index_file(MAIL + '/INBOX/cur/' + sys.argv[2], None)),
    found=attempt(lambda: db.find_message('long-name@example.org')),
    same=attempt(lambda: db.count_messages('*') == before))
''', writable.mail_root, name)
    expect(v['outcome'], E.PATH_ERROR, E.FILE_ERROR, E.ILLEGAL_ARGUMENT)
    assert v['found'] == ['ok', None]
    assert v['same'] == ['ok', True]


# ---------------------------------------------------------------------------
# 10. (new) File names that are not UTF-8 in string properties
# ---------------------------------------------------------------------------

RAW_PROPERTY = '''
db = Notmuch.Database.open(MAIL, RW)
m = db.index_file(MAIL + '/raw\\udcffdir/cur/m:2,', None)[0]
d = db.get_directory('raw\\udcffdir/cur')
out(getter=attempt(m.get_filename), filename=attempt(lambda: m.props.filename),
    filenames=attempt(lambda: m.props.filenames), path=attempt(lambda: d.props.path))
'''


@pytest.mark.parametrize('prop', ['filename', 'filenames', 'path'])
def test_property_naming_a_file_that_is_not_utf8(run_py, writable, prop):
    folder = os.path.join(os.fsencode(writable.mail_root), b'raw\xffdir', b'cur')
    os.makedirs(folder)
    with open(os.path.join(folder, b'm:2,'), 'wb') as f:
        f.write(b'From: a@example.org\nSubject: raw\nMessage-ID: <raw-dir@example.org>\n\nhi\n')
    v = child(run_py, RAW_PROPERTY, writable.mail_root)
    assert v['getter'][0] == 'ok', v
    assert v[prop][0] == 'ok', v
    # The property holds the name as it can be shown.
    shown = v[prop][1] if prop != 'filenames' else v[prop][1][0]
    assert 'raw\ufffddir' in shown, shown


# Found by the API fuzzer under ASan once create() made missing parents on every version:
# a database created in a directory whose name is not UTF-8.
RAW_DATABASE_PATH = '''
db = Notmuch.Database.create(MAIL + '/raw\\udcffdb')
out(getter=attempt(lambda: db.get_path().endswith('/raw\\udcffdb')),
    path=attempt(lambda: db.props.path))
'''


def test_database_path_property_not_utf8(run_py, tmp_path):
    v = child(run_py, RAW_DATABASE_PATH, str(tmp_path))
    assert v['getter'] == ['ok', True], v
    assert v['path'] == ['ok', str(tmp_path) + '/raw\ufffddb'], v

# ---------------------------------------------------------------------------
# 11. (new) Properties of a message deleted through its own database
# ---------------------------------------------------------------------------

DELETED_PROPERTIES = '''
db = Notmuch.Database.open(MAIL, RW)
m = db.search_messages('*').get_item(0)
refused = attempt(lambda: m.add_property('a=b', 'v'))
m.remove_all_properties(None)
for name in m.get_filenames():
    db.remove_message(name)
out(refused=refused, outcome=attempt(lambda: %s))
'''


@pytest.mark.parametrize('call', ['m.get_all_properties(None, False)',
                                  "m.get_property_values('k')", "m.count_properties('k')"])
def test_properties_of_a_deleted_message(run_py, writable, call):
    v = child(run_py, DELETED_PROPERTIES % call, writable.mail_root)
    expect(v['refused'], E.ILLEGAL_ARGUMENT)
    expect(v['outcome'], None, E.XAPIAN_EXCEPTION, E.OPERATION_INVALIDATED)
