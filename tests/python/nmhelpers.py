"""Small helpers shared by the test modules (imported as ``from nmhelpers import ...``)."""

import os
import shutil
import subprocess

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

RO = Notmuch.DatabaseMode.READ_ONLY
RW = Notmuch.DatabaseMode.READ_WRITE
E = Notmuch.Error

NOTMUCH = os.environ.get('NOTMUCH') or shutil.which('notmuch') or '/usr/bin/notmuch'


def nm_error(exc, code):
    """Assert that *exc* is a GLib.Error of the Notmuch domain with *code*; return it."""
    assert isinstance(exc, GLib.Error), repr(exc)
    assert exc.domain == 'nm-error-quark', (exc.domain, exc.message)
    assert exc.matches(Notmuch.Error.quark(), code), (exc.code, int(code), exc.message)
    assert exc.code == int(code)
    assert exc.message, 'an error must carry a message'
    return exc


def ids(model):
    """Message or thread ids of a Messages/Threads model, in model order."""
    out = []
    for item in model:
        assert item is not None, 'a model yielded None before its end'
        if isinstance(item, Notmuch.Thread):
            out.append(item.get_thread_id())
        else:
            out.append(item.get_message_id())
    return out


def cli_lines(text, prefix=''):
    """Lines of CLI output, with *prefix* (``id:``, ``thread:``) stripped."""
    out = []
    for line in text.splitlines():
        if not line:
            continue
        assert line.startswith(prefix), line
        out.append(line[len(prefix):])
    return out


def show_tree(nodes):
    """The reply structure of `notmuch show --format=json` nodes: [(id, [children])]."""
    return [(msg['id'], show_tree(replies)) for msg, replies in nodes]


def byte_sorted(strings):
    return sorted(strings, key=lambda s: s.encode('utf-8'))


def cli_env(config):
    """The environment for the notmuch CLI: ours, without LD_PRELOAD (a sanitizer runtime
    preloaded for the interpreter must not be forced into the CLI)."""
    env = dict(os.environ)
    env.pop('LD_PRELOAD', None)
    env['NOTMUCH_CONFIG'] = config
    return env


def run_cli(config, *args, check=True, input=None):
    """Run ``notmuch *args`` with *config*; return the CompletedProcess."""
    proc = subprocess.run([NOTMUCH, *args], env=cli_env(config), input=input,
                          capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError('notmuch %s failed (rc %d): %s'
                             % (' '.join(args), proc.returncode, proc.stderr))
    return proc


CHILD_PRELUDE = '''\
import gc, json, os, sys
import gi
gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, GObject, Notmuch
RO = Notmuch.DatabaseMode.READ_ONLY
RW = Notmuch.DatabaseMode.READ_WRITE
def out(**kw):
    sys.stdout.write('@@ ' + json.dumps(kw) + '\\n')
    sys.stdout.flush()
'''
