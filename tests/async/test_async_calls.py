"""Every asynchronous twin from Python, with GLib.MainLoop callbacks, against the blocking
call and the notmuch CLI (the twins test_async.py does not cover).

For each _async/_finish pair: success gives what the blocking call and the CLI give, a
failure raises the blocking call's error, and a call cancelled before it starts raises
Gio.IOErrorEnum.CANCELLED and changes nothing.  Callbacks and progress reports run in the
calling thread's main context.
"""

import os
import threading

import pytest
from gi.repository import Gio, GLib, Notmuch

from test_async import (RO, RW, Corpus, Waiter, assert_cancelled, assert_nm_error,  # noqa: F401
                        clean_notmuch_environment, ids, small, write_mail, writable)

E = Notmuch.Error


def run(start, finish, *args, cancellable=None):
    """start(*args, cancellable, callback), a main loop until the callback ran (on this
    thread), then finish(result)."""
    waiter = Waiter()
    cb = waiter.callback()
    start(*args, cancellable, cb)
    waiter.wait()
    cb.assert_delivered_here()
    return finish(cb.result)


def cancelled():
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    return cancellable


def raises(code, start, finish, *args, cancellable=None):
    """The error of the call: a Notmuch.Error *code*, or CANCELLED when *code* is None."""
    with pytest.raises(GLib.Error) as excinfo:
        run(start, finish, *args, cancellable=cancellable)
    if code is None:
        assert_cancelled(excinfo)
    else:
        assert_nm_error(excinfo, code)
    return excinfo.value


def blocking_error(call, *args):
    with pytest.raises(GLib.Error) as excinfo:
        call(*args)
    return excinfo.value


def closed(corpus):
    db = corpus.open()
    db.close()
    return db


def files_of(corpus, message_id):
    return corpus.lines('search', '--exclude=false', '--output=files', f'id:"{message_id}"')


def single_file_id(corpus, unless=None):
    for message_id in corpus.message_ids('*'):
        if message_id != unless and len(files_of(corpus, message_id)) == 1:
            return message_id
    raise AssertionError('no message stored in one file')


def cli_config_list(corpus):
    pairs = {}
    for line in corpus.lines('config', 'list'):
        key, _, value = line.partition('=')
        if not key.startswith('built_with.'):
            pairs[key] = value
    return pairs


# ---------------------------------------------------------------------------------------
# Constructors

def test_open_with_config(small, tmp_path):
    db = run(Notmuch.Database.open_with_config_async, Notmuch.Database.open_with_config_finish,
             None, RO, small.config, None)
    assert db.get_path() == small.mail
    assert db.get_config_path() == small.config
    # The configuration's excluded tags are excluded, as by the CLI.
    assert db.count_messages('*') == small.count('*')

    nowhere = str(tmp_path / 'nowhere')
    error = raises(blocking_error(Notmuch.Database.open_with_config, nowhere, RO,
                                  small.config, None).code,
                   Notmuch.Database.open_with_config_async,
                   Notmuch.Database.open_with_config_finish, nowhere, RO, small.config, None)
    assert error.message == blocking_error(Notmuch.Database.open_with_config, nowhere, RO,
                                           small.config, None).message
    raises(None, Notmuch.Database.open_with_config_async,
           Notmuch.Database.open_with_config_finish, None, RO, small.config, None,
           cancellable=cancelled())


def test_create(tmp_path):
    fresh, skipped, configured = (tmp_path / name for name in ('fresh', 'skipped', 'configured'))
    for path in (fresh, skipped, configured):
        path.mkdir()
    config = tmp_path / 'config'
    config.write_text(f'[database]\npath={configured}\n[user]\nname=Python Async\n')

    db = run(Notmuch.Database.create_async, Notmuch.Database.create_finish, str(fresh))
    assert db.get_path() == str(fresh)
    assert db.get_mode() == RW
    assert db.count_messages('*') == 0
    db.close()
    raises(E.DATABASE_EXISTS, Notmuch.Database.create_async, Notmuch.Database.create_finish,
           str(fresh))
    raises(None, Notmuch.Database.create_async, Notmuch.Database.create_finish, str(skipped),
           cancellable=cancelled())
    assert not (skipped / '.notmuch').exists()

    db = run(Notmuch.Database.create_with_config_async,
             Notmuch.Database.create_with_config_finish, None, str(config), None)
    assert db.get_path() == str(configured)
    assert db.get_config_path() == str(config)
    assert db.get_config('user.name') == 'Python Async'
    db.close()
    raises(E.DATABASE_EXISTS, Notmuch.Database.create_with_config_async,
           Notmuch.Database.create_with_config_finish, None, str(config), None)
    raises(None, Notmuch.Database.create_with_config_async,
           Notmuch.Database.create_with_config_finish, str(skipped), str(config), None,
           cancellable=cancelled())
    assert not (skipped / '.notmuch').exists()


def test_load_config(tmp_path, monkeypatch):
    mail = tmp_path / 'mail'
    mail.mkdir()
    config = tmp_path / 'config'
    config.write_text(f'[database]\npath={mail}\n[new]\ntags=first;run\n')
    corpus = Corpus(tmp_path)
    corpus.config = str(config)

    db = run(Notmuch.Database.load_config_async, Notmuch.Database.load_config_finish,
             str(config), None)
    assert db.get_config_path() == str(config)
    assert db.get_config_values(Notmuch.ConfigKey.NEW_TAGS) == ['first', 'run']
    assert db.get_config_pairs('') == cli_config_list(corpus)
    assert db.get_config_pairs('') == Notmuch.Database.load_config(str(config),
                                                                   None).get_config_pairs('')
    with pytest.raises(GLib.Error) as excinfo:
        db.count_messages('*')
    assert_nm_error(excinfo, E.CLOSED_DATABASE)
    assert not (mail / '.notmuch').exists()

    raises(E.NO_CONFIG, Notmuch.Database.load_config_async,
           Notmuch.Database.load_config_finish, str(tmp_path / 'missing'), None)
    raises(None, Notmuch.Database.load_config_async, Notmuch.Database.load_config_finish,
           str(config), None, cancellable=cancelled())


# ---------------------------------------------------------------------------------------
# Closing, reopening, committing, atomic sections

def test_close(writable):
    db = writable.open(RW)
    db.tag_messages('tag:unread', ['closed-async'], None)
    db.begin_atomic()
    assert db.tag_messages('*', ['closed-async'], None) > 0

    raises(None, db.close_async, db.close_finish, cancellable=cancelled())
    assert db.count_messages('tag:closed-async') == db.count_messages('*')
    # Inside the section: it is discarded, and only it.
    assert run(db.close_async, db.close_finish) is True
    assert writable.count('--exclude=false', 'tag:closed-async') == \
        writable.count('--exclude=false', 'tag:unread')
    assert run(db.close_async, db.close_finish) is True
    with pytest.raises(GLib.Error) as excinfo:
        db.count_messages('*')
    assert_nm_error(excinfo, E.CLOSED_DATABASE)


def test_reopen(writable):
    db = writable.open(RO)
    raises(None, db.reopen_async, db.reopen_finish, RW, cancellable=cancelled())
    assert db.get_mode() == RO
    assert run(db.reopen_async, db.reopen_finish, RW) is True
    assert db.get_mode() == RW
    assert db.props.mode == RW
    dead = closed(writable)
    raises(E.CLOSED_DATABASE, dead.reopen_async, dead.reopen_finish, RO)


def test_commit(writable):
    db = writable.open(RW)
    mid = writable.message_ids('tag:inbox')[0]
    db.find_message(mid).add_tag('committed')
    query = f'id:"{mid}" and tag:committed'
    raises(None, db.commit_async, db.commit_finish, cancellable=cancelled())
    assert writable.count('--exclude=false', query) == 0
    assert run(db.commit_async, db.commit_finish) is True
    assert writable.count('--exclude=false', query) == 1
    db.begin_atomic()
    raises(E.ILLEGAL_ARGUMENT, db.commit_async, db.commit_finish)
    db.end_atomic()


def test_atomic(writable):
    db = writable.open(RW)
    inbox = writable.count('--exclude=false', 'tag:inbox')
    assert run(db.begin_atomic_async, db.begin_atomic_finish) is True
    assert db.tag_messages('tag:inbox', ['batch'], None) == inbox
    raises(None, db.end_atomic_async, db.end_atomic_finish, cancellable=cancelled())
    assert writable.count('--exclude=false', 'tag:batch') == 0
    assert run(db.end_atomic_async, db.end_atomic_finish) is True
    assert writable.count('--exclude=false', 'tag:batch') == inbox
    raises(None, db.begin_atomic_async, db.begin_atomic_finish, cancellable=cancelled())
    raises(E.UNBALANCED_ATOMIC, db.end_atomic_async, db.end_atomic_finish)


# ---------------------------------------------------------------------------------------
# Configuration

def test_config_list(small):
    db = small.open()
    pairs = run(db.get_config_list_async, db.get_config_list_finish, '')
    assert pairs == db.get_config_list('')
    for key, value in pairs.items():
        assert small.notmuch('config', 'get', key).rstrip('\n') == value
    dead = closed(small)
    raises(E.CLOSED_DATABASE, dead.get_config_list_async, dead.get_config_list_finish, '')
    raises(None, db.get_config_list_async, db.get_config_list_finish, '',
           cancellable=cancelled())


def test_set_config(writable):
    db = writable.open(RW)
    assert run(db.set_config_async, db.set_config_finish, 'nmglib.async', 'stored') is True
    assert run(db.set_config_value_async, db.set_config_value_finish,
               Notmuch.ConfigKey.USER_NAME, 'Async Name') is True
    raises(E.ILLEGAL_ARGUMENT, db.set_config_value_async, db.set_config_value_finish,
           Notmuch.ConfigKey.AUTOCOMMIT, 'often')
    # The keys added for libnotmuch 0.39 and later (the API fuzzer found this twin refusing
    # them with a critical and never calling back).
    assert run(db.set_config_value_async, db.set_config_value_finish,
               Notmuch.ConfigKey.AUTHORS_MATCHED_SEPARATOR, ' | ') is True
    assert db.get_config_value(Notmuch.ConfigKey.AUTHORS_MATCHED_SEPARATOR) == ' | '
    raises(None, db.set_config_async, db.set_config_finish, 'nmglib.never', 'x',
           cancellable=cancelled())
    raises(None, db.set_config_value_async, db.set_config_value_finish,
           Notmuch.ConfigKey.PRIMARY_EMAIL, 'never@example.org', cancellable=cancelled())
    db.close()
    assert writable.notmuch('config', 'get', 'nmglib.async').strip() == 'stored'
    assert writable.notmuch('config', 'get', 'nmglib.never').strip() == ''
    stored = writable.open().get_config_list('user.')
    assert stored.get('user.name') == 'Async Name'
    assert 'user.primary_email' not in stored
    ro = writable.open()
    raises(E.READ_ONLY_DATABASE, ro.set_config_async, ro.set_config_finish, 'nmglib.ro', 'x')


# ---------------------------------------------------------------------------------------
# Finding, removing, directories

def test_find_message(writable, tmp_path):
    db = writable.open(RW)
    mid = writable.message_ids('*')[0]
    path = files_of(writable, mid)[0]
    dead = closed(writable)

    found = run(db.find_message_async, db.find_message_finish, mid)
    assert found.get_message_id() == mid
    assert run(db.find_message_async, db.find_message_finish, 'none@example.org') is None
    raises(E.CLOSED_DATABASE, dead.find_message_async, dead.find_message_finish, mid)
    raises(None, db.find_message_async, db.find_message_finish, mid, cancellable=cancelled())

    by_file = run(db.find_message_by_filename_async, db.find_message_by_filename_finish, path)
    assert by_file.get_message_id() == mid
    assert run(db.find_message_by_filename_async, db.find_message_by_filename_finish,
               os.path.join(writable.mail, 'no-such-file')) is None
    raises(E.CLOSED_DATABASE, dead.find_message_by_filename_async,
           dead.find_message_by_filename_finish, path)
    raises(None, db.find_message_by_filename_async, db.find_message_by_filename_finish, path,
           cancellable=cancelled())

    # Made on the worker, the message notifies on this thread, at once.
    seen = []
    found.connect('notify::tags', lambda *_: seen.append(threading.current_thread()))
    db.find_message(mid).add_tag('seen-here')
    assert seen == [threading.current_thread()]


def test_remove_message(writable):
    db = writable.open(RW)
    dup = next(m for m in writable.message_ids('*') if len(files_of(writable, m)) >= 2)
    files = files_of(writable, dup)
    single = single_file_id(writable, unless=dup)
    single_file = files_of(writable, single)[0]

    assert run(db.remove_message_async, db.remove_message_finish, files[0]) is True
    raises(None, db.remove_message_async, db.remove_message_finish, single_file,
           cancellable=cancelled())
    db.commit()
    assert len(files_of(writable, dup)) == len(files) - 1
    assert writable.count('--exclude=false', f'id:"{single}"') == 1
    assert run(db.remove_message_async, db.remove_message_finish, single_file) is False
    db.close()
    assert writable.count('--exclude=false', f'id:"{single}"') == 0
    ro = writable.open()
    raises(E.READ_ONLY_DATABASE, ro.remove_message_async, ro.remove_message_finish, files[1])


def test_directory(small):
    db = small.open()
    mid = small.message_ids('*')[0]
    path = files_of(small, mid)[0]
    folder = os.path.dirname(path)
    parent = os.path.dirname(folder)
    dead = closed(small)

    directory = run(db.get_directory_async, db.get_directory_finish, folder)
    blocking = db.get_directory(folder)
    assert directory.get_path() == blocking.get_path()
    assert directory.get_mtime() == blocking.get_mtime()
    assert run(db.get_directory_async, db.get_directory_finish, 'no/such/folder') is None
    raises(E.CLOSED_DATABASE, dead.get_directory_async, dead.get_directory_finish, folder)
    raises(None, db.get_directory_async, db.get_directory_finish, folder,
           cancellable=cancelled())

    files = run(directory.get_child_files_async, directory.get_child_files_finish)
    assert files == directory.get_child_files()
    assert os.path.basename(path) in files
    parent_directory = db.get_directory(parent)
    children = run(parent_directory.get_child_directories_async,
                   parent_directory.get_child_directories_finish)
    assert children == parent_directory.get_child_directories()
    assert os.path.basename(folder) in children
    raises(None, directory.get_child_files_async, directory.get_child_files_finish,
           cancellable=cancelled())
    raises(None, parent_directory.get_child_directories_async,
           parent_directory.get_child_directories_finish, cancellable=cancelled())
    db.close()
    assert run(directory.get_child_files_async, directory.get_child_files_finish) == []


# ---------------------------------------------------------------------------------------
# Tags, searches, counts

def test_all_tags(small):
    db = small.open()
    tags = run(db.get_all_tags_async, db.get_all_tags_finish)
    assert tags == sorted(small.lines('search', '--exclude=false', '--output=tags', '*'),
                          key=lambda t: t.encode())
    dead = closed(small)
    raises(E.CLOSED_DATABASE, dead.get_all_tags_async, dead.get_all_tags_finish)
    raises(None, db.get_all_tags_async, db.get_all_tags_finish, cancellable=cancelled())


@pytest.mark.parametrize('query', ['*', 'tag:inbox', 'tag:spam', 'not tag:unread'])
def test_search_shortcuts(small, query):
    """As the CLI: newest first, the configuration's excluded tags left out."""
    db = small.open()
    messages = run(db.search_messages_async, db.search_messages_finish, query)
    assert ids(messages) == [line[3:] for line in small.lines('search', '--output=messages',
                                                               query)]
    threads = run(db.search_threads_async, db.search_threads_finish, query)
    assert ids(threads, threads=True) == \
        [line[7:] for line in small.lines('search', '--output=threads', query)]
    assert run(db.count_messages_async, db.count_messages_finish, query) == small.count(query)
    assert run(db.count_threads_async, db.count_threads_finish, query) == \
        small.count('--output=threads', query)


@pytest.mark.parametrize('call', ['search_messages', 'search_threads', 'count_messages',
                                  'count_threads'])
def test_search_shortcut_errors(small, call):
    db = small.open()
    start, finish = getattr(db, call + '_async'), getattr(db, call + '_finish')
    blocking = blocking_error(getattr(db, call), 'foo AND')
    error = raises(E.XAPIAN_EXCEPTION, start, finish, 'foo AND')
    assert error.message == blocking.message
    raises(None, start, finish, '*', cancellable=cancelled())


def test_query_count_threads(small):
    db = small.open()
    everything = Notmuch.Query.new(db, '*')
    assert run(everything.count_threads_async, everything.count_threads_finish) == \
        small.count('--exclude=false', '--output=threads', '*')
    inbox = Notmuch.Query.new(db, 'tag:inbox')
    for tag in ('deleted', 'spam'):
        inbox.add_tag_exclude(tag)
    inbox.set_exclude(Notmuch.Exclude.TRUE)
    assert run(inbox.count_threads_async, inbox.count_threads_finish) == \
        small.count('--output=threads', 'tag:inbox')
    bad = Notmuch.Query.new(db, 'foo AND')
    raises(E.XAPIAN_EXCEPTION, bad.count_threads_async, bad.count_threads_finish)
    raises(None, everything.count_threads_async, everything.count_threads_finish,
           cancellable=cancelled())


def test_collect_tags(small):
    db = small.open()
    messages = Notmuch.Query.new(db, 'tag:inbox').search_messages()
    tags = run(messages.collect_tags_async, messages.collect_tags_finish)
    assert tags == messages.collect_tags()
    assert tags == sorted(small.lines('search', '--exclude=false', '--output=tags', 'tag:inbox'),
                          key=lambda t: t.encode())
    raises(None, messages.collect_tags_async, messages.collect_tags_finish,
           cancellable=cancelled())
    db.close()
    raises(E.CLOSED_DATABASE, messages.collect_tags_async, messages.collect_tags_finish)


# ---------------------------------------------------------------------------------------
# Messages

def test_get_header(writable):
    db = writable.open()
    other_id = writable.message_ids('*')[0]
    mid = single_file_id(writable, unless=other_id)
    message = db.find_message(mid)
    to = run(message.get_header_async, message.get_header_finish, 'To')
    assert to is not None
    assert to == message.get_header('to')
    assert run(message.get_header_async, message.get_header_finish, 'subject') == \
        message.get_subject()
    assert run(message.get_header_async, message.get_header_finish, 'X-No-Such') is None
    raises(None, message.get_header_async, message.get_header_finish, 'To',
           cancellable=cancelled())

    other = db.find_message(other_id)
    for path in files_of(writable, other_id):
        os.unlink(path)
    error = raises(E.FILE_ERROR, other.get_header_async, other.get_header_finish, 'To')
    assert error.message == blocking_error(other.get_header, 'To').message


def test_reindex(writable):
    db = writable.open(RW)
    folder = os.path.join(writable.mail, 'reindexed', 'cur')
    path = write_mail(folder, 'mail:2,', 'reindex@async.example', 'Before')
    message = db.index_file(path, None)[0]
    db.commit()
    write_mail(folder, 'mail:2,', 'reindex@async.example', 'Afterwards')
    raises(None, message.reindex_async, message.reindex_finish, None, cancellable=cancelled())
    db.commit()
    assert writable.count('--exclude=false', 'subject:Before') == 1
    assert run(message.reindex_async, message.reindex_finish,
               db.get_default_index_options()) is True
    assert message.get_subject() == 'Afterwards'
    db.close()
    assert writable.count('--exclude=false', 'subject:Before') == 0
    assert writable.count('--exclude=false', 'subject:Afterwards') == 1
    ro_message = writable.open().find_message('reindex@async.example')
    raises(E.READ_ONLY_DATABASE, ro_message.reindex_async, ro_message.reindex_finish, None)


def test_tags_to_maildir_flags(writable):
    db = writable.open(RW)
    path = write_mail(os.path.join(writable.mail, 'flags', 'cur'), 'flagged:2,',
                      'flags@async.example', 'Flags')
    message = db.index_file(path, None)[0]
    message.add_tag('flagged')
    raises(None, message.tags_to_maildir_flags_async, message.tags_to_maildir_flags_finish,
           cancellable=cancelled())
    assert os.path.exists(path)
    assert run(message.tags_to_maildir_flags_async,
               message.tags_to_maildir_flags_finish) is True
    # Flagged, and not unread: seen.
    assert not os.path.exists(path)
    assert os.path.exists(path + 'FS')
    db.close()
    assert files_of(writable, 'flags@async.example') == [path + 'FS']
    ro_message = writable.open().find_message('flags@async.example')
    raises(E.READ_ONLY_DATABASE, ro_message.tags_to_maildir_flags_async,
           ro_message.tags_to_maildir_flags_finish)


# ---------------------------------------------------------------------------------------
# Upgrading and compacting, with progress reports

def drop_feature(corpus, feature):
    """Makes the index look older: *feature* is removed from the list libnotmuch stores,
    so that the database needs an upgrade."""
    import xapian
    index = xapian.WritableDatabase(os.path.join(corpus.mail, '.notmuch', 'xapian'),
                                    xapian.DB_OPEN)
    features = index.get_metadata('features').decode().split('\n')
    kept = [line for line in features if not line.startswith(feature)]
    assert len(kept) == len(features) - 1, features
    index.set_metadata('features', '\n'.join(kept))
    index.commit()
    index.close()


def test_upgrade(writable, small):
    drop_feature(writable, 'modification tracking')
    db = writable.open(RW)
    assert db.needs_upgrade()
    raises(None, db.upgrade_async, db.upgrade_finish, None, cancellable=cancelled())
    assert db.needs_upgrade()

    reports = []
    done = []

    def on_progress(fraction):
        reports.append((fraction, threading.current_thread()))

    waiter = Waiter()
    cb = waiter.callback()

    def on_done(source, result):
        done.append(len(reports))
        cb(source, result)

    db.upgrade_async(on_progress, None, on_done)
    waiter.wait()
    cb.assert_delivered_here()
    assert db.upgrade_finish(cb.result) is True
    assert not db.needs_upgrade()
    # Reports come only while an upgrade lasts over a second: whatever came, came here,
    # in order, before the result.
    assert all(thread is threading.current_thread() for _, thread in reports)
    assert [f for f, _ in reports] == sorted(f for f, _ in reports)
    assert all(0 <= f <= 1 for f, _ in reports)
    assert done == [len(reports)]
    db.close()
    assert writable.count('--exclude=false', '*') == small.count('--exclude=false', '*')

    ro = small.open()
    raises(E.READ_ONLY_DATABASE, ro.upgrade_async, ro.upgrade_finish, None)


def test_compact(writable):
    db = writable.open(RW)
    before = writable.count('*')
    backup = os.path.join(writable.root, 'backup')
    skipped = os.path.join(writable.root, 'skipped-backup')
    raises(None, db.compact_async, db.compact_finish, skipped, None,
           cancellable=cancelled())
    assert not os.path.exists(skipped)

    reports = []
    waiter = Waiter()
    cb = waiter.callback()

    def on_progress(message):
        assert cb.result is None, 'a progress report came after the result'
        reports.append((message, threading.current_thread()))

    db.compact_async(backup, on_progress, None, cb)
    waiter.wait()
    cb.assert_delivered_here()
    assert db.compact_finish(cb.result) is True
    assert reports
    assert all(thread is threading.current_thread() for _, thread in reports)
    assert os.path.isdir(backup)
    assert db.count_messages('*') == before
    assert writable.count('*') == before
    error = raises(E.FILE_ERROR, db.compact_async, db.compact_finish, backup, None)
    assert backup in error.message
