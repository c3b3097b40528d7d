#!/usr/bin/env bash
# Side-by-side ETDRK4 steps/s: Rust (cargo bench --bench ks) and the NumPy peer, one thread each.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench ks 2>/dev/null
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python bench/peers/ks_numpy.py
