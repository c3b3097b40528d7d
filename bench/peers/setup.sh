#!/usr/bin/env bash
# Creates bench/peers/.venv with the pinned peer packages (reuses it if it exists). Tests never
# need it; benchmarks and reference-data scripts do.
#   bash bench/peers/setup.sh           base peers (requirements.txt)
#   bash bench/peers/setup.sh --flame   also the flame PINN peers: jax + torch (requirements-flame.txt)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
flame=0
for arg in "$@"; do
  case "$arg" in
    --flame) flame=1 ;;
    *) echo "usage: $0 [--flame]" >&2; exit 2 ;;
  esac
done
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet --upgrade pip
fi
"$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" -c "import numpy, threadpoolctl; print('peers ready: numpy', numpy.__version__)"
if [ "$flame" = 1 ]; then
  "$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt" -r "$here/requirements-flame.txt"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$here/.venv/bin/python" -c \
    "import jax, torch; print('flame peers ready: jax', jax.__version__, 'torch', torch.__version__)"
fi
