#!/bin/bash
# Kills a training run with SIGKILL at several moments, resuming it each
# time, and checks after every kill that no temporary file is left in the
# directory and that the checkpoint loads (the infer program reads it); at
# the end, the resumed run's checkpoint must equal, byte for byte, that of
# an uninterrupted run. Prints one line per kill and "kills survived: N".
#
# usage: kill-and-resume.sh PROGRAM_PREFIX STEPS DELAY...
#   PROGRAM_PREFIX: ./NAME (NAME-train and NAME-infer beside it)
set -euo pipefail
prefix=$1 steps=$2
shift 2
"$prefix-train" --quiet --steps "$steps" --seed 3 --checkpoint whole.safetensors > /dev/null
rm -f run.safetensors
kills=0
for delay in "$@"; do
  resume=()
  [ -f run.safetensors ] && resume=(--resume)
  "$prefix-train" --quiet --steps "$steps" --seed 3 --checkpoint-every 1 \
    --checkpoint run.safetensors "${resume[@]}" > /dev/null &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  left=$(ls -A | grep -c '\.tmp' || true)
  if [ "$left" != 0 ]; then
    echo "after a kill at ${delay}s: temporary files left: $(ls -A | grep '\.tmp')"
    exit 1
  fi
  if [ -f run.safetensors ]; then
    "$prefix-infer" --checkpoint run.safetensors > /dev/null
    echo "killed at ${delay}s: the checkpoint loads, no temporary left"
  else
    echo "killed at ${delay}s: before the first checkpoint, no temporary left"
  fi
  kills=$((kills + 1))
done
resume=()
[ -f run.safetensors ] && resume=(--resume)
"$prefix-train" --quiet --steps "$steps" --seed 3 --checkpoint-every 1 \
  --checkpoint run.safetensors "${resume[@]}" > /dev/null
cmp whole.safetensors run.safetensors
echo "kills survived: $kills; the resumed checkpoint equals the uninterrupted run's"
