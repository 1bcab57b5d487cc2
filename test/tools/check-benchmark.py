#!/usr/bin/env python3
"""check-benchmark.py CALLS FUNCTION:BATCH... < output: checks the lines of
NAME-infer --benchmark CALLS. One line per function, in the order given:
  benchmark: NAME, batch B, N calls: median M us (min A, max Z), R items/s
with N == CALLS, 0 < A <= M <= Z, and R the items per second at the median
(B * 1e6 / M, to the printed precision). Nothing else may be printed."""
import re
import sys

LINE = re.compile(r"benchmark: (\w+), batch (\d+), (\d+) calls: median ([0-9.]+) us "
                  r"\(min ([0-9.]+), max ([0-9.]+)\), (\d+) items/s$")

calls = int(sys.argv[1])
expected = [(f, int(b)) for f, b in (a.split(":") for a in sys.argv[2:])]
lines = sys.stdin.read().splitlines()
if len(lines) != len(expected):
    sys.exit("expected %d lines, got %d: %r" % (len(expected), len(lines), lines))
for line, (function, batch) in zip(lines, expected):
    m = LINE.match(line)
    if not m:
        sys.exit("not a benchmark line: %r" % line)
    name, b, n = m.group(1), int(m.group(2)), int(m.group(3))
    median, low, high, rate = (float(m.group(i)) for i in (4, 5, 6, 7))
    if (name, b, n) != (function, batch, calls):
        sys.exit("%r: expected %s, batch %d, %d calls" % (line, function, batch, calls))
    if not 0 < low <= median <= high:
        sys.exit("%r: min <= median <= max does not hold" % line)
    # The median is printed to 0.001 us: the rate may differ by that much.
    slack = batch * 1e6 / max(median - 0.0005, 1e-9) - batch * 1e6 / (median + 0.0005)
    if abs(rate - batch * 1e6 / median) > slack + 1:
        sys.exit("%r: %g items/s is not batch / median" % (line, rate))
print("ok: %d benchmark lines" % len(lines))
