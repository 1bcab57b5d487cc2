"""Checks that `nnc MODEL.nn --emit=grad` explains every op autodiff and the
optimizer made, for each model given:

    check-explained.py MODEL.nn...
    nnc M.nn --emit=grad | check-explained.py -     (what was printed)

In the train step, every op of the backward section must be under a header
"// grad of OP [NAME] (FILE.nn:LINE:COL)" or "// fan-out of ..." followed by
its rule ("//   dX = ..."), and every op of the optimizer section under
"// OPTIMIZER update of VAR" with a statement for VAR ("//   VAR = ..."), or
under the writes. No rule may hold "?" (a value the formula could not name).
Prints one line per model: "M: B backward ops under R rules, O optimizer
ops under U updates" (or "no train step"), or what is wrong, and exits 1
if anything is."""
import re
import subprocess
import sys

GRAD_HEADER = re.compile(r"^// (grad of|fan-out of) [a-z_0-9]+( [A-Za-z_][\w.]*)? \([\w.-]+\.nn:\d+:\d+\)$")
UPDATE_HEADER = re.compile(r"^// (sgd|momentum|adagrad|adam) update of ([\w.]+)$|^// adam's powers")
STATEMENT = re.compile(r"^//   ([\w.]+) = (.+)$")


def check(model):
    out = sys.stdin.read() if model == "-" else subprocess.run(
        ["nnc", model, "--emit=grad"], check=True, capture_output=True, text=True).stdout
    if "func.func @train_step" not in out:
        return None, None, []
    step = out[out.index("func.func @train_step"):]
    step = step[:step.index("\n  }\n")]
    section, header, statements, problems = None, None, [], []
    counts = {"backward": 0, "optimizer": 0}
    rules = {"backward": set(), "optimizer": set()}
    for line in step.splitlines()[1:]:
        text = line.strip()
        if text.startswith("// ----"):
            section = text.split()[2]
            header, statements = None, []
        elif text.startswith("//   "):
            m = STATEMENT.match(text)
            if not m or "?" in m.group(2):
                problems.append(f"a rule nnc could not write: {text}")
            statements.append(text)
        elif text.startswith("// nn-simplify"):
            pass
        elif text.startswith("//"):
            header, statements = text, []
        elif text.startswith("return"):
            break
        elif section in counts:
            counts[section] += 1
            op = text.split("=")[-1].split()[0] if "=" in text else text.split()[0]
            if header == "// the writes, after every read: each variable takes its new value":
                if op != "nn.assign":
                    problems.append(f"not a write under the writes: {text}")
                continue
            expected = GRAD_HEADER if section == "backward" else UPDATE_HEADER
            if not header or not expected.match(header) or not statements:
                problems.append(f"{section} op without its rule: {text} (under {header})")
            else:
                rules[section].add(header + "".join(statements))
    if counts["backward"] == 0 or counts["optimizer"] == 0:
        problems.append(f"no backward or no optimizer section: {counts}")
    return counts, rules, problems


def main():
    failed = False
    for model in sys.argv[1:]:
        name = model.rsplit("/", 1)[-1].removesuffix(".nn")
        counts, rules, problems = check(model)
        if counts is None:
            print(f"{name}: no train step")
            continue
        for p in problems:
            print(f"{name}: {p}")
        failed |= bool(problems)
        print(f"{name}: {counts['backward']} backward ops under {len(rules['backward'])} rules, "
              f"{counts['optimizer']} optimizer ops under {len(rules['optimizer'])} updates"
              + (", with problems" if problems else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
