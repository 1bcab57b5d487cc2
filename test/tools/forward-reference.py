"""Float64 references of the forward e2e tests: what each test model's infer
program must print, computed in plain Python from the model's definitions
(written again here, independently of nnc), in the infer program's format:
one line per item and output, "name: v v ...".

    forward-reference.py elementwise X.csv    test/Inputs/elementwise.nn
    forward-reference.py tensor_ops           test/Inputs/tensor_ops.nn
    forward-reference.py conv2d X.csv         test/Inputs/conv2d.nn
    forward-reference.py pool X.csv           test/Inputs/pool.nn
    forward-reference.py layers X.csv         test/Inputs/layers.nn

The tests compare the program's output with this one number by number
(compare-numbers.py: float32 against float64)."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import tf_reference  # noqa: E402  (conv and pool, TensorFlow's semantics)


def fmt(values):
    return " ".join("%.9g" % v for v in values)


def rows(path):
    return [[float(v) for v in line.split(",")] for line in open(path) if line.strip()]


def elementwise(path):
    """test/Inputs/elementwise.nn: every elementwise op on one row of 4,
    broadcast against the constant c."""
    c = [2.0, -1.0, 0.5, 3.0]
    outputs = [
        ("neg_x", lambda x, c: -x),
        ("abs_x", lambda x, c: abs(x)),
        ("square_x", lambda x, c: x * x),
        ("sqrt_x", lambda x, c: math.sqrt(abs(x))),
        ("exp_x", lambda x, c: math.exp(x)),
        ("log_x", lambda x, c: math.log(abs(x))),
        ("relu_x", lambda x, c: max(x, 0.0)),
        ("sigmoid_x", lambda x, c: 1 / (1 + math.exp(-x))),
        ("tanh_x", lambda x, c: math.tanh(x)),
        ("step_x", lambda x, c: 1.0 if x > 0 else 0.0),
        ("pow_x", lambda x, c: abs(x) ** c),
        ("max_x", lambda x, c: max(x, c)),
        ("min_x", lambda x, c: min(x, 0.0)),
        ("arith", lambda x, c: (x + c) * 2 - x / c),
        ("scalar_mix", lambda x, c: 1 - x / 255.0),
        ("equal_x", lambda x, c: 1.0 if x == 0.5 else 0.0),
        ("greater_x", lambda x, c: 1.0 if x > c else 0.0),
        ("less_x", lambda x, c: 1.0 if x < c else 0.0),
        ("unary_minus", lambda x, c: -x * -1),
    ]
    for row in rows(path):
        for name, f in outputs:
            print(f"{name}: {fmt(f(x, k) for x, k in zip(row, c))}")


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
            for i in range(len(a))]


def transpose(a):
    return [list(col) for col in zip(*a)]


def flat(a):
    return [v for row in a for v in row]


def log_softmax_row(row):
    m = max(row)
    lse = m + math.log(sum(math.exp(v - m) for v in row))
    return [v - lse for v in row]


def tensor_ops():
    """test/Inputs/tensor_ops.nn: linear algebra, shapes, reductions, softmax
    and the losses on constants."""
    a = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
    b = [[0.5, 1.0], [2.0, -1.0], [-1.0, 0.25]]
    labels = [[0.0, 0.0, 1.0], [0.25, 0.75, 0.0]]
    targets = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    bt = transpose(b)
    a3 = [a]  # reshape(a, [1, 2, 3])
    # transpose(perm=[2, 0, 1]): out[k][i][j] = a3[i][j][k]
    tp = [[[a3[i][j][k] for j in range(2)] for i in range(1)] for k in range(3)]
    out = [
        ("mm", flat(matmul(a, b))),
        ("tr", flat(transpose(a))),
        ("tp", [v for k in tp for i in k for v in i]),
        ("rs", flat(a)),
        ("cc0", flat(a + bt)),
        ("cc1", flat([ra + rb for ra, rb in zip(a, bt)])),
        ("sum_all", [sum(flat(a))]),
        ("sum0", [sum(col) for col in zip(*a)]),
        ("sum1k", [sum(row) for row in a]),
        ("mean_last", [sum(row) / 3 for row in a]),
        ("mean_all", [sum(flat(a)) / 6]),
        ("max0", [max(col) for col in zip(*a)]),
        ("max_both", [max(flat(a))]),
        ("am1", [row.index(max(row)) for row in a]),
        ("am0", [list(col).index(max(col)) for col in zip(*a)]),
        ("sm", [math.exp(v) for row in a for v in log_softmax_row(row)]),
        ("lsm", [v for row in a for v in log_softmax_row(row)]),
        ("sce", [sum(-t * l for row, trow in zip(a, labels)
                     for l, t in zip(log_softmax_row(row), trow))]),
        ("sgce", [sum(max(x, 0) - x * z + math.log1p(math.exp(-abs(x)))
                      for x, z in zip(flat(a), flat(targets)))]),
        ("mse", [sum((p - t) ** 2 for p, t in zip(flat(a), flat(bt))) / 6]),
    ]
    for name, values in out:
        print(f"{name}: {fmt(values)}")


# test/Inputs/conv2d.nn's filter, [3, 2, 2, 3] (HWIO), flattened row-major.
CONV_W = [1, 0, -1, 0.5, 2, 1, 0, 1, 1, -1, 0.5, 0,
          2, -1, 0, 1, 1, 1, 0.5, 0.5, -2, 1, 0, 1,
          -1, 1, 0, 0, -0.5, 1, 1, 2, 0.25, 0, 0, -1]


def conv2d(path):
    """test/Inputs/conv2d.nn: SAME and VALID at strides 1 and 2 on 5x4x2."""
    cases = [("same1", [1, 1], "SAME"), ("valid1", [1, 1], "VALID"),
             ("same2", [2, 2], "SAME"), ("valid2", [2, 1], "VALID")]
    for img in rows(path):
        for name, strides, padding in cases:
            y, _ = tf_reference.conv(img, (5, 4, 2), CONV_W, (3, 2, 2, 3), strides, padding)
            print(f"{name}: {fmt(y)}")


def pool(path):
    """test/Inputs/pool.nn: max and average pooling on 5x4x2."""
    cases = [("max_same", [2, 2], [2, 2], "SAME", "max"),
             ("avg_same", [2, 2], [2, 2], "SAME", "avg"),
             ("max_valid", [3, 2], [1, 2], "VALID", "max"),
             ("avg_valid", [3, 2], [1, 2], "VALID", "avg"),
             ("max_overlap", [3, 3], [2, 1], "SAME", "max"),
             ("avg_overlap", [3, 3], [2, 1], "SAME", "avg")]
    for img in rows(path):
        for name, ksize, strides, padding, kind in cases:
            y, _ = tf_reference.pool(img, (5, 4, 2), ksize, strides, padding, kind)
            print(f"{name}: {fmt(y)}")


def layers(path):
    """test/Inputs/layers.nn: conv (SAME, strides [2, 1]) + bias + relu,
    flattened; dense + bias + tanh on the channel means; dense, no bias."""
    conv_b = [0.5, -0.25, 0]
    d_w, d_b = [[1, -2, 0.5], [0.25, 1, -1]], [0.1, -0.1, 0.2]
    e_w = [[1, 0], [-1, 2], [0.5, 0.5]]
    for img in rows(path):
        y, _ = tf_reference.conv(img, (5, 4, 2), CONV_W, (3, 2, 2, 3), [2, 1], "SAME")
        f = [max(v + conv_b[i % 3], 0.0) for i, v in enumerate(y)]  # NHWC: channel last
        means = [sum(img[c::2]) / 20 for c in range(2)]
        d = [math.tanh(sum(means[i] * d_w[i][j] for i in range(2)) + d_b[j]) for j in range(3)]
        e = [sum(d[i] * e_w[i][j] for i in range(3)) for j in range(2)]
        for name, values in (("f", f), ("d", d), ("e", e)):
            print(f"{name}: {fmt(values)}")


if __name__ == "__main__":
    model, args = sys.argv[1], sys.argv[2:]
    {"elementwise": elementwise, "tensor_ops": tensor_ops, "conv2d": conv2d,
     "pool": pool, "layers": layers}[model](*args)
