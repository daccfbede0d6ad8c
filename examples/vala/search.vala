/* search.vala: list the threads matching a query, in the format of `notmuch search`.
 *
 * The Vala port of examples/python/search.py: the same command line, and byte for byte the
 * same output.  Each matching thread is printed on one line, exactly as the notmuch CLI's
 * default text output does it:
 *
 *     thread:<id>   <date> [<matched>/<total>] <authors>; <subject> (<tags>)
 *
 * The date is notmuch's relative date ("5 mins. ago", "Today 12:30", "Yest. 12:30",
 * "Mon. 12:30", "October 12", "2008-06-30") of the newest message of the thread (of the
 * oldest with --sort oldest), and [<matched>/<total>(<files>)] is printed when the thread has
 * more files than messages.  Messages carrying one of the tags of search.exclude_tags are left
 * out, as the CLI does, unless the query names the tag.
 *
 * Usage:
 *
 *     search-vala [--database PATH] [--sort newest|oldest|message-id|unsorted]
 *                 [--limit N] [QUERY...]
 *
 * The query defaults to `*` (every thread).  Without --database the database is found the way
 * notmuch finds it (NOTMUCH_CONFIG, NOTMUCH_PROFILE, ~/.notmuch-config, ...).
 *
 * Build it by hand against an installed copy with:
 *
 *     valac --pkg notmuch-glib-1 --pkg gio-2.0 search.vala -o search-vala
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

const string PROG = "search-vala";

/* The --sort choices, in the order argparse lists them (sorted). */
const string[] SORT_NAMES = {
    "message-id", "newest", "newest-first", "oldest", "oldest-first", "unsorted"
};

/* notmuch formats dates with strftime() in the C locale (it never calls setlocale), so the
 * names are always English, whatever the environment. */
const string[] WEEKDAYS = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };  /* 0 = Monday */
const string[] MONTHS = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"
};

const int64 MINUTE = 60;
const int64 HOUR = 60 * MINUTE;
const int64 DAY = 24 * HOUR;

errordomain UsageError {
    BAD_ARGUMENTS
}

Notmuch.Sort sort_from_name (string name) {
    switch (name) {
    case "message-id":
        return Notmuch.Sort.MESSAGE_ID;
    case "oldest":
    case "oldest-first":
        return Notmuch.Sort.OLDEST_FIRST;
    case "unsorted":
        return Notmuch.Sort.UNSORTED;
    default:
        return Notmuch.Sort.NEWEST_FIRST;
    }
}

/* Format the epoch time `then` relative to `now`, like notmuch does.
 *
 * This follows notmuch_time_relative_date in notmuch's notmuch-time.c, in local time:
 *  - in the future: "the future"
 *  - more than 180 days ago: "2008-06-30"
 *  - less than an hour ago: "5 mins. ago"
 *  - at most 7 days ago: "Today 12:30" (same weekday, less than a day ago), "Yest. 12:30"
 *    (the previous weekday) or "Mon. 12:30" (another weekday); exactly a week ago falls
 *    through to the next rule
 *  - otherwise: "October 12"
 */
string relative_date (int64 then, int64 now) {
    /* GLib.DateTime follows TZ and /etc/localtime like localtime(3) does;
     * get_day_of_week() is 1 (Monday) .. 7 (Sunday). */
    var tm_now = new DateTime.from_unix_local (now);
    var tm_then = new DateTime.from_unix_local (then);
    int wday_now = tm_now.get_day_of_week () - 1;
    int wday_then = tm_then.get_day_of_week () - 1;

    if (then > now)
        return "the future";
    int64 delta = now - then;

    if (delta > 180 * DAY)
        return "%d-%02d-%02d".printf (tm_then.get_year (), tm_then.get_month (),
                                      tm_then.get_day_of_month ());
    if (delta < HOUR)
        return "%s mins. ago".printf ((delta / MINUTE).to_string ());
    var hhmm = "%02d:%02d".printf (tm_then.get_hour (), tm_then.get_minute ());
    if (delta <= 7 * DAY) {
        if (wday_then == wday_now && delta < DAY)
            return "Today " + hhmm;
        if ((wday_now + 7 - wday_then) % 7 == 1)
            return "Yest. " + hhmm;
        if (wday_then != wday_now)
            return "%s. %s".printf (WEEKDAYS[wday_then], hhmm);
    }
    return "%s %02d".printf (MONTHS[tm_then.get_month () - 1], tm_then.get_day_of_month ());
}

/* Replace control characters as notmuch's sanitize_string() does: tabs and newlines become
 * spaces, other characters below 32 become '?'.  A missing value prints as glibc's printf
 * prints a NULL string. */
string sanitize (string? text) {
    if (text == null)
        return "(null)";
    var result = new StringBuilder.sized (text.length);
    for (int i = 0; i < text.length; i++) {
        char c = text[i];
        if (c == '\t' || c == '\n')
            result.append_c (' ');
        else if ((uchar) c < 32)
            result.append_c ('?');
        else
            result.append_c (c);
    }
    return result.str;
}

/* The summary line `notmuch search` prints for `thread`. */
string format_thread (Notmuch.Thread thread, bool has_sort, Notmuch.Sort sort) {
    int64 date = has_sort && sort == Notmuch.Sort.OLDEST_FIRST
        ? thread.get_oldest_date () : thread.get_newest_date ();
    uint matched = thread.get_matched_messages ();
    uint total = thread.get_total_messages ();
    uint files = thread.get_total_files ();
    string counts = files == total
        ? "[%u/%u]".printf (matched, total)
        : "[%u/%u(%u)]".printf (matched, total, files);
    int64 now = new DateTime.now_utc ().to_unix ();
    return "thread:%s %12s %s %s; %s (%s)".printf (
        thread.get_thread_id (), relative_date (date, now), counts,
        sanitize (thread.get_authors ()), sanitize (thread.get_subject ()),
        string.joinv (" ", thread.get_tags ()));
}

/* The tags of the search.exclude_tags setting. */
string[] exclude_tags (Notmuch.Database db) throws Notmuch.Error {
    string[] tags = {};
    var value = db.get_config ("search.exclude_tags") ?? "";
    foreach (unowned string tag in value.split (";")) {
        if (tag != "")
            tags += tag;
    }
    return tags;
}

/* The Threads matching `query_string` the way `notmuch search` finds them.
 *
 * With no sort, the database's CLI-like shortcut is used (newest first, excluded tags from the
 * configuration).  With a sort, a Query is set up with the same exclusions by hand. */
Notmuch.Threads search (Notmuch.Database db, string query_string, bool has_sort,
                        Notmuch.Sort sort) throws Notmuch.Error {
    if (!has_sort)
        return db.search_threads (query_string);
    var query = new Notmuch.Query (db, query_string);
    query.set_sort (sort);
    foreach (unowned string tag in exclude_tags (db))
        query.add_tag_exclude (tag);
    query.set_exclude (Notmuch.Exclude.TRUE);
    return query.search_threads ();
}

/* A GLib.Error message on one line, without libnotmuch's "Error: " prefix. */
string one_line (string message) {
    string[] words = {};
    try {
        var lines = new Regex ("\\r\\n|[\\n\\r\\x0b\\f\\x1c\\x1d\\x1e\\x{85}\\x{2028}\\x{2029}]");
        foreach (unowned string line in lines.split (message)) {
            var stripped = line.strip ();
            if (stripped != "")
                words += stripped;
        }
    } catch (RegexError e) {
        assert_not_reached ();
    }
    var text = string.joinv (" ", words);
    return text.has_prefix ("Error: ") ? text.substring ("Error: ".length) : text;
}

string usage () {
    /* argparse's layout: continuation lines line up after "usage: PROG ". */
    var indent = string.nfill ("usage: %s ".printf (PROG).length, ' ');
    return "usage: %s [-h] [--database PATH]\n%s[--sort {%s}]\n%s[--limit N]\n%s[QUERY ...]\n".printf (
        PROG, indent, string.joinv (",", SORT_NAMES), indent, indent);
}

string help () {
    return usage () + ("\n" +
        "List the threads matching a notmuch query, in the format of `notmuch search`.\n" +
        "\n" +
        "positional arguments:\n" +
        "  QUERY                 search terms, joined with spaces (default: *)\n" +
        "\n" +
        "options:\n" +
        "  -h, --help            show this help message and exit\n" +
        "  --database PATH       the database directory (default: notmuch's own\n" +
        "                        configuration lookup)\n" +
        "  --sort {%s}\n" +
        "                        the order of the threads (default: newest)\n" +
        "  --limit N             print at most N threads\n").printf (string.joinv (",", SORT_NAMES));
}

class Arguments {
    public string? database = null;
    public bool has_sort = false;
    public Notmuch.Sort sort = Notmuch.Sort.NEWEST_FIRST;
    public int64 limit = -1;  /* -1: no limit */
    public string[] query = {};
    public bool help = false;
}

bool looks_negative (string arg) {
    return /^-\d+$|^-\d*\.\d+$/.match (arg);
}

bool is_option (string arg) {
    return arg.has_prefix ("-") && arg != "-" && !looks_negative (arg);
}

/* A non-negative integer as Python's int() reads it (surrounding blanks, a sign, digits with
 * single underscores between them); values past int64 saturate. */
int64 parse_limit (string value) throws UsageError {
    var text = value.strip ();
    if (!/^[+-]?\d+(_\d+)*$/.match (text))
        throw new UsageError.BAD_ARGUMENTS ("argument --limit: invalid non_negative value: '%s'", value);
    bool negative = text[0] == '-';
    int64 result = 0;
    for (int i = 0; i < text.length; i++) {
        char c = text[i];
        if (!c.isdigit ())
            continue;
        if (result > (int64.MAX - 9) / 10)
            result = int64.MAX;
        else
            result = result * 10 + (c - '0');
    }
    if (negative && result != 0)
        throw new UsageError.BAD_ARGUMENTS ("argument --limit: must be 0 or more: '%s'", value);
    return result;
}

/* The command line, parsed as search.py's argparse parser parses it: long options may be
 * abbreviated and written --opt=value, `--` ends the options, and the query words must come
 * in one run. */
Arguments parse_args (string[] argv) throws UsageError {
    const string[] OPTIONS = { "--database", "--help", "--limit", "--sort" };
    var args = new Arguments ();
    int query_run = 0;  /* 0: before, 1: in, 2: after the run of query words */

    for (int i = 0; i < argv.length; i++) {
        unowned string arg = argv[i];
        if (arg == "--" || !is_option (arg)) {
            int last = arg == "--" ? argv.length - 1 : i;
            for (int j = arg == "--" ? i + 1 : i; j <= last; j++) {
                if (query_run == 2)
                    throw new UsageError.BAD_ARGUMENTS ("unrecognized arguments: %s", argv[j]);
                query_run = 1;
                args.query += argv[j];
            }
            i = last;
            continue;
        }
        if (query_run == 1)
            query_run = 2;
        int eq = arg.index_of_char ('=');
        string name = arg.has_prefix ("--") && eq > 0 ? arg.substring (0, eq) : arg;
        string? value = arg.has_prefix ("--") && eq > 0 ? arg.substring (eq + 1) : null;
        if (name == "-h")
            name = "--help";
        string[] matches = {};
        foreach (unowned string option in OPTIONS) {
            if (option == name) {
                matches = { option };
                break;
            }
            if (name.has_prefix ("--") && option.has_prefix (name))
                matches += option;
        }
        if (matches.length > 1)
            throw new UsageError.BAD_ARGUMENTS ("ambiguous option: %s could match %s",
                                                name, string.joinv (", ", matches));
        if (matches.length == 0)
            throw new UsageError.BAD_ARGUMENTS ("unrecognized arguments: %s", arg);
        string option = matches[0];
        if (option == "--help") {
            args.help = true;
            return args;
        }
        if (value == null) {
            if (i + 1 >= argv.length || is_option (argv[i + 1]))
                throw new UsageError.BAD_ARGUMENTS ("argument %s: expected one argument", option);
            value = argv[++i];
        }
        if (option == "--database") {
            args.database = value;
        } else if (option == "--sort") {
            if (!(value in SORT_NAMES)) {
                string[] quoted = {};
                foreach (unowned string s in SORT_NAMES)
                    quoted += "'%s'".printf (s);
                throw new UsageError.BAD_ARGUMENTS (
                    "argument --sort: invalid choice: '%s' (choose from %s)",
                    value, string.joinv (", ", quoted));
            }
            args.has_sort = true;
            args.sort = sort_from_name (value);
        } else {
            args.limit = parse_limit (value);
        }
    }
    return args;
}

int main (string[] argv) {
    Arguments args;
    try {
        args = parse_args (argv[1:argv.length]);
    } catch (UsageError e) {
        stderr.printf ("%s%s: error: %s\n", usage (), PROG, e.message);
        return 2;
    }
    if (args.help) {
        stdout.puts (help ());
        return 0;
    }

    var query_string = args.query.length > 0 ? string.joinv (" ", args.query) : "*";
    try {
        var db = new Notmuch.Database.open (args.database, Notmuch.DatabaseMode.READ_ONLY);
        var threads = search (db, query_string, args.has_sort, args.sort);
        /* Walk the model by index, in increasing order: it streams from libnotmuch. */
        for (int64 i = 0; args.limit < 0 || i < args.limit; i++) {
            var thread = (Notmuch.Thread?) threads.get_item ((uint) i);
            if (thread == null)  /* the end, or cut short by a concurrent writer */
                break;
            stdout.puts (format_thread (thread, args.has_sort, args.sort));
            stdout.putc ('\n');
        }
        threads.check ();
        db.close ();
    } catch (GLib.Error e) {
        stdout.flush ();
        stderr.printf ("%s: error: %s\n", PROG, one_line (e.message));
        return 1;
    }
    return stdout.flush () == 0 ? 0 : 1;
}
