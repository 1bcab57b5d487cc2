#!/usr/bin/env python3
"""bench/ab_step.py OLD_NNC NEW_NNC MODEL.nn [--threads T] [--runs R]
[--steps LONG SHORT]: the train step of MODEL.nn built by two nnc binaries
(before and after a change), run in alternation on this machine so that
both see the same noise. A step's time is (time of LONG steps - time of
SHORT steps) / (LONG - SHORT), which leaves out start-up (loading the data
set) and the final test-set evaluation. Prints each run, then the medians
with their ranges and the ratio old / new. Defaults: 1 thread, 5 runs,
120 and 20 steps (raise them for fast models)."""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps", type=int, nargs=2, default=[120, 20])
    args = parser.parse_args()
    name = os.path.splitext(os.path.basename(args.model))[0]
    work = tempfile.mkdtemp()
    for side in ("old", "new"):
        subprocess.run([getattr(args, side), args.model, "-o", os.path.join(work, side)],
                       check=True, capture_output=True)
        os.makedirs(os.path.join(work, "run-" + side))

    def seconds(side, steps):
        start = time.perf_counter()
        subprocess.run([os.path.join(work, side, name + "-train"), "--threads",
                        str(args.threads), "--quiet", "--steps", str(steps)],
                       cwd=os.path.join(work, "run-" + side), check=True, capture_output=True)
        return time.perf_counter() - start

    long, short = args.steps
    times = {"old": [], "new": []}
    for run in range(1, args.runs + 1):
        for side in ("old", "new"):
            ms = (seconds(side, long) - seconds(side, short)) * 1000 / (long - short)
            times[side].append(ms)
            print("run %d %s %.3f ms/step" % (run, side, ms), flush=True)
    for side in ("old", "new"):
        v = times[side]
        print("%s: median %.3f ms/step (%.3f-%.3f), %d thread(s)"
              % (side, statistics.median(v), min(v), max(v), args.threads))
    print("old / new: %.2f" % (statistics.median(times["old"]) / statistics.median(times["new"])))


if __name__ == "__main__":
    main()
