#!/usr/bin/env bash
# Side-by-side MEDIDA benchmarks (BENCHMARKS.md M1–M2): the Rust bench writes the truth samples
# (target/bench_medida/samples.npy), then the NumPy peer reads the same samples. One thread each
# (the Rust EnKF and both MEDIDA pipelines also have a two-thread row).
#   bash bench/run_medida.sh                      everything (M1 and M2), once
#   bash bench/run_medida.sh --regression-only    the regression rows (M1) only, both sides
#   bash bench/run_medida.sh --rounds K           K alternating rounds of the M1 rows, both sides
#                                                 pinned to one core, then the per-round ratios
# Needs the peers' venv: bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
py() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python "$@"; }
rust_args=() py_args=() rounds=0
while [ $# -gt 0 ]; do
    case "$1" in
        --regression-only) rust_args+=(--regression-only); py_args+=(--ne) ;;
        --rounds) rounds="$2"; shift ;;
        *) py_args+=("$1") ;;
    esac
    shift
done
if [ "$rounds" -gt 0 ]; then
    cargo bench --bench medida --no-run 2>/dev/null
    bin=$(cargo bench --bench medida --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
    log=$(mktemp)
    for r in $(seq "$rounds"); do
        echo "# round $r, $(date -u +%H:%M:%SZ), load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$log"
        taskset -c 1 "$bin" --regression-only 2>/dev/null | grep -E "^B" | tee -a "$log"
        taskset -c 1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python \
            bench/peers/medida_numpy.py --ne 2>/dev/null | grep -E "^medida_" | tee -a "$log"
    done
    py bench/peers/medida_rounds.py "$log"
    exit 0
fi
cargo bench --bench medida -- "${rust_args[@]}" 2>/dev/null
py bench/peers/medida_numpy.py "${py_args[@]}"
