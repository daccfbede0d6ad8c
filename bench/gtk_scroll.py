#!/usr/bin/python3
"""A real Gtk.ListView over every thread, scrolled top to bottom and back under Xvfb.

Usage::

    /usr/bin/python3 bench/gtk_scroll.py --build-dir build --messages 100000 \\
        [--steps 100] [--repeat 3] [--models notmuch,liststore] [--json FILE]
    /usr/bin/python3 bench/gtk_scroll.py --build-dir build --smoke

Each model runs in a process of its own, under ``xvfb-run`` when there is no display, with
``GSK_RENDERER=cairo`` (software rendering, as Xvfb has no GL).  The window (1000×800) holds
a ``Gtk.ListView`` in a ``Gtk.ScrolledWindow``; its rows are built by a
``Gtk.SignalListItemFactory`` in Python, as a mail client's: four labels (date, authors,
subject with the message count, tags), and on bind the row connects to ``notify::tags`` of
its thread (disconnected on unbind).  The models:

notmuch
    ``Query.new(db, '*').load_threads(None)`` of the corpus (newest first), given to the
    view through a ``Gtk.SingleSelection`` as soon as the call returns, so the view shows
    the batches as they arrive.  The longest main-loop gap and the time to the first
    painted frame with rows are measured while it loads.
liststore
    GTK's own floor: a ``Gio.ListStore`` of ``Gtk.StringObject``, one per thread, holding
    the texts the notmuch model's rows show (read beforehand by another process), with the
    same row widgets: the same view and the same text, without the library.

Then the view is scrolled: ``--steps`` steps of ``vadjustment.set_value()`` from the top to
the bottom and as many back, each waiting for the frame clock's ``after-paint`` (and an idle
after it) before the next.  A 1 ms GLib timeout on the main loop measures the longest gap
between two of its dispatches during the scroll (split into main-thread CPU, run-queue wait
and blocked time, see bench/listlib.py), and the time of each step.  The peak RSS of the
process (VmHWM) is read after the scroll: for the notmuch model, the whole process, loading
included.  ``--repeat`` scrolls (down and back) per process; the longest gap is the largest
over all of them, and the medians of the steps are reported.
"""

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import listlib  # noqa: E402

MODELS = ('notmuch', 'liststore')
# Joins the texts of a row in the strings of the ListStore model.
SEPARATOR = '\x1f'
WIDTH, HEIGHT = 1000, 800
STEP_TIMEOUT = 10.0


def parse_args():
    parser = listlib.argument_parser(__doc__.split('\n\n')[0])
    parser.add_argument('--steps', type=int, default=None,
                        help='scroll steps each way (default 100)')
    parser.add_argument('--repeat', type=int, default=None,
                        help='scrolls down and back per model (default 3)')
    parser.add_argument('--models', default=','.join(MODELS),
                        help='comma-separated subset of ' + ','.join(MODELS))
    parser.add_argument('--model', help=argparse.SUPPRESS)
    parser.add_argument('--rows', help=argparse.SUPPRESS)
    parser.add_argument('--dump-rows', help=argparse.SUPPRESS)
    args = listlib.finish_arguments(parser.parse_args())
    if args.steps is None:
        args.steps = 10 if args.smoke else 100
    if args.repeat is None:
        args.repeat = 1 if args.smoke else 3
    return args


# --------------------------------------------------------------------------- the view

def run_view(args):
    listlib.use_build_dir(args)
    import gi

    gi.require_version('Gtk', '4.0')
    gi.require_version('Pango', '1.0')
    from gi.repository import Gio, GLib, Gtk, Pango

    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    result = {'model': args.model, 'gsk_renderer': os.environ.get('GSK_RENDERER'),
              'load_average_start': listlib.load_average()}
    if not Gtk.init_check():
        print('cannot open a display', file=sys.stderr)
        sys.exit(listlib.SKIP)

    def make_label(xalign=0.0, width_chars=-1, hexpand=False, ellipsize=True):
        label = Gtk.Label(xalign=xalign, width_chars=width_chars, hexpand=hexpand)
        if ellipsize:
            label.set_ellipsize(Pango.EllipsizeMode.END)
        return label

    class Row(Gtk.Box):
        def __init__(self):
            super().__init__(orientation=Gtk.Orientation.HORIZONTAL, spacing=12,
                             margin_top=4, margin_bottom=4, margin_start=8, margin_end=8)
            self.date = make_label(width_chars=16, ellipsize=False)
            self.authors = make_label(width_chars=24)
            self.authors.set_max_width_chars(24)
            self.subject = make_label(hexpand=True)
            self.tags = make_label(xalign=1.0)
            self.tags.set_max_width_chars(30)
            for label in (self.date, self.authors, self.subject, self.tags):
                self.append(label)
            self.item = None
            self.handler = 0

    def show_tags(thread, _pspec, row):
        row.tags.set_text(' '.join(thread.get_tags()))

    def bind_thread(_factory, list_item):
        row, thread = list_item.get_child(), list_item.get_item()
        date, authors, subject, tags = thread_texts(GLib, thread)
        row.date.set_text(date)
        row.authors.set_text(authors)
        row.subject.set_text(subject)
        row.tags.set_text(tags)
        row.item = thread
        row.handler = thread.connect('notify::tags', show_tags, row)

    def unbind_thread(_factory, list_item):
        row = list_item.get_child()
        if row.item is not None:
            row.item.disconnect(row.handler)
            row.item = None

    def bind_string(_factory, list_item):
        row, text = list_item.get_child(), list_item.get_item().get_string()
        date, authors, subject, tags = text.split(SEPARATOR)
        row.date.set_text(date)
        row.authors.set_text(authors)
        row.subject.set_text(subject)
        row.tags.set_text(tags)

    factory = Gtk.SignalListItemFactory()
    factory.connect('setup', lambda _f, item: item.set_child(Row()))
    if args.model == 'notmuch':
        factory.connect('bind', bind_thread)
        factory.connect('unbind', unbind_thread)
    else:
        factory.connect('bind', bind_string)

    window = Gtk.Window(default_width=WIDTH, default_height=HEIGHT, title='scroll')
    scrolled = Gtk.ScrolledWindow(vexpand=True)
    view = Gtk.ListView(factory=factory)
    scrolled.set_child(view)
    window.set_child(scrolled)
    ticker = listlib.Ticker(GLib, 1)
    window.present()
    frame_clock = [None]
    paints = []

    def after_paint(_clock):
        paints.append(time.perf_counter())

    def ensure_clock():
        if frame_clock[0] is None and window.get_frame_clock() is not None:
            frame_clock[0] = window.get_frame_clock()
            frame_clock[0].connect('after-paint', after_paint)
        return frame_clock[0] is not None

    listlib.run_until(GLib, ensure_clock, 30)
    listlib.spin(GLib, 0.5)

    # The model.
    db = None
    rss_before_model = listlib.memory_kib('VmRSS')
    if args.model == 'notmuch':
        GLib_, Notmuch = listlib.import_notmuch()
        db = listlib.open_database(Notmuch, corpus)
        first_batch = []
        start = time.perf_counter()
        model = Notmuch.Query.new(db, '*').load_threads(None)
        returned = time.perf_counter()
        view.set_model(Gtk.SingleSelection(model=model))
        # The first paint after the first batch: the first rows on screen.
        model.connect('items-changed',
                      lambda *_: first_batch or first_batch.extend(
                          (len(paints), time.perf_counter())))
        listlib.run_until(GLib, lambda: first_batch and len(paints) > first_batch[0], 3600)
        first_rows = paints[-1]
        listlib.wait_loaded(GLib, model)
        loaded = time.perf_counter()
        model.check()
        n = model.get_n_items()
        gap = ticker.gap_details(start, loaded)
        result['load'] = {
            'call_ms': 1000 * (returned - start),
            'first_batch_ms': 1000 * (first_batch[1] - start),
            'first_rows_painted_ms': 1000 * (first_rows - start),
            'loaded_ms': 1000 * (loaded - start),
            'gap': listlib.gap_ms(gap),
            'gap_text': listlib.gap_text(gap),
            'load_average': listlib.load_average(),
        }
        print('notmuch: load_threads returned in %.1f ms, first batch at %.1f ms, first rows '
              'painted at %.1f ms, %d threads loaded in %.1f ms; longest main-loop gap while '
              'loading %s'
              % (result['load']['call_ms'], result['load']['first_batch_ms'],
                 result['load']['first_rows_painted_ms'], n,
                 result['load']['loaded_ms'], gap_text(gap)), flush=True)
    else:
        with open(args.rows) as f:
            rows = json.load(f)
        n = len(rows)
        store = Gio.ListStore(item_type=Gtk.StringObject)
        store.splice(0, 0, [Gtk.StringObject.new(SEPARATOR.join(row)) for row in rows])
        del rows
        # The floor of the first screen: from setting the model to its first paint.
        paints_before = len(paints)
        start = time.perf_counter()
        view.set_model(Gtk.SingleSelection(model=store))
        listlib.run_until(GLib, lambda: len(paints) > paints_before, STEP_TIMEOUT)
        first_rows = paints[-1]
        gap = ticker.gap_details(start, first_rows)
        result['load'] = {
            'first_rows_painted_ms': 1000 * (first_rows - start),
            'gap': listlib.gap_ms(gap),
            'gap_text': listlib.gap_text(gap),
            'load_average': listlib.load_average(),
        }
        print('liststore: %d strings; first rows painted %.1f ms after set_model(), longest '
              'main-loop gap meanwhile %s' % (n, result['load']['first_rows_painted_ms'],
                                               gap_text(gap)), flush=True)
        model = store
    listlib.spin(GLib, 1.0)
    result['n_items'] = n
    result['rss_before_model_kib'] = rss_before_model
    result['rss_before_scroll_kib'] = listlib.memory_kib('VmRSS')

    # The scroll.
    adjustment = scrolled.get_vadjustment()
    scrolls = []
    for repetition in range(args.repeat):
        steps = []
        down = [i / args.steps for i in range(1, args.steps + 1)]
        back = [i / args.steps for i in range(args.steps - 1, -1, -1)]
        start = time.perf_counter()
        for fraction in down + back:
            value = fraction * max(0.0, adjustment.get_upper() - adjustment.get_page_size())
            paints_before = len(paints)
            step_start = time.perf_counter()
            adjustment.set_value(value)
            painted = listlib.run_until(GLib, lambda: len(paints) > paints_before,
                                        STEP_TIMEOUT)
            step_end = paints[-1] if painted else time.perf_counter()
            # Whatever the frame left for later.
            idle = [False]
            GLib.idle_add(lambda: idle.__setitem__(0, True) or False,
                          priority=GLib.PRIORITY_LOW)
            listlib.run_until(GLib, lambda: idle[0], STEP_TIMEOUT)
            steps.append({'ms': 1000 * (step_end - step_start), 'painted': painted,
                          'gap': ticker.gap_details(step_start, time.perf_counter())})
        end = time.perf_counter()
        gap = ticker.gap_details(start, end)
        bottom_seen = adjustment.get_value()
        scrolls.append({
            'gap': listlib.gap_ms(gap),
            'gap_text': listlib.gap_text(gap),
            'step_ms': listlib.summary_ms([s['ms'] / 1000 for s in steps]),
            'step_gap_ms': listlib.summary_ms([s['gap']['gap'] for s in steps]),
            'step_gap_without_runq_ms': listlib.summary_ms(
                [s['gap']['gap'] - (s['gap']['runq'] or 0) for s in steps]),
            'unpainted_steps': sum(1 for s in steps if not s['painted']),
            'seconds': end - start,
            'final_value': bottom_seen,
            'load_average': listlib.load_average(),
        })
        print('%s scroll %d: %d steps in %.1f s; longest gap %s; step median %.1f ms, '
              'p95 %.1f ms; %d steps without a paint; load %.1f'
              % (args.model, repetition + 1, len(steps), end - start, gap_text(gap),
                 scrolls[-1]['step_ms']['median'], scrolls[-1]['step_ms']['p95'],
                 scrolls[-1]['unpainted_steps'], scrolls[-1]['load_average']), flush=True)
    ticker.stop()
    result['scrolls'] = scrolls
    result['max_gap_ms'] = max(s['gap']['gap'] for s in scrolls)
    result['median_gap_ms'] = statistics.median(s['gap']['gap'] for s in scrolls)
    result['median_gap_without_runq_ms'] = statistics.median(
        s['gap']['gap'] - (s['gap']['runq'] or 0) for s in scrolls)
    result['peak_rss_kib'] = listlib.memory_kib('VmHWM')
    result['rss_after_scroll_kib'] = listlib.memory_kib('VmRSS')
    print('%s: %d items; VmRSS before the model %.1f MiB, before the scroll %.1f MiB, '
          'peak (VmHWM) %.1f MiB' % (args.model, n, rss_before_model / 1024,
                                     result['rss_before_scroll_kib'] / 1024,
                                     result['peak_rss_kib'] / 1024), flush=True)
    window.destroy()
    del model
    gc.collect()
    if db is not None:
        db.close()
    print('RESULT ' + json.dumps(result, sort_keys=True), flush=True)


def gap_text(details):
    return listlib.gap_text(details)


def thread_texts(GLib, thread):
    """What a row shows of a thread: date, authors, subject (with the message count), tags."""
    date = GLib.DateTime.new_from_unix_local(thread.get_newest_date())
    count = thread.get_total_messages()
    subject = thread.get_subject() or '(no subject)'
    return (date.format('%Y-%m-%d %H:%M') if date is not None else '',
            thread.get_authors() or '',
            f'{subject} ({count})' if count > 1 else subject,
            ' '.join(thread.get_tags()))


def dump_rows(args):
    """Writes the texts of every row of the notmuch model, in its order, for the ListStore
    model: the floor shows the same text."""
    listlib.use_build_dir(args)
    GLib, Notmuch = listlib.import_notmuch()
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    db = listlib.open_database(Notmuch, corpus)
    threads = Notmuch.Query.new(db, '*').search_threads()
    rows = [thread_texts(GLib, t) for t in iter(threads.next, None)]
    db.close()
    with open(args.dump_rows, 'w') as f:
        json.dump(rows, f)


# --------------------------------------------------------------------------- main

def view_command(args, model, rows):
    cmd = [sys.executable, os.path.abspath(__file__), '--model', model,
           '--build-dir', args.build_dir, '--messages', str(args.messages),
           '--cache-dir', args.cache_dir, '--steps', str(args.steps),
           '--repeat', str(args.repeat), '--rows', rows]
    if os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'):
        return cmd
    xvfb_run = shutil.which('xvfb-run')
    if xvfb_run is None or shutil.which('Xvfb') is None:
        return None
    return [xvfb_run, '-a', '-s', '-screen 0 %dx%dx24' % (WIDTH + 200, HEIGHT + 200)] + cmd


def gtk_available():
    result = subprocess.run([sys.executable, '-c', 'import gi; gi.require_version("Gtk", "4.0")'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.returncode == 0


def main():
    args = parse_args()
    if args.dump_rows:
        dump_rows(args)
        return 0
    if args.model:
        run_view(args)
        return 0
    models = [m for m in args.models.split(',') if m]
    if set(models) - set(MODELS):
        sys.exit('unknown model(s): ' + ', '.join(sorted(set(models) - set(MODELS))))
    if not gtk_available():
        print('skipped: no GTK 4 typelib (gir1.2-gtk-4.0)')
        return listlib.SKIP
    corpus = listlib.prepare_corpus(args.cache_dir, args.messages)
    print('corpus: %d files, %d messages, %d threads; load average %.1f'
          % (corpus['messages'], corpus['distinct_messages'], corpus['threads'],
             listlib.load_average()), flush=True)
    data = listlib.header(corpus, steps=args.steps, repeat=args.repeat,
                          window=[WIDTH, HEIGHT])
    env = listlib.child_environment(args.build_dir, args.cache_dir)
    env['GSK_RENDERER'] = 'cairo'
    # No accessibility bus, no portals: nothing else to wait for under Xvfb.
    env['GTK_A11Y'] = 'none'
    env.setdefault('XDG_RUNTIME_DIR', os.path.join(args.cache_dir, 'runtime'))
    os.makedirs(env['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)
    rows = os.path.join(args.cache_dir, 'rows-%d.json' % args.messages)
    if 'liststore' in models:
        subprocess.run([sys.executable, os.path.abspath(__file__), '--dump-rows', rows,
                        '--build-dir', args.build_dir, '--messages', str(args.messages),
                        '--cache-dir', args.cache_dir], env=env, check=True)
    for model in models:
        cmd = view_command(args, model, rows)
        if cmd is None:
            print('skipped: no display and no xvfb-run/Xvfb')
            return listlib.SKIP
        print('--- %s' % model, flush=True)
        child = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        result = None
        for line in child.stdout.splitlines():
            if line.startswith('RESULT '):
                result = json.loads(line[len('RESULT '):])
            else:
                print(line)
        if child.returncode == listlib.SKIP:
            print('skipped: the view could not open a display')
            return listlib.SKIP
        if child.returncode != 0 or result is None:
            sys.exit('model %s failed (%d)' % (model, child.returncode))
        data[model] = result
    if 'notmuch' in data and 'liststore' in data:
        data['gap_over_floor_ms'] = data['notmuch']['max_gap_ms'] - data['liststore']['max_gap_ms']
        print('longest gap while scrolling: notmuch %.1f ms, ListStore %.1f ms (%+.1f ms); '
              'peak RSS notmuch %.1f MiB'
              % (data['notmuch']['max_gap_ms'], data['liststore']['max_gap_ms'],
                 data['gap_over_floor_ms'], data['notmuch']['peak_rss_kib'] / 1024))
    data['load_average_end'] = listlib.load_average()
    listlib.write_json(args.json, data)
    return 0


if __name__ == '__main__':
    sys.exit(main())
