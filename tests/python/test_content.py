"""Message content through GMime, and delivery, from Python against the notmuch CLI.

The corpus is tests/mimecorpus.py's (MIME cases, PGP/MIME and S/MIME mail made with
throw-away keys in a temporary GNUPGHOME), indexed with `notmuch new --decrypt=true`.
Oracles: `notmuch show --format=json|text|raw [--part=N] --decrypt=...` and
`notmuch insert` on a twin copy.  Also the examples show.py and insert.py, and saving an
attachment with GMime's own API.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

import gi

gi.require_version('GMime', '3.0')
from gi.repository import Gio, GLib, GMime, Notmuch  # noqa: E402

from nmhelpers import NOTMUCH, RO, RW, cli_env, nm_error  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
EXAMPLES = os.path.normpath(os.path.join(TESTS, '..', 'examples', 'python'))
MIMECORPUS = os.environ.get('MIMECORPUS') or os.path.join(TESTS, 'mimecorpus.py')
sys.path.insert(0, os.path.dirname(os.path.abspath(MIMECORPUS)))

import mimecorpus  # noqa: E402

POLICIES = {
    'false': Notmuch.DecryptPolicy.FALSE,
    'auto': Notmuch.DecryptPolicy.AUTO,
    'true': Notmuch.DecryptPolicy.TRUE,
}

# tools/memcheck.sh sets NM_TEST_SKIP_DECRYPTION under valgrind: there, GMime cannot make its
# OpenPGP context in these processes (gpgme's check of the gpg engine fails, so the part is
# "unregistered"), which says nothing about the library.  The plain and AddressSanitizer runs
# decrypt every case.
SKIP_DECRYPTION = os.environ.get('NM_TEST_SKIP_DECRYPTION') == '1'
needs_gpg = pytest.mark.skipif(SKIP_DECRYPTION, reason='NM_TEST_SKIP_DECRYPTION=1')


class MimeCorpus:
    def __init__(self, info, gnupghome, preload):
        self.info = info
        self.gnupghome = gnupghome
        # The sanitizer runtime of this interpreter (see the mime fixture), or None.
        self.preload = preload
        self.mail_root = info['mail_root']
        self.config = info['config']
        self.base = os.path.dirname(self.mail_root)

    def cli(self, *args, stdin=None, check=True):
        """The CLI's standard output as bytes (it can be anything: raw parts, broken
        charsets)."""
        proc = subprocess.run([NOTMUCH, *args], env=cli_env(self.config), input=stdin,
                              capture_output=True, timeout=120)
        if check:
            assert proc.returncode == 0, (args, proc.stderr)
        return proc.stdout if check else proc

    def show(self, message_id, policy):
        """The JSON object `notmuch show` gives message_id."""
        out = self.cli('show', '--format=json', '--entire-thread=false',
                       '--decrypt=' + policy, 'id:' + message_id)
        found = []

        def walk(nodes):
            for message, replies in nodes:
                if message is not None and message['id'] == message_id:
                    found.append(message)
                walk(replies)
        for thread in json.loads(out.decode('utf-8', 'replace')):
            walk(thread)
        assert len(found) == 1
        return found[0]

    def ids(self):
        return [line[3:] for line in self.cli('search', '--output=messages', '*')
                .decode().split()]

    def copy(self, dest):
        shutil.copytree(self.base, dest, symlinks=True)
        config = os.path.join(dest, 'notmuch-config')
        with open(config) as f:
            text = f.read()
        with open(config, 'w') as f:
            f.write(text.replace(self.base, dest))
        return MimeCorpus({'mail_root': os.path.join(dest, 'mail'), 'config': config},
                          self.gnupghome, self.preload)

    def open(self, mode=RO):
        return Notmuch.Database.open(self.mail_root, mode)


@pytest.fixture(scope='module')
def mime(tmp_path_factory):
    base = tmp_path_factory.mktemp('mime')
    gnupghome = str(base / 'gnupg')
    previous = os.environ.get('GNUPGHOME')
    # gpg, the CLI and the library (through GMime) all find the keys there.
    os.environ['GNUPGHOME'] = gnupghome
    # The library runs gpg and gpgsm (through GMime and gpgme) with this process's
    # environment: a sanitizer runtime preloaded into this interpreter must not reach them
    # (it hangs them).  It stays loaded here; the examples get it back (run_example).
    preload = os.environ.pop('LD_PRELOAD', None)
    mimecorpus.make_keys(gnupghome)
    corpus = MimeCorpus(mimecorpus.generate(str(base / 'corpus'), gnupghome=gnupghome),
                        gnupghome, preload)
    corpus.cli('new', '--quiet', '--decrypt=true')
    yield corpus
    mimecorpus.stop_agent(gnupghome)
    if preload is not None:
        os.environ['LD_PRELOAD'] = preload
    if previous is None:
        del os.environ['GNUPGHOME']
    else:
        os.environ['GNUPGHOME'] = previous


def shown_parts(message):
    """(text parts without a filename, parts with one, number of text/plain parts) of a
    `notmuch show --format=json` message."""
    texts, named = [], []
    text_plain = []

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if 'id' not in node:        # a forwarded message: headers and body
            walk(node['body'])
            return
        plain = node['content-type'].lower() == 'text/plain'
        if plain:
            text_plain.append(node)
        if 'filename' in node:
            named.append(node)
        elif plain:
            texts.append(node['content'])
        if isinstance(node.get('content'), list):
            walk(node['content'])

    walk(message['body'])
    return texts, named, len(text_plain)


def decoded(part):
    stream = GMime.StreamMem.new()
    part.get_content().write_to_stream(stream)
    return bytes(stream.get_byte_array())


@pytest.mark.parametrize('policy', sorted(POLICIES))
def test_body_text_and_attachments_match_show(mime, policy):
    """get_body_text() is the JSON text parts without a filename joined with newlines
    (undecodable bytes, and NULs, U+FFFD); get_attachments() the parts with one, with the
    bytes of --part=N; every text/plain part is in exactly one of them."""
    db = mime.open()
    attachments_seen = 0
    for message_id in mime.ids():
        if SKIP_DECRYPTION and message_id.startswith(('pgp-', 'smime-', 'exchange-')):
            continue
        message = db.find_message(message_id)
        texts, named, text_plain = shown_parts(mime.show(message_id, policy))
        expected = '\n'.join(texts).replace('\x00', '\ufffd') if texts else None
        assert message.get_body_text(POLICIES[policy], None) == expected, message_id

        parts = message.get_attachments(POLICIES[policy], None)
        assert [(p.get_filename(), p.get_content_type().get_mime_type().lower())
                for p in parts] == [(n['filename'], n['content-type'].lower())
                                    for n in named], message_id
        for part, node in zip(parts, named):
            assert decoded(part) == mime.cli('show', '--format=raw', '--decrypt=' + policy,
                                             '--part=%d' % node['id'], 'id:' + message_id)
            attachments_seen += 1
        plain_attachments = sum(1 for p in parts
                                if p.get_content_type().is_type('text', 'plain'))
        assert len(texts) + plain_attachments == text_plain, message_id
    assert attachments_seen >= (10 if SKIP_DECRYPTION else 15)


@needs_gpg
def test_false_never_decrypts_and_auto_uses_stored_keys(mime):
    db = mime.open()
    for case, secret in mime.info['secrets'].items():
        message = db.find_message(mimecorpus.message_id(case))
        never = message.get_body_text(Notmuch.DecryptPolicy.FALSE, None) or ''
        stored = message.get_body_text(Notmuch.DecryptPolicy.AUTO, None) or ''
        anything = message.get_body_text(Notmuch.DecryptPolicy.TRUE, None) or ''
        assert secret not in never
        assert secret in anything
        assert (secret in stored) == case.startswith(('pgp-', 'exchange-')), case
        assert [p.get_filename() for p in message.get_attachments(
            Notmuch.DecryptPolicy.FALSE, None)] != [], case


def test_save_an_attachment_with_gmime(mime, tmp_path):
    """Saving is GMime's own API: the part's content written to a GMime stream."""
    db = mime.open()
    message = db.find_message(mimecorpus.message_id('mixed'))
    named = shown_parts(mime.show(mimecorpus.message_id('mixed'), 'auto'))[1]
    parts = message.get_attachments(Notmuch.DecryptPolicy.AUTO, None)
    assert len(parts) == len(named) >= 2
    for part, node in zip(parts, named):
        path = str(tmp_path / os.path.basename(part.get_filename()))
        stream = GMime.StreamFs.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        part.get_content().write_to_stream(stream)
        stream.flush()
        stream.close()
        with open(path, 'rb') as f:
            assert f.read() == mime.cli('show', '--format=raw', '--part=%d' % node['id'],
                                        'id:' + message.get_message_id())


@needs_gpg
def test_parse(mime):
    db = mime.open()
    plain = db.find_message(mimecorpus.message_id('plain'))
    parsed = plain.parse(Notmuch.DecryptPolicy.FALSE, None)
    assert isinstance(parsed, GMime.Message)
    assert parsed.get_subject() == plain.get_header('subject')
    assert parsed.get_message_id() == plain.get_message_id()

    encrypted = db.find_message(mimecorpus.message_id('pgp-encrypted'))
    stored = encrypted.parse(Notmuch.DecryptPolicy.FALSE, None)
    assert isinstance(stored.get_mime_part(), GMime.MultipartEncrypted)
    cleartext = encrypted.parse(Notmuch.DecryptPolicy.AUTO, None).get_mime_part()
    assert isinstance(cleartext, GMime.Multipart)
    assert not isinstance(cleartext, GMime.MultipartEncrypted)
    assert 'pineapple' in cleartext.get_part(0).get_text()


def test_load_bytes_and_get_file(mime):
    db = mime.open()
    for message_id in mime.ids():
        message = db.find_message(message_id)
        assert message.load_bytes(None).get_data() == mime.cli('show', '--format=raw',
                                                               'id:' + message_id)
        file = message.get_file()
        assert isinstance(file, Gio.File)
        assert file.get_path() == message.get_filename()
    gzipped = db.find_message(mimecorpus.message_id('gzipped'))
    with open(gzipped.get_filename(), 'rb') as f:
        assert f.read(2) == b'\x1f\x8b'
    assert gzipped.load_bytes(None).get_data().startswith(b'From: ')


def test_read_errors(mime, tmp_path):
    copy = mime.copy(str(tmp_path / 'copy'))
    db = copy.open(RW)
    plain = db.find_message(mimecorpus.message_id('plain'))
    os.unlink(plain.get_filename())
    for call in (lambda: plain.parse(Notmuch.DecryptPolicy.FALSE, None),
                 lambda: plain.get_body_text(Notmuch.DecryptPolicy.AUTO, None),
                 lambda: plain.get_attachments(Notmuch.DecryptPolicy.AUTO, None),
                 lambda: plain.load_bytes(None)):
        with pytest.raises(GLib.Error) as caught:
            call()
        nm_error(caught.value, Notmuch.Error.FILE_ERROR)

    latin1 = db.find_message(mimecorpus.message_id('latin1'))
    with open(latin1.get_filename(), 'wb') as f:
        f.write(b'\x00\x01 not mail')
    with pytest.raises(GLib.Error) as caught:
        latin1.get_body_text(Notmuch.DecryptPolicy.AUTO, None)
    nm_error(caught.value, Notmuch.Error.FILE_NOT_EMAIL)

    cancellable = Gio.Cancellable()
    cancellable.cancel()
    two = db.find_message(mimecorpus.message_id('two-files'))
    with pytest.raises(GLib.Error) as caught:
        two.parse(Notmuch.DecryptPolicy.FALSE, cancellable)
    assert caught.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)

    db.close()
    with pytest.raises(GLib.Error) as caught:
        two.load_bytes(None)
    nm_error(caught.value, Notmuch.Error.CLOSED_DATABASE)


def run_async(start, finish):
    """Starts an asynchronous call and runs a main loop until its callback; returns what
    finish() returned (or raises its error)."""
    loop = GLib.MainLoop()
    outcome = {}

    def done(source, result):
        try:
            outcome['value'] = finish(result)
        except GLib.Error as error:
            outcome['error'] = error
        loop.quit()

    start(done)
    GLib.timeout_add_seconds(60, loop.quit)
    loop.run()
    assert outcome, 'no callback within 60 s'
    if 'error' in outcome:
        raise outcome['error']
    return outcome['value']


def test_async_twins(mime):
    db = mime.open()
    auto = Notmuch.DecryptPolicy.AUTO
    cases = ('nested', 'gzipped') if SKIP_DECRYPTION else ('nested', 'pgp-encrypted', 'gzipped')
    for case in cases:
        message = db.find_message(mimecorpus.message_id(case))
        parsed = run_async(lambda cb: message.parse_async(auto, None, cb),
                           message.parse_finish)
        assert parsed.get_message_id() == message.get_message_id()
        assert run_async(lambda cb: message.get_body_text_async(auto, None, cb),
                         message.get_body_text_finish) == message.get_body_text(auto, None)
        parts = run_async(lambda cb: message.get_attachments_async(auto, None, cb),
                          message.get_attachments_finish)
        assert [decoded(p) for p in parts] == [decoded(p) for p in
                                               message.get_attachments(auto, None)]
        assert run_async(lambda cb: message.load_bytes_async(None, cb),
                         message.load_bytes_finish).get_data() == \
            message.load_bytes(None).get_data()
    html_only = db.find_message(mimecorpus.message_id('html-only'))
    assert run_async(lambda cb: html_only.get_body_text_async(auto, None, cb),
                     html_only.get_body_text_finish) is None
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    with pytest.raises(GLib.Error) as caught:
        run_async(lambda cb: html_only.parse_async(auto, cancellable, cb),
                  html_only.parse_finish)
    assert caught.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def delivered(message_id, extra=''):
    return ('From: Python <python@insert.example>\nTo: test@mime.example\n'
            'Subject: delivered from Python%s\nMessage-ID: <%s>\n'
            'Date: Wed, 03 Jan 2024 09:00:00 +0000\n\nHello.\n' % (extra, message_id)).encode()


def placement(corpus, message_id):
    """[(folder relative to the mail root, maildir flags)] of the message's files."""
    out = []
    for path in corpus.cli('search', '--output=files', 'id:' + message_id).decode().split():
        directory, name = os.path.split(os.path.relpath(path, corpus.mail_root))
        out.append((directory, name.partition(':2,')[2]))
    return sorted(out)


def test_insert_like_cli(mime, tmp_path):
    ours = mime.copy(str(tmp_path / 'ours'))
    theirs = mime.copy(str(tmp_path / 'theirs'))
    cases = [
        ('py-root@insert.example', '', False, [], []),
        ('py-read@insert.example', 'box', True, ['python'], ['unread']),
        ('py-flagged@insert.example', 'box', False, ['flagged'], []),
        (mimecorpus.message_id('plain'), 'dups', True, ['ignored'], []),
    ]
    for message_id, folder, create, add, remove in cases:
        data = delivered(message_id)
        db = ours.open(RW)
        message = db.insert(GLib.Bytes.new(data), folder, add, remove, create, None)
        assert message.get_message_id() == message_id
        tags = message.get_tags()
        db.close()
        args = ['insert', '--folder=' + folder] + (['--create-folder'] if create else [])
        theirs.cli(*args, *['+' + t for t in add], *['-' + t for t in remove], stdin=data)
        assert placement(ours, message_id) == placement(theirs, message_id)
        their_tags = theirs.cli('search', '--output=tags', 'id:' + message_id).decode().split()
        assert tags == their_tags
        assert ours.cli('search', '--output=tags', 'id:' + message_id).decode().split() == \
            their_tags

    db = ours.open(RW)
    message = run_async(lambda cb: db.insert_async(GLib.Bytes.new(delivered('py-async@x')),
                                                   'box', ['async'], [], False, None, cb),
                        lambda result: db.insert_finish(result))
    assert 'async' in message.get_tags()
    assert os.path.dirname(message.get_filename()) == os.path.join(ours.mail_root, 'box',
                                                                   'new')
    db.close()


def mail_tree(root):
    """Every file and directory below the mail root, the index excepted."""
    out = set()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != '.notmuch']
        out.update(os.path.relpath(os.path.join(directory, name), root)
                   for name in subdirectories + files)
    return out


def test_insert_refusals(mime, tmp_path):
    """Refused or failed deliveries leave the mail tree and the index as they were."""
    copy = mime.copy(str(tmp_path / 'copy'))
    before = mail_tree(copy.mail_root)
    data = GLib.Bytes.new(delivered('refused@insert.example'))
    read_only = copy.open(RO)
    with pytest.raises(GLib.Error) as caught:
        read_only.insert(data, '', [], [], False, None)
    nm_error(caught.value, Notmuch.Error.READ_ONLY_DATABASE)
    db = copy.open(RW)
    for folder, create, code in (('missing', False, Notmuch.Error.FILE_ERROR),
                                 ('../outside', True, Notmuch.Error.PATH_ERROR),
                                 ('/absolute', True, Notmuch.Error.PATH_ERROR)):
        with pytest.raises(GLib.Error) as caught:
            db.insert(data, folder, [], [], create, None)
        nm_error(caught.value, code)
    with pytest.raises(GLib.Error) as caught:
        db.insert(GLib.Bytes.new(b'\x00\x01\x02 junk'), 'new-folder', [], [], True, None)
    nm_error(caught.value, Notmuch.Error.FILE_NOT_EMAIL)
    with pytest.raises(GLib.Error) as caught:
        db.insert(data, '', ['same'], ['same'], False, None)
    nm_error(caught.value, Notmuch.Error.ILLEGAL_ARGUMENT)
    db.close()
    assert mail_tree(copy.mail_root) == before
    assert copy.cli('count', '*') == mime.cli('count', '*')


# ---------------------------------------------------------------------------------------
# The examples

# Runs an example as its own program, keeping a sanitizer runtime for the interpreter but
# out of the environment that gpg inherits (see the mime fixture).
EXAMPLE_RUNNER = """\
import os, runpy, sys
os.environ.pop('LD_PRELOAD', None)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""


def run_example(script, *args, stdin=None, corpus):
    env = dict(os.environ, NOTMUCH_CONFIG=corpus.config)
    argv = [sys.executable, os.path.join(EXAMPLES, script), *args]
    if corpus.preload is not None:
        env['LD_PRELOAD'] = corpus.preload
        argv[1:1] = ['-c', EXAMPLE_RUNNER]
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors='replace')
    return proc.stdout.decode('utf-8', 'surrogateescape')


def text_parts_of_show_text(out):
    """The text/plain parts without a filename that `notmuch show --format=text` prints."""
    parts = []
    for chunk in out.split('\f')[1:]:
        head, _, body = chunk.partition('\n')
        if head.startswith(('part{', 'attachment{')) and 'Filename:' not in head \
                and head.endswith('Content-type: text/plain'):
            parts.append(body)
    return parts


@pytest.mark.parametrize('case', ['plain', 'mixed', 'nested', 'shift-jis',
                                  pytest.param('pgp-encrypted', marks=needs_gpg),
                                  'html-only'])
def test_show_example_prints_the_text_parts(mime, case):
    message_id = mimecorpus.message_id(case)
    out = run_example('show.py', '--database', mime.mail_root, 'id:' + message_id,
                      corpus=mime)
    texts = text_parts_of_show_text(mime.cli('show', '--format=text', '--decrypt=auto',
                                             'id:' + message_id).decode())
    named = shown_parts(mime.show(message_id, 'auto'))[1]
    body = '\n'.join(texts)
    lines = [line for line in body.split('\n') if line] if texts else []
    tail = [('Attachment: %s (%s)' % (n['filename'], n['content-type'])) for n in named]
    printed = out.split('\nTags: ', 1)[1].split('\n')[2:]
    assert [line for line in printed if line] == lines + tail


def test_insert_example_like_cli(mime, tmp_path):
    ours = mime.copy(str(tmp_path / 'ours'))
    theirs = mime.copy(str(tmp_path / 'theirs'))
    data = b'From mbox@insert.example Thu Jan  4 10:00:00 2024\n' + delivered('ex@insert.example')
    run_example('insert.py', '--folder', 'inbox', '--create-folder', '+example', '-unread',
                stdin=data, corpus=ours)
    theirs.cli('insert', '--folder=inbox', '--create-folder', '+example', '-unread', stdin=data)
    assert placement(ours, 'ex@insert.example') == placement(theirs, 'ex@insert.example') == \
        [('inbox/cur', 'S')]
    for corpus in (ours, theirs):
        path = corpus.cli('search', '--output=files', 'id:ex@insert.example').decode().strip()
        with open(path, 'rb') as f:
            assert f.read().startswith(b'X-Envelope-From: mbox@insert.example Thu Jan')
    assert ours.cli('search', '--output=tags', 'id:ex@insert.example') == \
        theirs.cli('search', '--output=tags', 'id:ex@insert.example')
