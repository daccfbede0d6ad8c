"""Shared fixtures of the notmuch-glib Python suite.

The suite talks to the library through GObject-Introspection exactly as users do
(``gi.require_version('Notmuch', '1.0')``) and uses the ``notmuch`` CLI as the oracle.
Nothing is skipped: if the typelib or the CLI is missing, the run fails.

Fixtures:
  corpus     (session) a generated corpus (tests/nmcorpus.py, 300 files) indexed with
             ``notmuch new``, with a few messages tagged deleted/spam/todo/... by
             ``notmuch tag``, and two keys stored in the database config.
  cli        (session) ``cli(*args)`` runs the notmuch CLI on that corpus, returns stdout.
  cli_json   (session) the same, parsed as JSON.
  show_index (session) `notmuch show --format=json --entire-thread` of every thread, indexed.
  db         (session) the corpus opened READ_ONLY through the library.
  writable   (function) a fresh copy of the whole corpus tree (mail, index, config) with
             NOTMUCH_CONFIG pointing to the copy's config for the duration of the test.
  run_py     (session) runs a Python snippet in a child interpreter with the same
             environment, so that a crash is a test failure and not a dead runner.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

# Importing the typelib at collection time: a missing or broken typelib is an error of the
# whole run, never a skip.
import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import Notmuch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
NMCORPUS = os.environ.get('NMCORPUS') or os.path.join(TESTS, 'nmcorpus.py')
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(os.path.abspath(NMCORPUS)))

import nmcorpus  # noqa: E402
from nmhelpers import CHILD_PRELUDE, NOTMUCH, RO, RW, cli_lines, run_cli  # noqa: E402,F401

CORPUS_MESSAGES = 300
CORPUS_SEED = 1

# Environment variables through which notmuch could find a configuration or database of
# the user running the tests.
_LEAKY_VARS = ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR',
               'XDG_CONFIG_HOME', 'XDG_DATA_HOME')


class Corpus:
    """What the session corpus holds, read back from the CLI where it matters."""

    def __init__(self, info, base):
        self.info = info
        self.base = base
        self.mail_root = info['mail_root']
        self.config = info['config']
        self.tagged = {}          # tag -> [message ids] added by the fixture
        self.frozen = False
        self._memo = {}

    def cli(self, *args):
        """stdout of ``notmuch *args``.  Once the fixture has set the corpus up it never
        changes, so outputs are remembered: many tests ask the same question."""
        if not self.frozen:
            return run_cli(self.config, *args).stdout
        if args not in self._memo:
            self._memo[args] = run_cli(self.config, *args).stdout
        return self._memo[args]


def _write_session_env(base):
    """Make notmuch see nothing of the user: HOME and XDG dirs in the tmp tree."""
    home = os.path.join(base, 'home')
    os.makedirs(os.path.join(home, '.config'), exist_ok=True)
    os.makedirs(os.path.join(home, '.local', 'share'), exist_ok=True)
    for var in _LEAKY_VARS:
        os.environ.pop(var, None)
    os.environ['HOME'] = home
    os.environ['XDG_CONFIG_HOME'] = os.path.join(home, '.config')
    os.environ['XDG_DATA_HOME'] = os.path.join(home, '.local', 'share')
    return home


@pytest.fixture(scope='session')
def corpus(tmp_path_factory):
    if not os.path.exists(NOTMUCH):
        pytest.fail('the notmuch CLI is required (set $NOTMUCH or put it on PATH)')
    base = str(tmp_path_factory.mktemp('session'))
    _write_session_env(base)
    info = nmcorpus.generate(os.path.join(base, 'corpus'), messages=CORPUS_MESSAGES,
                             seed=CORPUS_SEED)
    c = Corpus(info, os.path.join(base, 'corpus'))
    os.environ['NOTMUCH_CONFIG'] = c.config
    c.cli('new', '--quiet')

    # Pick messages to tag from what notmuch itself built.
    summary = json.loads(c.cli('search', '--format=json', '--sort=oldest-first',
                               '--exclude=false', '*'))
    singles = [t['thread'] for t in summary if t['total'] == 1]
    multi = [t['thread'] for t in summary if t['total'] >= 4]
    assert len(singles) >= 6 and len(multi) >= 3, 'corpus too small for the fixture'

    def ids(query):
        out = c.cli('search', '--output=messages', '--exclude=false', '--sort=oldest-first',
                    query)
        return [line[3:] for line in out.split()]

    pending = {}

    def tag(tagname, mids):
        pending.setdefault(tagname, []).extend(mids)
        c.tagged.setdefault(tagname, []).extend(mids)

    # A whole singleton thread excluded (thread counts change with exclusion) ...
    tag('deleted', ids('thread:' + singles[0]))
    tag('spam', ids('thread:' + singles[1]))
    # ... and single messages of long threads (matched < total).
    tag('spam', ids('thread:' + multi[0])[-1:])
    tag('deleted', ids('thread:' + multi[1])[1:2])
    # Ordinary tags, among them byte-order corner cases (upper case sorts first, UTF-8 last).
    tag('todo', ids('thread:' + multi[2])[:2] + ids('thread:' + singles[2]))
    tag('Zeta', ids('thread:' + singles[3]))
    tag('ünïcode', ids('thread:' + singles[4]))
    for tagname, mids in pending.items():
        c.cli('tag', '+' + tagname, '--', ' or '.join('id:' + m for m in mids))
    c.excluded_ids = set(c.tagged['deleted']) | set(c.tagged['spam'])
    c.singles = singles
    c.multi = multi

    # Configuration stored in the database itself.
    c.cli('config', 'set', '--database', 'nmglib.answer', '42')
    c.cli('config', 'set', '--database', 'nmglib.list', 'a;b;c')
    c.db_config = {'nmglib.answer': '42', 'nmglib.list': 'a;b;c'}
    c.frozen = True
    return c


@pytest.fixture(scope='session', autouse=True)
def _session_environment(corpus):
    """Every test runs with HOME, XDG dirs and NOTMUCH_CONFIG set up by the corpus."""
    return corpus


@pytest.fixture(scope='session')
def cli(corpus):
    """cli(*args) -> stdout of the notmuch CLI on the session corpus."""
    return corpus.cli


@pytest.fixture(scope='session')
def cli_json(corpus):
    def run(*args):
        return json.loads(corpus.cli(*args))
    return run


@pytest.fixture(scope='session')
def show_index(cli, cli_json):
    """(by_thread, flat, thread_of) from `notmuch show --format=json --entire-thread
    --exclude=false '*'`: {thread id: show tree (list of [message, replies])}, {message id:
    message JSON}, {message id: thread id}."""
    tids = cli_lines(cli('search', '--output=threads', '--exclude=false', '*'), 'thread:')
    trees = cli_json('show', '--format=json', '--body=false', '--entire-thread=true',
                     '--exclude=false', '*')
    assert len(tids) == len(trees)
    by_thread = dict(zip(tids, trees))
    flat = {}
    thread_of = {}

    def walk(node, tid):
        msg, replies = node
        flat[msg['id']] = msg
        thread_of[msg['id']] = tid
        for r in replies:
            walk(r, tid)

    for tid, tree in by_thread.items():
        for node in tree:
            walk(node, tid)
    return by_thread, flat, thread_of


@pytest.fixture(scope='session')
def db(corpus):
    """The session corpus, opened read-only by the library (shared: never close it)."""
    database = Notmuch.Database.open(corpus.mail_root, RO)
    yield database
    database.close()


class WritableCopy:
    def __init__(self, base, mail_root, config):
        self.base = base
        self.mail_root = mail_root
        self.config = config

    def cli(self, *args, **kw):
        return run_cli(self.config, *args, **kw).stdout

    def open(self, mode=RW):
        return Notmuch.Database.open(self.mail_root, mode)

    def path(self, *parts):
        return os.path.join(self.mail_root, *parts)


def _link_or_copy(src, dst):
    """Mail files are hard-linked (nothing writes into them; a rename or unlink in the copy
    leaves the original alone); the index and the config are really copied."""
    if os.sep + '.notmuch' + os.sep in src or src.endswith('notmuch-config'):
        return shutil.copy2(src, dst)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


@pytest.fixture
def writable(corpus, tmp_path, monkeypatch):
    """A fresh copy of the whole corpus tree, with NOTMUCH_CONFIG pointing to its config."""
    dest = str(tmp_path / 'copy')
    shutil.copytree(corpus.base, dest, symlinks=True, copy_function=_link_or_copy)
    mail_root = os.path.join(dest, 'mail')
    config = os.path.join(dest, 'notmuch-config')
    with open(config, encoding='utf-8') as f:
        text = f.read()
    assert corpus.mail_root in text
    with open(config, 'w', encoding='utf-8') as f:
        f.write(text.replace(corpus.mail_root, mail_root))
    monkeypatch.setenv('NOTMUCH_CONFIG', config)
    yield WritableCopy(dest, mail_root, config)
    shutil.rmtree(dest, ignore_errors=True)


class ChildResult:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.values = [json.loads(line[3:]) for line in proc.stdout.splitlines()
                       if line.startswith('@@ ')]

    def merged(self):
        d = {}
        for v in self.values:
            d.update(v)
        return d

    def __repr__(self):
        return 'rc=%r\nstdout=%s\nstderr=%s' % (self.returncode, self.stdout[-3000:],
                                               self.stderr[-3000:])


@pytest.fixture(scope='session')
def run_py(corpus):
    """run_py(code, *argv, env=None) runs *code* (after CHILD_PRELUDE, which imports Notmuch
    and defines out(**values)) in a child interpreter with this process's environment
    (LD_PRELOAD included, so sanitizer builds work). Returns a ChildResult."""
    def run(code, *argv, env=None, timeout=60):
        e = dict(os.environ)
        if env:
            e.update(env)
        proc = subprocess.run([sys.executable, '-c', CHILD_PRELUDE + textwrap.dedent(code),
                               *argv], env=e, capture_output=True, text=True,
                              timeout=timeout)
        return ChildResult(proc)
    return run

