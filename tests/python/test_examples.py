"""The write-path examples, examples/python/index.py and tag.py, against the notmuch CLI.

Each test builds two identical mail trees with their own configuration, lets the example
work on one and the CLI (`notmuch new`, `notmuch tag`) on the other, and compares what the
two databases hold: `notmuch dump`, every message's files and tags, the threads.  The
examples run as separate programs, as a user runs them, with this process's environment
(typelib path, sanitizer runtime) and NOTMUCH_CONFIG naming their tree's configuration.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from nmhelpers import run_cli

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, '..', '..', 'examples', 'python'))
INDEX_PY = os.path.join(EXAMPLES, 'index.py')
TAG_PY = os.path.join(EXAMPLES, 'tag.py')
NMCORPUS = os.environ.get('NMCORPUS') or os.path.join(os.path.dirname(HERE), 'nmcorpus.py')

# What `notmuch new` prints, and what index.py prints (see the header of index.py).
NOTMUCH_NEW_COUNTS = {
    'files': r'Processed (\d+) (?:file|total files)',
    'added': r'Added (\d+) new messages?',
    'removed': r'Removed (\d+) messages?',
    'renamed': r'Detected (\d+) file renames?',
}
INDEX_PY_COUNTS = {
    'files': r'Processed (\d+) files?:',
    'added': r'(\d+) new messages?,',
    'duplicates': r'(\d+) duplicates?,',
    'not_mail': r'(\d+) not mail,',
    'vanished': r'(\d+) vanished\.',
    'removed': r'Removed (\d+) messages?',
    'removed_dirs': r'and (\d+) director(?:y|ies);',
    'renamed': r'detected (\d+) renames?\.',
    'unchanged_dirs': r'Skipped (\d+) unchanged director',
}


def wait_for_next_second():
    """Sleep into the next second of the clock.

    Indexers store a directory's mtime only when it is not the current second (mail could
    still arrive within it), and a directory changed after this wait gets an mtime newer
    than any stored before it.  The margin covers the file system's coarser clock.
    """
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.05)


def generate_corpus(outdir, messages, seed):
    """Run the generator as a program: under valgrind this process is slow, children not."""
    subprocess.run([sys.executable, NMCORPUS, outdir, '--messages', str(messages),
                    '--seed', str(seed)], check=True, capture_output=True, text=True)
    return os.path.join(outdir, 'mail')


def parse_counts(patterns, text, required):
    counts = {}
    for key, pattern in patterns.items():
        match = re.search(pattern, text)
        assert match or not required, 'no %r in:\n%s' % (pattern, text)
        counts[key] = int(match.group(1)) if match else 0
    return counts


class Tree:
    """A mail tree BASE/mail with its configuration BASE/notmuch-config."""

    def __init__(self, base):
        self.base = base
        self.mail_root = os.path.join(base, 'mail')
        self.config = os.path.join(base, 'notmuch-config')

    def path(self, relative):
        return os.path.join(self.mail_root, relative)

    def cli(self, *args):
        return run_cli(self.config, *args).stdout

    def example(self, script, *args, expect_rc=0):
        env = dict(os.environ, NOTMUCH_CONFIG=self.config)
        proc = subprocess.run([sys.executable, script, *args], env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == expect_rc, (
            '%s %s: rc %d\nstdout: %s\nstderr: %s' % (os.path.basename(script), ' '.join(args),
                                                     proc.returncode, proc.stdout, proc.stderr))
        return proc

    def notmuch_new(self):
        return parse_counts(NOTMUCH_NEW_COUNTS, self.cli('new'), required=False)

    def index_py(self, *args):
        return parse_counts(INDEX_PY_COUNTS, self.example(INDEX_PY, *args).stdout,
                            required=True)

    def relative(self, path):
        assert path.startswith(self.mail_root + os.sep), path
        return path[len(self.mail_root) + 1:]

    def tags_by_id(self):
        """{message id: set of tags} from `notmuch dump`."""
        tags = {}
        for line in self.cli('dump', '--include=tags').splitlines():
            if line.startswith('#'):
                continue
            ops, _, query = line.rpartition(' -- ')
            assert query.startswith('id:'), line
            tags[query[3:]] = {op[1:] for op in ops.split()}
        return tags

    def files(self):
        """Every indexed file, relative to the mail root, sorted."""
        return sorted(self.relative(f) for f in
                      self.cli('search', '--output=files', '--exclude=false', '*').split('\n')
                      if f)

    def snapshot(self):
        """What the database holds, with file names relative to the mail root."""
        messages = {}
        threads = set()

        def walk(node, members):
            message, replies = node
            messages[message['id']] = (sorted(message['tags']),
                                       sorted(self.relative(f) for f in message['filename']))
            members.append(message['id'])
            for reply in replies:
                walk(reply, members)

        for thread in json.loads(self.cli('show', '--format=json', '--body=false',
                                          '--entire-thread=true', '--exclude=false', '*')):
            members = []
            for node in thread:
                walk(node, members)
            threads.add(frozenset(members))
        return {
            'dump': sorted(self.cli('dump').splitlines()),
            'files': self.files(),
            'messages': messages,
            'threads': threads,
        }


def copy_tree(source, dest):
    """A copy of the tree *source* (mail hard-linked, index copied) configured for itself."""
    def link_mail(src, dst):
        if os.sep + '.notmuch' + os.sep in src:
            return shutil.copy2(src, dst)
        os.link(src, dst)
        return dst

    shutil.copytree(source.mail_root, os.path.join(dest, 'mail'), symlinks=True,
                    copy_function=link_mail)
    tree = Tree(dest)
    with open(source.config, encoding='utf-8') as f:
        text = f.read()
    assert source.mail_root in text
    with open(tree.config, 'w', encoding='utf-8') as f:
        f.write(text.replace(source.mail_root, tree.mail_root))
    return tree


def write_file(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def read_file(path):
    with open(path, 'rb') as f:
        return f.read()


# -- index.py ---------------------------------------------------------------------------------

NEW_TAGS = ['unread', 'inbox', 'fresh']
# A plain name ignored anywhere, and a regex on the path relative to the mail root.
NEW_IGNORE = ['.mbsyncstate', '/^archive/2019$/']


@pytest.fixture(scope='module')
def index_source(tmp_path_factory):
    """A mail tree to index (never indexed itself), and mail to add to it later.

    Besides the generated maildirs it holds what notmuch new's rules are about: ignored
    names, a file in a maildir's tmp/ (skipped), a Maildir++ folder whose name starts with
    a dot (indexed), a directory that is not a maildir, with a tmp/ subdirectory (indexed)
    and a file that is not mail.
    """
    base = str(tmp_path_factory.mktemp('index-source'))
    source = Tree(os.path.join(base, 'tree'))
    generate_corpus(source.base, 300, 5)
    spare_root = generate_corpus(os.path.join(base, 'spare'), 40, 6)
    # Without the second copy of the generator's duplicate message: byte-identical.
    spare = list(dict.fromkeys(read_file(os.path.join(d, name))
                               for d, _, names in sorted(os.walk(spare_root))
                               for name in sorted(names)))
    assert len(spare) == 39

    with open(source.config, encoding='utf-8') as f:
        config = f.read()
    config = re.sub(r'(?m)^tags=.*$', 'tags=' + ';'.join(NEW_TAGS), config)
    config = re.sub(r'(?m)^ignore=.*$', 'ignore=' + ';'.join(NEW_IGNORE), config)
    with open(source.config, 'w', encoding='utf-8') as f:
        f.write(config)
    assert os.path.isdir(source.path('archive/2019/cur'))

    extras = {
        'INBOX/.mbsyncstate': b'not mail, and ignored\n',
        'lists/devel/cur/.mbsyncstate': b'not mail, and ignored\n',
        'INBOX/tmp/1700000000.P1Q1.host': spare.pop(),
        '.Drafts/cur/1700000001.P2Q2.host:2,DS': spare.pop(),
        '.Drafts/new/1700000002.P3Q3.host': spare.pop(),
        'plain/message-1': spare.pop(),
        'plain/tmp/message-2': spare.pop(),
        'plain/notes.txt': b'Shopping list: bread, milk.\n',
    }
    for relative, data in extras.items():
        write_file(source.path(relative), data)
    os.makedirs(source.path('.Drafts/tmp'))
    return source, spare


@pytest.fixture(scope='module')
def indexed(index_source, tmp_path_factory):
    """The source tree indexed by `notmuch new` (trees['cli']) and by index.py
    (trees['lib']), and index.py run again on the unchanged tree, twice."""
    source, spare = index_source
    base = str(tmp_path_factory.mktemp('indexed'))
    trees = {name: copy_tree(source, os.path.join(base, name)) for name in ('cli', 'lib')}
    # Directories created less than a second ago keep being read again: a file could still
    # arrive within that second.  Wait, so that the first run records every directory.
    wait_for_next_second()
    runs = {
        'cli': trees['cli'].notmuch_new(),
        'lib': trees['lib'].index_py(trees['lib'].mail_root),   # creates the database
    }
    # Creating the database changed the mail root's mtime during the first run's second.
    wait_for_next_second()
    runs['again'] = trees['lib'].index_py()          # the database from NOTMUCH_CONFIG
    runs['third'] = trees['lib'].index_py()
    return trees, runs, spare


def test_index_py_builds_what_notmuch_new_builds(indexed):
    trees, runs, _ = indexed
    lib, cli = trees['lib'].snapshot(), trees['cli'].snapshot()
    assert lib['files'] == cli['files']
    assert lib['messages'] == cli['messages']
    assert lib['dump'] == cli['dump']
    assert lib['threads'] == cli['threads']
    for key in ('files', 'added'):
        assert runs['lib'][key] == runs['cli'][key], key
    assert runs['lib']['files'] == runs['lib']['added'] + runs['lib']['duplicates'] + 1
    assert runs['lib']['not_mail'] == 1                    # plain/notes.txt
    assert runs['lib']['duplicates'] == 1                  # the corpus's duplicate Message-ID
    assert runs['lib']['added'] == len(lib['messages'])

    # The rules were applied, not merely applied alike.
    files = lib['files']
    assert len(files) == runs['lib']['added'] + 1
    assert not [f for f in files if f.startswith(('archive/2019/', 'INBOX/tmp/'))]
    assert not [f for f in files if 'mbsyncstate' in f]
    for f in ('.Drafts/cur/1700000001.P2Q2.host:2,DS', '.Drafts/new/1700000002.P3Q3.host',
              'plain/message-1', 'plain/tmp/message-2'):
        assert f in files
    tags = [set(t) for t, _ in lib['messages'].values()]
    assert all({'inbox', 'fresh'} <= t for t in tags)
    draft_tags, _ = next(m for m in lib['messages'].values() if '.Drafts/cur' in m[1][0])
    assert 'draft' in draft_tags and 'unread' not in draft_tags     # flags D and S
    assert any('unread' in t for t in tags) and any('unread' not in t for t in tags)


def test_index_py_second_run_indexes_nothing(indexed):
    trees, runs, _ = indexed
    for run in ('again', 'third'):
        assert {key: runs[run][key] for key in
                ('files', 'added', 'duplicates', 'removed', 'renamed', 'removed_dirs')} == \
            dict.fromkeys(('files', 'added', 'duplicates', 'removed', 'renamed', 'removed_dirs'),
                          0), run
    # In the third run every directory the index has a record of is unchanged, and its files
    # are not read again.
    recorded = recorded_directories(trees['lib'].files())
    assert runs['third']['unchanged_dirs'] == len(recorded)
    assert runs['again']['unchanged_dirs'] >= len(recorded) - 1


def recorded_directories(files):
    """The directories the index has a record of: those where mail was indexed, and the
    directories above them up to the mail root ('')."""
    recorded = {''}
    for f in files:
        directory = os.path.dirname(f)
        while directory:
            recorded.add(directory)
            directory = os.path.dirname(directory)
    return recorded


def one_file_messages(snapshot, folder):
    """Files of *folder* whose message has no other file, in byte order."""
    return sorted((files[0] for _, files in snapshot['messages'].values()
                   if len(files) == 1 and files[0].startswith(folder + '/')),
                  key=os.fsencode)


def plan_changes(snapshot, spare):
    """The changes to make to both trees, as (operation, arguments) in order, and the
    message ids whose fate the test checks."""
    by_file = {files[0]: mid for mid, (_, files) in snapshot['messages'].items()
               if len(files) == 1}
    inbox_seen = [f for f in one_file_messages(snapshot, 'INBOX/cur') if f.endswith(':2,S')]
    inbox_new = one_file_messages(snapshot, 'INBOX/new')
    sent = one_file_messages(snapshot, 'Sent/cur')
    users = one_file_messages(snapshot, 'lists/users/cur')
    duplicate = [(mid, files) for mid, (_, files) in snapshot['messages'].items()
                 if len(files) == 2]
    assert len(inbox_seen) >= 2 and inbox_new and sent and len(users) >= 3
    assert len(duplicate) == 1 and len(spare) >= 8
    dup_id, dup_files = duplicate[0]
    dup_gone = next(f for f in dup_files if not f.startswith('INBOX/'))

    replied = inbox_seen[0]
    unseen = inbox_seen[1]
    read_new = inbox_new[0]
    moved = sent[0]
    operations = [
        ('rename', replied, replied[:-len('S')] + 'RS'),      # marked replied
        ('rename', unseen, unseen[:-len('S')]),               # marked unread again
        ('rename', read_new, 'INBOX/cur/%s:2,S' % os.path.basename(read_new)),
        ('rename', moved, 'archive/2020/cur/' + os.path.basename(moved)),
        ('delete', users[0]),
        ('delete', users[1]),
        ('delete', users[2]),
        ('delete', dup_gone),
        ('rmtree', 'lists/announce'),
        ('rmtree', 'plain/tmp'),
        ('write', 'INBOX/new/1800000000.P1Q1.host', spare[0]),
        ('write', 'INBOX/new/1800000001.P1Q2.host', spare[1]),
        ('write', 'lists/devel/cur/1800000002.P1Q3.host:2,FS', spare[2]),
        ('write', 'projects/cur/1800000003.P1Q4.host:2,S', spare[3]),
        ('write', 'projects/new/1800000004.P1Q5.host', spare[4]),
        ('write', 'projects/new/1800000005.P1Q6.host', spare[4]),   # a second copy
        ('mkdir', 'projects/tmp'),
        ('write', '.Drafts/cur/1800000006.P1Q7.host:2,D', spare[5]),
        ('write', 'INBOX/cur/not-mail.txt', b'Just text.\n'),
    ]
    fates = {
        'replied': by_file[replied],
        'unseen': by_file[unseen],
        'read_new': by_file[read_new],
        'moved': by_file[moved],
        'deleted': [by_file[f] for f in users[:3]],
        'duplicate': dup_id,
    }
    return operations, fates


def apply_changes(tree, operations):
    for operation, *args in operations:
        if operation == 'rename':
            source, dest = map(tree.path, args)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.rename(source, dest)
        elif operation == 'delete':
            os.unlink(tree.path(args[0]))
        elif operation == 'rmtree':
            shutil.rmtree(tree.path(args[0]))
        elif operation == 'write':
            write_file(tree.path(args[0]), args[1])
        elif operation == 'mkdir':
            os.makedirs(tree.path(args[0]))
        else:
            raise ValueError(operation)


@pytest.fixture(scope='module')
def changed(indexed):
    """Both trees after renames, moves, deletions and new mail, brought up to date by
    `notmuch new` and by index.py, and index.py run once more."""
    trees, _, spare = indexed
    before = trees['cli'].snapshot()
    operations, fates = plan_changes(before, spare)
    for tree in trees.values():
        # A tag no maildir flag stands for: it must survive the move of the message's file.
        tree.cli('tag', '+kept', '--', 'id:' + fates['moved'])
    # Changes made within the second of the last scan might leave a directory's mtime equal
    # to the one stored; waiting makes every changed directory look changed.
    wait_for_next_second()
    for tree in trees.values():
        apply_changes(tree, operations)
    wait_for_next_second()
    runs = {'cli': trees['cli'].notmuch_new(), 'lib': trees['lib'].index_py()}
    runs['again'] = trees['lib'].index_py()
    return trees, runs, before, fates


def test_index_py_follows_changes_like_notmuch_new(changed):
    trees, runs, before, fates = changed
    lib, cli = trees['lib'].snapshot(), trees['cli'].snapshot()
    assert lib['files'] == cli['files']
    assert lib['messages'] == cli['messages']
    assert lib['dump'] == cli['dump']
    assert lib['threads'] == cli['threads']
    for key in ('files', 'added', 'removed', 'renamed'):
        assert runs['lib'][key] == runs['cli'][key], key

    # The changes were seen, not merely seen alike.
    messages = lib['messages']
    # lists/announce with what it held, and plain/tmp
    assert runs['lib']['removed_dirs'] == len(
        {d for d in recorded_directories(before['files'])
         if d == 'lists/announce' or d.startswith('lists/announce/')} | {'plain/tmp'})
    assert runs['lib']['removed_dirs'] >= 3
    # INBOX/cur/not-mail.txt, and plain/notes.txt again: plain/ changed (its tmp/ is gone)
    assert runs['lib']['not_mail'] == 2
    assert runs['lib']['added'] == 6
    assert runs['lib']['duplicates'] == 1 + 4              # a second copy, 4 renamed files
    assert runs['lib']['renamed'] == 4 + 1                 # the same 4, a duplicate's copy gone
    assert len(messages) == len(before['messages']) + 6 - runs['lib']['removed']
    assert not [f for f in lib['files'] if f.startswith(('lists/announce/', 'plain/tmp/'))]

    def tags(name):
        return set(messages[fates[name]][0])

    def files(name):
        return messages[fates[name]][1]

    assert 'replied' in tags('replied') and 'unread' not in tags('replied')
    assert files('replied')[0].endswith(':2,RS')
    assert 'unread' in tags('unseen')
    assert 'unread' not in tags('read_new') and files('read_new')[0].startswith('INBOX/cur/')
    assert set(before['messages'][fates['moved']][0]) | {'kept'} == tags('moved')
    assert files('moved')[0].startswith('archive/2020/cur/')
    assert len(files('duplicate')) == 1 and files('duplicate')[0].startswith('INBOX/')
    assert not set(fates['deleted']) & set(messages)
    new_ones = [t for t, f in messages.values() if f[0].startswith('projects/')]
    assert len(new_ones) == 2 and all('fresh' in t for t in new_ones)


def test_index_py_after_changes_indexes_nothing(changed):
    trees, runs, _, _ = changed
    again = runs['again']
    assert (again['files'], again['added'], again['removed'], again['renamed'],
            again['removed_dirs']) == (0, 0, 0, 0, 0)
    assert again['unchanged_dirs'] > 0


def test_index_py_refuses_a_tree_outside_the_mail_root(indexed, tmp_path):
    trees, _, _ = indexed
    proc = trees['lib'].example(INDEX_PY, '--database', trees['lib'].mail_root, str(tmp_path),
                                expect_rc=1)
    assert 'outside the mail root' in proc.stderr


# -- tag.py -----------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def tag_source(tmp_path_factory):
    """A 5,000-message corpus indexed by `notmuch new`."""
    source = Tree(str(tmp_path_factory.mktemp('tag-source')))
    generate_corpus(source.base, 5000, 7)
    source.cli('new', '--quiet')
    return source


@pytest.fixture
def tag_trees(tag_source, tmp_path):
    return {name: copy_tree(tag_source, str(tmp_path / name)) for name in ('cli', 'lib')}


def changed_messages(before, after):
    return sum(1 for mid in before.keys() | after.keys()
               if before.get(mid, set()) != after.get(mid, set()))


@pytest.mark.parametrize('arguments', [
    ['+bulk', '-inbox', '--', 'date:2020..2021'],
    # Flag sync: removing unread renames files to carry S, adding it renames them back.
    ['-unread', '--', 'tag:unread', 'and', 'from:example.org'],
    ['+unread', '-replied', '--', 'tag:replied or tag:flagged'],
    ['-flagged', '*'],                       # "*" alone is special to notmuch's parser
    # No "--"; a tag with a space and a quote; the last operation on a tag wins.
    ['+a b"c', '-x', '+x', '+todo', '-todo', 'tag:flagged', 'and', 'not', 'tag:replied'],
    ['+nothing', '--', 'from:nobody-at-all.invalid'],
    # Excluded tags do not narrow the query: messages already tagged spam stay matched.
    ['+spam', '--', 'date:2019'],
], ids=['bulk', 'read', 'unread', 'all', 'odd-tags', 'no-match', 'excluded'])
def test_tag_py_tags_like_notmuch_tag(tag_trees, arguments):
    lib, cli = tag_trees['lib'], tag_trees['cli']
    if arguments[0] == '+spam':
        for tree in tag_trees.values():
            tree.cli('tag', '+spam', '--', 'date:2019-06')
    before = cli.tags_by_id()
    cli.cli('tag', *arguments)
    proc = lib.example(TAG_PY, *arguments)
    after = cli.tags_by_id()
    assert lib.tags_by_id() == after
    assert sorted(lib.cli('dump').splitlines()) == sorted(cli.cli('dump').splitlines())
    assert lib.files() == cli.files()
    changed_count = changed_messages(before, after)
    assert proc.stdout == 'Changed %d message%s.\n' % (changed_count,
                                                       '' if changed_count == 1 else 's')
    if arguments[0] != '+nothing':
        assert changed_count > 0


def test_tag_py_database_option(tag_trees):
    lib = tag_trees['lib']
    proc = lib.example(TAG_PY, '--database', lib.mail_root, '+picked', '--',
                       'date:2024-01-01..2024-01-31')
    expected = int(lib.cli('count', '--exclude=false', 'tag:picked'))
    assert expected > 0
    assert proc.stdout == 'Changed %d messages.\n' % expected


@pytest.mark.parametrize('arguments, message', [
    (['--', 'tag:inbox'], 'at least one tag'),
    (['+x'], 'at least one search term'),
    (['+x', '--'], 'at least one search term'),
    (['+', 'tag:inbox'], 'empty tag'),
    (['+-x', 'tag:inbox'], "starting with '-'"),
    (['--database'], 'needs a PATH'),
])
def test_tag_py_usage_errors(tag_trees, arguments, message):
    lib = tag_trees['lib']
    before = lib.cli('dump')
    proc = lib.example(TAG_PY, *arguments, expect_rc=2)
    assert message in proc.stderr
    assert lib.cli('dump') == before


def test_tag_py_reports_a_bad_query(tag_trees):
    proc = tag_trees['lib'].example(TAG_PY, '+x', '--', 'date:garbage..', expect_rc=1)
    assert proc.stderr.startswith('tag.py: error: ')
