"""The GTK 4 mail browser example (examples/python/mail-browser.py), driven under Xvfb.

Each test starts the browser on a generated, indexed corpus with its test hook
(``NM_BROWSER_TEST_SCRIPT=<query>``): the window types the query into its search entry,
activates it, waits for the asynchronous search, prints the number of rows of its thread
list and saves a snapshot of itself.  The row count must equal
``notmuch count --output=threads <query>``.  On the MIME corpus of tests/mimecorpus.py the
message pane must show the body text and attachments `notmuch show` shows, and "Save"
must write the bytes of `notmuch show --part=N`.

The first snapshot is kept at ``NM_BROWSER_SCREENSHOT`` (tests/async/meson.build sets it
to ``<build>/tests/browser-screenshot.png``), or in pytest's temporary directory.

Needs Xvfb (Debian package xvfb) and GTK 4's typelib (gir1.2-gtk-4.0); skipped without.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_async import Corpus  # noqa: E402

sys.path.insert(0, os.path.join(HERE, '..'))
import mimecorpus  # noqa: E402

BROWSER = os.path.join(HERE, '..', '..', 'examples', 'python', 'mail-browser.py')
CORPUS_MESSAGES = 400
APP_TIMEOUT = 120
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def gtk4_available():
    probe = subprocess.run([sys.executable, '-c',
                            'import gi; gi.require_version("Gtk", "4.0"); '
                            'from gi.repository import Gtk'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return probe.returncode == 0


pytestmark = [
    pytest.mark.skipif(shutil.which('Xvfb') is None, reason='Xvfb is not installed'),
    pytest.mark.skipif(not gtk4_available(), reason='GTK 4 (gir1.2-gtk-4.0) is not installed'),
]


@pytest.fixture(scope='module')
def display():
    """An Xvfb server on a free display (Xvfb picks it and writes its number to a pipe)."""
    read_end, write_end = os.pipe()
    # The X server is not under test: no sanitizer runtime for it.
    env = {k: v for k, v in os.environ.items() if k != 'LD_PRELOAD'}
    server = subprocess.Popen(['Xvfb', '-displayfd', str(write_end), '-screen', '0',
                               '1280x900x24', '-nolisten', 'tcp'],
                              pass_fds=[write_end], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        server.wait()
        pytest.fail('Xvfb did not start')
    yield f':{number}'
    server.terminate()
    server.wait(30)


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    """A corpus where a few inbox threads carry an excluded tag (search.exclude_tags), so
    that the browser must leave them out as the CLI does."""
    corpus = Corpus.generate(tmp_path_factory.mktemp('browser'), CORPUS_MESSAGES)
    threads = corpus.lines('search', '--output=threads', 'tag:inbox')
    corpus.notmuch('tag', '+deleted', '--', ' or '.join(threads[1:4]))
    corpus.notmuch('tag', '+spam', '--', threads[5])
    assert corpus.count('--output=threads', 'tag:inbox') < \
        corpus.count('--exclude=false', '--output=threads', 'tag:inbox')
    return corpus


@pytest.fixture
def writable(corpus, tmp_path):
    root = tmp_path / 'copy'
    shutil.copytree(corpus.root, root, symlinks=True)
    config = (root / 'notmuch-config').read_text()
    (root / 'notmuch-config').write_text(config.replace(corpus.root, str(root)))
    return Corpus(root)


def browser_env(display, corpus, query):
    env = dict(os.environ)
    for name in ('WAYLAND_DISPLAY', 'NOTMUCH_PROFILE', 'NOTMUCH_DATABASE',
                 'NM_BROWSER_SCREENSHOT', 'NM_BROWSER_TEST_TOGGLE', 'NM_BROWSER_TEST_CONTENT',
                 'NM_BROWSER_TEST_SAVE'):
        env.pop(name, None)
    env.update({
        'DISPLAY': display,
        'GDK_BACKEND': 'x11',
        'GTK_A11Y': 'none',           # no accessibility bus under Xvfb
        'NOTMUCH_CONFIG': corpus.config,  # for search.exclude_tags, as the CLI
        'NM_BROWSER_TEST_SCRIPT': query,
    })
    return env


def run_browser(display, corpus, query, screenshot=None, toggle=False, content=False,
                save=None):
    """Runs the browser's test script; returns its output as {key: value}."""
    env = browser_env(display, corpus, query)
    if screenshot is not None:
        env['NM_BROWSER_SCREENSHOT'] = str(screenshot)
    if toggle:
        env['NM_BROWSER_TEST_TOGGLE'] = '1'
    if content:
        env['NM_BROWSER_TEST_CONTENT'] = '1'
    if save is not None:
        env['NM_BROWSER_TEST_SAVE'] = str(save)
    done = subprocess.run([sys.executable, BROWSER, '--database', corpus.mail],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=APP_TIMEOUT)
    print(done.stdout)
    print(done.stderr, file=sys.stderr)
    assert done.returncode == 0, done.stderr
    report = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition(': ')
        if sep:
            report[key] = value
    return report


def png_size(path):
    with open(path, 'rb') as f:
        header = f.read(24)
    assert header[:8] == PNG_MAGIC
    return int.from_bytes(header[16:20], 'big'), int.from_bytes(header[20:24], 'big')


def assert_not_blank(path):
    """The snapshot shows something: many distinct colours (text, selection, borders)."""
    import gi
    gi.require_version('GdkPixbuf', '2.0')
    from gi.repository import GdkPixbuf

    pixbuf = GdkPixbuf.Pixbuf.new_from_file(str(path))
    pixels = pixbuf.get_pixels()
    step = pixbuf.get_n_channels()
    colours = {bytes(pixels[i:i + 3]) for i in range(0, len(pixels), step * 7)}
    assert len(colours) > 16


def screenshot_path(tmp_path):
    path = os.environ.get('NM_BROWSER_SCREENSHOT')
    if not path:
        return tmp_path / 'browser-screenshot.png'
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return path


def test_search_shows_every_thread(display, corpus, tmp_path):
    query = 'tag:inbox'
    screenshot = screenshot_path(tmp_path)
    if os.path.exists(screenshot):
        os.unlink(screenshot)
    report = run_browser(display, corpus, query, screenshot=screenshot)
    # Read-only, so that other programs can write while it runs.
    assert report['database'] == f'{corpus.mail} (read-only)'
    expected = corpus.count('--output=threads', query)
    assert expected > 0
    assert int(report['rows']) == expected
    width, height = png_size(screenshot)
    assert width >= 400 and height >= 300
    assert_not_blank(screenshot)
    print(f'screenshot saved to {screenshot}')


@pytest.mark.parametrize('query', [
    '*',
    'tag:unread and not tag:inbox',
    'tag:spam',              # excluded by search.exclude_tags, but named
    'from:example.org and date:2023..2024',
    'tag:no-such-tag',       # an empty result
])
def test_row_count_matches_cli(display, corpus, tmp_path, query):
    report = run_browser(display, corpus, query, screenshot=tmp_path / 'shot.png')
    assert int(report['rows']) == corpus.count('--output=threads', query)


def test_toggle_flagged(display, writable, tmp_path):
    query = 'tag:inbox'
    first = writable.lines('search', '--output=threads', query)[0]
    was_flagged = writable.count('--exclude=false', f'{first} and tag:flagged') > 0
    report = run_browser(display, writable, query, toggle=True)
    assert report['toggled'] == f'{first} flagged={not was_flagged}'
    flagged = writable.count('--exclude=false', f'{first} and tag:flagged')
    if was_flagged:
        assert flagged == 0
    else:
        assert flagged == writable.count('--exclude=false', first)


def test_browses_while_another_holds_the_lock(display, writable, tmp_path):
    """The browser reads through a read-only handle and writes through one opened for each
    change: with the write lock held elsewhere, it browses as before."""
    import gi
    gi.require_version('Notmuch', '1.0')
    from gi.repository import Notmuch

    holder = writable.open(Notmuch.DatabaseMode.READ_WRITE)
    try:
        report = run_browser(display, writable, 'tag:inbox')
    finally:
        holder.close()
    assert report['database'] == f'{writable.mail} (read-only)'
    assert int(report['rows']) == writable.count('--output=threads', 'tag:inbox')


def test_cli_tag_shows_up_without_a_key_press(display, writable):
    """The list is monitored: a tag the notmuch CLI adds shows in the row by itself."""
    env = browser_env(display, writable, 'tag:inbox')
    env['NM_BROWSER_TEST_WATCH'] = 'from-the-cli'
    browser = subprocess.Popen([sys.executable, BROWSER, '--database', writable.mail],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        watching = None
        for line in browser.stdout:
            if line.startswith('watching: '):
                watching = line.split(': ', 1)[1].strip()
                break
        assert watching is not None, browser.stderr.read()
        writable.notmuch('tag', '+from-the-cli', '--', watching)
        out, err = browser.communicate(timeout=APP_TIMEOUT)
    finally:
        if browser.poll() is None:
            browser.kill()
    assert browser.returncode == 0, err
    assert f'seen: {watching} from-the-cli' in out


@pytest.fixture(scope='module')
def mime_corpus(tmp_path_factory):
    """The MIME cases of tests/mimecorpus.py (without the crypto ones), indexed."""
    root = tmp_path_factory.mktemp('mime')
    mimecorpus.generate(str(root))
    corpus = Corpus(root)
    corpus.notmuch('new', '--quiet')
    return corpus


def shown_content(corpus, message_id):
    """The text parts without a filename, joined, and the parts with one, of the message
    as `notmuch show --format=json` shows it."""
    texts, named = [], []

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if 'id' not in node:
            walk(node['body'])
            return
        if 'filename' in node:
            named.append(node)
        elif node['content-type'].lower() == 'text/plain':
            texts.append(node['content'])
        if isinstance(node.get('content'), list):
            walk(node['content'])

    [[[message, _replies]]] = json.loads(corpus.notmuch('show', '--format=json',
                                                        f'id:{message_id}'))
    walk(message['body'])
    return ('\n'.join(texts) if texts else None), named


def raw_part(corpus, message_id, part):
    env = {k: v for k, v in os.environ.items() if k not in ('LD_PRELOAD', 'G_DEBUG')}
    env['NOTMUCH_CONFIG'] = corpus.config
    return subprocess.run(['notmuch', 'show', '--format=raw', f'--part={part}',
                           f'id:{message_id}'], env=env, check=True,
                          stdout=subprocess.PIPE).stdout


@pytest.mark.parametrize('case', ['mixed', 'nested', 'koi8r', 'html-only'])
def test_message_content(display, mime_corpus, tmp_path, case):
    """The message pane shows the body text and the attachments (name, type, decoded size)
    of notmuch show; "Save" writes the bytes of notmuch show --part=N."""
    message_id = mimecorpus.message_id(case)
    saved = tmp_path / 'saved-attachment'
    report = run_browser(display, mime_corpus, f'id:{message_id}', content=True, save=saved)
    text, named = shown_content(mime_corpus, message_id)
    assert report['content'] == message_id
    assert report['text-sha256'] == (hashlib.sha256(text.encode()).hexdigest()
                                     if text is not None else 'none')
    expected = ';'.join(f"{n['filename']}|{n['content-type']}|"
                        f"{len(raw_part(mime_corpus, message_id, n['id']))}" for n in named)
    assert report.get('attachments', '') == expected
    if named:
        assert report['saved'] == str(saved)
        assert saved.read_bytes() == raw_part(mime_corpus, message_id, named[0]['id'])
    else:
        assert 'saved' not in report
