#!/usr/bin/env python3
"""Writes hostile data files into the current directory, for
test/e2e/loader-errors.test: .npy files with a bad version, an unclosed
header dict, a 20-digit or overflowing shape and an unknown dtype; IDX
files whose header promises 2^96 values or more than the file holds; CSV
files with a trailing comma, an empty cell, a NUL byte, a hexadecimal
number, and a quoted first row (data, not a header)."""
import struct


def npy(name, header, data=b"", major=1):
    h = header.encode()
    with open(name, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<H", len(h)) + h + data)


def header(shape, descr="<f4"):
    return "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)


npy("version9.npy", header("(2,)"), bytes(8), major=9)
npy("unclosed.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", bytes(8))
npy("digits.npy", header("(99999999999999999999, 2)"), bytes(8))
npy("overflow.npy", header("(4294967296, 4294967296)"), bytes(8))
npy("complex.npy", header("(1,)", "<c8"), bytes(8))
with open("huge-idx3-ubyte", "wb") as f:
    f.write(bytes([0, 0, 8, 3]) + struct.pack(">III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + bytes(100))
with open("short-idx1-ubyte", "wb") as f:
    f.write(bytes([0, 0, 8, 1]) + struct.pack(">I", 100000000) + bytes(100))
for name, text in [("trailing.csv", "1,2,\n"), ("empty.csv", "1,2\n3,\n"),
                   ("nul.csv", "1,2\n3\0,4\n"), ("hex.csv", "0x10,1\n"),
                   ("quoted.csv", '"1","2"\n3,4\n')]:
    with open(name, "w") as f:
        f.write(text)
