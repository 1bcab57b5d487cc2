#!/bin/bash
# bench/gpu/prepare.sh: run HERE (the machine with nnc) before a device
# check. The GPU machine has no nnc, no LLVM and no Debian packages, so what
# it runs is built here and carried (bench/gpu/carry/, ignored by git; under
# 64 MiB): for each model, its --target=cuda programs and its CPU target's
# (the reference, run there too: a checkpoint with Adam's state is larger
# than the programs), and the data. Then run bench/gpu/device-check.sh there (see bench/gpu/README.md).
#
#   bench/gpu/prepare.sh [STEPS]      STEPS: the comparison runs' length (default 20)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
nnc=${NNC:-$root/build/bin/nnc}
steps=${1:-20}
carry=$here/carry
data=/usr/share/datasets/fashion-mnist
rm -rf "$carry" && mkdir -p "$carry/data" "$carry/cpu"
cp "$data"/*-ubyte.gz "$carry/data/"
cp -r "$root/examples/data" "$carry/data/data" # the small examples: data/xor_x.csv, ...
models="linear_regression logistic_regression xor fashion_softmax fashion_mlp fashion_conv1 fashion_edges fashion_cnn fashion_cnn_transfer"
for m in $models; do
  "$nnc" "$root/examples/$m.nn" --target=cuda -o "$carry/cuda"
  "$nnc" "$root/examples/$m.nn" -o "$carry/cpu"
done
cp "$root/examples/sigmoid_network_input.csv" "$carry/"
"$nnc" "$root/examples/sigmoid_network.nn" --target=cuda -o "$carry/cuda"
echo "$models" > "$carry/models.txt"
echo "$steps" > "$carry/steps.txt"
lscpu | sed -n 's/^Model name: *//p' > "$carry/built-on.txt"
du -sh "$carry"
