#!/usr/bin/env python3
"""Writes DIR/layouts.nn, whose infer program computes a x b^T and a2^T x b2
(which convert-nn-to-linalg makes linalg.matmul_transpose_b / _a, run by the
micro-kernel's dot-product and transposed-A forms), and DIR/layouts.expected,
the same in float64 plain Python. Sizes leave remainders everywhere: rows and
columns not multiples of the register tile, K = 37 = 2 x 16 + 5.

usage: matmul-layouts.py DIR
"""
import os
import sys

M, N, K = 5, 7, 37
a = [[((i * 37 + k) % 11 - 5) / 4 for k in range(K)] for i in range(M)]
b = [[((j * 13 + k * 7) % 9 - 4) / 3 for k in range(K)] for j in range(N)]
a2 = [[((k * 5 + i) % 7 - 3) / 2 for i in range(M)] for k in range(K)]   # [K, M]
b2 = [[((k + j * 3) % 5 - 2) / 4 for j in range(N)] for k in range(K)]   # [K, N]


def lit(m):
    return "[" + ", ".join("[" + ", ".join(repr(v) for v in row) + "]" for row in m) + "]"


out = sys.argv[1]
with open(os.path.join(out, "layouts.nn"), "w") as f:
    f.write("model layouts\n")
    f.write("const a : f32[%d, %d] = constant(%s)\n" % (M, K, lit(a)))
    f.write("const b : f32[%d, %d] = constant(%s)\n" % (N, K, lit(b)))
    f.write("const a2 : f32[%d, %d] = constant(%s)\n" % (K, M, lit(a2)))
    f.write("const b2 : f32[%d, %d] = constant(%s)\n" % (K, N, lit(b2)))
    f.write("abt = matmul(a, transpose(b))\n")
    f.write("atb = matmul(transpose(a2), b2)\n")
    f.write("infer {\n  output: abt, atb\n}\n")
abt = [[sum(a[i][k] * b[j][k] for k in range(K)) for j in range(N)] for i in range(M)]
atb = [[sum(a2[k][i] * b2[k][j] for k in range(K)) for j in range(N)] for i in range(M)]
with open(os.path.join(out, "layouts.expected"), "w") as f:
    f.write("abt: " + " ".join("%.6f" % v for row in abt for v in row) + "\n")
    f.write("atb: " + " ".join("%.6f" % v for row in atb for v in row) + "\n")
