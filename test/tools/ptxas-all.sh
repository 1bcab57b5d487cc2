#!/bin/bash
# Compiles each model named with --target=cuda, writing every stage with
# --dump-dir, and assembles each program's PTX with PTXAS for sm_75, sm_80
# and sm_90. Prints "FILE: assembled" per PTX file; exits 1 at the first
# failure.
#
# usage: ptxas-all.sh PTXAS EXAMPLES_DIR MODEL...
set -euo pipefail
ptxas=$1 examples=$2
shift 2
for m in "$@"; do
  nnc "$examples/$m.nn" --target=cuda --dump-dir "$m" > /dev/null
  for ptx in "$m"/*/*-ptx.ptx; do
    for arch in sm_75 sm_80 sm_90; do
      "$ptxas" -arch=$arch "$ptx" -o /dev/null
    done
    echo "$ptx: assembled"
  done
done
