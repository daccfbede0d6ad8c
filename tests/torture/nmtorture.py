"""Helpers for the child processes of the torture suite.

Every scenario that can crash runs in a child ``python3`` process (see
``conftest.run_py``), which starts with::

    import gi, os, sys, ...
    from gi.repository import Notmuch, GLib
    from nmtorture import *

A child reports what it saw with :func:`emit`; the test reads the values back
from its stdout, so a crash (a signal, an ``exit(1)`` inside libnotmuch) shows
up as a return code in the test, not as a dead test runner.
"""

import ctypes
import json
import os
import sys
import time

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

__all__ = ['emit', 'rss_kb', 'heap_bytes', 'malloc_trim', 'error_name', 'expect_error',
           'wait_for', 'touch', 'open_db', 'RO', 'RW', 'is_notmuch_error']

MARK = '@@torture@@ '

RO = Notmuch.DatabaseMode.READ_ONLY
RW = Notmuch.DatabaseMode.READ_WRITE


def emit(**values):
    """Report values to the test (one JSON object per line)."""
    sys.stdout.write(MARK + json.dumps(values) + '\n')
    sys.stdout.flush()


def rss_kb():
    """Resident set size of this process in KiB (VmRSS)."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS in /proc/self/status')


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ('arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks',
                 'fsmblks', 'uordblks', 'fordblks', 'keepcost')]


_libc = ctypes.CDLL(None)
try:
    _libc.mallinfo2.restype = _Mallinfo2
    _HAVE_MALLINFO2 = True
except AttributeError:
    _HAVE_MALLINFO2 = False


def heap_bytes():
    """Bytes of the C heap in use (glibc mallinfo2: in-use chunks plus mmapped blocks),
    or None when the C library cannot tell."""
    if not _HAVE_MALLINFO2:
        return None
    info = _libc.mallinfo2()
    return info.uordblks + info.hblkhd


def malloc_trim():
    """Give freed heap memory back to the system, so RSS can drop."""
    try:
        _libc.malloc_trim(0)
    except AttributeError:
        pass


def is_notmuch_error(error):
    return isinstance(error, GLib.Error) and error.domain == 'nm-error-quark'


def error_name(error):
    """'LOCKED', 'XAPIAN_EXCEPTION', ... for a Notmuch.Error, else a description."""
    if not is_notmuch_error(error):
        return '%s:%s' % (getattr(error, 'domain', type(error).__name__),
                          getattr(error, 'code', ''))
    try:
        return Notmuch.Error(error.code).value_nick.upper().replace('-', '_')
    except ValueError:
        return 'UNKNOWN_%d' % error.code


def expect_error(function, *args, codes=None):
    """Call function(*args); it must raise a Notmuch.Error GLib.Error (with a code from
    *codes* if given).  Returns the error."""
    try:
        result = function(*args)
    except GLib.Error as error:
        if not is_notmuch_error(error):
            raise AssertionError('error outside the Notmuch domain: %s %s %s'
                                 % (error.domain, error.code, error.message))
        if codes is not None and error.code not in [int(c) for c in codes]:
            raise AssertionError('expected %s, got %s: %s'
                                 % ([Notmuch.Error(int(c)).value_nick for c in codes],
                                    error_name(error), error.message))
        return error
    raise AssertionError('%s%r returned %r instead of failing'
                         % (getattr(function, '__name__', function), args, result))


def touch(path, text=''):
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.rename(path + '.tmp', path)


def wait_for(path, timeout=60.0):
    """Wait until *path* exists; return its content."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError('timed out waiting for %s' % path)
        time.sleep(0.005)
    with open(path) as f:
        return f.read()


def open_db(path, mode=RO):
    return Notmuch.Database.open(path, mode)
