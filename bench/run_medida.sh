#!/usr/bin/env bash
# Side-by-side MEDIDA benchmarks (BENCHMARKS.md M1–M2): the Rust bench writes the truth samples
# (target/bench_medida/samples.npy), then the NumPy peer reads the same samples. One thread each
# (the Rust EnKF also has a two-thread row).
# Needs the peers' venv: bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench medida 2>/dev/null
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python bench/peers/medida_numpy.py "$@"
