#!/usr/bin/python3
"""Fails if the generated vapi leaves a call throwing the generic GLib.Error: every fallible
call must be listed in nm-glib/Notmuch-1.0.metadata as throwing Notmuch.Error, so
that Vala programs can catch its codes.  Asynchronous calls throw GLib.Error, since
cancelling them gives G_IO_ERROR_CANCELLED, and so do the lists' check(), which reports how
a list loaded in the background ended, cancelled included.

Usage: check-vapi.py VAPI
"""
import re
import sys


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    generic = [line for line in re.findall(r"^\s*(.*\bthrows GLib\.Error;)", text, re.MULTILINE)
               if " async " not in line and " check (" not in line]
    typed = len(re.findall(r"\bthrows Notmuch\.Error;", text))
    for line in generic:
        print(f"throws GLib.Error: {line}")
    if "errordomain Error" not in text:
        print("no errordomain Notmuch.Error in the vapi")
        return 1
    print(f"{typed} calls throw Notmuch.Error, {len(generic)} throw GLib.Error")
    return 1 if generic or typed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
