#!/usr/bin/env python3
"""bench/conv/run.py [--runs N] [--only conv2:filter,...] [--nnc-only]: the two-layer CNN's convolution layers in
nnc against Halide 21 (PyPI `halide`, in bench/.venv: bench/setup.sh), one
thread each, in the same run.

For each layer of examples/fashion_cnn.nn at batch 50 (5x5 filters, stride
1, SAME padding; conv1 28x28x1 -> 32 channels, conv2 14x14x32 -> 64) and
each kernel a train step runs (the forward pass, the filter gradient, and
for conv2 the input gradient: conv1's input is the image), it times
  - nnc: the nn op (nn.conv2d, nn.conv2d_backprop_filter,
    nn.conv2d_backprop_input) through nnc's whole CPU pipeline
    (bench/conv/conv.mlir.in, bench/conv/harness.cpp), as in a step;
  - Halide, the same definition (a sum over an RDom of a zero-padded
    input), scheduled by each CPU autoscheduler Halide ships (Adams2019,
    Li2018, Mullapudi2016; parallelism 1) and by hand (the output tiled 2
    vectors x 4, an accumulator tile per output tile, its update vectorised
    and unrolled inside the whole sum);
and checks every result against a float64 numpy reference (the max
difference over nnc's and Halide's results). Figures are GFLOP/s, counting every
tap of the padded sum (2 N OH OW KH KW C O), medians of N timings
(default 5) of about 0.5 s each. Writes the table to stdout.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("NNC_BIN", os.path.join(ROOT, "build", "bin"))
LLVM = "/usr/lib/llvm-19/bin"
BATCH, K, PAD = 50, 5, 2  # 5x5 filters, SAME padding of 2 on each side at stride 1

# name, image size, input channels, output channels, kernels of a step
LAYERS = [("conv1", 28, 1, 32, ("forward", "filter")),
          ("conv2", 14, 32, 64, ("forward", "filter", "input"))]


def shapes(kind, size, cin, cout):
    """NHWC / HWIO shapes of the two inputs and the output of one kernel."""
    x, w, y = (BATCH, size, size, cin), (K, K, cin, cout), (BATCH, size, size, cout)
    return {"forward": (x, w, y), "filter": (x, y, w), "input": (y, w, x)}[kind]


def float64_reference(kind, a, b, size):
    """The kernel in float64 with numpy, the sum over the 25 taps written out:
    what both nnc's and Halide's results are checked against."""
    p = np.pad(a.astype(np.float64), ((0, 0), (PAD, PAD), (PAD, PAD), (0, 0)))
    window = lambda kh, kw: p[:, kh:kh + size, kw:kw + size, :]
    taps = [(kh, kw) for kh in range(K) for kw in range(K)]
    if kind == "forward":
        return sum(np.einsum("nhwc,co->nhwo", window(kh, kw), b[kh, kw]) for kh, kw in taps)
    if kind == "filter":
        return np.array([[np.einsum("nhwc,nhwo->co", window(kh, kw), b) for kw in range(K)]
                         for kh in range(K)])
    # dx[n, h, v] = sum g[n, h + 2 - kh, v + 2 - kw] w[kh, kw]^T: g padded, windows flipped
    return sum(np.einsum("nhwo,co->nhwc", window(K - 1 - kh, K - 1 - kw), b[kh, kw])
               for kh, kw in taps)


def nnc_kernel(kind, size, a, b, c, work):
    """Builds nnc's kernel for one op; returns the harness binary."""
    op = {"forward": "nn.conv2d", "filter": "nn.conv2d_backprop_filter",
          "input": "nn.conv2d_backprop_input"}[kind]
    attrs = 'strides = array<i64: 1, 1>, padding = "SAME"'
    if kind == "filter":
        attrs = "kernel_size = array<i64: %d, %d>, " % (K, K) + attrs
    if kind == "input":
        attrs = "input_size = array<i64: %d, %d>, " % (size, size) + attrs
    dims = lambda s: "x".join(map(str, s))
    text = open(os.path.join(HERE, "conv.mlir.in")).read()
    for key, value in (("@OP@", op), ("@ATTRS@", attrs), ("@A@", dims(a)), ("@B@", dims(b)),
                       ("@C@", dims(c))):
        text = text.replace(key, value)
    src = os.path.join(work, "conv.mlir")
    open(src, "w").write(text)
    run = lambda cmd: subprocess.run(cmd, check=True, capture_output=True)
    run([os.path.join(BIN, "nn-opt"), "--nn-cpu-pipeline", src, "-o", src + ".llvm"])
    run([os.path.join(LLVM, "mlir-translate"), "--mlir-to-llvmir", src + ".llvm", "-o", src + ".ll"])
    run([os.path.join(LLVM, "clang"), "-O3", "-march=native", "-c", src + ".ll", "-o", src + ".o"])
    exe = os.path.join(work, "conv-" + kind)
    run(["c++", "-O2", "-I" + ROOT, os.path.join(HERE, "harness.cpp"), src + ".o",
         os.path.join(BIN, "..", "lib", "libnnrt.a"), "-o", exe, "-lz", "-lm", "-lpthread"])
    return exe


def time_nnc(exe, inputs, out_shape, runs, flops, work):
    paths = [os.path.join(work, n) for n in ("a.raw", "b.raw", "c.raw")]
    for path, array in zip(paths, inputs):
        array.astype(np.float32).tofile(path)
    probe = subprocess.run([exe] + paths + ["1", "1"], check=True, capture_output=True, text=True)
    inner = max(1, int(0.5 / float(probe.stdout.split()[0])))
    out = subprocess.run([exe] + paths + [str(runs), str(inner)], check=True,
                         capture_output=True, text=True)
    seconds = [float(s) for s in out.stdout.split()]
    return [flops / s / 1e9 for s in seconds], np.fromfile(paths[2], np.float32).reshape(out_shape)


def halide_definition(hl, kind, size, cin, cout):
    """The kernel in Halide. Halide's first dimension is the innermost, so an
    NHWC array is f(c, w, h, n) and an HWIO filter w(o, c, kw, kh)."""
    a = hl.ImageParam(hl.Float(32), 4, "a")
    b = hl.ImageParam(hl.Float(32), 4, "b")
    d0, d1, d2, d3 = (hl.Var(n) for n in ("d0", "d1", "d2", "d3"))
    acc = hl.Func("acc")
    acc[d0, d1, d2, d3] = hl.f32(0)
    staged = []  # what a hand schedule computes first: the padded input (and wt)
    if kind == "forward":  # y(o, j, i, n) = sum_{c,kw,kh} w(o, c, kw, kh) x(c, j+kw-2, i+kh-2, n)
        xp = hl.BoundaryConditions.constant_exterior(a, hl.f32(0))
        r = hl.RDom([(0, cin), (0, K), (0, K)], "r")
        acc[d0, d1, d2, d3] += b[d0, r.x, r.y, r.z] * xp[r.x, d1 + r.y - PAD, d2 + r.z - PAD, d3]
        extents = (cout, size, size, BATCH)
    elif kind == "filter":  # dw(o, c, kw, kh) = sum_{j,i,n} x(c, j+kw-2, i+kh-2, n) g(o, j, i, n)
        xp = hl.BoundaryConditions.constant_exterior(a, hl.f32(0))
        r = hl.RDom([(0, size), (0, size), (0, BATCH)], "r")
        acc[d0, d1, d2, d3] += xp[d1, r.x + d2 - PAD, r.y + d3 - PAD, r.z] * b[d0, r.x, r.y, r.z]
        extents = (cout, cin, K, K)
    else:  # dx(c, v, h, n) = sum_{o,kw,kh} g(o, v+2-kw, h+2-kh, n) w(o, c, kw, kh)
        xp = hl.BoundaryConditions.constant_exterior(a, hl.f32(0))
        # The filter with its channel axes swapped, wt(c, o, kw, kh), so that
        # the input channel (the output's innermost) runs along memory.
        wt = hl.Func("wt")
        wt[d0, d1, d2, d3] = b[d1, d0, d2, d3]
        r = hl.RDom([(0, cout), (0, K), (0, K)], "r")
        acc[d0, d1, d2, d3] += xp[r.x, d1 + PAD - r.y, d2 + PAD - r.z, d3] * wt[d0, r.x, r.y, r.z]
        extents = (cin, size, size, BATCH)
        staged.append(wt)
    out = hl.Func("out")
    out[d0, d1, d2, d3] = acc[d0, d1, d2, d3]
    staged.append(xp)
    return a, b, acc, out, (d0, d1, d2, d3), r, extents, staged


def schedule_by_hand(hl, acc, out, dims, r, extents, staged):
    """The padded input (and the swapped filter) computed first, whole; the
    output tiled (2 vectors of the innermost dimension) x 4 of the next one
    that has 4; per tile, an accumulator tile in registers whose update runs
    the whole sum with the tile innermost."""
    for f in staged:
        f.compute_root()
    vec = hl.get_host_target().natural_vector_size(hl.Float(32))
    d = list(dims)
    inner = d[0]
    second = next(i for i in range(1, 4) if extents[i] >= 4)
    width = min(2 * vec, extents[0])
    xo, xi, yo, yi = hl.Var("xo"), hl.Var("xi"), hl.Var("yo"), hl.Var("yi")
    out.tile(inner, d[second], xo, yo, xi, yi, width, 4).vectorize(xi, min(vec, width)).unroll(yi)
    acc.compute_at(out, xo).vectorize(inner, min(vec, width)).unroll(d[second])
    acc.update().reorder(inner, d[second], r.x, r.y, r.z).vectorize(inner, min(vec, width)) \
        .unroll(d[second])


def time_halide(hl, kind, size, cin, cout, inputs, scheduler, runs, flops):
    a, b, acc, out, dims, r, extents, staged = halide_definition(hl, kind, size, cin, cout)
    buffers = [hl.Buffer(np.ascontiguousarray(x, np.float32)) for x in inputs]
    a.set(buffers[0])
    b.set(buffers[1])
    target = hl.get_host_target()
    pipeline = hl.Pipeline(out)
    if scheduler == "manual":
        schedule_by_hand(hl, acc, out, dims, r, extents, staged)
    else:
        # The autoschedulers need the sizes: estimates on inputs and output.
        for param, array in ((a, inputs[0]), (b, inputs[1])):
            param.set_estimates([(0, n) for n in reversed(array.shape)])
        out.set_estimates([(0, n) for n in extents])
        hl.load_plugin(os.path.join(os.path.dirname(hl.__file__), "lib64",
                                    "libautoschedule_%s.so" % scheduler.lower()))
        pipeline.apply_autoscheduler(target, hl.AutoschedulerParams(scheduler, {"parallelism": "1"}))
    pipeline.compile_jit(target)
    result = hl.Buffer(hl.Float(32), list(extents))
    pipeline.realize(result)
    t0 = time.perf_counter()
    pipeline.realize(result)
    inner = max(1, int(0.5 / (time.perf_counter() - t0)))
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(inner):
            pipeline.realize(result)
        rates.append(flops * inner / (time.perf_counter() - t0) / 1e9)
    return rates, np.asarray(result)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="",
                        help="kernels to run, e.g. conv2:filter,conv2:input (default: all)")
    parser.add_argument("--nnc-only", action="store_true",
                        help="time nnc's kernels alone (minutes instead of Halide's autoschedulers' hour)")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    os.environ["HL_NUM_THREADS"] = "1"  # one thread, as nnc's harness and OpenBLAS
    import halide as hl
    work = tempfile.mkdtemp()
    rng = np.random.default_rng(1)
    schedulers = () if args.nnc_only else ("Adams2019", "Li2018", "Mullapudi2016", "manual")
    peers = "".join(" | Halide " + s for s in schedulers)
    ratio = " | nnc / best autoscheduled" if schedulers else ""
    print("| layer | kernel | nnc" + peers + ratio + " | max diff from float64 |")
    print("|---" * (len(schedulers) + (5 if schedulers else 4)) + "|")
    for name, size, cin, cout, kinds in LAYERS:
        for kind in kinds:
            if only and "%s:%s" % (name, kind) not in only:
                continue
            a, b, c = shapes(kind, size, cin, cout)
            inputs = [rng.uniform(-0.5, 0.5, a), rng.uniform(-0.5, 0.5, b)]
            flops = 2.0 * BATCH * size * size * K * K * cin * cout
            exe = nnc_kernel(kind, size, a, b, c, work)
            nnc, result = time_nnc(exe, inputs, c, args.runs, flops, work)
            reference = float64_reference(kind, *inputs, size)
            diff = float(np.max(np.abs(result - reference)))
            row, best = [name, kind, "%.1f" % statistics.median(nnc)], 0.0
            for scheduler in schedulers:
                try:
                    rates, result = time_halide(hl, kind, size, cin, cout, inputs, scheduler,
                                                args.runs, flops)
                except Exception as e:  # a scheduler that fails is reported, not fatal
                    row.append("failed (%s)" % str(e).splitlines()[0][:40])
                    continue
                diff = max(diff, float(np.max(np.abs(result - reference))))
                row.append("%.1f" % statistics.median(rates))
                if scheduler != "manual":
                    best = max(best, statistics.median(rates))
            if schedulers:
                row.append("%.2f" % (statistics.median(nnc) / best) if best else "—")
            row.append("%.1e" % diff)
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
