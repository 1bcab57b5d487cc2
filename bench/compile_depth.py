#!/usr/bin/env python3
"""bench/compile_depth.py [--runs N] [--depths 2,8,32,64]: nnc's compile time
against the depth of a model, for issue 15's target "compile time linear in
the model". The model is an MLP of L hidden layers of 128 ReLU units on
Fashion-MNIST (784 -> 128 x L -> 10, softmax cross-entropy, Adam): the same
three matmul shapes at every depth, so a compiler that handles each shape
once would take about the same time per layer at every depth.

For each depth: `nnc deepL.nn -o DIR` (both programs, train and infer, all
the way to linked executables), wall time, median of N runs (default 3) with
the range; then the time per layer, and where one compile at the largest
depth spends it (`--mlir-timing`: the MLIR stages against the back end).
Prints a Markdown table; names the CPU (lscpu) it ran on.
"""
import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NNC = os.environ.get("NNC", os.path.join(HERE, "..", "build", "bin", "nnc"))


def model(depth):
    """The .nn text of an MLP with `depth` hidden layers of 128 units."""
    lines = ["model deep%d" % depth, "placeholder x : f32[?, 784]",
             "placeholder t : f32[?, 10]"]
    width = 784
    for i in range(1, depth + 1):
        lines += ["variable w%d : f32[%d, 128] = truncated_normal(stddev=0.1)" % (i, width),
                  "variable b%d : f32[128] = fill(0.1)" % i]
        width = 128
    lines += ["variable wo : f32[128, 10] = truncated_normal(stddev=0.1)",
              "variable bo : f32[10] = fill(0.1)"]
    previous = "x"
    for i in range(1, depth + 1):
        lines.append("h%d = relu(matmul(%s, w%d) + b%d)" % (i, previous, i, i))
        previous = "h%d" % i
    lines += ["logits = matmul(%s, wo) + bo" % previous, "p = softmax(logits)",
              "loss = softmax_cross_entropy(logits, t)",
              'data train {', '  x = idx("train-images-idx3-ubyte.gz") / 255.0',
              '  t = one_hot(idx("train-labels-idx1-ubyte.gz"), 10)', '}',
              "train {", "  minimize: loss", "  optimizer: adam(learning_rate=0.001)",
              "  batch: 100", "  steps: 100", "}", "infer {", "  output: p", "  batch: 100", "}"]
    return "\n".join(lines) + "\n"


def cpu_name():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    m = re.search(r"Model name:\s*(.*)", out)
    flags = out.split("Flags:")[-1]
    kind = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    return "%s, %s, %d cores" % (m.group(1).strip() if m else "unknown", kind, os.cpu_count())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--depths", default="2,8,32,64")
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    work = tempfile.mkdtemp()
    print("# nnc compile time against depth (bench/compile_depth.py), %s, on %s\n"
          % (time.strftime("%Y-%m-%d"), cpu_name()))
    print("| hidden layers | compile s (median of %d) | range | s per layer |" % args.runs)
    print("|---|---|---|---|")
    for depth in depths:
        path = os.path.join(work, "deep%d.nn" % depth)
        open(path, "w").write(model(depth))
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([NNC, path, "-o", os.path.join(work, "out")], check=True)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print("| %d | %.2f | %.2f-%.2f | %.3f |" % (depth, median, min(times), max(times),
                                                   median / depth))
    # Where the time of the largest goes.
    out = subprocess.run([NNC, path, "-o", os.path.join(work, "out"), "--mlir-timing"],
                         capture_output=True, text=True, check=True).stderr
    print("\nOne compile of %d layers, `--mlir-timing` (wall seconds):\n" % depths[-1])
    for line in out.splitlines():
        # Top-level entries and the stages (names indented by 0 or 2 spaces).
        m = re.match(r"\s*[0-9.]+ \(\s*[0-9.]+%\)\s+([0-9.]+) \(\s*([0-9.]+)%\)  ( *)(\S.*)$", line)
        if m and len(m.group(3)) <= 2:
            print("%s- %s: %s s (%s %%)" % ("  " * (len(m.group(3)) // 2), m.group(4),
                                           m.group(1), m.group(2)))


if __name__ == "__main__":
    main()
