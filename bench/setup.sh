#!/usr/bin/env bash
# bench/setup.sh: what bench/run.py needs beyond the compiler, kept out of
# nnc's own dependencies: OpenBLAS (the sgemm reference), PyTorch from
# Debian (run with /usr/bin/python3), and a virtual environment bench/.venv
# with JAX, TensorFlow and matplotlib from PyPI. Then builds nnc.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
  libopenblas-dev python3-torch util-linux time
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/pip install -q "jax[cpu]" tensorflow-cpu matplotlib "halide==21.*"
scripts/setup.sh
