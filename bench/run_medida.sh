#!/usr/bin/env bash
# Side-by-side MEDIDA benchmarks (BENCHMARKS.md M1–M2): the Rust bench writes the truth samples
# (target/bench_medida/samples.npy), then the NumPy peer reads the same samples. One thread each
# (the Rust EnKF also has a two-thread row).
# `bash bench/run_medida.sh --regression-only` runs the regression rows (M1) only, on both sides.
# Needs the peers' venv: bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
rust_args=() py_args=()
for a in "$@"; do
    if [ "$a" = "--regression-only" ]; then rust_args+=(--regression-only); py_args+=(--ne); else py_args+=("$a"); fi
done
cargo bench --bench medida -- "${rust_args[@]}" 2>/dev/null
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python bench/peers/medida_numpy.py "${py_args[@]}"
