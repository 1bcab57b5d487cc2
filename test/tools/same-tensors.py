#!/usr/bin/env python3
"""Checks that two safetensors files hold the same bytes for each named
tensor; prints 'NAME: N values equal' per tensor, exit 1 at a difference.

usage: same-tensors.py A.safetensors B.safetensors NAME...
"""
import json
import struct
import sys


def tensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    return {k: (v["shape"], data[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]])
            for k, v in header.items()}


def main():
    a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
    for name in sys.argv[3:]:
        if name not in a or name not in b:
            print("%s: missing from %s" % (name, sys.argv[1] if name not in a else sys.argv[2]))
            sys.exit(1)
        if a[name] != b[name]:
            print("%s: differs" % name)
            sys.exit(1)
        print("%s: %d values equal" % (name, len(a[name][1]) // 4))


if __name__ == "__main__":
    main()
