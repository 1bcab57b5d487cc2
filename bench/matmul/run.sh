#!/usr/bin/env bash
# bench/matmul/run.sh [M K N ...]: nnc's generated matmul against OpenBLAS
# sgemm (one thread) at the given shapes (default: the 1024-unit network's
# and the two-layer CNN's), median of 7 timings of about 2 GFLOP each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${NNC_BIN:-$root/build/bin}
lib=$bin/../lib
llvm=/usr/lib/llvm-19/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(100 784 1024  100 1024 10  784 100 1024  9800 800 64  39200 25 32)
export OPENBLAS_NUM_THREADS=1
for ((s = 0; s < ${#shapes[@]}; s += 3)); do
  M=${shapes[s]} K=${shapes[s+1]} N=${shapes[s+2]}
  sed -e "s/@M@/$M/g" -e "s/@K@/$K/g" -e "s/@N@/$N/g" "$here/matmul.mlir.in" > "$work/mm.mlir"
  "$bin/nn-opt" --nn-cpu-pipeline "$work/mm.mlir" > "$work/mm.llvm.mlir"
  "$llvm/mlir-translate" --mlir-to-llvmir "$work/mm.llvm.mlir" -o "$work/mm.ll"
  "$llvm/clang" -O3 -march=native -c "$work/mm.ll" -o "$work/mm.o" 2>/dev/null
  c++ -O2 -I"$root" -DDIM_M=$M -DDIM_K=$K -DDIM_N=$N "$here/harness.cpp" "$work/mm.o" \
    "$lib/libnnrt.a" -o "$work/mm" -lopenblas -lz -lm -lpthread
  "$work/mm"
done
