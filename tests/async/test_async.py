"""The asynchronous API from Python, with GLib.MainLoop callbacks, against the notmuch CLI.

The same behaviours as test-async.c: every async call (open, search for messages and threads,
count, index, tag), cancellation (a search stops with Gio.IOErrorEnum.CANCELLED, a tag change
cancelled before it starts changes nothing), calls running one after another per database,
callbacks delivered in the calling thread's main context, and a main loop that keeps
running while a search works in the background.

Environment (set by tests/meson.build; defaults for running by hand): NMCORPUS (the corpus
generator), NOTMUCH (the CLI), GI_TYPELIB_PATH / LD_LIBRARY_PATH (the built library).
"""

import importlib.util
import os
import shutil
import subprocess
import threading
import time

import gi
import pytest

gi.require_version('Notmuch', '1.0')
from gi.repository import Gio, GLib, Notmuch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NMCORPUS = os.environ.get('NMCORPUS') or os.path.join(HERE, '..', 'nmcorpus.py')
NOTMUCH = os.environ.get('NOTMUCH') or 'notmuch'

SMALL_MESSAGES = 120
# Big enough that a search for every thread lasts many 10 ms ticks.
BIG_MESSAGES = 3000
# The size the responsiveness check is about (as in bench/mainloop_latency.py): a mailbox a
# desktop client must stay responsive with.  Generated and indexed in about 30 s.
HUGE_MESSAGES = 10000
# A call that has not called back by then hangs: fail instead of waiting for meson's timeout.
WATCHDOG_SECONDS = 120

RO = Notmuch.DatabaseMode.READ_ONLY
RW = Notmuch.DatabaseMode.READ_WRITE


def _load_generator():
    spec = importlib.util.spec_from_file_location('nmcorpus', NMCORPUS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nmcorpus = _load_generator()


# ---------------------------------------------------------------------------------------
# Corpora and the CLI oracle

class Corpus:
    """A generated, indexed corpus: ``root/mail`` with its database, ``root/notmuch-config``."""

    def __init__(self, root):
        self.root = str(root)
        self.mail = os.path.join(self.root, 'mail')
        self.config = os.path.join(self.root, 'notmuch-config')

    @classmethod
    def generate(cls, root, messages):
        nmcorpus.generate(str(root), messages=messages, seed=1)
        corpus = cls(root)
        corpus.notmuch('new', '--quiet')
        return corpus

    def notmuch(self, *args):
        """Runs the CLI on this corpus (without LD_PRELOAD or G_DEBUG); returns stdout."""
        env = {k: v for k, v in os.environ.items()
               if k not in ('LD_PRELOAD', 'G_DEBUG', 'NOTMUCH_PROFILE')}
        env['NOTMUCH_CONFIG'] = self.config
        done = subprocess.run([NOTMUCH, *args], env=env, check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return done.stdout

    def lines(self, *args):
        return [line for line in self.notmuch(*args).splitlines() if line]

    def count(self, *args):
        return int(self.notmuch('count', *args))

    def message_ids(self, query, *options):
        """Ids as Query.new would return them: nothing excluded, newest first."""
        return [line[len('id:'):] for line in
                self.lines('search', '--output=messages', '--exclude=false',
                           '--sort=newest-first', *options, query)]

    def thread_ids(self, query):
        return [line[len('thread:'):] for line in
                self.lines('search', '--output=threads', '--exclude=false',
                           '--sort=newest-first', query)]

    def tag_state(self):
        """For each tag, the messages carrying it.  (Not `notmuch dump`: it opens the
        database for writing and would wait for a write lock held by the test.)"""
        return {tag: sorted(self.message_ids(f'tag:"{tag}"'))
                for tag in self.lines('search', '--exclude=false', '--output=tags', '*')}

    def open(self, mode=RO):
        return Notmuch.Database.open_with_config(self.mail, mode, self.config, None)


@pytest.fixture(scope='session')
def small(tmp_path_factory):
    return Corpus.generate(tmp_path_factory.mktemp('small'), SMALL_MESSAGES)


@pytest.fixture(scope='session')
def big(tmp_path_factory):
    return Corpus.generate(tmp_path_factory.mktemp('big'), BIG_MESSAGES)


@pytest.fixture(scope='session')
def huge(tmp_path_factory):
    return Corpus.generate(tmp_path_factory.mktemp('huge'), HUGE_MESSAGES)


@pytest.fixture
def writable(small, tmp_path):
    """A private copy of the small corpus, config pointing at the copy."""
    root = tmp_path / 'copy'
    shutil.copytree(small.root, root, symlinks=True)
    config = (root / 'notmuch-config').read_text()
    (root / 'notmuch-config').write_text(config.replace(small.root, str(root)))
    return Corpus(root)


@pytest.fixture(autouse=True)
def clean_notmuch_environment(monkeypatch):
    for name in ('NOTMUCH_CONFIG', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE', 'MAILDIR'):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------------------------------
# Waiting for callbacks

class Outcome:
    """What one callback saw."""

    def __init__(self, waiter):
        self.waiter = waiter
        self.source = None
        self.result = None
        self.thread = None
        self.context = None
        self.context_owner = None
        self.order = None
        self.time = None
        self.user_data = None

    def __call__(self, source, result, user_data=None):
        assert self.result is None, 'called back twice'
        self.source = source
        self.result = result
        self.user_data = user_data
        self.thread = threading.current_thread()
        self.context = GLib.MainContext.ref_thread_default()
        self.context_owner = self.context.is_owner()
        self.time = time.monotonic()
        self.order = self.waiter.next_order()
        self.waiter.loop.quit()

    def assert_delivered_here(self):
        assert self.thread is threading.current_thread()
        assert self.context == GLib.MainContext.ref_thread_default()
        assert self.context_owner


class Waiter:
    """Makes callbacks and runs a GLib.MainLoop on the thread-default context until they
    have all been called."""

    def __init__(self):
        self.context = GLib.MainContext.ref_thread_default()
        self.loop = GLib.MainLoop.new(self.context, False)
        self.outcomes = []
        self._order = 0

    def next_order(self):
        self._order += 1
        return self._order

    def callback(self):
        outcome = Outcome(self)
        self.outcomes.append(outcome)
        return outcome

    def wait(self):
        timed_out = []

        def on_watchdog():
            timed_out.append(True)
            self.loop.quit()
            return GLib.SOURCE_REMOVE

        watchdog = GLib.timeout_source_new_seconds(WATCHDOG_SECONDS)
        watchdog.set_callback(on_watchdog)
        watchdog.attach(self.context)
        try:
            while not timed_out and any(o.result is None for o in self.outcomes):
                self.loop.run()
        finally:
            watchdog.destroy()
        assert not timed_out, f'an async call did not call back within {WATCHDOG_SECONDS} s'


def assert_cancelled(excinfo):
    assert excinfo.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def assert_nm_error(excinfo, code):
    assert excinfo.value.matches(Notmuch.Error.quark(), code), excinfo.value
    assert excinfo.value.message


def ids(model, threads=False):
    """Walks a model in order; every item's id."""
    out = [t.get_thread_id() if threads else t.get_message_id() for t in model]
    assert len(out) == len(model)
    return out


def write_mail(directory, name, message_id, subject):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, 'w') as f:
        f.write('From: Async Writer <async@example.org>\n'
                'To: Someone <someone@example.org>\n'
                f'Subject: {subject}\n'
                'Date: Wed, 02 Jun 2021 10:00:00 +0000\n'
                f'Message-ID: <{message_id}>\n'
                '\n'
                'A message written by test_async.py.\n')
    return path


def search_threads(query, cancellable=None):
    waiter = Waiter()
    cb = waiter.callback()
    query.search_threads_async(cancellable, cb)
    waiter.wait()
    return query.search_threads_finish(cb.result)


# ---------------------------------------------------------------------------------------

def test_open(small, tmp_path):
    waiter = Waiter()
    ok, bad, cancelled = waiter.callback(), waiter.callback(), waiter.callback()
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    Notmuch.Database.open_async(small.mail, RO, None, ok, 'data')
    Notmuch.Database.open_async(str(tmp_path / 'nowhere'), RO, None, bad)
    Notmuch.Database.open_async(small.mail, RO, cancellable, cancelled)
    waiter.wait()

    ok.assert_delivered_here()
    assert ok.source is None
    assert ok.user_data == 'data'
    db = Notmuch.Database.open_finish(ok.result)
    assert db.get_path() == small.mail
    assert db.get_mode() == RO
    # Opened without the corpus's config file: search.exclude_tags is not set.
    assert db.count_messages('*') == small.count('--exclude=false', '*')

    with pytest.raises(GLib.Error) as excinfo:
        Notmuch.Database.open_finish(bad.result)
    assert excinfo.value.domain == GLib.quark_to_string(Notmuch.Error.quark())

    with pytest.raises(GLib.Error) as excinfo:
        Notmuch.Database.open_finish(cancelled.result)
    assert_cancelled(excinfo)


@pytest.mark.parametrize('query', ['*', 'tag:inbox', 'not tag:inbox', 'tag:unread or tag:flagged'])
def test_search_messages(small, query):
    db = small.open()
    q = Notmuch.Query.new(db, query)
    waiter = Waiter()
    cb = waiter.callback()
    q.search_messages_async(None, cb)
    waiter.wait()
    cb.assert_delivered_here()
    assert cb.source == q
    messages = q.search_messages_finish(cb.result)
    assert isinstance(messages, Notmuch.Messages)
    expected = small.message_ids(query)
    assert ids(messages) == expected
    assert messages.check()
    # Prefetched: indexable in any order, walkable again.
    assert [messages[i].get_message_id() for i in reversed(range(len(messages)))] == \
        expected[::-1]
    assert ids(messages) == expected
    assert [m.get_message_id() for m in iter(messages.next, None)] == expected


@pytest.mark.parametrize('query', ['*', 'tag:inbox', 'not tag:inbox', 'tag:attachment'])
def test_search_threads(small, query):
    db = small.open()
    q = Notmuch.Query.new(db, query)
    threads = search_threads(q)
    assert isinstance(threads, Notmuch.Threads)
    assert ids(threads, threads=True) == small.thread_ids(query)
    assert [t.get_thread_id() for t in iter(threads.next, None)] == small.thread_ids(query)
    assert threads.check()
    for thread in threads:
        assert thread.get_total_messages() >= thread.get_matched_messages() >= 1


def test_search_takes_a_copy(small):
    db = small.open()
    q = Notmuch.Query.new(db, '*')
    q.set_sort(Notmuch.Sort.OLDEST_FIRST)
    waiter = Waiter()
    cb = waiter.callback()
    q.search_messages_async(None, cb)
    q.set_sort(Notmuch.Sort.NEWEST_FIRST)
    waiter.wait()
    assert ids(q.search_messages_finish(cb.result)) == \
        small.message_ids('*', '--sort=oldest-first')


@pytest.mark.parametrize('query', ['*', 'tag:inbox', 'tag:spam', 'tag:no-such-tag'])
def test_count_messages(small, query):
    db = small.open()
    q = Notmuch.Query.new(db, query)
    waiter = Waiter()
    cb = waiter.callback()
    q.count_messages_async(None, cb)
    waiter.wait()
    cb.assert_delivered_here()
    assert q.count_messages_finish(cb.result) == small.count('--exclude=false', query)


def test_malformed_query(small):
    db = small.open()
    q = Notmuch.Query.new(db, 'foo AND')
    waiter = Waiter()
    count, messages, threads = waiter.callback(), waiter.callback(), waiter.callback()
    q.count_messages_async(None, count)
    q.search_messages_async(None, messages)
    q.search_threads_async(None, threads)
    waiter.wait()
    for outcome, finish in ((count, q.count_messages_finish),
                            (messages, q.search_messages_finish),
                            (threads, q.search_threads_finish)):
        with pytest.raises(GLib.Error) as excinfo:
            finish(outcome.result)
        assert_nm_error(excinfo, Notmuch.Error.XAPIAN_EXCEPTION)


def test_index_file(writable):
    before = writable.count('--exclude=false', '*')
    db = writable.open(RW)
    folder = os.path.join(writable.mail, 'async', 'cur')
    fresh = write_mail(folder, 'fresh:2,', 'fresh@async.example', 'Fresh')
    copy = write_mail(folder, 'copy:2,', 'fresh@async.example', 'Fresh again')
    skipped = write_mail(folder, 'skipped:2,', 'skipped@async.example', 'Never indexed')
    garbage = os.path.join(folder, 'garbage')
    with open(garbage, 'wb') as f:
        f.write(b'\x01\x02 not a mail\n\xff\xfe')
    cancellable = Gio.Cancellable()
    cancellable.cancel()

    waiter = Waiter()
    first, second, cancelled, failed = (waiter.callback() for _ in range(4))
    db.index_file_async(fresh, None, None, first)
    db.index_file_async(copy, db.get_default_index_options(), None, second)
    db.index_file_async(skipped, None, cancellable, cancelled)
    db.index_file_async(garbage, None, None, failed)
    waiter.wait()
    assert [o.order for o in (first, second, cancelled, failed)] == [1, 2, 3, 4]

    first.assert_delivered_here()
    message, duplicate = db.index_file_finish(first.result)
    assert message.get_message_id() == 'fresh@async.example'
    assert duplicate is False
    message, duplicate = db.index_file_finish(second.result)
    assert duplicate is True
    assert sorted(message.get_filenames()) == sorted([fresh, copy])
    with pytest.raises(GLib.Error) as excinfo:
        db.index_file_finish(cancelled.result)
    assert_cancelled(excinfo)
    with pytest.raises(GLib.Error) as excinfo:
        db.index_file_finish(failed.result)
    assert_nm_error(excinfo, Notmuch.Error.FILE_NOT_EMAIL)

    db.commit()
    assert writable.count('--exclude=false', '*') == before + 1
    assert sorted(writable.lines('search', '--output=files', 'id:fresh@async.example')) == \
        sorted([fresh, copy])
    assert writable.count('id:skipped@async.example') == 0


def test_tag_messages(writable):
    query = 'tag:inbox and tag:unread'
    matching = writable.count('--exclude=false', query)
    assert matching > 0
    db = writable.open(RW)
    tagged = Notmuch.Query.new(db, 'tag:async-tag')
    waiter = Waiter()
    tag, count, again = waiter.callback(), waiter.callback(), waiter.callback()
    db.tag_messages_async(query, ['async-tag'], ['inbox'], None, tag)
    tagged.count_messages_async(None, count)  # queued behind the change: sees it
    db.tag_messages_async(f'({query}) or tag:async-tag', ['async-tag'], ['inbox'], None, again)
    waiter.wait()
    assert [o.order for o in (tag, count, again)] == [1, 2, 3]

    tag.assert_delivered_here()
    assert db.tag_messages_finish(tag.result) == matching
    assert tagged.count_messages_finish(count.result) == matching
    assert db.tag_messages_finish(again.result) == 0

    # Committed: the CLI sees it at once.
    assert writable.count('--exclude=false', 'tag:async-tag') == matching
    assert writable.count('--exclude=false', 'tag:async-tag and tag:inbox') == 0
    assert writable.count('--exclude=false', query) == 0

    # A bad tag fails in the callback and changes nothing.
    state = writable.tag_state()
    waiter = Waiter()
    bad = waiter.callback()
    db.tag_messages_async('*', [''], None, None, bad)
    waiter.wait()
    with pytest.raises(GLib.Error) as excinfo:
        db.tag_messages_finish(bad.result)
    assert_nm_error(excinfo, Notmuch.Error.INVALID_TAG)
    assert writable.tag_state() == state


def test_tag_read_only(small):
    db = small.open(RO)
    waiter = Waiter()
    cb = waiter.callback()
    db.tag_messages_async('*', ['never'], None, None, cb)
    waiter.wait()
    with pytest.raises(GLib.Error) as excinfo:
        db.tag_messages_finish(cb.result)
    assert_nm_error(excinfo, Notmuch.Error.READ_ONLY_DATABASE)
    assert small.count('--exclude=false', 'tag:never') == 0


def test_tag_cancelled_before_start(writable):
    """Cancelled before the call, or while it waits in the worker behind searches: nothing
    changes."""
    state = writable.tag_state()
    db = writable.open(RW)
    everything = Notmuch.Query.new(db, '*')
    early, queued = Gio.Cancellable(), Gio.Cancellable()
    early.cancel()
    waiter = Waiter()
    pre = waiter.callback()
    searches = [waiter.callback() for _ in range(3)]
    waiting = waiter.callback()
    db.tag_messages_async('*', ['cancelled-tag'], ['inbox', 'unread'], early, pre)
    for cb in searches:
        everything.search_threads_async(None, cb)
    db.tag_messages_async('*', ['cancelled-tag'], ['inbox', 'unread'], queued, waiting)
    queued.cancel()
    waiter.wait()

    for cb in (pre, waiting):
        with pytest.raises(GLib.Error) as excinfo:
            db.tag_messages_finish(cb.result)
        assert_cancelled(excinfo)
    assert waiting.order > searches[-1].order
    n_threads = writable.count('--exclude=false', '--output=threads', '*')
    for cb in searches:
        assert len(everything.search_threads_finish(cb.result)) == n_threads
    assert writable.tag_state() == state
    assert writable.count('--exclude=false', 'tag:cancelled-tag') == 0


def test_tag_never_cut_short(writable):
    """Cancelled about when the worker starts it (from the callback of the call queued just
    before): the change happens completely or not at all."""
    total = writable.count('--exclude=false', '*')
    db = writable.open(RW)
    everything = Notmuch.Query.new(db, '*')
    cancellable = Gio.Cancellable()
    waiter = Waiter()
    count, tag = waiter.callback(), waiter.callback()

    def count_then_cancel(source, result):
        count(source, result)
        cancellable.cancel()

    everything.count_messages_async(None, count_then_cancel)
    db.tag_messages_async('*', ['whole'], None, cancellable, tag)
    waiter.wait()
    try:
        changed = db.tag_messages_finish(tag.result)
    except GLib.Error as error:
        assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
        assert writable.count('--exclude=false', 'tag:whole') == 0
    else:
        assert changed == total
        assert writable.count('--exclude=false', 'tag:whole') == total


def test_search_cancelled(big):
    db = big.open()
    everything = Notmuch.Query.new(db, '*')

    early = Gio.Cancellable()
    early.cancel()
    waiter = Waiter()
    pre = waiter.callback()
    everything.search_messages_async(early, pre)
    waiter.wait()
    with pytest.raises(GLib.Error) as excinfo:
        everything.search_messages_finish(pre.result)
    assert_cancelled(excinfo)

    # Cancelled 20 ms in, while the worker reads about a thousand threads; the worker then
    # goes on with the next call.
    midway = Gio.Cancellable()
    waiter = Waiter()
    running, following = waiter.callback(), waiter.callback()
    everything.search_threads_async(midway, running)
    GLib.timeout_add(20, lambda: midway.cancel() or GLib.SOURCE_REMOVE)
    everything.search_threads_async(None, following)
    waiter.wait()
    assert midway.is_cancelled()
    assert running.order < following.order
    with pytest.raises(GLib.Error) as excinfo:
        everything.search_threads_finish(running.result)
    assert_cancelled(excinfo)
    assert len(everything.search_threads_finish(following.result)) == \
        big.count('--exclude=false', '--output=threads', '*')


def test_concurrent_searches(big):
    db = big.open()
    other_db = big.open()
    threads_query = Notmuch.Query.new(db, '*')
    messages_query = Notmuch.Query.new(db, 'tag:inbox')
    other_query = Notmuch.Query.new(other_db, 'not tag:inbox')
    waiter = Waiter()
    first, second, third = waiter.callback(), waiter.callback(), waiter.callback()
    threads_query.search_threads_async(None, first)
    messages_query.search_messages_async(None, second)
    other_query.search_messages_async(None, third)
    waiter.wait()
    assert first.order < second.order  # one worker per database, in order
    for cb in (first, second, third):
        cb.assert_delivered_here()
    assert ids(threads_query.search_threads_finish(first.result), threads=True) == \
        big.thread_ids('*')
    assert ids(messages_query.search_messages_finish(second.result)) == \
        big.message_ids('tag:inbox')
    assert ids(other_query.search_messages_finish(third.result)) == \
        big.message_ids('not tag:inbox')


def test_search_while_reading(big):
    """The main thread reads messages synchronously while an async search runs."""
    db = big.open()
    async_query = Notmuch.Query.new(db, '*')
    waiter = Waiter()
    cb = waiter.callback()
    async_query.search_threads_async(None, cb)

    read = []
    for message in Notmuch.Query.new(db, '*').search_messages():
        read.append(message.get_message_id())
        message.get_header('subject')
        assert isinstance(message.get_tags(), list)
        assert message.get_date() > 0
    assert read == big.message_ids('*')

    waiter.wait()
    assert ids(async_query.search_threads_finish(cb.result), threads=True) == \
        big.thread_ids('*')


def test_main_context(small):
    """Callbacks run in the thread and main context the call was made from."""
    db = small.open()
    total = small.count('--exclude=false', '*')
    query = Notmuch.Query.new(db, '*')

    waiter = Waiter()
    cb = waiter.callback()
    query.search_messages_async(None, cb)
    waiter.wait()
    cb.assert_delivered_here()
    assert cb.thread is threading.main_thread()
    assert cb.context == GLib.MainContext.default()
    messages = query.search_messages_finish(cb.result)
    assert len(messages) == total

    found = {}
    failures = []

    def in_thread():
        try:
            context = GLib.MainContext.new()
            context.push_thread_default()
            try:
                waiter = Waiter()
                search, count, opened = waiter.callback(), waiter.callback(), waiter.callback()
                query.search_messages_async(None, search)
                query.count_messages_async(None, count)
                Notmuch.Database.open_async(small.mail, RO, None, opened)
                waiter.wait()
                for outcome in (search, count, opened):
                    outcome.assert_delivered_here()
                    assert outcome.context == context
                    assert outcome.context != GLib.MainContext.default()
                found['messages'] = len(query.search_messages_finish(search.result))
                found['count'] = query.count_messages_finish(count.result)
                found['db'] = Notmuch.Database.open_finish(opened.result)
            finally:
                context.pop_thread_default()
        except BaseException as error:  # reported in the main thread
            failures.append(error)

    thread = threading.Thread(target=in_thread)
    thread.start()
    # The main context keeps running meanwhile: nothing of the thread's may land here.
    while thread.is_alive():
        GLib.MainContext.default().iteration(False)
        thread.join(0.001)
    if failures:
        raise failures[0]
    assert found['messages'] == total
    assert found['count'] == total
    assert found['db'].get_path() == small.mail


def test_responsive(huge):
    """A 10 ms timeout keeps being dispatched while a thread search of 10,000 mails runs.

    Only the number of dispatches before the callback is asserted, never a duration: a
    search that blocked the main context would allow none (the synchronous search in
    bench/mainloop_latency.py gets 0), however fast or slow the machine."""
    db = huge.open()
    query = Notmuch.Query.new(db, '*')
    ticks = []

    def on_tick():
        ticks.append(time.monotonic())
        return GLib.SOURCE_CONTINUE

    waiter = Waiter()
    cb = waiter.callback()
    started = time.monotonic()
    source = GLib.timeout_add(10, on_tick)
    query.search_threads_async(None, cb)
    waiter.wait()
    GLib.source_remove(source)
    during = [t for t in ticks if t <= cb.time]
    gaps = [b - a for a, b in zip([started] + during, during)]
    print(f'search {1000 * (cb.time - started):.0f} ms, {len(during)} ticks meanwhile, '
          f'longest gap {1000 * max(gaps, default=0):.0f} ms')
    assert len(query.search_threads_finish(cb.result)) == \
        huge.count('--exclude=false', '--output=threads', '*')
    assert len(during) >= 5


def test_unref_while_pending(big):
    """The caller may drop the database and the query while a call is pending."""
    finalized = threading.Event()
    waiter = Waiter()
    cb = waiter.callback()
    db = big.open()
    db.weak_ref(finalized.set)
    Notmuch.Query.new(db, '*').search_threads_async(None, cb)
    del db
    waiter.wait()
    assert not finalized.is_set()
    threads = cb.source.search_threads_finish(cb.result)
    assert len(threads) == big.count('--exclude=false', '--output=threads', '*')
    del threads
    cb.source = cb.result = None
    # The worker may drop its reference a moment after the callback ran.
    assert finalized.wait(WATCHDOG_SECONDS)


def test_close_while_pending(big):
    """Closing the database under a pending search: CLOSED_DATABASE, or the complete
    result; never a partial one."""
    db = big.open()
    query = Notmuch.Query.new(db, '*')
    waiter = Waiter()
    first, queued = waiter.callback(), waiter.callback()
    query.search_threads_async(None, first)
    query.search_threads_async(None, queued)
    time.sleep(0.02)
    db.close()
    waiter.wait()
    try:
        threads = query.search_threads_finish(first.result)
    except GLib.Error as error:
        assert error.matches(Notmuch.Error.quark(), Notmuch.Error.CLOSED_DATABASE)
    else:
        assert len(threads) == big.count('--exclude=false', '--output=threads', '*')
    with pytest.raises(GLib.Error) as excinfo:
        query.search_threads_finish(queued.result)
    assert_nm_error(excinfo, Notmuch.Error.CLOSED_DATABASE)
