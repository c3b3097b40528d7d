"""NumPy peer for benches/kronecker.rs: (A1 ⊗ A2) x for two n × n factors, single thread.

Times, at n = 32, 64, 128 (minimum over repeats):
  * dense_form_and_matvec: np.kron(A1, A2) @ x   (what a user writes first)
  * dense_matvec_only:     K @ x with K formed beforehand
  * reshape_trick:         (A1 @ X @ A2.T).ravel() with X = x.reshape(n, n)  (row-major)
and checks the reshape trick against the dense product.

Run: bash bench/peers/setup.sh && bench/peers/.venv/bin/python bench/peers/kron_numpy.py
"""

import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits


def best(f, repeats):
    t = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - t0)
    return t


def main():
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=1):
        info = [(i.get("internal_api"), i.get("architecture"), i.get("num_threads")) for i in threadpool_info()]
        print(f"# numpy {np.__version__}, BLAS {info}")
        print("n,dense_form_and_matvec_s,dense_matvec_only_s,reshape_trick_s")
        for n in (32, 64, 128):
            a1 = rng.standard_normal((n, n))
            a2 = rng.standard_normal((n, n))
            x = rng.standard_normal(n * n)
            reps = 10 if n < 128 else 3
            t_form = best(lambda: np.kron(a1, a2) @ x, reps)
            k = np.kron(a1, a2)
            t_mv = best(lambda: k @ x, reps)
            t_trick = best(lambda: (a1 @ x.reshape(n, n) @ a2.T).ravel(), 50)
            err = np.max(np.abs(k @ x - (a1 @ x.reshape(n, n) @ a2.T).ravel())) / np.max(np.abs(k @ x))
            assert err < 1e-12, err
            del k
            print(f"{n},{t_form:.6e},{t_mv:.6e},{t_trick:.6e}")


if __name__ == "__main__":
    main()
