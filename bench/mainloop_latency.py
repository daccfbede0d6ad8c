#!/usr/bin/python3
"""Main-loop latency while a thread search runs: asynchronous versus synchronous.

A GLib timeout of 10 ms runs on the main loop while every thread matching a query is
read, first with ``Notmuch.Query.search_threads_async`` (the threads are built in the
database's worker thread), then with ``Notmuch.Query.search_threads`` plus a walk over
the result on the main thread, as an application without the asynchronous API would do.
For each run it prints:

* the longest gap between two dispatches of the timeout around the search (what a user
  sees as a frozen window: 10 ms means no visible stall),
* how many times the timeout was dispatched while the search ran,
* how long the search took (for the asynchronous one, until its callback ran; walking
  the prefetched result afterwards is reported separately),
* how long dropping the result takes on the main thread (freeing every thread), and the
  longest gap overall, callback and freeing included.

The corpus (tests/nmcorpus.py, seed 1, ``--messages`` mail files) is generated and
indexed once into the cache directory.

Usage::

    /usr/bin/python3 bench/mainloop_latency.py [--build-dir BUILD] [--messages 10000]
        [--repeat 3] [--query '*'] [--cache-dir bench/.cache]

With ``--build-dir`` the uninstalled library of that build is used; otherwise the
environment's (``GI_TYPELIB_PATH``, ``LD_LIBRARY_PATH``).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 1
TICK_MS = 10
# The timeout runs this long before the search starts, so the first gap is a normal one.
WARMUP_SECONDS = 0.1


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--build-dir', help='use the uninstalled library of this build')
    parser.add_argument('--messages', type=int, default=10000,
                        help='mail files in the corpus (default 10000)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs of each kind of search (default 3)')
    parser.add_argument('--query', default='*', help="the thread search (default '*')")
    parser.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'),
                        help='corpus cache (default bench/.cache)')
    return parser.parse_args()


def use_build_dir(build_dir):
    """Re-executes this script with the build's library first in the search paths (the
    dynamic linker reads LD_LIBRARY_PATH only at startup)."""
    build_dir = os.path.abspath(build_dir)
    if os.environ.get('NM_LATENCY_BUILD') == build_dir:
        return
    env = dict(os.environ, NM_LATENCY_BUILD=build_dir)
    for name, subdir in (('GI_TYPELIB_PATH', 'introspection'), ('LD_LIBRARY_PATH', 'nm-glib')):
        env[name] = os.pathsep.join(filter(None, [os.path.join(build_dir, subdir), env.get(name)]))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def prepare_corpus(cache_dir, messages):
    """Generates and indexes the corpus once; returns (mail root, config file)."""
    directory = os.path.join(os.path.abspath(cache_dir), f'mainloop-{messages}-s{SEED}')
    stamp = os.path.join(directory, 'corpus.json')
    if not os.path.exists(stamp):
        sys.path.insert(0, os.path.join(ROOT, 'tests'))
        import nmcorpus

        shutil.rmtree(directory, ignore_errors=True)
        print(f'corpus: generating {messages} messages in {directory}', flush=True)
        info = nmcorpus.generate(directory, messages=messages, seed=SEED)
        print('corpus: indexing (notmuch new)', flush=True)
        env = {k: v for k, v in os.environ.items() if k != 'LD_PRELOAD'}
        env['NOTMUCH_CONFIG'] = info['config']
        subprocess.run(['notmuch', 'new', '--quiet'], env=env, check=True)
        with open(stamp, 'w') as f:
            json.dump({'mail_root': info['mail_root'], 'config': info['config']}, f)
    with open(stamp) as f:
        corpus = json.load(f)
    return corpus['mail_root'], corpus['config']


class Ticker:
    """A 10 ms timeout recording when it is dispatched."""

    def __init__(self, GLib):
        self.times = []
        self.source = GLib.timeout_add(TICK_MS, self.tick)

    def tick(self):
        self.times.append(time.perf_counter())
        return True

    def longest_gap(self, start, end):
        """The longest gap between dispatches, from the last one before start to end."""
        before = [t for t in self.times if t < start][-1:]
        inside = [t for t in self.times if start <= t <= end]
        span = before + inside + [end]
        return max(b - a for a, b in zip(span, span[1:]))

    def next_after(self, t):
        return next(x for x in self.times if x > t)

    def dispatches(self, start, end):
        return sum(1 for t in self.times if start <= t <= end)


def run_once(GLib, Notmuch, db, query_string, asynchronous):
    """One search with the timeout running; the measures of the module's docstring."""
    loop = GLib.MainLoop()
    ticker = Ticker(GLib)
    m = {}

    def read_and_drop(holder, walk):
        """Walks the model in holder[0] if walk, then drops it (its last reference)."""
        started = time.perf_counter()
        if walk:
            m['count'] = sum(1 for _ in holder[0])
        m['walk'] = time.perf_counter() - started
        started = time.perf_counter()
        del holder[:]
        m['free'] = time.perf_counter() - started
        # One more dispatch after the search, so the gap containing its end is known.
        GLib.timeout_add(3 * TICK_MS, lambda: loop.quit() or False)

    def on_ready(query, result):
        m['end'] = time.perf_counter()
        read_and_drop([query.search_threads_finish(result)], walk=True)

    def start():
        query = Notmuch.Query.new(db, query_string)
        m['start'] = time.perf_counter()
        if asynchronous:
            query.search_threads_async(None, on_ready)
        else:
            threads = [query.search_threads()]
            # The threads are built while walked: part of the search.
            m['count'] = sum(1 for _ in threads[0])
            m['end'] = time.perf_counter()
            read_and_drop(threads, walk=False)
        return False

    GLib.timeout_add(int(WARMUP_SECONDS * 1000), start)
    loop.run()
    GLib.source_remove(ticker.source)
    return {
        'count': m['count'],
        'duration': m['end'] - m['start'],
        'dispatches': ticker.dispatches(m['start'], m['end']),
        'gap': ticker.longest_gap(m['start'], m['end']),
        'gap_total': ticker.longest_gap(m['start'], ticker.next_after(m['end'])),
        'walk': m['walk'],
        'free': m['free'],
    }


def main():
    args = parse_args()
    if args.build_dir:
        use_build_dir(args.build_dir)

    import gi
    gi.require_version('Notmuch', '1.0')
    from gi.repository import GLib, Notmuch

    mail_root, config = prepare_corpus(args.cache_dir, args.messages)
    db = Notmuch.Database.open_with_config(mail_root, Notmuch.DatabaseMode.READ_ONLY,
                                           config, None)
    print(f'corpus: {args.messages} mail files, {db.count_messages("*")} messages, '
          f'{db.count_threads("*")} threads; query {args.query!r}; timeout every {TICK_MS} ms')
    print()
    columns = ('search', 'run', 'threads', 'duration', 'dispatches', 'gap: search',
               'gap: overall', 'walk', 'free')
    print('%-6s %3s %7s %9s %10s %12s %12s %8s %8s' % columns)
    summary = {}
    # One untimed run of each warms the caches (the OS page cache, Xapian's).
    for asynchronous in (True, False):
        run_once(GLib, Notmuch, db, args.query, asynchronous)
    for asynchronous in (True, False):
        kind = 'async' if asynchronous else 'sync'
        runs = summary[kind] = []
        for i in range(args.repeat):
            r = run_once(GLib, Notmuch, db, args.query, asynchronous)
            runs.append(r)
            print('%-6s %3d %7d %6.0f ms %10d %9.1f ms %9.1f ms %5.1f ms %5.1f ms'
                  % (kind, i + 1, r['count'], 1000 * r['duration'], r['dispatches'],
                     1000 * r['gap'], 1000 * r['gap_total'], 1000 * r['walk'],
                     1000 * r['free']), flush=True)
    print()
    print('duration: from the call to the callback (async) or to the end of the walk that')
    print('  builds the threads (sync); dispatches: timeout dispatches meanwhile;')
    print('gap: search: longest gap between dispatches until the result is there;')
    print('gap: overall: the same until the first dispatch after the result was read and')
    print('  dropped; walk: reading the result in the callback; free: dropping it.')
    print()
    for kind, runs in summary.items():
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(f'{kind:<5} median: duration {1000 * median["duration"]:.0f} ms, '
              f'{median["dispatches"]:.0f} dispatches, longest gap while searching '
              f'{1000 * median["gap"]:.1f} ms, overall {1000 * median["gap_total"]:.1f} ms '
              f'(free {1000 * median["free"]:.1f} ms)')


if __name__ == '__main__':
    main()
