#!/usr/bin/env bash
# Side-by-side entropic OT (issue 23): the Rust bench (cargo bench --bench ot) and the pinned
# peers (POT ot.sinkhorn / sinkhorn_log, regot SSNS; bench/peers/ot_peers.py) in one run, one
# thread each, every solver to the same L1 marginal error with its cost printed.
#   bash bench/peers/setup_ot.sh   # once
#   bash bench/run_ot.sh [--quick] # --quick: per-iteration rows only
set -euo pipefail
cd "$(dirname "$0")/.."
py=bench/peers/.venv/bin/python
quick=""
if [ "${1:-}" = "--quick" ]; then quick="--quick"; fi
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench ot -- $quick 2>/dev/null
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$py" bench/peers/ot_peers.py --per-iteration
if [ -n "$quick" ]; then exit 0; fi
"$py" bench/peers/ot_peers.py --cases gauss2d_n1000 --reg 1e-3
"$py" bench/peers/ot_peers.py --cases randassign_n500 --reg 1/1200
"$py" bench/peers/ot_peers.py --cases dens1d_w2_n1000 --reg 1e-4 --max-seconds 150
