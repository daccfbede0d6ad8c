#!/usr/bin/python3
"""Instructions executed by every contender's timed section, counted with callgrind.

    /usr/bin/python3 bench/instructions.py --build-dir BUILD [--messages 1000]
        [--workloads W1,W1u,W1n,W2,W2n,W3,W3n,W4,W5b,W6] [--opens 1000]

The times of bench/run.py move by 10-30% on a shared machine; an instruction count does not.
Each driver runs once under valgrind's callgrind with BENCH_MARK set, which makes it call
getppid() right before and right after each timed section (bench/benchlib.py, bench_mark()
in the C drivers); --dump-before=getppid then cuts the profile there, and the part that ends
at the last mark is the timed section: the second, unchecksummed pass of a read-only
workload, the whole loop of W6.  Prints a Markdown table of instructions (Ir) with ratios to
the floor.  Instructions are not time (a cache miss costs no instruction, a Xapian read may
cost the same instructions and different time), but they show what each layer adds without
the noise.  W7 (memory) and W5a are left out.

W5b is counted as bench/run.py times it: both phases (tag, then untag, the W5 set) on a
fresh copy of the database.  Its floor is the `notmuch tag` CLI, counted as a whole
process, and so is the C driver (its process does little besides opening, tagging and
closing); for Python the timed section (open, tag_messages(), close) is counted, without
the interpreter's start.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run  # noqa: E402

WORKLOADS = ('W1', 'W1u', 'W1n', 'W2', 'W2n', 'W3', 'W3n', 'W4', 'W5b', 'W6')


def summary(profile):
    with open(profile) as f:
        for line in f:
            if line.startswith('summary:'):
                return int(line.split()[1])
    raise RuntimeError('no summary in ' + profile)


def process_instructions(runner, command):
    """Ir of a whole process."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, 'cg')
        subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out]
                       + command, env=runner.env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return summary(out)


def w5b_instructions(runner, contender, corpus, opens):
    """Ir of both W5b phases on a fresh copy of the database."""
    database, config = run.copy_database(corpus, runner.work_dir)
    query = 'tag:' + run.W5_SET_TAG
    total = 0
    for phase, change in (('add', '+'), ('remove', '-')):
        if contender == 'floor':
            total += process_instructions(runner, ['notmuch', '--config=' + config, 'tag',
                                                   change + run.W5_TAG, '--', query])
        elif contender == 'glib-c':
            total += process_instructions(runner, runner.drivers[contender]
                                          + ['W5b', database, phase, query, run.W5_TAG])
        else:
            total += timed_instructions(runner, contender, 'W5b', database, opens,
                                        [phase, query, run.W5_TAG])
    shutil.rmtree(runner.work_dir)
    return total


def timed_instructions(runner, contender, workload, database, opens, args=None):
    """Ir of the last timed section of one run of a driver."""
    if args is None:
        args = {'W4': list(run.W4_QUERIES), 'W6': [str(opens)]}.get(workload, [])
    env = dict(runner.env, BENCH_MARK='1')
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, 'cg')
        subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out,
                        '--dump-before=getppid'] + runner.drivers[contender]
                       + [workload, database] + args,
                       env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        parts = sorted((int(p.rsplit('.', 1)[1]), p) for p in glob.glob(out + '.*'))
        if len(parts) not in (2, 4):
            raise RuntimeError('%s %s: %d marks, expected 2 or 4'
                               % (contender, workload, len(parts)))
        return summary(parts[-1][1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--build-dir', default=os.path.join(run.ROOT, 'build'))
    parser.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'))
    parser.add_argument('--messages', type=int, default=run.SMALL_CORPUS)
    parser.add_argument('--workloads', default=','.join(WORKLOADS))
    parser.add_argument('--opens', type=int, default=run.W6_OPENS,
                        help='opens and closes in W6, as many as bench/run.py by default: '
                        'with few, the one-time costs of the first open weigh in')
    args = parser.parse_args()
    workloads = args.workloads.split(',')
    if not set(workloads) <= set(WORKLOADS):
        parser.error('workloads: a subset of ' + ','.join(WORKLOADS))

    corpus = run.prepare_corpus(os.path.abspath(args.cache_dir), args.messages)
    runner = run.Runner(types.SimpleNamespace(build_dir=args.build_dir,
                                              cache_dir=args.cache_dir, opens=args.opens))
    counts = {}
    for workload in workloads:
        for contender in run.CONTENDERS:
            if (workload, contender) in run.NOT_APPLICABLE:
                continue
            if workload == 'W5b':
                counts[workload, contender] = w5b_instructions(runner, contender, corpus,
                                                               args.opens)
            else:
                counts[workload, contender] = timed_instructions(
                    runner, contender, workload, corpus['mail_root'], args.opens)
            print('%-4s %-9s %14d Ir' % (workload, contender, counts[workload, contender]),
                  file=sys.stderr, flush=True)

    print('Instructions (callgrind Ir) of the timed section, %d-message corpus, commit `%s`; '
          'W6 is %d opens; W5b counts the `notmuch tag` CLI and the C driver as whole '
          'processes.\n' % (args.messages, run.source_commit(), args.opens))
    print('| workload | ' + ' | '.join(run.LABELS[c] for c in run.CONTENDERS) + ' |')
    print('|' + '---|' * (len(run.CONTENDERS) + 1))
    for workload in workloads:
        floor = counts[workload, 'floor']
        cells = ['%.1f M' % (floor / 1e6)]
        cells += ['%.1f M (%.3f×)' % (counts[workload, c] / 1e6, counts[workload, c] / floor)
                  if (workload, c) in counts else 'n/a' for c in run.CONTENDERS[1:]]
        print('| %s | %s |' % (workload, ' | '.join(cells)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
