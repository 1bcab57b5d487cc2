#!/usr/bin/env python3
"""An independent float64 implementation of TensorFlow 1.x's optimizers on
linear regression, compared with a checkpoint written by a generated program.

  optimizer-reference.py CHECKPOINT X.csv Y.csv STEPS NAME [key=value ...]

The model is pred = x w + b, loss = mean((pred - y)^2) over all items (one
batch, no shuffling), w and b starting at 0. The update rules are those of
tf.train.{GradientDescent,Momentum,Adagrad,Adam}Optimizer (TF 1.15):

  sgd       w -= lr g
  momentum  a = m a + g; w -= lr a
  adagrad   s += g^2 (s starts at 0.1); w -= lr g / sqrt(s)
  adam      lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
            m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2
            w -= lr_t m / (sqrt(v) + eps)

It compares w, b and the optimizer's state (w.adam_m, ...) with the
checkpoint, each within a relative 1e-5, and prints every compared value.
"""
import json
import math
import struct
import sys


def read_csv(path):
    rows = [l.strip() for l in open(path) if l.strip()]
    return [float(r) for r in rows[1:]]  # one header line


def read_checkpoint(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        out[name] = list(struct.unpack("<%df" % ((end - begin) // 4), body[begin:end]))
    return out


def main():
    path, xs, ys, steps, name = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    params = dict(kv.split("=") for kv in sys.argv[6:])
    lr = float(params["learning_rate"])
    x, y = read_csv(xs), read_csv(ys)
    n = len(x)
    theta = {"w": 0.0, "b": 0.0}
    state = {}
    b1, b2, eps = float(params.get("beta1", 0.9)), float(params.get("beta2", 0.999)), float(params.get("epsilon", 1e-8))
    for t in range(1, steps + 1):
        err = [theta["w"] * xi + theta["b"] - yi for xi, yi in zip(x, y)]
        grads = {"w": 2.0 / n * sum(e * xi for e, xi in zip(err, x)), "b": 2.0 / n * sum(err)}
        for v, g in grads.items():
            if name == "sgd":
                theta[v] -= lr * g
            elif name == "momentum":
                a = float(params["momentum"]) * state.get(v + ".momentum", 0.0) + g
                state[v + ".momentum"] = a
                theta[v] -= lr * a
            elif name == "adagrad":
                s = state.get(v + ".adagrad", 0.1) + g * g
                state[v + ".adagrad"] = s
                theta[v] -= lr * g / math.sqrt(s)
            elif name == "adam":
                lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                m = b1 * state.get(v + ".adam_m", 0.0) + (1 - b1) * g
                s = b2 * state.get(v + ".adam_v", 0.0) + (1 - b2) * g * g
                state[v + ".adam_m"], state[v + ".adam_v"] = m, s
                theta[v] -= lr_t * m / (math.sqrt(s) + eps)
    expected = dict(theta, **state)
    got = read_checkpoint(path)
    ok = True
    for k in sorted(expected):
        e, a = expected[k], got[k][0]
        good = abs(a - e) <= 1e-5 * max(abs(e), 1e-3)
        ok &= good
        print(f"{k}: float64 {e:.9g} program {a:.9g} {'ok' if good else 'DIFFERENT'}")
    print("optimizer matches the float64 reference" if ok else "optimizer DIFFERS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
