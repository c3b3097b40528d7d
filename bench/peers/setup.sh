#!/usr/bin/env bash
# Creates bench/peers/.venv with the pinned peer packages. Tests never need it; benchmarks and
# reference-data scripts do.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" -c "import numpy, threadpoolctl; print('peers ready: numpy', numpy.__version__)"
