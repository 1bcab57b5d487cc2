#!/usr/bin/env python3
"""Writes the small data sets of the examples (deterministic, no numpy):

  linear.csv     y = 2x + 1 plus noise, 20 points      (linear_regression.nn)
  points.csv     two Gaussian clouds in 2-D, 200 points (logistic_regression.nn)
  xor.csv        the four points of XOR                 (xor.nn)

Each file has a header; x and labels are in separate files so that each
placeholder reads its own columns.
"""
import random

rng = random.Random(7)
with open("linear_x.csv", "w") as fx, open("linear_y.csv", "w") as fy:
    fx.write("x\n"); fy.write("y\n")
    for i in range(20):
        x = i / 4.0
        fx.write(f"{x}\n")
        fy.write(f"{2 * x + 1 + rng.gauss(0, 0.3):.4f}\n")
with open("points_x.csv", "w") as fx, open("points_t.csv", "w") as ft:
    fx.write("x1,x2\n"); ft.write("t\n")
    for i in range(200):
        label = i % 2
        cx, cy = (1.5, 1.0) if label else (-1.0, -1.5)
        fx.write(f"{cx + rng.gauss(0, 1):.4f},{cy + rng.gauss(0, 1):.4f}\n")
        ft.write(f"{label}\n")
with open("xor_x.csv", "w") as fx, open("xor_t.csv", "w") as ft:
    fx.write("x1,x2\n"); ft.write("t\n")
    for a in (0, 1):
        for b in (0, 1):
            fx.write(f"{a},{b}\n"); ft.write(f"{a ^ b}\n")
