#!/usr/bin/env python3
"""Time commands alternately (A B A B ...) and export hyperfine-like JSON.

Usage:
    alternate.py [--warmup W] [--runs N] [--prepare CMD] --export-json FILE
                 -n NAME CMD [-n NAME CMD ...]

Each round runs every command once, in the order given, so that the
commands share the machine's state (load, caches, the kernel's deferred
namespace cleanup) run by run instead of block by block as in hyperfine,
which runs all the runs of one command before the next.  W rounds are run
first and discarded.  CMD is split like a shell word list (shlex, no
shell is run, like hyperfine -N); its stdin, stdout and stderr are
/dev/null.  --prepare CMD (the same splitting) runs untimed before every
timed run.  A run that exits non-zero stops everything (exit 1).

The timer is this process: time.perf_counter_ns() (CLOCK_MONOTONIC)
right before os.posix_spawn() (vfork-based in glibc) and right after
os.wait4() has reaped the command; the path is resolved once, before the
runs, and the garbage collector is off, so each run's overhead is the
same small constant for every command.  The export has hyperfine's shape
({"results": [{"command", "times", "user", "system", "exit_codes"}]},
times in seconds; user and system are the mean CPU times from wait4,
children the command waited for included), so bench/hf2md.py reads it.
"""

import argparse
import gc
import json
import os
import shlex
import shutil
import sys
import time


def resolve(cmd):
    argv = shlex.split(cmd)
    if not argv:
        sys.exit("alternate.py: empty command")
    path = argv[0] if "/" in argv[0] else shutil.which(argv[0])
    if not path:
        sys.exit("alternate.py: %s: command not found" % argv[0])
    return path, argv


def main():
    p = argparse.ArgumentParser(add_help=True)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--prepare")
    p.add_argument("--export-json", required=True)
    p.add_argument("-n", nargs=2, action="append", metavar=("NAME", "CMD"),
                   required=True)
    a = p.parse_args()
    cmds = [(n, resolve(c)) for n, c in a.n]
    prep = resolve(a.prepare) if a.prepare else None
    null = os.open(os.devnull, os.O_RDWR)
    fa = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
          (os.POSIX_SPAWN_DUP2, null, 2)]
    env = dict(os.environ)
    res = [{"command": n, "times": [], "user": 0.0, "system": 0.0,
            "exit_codes": []} for n, _ in cmds]

    def run(path, argv):
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(path, argv, env, file_actions=fa)
        _, st, ru = os.wait4(pid, 0)
        t1 = time.perf_counter_ns()
        return t1 - t0, os.waitstatus_to_exitcode(st), ru

    gc.disable()
    for k in range(a.warmup + a.runs):
        for i, (name, (path, argv)) in enumerate(cmds):
            if prep:
                run(*prep)
            ns, code, ru = run(path, argv)
            if code != 0:
                sys.exit("alternate.py: %s exited with %d" % (name, code))
            if k >= a.warmup:
                r = res[i]
                r["times"].append(ns / 1e9)
                r["user"] += ru.ru_utime / a.runs
                r["system"] += ru.ru_stime / a.runs
                r["exit_codes"].append(code)
    gc.enable()
    with open(a.export_json, "w") as fh:
        json.dump({"results": res}, fh, indent=1)


if __name__ == "__main__":
    main()
