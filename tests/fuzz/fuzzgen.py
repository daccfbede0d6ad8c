"""Seeded generator of API-sequence programs for tests/fuzz/api_fuzz.py.

The calls come from the library's GIR (``Notmuch-1.0.gir`` of the build being fuzzed), so
every public method is reached, new ones included, with arguments of the right type and
random values; the values are picked by parameter name from pools that hold the cases a
skeptical user tries (long, empty, not quite UTF-8, garbage, plausible).  A few steps are
written by hand: opens, walks over lists, references dropped, ``run_dispose()``, generic
construction, threads, asynchronous calls with main-loop iterations, callbacks that call
back into the database, and changes from outside (the CLI, the configuration file, the
environment, mail files).

A program is a list of :class:`Step`; :func:`render` turns steps into the Python source of a
standalone script (see fuzzrt.py).  The same seed always gives the same program.
"""

import random
import re
import xml.etree.ElementTree as ET

_CORE = '{http://www.gtk.org/introspection/core/1.0}'
_GLIB = '{http://www.gtk.org/introspection/glib/1.0}'

# Slot (variable) name prefixes and how many variables each type gets.
_PREFIX = {'Database': 'db', 'Query': 'q', 'Messages': 'ms', 'Threads': 'ts', 'Message': 'm',
           'Thread': 't', 'Directory': 'd', 'IndexOptions': 'io'}
_SLOTS = {'Database': 3, 'Query': 3, 'Messages': 4, 'Threads': 3, 'Message': 5, 'Thread': 3,
          'Directory': 2, 'IndexOptions': 2}
# How often each type is the receiver of a generic call.
_CLASS_WEIGHT = {'Database': 30, 'Query': 15, 'Messages': 8, 'Threads': 5, 'Message': 25,
                 'Thread': 8, 'Directory': 3, 'IndexOptions': 2}
# Methods called more often than the others (the rest weigh 1).
_METHOD_WEIGHT = {
    ('Database', 'search_messages'): 4, ('Database', 'search_threads'): 4,
    ('Database', 'remove_message'): 3, ('Database', 'index_file'): 2,
    ('Database', 'find_message'): 2, ('Database', 'count_messages'): 2,
    ('Database', 'begin_atomic'): 1.5, ('Database', 'end_atomic'): 1.5,
    # A closed database answers CLOSED_DATABASE to everything after: the rest of the
    # program would test little else.
    ('Database', 'close'): 0.3,
    ('Query', 'search_messages'): 3, ('Query', 'search_threads'): 3,
    ('Query', 'count_messages'): 2,
    ('Message', 'add_tag'): 2, ('Message', 'get_header'): 2, ('Message', 'add_property'): 2,
    ('Message', 'get_tags'): 1.5, ('Message', 'remove_property'): 1.5,
    ('Messages', 'next'): 3, ('Threads', 'next'): 3, ('Messages', 'collect_tags'): 2,
    ('Thread', 'get_messages'): 2, ('Thread', 'get_toplevel_messages'): 1.5,
}
# GObject methods that are part of no public contract here (GInitable's init is called
# by the construct step).
_SKIP_METHODS = {'init', 'init_async', 'init_finish'}

_STEP_WEIGHT = [
    ('call', 50), ('walk', 16), ('open', 4), ('construct', 3), ('drop', 4), ('dispose', 2),
    ('gc', 1), ('bg', 4), ('join', 1), ('spin', 2), ('connect', 2), ('prop', 3), ('cli', 1),
    ('conf', 1.5), ('env', 0.5), ('fs', 1.5), ('delete', 2),
]

# What --tune can change: the weight of each step kind, how often a query string is an
# s-expression ('sexp') and one of those a deep nesting ('deep'), and whether s-expressions
# use the forms libnotmuch 0.37 crashes on ('sexp_risky': of, matching, deep nesting).
# Three more switch off values that trigger known failures, to look past them: file names
# that are not UTF-8 ('raw_names'), property keys and values longer than 150 bytes
# ('long_props'), and database.autocommit values that are not numbers ('bad_autocommit').
TUNABLE = dict(_STEP_WEIGHT, sexp=0.1, deep=0.03, sexp_risky=1, raw_names=1, long_props=1,
               bad_autocommit=1)
_SEXP_RISKY = ('of', 'matching')


# ---------------------------------------------------------------------------
# the API, from the GIR
# ---------------------------------------------------------------------------

class Param:
    def __init__(self, name, type_, nullable, direction, array_of=None):
        self.name = name
        self.type = type_             # 'utf8', 'Notmuch.Database', 'Gio.Cancellable', 'array'
        self.array_of = array_of
        self.nullable = nullable
        self.direction = direction    # 'in' / 'out' / 'inout'

    def __repr__(self):
        return '%s:%s' % (self.name, self.type)


class Method:
    def __init__(self, cls, name, kind, params, ret, ret_array_of, throws, hidden):
        self.cls, self.name, self.kind = cls, name, kind
        self.params = params          # visible in-parameters, in order
        self.hidden = hidden          # closure/destroy parameters, left out in Python
        self.ret = ret
        self.ret_array_of = ret_array_of
        self.throws = throws
        self.n_out = 0


class Klass:
    def __init__(self, name, parent):
        self.name = name
        self.parent = parent
        self.methods = {}             # name -> Method (methods, constructors, functions)
        self.props = {}               # python name -> (type, readable, writable, construct_only)
        self.implements = []
        self.signals = []


class Api:
    """What the GIR says: classes (methods, properties, interfaces, signals), enums,
    callbacks."""

    def __init__(self, gir_path):
        root = ET.parse(gir_path).getroot()
        ns = root.find(_CORE + 'namespace')
        self.namespace = ns.get('name')
        self.classes = {}
        self.enums = {}
        self.callbacks = {}
        self.error_names = {}         # error domain -> {code: member name}
        for el in ns:
            tag = el.tag[len(_CORE):] if el.tag.startswith(_CORE) else None
            if tag == 'class':
                self._class(el)
            elif tag in ('enumeration', 'bitfield'):
                if el.get(_GLIB + 'error-domain'):
                    self.error_names[el.get(_GLIB + 'error-domain')] = {
                        int(m.get('value')): m.get('name').upper()
                        for m in el.findall(_CORE + 'member')}
                    continue
                self.enums[el.get('name')] = [m.get('name').upper()
                                              for m in el.findall(_CORE + 'member')]
            elif tag == 'callback':
                self.callbacks[el.get('name')] = True

    def _qualify(self, name):
        if name is None:
            return None
        return name if '.' in name else self.namespace + '.' + name

    def _type(self, el):
        t = el.find(_CORE + 'type')
        if t is not None:
            return self._qualify(t.get('name')) if t.get('name') and t.get('name')[0].isupper() \
                else t.get('name'), None
        a = el.find(_CORE + 'array')
        if a is not None:
            inner = a.find(_CORE + 'type')
            return 'array', (inner.get('name') if inner is not None else None)
        if el.find(_CORE + 'varargs') is not None:
            return 'varargs', None
        return None, None

    def _method(self, klass, el, kind):
        params_el = el.find(_CORE + 'parameters')
        raw = params_el.findall(_CORE + 'parameter') if params_el is not None else []
        hidden = set()
        for p in raw:
            for attr in ('closure', 'destroy'):
                if p.get(attr) is not None:
                    hidden.add(int(p.get(attr)))
        params = []
        n_out = 0
        for i, p in enumerate(raw):
            if i in hidden:
                continue
            t, inner = self._type(p)
            direction = p.get('direction', 'in')
            if direction != 'in':
                n_out += 1
                continue
            params.append(Param(p.get('name'), t, bool(p.get('nullable') or p.get('allow-none')),
                                direction, inner))
        rv = el.find(_CORE + 'return-value')
        ret, ret_inner = self._type(rv) if rv is not None else (None, None)
        m = Method(klass.name, el.get('name'), kind, params, ret, ret_inner,
                   bool(el.get('throws')), hidden)
        m.n_out = n_out
        return m

    def _class(self, el):
        klass = Klass(el.get('name'), el.get('parent'))
        for sub in el:
            tag = sub.tag[len(_CORE):] if sub.tag.startswith(_CORE) else sub.tag
            if tag in ('method', 'constructor', 'function'):
                if sub.get('introspectable') == '0' or sub.get('moved-to'):
                    continue
                m = self._method(klass, sub, tag)
                klass.methods[m.name] = m
            elif tag == 'property':
                t, inner = self._type(sub)
                klass.props[sub.get('name').replace('-', '_')] = (
                    t if t != 'array' else 'array:' + str(inner),
                    sub.get('readable', '1') != '0', sub.get('writable') == '1',
                    sub.get('construct-only') == '1')
            elif tag == 'implements':
                klass.implements.append(self._qualify(sub.get('name')))
            elif sub.tag == _GLIB + 'signal':
                klass.signals.append(sub.get('name'))
        self.classes[klass.name] = klass

    def item_class(self, name):
        """The class a list model of class *name* holds (from its next() method)."""
        nxt = self.classes[name].methods.get('next')
        if nxt is not None and nxt.ret and nxt.ret.startswith(self.namespace + '.'):
            return nxt.ret.split('.', 1)[1]
        if name.endswith('s') and name[:-1] in self.classes:
            return name[:-1]
        return None

    def is_list(self, name):
        return 'Gio.ListModel' in self.classes[name].implements


# ---------------------------------------------------------------------------
# programs
# ---------------------------------------------------------------------------

class Step:
    """One step: *body* (Python lines), run only when every variable in *uses* is not None;
    *allow* names the guard (S, or SI where an IndexError is allowed)."""

    def __init__(self, body, uses=(), allow='S', kind='call'):
        self.body = body if isinstance(body, list) else [body]
        self.uses = sorted(set(uses))
        self.allow = allow
        self.kind = kind

    def source(self):
        lines = ['with %s:' % self.allow]
        indent = '    '
        if self.uses:
            lines.append(indent + 'if ok(%s):' % ', '.join(self.uses))
            indent += '    '
        lines.extend(indent + line for line in self.body)
        return lines


class RawStep(Step):
    """A step read back from a program's source (its ``with`` block, as written)."""

    def __init__(self, lines):
        super().__init__([line[4:] for line in lines[1:]])
        self.lines = lines

    def source(self):
        return list(self.lines)


def parse(source):
    """(steps, variables) of a program that render() wrote (for shrinking a saved one)."""
    steps, variables, current = [], [], None
    for line in source.splitlines():
        if line.startswith('with '):
            current = [line]
            steps.append(RawStep(current))
        elif line.startswith(' ') and current is not None:
            current.append(line)
            steps[-1] = RawStep(current)
        else:
            current = None
            if line.endswith(' = None') and not steps:
                variables = line[:-len(' = None')].split(' = ')
    return steps, variables


def _variables(steps, all_slots):
    text = '\n'.join('\n'.join(s.body) + ' ' + ' '.join(s.uses) for s in steps)
    words = set(re.findall(r'\b[a-z]+\d\b', text))
    return [v for v in all_slots if v in words]


def render(steps, all_slots, fuzz_dir, header=()):
    """The source of a standalone program running *steps*."""
    out = ['#!/usr/bin/python3']
    out.extend('# ' + h for h in header)
    out.append('import sys')
    out.append('sys.path.insert(0, %r)' % fuzz_dir)
    out.append('from fuzzrt import *')
    used = _variables(steps, all_slots)
    if used:
        out.append(' = '.join(used) + ' = None')
    for s in steps:
        out.extend(s.source())
    out.append('finish()')
    return '\n'.join(out) + '\n'


class Generator:
    def __init__(self, api, facts, seed, max_steps=60, tune=None):
        self.api = api
        self.tune = dict(TUNABLE)
        self.tune.update(tune or {})
        self.facts = facts
        self.seed = seed
        self.r = random.Random(seed)
        self.max_steps = max_steps
        self.slots = {}
        for name in api.classes:
            prefix = _PREFIX.get(name, name.lower())
            self.slots[name] = ['%s%d' % (prefix, i) for i in range(_SLOTS.get(name, 2))]
        self.defined = set()          # variables some earlier step may have set
        self.steps = []
        self.depth = 0

    @property
    def all_slots(self):
        return [s for name in sorted(self.slots) for s in self.slots[name]]

    # -- small helpers -------------------------------------------------------

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.r.uniform(0, total)
        for item, w in pairs:
            x -= w
            if x <= 0:
                return item
        return pairs[-1][0]

    def slot(self, cls, defined_bias=0.9):
        """A variable of class *cls*: usually one an earlier step set."""
        names = self.slots[cls]
        set_ones = [n for n in names if n in self.defined]
        if set_ones and self.chance(defined_bias):
            return self.pick(set_ones)
        return self.pick(names)

    def target(self, cls):
        """A variable to assign a new *cls* to."""
        return self.pick(self.slots[cls])

    # -- value pools ---------------------------------------------------------

    def tag(self):
        pool = ['inbox', 'unread', 'fz', 'todo', 'attachment', 'replied', 'deleted', 'spam',
                'fz-seen', '', 'a' * 200, 'a' * 201, 'b' * 300, '\u00fc' * 100, '\u00fc' * 101,
                'with space', 'new\nline', '-minus', '+plus', 'tag:colon', '"quote', '(paren',
                '\u65e5\u672c\u8a9e', '\x01ctl', 'Zeta', '\u00fcn\u00efcode', '*', 'x' * 199]
        if self.facts['tags'] and self.chance(0.3):
            return self.pick(self.facts['tags'])
        return self.pick(pool)

    def tags(self, nullable=False):
        if nullable and self.chance(0.2):
            return 'None'
        return repr([self.tag() for _ in range(self.weighted([(0, 2), (1, 5), (2, 2), (5, 1)]))])

    def prop_key(self):
        return self.pick(['k', 'fz.key', 'a=b', '', '=', 'k' * 200, 'k' * 230, 'k' * 240,
                          'k' * 300, '\u00fc' * 120, 'index.decryption', 'session-key',
                          ' sp', 'fz.key', 'k', 'new\nline'])

    def prop_value(self):
        return self.pick(['v', '', 'v' * 200, 'v' * 240, 'v' * 1000, '\u00fc' * 200, 'a=b',
                          '\n', 'failure', 'v', '0'])

    def config_key(self):
        return self.pick(['database.autocommit', 'search.exclude_tags', 'new.tags', 'new.ignore',
                          'maildir.synchronize_flags', 'user.name', 'user.primary_email',
                          'user.other_email', 'index.decrypt', 'index.header.List',
                          'query.q1', 'database.path', 'database.mail_root',
                          'database.hook_dir', 'database.backup_dir', 'fz.answer', 'fz.key',
                          '', 'nodot', 'a' * 300, '\u00fc.\u00fc', 'search.authors_separator',
                          'show.extra_headers', 'index.as_text', 'squery.sq1', 'a.b.c'])

    def config_value(self):
        return self.pick(['abc', 'true', 'false', '0', '1', '', 'inbox;unread', 'x' * 500,
                          '\u00fc', '/nonexistent', 'nosuch@example.org', 'tag:inbox',
                          '(tag inbox)', 'List-Id', ';;;', 'deleted;spam'])

    def prefix(self, nullable):
        if nullable and self.chance(0.3):
            return 'None'
        return repr(self.pick(['', 'fz', 'k', 'index', 'search', 'database', 'user', 'new',
                               'maildir', 'query', 'x' * 300, '\u00fc', '=', 'fz.']))

    def header_name(self):
        return self.pick(['from', 'subject', 'to', 'cc', 'date', 'message-id', 'in-reply-to',
                          'references', 'x-raw', 'x-nul', 'x-nope', '', 'Subject', 'SUBJECT',
                          'h' * 300, '\u00fc', 'x:y', ' from', 'from ', 'list-id', 'Received'])

    def message_id(self):
        if self.chance(0.7):
            return self.pick(self.facts['message_ids'])
        return self.pick(['', 'nosuch@example.org', 'x' * 500, '\u00fc@x', '<brackets@x>',
                          'id:x', '*', 'thread:0000000000000001'])

    def path(self, purpose='file'):
        """Source text of a path (P/Q/literal)."""
        f = self.facts
        roll = self.r.random()
        if purpose == 'file':
            if roll < 0.45:
                return 'P(%r)' % self.pick(f['files'])
            if roll < 0.7:
                return 'P(%r)' % self.pick(f['extras'])
        elif purpose == 'dir':
            if roll < 0.55:
                return repr(self.pick(f['folders'] + ['', 'INBOX/cur', 'weird/cur',
                                                      'extra/cur']))
            if roll < 0.7:
                return 'P(%r)' % self.pick(f['folders'])
        odd = ['P("nosuch/cur/x:2,")', 'P("")', 'MAIL', 'Q("outside.mail")', 'Q("nosuch")',
               "'/'", "''", "'.'", "'relative/path'", 'P("extra/cur/\\udcff")',
               'P("nosuch/\\udcfe")', 'P("a" * 300)', 'P("x/" * 60)', 'P("extra/cur/nl\\nname:2,")',
               'P("extra/cur/sp ace:2,")', 'P("weird/cur/\\udcff\\udcfe-raw-name:2,S")',
               'P("../outside.mail")', 'P("extra/cur/")', 'P("extra/cur/subdir")',
               'P("extra/cur/dangling")', 'P("extra/cur/link:2,")', "'/dev/null'", "'/tmp'",
               'P("./INBOX/../INBOX")', 'P("extra/cur/\\udcff")']
        return self.pick(odd)

    def db_path(self, nullable=True):
        if not nullable:
            return self.weighted([('MAIL', 14), ('Q("nosuch")', 1), ('Q("created")', 2),
                                  ('Q("outside.mail")', 1), ('P("INBOX")', 1), ('BASE', 1),
                                  ("''", 1), ('P("\\udcff")', 1), ('Q("a/b/c")', 1)])
        return self.weighted([('MAIL', 14), ('None', 3), ('Q("nosuch")', 1),
                              ('Q("outside.mail")', 1), ('P("INBOX")', 1), ('BASE', 1),
                              ("''", 1), ('P("\\udcff")', 1), ('Q("created")', 1),
                              ('MAIL + "/"', 1), ('"/nonexistent/x"', 1)])

    def config_path(self):
        return self.weighted([('CONFIG', 4), ("''", 3), ('None', 3), ('Q("nosuch-config")', 1),
                              ('MAIL', 1), ('Q("outside.mail")', 1), ('P("\\udcff")', 0.5)])

    def profile(self):
        return self.weighted([('None', 8), ("''", 1), ("'default'", 1), ("'nosuch'", 1),
                              ("'../x'", 0.5)])

    def word(self):
        return self.pick(['hello', 'fuzz', 'release', 'bug', 'patch', '\u00fc', 'caf\u00e9',
                          'x*', '"two words"', 'broken', 'rfc822', 'na\u00efve', 'the'])

    def xapian_query(self):
        roll = self.r.random()
        if roll < 0.12:
            return '*'
        if roll < 0.2:
            return self.soup()
        if roll < 0.24:
            return ''
        terms = [self.xapian_term() for _ in range(self.weighted([(1, 5), (2, 3), (3, 2)]))]
        out = terms[0]
        for t in terms[1:]:
            out += self.pick([' AND ', ' OR ', ' ', ' and not ', ' NOT ', ' XOR '])
            out += t
        if self.chance(0.15):
            out = '(' + out + ')'
        if self.chance(0.04):
            out = self.pick(['(', ')', '"', '{']) + out
        return out

    def xapian_term(self):
        f = self.facts
        field = self.pick(['tag', 'tag', 'from', 'to', 'subject', 'id', 'mid', 'thread',
                           'folder', 'path', 'date', 'lastmod', 'mimetype', 'property',
                           'attachment', 'body', 'is', 'query', None, None])
        if field is None:
            return self.word()
        values = {
            'tag': lambda: self.pick(f['tags'] + ['nosuch', '""', '*', 'a' * 250]),
            'is': lambda: self.pick(f['tags'] + ['x']),
            'from': lambda: self.pick(['fuzz', 'fuzz@example.org', '"Test User"', 'j\u00f6rg',
                                       '*', 'example.org']),
            'to': lambda: self.pick(['test@example.org', 'test', '*']),
            'subject': lambda: self.pick(['"broken rfc822"', 'caf\u00e9', 'hello',
                                          '/.*/', '"', 'bad date']),
            'id': lambda: self.quote_id(self.message_id()),
            'mid': lambda: self.pick(['/.*/', self.quote_id(self.message_id())]),
            'thread': lambda: self.pick(f['thread_ids'] + ['{tag:inbox}', '"{tag:inbox}"',
                                                          '{', '{id:x}', '0', 'x' * 30,
                                                          '{thread:{tag:inbox}}']),
            # (A query string is UTF-8: folder names that are not cannot be in one.)
            'folder': lambda: self.pick([d for d in f['folders'] if d.isprintable()
                                         and '\udcff' not in d]
                                        + ['""', '"sp ace"', 'nosuch', '/.*/']),
            'path': lambda: self.pick(['**', 'lists/**', 'INBOX/cur', 'weird/**', '""']),
            'date': lambda: self.pick(['2020..2021', '..', 'yesterday', '1970..', 'garbage..',
                                       '@0..@99999999999', '2019', '..today', '9999..0']),
            'lastmod': lambda: self.pick(['0..', '..1', '5..2', 'x..y', '0..99999999999999']),
            'mimetype': lambda: self.pick(['text/plain', 'message/rfc822', 'multipart/mixed']),
            'property': lambda: self.pick(['k=v', 'fz.key=v', '=', 'index.decryption=failure',
                                           'k', '"a=b"']),
            'attachment': lambda: self.pick(['x', '*.txt', '""']),
            'body': lambda: self.word(),
            'query': lambda: self.pick(['q1', 'nosuch', '""']),
        }
        return field + ':' + values[field]()

    @staticmethod
    def quote_id(mid):
        if any(c in mid for c in ' ()"') or not mid:
            return '"' + mid.replace('"', '""') + '"'
        return mid

    def soup(self):
        chars = '()"*:{}[]<>!&|~+-/\\ \t\nabc\u00fc\x01.,;=$@#%^0123'
        return ''.join(self.pick(chars) for _ in range(self.r.randint(1, 30)))

    _SEXP_FIELDS = ['tag', 'from', 'to', 'subject', 'id', 'mid', 'thread', 'folder', 'path',
                    'date', 'lastmod', 'mimetype', 'property', 'attachment', 'body', 'is',
                    'query']
    _SEXP_LOGIC = ['and', 'or', 'not', 'if']
    _SEXP_MODS = ['of', 'matching', 'infix', 'regex', 'rx', 'starts-with', 'macro', '*',
                  'nosuchop', '']

    def sexp_query(self):
        roll = self.r.random()
        risky = self.tune['sexp_risky'] > 0
        if roll < self.tune['deep'] and risky:
            n = self.pick([50, 500, 5000, 20000])
            inner = self.pick(['(tag inbox)', '*', ''])
            return '(and ' * n + inner + (')' * n if self.chance(0.7) else '')
        if roll < 0.1:
            return self.soup()
        if roll < 0.14:
            return self.pick([q for q in ['()', '(', ')', '""', '*', '(*)', '(of)', '(matching)',
                                          '(matching (tag inbox))', '(thread (of (tag inbox)))',
                                          '(macro (x) (tag ,x))']
                              if risky or not any(w in q for w in _SEXP_RISKY)])
        if roll < 0.2:
            return self.sexp_atom()
        return self.sexp_form(0)

    def sexp_atom(self):
        return self.pick(['inbox', 'unread', 'fz', '"two words"', 'hello', '*', '""', '"\\"',
                          'fuzz@example.org', '2019', 'caf\u00e9', '$x', ',x', 'x' * 300,
                          '"tag:inbox"'] + self.facts['tags'])

    def sexp_form(self, depth):
        if depth >= 3 or (depth and self.chance(0.35)):
            return self.sexp_atom()
        kind = self.weighted([('field', 5), ('logic', 4), ('mod', 2)])
        if kind == 'field':
            op = self.pick(self._SEXP_FIELDS)
            args = [self.pick([self.sexp_atom(), self.sexp_form(depth + 1)])
                    for _ in range(self.weighted([(0, 1), (1, 6), (2, 2)]))]
        elif kind == 'logic':
            op = self.pick(self._SEXP_LOGIC)
            args = [self.sexp_form(depth + 1) for _ in range(self.weighted([(0, 1), (1, 3),
                                                                            (2, 4), (3, 1)]))]
        else:
            op = self.pick([m for m in self._SEXP_MODS
                            if self.tune['sexp_risky'] > 0 or m not in _SEXP_RISKY])
            args = [self.sexp_form(depth + 1) for _ in range(self.weighted([(0, 2), (1, 4),
                                                                            (2, 2)]))]
        return '(' + ' '.join([op] + args) + ')'

    def query(self, syntax=None):
        if syntax == 'SEXP' or (syntax is None and self.chance(self.tune['sexp'])):
            return self.sexp_query()
        return self.xapian_query()

    def enum(self, name, ctx=None):
        if name == 'DatabaseMode':
            return self.weighted([('RW', 11), ('RO', 9)])
        members = self.api.enums[name]
        member = self.pick(members)
        if ctx is not None and name == 'QuerySyntax':
            ctx['syntax'] = member
        return 'Notmuch.%s.%s' % (name, member)

    def integer(self, type_):
        if type_ in ('guint', 'guint32', 'gsize', 'gulong'):
            return repr(self.pick([0, 1, 2, 100, 2 ** 32 - 1, 2 ** 31]))
        if type_ == 'guint64':
            return repr(self.pick([0, 1, 2 ** 64 - 1, 2 ** 63]))
        if type_ in ('gint64', 'glong', 'time_t'):
            return repr(self.pick([0, 1, -1, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 1700000000]))
        if type_ in ('gint', 'gint32'):
            return repr(self.pick([0, 1, -1, 2 ** 31 - 1, -2 ** 31]))
        if type_ in ('gdouble', 'gfloat'):
            return repr(self.pick([0.0, 0.5, 1.0, -1.0, 1e300]))
        return None

    # -- arguments -------------------------------------------------------------

    def arg(self, cls, method, p, ctx, uses):
        """Source text of a value for parameter *p* (None: no legal value known), among
        those the tuning allows."""
        for _ in range(20):
            value = self.any_arg(cls, method, p, ctx, uses)
            if value is None:
                return None
            if self.tune['raw_names'] == 0 and ('\\udc' in value or
                                                any('\udc80' <= c <= '\udcff' for c in value)):
                continue
            if self.tune['long_props'] == 0 and cls == 'Message' and p.name in ('key', 'value') \
                    and len(value.encode('utf-8')) > 150:
                continue
            return value
        return value

    def any_arg(self, cls, method, p, ctx, uses):
        t = p.type
        name = p.name
        nullable = p.nullable
        if nullable and self.pointer_type(t) and self.chance(0.12):
            return 'None'
        if t == 'utf8':
            if name in ('query', 'query_string'):
                if ctx.get('syntax') != 'SEXP':
                    derived = (self.derived('Thread', 'get_thread_id', uses, 0.05)
                               or self.derived('Message', 'get_thread_id', uses, 0.05))
                    if derived:
                        return "'thread:' + " + derived
                return repr(self.query(ctx.get('syntax')))
            if name == 'tag':
                return repr(self.tag())
            if name == 'key':
                return repr(self.prop_key() if cls == 'Message' else self.config_key())
            if name == 'value':
                return repr(self.prop_value() if cls == 'Message' else self.config_value())
            if name == 'prefix':
                return self.prefix(nullable)
            if name in ('name', 'header'):
                return repr(self.header_name())
            if name in ('message_id', 'id'):
                derived = self.derived('Message', 'get_message_id', uses, 0.25)
                return derived or repr(self.message_id())
            if name == 'profile':
                return self.profile()
            if name == 'feature':
                return repr(self.pick(['compact', 'field_processor', 'retry_lock',
                                       'session_key', 'nosuch', '']))
            return repr(self.pick(['x', '', 'inbox', '\u00fc', 'a' * 300, self.soup()]))
        if t == 'filename':
            if name == 'config_path':
                return self.config_path()
            if name == 'backup_path':
                return self.pick(['Q("backup")', 'P("backup")', 'Q("nosuch/backup")', 'MAIL',
                                  'None', 'Q("outside.mail")'])
            if name == 'path' and cls == 'Database' and (method is None
                                                         or method.kind != 'method'):
                return self.db_path(nullable)
            if name == 'path' or 'dir' in name:
                return self.path('dir')
            derived = self.derived('Message', 'get_filename', uses, 0.3)
            return derived or self.path('file')
        if t == 'gboolean':
            return self.pick(['True', 'False'])
        if t == 'gunichar':
            return repr(self.pick(['S', 'R', 'F', 'P', 'T', 'D', 'x', 's', '\u00fc', ',', '\x00']))
        if t == 'array':
            if p.array_of == 'utf8':
                return self.tags(nullable)
            return None
        if t in ('Gio.Cancellable',):
            return self.weighted([('None', 6), ('cancellable()', 2), ('cancellable(True)', 1)])
        if t and t.startswith(self.api.namespace + '.'):
            short = t.split('.', 1)[1]
            if short in self.api.enums:
                return self.enum(short, ctx)
            if short in self.api.classes:
                if nullable and self.chance(0.2):
                    return 'None'
                if not any(v in self.defined for v in self.slots[short]):
                    if nullable and self.chance(0.7):
                        return 'None'
                    # Make one first: the producing step goes before this one.
                    if self.depth < 3:
                        self.depth += 1
                        try:
                            self.produce(short)
                        finally:
                            self.depth -= 1
                v = self.slot(short, 0.97)
                uses.add(v)
                return v
            if short in self.api.callbacks:
                if nullable and self.chance(0.3):
                    return 'None'
                return self.callback_value()
            return None
        number = self.integer(t)
        if number is not None:
            return number
        return None

    def pointer_type(self, t):
        """Whether None is a value of type *t* (strings, arrays, objects, callbacks)."""
        if t in ('utf8', 'filename', 'array') or (t or '').startswith('Gio.'):
            return True
        short = (t or '').split('.', 1)[-1]
        return short in self.api.classes or short in self.api.callbacks

    def derived(self, cls, getter, uses, p):
        """With probability *p*, ``x.getter()`` of a variable of class *cls* that an
        earlier step set (a value taken from a live object, as users do)."""
        if cls not in self.slots or not self.chance(p):
            return None
        live = [v for v in self.slots[cls] if v in self.defined]
        if not live:
            return None
        v = self.pick(live)
        uses.add(v)
        # Getters answer None for a ghost, a stale object or a closed database.
        return "(%s.%s() or '')" % (v, getter)

    def lifecycle_call(self):
        """A call that opens, closes, commits or reopens: what a callback should be able to
        do without deadlocking."""
        live = [v for v in self.slots['Database'] if v in self.defined] or ['db0']
        db = self.pick(live)
        expr = self.pick([
            '%s.reopen(RO)', '%s.reopen(RW)', '%s.commit()', '%s.close()',
            '%s.begin_atomic()', '%s.end_atomic()', '%s.count_messages("*")',
            'Notmuch.Database.open(MAIL, RO)', 'Notmuch.Database.open(MAIL, RW)',
            '%s.search_threads("*").get_n_items()',
            '%s.find_message(%r)' % ('%s', self.message_id()),
        ])
        if '%s' not in expr:
            return expr, set()
        return expr % db, {db}

    def callback_value(self):
        """cb(lambda *a, x=x: x is None or <call on x>): a callback calling back into the
        library with the objects bound when the step ran."""
        expr, uses = self.lifecycle_call() if self.chance(0.4) else self.simple_call()
        if expr is None:
            return 'cb(lambda *a: None)'
        binds = ''.join(', %s=%s' % (u, u) for u in sorted(uses))
        guard = ' or '.join('%s is None' % u for u in sorted(uses))
        return 'cb(lambda *a%s: %s%s)' % (binds, guard + ' or ' if guard else '', expr)

    def simple_call(self):
        """A call (no assignment) on some variable, for callbacks and threads."""
        cls = self.weighted([('Database', 6), ('Message', 3), ('Query', 2), ('Messages', 2),
                             ('Threads', 1), ('Thread', 1)])
        if cls not in self.api.classes:
            return None, set()
        for _ in range(8):
            m = self.pick_method(cls, instance=True)
            if m is None or any(p.type in self.api.callbacks or
                                (p.type and p.type.split('.')[-1] in self.api.callbacks)
                                for p in m.params):
                continue
            if m.name.endswith('_async') or m.name.endswith('_finish'):
                continue
            uses = set()
            recv = self.slot(cls)
            uses.add(recv)
            args = self.args(cls, m, uses)
            if args is None:
                continue
            return '%s.%s(%s)' % (recv, m.name, ', '.join(args)), uses
        return None, set()

    def args(self, cls, m, uses):
        ctx = {}
        params = list(m.params)
        # The syntax decides what a query string looks like: choose it first.
        order = sorted(range(len(params)), key=lambda i: params[i].name != 'syntax')
        values = [None] * len(params)
        for i in order:
            v = self.arg(cls, m, params[i], ctx, uses)
            if v is None:
                return None
            values[i] = v
        return values

    def pick_method(self, cls, instance):
        klass = self.api.classes[cls]
        pairs = []
        for name, m in klass.methods.items():
            if name in _SKIP_METHODS or name.endswith('_finish'):
                continue
            if instance != (m.kind == 'method'):
                continue
            pairs.append((m, _METHOD_WEIGHT.get((cls, name), 1)))
        if not pairs:
            return None
        return self.weighted(pairs)

    # -- steps -------------------------------------------------------------------

    def emit(self, body, uses=(), allow='S', kind='call', defines=()):
        self.steps.append(Step(body, uses, allow, kind))
        self.defined.update(defines)

    def result_target(self, m):
        """(variable, suffix) for the result of *m*: where to store an object result."""
        ret = m.ret
        if ret and ret.startswith(self.api.namespace + '.'):
            short = ret.split('.', 1)[1]
            if short in self.api.classes:
                return self.target(short), ('[0]' if m.n_out else '')
        return None, ''

    def call_step(self, cls=None):
        if cls is None:
            cls = self.weighted([(c, w) for c, w in _CLASS_WEIGHT.items()
                                 if c in self.api.classes]
                                + [(c, 2) for c in self.api.classes if c not in _CLASS_WEIGHT])
        recv = self.slot(cls)
        if recv not in self.defined and self.chance(0.8):
            return self.produce(cls)
        m = self.pick_method(cls, instance=True)
        if m is None:
            return self.produce(cls)
        if m.name.endswith('_async'):
            return self.async_step(cls, recv, m)
        uses = {recv}
        args = self.args(cls, m, uses)
        if args is None:
            return
        call = '%s.%s(%s)' % (recv, m.name, ', '.join(args))
        into, suffix = self.result_target(m)
        if into:
            self.emit('%s = %s%s' % (into, call, suffix), uses, defines=[into])
        else:
            self.emit(call, uses)

    def async_step(self, cls, recv, m):
        base = m.name[:-len('_async')]
        klass = self.api.classes[cls]
        finish = klass.methods.get(base + '_finish')
        if finish is None:
            return
        uses = set() if recv is None else {recv}
        params = [p for p in m.params if p.type != 'Gio.AsyncReadyCallback']
        fake = Method(cls, m.name, m.kind, params, m.ret, None, m.throws, m.hidden)
        args = self.args(cls, fake, uses)
        if args is None:
            return
        into, _ = self.result_target(finish)
        owner = recv if recv is not None else 'Notmuch.%s' % cls
        wait = self.chance(0.75)
        line = 'acall(%s.%s, %s.%s, %r%s%s)' % (
            owner, m.name, owner, finish.name, into,
            ''.join(', ' + a for a in args), '' if wait else ', wait=False')
        self.emit(line, uses, kind='async', defines=[into] if into else [])

    def produce(self, cls):
        """A step that makes an object of class *cls* from what exists."""
        if cls == 'Database':
            return self.open_step()
        producers = []
        for kname, klass in self.api.classes.items():
            for m in klass.methods.values():
                if m.name in _SKIP_METHODS or m.name.endswith('_async'):
                    continue
                if m.ret == self.api.namespace + '.' + cls:
                    producers.append((kname, m))
        # List items come from walks as well.
        lists = [k for k in self.api.classes if self.api.is_list(k)
                 and self.api.item_class(k) == cls]
        if lists and (not producers or self.chance(0.5)):
            return self.walk_step(self.pick(lists))
        if not producers:
            return self.construct_step(cls)
        kname, m = self.pick(producers)
        if m.kind == 'method':
            recv = self.slot(kname)
            if recv not in self.defined and kname != cls and self.chance(0.9):
                return self.produce(kname)
            uses = {recv}
            args = self.args(kname, m, uses)
            if args is None:
                return
            call = '%s.%s(%s)' % (recv, m.name, ', '.join(args))
        else:
            uses = set()
            args = self.args(kname, m, uses)
            if args is None:
                return
            call = 'Notmuch.%s.%s(%s)' % (kname, m.name, ', '.join(args))
        into = self.target(cls)
        self.emit('%s = %s%s' % (into, call, '[0]' if m.n_out else ''), uses, defines=[into])

    def open_step(self):
        into = self.target('Database')
        klass = self.api.classes['Database']
        form = self.weighted([('open', 10), ('open_with_config', 3), ('init', 3),
                              ('open_async', 2), ('create', 0.5), ('uninit', 0.3)])
        if form in ('open', 'open_with_config', 'create') and form in klass.methods:
            m = klass.methods[form]
            args = self.args('Database', m, set())
            if form == 'open' and self.chance(0.8):
                args[0] = 'MAIL'
            self.emit('%s = Notmuch.Database.%s(%s)' % (into, form, ', '.join(args)),
                      kind='open', defines=[into])
        elif form == 'open_async' and 'open_async' in klass.methods:
            path = 'MAIL' if self.chance(0.7) else self.db_path()
            if self.tune['raw_names'] == 0 and '\\udc' in path:
                path = 'MAIL'
            self.emit('acall(Notmuch.Database.open_async, Notmuch.Database.open_finish, %r, '
                      '%s, %s, %s)' % (into, path, self.enum('DatabaseMode'),
                                       self.pick(['None', 'None', 'cancellable()'])),
                      kind='open', defines=[into])
        else:
            self.construct_step('Database', into=into, init=(form != 'uninit'))

    def construct_step(self, cls, into=None, init=True):
        """Generic construction, the way Python and gjs build objects with properties."""
        klass = self.api.classes[cls]
        into = into or self.target(cls)
        uses = set()
        kwargs = []
        ctx = {}
        # The syntax decides what a query string looks like: choose it first.
        for pname, (ptype, _readable, writable, _construct_only) in sorted(
                klass.props.items(), key=lambda item: (item[0] != 'syntax', item[0])):
            if not writable or self.chance(0.4 if cls == 'Database' else 0.55):
                continue
            if cls == 'Database' and pname == 'path':
                v = self.db_path()
            elif cls == 'Database' and pname == 'config_path':
                v = self.config_path()
            elif cls == 'Database' and pname == 'lock_timeout':
                v = self.pick(['0', '0', '50', '300'])
            elif pname in ('mode',):
                v = self.enum('DatabaseMode')
            else:
                fake = Param(pname, ptype if not ptype.startswith('array:') else 'array',
                             True, 'in', ptype[6:] if ptype.startswith('array:') else None)
                v = self.arg(cls, None, fake, ctx, uses)
            if v is None:
                continue
            if ptype == 'utf8' and '\\udc' in v:
                # A utf8 property cannot hold a file name that is not UTF-8.
                v = 'MAIL'
            kwargs.append('%s=%s' % (pname, v))
        ctor = 'Notmuch.%s(%s)' % (cls, ', '.join(kwargs))
        initable = 'Gio.Initable' in klass.implements
        if initable and init:
            self.emit(['_x = %s' % ctor, '_x.init(%s)' % self.pick(['None', 'None',
                                                                    'cancellable()']),
                       '%s = _x' % into], uses, kind='construct', defines=[into])
        else:
            self.emit('%s = %s' % (into, ctor), uses, kind='construct', defines=[into])

    def item_call_lines(self, item_cls, var):
        """Lines calling one method of *item_cls* on *var* (maybe none)."""
        if item_cls is None or self.chance(0.3):
            return []
        m = self.pick_method(item_cls, instance=True)
        if m is None or m.name.endswith('_async'):
            return []
        uses = set()
        args = self.args(item_cls, m, uses)
        if args is None:
            return []
        line = '%s.%s(%s)' % (var, m.name, ', '.join(args))
        if uses - {var}:
            # Objects the call takes as arguments may be None by now.
            line = 'if %s: %s' % (' and '.join('%s is not None' % u
                                               for u in sorted(uses - {var})), line)
        return [line]

    def walk_step(self, list_cls=None):
        lists = [k for k in self.api.classes if self.api.is_list(k)]
        if not lists:
            return
        list_cls = list_cls or self.pick(lists)
        lst = self.slot(list_cls)
        if lst not in self.defined and self.chance(0.7):
            return self.produce(list_cls)
        item_cls = self.api.item_class(list_cls)
        item = self.target(item_cls) if item_cls else '_x'
        form = self.weighted([('for', 4), ('next', 4), ('get_item', 3), ('index', 1),
                              ('len', 2), ('list', 1), ('n_items', 1)])
        brk = ['if _i == %d: break' % self.r.randint(0, 8)] if self.chance(0.4) else []
        defines = [item] if item_cls else []
        if form in ('for', 'next'):
            head = ('for _i, _y in enumerate(%s):' % lst if form == 'for' else
                    'for _i, _y in enumerate(iter(%s.next, None)):' % lst)
            body = ['if _y is None: break', '%s = _y' % item] + \
                self.item_call_lines(item_cls, item) + brk
            if form == 'next' and 'next' not in self.api.classes[list_cls].methods:
                return
            self.emit([head] + ['    ' + b for b in body], {lst}, kind='walk', defines=defines)
        elif form == 'get_item':
            i = self.pick([0, 1, 2, 3, 5, 10, 40, 2 ** 32 - 1, 2 ** 31])
            self.emit('%s = %s.get_item(%d)' % (item, lst, i), {lst}, kind='walk',
                      defines=defines)
        elif form == 'index':
            i = self.pick([0, 1, -1, 3, -2, 100])
            self.emit('%s = %s[%d]' % (item, lst, i), {lst}, allow='SI', kind='walk',
                      defines=defines)
        elif form == 'len':
            self.emit('len(%s)' % lst, {lst}, kind='walk')
        elif form == 'list':
            self.emit('list(%s)' % lst, {lst}, kind='walk')
        else:
            self.emit('%s.get_n_items()' % lst, {lst}, kind='walk')

    def any_slot(self):
        cls = self.weighted([(c, _CLASS_WEIGHT.get(c, 2)) for c in self.api.classes])
        return cls, self.slot(cls)

    def drop_step(self):
        _cls, v = self.any_slot()
        body = ['%s = None' % v]
        if self.chance(0.5):
            body.append('gc.collect()')
        self.emit(body, kind='drop')

    def dispose_step(self):
        _cls, v = self.any_slot()
        self.emit('%s.run_dispose()' % v, {v}, kind='dispose')

    def delete_step(self):
        """Delete a message the way a mail client does: remove each of its files."""
        m = self.slot('Message', 0.97)
        if m not in self.defined:
            return self.produce('Message')
        db = self.slot('Database', 0.97)
        self.emit(['for _f in %s.get_filenames():' % m, '    %s.remove_message(_f)' % db],
                  {m, db}, kind='delete')

    def bg_step(self):
        expr, uses = self.lifecycle_call() if self.chance(0.25) else self.simple_call()
        if expr is None:
            return
        binds = ', '.join('%s=%s' % (u, u) for u in sorted(uses))
        guard = ' or '.join('%s is None' % u for u in sorted(uses))
        self.emit('bg(%d, lambda %s: %s%s)' % (self.pick([1, 3, 10, 30]), binds,
                                               guard + ' or ' if guard else '', expr), kind='bg')

    def connect_step(self):
        cls, v = self.any_slot()
        klass = self.api.classes[cls]
        signals = ['notify'] + list(klass.signals)
        if self.api.is_list(cls):
            signals.append('items-changed')
        props = [p for p, (_t, readable, _w, _c) in klass.props.items() if readable]
        sig = self.pick(signals)
        if sig == 'notify' and props and self.chance(0.5):
            sig = 'notify::' + self.pick(props).replace('_', '-')
        self.emit('%s.connect(%r, %s)' % (v, sig, self.callback_value()), {v}, kind='connect')

    def prop_step(self):
        cls, v = self.any_slot()
        klass = self.api.classes[cls]
        if not klass.props:
            return
        pname = self.pick(sorted(klass.props))
        ptype, readable, writable, construct_only = klass.props[pname]
        if writable and not construct_only and self.chance(0.4):
            uses = {v}
            fake = Param(pname, ptype, True, 'in')
            value = self.arg(cls, None, fake, {}, uses)
            if value is not None:
                self.emit('%s.props.%s = %s' % (v, pname, value), uses, kind='prop')
                return
        if readable:
            self.emit('%s.props.%s' % (v, pname), {v}, kind='prop')

    def cli_step(self):
        args = self.pick([
            ('tag', '+cli', '--', '*'), ('tag', '-inbox', '--', 'tag:inbox'),
            ('new', '--quiet'), ('reindex', 'tag:unread'), ('compact', '--quiet'),
            ('config', 'set', '--database', 'fz.key', 'cli'),
            ('tag', '+' + 'c' * 150, '--', 'id:' + self.pick(self.facts['message_ids'])),
        ])
        self.emit('cli(%s)' % ', '.join(repr(a) for a in args), kind='cli')

    def conf_step(self):
        roll = self.r.random()
        if roll < 0.3:
            values = ['abc', '0', '10', '', '-1', 'x' * 50]
            if self.tune['bad_autocommit'] == 0:
                values = ['0', '10', '']
            self.emit('conf(%r, %r, %r)' % ('database', 'autocommit', self.pick(values)),
                      kind='conf')
        elif roll < 0.7:
            section, key = self.pick([('database', 'autocommit'), ('database', 'path'),
                                      ('database', 'mail_root'), ('search', 'exclude_tags'),
                                      ('new', 'tags'), ('maildir', 'synchronize_flags'),
                                      ('index', 'decrypt'), ('user', 'primary_email'),
                                      ('query', 'q1'), ('index', 'as_text'),
                                      ('database', 'backup_dir')])
            value = self.pick(['abc', 'true', 'false', '', '/nonexistent', 'MAIL',
                               'deleted;spam', 'x' * 300, '\u00fc', '5'])
            if key == 'autocommit' and self.tune['bad_autocommit'] == 0:
                value = '5'
            self.emit('conf(%r, %r, %s)' % (section, key,
                                            'MAIL' if value == 'MAIL' else repr(value)),
                      kind='conf')
        else:
            text = self.pick([None, '', '[database\n', 'garbage\x00\xff', '[database]\npath=',
                              '\n' * 3] + (['[database]\nautocommit=abc\n']
                                           if self.tune['bad_autocommit'] else []))
            self.emit('conf_raw(%r)' % (text,), kind='conf')

    def env_step(self):
        name, value = self.pick([('NOTMUCH_CONFIG', 'Q("nosuch")'), ('NOTMUCH_CONFIG', 'CONFIG'),
                                 ('NOTMUCH_CONFIG', 'None'), ('NOTMUCH_PROFILE', "'nosuch'"),
                                 ('NOTMUCH_PROFILE', 'None'), ('NOTMUCH_DATABASE', 'MAIL'),
                                 ('NOTMUCH_DATABASE', 'Q("nosuch")'), ('MAILDIR', 'MAIL')])
        self.emit('setenv(%r, %s)' % (name, value), kind='env')

    def fs_step(self):
        path = 'P(%r)' % self.pick(self.facts['files'] + self.facts['extras'])
        form = self.weighted([('unlink', 2), ('clobber', 2), ('index_dir', 1)])
        if form == 'unlink':
            self.emit('unlink(%s)' % path, kind='fs')
        elif form == 'clobber':
            data = self.pick([b'', b'garbage\x00\xff', b'From: x\n\n', b'Subject: \xff\n\nbody\n'])
            self.emit('clobber(%s, %r)' % (path, data), kind='fs')
        else:
            self.emit('unlink(P(".notmuch/xapian/postlist.glass"))' if self.chance(0.1)
                      else 'unlink(P("weird"))', kind='fs')

    def step(self):
        kind = self.weighted([(k, self.tune[k]) for k, _ in _STEP_WEIGHT])
        if kind == 'call':
            self.call_step()
        elif kind == 'walk':
            self.walk_step()
        elif kind == 'open':
            self.open_step()
        elif kind == 'construct':
            self.construct_step(self.pick(sorted(self.api.classes)))
        elif kind == 'drop':
            self.drop_step()
        elif kind == 'dispose':
            self.dispose_step()
        elif kind == 'gc':
            self.emit('gc.collect()', kind='gc')
        elif kind == 'bg':
            self.bg_step()
        elif kind == 'join':
            self.emit('join()', kind='join')
        elif kind == 'spin':
            self.emit('spin(%d)' % self.pick([1, 5, 50]), kind='spin')
        elif kind == 'connect':
            self.connect_step()
        elif kind == 'prop':
            self.prop_step()
        elif kind == 'cli':
            self.cli_step()
        elif kind == 'conf':
            self.conf_step()
        elif kind == 'env':
            self.env_step()
        elif kind == 'fs':
            self.fs_step()
        elif kind == 'delete':
            self.delete_step()

    def program(self):
        """The steps of this seed's program."""
        self.open_step()
        if self.chance(0.6):
            self.call_step('Database')
        n = self.r.randint(max(4, self.max_steps // 6), self.max_steps)
        while len(self.steps) < n:
            self.step()
        return self.steps


def generate(api, facts, seed, max_steps=60, tune=None):
    gen = Generator(api, facts, seed, max_steps, tune)
    return gen.program(), gen.all_slots
