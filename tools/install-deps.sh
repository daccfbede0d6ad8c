#!/bin/bash
# Installs the Debian packages notmuch-glib needs to build, test, document and benchmark.
# Safe to run again: it does nothing when everything is installed already.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc g++
  libglib2.0-dev gobject-introspection libgirepository1.0-dev libnotmuch-dev
  # the C tests read the notmuch CLI's JSON output
  libjson-glib-dev
  # message content: GMime 3 (C headers, typelib and vapi)
  libgmime-3.0-dev gir1.2-gmime-3.0
  # bindings and their tests
  python3-gi python3-pytest gjs valac
  # the GTK 4 example and its test under a virtual X server
  gir1.2-gtk-4.0 xvfb
  # the notmuch CLI (test oracle) and the existing Python bindings (benchmarks)
  notmuch python3-notmuch2 python3-notmuch
  # gpg and gpgsm: the content tests make throw-away OpenPGP and S/MIME keys
  gnupg gpgsm
  # Xapian from Python: the torture tests corrupt database metadata, the async upgrade test
  # makes an index look older
  python3-xapian
  # memory checking, and libnm for the symbol-clash test
  valgrind libnm0
  # the libFuzzer harnesses (tools/fuzz-libfuzzer.sh): clang and its sanitizer and fuzzer
  # runtimes
  clang libclang-rt-dev
  # dpkg-source, to unpack the GLib that tools/tsan-glib.sh builds with ThreadSanitizer
  dpkg-dev
  # documentation
  gi-docgen
  # building a newer libnotmuch from ../shared/vendor (tools/build-libnotmuch.sh), with
  # sexp queries as Debian builds it
  libxapian-dev libgmime-3.0-dev libtalloc-dev zlib1g-dev libsexp-dev make xz-utils
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi
echo "Installing: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
