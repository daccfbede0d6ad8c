#!/usr/bin/python3
"""A small incremental ``notmuch new``: bring the index up to date with a maildir tree.

It creates the notmuch database (in ``MAILDIR/.notmuch``) when there is none
yet, otherwise opens it read-write, and then does what ``notmuch new`` does:

* every directory is compared with what the index recorded for it.  The index
  keeps, per directory, the modification time stored after its last scan
  (``Directory.get_mtime()``).  A directory's mtime changes whenever a file
  is created, removed or renamed in it, so a directory whose mtime is the
  stored one has no new or vanished files and is not read again; only its
  subdirectories are visited, and not even that when it has none (a link
  count of 2 and no subdirectory in the index).
* in a changed directory, files the index does not list
  (``Directory.get_child_files()``) are indexed, and indexed files that are
  gone from the disk are removed from the index, as are directories that are
  gone (with everything the index has below them).  A message keeps living
  while one of its files is left: a renamed file (a move from ``new/`` to
  ``cur/``, a change of maildir flags) is a new file name for the same
  message, which keeps its tags.  New files are indexed before any file is
  removed, so a message moved between directories is never dropped and
  re-added.
* a message seen for the first time gets the tags of ``new.tags``, except
  ``unread`` when one of its files carries the maildir flag ``S`` (seen);
  a file of a message already indexed (a duplicate) adds nothing.  With
  ``maildir.synchronize_flags`` (notmuch's default) the maildir flags of a
  message's files become tags (``D`` draft, ``F`` flagged, ``P`` passed,
  ``R`` replied, no ``S`` unread) whenever a file is added or removed.
* like ``notmuch new`` it skips the top-level ``.notmuch`` directory, the
  ``tmp`` folder of every maildir (a directory holding ``cur``, ``new`` and
  ``tmp``), and the names listed in ``new.ignore`` (a plain name matches a
  file or directory of that name anywhere; ``/regex/`` is searched in the
  path relative to the mail root).  Other names starting with a dot are
  indexed: Maildir++ keeps its folders in ``.Name`` directories.
* the new mtime of each scanned directory is stored only at the very end,
  after its files were indexed and removed, so an interrupted run scans the
  same directories again.  It is not stored when it equals the clock's
  current second, because more mail may arrive within that second.
* changes are grouped into atomic sections of 500 files, each committed when
  it ends: an interruption loses at most the section in progress, never
  leaves a message without its tags, and no directory's mtime is stored
  before its changes are committed.  (One section per file, as ``notmuch
  new`` does, would be as safe, but every section end is a commit, with a
  disk sync, and that makes indexing ten times slower.)

It prints what it did, for example::

    Processed 3 files: 1 new message, 2 duplicates, 0 not mail, 0 vanished.
    Removed 2 messages and 1 directory; detected 1 rename.
    Skipped 57 unchanged directories.

where a duplicate is a new file of a message indexed already, and a rename a
file name removed from a message that has another file left.

A second run over an unchanged tree processes nothing.

Usage::

    index.py [--database PATH] [MAILDIR]

MAILDIR is the tree to scan; by default the database's mail root
(``database.mail_root``).  ``--database`` names the directory holding the
database when it is not MAILDIR itself; without either, the database is
found the way notmuch finds it (``NOTMUCH_CONFIG``, ``NOTMUCH_PROFILE``,
``~/.notmuch-config``, ...).  MAILDIR must lie inside the mail root.
Settings (``new.tags``, ``new.ignore``, ``maildir.synchronize_flags``) come
from notmuch's configuration lookup and, failing that, from the database.
"""

import argparse
import os
import re
import sys
import time

import gi

gi.require_version('Notmuch', '1.0')
from gi.repository import GLib, Notmuch  # noqa: E402

ATOMIC_BATCH = 500

# The kinds of directory entry an indexer cares about.
DIRECTORY = 'directory'
FILE = 'file'
OTHER = 'other'


def error_is(error, code):
    return error.matches(Notmuch.Error.quark(), code)


def byte_order(name):
    """The sort key of notmuch's file name lists (strcmp order)."""
    return os.fsencode(name)


class IgnoreRules:
    """notmuch new's `new.ignore`: plain names, or /regex/ searched in the path relative
    to the mail root.  (notmuch compiles the regexes as POSIX extended expressions;
    Python's re reads the common ones the same way.)"""

    def __init__(self, entries, mail_root):
        self.mail_root = mail_root
        self.names = set()
        self.regexes = []
        for entry in entries:
            if not entry.startswith('/'):
                self.names.add(entry)
                continue
            if len(entry) < 3 or not entry.endswith('/'):
                raise ValueError("malformed pattern '%s' in new.ignore" % entry)
            try:
                self.regexes.append(re.compile(entry[1:-1]))
            except re.error as e:
                raise ValueError("invalid regex '%s' in new.ignore: %s" % (entry, e))

    def ignores(self, directory, name):
        if name in self.names:
            return True
        if not self.regexes:
            return False
        relative = os.path.relpath(os.path.join(directory, name), self.mail_root)
        return any(r.search(relative) for r in self.regexes)


class Counts:
    def __init__(self):
        self.files = 0             # files handed to index_file()
        self.added = 0             # messages seen for the first time
        self.duplicates = 0        # new files of messages indexed already
        self.not_mail = 0          # files that are not mail
        self.vanished = 0          # files gone between listing and indexing
        self.removed = 0           # messages whose last file is gone
        self.renamed = 0           # file names gone from messages that have another left
        self.removed_dirs = 0      # directories gone from the disk
        self.unchanged_dirs = 0    # directories whose files were not read again

    def summary(self):
        def n(count, singular, plural=None):
            return '%d %s' % (count, singular if count == 1 else plural or singular + 's')

        return '\n'.join((
            'Processed %s: %s, %s, %d not mail, %d vanished.' % (
                n(self.files, 'file'), n(self.added, 'new message'),
                n(self.duplicates, 'duplicate'), self.not_mail, self.vanished),
            'Removed %s and %s; detected %s.' % (
                n(self.removed, 'message'), n(self.removed_dirs, 'directory', 'directories'),
                n(self.renamed, 'rename')),
            'Skipped %s.' % n(self.unchanged_dirs, 'unchanged directory',
                              'unchanged directories'),
        ))


class Indexer:
    """Brings the index of a maildir tree up to date (see the module documentation)."""

    def __init__(self, db, mail_root, batch=ATOMIC_BATCH):
        self.db = db
        self.mail_root = mail_root
        self.batch = batch
        self.in_atomic = False
        self.changes = 0           # changes made in the atomic section in progress
        self.new_tags = db.get_config_values(Notmuch.ConfigKey.NEW_TAGS)
        self.ignore = IgnoreRules(db.get_config_values(Notmuch.ConfigKey.NEW_IGNORE),
                                  mail_root)
        self.sync_flags = db.get_config_bool(Notmuch.ConfigKey.SYNC_MAILDIR_FLAGS)
        self.counts = Counts()
        # Work deferred until the whole tree was walked: removals wait so that a file
        # moved to a directory scanned later is added before its old name is removed.
        self.removed_files = []
        self.removed_directories = []
        self.scanned_mtimes = []   # (directory, mtime) to store at the very end

    def run(self, top):
        """Scan the tree under *top*, apply what changed; returns the Counts.

        If an error escapes, the atomic section in progress is left open on
        purpose: closing the database then discards that section's changes and keeps
        everything before it; no mtime has been stored, so the next run scans again.
        """
        self.scan_directory(top, frozenset())
        for path in self.removed_files:
            self.remove_file(path)
        for path in self.removed_directories:
            self.remove_directory(path)
        self.commit()
        for path, mtime in self.scanned_mtimes:
            # A directory in which nothing was ever indexed (an empty new/) has no record
            # and is read again next time, which costs next to nothing.
            directory = self.db.get_directory(path)
            if directory is not None:
                directory.set_mtime(mtime)
        return self.counts

    # -- walking ---------------------------------------------------------

    def list_directory(self, path):
        """[(name, kind)] of the entries of *path* that are not ignored, in byte order,
        and whether *path* looks like a maildir."""
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: byte_order(e.name))
        subdirectories = {e.name for e in entries if e.is_dir()}
        is_maildir = {'cur', 'new', 'tmp'} <= subdirectories
        listed = []
        for entry in entries:
            if self.ignore.ignores(path, entry.name):
                continue
            listed.append((entry.name, entry_kind(entry)))
        return listed, is_maildir

    def scan_directory(self, path, ancestors):
        st = os.stat(path)
        scanned_at = int(time.time())
        if (st.st_dev, st.st_ino) in ancestors:
            print('Note: Ignoring a symlink loop at %s' % path, file=sys.stderr)
            return
        ancestors = ancestors | {(st.st_dev, st.st_ino)}
        fs_mtime = int(st.st_mtime)

        directory = self.db.get_directory(path)
        unchanged = directory is not None and directory.get_mtime() == fs_mtime
        # A directory's link count is 2 plus its number of subdirectories.  Symlinks to
        # directories do not count, so the index must agree that there are none.
        if unchanged and st.st_nlink == 2 and not directory.get_child_directories():
            self.counts.unchanged_dirs += 1
            return

        entries, is_maildir = self.list_directory(path)
        for name, kind in entries:
            if kind != DIRECTORY:
                continue
            if is_maildir and name == 'tmp':
                continue
            if name == '.notmuch' and path == self.mail_root:
                continue
            self.scan_directory(os.path.join(path, name), ancestors)

        if unchanged:
            self.counts.unchanged_dirs += 1
            return

        indexed_files = set(directory.get_child_files()) if directory else set()
        indexed_dirs = set(directory.get_child_directories()) if directory else set()
        files_on_disk = [name for name, kind in entries if kind == FILE]
        for name in files_on_disk:
            if name not in indexed_files:
                self.add_file(os.path.join(path, name))
        present = {name for name, _ in entries}
        self.removed_files += [os.path.join(path, name) for name in
                               sorted(indexed_files.difference(files_on_disk),
                                      key=byte_order)]
        self.removed_directories += [os.path.join(path, name) for name in
                                     sorted(indexed_dirs - present, key=byte_order)]
        if fs_mtime != scanned_at:
            self.scanned_mtimes.append((path, fs_mtime))

    # -- changing the index ----------------------------------------------

    def start_change(self):
        """Open the atomic section the next change goes into, unless one is open."""
        if not self.in_atomic:
            self.db.begin_atomic()
            self.in_atomic = True
            self.changes = 0

    def finish_change(self):
        self.changes += 1
        if self.changes >= self.batch:
            self.commit()

    def commit(self):
        """End the atomic section in progress, which commits it."""
        if self.in_atomic:
            self.in_atomic = False
            self.db.end_atomic()

    def add_file(self, path):
        self.counts.files += 1
        self.start_change()
        try:
            message, duplicate = self.db.index_file(path, None)
        except GLib.Error as e:
            if error_is(e, Notmuch.Error.FILE_NOT_EMAIL):
                print('Note: Ignoring non-mail file: %s' % path, file=sys.stderr)
                self.counts.not_mail += 1
            elif error_is(e, Notmuch.Error.FILE_ERROR):
                # Renamed or removed since the directory was listed.
                print('Note: Ignoring vanished file: %s (%s)' % (path, one_line(e.message)),
                      file=sys.stderr)
                self.counts.vanished += 1
            else:
                raise
        else:
            if duplicate:
                self.counts.duplicates += 1
                if self.sync_flags:
                    message.maildir_flags_to_tags()
            else:
                self.counts.added += 1
                self.tag_new_message(message)
        self.finish_change()

    def tag_new_message(self, message):
        message.freeze()
        if self.sync_flags:
            message.maildir_flags_to_tags()
        # Mail already read elsewhere is not unread here, flag sync or not.
        seen = message.has_maildir_flag('S')
        for tag in self.new_tags:
            if tag != 'unread' or not seen:
                message.add_tag(tag)
        message.thaw()

    def remove_file(self, path):
        message = self.db.find_message_by_filename(path)
        if message is None:
            return
        message_id = message.get_message_id()
        self.start_change()
        if self.db.remove_message(path):
            self.counts.renamed += 1
            if self.sync_flags:
                # Looked up again: *message* may have read its file names before the
                # removal (get_message_id() loads them), and the flags must come from
                # the names left.
                self.db.find_message(message_id).maildir_flags_to_tags()
        else:
            self.counts.removed += 1
        self.finish_change()

    def remove_directory(self, path):
        """Remove everything the index has under a directory gone from the disk."""
        directory = self.db.get_directory(path)
        if directory is None:
            return
        for name in directory.get_child_files():
            self.remove_file(os.path.join(path, name))
        for name in directory.get_child_directories():
            self.remove_directory(os.path.join(path, name))
        self.start_change()
        directory.delete()
        self.finish_change()
        self.counts.removed_dirs += 1


def entry_kind(entry):
    """DIRECTORY, FILE or OTHER for a directory entry, following symlinks.

    A broken symlink raises OSError: like notmuch, stop rather than take the
    mail behind it for removed.
    """
    if entry.is_symlink():
        os.stat(entry.path)
    if entry.is_dir():
        return DIRECTORY
    if entry.is_file():
        return FILE
    return OTHER


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
        description='Bring the notmuch index of a maildir tree up to date: index new '
                    'files, drop removed ones (the database is created when missing).')
    parser.add_argument('--database', metavar='PATH',
                        help='the directory holding the database (default: MAILDIR, or '
                             "notmuch's own configuration lookup)")
    parser.add_argument('maildir', metavar='MAILDIR', nargs='?',
                        help="the tree to scan (default: the database's mail root)")
    return parser.parse_args(argv)


def open_database(args):
    """(database, tree to scan) for the command line, or raise ValueError."""
    # abspath, not realpath: libnotmuch compares file names with its mail root
    # textually, so they must be spelled the way the database path is.
    maildir = os.path.abspath(args.maildir) if args.maildir else None
    if maildir is not None and not os.path.isdir(maildir):
        raise ValueError('%s is not a directory' % args.maildir)
    if args.database is None and maildir is None:
        db = Notmuch.Database.open(None, Notmuch.DatabaseMode.READ_WRITE)
    else:
        db_path = os.path.abspath(args.database) if args.database else maildir
        if (not os.path.isdir(os.path.join(db_path, '.notmuch'))
                and maildir is not None and not inside(maildir, db_path)):
            # A new database's mail root is its own directory.
            raise ValueError('%s is outside %s, where the new database would be created'
                             % (maildir, db_path))
        db = open_or_create(db_path)
    mail_root = os.path.abspath(db.get_config_value(Notmuch.ConfigKey.MAIL_ROOT)
                                or db.get_path())
    if maildir is None:
        maildir = mail_root
    if not inside(maildir, mail_root):
        db.close()
        raise ValueError('%s is outside the mail root %s of the database'
                         % (maildir, mail_root))
    return db, mail_root, maildir


def main(argv=None):
    args = parse_args(argv)
    db = None
    try:
        db, mail_root, maildir = open_database(args)
        counts = Indexer(db, mail_root).run(maildir)
        db.close()
        print(counts.summary())
    except ValueError as e:
        print('index.py: error: %s' % e, file=sys.stderr)
        return 1
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
