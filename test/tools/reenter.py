"""Checks that what `nnc --emit=STAGE` prints is a program nnc can finish:
for each model, `nnc M.nn --emit=STAGE > M.mlir && nnc M.mlir --emit=obj`
must write the same object files, byte for byte, as `nnc M.nn --emit=obj`.

    reenter.py WORKDIR STAGES MODEL.nn...

STAGES is a comma-separated list (nn,grad,...). Prints one line per model
and stage: "M: STAGE: the same N objects", or what differs."""
import filecmp
import os
import subprocess
import sys


def nnc(*args, stdout=None):
    subprocess.run(["nnc", *args], check=True, stdout=stdout)


def objects(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".o"))


def main():
    work, stages, models = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    failed = False
    for model in models:
        name = os.path.splitext(os.path.basename(model))[0]
        direct = os.path.join(work, name, "direct")
        os.makedirs(direct, exist_ok=True)
        nnc(model, "--emit=obj", "-o", direct)
        for stage in stages:
            printed = os.path.join(work, name, stage + ".mlir")
            again = os.path.join(work, name, "from-" + stage)
            os.makedirs(again, exist_ok=True)
            with open(printed, "w") as out:
                nnc(model, "--emit=" + stage, stdout=out)
            nnc(printed, "--emit=obj", "-o", again)
            names = objects(direct)
            differ = [o for o in names
                      if not filecmp.cmp(os.path.join(direct, o), os.path.join(again, o), shallow=False)]
            if names != objects(again) or differ or not names:
                failed = True
                print(f"{name}: {stage}: objects differ: {differ or objects(again)}")
            else:
                print(f"{name}: {stage}: the same {len(names)} objects")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
