#!/usr/bin/env bash
# Runs every test: the lit suite (nnc, nn-opt, FileCheck; builds and runs
# programs) and the runtime's GoogleTest unit tests, through CTest.
# Run scripts/setup.sh first (the README's test command does both).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${NNC_BUILD_DIR:-build}"
cmake --build "$build_dir"
cd "$build_dir"
ctest --output-on-failure "$@"
