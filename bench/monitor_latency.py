#!/usr/bin/python3
"""Live lists: from another process's commit to the update of a monitored list.

Usage::

    /usr/bin/python3 bench/monitor_latency.py --build-dir build --messages 100000 \\
        [--repeat 3] [--sizes 1,100,10000] [--json FILE]
    /usr/bin/python3 bench/monitor_latency.py --build-dir build --smoke

The corpus is bench/run.py's; its index is copied (and its mail hard-linked) into
``bench/.cache/monitor-N`` so that the changes leave the cached corpus as it was.  This
process opens the copy read-only, loads ``Query.new(db, '*').load_threads(None)`` (every
thread, newest first), turns ``monitored`` on and runs the main loop with a 1 ms GLib
timeout.  Another process then commits a change; the time of the commit is the
``CLOCK_MONOTONIC`` reading that process takes right after its commit returned (the
library's ``close()``) or, for the CLI, right after the ``notmuch`` process exited.  The
list's update is its ``items-changed`` emissions; the update is over when none came for
``--quiet`` seconds (default 2).  Reported, for each kind of change, the median over ``--repeat`` runs of:

* *first* and *done*: from the commit to the first and to the last ``items-changed``,
* the rows announced (``items-changed`` calls) against the threads the change concerns,
  and whether the list then equals a fresh search (ids in order, tags of the changed
  threads),
* the longest main-loop gap from the commit to the end of the update.

The changes, each made then undone (the undo is a run of its own kind):

tag N (N in ``--sizes``)
    ``notmuch tag +live -- <query>`` (CLI) and ``Database.tag_messages()`` in a Python
    writer process on N messages of the W5 set of bench/run.py (messages whose files are in
    cur/, so that no file is renamed); then ``-live``.
new
    one new message (a new thread, the newest) written into INBOX/new and indexed by
    ``notmuch new``;
remove
    that message's file deleted and ``notmuch new`` run again: removals do not move the
    database revision, so the list takes its full-order path.

A first phase measures the ``changed`` signal of a bare ``Database.monitor()`` (no list)
for the same kinds of change: what the list's update adds to it.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import listlib  # noqa: E402

UPDATE_TIMEOUT = 600
TAG = 'live'
W5_SET_TAG = 'w5set'

WRITER = r'''
import sys, time
import gi
gi.require_version('Notmuch', '1.0')
from gi.repository import Notmuch
path, change, query = sys.argv[1:4]
db = Notmuch.Database.open(path, Notmuch.DatabaseMode.READ_WRITE)
if change.startswith('+'):
    n = db.tag_messages(query, [change[1:]], [])
else:
    n = db.tag_messages(query, [], [change[1:]])
db.close()
print('%.6f %d' % (time.monotonic(), n))
'''

CLI = r'''
import subprocess, sys, time
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print('%.6f' % time.monotonic())
'''


def parse_args():
    parser = listlib.argument_parser(__doc__.split('\n\n')[0])
    parser.add_argument('--repeat', type=int, default=None,
                        help='runs of each change (default 3)')
    parser.add_argument('--sizes', default=None,
                        help='messages tagged at once (default 1,100,10000)')
    parser.add_argument('--writers', default=None,
                        help='who tags: cli, library or both (default both)')
    parser.add_argument('--quiet', type=float, default=None,
                        help='seconds without items-changed that end an update (default 2)')
    args = listlib.finish_arguments(parser.parse_args())
    if args.writers is None:
        args.writers = 'cli' if args.smoke else 'cli,library'
    if args.quiet is None:
        args.quiet = 0.5 if args.smoke else 2.0
    if args.repeat is None:
        args.repeat = 1 if args.smoke else 3
    if args.sizes is None:
        args.sizes = '1' if args.smoke else '1,100,10000'
    args.sizes = [int(s) for s in args.sizes.split(',') if s]
    return args


# --------------------------------------------------------------------------- the copy

def make_copy(corpus, cache_dir):
    """A copy of the corpus' index, its mail hard-linked; returns (mail root, config)."""
    work = os.path.join(cache_dir, 'monitor-%d' % corpus['messages'])
    shutil.rmtree(work, ignore_errors=True)
    mail = os.path.join(work, 'mail')
    os.makedirs(work)
    started = time.monotonic()
    subprocess.run(['cp', '-al', corpus['mail_root'], mail], check=True)
    # The index is written in place: a real copy.
    index = os.path.join(mail, '.notmuch')
    shutil.rmtree(index)
    shutil.copytree(os.path.join(corpus['mail_root'], '.notmuch'), index)
    config = os.path.join(work, 'notmuch-config')
    with open(corpus['config']) as f:
        text = f.read()
    with open(config, 'w') as f:
        f.write(text.replace(corpus['mail_root'], mail))
    print('copy: %s (%.0f s)' % (work, time.monotonic() - started), flush=True)
    return work, mail, config


class Changer:
    """Makes the changes in other processes.  Each method starts one and returns a function
    that tells, once the process ended, its commit time (None while it runs): the main loop
    keeps running meanwhile, as an application's does while `notmuch new` runs."""

    def __init__(self, args, mail, config, env):
        self.mail = mail
        self.config = config
        self.env = env
        self.cli_env = {k: v for k, v in env.items() if k != 'LD_PRELOAD'}
        self.cli_env['NOTMUCH_CONFIG'] = config
        self.added = None
        self.serial = 0
        self.subject = None

    @staticmethod
    def _start(cmd, env):
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)

        def commit_time():
            if child.poll() is None:
                return None
            out = child.stdout.read().split()
            child.stdout.close()
            if child.returncode != 0 or not out:
                raise RuntimeError('%s failed (%d)' % (' '.join(cmd), child.returncode))
            return float(out[0])
        return commit_time

    def cli(self, *argv):
        return self._start([sys.executable, '-c', CLI, 'notmuch', '--config=' + self.config]
                           + list(argv), self.cli_env)

    def tag(self, writer, change, query):
        if writer == 'cli':
            return self.cli('tag', change, '--', query)
        return self._start([sys.executable, '-c', WRITER, self.mail, change, query], self.env)

    def add_message(self):
        """A new message, newer than every other, in a thread of its own."""
        self.serial += 1
        message_id = 'live-%d-%d@bench.example' % (os.getpid(), self.serial)
        name = 'live.%d.%d.bench' % (os.getpid(), self.serial)
        path = os.path.join(self.mail, 'INBOX', 'new', name)
        date = time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())
        self.subject = 'live bench %d' % self.serial
        with open(path, 'w') as f:
            f.write('From: Live Bench <live@bench.example>\nTo: test@example.org\n'
                    'Subject: %s\nDate: %s\nMessage-ID: <%s>\n\nHello.\n'
                    % (self.subject, date, message_id))
        self.added = (path, message_id)
        return self.cli('new', '--quiet')

    def remove_message(self):
        path, _ = self.added
        os.unlink(path)
        self.added = None
        return self.cli('new', '--quiet')


# --------------------------------------------------------------------------- measuring

class Recorder:
    """items-changed of the list (or changed of a monitor), timed with CLOCK_MONOTONIC."""

    def __init__(self):
        self.events = []

    def record(self, _emitter, *args):
        self.events.append((time.monotonic(), args))

    def since(self, start):
        return [e for e in self.events if e[0] >= start]


def wait_update(GLib, recorder, count_before, commit_time, quiet):
    """Runs the main loop until the change's process ended, events came and none for
    @quiet seconds; returns the commit time, or None on timeout."""
    deadline = time.monotonic() + UPDATE_TIMEOUT
    context = GLib.MainContext.default()
    commit = None
    while time.monotonic() < deadline:
        context.iteration(False) or time.sleep(0.0005)
        if commit is None:
            commit = commit_time()
        if commit is not None and len(recorder.events) > count_before \
                and time.monotonic() - recorder.events[-1][0] > quiet:
            return commit
    return None


def thread_ids_of(Notmuch, db, query):
    q = Notmuch.Query.new(db, query)
    q.set_exclude(Notmuch.Exclude.FALSE)
    return {t.get_thread_id() for t in iter(q.search_threads().next, None)}


def same_order(Notmuch, db, model):
    """Whether the list has the threads of a fresh search, in its order: threads in the
    order of their newest message, which a message search gives cheaply."""
    fresh = []
    seen = set()
    for m in iter(Notmuch.Query.new(db, '*').search_messages().next, None):
        thread_id = m.get_thread_id()
        if thread_id not in seen:
            seen.add(thread_id)
            fresh.append(thread_id)
    listed = [model.get_item(i).get_thread_id() for i in range(model.get_n_items())]
    return listed == fresh


def verify(model, threads, tag_present, new_subject):
    """Whether the changed threads have (or lack) the tag, and a new thread is first."""
    if new_subject is not None:
        first = model.get_item(0)
        return first is not None and (first.get_subject() == new_subject) == tag_present
    if threads is None:
        return True
    return all((TAG in t.get_tags()) == tag_present
               for t in (model.get_item(i) for i in range(model.get_n_items()))
               if t.get_thread_id() in threads)


def measure(GLib, ticker, recorder, make_change, quiet):
    before = len(recorder.events)
    started = time.monotonic()
    commit = wait_update(GLib, recorder, before, make_change(), quiet)
    events = recorder.events[before:]
    result = {'commit_after_s': commit - started if commit else None, 'events': len(events),
              'complete': commit is not None, 'load_average': listlib.load_average()}
    if commit is None:
        return result
    if events:
        result['first_ms'] = 1000 * (events[0][0] - commit)
        result['done_ms'] = 1000 * (events[-1][0] - commit)
        # The ticker's clock is perf_counter; both are CLOCK_MONOTONIC on Linux, but
        # convert through the offset measured now to be safe.
        offset = time.perf_counter() - time.monotonic()
        gap = ticker.gap_details(commit + offset, events[-1][0] + offset)
        result['gap'] = listlib.gap_ms(gap)
        result['gap_text'] = listlib.gap_text(gap)
        result['rows'] = sum(max(args[1], args[2]) for _, args in events
                             if len(args) == 3)
        result['early_events'] = sum(1 for t, _ in events if t < commit)
    return result


def summarize(runs):
    keys = ('first_ms', 'done_ms', 'events', 'rows', 'commit_after_s', 'load_average')
    out = {k: statistics.median(r[k] for r in runs) for k in keys
           if runs and all(k in r for r in runs)}
    gaps = [r['gap']['gap'] for r in runs if 'gap' in r]
    if gaps:
        out['max_gap_ms'] = max(gaps)
        out['median_gap_ms'] = statistics.median(gaps)
        out['median_gap_without_runq_ms'] = statistics.median(
            r['gap']['gap'] - (r['gap']['runq'] or 0) for r in runs if 'gap' in r)
    out['all_complete'] = all(r.get('complete') for r in runs)
    out['all_verified'] = all(r.get('verified', True) for r in runs)
    return out


def print_run(label, r):
    print('%-24s commit +%.2f s  first %8.1f ms  done %8.1f ms  %4d items-changed '
          '(%d rows)  gap %s  %s load %.1f'
          % (label, r['commit_after_s'], r.get('first_ms', -1), r.get('done_ms', -1),
             r['events'], r.get('rows', 0), r.get('gap_text', '-'),
             {True: 'verified', False: 'WRONG', None: ''}[r.get('verified')],
             r['load_average']), flush=True)


# --------------------------------------------------------------------------- main

def subsets(Notmuch, db, sizes):
    """Queries selecting the first N messages (by id) of the W5 set, and their threads."""
    q = Notmuch.Query.new(db, 'tag:' + W5_SET_TAG)
    q.set_sort(Notmuch.Sort.MESSAGE_ID)
    q.set_exclude(Notmuch.Exclude.FALSE)
    ids = [m.get_message_id() for m in iter(q.search_messages().next, None)]
    result = {}
    for n in sizes:
        if n >= len(ids):
            query = 'tag:' + W5_SET_TAG
        else:
            query = ' or '.join('id:"%s"' % i.replace('"', '""') for i in ids[:n])
        result[n] = (min(n, len(ids)), query, thread_ids_of(Notmuch, db, query))
    return result


def run(args):
    listlib.use_build_dir(args)
    GLib, Notmuch = listlib.import_notmuch()
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    work, mail, config = make_copy(corpus, args.cache_dir)
    env = listlib.child_environment(args.build_dir, args.cache_dir)
    changer = Changer(args, mail, config, env)
    writers = [w for w in args.writers.split(',') if w]
    db = listlib.open_database(Notmuch, corpus, mail, config)
    sets = subsets(Notmuch, db, args.sizes)
    data = listlib.header(corpus, repeat=args.repeat, sizes=args.sizes, writers=writers,
                          quiet_seconds=args.quiet)
    ticker = listlib.Ticker(GLib, 1)

    def changes():
        """(label, make change, undo label, undo, threads, tag expected after)."""
        for n, (real, query, threads) in sets.items():
            for writer in writers:
                yield ('tag %d (%s)' % (real, writer),
                       lambda w=writer, q=query: changer.tag(w, '+' + TAG, q),
                       'untag %d (%s)' % (real, writer),
                       lambda w=writer, q=query: changer.tag(w, '-' + TAG, q), threads)
        yield ('new 1', changer.add_message, 'remove 1', changer.remove_message, None)

    # Phase 1: the monitor's signal alone.
    print('--- changed signal of Database.monitor() (no list)', flush=True)
    monitor = db.monitor()
    recorder = Recorder()
    monitor.connect('changed', recorder.record)
    signal = {}
    for label, change, undo_label, undo, _ in changes():
        if label.startswith('tag') and not label.startswith('tag 1 '):
            continue
        for repetition in range(args.repeat):
            for name, function in ((label, change), (undo_label, undo)):
                r = measure(GLib, ticker, recorder, function, args.quiet)
                signal.setdefault(name, []).append(r)
                print_run(name, r)
    data['signal'] = {k: {'runs': v, 'median': summarize(v)} for k, v in signal.items()}
    monitor = None

    # Phase 2: a monitored list of every thread.
    print('--- monitored load_threads(*) list', flush=True)
    started = time.monotonic()
    model = Notmuch.Query.new(db, '*').load_threads(None)
    listlib.wait_loaded(GLib, model)
    model.check()
    model.set_monitored(True)
    print('list: %d threads, loaded and monitored in %.1f s'
          % (model.get_n_items(), time.monotonic() - started), flush=True)
    recorder = Recorder()
    model.connect('items-changed', recorder.record)
    live = {}
    for label, change, undo_label, undo, threads in changes():
        for repetition in range(args.repeat):
            for name, function, present in ((label, change, True),
                                            (undo_label, undo, False)):
                r = measure(GLib, ticker, recorder, function, args.quiet)
                r['threads'] = len(threads) if threads is not None else 1
                r['verified'] = verify(model, threads, present,
                                       changer.subject if threads is None else None)
                if repetition == args.repeat - 1:
                    r['ids_in_order'] = same_order(Notmuch, db, model)
                    r['verified'] = r['verified'] and r['ids_in_order']
                live.setdefault(name, []).append(r)
                print_run(name, r)
    data['list'] = {k: {'runs': v, 'median': summarize(v)} for k, v in live.items()}
    ticker.stop()
    data['n_threads'] = model.get_n_items()
    data['load_average_end'] = listlib.load_average()
    del model
    db.close()
    shutil.rmtree(work, ignore_errors=True)

    print()
    print('%-24s %10s %10s %8s %8s %12s %s' % ('change', 'first', 'done', 'threads',
                                               'rows', 'longest gap', 'verified'))
    for part in ('signal', 'list'):
        for name, entry in data[part].items():
            m = entry['median']
            print('%-24s %7.1f ms %7.1f ms %8s %8s %9.1f ms %s'
                  % (('%s: %s' % (part, name))[:24], m.get('first_ms', -1),
                     m.get('done_ms', -1),
                     entry['runs'][0].get('threads', '-'), m.get('rows', '-'),
                     m.get('max_gap_ms', -1), m['all_verified'] and m['all_complete']))
    listlib.write_json(args.json, data)
    ok = all(e['median']['all_complete'] and e['median']['all_verified']
             for part in ('signal', 'list') for e in data[part].values())
    return 0 if ok else 1


def main():
    args = parse_args()
    return run(args)


if __name__ == '__main__':
    sys.exit(main())
