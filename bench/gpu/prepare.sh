#!/bin/bash
# bench/gpu/prepare.sh: run HERE (the machine with nnc) before a device
# check. The GPU machine has no nnc, no LLVM and no Debian packages, so what
# it runs is built here and carried (bench/gpu/carry/, ignored by git; under
# 64 MiB): for each model, its --target=cuda programs and its CPU target's
# (the reference, run there too: a checkpoint with Adam's state is larger
# than the programs), and the data. Then run bench/gpu/device-check.sh there (see bench/gpu/README.md).
#
# The GPU machine's processor is not known here: the programs' host code is
# built for NNC_CPU (default haswell: AVX2 and FMA, which every x86-64
# server of the last ten years has), not for this machine, whose AVX-512
# the other may lack. zlib, the programs' one library beyond libc and
# libstdc++, is carried too (carry/lib, for LD_LIBRARY_PATH).
#
#   bench/gpu/prepare.sh [STEPS]      STEPS: the comparison runs' length (default 20)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
nnc=${NNC:-$root/build/bin/nnc}
steps=${1:-20}
cpu=${NNC_CPU:-haswell}
carry=$here/carry
data=/usr/share/datasets/fashion-mnist
rm -rf "$carry" && mkdir -p "$carry/data" "$carry/cpu" "$carry/lib"
cp -L "$(ldconfig -p | sed -n 's/^\tlibz.so.1 (libc6,x86-64) => //p' | head -1)" "$carry/lib/"
cp "$data"/*-ubyte.gz "$carry/data/"
cp -r "$root/examples/data" "$carry/data/data" # the small examples: data/xor_x.csv, ...
models="linear_regression logistic_regression xor fashion_softmax fashion_mlp fashion_conv1 fashion_edges fashion_cnn fashion_cnn_transfer"
for m in $models; do
  "$nnc" "$root/examples/$m.nn" --cpu="$cpu" --target=cuda -o "$carry/cuda"
  "$nnc" "$root/examples/$m.nn" --cpu="$cpu" -o "$carry/cpu"
done
cp "$root/examples/sigmoid_network_input.csv" "$carry/"
"$nnc" "$root/examples/sigmoid_network.nn" --cpu="$cpu" --target=cuda -o "$carry/cuda"
echo "$models" > "$carry/models.txt"
echo "$steps" > "$carry/steps.txt"
echo "$(lscpu | sed -n 's/^Model name: *//p'), host code for $cpu" > "$carry/built-on.txt"
du -sh "$carry"
