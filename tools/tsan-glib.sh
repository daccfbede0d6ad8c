#!/bin/bash
# Builds the installed version of GLib with ThreadSanitizer (once; the result is cached) and
# prints the directory holding its libraries.  tools/memcheck.sh links the TSan build of
# notmuch-glib against it with an RPATH.
#
# Why: Debian's GLib is not instrumented, and since 2.54 its GMutex and GCond on Linux are
# futex-based, not pthread-based.  TSan intercepts pthread calls but cannot see a futex, so
# every hand-over through GThreadPool, GAsyncQueue, GTask or GMainContext looks unordered.
# Against Debian's GLib the async test gave 316 data-race reports, all of them such
# hand-overs (work pushed to a thread pool, a result returned to the main context); against
# this build TSan sees the atomics inside GMutex and those reports go away.  GRecMutex (the
# database lock) is a pthread mutex either way.  Suppressing by library is no substitute: every
# callback runs under g_main_context_dispatch, so a suppression naming GLib would hide races in
# our code as well.
#
# Source: `apt-get source` of the installed libglib2.0-0 version, with a private list
# directory, so the system's apt configuration is left alone.  About 2 minutes on 2 cores.
#
#   tools/tsan-glib.sh            prints e.g. ~/.cache/notmuch-glib/glib-tsan-2.74.6-2+deb12u9/lib
# Environment: NM_TSAN_GLIB_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/notmuch-glib).
set -euo pipefail

package=
version=
for candidate in libglib2.0-0 libglib2.0-0t64; do
  if version=$(dpkg-query -W -f='${Version}' "$candidate" 2>/dev/null) && [ -n "$version" ]; then
    package=$candidate
    break
  fi
done
if [ -z "$package" ]; then
  echo "tsan-glib: libglib2.0-0 is not installed" >&2
  exit 1
fi

cache=${NM_TSAN_GLIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/notmuch-glib}
prefix=$cache/glib-tsan-$version
# The stamp is written last: an interrupted build is made again.
if [ -f "$prefix/.complete" ]; then
  echo "$prefix/lib"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tsan-glib.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log
rm -rf "$prefix"
echo "tsan-glib: building GLib $version with ThreadSanitizer in $prefix" >&2

# deb-src entries for the configured deb ones, read by apt from private directories only.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache" "$work/apt/parts"
: > "$work/apt/sources.list"
for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$list" ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' "$list" >> "$work/apt/sources.list"
done
for sources in /etc/apt/sources.list.d/*.sources; do
  [ -f "$sources" ] && sed 's/^Types:.*$/Types: deb-src/' "$sources" \
    > "$work/apt/parts/$(basename "$sources")"
done
apt_options=(-o "Dir::Etc::SourceList=$work/apt/sources.list"
             -o "Dir::Etc::SourceParts=$work/apt/parts"
             -o "Dir::State::Lists=$work/apt/lists"
             -o "Dir::Cache=$work/apt/cache")
apt-get "${apt_options[@]}" -qq update >> "$log" 2>&1
mkdir "$work/src"
cd "$work/src"
if ! apt-get "${apt_options[@]}" -qq source --download-only "glib2.0=$version" >> "$log" 2>&1; then
  cat "$log" >&2
  echo "tsan-glib: the source of glib2.0 $version is not available" >&2
  exit 1
fi
dpkg-source -x ./glib2.0_*.dsc glib >> "$log" 2>&1

# Only the libraries: no tests, documentation or optional system integrations.
if ! { meson setup "$work/build" glib --prefix="$prefix" --libdir=lib \
         -Db_sanitize=thread -Dbuildtype=debugoptimized \
         -Dtests=false -Dinstalled_tests=false -Dman=false -Dgtk_doc=false -Dnls=disabled \
         -Dselinux=disabled -Dlibmount=disabled -Dsysprof=disabled -Dlibelf=disabled \
         -Ddtrace=false -Dsystemtap=false \
       && ninja -C "$work/build" && meson install -C "$work/build"; } >> "$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "tsan-glib: the build failed" >&2
  rm -rf "$prefix"
  exit 1
fi
touch "$prefix/.complete"
echo "$prefix/lib"
