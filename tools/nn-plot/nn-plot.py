#!/usr/bin/python3
"""nn-plot: draws the --log CSV files of NAME-train runs as one chart.

    nn-plot RUN.csv [RUN.csv ...] -o CHART.png|CHART.svg
            [--label NAME ...] [--title TEXT] [--log-scale METRIC ...]

Each reported value (loss, accuracy, ...: the columns after `step`) gets its
own panel, with steps along the bottom; each run is one line in every panel,
labelled by --label (in the order of the files) or by the file's name, so
runs of different optimizers, learning rates or seeds compare on one chart:

    out/fashion_softmax-train --log sgd.csv ...
    out/fashion_softmax-train --log adam.csv ...
    nn-plot sgd.csv adam.csv -o optimizers.png

A file's first line is its header (`step,loss,accuracy`, as NAME-train
writes it); every other line holds a step and one number per column. A
problem in a file is reported with the file and line, and nothing is drawn.
Uses matplotlib (Debian's python3-matplotlib), without a display.
"""
import argparse
import csv
import math
import os
import sys


class LogError(Exception):
    pass


def read_log(path):
    """The header's metric names and, per metric, the (step, value) pairs."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise LogError(f"{path}: {e.strerror}")
    except (UnicodeDecodeError, csv.Error) as e:
        raise LogError(f"{path}: not a CSV text file ({e})")
    if not rows:
        raise LogError(f"{path}: empty (a --log file starts with the line step,NAME,...)")
    header = [h.strip() for h in rows[0]]
    if len(header) < 2 or header[0] != "step" or any(not h for h in header[1:]):
        raise LogError(f"{path}:1: expected the header step,NAME,... as NAME-train writes it, "
                       f"got {','.join(rows[0])!r}")
    series = {name: [] for name in header[1:]}
    last = None
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise LogError(f"{path}:{number}: {len(row)} values, but the header names "
                           f"{len(header)}")
        try:
            step = int(row[0])
        except ValueError:
            raise LogError(f"{path}:{number}: the step {row[0]!r} is not a whole number")
        if last is not None and step <= last:
            raise LogError(f"{path}:{number}: step {step} comes after step {last}")
        last = step
        for name, text in zip(header[1:], row[1:]):
            try:
                value = float(text)
            except ValueError:
                raise LogError(f"{path}:{number}: {name} {text!r} is not a number")
            if not math.isfinite(value):
                raise LogError(f"{path}:{number}: {name} is {text}")
            series[name].append((step, value))
    if last is None:
        raise LogError(f"{path}: no reported steps after the header")
    return header[1:], series


def plot(runs, labels, output, title, log_scale):
    import matplotlib
    matplotlib.use("Agg")  # no display needed
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in an SVG
    import matplotlib.pyplot as plt

    metrics = []
    for names, _ in runs:
        metrics += [n for n in names if n not in metrics]
    fig, axes = plt.subplots(len(metrics), 1, figsize=(8, 3.2 * len(metrics)), sharex=True,
                             squeeze=False)
    for axis, metric in zip(axes[:, 0], metrics):
        for (names, series), label in zip(runs, labels):
            if metric in series:
                steps, values = zip(*series[metric])
                axis.plot(steps, values, marker="." if len(steps) < 30 else None, label=label)
        axis.set_ylabel(metric)
        if metric in log_scale:
            axis.set_yscale("log")
        axis.grid(True, alpha=0.3)
        axis.legend()
    axes[-1, 0].set_xlabel("step")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(output, dpi=100)


def main(argv):
    parser = argparse.ArgumentParser(prog="nn-plot", description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+", metavar="RUN.csv", help="--log files of NAME-train")
    parser.add_argument("-o", dest="output", required=True, metavar="CHART",
                        help="the chart to write: .png or .svg")
    parser.add_argument("--label", action="append", default=[], metavar="NAME",
                        help="the name of a run in the legend, once per file, in order "
                             "(default: the file's name)")
    parser.add_argument("--title", default="", help="a title above the chart")
    parser.add_argument("--log-scale", action="append", default=[], metavar="METRIC",
                        help="draw METRIC on a logarithmic scale")
    args = parser.parse_args(argv)
    if os.path.splitext(args.output)[1].lower() not in (".png", ".svg"):
        parser.error(f"-o {args.output}: the chart must be a .png or .svg file")
    if args.label and len(args.label) != len(args.logs):
        parser.error(f"{len(args.label)} --label for {len(args.logs)} files: give one per file")
    labels = args.label or [os.path.splitext(os.path.basename(p))[0] for p in args.logs]
    try:
        runs = [read_log(p) for p in args.logs]
    except LogError as e:
        print(f"nn-plot: error: {e}", file=sys.stderr)
        return 1
    for metric in args.log_scale:
        if not any(metric in names for names, _ in runs):
            parser.error(f"--log-scale {metric}: no file reports {metric}")
    plot(runs, labels, args.output, args.title, set(args.log_scale))
    print(f"nn-plot: wrote {args.output}: {len(runs)} runs of "
          f"{', '.join(sorted({n for names, _ in runs for n in names}))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
