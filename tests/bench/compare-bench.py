#!/usr/bin/env python3
"""compare-bench.py - the bench ratios of two condmap builds, measured in
turns so that both see the same machine load, as medians of several rounds.

    tests/bench/compare-bench.py OLD/cli/condmap NEW/cli/condmap [ROUNDS] [-- BENCH-ARGS]

Each round runs `condmap bench` (every config, or BENCH-ARGS) with the old
build, then the new one.  Prints, per converter and direction, the median
ratio to the memory floor of each build and the difference.  Used to check
that a change keeps the converters' speed (the ratios are taken against a
floor measured in the same run, so a shared, noisy machine affects both).
"""
import re
import statistics
import subprocess
import sys


def ratios(binary, args):
    out = subprocess.run([binary, "bench"] + args, check=True,
                         capture_output=True, text=True).stdout
    result, current = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\S+) to-(conductances|weights) planes=", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^\s+floor to-(conductances|weights) .* ratio ([0-9.]+)",
                     line)
        if m and current:
            result[(current, m.group(1))] = float(m.group(2))
    return result


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    old, new = argv[0], argv[1]
    rounds = int(argv[2]) if len(argv) > 2 else 5
    runs = {"old": [], "new": []}
    for _ in range(rounds):
        runs["old"].append(ratios(old, extra))
        runs["new"].append(ratios(new, extra))
    keys = sorted(set().union(*runs["old"]) & set().union(*runs["new"]))
    print(f"{'converter':14} {'direction':14} {'old':>6} {'new':>6} {'new-old':>8}"
          f"   (median of {rounds} rounds)")
    for key in keys:
        o = statistics.median(r[key] for r in runs["old"] if key in r)
        n = statistics.median(r[key] for r in runs["new"] if key in r)
        print(f"{key[0]:14} {key[1]:14} {o:6.2f} {n:6.2f} {n - o:+8.2f}")


if __name__ == "__main__":
    main()
