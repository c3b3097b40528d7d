#!/usr/bin/env bash
# Side-by-side run of B3 (IRS-MIMO, 20 dB): the Rust experiment, then the NumPy peer. Same
# system and settings, different random draws (the NumPy peer uses PCG64), so compare times
# and NMSE statistics, not trials. Needs the peers' venv: bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo run --release --bin parsimony -- sbl irs --snrs 20 --trials 20 --csbl-trials 3 --out out/bench_irs 2>/dev/null
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python bench/peers/irs_numpy.py
