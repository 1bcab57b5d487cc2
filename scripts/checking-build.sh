#!/usr/bin/env bash
# The checking build, shared by scripts/test.sh --sanitize and scripts/fuzz.sh:
# nnc, the runtime and the programs nnc links, all with AddressSanitizer and
# UndefinedBehaviorSanitizer (every report fatal), assertions on, plus the
# libFuzzer targets of fuzz/ (NNC_FUZZ). Built with clang-19 in
# build-sanitize/ (NNC_SANITIZE_BUILD_DIR), beside the normal build.
#
# Usage: scripts/checking-build.sh [NINJA_TARGET...]   (default: everything)
# Run scripts/setup.sh first: it installs clang-19 and libclang-rt-19-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${NNC_SANITIZE_BUILD_DIR:-build-sanitize}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
if [ ! -f "$build_dir/build.ninja" ]; then
  # -O1 -g without NDEBUG: readable stack traces, and our assert()s checked.
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DNNC_FUZZ=ON "${launcher[@]}" >/dev/null
fi
cmake --build "$build_dir" ${1:+--target "$@"}
