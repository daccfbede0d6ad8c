"""Never crash: reduced reproductions of what random API programs found (issue 12), each in a
child interpreter, so that a crash, an exit() inside libnotmuch or a hang is a failed test
and not a dead runner.  Every reproduction must give a GLib.Error in the Notmuch domain (or
work) instead."""

import os

import pytest
import xapian                   # Debian python3-xapian: writes database metadata directly

from nmhelpers import E, RW

ILLEGAL = int(E.ILLEGAL_ARGUMENT)
LOCKED = int(E.LOCKED)


def ok(result):
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result.merged()


def remove_feature(mail_root, feature):
    """Makes the database at *mail_root* look as if it was made by a notmuch that lacked
    *feature*, so that it needs an upgrade."""
    db = xapian.WritableDatabase(os.path.join(mail_root, '.notmuch', 'xapian'), xapian.DB_OPEN)
    lines = db.get_metadata('features').decode().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(feature + '\t')]
    assert len(kept) == len(lines) - 1, lines
    db.set_metadata('features', ''.join(kept))
    db.commit()
    db.close()


# -- class 2: calls on a database from its own upgrade()/compact() progress callback ----------

# The callback tries every kind of call once.  libnotmuch times upgrade()'s callback with
# SIGALRM once a second; a thread sends it far more often, so that a small database gets
# callbacks too.
MAINTENANCE = '''
import signal, tempfile, threading, time
path, other, which = sys.argv[1], sys.argv[2], sys.argv[3]
db = Notmuch.Database.open(path, RW)
expected = db.count_messages('*')
mid = next(iter(db.search_messages('*'))).get_message_id()
msg = db.find_message(mid)
scratch = tempfile.mkdtemp()
results = {}
calls = []
waiting = []
threads = []

def attempt(name, f):
    try:
        results[name] = ['ok', f()]
    except GLib.Error as e:
        results[name] = [e.domain, e.code, e.message]

def elsewhere():
    waiting.append(['count', db.count_messages('*')])

def progress(*args):
    calls.append(args)
    if results:
        return
    attempt('count', lambda: db.count_messages('*'))
    attempt('search', lambda: len(db.search_messages('*')))
    attempt('query', lambda: Notmuch.Query.new(db, '*').count_messages())
    attempt('find', lambda: db.find_message('x@y'))
    attempt('get_tags', lambda: msg.get_tags())
    attempt('add_tag', lambda: msg.add_tag('from-callback'))
    attempt('all_tags', lambda: db.get_all_tags())
    attempt('set_config', lambda: db.set_config('nmglib.callback', 'x'))
    attempt('commit', lambda: db.commit())
    attempt('begin_atomic', lambda: db.begin_atomic())
    attempt('reopen_ro', lambda: db.reopen(RO))
    attempt('reopen_rw', lambda: db.reopen(RW))
    attempt('upgrade', lambda: db.upgrade(None))
    attempt('compact', lambda: db.compact(None, None))
    attempt('close', lambda: db.close())
    attempt('open_rw_same', lambda: Notmuch.Database.open(path, RW).get_path())
    attempt('open_ro_same', lambda: Notmuch.Database.open(path, RO).count_messages('*'))
    attempt('open_other', lambda: Notmuch.Database.open(other, RO).count_messages('*'))
    attempt('create_other', lambda: Notmuch.Database.create(scratch).close())
    # Another thread waits for the lock instead of failing: it is not done while the
    # callback runs, and finishes once the call returns.
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(0.5)
    waiting.append(['done in callback', not thread.is_alive()])
    threads.append(thread)

stop = threading.Event()
def alarms():
    while not stop.is_set():
        os.kill(os.getpid(), signal.SIGALRM)
        time.sleep(0.001)

if which == 'upgrade':
    out(needed=db.needs_upgrade())
    signal.signal(signal.SIGALRM, lambda *a: None)
    sender = threading.Thread(target=alarms)
    sender.start()
    done = db.upgrade(progress)
    stop.set()
    sender.join()
    out(needed_after=db.needs_upgrade(),
        handler_kept=signal.getsignal(signal.SIGALRM) is not signal.SIG_IGN)
else:
    done = db.compact(None, progress)
threads[0].join()
out(done=done, calls=len(calls), results=results, waiting=waiting, expected=expected)
# The database is whole and writable afterwards.
msg = db.find_message(mid)
msg.add_tag('after-' + which)
out(after=[db.count_messages('*'), db.get_mode() == RW, msg.get_tags()])
out(closed=db.close())
'''


@pytest.mark.parametrize('which', ['compact', 'upgrade'])
def test_calls_from_own_progress_callback(run_py, writable, corpus, which):
    if which == 'upgrade':
        remove_feature(writable.mail_root, 'modification tracking')
    r = run_py(MAINTENANCE, writable.mail_root, corpus.mail_root, which, timeout=120)
    v = ok(r)
    if which == 'upgrade':
        assert v['needed'] is True and v['needed_after'] is False
        assert v['handler_kept'] is True
    assert v['done'] is True
    assert v['calls'] > 0
    res = v['results']
    for name in ('count', 'search', 'query', 'find', 'add_tag', 'all_tags', 'set_config',
                 'commit', 'begin_atomic', 'reopen_ro', 'reopen_rw', 'upgrade', 'compact',
                 'close'):
        domain, code, message = res[name]
        assert (domain, code) == ('nm-error-quark', ILLEGAL), (name, res[name])
        assert 'progress callback of its own %s()' % which in message, message
    assert res['get_tags'] == ['ok', []]
    assert res['open_rw_same'][:2] == ['nm-error-quark', LOCKED]
    assert res['open_ro_same'] == ['ok', v['expected']]
    assert res['open_other'] == ['ok', int(corpus.cli('count', '*'))]
    assert res['create_other'] == ['ok', True]
    assert v['waiting'] == [['done in callback', False], ['count', v['expected']]]
    count, writable_mode, tags = v['after']
    assert count == v['expected'] and writable_mode
    assert 'after-' + which in tags and 'from-callback' not in tags
    assert v['closed'] is True
    assert writable.cli('config', 'get', 'nmglib.callback').strip() == ''
    assert int(writable.cli('count', 'tag:after-' + which)) == 1


def test_reopen_from_compact_callback_returns(run_py, writable):
    """The reduced reproduction: it never returned."""
    r = run_py('''
    db = Notmuch.Database.open(sys.argv[1], RW)
    done = db.compact(None, lambda *a: db.reopen(Notmuch.DatabaseMode.READ_ONLY), None)
    out(done=done, mode=int(db.get_mode()), count=db.count_messages('*'))
    ''', writable.mail_root, timeout=60)
    v = ok(r)
    assert v['done'] is True and v['mode'] == int(RW) and v['count'] > 0
    assert 'progress callback of its own compact()' in r.stderr
