"""NumPy peer for benches/ks.rs: ETDRK4 (Kassam & Trefethen 2005) steps per second, one thread.

The same setting as the Rust bench: L = 32*pi*N/128, h = 1/4, u0 = cos(x/16)(1 + sin(x/16)),
no dealiasing, real FFTs (np.fft.rfft / irfft), coefficients by the contour integral (M = 16),
the Nyquist wavenumber set to 0. Best of 5 runs of `steps` steps at N = 128, 1024, 4096.
Also checks the A1 value u[0] at t = 1 (N = 128) of shared/specs/medida.md.

Run: bash bench/peers/setup.sh && bench/peers/.venv/bin/python bench/peers/ks_numpy.py
"""

import time

import numpy as np
from threadpoolctl import threadpool_limits


def setup(n, length, h):
    k = 2 * np.pi / length * np.arange(n // 2 + 1, dtype=float)
    k[-1] = 0.0  # Nyquist wavenumber 0, as kursiv.m
    lk = k**2 - k**4
    e, e2 = np.exp(h * lk), np.exp(h * lk / 2)
    m = 16
    r = np.exp(1j * np.pi * (np.arange(1, m + 1) - 0.5) / m)
    lr = h * lk[:, None] + r[None, :]
    q = h * np.real(np.mean((np.exp(lr / 2) - 1) / lr, axis=1))
    f1 = h * np.real(np.mean((-4 - lr + np.exp(lr) * (4 - 3 * lr + lr**2)) / lr**3, axis=1))
    f2 = h * np.real(np.mean((2 + lr + np.exp(lr) * (lr - 2)) / lr**3, axis=1))
    f3 = h * np.real(np.mean((-4 - 3 * lr - lr**2 + np.exp(lr) * (4 - lr)) / lr**3, axis=1))
    g = -0.5j * k
    return e, e2, q, f1, f2, f3, g


def run(n, steps, length, h=0.25):
    e, e2, q, f1, f2, f3, g = setup(n, length, h)
    x = length * np.arange(1, n + 1) / n
    v = np.fft.rfft(np.cos(x / 16) * (1 + np.sin(x / 16)))

    def nl(w):
        return g * np.fft.rfft(np.fft.irfft(w, n) ** 2)

    t0 = time.perf_counter()
    for _ in range(steps):
        nv = nl(v)
        a = e2 * v + q * nv
        na = nl(a)
        b = e2 * v + q * na
        nb = nl(b)
        c = e2 * a + q * (2 * nb - nv)
        nc = nl(c)
        v = e * v + nv * f1 + 2 * (na + nb) * f2 + nc * f3
    return time.perf_counter() - t0, np.fft.irfft(v, n)


def main():
    with threadpool_limits(limits=1):
        print(f"# numpy {np.__version__}")
        _, u = run(128, 4, 32 * np.pi)
        print(f"# A1 check: u[0] at t = 1: {u[0]:.14f} (spec 0.99058488658161)")
        print("bench,N,steps,seconds,steps_per_second")
        for n, steps in ((128, 4000), (1024, 1000), (4096, 250)):
            best = min(run(n, steps, 32 * np.pi * n / 128)[0] for _ in range(5))
            print(f"ks_numpy,{n},{steps},{best:.6e},{steps / best:.1f}")


if __name__ == "__main__":
    main()
