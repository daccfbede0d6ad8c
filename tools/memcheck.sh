#!/bin/bash
# Runs the C, Python and torture suites again under AddressSanitizer+UBSan and under
# valgrind (the async suite under AddressSanitizer only: it drives GTK under Xvfb), and the
# threading test under ThreadSanitizer.  Any report fails the run.
#
#   tools/memcheck.sh [asan|valgrind|tsan]...      (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

kinds=("$@")
# tsan needs the threading test of tests/torture, which has not landed yet.
[ ${#kinds[@]} -gt 0 ] || kinds=(asan valgrind)
# Every run is made; any failure fails the script at the end.
status=0

run_asan() {
  local dir=${BUILD_DIR:-build}-asan
  # The introspection dumper must be linked with -fsanitize=address, not just -lasan
  # (see ../shared/notes/toolchain.md, pitfall 7).
  export LDFLAGS=-fsanitize=address,undefined
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Db_sanitize=address,undefined \
    -Dbuildtype=debug -Ddocs=disabled
  meson compile -C "$dir"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$dir" --print-errorlogs --suite c --suite python --suite torture \
      --suite async || status=1
  unset LDFLAGS
}

run_valgrind() {
  local dir=${BUILD_DIR:-build}-valgrind
  local valgrind="valgrind --quiet --error-exitcode=99 --leak-check=full \
      --show-leak-kinds=definite --errors-for-leak-kinds=definite \
      --suppressions=/usr/lib/valgrind/python3.supp \
      --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
      --suppressions=$PWD/tests/valgrind.supp"
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Dbuildtype=debugoptimized -Ddocs=disabled
  meson compile -C "$dir"
  export PYTHONMALLOC=malloc
  meson test -C "$dir" --print-errorlogs --timeout-multiplier 10 --wrapper "$valgrind" \
    --suite c --suite python || status=1
  meson test -C "$dir" --print-errorlogs --timeout-multiplier 10 --wrapper "$valgrind" \
    --logbase testlog-threads threads || status=1
  # The torture scenarios run in child processes: valgrind wraps each child, not pytest.
  NM_TORTURE_WRAPPER="$valgrind" meson test -C "$dir" --print-errorlogs \
    --timeout-multiplier 4 --logbase testlog-torture torture || status=1
  unset PYTHONMALLOC
}

run_tsan() {
  local dir=${BUILD_DIR:-build}-tsan
  [ -f "$dir/build.ninja" ] || LDFLAGS=-fsanitize=thread meson setup "$dir" \
    -Db_sanitize=thread -Dbuildtype=debug -Ddocs=disabled
  LDFLAGS=-fsanitize=thread meson compile -C "$dir"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    LDFLAGS=-fsanitize=thread meson test -C "$dir" --print-errorlogs threads || status=1
}

for kind in "${kinds[@]}"; do
  echo "=== $kind ==="
  "run_$kind"
done
exit $status
