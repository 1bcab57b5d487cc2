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
for m in "$@"; do
  nnc "$examples/$m.nn" -o cpu
  nnc "$examples/$m.nn" --target=cuda -o gpu
  (cd cpu && "./$m-train" --quiet --steps "$steps" --seed "$seed" --checkpoint "$m.safetensors")
  (cd gpu && "./$m-train" --quiet --steps "$steps" --seed "$seed" --device emu --checkpoint "$m.safetensors")
  echo "$m:"
  python3 "$here/close-tensors.py" "cpu/$m.safetensors" "gpu/$m.safetensors" \
    --rtol "$rtol" --atol "$atol" > "$m.compared" || { cat "$m.compared"; exit 1; }
  tail -1 "$m.compared"
done
