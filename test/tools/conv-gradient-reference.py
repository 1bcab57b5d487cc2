#!/usr/bin/env python3
"""Checks one SGD step (learning rate 1) of Inputs/conv2d_train.nn: the filters
in CHECKPOINT must equal w - dL/dw, with dL/dw from central finite
differences of a plain float64 Python tf.nn.conv2d (tf_reference.py).

  conv-gradient-reference.py CHECKPOINT X.csv
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tf_reference import conv  # noqa: E402

W1 = [[[[1, 0, -1], [0.5, 2, 1]], [[0, 1, 1], [-1, 0.5, 0]]],
      [[[2, -1, 0], [1, 1, 1]], [[0.5, 0.5, -2], [1, 0, 1]]],
      [[[-1, 1, 0], [0, -0.5, 1]], [[1, 2, 0.25], [0, 0, -1]]]]
W2 = [[[[0.5, -1], [1, 0.25], [0, 1]], [[-0.5, 0], [1, 1], [0.5, -2]]],
      [[[1, 0.5], [-1, 0], [0.25, 0.75]], [[0, 1], [2, -1], [1, 0.5]]]]


def flat(t):
    return [v for a in t for b in a for c in b for v in c]


def loss(items, w1, w2):
    total = 0.0
    for img in items:
        h, hs = conv(img, (5, 4, 2), w1, (3, 2, 2, 3), (2, 1), "SAME")
        y, _ = conv(h, hs, w2, (2, 2, 3, 2), (1, 2), "VALID")
        total += sum(v * v for v in y)
    return total * 0.001


def main():
    data = open(sys.argv[1], "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    got = {}
    for name, e in header.items():
        if name != "__metadata__":
            b, end = e["data_offsets"]
            got[name] = struct.unpack("<%df" % ((end - b) // 4), data[8 + n + b:8 + n + end])
    items = [[float(v) for v in line.split(",")] for line in open(sys.argv[2]) if line.strip()]
    params = {"w1": flat(W1), "w2": flat(W2)}
    worst = 0.0
    for name, w in params.items():
        for i in range(len(w)):
            saved, h = w[i], 1e-6
            w[i] = saved + h
            up = loss(items, params["w1"], params["w2"])
            w[i] = saved - h
            down = loss(items, params["w1"], params["w2"])
            w[i] = saved
            expected = saved - (up - down) / (2 * h)
            err = abs(got[name][i] - expected) / max(abs(expected), 1e-2)
            worst = max(worst, err)
        print(f"{name}: {len(w)} values compared")
    print(f"worst relative difference {worst:.2e}")
    print("gradients match" if worst < 1e-4 else "gradients DIFFER")
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
