#!/usr/bin/env python3
"""The expected w of test/Inputs/dropout_train.nn after STEPS SGD steps of
seed SEED, from an independent Philox4x32-10 in plain Python (the generator
of Salmon et al., as TensorFlow and JAX use it) and nn.dropout's rule:

    word = philox4x32(counter=(index, stream, step, step >> 32), key=seed)[0]
    kept = (word >> 8) < round(keep_prob * 2^24)

With x = 1 and loss = sum(dropout(x * w)), each step subtracts 4 (that is
1/keep_prob) times the number of rows of the batch that kept column j.

usage: dropout-reference.py SEED STEPS STREAM
prints w, comma-separated, as NAME-infer --output writes a row of y.
"""
import sys

M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
MASK = 0xFFFFFFFF


def philox4x32(counter, key):
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for _ in range(10):
        p0, p1 = M0 * c0, M1 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & MASK, p1 & MASK, ((p0 >> 32) ^ c3 ^ k1) & MASK, p0 & MASK
        k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
    return c0, c1, c2, c3


def kept(seed, step, stream, index, keep_prob):
    word = philox4x32((index, stream, step & MASK, step >> 32), (seed & MASK, seed >> 32))[0]
    return (word >> 8) < round(keep_prob * 2 ** 24)


def main():
    seed, steps, stream = (int(a) for a in sys.argv[1:4])
    keep, rows, cols = 0.25, 4, 8
    w = [1.0] * cols
    for step in range(1, steps + 1):
        for j in range(cols):
            count = sum(kept(seed, step, stream, b * cols + j, keep) for b in range(rows))
            w[j] -= count / keep
    print(",".join("%g" % v for v in w))


if __name__ == "__main__":
    main()
