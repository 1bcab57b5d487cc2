#!/usr/bin/env bash
# The main job of the README: compile the examples with nnc and run the
# generated programs.
#
#  1. the three-layer sigmoid network with fixed weights, on two inputs;
#  2. the softmax classifier for Fashion-MNIST (examples/fashion_softmax.nn),
#     evaluated by its infer program over the 10,000 test images of Debian's
#     dataset-fashion-mnist, with the accuracy of its predictions.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${NNC_BUILD_DIR:-build}"
nnc="$build_dir/bin/nnc"
out="${NNC_DEMO_DIR:-out}"
mkdir -p "$out"

echo "== nnc examples/sigmoid_network.nn -o $out"
"$nnc" examples/sigmoid_network.nn -o "$out"
echo "== $out/sigmoid_network-infer --feed x=examples/sigmoid_network_input.csv"
"$out/sigmoid_network-infer" --feed x=examples/sigmoid_network_input.csv

echo "== nnc examples/fashion_softmax.nn -o $out --dump-dir $out/fashion_softmax-stages"
"$nnc" examples/fashion_softmax.nn -o "$out" --dump-dir "$out/fashion_softmax-stages"
echo "== $out/fashion_softmax-infer --output $out/predictions.csv   (10,000 test images)"
"$out/fashion_softmax-infer" --output "$out/predictions.csv"
echo "first predictions (class probabilities of the first 3 test images):"
head -n 3 "$out/predictions.csv"
echo "every stage of the compilation is in $out/fashion_softmax-stages/"
