"""Per-round ratios of the MEDIDA regression benchmarks (BENCHMARKS.md M1) from the log that
`bash bench/run_medida.sh --rounds K` writes: Rust rows `B…,what,seconds,…` and NumPy rows
`medida_…,variant,median_s,…`, each round headed by a line `# round r, …`.

Ratios (NumPy median / Rust median, the same round):
  pipeline   NumPy build + EM-RVM (naive = MEDIDA's util/rvm.py; gram = S5) against Rust
             forecasts + targets + library moments + RVM fit (moments_and_rvm_fit)
  library    NumPy library + EM-RVM (targets given) against Rust library moments + RVM fit
  fit        NumPy EM-RVM on Phi against the Rust RVM on the same stacked Phi (rvm_em_fit)
"""

import statistics
import sys


def main(path):
    rounds, cur = [], None
    for line in open(path):
        line = line.strip()
        if line.startswith("# round"):
            cur = {"head": line[2:]}
            rounds.append(cur)
        elif cur is not None and "," in line:
            f = line.split(",")
            if f[0].startswith("B"):
                cur[f[1]] = float(f[2])
            elif f[0].startswith("medida_"):
                cur[f"{f[0]}:{f[1]}"] = float(f[2])
    pairs = [
        ("pipeline/naive", "medida_build_and_rvm:naive", "moments_and_rvm_fit"),
        ("pipeline/gram", "medida_build_and_rvm:gram", "moments_and_rvm_fit"),
        ("library/naive", "medida_library_and_rvm:naive", "library_moments_and_rvm_fit"),
        ("library/gram", "medida_library_and_rvm:gram", "library_moments_and_rvm_fit"),
        ("fit/naive", "medida_rvm:naive", "rvm_em_fit"),
    ]
    print("ratio," + ",".join(f"round {i + 1}" for i in range(len(rounds))) + ",median")
    for name, num, den in pairs:
        r = [d[num] / d[den] for d in rounds if num in d and den in d]
        cells = ",".join(f"{v:.1f}" for v in r)
        print(f"{name},{cells},{statistics.median(r):.1f}" if r else f"{name},-")
    for key in ("moments_and_rvm_fit", "medida_build_and_rvm:naive"):
        v = [d[key] * 1e3 for d in rounds if key in d]
        if v:
            print(f"# {key}: " + ", ".join(f"{x:.2f}" for x in v) + " ms")


if __name__ == "__main__":
    main(sys.argv[1])
