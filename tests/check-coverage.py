#!/usr/bin/python3
"""Fails unless docs/coverage.md names every function of the notmuch.h the build uses.

The header is the one the C compiler finds for `#include <notmuch.h>` with the build's
arguments (so a build against another libnotmuch reads that one); its version must be the
one meson saw.  Every function it declares without NOTMUCH_DEPRECATED must have a row in the
coverage table, and each row must name the library calls that reach the function (declared
in the library's public headers) or say why none does ("not called: ...").  A row for a
function this header lacks must say which release added it ("since libnotmuch 0.xx").

Usage: check-coverage.py COVERAGE_MD HEADERS_DIR VERSION -- CC [ARGS...]
"""
import glob
import os
import re
import subprocess
import sys

SOURCE = '#include <notmuch.h>\n'


def preprocess(compiler, *options):
    return subprocess.run(compiler + list(options) + ['-x', 'c', '-'], input=SOURCE,
                          capture_output=True, text=True, check=True).stdout


def header_functions(compiler):
    """{name: deprecated} for the functions notmuch.h declares, its path and version."""
    text = preprocess(compiler, '-E')
    path, lines = None, []
    current = None
    for line in text.splitlines():
        marker = re.match(r'# \d+ "([^"]+)"', line)
        if marker:
            current = marker.group(1)
            if current.endswith('/notmuch.h'):
                path = current
            continue
        if current is not None and current == path:
            lines.append(line)
    if path is None:
        raise SystemExit('the compiler found no notmuch.h')
    functions = {}
    for declaration in ' '.join(lines).split(';'):
        name = re.search(r'\b(notmuch_\w+)\s*\(', declaration)
        if name is None or re.search(r'\btypedef\b', declaration):
            continue
        functions[name.group(1)] = 'deprecated' in declaration
    macros = dict(re.findall(r'#define (LIBNOTMUCH_\w+_VERSION) (\d+)',
                             preprocess(compiler, '-E', '-dM')))
    version = '.'.join(macros.get('LIBNOTMUCH_%s_VERSION' % part, '?')
                       for part in ('MAJOR', 'MINOR', 'MICRO'))
    return functions, path, version


def table_rows(markdown):
    """{function: (reached through, notes)} from the rows of the tables."""
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if not line.startswith('|') or len(cells) < 2:
            continue
        name = re.fullmatch(r'`(notmuch_\w+)`', cells[0])
        if name is None:
            continue
        if name.group(1) in rows:
            raise SystemExit('%s has two rows' % name.group(1))
        rows[name.group(1)] = (cells[1], ' '.join(cells[2:]))
    return rows


def public_functions(headers_dir):
    names = set()
    for header in glob.glob(os.path.join(headers_dir, '*.h')):
        if not header.endswith('-private.h'):
            names.update(re.findall(r'\b(nm_\w+)\s*\(', open(header, encoding='utf-8').read()))
    return names


def main():
    separator = sys.argv.index('--')
    markdown_path, headers_dir, meson_version = sys.argv[1:separator]
    compiler = sys.argv[separator + 1:]
    functions, path, version = header_functions(compiler)
    if version != meson_version:
        print('%s is libnotmuch %s, the build uses %s' % (path, version, meson_version))
        return 1
    rows = table_rows(open(markdown_path, encoding='utf-8').read())
    declared = public_functions(headers_dir)
    problems = []

    live = sorted(name for name, deprecated in functions.items() if not deprecated)
    for name in live:
        if name not in rows:
            problems.append('%s declares %s, which the coverage table does not name'
                            % (path, name))
    reached = 0
    for name, (through, notes) in sorted(rows.items()):
        if name not in functions and 'since libnotmuch' not in notes:
            problems.append('the table names %s, which %s lacks, without "since libnotmuch"'
                            % (name, path))
        calls = re.findall(r'`(nm_\w+)\(\)`', through)
        for call in calls:
            if call not in declared:
                problems.append('%s: %s is no public function' % (name, call))
        if functions.get(name) is True:
            continue
        if calls or through:
            reached += 1 if name in functions else 0
        elif 'not called:' not in notes:
            problems.append('%s: neither a call that reaches it nor why none does' % name)

    for problem in problems:
        print(problem)
    print('%s (libnotmuch %s): %d functions, %d not deprecated, %d reached, %d not called'
          % (path, version, len(functions), len(live), reached, len(live) - reached))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
