#!/usr/bin/python3
"""How long reading one result takes, item by item: a forward walk get_item(0), get_item(1), …
over Query.new(db, '*').search_threads() and .search_messages() of the cached corpus.

The loading worker of load_threads()/load_messages() holds the database lock while it reads
one result; the largest time here bounds how long one such hold lasts (plus the Python call).

Usage::

    /usr/bin/python3 bench/forward_items.py --build-dir build --messages 100000
"""
import os
import time

import listlib


def main():
    parser = listlib.argument_parser(__doc__.split('\n\n')[0])
    args = listlib.finish_arguments(parser.parse_args())
    listlib.use_build_dir(args)
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    GLib, Notmuch = listlib.import_notmuch()
    db = listlib.open_database(Notmuch, corpus)
    for kind in ('threads', 'messages'):
        query = Notmuch.Query.new(db, '*')
        model = query.search_threads() if kind == 'threads' else query.search_messages()
        times = []
        while True:
            started = time.perf_counter()
            item = model.get_item(len(times))
            elapsed = time.perf_counter() - started
            if item is None:
                break
            times.append(elapsed)
        ordered = sorted(times)
        n = len(ordered)
        print('%s: %d items in %.1f s; per item median %.3f ms, p99 %.2f ms, p99.9 %.2f ms, '
              'max %.1f ms (position %d); %d items over 10 ms; load %.1f'
              % (kind, n, sum(ordered), 1000 * ordered[n // 2], 1000 * ordered[int(n * 0.99)],
                 1000 * ordered[int(n * 0.999)], 1000 * ordered[-1], times.index(ordered[-1]),
                 sum(1 for t in ordered if t > 0.010), os.getloadavg()[0]))


if __name__ == '__main__':
    main()
