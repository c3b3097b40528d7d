#!/usr/bin/env bash
# Side-by-side loss + gradient of the FlamePINN-1D Case 1 loss: Rust (cargo bench --bench flame),
# JAX (jit) and PyTorch (eager), one thread each, 3x64 and 4x32 networks, N = 1001, f64 and f32,
# on the same weights and points. Rust writes the exchange folder first; each peer checks its
# gradient against Rust's before it times.
#   bash bench/run_flame.sh              once: Rust (one thread, then two), JAX, PyTorch
#   bash bench/run_flame.sh --rounds K   K alternating rounds of Rust, JAX and PyTorch, all three
#                                        pinned to the same core, then the per-round ratios
# Needs the flame peers: bash bench/peers/setup.sh --flame
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/flame_bench
reps="${REPS:-200}"
rounds=0
if [ "${1:-}" = "--rounds" ]; then rounds="$2"; fi
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench flame --no-run 2>/dev/null
py="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python"
if [ "$rounds" -gt 0 ]; then
    cpu=$(( $(nproc) - 1 ))
    log=$(mktemp)
    for r in $(seq "$rounds"); do
        echo "# round $r, $(date -u +%H:%M:%SZ), load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$log"
        taskset -c "$cpu" cargo bench --bench flame -- --dir "$dir" --reps "$reps" 2>/dev/null \
            | tail -n +2 | tee -a "$log"
        FLAME_PEER_CPU=$cpu $py bench/peers/flame_jax.py --dir "$dir" --reps "$reps" 2>/dev/null \
            | tail -n +2 | tee -a "$log"
        FLAME_PEER_CPU=$cpu $py bench/peers/flame_torch.py --dir "$dir" --reps "$reps" 2>/dev/null \
            | tail -n +2 | tee -a "$log"
    done
    $py bench/peers/flame_rounds.py "$log"
    echo "## load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    exit 0
fi
# pinned to one core like the JAX peer (flame_common.pin_one_cpu picks the highest-numbered)
taskset -c "$(( $(nproc) - 1 ))" cargo bench --bench flame -- --dir "$dir" --reps "$reps" 2>/dev/null
# Rust on both cores (points split over two threads), for information
cargo bench --bench flame -- --dir "$dir-2t" --reps "$reps" --threads 2 2>/dev/null | tail -n +2
$py bench/peers/flame_jax.py --dir "$dir" --reps "$reps" | tail -n +2
$py bench/peers/flame_torch.py --dir "$dir" --reps "$reps" | tail -n +2
echo "## load after: $(cut -d' ' -f1-3 /proc/loadavg)"
