#!/bin/bash
# Installs the dependencies (tools/install-deps.sh), builds notmuch-glib, generates a sample
# maildir, indexes it through the library and prints its threads with
# examples/python/search.py.
#
#   tools/demo.sh [QUERY...]      (default query: *)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh >/dev/null
build_dir=${BUILD_DIR:-build}
sample=$build_dir/sample

export GI_TYPELIB_PATH="$PWD/$build_dir/introspection${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
export LD_LIBRARY_PATH="$PWD/$build_dir/nm-glib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The first Python with PyGObject: a python3 first on PATH (pyenv, a virtualenv) often lacks
# it; Debian's /usr/bin/python3 has it from python3-gi.
python=
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$candidate" -c 'import gi' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "demo: no python3 with PyGObject (Debian package python3-gi); set PYTHON" >&2
  exit 1
fi

if [ ! -d "$sample/mail/.notmuch" ]; then
  rm -rf "$sample"
  "$python" tests/nmcorpus.py "$sample" --messages 200 >/dev/null
  "$python" examples/python/index.py "$PWD/$sample/mail"
fi
"$python" examples/python/search.py --database "$PWD/$sample/mail" "$@"
