"""Checks that the documents that list nnc's passes list exactly the passes
that exist, and that every pass follows the naming triple.

    check-pass-lists.py SOURCE_ROOT

The passes are the records of passes/Passes.td, codegen/cpu/Passes.td and
codegen/gpu/Passes.td.
For each pass `NNFooBarPass` with flag `nn-foo-bar` declared in folder F:
  - F/FooBar.cpp exists (ConvertNNToLinalgPass: ConvertNNToLinalg.cpp);
  - test/F/foo-bar.mlir exists (the flag without `nn-`);
  - README.md names the flag and the file on one line (the tour);
  - docs/architecture.md names the flag.
And neither document names a pass flag that does not exist. Prints a line
per problem, or "N passes, all listed"; exit status 1 on a problem."""
import os
import re
import sys

PASS_FILES = ["passes/Passes.td", "codegen/cpu/Passes.td", "codegen/gpu/Passes.td"]
# Names that look like pass flags but are not passes.
NOT_PASSES = {"nn-opt", "nn-plot", "nn-cpu-pipeline", "nn-gpu-pipeline", "nn-language"}
FLAG = re.compile(r"(?<![\w/.-])(?:convert-)?nn-[a-z0-9]+(?:-[a-z0-9]+)*(?![\w-])")


def passes(root):
    found = []
    for td in PASS_FILES:
        folder = os.path.dirname(td)
        text = open(os.path.join(root, td)).read()
        for record, flag in re.findall(r'^def (\w+) : Pass<"([^"]+)"', text, re.M):
            stem = re.sub(r"Pass$", "", re.sub(r"^NN(?=[A-Z])", "", record))
            found.append({"record": record, "flag": flag, "folder": folder,
                          "file": f"{folder}/{stem}.cpp",
                          "test": f"test/{folder}/{flag[3:] if flag.startswith('nn-') else flag}.mlir"})
    return found


def main():
    root = sys.argv[1]
    all_passes = passes(root)
    flags = {p["flag"] for p in all_passes}
    problems = []
    for p in all_passes:
        for kind in ("file", "test"):
            if not os.path.exists(os.path.join(root, p[kind])):
                problems.append(f"{p['record']} ({p['flag']}): no {kind} {p[kind]}")
    readme = open(os.path.join(root, "README.md")).read()
    architecture = open(os.path.join(root, "docs/architecture.md")).read()
    for p in all_passes:
        if not any(p["flag"] in FLAG.findall(line) and p["file"] in line for line in readme.split("\n")):
            problems.append(f"README.md: no line names {p['flag']} with its file {p['file']}")
        if p["flag"] not in FLAG.findall(architecture):
            problems.append(f"docs/architecture.md: does not name {p['flag']}")
    for name, text in (("README.md", readme), ("docs/architecture.md", architecture)):
        for flag in sorted(set(FLAG.findall(text)) - flags - NOT_PASSES):
            problems.append(f"{name}: names {flag}, which is not a pass")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(all_passes)} passes, all listed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
