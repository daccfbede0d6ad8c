#!/usr/bin/python3
"""Fails unless docs/async.md lists every public call with its asynchronous twin or the
reason it has none, and every twin the headers declare.

Each row of the tables names a call ([method@Notmuch.Database.find_message], ...), then its
twin or "—" and a reason.  A public function of the headers (other than the _async/_finish
pairs themselves, the GType and quark functions) without a row fails the test, and so does
an _async function that no row gives as a twin, or a twin without its _finish.

Usage: check-async-table.py ASYNC_MD HEADERS_DIR
"""
import glob
import os
import re
import sys

LINK = re.compile(r'\[(?:method|ctor|func)@Notmuch\.([A-Za-z_.]+)\]')


def c_name(link):
    """Notmuch.Database.find_message -> nm_database_find_message."""
    parts = link.split('.')
    prefix = ''.join('_' + c.lower() if c.isupper() else c for c in '.'.join(parts[:-1]))
    prefix = prefix.replace('.', '').lstrip('_')
    return 'nm_' + (prefix + '_' if prefix else '') + parts[-1]


def main():
    markdown_path, headers_dir = sys.argv[1:3]
    public = set()
    for header in glob.glob(os.path.join(headers_dir, '*.h')):
        if header.endswith('-private.h'):
            continue
        text = open(header, encoding='utf-8').read()
        public.update(re.findall(r'^NM_AVAILABLE_IN_\w+\n[^;(]*?\b(nm_\w+) \(', text, re.M))
    calls, twins = {}, set()
    for line in open(markdown_path, encoding='utf-8'):
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if not line.startswith('|') or len(cells) < 3:
            continue
        call = LINK.fullmatch(cells[0])
        if call is None:
            continue
        twin = LINK.fullmatch(cells[1])
        calls[c_name(call.group(1))] = c_name(twin.group(1)) if twin else None
        if twin:
            twins.add(c_name(twin.group(1)))
        elif cells[1] != '—' or not cells[2]:
            print('%s: neither a twin nor a reason' % call.group(1))
            return 1

    problems = []
    for name in sorted(public):
        if name.endswith(('_async', '_finish', '_get_type', '_quark')):
            continue
        if name not in calls:
            problems.append('%s has no row in %s' % (name, markdown_path))
    for name in sorted(public):
        if name.endswith('_async') and name not in twins:
            problems.append('%s is no row\'s twin' % name)
    for name in sorted(set(calls) | twins):
        if name not in public:
            problems.append('%s is no public function' % name)
    for twin in sorted(twins):
        if twin[:-len('_async')] + '_finish' not in public:
            problems.append('%s has no _finish' % twin)
    for problem in problems:
        print(problem)
    print('%d calls listed, %d with a twin' % (len(calls), len(twins)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
