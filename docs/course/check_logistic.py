"""Counts, in plain Python, how many of the 200 points the trained logistic
regression classifies right: class 1 where x w + b > 0 (p > 0.5).

    python3 docs/course/check_logistic.py logistic_regression.safetensors
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import safetensors  # noqa: E402

t = safetensors.read(sys.argv[1])
w, b = t["w"], t["b"]
xs = [[float(v) for v in row] for row in list(csv.reader(open("examples/data/points_x.csv")))[1:]]
ts = [float(row[0]) for row in list(csv.reader(open("examples/data/points_t.csv")))[1:]]
right = sum((x[0] * w[0] + x[1] * w[1] + b[0] > 0) == (c == 1) for x, c in zip(xs, ts))
print("w = [%.4f, %.4f], b = %.4f: %d of %d points right" % (w[0], w[1], b[0], right, len(ts)))
