#!/usr/bin/env python3
"""Plants a bug: copies a .mlir file from stdin to stdout without the first
gpu.barrier of kernel KERNEL (gpu.func @KERNEL). Exits 1, saying so, when
that kernel has no barrier.

usage: drop-barrier.py KERNEL < kernels.mlir > planted.mlir
"""
import re
import sys


def main():
    kernel = sys.argv[1]
    inside = dropped = False
    for line in sys.stdin:
        func = re.match(r"\s*gpu\.func @([\w$.]+)", line)
        if func:
            inside = func.group(1) == kernel
        if inside and not dropped and line.strip() == "gpu.barrier":
            dropped = True
            continue
        sys.stdout.write(line)
    if not dropped:
        sys.exit(f"drop-barrier.py: kernel {kernel} has no gpu.barrier")


if __name__ == "__main__":
    main()
