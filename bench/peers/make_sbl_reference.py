"""Reference data from scikit-learn ARDRegression for the SBL/RVM tests (sbl.md RC7, medida.md B/R1).

Writes (paths relative to the repository root):
  tests/data/sbl_rc7_sklearn.json  RC7 problem (seed 8, M = 100, N = 60, portable generator, sbl
                                   uniform convention): ARDRegression(fit_intercept=False) with
                                   max_iter=3000, tol=1e-9 and with the defaults (tol 1e-3).
  tests/data/rvm_r1_sklearn.json   medida R1 problem (seed 20240601, medida uniform convention
                                   ((out>>11)+0.5)*2^-53): ARDRegression(fit_intercept=True,
                                   threshold_lambda=1e4), other settings default.
Only small things are stored: input checksums (so a Rust generator can confirm it draws the same
data), and the fitted coef_, alpha_, lambda_ / intercept_, n_iter_ with full double precision
(json writes floats with repr, which round-trips exactly). Every value quoted in the specs is
checked before writing; the script exits non-zero on a mismatch.

Run from the repository root:
  bench/peers/.venv/bin/python bench/peers/make_sbl_reference.py
"""

import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import ARDRegression
from threadpoolctl import threadpool_limits

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from portable_rng import r1_problem, rc7_problem  # noqa: E402

OUT = os.path.normpath(os.path.join(here, "..", "..", "tests", "data"))

failures = []


def check(what, ok, detail):
    print(f"{'PASS' if ok else 'FAIL'} {what}: {detail}")
    if not ok:
        failures.append(what)


def close(what, got, want, atol=0.0, rtol=0.0):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    err = float(np.max(np.abs(got - want)))
    check(what, bool(np.all(np.abs(got - want) <= atol + rtol * np.abs(want))),
          f"max abs diff {err:.2e} (atol {atol:.0e}, rtol {rtol:.0e})")


def floats(a):
    return [float(v) for v in np.ravel(a)]


def fit_summary(model, with_lambda=True):
    out = dict(params=model.get_params(), n_iter_=int(model.n_iter_), alpha_=float(model.alpha_), sigma2_hat=1.0 / float(model.alpha_),
               coef_=floats(model.coef_), nonzero=np.flatnonzero(model.coef_).tolist())
    if with_lambda:
        out["lambda_"] = floats(model.lambda_)
    return out


def rc7():
    q = rc7_problem()
    A, y, x = q["A"], q["y"], q["x"]
    close("RC7 A[0,0:3]", A[0, :3], [-0.10587743180551334, -0.1489256670625591, -0.025658597560470113])
    close("RC7 y[0:2]", y[:2], [0.2729224551850726, -0.27372704702447953])
    close("RC7 sigma2", q["sigma2"], 1.3670039431837812e-4, rtol=1e-15)
    check("RC7 support", q["support"] == [4, 11, 19, 25, 38, 57], str(q["support"]))

    params_tight = dict(fit_intercept=False, max_iter=3000, tol=1e-9)
    params_default = dict(fit_intercept=False)
    tight = ARDRegression(**params_tight).fit(A, y)
    dflt = ARDRegression(**params_default).fit(A, y)

    # values quoted in sbl.md RC7
    check("RC7 tight n_iter_", tight.n_iter_ == 31, f"{tight.n_iter_} (spec 31)")
    close(f"RC7 tight alpha_ {tight.alpha_!r}", tight.alpha_, 8994.804193167769, rtol=1e-12)
    want_nz = {3: 0.0140320065, 4: -1.3150929177, 5: -0.0165997421, 7: -0.0101534398, 11: 1.3712920285,
               19: 0.5997038523, 22: -0.0068895716, 25: -0.9393552052, 38: -3.1411206421, 47: -0.0191354039,
               56: 0.0151083709, 57: -0.5115613826}
    nz = np.flatnonzero(tight.coef_).tolist()
    check("RC7 tight nonzero set", nz == sorted(want_nz), str(nz))
    close("RC7 tight coef_ (10 decimals)", tight.coef_[sorted(want_nz)], [want_nz[k] for k in sorted(want_nz)],
          atol=5.1e-11)
    e = float(np.sum((tight.coef_ - x) ** 2) / np.sum(x**2))
    close(f"RC7 tight NMSE {e:.4e}", e, 1.1368e-4, atol=5e-9)
    close("RC7 tight sigma2_hat", 1 / tight.alpha_, 1.111753e-4, atol=5e-11)
    check("RC7 default n_iter_", dflt.n_iter_ == 11, f"{dflt.n_iter_} (spec 11)")
    close(f"RC7 default alpha_ {dflt.alpha_!r}", dflt.alpha_, 8995.021018487118, rtol=1e-12)
    d = float(np.max(np.abs(dflt.coef_ - tight.coef_)))
    check("RC7 default coef within 6.2e-5 of tight", abs(d - 6.2e-5) < 5e-6, f"max diff {d:.3e} (spec 6.2e-5)")

    data = dict(
        description="sbl.md RC7: classical SBL vs scikit-learn ARDRegression on the portable-generator problem",
        made_by="bench/peers/make_sbl_reference.py",
        sklearn_version=sklearn.__version__,
        numpy_version=np.__version__,
        generator=dict(
            rng="SplitMix64, uniform (out>>11)*2^-53, normal Box-Muller u1=1-U, u2=U, cos branch",
            seed=8, M=100, N=60,
            steps=["A = normals(M*N) row-major / sqrt(M)", "support = choose(60, 6)",
                   "x[j] = sign(z)(0.5+|z|), z = normal(), support in order",
                   "sigma2 = (||Ax||^2/M)/1e3", "y = Ax + sqrt(sigma2) normals(M)"],
        ),
        checks=dict(A_row0_0_3=floats(A[0, :3]), y_0_2=floats(y[:2]), sigma2=q["sigma2"],
                    support=q["support"], x_support=floats(x[q["support"]]), sum_y=float(y.sum()),
                    sum_A=float(A.sum())),
        fits=[
            dict(name="tight", **fit_summary(tight)),
            dict(name="defaults", **fit_summary(dflt)),
        ],
    )
    return data


def r1():
    X, y = r1_problem()
    close("R1 checksums (sum X, sum y, X[0,0], y[0])", [X.sum(), y.sum(), X[0, 0], y[0]],
          [65.33678406202017, -4.109340506215531, -1.803004516519823, 1.9657681606758048], rtol=1e-13)
    params = dict(fit_intercept=True, threshold_lambda=1e4)
    ard = ARDRegression(**params).fit(X, y)
    nz = np.flatnonzero(ard.coef_).tolist()
    check("R1 ARD support {2,5,7}", nz == [2, 5, 7], str(nz))
    # medida.md: "the same weights as the MEDIDA preset to 1e-11"; measured here 1.5e-11 absolute,
    # 1.0e-11 relative, so gate on the spec's R1 tolerance (1e-9 relative) and print the difference.
    w_rvm = np.array([1.499807906911, -2.001461642361, 0.746312725580])
    dw = ard.coef_[[2, 5, 7]] - w_rvm
    print(f"     R1 ARD - RVM weights: abs {np.abs(dw).max():.2e}, rel {np.max(np.abs(dw) / np.abs(w_rvm)):.2e}")
    close("R1 ARD weights vs MEDIDA-preset RVM (1e-9 relative)", ard.coef_[[2, 5, 7]], w_rvm, rtol=1e-9)
    close(f"R1 ARD intercept {ard.intercept_!r}", ard.intercept_, 1.353848e-3, atol=5e-10)
    data = dict(
        description="medida.md B/R1: scikit-learn ARDRegression(fit_intercept=True, threshold_lambda=1e4) "
                    "on the R1 regression problem",
        made_by="bench/peers/make_sbl_reference.py",
        sklearn_version=sklearn.__version__,
        numpy_version=np.__version__,
        generator=dict(
            rng="SplitMix64, MEDIDA uniform ((out>>11)+0.5)*2^-53, normal Box-Muller u1=U, u2=U, cos branch",
            seed=20240601, n=400, p=10,
            steps=["X = normals(400*10) row-major", "eps = normals(400)",
                   "y = 1.5 X[:,2] - 2.0 X[:,5] + 0.75 X[:,7] + 0.05 eps (0-based columns)"],
        ),
        checks=dict(sum_X=float(X.sum()), sum_y=float(y.sum()), X_0_0=float(X[0, 0]), y_0=float(y[0])),
        intercept_=float(ard.intercept_),
        **fit_summary(ard),
    )
    return data


def main():
    with threadpool_limits(limits=1):
        d7 = rc7()
        d1 = r1()
    if failures:
        print(f"NOT writing: {len(failures)} checks failed: {failures}")
        raise SystemExit(1)
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("sbl_rc7_sklearn.json", d7), ("rvm_r1_sklearn.json", d1)):
        path = os.path.join(OUT, name)
        with open(path, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
