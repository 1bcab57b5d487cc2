#!/bin/bash
# bench/gpu/device-check.sh: run THERE, on the machine with an NVIDIA GPU,
# from the repository's root, with bench/gpu/carry made by prepare.sh. In
# well under 8 minutes:
#  1. every example trains STEPS steps with --device cuda and on the CPU
#     target (carried too); the checkpoints are compared (test/tools/close-tensors.py, the
#     tolerance of test/e2e/gpu-emulator.test, and its seed, 17: with seed 0
#     a softmax bias's first gradient is rounding noise, which Adam turns
#     into steps of opposite signs); the sigmoid network's
#     predictions are checked against its known values;
#  2. train steps/s of softmax regression, the 1024-unit MLP and the CNN:
#     (time of S2 steps - time of S1 steps) / (S2 - S1), the median of 3,
#     so that start-up (loading the data set, the PTX) is left out;
#  3. inference images/s over the 10,000 test images, the median of 3;
#  4. PyTorch on the same GPU (bench/peers.py with BENCH_DEVICE=cuda).
# Everything is written under OUT (default ./gpu-out): summary.txt, and the
# logs in one archive, logs.tar.gz (the device tool brings back 8 files).
#
#   DEVICE=emu MODELS="xor fashion_softmax" SPEED="fashion_softmax 100 2 4" \
#     bench/gpu/device-check.sh     a dry run here, on the emulator: fewer models,
#                                   speed as "MODEL BATCH S1 S2" items
set -uo pipefail
root=$(pwd)
carry=$root/bench/gpu/carry
out=${OUT:-$root/gpu-out}
device=${DEVICE:-cuda}
logs=$(mktemp -d)
mkdir -p "$out"
summary=$out/summary.txt
steps=$(cat "$carry/steps.txt")
data=$carry/data
: > "$summary"
say() { echo "$@" | tee -a "$summary"; }
pack() { tar czf "$out/logs.tar.gz" -C "$logs" .; } # after each part: a run cut off keeps its logs
say "device check of nnc's --target=cuda programs on --device $device"
(nvidia-smi; lscpu) > "$logs/machine.txt" 2>&1
say "built on: $(cat "$carry/built-on.txt"); run on: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null || lscpu | sed -n 's/^Model name: *//p')"
export LD_LIBRARY_PATH=$carry/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
work=$(mktemp -d)
cd "$work"

# 1. Correctness against the CPU target.
for m in ${MODELS:-$(cat "$carry/models.txt")}; do
  if "$carry/cpu/$m-train" --quiet --steps "$steps" --seed 17 --data-dir "$data" \
       --checkpoint "$m-cpu.safetensors" > "$logs/$m-train.log" 2>&1 &&
     "$carry/cuda/$m-train" --quiet --steps "$steps" --seed 17 --data-dir "$data" --device "$device" \
       --checkpoint "$m.safetensors" >> "$logs/$m-train.log" 2>&1 &&
     python3 "$root/test/tools/close-tensors.py" "$m-cpu.safetensors" "$m.safetensors" \
       --rtol 1e-3 --atol 1e-4 > "$logs/$m-compare.log" 2>&1; then
    say "$m: $steps steps, every tensor within 1e-4 + 1e-3 |cpu| of the CPU target"
  else
    say "$m: FAILED (see $m-train.log, $m-compare.log)"
  fi
done
"$carry/cuda/sigmoid_network-infer" --device "$device" --feed x="$carry/sigmoid_network_input.csv" \
  > sigmoid.txt 2>&1
say "sigmoid_network: $(head -1 sigmoid.txt) (expected 0.751365 0.772928)"
pack

# 2. and 3. Speed.
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
calc() { python3 -c "print($1)"; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N); calc "$t1 - $t0"; }
speed=${SPEED:-"fashion_softmax 100 20 220,fashion_mlp 100 20 220,fashion_cnn 50 10 60"}
IFS=, read -ra specs <<< "$speed"
for spec in "${specs[@]}"; do
  set -- $spec
  m=$1 batch=$2 s1=$3 s2=$4
  rates=()
  for run in 1 2 3; do
    a=$(seconds "$carry/cuda/$m-train" --quiet --steps "$s1" --data-dir "$data" --device "$device" --checkpoint t.safetensors)
    b=$(seconds "$carry/cuda/$m-train" --quiet --steps "$s2" --data-dir "$data" --device "$device" --checkpoint t.safetensors)
    rates+=("$(calc "($s2 - $s1) / ($b - $a)")")
  done
  say "$m train (batch $batch): $(printf '%s\n' "${rates[@]}" | median | xargs printf '%.1f') steps/s (runs: $(printf '%.1f ' "${rates[@]}"))"
  rates=()
  for run in 1 2 3; do
    t=$(seconds "$carry/cuda/$m-infer" --data-dir "$data" --device "$device" --output p.npy)
    rates+=("$(calc "10000 / $t")")
  done
  say "$m infer (10,000 images, reading them and writing p.npy included): $(printf '%s\n' "${rates[@]}" | median | xargs printf '%.0f') images/s"
done
pack

# 4. PyTorch on the same GPU (bench/peers.py: the same models, random data).
if [ "$device" = cuda ]; then
  for model in softmax mlp cnn; do
    ms=$(BENCH_DEVICE=cuda python3 "$root/bench/peers.py" torch $model train 200 2>> "$logs/torch.log" | cut -d' ' -f1)
    ips=$(BENCH_DEVICE=cuda python3 "$root/bench/peers.py" torch $model infer100 200 2>> "$logs/torch.log" | cut -d' ' -f1)
    say "PyTorch $model: $(calc "1000 / $ms" | xargs printf '%.1f') train steps/s; $ips images/s at batch 100 (in-process, no file I/O)"
  done
fi
cd "$root" && rm -rf "$work"
pack
rm -rf "$logs"
