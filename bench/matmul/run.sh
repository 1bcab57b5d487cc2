#!/usr/bin/env bash
# bench/matmul/run.sh [MxKxN[:LAYOUT] ...]: nnc's generated matmul against
# OpenBLAS sgemm (one thread) at the given shapes, median of 7 timings of
# about 2 GFLOP each. LAYOUT is nn (C = A B, the default), nt (C = A B^T, B
# stored [N, K]: an input gradient) or tn (C = A^T B, A stored [K, M]: a
# weight gradient). The default shapes are the 1024-unit network's step
# (forward, input gradient, weight gradients) and the two-layer CNN's
# convolutions. NNC_CPU=NAME builds for that CPU (nnc --cpu; the host must
# be able to run it), e.g. NNC_CPU=znver3 for AVX2 code on an AVX-512 host;
# OPENBLAS_CORETYPE=Haswell then holds OpenBLAS to its AVX2 kernels too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${NNC_BIN:-$root/build/bin}
lib=$bin/../lib
llvm=/usr/lib/llvm-19/bin
cpu=${NNC_CPU:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(100x784x1024 100x1024x10 100x10x1024:nt 784x100x1024:tn
                                   1024x100x10:tn 9800x800x64 39200x25x32)
export OPENBLAS_NUM_THREADS=1
for shape in "${shapes[@]}"; do
  layout=nn
  [[ $shape == *:* ]] && layout=${shape#*:} && shape=${shape%%:*}
  IFS=x read -r M K N <<<"$shape"
  case $layout in
    nn) op=linalg.matmul a=${M}x$K b=${K}x$N ;;
    nt) op=linalg.matmul_transpose_b a=${M}x$K b=${N}x$K ;;
    tn) op=linalg.matmul_transpose_a a=${K}x$M b=${K}x$N ;;
    *) echo "run.sh: layout $layout is not nn, nt or tn" >&2; exit 2 ;;
  esac
  sed -e "s/@M@/$M/g" -e "s/@N@/$N/g" -e "s/@OP@/$op/" -e "s/@ASHAPE@/$a/g" \
    -e "s/@BSHAPE@/$b/g" "$here/matmul.mlir.in" > "$work/mm.mlir"
  "$bin/nn-opt" --nn-cpu-pipeline="cpu=$cpu" "$work/mm.mlir" > "$work/mm.llvm.mlir"
  "$llvm/mlir-translate" --mlir-to-llvmir "$work/mm.llvm.mlir" -o "$work/mm.ll"
  "$llvm/clang" -O3 -march="${cpu:-native}" -c "$work/mm.ll" -o "$work/mm.o" 2>/dev/null
  c++ -O2 -I"$root" -DDIM_M=$M -DDIM_K=$K -DDIM_N=$N -DLAYOUT_$layout "$here/harness.cpp" \
    "$work/mm.o" "$lib/libnnrt.a" -o "$work/mm" -lopenblas -lz -lm -lpthread
  "$work/mm"
done
