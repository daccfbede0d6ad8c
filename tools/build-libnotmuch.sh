#!/bin/bash
# Builds one vendored libnotmuch release (library and its notmuch CLI) into a cached prefix
# and prints that prefix.  A prefix that is complete already is reused at once.
#
#   tools/build-libnotmuch.sh VERSION          (VERSION: 0.38.3, 0.39, 0.40)
#
# The tarball notmuch-VERSION.tar.xz is looked up in $NM_VENDOR_DIR, then ../shared/vendor
# next to the repository, then /work/shared/vendor.  The prefix is
# ${XDG_CACHE_HOME:-$HOME/.cache}/notmuch-glib/libnotmuch-VERSION.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ne 1 ]; then
  echo "usage: $0 VERSION   (0.38.3, 0.39, 0.40)" >&2
  exit 2
fi
version=$1
prefix=${XDG_CACHE_HOME:-$HOME/.cache}/notmuch-glib/libnotmuch-$version
# Written last, after a successful install: a build cut short leaves no stamp.
stamp=$prefix/.complete

if [ -f "$stamp" ]; then
  echo "$prefix"
  exit 0
fi

tarball=
for dir in ${NM_VENDOR_DIR:+"$NM_VENDOR_DIR"} "$repo/../shared/vendor" /work/shared/vendor; do
  if [ -f "$dir/notmuch-$version.tar.xz" ]; then
    tarball=$dir/notmuch-$version.tar.xz
    break
  fi
done
if [ -z "$tarball" ]; then
  echo "$0: notmuch-$version.tar.xz not found in \$NM_VENDOR_DIR (${NM_VENDOR_DIR:-unset})," \
    "$repo/../shared/vendor or /work/shared/vendor" >&2
  exit 1
fi

# Everything below writes to stderr: stdout carries only the prefix.
{
  "$repo/tools/install-deps.sh"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tar -xJf "$tarball" -C "$work"
  cd "$work/notmuch-$version"
  rm -rf "$prefix"
  # PYTHON: Debian's python3 has no cffi, so the Python bindings (not needed here) are skipped
  # whatever python3 comes first on PATH.
  PYTHON=/usr/bin/python3 ./configure --prefix="$prefix" --without-docs --without-api-docs \
    --without-emacs --without-ruby --without-bash-completion --without-zsh-completion \
    --without-desktop
  # Debian's libnotmuch has sexp queries and the tests use them: a build without is no match.
  if ! grep -q '^HAVE_SFSEXP = 1' Makefile.config; then
    echo "$0: configure did not find sfsexp (Debian package libsexp-dev)" >&2
    exit 1
  fi
  make -j2
  make install
  touch "$stamp"
} >&2
echo "$prefix"
