#!/usr/bin/python3
"""Run the gjs and Vala binding tests, or the search example comparison.

Usage::

    run.py gjs [--gjs PATH] [--keep]
    run.py vala BINARY [--keep]
    run.py compare [--search-vala BINARY] [--gjs PATH] [--keep]

``gjs`` and ``vala`` generate a corpus with tests/nmcorpus.py in a temporary
directory, index it with ``notmuch new``, make a writable copy, and write
what the notmuch CLI says about it (counts, thread lists, reply trees, tags,
the revision) to ``expect.ini``, a GLib key file.  They then run
``test_gjs.js`` with gjs, or the built ``test_vala`` program, with the path of
that file as argument, and check that the test printed ``N passed, M failed``
as its last line, exited with 0, and wrote no GLib warning or critical.

``compare`` runs compare-search.py (see there).

Environment (set by tests/meson.build): ``NMCORPUS`` (the generator),
``NOTMUCH`` (the CLI), ``PYTHON``, ``HOME``, and ``GI_TYPELIB_PATH`` /
``LD_LIBRARY_PATH`` for the uninstalled library.  ``LD_PRELOAD`` (an ASan
build) is passed to the tests but never to the notmuch CLI.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))

# Variables of the user's notmuch setup that must not leak into the tests.
NOTMUCH_VARS = ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR')

RESULT_LINE = re.compile(r'^(\d+) passed, (\d+) failed$')


def nmcorpus_path():
    return os.environ.get('NMCORPUS') or os.path.join(SOURCE_ROOT, 'tests', 'nmcorpus.py')


def notmuch_path():
    return os.environ.get('NOTMUCH') or shutil.which('notmuch') or 'notmuch'


def python_path():
    return os.environ.get('PYTHON') or '/usr/bin/python3'


def clean_env(**extra):
    """The environment for the tests themselves: no notmuch setup of the user."""
    env = {k: v for k, v in os.environ.items() if k not in NOTMUCH_VARS}
    env.update(extra)
    return env


def cli_env(config=None):
    """The environment for the notmuch CLI: no LD_PRELOAD (a sanitizer runtime preloaded
    into the CLI hangs it)."""
    env = clean_env()
    env.pop('LD_PRELOAD', None)
    if config is not None:
        env['NOTMUCH_CONFIG'] = config
    return env


def notmuch(config, *args, check=True):
    """Run the notmuch CLI on the corpus of *config*; return its stdout."""
    proc = subprocess.run([notmuch_path()] + list(args), env=cli_env(config),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError('notmuch %s failed (%d): %s'
                           % (' '.join(args), proc.returncode,
                              proc.stderr.decode('utf-8', 'replace')))
    return proc.stdout.decode('utf-8')


def notmuch_json(config, *args):
    return json.loads(notmuch(config, *args))


def generate(outdir, messages, seed=1):
    """Write a corpus into *outdir* (mail/ and notmuch-config); return the config path."""
    subprocess.run([python_path(), nmcorpus_path(), outdir,
                    '--messages', str(messages), '--seed', str(seed)],
                   env=cli_env(), stdout=subprocess.DEVNULL, check=True)
    return os.path.join(outdir, 'notmuch-config')


def index(config):
    notmuch(config, 'new', '--quiet')


def copy_corpus(src, dst):
    """Copy a corpus directory (mail, database and config) and point the config at the copy."""
    shutil.copytree(src, dst, symlinks=True)
    config = os.path.join(dst, 'notmuch-config')
    with open(config, encoding='utf-8') as f:
        text = f.read()
    text = text.replace(os.path.join(src, 'mail'), os.path.join(dst, 'mail'))
    with open(config, 'w', encoding='utf-8') as f:
        f.write(text)
    return config


def walk_show_tree(nodes, depth, out):
    """Flatten `notmuch show --format=json` message pairs into "depth:id" lines (pre-order)."""
    for message, replies in nodes:
        out.append('%d:%s' % (depth, message['id']))
        walk_show_tree(replies, depth + 1, out)


def show_messages(nodes, out):
    for message, replies in nodes:
        out.append(message)
        show_messages(replies, out)


def prepare(tmpdir, messages=150, seed=1):
    """Generate, index and describe a corpus under *tmpdir*; return the expect.ini path.

    tmpdir/ro is the read-only corpus, tmpdir/rw a writable copy of it.
    """
    from gi.repository import GLib

    ro = os.path.join(tmpdir, 'ro')
    ro_config = generate(ro, messages, seed)
    index(ro_config)
    rw = os.path.join(tmpdir, 'rw')
    rw_config = copy_corpus(ro, rw)

    kf = GLib.KeyFile()
    kf.set_string('paths', 'ro_db', os.path.join(ro, 'mail'))
    kf.set_string('paths', 'ro_config', ro_config)
    kf.set_string('paths', 'rw_db', os.path.join(rw, 'mail'))
    kf.set_string('paths', 'rw_config', rw_config)
    kf.set_string('paths', 'notmuch', notmuch_path())

    kf.set_integer('counts', 'messages', int(notmuch(ro_config, 'count', '*')))
    kf.set_integer('counts', 'threads',
                   int(notmuch(ro_config, 'count', '--output=threads', '*')))
    kf.set_integer('counts', 'files', int(notmuch(ro_config, 'count', '--output=files', '*')))
    kf.set_integer('counts', 'unread', int(notmuch(ro_config, 'count', 'tag:unread')))

    _count, uuid, lastmod = notmuch(ro_config, 'count', '--lastmod', '*').split()
    kf.set_string('revision', 'lastmod', lastmod)  # as text: exact whatever its size
    kf.set_string('revision', 'uuid', uuid)

    for sort in ('oldest-first', 'newest-first'):
        lines = notmuch(ro_config, 'search', '--output=messages', '--sort=' + sort, '*')
        kf.set_string_list('messages', sort.replace('-', '_'),
                           [line[len('id:'):] for line in lines.splitlines()])

    # Threads: `notmuch search` gives the summary, in both orders (the timestamp is the
    # newest message's date newest-first, the oldest's oldest-first).
    newest = notmuch_json(ro_config, 'search', '--format=json', '--sort=newest-first', '*')
    oldest = notmuch_json(ro_config, 'search', '--format=json', '--sort=oldest-first', '*')
    kf.set_string_list('threads', 'newest_first', [t['thread'] for t in newest])
    kf.set_string_list('threads', 'oldest_first', [t['thread'] for t in oldest])
    oldest_date = {t['thread']: t['timestamp'] for t in oldest}

    # Reply trees: `notmuch show` prints the threads in the same (newest-first) order.
    shown = notmuch_json(ro_config, 'show', '--format=json', '--entire-thread=true',
                         '--body=false', '--sort=newest-first', '*')
    if len(shown) != len(newest):
        raise RuntimeError('notmuch show gave %d threads, notmuch search %d'
                           % (len(shown), len(newest)))
    all_messages = []
    for summary, thread in zip(newest, shown):
        tid = summary['thread']
        group = 'thread ' + tid
        tree = []
        walk_show_tree(thread, 0, tree)
        members = []
        show_messages(thread, members)
        if len(members) != summary['total']:
            raise RuntimeError('thread %s: show has %d messages, search says %d'
                               % (tid, len(members), summary['total']))
        kf.set_string(group, 'subject', summary['subject'])
        kf.set_string(group, 'authors', summary['authors'])
        kf.set_integer(group, 'matched', summary['matched'])
        kf.set_integer(group, 'total', summary['total'])
        kf.set_string_list(group, 'tags', summary['tags'])
        kf.set_int64(group, 'newest_date', summary['timestamp'])
        kf.set_int64(group, 'oldest_date', oldest_date[tid])
        kf.set_string_list(group, 'tree', tree)
        kf.set_integer(group, 'toplevel', len(thread))
        for message in members:
            message['thread'] = tid
        all_messages.extend(members)

    all_messages.sort(key=lambda m: (m['timestamp'], m['id']))
    kf.set_integer('counts', 'shown', len(all_messages))
    for i, message in enumerate(all_messages):
        group = 'message %d' % i
        kf.set_string(group, 'id', message['id'])
        kf.set_string(group, 'thread', message['thread'])
        kf.set_int64(group, 'date', message['timestamp'])
        kf.set_string_list(group, 'tags', message['tags'])
        kf.set_string_list(group, 'filenames', message['filename'])
        kf.set_string(group, 'subject', message['headers'].get('Subject', ''))
        kf.set_string(group, 'from', message['headers'].get('From', ''))

    # Tag writes: a sender with several messages for tag_messages(), and one message.
    senders = []
    for line in notmuch(ro_config, 'address', '--output=sender', '--output=address',
                        '--output=count', '*').splitlines():
        count, address = line.split('\t', 1)
        senders.append((-int(count), address))
    senders.sort()
    address = senders[0][1]
    query = 'from:"%s"' % address
    kf.set_string('tagging', 'query', query)
    kf.set_integer('tagging', 'count', int(notmuch(ro_config, 'count', query)))
    kf.set_integer('tagging', 'unread',
                   int(notmuch(ro_config, 'count', '(%s) and tag:unread' % query)))
    single = next(m for m in all_messages if 'inbox' in m['tags'] and len(m['filename']) == 1)
    kf.set_string('tagging', 'single_id', single['id'])
    kf.set_string_list('tagging', 'single_tags', single['tags'])

    path = os.path.join(tmpdir, 'expect.ini')
    kf.save_to_file(path)
    return path


def check_output(name, proc):
    """Print a test's output; return True if it passed."""
    out = proc.stdout.decode('utf-8', 'replace')
    err = proc.stderr.decode('utf-8', 'replace')
    sys.stdout.write(out)
    if err:
        sys.stdout.write('--- stderr of %s ---\n%s' % (name, err))
    ok = True
    lines = out.rstrip('\n').split('\n')
    match = RESULT_LINE.match(lines[-1]) if lines else None
    if match is None:
        print('FAIL: %s did not end with "N passed, M failed"' % name)
        ok = False
    elif int(match.group(2)) != 0 or int(match.group(1)) == 0:
        print('FAIL: %s: %s' % (name, lines[-1]))
        ok = False
    if proc.returncode != 0:
        print('FAIL: %s exited with %d' % (name, proc.returncode))
        ok = False
    # A 64-bit value that lost precision, or any GLib warning or critical, is a failure.
    for bad in ('cannot be safely stored', '-WARNING **', '-CRITICAL **'):
        if bad in err:
            print('FAIL: %s wrote %r to stderr' % (name, bad))
            ok = False
    return ok


def run_test(command, name, keep):
    tmpdir = tempfile.mkdtemp(prefix='nm-bindings-')
    try:
        expect = prepare(tmpdir)
        proc = subprocess.run(command + [expect], env=clean_env(NM_TEST_EXPECT=expect),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=tmpdir, timeout=120)
        return 0 if check_output(name, proc) else 1
    finally:
        if keep:
            print('kept %s' % tmpdir)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)


def compare(argv):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'compare_search', os.path.join(HERE, 'compare-search.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['compare']:
        return compare(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='what', required=True)
    p = sub.add_parser('gjs', help='run test_gjs.js')
    p.add_argument('--gjs', default=shutil.which('gjs') or 'gjs')
    p.add_argument('--keep', action='store_true', help='keep the temporary directory')
    p = sub.add_parser('vala', help='run the built test_vala program')
    p.add_argument('binary')
    p.add_argument('--keep', action='store_true', help='keep the temporary directory')
    sub.add_parser('compare', help='run compare-search.py (the options follow)')
    args = parser.parse_args(argv)

    if args.what == 'gjs':
        return run_test([args.gjs, os.path.join(HERE, 'test_gjs.js')], 'test_gjs.js', args.keep)
    if args.what == 'vala':
        return run_test([os.path.abspath(args.binary)], 'test_vala', args.keep)
    return compare([])

if __name__ == '__main__':
    sys.exit(main())
