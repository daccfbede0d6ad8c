"""The database every fuzz program starts from.

A small corpus from tests/nmcorpus.py, plus mail that is odd on purpose (headers that are
not UTF-8, a broken MIME part, no Message-ID, odd file names), indexed by the notmuch CLI;
then, left unindexed for the programs to index: good mail, a non-mail file, an empty file,
odd names, a duplicate, a symbolic link.  :func:`make_template` builds it once per fuzz run,
:func:`instantiate` copies it for each program, and the facts it records (message ids,
thread ids, file names) are what the generator picks arguments from.

Layout of a template (and of each copy)::

    BASE/mail/...            the maildir root, with .notmuch
    BASE/notmuch-config      its configuration (database.path = BASE/mail)
    BASE/outside.mail        a message outside the mail root
    BASE/facts.json          see make_template()
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, TESTS)

import nmcorpus  # noqa: E402

NOTMUCH = os.environ.get('NOTMUCH') or shutil.which('notmuch') or '/usr/bin/notmuch'

# Files the CLI indexes, relative to the mail root (bytes: some names are not UTF-8).
_WEIRD_DIR = b'weird/cur/'
# Files left for the programs, relative to the mail root.
_EXTRA_DIR = b'extra/cur/'


def _mail(message_id, subject=b'fuzz', extra_headers=b'', body=b'hello\n', from_=None):
    head = b'From: ' + (from_ or b'Fuzz Er <fuzz@example.org>') + b'\n'
    head += b'To: test@example.org\nSubject: ' + subject + b'\n'
    head += b'Date: Tue, 14 Nov 2023 22:13:20 +0000\n'
    if message_id is not None:
        head += b'Message-ID: <' + message_id + b'>\n'
    return head + extra_headers + b'\n' + body


# A message/rfc822 part with no content: libnotmuch's indexer passes gmime a NULL message
# and gmime prints a CRITICAL (issue 12, class 8); the CLI does the same.
def _broken_rfc822(message_id):
    return _mail(message_id, b'broken rfc822 part',
                 b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BB"\n',
                 b'--BB\nContent-Type: text/plain\n\nhi\n--BB\n'
                 b'Content-Type: message/rfc822\n\n--BB--\n')


def _weird_files(first_id):
    """(name, bytes) of the odd mail the CLI indexes."""
    long_name = b'l' * 200 + b':2,S'
    return [
        (b'latin1:2,S', _mail(b'latin1@fuzz', b'caf\xe9 \xff\xfe na\xefve',
                              b'X-Raw: \xff\xfe\xfd\n', b'body \xe9\xff\n',
                              from_=b'J\xf6rg \xff <jorg@example.org>')),
        (b'rfc822:2,', _broken_rfc822(b'rfc822@fuzz')),
        (b'noid:2,', _mail(None, b'no message id')),
        (b'spaceid:2,', _mail(b'with space and \xc3\xbc@fuzz', b'odd id')),
        (b'bogus-charset:2,', _mail(b'charset@fuzz', b'=?x-bogus?B?AAEC/w==?= =?UTF-8?Q?=FF?=')),
        (b'baddate:2,', _mail(b'baddate@fuzz', b'bad date',
                              b'Date: Fri, 31 Dec 99999 99:99:99 +9999\n')),
        (b'nul:2,', _mail(b'nul@fuzz', b'nul \x00 inside', b'X-Nul: a\x00b\n')),
        (b'huge:2,', _mail(b'huge@fuzz', b'h' * 20000)),
        (b'mbox:2,', b'From fuzz@example.org Tue Nov 14 22:13:20 2023\n'
                     + _mail(b'mbox@fuzz', b'mbox line')),
        (b'dup:2,S', _mail(first_id.encode('utf-8'), b'same id as a corpus message')),
        (b'\xff\xfe-raw-name:2,S', _mail(b'rawname@fuzz', b'raw file name')),
        (b'sp ace:2,F', _mail(b'spacename@fuzz', b'space in file name')),
        ('\u00fcn\u00ef:2,RS'.encode('utf-8'), _mail(b'unicodename@fuzz', b'unicode name')),
        (long_name, _mail(b'longname@fuzz', b'long file name')),
        (b'new\nline:2,', _mail(b'newlinename@fuzz', b'newline in file name')),
        # A folder whose name is not UTF-8 either.
        (b'../../raw\xffdir/cur/m:2,', _mail(b'rawdir@fuzz', b'raw folder name')),
    ]


def _extra_files(first_id):
    """(name, bytes) of the files left unindexed."""
    return [
        (b'good:2,', _mail(b'extra-good@fuzz', b'extra good')),
        (b'rfc822:2,', _broken_rfc822(b'extra-rfc822@fuzz')),
        (b'latin1:2,', _mail(b'extra-latin1@fuzz', b'\xe9t\xe9 \xff',
                             from_=b'\xc9lise <elise@example.org>')),
        (b'junk.bin', bytes(range(256)) * 8),
        (b'empty', b''),
        (b'dup:2,', _mail(first_id.encode('utf-8'), b'extra duplicate')),
        (b'\xff', _mail(b'extra-raw@fuzz', b'raw name')),
        (b'sp ace:2,', _mail(b'extra-space@fuzz', b'space name')),
        (b'nl\nname:2,', _mail(b'extra-nl@fuzz', b'newline name')),
        (b'x' * 240, _mail(b'extra-long@fuzz', b'long name')),
    ]


def cli_env(config):
    """notmuch CLI environment: no sanitizer runtime preloaded, this configuration, and
    criticals not fatal (indexing the broken MIME part above prints one)."""
    env = dict(os.environ)
    for name in ('LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'NOTMUCH_PROFILE',
                 'NOTMUCH_DATABASE', 'G_DEBUG'):
        env.pop(name, None)
    env['NOTMUCH_CONFIG'] = config
    return env


def _cli(config, *args):
    proc = subprocess.run([NOTMUCH, *args], env=cli_env(config), capture_output=True,
                          timeout=300)
    if proc.returncode != 0:
        raise RuntimeError('notmuch %s failed: %s' % (' '.join(args), proc.stderr[-2000:]))
    return proc.stdout


def _write(root, rel, data):
    path = os.path.join(os.fsencode(root), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def make_template(base, messages=24, seed=1):
    """Build a template under *base* (which must not exist); returns its facts:

    message_ids   ids of the indexed messages, as notmuch reports them
    thread_ids    thread ids (without the ``thread:`` prefix)
    files         indexed files, relative to the mail root (str, surrogate-escaped)
    extras        unindexed files under the mail root, relative to it
    folders       folders of the mail root, relative to it
    tags          every tag in the database
    """
    base = os.path.abspath(base)
    info = nmcorpus.generate(base, messages=messages, seed=seed)
    root = info['mail_root']
    config = info['config']
    first_id = sorted(info['message_ids'])[0]
    for name, data in _weird_files(first_id):
        _write(root, _WEIRD_DIR + name, data)
    for folder in (b'weird', b'raw\xffdir'):
        for sub in (b'new', b'tmp'):
            os.makedirs(os.path.join(os.fsencode(root), folder, sub), exist_ok=True)
    _cli(config, 'new', '--quiet')
    _cli(config, 'tag', '+fz-seen', '--', 'tag:inbox and not tag:unread')
    _cli(config, 'config', 'set', '--database', 'fz.answer', '42')

    extras = []
    for name, data in _extra_files(first_id):
        _write(root, _EXTRA_DIR + name, data)
        extras.append(os.fsdecode(_EXTRA_DIR + name))
    os.makedirs(os.path.join(root, 'extra', 'cur', 'subdir'), exist_ok=True)
    extras.append('extra/cur/subdir')
    some_file = os.path.relpath(info['files'][0], root)
    os.symlink(os.path.join(root, some_file), os.path.join(root, 'extra', 'cur', 'link:2,'))
    extras.append('extra/cur/link:2,')
    os.symlink(os.path.join(root, 'nowhere'), os.path.join(root, 'extra', 'cur', 'dangling'))
    extras.append('extra/cur/dangling')
    with open(os.path.join(base, 'outside.mail'), 'wb') as f:
        f.write(_mail(b'outside@fuzz', b'outside the mail root'))

    def lines(*args):
        return [os.fsdecode(x) for x in _cli(config, *args).split(b'\0') if x]

    facts = {
        'message_ids': sorted(m[3:] for m in lines('search', '--output=messages', '--format=text0',
                                                   '--exclude=false', '*')),
        'thread_ids': sorted(t[7:] for t in lines('search', '--output=threads', '--format=text0',
                                                  '--exclude=false', '*')),
        'files': sorted(os.path.relpath(f, root) for f in lines(
            'search', '--output=files', '--format=text0', '--exclude=false', '*')),
        'extras': extras,
        'folders': sorted({os.path.dirname(os.path.dirname(f)) for f in
                           (os.path.relpath(p, root) for p in info['files'])}
                          | {'weird', 'extra', os.fsdecode(b'raw\xffdir')}),
        'tags': sorted(lines('search', '--output=tags', '--format=text0', '--exclude=false', '*')),
        'messages': messages,
        'seed': seed,
    }
    with open(os.path.join(base, 'facts.json'), 'w', encoding='utf-8') as f:
        json.dump(facts, f, indent=1, ensure_ascii=True)
    return facts


def load_facts(base):
    with open(os.path.join(base, 'facts.json'), encoding='utf-8') as f:
        return json.load(f)


def instantiate(template, dest):
    """Copy *template* to *dest* (mail hard-linked where possible, index and configuration
    copied) and point the copy's configuration at the copy."""
    template = os.path.abspath(template)
    dest = os.path.abspath(dest)
    # Mail is copied, not hard-linked: programs edit mail files in place.
    shutil.copytree(template, dest, symlinks=True)
    # Symbolic links inside the mail root point into the template: repoint them.
    for sub in ('extra/cur/link:2,', 'extra/cur/dangling'):
        link = os.path.join(dest, 'mail', sub)
        if os.path.islink(link):
            target = os.readlink(link)
            os.unlink(link)
            os.symlink(target.replace(template, dest, 1), link)
    config = os.path.join(dest, 'notmuch-config')
    with open(config, encoding='utf-8') as f:
        text = f.read()
    with open(config, 'w', encoding='utf-8') as f:
        f.write(text.replace('path=' + os.path.join(template, 'mail'),
                             'path=' + os.path.join(dest, 'mail')))
    return dest
