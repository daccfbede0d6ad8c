#!/usr/bin/python3
"""A small GTK 4 mail browser over notmuch, using notmuch-glib's asynchronous API.

The window has a search entry, the list of matching threads (date, authors, subject,
tags) and, below it, the messages of the selected thread: headers and tags, the body text
and the attachments (name, type, size) with a "Save" button.  Nothing that reads the index
or a mail file runs on the main loop for long, so the window stays responsive while a
search works:

* the database is opened read-only with ``Notmuch.Database.open_async``, so that other
  programs (``notmuch new``, another client) can write to it while the browser runs;
* pressing Enter in the search entry runs ``Notmuch.Query.load_threads``, which returns the
  ``Notmuch.Threads`` list model at once and fills it in the database's worker thread; a
  ``Gtk.ListView`` shows it through a ``Gtk.SingleSelection`` as the batches arrive (the
  first screen at once, however many threads match).  A new search cancels the one in
  flight.  The list is ``monitored``: mail delivered or tagged by another program shows up,
  disappears or changes in place without a key press;
* each message shown reads its body text and attachments from its mail file with
  ``Notmuch.Message.get_body_text_async`` and ``get_attachments_async`` (GMime parts),
  decrypting what the session keys stored in the index can decrypt, as ``notmuch show``
  does by default; "Save" writes an attachment's decoded content to the file chosen in a
  ``Gtk.FileChooserNative``, with GMime's own API;
* "Toggle flagged" adds or removes the ``flagged`` tag on every message of the selected
  thread with ``Notmuch.Database.tag_messages_async``, through a read-write handle opened
  for the change and closed after it (notmuch allows one writer at a time); the monitored
  list then shows the new tags in the row, and rows follow ``notify::tags`` of their
  thread, without searching again.

Like ``notmuch search``, messages carrying a tag of ``search.exclude_tags`` are left out
unless the query names the tag.

Usage::

    mail-browser.py [--database PATH] [QUERY]

QUERY is the first search (default ``tag:inbox``).  Without ``--database`` the database
is found the way notmuch finds it (``NOTMUCH_CONFIG``, ``NOTMUCH_PROFILE``,
``~/.notmuch-config``, ...).  Run it uninstalled with::

    GI_TYPELIB_PATH=build/introspection LD_LIBRARY_PATH=build/nm-glib \\
        python3 examples/python/mail-browser.py --database ~/mail

Test hook (used by tests/async/test_browser.py): when ``NM_BROWSER_TEST_SCRIPT`` is set
to a query, the window prints ``database: PATH (read-write|read-only)`` once the database
is open, types the query into the search entry and activates it, waits for the result,
selects the first thread, prints ``rows: N`` (the number of rows of the list view's
model), saves a snapshot of the window to the PNG file named by ``NM_BROWSER_SCREENSHOT``
(if set), and quits.  With ``NM_BROWSER_TEST_TOGGLE=1`` it also toggles ``flagged`` on
the first thread before quitting and prints ``toggled: thread:<id> flagged=<True|False>``
once the list shows the change.  With ``NM_BROWSER_TEST_WATCH=<tag>`` it prints
``watching: thread:<id>`` for the first thread instead, and then
``seen: thread:<id> <tag>`` once that thread's row shows the tag (another program adds
it).  With ``NM_BROWSER_TEST_CONTENT=1`` it waits until the
first message of the selected thread shows its content and prints ``content: <id>``,
``text-sha256: <hex of the UTF-8 body text, or none>`` and
``attachments: <name>|<type>|<size>;...`` (and takes the snapshot then, not before); with
``NM_BROWSER_TEST_SAVE=<path>`` it also saves that message's first attachment to the path
as the "Save" button does and prints ``saved: <path>``.
"""

import argparse
import hashlib
import os
import sys

import gi

gi.require_version('GMime', '3.0')
gi.require_version('Graphene', '1.0')
gi.require_version('Gtk', '4.0')
gi.require_version('Notmuch', '1.0')
gi.require_version('Pango', '1.0')
from gi.repository import Gio, GLib, GMime, GObject, Graphene, Gtk, Notmuch, Pango  # noqa: E402

APPLICATION_ID = 'org.notmuchmail.NotmuchGlib.MailBrowser'
DEFAULT_QUERY = 'tag:inbox'
FLAG_TAG = 'flagged'
# As `notmuch show` by default: decrypt with the session keys stored in the index only.
DECRYPT = Notmuch.DecryptPolicy.AUTO
# The test hook gives up after this long.
TEST_TIMEOUT_SECONDS = 60


def format_date(timestamp):
    """A message or thread date (seconds since the epoch) in local time."""
    date = GLib.DateTime.new_from_unix_local(timestamp)
    return date.format('%Y-%m-%d %H:%M') if date is not None else ''


def is_cancelled(error):
    return error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def make_label(css_classes=(), xalign=0.0, ellipsize=True, width_chars=-1, hexpand=False):
    label = Gtk.Label(xalign=xalign, width_chars=width_chars, hexpand=hexpand,
                      css_classes=list(css_classes))
    if ellipsize:
        label.set_ellipsize(Pango.EllipsizeMode.END)
    return label


class ThreadRow(Gtk.Box):
    """One row of the thread list: date, authors, subject and tags."""

    def __init__(self):
        super().__init__(orientation=Gtk.Orientation.HORIZONTAL, spacing=12,
                         margin_top=4, margin_bottom=4, margin_start=8, margin_end=8)
        self.date = make_label(['numeric'], width_chars=16, ellipsize=False)
        self.authors = make_label(width_chars=24)
        self.authors.set_max_width_chars(24)
        self.subject = make_label(['heading'], hexpand=True)
        self.tags = make_label(['dim-label'], xalign=1.0)
        self.tags.set_max_width_chars(30)
        for label in (self.date, self.authors, self.subject, self.tags):
            self.append(label)

    def bind(self, thread):
        self.thread = thread
        self.handler = thread.connect('notify::tags', lambda t, _p: self.show_tags(t))
        self.show_thread(thread)

    def unbind(self):
        self.thread.disconnect(self.handler)
        self.thread = None

    def show_tags(self, thread):
        self.tags.set_text(' '.join(thread.get_tags()))

    def show_thread(self, thread):
        count = thread.get_total_messages()
        self.date.set_text(format_date(thread.get_newest_date()))
        self.authors.set_text(thread.get_authors() or '')
        subject = thread.get_subject() or '(no subject)'
        self.subject.set_text(f'{subject} ({count})' if count > 1 else subject)
        self.show_tags(thread)


def decoded_size(part):
    """The size of an attachment once decoded (base64 or quoted-printable undone)."""
    return part.get_content().write_to_stream(GMime.StreamNull.new())


def save_part(part, file):
    """Writes an attachment's decoded content to a Gio.File, with GMime's own API."""
    path = file.get_path()
    if path is None:
        raise GLib.Error(f'{file.get_uri()} is not a local file')
    stream = GMime.StreamFs.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        part.get_content().write_to_stream(stream)
        stream.flush()
    finally:
        stream.close()


class AttachmentRow(Gtk.Box):
    """One attachment: its name, type and size, and a button to save it."""

    def __init__(self, part, on_save):
        super().__init__(orientation=Gtk.Orientation.HORIZONTAL, spacing=8)
        self.part = part
        self.size = decoded_size(part)
        name = part.get_filename() or '(no name)'
        mime_type = part.get_content_type().get_mime_type()
        label = make_label(hexpand=True)
        label.set_text(f'{name} ({mime_type}, {GLib.format_size(self.size)})')
        button = Gtk.Button(label='Save…')
        button.connect('clicked', lambda _b: on_save(part))
        self.append(label)
        self.append(button)


class MessageView(Gtk.Box):
    """One message of the selected thread: its headers and tags, its body text and its
    attachments, read in the database's worker thread."""

    __gsignals__ = {
        # The body text and the attachments are shown.
        'content-loaded': (GObject.SignalFlags.RUN_LAST, None, ()),
    }

    FIELDS = ('From', 'To', 'Cc', 'Date', 'Subject', 'Tags')

    def __init__(self):
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=6, margin_top=8,
                         margin_bottom=8, margin_start=12, margin_end=12)
        grid = Gtk.Grid(column_spacing=12, row_spacing=2)
        self.fields = {}
        for row, name in enumerate(self.FIELDS):
            key = make_label(['dim-label'], xalign=1.0, ellipsize=False)
            key.set_text(name + ':')
            value = make_label(['caption'] if name == 'Tags' else [], hexpand=True)
            value.set_selectable(True)
            grid.attach(key, 0, row, 1, 1)
            grid.attach(value, 1, row, 1, 1)
            self.fields[name] = (key, value)
        self.body = Gtk.Label(xalign=0.0, yalign=0.0, wrap=True, selectable=True,
                              wrap_mode=Pango.WrapMode.WORD_CHAR, css_classes=['monospace'],
                              margin_top=6)
        self.attachments = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=2)
        self.append(grid)
        self.append(self.body)
        self.append(self.attachments)
        self.message = None
        self.cancellable = None
        self.pending = 0
        self.text = None
        self.parts = []
        self.chooser = None

    def show_message(self, message):
        for name, (key, value) in self.fields.items():
            text = self.field_text(message, name)
            key.set_visible(bool(text))
            value.set_visible(bool(text))
            value.set_text(text or '')
        self.load_content(message)

    def load_content(self, message):
        """Reads the body text and the attachments; a row reused for another message
        cancels the reads of the one it showed."""
        if self.cancellable is not None:
            self.cancellable.cancel()
        self.message = message
        self.text = None
        self.parts = []
        self.pending = 2
        self.cancellable = cancellable = Gio.Cancellable()
        self.body.set_text('Loading…')
        while (child := self.attachments.get_first_child()) is not None:
            self.attachments.remove(child)
        message.get_body_text_async(DECRYPT, cancellable, self.on_text, cancellable)
        message.get_attachments_async(DECRYPT, cancellable, self.on_attachments, cancellable)

    def on_text(self, message, result, cancellable):
        try:
            text = message.get_body_text_finish(result)
        except GLib.Error as error:
            if is_cancelled(error):
                return
            text = f'({error.message})'
        if cancellable is not self.cancellable:
            return
        self.text = text
        self.body.set_text(text.rstrip('\n') if text is not None else '(no text)')
        self.check_loaded()

    def on_attachments(self, message, result, cancellable):
        try:
            parts = message.get_attachments_finish(result)
        except GLib.Error as error:
            if is_cancelled(error):
                return
            parts = []
        if cancellable is not self.cancellable:
            return
        self.parts = [AttachmentRow(part, self.choose_file) for part in parts]
        for row in self.parts:
            self.attachments.append(row)
        self.check_loaded()

    def check_loaded(self):
        self.pending -= 1
        if self.pending == 0:
            self.emit('content-loaded')

    def choose_file(self, part):
        """Asks where to save an attachment (bookworm's GTK 4.8 has no Gtk.FileDialog)."""
        chooser = Gtk.FileChooserNative(title='Save attachment', transient_for=self.get_root(),
                                        modal=True, action=Gtk.FileChooserAction.SAVE,
                                        accept_label='_Save')
        chooser.set_current_name(os.path.basename(part.get_filename() or 'attachment'))

        def on_response(dialog, response):
            if response == Gtk.ResponseType.ACCEPT:
                self.save(part, dialog.get_file())
            dialog.destroy()
            self.chooser = None
        chooser.connect('response', on_response)
        # The dialog lives only as long as something holds it.
        self.chooser = chooser
        chooser.show()

    def save(self, part, file):
        window = self.get_root()
        try:
            save_part(part, file)
        except GLib.Error as error:
            window.set_status(f'Cannot save {file.get_parse_name()}: {error.message}')
            return False
        window.set_status(f'Saved {file.get_parse_name()}')
        return True

    @staticmethod
    def field_text(message, name):
        if name == 'Date':
            return format_date(message.get_date())
        if name == 'Tags':
            return ' '.join(message.get_tags()) or '(none)'
        try:
            # Headers that the index does not store are read from the mail file.
            return message.get_header(name)
        except GLib.Error as error:
            return f'({error.message})'


def list_factory(widget_class, show, unbind=None):
    """A Gtk.SignalListItemFactory making widget_class() rows, filled by show(row, item)
    and released by unbind(row)."""
    factory = Gtk.SignalListItemFactory()
    factory.connect('setup', lambda _f, item: item.set_child(widget_class()))
    factory.connect('bind', lambda _f, item: show(item.get_child(), item.get_item()))
    if unbind is not None:
        factory.connect('unbind', lambda _f, item: unbind(item.get_child()))
    return factory


class BrowserWindow(Gtk.ApplicationWindow):
    """The browser's window; it owns the database once it is open."""

    __gsignals__ = {
        # A search finished and its threads are shown (the number of rows).
        'search-finished': (GObject.SignalFlags.RUN_LAST, None, (int,)),
        # A message view shows the body text and attachments of its message.
        'message-loaded': (GObject.SignalFlags.RUN_LAST, None, (object,)),
        # The database is open and searches can run.
        'database-ready': (GObject.SignalFlags.RUN_LAST, None, ()),
    }

    def __init__(self, application, database_path, first_query):
        super().__init__(application=application, title='Mail', default_width=1100,
                         default_height=760)
        self.database = None
        self.exclude_tags = []
        self.search_cancellable = None
        self.current_query = None
        self.threads = None
        # The thread shown, kept selected when the monitored list replaces its row.
        self.selected_thread_id = None

        self.entry = Gtk.SearchEntry(hexpand=True, sensitive=False,
                                     placeholder_text='notmuch query, e.g. tag:inbox')
        self.entry.set_text(first_query)
        self.entry.connect('activate', lambda entry: self.search(entry.get_text()))
        self.spinner = Gtk.Spinner()
        self.flag_button = Gtk.Button(label='Toggle flagged', sensitive=False)
        self.flag_button.connect('clicked', lambda _b: self.toggle_flagged())

        header = Gtk.HeaderBar()
        header.set_title_widget(self.entry)
        header.pack_end(self.flag_button)
        header.pack_end(self.spinner)
        self.set_titlebar(header)

        # The thread list: a SingleSelection over the Notmuch.Threads of the last search.
        self.selection = Gtk.SingleSelection(autoselect=False, can_unselect=True)
        self.selection.connect('notify::selected-item', lambda *_: self.show_selected())
        self.thread_list = Gtk.ListView(model=self.selection, css_classes=['rich-list'],
                                        factory=list_factory(ThreadRow, ThreadRow.bind,
                                                             ThreadRow.unbind))
        # The message pane: the selected thread's messages, in thread order.  A thread has
        # few messages: their headers are read on the main thread as the rows are shown,
        # their content in the database's worker.
        message_factory = list_factory(MessageView, MessageView.show_message)
        message_factory.connect('setup', lambda _f, item: item.get_child().connect(
            'content-loaded', lambda view: self.emit('message-loaded', view)))
        self.message_list = Gtk.ListView(model=Gtk.NoSelection(), factory=message_factory)

        panes = Gtk.Paned(orientation=Gtk.Orientation.VERTICAL, position=400, vexpand=True,
                          wide_handle=True)
        panes.set_start_child(Gtk.ScrolledWindow(child=self.thread_list))
        panes.set_end_child(Gtk.ScrolledWindow(child=self.message_list))
        self.status = make_label(['dim-label'])
        self.status.set_margin_start(8)
        self.status.set_margin_top(4)
        self.status.set_margin_bottom(4)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(panes)
        box.append(self.status)
        self.set_child(box)

        self.open_database(database_path)

    # -- the database ------------------------------------------------------------------

    def open_database(self, path):
        """Opens read-only: other programs may write while the browser runs."""
        self.set_status('Opening the database…')
        self.spinner.start()

        def opened(_source, result):
            self.spinner.stop()
            try:
                database = Notmuch.Database.open_finish(result)
            except GLib.Error as error:
                self.set_status(f'Cannot open the database: {error.message}')
                return
            self.use_database(database)

        Notmuch.Database.open_async(path, Notmuch.DatabaseMode.READ_ONLY, None, opened)

    def use_database(self, database):
        self.database = database
        try:
            self.exclude_tags = database.get_config_values(Notmuch.ConfigKey.EXCLUDE_TAGS)
        except GLib.Error:
            self.exclude_tags = []
        self.set_title(f'Mail — {database.get_path()}')
        self.entry.set_sensitive(True)
        self.entry.grab_focus()
        self.emit('database-ready')
        self.search(self.entry.get_text())

    # -- searching ---------------------------------------------------------------------

    def search(self, query_string):
        """Runs a thread search in the background, cancelling the one in flight."""
        if self.database is None:
            return
        if self.search_cancellable is not None:
            self.search_cancellable.cancel()
        query_string = query_string.strip() or '*'
        try:
            query = Notmuch.Query.new(self.database, query_string)
            # Like `notmuch search`: hide messages with an excluded tag.
            query.set_exclude(Notmuch.Exclude.TRUE)
            for tag in self.exclude_tags:
                query.add_tag_exclude(tag)
        except GLib.Error as error:
            self.set_status(error.message)
            return
        cancellable = Gio.Cancellable()
        self.search_cancellable = cancellable
        self.current_query = query_string
        self.spinner.start()
        self.set_status(f'Searching for {query_string}…')
        try:
            threads = query.load_threads(cancellable)
        except GLib.Error as error:
            self.spinner.stop()
            self.selection.set_model(None)
            self.set_status(error.message)
            self.emit('search-finished', 0)
            return
        # Rows appear as the batches arrive; the list then follows other programs' changes.
        threads.set_monitored(True)
        threads.connect('notify::loading', self.on_loaded, cancellable)
        threads.connect('items-changed', self.on_threads_changed)
        self.threads = threads
        self.selected_thread_id = None
        self.selection.set_model(threads)

    def on_loaded(self, threads, _pspec, cancellable):
        if threads is not self.threads or threads.props.loading:
            return
        self.search_cancellable = None
        self.spinner.stop()
        try:
            threads.check()
        except GLib.Error as error:
            if not is_cancelled(error):
                self.set_status(error.message)
            return
        count = threads.get_n_items()
        self.set_status(f'{count} thread{"" if count == 1 else "s"} for {self.current_query}')
        self.emit('search-finished', count)

    def on_threads_changed(self, threads, _position, _removed, _added):
        """Keeps the thread shown selected when the monitored list replaced or moved it."""
        if (self.selected_thread_id is not None
                and self.selection.get_selected() == Gtk.INVALID_LIST_POSITION):
            position = self.position_of(threads, self.selected_thread_id)
            if position != Gtk.INVALID_LIST_POSITION:
                self.selection.set_selected(position)

    @staticmethod
    def position_of(threads, thread_id):
        """The position of a thread in the model, or Gtk.INVALID_LIST_POSITION."""
        if thread_id is not None:
            for position, thread in enumerate(threads):
                if thread.get_thread_id() == thread_id:
                    return position
        return Gtk.INVALID_LIST_POSITION

    def selected_thread(self):
        return self.selection.get_selected_item()

    def show_selected(self):
        thread = self.selected_thread()
        if thread is None:
            return   # a row being replaced: on_threads_changed() selects it again
        self.flag_button.set_sensitive(True)
        shown = self.message_list.get_model().get_model()
        if thread.get_thread_id() == self.selected_thread_id and shown is not None:
            return   # the same thread, its row replaced by the monitored list
        self.selected_thread_id = thread.get_thread_id()
        self.message_list.get_model().set_model(thread.get_messages())

    # -- tagging -----------------------------------------------------------------------

    def toggle_flagged(self):
        """Adds or removes the flagged tag on every message of the selected thread, through
        a read-write handle opened for the change: notmuch allows one writer at a time, and
        the browser must not keep the lock from `notmuch new`."""
        thread = self.selected_thread()
        if thread is None:
            return
        thread_id = thread.get_thread_id()
        flagged = FLAG_TAG in thread.get_tags()
        add, remove = ([], [FLAG_TAG]) if flagged else ([FLAG_TAG], [])
        self.flag_button.set_sensitive(False)
        self.set_status(('Unflagging' if flagged else 'Flagging') + f' thread {thread_id}…')

        def tagged(writer, result):
            self.flag_button.set_sensitive(True)
            try:
                changed = writer.tag_messages_finish(result)
                writer.close()
            except GLib.Error as error:
                self.set_status(f'Cannot change the tags: {error.message}')
                return
            # Nothing to search again: the monitored list shows the change.
            self.set_status(f'{changed} message{"" if changed == 1 else "s"} changed')

        def opened(_source, result):
            try:
                writer = Notmuch.Database.open_finish(result)
            except GLib.Error as error:
                self.flag_button.set_sensitive(True)
                self.set_status(f'Cannot write to the database: {error.message}')
                return
            writer.tag_messages_async(f'thread:{thread_id}', add, remove, None, tagged)

        Notmuch.Database.open_async(self.database.get_path(),
                                    Notmuch.DatabaseMode.READ_WRITE, None, opened)

    def set_status(self, text):
        self.status.set_text(text)


class BrowserApplication(Gtk.Application):
    def __init__(self, options):
        super().__init__(application_id=APPLICATION_ID,
                         flags=Gio.ApplicationFlags.NON_UNIQUE)
        self.options = options
        self.exit_status = 0

    def do_activate(self):
        window = BrowserWindow(self, self.options.database, self.options.query)
        script = os.environ.get('NM_BROWSER_TEST_SCRIPT')
        if script is not None:
            TestScript(self, window, script)
        window.present()


class TestScript:
    """The test hook: see the module's docstring."""

    def __init__(self, application, window, query):
        self.application = application
        self.window = window
        self.query = query
        self.toggle = os.environ.get('NM_BROWSER_TEST_TOGGLE') == '1'
        self.watch = os.environ.get('NM_BROWSER_TEST_WATCH')
        self.content = os.environ.get('NM_BROWSER_TEST_CONTENT') == '1'
        self.save_path = os.environ.get('NM_BROWSER_TEST_SAVE')
        self.screenshot = os.environ.get('NM_BROWSER_SCREENSHOT')
        self.handler = None
        self.loaded = {}
        self.awaited = None
        GLib.timeout_add_seconds(TEST_TIMEOUT_SECONDS, self.give_up)
        window.connect('database-ready', self.on_database_ready)
        window.connect('message-loaded', self.on_message_loaded)

    def on_database_ready(self, window):
        writable = window.database.get_mode() == Notmuch.DatabaseMode.READ_WRITE
        mode = 'read-write' if writable else 'read-only'
        print(f'database: {window.database.get_path()} ({mode})', flush=True)
        GLib.idle_add(self.type_query)

    def type_query(self):
        entry = self.window.entry
        entry.set_text('')
        for char in self.query:  # as if typed
            entry.set_text(entry.get_text() + char)
        self.handler = self.window.connect('search-finished', self.on_searched)
        entry.emit('activate')
        return GLib.SOURCE_REMOVE

    def on_searched(self, window, count):
        if window.current_query != self.query.strip():
            return  # the window's first search, finishing after ours was started
        window.disconnect(self.handler)
        if count > 0:
            window.selection.set_selected(0)
        self.after_frames(3, self.report)

    def after_frames(self, frames, then):
        """Calls then() once the window has been drawn `frames` more times."""
        clock = self.window.get_frame_clock()

        def on_paint(_clock):
            nonlocal frames
            frames -= 1
            if frames == 0:
                clock.disconnect(handler)
                GLib.idle_add(run_once, then)
            else:
                # A window with nothing new to show would not be drawn again.
                self.window.queue_draw()
        handler = clock.connect('after-paint', on_paint)
        self.window.queue_draw()

    def report(self):
        rows = self.window.thread_list.get_model().get_n_items()
        print(f'rows: {rows}', flush=True)
        if self.content and rows > 0:
            self.report_content()
            return
        self.take_screenshot()
        if self.toggle and rows > 0:
            self.start_toggle()
        elif self.watch and rows > 0:
            self.start_watch()
        else:
            self.application.quit()

    def take_screenshot(self):
        if self.screenshot:
            save_snapshot(self.window, self.screenshot)
            print(f'screenshot: {self.screenshot}', flush=True)

    def on_message_loaded(self, _window, view):
        self.loaded[view.message.get_message_id()] = view
        if view.message.get_message_id() == self.awaited:
            self.awaited = None
            GLib.idle_add(run_once, self.report_content)

    def report_content(self):
        """Prints what the view of the selected thread's first message shows, once it
        shows it."""
        message_id = self.window.selected_thread().get_messages()[0].get_message_id()
        view = self.loaded.get(message_id)
        if view is None:
            self.awaited = message_id
            return
        text = view.text
        digest = hashlib.sha256(text.encode()).hexdigest() if text is not None else 'none'
        print(f'content: {message_id}', flush=True)
        print(f'text-sha256: {digest}', flush=True)
        print('attachments: ' + ';'.join(
            f'{row.part.get_filename()}|{row.part.get_content_type().get_mime_type()}|{row.size}'
            for row in view.parts), flush=True)
        if self.save_path and view.parts:
            if view.save(view.parts[0].part, Gio.File.new_for_path(self.save_path)):
                print(f'saved: {self.save_path}', flush=True)
        self.after_frames(3, self.finish_content)

    def finish_content(self):
        self.take_screenshot()
        self.application.quit()

    def thread_shown(self, thread_id):
        """The thread of that id as the list shows it now, or None."""
        position = self.window.position_of(self.window.threads, thread_id)
        if position == Gtk.INVALID_LIST_POSITION:
            return None
        return self.window.threads.get_item(position)

    def when_shown(self, thread_id, condition, then):
        """Calls then(thread) once the list shows the thread in a state condition() likes;
        the list changes by itself (monitored), so it is looked at after every change."""
        threads = self.window.threads

        def check(*_args):
            thread = self.thread_shown(thread_id)
            if thread is not None and condition(thread):
                threads.disconnect(handler)
                GLib.idle_add(run_once, lambda: then(thread))
        handler = threads.connect('items-changed', check)
        check()

    def start_toggle(self):
        thread = self.window.selected_thread()
        thread_id = thread.get_thread_id()
        was_flagged = FLAG_TAG in thread.get_tags()

        def report(shown):
            print(f'toggled: thread:{thread_id} flagged={FLAG_TAG in shown.get_tags()}',
                  flush=True)
            self.application.quit()
        self.when_shown(thread_id, lambda t: (FLAG_TAG in t.get_tags()) != was_flagged,
                        report)
        self.window.flag_button.emit('clicked')

    def start_watch(self):
        thread_id = self.window.selected_thread().get_thread_id()

        def report(shown):
            print(f'seen: thread:{thread_id} {self.watch}', flush=True)
            self.application.quit()
        print(f'watching: thread:{thread_id}', flush=True)
        self.when_shown(thread_id, lambda t: self.watch in t.get_tags(), report)

    def give_up(self):
        print(f'test script: nothing happened within {TEST_TIMEOUT_SECONDS} s',
              file=sys.stderr, flush=True)
        self.application.exit_status = 1
        self.application.quit()
        return GLib.SOURCE_REMOVE


def run_once(func):
    """An idle callback running func once."""
    func()
    return GLib.SOURCE_REMOVE


def save_snapshot(widget, path):
    """Renders the widget (here the whole window) with GTK's own renderer to a PNG file."""
    width, height = widget.get_width(), widget.get_height()
    renderer = widget.get_native().get_renderer()
    snapshot = Gtk.Snapshot()
    Gtk.WidgetPaintable.new(widget).snapshot(snapshot, width, height)
    try:
        node = snapshot.to_node()
    except TypeError:
        # PyGObject before 3.50 cannot hold a GskRenderNode (a fundamental type that is not
        # a GObject); that snapshot's node is lost, take another one through C.
        snapshot = Gtk.Snapshot()
        Gtk.WidgetPaintable.new(widget).snapshot(snapshot, width, height)
        save_snapshot_through_c(snapshot, renderer, path)
        return
    texture = renderer.render_texture(node, Graphene.Rect().init(0, 0, width, height))
    texture.save_to_png(path)


def save_snapshot_through_c(snapshot, renderer, path):
    """gtk_snapshot_to_node, gsk_renderer_render_texture and gdk_texture_save_to_png
    called with ctypes, so that the render node never reaches Python."""
    import ctypes

    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    gtk = ctypes.CDLL('libgtk-4.so.1')
    pointer = ctypes.c_void_p
    for name, restype, argtypes in (
            ('gtk_snapshot_to_node', pointer, [pointer]),
            ('gsk_renderer_render_texture', pointer, [pointer, pointer, pointer]),
            ('gdk_texture_save_to_png', ctypes.c_int, [pointer, ctypes.c_char_p]),
            ('gsk_render_node_unref', None, [pointer]),
            ('g_object_unref', None, [pointer])):
        function = getattr(gtk, name)
        function.restype, function.argtypes = restype, argtypes

    node = gtk.gtk_snapshot_to_node(get_pointer(snapshot.__gpointer__, None))
    # A NULL viewport renders the node's own bounds.
    texture = gtk.gsk_renderer_render_texture(get_pointer(renderer.__gpointer__, None), node,
                                              None)
    saved = gtk.gdk_texture_save_to_png(texture, os.fsencode(path))
    gtk.g_object_unref(texture)
    gtk.gsk_render_node_unref(node)
    if not saved:
        raise OSError(f'cannot save {path}')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--database', metavar='PATH',
                        help="the mail root / database directory (default: notmuch's lookup)")
    parser.add_argument('query', nargs='?', default=DEFAULT_QUERY,
                        help=f'the first search (default: {DEFAULT_QUERY})')
    options = parser.parse_args(argv)
    application = BrowserApplication(options)
    status = application.run([sys.argv[0]])
    return status or application.exit_status


if __name__ == '__main__':
    sys.exit(main())
