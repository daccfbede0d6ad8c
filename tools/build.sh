#!/bin/bash
# Configures (once) and builds notmuch-glib in BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ]; then
  meson setup "$build_dir" "$@"
fi
meson compile -C "$build_dir"
