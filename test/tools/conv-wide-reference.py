#!/usr/bin/env python3
"""One SGD step (learning rate 1) of Inputs/conv2d_wide_train.nn, checked in
float64 with plain Python: a convolution written as its definition (a sum
over the taps of the zero-padded image, TensorFlow's SAME/VALID padding) and
its gradients by the chain rule through the same sum. The shapes are chosen
to reach every part of nnc's direct convolution kernels: 37 output channels
(one full vector tile of 32 and a narrow rest), pixel counts that are not a
multiple of the tile's rows, a sum cut into several cache blocks (37 input
channels x 4 x 2 taps; 6 images), stride 2 and odd sizes.

  conv-wide-reference.py inputs INIT.safetensors X.csv   write the start
  conv-wide-reference.py check INIT.safetensors X.csv CHECKPOINT

`check` compares every filter element of CHECKPOINT with w - dL/dw (relative
1e-4, the program computes in float32), and first checks its own gradient
against central finite differences at a few elements.
"""
import importlib.util
import json
import math
import os
import struct
import sys

# The safetensors reader of same-tensors.py: {name: (shape, raw bytes)}.
_spec = importlib.util.spec_from_file_location(
    "same_tensors", os.path.join(os.path.dirname(os.path.abspath(__file__)), "same-tensors.py"))
_same = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_same)

N, H, W, C = 6, 9, 7, 3          # images
K1, F1, S1, P1 = (3, 3), 37, (1, 1), "SAME"
K2, F2, S2, P2 = (4, 2), 4, (2, 1), "SAME"
SCALE = 0.001


def numbers(count, seed):
    """Deterministic values in [-1, 1) on a grid of 1/64 (exact in float32)."""
    state, out = seed, []
    for _ in range(count):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(((state >> 8) % 128 - 64) / 64.0)
    return out


def padding(size, k, s, mode):
    """(output size, padding before) as TensorFlow computes them."""
    if mode == "VALID":
        return (size - k) // s + 1, 0
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2


def taps(xs, k, f, s, mode):
    """Every (output offset, image element, filter row) of the sum
    y[n, i, j, o] = sum over taps of x[n, i*sy + a - top, j*sx + b - left, c] * w[a, b, c, o]:
    y[base + o] takes x[at] * w[row + o]."""
    n_, h, wd, c = xs
    oh, top = padding(h, k[0], s[0], mode)
    ow, left = padding(wd, k[1], s[1], mode)
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                base = ((n * oh + i) * ow + j) * f
                for a in range(k[0]):
                    yy = i * s[0] + a - top
                    if not 0 <= yy < h:
                        continue
                    for b in range(k[1]):
                        xx = j * s[1] + b - left
                        if not 0 <= xx < wd:
                            continue
                        for ch in range(c):
                            yield base, ((n * h + yy) * wd + xx) * c + ch, ((a * k[1] + b) * c + ch) * f


def conv(x, xs, w, k, f, s, mode):
    """The convolution, as its definition; returns y and its shape."""
    shape = (xs[0], padding(xs[1], k[0], s[0], mode)[0], padding(xs[2], k[1], s[1], mode)[0], f)
    y = [0.0] * (shape[0] * shape[1] * shape[2] * f)
    for base, at, row in taps(xs, k, f, s, mode):
        v = x[at]
        for o in range(f):
            y[base + o] += v * w[row + o]
    return y, shape


def conv_backward(x, xs, w, k, f, s, mode, dy):
    """dL/dx and dL/dw of conv from dL/dy, through the same sum."""
    dx, dw = [0.0] * len(x), [0.0] * len(w)
    for base, at, row in taps(xs, k, f, s, mode):
        v, total = x[at], 0.0
        for o in range(f):
            g = dy[base + o]
            dw[row + o] += v * g
            total += w[row + o] * g
        dx[at] += total
    return dx, dw


def loss_of(x, w1, w2):
    h, hs = conv(x, (N, H, W, C), w1, K1, F1, S1, P1)
    y, _ = conv(h, hs, w2, K2, F2, S2, P2)
    return SCALE * sum(v * v for v in y)


def loss_and_gradients(x, w1, w2):
    h, hs = conv(x, (N, H, W, C), w1, K1, F1, S1, P1)
    y, _ = conv(h, hs, w2, K2, F2, S2, P2)
    loss = SCALE * sum(v * v for v in y)
    dy = [2 * SCALE * v for v in y]
    dh, dw2 = conv_backward(h, hs, w2, K2, F2, S2, P2, dy)
    _, dw1 = conv_backward(x, (N, H, W, C), w1, K1, F1, S1, P1, dh)
    return loss, dw1, dw2


def start():
    w1 = numbers(K1[0] * K1[1] * C * F1, 1)
    w2 = numbers(K2[0] * K2[1] * F1 * F2, 2)
    x = numbers(N * H * W * C, 3)
    return {"w1": w1, "w2": w2}, x


def write_safetensors(path, tensors, shapes):
    header, blobs, offset = {}, [], 0
    for name, values in tensors.items():
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shapes[name],
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    mode = sys.argv[1]
    weights, x = start()
    if mode == "inputs":
        write_safetensors(sys.argv[2], weights,
                          {"w1": [K1[0], K1[1], C, F1], "w2": [K2[0], K2[1], F1, F2]})
        with open(sys.argv[3], "w") as out:
            per = H * W * C
            for n in range(N):
                out.write(",".join(repr(v) for v in x[n * per:(n + 1) * per]) + "\n")
        return 0
    _, dw1, dw2 = loss_and_gradients(x, weights["w1"], weights["w2"])
    # The reference's own gradient against central differences of its loss.
    for name, grad, index in (("w1", dw1, 5), ("w1", dw1, 700), ("w2", dw2, 123)):
        w = dict(weights)
        w[name] = list(weights[name])
        saved, step = w[name][index], 1e-4
        w[name][index] = saved + step
        up = loss_of(x, w["w1"], w["w2"])
        w[name][index] = saved - step
        down = loss_of(x, w["w1"], w["w2"])
        numeric = (up - down) / (2 * step)
        if not math.isclose(numeric, grad[index], rel_tol=1e-6, abs_tol=1e-9):
            print(f"reference gradient {name}[{index}] {grad[index]} != finite difference {numeric}")
            return 1
    print("reference agrees with finite differences")
    got = {name: struct.unpack("<%df" % (len(raw) // 4), raw)
           for name, (_, raw) in _same.tensors(sys.argv[4]).items()}
    worst = 0.0
    for name, grad in (("w1", dw1), ("w2", dw2)):
        start_values = weights[name]
        for i, g in enumerate(grad):
            expected = start_values[i] - g
            worst = max(worst, abs(got[name][i] - expected) / max(abs(expected), 1e-2))
        print(f"{name}: {len(grad)} values compared")
    print(f"worst relative difference {worst:.2e}")
    print("gradients match" if worst < 1e-4 else "gradients DIFFER")
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
