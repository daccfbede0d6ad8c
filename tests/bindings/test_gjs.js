// test_gjs.js: notmuch-glib from JavaScript (gjs).
//
// Run by tests/bindings/run.py, which generates and indexes a corpus and writes what the
// notmuch CLI says about it to a GLib key file (its path is ARGV[0], or $NM_TEST_EXPECT):
//
//     run.py gjs            # or: gjs test_gjs.js /path/to/expect.ini
//
// Prints one "ok - name" / "not ok - name" line per test, then "N passed, M failed" as the
// last line, and exits with 1 if anything failed.

imports.gi.versions.Notmuch = '1.0';
const {GLib, Gio, Notmuch} = imports.gi;
const System = imports.system;

// ---------------------------------------------------------------------------
// A tiny test harness
// ---------------------------------------------------------------------------

let passed = 0;
let failed = 0;

function test(name, fn) {
    try {
        fn();
        passed++;
        print(`ok - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok - ${name}: ${e}`);
        if (e && e.stack)
            print(e.stack.trimEnd().replace(/^/gm, '    '));
    }
}

// A call that never calls back fails the test after this long instead of hanging the run.
const WATCHDOG_SECONDS = 60;

// Runs the promise-returning fn inside a GLib main loop until its promise settles: the async
// calls deliver their results from the main context, so nothing happens without a loop.
function testAsync(name, fn) {
    test(name, () => {
        const loop = new GLib.MainLoop(null, false);
        let outcome = null;
        const watchdog = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, WATCHDOG_SECONDS, () => {
            outcome = {error: new Error(`no result after ${WATCHDOG_SECONDS} s`)};
            loop.quit();
            return GLib.SOURCE_REMOVE;
        });
        fn().then(() => {
            outcome = outcome ?? {};
        }, error => {
            outcome = outcome ?? {error};
        }).finally(() => loop.quit());
        // Promise reactions only run once the loop turns, so outcome is still null here.
        if (outcome === null)
            loop.run();
        if (outcome.error === undefined)
            GLib.source_remove(watchdog);
        else
            throw outcome.error;
    });
}

function repr(value) {
    return JSON.stringify(value, (_key, v) => typeof v === 'bigint' ? `${v}n` : v);
}

function assert(condition, what) {
    if (!condition)
        throw new Error(`assertion failed: ${what}`);
}

function assertEqual(actual, expected, what) {
    if (repr(actual) !== repr(expected))
        throw new Error(`${what}: got ${repr(actual)}, expected ${repr(expected)}`);
}

// Runs fn, which must throw a GLib.Error in the Notmuch.Error domain with this code.
function assertThrows(code, fn, what) {
    try {
        fn();
    } catch (e) {
        assert(e instanceof GLib.Error, `${what}: ${e} is a GLib.Error`);
        assert(e.matches(Notmuch.Error, code),
            `${what}: ${e} (code ${e.code}) matches Notmuch.Error ${code}`);
        return e;
    }
    throw new Error(`${what}: no error thrown`);
}

// ---------------------------------------------------------------------------
// The idiomatic loops over a Gio.ListModel in gjs 1.74 (see docs/gjs.md)
// ---------------------------------------------------------------------------

// Streams: no count query first, stops at the first null (the end, or an iteration cut short
// by a concurrent writer, which check() then reports).
function* items(model) {
    for (let i = 0, item; (item = model.get_item(i)) !== null; i++)
        yield item;
}

// ---------------------------------------------------------------------------
// Expectations, from the notmuch CLI (written by run.py)
// ---------------------------------------------------------------------------

const expectPath = ARGV[0] || GLib.getenv('NM_TEST_EXPECT');
if (!expectPath) {
    printerr('usage: gjs test_gjs.js EXPECT.ini (see tests/bindings/run.py)');
    System.exit(2);
}
const kf = new GLib.KeyFile();
kf.load_from_file(expectPath, GLib.KeyFileFlags.NONE);
const str = (group, key) => kf.get_string(group, key);
const list = (group, key) => kf.get_string_list(group, key);
const int = (group, key) => kf.get_int64(group, key);

const RO_DB = str('paths', 'ro_db');
const RW_DB = str('paths', 'rw_db');
const RW_CONFIG = str('paths', 'rw_config');
const NOTMUCH = str('paths', 'notmuch');
const N_MESSAGES = int('counts', 'messages');
const N_THREADS = int('counts', 'threads');
const THREADS_NEWEST = list('threads', 'newest_first');
const THREADS_OLDEST = list('threads', 'oldest_first');
const MESSAGES_OLDEST = list('messages', 'oldest_first');
const MESSAGES_NEWEST = list('messages', 'newest_first');

const expectedMessages = [];
for (let i = 0; i < int('counts', 'shown'); i++) {
    const g = `message ${i}`;
    expectedMessages.push({
        id: str(g, 'id'), thread: str(g, 'thread'), date: int(g, 'date'),
        tags: list(g, 'tags'), filenames: list(g, 'filenames'),
        subject: str(g, 'subject'), from: str(g, 'from'),
    });
}

// Run the notmuch CLI on the writable copy; its stdout, trimmed.
function notmuchCli(...args) {
    const launcher = new Gio.SubprocessLauncher({
        flags: Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE,
    });
    launcher.unsetenv('LD_PRELOAD');
    launcher.setenv('NOTMUCH_CONFIG', RW_CONFIG, true);
    const proc = launcher.spawnv([NOTMUCH, ...args]);
    const [, out, err] = proc.communicate_utf8(null, null);
    assert(proc.get_successful(), `notmuch ${args.join(' ')} succeeded: ${err}`);
    return out.trim();
}

// The reply forest of a thread as "depth:id" lines, parents before replies, as
// `notmuch show` nests them.
function replyTree(thread) {
    const lines = [];
    const walk = (messages, depth) => {
        for (const message of items(messages)) {
            lines.push(`${depth}:${message.get_message_id()}`);
            walk(message.get_replies(), depth + 1);
        }
    };
    walk(thread.get_toplevel_messages(), 0);
    return lines;
}

// ---------------------------------------------------------------------------
// Read-only tests
// ---------------------------------------------------------------------------

let db = null;

test('open read-only', () => {
    db = Notmuch.Database.open(RO_DB, Notmuch.DatabaseMode.READ_ONLY);
    assert(db instanceof Notmuch.Database, 'a Notmuch.Database');
    assert(db instanceof Gio.Initable, 'a Gio.Initable');
    assertEqual(db.get_path(), RO_DB, 'get_path()');
    assertEqual(db.path, RO_DB, 'db.path');
    assertEqual(db.mode, Notmuch.DatabaseMode.READ_ONLY, 'db.mode');
    assert(db.get_version() >= 3, 'database version');
    assertEqual(db.get_version(), db.version, 'db.version');
    assert(!db.needs_upgrade(), 'needs no upgrade');
});

test('open with notmuch\'s own lookup (NOTMUCH_CONFIG)', () => {
    // The runner removes NOTMUCH_CONFIG; a child environment is not needed: the library
    // reads the variable at open time.
    GLib.setenv('NOTMUCH_CONFIG', RW_CONFIG, true);
    try {
        const other = Notmuch.Database.open(null, Notmuch.DatabaseMode.READ_ONLY);
        assertEqual(other.path, RW_DB, 'path from the config file');
        assertEqual(other.get_config('search.exclude_tags'), 'deleted;spam;',
            'search.exclude_tags from the config file');
        other.close();
    } finally {
        GLib.unsetenv('NOTMUCH_CONFIG');
    }
});

test('counts', () => {
    assertEqual(db.count_messages('*'), N_MESSAGES, 'count_messages(*)');
    assertEqual(db.count_threads('*'), N_THREADS, 'count_threads(*)');
    assertEqual(db.count_messages('tag:unread'), int('counts', 'unread'), 'count tag:unread');
    assertEqual(db.count_messages('tag:no-such-tag'), 0, 'count of nothing');
});

test('Query.new + set_sort: threads, oldest and newest first', () => {
    const query = Notmuch.Query.new(db, '*');
    assertEqual(query.query_string, '*', 'query.query_string');
    assertEqual(query.get_sort(), Notmuch.Sort.NEWEST_FIRST, 'default sort');
    query.set_sort(Notmuch.Sort.OLDEST_FIRST);
    assertEqual(query.sort, Notmuch.Sort.OLDEST_FIRST, 'query.sort property');
    const threads = query.search_threads();
    assert(threads instanceof Gio.ListModel, 'Threads is a Gio.ListModel');
    assertEqual([...items(threads)].map(t => t.get_thread_id()), THREADS_OLDEST, 'oldest first');
    assertEqual(threads.get_n_items(), N_THREADS, 'get_n_items()');
    assert(threads.check(), 'check() after a complete read');

    query.set_sort(Notmuch.Sort.NEWEST_FIRST);
    const newest = query.search_threads();
    assertEqual([...items(newest)].map(t => t.thread_id), THREADS_NEWEST, 'newest first');
    assertEqual([...items(db.search_threads('*'))].map(t => t.thread_id), THREADS_NEWEST,
        'db.search_threads(*) is newest first');
});

test('Query.new + set_sort: messages, oldest and newest first', () => {
    const query = Notmuch.Query.new(db, '*');
    query.set_sort(Notmuch.Sort.OLDEST_FIRST);
    const messages = query.search_messages();
    assertEqual([...items(messages)].map(m => m.get_message_id()), MESSAGES_OLDEST, 'oldest first');
    assertEqual(messages.get_n_items(), N_MESSAGES, 'get_n_items()');
    // A second pass over the same model, and random access backwards, give the same items.
    assertEqual([...items(messages)].map(m => m.message_id), MESSAGES_OLDEST, 'second pass');
    const backwards = [];
    for (let i = messages.get_n_items() - 1; i >= 0; i--)
        backwards.push(messages.get_item(i).message_id);
    assertEqual(backwards.reverse(), MESSAGES_OLDEST, 'indexed backwards');
    assertEqual(messages.get_item(messages.get_n_items()), null, 'get_item() past the end');
    query.set_sort(Notmuch.Sort.NEWEST_FIRST);
    assertEqual([...items(query.search_messages())].map(m => m.message_id), MESSAGES_NEWEST,
        'newest first');
});

test('for...of over a model with a prototype polyfill', () => {
    // gjs 1.74 makes no Gio.ListModel iterable, and a polyfill on Gio.ListModel.prototype has
    // no effect; one on the implementing classes works.
    const threads = db.search_threads('*');
    assert(!(Symbol.iterator in threads), 'not iterable without the polyfill');
    for (const klass of [Notmuch.Messages, Notmuch.Threads]) {
        klass.prototype[Symbol.iterator] = function* () {
            for (let i = 0, item; (item = this.get_item(i)) !== null; i++)
                yield item;
        };
    }
    try {
        const ids = [];
        for (const thread of threads)
            ids.push(thread.thread_id);
        assertEqual(ids, THREADS_NEWEST, 'for...of threads');
        assertEqual([...db.search_messages('*')].length, N_MESSAGES, 'spread of messages');
    } finally {
        delete Notmuch.Messages.prototype[Symbol.iterator];
        delete Notmuch.Threads.prototype[Symbol.iterator];
    }
});

test('next(): one walk over its own cursor, without counting', () => {
    const threads = db.search_threads('*');
    const walked = [];
    for (let thread; (thread = threads.next()) !== null;)
        walked.push(thread.thread_id);
    assertEqual(walked, THREADS_NEWEST, 'threads in order');
    assertEqual(threads.next(), null, 'null after the last one');
    const messages = db.search_messages('*');
    assertEqual(messages.get_item(3).message_id, MESSAGES_NEWEST[3], 'get_item(3)');
    assertEqual(messages.next().message_id, MESSAGES_NEWEST[0], 'the cursor starts at 0');
    assertEqual(messages.next().message_id, MESSAGES_NEWEST[1], 'and moves by one');
});

test('threads: summary, properties and messages', () => {
    let n = 0;
    for (const thread of items(db.search_threads('*'))) {
        const tid = thread.get_thread_id();
        const g = `thread ${tid}`;
        assertEqual(thread.get_subject(), str(g, 'subject'), `${tid} subject`);
        assertEqual(thread.subject, str(g, 'subject'), `${tid} thread.subject`);
        assertEqual(thread.get_authors(), str(g, 'authors'), `${tid} authors`);
        assertEqual(thread.get_matched_messages(), int(g, 'matched'), `${tid} matched`);
        assertEqual(thread.get_total_messages(), int(g, 'total'), `${tid} total`);
        assertEqual(thread.total_messages, int(g, 'total'), `${tid} thread.total_messages`);
        assertEqual(thread.get_tags(), list(g, 'tags'), `${tid} tags`);
        assertEqual(thread.tags, list(g, 'tags'), `${tid} thread.tags`);
        assertEqual(thread.get_newest_date(), int(g, 'newest_date'), `${tid} newest date`);
        assertEqual(thread.get_oldest_date(), int(g, 'oldest_date'), `${tid} oldest date`);
        const messages = [...items(thread.get_messages())];
        assertEqual(messages.length, int(g, 'total'), `${tid} messages`);
        assert(messages.every(m => m.thread_id === tid), `${tid} messages belong to it`);
        n++;
    }
    assertEqual(n, N_THREADS, 'threads seen');
});

test('reply trees (toplevel -> replies, recursively) match notmuch show', () => {
    let multi = 0;
    for (const thread of items(db.search_threads('*'))) {
        const g = `thread ${thread.thread_id}`;
        assertEqual(replyTree(thread), list(g, 'tree'), `${thread.thread_id} tree`);
        assertEqual(thread.get_toplevel_messages().get_n_items(), int(g, 'toplevel'),
            `${thread.thread_id} toplevel count`);
        if (list(g, 'tree').some(line => !line.startsWith('0:')))
            multi++;
    }
    assert(multi > 0, 'the corpus has threads with replies');
});

test('messages: getters and properties match the CLI', () => {
    for (const e of expectedMessages) {
        const m = db.find_message(e.id);
        assert(m !== null, `find_message(${e.id})`);
        assertEqual(m.get_message_id(), e.id, 'get_message_id()');
        assertEqual(m.message_id, e.id, 'msg.message_id');
        assertEqual(m.thread_id, e.thread, `${e.id} msg.thread_id`);
        assertEqual(m.get_date(), e.date, `${e.id} get_date()`);
        assertEqual(m.date, e.date, `${e.id} msg.date`);
        assertEqual(m.get_tags(), e.tags, `${e.id} get_tags()`);
        assertEqual(m.tags, e.tags, `${e.id} msg.tags`);
        assertEqual(m.get_filenames(), e.filenames, `${e.id} get_filenames()`);
        assertEqual(m.get_filename(), e.filenames[0], `${e.id} get_filename()`);
        assertEqual(m.get_header('subject'), e.subject, `${e.id} Subject`);
        assertEqual(m.get_header('from'), e.from, `${e.id} From`);
        assertEqual(m.get_header('x-no-such-header'), null, `${e.id} missing header`);
        assert(m.database === db, 'msg.database is the same wrapper');
        for (const tag of e.tags)
            assert(m.has_tag(tag), `${e.id} has_tag(${tag})`);
        assert(!m.has_tag('no-such-tag'), `${e.id} !has_tag(no-such-tag)`);
    }
    assertEqual(db.find_message('no-such-id@example.org'), null, 'find_message of nothing');
});

test('64-bit revision: [rev, uuid], an exact Number', () => {
    const [rev, uuid] = db.get_revision();
    assertEqual(typeof rev, 'number', 'typeof rev');
    assert(Number.isSafeInteger(rev), `${rev} is a safe integer (<= 2^53 - 1)`);
    assertEqual(String(rev), str('revision', 'lastmod'), 'rev equals notmuch count --lastmod');
    assertEqual(BigInt(rev), BigInt(str('revision', 'lastmod')), 'exact as a BigInt');
    assertEqual(uuid, str('revision', 'uuid'), 'uuid');
    assertEqual(db.count_messages(`lastmod:0..${rev}`), N_MESSAGES, 'lastmod:0..rev');
    assertEqual(db.count_messages(`lastmod:${rev + 1}..`), 0, 'lastmod:rev+1..');
});

test('errors: XAPIAN_EXCEPTION, matched by domain and code', () => {
    const e = assertThrows(Notmuch.Error.XAPIAN_EXCEPTION,
        () => db.count_messages('date:yesterday..garbage'), 'bad date range');
    assertEqual(e.code, Notmuch.Error.XAPIAN_EXCEPTION, 'e.code');
    assertEqual(e.domain, Notmuch.Error.quark(), 'e.domain');
    assertEqual(e.domain, Notmuch.error_quark(), 'e.domain (error_quark)');
    assert(e instanceof Notmuch.Error, 'e instanceof Notmuch.Error');
    assert(!e.matches(Notmuch.Error, Notmuch.Error.FILE_ERROR), 'does not match another code');
    assert(e.message.includes('garbage'), `libnotmuch's message: ${e.message}`);
    assertThrows(Notmuch.Error.XAPIAN_EXCEPTION,
        () => Notmuch.Query.new(db, 'foo AND').search_threads(), 'dangling AND');
    assertThrows(Notmuch.Error.BAD_QUERY_SYNTAX,
        () => Notmuch.Query.new_with_syntax(db, '(and', Notmuch.QuerySyntax.SEXP)
            .count_messages(), 'bad s-expression');
});

test('errors: open, read-only, invalid tag', () => {
    assertThrows(Notmuch.Error.NO_DATABASE,
        () => Notmuch.Database.open('/nonexistent/nm-glib', Notmuch.DatabaseMode.READ_ONLY),
        'missing database');
    assertThrows(Notmuch.Error.PATH_ERROR,
        () => Notmuch.Database.open('relative/path', Notmuch.DatabaseMode.READ_ONLY),
        'relative path');
    const m = db.find_message(expectedMessages[0].id);
    assertThrows(Notmuch.Error.READ_ONLY_DATABASE, () => m.add_tag('x'), 'add_tag read-only');
    assertThrows(Notmuch.Error.READ_ONLY_DATABASE,
        () => db.tag_messages('*', ['x'], []), 'tag_messages read-only');
    assertThrows(Notmuch.Error.INVALID_TAG, () => m.add_tag(''), 'empty tag');
    assertThrows(Notmuch.Error.INVALID_TAG, () => m.add_tag('x'.repeat(201)), 'long tag');
    assertEqual(m.get_tags(), expectedMessages[0].tags, 'nothing changed');
});

// ---------------------------------------------------------------------------
// The asynchronous API, in a main loop
// ---------------------------------------------------------------------------

// open_async with a plain callback: the callback style works without any override.
function openAsync(path, mode) {
    return new Promise((resolve, reject) => {
        let returned = false;
        Notmuch.Database.open_async(path, mode, null, (source, result) => {
            try {
                // GTask never calls back before the call has returned.
                assert(returned, 'open_async called back after returning');
                resolve(Notmuch.Database.open_finish(result));
            } catch (e) {
                reject(e);
            }
        });
        returned = true;
    });
}

// The promise style: gjs 1.74's Gio._promisify turns a call given no callback into a Promise
// (the finish function is the one named after the call, on the instance).
Gio._promisify(Notmuch.Query.prototype, 'search_messages_async', 'search_messages_finish');
Gio._promisify(Notmuch.Query.prototype, 'search_threads_async', 'search_threads_finish');
Gio._promisify(Notmuch.Query.prototype, 'count_messages_async', 'count_messages_finish');

testAsync('async: open_async, then search_messages_async (promises)', async () => {
    const adb = await openAsync(RO_DB, Notmuch.DatabaseMode.READ_ONLY);
    assert(adb instanceof Notmuch.Database, 'open_finish gives a Notmuch.Database');
    assertEqual(adb.path, RO_DB, 'adb.path');

    const query = Notmuch.Query.new(adb, '*');
    const messages = await query.search_messages_async(null);
    assert(messages instanceof Notmuch.Messages, 'search_messages_finish gives Notmuch.Messages');
    assertEqual(messages.get_n_items(), N_MESSAGES, 'get_n_items() of the async search');
    assertEqual([...items(messages)].map(m => m.message_id), MESSAGES_NEWEST,
        'message ids, newest first, as notmuch search says');

    query.set_sort(Notmuch.Sort.OLDEST_FIRST);
    const threads = await query.search_threads_async(null);
    assertEqual([...items(threads)].map(t => t.thread_id), THREADS_OLDEST,
        'thread ids, oldest first');
    assertEqual(await Notmuch.Query.new(adb, 'tag:unread').count_messages_async(null),
        int('counts', 'unread'), 'count_messages_async(tag:unread)');
    adb.close();
});

testAsync('async: errors reach the promise as Notmuch.Error', async () => {
    let error = null;
    try {
        await Notmuch.Query.new(db, 'date:yesterday..garbage').count_messages_async(null);
    } catch (e) {
        error = e;
    }
    assert(error !== null, 'count_messages_async of a malformed query rejects');
    assert(error.matches(Notmuch.Error, Notmuch.Error.XAPIAN_EXCEPTION),
        `${error} is XAPIAN_EXCEPTION`);

    error = null;
    try {
        await openAsync('/nonexistent/nm-glib', Notmuch.DatabaseMode.READ_ONLY);
    } catch (e) {
        error = e;
    }
    assert(error !== null && error.matches(Notmuch.Error, Notmuch.Error.NO_DATABASE),
        `open_async of a missing database: ${error}`);
});

// The other twins, promisified the same way: the constructors are static functions (their
// callback gets no source object, and _promisify then calls the finish function of the
// class).
Gio._promisify(Notmuch.Database, 'open_with_config_async', 'open_with_config_finish');
Gio._promisify(Notmuch.Database, 'load_config_async', 'load_config_finish');
for (const call of ['find_message', 'count_threads', 'get_all_tags', 'close', 'compact'])
    Gio._promisify(Notmuch.Database.prototype, `${call}_async`, `${call}_finish`);
Gio._promisify(Notmuch.Message.prototype, 'get_header_async', 'get_header_finish');

testAsync('async: the database and message twins (promises)', async () => {
    const config = str('paths', 'ro_config');
    const adb = await Notmuch.Database.open_with_config_async(null,
        Notmuch.DatabaseMode.READ_ONLY, config, null, null);
    assertEqual(adb.path, RO_DB, 'open_with_config_async: path');
    assertEqual(adb.get_config_path(), config, 'open_with_config_async: the file loaded');
    assertEqual(await adb.count_threads_async('*', null), N_THREADS,
        'count_threads_async(*), excluding as the CLI does');

    const first = expectedMessages[0];
    const message = await adb.find_message_async(first.id, null);
    assertEqual(message.thread_id, first.thread, 'find_message_async: the thread');
    assertEqual(await message.get_header_async('Subject', null) ?? '', first.subject,
        'get_header_async(Subject)');
    assertEqual(await adb.find_message_async('no-such-id@example.org', null), null,
        'find_message_async of an unknown id gives null');
    assertEqual(await adb.get_all_tags_async(null), adb.get_all_tags(), 'get_all_tags_async');

    const config_only = await Notmuch.Database.load_config_async(config, null, null);
    assertEqual(config_only.get_config_path(), config, 'load_config_async: the file loaded');

    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    let error = null;
    try {
        await adb.count_threads_async('*', cancellable);
    } catch (e) {
        error = e;
    }
    assert(error !== null && error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        `a cancelled call rejects with CANCELLED: ${error}`);

    assertEqual(await adb.close_async(null), true, 'close_async');
    error = null;
    try {
        await adb.find_message_async(first.id, null);
    } catch (e) {
        error = e;
    }
    assert(error !== null && error.matches(Notmuch.Error, Notmuch.Error.CLOSED_DATABASE),
        `after close_async, CLOSED_DATABASE: ${error}`);
});

testAsync('async: compact_async reports progress to a JavaScript function', async () => {
    const rw = Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_WRITE);
    const before = rw.count_messages('*');
    const reports = [];
    let finished = false;
    const compacted = await rw.compact_async(null, message => {
        assert(!finished, 'no report after the result');
        reports.push(message);
    }, null);
    finished = true;
    assertEqual(compacted, true, 'compact_async');
    assert(reports.length > 0 && reports.every(r => typeof r === 'string'),
        `progress messages: ${repr(reports)}`);
    assertEqual(rw.count_messages('*'), before, 'every message still there');
    rw.close();
});

// ---------------------------------------------------------------------------
// Writes, on the writable copy
// ---------------------------------------------------------------------------

const TAG_QUERY = str('tagging', 'query');
const TAG_COUNT = int('tagging', 'count');
const SINGLE_ID = str('tagging', 'single_id');
const SINGLE_TAGS = list('tagging', 'single_tags');
let revisionBefore = null;

// Tag lists are sorted in byte order (strcmp) of their UTF-8 encoding.
function byteCompare(a, b) {
    const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (x[i] !== y[i])
            return x[i] - y[i];
    }
    return x.length - y.length;
}

const TAGS_AFTER = SINGLE_TAGS.filter(t => t !== 'inbox')
    .concat(['gjs-added', 'ünïcödé']).sort(byteCompare);

test('tags: add_tag, remove_tag, tag_messages', () => {
    const rw = Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_WRITE);
    assertEqual(rw.mode, Notmuch.DatabaseMode.READ_WRITE, 'rw.mode');
    revisionBefore = rw.get_revision()[0];

    const m = rw.find_message(SINGLE_ID);
    assertEqual(m.tags, SINGLE_TAGS, 'tags before');
    assert(m.add_tag('gjs-added'), 'add_tag');
    assert(m.add_tag('ünïcödé'), 'add_tag (UTF-8)');
    assert(m.remove_tag('inbox'), 'remove_tag');
    assertEqual(m.get_tags(), TAGS_AFTER, 'tags after, in byte order');
    assert(m.has_tag('gjs-added') && !m.has_tag('inbox'), 'has_tag');

    assertEqual(rw.tag_messages(TAG_QUERY, ['gjs-bulk'], ['unread']), TAG_COUNT,
        'tag_messages changed every match');
    assertEqual(rw.tag_messages(TAG_QUERY, ['gjs-bulk'], ['unread']), 0,
        'tag_messages again changes nothing');
    assertEqual(rw.count_messages('tag:gjs-bulk'), TAG_COUNT, 'visible before close');
    assertThrows(Notmuch.Error.INVALID_TAG, () => rw.tag_messages('*', [''], []),
        'tag_messages with an empty tag');
    assertEqual(rw.count_messages(`(${TAG_QUERY}) and tag:unread`), 0, 'unread removed');
    rw.close();
    rw.close();  // twice is fine
    assertThrows(Notmuch.Error.CLOSED_DATABASE, () => rw.count_messages('*'),
        'count after close');
    assertThrows(Notmuch.Error.CLOSED_DATABASE, () => m.add_tag('late'), 'add_tag after close');
});

test('tags survive close + reopen', () => {
    const rw = Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_ONLY);
    const m = rw.find_message(SINGLE_ID);
    assert(m.has_tag('gjs-added') && m.has_tag('ünïcödé'), 'added tags persisted');
    assert(!m.has_tag('inbox'), 'removed tag stays removed');
    assertEqual(rw.count_messages('tag:gjs-bulk'), TAG_COUNT, 'tag_messages persisted');
    assertEqual(rw.count_messages(`(${TAG_QUERY}) and tag:unread`), 0, 'removal persisted');
    const [rev] = rw.get_revision();
    assert(Number.isSafeInteger(rev) && rev > revisionBefore,
        `revision grew: ${revisionBefore} -> ${rev}`);
    rw.close();
    // And the notmuch CLI sees the same.
    assertEqual(notmuchCli('count', 'tag:gjs-bulk'), String(TAG_COUNT), 'notmuch count');
    assertEqual(notmuchCli('search', '--output=tags', `id:${SINGLE_ID}`).split('\n')
        .sort(byteCompare), TAGS_AFTER, 'notmuch search --output=tags');
    assertEqual(notmuchCli('count', '--lastmod', '*').split('\t')[2], String(rev),
        'notmuch count --lastmod');
});

test('message properties: add, read all, remove; the CLI agrees', () => {
    const rw = Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_WRITE);
    const m = rw.find_message(SINGLE_ID);
    assert(m.add_property('gjs-key', 'v1') && m.add_property('gjs-key', 'v2'), 'add_property');
    assert(m.add_property('gjs-other', 'x=y'), 'add_property with = in the value');
    assertEqual(m.get_all_properties('gjs-', false),
        ['gjs-key=v1', 'gjs-key=v2', 'gjs-other=x=y'], 'get_all_properties by prefix');
    assertEqual(m.get_all_properties('gjs-key', true), ['gjs-key=v1', 'gjs-key=v2'],
        'get_all_properties, exact key');
    assertEqual(m.get_property_values('gjs-key'), ['v1', 'v2'], 'get_property_values');
    assertEqual(m.count_properties('gjs-key'), 2, 'count_properties');
    assert(m.remove_property('gjs-key', 'v1'), 'remove_property');
    rw.close();
    const dump = notmuchCli('dump', '--include=properties', `id:${SINGLE_ID}`);
    assert(dump.includes('gjs-key=v2') && !dump.includes('gjs-key=v1'),
        `notmuch dump shows the properties: ${dump}`);

    const again = Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_WRITE);
    const n = again.find_message(SINGLE_ID);
    assertEqual(n.get_all_properties('gjs-', false), ['gjs-key=v2', 'gjs-other=x=y'],
        'properties survive close + reopen');
    assert(n.remove_all_properties('gjs-'), 'remove_all_properties by prefix');
    assertEqual(n.get_all_properties('gjs-', false), [], 'none left');
    again.close();
    assert(!notmuchCli('dump', '--include=properties', `id:${SINGLE_ID}`).includes('gjs-'),
        'the removal is in the index');
});

test('a second read-write open is LOCKED, not a hang', () => {
    const first = Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_WRITE);
    try {
        assertThrows(Notmuch.Error.LOCKED,
            () => Notmuch.Database.open(RW_DB, Notmuch.DatabaseMode.READ_WRITE), 'second open');
    } finally {
        first.close();
    }
});

test('close() makes the database unusable but safe', () => {
    const other = Notmuch.Database.open(RO_DB, Notmuch.DatabaseMode.READ_ONLY);
    const threads = other.search_threads('*');
    const first = threads.get_item(0);
    other.close();
    assertThrows(Notmuch.Error.CLOSED_DATABASE, () => other.search_threads('*'), 'search');
    assertEqual(first.thread_id, THREADS_NEWEST[0], 'copied values stay readable');
    assertEqual(threads.get_item(1), null, 'reading on gives null');
    assertThrows(Notmuch.Error.CLOSED_DATABASE, () => threads.check(), 'check() reports it');
});

// ---------------------------------------------------------------------------
// Message content through GMime
// ---------------------------------------------------------------------------

imports.gi.versions.GMime = '3.0';
const GMime = imports.gi.GMime;
// gjs 1.74 looks up the functions of GMime.Object when it first defines the class, and
// Debian's libgmime 3.2.13 does not export g_mime_object_type_registry_init, which its
// typelib lists: that first use throws once, and the class works from then on.
try {
    void GMime.Object;
} catch (e) {
    assert(e.message.includes('g_mime_object_type_registry_init'), `GMime.Object: ${e}`);
}

// The text/plain parts without a filename, and the parts with one, of a message of
// `notmuch show --format=json`.
function shownParts(message) {
    const texts = [], named = [];
    const walk = node => {
        if (Array.isArray(node)) {
            node.forEach(walk);
            return;
        }
        if (node.id === undefined) {    // a forwarded message: headers and body
            walk(node.body);
            return;
        }
        if (node.filename !== undefined)
            named.push(node);
        else if (node['content-type'].toLowerCase() === 'text/plain')
            texts.push(node.content);
        if (Array.isArray(node.content))
            walk(node.content);
    };
    walk(message.body);
    return [texts, named];
}

// The first message of the corpus that has attachments, and its `notmuch show` JSON.
function messageWithAttachments(database) {
    for (const id of MESSAGES_NEWEST) {
        const message = database.find_message(id);
        if (message.get_attachments(Notmuch.DecryptPolicy.AUTO, null).length === 0)
            continue;
        const [shown] = JSON.parse(notmuchCli('show', '--format=json', '--entire-thread=false',
            `id:${id}`)).flat(Infinity).filter(m => m !== null && m.id === id);
        return [message, shown];
    }
    throw new Error('no message of the corpus has attachments');
}

test('content: body text, attachments and parse() through GMime', () => {
    const [message, shown] = messageWithAttachments(db);
    const [texts, named] = shownParts(shown);
    assertEqual(message.get_body_text(Notmuch.DecryptPolicy.AUTO, null),
        texts.length > 0 ? texts.join('\n') : null, 'get_body_text() is the JSON text parts');
    const parts = message.get_attachments(Notmuch.DecryptPolicy.AUTO, null);
    assertEqual(parts.map(p => p.get_filename()), named.map(n => n.filename),
        'get_attachments() are the parts with a filename');
    assertEqual(parts.map(p => p.get_content_type().get_mime_type()),
        named.map(n => n['content-type']), 'their types');
    const parsed = message.parse(Notmuch.DecryptPolicy.FALSE, null);
    assertEqual(parsed.get_subject(), shown.headers.Subject, 'parse(): a GMime.Message');
    const bytes = message.load_bytes(null);
    assert(bytes.get_size() > 0, 'load_bytes() gives the file');
    assertEqual(message.get_file().get_path(), message.get_filename(), 'get_file()');
});

Gio._promisify(Notmuch.Message.prototype, 'get_body_text_async', 'get_body_text_finish');
Gio._promisify(Notmuch.Message.prototype, 'get_attachments_async', 'get_attachments_finish');

testAsync('content: get_body_text_async and get_attachments_async (promises)', async () => {
    const [message] = messageWithAttachments(db);
    assertEqual(await message.get_body_text_async(Notmuch.DecryptPolicy.AUTO, null),
        message.get_body_text(Notmuch.DecryptPolicy.AUTO, null), 'the same text');
    const parts = await message.get_attachments_async(Notmuch.DecryptPolicy.AUTO, null);
    assertEqual(parts.map(p => p.get_filename()),
        message.get_attachments(Notmuch.DecryptPolicy.AUTO, null).map(p => p.get_filename()),
        'the same attachments');
});

if (db !== null)
    db.close();

print(`${passed} passed, ${failed} failed`);
if (failed > 0)
    System.exit(1);
