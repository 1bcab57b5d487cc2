#!/usr/bin/env bash
# The main job of the README: compile an example with nnc, train it on the
# default data set, and evaluate it with the infer program.
#
#  1. examples/fashion_softmax.nn (softmax regression, the language's first
#     example) -> out/fashion_softmax-train and out/fashion_softmax-infer;
#  2. fashion_softmax-train: 2000 Adam steps on Fashion-MNIST's 60,000
#     training images, reporting loss and accuracy on the 10,000 test images;
#  3. fashion_softmax-infer: the trained checkpoint over the test images:
#     predictions to out/predictions.csv, and the loss and accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${NNC_BUILD_DIR:-build}"
nnc="$build_dir/bin/nnc"
out="${NNC_DEMO_DIR:-out}"
mkdir -p "$out"

echo "== $nnc examples/fashion_softmax.nn -o $out --dump-dir $out/stages"
"$nnc" examples/fashion_softmax.nn -o "$out" --dump-dir "$out/stages"
echo "== $out/fashion_softmax-train --checkpoint $out/fashion_softmax.safetensors"
"$out/fashion_softmax-train" --checkpoint "$out/fashion_softmax.safetensors" --log "$out/train-log.csv"
echo "== $out/fashion_softmax-infer --checkpoint $out/fashion_softmax.safetensors --output $out/predictions.csv"
"$out/fashion_softmax-infer" --checkpoint "$out/fashion_softmax.safetensors" --output "$out/predictions.csv"
echo "class probabilities of the first test image:"
head -n 1 "$out/predictions.csv"
echo "every stage of the compilation is in $out/stages/"
