"""The effective configuration, the configuration file loaded, configuration without an
index, creating with a configuration, and libnotmuch's features, each against the notmuch
CLI under the same environment."""

import os
import subprocess

import pytest
from gi.repository import GLib, Notmuch

from nmhelpers import NOTMUCH, RO, RW, E, nm_error

FEATURES = ('compact', 'field_processor', 'retry_lock', 'session_key', 'sexp_queries')


def cli(*args, check=True):
    """``notmuch *args`` with this process's environment as it is now (NOTMUCH_CONFIG,
    NOTMUCH_PROFILE, HOME and XDG_CONFIG_HOME included), without LD_PRELOAD."""
    env = dict(os.environ)
    env.pop('LD_PRELOAD', None)
    proc = subprocess.run([NOTMUCH, *args], env=env, capture_output=True, text=True,
                          timeout=60)
    if check:
        assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout


def cli_config_list():
    """`notmuch config list` as a dict, without the built_with.* lines (libnotmuch's
    features, which the CLI lists among the keys)."""
    pairs = {}
    for line in cli('config', 'list').splitlines():
        key, _, value = line.partition('=')
        if not key.startswith('built_with.'):
            pairs[key] = value
    return pairs


def write_config(path, mail, **sections):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = '[database]\npath=%s\n' % mail
    for section, keys in sections.items():
        text += '[%s]\n' % section
        for key, value in keys.items():
            text += '%s=%s\n' % (key, value)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty home directory with nothing of notmuch's in the environment."""
    home = tmp_path / 'home'
    (home / '.config').mkdir(parents=True)
    for var in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('XDG_CONFIG_HOME', str(home / '.config'))
    monkeypatch.setenv('XDG_DATA_HOME', str(home / '.local' / 'share'))
    return home


def make_mail_root(base):
    mail = os.path.join(str(base), 'mail')
    os.makedirs(os.path.join(mail, 'cur'), exist_ok=True)
    return mail


# -- get_config_pairs ------------------------------------------------------------------------

def test_pairs_equal_config_list(home, tmp_path, monkeypatch):
    """A profile's file, keys left to their defaults, and keys stored in the database."""
    mail = make_mail_root(tmp_path)
    config = write_config(str(home / '.config' / 'notmuch' / 'work' / 'config'), mail,
                          user={'name': 'Ada Worker', 'other_email': 'a@x.org;b@y.org'},
                          search={'exclude_tags': 'deleted;spam'},
                          nmglib={'from_file': 'file value'})
    monkeypatch.setenv('NOTMUCH_PROFILE', 'work')
    cli('new', '--quiet')
    cli('config', 'set', '--database', 'nmglib.stored', 'in the database')
    cli('config', 'set', '--database', 'nmglib.list', 'x;y')
    expected = cli_config_list()
    assert expected['nmglib.stored'] == 'in the database'
    assert expected['user.name'] == 'Ada Worker'
    assert 'new.tags' in expected          # a default

    for db in (Notmuch.Database.open(None, RO),
               Notmuch.Database.open_with_config(None, RO, None, 'work'),
               Notmuch.Database.load_config(None, None),
               Notmuch.Database.load_config(config, 'work')):
        assert db.get_config_path() == config
        assert db.get_config_pairs('') == expected
        assert db.get_config_pairs(None) == expected
        assert db.get_config_pairs('nmglib.') == {
            k: v for k, v in expected.items() if k.startswith('nmglib.')}
        assert db.get_config_pairs('no.such.prefix') == {}
        # get_config_list lists only what the database stores.
        if db.props.mode == RO and db.get_version() > 0:
            assert db.get_config_list('nmglib.') == {'nmglib.stored': 'in the database',
                                                     'nmglib.list': 'x;y'}
        db.close()


def test_pairs_follow_set_config(writable):
    db = writable.open(RW)
    db.set_config('nmglib.fresh', 'new value')
    assert db.get_config_pairs('nmglib.fresh') == {'nmglib.fresh': 'new value'}
    db.close()
    pairs = {}
    for line in writable.cli('config', 'list').splitlines():
        key, _, value = line.partition('=')
        if not key.startswith('built_with.'):
            pairs[key] = value
    assert Notmuch.Database.open(None, RO).get_config_pairs('') == pairs


def test_pairs_after_close(db, corpus):
    other = Notmuch.Database.open(corpus.mail_root, RO)
    other.close()
    with pytest.raises(GLib.Error) as exc:
        other.get_config_pairs('')
    nm_error(exc.value, E.CLOSED_DATABASE)


# -- get_config_path -------------------------------------------------------------------------

def marked(path, mail):
    """A configuration file whose user.name names the file: `notmuch config get user.name`
    then tells which file the CLI loaded."""
    return write_config(path, mail, user={'name': path})


def library_config_paths(profile=None):
    """What the library loads, through every constructor that follows notmuch's lookup."""
    found = set()
    found.add(Notmuch.Database.load_config(None, profile).get_config_path())
    found.add(Notmuch.Database.open_with_config(None, RO, None, profile).get_config_path())
    db = Notmuch.Database.open_with_config(None, RO, None, profile)
    found.add(db.props.config_path)
    assert len(found) == 1, found
    return found.pop()


def cli_loaded_file(*profile_args):
    name = cli(*profile_args, 'config', 'get', 'user.name').strip()
    return name


def test_config_path_follows_lookup(home, tmp_path, monkeypatch):
    mail = make_mail_root(tmp_path)
    xdg_default = str(home / '.config' / 'notmuch' / 'default' / 'config')
    xdg_work = str(home / '.config' / 'notmuch' / 'work' / 'config')
    dot = str(home / '.notmuch-config')
    dot_work = str(home / '.notmuch-config.work')
    explicit = str(tmp_path / 'elsewhere' / 'config')
    for path in (xdg_default, xdg_work, dot, dot_work, explicit):
        marked(path, mail)
    monkeypatch.setenv('NOTMUCH_CONFIG', explicit)
    cli('new', '--quiet')

    cases = []

    def check(profile=None):
        loaded = cli_loaded_file()
        assert library_config_paths(profile) == loaded
        cases.append(loaded)

    # NOTMUCH_CONFIG wins over everything.
    monkeypatch.setenv('NOTMUCH_PROFILE', 'work')
    check()
    monkeypatch.delenv('NOTMUCH_CONFIG')
    # The profile's XDG file, then the default profile's.
    check()
    monkeypatch.delenv('NOTMUCH_PROFILE')
    check()
    # Without XDG files: ~/.notmuch-config[.profile].
    os.unlink(xdg_default)
    os.unlink(xdg_work)
    check()
    monkeypatch.setenv('NOTMUCH_PROFILE', 'work')
    check()
    assert cases == [explicit, xdg_work, xdg_default, dot, dot_work]

    # A profile given to the constructor is NOTMUCH_PROFILE's equivalent.
    monkeypatch.delenv('NOTMUCH_PROFILE')
    assert library_config_paths('work') == dot_work


def test_config_path_none_without_file(home, tmp_path):
    mail = make_mail_root(tmp_path)
    config = write_config(str(tmp_path / 'config'), mail)
    subprocess.run([NOTMUCH, 'new', '--quiet'], check=True, capture_output=True,
                   env={k: v for k, v in dict(os.environ, NOTMUCH_CONFIG=config).items()
                        if k != 'LD_PRELOAD'})
    # No file anywhere: the path is None, whatever file libnotmuch looked for.
    assert Notmuch.Database.load_config(None, None).get_config_path() is None
    assert Notmuch.Database.load_config('', None).get_config_path() is None
    db = Notmuch.Database.open(mail, RO)
    assert db.get_config_path() is None
    assert db.props.config_path is None
    assert Notmuch.Database.open_with_config(mail, RO, '', None).get_config_path() is None
    assert Notmuch.Database.open_with_config(mail, RO, config, None).get_config_path() == config
    # Before initialization the property is the constructor's argument.
    pending = Notmuch.Database(path=mail, config_path='')
    assert pending.props.config_path == ''
    pending.init(None)
    assert pending.props.config_path is None


# -- load_config -----------------------------------------------------------------------------

@pytest.mark.parametrize('root', ['empty', 'missing'])
def test_load_config_without_index(home, tmp_path, monkeypatch, root):
    mail = str(tmp_path / root)
    if root == 'empty':
        os.makedirs(mail)
    config = write_config(str(tmp_path / 'config'), mail, user={'name': 'First Run'},
                          new={'tags': 'fresh;inbox'})
    monkeypatch.setenv('NOTMUCH_CONFIG', config)
    expected = cli_config_list()

    db = Notmuch.Database.load_config(None, None)
    assert db.get_config_pairs('') == expected
    assert db.get_config_path() == config
    assert db.get_config('user.name') == 'First Run'
    assert db.get_config_value(Notmuch.ConfigKey.USER_NAME) == 'First Run'
    assert db.get_config_values(Notmuch.ConfigKey.NEW_TAGS) == ['fresh', 'inbox']
    assert db.get_config_bool(Notmuch.ConfigKey.SYNC_MAILDIR_FLAGS) is True
    assert db.get_path() == mail
    assert db.get_mode() == RO
    assert db.get_version() == 0
    assert db.needs_upgrade() is False
    assert db.get_default_index_options() is None
    assert not os.path.exists(os.path.join(mail, '.notmuch'))

    # Everything that needs the index fails as on a database that was never opened.
    for call in (lambda: db.count_messages('*'),
                 lambda: db.search_threads('*'),
                 lambda: Notmuch.Query.new(db, '*'),
                 lambda: db.find_message('x@y'),
                 lambda: db.get_all_tags(),
                 lambda: db.get_directory('cur'),
                 lambda: db.get_config_list(''),
                 lambda: db.set_config('user.name', 'x'),
                 lambda: db.set_config_value(Notmuch.ConfigKey.USER_NAME, 'x'),
                 lambda: db.commit(),
                 lambda: db.begin_atomic(),
                 lambda: db.reopen(RO),
                 lambda: db.upgrade(None),
                 lambda: db.compact(None, None),
                 lambda: db.monitor(),
                 lambda: db.remove_message(os.path.join(mail, 'cur', 'x'))):
        with pytest.raises(GLib.Error) as exc:
            call()
        nm_error(exc.value, E.CLOSED_DATABASE)
    # Initializing it again changes nothing.
    assert db.init(None) is True
    with pytest.raises(GLib.Error) as exc:
        db.count_messages('*')
    nm_error(exc.value, E.CLOSED_DATABASE)

    db.close()
    db.close()
    with pytest.raises(GLib.Error) as exc:
        db.get_config_pairs('')
    nm_error(exc.value, E.CLOSED_DATABASE)
    with pytest.raises(GLib.Error) as exc:
        db.get_config('user.name')
    nm_error(exc.value, E.CLOSED_DATABASE)


def test_load_config_with_index_stays_closed(writable):
    """With an index, load_config reads what it stores but keeps it closed: a writer can
    take the write lock, and the configuration is the CLI's."""
    db = Notmuch.Database.load_config(None, None)
    assert db.get_config('nmglib.answer') == '42'
    assert db.get_config_pairs('nmglib.') == {'nmglib.answer': '42', 'nmglib.list': 'a;b;c'}
    writer = Notmuch.Database.open(writable.mail_root, RW)
    writer.set_config('nmglib.answer', '43')
    writer.close()
    # A snapshot of the configuration when it was loaded.
    assert db.get_config('nmglib.answer') == '42'
    assert Notmuch.Database.load_config(None, None).get_config('nmglib.answer') == '43'
    with pytest.raises(GLib.Error) as exc:
        db.count_messages('*')
    nm_error(exc.value, E.CLOSED_DATABASE)


def test_load_config_errors(home, tmp_path):
    # A file named explicitly must be there.
    with pytest.raises(GLib.Error) as exc:
        Notmuch.Database.load_config(str(tmp_path / 'no-such-config'), None)
    nm_error(exc.value, E.NO_CONFIG)
    # No file found by the lookup: notmuch's defaults (the CLI lists nothing then: it
    # asks for `notmuch setup` first).
    db = Notmuch.Database.load_config(None, None)
    assert db.get_config_path() is None
    assert db.get_config_pairs('new.') == {'new.tags': 'unread;inbox', 'new.ignore': ''}
    assert db.get_config_pairs('search.exclude_tags') == {'search.exclude_tags': ''}
    # A value that would make libnotmuch end the process is refused.
    bad = write_config(str(tmp_path / 'bad'), str(tmp_path), database={'autocommit': 'x'})
    with pytest.raises(GLib.Error) as exc:
        Notmuch.Database.load_config(bad, None)
    nm_error(exc.value, E.ILLEGAL_ARGUMENT)


# -- create_with_config ----------------------------------------------------------------------

def test_create_with_config(home, tmp_path, monkeypatch):
    mail = make_mail_root(tmp_path)
    config = write_config(str(tmp_path / 'config'), mail, new={'tags': 'created'},
                          user={'name': 'Creator'})
    # Where the configuration says, with the file it names.
    db = Notmuch.Database.create_with_config(None, config, None)
    assert db.get_path() == mail
    assert db.get_mode() == RW
    assert db.get_config_path() == config
    assert db.get_config_value(Notmuch.ConfigKey.USER_NAME) == 'Creator'
    db.set_config('nmglib.made', 'here')
    db.close()
    monkeypatch.setenv('NOTMUCH_CONFIG', config)
    assert cli('config', 'get', 'nmglib.made').strip() == 'here'
    assert cli('count', '*').strip() == '0'

    with pytest.raises(GLib.Error) as exc:
        Notmuch.Database.create_with_config(None, config, None)
    nm_error(exc.value, E.DATABASE_EXISTS)
    with pytest.raises(GLib.Error) as exc:
        Notmuch.Database.create_with_config(mail, None, None)
    nm_error(exc.value, E.DATABASE_EXISTS)

    # notmuch's lookup with a profile; an explicit path wins over the file's.
    other = make_mail_root(tmp_path / 'other')
    profiled = write_config(str(home / '.config' / 'notmuch' / 'p' / 'config'), mail,
                            user={'name': 'Profiled'})
    monkeypatch.delenv('NOTMUCH_CONFIG')
    db = Notmuch.Database.create_with_config(other, None, 'p')
    assert db.get_path() == other
    assert db.get_config_path() == profiled
    assert db.get_config('user.name') == 'Profiled'
    db.close()

    # With a path and no file found, no file is read.
    third = make_mail_root(tmp_path / 'third')
    db = Notmuch.Database.create_with_config(third, None, None)
    assert db.get_config_path() is None
    db.close()
    # Without a path, the lookup must find a configuration.
    with pytest.raises(GLib.Error) as exc:
        Notmuch.Database.create_with_config(None, None, None)
    assert exc.value.domain == 'nm-error-quark'


def test_create_with_config_locks(home, tmp_path, monkeypatch):
    """A created database holds the write lock, found by the path libnotmuch chose."""
    mail = make_mail_root(tmp_path)
    config = write_config(str(tmp_path / 'config'), mail)
    db = Notmuch.Database.create_with_config(None, config, None)
    with pytest.raises(GLib.Error) as exc:
        Notmuch.Database.open(mail, RW)
    nm_error(exc.value, E.LOCKED)
    db.close()
    Notmuch.Database.open(mail, RW).close()


# -- built_with ------------------------------------------------------------------------------

@pytest.mark.parametrize('feature', FEATURES + ('no_such_feature',))
def test_built_with(feature, corpus):
    answer = cli('config', 'get', 'built_with.' + feature).strip()
    assert answer in ('true', 'false')
    assert Notmuch.built_with(feature) is (answer == 'true')
