#!/bin/bash
# Builds notmuch-glib against one libnotmuch release and runs the test suite with it and
# with that release's notmuch CLI.
#
#   tools/test-libnotmuch.sh VERSION [--asan] [meson test arguments...]
#
# VERSION: 0.38.3, 0.39 or 0.40 (built from the vendored tarball by
# tools/build-libnotmuch.sh), or system (also: 0.37) for the distribution's libnotmuch.
# The build directory is ${BUILD_DIR:-build}-libnotmuch-VERSION (-asan with --asan).  With
# --asan the library is built with AddressSanitizer and UBSan and the c, python, torture and
# async suites run, as tools/memcheck.sh does; without, the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
  echo "usage: $0 VERSION [--asan] [meson test arguments...]" >&2
  exit 2
fi
version=$1
shift
asan=
if [ "${1:-}" = --asan ]; then
  asan=-asan
  shift
fi

tools/install-deps.sh
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

dir=${BUILD_DIR:-build}-libnotmuch-$version$asan
flags=(-Ddocs=disabled)
if [ "$version" = system ] || [ "$version" = 0.37 ]; then
  prefix=
else
  prefix=$(tools/build-libnotmuch.sh "$version")
  # The prefix's headers and library come before the system's, and an rpath makes
  # libnotmuch-glib-1.so (and the test programs) load its libnotmuch without
  # LD_LIBRARY_PATH.  Exported for the whole run: meson reads them when it configures,
  # g-ir-scanner when it links its dumper, and the installed suite configures a build of
  # its own with them.
  export CFLAGS="-I$prefix/include" CXXFLAGS="-I$prefix/include"
  export LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib"
  # The tests find the notmuch CLI on PATH, when configured and when run: the same release.
  export PATH=$prefix/bin:$PATH
fi

suites=()
if [ -n "$asan" ]; then
  # The introspection dumper must be linked with -fsanitize=address, not just -lasan.
  export LDFLAGS="-fsanitize=address,undefined ${LDFLAGS:-}"
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # Leaks inside the vendored libnotmuch reach malloc through glibc's asprintf, which the
  # fast unwinder cannot see through; the suppressions in tests/c/nm-test-fixture.c name
  # libnotmuch's functions, so the slow unwinder is needed to match them.
  [ -z "$prefix" ] || export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
  flags+=(-Db_sanitize=address,undefined -Dbuildtype=debug)
  # ASan makes the Python suite about three times slower (about 10 minutes).
  suites=(--timeout-multiplier 3 --suite c --suite python --suite torture --suite async)
fi

[ -f "$dir/build.ninja" ] || meson setup "$dir" "${flags[@]}"
meson compile -C "$dir"

if [ -n "$prefix" ]; then
  # (ldd's output is read whole first: grep -q under pipefail would race ldd's SIGPIPE.)
  libs=$(ldd "$dir/nm-glib/libnotmuch-glib-1.so")
  if ! grep -qF "libnotmuch.so.5 => $prefix/lib/libnotmuch.so.5" <<< "$libs"; then
    echo "$0: $dir/nm-glib/libnotmuch-glib-1.so does not load $prefix/lib/libnotmuch.so.5:" >&2
    grep libnotmuch <<< "$libs" >&2
    exit 1
  fi
fi
echo "libnotmuch $version: $(notmuch --version)"
meson test -C "$dir" --print-errorlogs "${suites[@]}" "$@"
