"""T25: walking 20,000 messages keeps memory flat, and dropping the list gives it back."""

from harness import SANITIZED, run_py

T25 = '''
root = sys.argv[1]
db = open_db(root)
total = db.count_messages('*')

def measure():
    gc.collect()
    malloc_trim()
    return rss_kb(), heap_bytes()

# Warm up every code path once (first search, GType registration, Python caches).
for m in db.search_messages('*'):
    m.get_message_id(); m.get_tags()
    break
baseline = measure()

query = Notmuch.Query.new(db, '*')
messages = query.search_messages()
started = measure()
n = 0
at = {}
for m in messages:
    if m is None:
        break
    m.get_message_id(); m.get_tags(); m.get_header('subject')
    n += 1
    if n in (2000, 11000):
        at[n] = measure()
del m
at['end'] = measure()
complete = messages.check()
del messages, query
dropped = measure()

# Control: the same walk keeping 5000 messages alive, so that the test can see growth.
keep = []
for m in db.search_messages('*'):
    keep.append(m); m.get_message_id(); m.get_tags()
    if len(keep) == 5000:
        break
kept = measure()
del keep, m
kept_dropped = measure()
emit(total=total, n=n, complete=complete, baseline=baseline, started=started,
     at_2k=at[2000], at_11k=at[11000], at_end=at['end'], dropped=dropped, kept=kept,
     kept_dropped=kept_dropped)
'''


def test_t25_walk_20k_messages_memory(corpora):
    large = corpora('large')
    child = run_py(T25, large.root, timeout=600).ok()
    v = child.values
    assert v['n'] == v['total'] == large.count('*') >= 19000
    assert v['complete'] is True
    # Under a sanitizer or valgrind the walk must run without a report; its memory figures
    # are the tool's, so the bounds apply to native runs only.
    if SANITIZED:
        return
    mib = 1024 * 1024
    rss = {k: v[k][0] * 1024 for k in ('baseline', 'started', 'at_2k', 'at_11k', 'at_end',
                                       'dropped', 'kept', 'kept_dropped')}
    heap = {k: v[k][1] for k in rss}
    report = 'RSS MiB %s; heap MiB %s' % (
        {k: round(x / mib, 1) for k, x in rss.items()},
        {k: round(x / mib, 1) for k, x in heap.items() if x is not None})
    # The control must show growth, or the measurements cannot see anything.  Keeping 5000
    # messages (each a wrapper plus a libnotmuch message with its Xapian document) costs
    # several MiB.
    control = (heap['kept'] - heap['started']) if heap['kept'] is not None \
        else (rss['kept'] - rss['started'])
    assert control > 2 * mib, 'the control did not grow: ' + report
    # Streaming: the 18,000 messages after the first 2,000 add (almost) nothing.  A leak of
    # one message per step would be over 3x the control; the bound is a quarter of it, and
    # at least 4 MiB to absorb allocator noise.
    bound = max(4 * mib, control // 4)
    if heap['at_2k'] is not None:
        assert heap['at_end'] - heap['at_2k'] < bound, report
        assert heap['at_end'] - heap['at_11k'] < bound, report
    assert rss['at_end'] - rss['at_2k'] < bound + 8 * mib, report
    # Dropping the list and the query gives the heap back: in use afterwards is close to
    # what it was before the search (best effort: glibc may keep arenas, so RSS is only
    # required not to grow past the walk's peak).
    if heap['dropped'] is not None:
        assert heap['dropped'] - heap['baseline'] < 2 * mib, report
        assert heap['kept_dropped'] - heap['baseline'] < 2 * mib, report
    assert rss['dropped'] <= max(rss['at_end'], rss['at_2k']) + 2 * mib, report
    print(report)
