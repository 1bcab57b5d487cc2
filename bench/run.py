#!/usr/bin/env python3
"""bench/run.py [--runs N] [--quick]: nnc's generated programs against
PyTorch, JAX and TensorFlow on this machine, in one run, interleaved.

For each of the examples fashion_softmax (batch 100), fashion_mlp (1024 ReLU
units, batch 100) and fashion_cnn (the two-layer CNN, batch 50):
  - training steps per second, one thread (everything pinned to one core
    with taskset) and two (both cores; OpenBLAS held to one thread);
  - inference images per second at batch 1 and 100 (one thread): the forward
    function alone (NAME-infer --benchmark), as the peers time theirs;
  - peak resident memory of the one-thread training runs;
  - nnc's compile time;
plus the machine's limits: the FMA peak of one core (bench/fma_peak.c) and
OpenBLAS sgemm against nnc's matmul at the networks' shapes
(bench/matmul/run.sh). Every figure is the median of N runs (default 5)
with the range. Writes bench/results/DATE-CPU-KIND.md and .png (CPU: the
model name and LLVM's name for the core; DATE-CPU-KIND-2 and so on for
later runs of the same day: nothing is overwritten).

nnc's step time is (time of S2 steps - time of S1 steps) / (S2 - S1), which
leaves out start-up (loading the data set); the peers time their own loop
after 20 warm-up steps (jit compilation). Needs bench/setup.sh first.

--isa avx2 measures an AVX2 machine on an AVX-512 host: nnc builds with
--cpu=znver3 (AVX2, 16 vector registers; the host must run it: Zen 4 does),
the FMA probe with -march=znver3, and the peers are held to AVX2 by their
own switches (ATEN_CPU_CAPABILITY=avx2 and ONEDNN_MAX_CPU_ISA=AVX2 for
PyTorch and TensorFlow's oneDNN, XLA_FLAGS=--xla_cpu_max_isa=AVX2 for JAX
and TensorFlow, OPENBLAS_CORETYPE=Haswell for the sgemm reference). It is a
stand-in for an AVX2 machine, not one: the caches and the core are Zen 4's.
"""
import argparse
import datetime
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NNC = os.path.join(ROOT, "build", "bin", "nnc")
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")
TORCH_PY = "/usr/bin/python3"
NNC_FLAGS = []  # --cpu=... with --isa
# GFLOP of a train step: 2 m k n per matmul; a layer fed by the input has two
# (forward, weight gradient), a later layer three (and its input gradient).
MODELS = {  # example, batch, GFLOP of a train step, (S1, S2) steps
    "softmax": ("fashion_softmax", 100, 2 * 2 * 100 * 784 * 10 / 1e9, (100, 8100)),
    "mlp": ("fashion_mlp", 100, 2 * 100 * (2 * 784 * 1024 + 3 * 1024 * 10) / 1e9, (20, 520)),
    "cnn": ("fashion_cnn", 50, 4.1, (10, 60)),
}


# What a train program holds of Fashion-MNIST: 60000 training and 10000 test
# images of 784 floats and their one-hot labels of 10.
DATA_SET_BYTES = (60000 + 10000) * (784 + 10) * 4


def planned_bytes(src):
    """The train program's static plan: state globals + arena (nnc --emit=memory)."""
    out = subprocess.run([NNC, src, "--emit=memory"], check=True, capture_output=True,
                         text=True).stdout
    train = out.split("// ----- the infer program")[0]
    return int(re.search(r"total planned: .* = (\d+) bytes", train).group(1))


def wall(cmd, env=None, cwd=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, cwd=cwd)
    return time.perf_counter() - start


def peak_kb(cmd, cwd):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    return int(out.strip().splitlines()[-1])


def pin(threads):
    return ["taskset", "-c", "0"] if threads == 1 else ["taskset", "-c", "0,1"]


def main():
    # The chart needs matplotlib, which lives in bench/.venv.
    if os.path.exists(VENV_PY) and os.path.realpath(sys.prefix) != os.path.realpath(os.path.join(HERE, ".venv")):
        os.execv(VENV_PY, [VENV_PY] + sys.argv)
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke test)")
    parser.add_argument("--isa", choices=["native", "avx2"], default="native",
                        help="avx2: build and run everything for AVX2 on this host")
    args = parser.parse_args()
    global NNC_FLAGS
    if args.isa == "avx2":
        NNC_FLAGS = ["--cpu=znver3"]
        os.environ.update(ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2",
                          XLA_FLAGS="--xla_cpu_max_isa=AVX2", OPENBLAS_CORETYPE="Haswell",
                          NNC_CPU="znver3")
    work = tempfile.mkdtemp()
    results = {}  # key -> list of values

    def add(key, value):
        results.setdefault(key, []).append(value)

    # Compile the examples (and batch-1 infer variants); compile time.
    for name, (example, *_rest) in MODELS.items():
        src = os.path.join(ROOT, "examples", example + ".nn")
        one = os.path.join(work, example + "_b1.nn")
        text = open(src).read().replace("model " + example, "model " + example + "_b1")
        open(one, "w").write(re.sub(r"(infer \{[^}]*batch:\s*)\d+", r"\g<1>1", text))
        for _ in range(args.runs):
            add(("compile", name), wall([NNC, src, "-o", work] + NNC_FLAGS))
        add(("plan", name), planned_bytes(src))
        # The train program that is timed has no `report:` line: the examples
        # evaluate the whole test set every few hundred steps, which the
        # peers' loops do not do.
        steps_only = os.path.join(work, "steps-only", example + ".nn")
        os.makedirs(os.path.dirname(steps_only), exist_ok=True)
        open(steps_only, "w").write(re.sub(r"\n\s*report:[^\n]*", "", open(src).read()))
        wall([NNC, steps_only, "-o", os.path.join(work, "steps-only")] + NNC_FLAGS)
        wall([NNC, one, "-o", work] + NNC_FLAGS)
    # The test images as .npy, so that loading is not what inference measures.
    images = os.path.join(work, "images.npy")
    items = os.path.join(work, "items100.npy")
    subprocess.run([sys.executable, os.path.join(HERE, "idx_to_npy.py"),
                    "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", images, items],
                   check=True)

    env1 = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", BENCH_THREADS="1")
    env2 = dict(os.environ, OPENBLAS_NUM_THREADS="1", BENCH_THREADS="2")
    peers = [("torch", TORCH_PY), ("jax", VENV_PY), ("tf", VENV_PY)]
    for run in range(args.runs):
        print("run %d of %d" % (run + 1, args.runs), flush=True)
        for name, (example, batch, gflop, (s1, s2)) in MODELS.items():
            if args.quick:
                s1, s2 = s1 // 2, s2 // 5
            train = os.path.join(work, "steps-only", example + "-train")
            for threads in (1, 2):
                env = env1 if threads == 1 else env2
                base = pin(threads) + [train, "--quiet", "--threads", str(threads),
                                       "--checkpoint", os.path.join(work, "c.safetensors")]
                t1 = wall(base + ["--steps", str(s1)], env, work)
                t2 = wall(base + ["--steps", str(s2)], env, work)
                add(("train", name, "nnc", threads), (t2 - t1) * 1000 / (s2 - s1))
                if threads == 1 and run == 0:
                    # The example itself: it loads the test set too, for its reports.
                    full = pin(1) + [os.path.join(work, example + "-train"), "--quiet",
                                     "--threads", "1", "--checkpoint",
                                     os.path.join(work, "c.safetensors")]
                    add(("memory", name, "nnc"), peak_kb(full + ["--steps", str(s1)], work))
                for peer, python in peers:
                    steps = str(max(10, (s2 - s1) // 2))
                    out = subprocess.run(pin(threads) + [python, os.path.join(HERE, "peers.py"),
                                                         peer, name, "train", steps],
                                         env=env, capture_output=True, text=True)
                    if out.returncode != 0:
                        continue
                    ms, kb = out.stdout.split()[-2:]
                    add(("train", name, peer, threads), float(ms))
                    if threads == 1 and run == 0:
                        add(("memory", name, peer), int(kb))
            # Inference, one thread: the forward function alone (--benchmark:
            # one batch of test images copied in once, median of timed calls),
            # as the peers time their in-process forward passes.
            for b, exe in ((100, example + "-infer"), (1, example + "_b1-infer")):
                cmd = pin(1) + [os.path.join(work, exe), "--threads", "1",
                                "--benchmark", "2000" if b == 1 else "200", "--feed", "x=" + images]
                out = subprocess.run(cmd, env=env1, cwd=work, capture_output=True, text=True,
                                     check=True)
                add(("infer", name, "nnc", b), float(out.stdout.splitlines()[0].split()[-2]))
                for peer, python in peers:
                    out = subprocess.run(pin(1) + [python, os.path.join(HERE, "peers.py"), peer,
                                                   name, "infer%d" % b, "2000" if b == 1 else "50"],
                                         env=env1, capture_output=True, text=True)
                    if out.returncode == 0:
                        add(("infer", name, peer, b), float(out.stdout.split()[-2]))
    # The machine's limits.
    fma = os.path.join(work, "fma_peak")
    march = "znver3" if args.isa == "avx2" else "native"
    subprocess.run(["cc", "-O3", "-march=" + march, os.path.join(HERE, "fma_peak.c"), "-o", fma],
                   check=True)
    for _ in range(args.runs):
        add(("fma",), float(subprocess.run(pin(1) + [fma], capture_output=True, text=True,
                                           check=True).stdout.split()[0]))
    matmul = subprocess.run([os.path.join(HERE, "matmul", "run.sh")], capture_output=True,
                            text=True, check=True).stdout
    report(results, matmul, args.runs, args.isa)
    shutil.rmtree(work)


def med(values):
    return statistics.median(values), min(values), max(values)


def fmt(values, digits=1):
    m, lo, hi = med(values)
    return "%.*f (%.*f–%.*f)" % (digits, m, digits, lo, digits, hi)


def report(results, matmul, runs, isa_choice="native"):
    day = datetime.date.today().isoformat()
    host = socket.gethostname()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    if isa_choice == "avx2":  # built and run for AVX2 on this host
        isa = "AVX2 code on an %s host (--isa avx2)" % isa
    llc = subprocess.run(["/usr/lib/llvm-19/bin/llc", "--version"], capture_output=True, text=True)
    llvm_cpu = next((l.split(":", 1)[1].strip() for l in llc.stdout.splitlines()
                     if "Host CPU" in l), "")
    fma = med(results[("fma",)])[0]
    lines = ["# nnc against peers, %s" % day, "",
             "Machine: %s (%s, LLVM's `%s`), %d cores (`%s`). Median of %d runs (range in "
             "brackets), all in one run of `bench/run.py`, interleaved."
             % (cpu, isa, llvm_cpu or "?", os.cpu_count(), host, runs),
             "FMA peak of one core (bench/fma_peak.c): %.1f GFLOP/s; two cores: %.1f." % (fma, 2 * fma),
             "", "## Training steps per second", "",
             "| model | threads | nnc | PyTorch | JAX | TensorFlow | nnc / PyTorch | nnc GFLOP/s (% of peak) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, (example, batch, gflop, _) in MODELS.items():
        for threads in (1, 2):
            row = ["%s (batch %d)" % (example, batch), str(threads)]
            steps = {}
            for fw in ("nnc", "torch", "jax", "tf"):
                v = results.get(("train", name, fw, threads))
                if v:
                    steps[fw] = [1000 / ms for ms in v]
                    row.append(fmt(steps[fw]))
                else:
                    row.append("—")
            ratio = (med(steps["nnc"])[0] / med(steps["torch"])[0]) if "torch" in steps else float("nan")
            rate = med(steps["nnc"])[0] * gflop
            row += ["%.2f" % ratio, "%.1f (%.0f %%)" % (rate, 100 * rate / (fma * threads))]
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Inference images per second (one thread)", "",
              "| model | batch | nnc | PyTorch | JAX | TensorFlow |", "|---|---|---|---|---|---|"]
    for name, (example, *_r) in MODELS.items():
        for b in (1, 100):
            row = [example, str(b)]
            for fw in ("nnc", "torch", "jax", "tf"):
                v = results.get(("infer", name, fw, b))
                row.append(fmt(v, 0) if v else "—")
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", "nnc's figures are `NAME-infer --benchmark` (the forward function alone, one "
              "batch of test images copied in once, median of timed calls); the peers' are "
              "their forward pass alone, in process, timed the same way.",
              "", "## Peak memory of a one-thread training run (MiB, RSS, incl. the data set for nnc)", "",
              "| model | nnc | PyTorch | JAX | TensorFlow | nnc plan + data set | nnc RSS / (plan + data) |",
              "|---|---|---|---|---|---|---|"]
    for name, (example, *_r) in MODELS.items():
        row = [example]
        for fw in ("nnc", "torch", "jax", "tf"):
            v = results.get(("memory", name, fw))
            row.append("%.0f" % (v[0] / 1024) if v else "—")
        plan = results[("plan", name)][0] + DATA_SET_BYTES
        rss = results.get(("memory", name, "nnc"))
        row.append("%.1f + %.1f" % (results[("plan", name)][0] / 2**20, DATA_SET_BYTES / 2**20))
        row.append("%.2f" % (rss[0] * 1024 / plan) if rss else "—")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## nnc compile time (seconds, `nnc X.nn -o DIR`: both programs)", "",
              "| model | seconds |", "|---|---|"]
    for name, (example, *_r) in MODELS.items():
        lines.append("| %s | %s |" % (example, fmt(results[("compile", name)], 2)))
    lines += ["", "## Matmul: nnc's micro-kernel against OpenBLAS sgemm, one thread (bench/matmul/run.sh)",
              "", "```", matmul.strip(), "```", ""]
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    # The model name alone does not tell machines apart ("AMD EPYC" was a
    # Zen 4 one day and a Zen 5 the next): LLVM's name for the core joins it.
    slug = re.sub(r"[^a-z0-9]+", "-", (cpu + " " + llvm_cpu).lower()).strip("-")
    kind = "avx2-on-avx512" if isa_choice == "avx2" else isa.lower().replace("-", "")
    base = os.path.join(HERE, "results", "%s-%s-%s" % (day, slug, kind))
    # A second run on the same day and machine gets -2, -3, ...: earlier
    # results are never overwritten.
    first, n = base, 2
    while os.path.exists(base + ".md"):
        base, n = "%s-%d" % (first, n), n + 1
    open(base + ".md", "w").write("\n".join(lines))
    print("\n".join(lines))
    chart(results, base + ".png", day)


def chart(results, path, day):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no matplotlib: no chart)")
        return
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    names = {"nnc": "nnc", "torch": "PyTorch", "jax": "JAX", "tf": "TensorFlow"}
    for ax, (name, (example, *_r)) in zip(axes, MODELS.items()):
        for i, threads in enumerate((1, 2)):
            for j, fw in enumerate(names):
                v = results.get(("train", name, fw, threads))
                if not v:
                    continue
                steps = sorted(1000 / ms for ms in v)
                m = statistics.median(steps)
                ax.bar(i * 5 + j, m, yerr=[[m - steps[0]], [steps[-1] - m]],
                       color="C%d" % j, label=names[fw] if i == 0 else None)
        ax.set_xticks([1.5, 6.5], ["1 thread", "2 threads"])
        ax.set_title(example)
        ax.set_ylabel("training steps / s")
    axes[0].legend()
    fig.suptitle("Training speed, median and range (%s)" % day)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
