#!/usr/bin/env python3
"""Writes items FIRST..FIRST+COUNT-1 of an IDX file (.gz or raw) as CSV rows,
each value divided by SCALE: single images to --feed to an infer program.

usage: idx-items.py FILE FIRST COUNT SCALE
"""
import gzip
import struct
import sys


def main():
    path, first, count, scale = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    data = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    size = 1
    for d in shape[1:]:
        size *= d
    start = 4 + 4 * dims
    for item in range(first, first + count):
        row = data[start + item * size:start + (item + 1) * size]
        print(",".join("%.9g" % (v / scale) for v in row))


if __name__ == "__main__":
    main()
