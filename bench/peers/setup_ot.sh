#!/usr/bin/env bash
# Creates (or reuses) bench/peers/.venv, as setup.sh does, and installs the pinned OT peers:
# requirements.txt + requirements-ot.txt (POT and regot, binary wheels). Used by ot_peers.py and
# ot_cases.py; tests never need it.
#   bash bench/peers/setup_ot.sh
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
"$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt" -r "$here/requirements-ot.txt"
OMP_NUM_THREADS=1 "$here/.venv/bin/python" -c "
import importlib.metadata as md
import numpy, scipy, ot, regot
print('ot peers ready: pot', ot.__version__, '| regot', md.version('regot'),
      '| numpy', numpy.__version__, '| scipy', scipy.__version__)
"
