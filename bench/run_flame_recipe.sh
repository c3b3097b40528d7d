#!/usr/bin/env bash
# Time to accuracy of the whole FlamePINN-1D Case 1 forward recipe (1000 warm-up + 30 000 Adam
# steps, 3x64, 1001 points, phi = 0.42): Rust (examples/flame_forward), JAX (jit) and PyTorch
# (eager) from the same initial weights, one thread each, all pinned to the same core; each
# reports when |s_L error| < 0.5 % and the T L2 error < 1 % first hold at a 100-step checkpoint,
# and the errors of its best-loss checkpoint (BENCHMARKS F2).
#   bash bench/run_flame_recipe.sh [--steps K] [--torch-full]
# PyTorch stops at the accuracy targets unless --torch-full (its 30 000 steps take ~15 min).
# Needs the flame peers: bash bench/peers/setup.sh --flame
set -euo pipefail
cd "$(dirname "$0")/.."
steps=30000
torch_stop="--stop-at-accuracy"
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps="$2"; shift ;;
        --torch-full) torch_stop="" ;;
    esac
    shift
done
dir=target/flame_bench
cpu=$(( $(nproc) - 1 ))
py="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python"
echo "## $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# the exchange folder: initial weights (seed 0) and the FD reference at the points
cargo bench --bench flame -- --dir "$dir" --reps 3 >/dev/null 2>&1
cargo build --release --example flame_forward 2>/dev/null
echo "# rust, $(date -u +%H:%M:%SZ)"
taskset -c "$cpu" target/release/examples/flame_forward --out out/flame_recipe_rust --steps "$steps" \
    | grep -E "^PINN|^time to accuracy|accuracy targets"
echo "# jax, $(date -u +%H:%M:%SZ)"
FLAME_PEER_CPU=$cpu $py bench/peers/flame_recipe.py --dir "$dir" --impl jax --steps "$steps"
echo "# torch, $(date -u +%H:%M:%SZ)"
FLAME_PEER_CPU=$cpu $py bench/peers/flame_recipe.py --dir "$dir" --impl torch --steps "$steps" $torch_stop
echo "## load after: $(cut -d' ' -f1-3 /proc/loadavg)"
