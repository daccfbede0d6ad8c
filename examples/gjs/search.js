#!/usr/bin/gjs
// List the threads matching a query, in the format of `notmuch search`.
//
// The gjs port of examples/python/search.py: the same command line, and
// byte for byte the same output.  Each matching thread is printed on one line,
// exactly as the notmuch CLI's default text output does it:
//
//     thread:<id>   <date> [<matched>/<total>] <authors>; <subject> (<tags>)
//
// The date is notmuch's relative date ("5 mins. ago", "Today 12:30",
// "Yest. 12:30", "Mon. 12:30", "October 12", "2008-06-30") of the newest
// message of the thread (of the oldest with --sort oldest), and
// [<matched>/<total>(<files>)] is printed when the thread has more files than
// messages.  Messages carrying one of the tags of search.exclude_tags are left
// out, as the CLI does, unless the query names the tag.
//
// Usage:
//
//     search.js [--database PATH] [--sort newest|oldest|message-id|unsorted]
//               [--limit N] [QUERY...]
//
// The query defaults to `*` (every thread).  Without --database the database
// is found the way notmuch finds it (NOTMUCH_CONFIG, NOTMUCH_PROFILE,
// ~/.notmuch-config, ...).
//
// Run it uninstalled with:
//
//     GI_TYPELIB_PATH=build/introspection LD_LIBRARY_PATH=build/nm-glib \
//         gjs examples/gjs/search.js --database ~/mail tag:inbox

imports.gi.versions.Notmuch = '1.0';
const {GLib, Gio, Notmuch} = imports.gi;
const System = imports.system;

const PROG = 'search.js';

const SORTS = {
    'message-id': Notmuch.Sort.MESSAGE_ID,
    'newest': Notmuch.Sort.NEWEST_FIRST,
    'newest-first': Notmuch.Sort.NEWEST_FIRST,
    'oldest': Notmuch.Sort.OLDEST_FIRST,
    'oldest-first': Notmuch.Sort.OLDEST_FIRST,
    'unsorted': Notmuch.Sort.UNSORTED,
};

// notmuch formats dates with strftime() in the C locale (it never calls
// setlocale), so the names are always English, whatever the environment.
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];  // index 0 = Monday
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
    'August', 'September', 'October', 'November', 'December'];

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// print() converts to the locale's charset (non-ASCII becomes '?' under
// LANG=C); write UTF-8 to file descriptor 1 ourselves, as search.py does.
class Output {
    constructor(fd) {
        this._stream = new Gio.UnixOutputStream({fd, close_fd: false});
        this._encoder = new TextEncoder();
        this._chunks = [];
        this._size = 0;
    }

    write(text) {
        this._chunks.push(text);
        this._size += text.length;
        if (this._size >= 65536)
            this.flush();
    }

    flush() {
        if (this._chunks.length === 0)
            return;
        const bytes = this._encoder.encode(this._chunks.join(''));
        this._chunks = [];
        this._size = 0;
        this._stream.write_all(bytes, null);
    }
}

function pad2(n) {
    return String(n).padStart(2, '0');
}

// Format the epoch time `then` relative to `now`, like notmuch does.
//
// This follows notmuch_time_relative_date in notmuch's notmuch-time.c, in
// local time:
//  * in the future: "the future"
//  * more than 180 days ago: "2008-06-30"
//  * less than an hour ago: "5 mins. ago"
//  * at most 7 days ago: "Today 12:30" (same weekday, less than a day ago),
//    "Yest. 12:30" (the previous weekday) or "Mon. 12:30" (another weekday);
//    exactly a week ago falls through to the next rule
//  * otherwise: "October 12"
function relativeDate(then, now = undefined) {
    if (now === undefined)
        now = Math.floor(GLib.get_real_time() / 1000000);
    // GLib.DateTime follows TZ and /etc/localtime like localtime(3) does;
    // get_day_of_week() is 1 (Monday) .. 7 (Sunday).
    const tmNow = GLib.DateTime.new_from_unix_local(now);
    const tmThen = GLib.DateTime.new_from_unix_local(then);
    const wdayNow = tmNow.get_day_of_week() - 1;
    const wdayThen = tmThen.get_day_of_week() - 1;

    if (then > now)
        return 'the future';
    const delta = now - then;

    if (delta > 180 * DAY)
        return `${tmThen.get_year()}-${pad2(tmThen.get_month())}-${pad2(tmThen.get_day_of_month())}`;
    if (delta < HOUR)
        return `${Math.floor(delta / MINUTE)} mins. ago`;
    const hhmm = `${pad2(tmThen.get_hour())}:${pad2(tmThen.get_minute())}`;
    if (delta <= 7 * DAY) {
        if (wdayThen === wdayNow && delta < DAY)
            return `Today ${hhmm}`;
        if ((wdayNow + 7 - wdayThen) % 7 === 1)
            return `Yest. ${hhmm}`;
        if (wdayThen !== wdayNow)
            return `${WEEKDAYS[wdayThen]}. ${hhmm}`;
    }
    return `${MONTHS[tmThen.get_month() - 1]} ${pad2(tmThen.get_day_of_month())}`;
}

// Replace control characters as notmuch's sanitize_string() does: tabs and
// newlines become spaces, other characters below 32 become '?'.  A missing
// value prints as glibc's printf prints a NULL string.
function sanitize(text) {
    if (text === null || text === undefined)
        return '(null)';
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\x00-\x1f]/g, c => c === '\t' || c === '\n' ? ' ' : '?');
}

// The summary line `notmuch search` prints for `thread`.
function formatThread(thread, sort) {
    const date = sort === Notmuch.Sort.OLDEST_FIRST
        ? thread.get_oldest_date() : thread.get_newest_date();
    const matched = thread.get_matched_messages();
    const total = thread.get_total_messages();
    const files = thread.get_total_files();
    const counts = files === total
        ? `[${matched}/${total}]` : `[${matched}/${total}(${files})]`;
    return `thread:${thread.get_thread_id()} ${relativeDate(date).padStart(12)} ${counts} ` +
        `${sanitize(thread.get_authors())}; ${sanitize(thread.get_subject())} ` +
        `(${thread.get_tags().join(' ')})`;
}

// The tags of the search.exclude_tags setting, as an Array.
function excludeTags(db) {
    const value = db.get_config('search.exclude_tags') || '';
    return value.split(';').filter(tag => tag !== '');
}

// The Threads matching `queryString` the way `notmuch search` finds them.
//
// With no sort, the database's CLI-like shortcut is used (newest first,
// excluded tags from the configuration).  With a sort, a Query is set up with
// the same exclusions by hand.
function search(db, queryString, sort) {
    if (sort === null)
        return db.search_threads(queryString);
    const query = Notmuch.Query.new(db, queryString);
    query.set_sort(sort);
    for (const tag of excludeTags(db))
        query.add_tag_exclude(tag);
    query.set_exclude(Notmuch.Exclude.TRUE);
    return query.search_threads();
}

// A GLib.Error message on one line, without libnotmuch's "Error: " prefix.
function oneLine(message) {
    const text = message.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/)
        .map(line => line.trim()).filter(line => line !== '').join(' ');
    return text.startsWith('Error: ') ? text.slice('Error: '.length) : text;
}

// argparse's layout: continuation lines line up after "usage: PROG ".
const INDENT = ' '.repeat(`usage: ${PROG} `.length);
const USAGE = `usage: ${PROG} [-h] [--database PATH]
${INDENT}[--sort {${Object.keys(SORTS).join(',')}}]
${INDENT}[--limit N]
${INDENT}[QUERY ...]
`;

const HELP = `${USAGE}
List the threads matching a notmuch query, in the format of \`notmuch search\`.

positional arguments:
  QUERY                 search terms, joined with spaces (default: *)

options:
  -h, --help            show this help message and exit
  --database PATH       the database directory (default: notmuch's own
                        configuration lookup)
  --sort {${Object.keys(SORTS).join(',')}}
                        the order of the threads (default: newest)
  --limit N             print at most N threads
`;

class UsageError extends Error {}

// The command line, parsed as search.py's argparse parser parses it: long
// options may be abbreviated and written --opt=value, `--` ends the options,
// and the query words must come in one run.
function parseArgs(argv) {
    const options = ['--database', '--help', '--limit', '--sort'];
    const args = {database: null, sort: null, limit: null, query: []};
    let queryRun = 'before';  // 'before', 'in', 'after' the run of query words
    const looksNegative = s => /^-\d+$|^-\d*\.\d+$/.test(s);
    const isOption = s => s.startsWith('-') && s !== '-' && !looksNegative(s);
    const positional = word => {
        if (queryRun === 'after')
            throw new UsageError(`unrecognized arguments: ${word}`);
        queryRun = 'in';
        args.query.push(word);
    };

    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--') {
            for (const word of argv.slice(i + 1))
                positional(word);
            break;
        }
        if (!isOption(arg)) {
            positional(arg);
            continue;
        }
        if (queryRun === 'in')
            queryRun = 'after';
        const eq = arg.indexOf('=');
        let name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
        if (name === '-h')
            name = '--help';
        let value = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : null;
        const matches = options.filter(o => o === name || (name.startsWith('--') && o.startsWith(name)));
        if (matches.length > 1 && !matches.includes(name)) {
            throw new UsageError(`ambiguous option: ${name} could match ${matches.join(', ')}`);
        }
        if (matches.length === 0)
            throw new UsageError(`unrecognized arguments: ${arg}`);
        const option = matches.includes(name) ? name : matches[0];
        if (option === '--help') {
            const out = new Output(1);
            out.write(HELP);
            out.flush();
            return null;
        }
        if (value === null) {
            if (i + 1 >= argv.length || isOption(argv[i + 1]))
                throw new UsageError(`argument ${option}: expected one argument`);
            value = argv[++i];
        }
        if (option === '--database') {
            args.database = value;
        } else if (option === '--sort') {
            if (!(value in SORTS)) {
                const choices = Object.keys(SORTS).map(s => `'${s}'`).join(', ');
                throw new UsageError(`argument --sort: invalid choice: '${value}' (choose from ${choices})`);
            }
            args.sort = SORTS[value];
        } else {
            const text = value.trim();
            if (!/^[+-]?\d+(_\d+)*$/.test(text))
                throw new UsageError(`argument --limit: invalid non_negative value: '${value}'`);
            const limit = Number(text.replace(/_/g, ''));
            if (limit < 0)
                throw new UsageError(`argument --limit: must be 0 or more: '${value}'`);
            args.limit = limit;
        }
    }
    return args;
}

function main(argv) {
    let args;
    try {
        args = parseArgs(argv);
    } catch (e) {
        if (!(e instanceof UsageError))
            throw e;
        const err = new Output(2);
        err.write(`${USAGE}${PROG}: error: ${e.message}\n`);
        err.flush();
        return 2;
    }
    if (args === null)
        return 0;

    const queryString = args.query.join(' ') || '*';
    const out = new Output(1);
    try {
        const db = Notmuch.Database.open(args.database, Notmuch.DatabaseMode.READ_ONLY);
        const threads = search(db, queryString, args.sort);
        // gjs 1.74 cannot iterate a Gio.ListModel with for...of: walk it by
        // index, in increasing order (the model streams from libnotmuch).
        for (let i = 0; args.limit === null || i < args.limit; i++) {
            const thread = threads.get_item(i);
            if (thread === null)  // the end, or cut short by a concurrent writer
                break;
            out.write(`${formatThread(thread, args.sort)}\n`);
        }
        threads.check();
        db.close();
        out.flush();
    } catch (e) {
        if (!(e instanceof GLib.Error))
            throw e;
        if (e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.BROKEN_PIPE))
            return 141;  // the reader went away (search.js | head)
        try {
            out.flush();
        } catch (_) {
            // stdout is gone; still report the first error
        }
        const err = new Output(2);
        err.write(`${PROG}: error: ${oneLine(e.message)}\n`);
        err.flush();
        return 1;
    }
    return 0;
}

System.exit(main(ARGV));
