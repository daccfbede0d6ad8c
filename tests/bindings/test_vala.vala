/* test_vala.vala: notmuch-glib from Vala, through notmuch-glib-1.vapi.
 *
 * Run by tests/bindings/run.py, which generates and indexes a corpus and writes what the
 * notmuch CLI says about it to a GLib key file (its path is argv[1], or $NM_TEST_EXPECT):
 *
 *     run.py vala build/tests/bindings/test_vala      # or: test_vala /path/to/expect.ini
 *
 * Prints one "ok - name" / "not ok - name" line per test, then "N passed, M failed" as the
 * last line, and exits with 1 if anything failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

errordomain TestError {
    FAILED
}

delegate void TestFunc () throws GLib.Error;

int passed = 0;
int failed = 0;

void run_test (string name, TestFunc func) {
    try {
        func ();
        passed++;
        stdout.printf ("ok - %s\n", name);
    } catch (GLib.Error e) {
        failed++;
        stdout.printf ("not ok - %s: %s (%s %d)\n", name, e.message, e.domain.to_string (), e.code);
    }
    stdout.flush ();
}

void check (bool condition, string what) throws TestError {
    if (!condition)
        throw new TestError.FAILED ("assertion failed: %s", what);
}

void check_str (string? actual, string? expected, string what) throws TestError {
    if (actual != expected)
        throw new TestError.FAILED ("%s: got %s, expected %s", what,
                                    actual == null ? "null" : "\"" + actual + "\"",
                                    expected == null ? "null" : "\"" + expected + "\"");
}

void check_int (int64 actual, int64 expected, string what) throws TestError {
    if (actual != expected)
        throw new TestError.FAILED ("%s: got %s, expected %s", what, actual.to_string (),
                                    expected.to_string ());
}

string show_list (string[] items) {
    var b = new StringBuilder ("[");
    for (int i = 0; i < items.length; i++)
        b.append_printf ("%s\"%s\"", i > 0 ? ", " : "", items[i]);
    return b.str + "]";
}

void check_list (string[] actual, string[] expected, string what) throws TestError {
    bool same = actual.length == expected.length;
    for (int i = 0; same && i < actual.length; i++)
        same = actual[i] == expected[i];
    if (!same)
        throw new TestError.FAILED ("%s: got %s, expected %s", what, show_list (actual),
                                    show_list (expected));
}

/* ------------------------------------------------------------------------------------------
 * Expectations, from the notmuch CLI (written by run.py)
 * ------------------------------------------------------------------------------------------ */

KeyFile kf;

string str (string group, string key) throws KeyFileError {
    return kf.get_string (group, key);
}

string[] list (string group, string key) throws KeyFileError {
    return kf.get_string_list (group, key);
}

int64 num (string group, string key) throws KeyFileError {
    return kf.get_int64 (group, key);
}

/* Every item of a list model, in order: get_item() until NULL (the end, or an iteration cut
 * short by a concurrent writer), without asking get_n_items() for a count first. */
Object[] items (ListModel model) {
    Object[] result = {};
    Object? item;
    for (uint i = 0; (item = model.get_item (i)) != null; i++)
        result += item;
    return result;
}

string[] thread_ids (ListModel threads) {
    string[] ids = {};
    foreach (var item in items (threads))
        ids += ((Notmuch.Thread) item).get_thread_id ();
    return ids;
}

string[] message_ids (ListModel messages) {
    string[] ids = {};
    foreach (var item in items (messages))
        ids += ((Notmuch.Message) item).message_id;
    return ids;
}

/* The reply forest of a thread as "depth:id" lines, parents before replies. */
void walk (ListModel messages, int depth, GenericArray<string> lines) {
    foreach (var item in items (messages)) {
        var message = (Notmuch.Message) item;
        lines.add ("%d:%s".printf (depth, message.get_message_id ()));
        walk (message.get_replies (), depth + 1, lines);
    }
}

string[] reply_tree (Notmuch.Thread thread) {
    var lines = new GenericArray<string> ();
    walk (thread.get_toplevel_messages (), 0, lines);
    return lines.data;
}

/* Run the notmuch CLI on a corpus; its stdout, stripped. */
string notmuch_cli (string notmuch, string config, string[] args) throws GLib.Error {
    var launcher = new SubprocessLauncher (SubprocessFlags.STDOUT_PIPE | SubprocessFlags.STDERR_PIPE);
    launcher.unsetenv ("LD_PRELOAD");
    launcher.setenv ("NOTMUCH_CONFIG", config, true);
    string[] argv = { notmuch };
    foreach (unowned string arg in args)
        argv += arg;
    var proc = launcher.spawnv (argv);
    string out_text, err_text;
    proc.communicate_utf8 (null, null, out out_text, out err_text);
    check (proc.get_successful (), "notmuch %s: %s".printf (string.joinv (" ", args), err_text));
    return out_text.strip ();
}

string[] sorted (string[] input) {
    var copy = new GenericArray<string> ();
    foreach (unowned string s in input)
        copy.add (s);
    copy.sort ((a, b) => strcmp (a, b));
    return copy.data;
}

/* ------------------------------------------------------------------------------------------
 * The asynchronous API, with yield
 * ------------------------------------------------------------------------------------------ */

/* A call that never calls back fails the test after this long instead of hanging the run. */
const uint WATCHDOG_SECONDS = 60;

/* open_async, then search_messages_async, search_threads_async and count_messages_async on
 * the read-only corpus, each result checked against what the notmuch CLI said. */
async void check_async_calls (string ro_db, string ro_config, int64 n_messages)
        throws GLib.Error {
    var db = yield Notmuch.Database.open_async (ro_db, Notmuch.DatabaseMode.READ_ONLY, null);
    check_str (db.path, ro_db, "open_async: db.path");

    var query = new Notmuch.Query (db, "*");
    var messages = yield query.search_messages_async (null);
    check_int (messages.get_n_items (), n_messages, "search_messages_async: get_n_items()");
    check_list (message_ids (messages), list ("messages", "newest_first"),
                "search_messages_async: ids, newest first");

    query.sort = Notmuch.Sort.OLDEST_FIRST;
    var threads = yield query.search_threads_async (null);
    check_list (thread_ids (threads), list ("threads", "oldest_first"),
                "search_threads_async: ids, oldest first");

    check_int (yield query.count_messages_async (null), n_messages, "count_messages_async(*)");
    var first = (Notmuch.Message) messages.get_item (0);
    check_str (yield first.get_body_text_async (Notmuch.DecryptPolicy.AUTO, null),
               first.get_body_text (Notmuch.DecryptPolicy.AUTO), "get_body_text_async");
    var unread = new Notmuch.Query (db, "tag:unread");
    check_int (yield unread.count_messages_async (null), num ("counts", "unread"),
               "count_messages_async(tag:unread)");

    /* A failure reaches the caller as the exception of the yield. */
    bool caught = false;
    try {
        yield new Notmuch.Query (db, "date:yesterday..garbage").count_messages_async (null);
    } catch (Notmuch.Error.XAPIAN_EXCEPTION e) {
        caught = true;
    }
    check (caught, "count_messages_async of a malformed query throws XAPIAN_EXCEPTION");

    caught = false;
    try {
        yield Notmuch.Database.open_async ("/nonexistent/nm-glib", Notmuch.DatabaseMode.READ_ONLY,
                                           null);
    } catch (Notmuch.Error.NO_DATABASE e) {
        caught = true;
    }
    check (caught, "open_async of a missing database throws NO_DATABASE");
    db.close ();

    yield check_more_async_calls (ro_db, ro_config);
}

/* The other twins: a constructor, lookups, a count, a header read from the file, and the
 * configuration without an index, each checked against the CLI; cancelling and closing. */
async void check_more_async_calls (string ro_db, string ro_config) throws GLib.Error {
    var db = yield Notmuch.Database.open_with_config_async (null, Notmuch.DatabaseMode.READ_ONLY,
                                                             ro_config, null, null);
    check_str (db.path, ro_db, "open_with_config_async: db.path");
    check_str (db.get_config_path (), ro_config, "open_with_config_async: the file loaded");
    check_int (yield db.count_threads_async ("*", null), num ("counts", "threads"),
               "count_threads_async(*), excluding as the CLI does");

    var message = yield db.find_message_async (str ("message 0", "id"), null);
    check (message != null, "find_message_async finds the oldest message");
    check_str (message.thread_id, str ("message 0", "thread"), "find_message_async: thread");
    var subject = yield message.get_header_async ("Subject", null);
    check_str (subject ?? "", str ("message 0", "subject"), "get_header_async (Subject)");
    check ((yield db.find_message_async ("no-such-id@example.org", null)) == null,
           "find_message_async of an unknown id gives null");
    check_list (yield db.get_all_tags_async (null), db.get_all_tags (), "get_all_tags_async");

    var config_only = yield Notmuch.Database.load_config_async (ro_config, null, null);
    check_str (config_only.get_config_path (), ro_config, "load_config_async: the file loaded");

    var cancellable = new Cancellable ();
    cancellable.cancel ();
    bool caught = false;
    try {
        yield db.count_threads_async ("*", cancellable);
    } catch (IOError.CANCELLED e) {
        caught = true;
    }
    check (caught, "a cancelled count_threads_async throws IOError.CANCELLED");

    check (yield db.close_async (null), "close_async");
    caught = false;
    try {
        yield db.find_message_async (str ("message 0", "id"), null);
    } catch (Notmuch.Error.CLOSED_DATABASE e) {
        caught = true;
    }
    check (caught, "after close_async, find_message_async throws CLOSED_DATABASE");
}

/* Runs check_async_calls() to its end in a main loop: the results are delivered from the
 * main context, so without a running loop nothing would ever complete. */
void run_async_calls (string ro_db, string ro_config, int64 n_messages) throws GLib.Error {
    var loop = new MainLoop ();
    GLib.Error? failure = null;
    bool done = false;
    var watchdog = Timeout.add_seconds (WATCHDOG_SECONDS, () => {
        failure = new TestError.FAILED ("no result after %u s", WATCHDOG_SECONDS);
        loop.quit ();
        return Source.REMOVE;
    });
    check_async_calls.begin (ro_db, ro_config, n_messages, (obj, res) => {
        try {
            check_async_calls.end (res);
        } catch (GLib.Error e) {
            failure = e;
        }
        done = true;
        loop.quit ();
    });
    /* .begin() runs up to the first yield only; the callback cannot have run yet. */
    check (!done, "the async method suspended at its first yield");
    loop.run ();
    if (failure != null)
        throw failure;
    Source.remove (watchdog);
}

int main (string[] argv) {
    string? path = argv.length > 1 ? argv[1] : Environment.get_variable ("NM_TEST_EXPECT");
    if (path == null) {
        stderr.printf ("usage: test_vala EXPECT.ini (see tests/bindings/run.py)\n");
        return 2;
    }
    kf = new KeyFile ();
    try {
        kf.load_from_file (path, KeyFileFlags.NONE);
    } catch (GLib.Error e) {
        stderr.printf ("%s: %s\n", path, e.message);
        return 2;
    }

    Notmuch.Database? db = null;
    string ro_db = "", ro_config = "", rw_db = "", rw_config = "", notmuch = "";
    int64 n_messages = 0, n_threads = 0;
    try {
        ro_db = str ("paths", "ro_db");
        ro_config = str ("paths", "ro_config");
        rw_db = str ("paths", "rw_db");
        rw_config = str ("paths", "rw_config");
        notmuch = str ("paths", "notmuch");
        n_messages = num ("counts", "messages");
        n_threads = num ("counts", "threads");
    } catch (KeyFileError e) {
        stderr.printf ("%s: %s\n", path, e.message);
        return 2;
    }

    run_test ("open read-only", () => {
        db = new Notmuch.Database.open (ro_db, Notmuch.DatabaseMode.READ_ONLY);
        check_str (db.get_path (), ro_db, "get_path()");
        check_str (db.path, ro_db, "db.path");
        check (db.mode == Notmuch.DatabaseMode.READ_ONLY, "db.mode");
        check (db.get_version () >= 3, "database version");
        check (!db.needs_upgrade (), "needs no upgrade");
        check (db is Initable, "a GLib.Initable");
    });
    if (db == null) {
        stdout.printf ("%d passed, %d failed\n", passed, failed + 1);
        return 1;
    }

    run_test ("counts", () => {
        check_int (db.count_messages ("*"), n_messages, "count_messages(*)");
        check_int (db.count_threads ("*"), n_threads, "count_threads(*)");
        check_int (db.count_messages ("tag:unread"), num ("counts", "unread"), "tag:unread");
        check_int (db.count_messages ("tag:no-such-tag"), 0, "count of nothing");
    });

    run_test ("Query.new + set_sort: threads, oldest and newest first", () => {
        var query = new Notmuch.Query (db, "*");
        check_str (query.query_string, "*", "query.query_string");
        check (query.get_sort () == Notmuch.Sort.NEWEST_FIRST, "default sort");
        query.set_sort (Notmuch.Sort.OLDEST_FIRST);
        check (query.sort == Notmuch.Sort.OLDEST_FIRST, "query.sort property");
        var threads = query.search_threads ();
        check_list (thread_ids (threads), list ("threads", "oldest_first"), "oldest first");
        check_int (threads.get_n_items (), n_threads, "get_n_items()");
        check (threads.check (), "check() after a complete read");
        query.sort = Notmuch.Sort.NEWEST_FIRST;
        check_list (thread_ids (query.search_threads ()), list ("threads", "newest_first"),
                    "newest first");
        check_list (thread_ids (db.search_threads ("*")), list ("threads", "newest_first"),
                    "db.search_threads(*)");
    });

    run_test ("next(): one walk over its own cursor, without counting", () => {
        var threads = db.search_threads ("*");
        var walked = new GenericArray<string> ();
        for (Notmuch.Thread? thread; (thread = threads.next ()) != null;)
            walked.add (thread.thread_id);
        check_list (walked.data, list ("threads", "newest_first"), "threads in order");
        check (threads.next () == null, "null after the last one");
    });

    run_test ("Query.new + set_sort: messages, oldest and newest first", () => {
        var query = new Notmuch.Query (db, "*");
        query.set_sort (Notmuch.Sort.OLDEST_FIRST);
        var messages = query.search_messages ();
        var expected = list ("messages", "oldest_first");
        check_list (message_ids (messages), expected, "oldest first");
        check_list (message_ids (messages), expected, "second pass");
        check_int (messages.get_n_items (), n_messages, "get_n_items()");
        for (uint i = messages.get_n_items (); i-- > 0;) {
            var m = (Notmuch.Message) messages.get_item (i);
            check_str (m.message_id, expected[i], "indexed backwards");
        }
        check (messages.get_item (messages.get_n_items ()) == null, "get_item() past the end");
        query.set_sort (Notmuch.Sort.NEWEST_FIRST);
        check_list (message_ids (query.search_messages ()), list ("messages", "newest_first"),
                    "newest first");
    });

    run_test ("threads: summary, properties and messages", () => {
        int n = 0;
        foreach (var item in items (db.search_threads ("*"))) {
            var thread = (Notmuch.Thread) item;
            var tid = thread.get_thread_id ();
            var g = "thread " + tid;
            check_str (thread.get_subject (), str (g, "subject"), tid + " subject");
            check_str (thread.subject, str (g, "subject"), tid + " thread.subject");
            check_str (thread.get_authors (), str (g, "authors"), tid + " authors");
            check_int (thread.get_matched_messages (), num (g, "matched"), tid + " matched");
            check_int (thread.total_messages, num (g, "total"), tid + " total");
            check_list (thread.get_tags (), list (g, "tags"), tid + " tags");
            check_list (thread.tags, list (g, "tags"), tid + " thread.tags");
            check_int (thread.get_newest_date (), num (g, "newest_date"), tid + " newest date");
            check_int (thread.oldest_date, num (g, "oldest_date"), tid + " oldest date");
            var messages = items (thread.get_messages ());
            check_int (messages.length, num (g, "total"), tid + " messages");
            foreach (var m in messages)
                check_str (((Notmuch.Message) m).thread_id, tid, "message in its thread");
            n++;
        }
        check_int (n, n_threads, "threads seen");
    });

    run_test ("reply trees (toplevel -> replies, recursively) match notmuch show", () => {
        int multi = 0;
        foreach (var item in items (db.search_threads ("*"))) {
            var thread = (Notmuch.Thread) item;
            var g = "thread " + thread.thread_id;
            var tree = list (g, "tree");
            check_list (reply_tree (thread), tree, thread.thread_id + " tree");
            check_int (thread.get_toplevel_messages ().get_n_items (), num (g, "toplevel"),
                       thread.thread_id + " toplevel count");
            foreach (unowned string line in tree) {
                if (!line.has_prefix ("0:")) {
                    multi++;
                    break;
                }
            }
        }
        check (multi > 0, "the corpus has threads with replies");
    });

    run_test ("messages: getters and properties match the CLI", () => {
        for (int64 i = 0; i < num ("counts", "shown"); i++) {
            var g = "message %s".printf (i.to_string ());
            var id = str (g, "id");
            var m = db.find_message (id);
            check (m != null, "find_message(%s)".printf (id));
            check_str (m.get_message_id (), id, "get_message_id()");
            check_str (m.message_id, id, "m.message_id");
            check_str (m.thread_id, str (g, "thread"), id + " thread_id");
            check_int (m.get_date (), num (g, "date"), id + " get_date()");
            check_int (m.date, num (g, "date"), id + " m.date");
            check_list (m.get_tags (), list (g, "tags"), id + " get_tags()");
            check_list (m.tags, list (g, "tags"), id + " m.tags");
            check_list (m.get_filenames (), list (g, "filenames"), id + " get_filenames()");
            check_str (m.get_filename (), list (g, "filenames")[0], id + " get_filename()");
            check_str (m.get_header ("subject"), str (g, "subject"), id + " Subject");
            check_str (m.get_header ("from"), str (g, "from"), id + " From");
            check_str (m.get_header ("x-no-such-header"), null, id + " missing header");
            check (m.get_database () == db, "get_database() is the same object");
            foreach (unowned string tag in list (g, "tags"))
                check (m.has_tag (tag), id + " has_tag " + tag);
            check (!m.has_tag ("no-such-tag"), id + " !has_tag");
        }
        check (db.find_message ("no-such-id@example.org") == null, "find_message of nothing");
    });

    run_test ("64-bit revision", () => {
        string uuid;
        uint64 rev = db.get_revision (out uuid);
        check_str (rev.to_string (), str ("revision", "lastmod"), "revision");
        check (rev == uint64.parse (str ("revision", "lastmod")), "revision as uint64");
        check_str (uuid, str ("revision", "uuid"), "uuid");
        check_int (db.count_messages ("lastmod:0..%s".printf (rev.to_string ())), n_messages,
                   "lastmod:0..rev");
    });

    run_test ("errors: catch (Notmuch.Error.XAPIAN_EXCEPTION e)", () => {
        bool caught = false;
        try {
            db.count_messages ("date:yesterday..garbage");
        } catch (Notmuch.Error.XAPIAN_EXCEPTION e) {
            caught = true;
            check (e.domain == Notmuch.Error.quark (), "domain");
            check (e.code == Notmuch.Error.XAPIAN_EXCEPTION, "code");
            check (e is Notmuch.Error.XAPIAN_EXCEPTION, "e is Notmuch.Error.XAPIAN_EXCEPTION");
            check (e.message.contains ("garbage"), "libnotmuch's message: " + e.message);
        } catch (Notmuch.Error e) {
            throw new TestError.FAILED ("wrong code %d: %s", e.code, e.message);
        }
        check (caught, "XAPIAN_EXCEPTION thrown");

        caught = false;
        try {
            new Notmuch.Query.with_syntax (db, "(and", Notmuch.QuerySyntax.SEXP).count_messages ();
        } catch (Notmuch.Error.BAD_QUERY_SYNTAX e) {
            caught = true;
        }
        check (caught, "BAD_QUERY_SYNTAX thrown");
    });

    run_test ("errors: open, read-only, invalid tag", () => {
        bool caught = false;
        try {
            new Notmuch.Database.open ("/nonexistent/nm-glib", Notmuch.DatabaseMode.READ_ONLY);
        } catch (Notmuch.Error.NO_DATABASE e) {
            caught = true;
        }
        check (caught, "NO_DATABASE for a missing database");

        caught = false;
        try {
            new Notmuch.Database.open ("relative/path", Notmuch.DatabaseMode.READ_ONLY);
        } catch (Notmuch.Error.PATH_ERROR e) {
            caught = true;
        }
        check (caught, "PATH_ERROR for a relative path");

        var id = str ("message 0", "id");
        var m = db.find_message (id);
        caught = false;
        try {
            m.add_tag ("x");
        } catch (Notmuch.Error.READ_ONLY_DATABASE e) {
            caught = true;
        }
        check (caught, "READ_ONLY_DATABASE");

        caught = false;
        try {
            m.add_tag ("");
        } catch (Notmuch.Error.INVALID_TAG e) {
            caught = true;
        }
        check (caught, "INVALID_TAG for an empty tag");
        check_list (m.get_tags (), list ("message 0", "tags"), "nothing changed");
    });

    run_test ("async: the asynchronous twins with yield", () => {
        run_async_calls (ro_db, ro_config, n_messages);
    });

    /* Writes, on the writable copy. */
    uint64 revision_before = 0;
    string[] tags_after = {};

    run_test ("tags: add_tag, remove_tag, tag_messages", () => {
        var rw = new Notmuch.Database.open (rw_db, Notmuch.DatabaseMode.READ_WRITE);
        check (rw.mode == Notmuch.DatabaseMode.READ_WRITE, "rw.mode");
        string uuid;
        revision_before = rw.get_revision (out uuid);

        var single = str ("tagging", "single_id");
        var m = rw.find_message (single);
        check_list (m.tags, list ("tagging", "single_tags"), "tags before");
        check (m.add_tag ("vala-added"), "add_tag");
        check (m.add_tag ("ünïcödé"), "add_tag (UTF-8)");
        check (m.remove_tag ("inbox"), "remove_tag");
        foreach (unowned string tag in list ("tagging", "single_tags")) {
            if (tag != "inbox")
                tags_after += tag;
        }
        tags_after += "vala-added";
        tags_after += "ünïcödé";
        tags_after = sorted (tags_after);
        check_list (m.get_tags (), tags_after, "tags after, in byte order");

        var query = str ("tagging", "query");
        var count = num ("tagging", "count");
        check_int (rw.tag_messages (query, { "vala-bulk" }, { "unread" }), count,
                   "tag_messages changed every match");
        check_int (rw.tag_messages (query, { "vala-bulk" }, { "unread" }), 0,
                   "tag_messages again changes nothing");
        check_int (rw.count_messages ("(%s) and tag:unread".printf (query)), 0, "unread removed");
        rw.close ();
        rw.close ();

        bool caught = false;
        try {
            rw.count_messages ("*");
        } catch (Notmuch.Error.CLOSED_DATABASE e) {
            caught = true;
        }
        check (caught, "CLOSED_DATABASE after close");
    });

    run_test ("tags survive close + reopen", () => {
        var rw = new Notmuch.Database.open (rw_db, Notmuch.DatabaseMode.READ_ONLY);
        var single = str ("tagging", "single_id");
        var query = str ("tagging", "query");
        var count = num ("tagging", "count");
        check_list (rw.find_message (single).get_tags (), tags_after, "tags persisted");
        check_int (rw.count_messages ("tag:vala-bulk"), count, "tag_messages persisted");
        check_int (rw.count_messages ("(%s) and tag:unread".printf (query)), 0, "removal persisted");
        string uuid;
        uint64 rev = rw.get_revision (out uuid);
        check (rev > revision_before, "revision grew");
        rw.close ();
        check_str (notmuch_cli (notmuch, rw_config, { "count", "tag:vala-bulk" }),
                   count.to_string (), "notmuch count");
        check_list (sorted (notmuch_cli (notmuch, rw_config,
                                         { "search", "--output=tags", "id:" + single }).split ("\n")),
                    tags_after, "notmuch search --output=tags");
        check_str (notmuch_cli (notmuch, rw_config, { "count", "--lastmod", "*" }).split ("\t")[2],
                   rev.to_string (), "notmuch count --lastmod");
    });

    run_test ("message properties: add, read all, remove; the CLI agrees", () => {
        var single = str ("tagging", "single_id");
        var rw = new Notmuch.Database.open (rw_db, Notmuch.DatabaseMode.READ_WRITE);
        var m = rw.find_message (single);
        check (m.add_property ("vala-key", "v1") && m.add_property ("vala-key", "v2"),
               "add_property");
        check (m.add_property ("vala-other", "x=y"), "add_property with = in the value");
        check_list (m.get_all_properties ("vala-", false),
                    { "vala-key=v1", "vala-key=v2", "vala-other=x=y" },
                    "get_all_properties by prefix");
        check_list (m.get_all_properties ("vala-key", true), { "vala-key=v1", "vala-key=v2" },
                    "get_all_properties, exact key");
        check_list (m.get_property_values ("vala-key"), { "v1", "v2" }, "get_property_values");
        check_int (m.count_properties ("vala-key"), 2, "count_properties");
        check (m.remove_property ("vala-key", "v1"), "remove_property");
        rw.close ();
        var dump = notmuch_cli (notmuch, rw_config,
                                { "dump", "--include=properties", "id:" + single });
        check ("vala-key=v2" in dump && !("vala-key=v1" in dump),
               "notmuch dump shows the properties: " + dump);

        var again = new Notmuch.Database.open (rw_db, Notmuch.DatabaseMode.READ_WRITE);
        var n = again.find_message (single);
        check_list (n.get_all_properties ("vala-", false), { "vala-key=v2", "vala-other=x=y" },
                    "properties survive close + reopen");
        check (n.remove_all_properties ("vala-"), "remove_all_properties by prefix");
        check_list (n.get_all_properties ("vala-", false), {}, "none left");
        again.close ();
        check (!("vala-" in notmuch_cli (notmuch, rw_config,
                                         { "dump", "--include=properties", "id:" + single })),
               "the removal is in the index");
    });

    run_test ("content: body text, attachments and parse() through GMime", () => {
        Notmuch.Message? found = null;
        foreach (unowned string id in list ("messages", "newest_first")) {
            var candidate = db.find_message (id);
            if (candidate.get_attachments (Notmuch.DecryptPolicy.AUTO).length > 0) {
                found = candidate;
                break;
            }
        }
        check (found != null, "the corpus has a message with attachments");
        var message = (!) found;
        /* notmuch show --format=text: a "\fpart{" or "\fattachment{" line per part, naming
         * its file and type, then a text part's content up to the next form feed. */
        var shown = notmuch_cli (notmuch, rw_config, { "show", "--format=text",
                                                       "--entire-thread=false",
                                                       "id:" + message.get_message_id () });
        string[] texts = {};
        string[] names = {};
        foreach (unowned string chunk in shown.split ("\f")) {
            var lines = chunk.split ("\n", 2);
            unowned string head = lines[0];
            if (!head.has_prefix ("part{") && !head.has_prefix ("attachment{"))
                continue;
            int at = head.index_of ("Filename: ");
            if (at >= 0) {
                var name = head.substring (at + "Filename: ".length);
                int end = name.index_of (", Content-");
                names += end >= 0 ? name.substring (0, end) : name;
            } else if (head.has_suffix ("Content-type: text/plain")) {
                texts += lines.length > 1 ? lines[1] : "";
            }
        }
        check_str (message.get_body_text (Notmuch.DecryptPolicy.AUTO),
                   texts.length > 0 ? string.joinv ("\n", texts) : null,
                   "get_body_text() is the text parts notmuch show prints");
        var parts = message.get_attachments (Notmuch.DecryptPolicy.AUTO);
        string[] part_names = {};
        for (uint i = 0; i < parts.length; i++)
            part_names += parts[i].get_filename ();
        check_list (part_names, names, "get_attachments() are the parts with a filename");

        GMime.Message parsed = message.parse (Notmuch.DecryptPolicy.FALSE);
        check_str (parsed.get_subject (), message.get_header ("subject"), "parse()");
        check (message.load_bytes ().get_size () > 0, "load_bytes()");
        check_str (message.get_file ().get_path (), message.get_filename (), "get_file()");
    });

    run_test ("a second read-write open is LOCKED, not a hang", () => {
        var first = new Notmuch.Database.open (rw_db, Notmuch.DatabaseMode.READ_WRITE);
        bool caught = false;
        try {
            new Notmuch.Database.open (rw_db, Notmuch.DatabaseMode.READ_WRITE);
        } catch (Notmuch.Error.LOCKED e) {
            caught = true;
        }
        first.close ();
        check (caught, "LOCKED");
    });

    try {
        db.close ();
    } catch (Notmuch.Error e) {
        failed++;
        stdout.printf ("not ok - close: %s\n", e.message);
    }

    stdout.printf ("%d passed, %d failed\n", passed, failed);
    return failed > 0 ? 1 : 0;
}
