#!/usr/bin/python3
"""Deterministic generator of realistic test mail for notmuch-glib.

Everything is synthesised from code (no real mail is copied) with
``random.Random(seed)``, so the same ``(messages, seed)`` pair always produces
byte-identical files: nothing depends on the clock, the locale, hash
randomisation or set ordering.

Module use::

    import nmcorpus
    info = nmcorpus.generate('/tmp/corpus', messages=200, seed=1)
    # NOTMUCH_CONFIG=info['config'] notmuch new

Command line::

    /usr/bin/python3 tests/nmcorpus.py OUTDIR [--messages N] [--seed S]

The corpus is a maildir tree under ``OUTDIR/mail`` (``INBOX``, ``Sent``,
``lists/<name>``, ``archive/<year>``, each with ``cur``/``new``/``tmp``) plus
``OUTDIR/notmuch-config``.  It contains singletons and conversations of 2-12
messages with branching and depth, threads whose root (or a middle message)
is missing (a "ghost" that notmuch only knows from References), threads linked
by References alone, RFC 2047 encoded names and subjects, multipart/alternative
and multipart/mixed messages with base64 attachments, quoted-printable
non-ASCII bodies, one Message-ID stored in two files and two long
Message-IDs (one of them longer than notmuch's 189 character limit, see
:func:`notmuch_id`).  Every message has a distinct Date, to the second.
Files in ``cur/`` are named ``<index>.<seed>.nmcorpus:2,<flags>``, files in
``new/`` ``<index>.<seed>.nmcorpus``.

:func:`generate` returns what the corpus should look like once indexed
(message ids, thread count and membership, per-message subject, sender,
date, parent, files and expected tags) so tests can compare against it.
"""

import argparse
import base64
import binascii
import hashlib
import os
import random
import sys
import time

__all__ = ['generate', 'notmuch_id', 'expected_tags', 'NOTMUCH_MESSAGE_ID_MAX']

# notmuch replaces Message-IDs longer than this by "notmuch-sha1-<hex>"
# (lib/notmuch-private.h: 200 - sizeof ("thread_id_")).
NOTMUCH_MESSAGE_ID_MAX = 189

# At most this many files go into one maildir folder; the rest spills into
# "<folder>.1", "<folder>.2", ... so no directory grows past ~5,000 entries.
FOLDER_CAP = 4000

# Dates are spread over 2019-2024 (UTC epoch bounds); mail from before
# LAST_YEAR that is neither sent nor list mail lives in archive/<year>.
LAST_YEAR = 2024
T_START = 1546300800            # 2019-01-01 00:00:00 UTC
T_END = 1735689600              # 2025-01-01 00:00:00 UTC
RECENT = T_END - 180 * 86400    # mail newer than this may still be in new/

LISTS = {
    'devel': ('Project development discussion', 'devel@lists.example.org',
              'devel.lists.example.org', ''),
    'users': ('Questions and help for users', 'users@lists.example.org',
              'users.lists.example.org', '[users] '),
    'announce': ('Release announcements', 'announce@lists.example.org',
                 'announce.lists.example.org', '[ANN] '),
}
LIST_NAMES = ('devel', 'users', 'announce')


# ---------------------------------------------------------------------------
# RFC 2047 / header helpers
# ---------------------------------------------------------------------------

# Characters that may appear literally in a Q-encoded word in any context
# (RFC 2047 section 5 (3), the strictest rule, which is valid everywhere).
_Q_SAFE = frozenset(b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
                    b'0123456789!*+-/')


def _q_char(ch):
    """Q encoding of one character (as it appears in an encoded word)."""
    if ch == ' ':
        return '_'
    out = []
    for b in ch.encode('utf-8'):
        out.append(chr(b) if b in _Q_SAFE else '=%02X' % b)
    return ''.join(out)


def encode_words(text, enc):
    """Encode *text* as RFC 2047 encoded words ("B" or "Q"), each at most 75
    characters long, split on character boundaries.  Returns the list of
    words; the caller joins them with folding white space."""
    words = []
    if enc == 'B':
        # 12 characters of "=?UTF-8?B?" + "?=" leave 63 for base64: 45 bytes.
        chunk = b''
        for ch in text:
            cb = ch.encode('utf-8')
            if len(chunk) + len(cb) > 45:
                words.append(chunk)
                chunk = b''
            chunk += cb
        words.append(chunk)
        return ['=?UTF-8?B?%s?=' % base64.b64encode(w).decode('ascii')
                for w in words]
    chunk = ''
    for ch in text:
        q = _q_char(ch)
        if len(chunk) + len(q) > 63:
            words.append(chunk)
            chunk = ''
        chunk += q
    words.append(chunk)
    return ['=?UTF-8?Q?%s?=' % w for w in words]


_SPECIALS = frozenset('()<>[]:;@\\,."')


def format_address(name, addr, enc):
    """One mailbox for From/To/Cc: bare address, plain phrase, quoted string
    (for names with specials such as "Doe, Jane") or RFC 2047 words."""
    if name is None:
        return addr
    if not name.isascii():
        return '%s <%s>' % (' '.join(encode_words(name, enc)), addr)
    if any(c in _SPECIALS for c in name):
        quoted = name.replace('\\', '\\\\').replace('"', '\\"')
        return '"%s" <%s>' % (quoted, addr)
    return '%s <%s>' % (name, addr)


def fold_list(field, items):
    """Render an address list header, folding after commas near 78 columns."""
    line = field + ': '
    out = []
    for i, item in enumerate(items):
        piece = item + (',' if i < len(items) - 1 else '')
        if i and len(line) + 1 + len(piece) > 78:
            out.append(line)
            line = ' ' + piece
        else:
            line = line + (' ' if i else '') + piece
    out.append(line)
    return '\n'.join(out)


def notmuch_id(message_id):
    """The id notmuch uses for *message_id* (without angle brackets).

    Ids longer than NOTMUCH_MESSAGE_ID_MAX are stored as
    "notmuch-sha1-<sha1>", where the SHA-1 covers the id *including* its
    terminating NUL byte (notmuch hashes the C string with its terminator).
    notmuch_database_find_message() applies the same mapping, but an
    ``id:<long id>`` query does not, so only the compressed form is
    searchable."""
    if len(message_id) <= NOTMUCH_MESSAGE_ID_MAX:
        return message_id
    digest = hashlib.sha1(message_id.encode('utf-8') + b'\0').hexdigest()
    return 'notmuch-sha1-' + digest


# ---------------------------------------------------------------------------
# Dates (formatted by hand: locale independent and fast)
# ---------------------------------------------------------------------------

_DAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun',
           'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')


def format_date(t, tz_minutes, style):
    """RFC 5322 date for epoch *t* shown in the sender's zone.  *style*
    varies the rendering the way different mail clients do."""
    lt = time.gmtime(t + tz_minutes * 60)
    sign = '+' if tz_minutes >= 0 else '-'
    off = '%s%02d%02d' % (sign, abs(tz_minutes) // 60, abs(tz_minutes) % 60)
    clock = '%02d:%02d:%02d' % (lt.tm_hour, lt.tm_min, lt.tm_sec)
    mon = _MONTHS[lt.tm_mon - 1]
    if style == 'padded':          # Gnus, bots: two-digit day
        s = '%s, %02d %s %d %s %s' % (_DAYS[lt.tm_wday], lt.tm_mday, mon,
                                      lt.tm_year, clock, off)
    elif style == 'noday':         # no day-of-week (allowed by RFC 5322)
        s = '%d %s %d %s %s' % (lt.tm_mday, mon, lt.tm_year, clock, off)
    else:
        s = '%s, %d %s %d %s %s' % (_DAYS[lt.tm_wday], lt.tm_mday, mon,
                                    lt.tm_year, clock, off)
    if style == 'padded' and tz_minutes == 0:
        s += ' (UTC)'
    return s


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

class Person:
    __slots__ = ('name', 'addr', 'enc', 'tz', 'client', 'header', 'first',
                 'is_bot')

    def __init__(self, name, addr, enc=None, tz=0, client='mutt',
                 is_bot=False):
        self.name, self.addr, self.enc, self.tz = name, addr, enc, tz
        self.client, self.is_bot = client, is_bot
        self.header = format_address(name, addr, enc)
        if name is None:
            self.first = addr.split('@')[0]
        elif ', ' in name:                      # "Doe, Jane"
            self.first = name.split(', ')[1].split(' ')[0]
        else:
            self.first = name.split(' ')[0]

    @property
    def display(self):
        return self.name if self.name is not None else self.addr


ME = Person('Test User', 'test@example.org', tz=60, client='notmuch')

# enc: RFC 2047 encoding for non-ASCII names ("B" or "Q"); tz in minutes.
PEOPLE = [
    Person('Alice Liddell', 'alice@wonderland.example', tz=0, client='mutt'),
    Person('Bob Tables', 'bobby.tables@example.net', tz=-300,
           client='gmail'),
    Person('Doe, Jane', 'jane.doe@example.com', tz=-480,
           client='outlook'),
    Person('Jörg Müller', 'joerg.mueller@example.de', 'Q', 60,
           'thunderbird'),
    Person('Zoë Ångström', 'zoe@example.se', 'Q', 60, 'mutt'),
    Person('José Ñúñez', 'jose.nunez@example.es', 'B', 60, 'gmail'),
    Person('山田太郎', 'taro.yamada@example.jp', 'B', 540, 'thunderbird'),
    Person('Дмитрий Иванов', 'dmitry@example.ru', 'B', 180, 'gnus'),
    Person('Σοφία Παπαδοπούλου', 'sofia@example.gr', 'B', 120, 'gmail'),
    Person('François Lefèvre', 'francois@example.fr', 'Q', 60,
           'thunderbird'),
    Person("O'Brien, Seán", 'sean.obrien@example.ie', 'Q', 0, 'outlook'),
    Person(None, 'carol@example.net', tz=-360, client='mutt'),
    Person('Dr. Wei Zhang', 'wei.zhang@example.cn', tz=480,
           client='thunderbird'),
    Person('王芳', 'wang.fang@example.cn', 'B', 480, 'gmail'),
    Person('Ahmed Al-Farsi', 'ahmed@example.ae', tz=240, client='apple'),
    Person('Priya Raman', 'priya.raman@example.in', tz=330, client='gmail'),
    Person("Mary-Kate O'Neil", 'mk.oneil@example.com', tz=-240,
           client='apple'),
    Person('Łukasz Żółć', 'lukasz@example.pl', 'Q', 60, 'git'),
    Person('Björn Þórsson', 'bjorn@example.is', 'Q', 0, 'mutt'),
    Person('Smith, John (Ops)', 'john.smith@ops.example.com', tz=-300,
           client='outlook'),
    Person('Nguyễn Văn An', 'an.nguyen@example.vn', 'B', 420, 'gmail'),
    Person('Émilie Dubois', 'emilie@example.fr', 'Q', 60, 'apple'),
    Person('Ana García', 'ana.garcia@example.mx', 'Q', -360, 'gmail'),
    Person(None, 'dave@example.org', tz=0, client='git'),
    Person('Ingrid Bergström', 'ingrid@example.se', 'Q', 60, 'thunderbird'),
    Person('김민준', 'minjun.kim@example.kr', 'B', 540, 'gmail'),
    Person('Rachel Green', 'rachel@example.com', tz=-300, client='apple'),
    Person('Torvald Lindqvist', 'torvald@example.fi', tz=120, client='git'),
    Person('Fatima Zahra', 'fatima@example.ma', tz=60, client='gmail'),
    Person('Chen Jie', 'chen.jie@example.tw', tz=480, client='gnus'),
    Person('Olga Kowalska', 'olga@example.pl', tz=60, client='thunderbird'),
    Person('Hans-Peter Schäfer', 'hp.schaefer@example.at', 'Q', 60,
           'outlook'),
    Person('Søren Nørgaard', 'soren@example.dk', 'Q', 60, 'gnus'),
    Person('Noam Cohen', 'noam@example.il', tz=120, client='mutt'),
    Person(None, 'eve@example.com', tz=-420, client='apple'),
    Person('Michael "Mike" Brown', 'mike.brown@example.co.uk', tz=0,
           client='outlook'),
    Person('Aarav Patel', 'aarav@example.in', tz=330, client='git'),
    Person('Sam 🚀 Rivera', 'sam@example.io', 'B', -420, 'gmail'),
    Person('Kiri Te Awa', 'kiri@example.nz', tz=780, client='mutt'),
    Person('Ngozi Okafor', 'ngozi@example.ng', tz=60, client='apple'),
    Person('Mohan Shrestha', 'mohan@example.np', tz=345, client='gnus'),
    Person('Emily Tremblay', 'emily@example.ca', tz=-210, client='gmail'),
]

BOTS = [
    Person(None, 'noreply@builds.example.com', tz=0, client='bot',
           is_bot=True),
    Person('GitLab', 'gitlab@git.example.com', tz=0, client='bot',
           is_bot=True),
]

USER_AGENTS = {
    'mutt': 'User-Agent: NeoMutt/20220429',
    'thunderbird': 'User-Agent: Mozilla Thunderbird',
    'gnus': 'User-Agent: Gnus/5.13 (Gnus v5.13)',
    'notmuch': 'User-Agent: Notmuch/0.37 (https://notmuchmail.org) '
               'Emacs/28.2 (x86_64-pc-linux-gnu)',
    'outlook': 'X-Mailer: Microsoft Outlook 16.0',
    'apple': 'X-Mailer: Apple Mail (2.3731.700.6)',
    'git': 'X-Mailer: git-send-email 2.39.2',
}
DATE_STYLE = {'gnus': 'padded', 'bot': 'padded', 'outlook': 'noday'}


# ---------------------------------------------------------------------------
# Message-IDs
# ---------------------------------------------------------------------------

_B32 = 'abcdefghijklmnopqrstuvwxyz234567'
_GMAIL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+='


def make_message_id(rng, person, t, token):
    """A Message-ID in the style of *person*'s mail client.  *token* is a
    string unique within the corpus, so ids never collide."""
    domain = person.addr.split('@')[1]
    c = person.client
    if c in ('mutt', 'git'):
        stamp = time.strftime('%Y%m%d%H%M%S', time.gmtime(t))
        if c == 'git':
            return '%s.%s-1-%s@%s' % (stamp, token, person.addr.split('@')[0],
                                      domain)
        return '%s.GA%s@%s' % (stamp, token, 'hostname.' + domain)
    if c == 'gmail':
        rnd = ''.join(rng.choice(_GMAIL) for _ in range(24))
        return 'CA%s%s@mail.gmail.com' % (rnd, token)
    if c in ('thunderbird', 'apple'):
        h = '%032x' % rng.getrandbits(128)
        uuid = '%s-%s-%s-%s-%s' % (h[:8], h[8:12], h[12:16], h[16:20],
                                   h[20:28])
        if c == 'apple':
            return '%s-%s@%s' % (uuid.upper(), token, domain)
        return '%s-%s@%s' % (uuid, token, domain)
    if c in ('gnus', 'notmuch'):
        rnd = ''.join(rng.choice(_B32) for _ in range(6))
        return '87%s%s.fsf@%s' % (rnd, token, domain)
    if c == 'outlook':
        rnd = '%016X' % rng.getrandbits(64)
        return '%s%s@AM0PR04MB%04d.eurprd04.prod.outlook.com' % (
            rnd, token.upper(), rng.randrange(10000))
    # bots: GitLab/GitHub style ids with slashes
    return 'project/pipelines/%s/%d@%s' % (token, rng.randrange(10**6),
                                           domain)


def make_long_id(rng, token, length):
    """A syntactically valid Message-ID of exactly *length* characters."""
    domain = '@relay.very-long-subdomain.mail.example-enterprise-mailer.com'
    head = 'long.%s.' % token
    n = length - len(head) - len(domain)
    body = ''.join('%x' % rng.randrange(16) for _ in range(n))
    # Break the hex run into dot-separated groups, as some gateways do.
    body = '.'.join(body[i:i + 16] for i in range(0, n, 17))
    body = body + '0' * (n - len(body))
    return head + body + domain


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

NOUNS = ('index', 'database', 'thread view', 'tag cache', 'query parser',
         'build', 'test suite', 'release', 'patch', 'config file', 'mailbox',
         'search result', 'attachment', 'signature', 'schedule', 'budget',
         'report', 'invoice', 'meeting', 'deadline', 'benchmark', 'crash',
         'memory leak', 'regression', 'migration', 'backup', 'changelog',
         'documentation', 'roadmap', 'prototype', 'dashboard', 'API')
ADJS = ('slow', 'broken', 'new', 'old', 'flaky', 'quick', 'detailed',
        'minor', 'major', 'surprising', 'intermittent', 'updated', 'final',
        'preliminary', 'unexpected', 'careful')
VERBS = ('fails', 'hangs', 'works', 'breaks', 'crashes', 'improves',
         'regresses', 'times out', 'leaks', 'stalls')
ACTIONS = ('fix', 'refactor', 'review', 'document', 'benchmark', 'revert',
           'simplify', 'split', 'test', 'merge', 'postpone', 'rewrite')
MODULES = ('lib/index', 'lib/thread', 'lib/query', 'cli/search', 'emacs',
           'bindings/python', 'nm-glib', 'docs', 'ci', 'packaging',
           'lib/message', 'lib/tags')
PLATFORMS = ('arm64', 'FreeBSD', 'macOS', 'Debian bookworm', 'Fedora 39',
             'Alpine', 'Windows/WSL', 'ppc64le')
WEEKDAYS = ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday')
CITIES = ('Berlin', 'Lisbon', 'Kyoto', 'Montréal', 'Reykjavík', 'Nairobi',
          'Oslo', 'Seoul')
EVENTS = ('all-hands', 'sprint review', 'design review', 'retrospective',
          'offsite', 'security audit')

SENTENCES = (
    'I think the {noun} {verb} when the {noun2} is {adj}.',
    'Could you take a look at the {adj} {noun} before {weekday}?',
    'The {noun} in {module} still {verb} after the last change.',
    'We should {action} the {noun} and {action2} the {noun2}.',
    'Thanks, that fixed the {adj} {noun} on my machine.',
    'I pushed a patch that should {action} the {noun} in {module}.',
    "Let's discuss the {noun} at the {event} on {weekday}.",
    'Benchmarks show the {noun} is {pct}% faster with the {noun2} enabled.',
    'Does anyone know why the {noun} {verb} only on {platform}?',
    'See ticket #{num} for the {adj} details.',
    'The {adj} {noun} was reverted in commit {hex}.',
    'I can reproduce it on {platform} but not on {platform2}.',
    'Sounds good to me, please go ahead and {action} it.',
    'Attached is the {adj} {noun} from yesterday.',
    'Any objections to merging this before the {event}?',
    "I'll be in {city} next week, so replies may be slow.",
    'The {noun} took {num} seconds on a cold cache.',
    'Not sure this is the right approach for the {noun}.',
    'Maybe we can {action} the {noun2} first and see what happens.',
    'The problem is {adj}, but it only affects the {noun}.',
)

# Non-ASCII sentences for quoted-printable bodies.  The first group is
# representable in ISO-8859-1 (used for a few legacy-charset messages).
LATIN1_SENTENCES = (
    'Grüße aus München! Die Änderungen sind übernommen.',
    'Ça marche très bien, merci pour la révision du code.',
    '¿Podrías revisar la configuración del índice mañana?',
    'Smörgåsbord of fixes: naïve café façade, déjà vu.',
    'Der Übersetzungsfehler in der Größenangabe ist behoben.',
)
UNICODE_SENTENCES = LATIN1_SENTENCES + (
    'Спасибо, исправление работает отлично.',
    'テストは全部通りました。ありがとうございます。',
    'Ένα μικρό σφάλμα στο αρχείο ρυθμίσεων.',
    'Ship it 🚀 — all green ✅',
    '会议纪要已经上传到共享目录。',
    'Cảm ơn bạn đã kiểm tra bản vá này.',
)

SUBJECTS = (
    '{Action} the {noun} in {module}',
    '[PATCH] {module}: {action} {adj} {noun}',
    '[PATCH v{n} {k}/{m}] {module}: {action} the {noun}',
    'Question about the {noun}',
    '{noun} {verb} on {platform}',
    'Meeting notes: {event}',
    'Lunch on {weekday}?',
    'Release {n}.{num2} planning',
    'Invoice #{num}',
    'Travel plans for {city}',
    'Re-index takes {num2} minutes',
    'RFC: {adj} {noun} for {module}',
    'Reminder: {event} on {weekday}',
    'Welcome to the team!',
    'Weird {noun} behaviour after upgrade',
    '{adj} {noun} in the nightly build',
)
UNICODE_SUBJECTS = (
    'Café meeting in Zürich',
    'Überprüfung der Testergebnisse',
    'Résumé of the 🚀 launch',
    '会議の議事録',
    'Встреча в пятницу',
    'Año nuevo — plans for Q1',
    'Smörgåsbord of fixes ✓',
    'Ελληνικά characters in headers',
    'Revisión del índice — versión {n}.{num2}',
    'Ångström units in the Þ report',
)


_VOCAB = {
    'noun': lambda r: r.choice(NOUNS),
    'noun2': lambda r: r.choice(NOUNS),
    'adj': lambda r: r.choice(ADJS),
    'verb': lambda r: r.choice(VERBS),
    'action': lambda r: r.choice(ACTIONS),
    'Action': lambda r: r.choice(ACTIONS).capitalize(),
    'action2': lambda r: r.choice(ACTIONS),
    'module': lambda r: r.choice(MODULES),
    'platform': lambda r: r.choice(PLATFORMS),
    'platform2': lambda r: r.choice(PLATFORMS),
    'weekday': lambda r: r.choice(WEEKDAYS),
    'city': lambda r: r.choice(CITIES),
    'event': lambda r: r.choice(EVENTS),
    'pct': lambda r: r.randrange(3, 60),
    'num': lambda r: r.randrange(100, 99999),
    'num2': lambda r: r.randrange(1, 40),
    'hex': lambda r: '%07x' % r.getrandbits(28),
    'n': lambda r: r.randrange(2, 6),
    'k': lambda r: r.randrange(1, 4),
    'm': lambda r: r.randrange(4, 9),
}


class _Fill(dict):
    """format_map() mapping that draws only the placeholders a template
    uses (in template order, so the result stays deterministic)."""
    __slots__ = ('rng',)

    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def __missing__(self, key):
        value = self[key] = _VOCAB[key](self.rng)
        return value


def _fill(rng, template):
    """Expand a {placeholder} template with random vocabulary."""
    if '{' not in template:
        return template
    return template.format_map(_Fill(rng))


def wrap(text, width=72):
    """Greedy word wrap (textwrap is noticeably slower in the hot loop)."""
    lines, line = [], ''
    for word in text.split(' '):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = line + ' ' + word if line else word
    if line:
        lines.append(line)
    return lines


def _html_escape(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


# ---------------------------------------------------------------------------
# Planning: threads, dates, recipients, folders, flags
# ---------------------------------------------------------------------------

class Msg:
    __slots__ = ('idx', 'mid', 'author', 'to', 'cc', 'subject', 't',
                 'parent', 'refs', 'irt_style', 'list', 'folder', 'flags',
                 'in_new', 'kind', 'ghost', 'lines', 'children', 'attach')

    def __init__(self):
        self.children = []
        self.ghost = False
        self.in_new = False
        self.flags = ''
        self.cc = []
        self.parent = None
        self.refs = []
        self.irt_style = 'plain'   # 'plain', 'none' (References only), 'emacs'
        self.kind = 'plain'
        self.attach = False        # has a Content-Disposition: attachment


class Planner:
    def __init__(self, rng):
        self.rng = rng
        self.msgs = []          # real messages, in file index order
        self.ghosts = []        # referenced but never written
        self.used_times = set()
        self.used_ids = set()
        self.ghost_token = 0
        self.long_ids = []

    # -- helpers -----------------------------------------------------------

    def unique_time(self, t):
        """Bump *t* forward until no other message has this exact second,
        so date sorts are unambiguous (and replies stay after parents)."""
        while t in self.used_times:
            t += 1
        self.used_times.add(t)
        return t

    def new_id(self, person, t, token):
        mid = make_message_id(self.rng, person, t, token)
        assert mid not in self.used_ids, mid
        self.used_ids.add(mid)
        return mid

    def subject(self, lst):
        rng = self.rng
        if rng.random() < 0.1:
            s = _fill(rng, rng.choice(UNICODE_SUBJECTS))
        else:
            s = _fill(rng, rng.choice(SUBJECTS))
        s = s[0].upper() + s[1:]
        return LISTS[lst][3] + s if lst else s

    # -- threads -----------------------------------------------------------

    def thread(self, size, kind='normal', lst=None, with_me=None):
        """Plan one thread of *size* nodes.  Nodes listed as ghosts are
        referenced by their replies but never written.

        kind: 'normal', 'conversation' (forced branch at the root),
        'ghost_root', 'missing_middle', 'refs_only' or 'long_ids'."""
        rng = self.rng
        forced, ghosts = {}, ()
        if kind == 'conversation':
            forced = {2: 0}
        elif kind == 'ghost_root':
            forced, ghosts = {1: 0, 2: 0}, (0,)
        elif kind == 'missing_middle':
            forced, ghosts = {1: 0, 2: 1}, (1,)
        elif kind == 'long_ids':
            forced = {1: 0, 2: 1}

        if with_me is None:
            with_me = rng.random() < 0.3
        cast = rng.sample(PEOPLE, rng.randint(2, 4))
        if with_me:
            cast.append(ME)
        root_author = cast[0]
        subject = self.subject(lst)
        t0 = rng.randrange(T_START, T_END - 40 * 86400)

        nodes = []
        for j in range(size):
            m = Msg()
            m.ghost = j in ghosts
            m.list = lst
            if j == 0:
                m.author = root_author
                m.subject = subject
                m.t = t0
            else:
                p = forced.get(j)
                if p is None:
                    # Mostly answer the latest message (depth), sometimes an
                    # earlier one (branching).
                    p = j - 1 if rng.random() < 0.6 else rng.randrange(j)
                parent = nodes[p]
                m.parent = parent
                parent.children.append(m)
                m.refs = parent.refs + [parent.mid]
                m.subject = 'Re: ' + subject
                others = [c for c in cast if c is not parent.author]
                m.author = rng.choice(others) if others else parent.author
                # Replies come minutes to days after their parent (integer
                # draws only: no libm, so identical on every platform).
                m.t = parent.t + 60 + rng.randrange(
                    rng.choice((900, 3600, 3600, 4 * 3600, 86400, 4 * 86400)))
                if kind == 'refs_only':
                    m.irt_style = 'none'
                elif rng.random() < 0.05:
                    m.irt_style = 'emacs'
            if m.ghost:
                self.ghost_token += 1
                m.mid = self.new_id(m.author, m.t, 'g%d' % self.ghost_token)
            else:
                m.t = self.unique_time(m.t)
                m.idx = len(self.msgs)
                if kind == 'long_ids' and j < 2:
                    m.mid = make_long_id(rng, str(m.idx), (120, 230)[j])
                    self.used_ids.add(m.mid)
                    self.long_ids.append(m.mid)
                else:
                    m.mid = self.new_id(m.author, m.t, str(m.idx))
                self.msgs.append(m)
            nodes.append(m)
            self.recipients(m, cast)
            self.body_lines(m)
        for m in nodes:
            if m.ghost:
                self.ghosts.append(m)
        return nodes

    def singleton(self):
        rng = self.rng
        m = Msg()
        m.list = None
        r = rng.random()
        if r < 0.1:
            m.author = rng.choice(BOTS)
            m.subject = ('Pipeline #%d failed for main (%07x)'
                         % (rng.randrange(1000, 99999), rng.getrandbits(28)))
        else:
            m.author = ME if r < 0.15 else rng.choice(PEOPLE)
            if rng.random() < 0.3:
                m.list = rng.choice(LIST_NAMES)
            m.subject = self.subject(m.list)
        m.t = self.unique_time(rng.randrange(T_START, T_END - 86400))
        m.idx = len(self.msgs)
        m.mid = self.new_id(m.author, m.t, str(m.idx))
        self.msgs.append(m)
        self.recipients(m, [])
        self.body_lines(m)
        return [m]

    def recipients(self, m, cast):
        rng = self.rng
        a = m.author
        if m.list:
            to = [LISTS[m.list][1]]
            cc = []
            if m.parent is not None and m.parent.author is not a \
                    and rng.random() < 0.5:
                cc.append(m.parent.author.header)
            if a is not ME and rng.random() < 0.25:
                cc.append(ME.header)
        elif m.parent is None:
            pool = [p for p in PEOPLE if p is not a]
            to = [] if a is ME else [ME.header]
            to += [p.header for p in rng.sample(pool, rng.randint(
                1 if a is ME else 0, 2))]
            cc = [p.header for p in rng.sample(pool, rng.randint(0, 3))] \
                if rng.random() < 0.35 else []
        else:
            pa = m.parent.author
            to = [pa.header] if pa is not a else list(m.parent.to)
            cc = [c.header for c in cast if c is not a and c is not pa]
            if a is not ME and ME.header not in to and ME.header not in cc:
                cc.append(ME.header)
        # Dedupe while keeping order; never send to oneself.
        seen = {a.header}
        m.to = [x for x in to if not (x in seen or seen.add(x))]
        m.cc = [x for x in cc if not (x in seen or seen.add(x))]
        if not m.to:
            m.to = [ME.header]

    def body_lines(self, m):
        """The message's own text (without quotes), used again by replies."""
        rng = self.rng
        paras = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            text = ' '.join(_fill(rng, rng.choice(SENTENCES))
                            for _ in range(rng.randint(1, 3)))
            paras.append(wrap(text))
        r = rng.random()
        if r < 0.07:
            m.kind = 'qp'
        elif r < 0.17:
            m.kind = 'alternative'
        elif r < 0.26:
            m.kind = 'mixed'
        elif r < 0.28:
            m.kind = 'mixed_alternative'
        if m.author.is_bot:
            m.kind = 'alternative' if r < 0.5 else 'plain'
        if m.kind == 'qp':
            text = ' '.join(rng.sample(UNICODE_SENTENCES, rng.randint(1, 3)))
            paras.insert(0, wrap(text))
        lines = []
        for p in paras:
            if lines:
                lines.append('')
            lines.extend(p)
        m.lines = lines

    # -- whole corpus ------------------------------------------------------

    def plan(self, n_real):
        rng = self.rng
        # Fixed opening so even a tiny corpus has a real conversation (on a
        # list, Cc'd to the user: the duplicate is its INBOX copy), and a
        # 200-message corpus has each special case at least once.
        specials = [('conversation', 5, 9, 'devel'),
                    ('ghost_root', 2, 4, None),
                    ('refs_only', 3, 6, 'users'),
                    ('long_ids', 3, 3, None),
                    ('missing_middle', 3, 5, 'devel')]
        minimum = {'conversation': 1, 'ghost_root': 1, 'refs_only': 2,
                   'long_ids': 3, 'missing_middle': 2}
        k = 0
        while len(self.msgs) < n_real:
            left = n_real - len(self.msgs)
            if k < len(specials):
                kind, lo, hi, lst = specials[k]
                k += 1
                if left < minimum[kind]:
                    kind, lst = 'normal', None
                real = min(left, rng.randint(lo, hi))
                if kind == 'conversation':
                    self.thread(real, kind, lst, with_me=False)
                    continue
            else:
                r = rng.random()
                if r < 0.55:
                    self.singleton()
                    continue
                kind = ('ghost_root' if r < 0.57 else
                        'refs_only' if r < 0.59 else
                        'missing_middle' if r < 0.60 else 'normal')
                real = min(left, rng.choice((2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6,
                                             7, 8, 9, 10, 11, 12)))
                if real < 2 and kind != 'ghost_root':
                    kind = 'normal'
                lst = rng.choice(LIST_NAMES) if rng.random() < 0.35 else None
            ghosts = 1 if kind in ('ghost_root', 'missing_middle') else 0
            self.thread(real + ghosts, kind, lst)

    def assign_folders(self, duplicate):
        """Folder, maildir flags and cur/new for every real message."""
        rng = self.rng
        counts = {}
        for m in self.msgs:
            year = time.gmtime(m.t).tm_year
            if m.author is ME:
                folder = 'Sent'
            elif m.list:
                folder = 'lists/' + m.list
            elif year < LAST_YEAR:
                folder = 'archive/%d' % year
            else:
                folder = 'INBOX'
            m.folder = folder
            if m.author is ME:
                m.flags = 'S'
            elif folder.startswith('archive/'):
                m.flags = rng.choices(('S', 'RS', 'FS', 'PS', 'F', ''),
                                      (60, 15, 8, 5, 2, 10))[0]
            else:
                m.flags = rng.choices(('', 'S', 'RS', 'FS', 'F', 'PS'),
                                      (30, 45, 10, 7, 4, 4))[0]
                p_new = 0.6 if m.t >= RECENT else 0.02
                m.in_new = rng.random() < p_new
        # Messages the user answered carry the R(eplied) flag.
        for m in self.msgs:
            if any(c.author is ME for c in m.children) and not m.in_new:
                m.flags = ''.join(sorted(set(m.flags) | {'R', 'S'}))
        if duplicate is not None:
            # Both copies identical and in cur/ with the same flags, so the
            # tags notmuch derives do not depend on which file it reads.
            duplicate.in_new = False
        if len(self.msgs) >= 5 and not any(m.in_new for m in self.msgs):
            # Small corpora still get one unseen file in new/.
            cands = [m for m in self.msgs if m.author is not ME
                     and m is not duplicate
                     and not m.folder.startswith('archive/')]
            if cands:
                max(cands, key=lambda m: m.t).in_new = True
        for m in self.msgs:
            if m.in_new:
                m.flags = ''
        # Make sure every common flag set occurs at least once (tests rely
        # on it), by re-flagging some of the plentiful plain "S" messages.
        present = {m.flags for m in self.msgs if not m.in_new}
        missing = [f for f in ('', 'S', 'RS', 'FS', 'F', 'PS')
                   if f not in present]
        spare = [m for m in self.msgs if m.flags == 'S' and not m.in_new
                 and m.author is not ME and m is not duplicate]
        if len(spare) > len(missing):
            for m, f in zip(spare, missing):
                m.flags = f
        for m in self.msgs:
            n = counts.get(m.folder, 0)
            counts[m.folder] = n + 1
            if n >= FOLDER_CAP:
                m.folder = '%s.%d' % (m.folder, n // FOLDER_CAP)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def _attachment(rng, m, n):
    """(headers, encoded body) of one attachment part of message *m*."""
    idx = m.idx
    choice = rng.randrange(5)
    m.attach = m.attach or choice != 4
    if choice == 0:
        data = (b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n'
                b'endobj\n' + rng.randbytes(rng.randint(200, 700))
                + b'\n%%EOF\n')
        name = 'report-%d-%d.pdf' % (idx, n)
        ctype = 'application/pdf; name="%s"' % name
    elif choice == 1:
        data = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10'
                b'\x00\x00\x00\x10\x08\x06\x00\x00\x00'
                + rng.randbytes(rng.randint(100, 500)) + b'IEND\xaeB`\x82')
        name = 'screenshot-%d.png' % idx
        ctype = 'image/png; name="%s"' % name
    elif choice == 2:
        lines = ['build step %d: %s' % (i, rng.choice(('ok', 'ok', 'FAILED',
                                                       'skipped')))
                 for i in range(rng.randint(3, 12))]
        name = 'build-%d.log' % idx
        hdr = ('Content-Type: text/plain; charset=us-ascii; name="%s"\n'
               'Content-Disposition: attachment; filename="%s"\n'
               'Content-Transfer-Encoding: 7bit' % (name, name))
        return hdr, '\n'.join(lines) + '\n'
    elif choice == 3:
        items = ['- item %d: %s' % (i, rng.choice(UNICODE_SENTENCES))
                 for i in range(rng.randint(2, 5))]
        text = 'Übersicht / overview %d\n\n%s\n' % (idx, '\n'.join(items))
        data = text.encode('utf-8')
        # Non-ASCII file name as an RFC 2231 parameter.
        hdr = ('Content-Type: text/plain; charset=UTF-8\n'
               "Content-Disposition: attachment; "
               "filename*=UTF-8''%%C3%%9Cbersicht-%d.txt\n"
               'Content-Transfer-Encoding: base64' % idx)
        return hdr, base64.encodebytes(data).decode('ascii')
    else:
        # Inline patch with a file name (notmuch only tags parts whose
        # disposition is "attachment" as attachments).
        name = '0001-fix-%d.patch' % idx
        mod = rng.choice(MODULES)
        body = ('From %040x Mon Sep 17 00:00:00 2001\n'
                'Subject: [PATCH] %s: fix the %s\n\n---\n'
                ' %s.c | 2 +-\n\n'
                '--- a/%s.c\n+++ b/%s.c\n@@ -10,7 +10,7 @@\n'
                '-    return %d;\n+    return %d;\n'
                % (rng.getrandbits(160), mod, rng.choice(NOUNS), mod, mod,
                   mod, rng.randrange(9), rng.randrange(9)))
        hdr = ('Content-Type: text/x-patch; charset=us-ascii\n'
               'Content-Disposition: inline; filename="%s"\n'
               'Content-Transfer-Encoding: 7bit' % name)
        return hdr, body
    hdr = ('Content-Type: %s\n'
           'Content-Disposition: attachment; filename="%s"\n'
           'Content-Transfer-Encoding: base64' % (ctype, name))
    return hdr, base64.encodebytes(data).decode('ascii')


def _text_part(text):
    cte = '7bit' if text.isascii() else '8bit'
    return ('Content-Type: text/plain; charset=UTF-8\n'
            'Content-Transfer-Encoding: %s' % cte, text)


def _html_part(text):
    """HTML rendering of the plain text: quoted lines become a blockquote,
    blank lines separate paragraphs."""
    blocks, cur, quoted = [], [], False

    def flush():
        if cur:
            tag = 'blockquote' if quoted else 'p'
            blocks.append('<%s>%s</%s>' % (tag, '<br>\n'.join(cur), tag))
            del cur[:]

    for line in text.rstrip('\n').split('\n'):
        is_quote = line.startswith('>')
        if not line or is_quote != quoted:
            flush()
            quoted = is_quote
        if line:
            cur.append(_html_escape(line[1:].lstrip() if is_quote else line))
    flush()
    html = ('<html>\n<head><meta charset="utf-8"></head>\n<body>\n%s\n'
            '</body>\n</html>\n' % '\n'.join(blocks))
    cte = '7bit' if html.isascii() else '8bit'
    return ('Content-Type: text/html; charset=UTF-8\n'
            'Content-Transfer-Encoding: %s' % cte, html)


def _multipart(subtype, boundary, parts, preamble=True):
    """(Content-Type header, body) of a multipart entity."""
    out = []
    if preamble:
        out.append('This is a multi-part message in MIME format.\n\n')
    for hdr, body in parts:
        out.append('--%s\n%s\n\n%s' % (boundary, hdr, body))
        if not body.endswith('\n'):
            out.append('\n')
    out.append('--%s--\n' % boundary)
    ctype = 'Content-Type: multipart/%s;\n boundary="%s"' % (subtype, boundary)
    return ctype, ''.join(out)


def render(rng, m, seed):
    """The complete RFC 5322 text of message *m*."""
    a = m.author
    style = DATE_STYLE.get(a.client, 'plain')
    date = format_date(m.t, a.tz, style)
    h = []
    if a is not ME:
        host = 'mail.' + a.addr.split('@')[1]
        h.append('Received: from %s (%s [192.0.2.%d])\n'
                 '\tby mx.example.org (Postfix) with ESMTPS id %08X\n'
                 '\tfor <test@example.org>; %s'
                 % (host, host, m.idx % 250 + 1, rng.getrandbits(32),
                    format_date(m.t + 2 + m.idx % 7, 0, 'plain')))
    h.append('From: ' + a.header)
    h.append(fold_list('To', m.to))
    if m.cc:
        h.append(fold_list('Cc', m.cc))
    subj = m.subject
    if subj.isascii():
        h.append('Subject: ' + subj)
    else:
        prefix = ''
        if subj.startswith('Re: '):
            prefix, subj = 'Re: ', subj[4:]
        enc = 'B' if m.idx % 2 else 'Q'
        h.append('Subject: ' + prefix + '\n '.join(encode_words(subj, enc)))
    h.append('Date: ' + date)
    h.append('Message-ID: <%s>' % m.mid)
    if m.parent is not None:
        pmid = m.parent.mid
        if m.irt_style == 'plain':
            h.append('In-Reply-To: <%s>' % pmid)
        elif m.irt_style == 'emacs':
            # Emacs message-mode style: a trailing comment after the id.
            h.append('In-Reply-To: <%s> (message from %s on %s)'
                     % (pmid, m.parent.author.addr,
                        format_date(m.parent.t, m.parent.author.tz, 'plain')))
        h.append('References: ' + '\n '.join('<%s>' % r for r in m.refs))
    if m.list:
        desc, post, lid, _ = LISTS[m.list]
        h.append('List-Id: %s <%s>' % (desc, lid))
        h.append('List-Post: <mailto:%s>' % post)
        h.append('List-Unsubscribe: <mailto:%s-leave@lists.example.org>'
                 % m.list)
        h.append('Precedence: list')
    ua = USER_AGENTS.get(a.client)
    if ua:
        h.append(ua)
    h.append('MIME-Version: 1.0')

    # Text: attribution + quote of the parent, own lines, signature.
    body = []
    parent = m.parent
    if parent is not None and m.idx % 7 != 3:
        body.append('On %s, %s wrote:' % (format_date(parent.t, a.tz, 'plain'),
                                         parent.author.display))
        body.extend('> ' + l if l else '>' for l in parent.lines[:6])
        body.append('')
    body.extend(m.lines)
    if not a.is_bot and m.idx % 3:
        body.append('')
        body.append('-- ')
        body.append(a.first)
    text = '\n'.join(body) + '\n'

    kind = m.kind
    boundary = '=-=-nmcorpus-%d-%d-=' % (seed, m.idx)
    if kind == 'plain':
        ctype, payload = _text_part(text)
    elif kind == 'qp':
        charset, raw = 'UTF-8', text.encode('utf-8')
        if m.idx % 3 == 0:
            # Some legacy clients still send ISO-8859-1 when they can.
            try:
                charset, raw = 'ISO-8859-1', text.encode('latin-1')
            except UnicodeEncodeError:
                pass
        ctype = ('Content-Type: text/plain; charset=%s\n'
                 'Content-Transfer-Encoding: quoted-printable' % charset)
        payload = binascii.b2a_qp(raw).decode('ascii')
        if not payload.endswith('\n'):
            payload += '\n'
    elif kind == 'alternative':
        ctype, payload = _multipart('alternative', boundary,
                                    [_text_part(text), _html_part(text)],
                                    preamble=False)
    elif kind == 'mixed':
        parts = [_text_part(text)]
        for n in range(1 + (m.idx % 4 == 0)):
            parts.append(_attachment(rng, m, n))
        ctype, payload = _multipart('mixed', boundary, parts)
    else:   # mixed_alternative: (text + html) + attachment
        # The inner boundary must not start with the outer one.
        inner = boundary.replace('-=-', '-=alt=-', 1)
        alt = _multipart('alternative', inner,
                         [_text_part(text), _html_part(text)], preamble=False)
        ctype, payload = _multipart('mixed', boundary,
                                    [alt, _attachment(rng, m, 0)])
    h.append(ctype)
    return '\n'.join(h) + '\n\n' + payload


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------

CONFIG_TEMPLATE = """\
# notmuch configuration for a corpus generated by tests/nmcorpus.py
[database]
path={mail_root}

[user]
name=Test User
primary_email=test@example.org

[new]
tags=unread;inbox;
ignore=

[search]
exclude_tags=deleted;spam;

[maildir]
synchronize_flags=true
"""


def _count_threads(msgs):
    """Group real messages the way notmuch does: every message joins the
    thread of every id in its References and In-Reply-To, whether or not
    that id has a file (notmuch keeps "ghost" documents for missing ids), so
    threads are the connected components of the reference graph."""
    parent = {}

    def find(x):
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:       # path compression
            parent[x], x = root, parent[x]
        return root

    for m in msgs:
        parent.setdefault(m.mid, m.mid)
        for r in m.refs:
            ra, rb = find(m.mid), find(r)
            if ra != rb:
                parent[rb] = ra
    groups = {}
    for m in msgs:
        groups.setdefault(find(m.mid), []).append(m)
    threads = [sorted(g, key=lambda m: m.t) for g in groups.values()]
    threads.sort(key=lambda g: g[0].t)
    return [[m.mid for m in g] for g in threads]


def expected_tags(flags, in_new, has_attachment):
    """Tags notmuch new should give a message with this config: the
    [new] tags, then synchronize_flags (S clears unread, F/R/P/D add
    flagged/replied/passed/draft; a file in new/ has no flags) and the
    automatic "attachment" tag."""
    tags = {'inbox'}
    if in_new or 'S' not in flags:
        tags.add('unread')
    for flag, tag in (('F', 'flagged'), ('R', 'replied'), ('P', 'passed'),
                      ('D', 'draft')):
        if not in_new and flag in flags:
            tags.add(tag)
    if has_attachment:
        tags.add('attachment')
    return tags


def generate(outdir, messages=200, seed=1):
    """Write a corpus of *messages* files under *outdir* (see module doc).

    Returns a dict with:
      mail_root, config   absolute paths of the maildir root / notmuch-config
      files               every mail file written, in creation order
      message_ids         distinct Message-IDs written (no angle brackets)
      notmuch_ids         the same ids as notmuch reports them (long ids
                          compressed, see notmuch_id())
      ghost_ids           ids referenced by In-Reply-To/References with no file
      duplicate_ids       ids stored in two files
      long_ids            the long Message-IDs (120 and 230 characters)
      threads             number of threads notmuch should build
      thread_members      per expected thread, its message ids oldest first;
                          threads ordered by their oldest message
      by_id               {message id: {'subject', 'from_name' (None for a
                          bare address), 'from_addr', 'date' (epoch
                          seconds, all distinct), 'parent' (the id replied
                          to, maybe a ghost, or None), 'files', 'tags' (the
                          tags notmuch new should assign)}}
      count, seed         the arguments
    """
    if messages < 0:
        raise ValueError('messages must be >= 0')
    outdir = os.path.abspath(outdir)
    mail_root = os.path.join(outdir, 'mail')
    if os.path.isdir(mail_root) and os.listdir(mail_root):
        raise FileExistsError('%s already exists and is not empty' % mail_root)

    rng = random.Random(seed)
    planner = Planner(rng)
    want_dup = messages >= 4
    planner.plan(messages - want_dup)
    msgs = planner.msgs
    duplicate = msgs[0] if want_dup else None   # root of the opening thread
    if duplicate is not None and ME.header not in duplicate.cc:
        # The list post is Cc'd to the user, hence its second copy in INBOX.
        duplicate.cc.append(ME.header)
    planner.assign_folders(duplicate)

    # Every real message once, then the duplicate's second copy (identical
    # bytes and flags) in INBOX; its first copy is in lists/devel.
    jobs = [(m.idx, m, m.folder) for m in msgs]
    if duplicate is not None:
        assert duplicate.folder != 'INBOX'
        jobs.append((len(msgs), duplicate, 'INBOX'))

    os.makedirs(mail_root, exist_ok=True)
    made = set()
    files = []
    by_id = {}
    text = None
    for fidx, m, folder in jobs:
        if fidx == m.idx:
            text = render(rng, m, seed).encode('utf-8')
            if m is duplicate:
                dup_text = text
        else:
            text = dup_text
        if folder not in made:
            for sub in ('cur', 'new', 'tmp'):
                os.makedirs(os.path.join(mail_root, folder, sub),
                            exist_ok=True)
            made.add(folder)
        name = '%d.%d.nmcorpus' % (fidx, seed)
        if m.in_new:
            path = os.path.join(mail_root, folder, 'new', name)
        else:
            path = os.path.join(mail_root, folder, 'cur',
                                name + ':2,' + m.flags)
        with open(path, 'wb') as f:
            f.write(text)
        files.append(path)
        if m.mid in by_id:
            by_id[m.mid]['files'].append(path)
            continue
        by_id[m.mid] = {
            'subject': m.subject,
            'from_name': m.author.name,
            'from_addr': m.author.addr,
            'date': m.t,
            'parent': m.parent.mid if m.parent is not None else None,
            'files': [path],
            'tags': expected_tags(m.flags, m.in_new, m.attach),
        }

    config = os.path.join(outdir, 'notmuch-config')
    with open(config, 'w', encoding='utf-8') as f:
        f.write(CONFIG_TEMPLATE.format(mail_root=mail_root))

    thread_members = _count_threads(msgs)
    written = {m.mid for m in msgs}
    return {
        'mail_root': mail_root,
        'config': config,
        'files': files,
        'message_ids': written,
        'notmuch_ids': {notmuch_id(i) for i in written},
        'ghost_ids': {g.mid for g in planner.ghosts} - written,
        'duplicate_ids': {duplicate.mid} if duplicate is not None else set(),
        'long_ids': list(planner.long_ids),
        'threads': len(thread_members),
        'thread_members': thread_members,
        'by_id': by_id,
        'count': messages,
        'seed': seed,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(
        description='Generate a deterministic maildir corpus and a matching '
                    'notmuch-config (OUTDIR/mail, OUTDIR/notmuch-config).')
    ap.add_argument('outdir', help='output directory (created if missing)')
    ap.add_argument('--messages', '-n', type=int, default=200,
                    help='number of mail files to write (default 200)')
    ap.add_argument('--seed', '-s', type=int, default=1,
                    help='random seed (default 1)')
    args = ap.parse_args(argv)
    if args.messages < 0:
        ap.error('--messages must be >= 0')
    try:
        info = generate(args.outdir, args.messages, args.seed)
    except FileExistsError as e:
        ap.error(str(e))
    print('nmcorpus: %d files, %d messages, %d threads, %d ghost ids, '
          '%d duplicate id(s) in %s (config %s)'
          % (len(info['files']), len(info['message_ids']), info['threads'],
             len(info['ghost_ids']), len(info['duplicate_ids']),
             info['mail_root'], info['config']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
