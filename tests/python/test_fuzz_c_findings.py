"""Regressions of the libFuzzer findings N1-N8 of issue 12 (/work/reports/fuzz-c.md; the
inputs are in tests/fuzz/libfuzzer/corpus/).  Each test runs the call that went wrong on a
writable copy of the corpus and checks the outcome with the notmuch CLI.

PyGObject refuses to pass a str that is not UTF-8 to a utf8 argument, so the refusals of
such input are tested in C (tests/c/test-fuzz-findings.c); here the tests cover what
Python sees: strings handed out are str, errors are GLib.Error of the Notmuch domain.
"""

import pytest
from gi.repository import GLib

from nmhelpers import E, nm_error


def cli_count(w, query):
    return int(w.cli('count', '--exclude=false', '--', query))


# ---------------------------------------------------------------------------
# N1: tag_messages refuses what Query refuses
# ---------------------------------------------------------------------------

def test_tag_messages_error_is_notmuch_error(writable):
    """N1: a query libnotmuch cannot parse fails as a Query does, with a UTF-8 message."""
    db = writable.open()
    with pytest.raises(GLib.Error) as info:
        db.tag_messages('thread:{é', ['fuzz-n1'], [])
    assert info.value.domain == 'nm-error-quark'
    assert cli_count(writable, 'tag:fuzz-n1') == 0

