"""kernel-calls.py FILE.mlir: for each program of a printed `--emit=loops`
file (modules split at `// -----`), how many kernels nn-share-kernels made
(@nnc_kernel_<k>) and how many calls the most-called one has. Prints
"PROGRAM: N kernels, most calls M", the program named by its entry point."""
import collections
import re
import sys


def main():
    for module in open(sys.argv[1]).read().split("// -----"):
        entry = re.search(r"func\.func @(\w+)", module)
        kernels = re.findall(r"func\.func private @(nnc_kernel_\d+)\(", module)
        calls = collections.Counter(re.findall(r"call @(nnc_kernel_\d+)\(", module))
        print("%s: %d kernels, most calls %d" % (entry.group(1) if entry else "?", len(kernels),
                                                max(calls.values(), default=0)))


if __name__ == "__main__":
    main()
