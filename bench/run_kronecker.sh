#!/usr/bin/env bash
# Side-by-side run for BENCHMARKS.md: the Rust criterion bench and the NumPy peer, one after
# the other on the same machine. Needs the peers' venv: bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(rustc --version)"
cargo bench --bench kronecker 2>/dev/null | grep -E "^kronecker|time:"
# OPENBLAS_CORETYPE/L2_SIZE are unset for the peer only (they slow a current numpy here).
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python bench/peers/kron_numpy.py
