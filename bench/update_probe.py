#!/usr/bin/python3
"""What a view feels while a monitored list updates: get_item(0) every 16 ms during the update
that follows another process's tagging of N messages (bench/monitor_latency.py's change).

bench/monitor_latency.py times the update; its main loop only ticks.  Here the main loop
also binds a row at every frame, as a view does, and the longest get_item(0) and main-loop
gap from the commit to the end of the update are reported.  Uses monitor_latency.py's copy
of the corpus (bench/.cache/monitor-N, made afresh) and its CLI writer.

Usage::

    /usr/bin/python3 bench/update_probe.py --build-dir build --messages 100000 [--size 10000]
"""
import os
import shutil
import time

import listlib
import monitor_latency as ml

PROBE_MS = 16


def main():
    parser = listlib.argument_parser(__doc__.split('\n\n')[0])
    parser.add_argument('--size', type=int, default=10000, help='messages tagged (default 10000)')
    args = listlib.finish_arguments(parser.parse_args())
    listlib.use_build_dir(args)
    GLib, Notmuch = listlib.import_notmuch()
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    work, mail, config = ml.make_copy(corpus, args.cache_dir)
    env = listlib.child_environment(args.build_dir, args.cache_dir)
    args.writers = 'cli'
    changer = ml.Changer(args, mail, config, env)
    db = listlib.open_database(Notmuch, corpus, mail, config)
    real, query, threads = ml.subsets(Notmuch, db, [args.size])[args.size]
    model = Notmuch.Query.new(db, '*').load_threads(None)
    listlib.wait_loaded(GLib, model)
    model.set_monitored(True)
    recorder = ml.Recorder()
    model.connect('items-changed', recorder.record)
    ticker = listlib.Ticker(GLib, 1)
    probes = []

    def probe():
        started = time.monotonic()
        model.get_item(0)
        probes.append((started, time.monotonic() - started))
        return True

    GLib.timeout_add(PROBE_MS, probe)
    for change in ('+' + ml.TAG, '-' + ml.TAG):
        before = len(recorder.events)
        commit = ml.wait_update(GLib, recorder, before, changer.tag('cli', change, query), 2.0)
        events = recorder.events[before:]
        done = events[-1][0]
        during = [d for t, d in probes if commit <= t <= done]
        gap = ticker.gap_details(commit - time.monotonic() + time.perf_counter(),
                                 done - time.monotonic() + time.perf_counter())
        print('%s %d messages (%d threads): update done %.0f ms after the commit; '
              'get_item(0) every %d ms meanwhile: %d calls, median %.3f ms, max %.1f ms; '
              'longest main-loop gap %s; load %.1f'
              % (change, real, len(threads), 1000 * (done - commit), PROBE_MS, len(during),
                 1000 * sorted(during)[len(during) // 2] if during else -1,
                 1000 * max(during) if during else -1, listlib.gap_text(gap),
                 os.getloadavg()[0]), flush=True)
    ticker.stop()
    del model
    db.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
