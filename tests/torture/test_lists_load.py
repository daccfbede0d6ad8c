"""Lists loaded in the background on a corpus large enough that a load takes a while:
cancelled half-way, dropped half-way, and racing a writer in another process."""
from harness import run_py

CANCEL = '''
from gi.repository import Gio
cancellable = Gio.Cancellable()
db = open_db(sys.argv[1])
threads = Notmuch.Query.new(db, '*').load_threads(cancellable)
batches = []
def on_items_changed(model, position, removed, added):
    batches.append(added)
    cancellable.cancel()
threads.connect('items-changed', on_items_changed)
context = GLib.MainContext.default()
while threads.props.loading:
    context.iteration(True)
try:
    threads.check()
    error = None
except GLib.Error as e:
    error = [e.domain, e.code]
total = len(Notmuch.Query.new(db, '*').search_threads())
emit(batches=batches, n=len(threads), total=total, error=error,
     cancelled=int(Gio.IOErrorEnum.CANCELLED))
'''


def test_load_cancelled_half_way(corpora):
    medium = corpora('medium')
    child = run_py(CANCEL, medium.root).ok()
    assert child['batches'][0] == 50
    assert 50 <= child['n'] < child['total'] // 2, child.report()
    assert child['error'] == ['g-io-error-quark', child['cancelled']]


DROP = '''
db = open_db(sys.argv[1])
context = GLib.MainContext.default()
for i in range(10):
    threads = Notmuch.Query.new(db, '*').load_threads(None)
    # Let the first batch arrive, then drop the list while the worker is still at it.
    while len(threads) == 0:
        context.iteration(True)
    del threads
    gc.collect()
# The worker stops at its next thread; the database answers at once afterwards.
emit(count=db.count_threads('*'))
db.close()
'''


def test_load_dropped_half_way(corpora):
    medium = corpora('medium')
    child = run_py(DROP, medium.root).ok()
    assert child['count'] == len(medium.notmuch('search', '--output=threads',
                                                '--exclude=false', '*').split())
