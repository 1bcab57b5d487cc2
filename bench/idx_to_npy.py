#!/usr/bin/env python3
"""idx_to_npy.py IMAGES.idx.gz ALL.npy FIRST100.npy: the images as float32
rows scaled to [0, 1], all of them and the first 100, for bench/run.py."""
import gzip
import struct
import sys


def write(path, rows, size):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), size)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        for r in rows:
            f.write(struct.pack("<%df" % size, *(v / 255.0 for v in r)))


data = gzip.open(sys.argv[1]).read()
n, h, w = struct.unpack(">III", data[4:16])
rows = [data[16 + i * h * w:16 + (i + 1) * h * w] for i in range(n)]
write(sys.argv[2], rows, h * w)
write(sys.argv[3], rows[:100], h * w)
