"""Runtime of the programs that tests/fuzz/api_fuzz.py generates.

A program is ``from fuzzrt import *``, a line setting its variables to None, then steps,
each a ``with S:`` block, then ``finish()``.  What a step may raise:

* ``GLib.Error`` (domain ``nm-error-quark``, or ``g-io-error-quark`` for a cancelled
  call): expected, the program goes on;
* anything else is a finding: the step prints ``@@exception`` and the traceback and the
  process exits with :data:`FINDING_EXIT`.

The driver reads stderr: ``@@s N`` before step N, ``@@done`` after finish(), and the
``@@exception``/``@@finding`` lines.  On a hang it sends SIGUSR1 (faulthandler dumps every
thread's Python stack) and then kills the process.

Run a saved program by hand with the environment of a build (GI_TYPELIB_PATH and
LD_LIBRARY_PATH; LD_PRELOAD for a sanitizer build): with no NMFUZZ_BASE it makes its own
database first (tests/fuzz/fuzzcorpus.py).
"""

import faulthandler
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

faulthandler.enable(all_threads=True)
faulthandler.register(signal.SIGUSR1, all_threads=True)

import gi  # noqa: E402

gi.require_version('Notmuch', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio, GObject, Notmuch  # noqa: E402,F401

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fuzzcorpus  # noqa: E402

__all__ = ['GLib', 'Gio', 'GObject', 'Notmuch', 'gc', 'RO', 'RW', 'MAIL', 'CONFIG', 'BASE',
           'S', 'SI', 'ok', 'P', 'Q', 'cb', 'bg', 'join', 'acall', 'spin', 'cancellable',
           'cli', 'conf', 'conf_raw', 'setenv', 'unlink', 'clobber', 'finish']

RO = Notmuch.DatabaseMode.READ_ONLY
RW = Notmuch.DatabaseMode.READ_WRITE
FINDING_EXIT = 3
# Error domains a call may raise.
EXPECTED_DOMAINS = ('nm-error-quark', 'g-io-error-quark')


def _say(text):
    # Unbuffered, so that it is there even if the next call kills the process.
    os.write(2, (text + '\n').encode('utf-8', 'backslashreplace'))


def _setup():
    base = os.environ.get('NMFUZZ_BASE')
    if not base:
        # A standalone run: a database of its own, and no configuration of the user's.
        work = tempfile.mkdtemp(prefix='nmfuzz-')
        template = os.path.join(work, 'template')
        fuzzcorpus.make_template(template, int(os.environ.get('NMFUZZ_MESSAGES', '24')),
                                 int(os.environ.get('NMFUZZ_CORPUS_SEED', '1')))
        base = fuzzcorpus.instantiate(template, os.path.join(work, 'db'))
        home = os.path.join(work, 'home')
        os.makedirs(home)
        os.environ['HOME'] = home
        os.environ['XDG_CONFIG_HOME'] = os.path.join(home, '.config')
        os.environ['XDG_DATA_HOME'] = os.path.join(home, '.local', 'share')
        _say('@@base ' + base)
    for name in ('NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR'):
        os.environ.pop(name, None)
    os.environ['NOTMUCH_CONFIG'] = os.path.join(base, 'notmuch-config')
    return os.path.join(base, 'mail'), os.path.join(base, 'notmuch-config'), base


MAIL, CONFIG, BASE = _setup()


def P(rel):
    """A path under the mail root."""
    return os.path.join(MAIL, rel)


def Q(rel):
    """A path next to the mail root, outside it."""
    return os.path.join(BASE, rel)


def _finding(kind, detail):
    _say('@@finding %s %s' % (kind, detail))
    faulthandler.dump_traceback(all_threads=True)
    os._exit(FINDING_EXIT)


_errors = {}


def _check_error(error):
    key = '%s:%d' % (error.domain, error.code)
    _errors[key] = _errors.get(key, 0) + 1
    if error.domain not in EXPECTED_DOMAINS:
        _finding('error-domain', '%s %d: %s' % (error.domain, error.code, error.message))
    if error.domain == 'nm-error-quark':
        try:
            Notmuch.Error(error.code)
        except ValueError:
            _finding('error-code', '%d: %s' % (error.code, error.message))


def _unexpected(exc_type, exc, tb):
    _say('@@exception %s: %s' % (exc_type.__name__, str(exc).splitlines()[0] if str(exc) else ''))
    _say(''.join(traceback.format_exception(exc_type, exc, tb)))
    os._exit(FINDING_EXIT)


class _Step:
    """``with S:`` around a step.  Only the main thread's steps count (and print @@s)."""

    count = 0
    skipped = 0

    def __init__(self, allow=(), counted=True):
        self.allow = allow
        self.counted = counted

    def __enter__(self):
        if self.counted:
            _say('@@s %d' % _Step.count)
            _Step.count += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            return False
        if issubclass(exc_type, GLib.Error):
            _check_error(exc)
            return True
        if self.allow and issubclass(exc_type, self.allow):
            return True
        _unexpected(exc_type, exc, tb)
        return False


S = _Step()
SI = _Step((IndexError,))
_G = _Step(counted=False)


def ok(*objects):
    """Whether a step runs: the objects it uses are all there (not None)."""
    if any(o is None for o in objects):
        _Step.skipped += 1
        return False
    return True


def cb(fn):
    """A callback (progress function, signal handler) that runs *fn* like a step."""
    def call(*args):
        with _G:
            fn(*args)
    return call


_threads = []


def bg(times, fn):
    """Run *fn* *times* times on a new thread, each like a step."""
    def run():
        for _ in range(times):
            with _G:
                fn()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    _threads.append(thread)


def join():
    """Wait for every thread bg() started.  One that never ends is a hang, which the
    driver's timeout catches (with every thread's stack)."""
    while _threads:
        _threads.pop().join()


_pending = {}
_main_thread = threading.main_thread()


def acall(start, finish, into, *args, wait=True):
    """start(*args, callback) an asynchronous call; its callback calls finish(result) like a
    step and stores the result (the first element of a tuple) into the program's variable
    named *into* (if any).  With *wait*, run the main context until the callback came."""
    token = object()
    _pending[id(token)] = getattr(start, '__name__', str(start))

    def done(source, result, *user_data):
        _pending.pop(id(token), None)
        with _G:
            value = finish(result)
            if isinstance(value, tuple):
                value = value[0]
            if into:
                sys.modules['__main__'].__dict__[into] = value
    try:
        start(*args, done)
    except BaseException:
        _pending.pop(id(token), None)
        raise
    if wait:
        context = GLib.MainContext.default()
        while id(token) in _pending:
            context.iteration(True)


def spin(times=1):
    """Up to *times* iterations of the default main context that do not block."""
    context = GLib.MainContext.default()
    for _ in range(times):
        if not context.iteration(False):
            time.sleep(0.001)


def cancellable(cancelled=False):
    c = Gio.Cancellable()
    if cancelled:
        c.cancel()
    return c


def cli(*args):
    """Run the notmuch CLI on this database (another process writing); its result is not
    looked at.  It may wait for the write lock this process holds: it gets a few seconds."""
    env = fuzzcorpus.cli_env(CONFIG)
    try:
        subprocess.run([fuzzcorpus.NOTMUCH, *args], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=2)
    except subprocess.TimeoutExpired:
        pass


def conf(section, key, value):
    """Set section.key in the configuration file (creating the section)."""
    try:
        with open(CONFIG, encoding='utf-8', errors='surrogateescape') as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    out, current, done = [], None, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith('[') and stripped.endswith(']'):
            if current == section and not done:
                out.append('%s=%s' % (key, value))
                done = True
            current = stripped[1:-1]
        elif current == section and stripped.split('=', 1)[0] == key:
            if not done:
                out.append('%s=%s' % (key, value))
                done = True
            continue
        out.append(line)
    if not done:
        if current != section:
            out.append('[%s]' % section)
        out.append('%s=%s' % (key, value))
    with open(CONFIG, 'w', encoding='utf-8', errors='surrogateescape') as f:
        f.write('\n'.join(out) + '\n')


def conf_raw(text):
    """Replace the configuration file (None: delete it)."""
    if text is None:
        if os.path.exists(CONFIG):
            os.unlink(CONFIG)
        return
    with open(CONFIG, 'w', encoding='utf-8', errors='surrogateescape') as f:
        f.write(text)


def setenv(name, value):
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def unlink(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except OSError:
        pass


def clobber(path, data):
    try:
        with open(path, 'wb') as f:
            f.write(data)
    except OSError:
        pass


def finish():
    """End of a program: threads joined, asynchronous calls completed, then garbage
    collected.  The rest (finalizers) runs when the interpreter exits."""
    join()
    context = GLib.MainContext.default()
    while _pending:
        context.iteration(True)
    gc.collect()
    _say('@@done ' + json.dumps({'steps': _Step.count, 'run': _Step.count - _Step.skipped,
                                 'errors': _errors}, sort_keys=True))
