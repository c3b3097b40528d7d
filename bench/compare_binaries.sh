#!/usr/bin/env bash
# Old vs new bench binaries, alternating in one run and pinned to one core: the check that a
# refactor left B1 (KroSBL), K1 (ETDRK4), M1 (MEDIDA regression) and F1 (PINN loss + gradient)
# where they were.
#   git worktree add /tmp/old <rev> && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target cargo bench --no-run)
#   cargo bench --no-run
#   bash bench/compare_binaries.sh /tmp/old-target ROUNDS > cmp.log
# Each output line is prefixed with old, or new; compare per-round ratios (the host is shared).
set -u
old_target=${1:?usage: compare_binaries.sh OLD_TARGET_DIR [ROUNDS]}
rounds=${2:-8}
cpu=$(( $(nproc) - 1 ))
cd "$(dirname "$0")/.."
bin() { ls -t "$1"/release/deps/"$2"-* | grep -v '\.d$' | head -1; }
for r in $(seq "$rounds"); do
  for side in old new; do
    t=target; [ "$side" = old ] && t=$old_target
    echo "# round $r $side $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    taskset -c "$cpu" "$(bin "$t" sbl)" --bench --b1-only --no-dense 2>/dev/null | grep -E '^B1,' | sed "s/^/$side,/"
    taskset -c "$cpu" "$(bin "$t" ks)" --bench 2>/dev/null | grep -E '^ks_rust' | sed "s/^/$side,/"
    taskset -c "$cpu" "$(bin "$t" medida)" --bench --regression-only 2>/dev/null | grep -E '^B4' | sed "s/^/$side,/"
    taskset -c "$cpu" "$(bin "$t" flame)" --bench --dir "target/flame_bench_$side" --reps 200 2>/dev/null \
      | tail -n +2 | sed "s/^/$side,/"
  done
done
