#!/usr/bin/env python3
"""Writes DIR/layouts.nn, whose infer program computes a x b^T and a2^T x b2
(which convert-nn-to-linalg makes linalg.matmul_transpose_b / _a, run by the
micro-kernel's dot-product and transposed-A forms), and a3 x b3, whose rows
of b3 (1030 floats) are more than a page apart, so that the micro-kernel
copies its slivers before reading them; and DIR/layouts.expected, the same
in float64 plain Python. Sizes leave remainders everywhere: rows and
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
M3, N3, K3 = 19, 1030, 70
a3 = [[((i * 7 + k * 3) % 13 - 6) / 8 for k in range(K3)] for i in range(M3)]
b3 = [[((k * 11 + j) % 17 - 8) / 16 for j in range(N3)] for k in range(K3)]


def lit(m):
    return "[" + ", ".join("[" + ", ".join(repr(v) for v in row) + "]" for row in m) + "]"


out = sys.argv[1]
with open(os.path.join(out, "layouts.nn"), "w") as f:
    f.write("model layouts\n")
    f.write("const a : f32[%d, %d] = constant(%s)\n" % (M, K, lit(a)))
    f.write("const b : f32[%d, %d] = constant(%s)\n" % (N, K, lit(b)))
    f.write("const a2 : f32[%d, %d] = constant(%s)\n" % (K, M, lit(a2)))
    f.write("const b2 : f32[%d, %d] = constant(%s)\n" % (K, N, lit(b2)))
    f.write("const a3 : f32[%d, %d] = constant(%s)\n" % (M3, K3, lit(a3)))
    f.write("const b3 : f32[%d, %d] = constant(%s)\n" % (K3, N3, lit(b3)))
    f.write("abt = matmul(a, transpose(b))\n")
    f.write("atb = matmul(transpose(a2), b2)\n")
    f.write("ab = matmul(a3, b3)\n")
    f.write("infer {\n  output: abt, atb, ab\n}\n")
abt = [[sum(a[i][k] * b[j][k] for k in range(K)) for j in range(N)] for i in range(M)]
atb = [[sum(a2[k][i] * b2[k][j] for k in range(K)) for j in range(N)] for i in range(M)]
ab = [[sum(a3[i][k] * b3[k][j] for k in range(K3)) for j in range(N3)] for i in range(M3)]
with open(os.path.join(out, "layouts.expected"), "w") as f:
    f.write("abt: " + " ".join("%.6f" % v for row in abt for v in row) + "\n")
    f.write("atb: " + " ".join("%.6f" % v for row in atb for v in row) + "\n")
    f.write("ab: " + " ".join("%.6f" % v for row in ab for v in row) + "\n")
