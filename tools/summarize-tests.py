#!/usr/bin/env python3
"""Prints one line with the totals of meson test logs, in the form CI reads:

    LABEL: N passed, M failed, K skipped

Usage: summarize-tests.py LABEL TESTLOG.json...

An expected failure counts as passed.  Missing logs are left out (a run that never got to
its tests has none).
"""
import json
import os
import sys


def main():
    label, logs = sys.argv[1], sys.argv[2:]
    results = []
    for log in logs:
        if os.path.exists(log):
            with open(log, encoding="utf-8") as lines:
                results += [json.loads(line)["result"] for line in lines if line.strip()]
    passed = sum(result in ("OK", "EXPECTEDFAIL") for result in results)
    skipped = sum(result == "SKIP" for result in results)
    failed = len(results) - passed - skipped
    print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main()
