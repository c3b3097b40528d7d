"""Shared reference cases of the entropic-OT spec (shared/specs/ot.md §8.1), regenerated from the
portable SplitMix64 so that the Rust side (solvers/ot, benches/ot.rs) builds bit-identical inputs.

What it builds (every case returns C (n x n, row-major), weights a, b):
  * gauss2d(n, seed): one SplitMix64 stream; the first 2n normals fill X row by row (x then y),
    the next 2n normals z give Y_j = 0.5 z_j + (2, 0) for even j and 0.5 z_j + (-1, 2) for odd j.
    D_ij = dx*dx + dy*dy with dx = X_i0 - Y_j0, dy = X_i1 - Y_j1 (this order, no expansion),
    C_ij = D_ij / max_ij D_ij (a division, not a product with the reciprocal); a = b = 1/n.
    Spec seeds: n = 500 -> seed 1, n = 1000 -> seed 2. gauss2d_n100 (seed 1, its own stream of
    4*100 normals) is a local smoke case only, not in the spec.
  * random_assignment(n, seed=3): C_ij = successive uniforms in row-major order; a = b = 1/n.
  * dens1d(n, p): x_k = k/(n-1); a ~ 0.6 N(x; 0.25, 0.06^2) + 0.4 N(x; 0.55, 0.10^2) + 1e-3,
    b ~ 0.5 N(x; 0.65, 0.05^2) + 0.5 N(x; 0.85, 0.04^2) + 1e-3 (Gaussian pdfs), each divided by
    its sum (a plain left-to-right sum); C_ij = |x_i - x_j|^p (p = 1: the W1 case, p = 2: W2,
    computed as d*d), not rescaled.
Conventions (portable_rng.SplitMix64 for the stream):
  * uniform = (out >> 11) * 2^-53 in [0, 1);
  * normals in Box-Muller pairs: u1 = 1 - uniform(), u2 = uniform(), r = sqrt(-2 ln u1),
    outputs r cos(2 pi u2), then r sin(2 pi u2) (both values of a pair are used, in this order).
All transcendental functions are scalar libm calls (math.*), as Rust's f64 methods on Linux,
never numpy's vectorised ones (those may differ in the last bit).

Self-check (asserts the spec's check values; compares the n = 500 points with the CSV copies in
shared/specs/data/ot/ when that folder is found; prints checksums for the Rust port):
  bench/peers/.venv/bin/python bench/peers/ot_cases.py
The Rust side should reproduce: X[0], Y[0], the raw max squared distance 51.028184408468206
(n = 500) exactly, and the printed checksums (C[0, 0:3], sum of C in row-major order, a[0], b[0]).
"""

import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from portable_rng import SplitMix64  # noqa: E402


class PairNormals:
    """Box-Muller normals in pairs (cos value first, then the sin value of the same pair)."""

    def __init__(self, gen):
        self.g = gen
        self.pending = None

    def normal(self):
        if self.pending is not None:
            z, self.pending = self.pending, None
            return z
        u1 = 1.0 - self.g.uniform()
        u2 = self.g.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        th = 2.0 * math.pi * u2
        self.pending = r * math.sin(th)
        return r * math.cos(th)

    def normals(self, count):
        return np.array([self.normal() for _ in range(count)], dtype=np.float64)


GAUSS2D_SEEDS = {500: 1, 1000: 2}


def gauss2d_points(n, seed):
    """X, Y (n x 2 each) of gauss2d."""
    nz = PairNormals(SplitMix64(seed))
    X = nz.normals(2 * n).reshape(n, 2)
    z = nz.normals(2 * n).reshape(n, 2)
    Y = np.empty_like(z)
    for j in range(n):
        shift = (2.0, 0.0) if j % 2 == 0 else (-1.0, 2.0)
        Y[j, 0] = 0.5 * z[j, 0] + shift[0]
        Y[j, 1] = 0.5 * z[j, 1] + shift[1]
    return X, Y


def gauss2d(n, seed=None):
    """Normalised squared-Euclidean cost between the two clouds, uniform weights."""
    if seed is None:
        seed = GAUSS2D_SEEDS[n]
    X, Y = gauss2d_points(n, seed)
    dx = X[:, 0][:, None] - Y[:, 0][None, :]
    dy = X[:, 1][:, None] - Y[:, 1][None, :]
    D = dx * dx + dy * dy  # elementwise IEEE ops: identical to a scalar loop
    dmax = float(D.max())
    C = D / dmax
    w = np.full(n, 1.0 / n)
    return dict(C=C, a=w, b=w.copy(), X=X, Y=Y, raw_max_sq=dmax, seed=seed)


def random_assignment(n, seed=3):
    g = SplitMix64(seed)
    C = np.array([g.uniform() for _ in range(n * n)], dtype=np.float64).reshape(n, n)
    w = np.full(n, 1.0 / n)
    return dict(C=C, a=w, b=w.copy(), seed=seed)


def _gauss_pdf(x, mu, sigma):
    t = (x - mu) / sigma
    return math.exp(-0.5 * t * t) / (sigma * math.sqrt(2.0 * math.pi))


def _normalise(v):
    s = 0.0
    for t in v:  # plain left-to-right sum (portable)
        s += t
    return np.array([t / s for t in v], dtype=np.float64)


def dens1d(n, p):
    assert p in (1, 2)
    x = [k / (n - 1) for k in range(n)]
    a = [0.6 * _gauss_pdf(t, 0.25, 0.06) + 0.4 * _gauss_pdf(t, 0.55, 0.10) + 1e-3 for t in x]
    b = [0.5 * _gauss_pdf(t, 0.65, 0.05) + 0.5 * _gauss_pdf(t, 0.85, 0.04) + 1e-3 for t in x]
    xs = np.array(x, dtype=np.float64)
    d = xs[:, None] - xs[None, :]
    C = np.abs(d) if p == 1 else d * d
    return dict(C=C, a=_normalise(a), b=_normalise(b), x=xs)


# Spec §8 "Expected outputs (shared subset)": exact OT cost, and per reg the entropic cost <C,P>
# and objective <C,P> + reg sum P log P. Tolerances there: 1e-9 relative at L1 <= 1e-11,
# 1e-6 relative at L1 <= 1e-8.
REFERENCE = {
    "gauss2d_n500": dict(
        exact=0.04633332892386592,
        entropic={1e-2: (0.0543326910199727, -0.0571183322542737),
                  1e-3: (0.0470958456533658, 0.0378653938403809)}),
    "randassign_n500": dict(
        exact=0.00323381664446694,
        entropic={1 / 1200: (0.00345768115067113, -0.00236796227028426),
                  1e-2: (0.0112203216049703, -0.077194648819148)}),
}


def reference(case, reg):
    """(exact cost, entropic cost, entropic objective), each None when the spec gives none."""
    r = REFERENCE.get(case)
    if r is None:
        return None, None, None
    if reg is None:
        return r["exact"], None, None
    for k, (cost, obj) in r["entropic"].items():
        if abs(k - reg) <= 1e-12 * k:
            return r["exact"], cost, obj
    return r["exact"], None, None


CASE_HELP = ("gauss2d_n500 (seed 1), gauss2d_n1000 (seed 2), gauss2d_n100 (seed 1, local smoke "
             "case), gauss2d_n<N>_s<SEED>, randassign_n<N> (seed 3), dens1d_w1_n<N>, "
             "dens1d_w2_n<N>")


def make_case(name):
    """Build a case by name; returns dict(name, C, a, b, ...)."""
    m = re.fullmatch(r"gauss2d_n(\d+)(?:_s(\d+))?", name)
    if m:
        n = int(m.group(1))
        seed = int(m.group(2)) if m.group(2) else {100: 1, **GAUSS2D_SEEDS}.get(n)
        if seed is None:
            raise ValueError(f"{name}: no spec seed for n = {n}; use gauss2d_n{n}_s<SEED>")
        out = gauss2d(n, seed)
    elif re.fullmatch(r"randassign_n(\d+)", name):
        out = random_assignment(int(name.split("_n")[1]), seed=3)
    elif re.fullmatch(r"dens1d_w([12])_n(\d+)", name):
        m = re.fullmatch(r"dens1d_w([12])_n(\d+)", name)
        out = dens1d(int(m.group(2)), int(m.group(1)))
    else:
        raise ValueError(f"unknown case {name!r}; known: {CASE_HELP}")
    out["name"] = name
    out["n"] = out["C"].shape[0]
    return out


# ------------------------------------------------------------------------------------------------


def _spec_csv_dir():
    env = os.environ.get("OT_SPEC_DATA")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    # <repo>/bench/peers -> <repo>/../shared/specs/data/ot (shared/ lies beside the work tree)
    return os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "specs", "data", "ot"))


def _row_major_sum(C):
    s = 0.0
    for v in C.ravel().tolist():
        s += v
    return s


def selfcheck():
    results = []

    def check(what, ok, detail):
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {what}: {detail}")

    g = SplitMix64(0)
    u64 = [g.next_u64() for _ in range(3)]
    want = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    check("SplitMix64 seed 0", u64 == want, [f"0x{v:016x}" for v in u64])
    g = SplitMix64(3)
    u = [g.uniform() for _ in range(3)]
    check("uniforms seed 3", u == [0.11345034205715454, 0.7002935135929024, 0.6129746825466243], u)

    case = make_case("gauss2d_n500")
    X, Y = case["X"], case["Y"]
    check("gauss2d_n500 X[0]", X[0].tolist() == [-0.034267321791851144, -1.2926085332373185],
          X[0].tolist())
    check("gauss2d_n500 Y[0]", Y[0].tolist() == [2.368862667909542, 0.42179271467868923],
          Y[0].tolist())
    check("gauss2d_n500 raw max squared distance", case["raw_max_sq"] == 51.028184408468206,
          repr(case["raw_max_sq"]))
    d = _spec_csv_dir()
    fx, fy = os.path.join(d, "gauss2d_n500_X.csv"), os.path.join(d, "gauss2d_n500_Y.csv")
    if os.path.exists(fx) and os.path.exists(fy):
        cx = np.loadtxt(fx, delimiter=",")
        cy = np.loadtxt(fy, delimiter=",")
        check("gauss2d_n500 X, Y == spec CSV (bit for bit)",
              np.array_equal(cx, X) and np.array_equal(cy, Y),
              f"max |diff| X {np.max(np.abs(cx - X)):.1e}, Y {np.max(np.abs(cy - Y)):.1e}")
    else:
        print(f"SKIP CSV comparison: {d} not found (set OT_SPEC_DATA)")
    C = case["C"]
    check("gauss2d_n500 C in [0, 1], max 1", float(C.min()) >= 0.0 and float(C.max()) == 1.0,
          f"min {C.min():.3e}")

    # Checksums for the Rust port (not in the spec; printed so that benches/tests can pin them).
    print("checksums (repr, C summed left to right in row-major order):")
    for name in ("gauss2d_n100", "gauss2d_n500", "gauss2d_n1000", "randassign_n500",
                 "dens1d_w1_n1000", "dens1d_w2_n1000"):
        c = case if name == "gauss2d_n500" else make_case(name)
        print(f"  {name}: C[0,0:3] = {c['C'][0, :3].tolist()}, sum C = {_row_major_sum(c['C'])!r}, "
              f"a[0] = {float(c['a'][0])!r}, b[0] = {float(c['b'][0])!r}"
              + (f", raw max sq = {c['raw_max_sq']!r}" if "raw_max_sq" in c else ""))
        if name == "randassign_n500":
            check("randassign_n500 C[0,0:3] = seed-3 uniforms", c["C"][0, :3].tolist() == u,
                  "first three uniforms")
        if name.startswith("dens1d"):
            ok = abs(c["a"].sum() - 1) < 1e-14 and abs(c["b"].sum() - 1) < 1e-14
            check(f"{name} weights sum to 1", ok, f"{float(c['a'].sum())!r}, {float(c['b'].sum())!r}")

    nfail = sum(1 for ok in results if not ok)
    print(f"ot_cases selfcheck: {len(results) - nfail} passed, {nfail} failed")
    return nfail == 0


if __name__ == "__main__":
    raise SystemExit(0 if selfcheck() else 1)
