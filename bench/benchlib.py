"""Shared part of the Python drivers of bench/run.py: passes, timing, checksum, report.

A driver defines one function per workload.  A read-only workload is
``workload(db, timer, sink, *args)``: it does its work inside ``with timer:`` and appends
one row per item read to ``sink``.  It runs twice on one open database, as in the C drivers
(bench/floor.c): a first pass into a checksumming sink, then the timed pass into a sink that
drops every row, so that no contender's time includes checksumming or keeping the results.
W7 (memory) runs once, checksumming as it goes.  W5 and W6 change or open the database
themselves: ``workload(path, timer, sink, *args)``, run once.

A row is a tuple of fields: str, bytes, int, None (an empty field) or a list of tags, with
the record encoding of bench/floor.c: every field followed by 0x1f, a tag list as each tag
followed by a space, a number as its decimal text.
"""

import collections
import os
import sys
import time
import zlib

READ_ONLY_WORKLOADS = ('W1', 'W1u', 'W1n', 'W2', 'W2n', 'W3', 'W3n', 'W4', 'W7')


# bench/instructions.py: a getppid() call before and after every timed section, which
# callgrind --dump-before=getppid turns into the borders of a profile part.
_MARK = os.getppid if 'BENCH_MARK' in os.environ else (lambda: None)


class Timer:
    """CPU time (process_time: every thread of the process) and wall time of a section."""

    def __init__(self):
        self.cpu = self.wall = 0.0

    def __enter__(self):
        _MARK()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu += time.process_time() - self._cpu
        self.wall += time.perf_counter() - self._wall
        _MARK()


def _encode(field):
    if field is None:
        return b'\x1f'
    if isinstance(field, bytes):
        return field + b'\x1f'
    if isinstance(field, str):
        return field.encode('utf-8', 'surrogateescape') + b'\x1f'
    if isinstance(field, int):
        return b'%d\x1f' % field
    return ''.join(tag + ' ' for tag in field).encode('utf-8', 'surrogateescape') + b'\x1f'


class Checksum:
    """A sink that checksums rows as they are appended."""

    def __init__(self):
        self.count = 0
        self.crc = 0

    def append(self, row):
        self.count += 1
        for field in row:
            self.crc = zlib.crc32(_encode(field), self.crc)


def peak_rss():
    """The peak resident set size of this process in KiB (VmHWM).  Not ru_maxrss: Linux
    carries that across exec() from the process that forked."""
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return -1


def main(workloads, open_database):
    """Runs the workload named by argv[1] on the database argv[2], prints the report.
    @open_database(path) opens a database read-only for the read-only workloads."""
    if len(sys.argv) < 3 or sys.argv[1] not in workloads:
        sys.exit('usage: %s {%s} DATABASE [ARGUMENTS...]'
                 % (sys.argv[0], ','.join(workloads)))
    name, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    workload = workloads[name]
    timer, check = Timer(), Checksum()
    if name == 'W7':
        workload(open_database(path), timer, check)
    elif name in READ_ONLY_WORKLOADS:
        db = open_database(path)
        workload(db, Timer(), check, *args)
        # deque(maxlen=0).append drops each row, in C.
        workload(db, timer, collections.deque(maxlen=0), *args)
    else:
        workload(path, timer, check, *args)
    print('count=%d crc=%08x cpu=%.6f wall=%.6f maxrss=%d'
          % (check.count, check.crc, timer.cpu, timer.wall, peak_rss()))
