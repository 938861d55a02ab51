#!/usr/bin/env python3
"""Turn hyperfine --export-json files into markdown for BENCHMARKS.md.

bench/alternate.py writes the same shape for the alternated runs.

Usage:
    hf2md.py table REF_NAME FILE.json...   one row per command, ratio to REF_NAME
    hf2md.py raw FILE.json...              every run's time, per command
    hf2md.py median NAME FILE.json...      the median of command NAME, in ms

Commands are identified by hyperfine's --command-name (or the command).
Times are printed in milliseconds.
"""

import json
import statistics
import sys


def load(files):
    out = []
    for f in files:
        with open(f) as fh:
            out.extend(json.load(fh)["results"])
    return out


def name(r):
    return r.get("command", "?")


def med(r):
    return statistics.median(r["times"]) * 1000.0


def table(ref, files):
    rs = load(files)
    refmed = next((med(r) for r in rs if name(r) == ref), None)
    print("| command | median ms | mean ± σ ms | min ms | max ms | runs | ratio to %s |" % ref)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rs:
        t = [x * 1000.0 for x in r["times"]]
        sd = statistics.stdev(t) if len(t) > 1 else 0.0
        ratio = "%.2f" % (med(r) / refmed) if refmed else "n/a"
        print(
            "| `%s` | %.2f | %.2f ± %.2f | %.2f | %.2f | %d | %s |"
            % (name(r), med(r), statistics.mean(t), sd, min(t), max(t), len(t), ratio)
        )


def raw(files):
    for r in load(files):
        t = ", ".join("%.2f" % (x * 1000.0) for x in r["times"])
        print("- `%s` (ms): %s" % (name(r), t))


def median_of(n, files):
    for r in load(files):
        if name(r) == n:
            print("%.2f" % med(r))
            return
    sys.exit("no command named %r" % n)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "table":
        table(sys.argv[2], sys.argv[3:])
    elif cmd == "raw":
        raw(sys.argv[2:])
    elif cmd == "median":
        median_of(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
