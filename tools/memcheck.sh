#!/bin/bash
# Runs the C, Python and torture suites again under AddressSanitizer+UBSan and under
# valgrind (the async suite and the API-sequence fuzzer under AddressSanitizer only: the
# first drives GTK under Xvfb, the second is too slow under valgrind), and the
# threading test and the C async tests under ThreadSanitizer.  Any report fails the run.
#
#   tools/memcheck.sh [--install-deps] [asan|valgrind|tsan]...      (default: all three)
#
# --install-deps (or NM_INSTALL_DEPS=1) first installs the Debian packages the project needs
# (tools/install-deps.sh); without it nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --install-deps ]; then
  NM_INSTALL_DEPS=1
  shift
fi
if [ "${NM_INSTALL_DEPS:-0}" = 1 ]; then
  tools/install-deps.sh
fi
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

kinds=("$@")
# All three by default (CI calls this with no arguments).  tsan adds about 2 minutes the
# first time (GLib is built with TSan, see tools/tsan-glib.sh), then well under a minute.
[ ${#kinds[@]} -gt 0 ] || kinds=(asan valgrind tsan)
# Every run is made; any failure fails the script at the end.
status=0

run_asan() {
  local dir=${BUILD_DIR:-build}-asan
  # The introspection dumper must be linked with -fsanitize=address: meson links it with
  # -lasan alone, which skips ASan's early initialisation, and the dumper then hangs on a
  # glibc lock that a library constructor takes before main().
  export LDFLAGS=-fsanitize=address,undefined
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Db_sanitize=address,undefined \
    -Dbuildtype=debug -Ddocs=disabled
  meson compile -C "$dir"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 --suite c --suite python \
      --suite torture --suite async --suite fuzz || status=1
  unset LDFLAGS
}

run_valgrind() {
  local dir=${BUILD_DIR:-build}-valgrind
  # --child-silent-after-fork: gpgme (GMime's decryption) forks twice to start gpg, and the
  # middle process exits without exec: its report would count the parent's heap as leaked,
  # and its output would reach gpg's pipes.
  local valgrind="valgrind --quiet --error-exitcode=99 --leak-check=full \
      --show-leak-kinds=definite --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
      --suppressions=/usr/lib/valgrind/python3.supp \
      --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
      --suppressions=$PWD/tests/valgrind.supp"
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Dbuildtype=debugoptimized -Ddocs=disabled
  meson compile -C "$dir"
  export PYTHONMALLOC=malloc
  # Under valgrind, GMime cannot make its OpenPGP context in the test processes (gpgme's
  # check of the gpg engine fails: "unregistered encryption protocol"), so the content tests
  # leave out the decryption cases here; the plain and AddressSanitizer runs keep them.
  export NM_TEST_SKIP_DECRYPTION=1
  meson test -C "$dir" --print-errorlogs --timeout-multiplier 10 --wrapper "$valgrind" \
    --suite c --suite python || status=1
  meson test -C "$dir" --print-errorlogs --timeout-multiplier 10 --wrapper "$valgrind" \
    --logbase testlog-threads threads || status=1
  # The torture scenarios run in child processes: valgrind wraps each child, not pytest.
  NM_TORTURE_WRAPPER="$valgrind" meson test -C "$dir" --print-errorlogs \
    --timeout-multiplier 4 --logbase testlog-torture torture || status=1
  unset PYTHONMALLOC NM_TEST_SKIP_DECRYPTION
}

run_tsan() {
  local dir=${BUILD_DIR:-build}-tsan
  local glib_lib
  # Debian's GLib hides its futex-based GMutex/GCond from TSan, which then reports every
  # hand-over between threads; link against a TSan-built GLib instead (see that script).
  # An RPATH, not LD_LIBRARY_PATH: the tests run the notmuch CLI and Python, which must keep
  # the system's GLib (an instrumented library in an uninstrumented program crashes).
  if ! glib_lib=$(tools/tsan-glib.sh); then
    status=1
    return
  fi
  local ldflags="-fsanitize=thread -Wl,--disable-new-dtags,-rpath,$glib_lib"
  # A build directory configured before (or for another GLib) lacks that RPATH: remake it.
  if [ -f "$dir/build.ninja" ] && ! grep -qF -- "$glib_lib" "$dir/build.ninja"; then
    rm -rf "$dir"
  fi
  [ -f "$dir/build.ninja" ] || LDFLAGS=$ldflags meson setup "$dir" \
    -Db_sanitize=thread -Dbuildtype=debug -Ddocs=disabled
  LDFLAGS=$ldflags meson compile -C "$dir"
  # (ldd's output is read whole first: grep -q under pipefail would race ldd's SIGPIPE.)
  local libs
  libs=$(ldd "$dir/tests/async/test-async")
  if ! grep -qF "$glib_lib/libglib-2.0.so.0" <<< "$libs"; then
    echo "tsan: $dir/tests/async/test-async does not load the GLib of $glib_lib" >&2
    status=1
    return
  fi
  # G_SLICE=always-malloc: GSlice's magazine cache reads its contention counters without a
  # lock on purpose (a heuristic); GLib >= 2.76 dropped that allocator for malloc anyway.
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    G_SLICE=always-malloc LDFLAGS=$ldflags \
    meson test -C "$dir" --print-errorlogs --logbase testlog-tsan threads async-c async-calls-c test-notify \
      test-monitor test-lists || status=1
}

for kind in "${kinds[@]}"; do
  echo "=== $kind ==="
  "run_$kind"
done
exit $status
