#!/usr/bin/env bash
# bench/cnn-step.sh [RUNS]: the train step of examples/fashion_cnn.nn (the
# two-layer CNN, batch 50, about 4.1 GFLOP a step) on this machine, one
# thread, and the same step in PyTorch (Debian's python3-torch, one thread)
# when it is installed, interleaved run by run. A step's time is
# (time of 220 steps - time of 20 steps) / 200, which leaves out start-up
# (loading Fashion-MNIST, initializers). Prints the median and the range
# over RUNS runs (default 5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/build/bin/nnc" "$root/examples/fashion_cnn.nn" -o "$work"
have_torch=0
if /usr/bin/python3 -c "import torch" 2>/dev/null; then have_torch=1; fi

seconds() { # command... -> wall seconds
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

nnc_ms=() torch_ms=()
for ((r = 0; r < runs; ++r)); do
  t20=$(cd "$work" && seconds ./fashion_cnn-train --quiet --steps 20 --checkpoint "$work/c.safetensors")
  t220=$(cd "$work" && seconds ./fashion_cnn-train --quiet --steps 220 --checkpoint "$work/c.safetensors")
  nnc_ms+=("$(awk -v a="$t20" -v b="$t220" 'BEGIN { print (b - a) * 1000 / 200 }')")
  if [ $have_torch = 1 ]; then
    torch_ms+=("$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 "$here/torch_cnn_step.py" 200)")
  fi
done

summary() { # name values... -> "name: median ms (min..max), steps/s"
  local name=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v name="$name" '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%-28s %8.1f ms/step (%.1f .. %.1f)  %6.2f steps/s  %5.1f GFLOP/s\n",
                 name, m, v[1], v[NR], 1000 / m, 4.1 / m * 1000 }'
}
echo "two-layer CNN train step, batch 50, one thread, median of $runs runs ($(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
summary "nnc fashion_cnn-train" "${nnc_ms[@]}"
if [ $have_torch = 1 ]; then
  summary "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')" "${torch_ms[@]}"
else
  echo "PyTorch: not installed (apt-get install python3-torch)"
fi
