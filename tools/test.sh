#!/bin/bash
# Builds notmuch-glib and runs the whole test suite; other arguments go to `meson test`.
#
#   tools/test.sh [--install-deps] [MESON TEST ARGUMENTS...]
#
# --install-deps (or NM_INSTALL_DEPS=1) first installs the Debian packages the project needs
# (tools/install-deps.sh, with apt-get); without it nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --install-deps ]; then
  NM_INSTALL_DEPS=1
  shift
fi
if [ "${NM_INSTALL_DEPS:-0}" = 1 ]; then
  tools/install-deps.sh
fi
tools/build.sh
build_dir=${BUILD_DIR:-build}

# The tests build their own databases: a user configuration must not leak in.
unset NOTMUCH_CONFIG NOTMUCH_PROFILE NOTMUCH_DATABASE

status=0
meson test -C "$build_dir" --print-errorlogs "$@" || status=$?

# One closing line with the totals, in the form CI reads.
tools/summarize-tests.py meson "$build_dir/meson-logs/testlog.json"
exit $status
