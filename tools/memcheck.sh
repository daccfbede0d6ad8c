#!/bin/bash
# Runs the C and Python test suites again under AddressSanitizer+UBSan and under valgrind,
# and the threading test under ThreadSanitizer.  Any report fails the run.
#
#   tools/memcheck.sh [asan|valgrind|tsan]...      (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

kinds=("$@")
# tsan needs the threading test of tests/torture, which has not landed yet.
[ ${#kinds[@]} -gt 0 ] || kinds=(asan valgrind)
suites=(--suite c --suite python --suite torture)
# The async suite drives a GTK application under Xvfb: too slow for valgrind, checked under
# AddressSanitizer only.
asan_suites=("${suites[@]}" --suite async)

run_asan() {
  local dir=${BUILD_DIR:-build}-asan
  # The introspection dumper must be linked with -fsanitize=address, not just -lasan
  # (see ../shared/notes/toolchain.md, pitfall 7).
  export LDFLAGS=-fsanitize=address,undefined
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Db_sanitize=address,undefined \
    -Dbuildtype=debug -Ddocs=disabled
  meson compile -C "$dir"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$dir" --print-errorlogs "${asan_suites[@]}"
  unset LDFLAGS
}

run_valgrind() {
  local dir=${BUILD_DIR:-build}-valgrind
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Dbuildtype=debugoptimized -Ddocs=disabled
  meson compile -C "$dir"
  PYTHONMALLOC=malloc meson test -C "$dir" --print-errorlogs --timeout-multiplier 10 \
    --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full \
      --show-leak-kinds=definite --errors-for-leak-kinds=definite \
      --suppressions=/usr/lib/valgrind/python3.supp \
      --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
      --suppressions=$PWD/tests/valgrind.supp" \
    "${suites[@]}"
}

run_tsan() {
  local dir=${BUILD_DIR:-build}-tsan
  [ -f "$dir/build.ninja" ] || LDFLAGS=-fsanitize=thread meson setup "$dir" \
    -Db_sanitize=thread -Dbuildtype=debug -Ddocs=disabled
  LDFLAGS=-fsanitize=thread meson compile -C "$dir"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    LDFLAGS=-fsanitize=thread meson test -C "$dir" --print-errorlogs threads
}

for kind in "${kinds[@]}"; do
  echo "=== $kind ==="
  "run_$kind"
done
