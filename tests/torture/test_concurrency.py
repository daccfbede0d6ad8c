"""T11-T16: readers racing a writer in another process, stale handles, write locks,
threads sharing one database, and durability when the writer is killed."""

import fcntl
import json
import os
import shutil
import signal
import struct
import subprocess
import time

import pytest

from harness import (NOTMUCH, SANITIZED, ChildDied, base_env, cli_env, finish_py, run_py,
                     signal_file, start_py, wait_for_file)


def slack(seconds):
    """Timing bounds stretch under valgrind or a sanitizer."""
    return seconds * (10 if SANITIZED else 1)


@pytest.fixture
def medium_copy(corpora, tmp_path):
    return corpora('medium').copy(str(tmp_path / 'medium'), link_mail=True)


@pytest.fixture(scope='session')
def extra_mail(corpora):
    """500 generated mails, not indexed, for writers to add to a corpus."""
    return corpora('extra').root


def add_mail(corpus, extra_root, folder='extra'):
    """Copy the extra mails into the corpus's mail store (not indexed yet)."""
    dest = os.path.join(corpus.root, folder)
    shutil.copytree(extra_root, dest, ignore=shutil.ignore_patterns('.notmuch'))
    return dest


# ---------------------------------------------------------------------------
# T11: a reader iterating while another process commits
# ---------------------------------------------------------------------------

T11_READER = '''
root, sync, kind = sys.argv[1], sys.argv[2], sys.argv[3]
pauses, pause_every, sleep_every, sleep_for = (int(sys.argv[4]), int(sys.argv[5]),
                                               int(sys.argv[6]), float(sys.argv[7]))
db = open_db(root)
query = Notmuch.Query.new(db, '*')
query.set_sort(Notmuch.Sort.NEWEST_FIRST)
results = query.search_messages() if kind == 'messages' else query.search_threads()

def stream(model):
    """Positions in increasing order until the first None, which it yields, as PyGObject's
    `for` does, but without len() first: len() of a thread list builds every thread, and
    the walk would then never meet the writer."""
    position = 0
    while True:
        item = model.get_item(position)
        yield item
        if item is None:
            return
        position += 1

# libnotmuch's count, on the same snapshot the walk reads.
length = len(results) if kind == 'messages' else db.count_threads('*')
n = step = 0
ended_by_none = False
for item in (results if kind == 'messages' else stream(results)):
    if item is None:                       # the first None is the end (PyGObject 3.42)
        ended_by_none = True
        break
    if kind == 'messages':
        ident, tags = item.get_message_id(), item.get_tags()
    else:
        ident, tags = item.get_thread_id(), item.get_tags()
        item.get_total_messages()
    # Every item must be a real result: an id, and a tag list.
    assert ident and isinstance(tags, list), ('item %d has no id' % n, ident, tags)
    n += 1
    if n == 20:
        touch(os.path.join(sync, 'started'))
    if step < pauses and n % pause_every == 0:
        touch(os.path.join(sync, 'at%d' % step))
        wait_for(os.path.join(sync, 'go%d' % step))
        step += 1
    if sleep_every and n % sleep_every == 0:
        time.sleep(sleep_for)
touch(os.path.join(sync, 'walk-ended'))
try:
    outcome = 'complete' if results.check() else 'check-false'
    message = ''
except GLib.Error as error:
    outcome, message = error_name(error), error.message
later = results.get_item(n + 1) if n + 1 < length else None
emit(length=length, n=n, ended_by_none=ended_by_none, outcome=outcome, message=message,
     later_is_none=later is None, pauses_done=step)

expected = int(wait_for(os.path.join(sync, 'done')))
db.reopen(RO)
try:
    results.check()
    old_after_reopen = 'ok'
except GLib.Error as error:
    old_after_reopen = error_name(error)
if kind == 'messages':
    fresh = db.search_messages('*')
    count = db.count_messages('*')
else:
    fresh = db.search_threads('*')
    count = db.count_threads('*')
walked = 0
for item in fresh:
    if item is None:
        break
    walked += 1
emit(expected=expected, count=count, fresh_len=len(fresh), walked=walked,
     fresh_check=fresh.check(), old_after_reopen=old_after_reopen)
'''


def writer_steps(corpus, extra_root, flavour='add', batches=4):
    """What the other process commits, one commit per step: 500 new mails (flavour 'add')
    or every tenth mail file deleted (flavour 'delete'), indexed with `notmuch new`; then
    tag batches over successive half-years of the oldest mail.  (Old mail, because the
    readers walk newest first: a batch that rewrites the index entries the reader is about
    to read lets libnotmuch silently reopen the reader's handle while it reads tags, and the
    walk then completes instead of being invalidated.)"""
    def delete_every_tenth():
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus.root)
                       if '.notmuch' not in d for f in fs)
        for path in files[::10]:
            os.unlink(path)

    if flavour == 'add':
        yield lambda: (add_mail(corpus, extra_root), corpus.notmuch('new', '--quiet'))
    else:
        yield lambda: (delete_every_tenth(), corpus.notmuch('new', '--quiet'))
    for i in range(1, batches + 1):
        year, half = 2019 + (i - 1) // 2, (i - 1) % 2
        query = 'date:%d-%s..%d-%s' % (year, ['01-01', '07-01'][half], year,
                                       ['06-30', '12-31'][half])
        yield lambda i=i, query=query: corpus.notmuch('tag', '+x%d' % i, '--', query)


# libnotmuch's INTERNAL_ERROR (exit 1) in notmuch_messages_get, lib/query.cc.  Building a
# thread reads its messages one after another; reading one of them can reopen the database
# (DatabaseModifiedError, lib/message.cc), and if the writer deleted the next one, the
# iterator's document id no longer exists.  Everything happens inside notmuch_threads_get().
LIBNOTMUCH_THREAD_EXIT = 'a messages iterator contains a non-existent document ID'

# How the reader paces itself, per run: (pauses, pause every, sleep every, sleep for).
# Lockstep runs stop every N items until the writer has committed once more, so every
# commit lands mid-walk; the free-running run just walks slowly while the writer goes on.
T11_RUNS = [(5, 40, 0, 0), (0, 1, 100, 0.05), (5, 27, 0, 0), (5, 33, 0, 0)]


def race_once(corpus, extra_root, kind, flavour, sync, pacing):
    os.makedirs(sync)
    lockstep = pacing[0] > 0
    proc = start_py(T11_READER, corpus.root, sync, kind, *pacing)
    wait_for_file(os.path.join(sync, 'started'), proc)
    walk_ended = os.path.join(sync, 'walk-ended')
    for step, commit in enumerate(writer_steps(corpus, extra_root, flavour,
                                               batches=pacing[0] - 1 if lockstep else 2)):
        if lockstep:
            # Until the reader's walk has ended (early, once invalidated); then the rest
            # of the commits would change nothing for this run.
            if wait_for_file(os.path.join(sync, 'at%d' % step), proc, 60,
                             walk_ended) == walk_ended and step > 0:
                break
        commit()
        if lockstep:
            signal_file(os.path.join(sync, 'go%d' % step))
    if kind == 'messages':
        expected = corpus.count('*')
    else:
        expected = int(corpus.notmuch('count', '--output=threads', '--', '*'))
    signal_file(os.path.join(sync, 'done'), str(expected))
    return finish_py(proc, timeout=180)


@pytest.mark.parametrize('kind, flavour', [('messages', 'add'), ('threads', 'add'),
                                           ('messages', 'delete'), ('threads', 'delete')])
def test_t11_reader_survives_writer(corpora, extra_mail, tmp_path, kind, flavour):
    """A reader is never killed by a commit of another process: it finishes, or its walk
    ends early and check() reports OPERATION_INVALIDATED; reopen() and a new search see
    everything the writer committed.  test_t11_thread_query_failure and
    test_t11_silent_reopen_after_delete reproduce deterministically the two ways runs of
    this test used to die."""
    base = corpora('medium')
    assert len(base.info['message_ids']) >= 2000
    outcomes = []
    for run, pacing in enumerate(T11_RUNS):
        lockstep = pacing[0] > 0
        corpus = base.copy(str(tmp_path / ('run%d' % run)), link_mail=True)
        try:
            child = race_once(corpus, extra_mail, kind, flavour,
                              str(tmp_path / ('sync%d' % run)), pacing)
        except ChildDied as died:      # while the writer waited for the reader
            child = died.child
        finally:
            shutil.rmtree(corpus.outdir, ignore_errors=True)     # 6000 messages per run
        if kind == 'threads' and child.rc == 1 and LIBNOTMUCH_THREAD_EXIT in child.err:
            pytest.xfail('libnotmuch 0.37 exit(1)s when it reopens the database while it '
                         'builds a thread and the thread\'s next message was deleted (see '
                         'NmThreads); nothing outside libnotmuch can intercept it:\n'
                         + child.report())
        # Never a signal, never exit(1): rc 0 and the scenario's own checks passed.
        child.ok()
        values = child.values
        outcomes.append((lockstep, values['outcome'], values['n'], values['length']))
        assert values['outcome'] in ('complete', 'OPERATION_INVALIDATED'), child.report()
        if values['outcome'] == 'complete':
            assert values['n'] == values['length'], child.report()
        else:
            assert values['ended_by_none'] and values['n'] < values['length'], child.report()
            assert values['later_is_none'], child.report()
            assert 'reopen' in values['message'], child.report()
        # After reopen(), results read before are invalid, and a new search sees the
        # writer's changes: the count agrees with the notmuch CLI.
        assert values['old_after_reopen'] == 'OPERATION_INVALIDATED', child.report()
        assert values['count'] == values['expected'], child.report()
        assert values['fresh_len'] == values['walked'] == values['expected'], child.report()
        assert values['fresh_check'] is True
    # The race is likely, not certain (lifetimes notes section 3.2): the lockstep runs
    # make the writer commit up to five times mid-walk, and at least one run must show
    # that the library turned Xapian's DatabaseModifiedError into OPERATION_INVALIDATED.
    # Whether a commit invalidates the walk, or libnotmuch silently reopens the handle
    # while it reads a message's tags (and the walk completes), depends on which Xapian
    # block the reader touches first after the commits.  Measured: with 6000 messages a
    # lockstep run is invalidated in about 11 of 12 (fresh index, pause offset) pairs,
    # and the three offsets were never all missed; with 2100 messages, about every other
    # fresh index was missed by every run.
    assert any(outcome == 'OPERATION_INVALIDATED' for _, outcome, _, _ in outcomes), outcomes
    print('T11 %s/%s runs (lockstep, outcome, items read, length): %s' % (kind, flavour, outcomes))


T11_THREAD_QUERY_FAILURE = '''
db = open_db(sys.argv[1])
threads = db.search_threads('*')
first = threads.get_item(0)   # building the thread runs a 'thread:...' query, which fails
try:
    check = 'ok' if threads.check() else 'false'
except GLib.Error as error:
    check = error_name(error)
emit(first_is_none=first is None, check=check, count=db.count_messages('*'))
'''


def test_t11_thread_query_failure(small, faults_lib):
    """The query that builds a thread fails (what a concurrent commit does, here injected
    through LD_PRELOAD every time): the walk ends, check() reports the failure, no crash."""
    env = base_env(NM_FAULT_SEARCH_PREFIX='thread:')
    env['LD_PRELOAD'] = ' '.join(filter(None, [env.get('LD_PRELOAD'), faults_lib]))
    child = run_py(T11_THREAD_QUERY_FAILURE, small.root, env=env)
    assert 'nm-fault: search for' in child.err, 'the fault was not injected:\n' + child.report()
    child.ok()
    assert child['first_is_none'] is True
    assert child['check'] in ('OPERATION_INVALIDATED', 'XAPIAN_EXCEPTION')
    assert child['count'] == small.count('*')


T11_SILENT_REOPEN = '''
root = sys.argv[1]
reader = open_db(root)
results = reader.search_messages('*')
first = results[0].get_message_id()
ids = [m.get_message_id() for m in reader.search_messages('*')][:6]

# Another handle (it could be another process) deletes the third message, then commits a
# few more changes: the reader's snapshot is discarded.
writer = open_db(root, RW)
deleted = ids[2]
writer.remove_message(writer.find_message(deleted).get_filename())
writer.commit()
for i in range(4):
    writer.tag_messages('*', ['w%d' % i], [])
    writer.commit()
writer.close()

# Reading the next message's tags makes libnotmuch reopen the reader's handle by itself;
# the list then points at a document that no longer exists.
items = []
for position in range(1, 6):
    message = results.get_item(position)
    if message is None:
        break
    items.append([message.get_message_id(), message.get_tags()])
try:
    check = 'ok' if results.check() else 'false'
except GLib.Error as error:
    check = error_name(error)
emit(items=items, check=check, deleted=deleted, ids=ids)
'''


def test_t11_silent_reopen_after_delete(small_copy):
    """A list being read while another handle deletes one of its messages and commits:
    every item it still yields is a real message, and it ends with OPERATION_INVALIDATED
    or completes; the process never exits."""
    child = run_py(T11_SILENT_REOPEN, small_copy.root)
    child.ok()
    for message_id, tags in child['items']:
        assert message_id is not None, child.values
        assert message_id != child['deleted']
    assert child['check'] in ('ok', 'OPERATION_INVALIDATED')


T11_COMMIT_ENDS_THREAD_WALK = '''
root = sys.argv[1]
reader = open_db(root)
threads = reader.search_threads('*')
first = threads.get_item(0)

# Another handle (it could be another process) commits once.  The reader is then one
# revision behind, which libnotmuch still reads; a second commit could discard what it reads
# while it builds a thread.
writer = open_db(root, RW)
writer.tag_messages('*', ['w1'], [])
writer.commit()
second = threads.get_item(1)
try:
    check, message = ('ok' if threads.check() else 'false'), ''
except GLib.Error as error:
    check, message = error_name(error), error.message

# The writer's own commits do not end the writer's own thread lists.
own = writer.search_threads('*')
own_first = own.get_item(0)
writer.tag_messages('*', ['w2'], [])
writer.commit()
own_walked = sum(1 for _ in iter(own.next, None))
own_check = own.check()
total = writer.count_threads('*')
writer.close()

reader.reopen(RO)
fresh = reader.search_threads('*')
walked = sum(1 for _ in iter(fresh.next, None))
emit(first=first is not None, second=second is None, check=check, message=message,
     own_first=own_first is not None, own_walked=own_walked, own_check=own_check, total=total,
     walked=walked, fresh_check=fresh.check())
'''


def test_t11_commit_ends_thread_walk(small_copy):
    """A thread list of a read-only database ends at the first commit of another handle,
    before libnotmuch builds another thread from a revision that may be discarded under it;
    the writer's own lists go on.  After reopen() a new search reads everything."""
    child = run_py(T11_COMMIT_ENDS_THREAD_WALK, small_copy.root).ok()
    assert child['first'] is True
    assert child['second'] is True, child.values
    assert child['check'] == 'OPERATION_INVALIDATED', child.values
    assert 'reopen' in child['message']
    assert child['own_first'] is True
    assert child['own_walked'] == child['total'] and child['own_check'] is True, child.values
    assert child['walked'] == child['total'] and child['fresh_check'] is True, child.values


# ---------------------------------------------------------------------------
# T12: a stale reader after another process committed
# ---------------------------------------------------------------------------

T12_READER = '''
root, sync = sys.argv[1], sys.argv[2]
db = open_db(root)
results = db.search_messages('*')
kept = [results[i] for i in range(20)]
ids = [m.get_message_id() for m in kept]
threads = db.search_threads('*')
kept_thread = threads[0]
before = {'count': db.count_messages('*'), 'tags': db.get_all_tags()}
touch(os.path.join(sync, 'ready'), json.dumps(ids))
expected = json.loads(wait_for(os.path.join(sync, 'go')))
alive = expected['alive'][0]                   # a kept message the writer did not delete

outcomes = {}
def attempt(name, function):
    try:
        outcomes[name] = ['value', function()]
    except GLib.Error as error:
        outcomes[name] = [error_name(error), error.message]

def walk(model):
    n = 0
    for item in model:
        if item is None:
            break
        n += 1
    model.check()
    return n

attempt('count_messages', lambda: db.count_messages('*'))
attempt('count_threads', lambda: db.count_threads('*'))
def find(message_id):
    message = db.find_message(message_id)
    return message.get_message_id() if message is not None else None

attempt('find_message', lambda: find(alive))

def kind_of(message):
    if message is None:
        return None
    return 'ghost' if message.get_flag(Notmuch.MessageFlag.GHOST) else 'real'
attempt('get_all_tags', lambda: db.get_all_tags())
attempt('kept_tags', lambda: [m.get_tags() for m in kept])
attempt('kept_ids', lambda: [m.get_message_id() for m in kept])
attempt('kept_filenames', lambda: [m.get_filename() for m in kept])
attempt('kept_subjects', lambda: [m.get_header('subject') for m in kept])
attempt('kept_thread', lambda: [kept_thread.get_tags(),
                                [m.get_message_id() for m in kept_thread.get_messages()]])
attempt('old_results_again', lambda: walk(results))
attempt('new_search', lambda: walk(db.search_messages('*')))
attempt('new_threads', lambda: walk(db.search_threads('*')))
attempt('collect_tags', lambda: results.collect_tags())

db.reopen(RO)
after = {
    'count': db.count_messages('*'),
    'threads': db.count_threads('*'),
    'found': find(alive),
    'found_deleted': [kind_of(db.find_message(i)) for i in ids if i not in expected['alive']],
    'tags': db.get_all_tags(),
    'walked': walk(db.search_messages('*')),
    'tags_of_alive': db.find_message(alive).get_tags(),
}
stale = {}
for name, function in [('kept_tags', lambda: [m.get_tags() for m in kept]),
                       ('kept_ids', lambda: [m.get_message_id() for m in kept]),
                       ('old_results', lambda: walk(results))]:
    try:
        stale[name] = ['value', function()]
    except GLib.Error as error:
        stale[name] = [error_name(error), error.message]
emit(before=before, outcomes=outcomes, after=after, stale=stale, ids=ids, alive=alive)
'''


@pytest.mark.parametrize('flavour', ['add', 'delete'])
def test_t12_stale_reader(medium_copy, extra_mail, tmp_path, flavour):
    sync = str(tmp_path / 'sync')
    os.makedirs(sync)
    proc = start_py(T12_READER, medium_copy.root, sync)
    wait_for_file(os.path.join(sync, 'ready'), proc)
    with open(os.path.join(sync, 'ready')) as f:
        kept_ids = json.load(f)
    for commit in writer_steps(medium_copy, extra_mail, flavour):
        commit()
    survivors = medium_copy.ids()
    expected = {'count': medium_copy.count('*'),
                'threads': int(medium_copy.notmuch('count', '--output=threads', '--', '*')),
                'alive': [i for i in kept_ids if i in survivors]}
    assert expected['alive'], 'the writer deleted every kept message'
    signal_file(os.path.join(sync, 'go'), json.dumps(expected))
    child = finish_py(proc).ok()
    before, outcomes, after = child['before'], child['outcomes'], child['after']

    allowed = {'value', 'XAPIAN_EXCEPTION', 'OPERATION_INVALIDATED'}
    for name, (kind, value) in outcomes.items():
        assert kind in allowed, (name, kind, value, child.report())
        if kind != 'value':
            assert value, (name, 'an error needs a message')
    # Values a stale handle gives are the old snapshot or the new one, nothing else.
    for name, old, new in [('count_messages', before['count'], expected['count']),
                           ('count_threads', None, expected['threads'])]:
        kind, value = outcomes[name]
        if kind == 'value' and old is not None:
            assert value in (old, new), (name, value, old, new)
    if outcomes['kept_ids'][0] == 'value':
        assert outcomes['kept_ids'][1] == child['ids']
    if outcomes['find_message'][0] == 'value':
        assert outcomes['find_message'][1] in (child['alive'], None)
    if outcomes['get_all_tags'][0] == 'value':
        assert set(outcomes['get_all_tags'][1]) >= set(before['tags'])

    # After reopen() the handle sees everything the other process committed.
    assert after['count'] == expected['count']
    assert after['threads'] == expected['threads']
    assert after['walked'] == expected['count']
    assert after['found'] == child['alive']
    # A deleted message is gone, or a ghost when other messages still refer to it.
    assert set(after['found_deleted']) <= {None, 'ghost'}, after['found_deleted']
    assert {'x1', 'x2'} <= set(after['tags'])
    assert after['tags_of_alive'] == medium_copy.tags_of(child['alive'])
    # Objects read before the reopen give cached values, empty lists or an error.
    for name, (kind, value) in child['stale'].items():
        assert kind in ('value', 'OPERATION_INVALIDATED', 'CLOSED_DATABASE'), (name, kind)
    if child['stale']['kept_ids'][0] == 'value':
        assert child['stale']['kept_ids'][1] == child['ids']


# ---------------------------------------------------------------------------
# T13: another process holds the write lock
# ---------------------------------------------------------------------------

# The holder keeps the lock until the contender waits with a 10 s timeout, then one second
# more: the contender's first steps can take long (under valgrind), its wait cannot.
T13_HOLDER = '''
root, sync, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
db = open_db(root, RW)
db.tag_messages('*', ['held'], [])
touch(os.path.join(sync, 'held'))
while not os.path.exists(os.path.join(sync, 'waiting')):
    time.sleep(0.01)
time.sleep(hold)
db.close()
touch(os.path.join(sync, 'released'), repr(time.time()))
'''

T13_CONTENDER = '''
root, sync = sys.argv[1], sys.argv[2]
out = {}
start = time.monotonic()
error = expect_error(Notmuch.Database.open, root, RW, codes=[Notmuch.Error.LOCKED])
out['default'] = [time.monotonic() - start, error.message]

start = time.monotonic()
reader = open_db(root)                          # readers are never blocked
out['reader'] = [time.monotonic() - start, reader.count_messages('*')]

db = Notmuch.Database(path=root, mode=RW, lock_timeout=1000)
start = time.monotonic()
error = expect_error(db.init, None, codes=[Notmuch.Error.LOCKED])
out['timeout_1000'] = [time.monotonic() - start, error.message]

db = Notmuch.Database(path=root, mode=RW, lock_timeout=10000)
touch(os.path.join(sync, 'waiting'))
start = time.monotonic()
db.init(None)
out['timeout_10000'] = [time.monotonic() - start, time.time()]
out['tagged'] = db.tag_messages('*', ['after'], [])
db.close()
emit(**out)
'''


def holder_is_locking(corpus):
    """Whether some process holds the Xapian write lock (F_OFD_GETLK on flintlock)."""
    path = os.path.join(corpus.root, '.notmuch', 'xapian', 'flintlock')
    fd = os.open(path, os.O_RDWR)
    try:
        probe = struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, 0, 0, 0)
        result = fcntl.fcntl(fd, fcntl.F_OFD_GETLK, probe)
        return struct.unpack('hhqqi4x', result)[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


def check_contender(child, released_at, messages):
    default, reader = child['default'], child['reader']
    assert default[0] < slack(0.5), 'no timeout: LOCKED at once, not after %.2fs' % default[0]
    assert 'lock' in default[1].lower()
    assert reader[0] < slack(1.0) and reader[1] == messages
    waited, message = child['timeout_1000']
    assert 0.9 <= waited < slack(2.5), 'lock_timeout=1000 gave LOCKED after %.2fs' % waited
    assert 'lock' in message.lower()
    waited, opened_at = child['timeout_10000']
    assert waited < 9.5
    assert opened_at >= released_at - 0.05, 'opened before the holder released the lock'
    assert child['tagged'] == messages


def test_t13_lock_held_by_library_process(small_copy, tmp_path):
    sync = str(tmp_path / 'sync')
    os.makedirs(sync)
    holder = start_py(T13_HOLDER, small_copy.root, sync, 1.0)
    wait_for_file(os.path.join(sync, 'held'), holder)
    contender = run_py(T13_CONTENDER, small_copy.root, sync, timeout=60).ok()
    finish_py(holder).ok()
    with open(os.path.join(sync, 'released')) as f:
        released_at = float(f.read())
    messages = small_copy.count('*')
    check_contender(contender, released_at, messages)
    assert small_copy.count('tag:held') == small_copy.count('tag:after') == messages


def test_t13_lock_held_by_notmuch_cli(small_copy, tmp_path):
    """`notmuch tag --batch` holds the write lock while it reads its input."""
    sync = str(tmp_path / 'sync')
    os.makedirs(sync)
    holder = subprocess.Popen([NOTMUCH, 'tag', '--batch'], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=cli_env(small_copy.config))
    try:
        deadline = time.monotonic() + 20
        while not holder_is_locking(small_copy):
            assert holder.poll() is None, holder.communicate()
            assert time.monotonic() < deadline, 'notmuch never took the write lock'
            time.sleep(0.01)
        contender = start_py(T13_CONTENDER, small_copy.root, sync)
        wait_for_file(os.path.join(sync, 'waiting'), contender)
        time.sleep(1.0)
        released_at = time.time()       # the CLI releases the lock after this
        out, err = holder.communicate('+cli -- *\n', timeout=60)
        assert holder.returncode == 0, err
        child = finish_py(contender, timeout=60).ok()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    messages = small_copy.count('*')
    check_contender(child, released_at, messages)
    assert small_copy.count('tag:cli') == messages


# ---------------------------------------------------------------------------
# T14: the same process opens read-write twice
# ---------------------------------------------------------------------------

T14 = '''
root, alias = sys.argv[1], sys.argv[2]
out = {}
first = open_db(root, RW)
def timed_locked(name, function, *args):
    start = time.monotonic()
    error = expect_error(function, *args, codes=[Notmuch.Error.LOCKED])
    out[name] = [time.monotonic() - start, error.message]

timed_locked('same_path', Notmuch.Database.open, root, RW)
timed_locked('trailing_slash', Notmuch.Database.open, root + '/', RW)
timed_locked('dot_dot', Notmuch.Database.open, os.path.join(root, '..', 'mail'), RW)
timed_locked('symlink', Notmuch.Database.open, alias, RW)
timed_locked('config_lookup', Notmuch.Database.open, None, RW)   # NOTMUCH_CONFIG is set
waiting = Notmuch.Database(path=root, mode=RW, lock_timeout=3000)
timed_locked('with_timeout', waiting.init, None)
reader = open_db(root)
timed_locked('reopen_rw', reader.reopen, RW)
out['reader_still_works'] = reader.count_messages('*')

# Two threads racing for the write lock while the first handle is closed: exactly one
# wins, the other gets LOCKED, nobody waits.
first.close()
results = []
barrier = threading.Barrier(2)
def race():
    barrier.wait()
    try:
        results.append(('ok', Notmuch.Database.open(root, RW)))
    except GLib.Error as error:
        results.append((error_name(error), None))
racers = [threading.Thread(target=race) for _ in range(2)]
for racer in racers:
    racer.start()
for racer in racers:
    racer.join(30)
out['race'] = sorted(kind for kind, _ in results)
out['racers_alive'] = [racer.is_alive() for racer in racers]
for kind, db in results:
    if db is not None:
        db.tag_messages('*', ['race'], [])
        db.close()
del results

# After close, and after a handle is dropped without close, the lock is free again.
second = open_db(root, RW)
out['second'] = second.tag_messages('*', ['second'], [])
del second
gc.collect()
third = open_db(root, RW)
out['third'] = third.tag_messages('*', ['third'], [])
third.close()
reader.reopen(RW)
out['reopened_rw'] = reader.tag_messages('*', ['reopened'], [])
emit(**out)
'''


def test_t14_second_open_in_same_process(small_copy, tmp_path):
    alias = str(tmp_path / 'alias')
    os.symlink(small_copy.root, alias)
    env = base_env(NOTMUCH_CONFIG=small_copy.config)
    child = run_py(T14, small_copy.root, alias, env=env, timeout=60).ok()
    for name in ('same_path', 'trailing_slash', 'dot_dot', 'symlink', 'config_lookup',
                 'with_timeout', 'reopen_rw'):
        waited, message = child[name]
        assert waited < slack(0.5), '%s: LOCKED after %.2fs, not at once' % (name, waited)
        assert 'lock' in message.lower() or 'open for writing' in message, message
    messages = small_copy.count('*')
    assert child['reader_still_works'] == messages
    assert child['race'] == ['LOCKED', 'ok'] and child['racers_alive'] == [False, False]
    assert child['second'] == child['third'] == child['reopened_rw'] == messages
    for tag in ('race', 'second', 'third', 'reopened'):
        assert small_copy.count('tag:' + tag) == messages, tag


# ---------------------------------------------------------------------------
# T15: eight threads share one database and its queries
# ---------------------------------------------------------------------------

T15 = '''
import random
root, seconds, n_threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
db = open_db(root, RW)
shared_all = Notmuch.Query.new(db, '*')
shared_inbox = Notmuch.Query.new(db, 'tag:inbox')
shared_model = shared_inbox.search_messages()
shared_threads = db.search_threads('tag:inbox')
ids = sorted(m.get_message_id() for m in db.search_messages('*') if '"' not in m.get_message_id())
total = len(ids)
# Writes that span several calls (freeze ... thaw) lose other handles' changes to the same
# message (see test_t15_lost_update_*): they get private messages; the single-call writes
# share the rest.
shared_ids = ids[::2]
private_ids = [ids[1::2][i::n_threads] for i in range(n_threads)]
expected = [set() for _ in range(n_threads)]
ops = [0] * n_threads
errors = []
deadline = time.monotonic() + seconds

def quoted(message_id):
    return 'id:"%s"' % message_id

def worker(i):
    rng = random.Random(i)
    tag = 't%d' % i
    mine = expected[i]
    try:
        while time.monotonic() < deadline:
            op = rng.randrange(8)
            if op == 0:
                for k, m in enumerate(shared_all.search_messages()):
                    assert m is not None
                    m.get_message_id(); m.get_tags(); m.get_filename(); m.get_header('subject')
                    if k == 20:
                        break
            elif op == 1:
                assert shared_all.count_messages() == total
                assert db.count_messages('tag:' + tag) == len(mine), (tag, len(mine))
                shared_inbox.count_messages()
            elif op == 2:
                message_id = rng.choice(shared_ids)
                m = db.find_message(message_id)
                if m.has_tag(tag):
                    m.remove_tag(tag); mine.discard(message_id)
                else:
                    m.add_tag(tag); mine.add(message_id)
                assert m.has_tag(tag) == (message_id in mine)
            elif op == 3:
                message_id = rng.choice(shared_ids)
                assert db.tag_messages(quoted(message_id), [tag], []) in (0, 1)
                mine.add(message_id)
            elif op == 4:
                for k, thread in enumerate(shared_threads):
                    assert thread is not None
                    thread.get_authors(); thread.get_tags()
                    for m in thread.get_messages():
                        m.get_message_id(); m.get_tags()
                    if k == 5:
                        break
            elif op == 5:
                n = len(shared_model)
                if n:
                    m = shared_model[rng.randrange(n)]
                    if m is not None:
                        m.get_message_id(); m.get_tags()
            elif op == 6:
                db.get_all_tags()
                db.search_messages('tag:' + tag).collect_tags()
            else:
                m = db.find_message(rng.choice(private_ids[i]))
                m.freeze(); m.add_tag(tag + '-tmp'); m.remove_tag(tag + '-tmp'); m.thaw()
                assert not m.has_tag(tag + '-tmp')
            ops[i] += 1
    except Exception as error:
        import traceback
        errors.append('thread %d: %s' % (i, traceback.format_exc()))

workers = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
for w in workers:
    w.start()
for w in workers:
    w.join(seconds + 60)
alive = [w.is_alive() for w in workers]
final = {}
for i in range(n_threads):
    tag = 't%d' % i
    found = sorted(m.get_message_id() for m in db.search_messages('tag:' + tag))
    final[tag] = found == sorted(expected[i])
db.close()
emit(errors=errors, ops=ops, alive=alive, final=final,
     expected={'t%d' % i: sorted(expected[i]) for i in range(n_threads)})
'''


def test_t15_threads_share_one_database(small_copy):
    seconds = 4.0
    child = run_py(T15, small_copy.root, seconds, 8, timeout=120).ok()
    assert child['errors'] == [], '\n'.join(child['errors'])
    assert child['alive'] == [False] * 8
    assert all(n > 0 for n in child['ops']), child['ops']
    assert all(child['final'].values()), child['final']
    # The index agrees with what each thread believes it wrote.
    for tag, ids in child['expected'].items():
        assert small_copy.ids('tag:' + tag) == set(ids), tag
        assert small_copy.count('tag:%s-tmp' % tag) == 0


T15_LOST_UPDATE = '''
db = open_db(sys.argv[1], RW)
case = sys.argv[2]
ids = [m.get_message_id() for m in db.search_messages('*')][:3]
if case == 'two-wrappers':
    a, b = db.find_message(ids[0]), db.find_message(ids[0])
    a.add_tag('a1'); b.add_tag('b1'); a.add_tag('a2')
    expected = ['a1', 'a2', 'b1']
elif case == 'freeze-thaw':
    a, b = db.find_message(ids[0]), db.find_message(ids[0])
    a.freeze(); a.add_tag('a1'); b.add_tag('b1'); a.thaw()
    expected = ['a1', 'b1']
elif case == 'list-item-then-tag-messages':
    results = db.search_messages('*')
    m = results[0]
    m.add_tag('a1')
    db.tag_messages('*', ['bulk'], [])
    m.add_tag('a2')
    ids = [m.get_message_id()]
    expected = ['a1', 'a2', 'bulk']
elif case == 'threads':
    # Two threads, each with its own wrapper of the same message, tag it alternately.
    barrier = threading.Barrier(2)
    def work(name):
        m = db.find_message(ids[0])
        m.add_tag(name + '-first')
        barrier.wait()
        if name == 'b':
            m.add_tag('b-second')
        barrier.wait()
        if name == 'a':
            m.add_tag('a-second')
    workers = [threading.Thread(target=work, args=(n,)) for n in 'ab']
    for w in workers: w.start()
    for w in workers: w.join(30)
    expected = ['a-first', 'a-second', 'b-first', 'b-second']
tags = [t for t in db.find_message(ids[0]).get_tags() if t in expected]
db.close()
emit(tags=tags, expected=expected, message_id=ids[0])
'''

@pytest.mark.parametrize('case', ['two-wrappers', 'freeze-thaw', 'list-item-then-tag-messages',
                                  'threads'])
def test_t15_lost_update(small_copy, case):
    """No tag change is lost when one message is changed through two wrappers, in one
    thread or two: every tag written is in the index afterwards.  (libnotmuch's message
    objects each write back their whole copy of the document; the library reads the
    document again when another object wrote since.)"""
    child = run_py(T15_LOST_UPDATE, small_copy.root, case).ok()
    assert child['tags'] == child['expected'], child.values
    assert set(child['expected']) <= set(small_copy.tags_of(child['message_id']))


# ---------------------------------------------------------------------------
# T16: durability when the writer is killed
# ---------------------------------------------------------------------------

T16 = '''
root, mode = sys.argv[1], sys.argv[2]
db = open_db(root, RW)
ids = [m.get_message_id() for m in db.search_messages('*')][:100]
assert len(ids) == 100

def tag(message_ids, name):
    for message_id in message_ids:
        db.find_message(message_id).add_tag(name)

def kill():
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)

if mode == 'kill':
    tag(ids, 'durable'); kill()
elif mode == 'commit-kill':
    tag(ids, 'durable'); db.commit(); kill()
elif mode == 'atomic-kill':
    db.begin_atomic(); tag(ids, 'durable'); db.end_atomic(); kill()
elif mode == 'nested-atomic-kill':
    db.begin_atomic(); db.begin_atomic(); tag(ids, 'durable'); db.end_atomic(); kill()
elif mode == 'exit':
    tag(ids, 'durable')
    keep = [db.find_message(i) for i in ids]        # live children at exit
elif mode == 'exit-cycle':
    tag(ids, 'durable')
    class Holder: pass
    holder = Holder(); holder.self = holder; holder.db = db
    holder.messages = list(db.search_messages('*'))
    del db
elif mode == 'pending-then-unfinished-atomic-kill':
    tag(ids[:50], 'pending'); db.begin_atomic(); tag(ids[50:], 'section'); kill()
elif mode == 'committed-then-unfinished-atomic-kill':
    tag(ids[:50], 'pending'); db.commit(); db.begin_atomic(); tag(ids[50:], 'section'); kill()
elif mode == 'pending-then-unfinished-atomic-close':
    tag(ids[:50], 'pending'); db.begin_atomic(); tag(ids[50:], 'section'); db.close()
else:
    raise SystemExit('unknown mode ' + mode)
'''

# mode -> (killed?, {tag: count expected afterwards})
T16_CASES = {
    'kill': (True, {'durable': 0}),
    'commit-kill': (True, {'durable': 100}),
    'atomic-kill': (True, {'durable': 100}),
    'nested-atomic-kill': (True, {'durable': 0}),
    'exit': (False, {'durable': 100}),
    'exit-cycle': (False, {'durable': 100}),
    'pending-then-unfinished-atomic-kill': (True, {'pending': 50, 'section': 0}),
    'committed-then-unfinished-atomic-kill': (True, {'pending': 50, 'section': 0}),
    'pending-then-unfinished-atomic-close': (False, {'pending': 50, 'section': 0}),
}


@pytest.mark.parametrize('mode', list(T16_CASES))
def test_t16_durability(small_copy, mode):
    """(a) SIGKILL before any commit loses the changes (documented); (b) commit(),
    (c) end_atomic() and (d) a normal exit without close() keep them; (e) an unfinished
    atomic section loses its own changes only."""
    killed, expected = T16_CASES[mode]
    child = run_py(T16, small_copy.root, mode)
    if killed:
        assert child.rc == -signal.SIGKILL, child.report()
    else:
        child.ok()
    for tag, count in expected.items():
        assert small_copy.count('tag:' + tag) == count, (mode, tag)
    # The database is intact and writable afterwards.
    assert small_copy.count('*') == len(small_copy.info['message_ids'])
    small_copy.notmuch('tag', '+after', '--', 'tag:inbox')
