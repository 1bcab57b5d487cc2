#!/bin/bash
# Trains each model named on the command line for STEPS steps on the CPU
# target and with --target=cuda --device emu, from the same seed, and
# compares the checkpoints with close-tensors.py (RTOL, ATOL: its --rtol and
# --atol). Prints "MODEL:" and the last comparison line of each; exits 1 at
# the first difference.
#
# usage: gpu-vs-cpu.sh EXAMPLES_DIR STEPS SEED RTOL ATOL MODEL...
set -euo pipefail
examples=$1 steps=$2 seed=$3 rtol=$4 atol=$5
shift 5
here=$(dirname "$0")
mkdir -p cpu gpu
# A run ends with a report line, and `report ... on test` evaluates the test
# set: 10,000 Fashion-MNIST images take minutes on the emulator. The fashion
# models are evaluated on the first 50 test images instead (--test-feed).
fashion=/usr/share/datasets/fashion-mnist
python3 "$here/idx-items.py" "$fashion/t10k-images-idx3-ubyte.gz" 0 50 255 > test_x.csv
python3 "$here/idx-items.py" "$fashion/t10k-labels-idx1-ubyte.gz" 0 50 1 |
  python3 -c 'import sys; [print(",".join("1" if i == int(float(l)) else "0" for i in range(10))) for l in sys.stdin]' > test_t.csv
for m in "$@"; do
  nnc "$examples/$m.nn" -o cpu
  nnc "$examples/$m.nn" --target=cuda -o gpu
  feeds=()
  if grep -q 't10k-images' "$examples/$m.nn"; then
    feeds=(--test-feed "x=$PWD/test_x.csv" --test-feed "t=$PWD/test_t.csv")
  fi
  (cd cpu && "./$m-train" --quiet --steps "$steps" --seed "$seed" "${feeds[@]}" --checkpoint "$m.safetensors")
  (cd gpu && "./$m-train" --quiet --steps "$steps" --seed "$seed" --device emu "${feeds[@]}" --checkpoint "$m.safetensors")
  echo "$m:"
  python3 "$here/close-tensors.py" "cpu/$m.safetensors" "gpu/$m.safetensors" \
    --rtol "$rtol" --atol "$atol" > "$m.compared" || { cat "$m.compared"; exit 1; }
  tail -1 "$m.compared"
done
