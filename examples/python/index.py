#!/usr/bin/python3
"""A small mail indexer: add the new files of a maildir tree to notmuch.

It creates the notmuch database (in ``MAILDIR/.notmuch``) when there is none
yet, otherwise opens it read-write, then walks the tree and indexes every
file the database does not know yet:

* like ``notmuch new`` it skips the top-level ``.notmuch`` directory, the
  ``tmp`` folder of every maildir (a directory with ``cur``, ``new`` and
  ``tmp``), and the names listed in ``new.ignore`` (a plain name matches a
  file or directory of that name anywhere; ``/regex/`` is searched in the
  path relative to the mail root);
* a message seen for the first time gets the tags of ``new.tags``
  (``unread;inbox`` when unset), added inside ``freeze()``/``thaw()`` so the
  change is one write;
* a file holding a message already indexed under another file name is
  counted as a duplicate (it is added to that message's file names);
* a file that is not mail is skipped with a note on stderr;
* work is grouped into atomic sections of 500 files, so an interruption loses
  at most the current section and the database is never half-updated.

It finally prints ``Indexed N new messages (M files, K duplicates, J
ignored)``, where M counts the files it tried to index (those already in the
database are not counted), and closes the database, which commits.

It does not (yet) do what ``notmuch new`` also does: maildir flags are not
turned into tags (so a file marked seen still gets ``unread``), directory
mtimes are not recorded (every run walks the whole tree and asks the
database about each file), and files removed from disk are not removed from
the database.  Those fit in :class:`Indexer` (a rescan would use
``db.get_directory()``, ``Directory.get_mtime()``/``set_mtime()`` and
``get_child_files()`` in :meth:`Indexer.scan_directory`).

Usage::

    index.py [--database PATH] MAILDIR

``--database`` names the directory holding the database when it is not
MAILDIR itself; MAILDIR must then lie inside the database's mail root
(``database.mail_root``).  Settings come from notmuch's configuration lookup
(``NOTMUCH_CONFIG``, ...) and, failing that, from the database.
"""

import argparse
import os
import re
import sys

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

ATOMIC_BATCH = 500
DEFAULT_NEW_TAGS = ['unread', 'inbox']


def config_list(db, key, default=None):
    """A `;`-separated configuration value as a list (empty items dropped)."""
    value = db.get_config(key)
    if value is None:
        return list(default or [])
    return [item for item in value.split(';') if item]


def error_is(error, code):
    return error.matches(Notmuch.Error.quark(), code)


class IgnoreRules:
    """notmuch new's `new.ignore`: plain names, or /regex/ on relative paths."""

    def __init__(self, entries):
        self.names = set()
        self.regexes = []
        for entry in entries:
            if len(entry) > 2 and entry.startswith('/') and entry.endswith('/'):
                self.regexes.append(re.compile(entry[1:-1]))
            else:
                self.names.add(entry)

    def ignores(self, relative_path):
        if os.path.basename(relative_path) in self.names:
            return True
        return any(r.search(relative_path) for r in self.regexes)


class Stats:
    def __init__(self):
        self.files = 0        # files handed to index_file()
        self.new = 0          # messages seen for the first time
        self.duplicates = 0   # files of messages already indexed
        self.ignored = 0      # files that are not mail (or vanished)

    def summary(self):
        return 'Indexed %d new messages (%d files, %d duplicates, %d ignored)' % (
            self.new, self.files, self.duplicates, self.ignored)


class Indexer:
    """Walks a maildir tree and indexes what the database does not have."""

    def __init__(self, db, mail_root, batch=ATOMIC_BATCH):
        self.db = db
        self.mail_root = mail_root
        self.batch = batch
        self.new_tags = config_list(db, 'new.tags', DEFAULT_NEW_TAGS)
        self.ignore = IgnoreRules(config_list(db, 'new.ignore'))
        self.stats = Stats()
        self.in_atomic = False
        self.pending = 0      # files handled in the current atomic section

    # -- walking ---------------------------------------------------------

    def relative(self, path):
        return os.path.relpath(path, self.mail_root)

    def scan_directory(self, path, seen):
        """Yield the paths of the regular files under *path*, depth first."""
        try:
            st = os.stat(path)
        except OSError as e:
            raise OSError('cannot read directory %s: %s' % (path, e.strerror))
        if (st.st_dev, st.st_ino) in seen:  # a symlink loop
            return
        seen.add((st.st_dev, st.st_ino))
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
        names = {e.name for e in entries if e.is_dir()}
        is_maildir = {'cur', 'new', 'tmp'} <= names
        files, subdirs = [], []
        for entry in entries:
            if self.ignore.ignores(self.relative(entry.path)):
                continue
            if entry.is_dir():
                if is_maildir and entry.name == 'tmp':
                    continue
                if entry.name == '.notmuch' and path == self.mail_root:
                    continue
                subdirs.append(entry.path)
            elif entry.is_file():
                files.append(entry.path)
        for subdir in subdirs:
            yield from self.scan_directory(subdir, seen)
        yield from files

    # -- indexing --------------------------------------------------------

    def begin(self):
        self.db.begin_atomic()
        self.in_atomic = True
        self.pending = 0

    def end(self):
        self.in_atomic = False
        self.db.end_atomic()

    def index_file(self, path):
        """Index one file if the database does not know it yet."""
        if self.db.find_message_by_filename(path) is not None:
            return
        if not self.in_atomic:
            self.begin()
        self.stats.files += 1
        self.pending += 1
        try:
            message, duplicate = self.db.index_file(path, None)
        except GLib.Error as e:
            if error_is(e, Notmuch.Error.FILE_NOT_EMAIL):
                print('Note: Ignoring non-mail file: %s' % path, file=sys.stderr)
            elif error_is(e, Notmuch.Error.FILE_ERROR):
                # Renamed or removed while we were walking.
                print('Note: Ignoring unreadable file: %s (%s)'
                      % (path, one_line(e.message)), file=sys.stderr)
            else:
                raise
            self.stats.ignored += 1
        else:
            if duplicate:
                self.stats.duplicates += 1
            else:
                self.stats.new += 1
                self.tag_new_message(message)
        if self.pending >= self.batch:
            self.end()

    def tag_new_message(self, message):
        message.freeze()
        for tag in self.new_tags:
            message.add_tag(tag)
        message.thaw()

    def run(self, top):
        """Index the files under *top*; returns the Stats.

        If an error escapes, the atomic section in progress is left open on
        purpose: closing the database then discards that section (at most
        one batch of files) and keeps everything committed before it.
        """
        for path in self.scan_directory(top, set()):
            self.index_file(path)
        if self.in_atomic:
            self.end()
        return self.stats


def open_or_create(db_path):
    """Open the database in *db_path* read-write, creating it when missing."""
    if not os.path.isdir(os.path.join(db_path, '.notmuch')):
        # create() reads no configuration file; reopen so that this run and
        # later ones take their settings from the same place.
        Notmuch.Database.create(db_path).close()
    return Notmuch.Database.open(db_path, Notmuch.DatabaseMode.READ_WRITE)


def inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def one_line(message):
    """A GLib.Error message on one line, without libnotmuch's "Error: " prefix."""
    text = ' '.join(line.strip() for line in message.splitlines() if line.strip())
    return text[len('Error: '):] if text.startswith('Error: ') else text


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Index the new files of a maildir tree into its notmuch '
                    'database (created when missing).')
    parser.add_argument('--database', metavar='PATH',
                        help='the directory holding the database (default: '
                             'MAILDIR)')
    parser.add_argument('maildir', metavar='MAILDIR',
                        help='the root of the maildir tree to index')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # abspath, not realpath: libnotmuch compares file names with its mail root
    # textually, so they must be spelled the way the database path is.
    maildir = os.path.abspath(args.maildir)
    db_path = os.path.abspath(args.database) if args.database else maildir
    if not os.path.isdir(maildir):
        print('index.py: error: %s is not a directory' % args.maildir, file=sys.stderr)
        return 1

    if (not os.path.isdir(os.path.join(db_path, '.notmuch'))
            and not inside(maildir, db_path)):
        # A new database's mail root is its own directory.
        print('index.py: error: %s is outside %s, where the new database would '
              'be created' % (maildir, db_path), file=sys.stderr)
        return 1

    db = None
    try:
        db = open_or_create(db_path)
        mail_root = os.path.abspath(db.get_config('database.mail_root') or db_path)
        if not inside(maildir, mail_root):
            print('index.py: error: %s is outside the mail root %s of the database'
                  % (maildir, mail_root), file=sys.stderr)
            return 1
        stats = Indexer(db, mail_root).run(maildir)
        db.close()
        print(stats.summary())
    except GLib.Error as e:
        print('index.py: error: %s' % one_line(e.message), file=sys.stderr)
        return 1
    except OSError as e:
        print('index.py: error: %s' % e, file=sys.stderr)
        return 1
    finally:
        if db is not None:
            try:
                db.close()  # a no-op when closed already
            except GLib.Error:
                pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
