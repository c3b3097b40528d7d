"""Portable SplitMix64 generator and problem builders shared by the SBL peers (sbl.md §13.0).

The Rust tests draw the same streams, so every input here is reproducible bit-for-bit there:
  * SplitMix64: s += 0x9E3779B97F4A7C15; z = s; z = (z ^ z>>30)*0xBF58476D1CE4E5B9;
    z = (z ^ z>>27)*0x94D049BB133111EB; out = z ^ z>>31 (all mod 2^64).
  * uniform = (out >> 11) * 2^-53                    (sbl convention, in [0, 1))
    medida's convention is ((out >> 11) + 0.5) * 2^-53 (in (0, 1)); pass medida=True for it.
  * normal (Box-Muller, cos branch, two uniforms per value):
    u1 = 1 - uniform(), u2 = uniform(), sqrt(-2 ln u1) cos(2 pi u2).
    (With medida=True: u1 = uniform(), u2 = uniform(), as in medida.md "B. RVM".)
  * choose(n, k): partial Fisher-Yates on [0..n), returns the sorted first k.
  * make_problem(seed, n, m, K, snr_db, kind): the KroSBL synthetic problem of §13.0.
  * rc1_inputs / rc2_d / rc7_problem / r1_problem: the inputs of the reference cases.

Run the self-check (every value quoted in sbl.md §13.0, RC6, RC7 and medida.md B):
  bench/peers/.venv/bin/python bench/peers/portable_rng.py
"""

import math

import numpy as np

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed, medida=False):
        self.s = seed & MASK
        self.medida = medida

    def next_u64(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        if self.medida:
            return ((self.next_u64() >> 11) + 0.5) * 2.0**-53
        return (self.next_u64() >> 11) * 2.0**-53

    def normal(self):
        # sbl: u1 = 1 - U so that u1 in (0, 1] and log(u1) is finite; medida draws u1 = U in (0, 1).
        if self.medida:
            u1 = self.uniform()
        else:
            u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def normals(self, count):
        return np.array([self.normal() for _ in range(count)], dtype=np.float64)

    def choose(self, n, k):
        # Partial Fisher-Yates: swap p[i] with p[j], j uniform in [i, n), for i < k.
        p = list(range(n))
        for i in range(k):
            j = i + int(math.floor(self.uniform() * (n - i)))
            p[i], p[j] = p[j], p[i]
        return sorted(p[:k])


def kron_all(vectors_or_matrices):
    out = vectors_or_matrices[0]
    for f in vectors_or_matrices[1:]:
        out = np.kron(out, f)
    return out


def apply_kron(factors, x):
    """H x with H = kron(H_1, ..., H_I), via mode products on the row-major tensor of x."""
    t = x.reshape([f.shape[1] for f in factors])
    for i, f in enumerate(factors):
        # mode-i product: contract axis i of t with the columns of f, then put the new axis back at i.
        t = np.moveaxis(np.tensordot(f, t, axes=([1], [i])), 0, i)
    return t.reshape(-1)


def make_problem(seed, n, m, K, snr_db, kind="normal"):
    """sbl.md §13.0. Returns dict(H=[H_i], x, y, y0, sigma2, supports, xs=[x_i])."""
    assert kind in ("normal", "bounded", "iid")
    g = SplitMix64(seed)
    # 1. factors, each m_i*n_i normals in row-major order
    H = [g.normals(mi * ni).reshape(mi, ni) for mi, ni in zip(m, n)]
    # 2. per factor: support, then K_i normals in sorted-support order
    supports, xs = [], []
    for ni, ki in zip(n, K):
        sup = g.choose(ni, ki)
        vals = g.normals(ki)
        if kind == "bounded":
            vals = np.sign(vals) * (0.5 + np.abs(vals))
        xi = np.zeros(ni)
        xi[sup] = vals
        supports.append(sup)
        xs.append(xi)
    # 3. x = kron of the factor vectors, or iid values on the same (Kronecker) support
    x = kron_all(xs)
    if kind == "iid":
        nz = np.flatnonzero(x)  # increasing index order
        x = np.zeros_like(x)
        x[nz] = g.normals(len(nz))
    # 4. noiseless data and the noise variance for the requested SNR
    y0 = apply_kron(H, x)
    M = y0.size
    sigma2 = (float(y0 @ y0) / M) / 10.0 ** (snr_db / 10.0)
    # 5. noisy data
    y = y0 + math.sqrt(sigma2) * g.normals(M)
    return dict(H=H, x=x, y=y, y0=y0, sigma2=sigma2, supports=supports, xs=xs)


def rc1_inputs(complex_=False):
    """RC1: seed 7, n = (5,4,3), m = (3,3,2), sigma2 = 0.3."""
    n, m = (5, 4, 3), (3, 3, 2)
    g = SplitMix64(7)
    H = [g.normals(mi * ni).reshape(mi, ni) for mi, ni in zip(m, n)]
    if complex_:
        H = [h + 1j * g.normals(h.size).reshape(h.shape) for h in H]
    gam = [np.abs(g.normals(ni)) + 0.1 for ni in n]
    y = g.normals(18)
    if complex_:
        y = y + 1j * g.normals(18)
    return dict(H=H, gammas=gam, y=y, sigma2=0.3, n=n, m=m)


def rc2_d():
    """RC2/RC3: seed 2024, D = normals(60)^2 + 0.01 reshaped row-major to (4,3,5)."""
    g = SplitMix64(2024)
    return (g.normals(60) ** 2 + 0.01).reshape(4, 3, 5)


def rc7_problem():
    """RC7: seed 8, M = 100, N = 60; A = normals/sqrt(M); bounded values on choose(60, 6)."""
    M, N = 100, 60
    g = SplitMix64(8)
    A = g.normals(M * N).reshape(M, N) / math.sqrt(M)
    sup = g.choose(N, 6)
    x = np.zeros(N)
    for j in sup:
        z = g.normal()
        x[j] = math.copysign(0.5 + abs(z), z)
    y0 = A @ x
    sigma2 = (float(y0 @ y0) / M) / 1e3
    y = y0 + math.sqrt(sigma2) * g.normals(M)
    return dict(A=A, x=x, y=y, sigma2=sigma2, support=sup)


def r1_problem():
    """medida.md B/R1: seed 20240601 (medida uniform), X 400x10 row-major, then eps(400);
    y = 1.5 x_2 - 2.0 x_5 + 0.75 x_7 + 0.05 eps (0-based columns)."""
    g = SplitMix64(20240601, medida=True)
    X = g.normals(400 * 10).reshape(400, 10)
    eps = g.normals(400)
    y = 1.5 * X[:, 2] - 2.0 * X[:, 5] + 0.75 * X[:, 7] + 0.05 * eps
    return X, y


# ------------------------------------------------------------------------------------------------


def _close(got, want, rtol, what, results):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    err = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))
    ok = err <= rtol
    results.append((what, ok, err))
    print(f"{'PASS' if ok else 'FAIL'} {what}: rel err {err:.2e} (tol {rtol:.0e})")


def _same(got, want, what, results):
    ok = got == want
    results.append((what, ok, 0.0))
    print(f"{'PASS' if ok else 'FAIL'} {what}: got {got}, want {want}")


def selfcheck():
    r = []
    # --- sbl.md §13.0, seed 1 --------------------------------------------------------------
    g = SplitMix64(1)
    _same([hex(g.next_u64()) for _ in range(3)],
          ["0x910a2dec89025cc1", "0xbeeb8da1658eec67", "0xf893a2eefb32555e"], "seed1 u64", r)
    g = SplitMix64(1)
    _close([g.uniform() for _ in range(3)],
           [0.5665615751722809, 0.7457817572627011, 0.9710027535867962], 0.0, "seed1 uniforms", r)
    g = SplitMix64(1)
    n3 = g.normals(3)
    _close(n3, [-0.034267321791851144, -2.5000674933698677, 0.08772246831488635], 1e-15,
           "seed1 normals", r)
    _same(SplitMix64(1).choose(15, 3), [8, 11, 14], "seed1 choose(15,3)", r)

    p = make_problem(1, (15, 15, 15), (8, 12, 15), (3, 3, 3), 25)
    _close(p["H"][0][0, :3], n3, 0.0, "make_problem(1) H_1[0,0:3]", r)
    _same(p["supports"], [[7, 8, 12], [2, 11, 12], [1, 5, 6]], "make_problem(1) supports", r)
    _close(p["xs"][0][[7, 8, 12]], [0.52992007471817, 0.23820975152834, 1.36794991883607], 1e-12,
           "make_problem(1) x_1 values", r)
    _close(p["sigma2"], 0.008511223917636505, 1e-13, "make_problem(1) sigma2", r)
    _close(p["y"][:2], [0.6603782656860719, -0.34928233879896664], 1e-13, "make_problem(1) y[0:2]", r)
    _close(p["y"] @ p["y"], 3879.1944511895977, 1e-13, "make_problem(1) ||y||^2", r)

    # --- RC6 seed 1 -------------------------------------------------------------------------
    p = make_problem(1, (10, 10, 10), (8, 8, 8), (2, 2, 2), 40, "bounded")
    _same(p["supports"], [[1, 4], [0, 3], [7, 8]], "RC6 seed1 supports", r)
    _close(p["sigma2"], 0.002017204227992017, 1e-13, "RC6 seed1 sigma2", r)
    _close(p["y"] @ p["y"], 10325.385519379042, 1e-13, "RC6 seed1 ||y||^2", r)

    # --- RC7 generator ----------------------------------------------------------------------
    q = rc7_problem()
    _same(q["support"], [4, 11, 19, 25, 38, 57], "RC7 support", r)
    _close(q["sigma2"], 1.3670039431837812e-4, 1e-13, "RC7 sigma2", r)
    _close(q["A"][0, :3], [-0.10587743180551334, -0.1489256670625591, -0.025658597560470113], 1e-14,
           "RC7 A[0,0:3]", r)
    _close(q["y"][:2], [0.2729224551850726, -0.27372704702447953], 1e-13, "RC7 y[0:2]", r)
    _close(q["x"][q["support"]], [-1.32135, 1.38173, 0.61373, -0.93010, -3.14846, -0.51503], 5e-5,
           "RC7 x on support (5 decimals)", r)

    # --- medida.md B: seed 42 (medida uniform) and R1 checksums --------------------------------
    g = SplitMix64(42, medida=True)
    _same([hex(g.next_u64()) for _ in range(3)],
          ["0xbdd732262feb6e95", "0x28efe333b266f103", "0x47526757130f9f52"], "medida seed42 u64", r)
    g = SplitMix64(42, medida=True)
    _close([g.uniform() for _ in range(3)],
           [0.7415648787718234, 0.15991039287692016, 0.2786011302551387], 0.0, "medida seed42 uniforms", r)
    g = SplitMix64(42, medida=True)
    _close(g.normals(3), [0.41471975043153037, -0.8918862136277568, 1.7295930879374035], 1e-15,
           "medida seed42 normals", r)
    X, y = r1_problem()
    _close([X.sum(), y.sum(), X[0, 0], y[0]],
           [65.33678406202017, -4.109340506215531, -1.803004516519823, 1.9657681606758048], 1e-12,
           "medida R1 checksums", r)

    nfail = sum(1 for _, ok, _ in r if not ok)
    print(f"portable_rng selfcheck: {len(r) - nfail}/{len(r)} passed")
    return nfail == 0


if __name__ == "__main__":
    raise SystemExit(0 if selfcheck() else 1)
