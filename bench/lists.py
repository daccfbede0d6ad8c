#!/usr/bin/python3
"""Lists a view lives on: any-order get_item(), loading in the background, memory.

Usage::

    /usr/bin/python3 bench/lists.py --build-dir build --messages 100000 \\
        [--samples 1000] [--repeat 5] [--parts access,load,memory] [--json FILE]
    /usr/bin/python3 bench/lists.py --build-dir build --smoke

The corpus is bench/run.py's (tests/nmcorpus.py, seed 1), generated and indexed once into
bench/.cache.  Three parts, each in a fresh process:

access
    ``get_item(i)`` from Python, timed per call (the call and dropping the item), over
    ``Query.new(db, '*').search_threads()`` and ``.search_messages()`` (newest first):
    ``--samples`` random positions (seeded) and ``--samples`` steps backward from the last
    position.  Each on a list in three states: *fresh* (nothing read: the first calls read
    the results up to the position asked, the length is taken from another list), *after
    len()* (for threads len() reads every thread; for messages it is a count and reads
    nothing) and *read* (every position read once with get_item before timing), and on a
    list from ``load_threads``/``load_messages`` once it finished loading.  Reported: the
    median, p95, max and the first call in ms.
load
    ``Query.load_threads(None)`` and ``load_messages(None)`` on a running main loop with a
    1 ms GLib timeout: the time until the call returns, until the first ``items-changed``
    that brings the list to >= 50 items (the first batch) and until ``loading`` turns
    false; the longest gap between two dispatches of the timeout from the call until the
    list finished loading, and then while the list is dropped; the number of batches.
    Every 16 ms, as a view binding a row at every frame, ``get_item(0)`` is timed.
    ``--repeat`` runs each, medians reported.
memory
    VmRSS of the process before and after ``load_threads`` and ``load_messages`` finish
    (items not held), per result: what a list keeps per item.
"""

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import listlib  # noqa: E402

FIRST_BATCH = 50
# A view binding a row at every frame while the list loads.
PROBE_MS = 16
PARTS = ('access', 'load', 'memory')


def parse_args():
    parser = listlib.argument_parser(__doc__.split('\n\n')[0])
    parser.add_argument('--samples', type=int, default=None,
                        help='positions timed per access pattern (default 1000)')
    parser.add_argument('--repeat', type=int, default=None,
                        help='runs of each load (default 5)')
    parser.add_argument('--parts', default=','.join(PARTS),
                        help='comma-separated subset of ' + ','.join(PARTS))
    parser.add_argument('--part', help=argparse.SUPPRESS)
    args = listlib.finish_arguments(parser.parse_args())
    if args.samples is None:
        args.samples = 20 if args.smoke else 1000
    if args.repeat is None:
        args.repeat = 1 if args.smoke else 5
    return args


# --------------------------------------------------------------------------- access

def make_list(Notmuch, db, kind):
    query = Notmuch.Query.new(db, '*')
    return query.search_threads() if kind == 'threads' else query.search_messages()


def load_list(GLib, Notmuch, db, kind):
    query = Notmuch.Query.new(db, '*')
    model = query.load_threads(None) if kind == 'threads' else query.load_messages(None)
    listlib.wait_loaded(GLib, model)
    model.check()
    return model


def time_positions(model, positions):
    """Times get_item() at each position (the call and dropping the item)."""
    times = []
    clock = time.perf_counter
    missing = 0
    for i in positions:
        start = clock()
        item = model.get_item(i)
        del item
        times.append(clock() - start)
    for i in positions[:5]:
        if model.get_item(i) is None:
            missing += 1
    return times, missing


def access_part(args, GLib, Notmuch, db, corpus):
    rng = random.Random(1)
    results = {}
    for kind in ('threads', 'messages'):
        # The length, from a list of its own (len() of a thread list reads every thread).
        started = time.perf_counter()
        n = len(make_list(Notmuch, db, kind))
        first_len = time.perf_counter() - started
        gc.collect()
        samples = min(args.samples, n)
        random_positions = [rng.randrange(n) for _ in range(samples)]
        backward_positions = list(range(n - 1, n - 1 - samples, -1))
        results[kind] = {'n': n, 'len_seconds': first_len}
        for state in ('fresh', 'after len()', 'read', 'loaded'):
            for order, positions in (('random', random_positions),
                                     ('backward', backward_positions)):
                if state == 'loaded':
                    started = time.perf_counter()
                    model = load_list(GLib, Notmuch, db, kind)
                    prepared = time.perf_counter() - started
                else:
                    model = make_list(Notmuch, db, kind)
                    started = time.perf_counter()
                    if state == 'after len()':
                        assert len(model) == n
                    elif state == 'read':
                        for i in range(n):
                            model.get_item(i)
                    prepared = time.perf_counter() - started
                times, missing = time_positions(model, positions)
                summary = listlib.summary_ms(times)
                summary['prepare_seconds'] = prepared
                summary['missing'] = missing
                if missing:
                    sys.exit('%s %s/%s: get_item() returned None' % (kind, state, order))
                summary['load_average'] = listlib.load_average()
                results[kind]['%s/%s' % (state, order)] = summary
                print('%-8s %-12s %-8s  median %8.4f ms  p95 %8.4f ms  max %9.1f ms  '
                      'first %9.1f ms  (prepare %.2f s, load %.1f)'
                      % (kind, state, order, summary['median'], summary['p95'],
                         summary['max'], summary['first'], prepared,
                         summary['load_average']), flush=True)
                del model
                gc.collect()
    return results


# --------------------------------------------------------------------------- load

def load_once(GLib, Notmuch, db, kind):
    ticker = listlib.Ticker(GLib, 1)
    listlib.spin(GLib, 0.05)
    m = {'batches': [], 'first_batch': None}
    query = Notmuch.Query.new(db, '*')

    def on_items_changed(model, position, removed, added):
        now = time.perf_counter()
        n_items = model.get_n_items()
        m['batches'].append((now, added, n_items))
        if m['first_batch'] is None and n_items >= FIRST_BATCH:
            m['first_batch'] = now
            # What a view's first screen does: read the first rows.
            for i in range(min(n_items, FIRST_BATCH)):
                model.get_item(i)
            m['first_rows'] = time.perf_counter()

    probes = []

    def probe(model):
        # What a view does at every frame while the list loads: bind a row.
        if model.get_n_items() > 0:
            started = time.perf_counter()
            model.get_item(0)
            probes.append(time.perf_counter() - started)
        return True

    start = time.perf_counter()
    model = query.load_threads(None) if kind == 'threads' else query.load_messages(None)
    returned = time.perf_counter()
    model.connect('items-changed', on_items_changed)
    probe_source = GLib.timeout_add(PROBE_MS, probe, model)
    listlib.wait_loaded(GLib, model)
    end = time.perf_counter()
    GLib.source_remove(probe_source)
    model.check()
    count = model.get_n_items()
    if sum(added for _, added, _ in m['batches']) != count:
        sys.exit('the batches of %s do not add up to its length' % kind)
    gap = ticker.gap_details(start, end)
    listlib.spin(GLib, 0.05)
    dropped = time.perf_counter()
    del model
    gc.collect()
    drop_end = time.perf_counter()
    listlib.spin(GLib, 0.05)
    drop_gap = ticker.gap_details(dropped, drop_end)
    ticker.stop()
    batch_sizes = [added for _, added, _ in m['batches']]
    return {
        'count': count,
        'call_ms': 1000 * (returned - start),
        'first_batch_ms': 1000 * (m['first_batch'] - start) if m['first_batch'] else None,
        'first_rows_ms': 1000 * (m['first_rows'] - start) if m['first_batch'] else None,
        'loaded_ms': 1000 * (end - start),
        'gap_ms': 1000 * gap['gap'],
        'gap': listlib.gap_ms(gap),
        'gap_text': listlib.gap_text(gap),
        'gap_at_ms': 1000 * (gap['at'] - start),
        'drop_ms': 1000 * (drop_end - dropped),
        'drop_gap_ms': 1000 * drop_gap['gap'],
        'drop_gap_text': listlib.gap_text(drop_gap),
        'probe_ms': listlib.summary_ms(probes),
        'batches': len(batch_sizes),
        'batch_sizes': batch_sizes[:6] + (['...', batch_sizes[-1]] if len(batch_sizes) > 6
                                          else []),
        'load_average': listlib.load_average(),
    }


def load_part(args, GLib, Notmuch, db, corpus):
    results = {}
    for kind in ('threads', 'messages'):
        load_once(GLib, Notmuch, db, kind)      # warms the caches
        runs = []
        for i in range(args.repeat):
            r = load_once(GLib, Notmuch, db, kind)
            runs.append(r)
            print('%-8s run %d: %6d items  call %6.1f ms  first batch %7.1f ms  '
                  '(first %d rows read %7.1f ms)  loaded %8.1f ms  longest gap %s at '
                  '%.1f ms  get_item(0) every %d ms: median %.3f ms, max %.1f ms  drop %6.1f ms '
                  '(gap %s)  %d batches  load %.1f'
                  % (kind, i + 1, r['count'], r['call_ms'], r['first_batch_ms'] or -1,
                     FIRST_BATCH, r['first_rows_ms'] or -1, r['loaded_ms'], r['gap_text'],
                     r['gap_at_ms'], PROBE_MS, r['probe_ms'].get('median', -1),
                     r['probe_ms'].get('max', -1), r['drop_ms'], r['drop_gap_text'],
                     r['batches'], r['load_average']), flush=True)
        median = {key: statistics.median(r[key] for r in runs)
                  for key in ('call_ms', 'first_batch_ms', 'first_rows_ms', 'loaded_ms',
                              'gap_ms', 'drop_ms', 'drop_gap_ms', 'load_average')
                  if all(r[key] is not None for r in runs)}
        median['max_gap_ms'] = max(r['gap_ms'] for r in runs)
        median['probe_max_ms'] = statistics.median(r['probe_ms'].get('max', 0) for r in runs)
        # The gap without the time the main thread waited for a CPU (a busy machine).
        median['gap_without_runq_ms'] = statistics.median(
            r['gap_ms'] - (r['gap']['runq'] or 0) for r in runs)
        results[kind] = {'runs': runs, 'median': median}
    return results


# --------------------------------------------------------------------------- memory

def memory_part(args, GLib, Notmuch, db, corpus):
    results = {}
    for kind in ('threads', 'messages'):
        gc.collect()
        listlib.spin(GLib, 0.2)
        before = listlib.memory_kib('VmRSS')
        model = load_list(GLib, Notmuch, db, kind)
        listlib.spin(GLib, 0.2)
        after = listlib.memory_kib('VmRSS')
        n = model.get_n_items()
        results[kind] = {'n': n, 'rss_before_kib': before, 'rss_after_kib': after,
                         'bytes_per_item': 1024 * (after - before) / max(n, 1)}
        print('%-8s %6d items: VmRSS %7.1f -> %7.1f MiB, %6.0f bytes per item'
              % (kind, n, before / 1024, after / 1024, results[kind]['bytes_per_item']),
              flush=True)
        # Kept alive, so that the second kind's growth is its own.
        results[kind]['_model'] = model
    for kind in results:
        del results[kind]['_model']
    results['peak_kib'] = listlib.memory_kib('VmHWM')
    return results


# --------------------------------------------------------------------------- main

def run_part(args, part):
    listlib.use_build_dir(args)
    GLib, Notmuch = listlib.import_notmuch()
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    db = listlib.open_database(Notmuch, corpus)
    function = {'access': access_part, 'load': load_part, 'memory': memory_part}[part]
    result = function(args, GLib, Notmuch, db, corpus)
    db.close()
    print('RESULT ' + json.dumps(result, sort_keys=True), flush=True)


def main():
    args = parse_args()
    if args.part:
        run_part(args, args.part)
        return 0
    parts = [p for p in args.parts.split(',') if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        sys.exit('unknown part(s): ' + ', '.join(sorted(unknown)))
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    print('corpus: %d files, %d messages, %d threads; load average %.1f'
          % (corpus['messages'], corpus['distinct_messages'], corpus['threads'],
             listlib.load_average()), flush=True)
    data = listlib.header(corpus, samples=args.samples, repeat=args.repeat)
    env = listlib.child_environment(args.build_dir, args.cache_dir)
    for part in parts:
        print('--- %s' % part, flush=True)
        cmd = [sys.executable, os.path.abspath(__file__), '--part', part,
               '--build-dir', args.build_dir, '--messages', str(args.messages),
               '--cache-dir', args.cache_dir, '--samples', str(args.samples),
               '--repeat', str(args.repeat)]
        child = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        result = None
        for line in child.stdout.splitlines():
            if line.startswith('RESULT '):
                result = json.loads(line[len('RESULT '):])
            else:
                print(line)
        if child.returncode != 0 or result is None:
            sys.exit('part %s failed (%d)' % (part, child.returncode))
        data[part] = result
    data['load_average_end'] = listlib.load_average()
    listlib.write_json(args.json, data)
    return 0


if __name__ == '__main__':
    sys.exit(main())
