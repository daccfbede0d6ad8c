"""Self-checks for the test-mail generator tests/nmcorpus.py.

Run with ``/usr/bin/python3 -m pytest tests/test_nmcorpus.py``.  The
notmuch checks run when the notmuch CLI is available ($NOTMUCH or on PATH).
"""

import collections
import email
import email.policy
import email.utils
import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
NMCORPUS = os.environ.get('NMCORPUS') or os.path.join(HERE, 'nmcorpus.py')
sys.path.insert(0, os.path.dirname(os.path.abspath(NMCORPUS)))

import nmcorpus  # noqa: E402

NOTMUCH = os.environ.get('NOTMUCH') or shutil.which('notmuch')
needs_notmuch = pytest.mark.skipif(NOTMUCH is None,
                                   reason='notmuch CLI not available')


def tree_bytes(root):
    """{relative path: content} of every file below *root*."""
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def maildir_flags(path):
    """(in_new, flags) from a maildir file name."""
    name = os.path.basename(path)
    if os.path.basename(os.path.dirname(path)) == 'new':
        return True, ''
    return False, name.split(':2,', 1)[1]


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    return nmcorpus.generate(str(tmp_path_factory.mktemp('c200')), 200, 1)


# -- generator alone --------------------------------------------------------

def test_deterministic(tmp_path):
    a = nmcorpus.generate(str(tmp_path / 'a'), 300, 7)
    b = nmcorpus.generate(str(tmp_path / 'b'), 300, 7)
    ta, tb = tree_bytes(a['mail_root']), tree_bytes(b['mail_root'])
    assert len(ta) == 300
    assert ta == tb
    assert a['threads'] == b['threads']
    assert a['thread_members'] == b['thread_members']
    c = nmcorpus.generate(str(tmp_path / 'c'), 300, 8)
    assert tree_bytes(c['mail_root']) != ta


def test_deterministic_across_processes(tmp_path):
    """No dependence on hash randomisation: same output in a fresh
    interpreter with a different PYTHONHASHSEED, through the CLI."""
    nmcorpus.generate(str(tmp_path / 'a'), 120, 3)
    env = dict(os.environ, PYTHONHASHSEED='12345')
    r = subprocess.run([sys.executable, NMCORPUS, str(tmp_path / 'b'),
                        '--messages', '120', '--seed', '3'],
                       env=env, capture_output=True, text=True, check=True)
    assert r.stdout.count('\n') == 1 and '120 files' in r.stdout
    assert tree_bytes(str(tmp_path / 'a' / 'mail')) == \
        tree_bytes(str(tmp_path / 'b' / 'mail'))


def test_cli_help():
    r = subprocess.run([sys.executable, NMCORPUS, '--help'],
                       capture_output=True, text=True)
    assert r.returncode == 0 and '--messages' in r.stdout


def test_refuses_non_empty_mail_dir(tmp_path):
    nmcorpus.generate(str(tmp_path), 5, 1)
    with pytest.raises(FileExistsError):
        nmcorpus.generate(str(tmp_path), 5, 1)


def test_shape(corpus):
    files = corpus['files']
    assert len(files) == 200 and len(set(files)) == 200
    assert all(os.path.isfile(p) for p in files)
    assert len(corpus['message_ids']) == 199
    assert len(corpus['duplicate_ids']) == 1
    assert corpus['ghost_ids'] and not (corpus['ghost_ids']
                                        & corpus['message_ids'])
    assert sorted(len(i) for i in corpus['long_ids']) == [120, 230]
    assert set(corpus['by_id']) == corpus['message_ids']
    assert sum(len(g) for g in corpus['thread_members']) == 199

    per_dir = collections.Counter(os.path.dirname(p) for p in files)
    assert max(per_dir.values()) <= 5000
    folders = {os.path.relpath(os.path.dirname(os.path.dirname(p)),
                               corpus['mail_root']) for p in files}
    assert {'INBOX', 'Sent', 'lists/devel'} <= folders
    flagsets = collections.Counter(maildir_flags(p) for p in files)
    assert (True, '') in flagsets
    for fl in ('', 'S', 'RS', 'FS', 'F', 'PS'):
        assert (False, fl) in flagsets, fl

    dates, kinds, sizes = set(), collections.Counter(), collections.Counter()
    for g in corpus['thread_members']:
        sizes[min(len(g), 3)] += 1
    assert sizes[1] and sizes[2] and sizes[3]
    seen = {}
    for p in files:
        with open(p, 'rb') as f:
            raw = f.read()
        head = raw.split(b'\n\n', 1)[0]
        assert head.isascii(), p               # headers are RFC 2047 encoded
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():                # well-formed MIME
            assert not part.defects, (p, part.defects)
        mid = msg['Message-ID'].strip()[1:-1]
        assert mid in corpus['message_ids']
        if mid in seen:                        # the duplicate: same bytes
            assert raw == seen[mid]
            continue
        seen[mid] = raw
        info = corpus['by_id'][mid]
        t = email.utils.parsedate_to_datetime(msg['Date']).timestamp()
        assert t == info['date']
        dates.add(t)
        assert str(msg['Subject']) == info['subject']
        assert msg['From'].addresses[0].addr_spec == info['from_addr']
        if info['parent'] is not None:
            assert info['parent'] in msg['References']
            if info['parent'] in corpus['message_ids']:
                assert corpus['by_id'][info['parent']]['date'] < info['date']
        kinds[msg.get_content_type()] += 1
        kinds['encoded-from'] += b'From: =?UTF-8?' in head
        kinds['encoded-subject'] += b'Subject: =?UTF-8?' in head \
            or b'Subject: Re: =?UTF-8?' in head
        kinds['list'] += msg['List-Id'] is not None
        kinds['no-irt'] += (msg['References'] is not None
                            and msg['In-Reply-To'] is None)
        kinds['qp'] += b'quoted-printable' in raw
        kinds['base64'] += b'Content-Transfer-Encoding: base64' in raw
    assert len(dates) == 199                   # every Date distinct
    for k in ('text/plain', 'multipart/alternative', 'multipart/mixed',
              'encoded-from', 'encoded-subject', 'list', 'no-irt', 'qp',
              'base64'):
        assert kinds[k] > 0, k


@pytest.mark.parametrize('n', [0, 1, 3, 4, 10])
def test_small(tmp_path, n):
    info = nmcorpus.generate(str(tmp_path), n, 1)
    assert len(info['files']) == n
    assert len(info['duplicate_ids']) == (1 if n >= 4 else 0)
    assert len(info['message_ids']) == n - (n >= 4)
    if n >= 3:
        assert max(len(g) for g in info['thread_members']) >= 3


# -- against notmuch --------------------------------------------------------

def notmuch_env(tmp_path, config):
    home = tmp_path / 'home'
    home.mkdir(exist_ok=True)
    env = dict(os.environ, NOTMUCH_CONFIG=config, HOME=str(home),
               XDG_CONFIG_HOME=str(home / '.config'),
               XDG_DATA_HOME=str(home / '.local/share'))
    env.pop('NOTMUCH_PROFILE', None)
    return env


@needs_notmuch
@pytest.mark.parametrize('n,seed', [(200, 1), (500, 42)])
def test_notmuch_indexes_corpus(tmp_path, n, seed):
    info = nmcorpus.generate(str(tmp_path / 'c'), n, seed)
    env = notmuch_env(tmp_path, info['config'])

    def nm(*args):
        return subprocess.run([NOTMUCH, *args], env=env, check=True,
                              capture_output=True, text=True).stdout

    r = subprocess.run([NOTMUCH, 'new'], env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert 'non-mail' not in r.stdout + r.stderr
    assert 'Added %d new messages' % len(info['message_ids']) in r.stdout

    assert int(nm('count', '--output=files', '*')) == n
    assert int(nm('count', '*')) == len(info['message_ids'])
    assert int(nm('count', '--output=threads', '*')) == info['threads']
    ids = {line[3:] for line in nm('search', '--output=messages',
                                   '*').split()}
    assert ids == info['notmuch_ids']

    # Exact thread membership, tree parents, decoded headers and tags.
    by_nm_id = {nmcorpus.notmuch_id(i): v for i, v in info['by_id'].items()}
    got_threads = []
    shown = json.loads(nm('show', '--format=json', '--body=false',
                          '--entire-thread=true', '*'))

    def walk(node, parent, acc):
        msg, replies = node
        acc.append(msg['id'])
        want = by_nm_id[msg['id']]
        p = want['parent']
        if p in info['message_ids'] and len(p) <= \
                nmcorpus.NOTMUCH_MESSAGE_ID_MAX:
            assert parent == p, msg['id']
        h = msg['headers']
        assert h['Subject'] == want['subject']
        assert want['from_addr'] in h['From']
        if want['from_name'] is not None:
            # gmime strips the quotes of a quoted display name unless it
            # needs them (e.g. embedded quotes).
            assert (want['from_name'] in h['From']
                    or want['from_name'].replace('"', '\\"') in h['From'])
        assert msg['timestamp'] == want['date']
        assert set(msg['tags']) == want['tags'], msg['id']
        assert sorted(msg['filename']) == sorted(want['files'])
        for r in replies:
            walk(r, msg['id'], acc)

    for thread in shown:
        acc = []
        for top in thread:
            walk(top, None, acc)
        got_threads.append(sorted(acc))
    want_threads = [sorted(nmcorpus.notmuch_id(i) for i in g)
                    for g in info['thread_members']]
    assert sorted(got_threads) == sorted(want_threads)

    (dup,) = info['duplicate_ids']
    files = nm('search', '--output=files', 'id:' + dup).split()
    assert sorted(files) == sorted(info['by_id'][dup]['files'])
    assert len(files) == 2

    # Long ids: the 120-character one is kept, the 230-character one is
    # only reachable under its compressed name.
    short, long_ = sorted(info['long_ids'], key=len)
    assert nm('search', '--output=messages', 'id:' + short).split() == \
        ['id:' + short]
    assert nm('search', '--output=messages',
              'id:' + nmcorpus.notmuch_id(long_)).split() == \
        ['id:' + nmcorpus.notmuch_id(long_)]

    # Sort order is unambiguous because all dates differ.
    newest = nm('search', '--sort=newest-first', '--output=messages', '*')
    oldest = nm('search', '--sort=oldest-first', '--output=messages', '*')
    assert newest.split() == oldest.split()[::-1]
