#!/usr/bin/env bash
# Fuzzes nnc's readers of untrusted input with libFuzzer (fuzz/; see
# docs/testing.md): the frontend, each data loader, the checkpoint reader.
#
#   scripts/fuzz.sh TARGET SECONDS    fuzz one target (frontend, idx, npy, csv, checkpoint)
#   scripts/fuzz.sh smoke [SECONDS]   every target for SECONDS each (default 15): CI's run
#   scripts/fuzz.sh TARGET FILE...    run saved inputs once (to reproduce a crash)
#
# The targets are built in the checking build (scripts/checking-build.sh,
# with ASan and UBSan). Each target's corpus grows in BUILD/fuzz/corpus/TARGET
# from run to run; it starts from the seeds (fuzz/make-seeds.py: the
# examples and the test suite's inputs) and the inputs of past crashes
# (fuzz/regressions/TARGET/), which every run replays first. A crash, a
# sanitizer report, an input that takes over 10 s or over 2 GiB stops the
# run with exit 1 and leaves the input in BUILD/fuzz/crashes/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${NNC_SANITIZE_BUILD_DIR:-build-sanitize}"
targets=(frontend idx npy csv checkpoint)

usage() {
  sed -n '5,7s/^# //p' "$0" >&2
  exit 2
}
[ $# -ge 1 ] || usage

# One target: the seeds once, then fuzzing for $2 seconds; one line of figures.
fuzz_one() {
  local name=$1 seconds=$2 binary="$build_dir/bin/fuzz-$1"
  local corpus="$build_dir/fuzz/corpus/$name" crashes="$build_dir/fuzz/crashes/$name"
  local log="$build_dir/fuzz/$name.log" inputs=("$build_dir/fuzz/seeds/$name") extra=()
  mkdir -p "$corpus" "$crashes"
  [ -d fuzz/regressions/"$name" ] && inputs+=(fuzz/regressions/"$name")
  [ "$name" = frontend ] && extra=(-dict=fuzz/nn.dict)
  echo "fuzz: $name for $seconds s (log: $log)"
  local status=0
  # Diagnostics of rejected inputs would flood the log: the target's stderr
  # is closed (close_fd_mask=2); libFuzzer and the sanitizers keep theirs.
  "$binary" "$corpus" "${inputs[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${extra[@]}" >"$log" 2>&1 || status=$?
  local runs rate cov ft rss
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$status" != 0 ]; then
    echo "fuzz: $name FAILED (exit $status): the input is in $crashes/; the report:" >&2
    grep -E -A25 'ERROR: |runtime error|deadly signal|timeout|out-of-memory|property violated' \
      "$log" | head -60 >&2
    return 1
  fi
  echo "fuzz: $name: ${seconds} s, ${runs:-?} inputs (${rate:-?}/s), coverage ${cov:-?} edges," \
    "${ft:-?} features, corpus $(ls "$corpus" | wc -l) inputs, peak ${rss:-?} MB: no failure"
}

if [ "$1" = smoke ]; then
  selected=("${targets[@]}")
  seconds=${2:-15}
else
  [[ " ${targets[*]} " == *" $1 "* ]] || { echo "fuzz: unknown target '$1'" >&2; usage; }
  selected=("$1")
  [ $# -ge 2 ] || usage
  if [ -f "$2" ]; then # saved inputs: run each once, printing everything
    scripts/checking-build.sh "fuzz-$1"
    exec "$build_dir/bin/fuzz-$1" "${@:2}"
  fi
  seconds=$2
fi
scripts/checking-build.sh $(printf 'fuzz-%s ' "${selected[@]}")
rm -rf "$build_dir/fuzz/seeds"
python3 fuzz/make-seeds.py . "$build_dir/fuzz/seeds"
failed=0
for name in "${selected[@]}"; do
  fuzz_one "$name" "$seconds" || failed=1
done
exit $failed
