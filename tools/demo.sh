#!/bin/bash
# Installs the dependencies, builds notmuch-glib, generates a sample maildir, indexes it
# through the library and prints its threads with examples/python/search.py.
#
#   tools/demo.sh [QUERY...]      (default query: *)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh >/dev/null
build_dir=${BUILD_DIR:-build}
sample=$build_dir/sample

export GI_TYPELIB_PATH="$PWD/$build_dir/nm-glib${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
export LD_LIBRARY_PATH="$PWD/$build_dir/nm-glib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if [ ! -d "$sample/mail/.notmuch" ]; then
  rm -rf "$sample"
  /usr/bin/python3 tests/nmcorpus.py "$sample" --messages 200 >/dev/null
  /usr/bin/python3 examples/python/index.py "$PWD/$sample/mail"
fi
/usr/bin/python3 examples/python/search.py --database "$PWD/$sample/mail" "$@"
