#!/usr/bin/python3
"""API-sequence fuzzer of notmuch-glib, driven through its typelib from Python.

Each program is a random sequence of legal calls (right types, any values; see fuzzgen.py)
written out as a standalone Python script and run in a child process on a fresh copy of
a small indexed maildir (fuzzcorpus.py).  A child that dies from a signal, exits with an
unexpected status, hangs, prints a GLib CRITICAL or WARNING, gets an AddressSanitizer or
UBSan report, or raises anything but GLib.Error from a call is a finding.  A finding is
shrunk (delta debugging over the program's steps, keeping its signature) and the minimal
program is written to the output directory and printed.

    api_fuzz.py --budget 600 --jobs 2            programs for ten minutes
    api_fuzz.py --seed 1234                      print and run one program
    api_fuzz.py --seed 1234 --print              only print it
    api_fuzz.py --replay out/x/minimal.py        run a saved program

Programs have the seeds BASE, BASE+1, ...; BASE is printed (--base-seed sets it).  The build
is --build-dir (default: build, or $NMFUZZ_BUILD_DIR); a build configured with
-Db_sanitize=address[,undefined] runs its children with the sanitizer runtimes preloaded.
Exit status: 0 if nothing new was found, 1 on a finding that --known does not list.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import fuzzcorpus  # noqa: E402
import fuzzgen  # noqa: E402

PYTHON = os.environ.get('PYTHON') or '/usr/bin/python3'
FINDING_EXIT = 3  # fuzzrt.FINDING_EXIT (not imported: fuzzrt loads the typelib)

# Failure kinds, most telling first: a program's signature is its first kind found.
_ORDER = ('asan', 'ubsan', 'signal', 'timeout', 'exception', 'finding', 'exit', 'critical')
# Helpers of fuzzrt whose frames say nothing about where a program hangs.
_IDLE = re.compile(r'^\s*(join|finish|spin)\(')
_NOT_METHODS = {'collect', 'props', 'path', 'get', 'join', 'pop'}


# ---------------------------------------------------------------------------
# the build
# ---------------------------------------------------------------------------

class Build:
    def __init__(self, build_dir):
        self.dir = os.path.abspath(build_dir)
        self.lib_dir = os.path.join(self.dir, 'nm-glib')
        self.typelib_dir = os.path.join(self.dir, 'introspection')
        self.gir = os.path.join(self.typelib_dir, 'Notmuch-1.0.gir')
        if not os.path.exists(os.path.join(self.typelib_dir, 'Notmuch-1.0.typelib')):
            raise SystemExit('no typelib in %s: build the project first' % self.typelib_dir)
        self.sanitize = self._option('b_sanitize') or 'none'
        self.preload = []
        if 'address' in self.sanitize:
            cc = self._compiler()
            for runtime in ('libasan.so', 'libubsan.so', 'libstdc++.so'):
                if runtime == 'libubsan.so' and 'undefined' not in self.sanitize:
                    continue
                self.preload.append(subprocess.run(
                    [cc, '-print-file-name=' + runtime], capture_output=True, text=True,
                    check=True).stdout.strip())

    def _option(self, name):
        try:
            with open(os.path.join(self.dir, 'meson-info', 'intro-buildoptions.json')) as f:
                for opt in json.load(f):
                    if opt['name'] == name:
                        return opt['value']
        except OSError:
            pass
        return None

    def _compiler(self):
        try:
            with open(os.path.join(self.dir, 'meson-info', 'intro-compilers.json')) as f:
                return json.load(f)['host']['c']['exelist'][0]
        except (OSError, KeyError):
            return 'cc'

    @property
    def sanitized(self):
        return bool(self.preload)

    def env(self, base, home):
        env = dict(os.environ)
        for name in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR',
                     'G_DEBUG', 'G_MESSAGES_DEBUG', 'LD_PRELOAD', 'PYTHONFAULTHANDLER'):
            env.pop(name, None)
        for name, directory in (('GI_TYPELIB_PATH', self.typelib_dir),
                                ('LD_LIBRARY_PATH', self.lib_dir)):
            env[name] = directory + (':' + env[name] if env.get(name) else '')
        env.update({
            'HOME': home,
            'XDG_CONFIG_HOME': os.path.join(home, '.config'),
            'XDG_DATA_HOME': os.path.join(home, '.local', 'share'),
            'NMFUZZ_BASE': base,
            'PYTHONDONTWRITEBYTECODE': '1',
            'NOTMUCH': fuzzcorpus.NOTMUCH,
        })
        if self.preload:
            env['LD_PRELOAD'] = ' '.join(self.preload)
            # Python's faulthandler must not take SIGSEGV from ASan: ASan's report of the
            # fault itself is the one worth having.
            env['ASAN_OPTIONS'] = 'detect_leaks=0:allow_user_segv_handler=0'
            env['UBSAN_OPTIONS'] = 'print_stacktrace=1:halt_on_error=1'
        return env

    def run_command(self):
        """How to run a saved program by hand with this build."""
        parts = ['GI_TYPELIB_PATH=%s' % self.typelib_dir, 'LD_LIBRARY_PATH=%s' % self.lib_dir]
        if self.preload:
            parts += ['LD_PRELOAD="%s"' % ' '.join(self.preload), 'ASAN_OPTIONS=detect_leaks=0']
        return ' '.join(parts + [PYTHON])


# ---------------------------------------------------------------------------
# running one program
# ---------------------------------------------------------------------------

class Outcome:
    def __init__(self, rc, stdout, stderr, timed_out, elapsed, source):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out
        self.elapsed = elapsed
        self.source = source
        marks = re.findall(r'^@@s (\d+)$', stderr, re.M)
        self.last_step = int(marks[-1]) if marks else None
        m = re.search(r'^@@done (\{.*\})$', stderr, re.M)
        self.stats = json.loads(m.group(1)) if m else {}
        # Steps whose objects were there (for a program that died: the steps begun).
        self.steps_run = self.stats.get('run', len(marks))
        self.signatures = classify(self)

    @property
    def signature(self):
        return self.signatures[0] if self.signatures else None

    def describe(self):
        if self.timed_out:
            return 'timed out'
        if self.rc < 0:
            try:
                return 'killed by %s' % signal.Signals(-self.rc).name
            except ValueError:
                return 'killed by signal %d' % -self.rc
        return 'exit %d' % self.rc


class Runner:
    def __init__(self, build, template, work, timeout):
        self.build = build
        self.template = template
        self.work = work
        self.timeout = timeout
        self.programs = 0
        self.steps = 0
        self.errors = {}
        self._lock = threading.Lock()

    def run(self, source):
        rundir = tempfile.mkdtemp(prefix='run-', dir=self.work)
        try:
            base = fuzzcorpus.instantiate(self.template, os.path.join(rundir, 'db'))
            home = os.path.join(rundir, 'home')
            os.makedirs(os.path.join(home, '.config'))
            prog = os.path.join(rundir, 'prog.py')
            with open(prog, 'w', encoding='utf-8') as f:
                f.write(source)
            out_path = os.path.join(rundir, 'stdout')
            err_path = os.path.join(rundir, 'stderr')
            start = time.monotonic()
            with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
                proc = subprocess.Popen([PYTHON, prog], cwd=rundir, stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=err,
                                        env=self.build.env(base, home), start_new_session=True)
                timed_out = False
                try:
                    proc.wait(self.timeout)
                except subprocess.TimeoutExpired:
                    timed_out = True
                    # faulthandler prints every thread's stack on SIGUSR1.
                    try:
                        proc.send_signal(signal.SIGUSR1)
                        proc.wait(3)
                    except (subprocess.TimeoutExpired, ProcessLookupError):
                        pass
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
            elapsed = time.monotonic() - start
            with open(out_path, 'rb') as f:
                stdout = f.read().decode('utf-8', 'replace')
            with open(err_path, 'rb') as f:
                stderr = f.read().decode('utf-8', 'replace')
            outcome = Outcome(proc.returncode, stdout, stderr, timed_out, elapsed, source)
            with self._lock:
                self.programs += 1
                self.steps += outcome.steps_run
                for key, n in outcome.stats.get('errors', {}).items():
                    self.errors[key] = self.errors.get(key, 0) + n
            return outcome
        finally:
            shutil.rmtree(rundir, ignore_errors=True)


# ---------------------------------------------------------------------------
# signatures
# ---------------------------------------------------------------------------

def normalize(text, width=70):
    text = re.sub(r'0x[0-9a-fA-F]+', 'X', text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r'"[^"]*"', '"…"', text)
    text = re.sub(r'\d+', 'N', text)
    text = re.sub(r'\s+', ' ', text).strip()
    return text[:width]


_RUNTIME = ('__interceptor', '__asan', '__sanitizer', '__ubsan', '_Unwind', '__GI_',
            '__pthread_kill', 'raise', 'abort', '__libc')


def asan_frames(report):
    """The first frame of a sanitizer report that is not the runtime's or libc's, and the
    library's first frame below it: 'libnotmuch.so.5+0x2ffb5<nm_query_search_threads'."""
    first = None
    for f in re.finditer(r'#\d+ 0x[0-9a-f]+ (?:in (\S+))?\s*(?:\(([^)+]+)\+(0x[0-9a-f]+)\))?',
                         report.split('\n\n', 1)[0]):
        fn, module, offset = f.groups()
        if module and re.search(r'/lib(c|asan|ubsan|stdc\+\+)[.-]', module):
            continue
        if fn and fn.startswith(_RUNTIME):
            continue
        name = fn or ('%s+%s' % (os.path.basename(module), offset) if module else '?')
        if first is None:
            first = name
            if name.startswith('nm_'):
                return name
        elif fn and fn.startswith('nm_'):
            return first + '<' + fn
    return first or '?'


def exit_message(line):
    """libnotmuch's last words before exit(): "Internal error: <what>[: <value>] (<file>:<line>)."
    keeps <what> and <file>."""
    m = re.match(r'(.*?Internal error: [^:(]*)(?::.*?)?(?: \(([\w./-]+):\d+\))?\.?$', line)
    if m:
        return normalize(m.group(1), 100) + (' (%s)' % m.group(2) if m.group(2) else '')
    return normalize(line)


def method_of(line):
    """The library call a program line makes (its first method name)."""
    code = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", line)
    if re.search(r'\biter\(\w+\.next\b', code):
        return 'next'
    for builtin in ('enumerate', 'len', 'list'):
        if re.search(r'\b%s\(' % builtin, code):
            return {'enumerate': 'iter'}.get(builtin, builtin)
    for m in re.finditer(r'\.([A-Za-z_]\w*)', code):
        name = m.group(1)
        if name[0].isupper() or name in _NOT_METHODS:
            continue
        return name
    m = re.search(r'Notmuch\.([A-Z]\w*)\(', code)
    if m:
        return m.group(1) + '()'
    m = re.match(r'\s*(\w+)\(', code)
    return (m.group(1) + '()') if m else '?'


def _prog_frames(text):
    """[(thread header, [program lines, innermost first])] of faulthandler dumps and of
    Python tracebacks in *text*."""
    blocks = []
    current = None
    for line in text.splitlines():
        if re.match(r'^(Current thread|Thread) 0x', line) or line.startswith('Traceback'):
            current = (line, [], line.startswith('Traceback'))
            blocks.append(current)
            continue
        m = re.match(r'\s+File "[^"]*prog\.py", line (\d+)', line)
        if m and current is not None:
            current[1].append(int(m.group(1)))
    out = []
    for header, lines, is_traceback in blocks:
        # Tracebacks list the innermost frame last, faulthandler first.
        out.append((header, lines[::-1] if is_traceback else lines))
    return out


def _line(source, number):
    lines = source.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ''


def _where(outcome, all_threads=False):
    """The method(s) the program was calling when it failed: in the thread that failed
    (faulthandler's "Current thread", or a traceback), or in every thread."""
    names = []
    blocks = _prog_frames(outcome.stderr)
    if not all_threads:
        blocks.sort(key=lambda block: block[0].startswith('Thread '))
    for header, lines in blocks:
        if not lines:
            continue
        text = _line(outcome.source, lines[0])
        if all_threads and _IDLE.match(text.strip()):
            continue
        names.append(method_of(text))
        if not all_threads:
            break
    if all_threads:
        return '+'.join(sorted(set(names))) or '?'
    return names[0] if names else '?'


def classify(outcome):
    """Signatures of the failures of one run, most telling first ([] when it passed)."""
    err = outcome.stderr
    found = {}

    m = re.search(r'ERROR: AddressSanitizer: ([\w-]+)', err)
    if m:
        found['asan'] = 'asan:%s:%s' % (m.group(1), asan_frames(err[m.end():]))
    m = re.search(r'([\w./-]+):(\d+):\d+: runtime error: (.*)', err)
    if m:
        found['ubsan'] = 'ubsan:%s:%s: %s' % (os.path.basename(m.group(1)), m.group(2),
                                              normalize(m.group(3), 40))
    if outcome.timed_out:
        found['timeout'] = 'timeout@' + _where(outcome, all_threads=True)
    elif outcome.rc < 0:
        try:
            name = signal.Signals(-outcome.rc).name
        except ValueError:
            name = str(-outcome.rc)
        found['signal'] = 'signal:%s@%s' % (name, _where(outcome))
    m = re.search(r'^@@exception (\w+): ?(.*)$', err, re.M)
    if m:
        found['exception'] = 'exception:%s:%s@%s' % (m.group(1), normalize(m.group(2), 50),
                                                     _where(outcome))
    m = re.search(r'^@@finding (\S+) (.*)$', err, re.M)
    if m:
        found['finding'] = 'finding:%s:%s@%s' % (m.group(1), normalize(m.group(2), 50),
                                                 _where(outcome))
    if not outcome.timed_out and outcome.rc > 0 and outcome.rc != FINDING_EXIT \
            and 'asan' not in found and 'ubsan' not in found:
        internal = err.rfind('Internal error:')
        if internal >= 0:
            # libnotmuch's message may span lines ("...document ID.\n (lib/query.cc:513).").
            last = [' '.join(err[internal:].split())]
        else:
            last = [l for l in err.splitlines() if l.strip() and not l.startswith('@@')
                    and not l.startswith(('Thread 0x', 'Current thread', '  File'))]
        found['exit'] = 'exit:%d:%s' % (outcome.rc, exit_message(last[-1]) if last else '')
    if outcome.rc == 0 and not outcome.timed_out and '@@done' not in err:
        found['exit'] = 'exit:0:ended early'
    for m in re.finditer(r'(?:\(process:\d+\): )?([\w-]+)-(CRITICAL|WARNING) \*\*: '
                         r'(?:[\d:.]+: )?(.*)', err):
        found.setdefault('critical', '%s:%s:%s' % (m.group(2).lower(), m.group(1),
                                                   normalize(m.group(3), 60)))
    # PyGObject turns GLib's and GObject's own criticals and warnings into Python warnings
    # ("prog.py:12: Warning: g_object_ref: assertion 'G_IS_OBJECT (object)' failed").
    for m in re.finditer(r'^\S*:\d+: Warning: (.*)$', err, re.M):
        found.setdefault('critical', 'warning:GLib:' + normalize(m.group(1), 60))
    return [found[k] for k in _ORDER if k in found]


# ---------------------------------------------------------------------------
# shrinking
# ---------------------------------------------------------------------------

def shrink(runner, steps, slots, signature, seconds, jobs, log):
    """Delta debugging over *steps*: chunks, then single steps, removed while the program
    still fails with *signature*.  Returns the smallest failing list found in *seconds*."""
    deadline = time.monotonic() + seconds
    tried = {}

    def fails(candidate):
        key = tuple(id(s) for s in candidate)
        if key not in tried:
            if time.monotonic() > deadline:
                return False
            tried[key] = runner.run(fuzzgen.render(candidate, slots, HERE)).signature \
                == signature
        return tried[key]

    n = 2
    pool = concurrent.futures.ThreadPoolExecutor(max(1, jobs))
    try:
        while len(steps) >= 2 and time.monotonic() < deadline:
            size = max(1, len(steps) // n)
            chunks = [(i, min(len(steps), i + size)) for i in range(0, len(steps), size)]
            candidates = [steps[:a] + steps[b:] for a, b in chunks]
            # Later chunks first: the steps just before the failure matter most.
            candidates.reverse()
            found = None
            for first in range(0, len(candidates), max(1, jobs)):
                batch = candidates[first:first + max(1, jobs)]
                results = list(pool.map(fails, batch))
                for cand, ok in zip(batch, results):
                    if ok:
                        found = cand
                        break
                if found is not None:
                    break
            if found is not None:
                steps = found
                n = max(n - 1, 2)
                log('  shrunk to %d steps' % len(steps))
            elif size == 1:
                break
            else:
                n = min(len(steps), n * 2)
    finally:
        pool.shutdown()
    return steps


# ---------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------

class Known:
    """Failures already filed, from a file of lines (``#`` starts a comment):

    ``sig REGEX``        a finding whose signature matches is reported but does not fail
                         the run;
    ``tune NAME=VALUE``  a --tune setting (stop generating what triggers a known failure
                         whose signature tells nothing apart, such as a plain SIGSEGV).
    """

    def __init__(self, path):
        self.patterns = []
        self.tune = {}
        if not path:
            return
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                line = line.split('#', 1)[0].strip()
                if not line:
                    continue
                kind, _, value = line.partition(' ')
                if kind == 'sig':
                    self.patterns.append(re.compile(value.strip()))
                elif kind == 'tune':
                    self.tune.update(tune(value.strip()))
                else:
                    raise SystemExit('%s:%d: expected "sig REGEX" or "tune NAME=VALUE"'
                                     % (path, number))

    def __contains__(self, signature):
        return any(p.search(signature) for p in self.patterns)


def slug(signature):
    digest = hashlib.sha1(signature.encode('utf-8')).hexdigest()[:8]
    return re.sub(r'[^A-Za-z0-9]+', '-', signature)[:60].strip('-') + '-' + digest


def header_for(build, seed, args):
    tuned = ','.join('%s=%g' % kv for kv in sorted(args.tune.items()))
    return ['notmuch-glib API fuzz program, seed %d' % seed,
            'replay: %s %s --seed %d --build-dir %s%s' % (
                PYTHON, os.path.join(HERE, 'api_fuzz.py'), seed, build.dir,
                ' --tune ' + tuned if tuned else '') + (
                ' --max-steps %d' % args.max_steps if args.max_steps != 60 else ''),
            'or by hand: %s THIS_FILE' % build.run_command()]


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.build = Build(args.build_dir)
        self.api = fuzzgen.Api(self.build.gir)
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix='nmfuzz-')
        self.template = os.path.join(self.work, 'template')
        self.facts = fuzzcorpus.make_template(self.template, args.messages, args.corpus_seed)
        timeout = args.timeout or (60 if self.build.sanitized else 20)
        self.runner = Runner(self.build, self.template, self.work, timeout)
        self.known = Known(args.known)
        # What the known-findings file tunes, unless the command line says otherwise.
        args.tune = dict(self.known.tune, **args.tune)
        self.lock = threading.Lock()

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def log(self, text):
        with self.lock:
            print(text, flush=True)

    def program(self, seed):
        steps, slots = fuzzgen.generate(self.api, self.facts, seed, self.args.max_steps,
                                        self.args.tune)
        return steps, slots, fuzzgen.render(steps, slots, HERE,
                                            header_for(self.build, seed, self.args))

    def save(self, signature, name, source, outcome):
        d = os.path.join(self.out, slug(signature))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name + '.py'), 'w', encoding='utf-8') as f:
            f.write(source)
        with open(os.path.join(d, name + '.stderr'), 'w', encoding='utf-8') as f:
            f.write('# %s (%s)\n' % (signature, outcome.describe()))
            f.write(outcome.stderr)
        return os.path.join(d, name + '.py')

    def minimize(self, steps, slots, signature, origin):
        """Shrink the program of *steps* (which fails with *signature*), save and print the
        result.  *origin* says where it came from, for the header."""
        outcome = self.runner.run(fuzzgen.render(steps, slots, HERE))
        if outcome.signature != signature:
            self.log('  %s does not fail the same way again (%s): not shrunk'
                     % (origin, outcome.signature))
            return None
        if outcome.last_step is not None and outcome.last_step + 1 < len(steps):
            cut = steps[:outcome.last_step + 1]
            if self.runner.run(fuzzgen.render(cut, slots, HERE)).signature == signature:
                steps = cut
                self.log('  cut to %d steps (the failing step is the last)' % len(steps))
        steps = shrink(self.runner, steps, slots, signature, self.args.shrink_seconds,
                       self.args.jobs, self.log)
        header = [self.build_line(), 'shrunk from %s; fails with: %s' % (origin, signature)]
        source = fuzzgen.render(steps, slots, HERE, header)
        final = self.runner.run(source)
        path = self.save(signature, 'minimal', source, final)
        self.log('  minimal program (%d steps) %s:\n%s' % (len(steps), path, source))
        return path

    def minimize_seed(self, seed, signature):
        steps, slots, _source = self.program(seed)
        return self.minimize(steps, slots, signature, 'seed %d' % seed)

    def build_line(self):
        return 'or by hand: %s THIS_FILE' % self.build.run_command()

    def one(self, seed):
        steps, slots, source = self.program(seed)
        if self.args.print:
            sys.stdout.write(source)
            return 0
        print(source, flush=True)
        outcome = self.runner.run(source)
        print('seed %d: %s in %.1fs, %d steps; signatures: %s'
              % (seed, outcome.describe(), outcome.elapsed, outcome.steps_run,
                 outcome.signatures or 'none'), flush=True)
        if not outcome.signatures:
            return 0
        sys.stderr.write(outcome.stderr[-8000:])
        self.save(outcome.signature, 'seed-%d' % seed, source, outcome)
        if self.args.shrink_seconds > 0:
            self.minimize_seed(seed, outcome.signature)
        return 0 if outcome.signature in self.known else 1

    def replay(self, path):
        with open(path, encoding='utf-8') as f:
            source = f.read()
        outcome = self.runner.run(source)
        sys.stderr.write(outcome.stderr[-8000:])
        print('%s: %s in %.1fs, %d steps; signatures: %s'
              % (path, outcome.describe(), outcome.elapsed, outcome.steps_run,
                 outcome.signatures or 'none'), flush=True)
        if outcome.signatures and self.args.shrink_seconds > 0:
            steps, slots = fuzzgen.parse(source)
            self.minimize(steps, slots, outcome.signature, os.path.basename(path))
        return 1 if outcome.signatures else 0

    def campaign(self):
        args = self.args
        base = args.base_seed if args.base_seed is not None else \
            int.from_bytes(os.urandom(4), 'little')
        self.log('api_fuzz: base seed %d (program i has seed %d+i), budget %ds, %d jobs, '
                 'build %s (sanitize=%s), timeout %ds%s'
                 % (base, base, args.budget, args.jobs, self.build.dir, self.build.sanitize,
                    self.runner.timeout,
                    ', tune ' + ','.join('%s=%g' % kv for kv in sorted(args.tune.items()))
                    if args.tune else ''))
        start = time.monotonic()
        deadline = start + args.budget
        findings = {}                 # signature -> [seeds]
        next_index = 0
        pool = concurrent.futures.ThreadPoolExecutor(args.jobs)

        def task(seed):
            _steps, _slots, source = self.program(seed)
            return seed, source, self.runner.run(source)

        running = set()
        try:
            while True:
                while len(running) < args.jobs and time.monotonic() < deadline:
                    running.add(pool.submit(task, base + next_index))
                    next_index += 1
                if not running:
                    break
                done, running = concurrent.futures.wait(
                    running, return_when=concurrent.futures.FIRST_COMPLETED)
                for fut in done:
                    seed, source, outcome = fut.result()
                    if args.verbose:
                        self.log('seed %d: %s in %.1fs, %d steps run'
                                 % (seed, outcome.describe(), outcome.elapsed, outcome.steps_run))
                    if not outcome.signatures:
                        continue
                    sig = outcome.signature
                    first = sig not in findings
                    findings.setdefault(sig, []).append(seed)
                    if first:
                        path = self.save(sig, 'seed-%d' % seed, source, outcome)
                        self.log('FINDING%s seed %d: %s (%s, step %s) -> %s'
                                 % (' (known)' if sig in self.known else '', seed, sig,
                                    outcome.describe(), outcome.last_step, path))
                        for other in outcome.signatures[1:]:
                            self.log('   also: %s' % other)
        finally:
            pool.shutdown()
        elapsed = time.monotonic() - start
        self.log('api_fuzz: %d programs, %d steps in %.0fs (base seed %d)'
                 % (self.runner.programs, self.runner.steps, elapsed, base))
        new = [s for s in findings if s not in self.known]
        for sig, seeds in sorted(findings.items(), key=lambda kv: -len(kv[1])):
            self.log('  %5d  %s%s  (seeds %s)' % (len(seeds), sig,
                                                  '  [known]' if sig in self.known else '',
                                                  ' '.join(map(str, seeds[:5]))))
        names = self.api.error_names.get('nm-error-quark', {})
        codes = []
        for key, n in sorted(self.runner.errors.items(), key=lambda kv: -kv[1]):
            domain, _, code = key.rpartition(':')
            codes.append('%s %d' % (names.get(int(code), key) if domain == 'nm-error-quark'
                                    else key, n))
        self.log('  GLib.Error raised: ' + ', '.join(codes))
        summary = {'base_seed': base, 'programs': self.runner.programs,
                   'steps': self.runner.steps, 'seconds': round(elapsed),
                   'sanitize': self.build.sanitize, 'errors': self.runner.errors,
                   'findings': {s: v for s, v in findings.items()}}
        with open(os.path.join(self.out, 'summary-%d.json' % base), 'w') as f:
            json.dump(summary, f, indent=1)
        if args.shrink_seconds > 0:
            todo = new + [s for s in findings if s in self.known and args.shrink_known]
            for sig in todo[:args.max_shrink]:
                self.log('shrinking %s (seed %d)' % (sig, findings[sig][0]))
                self.minimize_seed(findings[sig][0], sig)
            for sig in todo[args.max_shrink:]:
                self.log('not shrunk (--max-shrink): %s, seed %d' % (sig, findings[sig][0]))
        if new:
            self.log('api_fuzz: %d new finding(s)' % len(new))
            return 1
        self.log('api_fuzz: no new findings')
        return 0


def tune(text):
    out = {}
    for item in filter(None, text.split(',')):
        name, _, value = item.partition('=')
        if name not in fuzzgen.TUNABLE:
            raise argparse.ArgumentTypeError('unknown name %r' % name)
        out[name] = float(value)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build-dir', default=os.environ.get('NMFUZZ_BUILD_DIR')
                    or os.path.join(SOURCE_ROOT, 'build'))
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument('--seed', type=int, help='print and run the program of this seed')
    mode.add_argument('--budget', type=float, help='fuzz for this many seconds')
    mode.add_argument('--replay', help='run a saved program')
    ap.add_argument('--print', action='store_true', help='with --seed: only print the program')
    ap.add_argument('--base-seed', type=int, help='first seed of a --budget run (default random)')
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--out', default='fuzz-out', help='where findings go (default fuzz-out)')
    ap.add_argument('--timeout', type=float, help='seconds before a program counts as hung '
                    '(default 20, 60 under a sanitizer)')
    ap.add_argument('--max-steps', type=int, default=60)
    ap.add_argument('--shrink-seconds', type=float, default=300,
                    help='time to shrink each new finding (0: do not shrink)')
    ap.add_argument('--max-shrink', type=int, default=5,
                    help='shrink at most this many findings of a --budget run (default 5)')
    ap.add_argument('--shrink-known', action='store_true', help='shrink known findings too')
    ap.add_argument('--known', help='file of signatures (regular expressions) already filed')
    ap.add_argument('--tune', type=tune, default={},
                    help='NAME=WEIGHT,... changes the generator (names: %s); for example '
                    'construct=0 stops constructing objects generically, to look past a known '
                    'crash there' % ', '.join(sorted(fuzzgen.TUNABLE)))
    ap.add_argument('--verbose', '-v', action='store_true', help='a line per program')
    ap.add_argument('--messages', type=int, default=24, help='corpus size')
    ap.add_argument('--corpus-seed', type=int, default=1)
    args = ap.parse_args(argv)
    if args.seed is None and args.budget is None and args.replay is None:
        ap.error('one of --seed, --budget, --replay is required')
    fuzzer = Fuzzer(args)
    try:
        if args.seed is not None:
            return fuzzer.one(args.seed)
        if args.replay:
            return fuzzer.replay(args.replay)
        return fuzzer.campaign()
    finally:
        fuzzer.close()


if __name__ == '__main__':
    sys.exit(main())
