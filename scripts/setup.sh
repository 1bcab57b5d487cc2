#!/usr/bin/env bash
# Sets up everything nnc needs on Debian 12 and builds it.
#
# 1. Installs the Debian packages the project uses, only those missing (idempotent;
#    uses sudo when not root).
# 2. Configures the build with CMake + Ninja (+ ccache when present) in build/.
# 3. Builds the compiler, the runtime library and the test tools.
#
# Environment: NNC_BUILD_DIR (default: build), NNC_BUILD_TYPE (default: Release).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # LLVM and MLIR 19: the compiler's libraries, TableGen, FileCheck, lit, a linker driver.
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 lld-19
  # The checking build (scripts/test.sh --sanitize, scripts/fuzz.sh): the sanitizers and libFuzzer.
  libclang-rt-19-dev
  # The build.
  cmake ninja-build ccache g++ pkg-config
  # The runtime's one dependency beyond libc/libm (zlib), and the C++ unit tests.
  zlib1g-dev libgtest-dev
  # lit runs on Debian's Python; nn-plot draws --log files with its matplotlib;
  # Graphviz draws --emit=dot (and --dump-dir's graph.svg, --report's picture);
  # the tests open --report pages in headless Chromium.
  python3 python3-matplotlib graphviz chromium
  # The default data set (/usr/share/datasets/fashion-mnist).
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

build_dir="${NNC_BUILD_DIR:-build}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE="${NNC_BUILD_TYPE:-Release}" "${launcher[@]}"
fi
cmake --build "$build_dir"
echo "setup: built nnc in $build_dir/bin"
