#!/usr/bin/python3
"""Fails if the library exports a symbol outside its public nm_ API, or one that
NetworkManager's libnm also exports: gnome-shell loads libnm, and both use the nm_ prefix.

Usage: check-symbols.py LIBRARY PUBLIC_HEADER... [--libnm PATH]
"""
import argparse
import re
import subprocess
import sys

# Families of names libnm uses, which this library must never export.
LIBNM_FAMILIES = ("nm_utils_", "nm_object_", "nm_client_", "nm_setting", "nm_connection_",
                  "nm_device_", "nm_vpn_", "nm_ip_", "nm_access_point_", "nm_remote_")


def exported_symbols(library):
    output = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                            capture_output=True, text=True).stdout
    return {fields[2] for fields in (line.split() for line in output.splitlines())
            if len(fields) == 3 and fields[1] in "TDBRVWi"}


def declared_functions(headers):
    """Every function the public headers declare, plus the GType getters that
    G_DECLARE_FINAL_TYPE and glib-mkenums declare through macros."""
    names = set()
    for header in headers:
        text = open(header, encoding="utf-8").read()
        names.update(re.findall(r"\b(nm_[a-z0-9_]+)\s*\(", text))
        for prefix in re.findall(r"G_DECLARE_FINAL_TYPE\s*\(\s*\w+\s*,\s*(nm_[a-z0-9_]+)", text):
            names.add(prefix + "_get_type")
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library")
    parser.add_argument("headers", nargs="+")
    parser.add_argument("--libnm", default="/usr/lib/x86_64-linux-gnu/libnm.so.0")
    args = parser.parse_args()

    exported = exported_symbols(args.library)
    declared = declared_functions(args.headers)
    problems = []
    if not exported:
        problems.append("the library exports nothing")
    for symbol in sorted(exported):
        if symbol not in declared:
            problems.append(f"{symbol}: exported but not declared in a public header")
        if symbol.startswith(LIBNM_FAMILIES):
            problems.append(f"{symbol}: uses a name family of NetworkManager's libnm")
    libnm = exported_symbols(args.libnm)
    for symbol in sorted(exported & libnm):
        problems.append(f"{symbol}: libnm exports the same symbol")
    missing = sorted(name for name in declared - exported if not name.startswith("nm_glib"))
    for symbol in missing:
        problems.append(f"{symbol}: declared in a public header but not exported")

    for problem in problems:
        print(problem)
    print(f"{len(exported)} exported symbols checked against {len(libnm)} from libnm: "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
