"""NumPy peer for benchmark B3 of sbl.md (§6.2 IRS-aided MIMO uplink, §10 B3), single thread.

What it does:
  * Rebuilds the IRS system of solvers/sbl/src/irs.rs in NumPy: ULA dictionaries on G = 18
    angles (a(g)[k] = exp(j pi (2g/G - 1) k)/sqrt(dim)), UE 6, BS 16, IRS 256 antennas,
    QPSK pilots X (6 x 3, entries (+-1 +- j)/sqrt(2)/sqrt(6)), 6 IRS patterns of +-1/16, and the
    Kronecker dictionary factors H_p1 (6 x 18), H_p2 = X^T conj(A_UE) (3 x 18), A_BS (16 x 18).
  * Draws channels as irs.rs does (UE AoD, IRS AoD uniform on the grid; 3 contiguous IRS AoAs
    and 3 contiguous BS AoAs with CN(0,1) gains), x of length 18^3 = 5832, row-major
    index (g*18 + u)*18 + b, and y = (H_p1 kron H_p2 kron A_BS) x + CN(0, s2) noise
    (M = 288) with s2 = mean|y0|^2 / 10^(snr/10). The kron is never formed for the measurements.
  * Runs SVD-KroSBL and AM-KroSBL (the complex-capable code of krosbl_numpy.py, IRS presets
    of solvers/sbl/src/irs/presets.rs) and dense EM classical SBL on the formed 288 x 5832
    complex dictionary; known noise, at most 150 EM iterations, outer tolerance 1e-4.
  * Reports the cascaded-channel NMSE: G_t = A_BS M_t A_UE^H with
    M_t[b,u] = sum_g H_p1[t,g] x[g,u,b], averaged over the 6 patterns of
    ||G^_t - G_t||^2 / ||G_t||^2.

Randomness: one numpy Generator (PCG64, seed 7): pilots and patterns first, then per trial
the channel and the noise. The trials are the same draws for every method (trial k of dense
cSBL is trial k of KroSBL). The streams are NOT those of the Rust generator; only the model and
the statistics are comparable.

Output: CSV lines "method,trials,median_nmse,mean_nmse,mean_s_per_trial" (and # comments).
Time per trial covers the solver call only (the dense dictionary of cSBL is formed once,
outside the timing).

Install (pinned numpy 2.4.6, scipy 1.17.1, threadpoolctl 3.6.0, scikit-learn 1.9.1 from
bench/peers/requirements.txt; CPython 3.11):
  bash bench/peers/setup.sh
Self-check (y0 by mode products == physical cascade; NMSE formula at x^ = x):
  bench/peers/.venv/bin/python bench/peers/irs_numpy.py --selfcheck
Run:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/main/bench/peers/.venv/bin/python \
      /work/main/bench/peers/irs_numpy.py [--snr 20] [--trials 20] [--csbl-trials 3]
"""

import argparse
import os
import platform
import sys
import time

import numpy as np
import scipy
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# krosbl_numpy handles complex data: eigh of the Hermitian C_i, conjugate transposes, |W|^2, |mu|^2.
from krosbl_numpy import csbl_em, krosbl, multimode  # noqa: E402

# sizes (IrsConfig::default in irs.rs)
UE, BS, IRS, G, PILOTS, PATTERNS, SPREAD = 6, 16, 256, 18, 3, 6, 3


def ula(dim, grid=G):
    """ULA dictionary, column g: a(g)[k] = exp(j pi (2g/G - 1) k) / sqrt(dim)."""
    k = np.arange(dim)[:, None]
    g = np.arange(grid)[None, :]
    return np.exp(1j * np.pi * (2.0 * g / grid - 1.0) * k) / np.sqrt(dim)


def cn(rng, size):
    """CN(0, 1) samples: (N(0,1) + j N(0,1)) / sqrt(2)."""
    return (rng.standard_normal(size) + 1j * rng.standard_normal(size)) / np.sqrt(2.0)


class IrsSystem:
    """Fixed part: dictionaries, pilots, patterns, Kronecker factors (drawn once from rng)."""

    def __init__(self, rng):
        self.a_irs, self.a_ue, self.a_bs = ula(IRS), ula(UE), ula(BS)
        q = 1.0 / np.sqrt(2.0) / np.sqrt(UE)
        # QPSK pilots: independent signs for real and imaginary parts
        self.X = q * (rng.choice([-1.0, 1.0], (UE, PILOTS)) + 1j * rng.choice([-1.0, 1.0], (UE, PILOTS)))
        # IRS patterns theta_t in {+-1/16}^256, one row per pattern
        self.theta = rng.choice([-1.0, 1.0], (PATTERNS, IRS)) / np.sqrt(IRS)
        # H_p1[t, g] = sum_k theta_t[k] A_IRS[k, 0] conj(A_IRS[k, g])
        self.h_p1 = (self.theta * self.a_irs[:, 0][None, :]) @ self.a_irs.conj()
        # H_p2 = X^T conj(A_UE)
        self.h_p2 = self.X.T @ self.a_ue.conj()
        self.factors = [self.h_p1, self.h_p2, self.a_bs]

    def draw_channel(self, rng):
        """One channel: physical H1 (IRS x UE), H2 (BS x IRS) and the angular x (length G^3)."""
        gu, gd = (int(v) for v in rng.integers(0, G, 2))
        # contiguous clusters that do not wrap around the grid (main.m: randsample(0:G-3))
        ga0, gb0 = (int(v) for v in rng.integers(0, G - SPREAD + 1, 2))
        alpha, beta = cn(rng, SPREAD), cn(rng, SPREAD)
        c1 = np.sqrt(UE * IRS / SPREAD)
        c2 = np.sqrt(BS * IRS / SPREAD)
        ga = [ga0 + l for l in range(SPREAD)]
        gb = [gb0 + l for l in range(SPREAD)]
        irs_resp = self.a_irs[:, ga] @ alpha
        bs_resp = self.a_bs[:, gb] @ beta
        h1 = c1 * np.outer(irs_resp, self.a_ue[:, gu].conj())
        h2 = c2 * np.outer(bs_resp, self.a_irs[:, gd].conj())
        # the cascade depends on the IRS angle difference (gd - ga) mod G
        x = np.zeros((G, G, G), dtype=complex)
        for l, a in enumerate(alpha):
            for l2, b in enumerate(beta):
                x[(gd - ga[l]) % G, gu, gb[l2]] += c1 * c2 * a * b
        return h1, h2, x.ravel()

    def measure_clean(self, x):
        """y0 = (H_p1 kron H_p2 kron A_BS) x through three mode products (no kron)."""
        return multimode(x.reshape(G, G, G), self.factors).ravel()

    def measure_physical(self, h1, h2):
        """Direct cascade: [vec(H2 diag(theta_t) H1 X)]_t, column-major vec, patterns outermost."""
        out = [(h2 @ (self.theta[t][:, None] * h1) @ self.X).ravel(order="F") for t in range(PATTERNS)]
        return np.concatenate(out)

    def cascaded_true(self, h1, h2):
        """G_t = H2 diag(theta_t) H1, t = 1..6 (each BS x UE)."""
        return np.stack([h2 @ (self.theta[t][:, None] * h1) for t in range(PATTERNS)])

    def cascaded_from_x(self, x):
        """G_t = A_BS M_t A_UE^H with M_t[b, u] = sum_g H_p1[t, g] x[g, u, b]."""
        X3 = x.reshape(G, G, G)  # (g, u, b)
        Mt = np.einsum("tg,gub->tbu", self.h_p1, X3)
        return self.a_bs[None] @ Mt @ self.a_ue.conj().T[None]

    def channel_nmse(self, est, truth):
        """mean_t ||G^_t - G_t||_F^2 / ||G_t||_F^2."""
        num = np.sum(np.abs(est - truth) ** 2, axis=(1, 2))
        den = np.sum(np.abs(truth) ** 2, axis=(1, 2))
        return float(np.mean(num / den))


def add_noise(rng, y0, snr_db):
    """CN(0, s2) noise with s2 = mean|y0|^2 / 10^(snr/10); returns (y, s2)."""
    s2 = float(np.mean(np.abs(y0) ** 2)) / 10.0 ** (snr_db / 10.0)
    return y0 + np.sqrt(s2) * cn(rng, y0.shape), s2


# solver settings of solvers/sbl/src/irs/presets.rs


def run_svd(sys_, y, s2, snr_db):
    r = 0.0 if snr_db < 25.0 else 1e-3
    return krosbl(sys_.factors, y, s2, "svd", max_iter=150, tol=1e-4, prune_rel=r, prune_abs=1e-4)


def run_am(sys_, y, s2, snr_db):
    return krosbl(sys_.factors, y, s2, "am", max_iter=150, tol=1e-4, prune_rel=[1e-2, 1e-1, 1e-3],
                  prune_abs=1e-4, inner_tol=1e-4, inner_max=1000)


def selfcheck(seed=7):
    rng = np.random.default_rng(seed)
    sys_ = IrsSystem(rng)
    ok = True
    for trial in range(5):
        h1, h2, x = sys_.draw_channel(rng)
        y_mode = sys_.measure_clean(x)
        y_phys = sys_.measure_physical(h1, h2)
        rel = np.linalg.norm(y_mode - y_phys) / np.linalg.norm(y_phys)
        e = sys_.channel_nmse(sys_.cascaded_from_x(x), sys_.cascaded_true(h1, h2))
        # the mode products must also agree with the formed Kronecker dictionary
        A = np.kron(np.kron(sys_.h_p1, sys_.h_p2), sys_.a_bs)
        relk = np.linalg.norm(A @ x - y_mode) / np.linalg.norm(y_mode)
        good = rel <= 1e-12 and e < 1e-24 and relk <= 1e-12
        ok &= good
        print(f"{'PASS' if good else 'FAIL'} trial {trial}: y0 mode products vs physical cascade rel {rel:.2e} "
              f"(tol 1e-12); vs formed kron rel {relk:.2e}; channel NMSE at x^=x {e:.2e} (tol 1e-24); "
              f"nnz(x) {np.count_nonzero(x)}")
    print(f"irs_numpy selfcheck: {'PASS' if ok else 'FAIL'}")
    return ok


def bench(args):
    rng = np.random.default_rng(args.seed)
    sys_ = IrsSystem(rng)
    # draw all trials up front so every method sees the same (x, y, s2)
    trials = []
    for _ in range(args.trials):
        h1, h2, x = sys_.draw_channel(rng)
        y, s2 = add_noise(rng, sys_.measure_clean(x), args.snr)
        trials.append((sys_.cascaded_true(h1, h2), y, s2))

    def run(name, solver, n):
        errs, secs, iters = [], [], []
        for truth, y, s2 in trials[:n]:
            t0 = time.perf_counter()
            res = solver(y, s2)
            secs.append(time.perf_counter() - t0)
            iters.append(res["iterations"])
            errs.append(sys_.channel_nmse(sys_.cascaded_from_x(res["x"]), truth))
        print(f"# {name}: per-trial NMSE {[f'{e:.3g}' for e in errs]}, iterations {iters}", flush=True)
        print(f"{name},{n},{np.median(errs):.6e},{np.mean(errs):.6e},{np.mean(secs):.6e}", flush=True)

    print(f"# B3 IRS: N = {G**3}, M = {PATTERNS * PILOTS * BS}, SNR {args.snr} dB, seed {args.seed}, "
          "known noise, max 150 EM iterations, tol 1e-4")
    print("method,trials,median_nmse,mean_nmse,mean_s_per_trial")
    run("numpy_svd_krosbl", lambda y, s2: run_svd(sys_, y, s2, args.snr), args.trials)
    run("numpy_am_krosbl", lambda y, s2: run_am(sys_, y, s2, args.snr), args.trials)
    if args.csbl_trials > 0:
        A = np.kron(np.kron(sys_.h_p1, sys_.h_p2), sys_.a_bs)  # 288 x 5832 complex, formed once
        run("numpy_dense_em_csbl", lambda y, s2: csbl_em(A, y, s2, max_iter=150, tol=1e-4, prune=1e-4),
            min(args.csbl_trials, args.trials))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--selfcheck", action="store_true")
    ap.add_argument("--snr", type=float, default=20.0)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--csbl-trials", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with threadpool_limits(limits=1):
        if args.selfcheck:
            raise SystemExit(0 if selfcheck(args.seed) else 1)
        blas = [(i.get("internal_api"), i.get("version"), i.get("num_threads")) for i in threadpool_info()]
        print(f"# numpy {np.__version__}, scipy {scipy.__version__}, python {platform.python_version()}, "
              f"BLAS {blas}")
        print(f"# {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()}")
        bench(args)


if __name__ == "__main__":
    main()
