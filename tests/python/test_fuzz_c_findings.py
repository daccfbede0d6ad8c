"""Regressions of the libFuzzer findings N1-N8 of issue 12 (/work/reports/fuzz-c.md; the
inputs are in tests/fuzz/libfuzzer/corpus/).  Each test runs the call that went wrong on a
writable copy of the corpus and checks the outcome with the notmuch CLI.

PyGObject refuses to pass a str that is not UTF-8 to a utf8 argument, so the refusals of
such input are tested in C (tests/c/test-fuzz-findings.c); here the tests cover what
Python sees: strings handed out are str, errors are GLib.Error of the Notmuch domain.
"""

import subprocess

import pytest
from gi.repository import GLib, Notmuch

from nmhelpers import E, NOTMUCH, RO, cli_env, nm_error
from test_fuzz_regressions import child

SEXP = Notmuch.QuerySyntax.SEXP


def cli_count(w, query):
    return int(w.cli('count', '--exclude=false', '--', query))


# ---------------------------------------------------------------------------
# N1-N3: tag_messages runs the query as given and counts the messages it changes
# ---------------------------------------------------------------------------

def test_tag_messages_error_is_notmuch_error(writable):
    """N1: a query libnotmuch cannot parse fails as a Query does, with a UTF-8 message."""
    db = writable.open()
    with pytest.raises(GLib.Error) as info:
        db.tag_messages('thread:{é', ['fuzz-n1'], [])
    assert info.value.domain == 'nm-error-quark'
    assert cli_count(writable, 'tag:fuzz-n1') == 0


@pytest.mark.parametrize('query', ['tag:nosuchtag) or (tag:inbox', '"',
                                   'tag:inbox and "and', '( tag:inbox'])
def test_tag_messages_changes_what_the_query_matches(writable, query):
    """N2: the query is not spliced into another one, so its parentheses and quotes keep
    their meaning: exactly the messages it matches are tagged, and counted."""
    matching = cli_count(writable, query)
    db = writable.open()
    assert db.tag_messages(query, ['fuzz-n2'], []) == matching
    assert cli_count(writable, 'tag:fuzz-n2') == matching


def test_tag_messages_trailing_slash(writable):
    """N3: libnotmuch reads tag:"inbox/" as tag:inbox; the change still reaches every
    message, and its count is of the messages changed."""
    total = cli_count(writable, '*')
    unread = cli_count(writable, 'tag:unread')
    assert unread > 0
    db = writable.open()
    assert db.tag_messages('*', ['inbox/'], []) == total
    assert db.tag_messages('*', ['inbox/'], []) == 0
    assert db.tag_messages('*', [], ['unread/']) == 0
    assert db.tag_messages('*', [], ['inbox/']) == total
    assert cli_count(writable, 'tag:unread') == unread
    lines = writable.cli('search', '--output=tags', '--exclude=false', '*').split()
    assert 'inbox/' not in lines


# ---------------------------------------------------------------------------
# N4: properties that are not UTF-8
# ---------------------------------------------------------------------------

def dump_encode(text):
    return ''.join(c if c.isascii() and c.isalnum() else '%%%02x' % b
                   for c in text for b in c.encode())


def test_property_not_utf8_stored_by_restore(writable, tmp_path):
    """N4: `notmuch restore` stores any bytes; the getters hand out valid UTF-8 (str)."""
    mid = writable.cli('search', '--output=messages', '--exclude=false', '--limit=1',
                       '*').split()[0][len('id:'):]
    dump = tmp_path / 'properties.dump'
    dump.write_bytes(b'#= ' + dump_encode(mid).encode() + b' k=%ff%fex\n')
    writable.cli('restore', '--include=properties', '--input=' + str(dump))
    db = writable.open()
    m = db.find_message(mid)
    assert m.count_properties('k') == 1
    assert m.get_property_values('k') == ['\ufffd\ufffdx']
    assert m.get_all_properties('k', False) == ['k=\ufffd\ufffdx']


def test_property_refusals_are_notmuch_errors(writable):
    """N4: the refusals that Python can reach (a key with '=', a long key) stay errors of
    the Notmuch domain, and a UTF-8 property round-trips."""
    db = writable.open()
    m = db.search_messages('*').get_item(0)
    with pytest.raises(GLib.Error) as info:
        m.add_property('a=b', 'v')
    nm_error(info.value, E.ILLEGAL_ARGUMENT)
    m.add_property('clé', 'valeur ü')
    assert m.get_property_values('clé') == ['valeur ü']


# ---------------------------------------------------------------------------
# N5: configuration that is not UTF-8
# ---------------------------------------------------------------------------

def test_config_not_utf8_stored_by_cli(writable):
    """N5: the CLI stores any bytes; every getter hands out valid UTF-8 (str)."""
    subprocess.run([NOTMUCH, 'config', 'set', '--database', 'fuzz.name', b'\xffab'],
                   check=True, env=cli_env(writable.config))
    subprocess.run([NOTMUCH, 'config', 'set', '--database', 'user.other_email',
                    b'a@example.org;\xffb@example.org'],
                   check=True, env=cli_env(writable.config))
    db = writable.open(RO)
    assert db.get_config('fuzz.name') == '\ufffdab'
    assert db.get_config_list('fuzz.')['fuzz.name'] == '\ufffdab'
    key = Notmuch.ConfigKey.OTHER_EMAIL
    assert db.get_config_value(key) == 'a@example.org;\ufffdb@example.org'
    assert db.get_config_values(key) == ['a@example.org', '\ufffdb@example.org']


def test_config_autocommit_refusal(writable):
    """N5: the refusal of a bad database.autocommit is an ILLEGAL_ARGUMENT error."""
    db = writable.open()
    with pytest.raises(GLib.Error) as info:
        db.set_config('database.autocommit', 'é')
    nm_error(info.value, E.ILLEGAL_ARGUMENT)
    assert 'é' in info.value.message


# ---------------------------------------------------------------------------
# N6-N8: saved queries, named queries and header fields in the configuration
# ---------------------------------------------------------------------------

def cli_set(w, key, value):
    w.cli('config', 'set', '--database', key, value)


@pytest.mark.parametrize('key,value', [('squery.Mine', 'a'), ('squery.Mine', '()'),
                                       ('squery.Mine', '((tag inbox))'),
                                       ('squery.Mine', '(tag inbox'),
                                       ('squery.mine', '(tag inbox)'),
                                       ('squery.My-Query', '(tag inbox)')])
def test_saved_sexp_refused(writable, key, value):
    """N6: a saved s-expression query that libnotmuch would crash on, or under a name the
    CLI refuses, is not stored."""
    db = writable.open()
    with pytest.raises(GLib.Error) as info:
        db.set_config(key, value)
    nm_error(info.value, E.ILLEGAL_ARGUMENT)
    assert db.get_config(key) is None


def test_saved_sexp_accepted(writable):
    db = writable.open()
    db.set_config('squery.Mine', '(tag inbox)')
    db.set_config('squery.Macro', '(macro (t) (tag ,t))')
    q = Notmuch.Query.new_with_syntax(db, '(and (Mine) (Macro inbox))', SEXP)
    assert q.count_messages() == cli_count(writable, 'tag:inbox')


QUERY_FROM_CLI = '''
db = Notmuch.Database.open(MAIL, RO)
def count(text, syntax):
    return Notmuch.Query.new_with_syntax(db, text, syntax).count_messages()
out(results=[attempt(lambda t=t, s=s: count(t, SEXP if s else Notmuch.QuerySyntax.XAPIAN))
             for t, s in %r])
'''


def test_saved_queries_from_cli_refused_at_query_time(run_py, writable):
    """N6, N7: values the CLI stores (an atom, a cycle) are refused when a query uses them,
    with BAD_QUERY_SYNTAX, instead of crashing libnotmuch."""
    cli_set(writable, 'squery.Atom', 'a')
    cli_set(writable, 'squery.Loop', '(Loop)')
    cli_set(writable, 'squery.Ping', '(Pong)')
    cli_set(writable, 'squery.Pong', '(or (tag x) (Ping))')
    cli_set(writable, 'query.a', 'query:b')
    cli_set(writable, 'query.b', 'query:a')
    queries = [('(Atom)', True), ('(Loop)', True), ('(Ping)', True), ('query:a', False),
               ('(query a)', True), ('sexp:(Loop)', False)]
    v = child(run_py, QUERY_FROM_CLI % (queries,), writable.mail_root)
    for (text, _), outcome in zip(queries, v['results']):
        assert outcome[:2] == ['error', 'BAD_QUERY_SYNTAX'], (text, outcome)


@pytest.mark.parametrize('first,key,value', [
    (None, 'squery.Loop', '(Loop)'),
    (None, 'query.a', 'query:a'),
    (('query.a', 'query:b'), 'query.b', 'tag:inbox or query:a'),
    (('squery.A', '(B)'), 'squery.B', '(A)'),
    (('query.c', 'sexp:"(B)"'), 'squery.B', '(query c)'),
    (None, 'squery.M', '(macro (x) (M ,x))'),
    (('squery.P', '(macro (x) (Q ,x))'), 'squery.Q', '(macro (y) (or (tag ,y) (P ,y)))'),
])
def test_recursive_queries_refused(writable, first, key, value):
    """N7: a saved or named query that would use itself is not stored."""
    db = writable.open()
    if first:
        db.set_config(*first)
    with pytest.raises(GLib.Error) as info:
        db.set_config(key, value)
    nm_error(info.value, E.ILLEGAL_ARGUMENT)
    assert db.get_config(key) is None


@pytest.mark.parametrize('name', ['tag', 'from', '', 'X-Tag', 'A.B'])
def test_header_field_name_refused(writable, name):
    """N8: index.header.tag would make every later open fail (the CLI too)."""
    db = writable.open()
    with pytest.raises(GLib.Error) as info:
        db.set_config('index.header.' + name, 'X-Tag')
    nm_error(info.value, E.ILLEGAL_ARGUMENT)
    db.close()
    assert int(writable.cli('count', '*')) > 0


def test_header_field_name_accepted(writable):
    db = writable.open()
    db.set_config('index.header.List', 'List-Id')
    db.close()
    db = writable.open(RO)
    assert db.count_messages('*') == int(writable.cli('count', '*'))
