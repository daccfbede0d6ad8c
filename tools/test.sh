#!/bin/bash
# Installs the dependencies, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
build_dir=${BUILD_DIR:-build}

# The tests build their own databases: a user configuration must not leak in.
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

status=0
meson test -C "$build_dir" --print-errorlogs "$@" || status=$?

# One closing line with the totals, in the form CI reads.
log="$build_dir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  /usr/bin/python3 - "$log" <<'PY'
import json, sys
results = [json.loads(line)["result"] for line in open(sys.argv[1]) if line.strip()]
passed = sum(r in ("OK", "EXPECTEDFAIL") for r in results)
skipped = sum(r == "SKIP" for r in results)
failed = len(results) - passed - skipped
print(f"meson: {passed} passed, {failed} failed, {skipped} skipped")
PY
fi
exit $status
