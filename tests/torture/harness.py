"""The parent side of the torture suite (scenarios T08-T25, listed in tests/README.md).

Every scenario that can crash runs in a child process (:func:`run_py`, or the
C helper ``torture-cases``), and the tests assert on its return code and on
what it reported, so that a crash is a failed test instead of a dead runner.
The notmuch CLI is the oracle and the "other process" writer; it always runs
without ``LD_PRELOAD`` (an AddressSanitizer runtime preloaded into it hangs).

Corpora come from ``tests/nmcorpus.py`` and are built once per session; tests
that write work on a copy (:meth:`Corpus.copy`).

Environment (set by tests/torture/meson.build; all optional by hand):
  PYTHON, NOTMUCH, NMCORPUS    interpreter, CLI and corpus generator
  NM_TORTURE_CASES             the compiled tests/torture/cases.c; when unset,
                               the suite compiles it with cc against the
                               library found on LD_LIBRARY_PATH, or skips
  NM_TORTURE_WRAPPER           a command prefix for the Python children, such as
                               "valgrind --error-exitcode=99 -q" (timing
                               assertions are relaxed when it is set)
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
SOURCE_ROOT = os.path.dirname(TESTS)

PYTHON = os.environ.get('PYTHON') or sys.executable
NOTMUCH = os.environ.get('NOTMUCH') or shutil.which('notmuch') or 'notmuch'
NMCORPUS = os.environ.get('NMCORPUS') or os.path.join(TESTS, 'nmcorpus.py')
WRAPPER = shlex.split(os.environ.get('NM_TORTURE_WRAPPER', ''))

MARK = '@@torture@@ '

# Memory and timing thresholds mean nothing under a sanitizer runtime or valgrind.
SANITIZED = any(name in os.environ.get('LD_PRELOAD', '')
                for name in ('asan', 'tsan', 'ubsan')) or bool(WRAPPER)

PRELUDE = '''\
import faulthandler, gc, json, os, signal, sys, threading, time
faulthandler.enable()
sys.path.insert(0, %r)
from nmtorture import *
from gi.repository import GLib, Notmuch
''' % HERE


# ---------------------------------------------------------------------------
# environments and child processes
# ---------------------------------------------------------------------------

_HOME = None


def _home():
    """An empty home directory, so that no user configuration is ever read."""
    global _HOME
    if _HOME is None:
        import atexit
        import tempfile
        _HOME = tempfile.mkdtemp(prefix='nm-torture-home-')
        atexit.register(shutil.rmtree, _HOME, True)
    return _HOME


def base_env(**extra):
    """The environment of a child that uses the library: the test's own (with
    GI_TYPELIB_PATH, LD_LIBRARY_PATH and, for sanitizer builds, LD_PRELOAD),
    without any notmuch configuration."""
    env = dict(os.environ)
    for name in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR'):
        env.pop(name, None)
    env['HOME'] = _home()
    env['XDG_CONFIG_HOME'] = os.path.join(_home(), '.config')
    env['XDG_DATA_HOME'] = os.path.join(_home(), '.local', 'share')
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env.update({k: str(v) for k, v in extra.items()})
    return env


def cli_env(config):
    """The environment of the notmuch CLI: no LD_PRELOAD, NOTMUCH_CONFIG set."""
    env = base_env(NOTMUCH_CONFIG=config)
    env.pop('LD_PRELOAD', None)
    env.pop('ASAN_OPTIONS', None)
    return env


def describe_rc(rc):
    if rc is None:
        return 'still running'
    if rc < 0:
        try:
            return 'killed by %s' % signal.Signals(-rc).name
        except ValueError:
            return 'killed by signal %d' % -rc
    return 'exit %d' % rc


class Child:
    """The outcome of a child process: rc, stdout, stderr, and the values it emit()ted."""

    def __init__(self, args, rc, out, err, elapsed):
        self.args, self.rc, self.out, self.err, self.elapsed = args, rc, out, err, elapsed
        self.values = {}
        self.records = []
        for line in out.splitlines():
            if line.startswith(MARK):
                record = json.loads(line[len(MARK):])
                self.records.append(record)
                self.values.update(record)

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        return self.values.get(key, default)

    def report(self):
        out = '\n'.join(line for line in self.out.splitlines() if not line.startswith(MARK))
        return ('child %s after %.1fs\n--- values: %s\n--- stdout:\n%s\n--- stderr:\n%s'
                % (describe_rc(self.rc), self.elapsed, json.dumps(self.values)[:3000],
                   out[-3000:], self.err[-6000:]))

    def ok(self):
        """Assert the child exited normally with rc 0; return self."""
        assert self.rc == 0, self.report()
        return self


def _finish(proc, args, start, timeout):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        child = Child(args, proc.returncode, out, err, time.monotonic() - start)
        pytest.fail('child timed out after %ss (a deadlock or an indefinite block?)\n%s'
                    % (timeout, child.report()))
    return Child(args, proc.returncode, out, err, time.monotonic() - start)


def py_args(code, *args):
    script = PRELUDE + textwrap.dedent(code)
    return WRAPPER + [PYTHON, '-c', script] + [os.fsdecode(a) if isinstance(a, bytes)
                                               else str(a) for a in args]


def run_py(code, *args, timeout=120, env=None, stdin=None):
    """Run a Python snippet (after PRELUDE) in a child; args become sys.argv[1:]."""
    if WRAPPER:
        timeout *= 20
    argv = py_args(code, *args)
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env if env is not None else base_env(),
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    return _finish(proc, argv, start, timeout)


def start_py(code, *args, env=None):
    """Start a Python snippet in the background; finish it with :func:`finish_py`."""
    argv = py_args(code, *args)
    proc = subprocess.Popen(argv, env=env if env is not None else base_env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.torture_argv = argv
    proc.torture_start = time.monotonic()
    return proc


def finish_py(proc, timeout=120):
    if WRAPPER:
        timeout *= 20
    return _finish(proc, proc.torture_argv, proc.torture_start, timeout)


def run_exe(argv, timeout=120, env=None):
    start = time.monotonic()
    proc = subprocess.Popen(WRAPPER + list(argv), env=env if env is not None else base_env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors='replace')
    return _finish(proc, argv, start, timeout * (20 if WRAPPER else 1))


class ChildDied(AssertionError):
    """A child ended while the test waited for it to reach a point."""

    def __init__(self, child, waiting_for):
        super().__init__('child ended before creating %s\n%s' % (waiting_for, child.report()))
        self.child = child


def wait_for_file(path, proc=None, timeout=60, *others):
    """Wait until a child creates *path* (or one of *others*); fail at once if the child
    died meanwhile.  Returns the path that appeared."""
    deadline = time.monotonic() + timeout * (20 if WRAPPER else 1)
    while True:
        for candidate in (path,) + others:
            if os.path.exists(candidate):
                return candidate
        if proc is not None and proc.poll() is not None:
            raise ChildDied(finish_py(proc), path)
        if time.monotonic() > deadline:
            pytest.fail('timed out waiting for %s' % path)
        time.sleep(0.005)


def signal_file(path, text=''):
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.rename(path + '.tmp', path)


# ---------------------------------------------------------------------------
# corpora
# ---------------------------------------------------------------------------

class Corpus:
    """An indexed corpus: outdir/mail (with .notmuch) and outdir/notmuch-config."""

    def __init__(self, outdir, info):
        self.outdir = outdir
        self.root = os.path.join(outdir, 'mail')
        self.config = os.path.join(outdir, 'notmuch-config')
        self.info = info

    @classmethod
    def generate(cls, outdir, messages, seed, index=True):
        """Generate (in a child Python, so that a test process run under valgrind does not
        pay for it) and index a corpus; info is nmcorpus.generate()'s answer."""
        script = ('import json, sys; sys.path.insert(0, %r); import nmcorpus; '
                  'info = nmcorpus.generate(%r, messages=%d, seed=%d); '
                  'print(json.dumps(info, default=sorted))'
                  % (os.path.dirname(NMCORPUS), outdir, messages, seed))
        env = dict(os.environ)
        env.pop('LD_PRELOAD', None)
        proc = subprocess.run([PYTHON, '-c', script], env=env, capture_output=True, text=True,
                              check=True)
        info = json.loads(proc.stdout)
        for key in ('message_ids', 'notmuch_ids', 'ghost_ids', 'duplicate_ids'):
            info[key] = set(info[key])
        corpus = cls(outdir, info)
        if index:
            corpus.notmuch('new', '--quiet')
        return corpus

    def copy(self, dest, link_mail=False):
        """A copy of the mail store, index and configuration under *dest*.  With
        *link_mail*, mail files are hard links (fast; fine for writers that add, delete
        or rename files, wrong for one that edits a file in place)."""
        index = os.path.join(self.root, '.notmuch') + os.sep

        def link_or_copy(src, dst):
            if link_mail and src.startswith(self.root + os.sep) and not src.startswith(index):
                os.link(src, dst)
            else:
                shutil.copy2(src, dst)
        shutil.copytree(self.outdir, dest, symlinks=True, copy_function=link_or_copy)
        with open(self.config) as f:
            text = f.read()
        os.unlink(os.path.join(dest, 'notmuch-config'))
        with open(os.path.join(dest, 'notmuch-config'), 'w') as f:
            f.write(text.replace('path=' + self.root, 'path=' + os.path.join(dest, 'mail')))
        return Corpus(dest, self.info)

    def env(self):
        return cli_env(self.config)

    def notmuch(self, *args, check=True, timeout=300, stdin=None):
        """Run the notmuch CLI on this corpus; returns its stdout."""
        proc = subprocess.run([NOTMUCH] + [str(a) for a in args], env=self.env(),
                              input=stdin, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError('notmuch %s: %s\n%s' % (' '.join(map(str, args)),
                                                         describe_rc(proc.returncode),
                                                         proc.stderr))
        return proc.stdout

    def count(self, query='*', *options):
        return int(self.notmuch('count', *options, '--', query).strip())

    def ids(self, query='*'):
        out = self.notmuch('search', '--output=messages', '--exclude=false', '--', query)
        return {line[3:] for line in out.splitlines() if line.startswith('id:')}

    def tags_of(self, message_id):
        out = self.notmuch('search', '--output=tags', '--exclude=false', '--',
                           'id:"%s"' % message_id.replace('"', '""'))
        return sorted(out.split())


# ---------------------------------------------------------------------------
# the C helper (tests/torture/cases.c)
# ---------------------------------------------------------------------------

def run_case(exe, *args, timeout=120):
    """Run one scenario of torture-cases; returns a Child (values from its emit lines)."""
    return run_exe([exe] + [str(a) for a in args], timeout=timeout)
