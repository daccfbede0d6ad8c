#!/bin/bash
# Builds the libFuzzer harnesses of tests/fuzz/libfuzzer with clang, AddressSanitizer and
# UBSan, and runs each target for a time budget, from the seed corpus and the notmuch query
# dictionary.  Fails if any target finds a crash, a leak, a timeout or an out-of-memory, and
# keeps the input that did it.
#
#   tools/fuzz-libfuzzer.sh [--seconds N] [--target NAME]... [--seed S] [-- LIBFUZZER-ARGS]
#
# --seconds   budget per target (default 60)
# --target    run only this target (repeatable): query tags properties headers config paths
# --seed      libFuzzer's -seed for every target (default: a new random one per target; the
#             seed used is printed either way, so that a run can be repeated)
# Arguments after -- go to every libFuzzer run (for example -fork=2 -ignore_crashes=1 to
# keep going after a finding).
#
# Build directory: $FUZZ_BUILD_DIR (default build-fuzz).  Per target, in
# <build>/fuzz-out/<target>/: corpus/ (inputs found so far, kept between runs), log, and
# crash-*, leak-*, timeout-*, oom-* inputs.  Reproduce one with
#   <build>/tests/fuzz/libfuzzer/fuzz-<target> <input>
# and shrink it with -minimize_crash=1 -runs=20000 (see tests/fuzz/libfuzzer/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(query tags properties headers config paths)
seconds=60
seed=
targets=()
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: $0 [--seconds N] [--target NAME]... [--seed S] [-- LIBFUZZER-ARGS]" >&2
       exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  if [[ ! " ${all_targets[*]} " =~ " $target " ]]; then
    echo "fuzz-libfuzzer: no target '$target' (targets: ${all_targets[*]})" >&2
    exit 2
  fi
done

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
fuzz_src=tests/fuzz/libfuzzer
# Only the harnesses and the library are built (the fuzzers alias), so the introspection
# dumper, which ASan breaks unless linked with -fsanitize=address, never runs.  b_lundef is
# off because clang leaves the sanitizer runtime out of shared libraries: the executables
# provide it.
if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build_dir" \
    -Dfuzzing=true -Dtests=false -Dbench=false -Dintrospection=disabled -Dvapi=disabled \
    -Ddocs=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
fi
meson compile -C "$build_dir" fuzzers

# The harnesses build their mail store in $TMPDIR; tmpfs keeps Xapian's fsyncs cheap.
scratch_parent=/dev/shm
[ -d "$scratch_parent" ] && [ -w "$scratch_parent" ] || scratch_parent=$build_dir
scratch=$(mktemp -d "$scratch_parent/nm-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0:handle_abort=1
export LSAN_OPTIONS=suppressions=$PWD/$fuzz_src/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

status=0
summary=()
for target in "${targets[@]}"; do
  out=$build_dir/fuzz-out/$target
  mkdir -p "$out/corpus"
  target_seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
  echo "fuzz-libfuzzer: $target for ${seconds}s with -seed=$target_seed"
  rc=0
  TMPDIR=$scratch "$build_dir/$fuzz_src/fuzz-$target" \
    -seed="$target_seed" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 \
    -dict="$fuzz_src/notmuch.dict" -artifact_prefix="$out/" -print_final_stats=1 \
    ${extra[@]+"${extra[@]}"} "$out/corpus" "$fuzz_src/corpus/$target" \
    > "$out/log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/log" | tail -1)
  if [ -z "$runs" ]; then
    # -fork mode prints no final statistics: take the last progress line.
    runs=$(grep -aoE '^#[0-9]+:' "$out/log" | tail -1 | tr -d '#:')
    [ -z "$runs" ] || rate=$((runs / seconds))
  fi
  line="$target: seed $target_seed, ${runs:-?} inputs, ${rate:-?}/s"
  if [ $rc -ne 0 ]; then
    status=1
    grep -aE '^(==[0-9]+==ERROR|==nm-fuzz== ERROR|SUMMARY|.*runtime error)' "$out/log" | head -5 || true
    artifacts=$(sed -n "s/^.*Test unit written to \(.*\)$/\1/p" "$out/log" | tr '\n' ' ')
    line="$line: FAILED (exit $rc), input: ${artifacts:-none}, log: $out/log"
  fi
  echo "fuzz-libfuzzer: $line"
  summary+=("$line")
done

echo "fuzz-libfuzzer: summary"
printf '  %s\n' "${summary[@]}"
exit $status
