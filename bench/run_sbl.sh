#!/usr/bin/env bash
# Side-by-side run for BENCHMARKS.md (B1, B2 of shared/specs/sbl.md §10): the Rust bench, then
# the NumPy / scikit-learn peer on the same inputs (portable generator). One thread each.
# Needs the peers' venv: bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench sbl 2>/dev/null
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python bench/peers/krosbl_numpy.py "$@"
