"""What the list benchmarks share (bench/lists.py, bench/gtk_scroll.py,
bench/monitor_latency.py): the uninstalled build, the cached corpus of bench/run.py, a 1 ms
main-loop ticker, percentiles, memory and load readings, and the JSON results file.

Every program takes ``--build-dir BUILD`` (the library from BUILD/nm-glib, the typelib
from BUILD/introspection), ``--messages N`` (the corpus of ``bench/run.py --messages N``,
generated and indexed once into ``--cache-dir``, default bench/.cache) and ``--smoke``
(a 200-message corpus and a few samples: checks that the program runs, judges no time).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, 'tests'))

SMOKE_MESSAGES = 200
# Meson's exit status for a skipped test.
SKIP = 77


def argument_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--build-dir', default=os.path.join(ROOT, 'build'),
                        help='meson build directory of this project (default: build)')
    parser.add_argument('--messages', type=int, default=None,
                        help='corpus size, as bench/run.py --messages (default 10000)')
    parser.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'),
                        help='corpus cache (default bench/.cache)')
    parser.add_argument('--json', help='write the results to this file')
    parser.add_argument('--smoke', action='store_true',
                        help='a quick check that the program runs on a tiny corpus; the '
                        'numbers mean nothing')
    return parser


def finish_arguments(args):
    if args.messages is None:
        args.messages = SMOKE_MESSAGES if args.smoke else 10000
    args.cache_dir = os.path.abspath(args.cache_dir)
    args.build_dir = os.path.abspath(args.build_dir)
    return args


def child_environment(build_dir, cache_dir, base=None):
    """No notmuch configuration from the user's environment, and this build's library."""
    env = {k: v for k, v in (base or os.environ).items()
           if not k.startswith('NOTMUCH_') and k != 'XDG_CONFIG_HOME'}
    home = os.path.join(cache_dir, 'home')
    os.makedirs(home, exist_ok=True)
    env['HOME'] = home
    for name, subdir in (('GI_TYPELIB_PATH', 'introspection'), ('LD_LIBRARY_PATH', 'nm-glib')):
        directory = os.path.join(build_dir, subdir)
        rest = [p for p in env.get(name, '').split(os.pathsep) if p and p != directory]
        env[name] = os.pathsep.join([directory] + rest)
    env['NM_LISTS_BENCH_BUILD'] = build_dir
    return env


def use_build_dir(args):
    """Re-executes the program with the build's library first in the search paths (the
    dynamic linker reads LD_LIBRARY_PATH only at startup)."""
    if os.environ.get('NM_LISTS_BENCH_BUILD') == args.build_dir:
        return
    env = child_environment(args.build_dir, args.cache_dir)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def prepare_corpus(cache_dir, messages):
    """The corpus of bench/run.py (same seed, same cache), generated once."""
    import run

    os.makedirs(cache_dir, exist_ok=True)
    return run.prepare_corpus(cache_dir, messages)


def import_notmuch():
    import gi

    gi.require_version('Notmuch', '1.0')
    from gi.repository import GLib, Notmuch

    return GLib, Notmuch


def open_database(Notmuch, corpus, mail_root=None, config=None):
    return Notmuch.Database.open_with_config(mail_root or corpus['mail_root'],
                                             Notmuch.DatabaseMode.READ_ONLY,
                                             config or corpus['config'], None)


class Ticker:
    """A GLib timeout every @interval_ms on the default main context, recording when it is
    dispatched: the longest gap between two dispatches is the longest time the main loop
    could not run anything else.

    On this shared machine a gap may also be time the main thread spent waiting for a CPU.
    Each dispatch therefore also reads the thread's scheduler statistics
    (/proc/thread-self/schedstat: time on a CPU, time waiting in the run queue), so a gap
    splits into *cpu* (the main thread ran: the work done in one dispatch), *runq* (the
    machine was busy) and the rest, *blocked* (the thread slept: a lock, I/O)."""

    def __init__(self, GLib, interval_ms=1, priority=None):
        self.GLib = GLib
        self.times = []
        self.stats = []
        try:
            self._schedstat = os.open('/proc/thread-self/schedstat', os.O_RDONLY)
        except OSError:
            self._schedstat = None
        if priority is None:
            priority = GLib.PRIORITY_DEFAULT
        self.source = GLib.timeout_add(interval_ms, self.tick, priority=priority)

    def _read_schedstat(self):
        if self._schedstat is None:
            return (0, 0)
        fields = os.pread(self._schedstat, 100, 0).split()
        return (int(fields[0]), int(fields[1]))

    def tick(self):
        self.times.append(time.perf_counter())
        self.stats.append(self._read_schedstat())
        return True

    def stop(self):
        if self.source:
            self.GLib.source_remove(self.source)
            self.source = 0
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None

    def longest_gap(self, start, end):
        """The longest gap between dispatches from the last one before @start to @end (or
        to the first dispatch after @end, when there is one), with where it began."""
        gap = self.gap_details(start, end)
        return gap['gap'], gap['at']

    def gap_details(self, start, end):
        """The longest gap as in longest_gap(), split as the class tells (seconds); the
        split is known when the gap lies between two dispatches."""
        indices = [i for i, t in enumerate(self.times) if t >= start and t <= end]
        before = [i for i, t in enumerate(self.times) if t < start][-1:]
        after = [i for i, t in enumerate(self.times) if t > end][:1]
        span = before + indices + after
        if len(span) < 2:
            return {'gap': end - start, 'at': start, 'cpu': None, 'runq': None,
                    'blocked': None}
        gap, i, j = max((self.times[b] - self.times[a], a, b) for a, b in zip(span, span[1:]))
        cpu = (self.stats[j][0] - self.stats[i][0]) / 1e9
        runq = (self.stats[j][1] - self.stats[i][1]) / 1e9
        return {'gap': gap, 'at': self.times[i], 'cpu': cpu, 'runq': runq,
                'blocked': max(0.0, gap - cpu - runq)}

    def gaps(self, start, end):
        """Every gap between consecutive dispatches from @start to @end (seconds)."""
        inside = [t for t in self.times if start <= t <= end]
        return [b - a for a, b in zip(inside, inside[1:])]

    def dispatches(self, start, end):
        return sum(1 for t in self.times if start <= t <= end)


def gap_text(details):
    """A gap and its split in ms, for a report line."""
    if details.get('cpu') is None:
        return '%.1f ms' % (1000 * details['gap'])
    return '%.1f ms (cpu %.1f, runq %.1f, blocked %.1f)' % tuple(
        1000 * details[k] for k in ('gap', 'cpu', 'runq', 'blocked'))


def gap_ms(details):
    return {k: (1000 * v if v is not None else None) for k, v in details.items() if k != 'at'}


def run_until(GLib, predicate, timeout):
    """Iterates the default main context until predicate() is true; False on timeout."""
    context = GLib.MainContext.default()
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        context.iteration(True)
    return True


def wait_loaded(GLib, model, timeout=3600):
    """Runs the main loop until a list from load_threads()/load_messages() finished
    loading.  It waits for notify::loading, as an application would: reading the property
    takes the database lock, which the loading worker holds most of the time."""
    done = [not model.props.loading]
    handler = model.connect('notify::loading', lambda m, _: done.__setitem__(0, True))
    try:
        if not run_until(GLib, lambda: done[0], timeout):
            raise TimeoutError('the list did not finish loading in %d s' % timeout)
    finally:
        model.disconnect(handler)


def spin(GLib, seconds):
    """Runs the default main context for @seconds."""
    context = GLib.MainContext.default()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        context.iteration(False) or time.sleep(0.0005)


def percentile(values, fraction):
    """The nearest-rank percentile of @values."""
    ordered = sorted(values)
    if not ordered:
        return float('nan')
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def summary_ms(seconds):
    """Median, p95, max and first of a series of durations in seconds, in ms."""
    if not seconds:
        return {}
    ms = [1000 * s for s in seconds]
    return {'n': len(ms), 'median': statistics.median(ms), 'p95': percentile(ms, 0.95),
            'max': max(ms), 'first': ms[0], 'mean': statistics.fmean(ms)}


def memory_kib(field):
    """VmRSS, VmHWM... of this process in KiB."""
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return -1


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0: writing 5 to clear_refs)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def load_average():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def source_commit():
    result = subprocess.run(['git', '-C', ROOT, 'describe', '--always', '--dirty',
                             '--abbrev=12'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip() or '?'


def write_json(path, data):
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)


def header(corpus, **extra):
    """What every results file starts with."""
    data = {
        'corpus': {k: corpus[k] for k in ('messages', 'distinct_messages', 'threads')},
        'commit': source_commit(),
        'load_average_start': load_average(),
        'time': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
    }
    data.update(extra)
    return data
