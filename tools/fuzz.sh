#!/bin/bash
# Runs the project's fuzzers for longer than the test suite does (tests/fuzz/meson.build
# gives the API fuzzer one minute): the API-sequence fuzzer, then every libFuzzer harness
# (tools/fuzz-libfuzzer.sh), each for the budget.  The API fuzzer's findings, each with its
# minimal program, go to fuzz-out/ (FUZZ_OUT); the run fails if any fuzzer finds something
# that tests/fuzz/known-findings.txt does not list (the libFuzzer harnesses: anything).
#
#   tools/fuzz.sh [--minutes N] [--asan] [--seed S] [--shrink S] [--strict]
#
#   --minutes N   budget of each fuzzer (default 10)
#   --asan        run the API fuzzer on the AddressSanitizer+UBSan build (BUILD_DIR-asan,
#                 made as tools/memcheck.sh makes it) instead of the plain one (BUILD_DIR);
#                 the libFuzzer harnesses always run under both sanitizers
#   --seed S      base seed (default: random, printed)
#   --shrink S    seconds to shrink each new finding (default 300; 0: none)
#   --strict      ignore known-findings.txt: every finding fails the run
set -euo pipefail
cd "$(dirname "$0")/.."
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

minutes=10
asan=0
seed=
strict=0
shrink=300
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --asan) asan=1; shift ;;
    --seed) seed=$2; shift 2 ;;
    --shrink) shrink=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    *) echo "usage: $0 [--minutes N] [--asan] [--seed S] [--shrink S] [--strict]" >&2
       exit 2 ;;
  esac
done

dir=${BUILD_DIR:-build}
if [ $asan = 1 ]; then
  dir=$dir-asan
  # The introspection dumper must be linked with -fsanitize=address, not just -lasan.
  export LDFLAGS=-fsanitize=address,undefined
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Db_sanitize=address,undefined \
    -Dbuildtype=debug -Ddocs=disabled
else
  [ -f "$dir/build.ninja" ] || meson setup "$dir" -Ddocs=disabled
fi
meson compile -C "$dir"
unset LDFLAGS

out=${FUZZ_OUT:-fuzz-out}
jobs=$(nproc)
seconds=$((minutes * 60))
status=0

# The API-sequence fuzzer: random programs of legal calls through the typelib, each in a
# child process (tests/fuzz/api_fuzz.py --help).
known=(--known tests/fuzz/known-findings.txt)
[ $strict = 1 ] && known=()
/usr/bin/python3 tests/fuzz/api_fuzz.py --build-dir "$dir" --budget "$seconds" \
  --jobs "$jobs" --out "$out/api" --shrink-seconds "$shrink" ${seed:+--base-seed "$seed"} \
  "${known[@]}" || status=1

# The libFuzzer harnesses of the C entry points that take untrusted input (query strings,
# tags, property keys and values, header names, config keys and values, file paths), each
# for the same budget under ASan+UBSan; their findings stay in build-fuzz/fuzz-out/<target>.
tools/fuzz-libfuzzer.sh --seconds "$seconds" ${seed:+--seed "$seed"} || status=1

exit $status
