#!/usr/bin/env bash
# Runs every test: the lit suite (nnc, nn-opt, FileCheck; builds and runs
# programs) and the runtime's GoogleTest unit tests, through CTest.
# Run scripts/setup.sh first (the README's test command does both).
#
#   scripts/test.sh [CTEST_ARGS...]             the normal build (build/)
#   scripts/test.sh --sanitize [CTEST_ARGS...]  the same suite on the checking build
#       (scripts/checking-build.sh: nnc, the runtime and every program the
#       tests link built with ASan + UBSan, any report failing its test)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --sanitize ]; then
  shift
  scripts/checking-build.sh
  build_dir="${NNC_SANITIZE_BUILD_DIR:-build-sanitize}"
else
  build_dir="${NNC_BUILD_DIR:-build}"
  cmake --build "$build_dir"
fi
cd "$build_dir"
ctest --output-on-failure "$@"
