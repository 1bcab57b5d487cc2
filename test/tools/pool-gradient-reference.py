#!/usr/bin/env python3
"""Checks one SGD step (learning rate 1) of Inputs/pool_train.nn: w1 in
CHECKPOINT must equal w1 - dL/dw1, with dL/dw1 from central finite
differences of plain float64 Python conv2d, relu, max_pool and avg_pool
(tf_reference.py).

  pool-gradient-reference.py CHECKPOINT X.csv
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tf_reference import conv, pool  # noqa: E402

W1 = [1, 0, -1, 0.5, 2, 1, 0, 1, 1, -1, 0.5, 0, 2, -1, 0, 1, 1, 1, 0.5, 0.5, -2, 1, 0, 1,
      -1, 1, 0, 0, -0.5, 1, 1, 2, 0.25, 0, 0, -1]


def loss(items, w):
    total = 0.0
    for img in items:
        h, hs = conv(img, (5, 4, 2), w, (3, 2, 2, 3), (1, 1), "SAME")
        relu = lambda shift: [max(v + shift, 0.0) for v in h]
        p, _ = pool(relu(0.0), hs, (2, 2), (2, 2), "SAME", "max")
        q, _ = pool(relu(1.0), hs, (3, 2), (1, 2), "VALID", "avg")
        r, _ = pool(relu(-0.5), hs, (3, 3), (2, 1), "SAME", "max")
        total += sum(v * v for v in p) + sum(v * v for v in q) + sum(r)
    return total * 0.001


def main():
    data = open(sys.argv[1], "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    entry = json.loads(data[8:8 + n])["w1"]
    b, e = entry["data_offsets"]
    got = struct.unpack("<%df" % ((e - b) // 4), data[8 + n + b:8 + n + e])
    items = [[float(v) for v in line.split(",")] for line in open(sys.argv[2]) if line.strip()]
    w = list(W1)
    worst = 0.0
    for i in range(len(w)):
        saved, h = w[i], 1e-6
        w[i] = saved + h
        up = loss(items, w)
        w[i] = saved - h
        down = loss(items, w)
        w[i] = saved
        expected = saved - (up - down) / (2 * h)
        worst = max(worst, abs(got[i] - expected) / max(abs(expected), 1e-2))
    print(f"w1: {len(w)} values compared, worst relative difference {worst:.2e}")
    print("gradients match" if worst < 1e-4 else "gradients DIFFER")
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
