"""Measures how often a reader walking a thread list dies while another process commits.

    t11_rate.py race RUNS [KEEP]     the T11 race (test_concurrency.race_once), RUNS times
    t11_rate.py race-add-27 RUNS [KEEP]   only the T11 race that added mail, pausing every
                                          27 threads
    t11_rate.py race-add-27-aged RUNS [KEEP]   the same, the added mail's directories a
                                               minute old (see add_aged_mail)
    t11_rate.py stress RUNS [KEEP]   a reader walks every thread, RUNS times, while the
                                     notmuch CLI commits tag changes without pause

KEEP is a directory for the report (return code, stdout, stderr) of every run that died.

Run it in the environment of the torture suite (GI_TYPELIB_PATH, LD_LIBRARY_PATH, NOTMUCH,
and for a sanitizer build LD_PRELOAD and ASAN_OPTIONS; see tests/torture/meson.build).  The
race runs alternate between the writer flavours 'add' and 'delete' and cycle through the
pacings of T11_RUNS.  One line per run, then the totals per outcome:

  ok            the walk completed or ended with OPERATION_INVALIDATED, rc 0
  segv          SIGSEGV, or AddressSanitizer's SEGV report (which exits with 1)
  exit1         libnotmuch's INTERNAL_ERROR: it printed "Internal error" and exit(1)ed
  failed        any other end (an assertion of the scenario, another signal, a timeout)
  unopened      (stress) the reader could not open the database while a commit was written
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pytest  # noqa: E402

from harness import NOTMUCH, ChildDied, Corpus, describe_rc, run_py  # noqa: E402
import test_concurrency  # noqa: E402
from test_concurrency import add_mail  # noqa: E402


def classify(child):
    err = child.err
    if child.rc == -11 or 'AddressSanitizer: SEGV' in err:
        frames = re.findall(r'#\d+ 0x[0-9a-f]+ in (\S+)', err)
        return 'segv', ' < '.join(frames[:3])
    if child.rc == 1 and 'Internal error' in err:
        line = next(l for l in err.splitlines() if 'Internal error' in l)
        return 'exit1', line.strip()
    if child.rc != 0:
        lines = err.strip().splitlines() or ['']
        return 'failed', describe_rc(child.rc) + ': ' + lines[-1][:200]
    values = child.values
    if values.get('outcome', '').startswith('open: '):
        return 'unopened', values['outcome']
    if values.get('outcome') not in ('complete', 'OPERATION_INVALIDATED'):
        return 'failed', 'outcome %r' % values.get('outcome')
    return 'ok', '%s after %s threads' % (values['outcome'], values.get('n'))


def add_aged_mail(corpus, extra_root, folder='extra'):
    """test_concurrency.add_mail, with the new directories' times a minute old: what a
    loaded machine gives when the copy takes more than a second.  `notmuch new` records a
    directory's mtime only when it differs from the time of its stat() (notmuch-new.c), so
    this changes what the writer's first commit writes, and where."""
    dest = add_mail(corpus, extra_root, folder)
    old = time.time() - 60
    for directory, _, _ in os.walk(dest):
        os.utime(directory, (old, old))
    return dest


def race(run, work, medium, extra, flavour=None, pacing=None):
    flavour = flavour or ('add', 'delete')[run % 2]
    pacing = pacing or test_concurrency.T11_RUNS[(run // 2) % len(test_concurrency.T11_RUNS)]
    corpus = medium.copy(os.path.join(work, 'run'), link_mail=True)
    sync = os.path.join(work, 'sync')
    try:
        return '%s %s' % (flavour, pacing), test_concurrency.race_once(
            corpus, extra.root, 'threads', flavour, sync, pacing)
    except ChildDied as died:
        return '%s %s' % (flavour, pacing), died.child
    finally:
        shutil.rmtree(corpus.outdir, ignore_errors=True)
        shutil.rmtree(sync, ignore_errors=True)


STRESS_READER = '''
try:
    db = open_db(sys.argv[1])
except GLib.Error as error:        # Xapian can fail to open while a commit is written
    emit(outcome='open: ' + error_name(error), n=0)
    sys.exit(0)
threads = db.search_threads('*')
n = 0
for thread in iter(threads.next, None):
    thread.get_tags()
    n += 1
try:
    outcome = 'complete' if threads.check() else 'check-false'
except GLib.Error as error:
    outcome = error_name(error)
emit(outcome=outcome, n=n)
'''


def stress(run, work, medium, extra):
    """A reader walks every thread (no counting, no pause) while the CLI commits one tag
    change after another on some 200 messages, from before the reader opens the database
    until it ends."""
    corpus = medium.copy(os.path.join(work, 'run%d' % run), link_mail=True)
    writer = subprocess.Popen(
        ['sh', '-c', 'i=0; while :; do i=$((i + 1)); "$0" tag +s$i -- "$1" || exit; done',
         NOTMUCH, 'date:2019-01-01..2019-03-01'],
        env=corpus.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        time.sleep(0.2)
        return 'stress', run_py(STRESS_READER, corpus.root)
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()
        shutil.rmtree(corpus.outdir, ignore_errors=True)


def main():
    mode, runs = sys.argv[1], int(sys.argv[2])
    # Where the report of every run that did not end well is kept, if given.
    keep = sys.argv[3] if len(sys.argv) > 3 else None
    scenario = {
        'race': race,
        # The T11 run that died most often before the fix (6 of 25 runs).
        'race-add-27': lambda *args: race(*args, flavour='add',
                                          pacing=test_concurrency.T11_RUNS[2]),
        'race-add-27-aged': lambda *args: race(*args, flavour='add',
                                               pacing=test_concurrency.T11_RUNS[2]),
        'stress': stress,
    }[mode]
    if mode.endswith('-aged'):
        test_concurrency.add_mail = add_aged_mail
    work = tempfile.mkdtemp(prefix='nm-t11-rate-')
    medium = Corpus.generate(os.path.join(work, 'medium'), 6000, 11, True)
    extra = Corpus.generate(os.path.join(work, 'extra'), 500, 12, False)
    totals = {}
    start = time.monotonic()
    for run in range(runs):
        child = None
        try:
            what, child = scenario(run, work, medium, extra)
            kind, detail = classify(child)
            elapsed = child.elapsed
        except pytest.fail.Exception as failure:     # a timeout of the harness
            what, kind, detail, elapsed = mode, 'failed', str(failure).splitlines()[0], 0
        totals[kind] = totals.get(kind, 0) + 1
        print('run %d %s: %s (%s) %.1fs' % (run, what, kind, detail, elapsed), flush=True)
        if kind != 'ok' and keep is not None:
            with open(os.path.join(keep, 'run%d.txt' % run), 'w') as f:
                f.write(child.report() if child is not None else detail)
    print('t11-rate %s: %d runs in %.0fs: %s; died per thousand: %.1f'
          % (mode, runs, time.monotonic() - start,
             ', '.join('%s %d' % item for item in sorted(totals.items())),
             1000.0 * (runs - totals.get('ok', 0) - totals.get('unopened', 0)) / runs))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
