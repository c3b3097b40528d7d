#!/usr/bin/env bash
# Side-by-side Walsh–Hadamard (issue 24): the Rust bench (cargo bench --bench wht: the full FWHT
# with its floors, SPRIGHT noiseless / 10 dB / black box) and the pinned FWHT peers (fht-cpu,
# pyfwht, a NumPy butterfly; bench/peers/wht_peers.py) in one run, one thread each.
#   bash bench/peers/setup_wht.sh   # once
#   bash bench/run_wht.sh [--quick] # --quick: n = 20 only
set -euo pipefail
cd "$(dirname "$0")/.."
py=bench/peers/.venv/bin/python
sizes=20,24
quick=""
if [ "${1:-}" = "--quick" ]; then quick="--quick"; sizes=20; fi
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench wht -- $quick 2>/dev/null
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$py" bench/peers/wht_peers.py --sizes "$sizes" --dtypes float64,float32 --repeats 7
