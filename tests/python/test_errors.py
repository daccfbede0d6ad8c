"""Errors: every failure is a GLib.Error in the Notmuch domain with the right code and
libnotmuch's own message, and changes nothing."""

import functools
import os
import pathlib
import subprocess
import sys
import textwrap
import time

import pytest
from gi.repository import GLib, Notmuch

from nmhelpers import CHILD_PRELUDE, E, NOTMUCH, RO, RW, cli_env, nm_error

SEXP = Notmuch.QuerySyntax.SEXP


@functools.lru_cache(maxsize=None)
def cli_error(config, *args):
    """stderr of a CLI command that must fail."""
    proc = subprocess.run([NOTMUCH, *args], env=cli_env(config), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0, args
    return proc.stderr


def test_error_domain():
    assert GLib.quark_to_string(Notmuch.Error.quark()) == 'nm-error-quark'
    assert int(E.CLOSED_DATABASE) == 24
    assert int(E.XAPIAN_EXCEPTION) == 3
    assert int(E.BAD_QUERY_SYNTAX) == 22


# -- queries --------------------------------------------------------------------------------

BAD_XAPIAN = ['foo AND', 'date:garbage..', 'subject:/[/', 'lastmod:abc..def', 'thread:{',
              'AND OR NOT', 'date:2024-13-45']


def test_malformed_query_is_lazy(db):
    q = Notmuch.Query.new(db, 'foo AND')
    assert q.get_query_string() == 'foo AND'


@pytest.mark.parametrize('call', ['count_messages', 'count_threads', 'search_messages',
                                  'search_threads'])
def test_malformed_xapian_query(db, corpus, call):
    q = Notmuch.Query.new(db, 'foo AND')
    with pytest.raises(GLib.Error) as ei:
        getattr(q, call)()
    e = nm_error(ei.value, E.XAPIAN_EXCEPTION)
    assert 'Syntax: <expression> AND <expression>' in e.message
    assert e.message.strip() in cli_error(corpus.config, 'count', 'foo AND')


@pytest.mark.parametrize('call', ['count_messages', 'count_threads', 'search_messages',
                                  'search_threads'])
def test_malformed_query_database_shortcuts(db, call):
    with pytest.raises(GLib.Error) as ei:
        getattr(db, call)('date:garbage..')
    e = nm_error(ei.value, E.XAPIAN_EXCEPTION)
    assert "Didn't understand date specification 'garbage'" in e.message


def cli_detail(stderr):
    """The specific part of libnotmuch's message for a failed query, as the CLI prints it
    ("A Xapian exception occurred parsing query: <detail>")."""
    for line in stderr.splitlines():
        if 'parsing query: ' in line:
            return line.split('parsing query: ', 1)[1]
    raise AssertionError('no detail in %r' % stderr)


def test_first_error_message_is_libnotmuchs(corpus):
    """On a fresh handle, the message is exactly what libnotmuch reports (and the CLI prints)."""
    for bad in BAD_XAPIAN:
        database = Notmuch.Database.open(corpus.mail_root, RO)
        with pytest.raises(GLib.Error) as ei:
            Notmuch.Query.new(database, bad).count_messages()
        e = nm_error(ei.value, E.XAPIAN_EXCEPTION)
        expected = cli_error(corpus.config, 'count', bad)
        assert e.message.strip() in expected, (bad, e.message, expected)
        assert 'Query string was: ' + bad in e.message
        database.close()


def test_each_error_has_its_own_message(corpus):
    """T17: on ONE handle, each malformed query reports its own libnotmuch message (libnotmuch
    0.37 itself keeps reporting the first one), and the handle keeps working."""
    database = Notmuch.Database.open(corpus.mail_root, RO)
    total = Notmuch.Query.new(database, '*').count_messages()
    for bad in BAD_XAPIAN * 2:
        with pytest.raises(GLib.Error) as ei:
            Notmuch.Query.new(database, bad).count_messages()
        e = nm_error(ei.value, E.XAPIAN_EXCEPTION)
        detail = cli_detail(cli_error(corpus.config, 'count', bad))
        assert detail in e.message, (bad, e.message, detail)
        assert Notmuch.Query.new(database, '*').count_messages() == total
    database.close()


@pytest.mark.parametrize('q', ['subject:"unterminated', 'tag:', 'id:', '(',
                               'query:undefined_named_query'])
def test_odd_queries_agree_with_cli(db, cli, q):
    # libnotmuch accepts these (mostly matching nothing) instead of failing: so must we.
    n = int(cli('count', '--exclude=false', q))
    assert Notmuch.Query.new(db, q).count_messages() == n
    assert len(Notmuch.Query.new(db, q).search_messages()) == n


@pytest.mark.parametrize('sexp,needle', [('(and', "invalid s-expression: '(and'"),
                                         (')', "invalid s-expression"),
                                         ('(unknownfield foo)', "unknown prefix 'unknownfield'")])
def test_bad_sexp_query(corpus, sexp, needle):
    database = Notmuch.Database.open(corpus.mail_root, RO)
    q = Notmuch.Query.new_with_syntax(database, sexp, SEXP)
    with pytest.raises(GLib.Error) as ei:
        q.count_messages()
    e = nm_error(ei.value, E.BAD_QUERY_SYNTAX)
    assert needle in e.message
    assert e.message.strip() in cli_error(corpus.config, 'count', '--query=sexp', sexp)
    database.close()


@pytest.mark.parametrize('call', ['count_messages', 'count_threads', 'search_messages',
                                  'search_threads'])
def test_bad_sexp_query_every_call(corpus, call):
    database = Notmuch.Database.open(corpus.mail_root, RO)
    with pytest.raises(GLib.Error) as ei:
        getattr(Notmuch.Query.new_with_syntax(database, '(and', SEXP), call)()
    e = nm_error(ei.value, E.BAD_QUERY_SYNTAX)
    assert "invalid s-expression: '(and'" in e.message
    database.close()


def test_bad_sexp_query_twice_keeps_message(corpus):
    database = Notmuch.Database.open(corpus.mail_root, RO)
    messages = []
    for _ in range(2):
        with pytest.raises(GLib.Error) as ei:
            Notmuch.Query.new_with_syntax(database, '(and', SEXP).count_messages()
        messages.append(nm_error(ei.value, E.BAD_QUERY_SYNTAX).message)
    database.close()
    assert all("invalid s-expression: '(and'" in m for m in messages), messages


# -- opening --------------------------------------------------------------------------------

def test_open_nonexistent(tmp_path):
    path = str(tmp_path / 'no' / 'such')
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(path, RO)
    # No database at the path: NO_DATABASE, naming the path and the reason, with every
    # libnotmuch (0.37 said FILE_ERROR, 0.38 and later NO_DATABASE without the reason).
    e = nm_error(ei.value, E.NO_DATABASE)
    assert 'No such file or directory' in e.message and path in e.message
    assert not os.path.exists(path)


def test_open_empty_directory_creates_nothing(tmp_path):
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(str(tmp_path), RO)
    assert str(tmp_path) in nm_error(ei.value, E.NO_DATABASE).message
    assert os.listdir(str(tmp_path)) == []
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(str(tmp_path), RW)
    nm_error(ei.value, E.NO_DATABASE)
    assert os.listdir(str(tmp_path)) == []


def test_open_regular_file(corpus):
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(corpus.config, RO)
    e = nm_error(ei.value, E.NO_DATABASE)
    assert 'Not a directory' in e.message and corpus.config in e.message


def test_open_relative_path(corpus):
    rel = os.path.relpath(corpus.mail_root)
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(rel, RO)
    assert 'must be absolute' in nm_error(ei.value, E.PATH_ERROR).message


def test_open_none_uses_notmuch_config(corpus):
    database = Notmuch.Database.open(None, RO)
    assert database.get_path() == corpus.mail_root
    assert database.count_messages('*') > 0
    database.close()


def test_open_none_missing_config(tmp_path, monkeypatch):
    monkeypatch.setenv('NOTMUCH_CONFIG', str(tmp_path / 'missing-config'))
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(None, RO)
    assert 'config' in nm_error(ei.value, E.NO_CONFIG).message


def test_open_none_nothing_found(tmp_path, monkeypatch):
    home = tmp_path / 'emptyhome'
    home.mkdir()
    for var in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('XDG_CONFIG_HOME', str(home / '.config'))
    monkeypatch.setenv('XDG_DATA_HOME', str(home / '.local/share'))
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(None, RO)
    nm_error(ei.value, E.NO_CONFIG)
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open_with_config(None, RO, '', None)
    assert 'could not locate database' in nm_error(ei.value, E.NO_DATABASE).message
    assert os.listdir(str(home)) == []


def test_open_path_with_missing_config_is_fine(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv('NOTMUCH_CONFIG', str(tmp_path / 'missing-config'))
    database = Notmuch.Database.open(corpus.mail_root, RO)
    assert database.count_messages('*') == Notmuch.Query.new(database, '*').count_messages()
    database.close()
    database = Notmuch.Database.open_with_config(corpus.mail_root, RO, '', None)
    # Without a config file, nothing is excluded by the shortcuts.
    assert database.count_messages('*') == Notmuch.Query.new(database, '*').count_messages()
    database.close()


def test_open_with_explicit_config(corpus, monkeypatch):
    monkeypatch.delenv('NOTMUCH_CONFIG')
    database = Notmuch.Database.open_with_config(None, RO, corpus.config, None)
    assert database.get_path() == corpus.mail_root
    assert database.get_config('user.name') == 'Test User'
    database.close()


@pytest.mark.parametrize('place,profile', [
    ('XDG_CONFIG_HOME/notmuch/default/config', None),
    ('XDG_CONFIG_HOME/notmuch/work/config', 'work'),
    ('HOME/.config/notmuch/default/config', None),
    ('HOME/.notmuch-config', None),
    ('HOME/.notmuch-config.work', 'work'),
])
def test_open_path_finds_config_file(corpus, tmp_path, monkeypatch, place, profile):
    """open(path) reads the configuration file notmuch's own lookup finds, and checks that
    same file first: a bad autocommit value in it is refused before libnotmuch reads it."""
    home = tmp_path / 'home'
    xdg = tmp_path / 'xdg'
    for var in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'XDG_CONFIG_HOME'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('HOME', str(home))
    if place.startswith('XDG_CONFIG_HOME'):
        monkeypatch.setenv('XDG_CONFIG_HOME', str(xdg))
    if profile is not None:
        monkeypatch.setenv('NOTMUCH_PROFILE', profile)
    config = pathlib.Path(place.replace('XDG_CONFIG_HOME', str(xdg)).replace('HOME', str(home)))
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(pathlib.Path(corpus.config).read_text())

    database = Notmuch.Database.open(corpus.mail_root, RO)
    assert database.get_config('user.name') == 'Test User'
    database.close()

    config.write_text(config.read_text() + '\n[database]\nautocommit=abc\n')
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.open(corpus.mail_root, RO)
    assert str(config) in nm_error(ei.value, E.ILLEGAL_ARGUMENT).message


def test_open_path_without_config_file(corpus, tmp_path, monkeypatch):
    """No file anywhere notmuch looks: the database's own configuration is used."""
    for var in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'XDG_CONFIG_HOME'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('HOME', str(tmp_path / 'emptyhome'))
    database = Notmuch.Database.open(corpus.mail_root, RO)
    # libnotmuch's default (from the passwd entry), not the corpus file's value.
    assert database.get_config('user.name') != 'Test User'
    assert database.count_messages('*') > 0
    database.close()


def test_create_existing(corpus):
    with pytest.raises(GLib.Error) as ei:
        Notmuch.Database.create(corpus.mail_root)
    nm_error(ei.value, E.DATABASE_EXISTS)


# -- tags -----------------------------------------------------------------------------------

@pytest.mark.parametrize('tag', ['', 'x' * 201, 'é' * 101])
def test_invalid_tag_exclude(db, tag):
    q = Notmuch.Query.new(db, '*')
    with pytest.raises(GLib.Error) as ei:
        q.add_tag_exclude(tag)
    nm_error(ei.value, E.INVALID_TAG)
    assert q.get_excluded_tags() == []


def test_longest_valid_tag(db):
    q = Notmuch.Query.new(db, '*')
    assert q.add_tag_exclude('x' * 200)
    assert q.add_tag_exclude('é' * 100)
    assert q.get_excluded_tags() == ['x' * 200, 'é' * 100]


# -- read-only database ---------------------------------------------------------------------

def test_writes_on_read_only_database(db, corpus):
    m = db.search_messages('*')[0]
    before = m.get_tags()
    calls = [(m.add_tag, 'x'), (m.remove_tag, 'inbox'), (m.remove_all_tags,),
             (m.set_tags, ['a']), (m.freeze,), (m.add_property, 'k', 'v'),
             (db.set_config, 'nmglib.answer', '0'),
             (db.index_file, m.get_filename(), None),
             (db.remove_message, m.get_filename()),
             (db.tag_messages, '*', ['x'], [])]
    for f, *args in calls:
        with pytest.raises(GLib.Error) as ei:
            f(*args)
        nm_error(ei.value, E.READ_ONLY_DATABASE)
    assert m.get_tags() == before
    assert db.get_config('nmglib.answer') == '42'
    assert db.find_message(m.get_message_id()).get_filenames() == m.get_filenames()


# -- locking --------------------------------------------------------------------------------

def test_second_writer_in_process_is_locked(writable):
    first = writable.open(RW)
    start = time.monotonic()
    with pytest.raises(GLib.Error) as ei:
        writable.open(RW)
    nm_error(ei.value, E.LOCKED)
    # With a timeout too: a lock held by this process fails at once.
    waiting = Notmuch.Database(path=writable.mail_root, mode=RW, lock_timeout=3000)
    with pytest.raises(GLib.Error) as ei:
        waiting.init(None)
    nm_error(ei.value, E.LOCKED)
    assert time.monotonic() - start < 1.0
    # Readers are never blocked.
    reader = writable.open(RO)
    assert reader.count_messages('*') == first.count_messages('*')
    first.close()
    second = writable.open(RW)
    assert second.get_mode() == RW
    second.close()


def test_writer_in_other_process(writable, run_py):
    """T13: another process holds the write lock: LOCKED at once, or the open waits with a
    lock-timeout and succeeds once the holder closes."""
    code = '''
    import time
    db = Notmuch.Database.open(sys.argv[1], RW)
    out(holding=True)
    time.sleep(2.5)
    db.close()
    '''
    proc = subprocess.Popen([sys.executable, '-c', CHILD_PRELUDE
                             + textwrap.dedent(code), writable.mail_root],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith('@@ ')
        start = time.monotonic()
        with pytest.raises(GLib.Error) as ei:
            writable.open(RW)
        nm_error(ei.value, E.LOCKED)
        assert time.monotonic() - start < 1.0
        waiting = Notmuch.Database(path=writable.mail_root, mode=RW, lock_timeout=20000)
        assert waiting.init(None)
        assert waiting.get_mode() == RW
        assert waiting.get_lock_timeout() == 20000
        assert proc.wait(timeout=30) == 0
        waiting.close()
    finally:
        proc.kill()
        proc.wait()
