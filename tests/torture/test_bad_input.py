"""T17-T24: malformed queries, files that are not mail, odd headers, bad tags and file
names, ghosts, broken databases, fatal configuration values, and stale error texts."""

import os
import random
import subprocess

import pytest

from harness import NOTMUCH, base_env, cli_env, run_case, run_py

try:
    import xapian
except ImportError:            # Debian: python3-xapian
    xapian = None

needs_xapian = pytest.mark.skipif(
    xapian is None, reason='the Python xapian module (Debian python3-xapian) is not installed: '
                           'it is needed to write database metadata directly')


# ---------------------------------------------------------------------------
# T17: malformed queries, one after another on one handle
# ---------------------------------------------------------------------------

# (syntax, query, error code, words the message must contain).  Consecutive entries fail
# differently, so a stale message (libnotmuch keeps its first one, H8) is caught.  Where
# libnotmuch versions word the same failure differently, the words are a tuple with one
# list per wording, and the message must contain every word of one of them.
T17_QUERIES = [
    ('xapian', 'foo AND', 'XAPIAN_EXCEPTION', ['Syntax', 'AND']),
    ('xapian', 'date:garbage..', 'XAPIAN_EXCEPTION', ['garbage']),
    ('xapian', 'subject:/[/', 'XAPIAN_EXCEPTION', ['egular expression']),
    ('sexp', '(and', 'BAD_QUERY_SYNTAX', ['(and']),
    ('xapian', 'NOT *', 'XAPIAN_EXCEPTION', ['NOT']),
    ('xapian', 'date:2024-13-45', 'XAPIAN_EXCEPTION', ['2024-13-45']),
    ('sexp', '(unknownfield foo)', 'BAD_QUERY_SYNTAX', ['unknownfield']),
    # 0.37 leaves lastmod ranges to Xapian ("Unknown range operation"); 0.38 and later
    # parse the revisions themselves.
    ('xapian', 'lastmod:abc..def', 'XAPIAN_EXCEPTION',
     (['range'], ["bad 'from' revision: 'abc'"])),
    ('xapian', 'thread:{', 'XAPIAN_EXCEPTION', ['missing }']),
    ('sexp', ')', 'BAD_QUERY_SYNTAX', [')']),
    ('xapian', 'thread:{date:garbage}', 'XAPIAN_EXCEPTION', ['garbage']),
    ('xapian', 'AND OR NOT', 'XAPIAN_EXCEPTION', ['Syntax']),
    ('sexp', '(subject', 'BAD_QUERY_SYNTAX', ['(subject']),
    ('sexp', '(date garbage)', 'BAD_QUERY_SYNTAX', ['garbage']),
    ('xapian', 'foo AND', 'XAPIAN_EXCEPTION', ['Syntax', 'AND']),
]

# libnotmuch accepts these (they match nothing, or something): no error is required, but
# the handle must survive them.
T17_ODD_QUERIES = ['subject:"unterminated', '(', 'tag:', 'id:', 'mimetype:"',
                   'query:undefined_named_query', 'x' * 100000, '\u00ff\ufffe', '*', '']

T17 = '''
db = open_db(sys.argv[1])
cases = json.loads(sys.argv[2])
odd = json.loads(sys.argv[3])
total = db.count_messages('*')
results = []
for syntax, text, _, _ in cases:
    syntax = Notmuch.QuerySyntax.SEXP if syntax == 'sexp' else Notmuch.QuerySyntax.XAPIAN
    outcome = {}
    for method in ('count_messages', 'search_messages', 'count_threads', 'search_threads',
                   'db.count_messages', 'db.search_threads'):
        try:
            if method.startswith('db.'):
                if syntax != Notmuch.QuerySyntax.XAPIAN:
                    continue
                getattr(db, method[3:])(text)
            else:
                query = Notmuch.Query.new_with_syntax(db, text, syntax)
                getattr(query, method)()
            outcome[method] = ['ok', '']
        except GLib.Error as error:
            outcome[method] = [error_name(error), error.message]
        # The handle still works after every failure.
        assert db.count_messages('*') == total
    results.append(outcome)
odd_results = []
for text in odd:
    try:
        odd_results.append(['ok', db.count_messages(text), len(db.search_messages(text))])
    except GLib.Error as error:
        odd_results.append([error_name(error), error.message, 0])
    assert db.count_messages('*') == total
emit(results=results, odd=odd_results, total=total, after=db.count_messages('*'))
'''


def test_t17_malformed_queries_on_one_handle(small):
    import json
    child = run_py(T17, small.root, json.dumps(T17_QUERIES),
                   json.dumps(T17_ODD_QUERIES)).ok()
    assert child['after'] == child['total'] == small.count('*')
    problems = []
    for (syntax, text, code, words), outcome in zip(T17_QUERIES, child['results']):
        for method, (got, message) in outcome.items():
            if got != code:
                problems.append('%s %r: %s gave %s (%s), not %s'
                                % (syntax, text, method, got, message, code))
            elif not any(all(word in message for word in wording)
                         for wording in (words if isinstance(words, tuple) else (words,))):
                problems.append('%s %r: %s message %r does not name %s'
                                % (syntax, text, method, message, words))
    assert not problems, '\n'.join(problems)
    for text, (got, value, length) in zip(T17_ODD_QUERIES, child['odd']):
        if got == 'ok':
            assert value == length, (text[:40], value, length)
        else:
            assert value, 'an error without a message for %r' % text[:40]


T17_REPEAT = '''
db = open_db(sys.argv[1])
out = []
for text in ('(and', ')', '(unknownfield foo)'):
    for method in ('count_messages', 'search_messages', 'count_threads'):
        query = Notmuch.Query.new_with_syntax(db, text, Notmuch.QuerySyntax.SEXP)
        try:
            getattr(query, method)()
            out.append([text, method, 'ok'])
        except GLib.Error as error:
            out.append([text, method, error.message])
emit(out=out)
'''


def test_t17_repeated_sexp_error_keeps_message(small):
    """The same failing s-expression query, run again on one handle, still gets
    libnotmuch's message (libnotmuch logs an identical text, which must not be taken for
    a stale one)."""
    child = run_py(T17_REPEAT, small.root).ok()
    wanted = {'(and': "invalid s-expression: '(and'", ')': "invalid s-expression: ')'",
              '(unknownfield foo)': "unknown prefix 'unknownfield'"}
    problems = [(text, method, message) for text, method, message in child['out']
                if wanted[text] not in message]
    assert not problems, problems


# ---------------------------------------------------------------------------
# T18: indexing files that are not mail, or not there
# ---------------------------------------------------------------------------

T18 = '''
root, outside = sys.argv[1], sys.argv[2]
db = open_db(root, RW)
before = db.count_messages('*')
cases = [
    ('binary', 'bad/cur/binary'), ('empty', 'bad/cur/empty'), ('plaintext', 'bad/cur/plain'),
    ('mbox', 'bad/cur/mbox'), ('nonexistent', os.path.join(root, 'bad/cur/missing')),
    ('nonexistent_relative', 'bad/cur/missing'), ('directory', os.path.join(root, 'bad')),
    ('outside_root', outside), ('outside_root_nonexistent', '/nonexistent/file'),
]
results = {}
for name, path in cases:
    try:
        message, duplicate = db.index_file(path, None)
        results[name] = ['ok', message.get_filename()]
    except GLib.Error as error:
        results[name] = [error_name(error), error.message]
    assert db.count_messages('*') == before, name
after_failures = db.count_messages('*')
message, duplicate = db.index_file('good/cur/relative:2,', None)
relative = [message.get_filename(), message.get_message_id(), duplicate]
reader = open_db(root)
try:
    reader.index_file(os.path.join(root, 'good/cur/other:2,'), None)
    read_only = ['ok', '']
except GLib.Error as error:
    read_only = [error_name(error), error.message]
db.close()
emit(results=results, before=before, after_failures=after_failures, relative=relative,
     read_only=read_only)
'''


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def mail(message_id, subject='test', extra=b''):
    return (b'From: Tester <t@example.org>\nTo: u@example.org\nSubject: ' + subject.encode()
            + b'\nDate: Mon, 01 Jan 2024 00:00:00 +0000\nMessage-ID: <' + message_id.encode()
            + b'>\n' + extra + b'\nbody\n')


def test_t18_index_bad_files(small_copy, tmp_path):
    root = small_copy.root
    write(os.path.join(root, 'bad/cur/binary'), random.Random(18).randbytes(8192))
    write(os.path.join(root, 'bad/cur/empty'), b'')
    write(os.path.join(root, 'bad/cur/plain'), b'hello\nthis is plain text, no headers\n')
    write(os.path.join(root, 'bad/cur/mbox'),
          b'From a@example.org Mon Jan  1 00:00:00 2024\n' + mail('mbox1@x')
          + b'\nFrom b@example.org Mon Jan  1 00:00:00 2024\n' + mail('mbox2@x'))
    write(os.path.join(root, 'good/cur/relative:2,'), mail('relative@x'))
    write(os.path.join(root, 'good/cur/other:2,'), mail('other@x'))
    outside = str(tmp_path / 'outside.eml')
    write(outside, mail('outside@x'))
    messages = small_copy.count('*')

    child = run_py(T18, root, outside).ok()
    results = child['results']
    for name in ('binary', 'empty', 'plaintext', 'mbox'):
        assert results[name][0] == 'FILE_NOT_EMAIL', (name, results[name])
    for name in ('nonexistent', 'nonexistent_relative', 'directory'):
        assert results[name][0] == 'FILE_ERROR', (name, results[name])
    assert 'Is a directory' in results['directory'][1]
    assert 'missing' in results['nonexistent'][1]
    # libnotmuch says FILE_ERROR "path outside mail root"; the library passes that on.
    # (The index_file documentation also allows PATH_ERROR.)
    for name in ('outside_root', 'outside_root_nonexistent'):
        assert results[name][0] in ('FILE_ERROR', 'PATH_ERROR'), (name, results[name])
        assert 'outside' in results[name][1], results[name]
    assert child['after_failures'] == child['before'] == messages
    # A relative path is taken relative to the mail root.
    assert child['relative'] == [os.path.join(root, 'good/cur/relative:2,'), 'relative@x',
                                 False]
    assert child['read_only'][0] == 'READ_ONLY_DATABASE', child['read_only']
    assert small_copy.count('*') == messages + 1
    assert small_copy.count('id:outside@x or id:mbox1@x or id:mbox2@x') == 0


T18_ESCAPE = '''
root = sys.argv[1]
db = open_db(root, RW)
before = db.count_messages('*')
results = {}
for name, path in [('relative_dotdot', '../outside/escape.eml'),
                   ('absolute_dotdot', os.path.join(root, '..', 'outside', 'escape.eml'))]:
    try:
        message, duplicate = db.index_file(path, None)
        results[name] = ['ok', message.get_filename()]
    except GLib.Error as error:
        results[name] = [error_name(error), error.message]
emit(results=results, before=before, after=db.count_messages('*'))
db.close()
'''


def test_t18_index_path_escaping_root(small_copy):
    """libnotmuch 0.37 compares the mail root with the file name as strings, so a path
    through ".." would be indexed, and stored with ".." in it: refused with PATH_ERROR."""
    write(os.path.join(small_copy.outdir, 'outside', 'escape.eml'), mail('escape@x'))
    child = run_py(T18_ESCAPE, small_copy.root).ok()
    for name, (code, text) in child['results'].items():
        assert code == 'PATH_ERROR' and 'outside the mail root' in text, (name, code, text)
    assert child['after'] == child['before']


# ---------------------------------------------------------------------------
# T19: header edge cases
# ---------------------------------------------------------------------------

LONG_ID = 'L' * 1990 + '@example.org'


def t19_mails():
    deep_multipart = (b'From: a@x.org\nSubject: deep multipart\nMessage-ID: <deep@x>\n'
                      b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n\n'
                      + b''.join(b'--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n'
                                 % (i, i + 1) for i in range(30000))
                      + b'--b30000\nContent-Type: text/plain\n\ninnermost\n')
    nested = (b'From: a@x.org\nSubject: deep rfc822\nMessage-ID: <rfc822@x>\n'
              + b''.join(b'MIME-Version: 1.0\nContent-Type: message/rfc822\n\n'
                         b'From: level%d@x.org\nSubject: level %d\n' % (i, i)
                         for i in range(3000))
              + b'\ninnermost\n')
    return {
        'latin1': b'From: J\xf6rg <j@x.org>\nSubject: caf\xe9 \xff\xfe\nMessage-ID: <latin1@x>\n'
                  b'X-Raw: \xff\xfe\n\nbody\n',
        'nul': b'From: a@x.org\nSubject: before\x00after\nMessage-ID: <nul@x>\n\nbody\n',
        'big_subject': b'From: a@x.org\nSubject: ' + b'S' * (1 << 20)
                       + b'\nMessage-ID: <big@x>\n\nbody\n',
        'references': b'From: a@x.org\nSubject: refs\nMessage-ID: <refs@x>\nReferences: '
                      + b' '.join(b'<r%d@x>' % i for i in range(20000)) + b'\n\nbody\n',
        'long_id': mail(LONG_ID, 'long id'),
        'no_id': b'From: a@x.org\nSubject: no id\n\nbody\n',
        'header_only': b'From: a@x.org\nSubject: header only',
        'deep_multipart': deep_multipart,
        'deep_rfc822': nested,
    }


T19 = '''
root, names, long_id = sys.argv[1], sys.argv[2].split(','), sys.argv[3]
db = open_db(root, RW)
out = {}
def utf8(value):
    if value is not None:
        value.encode('utf-8')          # raises on lone surrogates: not valid UTF-8
    return value
for name in names:
    start = time.monotonic()
    message, duplicate = db.index_file('edge/cur/%s:2,' % name, None)
    out[name] = {
        'seconds': time.monotonic() - start,
        'id': utf8(message.get_message_id()),
        'subject': utf8(message.get_header('subject')),
        'from': utf8(message.get_header('from')),
        'raw': utf8(message.get_header('x-raw')),
        'references': len(utf8(message.get_header('references')) or ''),
        'thread': utf8(message.get_thread_id()),
    }
    if out[name]['subject'] is not None and len(out[name]['subject']) > 200:
        out[name]['subject'] = ['long', len(out[name]['subject']), out[name]['subject'][:5]]
found = db.find_message(long_id)
out['find_long'] = found.get_message_id() if found is not None else None
out['find_compressed'] = db.find_message(out['long_id']['id']).get_message_id()
out['ghost_reference'] = db.find_message('r12345@x').get_flag(Notmuch.MessageFlag.GHOST)
# Walking everything, threads included, reads every string once more.
walked = 0
for thread in db.search_threads('*'):
    utf8(thread.get_subject()); utf8(thread.get_authors())
    for message in thread.get_messages():
        utf8(message.get_header('subject')); utf8(message.get_header('from'))
        walked += 1
out['walked'] = walked
out['count'] = db.count_messages('*')
db.close()
emit(**out)
'''


def test_t19_header_edge_cases(small_copy):
    mails = t19_mails()
    for name, data in mails.items():
        write(os.path.join(small_copy.root, 'edge/cur/%s:2,' % name), data)
    messages = small_copy.count('*')
    child = run_py(T19, small_copy.root, ','.join(mails), LONG_ID, timeout=300).ok()
    v = child.values
    assert v['latin1']['from'] == 'J\u00f6rg <j@x.org>'
    assert v['latin1']['subject'] == 'caf\u00e9 \u00ff\u00fe'
    assert v['latin1']['raw'] == '\u00ff\u00fe'
    assert v['nul']['subject'].startswith('before')       # truncated at the NUL by GMime
    assert v['big_subject']['subject'] == ['long', 1 << 20, 'SSSSS']
    assert v['references']['references'] > 20000 * 5
    assert v['ghost_reference'] is True
    assert v['long_id']['id'].startswith('notmuch-sha1-')
    assert v['find_long'] == v['find_compressed'] == v['long_id']['id']
    assert v['no_id']['id'].startswith('notmuch-sha1-')
    assert v['header_only']['subject'] == 'header only'
    assert v['deep_multipart']['id'] == 'deep@x' and v['deep_rfc822']['id'] == 'rfc822@x'
    assert v['count'] == messages + len(mails)
    assert small_copy.count('*') == messages + len(mails)


# ---------------------------------------------------------------------------
# T20: bad tags, and a file name that is not UTF-8
# ---------------------------------------------------------------------------

T20 = '''
root = sys.argv[1]
db = open_db(root, RW)
m = db.search_messages('*')[0]
before = m.get_tags()
results = {}
def attempt(name, function, *args):
    try:
        results[name] = ['ok', function(*args)]
    except GLib.Error as error:
        results[name] = [error_name(error), error.message]
    except Exception as error:                 # refused by PyGObject before the call
        results[name] = ['python:' + type(error).__name__, str(error)]
attempt('add_empty', m.add_tag, '')
attempt('remove_empty', m.remove_tag, '')
attempt('add_201', m.add_tag, 'x' * 201)
attempt('add_202_bytes', m.add_tag, '\\u00e9' * 101)
attempt('set_tags_with_empty', m.set_tags, ['ok', ''])
attempt('set_tags_with_long', m.set_tags, ['ok', 'y' * 201])
attempt('add_surrogate', m.add_tag, '\\udcff')
attempt('tag_messages_empty', db.tag_messages, '*', [''], [])
attempt('tag_messages_long', db.tag_messages, '*', ['ok', 'z' * 201], [])
query = Notmuch.Query.new(db, '*')
attempt('exclude_empty', query.add_tag_exclude, '')
unchanged = m.get_tags() == before
attempt('add_200', m.add_tag, 'x' * 200)
attempt('add_200_bytes', m.add_tag, '\\u00e9' * 100)
after = m.get_tags()
all_tags = db.get_all_tags()
db.close()
emit(results=results, unchanged=unchanged, before=before, after=after, all_tags=all_tags,
     message_id=m.get_message_id())
'''


def test_t20_invalid_tags(small_copy):
    child = run_py(T20, small_copy.root).ok()
    r = child['results']
    for name in ('add_empty', 'remove_empty', 'add_201', 'add_202_bytes', 'set_tags_with_empty',
                 'set_tags_with_long', 'tag_messages_empty', 'tag_messages_long',
                 'exclude_empty'):
        assert r[name][0] == 'INVALID_TAG', (name, r[name])
    # PyGObject cannot pass a str that is not valid UTF-8 (the C test covers that).
    assert r['add_surrogate'][0].startswith('python:'), r['add_surrogate']
    assert child['unchanged'], 'a refused tag changed the message'
    assert r['add_200'] == ['ok', True] and r['add_200_bytes'] == ['ok', True]
    assert sorted(child['after']) == sorted(child['before'] + ['x' * 200, '\u00e9' * 100])
    assert '' not in child['all_tags']
    assert sorted(small_copy.tags_of(child['message_id'])) == sorted(child['after'])
    # Nothing else got a tag from the refused tag_messages() calls.
    assert small_copy.count('tag:ok') == 0


def test_t20_invalid_utf8_tags_c(small_copy, cases_exe):
    """A tag that is not UTF-8, through every call that takes a tag (from C)."""
    message_id = next(i for i in sorted(small_copy.info['by_id']) if len(i) < 100)
    child = run_case(cases_exe, 'invalid-utf8', small_copy.root, message_id)
    assert child.rc == 0, child.report()
    wanted = 'nm:%d' % child['invalid_tag']
    assert child['results'] and all(r.endswith('=' + wanted) for r in child['results']), \
        child['results']
    assert child['unchanged'] is True


T20_FILENAME = '''
root, raw = sys.argv[1], os.fsencode(sys.argv[2])
db = open_db(root, RW)
message, duplicate = db.index_file(raw, None)             # bytes work as a filename
again, duplicate_again = db.index_file(os.fsdecode(raw), None)   # and so does str
name = message.get_filename()
names = message.get_filenames()
by_name = db.find_message_by_filename(raw)
emit(type=type(name).__name__, name_bytes=list(os.fsencode(name)),
     names_bytes=[list(os.fsencode(n)) for n in names], duplicate=duplicate,
     duplicate_again=duplicate_again, found=by_name.get_message_id(),
     exists=os.path.exists(name), id=message.get_message_id())
db.close()
'''


def test_t20_non_utf8_filename(small_copy):
    raw = os.fsencode(small_copy.root) + b'/odd/cur/\xff\xfe-mail:2,S'
    write(os.fsdecode(raw), mail('odd-name@x'))
    child = run_py(T20_FILENAME, small_copy.root, raw).ok()
    # PyGObject hands a `filename` back as a str decoded with surrogateescape; encoding it
    # with os.fsencode() gives back exactly the bytes on disk.
    assert child['type'] == 'str'
    assert bytes(child['name_bytes']) == raw
    assert [bytes(n) for n in child['names_bytes']] == [raw]
    assert child['duplicate'] is False and child['duplicate_again'] is True
    assert child['found'] == child['id'] == 'odd-name@x' and child['exists']
    # The CLI sees the same bytes.
    out = subprocess.run([NOTMUCH, 'search', '--output=files', 'id:odd-name@x'],
                         env=cli_env(small_copy.config), capture_output=True).stdout
    assert out.rstrip(b'\n') == raw


# ---------------------------------------------------------------------------
# T21: ghost messages
# ---------------------------------------------------------------------------

T21 = '''
db = open_db(sys.argv[1])
out = {}
for ghost_id in sys.argv[2].split(' '):
    m = db.find_message(ghost_id)
    out[ghost_id] = None if m is None else {
        'ghost': m.get_flag(Notmuch.MessageFlag.GHOST), 'filename': m.get_filename(),
        'filenames': m.get_filenames(), 'id': m.get_message_id(), 'tags': m.get_tags(),
        'prop_filename': m.props.filename, 'match': m.get_flag(Notmuch.MessageFlag.MATCH),
        'thread': m.get_thread_id(), 'replies': len(m.get_replies()),
    }
out['unknown'] = db.find_message('no-such-message@example.org') is None
out['empty'] = db.find_message('') is None
emit(**out)
'''


def test_t21_ghost_messages(small):
    ghosts = sorted(small.info['ghost_ids'])[:5]
    assert ghosts
    child = run_py(T21, small.root, ' '.join(ghosts)).ok()
    for ghost_id in ghosts:
        info = child[ghost_id]
        assert info is not None, ghost_id
        assert info['ghost'] is True and info['id'] == ghost_id
        assert info['filename'] is None and info['prop_filename'] is None
        assert info['filenames'] == []
        assert info['thread']
    assert child['unknown'] and child['empty']


# ---------------------------------------------------------------------------
# T22: databases that cannot be opened
# ---------------------------------------------------------------------------

def snapshot(path):
    """Every file and directory under path (or path itself), with size and mtime (not the
    mtime of Xapian's lock file, which a read-write open truncates to take the lock)."""
    if not os.path.exists(path):
        return None
    if not os.path.isdir(path):
        st = os.stat(path)
        return {'.': (st.st_size, st.st_mtime_ns)}
    seen = {}
    for directory, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(directory, name)
            st = os.lstat(full)
            seen[os.path.relpath(full, path)] = (st.st_size, None if name == 'flintlock'
                                                 else st.st_mtime_ns)
    return seen


T22 = '''
path, cwd = sys.argv[1], sys.argv[2]
os.chdir(cwd)
out = {}
for mode_name, mode in (('ro', RO), ('rw', RW)):
    try:
        db = Notmuch.Database.open(path, mode)
        try:
            count = db.count_messages('*')
            out[mode_name] = ['opened', count]
        except GLib.Error as error:
            out[mode_name] = ['opened-then-' + error_name(error), error.message]
        db.close()
    except GLib.Error as error:
        out[mode_name] = [error_name(error), error.message]
emit(**out)
'''


def set_metadata(corpus, key, value):
    db = xapian.WritableDatabase(os.path.join(corpus.root, '.notmuch', 'xapian'),
                                 xapian.DB_OPEN)
    if callable(value):
        value = value(db.get_metadata(key).decode())
    db.set_metadata(key, value)
    db.commit()
    db.close()


def t22_case(name, small, tmp_path):
    """Make the bad database *name*; returns (path to open, cwd)."""
    base = tmp_path / name
    base.mkdir()
    if name == 'nonexistent':
        return str(base / 'missing'), str(base)
    if name == 'empty_dir':
        (base / 'empty').mkdir()
        return str(base / 'empty'), str(base)
    if name == 'regular_file':
        (base / 'file').write_text('not a database\n')
        return str(base / 'file'), str(base)
    if name == 'relative':
        copy = small.copy(str(base / 'copy'))
        return 'mail', copy.outdir
    copy = small.copy(str(base / 'copy'))
    xapian_dir = os.path.join(copy.root, '.notmuch', 'xapian')
    if name == 'garbage':
        rng = random.Random(22)
        for entry in os.listdir(xapian_dir):
            full = os.path.join(xapian_dir, entry)
            size = max(os.path.getsize(full), 512)
            with open(full, 'wb') as f:
                f.write(rng.randbytes(size))
    elif name == 'truncated_postlist':
        # Two blocks left: Xapian fails reading the tree when the database is opened.
        os.truncate(os.path.join(xapian_dir, 'postlist.glass'), 16384)
    elif name == 'version_99':
        set_metadata(copy, 'version', '99')
    elif name == 'unknown_feature':
        set_metadata(copy, 'features', lambda old: old + 'feature from the future\trw\n')
    return copy.root, copy.outdir


# name -> (code, words of the message), for both modes.  No database at the path is
# NO_DATABASE, with the path and the reason, with every libnotmuch.
T22_CASES = {
    'nonexistent': ('NO_DATABASE', ['No such file or directory']),
    'empty_dir': ('NO_DATABASE', ['no notmuch database']),
    'regular_file': ('NO_DATABASE', ['Not a directory']),
    'garbage': ('XAPIAN_EXCEPTION', []),
    'truncated_postlist': ('XAPIAN_EXCEPTION', ['EOF reading block']),
    'relative': ('PATH_ERROR', ['must be absolute']),
    'version_99': ('FILE_ERROR', ['newer database format version (99)']),
    'unknown_feature': ('FILE_ERROR', ['feature from the future']),
}


@pytest.mark.parametrize('name', [
    pytest.param(n, marks=needs_xapian) if n in ('version_99', 'unknown_feature') else n
    for n in T22_CASES])
def test_t22_bad_database_paths(small, tmp_path, name):
    path, cwd = t22_case(name, small, tmp_path)
    before = snapshot(tmp_path / name)
    child = run_py(T22, path, cwd).ok()
    code, words = T22_CASES[name]
    for mode in ('ro', 'rw'):
        got, message = child[mode]
        assert got == code, (mode, got, message)
        assert message and all(w in message for w in words), (mode, message)
    # Nothing was created or changed: no .notmuch in an empty directory, no repair.
    assert snapshot(tmp_path / name) == before


# ---------------------------------------------------------------------------
# T23: values that make libnotmuch exit(1)
# ---------------------------------------------------------------------------

T23_OPEN = '''
path, config = sys.argv[1], sys.argv[2]
out = {}
for name, opener in [
        ('explicit_config', lambda: Notmuch.Database.open_with_config(path, RO, config, None)),
        ('explicit_config_rw', lambda: Notmuch.Database.open_with_config(path, RW, config, None)),
        ('env_config', lambda: Notmuch.Database.open(path, RO)),
        ('env_lookup', lambda: Notmuch.Database.open(None, RO))]:
    try:
        db = opener()
        out[name] = ['opened', db.count_messages('*')]
        db.close()
    except GLib.Error as error:
        out[name] = [error_name(error), error.message]
emit(**out)
'''


def test_t23_autocommit_in_config_file(small_copy):
    """database.autocommit=abc in the configuration file: libnotmuch would exit(1); the
    library refuses with ILLEGAL_ARGUMENT before libnotmuch reads it."""
    with open(small_copy.config, 'a') as f:
        f.write('\n[database]\nautocommit=abc\n')
    env = base_env(NOTMUCH_CONFIG=small_copy.config)
    child = run_py(T23_OPEN, small_copy.root, small_copy.config, env=env).ok()
    for name in ('explicit_config', 'explicit_config_rw', 'env_config', 'env_lookup'):
        got, message = child[name]
        assert got == 'ILLEGAL_ARGUMENT', (name, got, message)
        assert 'autocommit' in message and 'abc' in message, message


T23_SET = '''
db = open_db(sys.argv[1], RW)
out = {}
for value in ('abc', '12abc', '-1', '100', ''):
    try:
        db.set_config('database.autocommit', value)
        out[value] = ['ok', db.get_config('database.autocommit')]
    except GLib.Error as error:
        out[value] = [error_name(error), error.message]
db.set_config('database.autocommit', '50')
db.close()
again = open_db(sys.argv[1])
out['reopened'] = again.get_config('database.autocommit')
emit(**out)
'''


def test_t23_set_config_autocommit_refused(small_copy):
    child = run_py(T23_SET, small_copy.root).ok()
    for value in ('abc', '12abc', '-1'):
        assert child[value][0] == 'ILLEGAL_ARGUMENT', (value, child[value])
    assert child['100'] == ['ok', '100']
    assert child[''][0] == 'ok'
    assert child['reopened'] == '50'


def test_t23_autocommit_in_database(small_copy):
    """Pinned known behaviour, documented on NmDatabase: database.autocommit=abc stored in
    the database itself (`notmuch config set --database`) makes libnotmuch exit(1) while it
    opens the database, before the library could read the value (only the configuration
    file can be checked first; this library never stores such a value).  The test notices
    if that changes."""
    small_copy.notmuch('config', 'set', '--database', 'database.autocommit', 'abc')
    child = run_py(T23_OPEN, small_copy.root, '')
    assert child.rc == 1, child.report()
    assert 'Malformed database database.autocommit value: abc' in child.err, child.report()


@needs_xapian
@pytest.mark.parametrize('key, value', [('version', 'abc'), ('last_thread_id', 'zzz')])
def test_t23_corrupt_metadata_exits(small_copy, key, value):
    """Pinned known behaviour: libnotmuch exit(1)s on these, in open, and the library cannot
    catch it.  The test notices if that changes (a GError would be better; a signal worse)."""
    set_metadata(small_copy, key, value)
    child = run_py('''
db = Notmuch.Database.open(sys.argv[1], RW)
m = db.search_messages('*')[0]
db.tag_messages('id:"%s"' % m.get_message_id(), ['touched'], [])   # allocates a thread id
db.close()
emit(survived=True)
''', small_copy.root)
    assert child.rc == 1, child.report()
    assert 'Internal error' in child.err and 'Malformed' in child.err, child.report()


# ---------------------------------------------------------------------------
# T24: error A, then error B, on one handle
# ---------------------------------------------------------------------------

T24 = '''
root = sys.argv[1]
db = open_db(root, RW)
m = db.search_messages('*')[0]
steps = [
    ('index_directory', lambda: db.index_file(os.path.join(root, 'bad'), None)),
    ('index_missing', lambda: db.index_file(os.path.join(root, 'bad/cur/missing-file'), None)),
    ('query_syntax', lambda: db.count_messages('foo AND')),
    ('query_date', lambda: db.count_messages('date:garbage..')),
    ('index_not_mail', lambda: db.index_file('bad/cur/binary', None)),
    ('index_duplicate', lambda: db.index_file(m.get_filename(), None)[1]),
    ('query_sexp', lambda: Notmuch.Query.new_with_syntax(db, '(and', Notmuch.QuerySyntax.SEXP)
                                        .count_messages()),
    ('tag_empty', lambda: m.add_tag('')),
    ('tag_long', lambda: m.add_tag('t' * 201)),
    ('query_regex', lambda: db.count_messages('subject:/[/')),
    ('thaw_unbalanced', lambda: m.thaw()),
    ('end_atomic_unbalanced', lambda: db.end_atomic()),
    ('find_missing_file', lambda: db.find_message_by_filename('bad/cur/nothing-here')),
    ('query_brace', lambda: db.count_messages('thread:{')),
    ('good_count', lambda: db.count_messages('*') > 0),
    ('query_syntax_again', lambda: db.count_messages('AND OR NOT')),
]
out = []
for name, step in steps:
    try:
        out.append([name, 'ok', repr(step())])
    except GLib.Error as error:
        out.append([name, error_name(error), error.message])
db.close()
emit(steps=out)
'''

# name -> (code or 'ok', words that must be in the message, words that must not be)
T24_EXPECT = {
    'index_directory': ('FILE_ERROR', ['Is a directory'], []),
    'index_missing': ('FILE_ERROR', ['missing-file'], ['Is a directory']),
    'query_syntax': ('XAPIAN_EXCEPTION', ['Syntax'], ['missing-file', 'directory']),
    'query_date': ('XAPIAN_EXCEPTION', ['garbage'], ['Syntax']),
    'index_not_mail': ('FILE_NOT_EMAIL', [], ['garbage', 'Syntax']),
    'index_duplicate': ('ok', ['True'], []),
    'query_sexp': ('BAD_QUERY_SYNTAX', ['(and'], ['garbage']),
    'tag_empty': ('INVALID_TAG', [], ['(and']),
    'tag_long': ('INVALID_TAG', ['200'], ['Empty']),
    'query_regex': ('XAPIAN_EXCEPTION', ['egular expression'], ['200', 'garbage', 'Syntax']),
    'thaw_unbalanced': ('UNBALANCED_FREEZE_THAW', [], ['egular expression']),
    'end_atomic_unbalanced': ('UNBALANCED_ATOMIC', [], ['freeze', 'thaw']),
    'find_missing_file': ('ok', ['None'], []),
    'query_brace': ('XAPIAN_EXCEPTION', ['missing }'], ['egular', 'atomic']),
    'good_count': ('ok', ['True'], []),
    'query_syntax_again': ('XAPIAN_EXCEPTION', ['Syntax'], ['missing }']),
}


def test_t24_each_error_describes_itself(small_copy):
    root = small_copy.root
    os.makedirs(os.path.join(root, 'bad', 'cur'), exist_ok=True)
    write(os.path.join(root, 'bad/cur/binary'), random.Random(24).randbytes(4096))
    child = run_py(T24, root).ok()
    problems = []
    for name, code, message in child['steps']:
        want, words, absent = T24_EXPECT[name]
        if code != want:
            problems.append('%s: %s %r, expected %s' % (name, code, message, want))
            continue
        for word in words:
            if word not in message:
                problems.append('%s: %r does not mention %r' % (name, message, word))
        for word in absent:
            if word in message:
                problems.append('%s: %r still mentions %r (a stale message)'
                                % (name, message, word))
    assert not problems, '\n'.join(problems)
