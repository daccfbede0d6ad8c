#!/usr/bin/python3
"""Check that the search examples in Python, gjs and Vala print the same bytes.

Usage::

    compare-search.py [--search-vala BINARY] [--gjs PATH] [--python PATH] [--keep]

Generates a corpus with tests/nmcorpus.py, adds a few messages dated relative to
now (so that every branch of notmuch's relative date format is printed: "N mins.
ago", "Today", "Yest.", a weekday, "Month DD", "YYYY-MM-DD", "the future") and
messages whose subjects hold control characters, indexes it with ``notmuch new``,
tags a few messages ``spam`` and ``deleted`` (the config's search.exclude_tags),
then runs

    examples/python/search.py, examples/gjs/search.js, search-vala

for a matrix of queries, sorts and limits, in three time zones, and asserts that
their standard output and exit status are identical.  Where the database is found
through NOTMUCH_CONFIG (no --database), the output must also equal the notmuch
CLI's own ``notmuch search``.  Error messages must agree too, up to the program
name.  Prints ``N passed, M failed`` last and exits non-zero on a difference.

The gjs or Vala program is left out when --gjs / --search-vala is not given and
not found; at least two programs must take part.
"""

import argparse
import concurrent.futures
import email.utils
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import run  # noqa: E402  (tests/bindings/run.py: corpus helpers)

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Offsets from now (seconds) of the messages added to the corpus, with the branch of
# notmuch_time_relative_date() each one exercises when local time is about noon.
RECENT = [
    (-10, 'just now: 0 mins. ago'),
    (-(30 * MINUTE + 2), 'half an hour ago: 30 mins. ago'),
    (-2 * HOUR, 'this morning: Today HH:MM'),
    (-26 * HOUR, 'yesterday: Yest. HH:MM'),
    (-3 * DAY, 'three days ago: weekday HH:MM'),
    (-(7 * DAY - HOUR), 'same weekday last week: Month DD'),
    (-(7 * DAY + HOUR), 'eight days ago: Month DD'),
    (-30 * DAY, 'a month ago: Month DD'),
    (-179 * DAY, 'half a year ago: Month DD'),
    (-181 * DAY, 'over half a year ago: YYYY-MM-DD'),
    (+HOUR, 'tomorrow: the future'),
]


def write_message(path, message_id, date, subject, sender='Clock Tester <clock@example.org>',
                  in_reply_to=None):
    headers = [
        'From: %s' % sender,
        'To: Test User <test@example.org>',
        'Subject: %s' % subject,
        'Date: %s' % email.utils.formatdate(date, localtime=False),
        'Message-ID: <%s>' % message_id,
    ]
    if in_reply_to:
        headers.append('In-Reply-To: <%s>' % in_reply_to)
        headers.append('References: <%s>' % in_reply_to)
    headers += ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Body.', '']
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(headers))


def add_messages(mail_root, now):
    """Add the relative-date and control-character messages under mail_root/extra."""
    folder = os.path.join(mail_root, 'extra')
    for sub in ('cur', 'new', 'tmp'):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    n = 0
    for offset, what in RECENT:
        write_message(os.path.join(folder, 'cur', 'recent%d:2,S' % n),
                      'recent%d@clock.example.org' % n, now + offset, 'Clock: ' + what)
        n += 1
    # Subjects that notmuch's sanitize_string() rewrites: RFC 2047 decoding gives a tab,
    # a newline and other control characters.
    write_message(os.path.join(folder, 'cur', 'control0:2,S'), 'control0@clock.example.org',
                  now - 400 * DAY, '=?UTF-8?Q?tab=09here_and_bell=07there?=')
    write_message(os.path.join(folder, 'cur', 'control1:2,S'), 'control1@clock.example.org',
                  now - 401 * DAY, '=?UTF-8?Q?line=0Abreak_and_=01_=1F_=7F?=',
                  sender='=?UTF-8?Q?Ctrl=09Name?= <ctrl@example.org>')
    write_message(os.path.join(folder, 'cur', 'control2:2,S'), 'control2@clock.example.org',
                  now - 402 * DAY, 'Re: =?UTF-8?Q?line=0Abreak_and_=01_=1F_=7F?=',
                  in_reply_to='control1@clock.example.org')


def noon_zone(now):
    """A POSIX TZ string in which the local time of *now* is between 12:00 and 13:00."""
    utc_hour = time.gmtime(now).tm_hour
    offset = 12 - utc_hour            # local = UTC + offset, in -11 .. +12
    return 'NMT%+d' % -offset          # POSIX: the offset is what to add to local time


class Program:
    def __init__(self, name, argv):
        self.name = name
        self.argv = argv


def run_program(program, args, env):
    proc = subprocess.run(program.argv + args, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


class Checker:
    def __init__(self, programs, base_env):
        self.programs = programs
        self.base_env = base_env
        self.passed = 0
        self.failed = 0

    def report(self, ok, label, detail=''):
        if ok:
            self.passed += 1
            print('ok - %s' % label)
        else:
            self.failed += 1
            print('not ok - %s' % label)
            if detail:
                print(detail.rstrip('\n'))
        sys.stdout.flush()

    def compare(self, *args, **kwargs):
        self.report(*self.run_case(*args, **kwargs))

    def compare_all(self, cases, jobs):
        """Run the cases (argument tuples of compare()) *jobs* at a time; report in order."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(self.run_case, *case) for case in cases]
            for future in futures:
                self.report(*future.result())

    def run_case(self, args, tz, config=None, cli_args=None, attempts=1, label=None):
        """Run every program with *args*; they must agree (and match the CLI if cli_args).

        Returns (ok, label, detail) for report()."""
        env = dict(self.base_env, TZ=tz)
        if config is not None:
            env['NOTMUCH_CONFIG'] = config
        label = label or 'TZ=%s %s%s' % (tz, 'NOTMUCH_CONFIG ' if config else '', ' '.join(args))
        detail = ''
        for _attempt in range(attempts):
            results = [(p.name, run_program(p, args, env)) for p in self.programs]
            if cli_args is not None:
                cli_env = run.cli_env(config)
                cli_env['TZ'] = tz
                proc = subprocess.run([run.notmuch_path(), 'search'] + cli_args, env=cli_env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                results.append(('notmuch search', (proc.returncode, proc.stdout, b'')))
            ok, detail = self.agree(results)
            if ok:
                break
        return ok, label, detail

    def agree(self, results):
        ref_name, (ref_rc, ref_out, ref_err) = results[0]
        ref_err = normalise_stderr(ref_err, self.programs[0].name)
        problems = []
        for name, (rc, out, err) in results[1:]:
            if out != ref_out:
                problems.append('stdout of %s differs from %s:\n%s'
                                % (name, ref_name, first_difference(ref_out, out)))
            if rc != ref_rc:
                problems.append('exit status of %s is %d, %s: %d' % (name, rc, ref_name, ref_rc))
            if name != 'notmuch search':
                err = normalise_stderr(err, name)
                if err != ref_err:
                    problems.append('stderr of %s differs from %s: %r / %r'
                                    % (name, ref_name, err, ref_err))
        if ref_rc != 0 and ref_err == b'':
            problems.append('%s failed with no message' % ref_name)
        return not problems, '\n'.join('    ' + p for p in problems)


def normalise_stderr(err, name):
    """Error messages name the program itself: compare the rest.

    A usage error (argparse's) starts with a usage summary wrapped to the length of
    the program's name: only its last line, the error, is compared.
    """
    err = err.replace(name.encode(), b'PROG')
    if err.startswith(b'usage: '):
        err = err.rstrip(b'\n').split(b'\n')[-1] + b'\n'
    return err


def first_difference(a, b):
    la, lb = a.split(b'\n'), b.split(b'\n')
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return '      line %d:\n      < %r\n      > %r' % (i + 1, x, y)
    return '      %d lines / %d lines' % (len(la), len(lb))


SORTS = [None, 'newest', 'oldest', 'message-id', 'unsorted']
CLI_SORT = {'newest': 'newest-first', 'oldest': 'oldest-first'}
QUERIES = [[], ['tag:unread'], ['tag:spam'], ['folder:extra'], ['from:example.com', 'or',
                                                                'subject:meeting'],
           ['nosuchwordanywhere']]
SORTED_QUERIES = [[], ['tag:spam'], ['folder:extra']]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--search-vala', help='the built examples/vala/search.vala')
    parser.add_argument('--gjs', default=shutil.which('gjs'))
    parser.add_argument('--python', default=run.python_path())
    parser.add_argument('--jobs', type=int, default=max(2, os.cpu_count() or 1),
                        help='comparisons run at the same time')
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory')
    args = parser.parse_args(argv)

    programs = [Program('search.py', [args.python,
                                      os.path.join(SOURCE_ROOT, 'examples', 'python', 'search.py')])]
    if args.gjs:
        programs.append(Program('search.js', [args.gjs, os.path.join(SOURCE_ROOT, 'examples',
                                                                     'gjs', 'search.js')]))
    if args.search_vala:
        programs.append(Program('search-vala', [os.path.abspath(args.search_vala)]))
    if len(programs) < 2:
        print('compare-search.py: need gjs or the Vala program to compare with', file=sys.stderr)
        return 77

    tmpdir = tempfile.mkdtemp(prefix='nm-compare-')
    try:
        corpus = os.path.join(tmpdir, 'corpus')
        config = run.generate(corpus, 150, seed=3)
        mail = os.path.join(corpus, 'mail')
        now = int(time.time())
        add_messages(mail, now)
        run.index(config)
        run.notmuch(config, 'tag', '+spam', '--', 'tag:attachment')
        run.notmuch(config, 'tag', '+deleted', '--', 'folder:extra and subject:month')

        checker = Checker(programs, run.clean_env(LC_ALL='C'))
        tz = noon_zone(now)

        # The relative dates first, right after indexing; "N mins. ago" changes every
        # minute, so a run that straddles a minute boundary is tried again.
        checker.compare(['--database', mail, 'folder:extra'], tz, attempts=3)
        checker.compare(['folder:extra'], tz, config=config, cli_args=['folder:extra'],
                        attempts=3)

        cases = []
        for query in QUERIES:
            # Every sort for some queries, the default sort for the others.
            for sort in SORTS if query in SORTED_QUERIES else [None]:
                opts = ['--sort', sort] if sort else []
                cases.append((['--database', mail] + opts + query, tz, None, None, 2))
                if sort in CLI_SORT:  # notmuch search sorts only by date
                    cli = ['--sort=' + CLI_SORT[sort]] + (query or ['*'])
                    cases.append((opts + query, tz, config, cli, 2))
                elif sort is None:
                    cases.append((query, tz, config, query or ['*'], 2))

        for tz_name in ('America/New_York', 'Asia/Tokyo'):
            cases.append((['--database', mail], tz_name, None, None, 2))
            cases.append((['--sort=oldest', '--limit=25'], tz_name, config,
                          ['--sort=oldest-first', '--limit=25', '*'], 2))

        # Option spellings, limits and the end of options.
        for opts in (['--limit', '0'], ['--limit', '1'], ['--limit=7', '--sort=oldest-first'],
                     ['--lim', '3', '--so', 'newest-first'], ['--', 'tag:inbox'],
                     ['--limit', ' 4 ']):
            cases.append((['--database', mail] + opts, tz, None, None, 2))

        # Failures: the same exit status and message (up to the program name), no output.
        for opts in (['--database', mail, 'date:yesterday..garbage'],
                     ['--database', os.path.join(tmpdir, 'missing')],
                     ['--database', 'relative/path'],
                     ['--database', mail, '--sort', 'sideways'],
                     ['--database', mail, '--limit', '-1'],
                     ['--database', mail, '--limit', 'many'],
                     ['--database', mail, 'a', '--limit', '1', 'b'],
                     ['--database']):
            cases.append((opts, tz))
        checker.compare_all(cases, args.jobs)

        # No configuration at all: notmuch's lookup fails the same way everywhere.
        home = os.path.join(tmpdir, 'home')
        os.makedirs(home)
        saved = checker.base_env
        checker.base_env = dict(saved, HOME=home, XDG_CONFIG_HOME=os.path.join(home, '.config'))
        checker.compare(['tag:inbox'], tz, label='no configuration found')
        checker.base_env = saved
    finally:
        if args.keep:
            print('kept %s' % tmpdir)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)

    print('%d passed, %d failed' % (checker.passed, checker.failed))
    return 1 if checker.failed else 0


if __name__ == '__main__':
    sys.exit(main())
