#!/usr/bin/python3
"""Benchmark notmuch-glib against raw libnotmuch and the other notmuch bindings.

One command::

    /usr/bin/python3 bench/run.py --build-dir BUILD [--messages 10000] [--repeat 3]
        [--w5-repeat N] [--workloads W1,W2,...] [--output bench/RESULTS.md]
        [--cache-dir bench/.cache]
    /usr/bin/python3 bench/run.py --build-dir BUILD --smoke    # the meson test 'bench-smoke'

BUILD is a meson build directory of this project: the library is taken from BUILD/nm-glib,
the typelib from BUILD/introspection, the C drivers from BUILD/bench (``floor`` and
``glib-driver``).

A reproducible corpus (tests/nmcorpus.py, fixed seed) is generated and indexed once and
cached in the cache directory.  Every workload then runs for every contender, each run in a
fresh process, interleaved: repetition r runs the contenders in an order rotated by r.  Each
driver times its own workload (CPU time of the process, and wall time) and prints a count and
a CRC-32 of what it read; the checksums of all contenders must agree.  The table reports
medians and ratios to the floor (raw libnotmuch from C).

``--smoke`` checks that the benchmark still runs, not how fast anything is: a 200-message
corpus, one repetition, 20 opens for W6, a 100-message reference corpus for W7, and the report
written into the cache directory unless --output is given.  It fails when a driver fails, when
the checksums disagree or when the table misses a cell; it never judges a time.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'tests'))

import nmcorpus  # noqa: E402

SEED = 1
SMALL_CORPUS = 1000          # the reference corpus of W7
W5_SIZE = 10000              # messages tagged and untagged by W5
W5_SET_TAG = 'w5set'         # marks them in the cached corpus
W5_TAG = 'bench'             # the tag W5 adds and removes
W6_OPENS = 1000

CONTENDERS = ('floor', 'glib-c', 'gi', 'notmuch2', 'legacy')
LABELS = {
    'floor': 'libnotmuch (C)',
    'glib-c': 'notmuch-glib (C)',
    'gi': 'notmuch-glib (Python, GI)',
    'notmuch2': 'notmuch2 (CFFI)',
    'legacy': 'notmuch (legacy ctypes)',
}

WORKLOADS = {
    'W1': 'all messages: id + tags, newest first',
    'W1u': 'all messages: id + tags, unsorted',
    'W1n': 'W1 read with the cursor: `for m in iter(messages.next, None)` from Python, which '
           'does not count first as `for m in messages` does (the other rows of W1-W3 use '
           '`for`); C reads W1-W3 with get_item() until NULL, which never counts',
    'W2': 'all messages: id, tags, From, Subject, date, filename, newest first',
    'W2n': 'W2 read with the cursor, as W1n',
    'W3': 'all threads: subject, authors, total and matched counts, tags, newest first',
    'W3n': 'W3 read with the cursor, as W1n',
    'W4': '20 message counts of assorted queries',
    'W5a': 'tag +%s then -%s on the %s set, one call per message in an atomic section'
           % (W5_TAG, W5_TAG, W5_SET_TAG),
    'W5b': 'the same with db.tag_messages() (the floor is the `notmuch tag` CLI)',
    'W6': '%(opens)d read-only opens and closes of the database',
    'W7': 'peak RSS iterating all messages (id + tags, items dropped)',
}
# The same as W1, W2 and W3, read with notmuch-glib's cursor (next()).
CURSOR_WORKLOADS = {'W1n': 'W1', 'W2n': 'W2', 'W3n': 'W3'}
# Contenders without the API a workload needs.
NOT_APPLICABLE = {('W5b', 'notmuch2'), ('W5b', 'legacy')} | {
    (w, c) for w in CURSOR_WORKLOADS for c in ('notmuch2', 'legacy')}

# W4: tags, senders, date ranges, subject words and combinations of them.
W4_QUERIES = (
    'tag:inbox',
    'tag:unread',
    'tag:flagged',
    'tag:attachment',
    'tag:replied and not tag:unread',
    'from:alice@wonderland.example',
    'from:"Bob Tables"',
    'from:gitlab',
    'from:noreply@builds.example.com or from:gitlab@git.example.com',
    'to:test@example.org',
    'date:2019',
    'date:2020-03-01..2020-06-30',
    'date:2022-01-01..2022-01-31',
    'date:2024-06..',
    'subject:meeting',
    'subject:patch',
    'subject:release and subject:planning',
    'subject:invoice and date:2021',
    'folder:INBOX and tag:unread',
    'tag:inbox and not from:test@example.org and subject:question',
)

# Targets of the issue: (label, check) where check(medians) gives (passed, detail).
MAX_GI_LISTS = 1.15      # W1, W2 from Python vs the floor
MAX_GI_OTHER = 1.10      # W3, W4, W6 from Python vs the floor
MAX_GLIB_C = 1.05        # our library from C vs the floor, every workload
MAX_RSS_GROWTH = 1.10    # W7: full corpus vs 1k corpus


# --------------------------------------------------------------------------- corpus

def run_checked(cmd, **kwargs):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)
    if result.returncode != 0:
        sys.exit('%s failed (%d):\n%s' % (' '.join(cmd), result.returncode, result.stderr))
    return result.stdout


def mark_w5_set(mail_root):
    """Tags W5_SET_TAG on the first W5_SIZE messages (in Message-ID order) whose files are
    all in a cur/ folder, so that tagging with maildir flag synchronisation renames
    nothing."""
    import notmuch2

    db = notmuch2.Database(mail_root, mode=notmuch2.Database.MODE.READ_WRITE,
                           config=notmuch2.Database.CONFIG.EMPTY)
    eligible = []
    for message in db.messages('*'):
        if all('/cur/' in bytes(f).decode() for f in message.filenamesb()):
            eligible.append(str(message.messageid))
    chosen = sorted(eligible)[:W5_SIZE]
    with db.atomic():
        for message_id in chosen:
            db.find(message_id).tags.add(W5_SET_TAG)
    db.close()
    return len(chosen)


def prepare_corpus(cache_dir, messages):
    """Generates, indexes and prepares a corpus once; returns its description."""
    directory = os.path.join(cache_dir, 'corpus-%d-s%d' % (messages, SEED))
    stamp = os.path.join(directory, 'corpus.json')
    if os.path.exists(stamp):
        with open(stamp) as f:
            return json.load(f)

    shutil.rmtree(directory, ignore_errors=True)
    print('corpus: generating %d messages in %s' % (messages, directory), flush=True)
    start = time.monotonic()
    info = nmcorpus.generate(directory, messages=messages, seed=SEED)
    print('corpus: indexing (notmuch new)', flush=True)
    run_checked(['notmuch', '--config=' + info['config'], 'new', '--quiet'])
    w5_size = mark_w5_set(info['mail_root'])
    corpus = {
        'messages': messages,
        'seed': SEED,
        'mail_root': info['mail_root'],
        'config': info['config'],
        'distinct_messages': len(info['message_ids']),
        'threads': info['threads'],
        'w5_size': w5_size,
        'prepare_seconds': round(time.monotonic() - start, 1),
    }
    with open(stamp, 'w') as f:
        json.dump(corpus, f, indent=1)
    print('corpus: ready in %.0f s' % corpus['prepare_seconds'], flush=True)
    return corpus


def copy_database(corpus, work_dir):
    """A writable copy of the corpus' database (not of its mail) and a config file for it."""
    shutil.rmtree(work_dir, ignore_errors=True)
    database = os.path.join(work_dir, 'db')
    shutil.copytree(os.path.join(corpus['mail_root'], '.notmuch'),
                    os.path.join(database, '.notmuch'))
    config = os.path.join(work_dir, 'notmuch-config')
    with open(config, 'w') as f:
        f.write('[database]\npath=%s\n\n[maildir]\nsynchronize_flags=true\n' % database)
    return database, config


# --------------------------------------------------------------------------- running

class Runner:
    def __init__(self, args):
        self.build_dir = os.path.abspath(args.build_dir)
        self.cache_dir = os.path.abspath(args.cache_dir)
        self.work_dir = os.path.join(self.cache_dir, 'work')
        self.opens = args.opens
        self.drivers = {
            'floor': [os.path.join(self.build_dir, 'bench', 'floor')],
            'glib-c': [os.path.join(self.build_dir, 'bench', 'glib-driver')],
            'gi': [sys.executable, os.path.join(HERE, 'bench_gi.py')],
            'notmuch2': [sys.executable, os.path.join(HERE, 'bench_notmuch2.py')],
            'legacy': [sys.executable, os.path.join(HERE, 'bench_legacy.py')],
        }
        for name in ('floor', 'glib-c'):
            if not os.access(self.drivers[name][0], os.X_OK):
                sys.exit('%s not found: build it (ninja -C %s) or see bench/meson.build'
                         % (self.drivers[name][0], self.build_dir))
        self.env = self.child_environment()

    def child_environment(self):
        """No notmuch configuration from the user's environment, and this build's library."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('NOTMUCH_') and k != 'XDG_CONFIG_HOME'}
        home = os.path.join(self.cache_dir, 'home')
        os.makedirs(home, exist_ok=True)
        env['HOME'] = home
        for name, subdir in (('GI_TYPELIB_PATH', 'introspection'),
                             ('LD_LIBRARY_PATH', 'nm-glib')):
            directory = os.path.join(self.build_dir, subdir)
            env[name] = directory + (':' + env[name] if env.get(name) else '')
        return env

    def spawn(self, cmd):
        """Runs @cmd; returns its stdout, and its wall and CPU time."""
        with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
            start = time.monotonic()
            child = subprocess.Popen(cmd, stdout=out, stderr=err, env=self.env)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.monotonic() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                err.seek(0)
                raise RuntimeError('%s failed (%d):\n%s' % (' '.join(cmd), child.returncode,
                                                            err.read()))
            out.seek(0)
            return out.read(), {'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime}

    def driver(self, contender, *args):
        """Runs a driver; returns its report (count, crc, cpu, wall, maxrss)."""
        stdout, _ = self.spawn(self.drivers[contender] + [str(a) for a in args])
        return parse_report(stdout)

    def cli(self, *args):
        """Runs the notmuch CLI; returns its time, measured from outside."""
        _, usage = self.spawn(['notmuch'] + list(args))
        return usage

    def run(self, workload, contender, corpus, small_corpus):
        """One run of @workload by @contender; returns {'cpu', 'wall', 'check', ...}."""
        database = corpus['mail_root']
        if workload in ('W1', 'W1u', 'W2', 'W3') or workload in CURSOR_WORKLOADS:
            report = self.driver(contender, workload, database)
            return dict(report, check=(report['count'], report['crc']))
        if workload == 'W4':
            report = self.driver(contender, workload, database, *W4_QUERIES)
            return dict(report, check=(report['count'], report['crc']))
        if workload == 'W6':
            report = self.driver(contender, workload, database, self.opens)
            return dict(report, check=(report['count'],))
        if workload == 'W7':
            full = self.driver(contender, workload, database)
            small = self.driver(contender, workload, small_corpus['mail_root'])
            return {'cpu': full['cpu'], 'wall': full['wall'],
                    'rss': full['maxrss'], 'rss_small': small['maxrss'],
                    'check': (full['count'], full['crc'], small['count'], small['crc'])}
        if workload in ('W5a', 'W5b'):
            return self.run_w5(workload, contender, corpus)
        raise ValueError(workload)

    def run_w5(self, workload, contender, corpus):
        """Both phases on a fresh copy of the database; the check is the state of the
        database after each phase, read by the floor driver."""
        database, config = copy_database(corpus, self.work_dir)
        query = 'tag:' + W5_SET_TAG
        cpu = wall = 0.0
        states = []
        for phase, change in (('add', '+'), ('remove', '-')):
            if workload == 'W5b' and contender == 'floor':
                report = self.cli('--config=' + config, 'tag', change + W5_TAG, '--', query)
            else:
                report = self.driver(contender, workload, database, phase, query, W5_TAG)
            cpu += report['cpu']
            wall += report['wall']
            dump = self.driver('floor', 'dump', database)
            states.append((dump['count'], dump['crc']))
        shutil.rmtree(self.work_dir)
        return {'cpu': cpu, 'wall': wall, 'check': tuple(states)}


def parse_report(stdout):
    """Parses the last line of a driver's output:
    "count=N crc=X cpu=SECONDS wall=SECONDS maxrss=KIB"."""
    lines = stdout.strip().splitlines()
    if not lines:
        raise RuntimeError('a driver printed nothing')
    report = {}
    for item in lines[-1].split():
        key, _, value = item.partition('=')
        report[key] = value if key == 'crc' else float(value) if '.' in value else int(value)
    return report


# --------------------------------------------------------------------------- report

def read_first(path, prefix):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(prefix):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return '?'


def load_average():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def package_version(package):
    result = subprocess.run(['dpkg-query', '-W', '-f=${Version}', package],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip() or '?'


def source_commit():
    """The commit of this checkout, with -dirty when tracked files differ from it."""
    result = subprocess.run(['git', '-C', ROOT, 'describe', '--always', '--dirty',
                             '--abbrev=12'],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip() or '?'


def machine_description(runner):
    memory_kib = int(read_first('/proc/meminfo', 'MemTotal').split()[0])
    glib_version = runner.spawn([sys.executable, '-c',
                                 'import gi; from gi.repository import GLib; '
                                 'print("%d.%d.%d" % GLib.glib_version, gi.__version__)'])[0]
    glib, pygobject = glib_version.split()
    ours = read_first(os.path.join(runner.build_dir, 'meson-private', 'notmuch-glib-1.pc'),
                      'Version')
    notmuch = subprocess.run(['notmuch', '--version'], stdout=subprocess.PIPE,
                             text=True).stdout.split()[-1]
    return [
        ('CPU', '%s, %d cores' % (read_first('/proc/cpuinfo', 'model name'), os.cpu_count())),
        ('Memory', '%.1f GiB' % (memory_kib / 1024 / 1024)),
        ('Kernel', '%s %s' % (platform.system(), platform.release())),
        ('Python', platform.python_version()),
        ('libnotmuch', 'notmuch %s (libnotmuch5 %s), Xapian %s' % (
            notmuch, package_version('libnotmuch5'), package_version('libxapian30'))),
        ('notmuch-glib', '%s, commit `%s`' % (ours, source_commit())),
        ('GLib / PyGObject', '%s / %s' % (glib, pygobject)),
        ('notmuch2 / legacy', '%s / %s' % (package_version('python3-notmuch2'),
                                           package_version('python3-notmuch'))),
    ]


def summarize(runs):
    """Medians of a cell's runs, with the spread of the times."""
    summary = {}
    for key in ('cpu', 'wall', 'rss', 'rss_small'):
        if key in runs[0]:
            values = [r[key] for r in runs]
            summary[key] = statistics.median(values)
            if key in ('cpu', 'wall'):
                summary[key + '_min'] = min(values)
                summary[key + '_spread'] = (max(values) - min(values)) / summary[key]
    return summary


def format_ms(seconds):
    return '%.1f' % (seconds * 1000) if seconds < 10 else '%.0f' % (seconds * 1000)


def time_table(medians, workloads, key):
    """Median time, its spread ((max - min) / median) and its ratio to the floor."""
    header = '| workload | ' + ' | '.join(LABELS[c] for c in CONTENDERS) + ' |'
    lines = [header, '|' + '---|' * (len(CONTENDERS) + 1)]
    for workload in workloads:
        floor = medians[workload]['floor'][key]
        cells = []
        for contender in CONTENDERS:
            entry = medians[workload].get(contender)
            if entry is None:
                cells.append('n/a')
                continue
            cell = '%s ms ±%.0f%%' % (format_ms(entry[key]), 100 * entry[key + '_spread'])
            if contender != 'floor':
                cell += ' (%.2f×)' % (entry[key] / floor)
            cells.append(cell)
        lines.append('| %s | %s |' % (workload, ' | '.join(cells)))
    return lines


def rss_table(medians):
    """Peak RSS on both corpora; the growth beyond the floor's is what a binding adds."""
    floor = medians['W7']['floor']
    floor_growth = floor['rss'] - floor['rss_small']
    lines = ['| contender | full corpus | 1k corpus | full / 1k | growth beyond the floor\'s |',
             '|---|---|---|---|---|']
    for contender in CONTENDERS:
        entry = medians['W7'][contender]
        lines.append('| %s | %.1f MiB | %.1f MiB | %.3f | %+.1f MiB |' % (
            LABELS[contender], entry['rss'] / 1024, entry['rss_small'] / 1024,
            entry['rss'] / entry['rss_small'],
            (entry['rss'] - entry['rss_small'] - floor_growth) / 1024))
    return lines


def targets(medians):
    """(target, measured, passed) for every target of the issue that was measured.  A
    target is judged on the ratio of median CPU times; the ratio of the fastest runs is
    shown beside it, since other jobs on the machine only ever add time."""
    rows = []

    def ratio(workload, contender, key='cpu'):
        return medians[workload][contender][key] / medians[workload]['floor'][key]

    def measured(workload, contender):
        return '%.2f× (fastest runs %.2f×)' % (ratio(workload, contender),
                                                ratio(workload, contender, 'cpu_min'))

    for workload in ('W1', 'W1u', 'W1n', 'W2', 'W2n'):
        # The other bindings have no cursor: they read W1n/W2n as W1/W2.
        plain = CURSOR_WORKLOADS.get(workload, workload)
        if workload in medians and plain in medians:
            rows.append(('%s Python ≤ %.2f× floor' % (workload, MAX_GI_LISTS),
                         measured(workload, 'gi'), ratio(workload, 'gi') <= MAX_GI_LISTS))
            gi = medians[workload]['gi']['cpu']
            others = {c: medians[plain][c]['cpu'] for c in ('notmuch2', 'legacy')}
            rows.append(('%s Python faster than notmuch2 and legacy' % workload,
                         ', '.join('%s takes %.2f× as long' % (c, t / gi)
                                   for c, t in others.items()),
                         all(gi < t for t in others.values())))
    for workload in ('W3', 'W3n', 'W4', 'W6'):
        if workload in medians:
            rows.append(('%s Python ≤ %.2f× floor' % (workload, MAX_GI_OTHER),
                         measured(workload, 'gi'), ratio(workload, 'gi') <= MAX_GI_OTHER))
    if 'W5b' in medians:
        for contender in ('gi', 'glib-c'):
            rows.append(('W5b tag_messages (%s) no slower than `notmuch tag`'
                         % LABELS[contender], measured('W5b', contender),
                         ratio('W5b', contender) <= 1.0))
    for workload in (w for w in medians if w != 'W7'):
        rows.append(('%s C ≤ %.2f× floor' % (workload, MAX_GLIB_C),
                     measured(workload, 'glib-c'), ratio(workload, 'glib-c') <= MAX_GLIB_C))
    if 'W7' in medians:
        for contender in ('gi', 'glib-c'):
            entry = medians['W7'][contender]
            r = entry['rss'] / entry['rss_small']
            rows.append(('W7 %s peak RSS full ≤ %.2f× 1k'
                         % (LABELS[contender], MAX_RSS_GROWTH), '%.3f' % r,
                         r <= MAX_RSS_GROWTH))
    return rows


def write_report(args, runner, corpus, small_corpus, workloads, medians, loads, started):
    lines = [
        '# notmuch-glib benchmark',
        '',
        'Generated by `bench/run.py --messages %d --repeat %d%s%s` on %s (%.0f min).'
        % (args.messages, args.repeat,
           ' --w5-repeat %d' % args.w5_repeat if args.w5_repeat != args.repeat else '',
           ' --workloads ' + ','.join(workloads) if workloads != list(WORKLOADS) else '',
           started.strftime('%Y-%m-%d %H:%M %Z'),
           (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60),
        '',
        '## Machine',
        '',
        '| | |',
        '|---|---|',
    ]
    lines += ['| %s | %s |' % item for item in machine_description(runner)]
    lines += [
        '| Load average (1 min) | median %.1f, max %.1f over the runs (other jobs share '
        'the machine) |' % loads,
        '',
        '## Corpus',
        '',
        '`tests/nmcorpus.py` seed %d: %d files, %d distinct messages, %d threads; '
        'the W5 set is %d messages; W7 compares with a %d-message corpus.'
        % (SEED, corpus['messages'], corpus['distinct_messages'], corpus['threads'],
           corpus['w5_size'], small_corpus['messages']),
        '',
        '## Workloads',
        '',
    ]
    lines += ['- **%s** %s' % (w, WORKLOADS[w] % {'opens': args.opens}) for w in workloads]
    lines += [
        '',
        'Each cell is the median of %s runs, each in a fresh process, with the contender '
        'order rotated on every repetition; ±x%% is the spread of the runs ((max − min) / '
        'median) and (r×) the ratio to the floor, raw libnotmuch from C.  Each driver times '
        'its own workload.  A read-only workload (W1–W4) runs twice on one open database: a '
        'first pass checksums what it reads, the timed second pass reads the same and drops '
        'it, so no time includes checksumming or keeping results.  W5 and W6 include opening '
        'and closing (a W5 time is both phases on a fresh copy of the database); for W5b the '
        'floor is the `notmuch tag` CLI, timed from outside (whole process).  W7 reads once, '
        'checksumming as it goes; its time is shown but has no target.  Every contender '
        'produced the same checksum on every workload (the W5 checksum is the database '
        'state after each phase, read by the floor driver).'
        % ('%d (W5: %d)' % (args.repeat, args.w5_repeat) if args.w5_repeat != args.repeat
           else '%d' % args.repeat),
        '',
        '## CPU time (user + system)',
        '',
    ]
    lines += time_table(medians, workloads, 'cpu')
    lines += ['', '## Wall time', '']
    lines += time_table(medians, workloads, 'wall')
    if 'W7' in medians:
        lines += ['', '## W7: peak RSS of the driver process (VmHWM)', '',
                  'libnotmuch itself grows with the number of results (Xapian holds the '
                  'whole match set, and its sort keys, for the walk); the last column is '
                  'the growth a binding adds to that.', '']
        lines += rss_table(medians)
    lines += ['', '## Targets (CPU time)', '', '| target | measured | result |',
              '|---|---|---|']
    lines += ['| %s | %s | %s |' % (t, m, 'pass' if ok else '**FAIL**')
              for t, m, ok in targets(medians)]
    return '\n'.join(lines) + '\n'


def missing_cells(report, workloads):
    """What the report lacks: a time table without a row for a workload or with an empty
    cell where a contender applies, the RSS table, or the targets."""
    missing = []
    lines = report.splitlines()
    for title in ('## CPU time (user + system)', '## Wall time'):
        if title not in lines:
            missing.append('no section ' + title)
            continue
        start = lines.index(title) + 2
        header = [c.strip() for c in lines[start].strip('|').split('|')]
        if header[1:] != [LABELS[c] for c in CONTENDERS]:
            missing.append('%s: columns %s' % (title, header))
            continue
        rows = {}
        for line in lines[start + 2:]:
            if not line.startswith('|'):
                break
            cells = [c.strip() for c in line.strip('|').split('|')]
            rows[cells[0]] = cells[1:]
        for workload in workloads:
            cells = rows.get(workload)
            if cells is None or len(cells) != len(CONTENDERS):
                missing.append('%s: no complete row for %s' % (title, workload))
                continue
            for contender, cell in zip(CONTENDERS, cells):
                expected_na = (workload, contender) in NOT_APPLICABLE
                if (cell == 'n/a') != expected_na or (not expected_na and ' ms' not in cell):
                    missing.append('%s: %s/%s is %r' % (title, workload, contender, cell))
    if 'W7' in workloads:
        for contender in CONTENDERS:
            if not any(line.startswith('| %s | ' % LABELS[contender]) and 'MiB' in line
                       for line in lines):
                missing.append('W7: no RSS row for ' + contender)
    if '## Targets (CPU time)' not in lines:
        missing.append('no targets')
    return missing


# --------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--build-dir', default=os.path.join(ROOT, 'build'),
                        help='meson build directory (default: build)')
    parser.add_argument('--messages', type=int, default=10000,
                        help='corpus size (default 10000)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='repetitions of every run (default and minimum 3)')
    parser.add_argument('--workloads', default=','.join(WORKLOADS),
                        help='comma-separated subset of ' + ','.join(WORKLOADS))
    parser.add_argument('--output', default=os.path.join(HERE, 'RESULTS.md'),
                        help='Markdown report (default bench/RESULTS.md)')
    parser.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'),
                        help='corpus cache (default bench/.cache)')
    parser.add_argument('--prepare-only', action='store_true',
                        help='generate and index the corpora, then stop')
    parser.add_argument('--small-messages', type=int, default=SMALL_CORPUS,
                        help='size of the reference corpus of W7 (default %d)' % SMALL_CORPUS)
    parser.add_argument('--opens', type=int, default=W6_OPENS,
                        help='opens and closes in W6 (default %d)' % W6_OPENS)
    parser.add_argument('--w5-repeat', type=int, default=None,
                        help='repetitions of W5a/W5b, the slow ones (default: --repeat)')
    parser.add_argument('--smoke', action='store_true',
                        help='a quick check that every driver runs and agrees (see above); '
                        'the times mean nothing')
    args = parser.parse_args()
    if args.smoke:
        defaults = {'messages': 200, 'small_messages': 100, 'opens': 20}
        for name, value in defaults.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
        args.repeat = 1
        if args.output == parser.get_default('output'):
            args.output = os.path.join(args.cache_dir, 'SMOKE.md')

    workloads = [w for w in args.workloads.split(',') if w]
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        parser.error('unknown workload(s): %s' % ', '.join(unknown))
    if args.w5_repeat is None or args.smoke:
        args.w5_repeat = args.repeat
    args.w5_repeat = min(args.w5_repeat, args.repeat)
    if min(args.repeat, args.w5_repeat) < 3 and not args.smoke:
        parser.error('--repeat must be at least 3')

    os.makedirs(args.cache_dir, exist_ok=True)
    corpus = prepare_corpus(os.path.abspath(args.cache_dir), args.messages)
    small_corpus = prepare_corpus(os.path.abspath(args.cache_dir), args.small_messages)
    if args.prepare_only:
        return 0

    runner = Runner(args)
    started = datetime.datetime.now(datetime.timezone.utc)
    loads = []
    results = {w: {c: [] for c in CONTENDERS if (w, c) not in NOT_APPLICABLE}
               for w in workloads}
    for repetition in range(args.repeat):
        order = CONTENDERS[repetition % len(CONTENDERS):] + \
            CONTENDERS[:repetition % len(CONTENDERS)]
        for workload in workloads:
            if workload.startswith('W5') and repetition >= args.w5_repeat:
                continue
            for contender in order:
                if (workload, contender) in NOT_APPLICABLE:
                    continue
                loads.append(load_average())
                result = runner.run(workload, contender, corpus, small_corpus)
                results[workload][contender].append(result)
                print('rep %d %-4s %-9s cpu %9.1f ms  wall %9.1f ms' % (
                    repetition + 1, workload, contender, result['cpu'] * 1000,
                    result['wall'] * 1000), flush=True)

    medians = {}
    for workload in workloads:
        checks = {c: {r['check'] for r in runs} for c, runs in results[workload].items()}
        distinct = set().union(*checks.values())
        if len(distinct) != 1:
            sys.exit('checksum mismatch in %s: %s' % (workload, checks))
        medians[workload] = {c: summarize(runs) for c, runs in results[workload].items()}

    report = write_report(args, runner, corpus, small_corpus, workloads, medians,
                          (statistics.median(loads), max(loads)), started)
    missing = missing_cells(report, workloads)
    if missing:
        sys.exit('incomplete report: %s' % '; '.join(missing))
    with open(args.output, 'w') as f:
        f.write(report)
    # Every run's numbers, for anyone who wants more than the medians.
    with open(os.path.splitext(args.output)[0] + '.json', 'w') as f:
        json.dump({'corpus': corpus, 'repeat': args.repeat, 'results': results}, f,
                  indent=1, default=list)
    print()
    print(report)
    return 0


if __name__ == '__main__':
    sys.exit(main())
