"""Every read accessor agrees with the notmuch CLI on the generated corpus."""

import collections
import email.utils
import os
import re

import nmcorpus
import pytest
from gi.repository import Notmuch

from nmhelpers import RO, byte_sorted, cli_lines, ids, show_tree

Sort = Notmuch.Sort
Flag = Notmuch.MessageFlag

SORTS = {Sort.NEWEST_FIRST: 'newest-first', Sort.OLDEST_FIRST: 'oldest-first'}
QUERY_KINDS = ['all', 'inbox', 'from', 'date', 'subject', 'deleted', 'todo_or_spam']


@pytest.fixture(scope='session')
def queries(corpus):
    by_id = corpus.info['by_id']
    senders = collections.Counter(m['from_addr'] for m in by_id.values())
    sender = sorted(senders.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    words = collections.Counter()
    for m in by_id.values():
        for w in set(re.findall(r'[a-z]{5,}', m['subject'].lower())):
            words[w] += 1
    # A word found in several subjects, but not in most of them.
    word = sorted((w for w, n in words.items() if 3 <= n <= len(by_id) // 4),
                  key=lambda w: (-words[w], w))[0]
    return {
        'all': '*',
        'inbox': 'tag:inbox',
        'from': 'from:' + sender,
        'date': 'date:2022-01-01..2023-06-30',
        'subject': 'subject:' + word,
        'deleted': 'tag:deleted',
        'todo_or_spam': 'tag:todo or tag:spam',
    }


def lib_tree(messages, depth=0):
    assert depth < 100
    return [(m.get_message_id(), lib_tree(m.get_replies(), depth + 1)) for m in messages]


def addresses(text):
    return sorted(re.findall(r'[\w.+-]+@[\w.-]+\w', text or ''))


# -- counts ---------------------------------------------------------------------------------

@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_counts(db, cli, queries, kind):
    q = queries[kind]
    n_msgs = int(cli('count', q))
    n_threads = int(cli('count', '--output=threads', q))
    n_all = int(cli('count', '--exclude=false', q))
    n_all_threads = int(cli('count', '--output=threads', '--exclude=false', q))
    assert n_all > 0
    assert db.count_messages(q) == n_msgs
    assert db.count_threads(q) == n_threads
    assert len(db.search_messages(q)) == n_msgs
    assert len(db.search_threads(q)) == n_threads
    query = Notmuch.Query.new(db, q)
    assert query.count_messages() == n_all
    assert query.count_threads() == n_all_threads
    assert len(query.search_messages()) == n_all


def test_exclusion_changes_counts(db, cli, corpus):
    # The fixture excluded whole threads and single messages: both counts must differ.
    assert db.count_messages('*') == int(cli('count', '*'))
    assert db.count_messages('*') == (Notmuch.Query.new(db, '*').count_messages()
                                      - len(corpus.excluded_ids))
    assert db.count_threads('*') < Notmuch.Query.new(db, '*').count_threads()


# -- order of results -----------------------------------------------------------------------

@pytest.mark.parametrize('sort', list(SORTS), ids=list(SORTS.values()))
@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_search_threads_order(db, cli, queries, kind, sort):
    q = queries[kind]
    query = Notmuch.Query.new(db, q)
    query.set_sort(sort)
    expected = cli_lines(cli('search', '--output=threads', '--sort=' + SORTS[sort],
                             '--exclude=false', q), 'thread:')
    assert expected
    assert ids(query.search_threads()) == expected


@pytest.mark.parametrize('sort', list(SORTS), ids=list(SORTS.values()))
@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_search_messages_order(db, cli, queries, kind, sort):
    q = queries[kind]
    query = Notmuch.Query.new(db, q)
    query.set_sort(sort)
    expected = cli_lines(cli('search', '--output=messages', '--sort=' + SORTS[sort],
                             '--exclude=false', q), 'id:')
    assert expected
    assert ids(query.search_messages()) == expected


@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_database_shortcuts_are_cli_defaults(db, cli, queries, kind):
    """db.search_* behave like the CLI: newest first, search.exclude_tags excluded."""
    q = queries[kind]
    assert ids(db.search_threads(q)) == cli_lines(cli('search', '--output=threads', q),
                                                  'thread:')
    assert ids(db.search_messages(q)) == cli_lines(cli('search', '--output=messages', q),
                                                   'id:')


def test_shortcuts_hide_excluded_messages(db, corpus):
    seen = set(ids(db.search_messages('*')))
    assert seen and not seen & corpus.excluded_ids
    for m in db.search_messages('*'):
        assert not m.has_tag('deleted') and not m.has_tag('spam')
        assert not m.get_flag(Flag.EXCLUDED)
    # The thread made only of a deleted message is gone; with no exclusion it is there.
    assert corpus.singles[0] not in ids(db.search_threads('*'))
    assert corpus.singles[0] in ids(Notmuch.Query.new(db, '*').search_threads())


def test_explicit_tag_beats_exclusion(db, cli, corpus):
    deleted = corpus.tagged['deleted']
    assert db.count_messages('tag:deleted') == len(deleted) == int(cli('count', 'tag:deleted'))
    assert set(ids(db.search_messages('tag:deleted'))) == set(deleted)
    assert corpus.singles[0] in ids(db.search_threads('tag:deleted'))
    q = Notmuch.Query.new(db, 'tag:spam')
    q.add_tag_exclude('spam')
    q.set_exclude(Notmuch.Exclude.TRUE)
    assert q.count_messages() == len(corpus.tagged['spam'])


# -- threads --------------------------------------------------------------------------------

def check_thread_summary(thread, js, newest):
    assert thread.get_thread_id() == js['thread']
    assert thread.props.thread_id == js['thread']
    assert thread.get_subject() == js['subject']
    assert thread.get_authors() == js['authors']
    assert thread.get_matched_messages() == js['matched']
    assert thread.get_total_messages() == js['total']
    assert thread.get_tags() == js['tags']
    if newest:
        assert thread.get_newest_date() == js['timestamp']
    else:
        assert thread.get_oldest_date() == js['timestamp']
    assert thread.get_oldest_date() <= thread.get_newest_date()
    matched = thread.get_matched_authors()
    unmatched = thread.get_unmatched_authors()
    assert len(set(matched)) == len(matched) and len(set(unmatched)) == len(unmatched)
    rebuilt = ', '.join(matched) + ('| ' + ', '.join(unmatched) if unmatched else '')
    assert rebuilt == thread.get_authors()


@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_thread_summaries_newest_first(db, cli_json, queries, kind):
    q = queries[kind]
    expected = cli_json('search', '--format=json', q)
    threads = list(db.search_threads(q))
    assert len(threads) == len(expected)
    for thread, js in zip(threads, expected):
        check_thread_summary(thread, js, newest=True)


@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_thread_summaries_oldest_first(db, cli_json, queries, kind):
    q = queries[kind]
    expected = cli_json('search', '--format=json', '--sort=oldest-first', q)
    query = Notmuch.Query.new(db, q)
    for tag in db.get_config_values(Notmuch.ConfigKey.EXCLUDE_TAGS):
        query.add_tag_exclude(tag)
    query.set_sort(Sort.OLDEST_FIRST)
    threads = list(query.search_threads())
    assert len(threads) == len(expected)
    for thread, js in zip(threads, expected):
        check_thread_summary(thread, js, newest=False)


def test_unmatched_authors_exist(db, queries):
    # The from: query matches part of multi-author threads: the lists must split.
    assert any(t.get_unmatched_authors() for t in db.search_threads(queries['from']))


def test_thread_messages_and_reply_trees(db, show_index):
    by_thread, flat, _ = show_index
    threads = list(Notmuch.Query.new(db, '*').search_threads())
    assert [t.get_thread_id() for t in threads] == list(by_thread)
    deep = 0
    for thread in threads:
        tree = by_thread[thread.get_thread_id()]
        expected_tree = show_tree(tree)
        assert lib_tree(thread.get_toplevel_messages()) == expected_tree
        members = [m.get_message_id() for m in thread.get_messages()]
        expected_members = sorted((mid for mid, tid in show_index[2].items()
                                   if tid == thread.get_thread_id()),
                                  key=lambda mid: flat[mid]['timestamp'])
        assert members == expected_members          # oldest first
        assert thread.get_total_messages() == len(members)
        assert len(thread.get_messages()) == len(members)
        assert len(thread.get_toplevel_messages()) == len(tree)
        if any(replies for _, replies in expected_tree):
            deep += 1
    assert deep >= 5, 'the corpus should have threads with replies'


def test_thread_match_flags(db, cli_json, queries):
    q = queries['from']
    trees = cli_json('show', '--format=json', '--body=false', '--entire-thread=true',
                     '--exclude=false', q)
    expected = {}

    def walk(node):
        msg, replies = node
        expected[msg['id']] = msg['match']
        for r in replies:
            walk(r)
    for tree in trees:
        for node in tree:
            walk(node)
    seen = {}
    for thread in Notmuch.Query.new(db, q).search_threads():
        for m in thread.get_messages():
            seen[m.get_message_id()] = m.get_flag(Flag.MATCH)
    assert seen == expected
    assert True in seen.values() and False in seen.values()


def test_thread_total_files(db, cli, corpus):
    threads = list(Notmuch.Query.new(db, '*').search_threads())
    assert sum(t.get_total_files() for t in threads) == \
        int(cli('count', '--output=files', '--exclude=false', '*')) == len(corpus.info['files'])
    (dup,) = corpus.info['duplicate_ids']
    (thread,) = [t for t in threads
                 if dup in [m.get_message_id() for m in t.get_messages()]]
    assert thread.get_total_files() == thread.get_total_messages() + 1


# -- messages -------------------------------------------------------------------------------

def check_message(m, js, thread_id):
    mid = js['id']
    assert m.get_message_id() == mid
    assert m.props.message_id == mid
    assert m.get_thread_id() == thread_id
    assert m.get_date() == js['timestamp']
    assert m.props.date == js['timestamp']
    assert m.get_tags() == js['tags']
    assert m.props.tags == js['tags']
    assert m.get_filenames() == js['filename']
    assert m.get_filename() == js['filename'][0]
    assert not m.get_flag(Flag.GHOST)
    headers = js['headers']
    assert m.get_header('Subject') == headers['Subject']
    assert m.get_header('subject') == headers['Subject']
    assert m.get_header('From') == headers['From']
    for name in ('To', 'Cc'):
        if name in headers:
            assert addresses(m.get_header(name)) == addresses(headers[name])
        else:
            assert m.get_header(name) is None
    date = m.get_header('Date')
    assert int(email.utils.parsedate_to_datetime(date).timestamp()) == js['timestamp']
    assert m.get_header('X-No-Such-Header') is None
    for tag in js['tags']:
        assert m.has_tag(tag)
    assert not m.has_tag('no-such-tag')


def test_every_message_by_id(db, show_index, corpus):
    _, flat, thread_of = show_index
    assert set(flat) == corpus.info['notmuch_ids']
    for mid, js in flat.items():
        m = db.find_message(mid)
        assert m is not None, mid
        check_message(m, js, thread_of[mid])


def test_every_message_from_search(db, show_index):
    _, flat, thread_of = show_index
    seen = 0
    for m in Notmuch.Query.new(db, '*').search_messages():
        check_message(m, flat[m.get_message_id()], thread_of[m.get_message_id()])
        seen += 1
    assert seen == len(flat)


def test_message_filenames_match_cli(db, cli, corpus):
    for mid in sorted(corpus.info['notmuch_ids'])[::60]:
        m = db.find_message(mid)
        assert m.get_filenames() == cli_lines(cli('search', '--output=files',
                                                  '--exclude=false', 'id:' + mid))


def test_message_headers_match_generator(db, corpus):
    for mid, exp in corpus.info['by_id'].items():
        m = db.find_message(nmcorpus.notmuch_id(mid))
        assert m.get_date() == exp['date']
        assert m.get_header('subject') == exp['subject']
        assert exp['from_addr'] in m.get_header('from')
        assert sorted(m.get_filenames()) == sorted(exp['files'])


def test_find_message_by_filename(db, corpus):
    for path in corpus.info['files'][::23]:
        m = db.find_message_by_filename(path)
        assert m is not None and path in m.get_filenames()
        rel = os.path.relpath(path, corpus.mail_root)
        assert db.find_message_by_filename(rel).get_message_id() == m.get_message_id()
    assert db.find_message_by_filename(os.path.join(corpus.mail_root, 'INBOX/cur/nope')) is None


def test_duplicate_message_id(db, cli, corpus):
    (dup,) = corpus.info['duplicate_ids']
    m = db.find_message(dup)
    files = cli_lines(cli('search', '--output=files', '--exclude=false', 'id:' + dup))
    assert len(files) == 2
    assert m.get_filenames() == files
    assert m.get_filename() == files[0]
    assert set(files) == set(corpus.info['by_id'][dup]['files'])
    for f in files:
        assert db.find_message_by_filename(f).get_message_id() == dup
    assert db.count_messages('id:' + dup) == 1


def test_ghost_messages(db, cli, corpus):
    assert corpus.info['ghost_ids']
    for gid in corpus.info['ghost_ids']:
        assert cli('search', '--output=messages', '--exclude=false', 'id:' + gid) == ''
        m = db.find_message(gid)
        assert m is not None, gid
        assert m.get_message_id() == gid
        assert m.get_flag(Flag.GHOST)
        assert m.get_filename() is None
        assert m.props.filename is None
        assert m.get_filenames() == []
        assert m.get_date() == 0
        assert m.get_tags() == []
        # A ghost belongs to the thread of the messages that reference it.
        tid = m.get_thread_id()
        assert tid and int(cli('count', '--exclude=false', 'thread:' + tid)) >= 1


def test_unknown_message(db):
    assert db.find_message('no-such-message@example.invalid') is None
    assert db.find_message('') is None


def test_replies_of_message_not_from_a_thread_is_empty(db):
    m = db.search_messages('*')[0]
    assert len(m.get_replies()) == 0
    assert list(m.get_replies()) == []


# -- tags -----------------------------------------------------------------------------------

def test_get_all_tags(db, cli):
    tags = db.get_all_tags()
    assert tags == cli_lines(cli('search', '--output=tags', '--exclude=false', '*'))
    assert tags == byte_sorted(set(tags))
    for t in ('Zeta', 'ünïcode', 'deleted', 'spam', 'todo', 'inbox'):
        assert t in tags
    assert tags.index('Zeta') < tags.index('attachment') < tags.index('ünïcode')


@pytest.mark.parametrize('kind', QUERY_KINDS)
def test_collect_tags(db, cli, queries, kind):
    q = queries[kind]
    # `notmuch search --output=tags '*'` special-cases "*" to list every tag of the
    # database, ignoring exclusion; `path:**` matches the same messages without that.
    oracle = 'path:**' if q == '*' else q
    assert db.search_messages(q).collect_tags() == cli_lines(cli('search', '--output=tags',
                                                                 oracle))
    full = Notmuch.Query.new(db, q).search_messages()
    expected = cli_lines(cli('search', '--output=tags', '--exclude=false', q))
    assert full.collect_tags() == expected
    assert expected == byte_sorted({t for m in full for t in m.get_tags()})


def test_thread_tags_are_union(db):
    for thread in Notmuch.Query.new(db, '*').search_threads():
        union = byte_sorted({t for m in thread.get_messages() for t in m.get_tags()})
        assert thread.get_tags() == union
        assert thread.get_messages().collect_tags() == union


# -- database -------------------------------------------------------------------------------

def test_database_info(db, cli, corpus):
    assert db.get_path() == corpus.mail_root
    assert db.props.path == corpus.mail_root
    assert db.get_mode() == RO
    assert db.props.mode == RO
    assert db.get_version() == db.props.version
    assert db.get_version() >= 3
    assert db.needs_upgrade() is False
    assert db.get_lock_timeout() == 0
    revision, uuid = db.get_revision()
    fields = cli('count', '--lastmod', '*').split()
    assert uuid == fields[1]
    assert revision == int(fields[2])
    assert revision > 0


def test_config(db, cli, corpus):
    assert db.get_config('nmglib.answer') == '42' == cli('config', 'get', 'nmglib.answer').strip()
    assert db.get_config('nmglib.list') == 'a;b;c'
    assert db.get_config('user.name') == 'Test User' == cli('config', 'get', 'user.name').strip()
    assert db.get_config('user.primary_email') == 'test@example.org'
    assert db.get_config('no.such.key') is None
    excl = db.get_config('search.exclude_tags')
    assert [t for t in excl.split(';') if t] == cli_lines(cli('config', 'get',
                                                              'search.exclude_tags'))
    assert db.get_config_values(Notmuch.ConfigKey.EXCLUDE_TAGS) == ['deleted', 'spam']
    assert db.get_config_values(Notmuch.ConfigKey.NEW_TAGS) == ['unread', 'inbox']
    assert db.get_config_value(Notmuch.ConfigKey.USER_NAME) == 'Test User'
    assert db.get_config_value(Notmuch.ConfigKey.MAIL_ROOT) == corpus.mail_root
    assert db.get_config_bool(Notmuch.ConfigKey.SYNC_MAILDIR_FLAGS) is True


def test_config_list(db, cli, corpus):
    listed = dict(line.split('=', 1) for line in cli_lines(cli('config', 'list')))
    from_cli = {k: v for k, v in listed.items() if k.startswith('nmglib.')}
    assert from_cli == corpus.db_config
    assert db.get_config_list('nmglib') == corpus.db_config
    assert db.get_config_list('nmglib.ans') == {'nmglib.answer': '42'}
    assert db.get_config_list('no.such.prefix') == {}
    everything = db.get_config_list('')
    assert everything == db.get_config_list(None)
    assert corpus.db_config.items() <= everything.items()
    # Only what the database stores: keys of the config file are not listed.
    assert 'user.name' not in everything


def test_directory(db, cli, corpus):
    files = cli_lines(cli('search', '--output=files', '--exclude=false', 'folder:INBOX'))
    cur = os.path.join(corpus.mail_root, 'INBOX', 'cur')
    expected = sorted(os.path.basename(f) for f in files if os.path.dirname(f) == cur)
    assert expected
    d = db.get_directory('INBOX/cur')
    assert d.get_path() == 'INBOX/cur'
    assert sorted(d.get_child_files()) == expected
    assert sorted(db.get_directory(cur).get_child_files()) == expected
    assert sorted(db.get_directory('INBOX').get_child_directories()) == ['cur', 'new']
    assert db.get_directory('no/such/dir') is None
