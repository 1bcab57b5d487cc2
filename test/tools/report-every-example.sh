#!/bin/bash
# For each model given, builds it with --report and --dump-dir, opens the page
# in headless Chromium and checks its DOM with check-report.py. Prints
# "NAME:" and check-report's first line for each; exits 1 at the first
# problem, after printing check-report's whole answer.
#
# usage: report-every-example.sh CHROMIUM MODEL.nn...
set -euo pipefail
chromium=$1
shift
here=$(dirname "$0")
for m in "$@"; do
  n=$(basename "$m" .nn)
  nnc "$m" -o "out/$n" --dump-dir "dump/$n" --report="$n.html"
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$PWD/profile" \
    --dump-dom "file://$PWD/$n.html" 2>/dev/null > "$n.dom"
  echo "$n:"
  python3 "$here/check-report.py" "$n.dom" "$m" "dump/$n" > "$n.check" || { cat "$n.check"; exit 1; }
  head -1 "$n.check"
done
