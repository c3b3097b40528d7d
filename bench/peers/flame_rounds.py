"""Per-round ratios of the flame loss + gradient benchmark (BENCHMARKS.md F1) from the log that
`bash bench/run_flame.sh --rounds K` writes: CSV rows `impl,version,net,dtype,threads,loss,
ms_wall_median,…` of Rust, JAX and PyTorch, each round headed by a line `# round r, …`.

Prints, per network and dtype, the per-round ratios peer / Rust (the same round) and their
median, then the median times.
"""

import statistics
import sys


def main(path):
    rounds, cur = [], None
    for line in open(path):
        line = line.strip()
        if line.startswith("# round"):
            cur = {}
            rounds.append(cur)
        elif cur is not None and line.count(",") >= 6 and not line.startswith("impl,"):
            f = line.split(",")
            if f[4] == "1":
                cur[(f[0], f[2], f[3])] = float(f[6])
    cases = sorted({(k[1], k[2]) for d in rounds for k in d}, key=lambda c: (c[0], c[1] != "f64"))
    print("ratio," + ",".join(f"round {i + 1}" for i in range(len(rounds))) + ",median,min")
    for net, dt in cases:
        for peer in ("jax", "torch"):
            r = [d[(peer, net, dt)] / d[("rust", net, dt)]
                 for d in rounds if (peer, net, dt) in d and ("rust", net, dt) in d]
            if r:
                cells = ",".join(f"{v:.2f}" for v in r)
                print(f"{peer}/{net}/{dt},{cells},{statistics.median(r):.2f},{min(r):.2f}")
    print("median ms over the rounds:")
    for net, dt in cases:
        cells = []
        for impl in ("rust", "jax", "torch"):
            v = [d[(impl, net, dt)] for d in rounds if (impl, net, dt) in d]
            if v:
                cells.append(f"{impl} {statistics.median(v):.3f} ({min(v):.3f}-{max(v):.3f})")
        print(f"  {net} {dt}: " + ", ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1])
