"""NumPy/SciPy peer for the MEDIDA benches (medida.md §1.3-1.6, S2-S5, S7, §5), one thread.

Input: --samples PATH (default target/bench_medida/samples.npy, written by the Rust bench), float64
of shape (n, 3, 1024): per sample the KS truth states u(t-2h), u(t-h), u(t) on the paper geometry
L = 100, N = 1024, x = linspace(-50, 50, N, endpoint=False), h = 5e-3.

Measured (median and best of --repeats runs after one warm-up, threadpool_limits(1)):
  build  MEDIDA regression build ("library + target") for all n samples, vectorised over samples:
         imperfect-model forecast = one CNAB2 step from (u(t-2h), u(t-h)) with lambda = --lam
         (L_k = l1 k^2 - l2 k^4, N(u) = -(l0/2) ik rfft(u^2), computed even when l0 = 0),
         target y = (u(t) - u_f)/h, library Theta(u(t)): 24 columns u^p d^d u (d-major, d, p = 0..4,
         (0,0) dropped, d = 0 means u^p). Derivatives either spectral (rfft/irfft, (ik)^d, Nyquist
         zeroed for odd d) or PDE-FIND FiniteDiff (2nd order, one-sided ends, d4 = FD1(FD3)) in f64.
         Phi is returned column-major (n*N x 24, Fortran order, one contiguous column per term).
  rvm    EM-RVM on the spectral (Phi, y), MEDIDA preset (standardise, alpha_thr 1e2, tol 0.1,
         alpha0 = beta0 = 1e-6, n_iter 3000): 'naive' = util/rvm.py (inv, Phi^T Phi and the
         residual from Phi every iteration), 'gram' = S5 (G, b, c once; O(p^3) iterations, Cholesky).
         setup_s = standardisation (+ Gram), iter_s = the EM loop (split of the last timed run).
         Weights are m*sigma_y/sigma_x.
  build_and_rvm  the two in sequence (spectral library), as one timed pipeline;
  library_and_rvm  the spectral library and the fit only (the targets y computed beforehand);
  build_and_rvm_threads2  the pipeline with the BLAS on two threads (the FFTs and element-wise
         work stay on one).
  enkf   stochastic EnKF analysis, N = 1024, N_e = 1024 and 10240: F = u(t) of sample 0 + 0.25 xi
         (default_rng(0)), w = u(t), sigma = 0.01, H = I. A = (F - mean)/sqrt(N_e - 1), B = A A^T,
         K = B (B + s^2 I)^-1 ('chol': Cholesky solve; 'inv': np.linalg.inv as MEDIDA's EnKF.py),
         W = w + sigma eps (default_rng(1), drawn inside the timed region), analysis ensemble
         F + K (W - F) as one GEMM (MEDIDA loops over members with one matvec each) and its mean.

Run (OPENBLAS_CORETYPE/L2_SIZE unset, they slow a current numpy here):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python \
      bench/peers/medida_numpy.py [--samples target/bench_medida/samples.npy] [--repeats 5] [--ne ...]
"""

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
import scipy
import scipy.linalg
from threadpoolctl import threadpool_info, threadpool_limits

L_DOMAIN, H_STEP = 100.0, 5e-3


def timed(f, repeats):
    """One warm-up, then `repeats` runs; returns (median, best, result of the last run)."""
    out = f()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts), out


# ----------------------------------------------------------------------------------------------
# regression build: CNAB2 forecast, target, library (S2-S4)
# ----------------------------------------------------------------------------------------------


def wavenumbers(n):
    return 2 * np.pi * np.fft.rfftfreq(n, L_DOMAIN / n)  # Nyquist bin +pi/dx


def cnab2(u2, u1, lam, kappa, h=H_STEP):
    """One CNAB2 step from (u(t-2h), u(t-h)) (rows = samples); returns u_f on the grid."""
    n = u1.shape[-1]
    lk = lam[1] * kappa**2 - lam[2] * kappa**4
    ik = 1j * kappa
    ik[-1] = 0.0  # odd derivative: Nyquist zeroed
    nl = lambda u: -(lam[0] / 2) * ik * np.fft.rfft(u * u, axis=-1)  # noqa: E731
    v = ((1 + h * lk / 2) * np.fft.rfft(u1, axis=-1) + 1.5 * h * nl(u1) - 0.5 * h * nl(u2)) / (1 - h * lk / 2)
    return np.fft.irfft(v, n, axis=-1)


def derivs_spectral(u, kappa, dmax=4):
    """[d^1 u, ..., d^dmax u] by (ik)^d on rfft(u); Nyquist zeroed for odd d."""
    n = u.shape[-1]
    uh = np.fft.rfft(u, axis=-1)
    out = []
    for d in range(1, dmax + 1):
        mult = (1j * kappa) ** d
        if d % 2:
            mult[-1] = 0.0
        out.append(np.fft.irfft(mult * uh, n, axis=-1))
    return out


def fd(u, dx, d):
    """PDE-FIND FiniteDiff along the last axis, vectorised with slicing (f64)."""
    ux = np.empty_like(u)
    if d == 1:
        ux[..., 1:-1] = (u[..., 2:] - u[..., :-2]) / (2 * dx)
        ux[..., 0] = (-1.5 * u[..., 0] + 2 * u[..., 1] - 0.5 * u[..., 2]) / dx
        ux[..., -1] = (1.5 * u[..., -1] - 2 * u[..., -2] + 0.5 * u[..., -3]) / dx
    elif d == 2:
        ux[..., 1:-1] = (u[..., 2:] - 2 * u[..., 1:-1] + u[..., :-2]) / dx**2
        ux[..., 0] = (2 * u[..., 0] - 5 * u[..., 1] + 4 * u[..., 2] - u[..., 3]) / dx**2
        ux[..., -1] = (2 * u[..., -1] - 5 * u[..., -2] + 4 * u[..., -3] - u[..., -4]) / dx**2
    elif d == 3:
        ux[..., 2:-2] = (u[..., 4:] / 2 - u[..., 3:-1] + u[..., 1:-3] - u[..., :-4] / 2) / dx**3
        for i in (0, 1):
            ux[..., i] = (-2.5 * u[..., i] + 9 * u[..., i + 1] - 12 * u[..., i + 2] + 7 * u[..., i + 3]
                          - 1.5 * u[..., i + 4]) / dx**3
        for i in (-1, -2):
            ux[..., i] = (2.5 * u[..., i] - 9 * u[..., i - 1] + 12 * u[..., i - 2] - 7 * u[..., i - 3]
                          + 1.5 * u[..., i - 4]) / dx**3
    else:
        return fd(fd(u, dx, 3), dx, d - 3)
    return ux


def library(u, ders):
    """Theta (rows = samples x grid, column-major): u^p * D_d, D_0 = 1, d-major, (0,0) dropped."""
    pows = [u, u * u]
    pows += [pows[1] * u, pows[1] * pows[1]]
    cols = list(pows)
    for du in ders:
        cols.append(du)
        cols += [p * du for p in pows]
    theta = np.empty((len(cols), u.size))
    for j, c in enumerate(cols):
        theta[j] = c.ravel()
    return theta.T


def build(samples, lam, kind):
    u2, u1, u0 = samples[:, 0], samples[:, 1], samples[:, 2]
    n = u0.shape[-1]
    kappa = wavenumbers(n)
    y = ((u0 - cnab2(u2, u1, lam, kappa)) / H_STEP).ravel()
    if kind == "spectral":
        ders = derivs_spectral(u0, kappa)
    else:
        ders = [fd(u0, L_DOMAIN / n, d) for d in range(1, 5)]
    return library(u0, ders), y


# ----------------------------------------------------------------------------------------------
# EM-RVM (§1.5, S5)
# ----------------------------------------------------------------------------------------------


def standardise(phi, t):
    mx, sx = phi.mean(axis=0), phi.std(axis=0)
    my, sy = t.mean(), t.std()
    return (phi - mx) / sx, (t - my) / sy, sx, sy


def rvm_naive(phi, t, thr=1e2, tol=0.1, n_iter=3000, a0=1e-6, b0=1e-6):
    """util/rvm.py fit(standardise=True), verbatim in the arithmetic (inv, full Phi each iteration)."""
    t0 = time.perf_counter()
    phi, t, sx, sy = standardise(phi, t)
    setup = time.perf_counter() - t0
    n, p = phi.shape
    keep_idx = np.arange(p)
    alpha, beta, alpha_old = np.full(p, a0), b0, np.full(p, a0)
    for i in range(n_iter):
        sigma = np.linalg.inv(np.diag(alpha) + beta * (phi.T @ phi))
        m = beta * (sigma @ (phi.T @ t))
        gamma = 1 - alpha * np.diag(sigma)
        alpha = gamma / m**2
        beta = (n - gamma.sum()) / np.sum((t - phi @ m) ** 2)
        keep = alpha < thr
        if not keep.any():
            keep[0] = True
        alpha, alpha_old, m, phi, sx = alpha[keep], alpha_old[keep], m[keep], phi[:, keep], sx[keep]
        keep_idx = keep_idx[keep]
        if np.max(np.abs(alpha - alpha_old)) < tol and i > 1:
            break
        alpha_old = alpha
    loop = time.perf_counter() - t0 - setup
    return dict(setup=setup, loop=loop, iterations=i + 1, support=keep_idx, w=m * sy / sx)


def rvm_gram(phi, t, thr=1e2, tol=0.1, n_iter=3000, a0=1e-6, b0=1e-6):
    """S5: standardise, G = Phi^T Phi, b = Phi^T t, c = t^T t once; O(p^3) iterations."""
    t0 = time.perf_counter()
    phis, ts, sx, sy = standardise(phi, t)
    G, b, c = phis.T @ phis, phis.T @ ts, float(ts @ ts)
    setup = time.perf_counter() - t0
    n, p = phis.shape
    act = np.arange(p)
    alpha, beta, alpha_old = np.full(p, a0), b0, np.full(p, a0)
    for i in range(n_iter):
        Ga, ba = G[np.ix_(act, act)], b[act]
        cf = scipy.linalg.cho_factor(np.diag(alpha) + beta * Ga, lower=True)
        sigma = scipy.linalg.cho_solve(cf, np.eye(act.size))
        m = beta * (sigma @ ba)
        gamma = 1 - alpha * np.diag(sigma)
        alpha = gamma / m**2
        rss = c - 2 * m @ ba + m @ Ga @ m
        if rss < 1e-8 * c:
            rss = float(np.sum((ts - phis[:, act] @ m) ** 2))
        beta = (n - gamma.sum()) / rss
        keep = alpha < thr
        if not keep.any():
            keep[np.argmin(alpha)] = True
        alpha, alpha_old, m, act = alpha[keep], alpha_old[keep], m[keep], act[keep]
        if np.max(np.abs(alpha - alpha_old)) < tol and i >= 2:
            break
        alpha_old = alpha
    loop = time.perf_counter() - t0 - setup
    return dict(setup=setup, loop=loop, iterations=i + 1, support=act, w=m * sy / sx[act])


# ----------------------------------------------------------------------------------------------
# EnKF analysis (§1.6, S7)
# ----------------------------------------------------------------------------------------------


def enkf(F, w, sigma, gain, seed=1):
    """Stochastic EnKF, H = I, R = sigma^2 I. Returns (analysis mean, stage times)."""
    N, ne = F.shape
    ts = [time.perf_counter()]
    W = w[:, None] + sigma * np.random.default_rng(seed).standard_normal((N, ne))
    ts.append(time.perf_counter())
    A = (F - F.mean(axis=1, keepdims=True)) / np.sqrt(ne - 1)
    B = A @ A.T
    ts.append(time.perf_counter())
    D = B + sigma**2 * np.eye(N)
    if gain == "chol":
        K = scipy.linalg.cho_solve(scipy.linalg.cho_factor(D, lower=True), B).T  # B D^-1, both symmetric
    else:
        K = B @ np.linalg.inv(D)
    ts.append(time.perf_counter())
    Ua = F + K @ (W - F)
    mean = Ua.mean(axis=1)
    ts.append(time.perf_counter())
    return mean, np.diff(ts)


# ----------------------------------------------------------------------------------------------


def fmt_list(a, spec):
    return ";".join(format(v, spec) for v in a)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", default="target/bench_medida/samples.npy")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs after one warm-up (>= 5)")
    ap.add_argument("--lam", default="0,1,1", help="imperfect-model lambda (l0,l1,l2); KS1 = 0,1,1")
    ap.add_argument("--ne", type=int, nargs="*", default=[1024, 10240], help="EnKF ensemble sizes (none: skip the EnKF)")
    args = ap.parse_args()
    if not os.path.exists(args.samples):
        print(f"medida_numpy: samples file {args.samples} not found; run the Rust MEDIDA bench first "
              "(it writes it), or pass --samples PATH", file=sys.stderr)
        raise SystemExit(2)
    samples = np.load(args.samples)
    if samples.ndim != 3 or samples.shape[1] != 3 or samples.dtype != np.float64:
        print(f"medida_numpy: expected float64 (n, 3, N), got {samples.dtype} {samples.shape}", file=sys.stderr)
        raise SystemExit(2)
    lam = [float(v) for v in args.lam.split(",")]
    reps = args.repeats

    with threadpool_limits(limits=1):
        blas = [(i.get("internal_api"), i.get("version"), i.get("architecture"), i.get("num_threads"))
                for i in threadpool_info()]
        print(f"# numpy {np.__version__}, scipy {scipy.__version__}, python {platform.python_version()}, BLAS {blas}")
        print(f"# {platform.machine()}, nproc {len(os.sched_getaffinity(0))}, load average {os.getloadavg()}")
        n, _, N = samples.shape
        print(f"# samples {args.samples}: n = {n}, N = {N}, sum = {samples.sum():.12e}, lambda = {lam}, "
              f"h = {H_STEP}; {reps} runs after one warm-up, times in seconds")

        print("bench,what,median_s,best_s,runs,rows,cols")
        built = {}
        for kind in ("spectral", "fd"):
            med, best, built[kind] = timed(lambda: build(samples, lam, kind), reps)
            phi = built[kind][0]
            print(f"medida_build,{kind},{med:.6e},{best:.6e},{reps},{phi.shape[0]},{phi.shape[1]}")
        phi, y = built["spectral"]
        phi_fd = built["fd"][0]
        inner = np.s_[:, 8:-8]
        rel = [np.max(np.abs((phi_fd[:, j] - phi[:, j]).reshape(n, N)[inner])) / np.max(np.abs(phi[:, j]))
               for j in (4, 9, 14, 19)]
        print(f"# check: max |FD - spectral|/max|spectral| away from the ends, d = 1..4: {fmt_list(rel, '.2e')}; "
              f"std(y) = {y.std():.6e}")

        print("bench,what,median_s,best_s,runs,setup_s,iter_s,iterations,support,weights")
        fits = {}
        for name, fit in (("naive", rvm_naive), ("gram", rvm_gram)):
            med, best, r = timed(lambda: fit(phi, y), reps)
            fits[name] = r
            print(f"medida_rvm,{name},{med:.6e},{best:.6e},{reps},{r['setup']:.6e},{r['loop']:.6e},"
                  f"{r['iterations']},{fmt_list(r['support'], 'd')},{fmt_list(r['w'], '.15g')}")
        for name, fit in (("naive", rvm_naive), ("gram", rvm_gram)):
            med, best, r = timed(lambda: fit(*build(samples, lam, "spectral")), reps)
            print(f"medida_build_and_rvm,{name},{med:.6e},{best:.6e},{reps},,,{r['iterations']},"
                  f"{fmt_list(r['support'], 'd')},{fmt_list(r['w'], '.15g')}")
        # the library and the fit alone: the targets y (forecasts) computed beforehand
        u0 = samples[:, 2]
        kappa = wavenumbers(N)
        for name, fit in (("naive", rvm_naive), ("gram", rvm_gram)):
            med, best, r = timed(lambda: fit(library(u0, derivs_spectral(u0, kappa)), y), reps)
            print(f"medida_library_and_rvm,{name},{med:.6e},{best:.6e},{reps},,,{r['iterations']},"
                  f"{fmt_list(r['support'], 'd')},{fmt_list(r['w'], '.15g')}")
        with threadpool_limits(limits=2):
            # two BLAS threads pinned to one core would only fight over it
            for name, fit in (("naive", rvm_naive), ("gram", rvm_gram)) if len(os.sched_getaffinity(0)) > 1 else ():
                med, best, r = timed(lambda: fit(*build(samples, lam, "spectral")), reps)
                print(f"medida_build_and_rvm_threads2,{name},{med:.6e},{best:.6e},{reps},,,{r['iterations']},"
                      f"{fmt_list(r['support'], 'd')},{fmt_list(r['w'], '.15g')}")
        a, g = fits["naive"], fits["gram"]
        same = np.array_equal(a["support"], g["support"])
        diff = np.max(np.abs(a["w"] - g["w"]) / np.abs(a["w"])) if same else float("nan")
        r = rvm_gram(phi_fd, built["fd"][1])
        print(f"# check: naive vs gram same support {same}, max rel weight difference {diff:.2e}; "
              f"gram on the FD library: support {fmt_list(r['support'], 'd')}, weights {fmt_list(r['w'], '.6f')}")

        print("bench,what,N,Ne,median_s,best_s,runs,draw_s,cov_s,gain_s,update_s,rms_mean_minus_w")
        w = samples[0, 2].copy()
        for ne in args.ne:
            F = w[:, None] + 0.25 * np.random.default_rng(0).standard_normal((N, ne))
            means = {}
            for gain in ("chol", "inv"):
                runs = [enkf(F, w, 0.01, gain) for _ in range(reps + 1)][1:]
                tot = [float(s.sum()) for _, s in runs]
                stage = np.median(np.array([s for _, s in runs]), axis=0)
                means[gain] = runs[-1][0]
                rms = np.sqrt(np.mean((means[gain] - w) ** 2))
                print(f"medida_enkf,{gain},{N},{ne},{statistics.median(tot):.6e},{min(tot):.6e},{reps},"
                      f"{stage[0]:.6e},{stage[1]:.6e},{stage[2]:.6e},{stage[3]:.6e},{rms:.6e}")
            dm = np.max(np.abs(means["chol"] - means["inv"]))
            print(f"# check: Ne = {ne}: max |mean_chol - mean_inv| = {dm:.2e} (same eps draws, seed 1)")
            del F


if __name__ == "__main__":
    main()
