"""The write path on a fresh writable copy of the corpus, checked with the CLI."""

import os
import shutil

import pytest
from gi.repository import GLib, Notmuch

from nmhelpers import E, RO, RW, byte_sorted, cli_lines, nm_error


def cli_tags(w, mid):
    return cli_lines(w.cli('search', '--output=tags', '--exclude=false', 'id:' + mid))


def cli_count(w, query):
    return int(w.cli('count', '--exclude=false', query))


def pick(db, query='*'):
    q = Notmuch.Query.new(db, query)
    q.set_sort(Notmuch.Sort.OLDEST_FIRST)
    return q.search_messages()[0]


def write_mail(path, message_id, subject, in_reply_to=None, date='Mon, 01 Jan 2024 10:00:00 +0000'):
    headers = ['From: Writer Test <writer@example.net>', 'To: Test User <test@example.org>',
               'Subject: ' + subject, 'Date: ' + date, 'Message-ID: <%s>' % message_id]
    if in_reply_to:
        headers += ['In-Reply-To: <%s>' % in_reply_to, 'References: <%s>' % in_reply_to]
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(headers) + '\n\nA new message body.\n')
    return path


# -- tags -----------------------------------------------------------------------------------

def test_add_remove_tag_persist(writable):
    db = writable.open(RW)
    m = pick(db, 'tag:inbox')
    mid = m.get_message_id()
    before = m.get_tags()
    assert 'inbox' in before
    assert m.add_tag('nmglib-added') is True
    assert m.add_tag('nmglib-added') is True         # again: no change
    assert m.remove_tag('inbox') is True
    assert m.remove_tag('never-there') is True
    expected = byte_sorted((set(before) | {'nmglib-added'}) - {'inbox'})
    assert m.get_tags() == expected
    assert m.has_tag('nmglib-added') and not m.has_tag('inbox')
    assert before != expected and 'inbox' in before   # the earlier list is a snapshot
    db.close()
    assert cli_tags(writable, mid) == expected
    again = writable.open(RO)
    assert again.find_message(mid).get_tags() == expected
    assert Notmuch.Query.new(again, 'tag:nmglib-added').count_messages() == 1
    again.close()


def test_tag_list_is_snapshot(writable):
    db = writable.open(RW)
    m = pick(db)
    tags = m.get_tags()
    prop = m.props.tags
    copy = list(tags)
    m.add_tag('snapshot-test')
    m.remove_all_tags()
    assert tags == copy and prop == copy
    assert m.get_tags() == []
    db.close()


def test_set_tags(writable):
    db = writable.open(RW)
    m = pick(db, 'tag:unread')
    mid = m.get_message_id()
    assert m.set_tags(['b', 'a', 'b', 'Zeta', 'ünï']) is True
    assert m.get_tags() == ['Zeta', 'a', 'b', 'ünï']
    with pytest.raises(GLib.Error) as ei:
        m.set_tags(['ok', ''])
    nm_error(ei.value, E.INVALID_TAG)
    with pytest.raises(GLib.Error) as ei:
        m.set_tags(['ok', 'x' * 201])
    nm_error(ei.value, E.INVALID_TAG)
    assert m.get_tags() == ['Zeta', 'a', 'b', 'ünï']      # nothing changed
    db.close()
    assert cli_tags(writable, mid) == ['Zeta', 'a', 'b', 'ünï']


def test_many_tags(writable):
    """More tags than the library gathers on the stack (32), through every tag list."""
    db = writable.open(RW)
    m = pick(db, 'tag:unread')
    mid, tid = m.get_message_id(), m.get_thread_id()
    many = ['many-%03d' % i for i in range(72)]
    assert m.set_tags(many[::-1]) is True
    assert m.get_tags() == many
    assert m.add_tag('many-zzz') is True
    many.append('many-zzz')
    assert m.get_tags() == many
    assert m.set_tags(many[1:]) is True            # the diff reads the 73 current tags
    many = many[1:]
    assert m.get_tags() == many
    db.close()
    assert cli_tags(writable, mid) == many
    again = writable.open(RO)
    assert again.find_message(mid).get_tags() == many
    result, = again.search_messages('id:' + mid)   # its tags are read when it is wrapped
    assert result.get_tags() == many
    thread, = Notmuch.Query.new(again, 'thread:' + tid).search_threads()
    assert set(many) <= set(thread.get_tags())
    assert set(many) <= set(again.get_all_tags())
    again.close()


def test_kept_results_see_every_write(writable):
    """Search results read their tags when wrapped and keep them; the next get_tags() after
    any write (through the message, another object of it, a freeze, tag_messages) is
    fresh."""
    db = writable.open(RW)
    q = Notmuch.Query.new(db, 'tag:inbox')
    q.set_sort(Notmuch.Sort.OLDEST_FIRST)
    a, b, c = list(q.search_messages())[:3]
    before = a.get_tags()
    assert a.get_tags() == before
    other = db.find_message(a.get_message_id())
    assert other.add_tag('via-other') is True
    assert a.get_tags() == byte_sorted(set(before) | {'via-other'})
    assert a.freeze() is True
    assert a.add_tag('frozen') is True
    assert 'frozen' in a.get_tags()
    assert a.thaw() is True
    assert 'frozen' in other.get_tags() and 'via-other' in a.get_tags()
    assert db.tag_messages('id:' + b.get_message_id(), ['bulk'], []) == 1
    assert 'bulk' in b.get_tags()
    assert c.remove_tag('inbox') is True
    assert 'inbox' not in c.get_tags()
    assert a.set_tags(['only']) is True
    assert a.get_tags() == ['only'] and other.get_tags() == ['only']
    db.close()
    assert cli_tags(writable, a.get_message_id()) == ['only']
    assert 'bulk' in cli_tags(writable, b.get_message_id())


def test_remove_all_tags(writable):
    db = writable.open(RW)
    m = pick(db, 'tag:inbox and tag:unread')
    mid = m.get_message_id()
    assert m.remove_all_tags() is True
    assert m.get_tags() == []
    db.close()
    assert cli_tags(writable, mid) == []
    assert cli_count(writable, 'id:%s and tag:inbox' % mid) == 0


@pytest.mark.parametrize('tag', ['', 'x' * 201, 'é' * 101])
def test_invalid_tags(writable, tag):
    db = writable.open(RW)
    m = pick(db)
    mid = m.get_message_id()
    before = m.get_tags()
    for f in (m.add_tag, m.remove_tag):
        with pytest.raises(GLib.Error) as ei:
            f(tag)
        nm_error(ei.value, E.INVALID_TAG)
    with pytest.raises(GLib.Error) as ei:
        db.tag_messages('*', [tag], [])
    nm_error(ei.value, E.INVALID_TAG)
    assert m.get_tags() == before
    db.close()
    assert cli_tags(writable, mid) == before


def test_longest_tags(writable):
    db = writable.open(RW)
    m = pick(db)
    m.add_tag('x' * 200)
    m.add_tag('é' * 100)
    mid = m.get_message_id()
    db.close()
    tags = cli_tags(writable, mid)
    assert 'x' * 200 in tags and 'é' * 100 in tags


def test_freeze_thaw(writable):
    db = writable.open(RW)
    m = pick(db)
    mid = m.get_message_id()
    with pytest.raises(GLib.Error) as ei:
        m.thaw()
    nm_error(ei.value, E.UNBALANCED_FREEZE_THAW)
    assert m.freeze() and m.freeze()
    m.remove_all_tags()
    m.add_tag('frozen-1')
    m.add_tag('frozen-2')
    assert m.thaw()
    assert m.thaw()
    with pytest.raises(GLib.Error) as ei:
        m.thaw()
    nm_error(ei.value, E.UNBALANCED_FREEZE_THAW)
    assert m.get_tags() == ['frozen-1', 'frozen-2']
    db.close()
    assert cli_tags(writable, mid) == ['frozen-1', 'frozen-2']


def test_tag_messages(writable):
    db = writable.open(RW)
    todo = db.count_messages('tag:todo')
    assert todo > 0
    assert db.tag_messages('tag:todo', ['nmglib-bulk'], ['todo']) == todo
    # Committed when it returns: another process sees it while we are still open.
    assert cli_count(writable, 'tag:nmglib-bulk') == todo
    assert cli_count(writable, 'tag:todo') == 0
    # Messages that need no change are not counted.
    assert db.tag_messages('tag:nmglib-bulk', ['nmglib-bulk'], []) == 0
    with pytest.raises(GLib.Error) as ei:
        db.tag_messages('*', ['x'], ['x'])
    nm_error(ei.value, E.ILLEGAL_ARGUMENT)
    assert db.count_messages('tag:x') == 0
    db.close()


def test_tag_messages_syncs_maildir_flags(writable):
    db = writable.open(RW)
    m = pick(db, 'tag:unread and folder:INBOX')
    mid = m.get_message_id()
    assert db.tag_messages('id:' + mid, [], ['unread']) == 1
    files = cli_lines(writable.cli('search', '--output=files', 'id:' + mid))
    assert files and all(f.split(':2,')[1].count('S') == 1 for f in files)
    assert db.find_message(mid).get_filenames() == files
    db.close()


def test_tags_to_maildir_flags(writable):
    db = writable.open(RW)
    m = pick(db, 'folder:INBOX and not tag:flagged')
    mid = m.get_message_id()
    assert not m.has_maildir_flag('F')
    m.add_tag('flagged')
    assert m.tags_to_maildir_flags() is True
    assert m.has_maildir_flag('F')
    assert all('F' in f.split(':2,')[1] for f in m.get_filenames())
    assert all(os.path.exists(f) for f in m.get_filenames())
    db.close()
    assert cli_lines(writable.cli('search', '--output=files', 'id:' + mid)) == \
        Notmuch.Database.open(writable.mail_root, RO).find_message(mid).get_filenames()
    assert 'flagged' in cli_tags(writable, mid)


# -- commit, atomic sections ----------------------------------------------------------------

def test_commit_makes_changes_visible(writable):
    db = writable.open(RW)
    m = pick(db)
    rev_before = db.get_revision()[0]
    m.add_tag('committed')
    assert db.commit() is True
    assert cli_count(writable, 'tag:committed') == 1
    rev, uuid = db.get_revision()
    assert rev > rev_before
    fields = writable.cli('count', '--lastmod', '*').split()
    assert (fields[1], int(fields[2])) == (uuid, rev)
    db.close()


def test_atomic_sections(writable):
    db = writable.open(RW)
    with pytest.raises(GLib.Error) as ei:
        db.end_atomic()
    nm_error(ei.value, E.UNBALANCED_ATOMIC)
    m = pick(db)
    assert db.begin_atomic() and db.begin_atomic()
    m.add_tag('atomic-tag')
    with pytest.raises(GLib.Error) as ei:
        db.commit()
    nm_error(ei.value, E.ILLEGAL_ARGUMENT)
    assert db.end_atomic()
    assert cli_count(writable, 'tag:atomic-tag') == 0       # inner end: not yet
    assert db.end_atomic()
    assert cli_count(writable, 'tag:atomic-tag') == 1       # outermost end commits
    with pytest.raises(GLib.Error) as ei:
        db.end_atomic()
    nm_error(ei.value, E.UNBALANCED_ATOMIC)
    db.close()


def test_close_inside_atomic_discards_only_that_section(writable):
    db = writable.open(RW)
    q = Notmuch.Query.new(db, '*')
    q.set_sort(Notmuch.Sort.OLDEST_FIRST)
    a, b = q.search_messages()[0:2]
    a.add_tag('before-section')
    db.begin_atomic()
    b.add_tag('inside-section')
    db.close()
    assert cli_count(writable, 'tag:before-section') == 1
    assert cli_count(writable, 'tag:inside-section') == 0


def test_reopen(writable):
    db = writable.open(RW)
    mid = pick(db).get_message_id()
    db.find_message(mid).add_tag('before-reopen')
    assert db.reopen(RO)
    assert db.get_mode() == RO
    assert cli_count(writable, 'tag:before-reopen') == 1     # reopen committed
    with pytest.raises(GLib.Error) as ei:
        db.find_message(mid).add_tag('x')
    nm_error(ei.value, E.READ_ONLY_DATABASE)
    assert db.reopen(RW)
    assert db.find_message(mid).add_tag('after-reopen')
    db.close()
    assert {'before-reopen', 'after-reopen'} <= set(cli_tags(writable, mid))


# -- indexing -------------------------------------------------------------------------------

def test_index_new_file(writable):
    db = writable.open(RW)
    total = Notmuch.Query.new(db, '*').count_messages()
    parent = pick(db, 'tag:replied')
    path = write_mail(writable.path('INBOX', 'cur', 'nmglib-new.1:2,S'),
                      'nmglib-new-1@example.net', 'A brand new message',
                      in_reply_to=parent.get_message_id())
    m, duplicate = db.index_file(path, None)
    assert duplicate is False
    assert m.get_message_id() == 'nmglib-new-1@example.net'
    assert m.get_thread_id() == parent.get_thread_id()
    assert m.get_filenames() == [path]
    assert m.get_header('subject') == 'A brand new message'
    assert m.get_date() == 1704103200
    assert m.get_tags() == []                                  # no new.tags applied
    again, duplicate = db.index_file(path, None)
    assert duplicate is True
    assert again.get_message_id() == m.get_message_id()
    db.close()
    assert cli_count(writable, '*') == total + 1
    assert cli_count(writable, 'id:nmglib-new-1@example.net and thread:%s'
                     % parent.get_thread_id()) == 1


def test_index_relative_path_and_duplicate_copy(writable):
    db = writable.open(RW)
    m = next(m for m in Notmuch.Query.new(db, 'folder:INBOX').search_messages()
             if len(m.get_filenames()) == 1)
    src = m.get_filename()
    rel = os.path.join('Sent', 'cur', 'nmglib-copy.1:2,S')
    shutil.copyfile(src, writable.path(rel))
    copy, duplicate = db.index_file(rel, db.get_default_index_options())
    assert duplicate is True
    assert copy.get_message_id() == m.get_message_id()
    assert set(copy.get_filenames()) == {src, writable.path(rel)}
    mid = m.get_message_id()
    db.close()
    files = cli_lines(writable.cli('search', '--output=files', 'id:' + mid))
    assert sorted(files) == sorted([src, writable.path(rel)])


def test_index_bad_files_change_nothing(writable, tmp_path):
    db = writable.open(RW)
    total = db.count_messages('*')
    junk = writable.path('INBOX', 'cur', 'junk')
    with open(junk, 'w') as f:
        f.write('just some text\nwithout any header\n')
    empty = writable.path('INBOX', 'cur', 'empty')
    open(empty, 'w').close()
    binary = writable.path('INBOX', 'cur', 'binary')
    with open(binary, 'wb') as f:
        f.write(bytes(range(256)) * 8)
    for path in (junk, empty, binary):
        with pytest.raises(GLib.Error) as ei:
            db.index_file(path, None)
        assert 'not an email' in nm_error(ei.value, E.FILE_NOT_EMAIL).message
    outside = str(tmp_path / 'outside')
    shutil.copyfile(pick(db).get_filename(), outside)
    for path in (writable.path('INBOX', 'cur', 'missing'), writable.path('INBOX')):
        with pytest.raises(GLib.Error) as ei:
            db.index_file(path, None)
        nm_error(ei.value, E.FILE_ERROR)
    # Outside the root, however it is spelled; nothing is created there either.
    escaping = os.path.relpath(outside, writable.path())
    assert escaping.startswith('..')
    for path in (outside, escaping, writable.path('..', '..', 'outside')):
        with pytest.raises(GLib.Error) as ei:
            db.index_file(path, None)
        assert 'outside the mail root' in nm_error(ei.value, E.PATH_ERROR).message
    assert db.count_messages('*') == total
    db.close()
    assert int(writable.cli('count', '*')) == total


# -- removing -------------------------------------------------------------------------------

def test_remove_message(writable, corpus):
    db = writable.open(RW)
    total = Notmuch.Query.new(db, '*').count_messages()
    # One of the duplicate's two files: the message stays.
    (dup,) = corpus.info['duplicate_ids']
    files = db.find_message(dup).get_filenames()
    assert len(files) == 2
    assert db.remove_message(files[0]) is True
    assert db.find_message(dup).get_filenames() == files[1:]
    # A single-file message nobody replies to: the message goes.
    single = Notmuch.Query.new(db, 'thread:' + corpus.singles[2]).search_messages()[0]
    sid, spath = single.get_message_id(), single.get_filename()
    assert db.remove_message(spath) is False
    assert db.find_message(sid) is None
    # A file that is not indexed: nothing changes.
    assert db.remove_message(writable.path('INBOX', 'cur', 'not-indexed')) is False
    assert Notmuch.Query.new(db, '*').count_messages() == total - 1
    db.close()
    assert cli_count(writable, '*') == total - 1
    assert cli_count(writable, 'id:' + sid) == 0
    assert cli_lines(writable.cli('search', '--output=files', 'id:' + dup)) == files[1:]


# -- configuration and properties -----------------------------------------------------------

def test_set_config(writable):
    db = writable.open(RW)
    assert db.set_config('nmglib.written', 'by the library') is True
    assert db.get_config('nmglib.written') == 'by the library'
    assert db.get_config_list('nmglib.w') == {'nmglib.written': 'by the library'}
    assert db.set_config('nmglib.answer', '') is True
    assert db.get_config('nmglib.answer') is None
    db.close()
    assert writable.cli('config', 'get', 'nmglib.written').strip() == 'by the library'
    assert writable.cli('config', 'get', 'nmglib.answer').strip() == ''
    again = writable.open(RO)
    assert again.get_config('nmglib.written') == 'by the library'
    again.close()


def test_newer_config_keys(writable):
    """index.as_text and the authors separators work on every libnotmuch, also those
    that do not know them."""
    K = Notmuch.ConfigKey
    db = writable.open(RW)
    assert db.get_config_value(K.AUTHORS_SEPARATOR) == ', '
    assert db.get_config_value(K.AUTHORS_MATCHED_SEPARATOR) == '| '
    assert db.get_config_values(K.INDEX_AS_TEXT) == []
    assert db.set_config_value(K.AUTHORS_MATCHED_SEPARATOR, ' + ') is True
    assert db.set_config_value(K.INDEX_AS_TEXT, '^text/') is True
    assert db.get_config('search.authors_matched_separator') == ' + '
    assert db.get_config_values(K.INDEX_AS_TEXT) == ['^text/']
    db.close()
    again = writable.open(RO)
    assert again.get_config_value(K.AUTHORS_MATCHED_SEPARATOR) == ' + '
    assert again.get_config_value(K.AUTHORS_SEPARATOR) == ', '
    assert again.get_config_value(K.INDEX_AS_TEXT) == '^text/'
    again.close()


def test_properties(writable):
    db = writable.open(RW)
    m = pick(db)
    mid = m.get_message_id()
    m.add_property('k', 'v2')
    m.add_property('k', 'v1')
    m.add_property('k', 'v1')
    m.add_property('kk', 'v3')
    assert m.get_property_values('k') == ['v1', 'v2'] or m.get_property_values('k') == ['v2', 'v1']
    assert m.count_properties('k') == 2
    assert m.get_all_properties(None, False) == ['k=v1', 'k=v2', 'kk=v3']
    assert m.get_all_properties('k', True) == ['k=v1', 'k=v2']
    assert m.get_all_properties('k', False) == ['k=v1', 'k=v2', 'kk=v3']
    with pytest.raises(GLib.Error) as ei:
        m.add_property('a=b', 'v')
    nm_error(ei.value, E.ILLEGAL_ARGUMENT)
    m.remove_property('k', 'v2')
    assert m.get_all_properties(None, False) == ['k=v1', 'kk=v3']
    db.close()
    assert cli_count(writable, 'id:%s and property:k=v1' % mid) == 1
    assert cli_count(writable, 'id:%s and property:k=v2' % mid) == 0
    assert cli_count(writable, 'id:%s and property:kk=v3' % mid) == 1


@pytest.mark.parametrize('how', ['remove_property_none', 'remove_all_prefix', 'remove_all'])
def test_remove_properties_persist(writable, how):
    db = writable.open(RW)
    m = pick(db)
    mid = m.get_message_id()
    m.add_property('k', 'v1')
    m.add_property('k', 'v2')
    db.commit()
    assert cli_count(writable, 'id:%s and property:k=v1' % mid) == 1
    if how == 'remove_property_none':
        m.remove_property('k', None)
    elif how == 'remove_all_prefix':
        m.remove_all_properties('k')
    else:
        m.remove_all_properties(None)
    assert m.get_property_values('k') == []
    db.commit()
    fresh = db.find_message(mid).get_property_values('k')
    db.close()
    on_disk = cli_count(writable, 'id:%s and property:k=v1' % mid)
    assert (fresh, on_disk) == ([], 0)
