#!/bin/sh
# tests/installed/run.sh: use notmuch-glib from its installed files only.
#
#     tests/installed/run.sh [--keep]
#
# Configures a fresh build of this source tree with --prefix=/usr, installs it with
# `meson install --destdir $TMP/root`, and then, with every variable that could point at a
# build tree unset, and seeing only $TMP/root:
#
#   - Python: `gi.require_version('Notmuch', '1.0')` loads the installed typelib and library;
#   - gjs: the same through imports.gi;
#   - Vala: valac compiles a program with `--pkg notmuch-glib-1` alone (the installed
#     notmuch-glib-1.deps must bring in gio-2.0), against the installed vapi and .pc;
#   - C: cc compiles a program with `pkg-config --cflags --libs notmuch-glib-1`;
#
# each program searching a generated and indexed corpus and checking its counts against
# `notmuch count`, parsing a message with GMime (whose headers, typelib and vapi the
# installed .pc, typelib and .deps must bring in), and checking that the typelib and
# libnotmuch-glib-1.so it loaded are the
# ones under $TMP/root.  The installed .pc says prefix=/usr; a copy with the prefix rewritten
# to $TMP/root/usr is what pkg-config reads.  Prints `ok - ...` per check and
# `N passed, M failed` last; exits non-zero on failure.
#
# Environment: PYTHON (default: the first of python3, /usr/bin/python3 that imports gi),
# NOTMUCH (default notmuch), GJS, VALAC, CC, MESON (default meson).  Missing gjs or valac
# skips those checks.

set -u

SRC=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${PYTHON:-}" ]; then
    for PYTHON in python3 /usr/bin/python3; do
        "$PYTHON" -c 'import gi' 2>/dev/null && break
    done
fi
NOTMUCH=${NOTMUCH:-$(command -v notmuch || echo notmuch)}
MESON=${MESON:-meson}
CC=${CC:-cc}
GJS=${GJS:-$(command -v gjs || true)}
VALAC=${VALAC:-$(command -v valac || true)}
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nm-installed-XXXXXX")
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ "$KEEP" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}
# check NAME COMMAND...: run COMMAND, its output indented; ok if it exits 0.
check() {
    name=$1
    shift
    if "$@" >"$TMP/out" 2>&1; then
        ok "$name"
    else
        not_ok "$name (exit $?)"
        sed 's/^/    /' "$TMP/out"
    fi
}

# ---------------------------------------------------------------------------------------
# Build and install.  The interpreters and compilers below must see nothing of a build tree:
# clear everything that points at one (meson devenv, tests/meson.build, an ASan preload).
# ---------------------------------------------------------------------------------------
unset GI_TYPELIB_PATH LD_LIBRARY_PATH LD_PRELOAD PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR \
    PKG_CONFIG_LIBDIR GI_GIR_PATH XDG_DATA_DIRS PYTHONPATH GJS_PATH ASAN_OPTIONS \
    NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE MAILDIR MESON_BUILD_ROOT MESON_SOURCE_ROOT
export HOME="$TMP/home"
mkdir -p "$HOME"

BUILD=$TMP/build
ROOT=$TMP/root
if "$MESON" setup "$BUILD" "$SRC" --prefix=/usr -Dintrospection=enabled -Dvapi=enabled \
        -Dtests=false -Dbench=false -Ddocs=disabled \
        -Dbuildtype=debugoptimized >"$TMP/setup.log" 2>&1 \
    && "$MESON" compile -C "$BUILD" >"$TMP/build.log" 2>&1 \
    && "$MESON" install -C "$BUILD" --destdir "$ROOT" --no-rebuild >"$TMP/install.log" 2>&1
then
    ok "meson setup --prefix=/usr, compile, install --destdir"
else
    not_ok "meson setup --prefix=/usr, compile, install --destdir"
    tail -n 30 "$TMP/setup.log" "$TMP/build.log" "$TMP/install.log" 2>/dev/null | sed 's/^/    /'
    finish
fi

# The libdir meson chose (lib/x86_64-linux-gnu on Debian), from the build's own options.
LIBDIR=$("$PYTHON" -c '
import json, sys
for o in json.load(sys.stdin):
    if o["name"] == "libdir":
        print(o["value"])
' <"$BUILD/meson-info/intro-buildoptions.json")
case $LIBDIR in
    /*) ;;
    *) LIBDIR=/usr/$LIBDIR ;;
esac
# The build tree is not needed any more: remove it, so nothing can use it by accident.
rm -rf "$BUILD"

LIB=$ROOT$LIBDIR
TYPELIB_DIR=$LIB/girepository-1.0
VAPIDIR=$ROOT/usr/share/vala/vapi
for f in "$LIB/libnotmuch-glib-1.so" "$LIB/libnotmuch-glib-1.so.0" \
         "$TYPELIB_DIR/Notmuch-1.0.typelib" "$ROOT/usr/share/gir-1.0/Notmuch-1.0.gir" \
         "$LIB/pkgconfig/notmuch-glib-1.pc" "$VAPIDIR/notmuch-glib-1.vapi" \
         "$VAPIDIR/notmuch-glib-1.deps" "$ROOT/usr/include/notmuch-glib-1/notmuch-glib.h"; do
    if [ -e "$f" ]; then ok "installed ${f#"$ROOT"}"; else not_ok "installed ${f#"$ROOT"}"; fi
done

# pkg-config: the installed .pc must say prefix=/usr; read a copy whose prefix is $ROOT/usr.
# (PKG_CONFIG_SYSROOT_DIR would also prefix the paths of glib-2.0, which is not under $ROOT.)
PCDIR=$TMP/pkgconfig
mkdir -p "$PCDIR"
if grep -qx 'prefix=/usr' "$LIB/pkgconfig/notmuch-glib-1.pc"; then
    ok "notmuch-glib-1.pc has prefix=/usr"
else
    not_ok "notmuch-glib-1.pc has prefix=/usr"
    sed 's/^/    /' "$LIB/pkgconfig/notmuch-glib-1.pc"
fi
sed "s|^prefix=/usr\$|prefix=$ROOT/usr|" "$LIB/pkgconfig/notmuch-glib-1.pc" >"$PCDIR/notmuch-glib-1.pc"
export PKG_CONFIG_PATH="$PCDIR"

# ---------------------------------------------------------------------------------------
# A corpus, and what the notmuch CLI says about it
# ---------------------------------------------------------------------------------------
CORPUS=$TMP/corpus
if "$PYTHON" "$SRC/tests/nmcorpus.py" "$CORPUS" --messages 80 --seed 5 >/dev/null \
    && NOTMUCH_CONFIG=$CORPUS/notmuch-config "$NOTMUCH" new --quiet; then
    ok "corpus generated and indexed"
else
    not_ok "corpus generated and indexed"
    finish
fi
DB=$CORPUS/mail
QUERY='tag:inbox and not tag:unread'
NM_MESSAGES=$(NOTMUCH_CONFIG=$CORPUS/notmuch-config "$NOTMUCH" count -- "$QUERY")
NM_THREADS=$(NOTMUCH_CONFIG=$CORPUS/notmuch-config "$NOTMUCH" count --output=threads -- "$QUERY")
NM_ALL=$(NOTMUCH_CONFIG=$CORPUS/notmuch-config "$NOTMUCH" count '*')
echo "# notmuch count: $NM_MESSAGES messages, $NM_THREADS threads for '$QUERY'; $NM_ALL in all"

# What every program gets: the installed library only, and the expected numbers.
export NM_ROOT="$ROOT" NM_DB="$DB" NM_QUERY="$QUERY" NM_MESSAGES NM_THREADS NM_ALL

# ---------------------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------------------
cat >"$TMP/installed.py" <<'EOF'
import os
import sys

import gi
gi.require_version('Notmuch', '1.0')
gi.require_version('GIRepository', '2.0')
from gi.repository import GIRepository, Notmuch  # noqa: E402

root = os.environ['NM_ROOT']
typelib = GIRepository.Repository.get_default().get_typelib_path('Notmuch')
assert typelib.startswith(root + '/'), 'typelib %s is not under %s' % (typelib, root)
db = Notmuch.Database.open(os.environ['NM_DB'], Notmuch.DatabaseMode.READ_ONLY)
messages = db.search_messages(os.environ['NM_QUERY'])
threads = db.search_threads(os.environ['NM_QUERY'])
n_messages = sum(1 for _ in messages)
n_threads = sum(1 for _ in threads)
assert n_messages == int(os.environ['NM_MESSAGES']), (n_messages, os.environ['NM_MESSAGES'])
assert n_threads == int(os.environ['NM_THREADS']), (n_threads, os.environ['NM_THREADS'])
assert db.count_messages('*') == int(os.environ['NM_ALL'])
first = db.search_messages('*')[0]
parsed = first.parse(Notmuch.DecryptPolicy.FALSE, None)
assert parsed.get_message_id() == first.get_message_id(), parsed
db.close()
with open('/proc/self/maps') as f:
    libs = {line.split()[-1] for line in f if 'libnotmuch-glib-1.so' in line}
assert libs and all(p.startswith(root + '/') for p in libs), libs
print('python: %d messages, %d threads, typelib %s' % (n_messages, n_threads, typelib))
EOF
export GI_TYPELIB_PATH="$TYPELIB_DIR" LD_LIBRARY_PATH="$LIB"
check "python: gi.require_version('Notmuch', '1.0') from the installed typelib" \
    "$PYTHON" -c "import gi; gi.require_version('Notmuch', '1.0'); from gi.repository import Notmuch; Notmuch.Database"
check "python: search and count" "$PYTHON" "$TMP/installed.py"

# ---------------------------------------------------------------------------------------
# gjs
# ---------------------------------------------------------------------------------------
cat >"$TMP/installed.js" <<'EOF'
imports.gi.versions.Notmuch = '1.0';
imports.gi.versions.GIRepository = '2.0';
imports.gi.versions.GMime = '3.0';
const {GLib, GIRepository, GMime, Notmuch} = imports.gi;

function fail(what) {
    printerr(`gjs: ${what}`);
    imports.system.exit(1);
}
const env = name => GLib.getenv(name);
const root = env('NM_ROOT');
const typelib = GIRepository.Repository.get_default().get_typelib_path('Notmuch');
if (!typelib.startsWith(`${root}/`))
    fail(`typelib ${typelib} is not under ${root}`);
const db = Notmuch.Database.open(env('NM_DB'), Notmuch.DatabaseMode.READ_ONLY);
const count = model => {
    let n = 0;
    while (model.get_item(n) !== null)
        n++;
    return n;
};
const nMessages = count(db.search_messages(env('NM_QUERY')));
const nThreads = count(db.search_threads(env('NM_QUERY')));
if (nMessages !== Number(env('NM_MESSAGES')))
    fail(`${nMessages} messages, notmuch count says ${env('NM_MESSAGES')}`);
if (nThreads !== Number(env('NM_THREADS')))
    fail(`${nThreads} threads, notmuch count says ${env('NM_THREADS')}`);
if (db.count_messages('*') !== Number(env('NM_ALL')))
    fail('count_messages(*)');
try {
    void GMime.Object;  // gjs 1.74 + libgmime 3.2.13: throws once (see the gjs guide)
} catch (e) {
}
const first = db.search_messages('*').get_item(0);
if (first.parse(Notmuch.DecryptPolicy.FALSE, null).get_message_id() !== first.get_message_id())
    fail('parse()');
db.close();
const [, maps] = GLib.file_get_contents('/proc/self/maps');
const libs = new TextDecoder().decode(maps).split('\n')
    .filter(line => line.includes('libnotmuch-glib-1.so')).map(line => line.split(/\s+/).pop());
if (libs.length === 0 || !libs.every(p => p.startsWith(`${root}/`)))
    fail(`library loaded from ${libs}`);
print(`gjs: ${nMessages} messages, ${nThreads} threads, typelib ${typelib}`);
EOF
if [ -n "$GJS" ]; then
    check "gjs: search and count" "$GJS" "$TMP/installed.js"
else
    echo "# gjs not found: skipped"
fi
unset GI_TYPELIB_PATH

# ---------------------------------------------------------------------------------------
# Vala: --pkg notmuch-glib-1 alone, from the installed vapi, .deps and .pc
# ---------------------------------------------------------------------------------------
cat >"$TMP/installed.vala" <<'EOF'
int main () {
    var root = Environment.get_variable ("NM_ROOT");
    try {
        var db = new Notmuch.Database.open (Environment.get_variable ("NM_DB"),
                                            Notmuch.DatabaseMode.READ_ONLY);
        var query = new Notmuch.Query (db, Environment.get_variable ("NM_QUERY"));
        ListModel messages = query.search_messages ();
        ListModel threads = query.search_threads ();
        uint n_messages = 0, n_threads = 0;
        while (messages.get_item (n_messages) != null)
            n_messages++;
        while (threads.get_item (n_threads) != null)
            n_threads++;
        if (n_messages != uint.parse (Environment.get_variable ("NM_MESSAGES"))
            || n_threads != uint.parse (Environment.get_variable ("NM_THREADS"))
            || db.count_messages ("*") != uint.parse (Environment.get_variable ("NM_ALL"))) {
            printerr ("vala: %u messages, %u threads: not what notmuch count says\n",
                      n_messages, n_threads);
            return 1;
        }
        var first = (Notmuch.Message) messages.get_item (0);
        GMime.Message parsed = first.parse (Notmuch.DecryptPolicy.FALSE);
        if (parsed.get_message_id () != first.get_message_id ()) {
            printerr ("vala: parse() gave %s\n", parsed.get_message_id ());
            return 1;
        }
        db.close ();
        string maps;
        FileUtils.get_contents ("/proc/self/maps", out maps);
        int seen = 0;
        foreach (unowned string line in maps.split ("\n")) {
            if (!line.contains ("libnotmuch-glib-1.so"))
                continue;
            seen++;
            if (!line.contains (" " + root + "/")) {
                printerr ("vala: library not from %s: %s\n", root, line);
                return 1;
            }
        }
        if (seen == 0)
            return 1;
        print ("vala: %u messages, %u threads\n", n_messages, n_threads);
    } catch (Notmuch.Error e) {
        printerr ("vala: %s\n", e.message);
        return 1;
    } catch (IOError e) {
        printerr ("vala: %s\n", e.message);
        return 1;
    } catch (FileError e) {
        printerr ("vala: %s\n", e.message);
        return 1;
    }
    return 0;
}
EOF
if [ -n "$VALAC" ]; then
    check "vala: valac --pkg notmuch-glib-1 (installed vapi, .deps and .pc)" \
        "$VALAC" --vapidir="$VAPIDIR" --pkg notmuch-glib-1 -X -w \
        -d "$TMP/vala-c" -o "$TMP/installed-vala" "$TMP/installed.vala"
    check "vala: search and count" "$TMP/installed-vala"
else
    echo "# valac not found: skipped"
fi

# ---------------------------------------------------------------------------------------
# C: pkg-config --cflags --libs notmuch-glib-1
# ---------------------------------------------------------------------------------------
cat >"$TMP/installed.c" <<'EOF'
#include <notmuch-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static guint
count_items (GListModel *model)
{
  guint n = 0;
  gpointer item;

  while ((item = g_list_model_get_item (model, n)) != NULL)
    {
      g_object_unref (item);
      n++;
    }
  return n;
}

int
main (void)
{
  const char *root = getenv ("NM_ROOT");
  GError *error = NULL;
  NmDatabase *db = nm_database_open (getenv ("NM_DB"), NM_DATABASE_MODE_READ_ONLY, &error);
  NmMessages *messages;
  NmThreads *threads;
  guint n_messages, n_threads, n_all;
  char *maps = NULL, **lines;
  int seen = 0, bad = 0;

  if (db == NULL)
    {
      fprintf (stderr, "c: %s\n", error->message);
      return 1;
    }
  messages = nm_database_search_messages (db, getenv ("NM_QUERY"), &error);
  threads = messages ? nm_database_search_threads (db, getenv ("NM_QUERY"), &error) : NULL;
  if (threads == NULL)
    {
      fprintf (stderr, "c: %s\n", error->message);
      return 1;
    }
  {
    NmMessage *first = g_list_model_get_item (G_LIST_MODEL (messages), 0);
    GMimeMessage *parsed = nm_message_parse (first, NM_DECRYPT_POLICY_FALSE, NULL, &error);

    if (parsed == NULL || strcmp (g_mime_message_get_message_id (parsed),
                                  nm_message_get_message_id (first)) != 0)
      {
        fprintf (stderr, "c: parse() failed\n");
        return 1;
      }
    g_object_unref (parsed);
    g_object_unref (first);
  }
  n_messages = count_items (G_LIST_MODEL (messages));
  n_threads = count_items (G_LIST_MODEL (threads));
  n_all = nm_database_count_messages (db, "*", &error);
  if (n_messages != (guint) atoi (getenv ("NM_MESSAGES"))
      || n_threads != (guint) atoi (getenv ("NM_THREADS"))
      || error != NULL || n_all != (guint) atoi (getenv ("NM_ALL")))
    {
      fprintf (stderr, "c: %u messages, %u threads: not what notmuch count says\n",
               n_messages, n_threads);
      return 1;
    }
  g_object_unref (messages);
  g_object_unref (threads);
  if (!nm_database_close (db, &error))
    return 1;
  g_object_unref (db);

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return 1;
  lines = g_strsplit (maps, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      char *prefix;

      if (strstr (*line, "libnotmuch-glib-1.so") == NULL)
        continue;
      seen++;
      prefix = g_strconcat (" ", root, "/", NULL);
      if (strstr (*line, prefix) == NULL)
        {
          fprintf (stderr, "c: library not from %s: %s\n", root, *line);
          bad++;
        }
      g_free (prefix);
    }
  g_strfreev (lines);
  g_free (maps);
  if (seen == 0 || bad > 0)
    return 1;
  printf ("c: %u messages, %u threads\n", n_messages, n_threads);
  return 0;
}
EOF
if FLAGS=$(pkg-config --cflags --libs notmuch-glib-1 2>"$TMP/out"); then
    ok "pkg-config --cflags --libs notmuch-glib-1: $FLAGS"
    # shellcheck disable=SC2086  # $CC and pkg-config's output are lists of words
    check "c: compile with the pkg-config flags" \
        $CC -Wall -Werror -o "$TMP/installed-c" "$TMP/installed.c" $FLAGS
    check "c: search and count" "$TMP/installed-c"
else
    not_ok "pkg-config --cflags --libs notmuch-glib-1"
    sed 's/^/    /' "$TMP/out"
fi

finish
