#!/usr/bin/env python3
"""Checks that two safetensors files hold the same tensors within a
tolerance: |a - b| <= atol + rtol * |b| for every value of every tensor the
files share (both must hold the same names). Prints one line per tensor
with its largest difference; exit 1 at the first tensor out of tolerance.

usage: close-tensors.py A.safetensors B.safetensors [--rtol R] [--atol A]
"""
import argparse
import importlib.util
import os
import struct
import sys

# The safetensors reader of same-tensors.py: {name: (shape, raw bytes)}.
_spec = importlib.util.spec_from_file_location(
    "same_tensors", os.path.join(os.path.dirname(os.path.abspath(__file__)), "same-tensors.py"))
_same = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_same)


def tensors(path):
    return {name: (shape, struct.unpack("<%df" % (len(raw) // 4), raw))
            for name, (shape, raw) in _same.tensors(path).items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    a, b = tensors(args.a), tensors(args.b)
    if sorted(a) != sorted(b):
        print("the files hold different tensors: %s vs %s" % (sorted(a), sorted(b)))
        sys.exit(1)
    for name in sorted(a):
        (shape_a, x), (shape_b, y) = a[name], b[name]
        if shape_a != shape_b:
            print("%s: shapes differ, %s vs %s" % (name, shape_a, shape_b))
            sys.exit(1)
        worst = max((abs(p - q) - args.rtol * abs(q) for p, q in zip(x, y)), default=0.0)
        if worst > args.atol:
            print("%s: differs by more than the tolerance (excess %g)" % (name, worst))
            sys.exit(1)
        print("%s: %d values close" % (name, len(x)))


if __name__ == "__main__":
    main()
