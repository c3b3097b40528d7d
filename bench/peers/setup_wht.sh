#!/usr/bin/env bash
# Creates (or reuses) bench/peers/.venv, as setup.sh does, and installs the pinned FWHT peers:
# requirements.txt + requirements-wht.txt (fht-cpu: binary wheel; pyfwht: built from its sdist,
# ~20 s, build dependencies pinned by build-constraints-wht.txt). Used by wht_peers.py; tests
# never need it.
#   bash bench/peers/setup_wht.sh
# pyfwht's setup.py compiles with -march=native (-mtune=generic, i.e. no AVX2 path, when CI is
# set), so CI is unset for the build and USE_CUDA=0 skips its nvcc probe. pip caches the built
# wheel: after changing build flags, `pip cache remove pyfwht` first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$#" -ne 0 ]; then
  echo "usage: $0" >&2
  exit 2
fi
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet --upgrade pip
fi
env -u CI USE_CUDA=0 MAKEFLAGS=-j1 "$here/.venv/bin/pip" install --quiet \
  --build-constraint "$here/build-constraints-wht.txt" \
  -r "$here/requirements.txt" -r "$here/requirements-wht.txt"
OMP_NUM_THREADS=1 "$here/.venv/bin/python" -c "
import importlib.metadata as md
import numpy, fht_cpu, pyfwht
print('wht peers ready: fht-cpu', md.version('fht-cpu'), '| pyfwht', md.version('pyfwht'),
      '(lib', pyfwht.version() + ', openmp', pyfwht.has_openmp(), ', gpu', pyfwht.has_gpu(), ')',
      '| numpy', numpy.__version__)
"
