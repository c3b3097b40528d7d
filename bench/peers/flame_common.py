"""Shared parts of the flame PINN loss peers (flame_jax.py, flame_torch.py); NumPy only.

The Case 1 forward-problem loss of FlamePINN-1D, normalised as in solvers/flame/src/loss.rs: a
tanh MLP N(x̂), x̂ = s_x x, gives T = T_in + ΔT σ(N); with the trainable flame speed s,

  r   = (s_T/s_x) (T' − λ T''/(m c_p) − q ω(T; s)/(m c_p)),   m = ρ_in s
  b1  = s_T (T(0) − T_in),   b2 = (s_T/s_x) (T'(0) − G)
  loss = mean r² + b1² + b2²

In f32 runs everything (weights, points, s and the pointwise physics) is f32; the derived
constants are computed in f64 and enter as weakly typed Python scalars. (The Rust engine keeps the
pointwise physics in f64 in its f32 mode, so f32 differences to it are not rounding-identical.)

This module holds: the case file format (DIR/case.json, x.npy, <tag>/W*.npy, b*.npy), the derived
constants, the pointwise physics written once against a small array namespace (so the JAX, torch
and NumPy versions evaluate the same expression), a NumPy reference loss (input derivatives by
explicit forward-mode streams) for checks, the CLI / timing / CSV driver, the finite-difference
check and the jax-vs-torch cross-check (used by --self-test and flame_selftest.py).
"""

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace

import numpy as np

CASE1 = dict(
    phi=0.42, t_in=298.0, p_in=101325.0, length=1.5e-3, inlet_gradient=1e5, conductivity=0.026,
    cp=1000.0, heat_release=5e7, pre_exponential=1.4e8, activation_energy=121417.2, order=1.6,
    molar_mass=28.97e-3, gas_constant_universal=8.3145, s_l=0.4,
)
# ms_cpu: the median of the per-call process CPU times (the Rust bench prints its thread's mean)
HEADER = "impl,version,net,dtype,threads,loss,ms_wall_median,ms_cpu,rel_diff_vs_rust"


def pin_one_cpu(default=True):
    """Binds this process to one CPU before a framework starts its thread pools. Needed for JAX:
    XLA's CPU runtime sizes its pools by the schedulable CPUs and, even with the single-thread
    flags, keeps a second thread busy (CPU time up to 1.5x wall time on 2 cores). torch with
    set_num_threads(1) stays on one thread unbound (default=False). FLAME_PEER_CPU=k binds to
    CPU k (default: the highest allowed), FLAME_PEER_CPU=none never binds."""
    want = os.environ.get("FLAME_PEER_CPU", "")
    if want == "none" or (not want and not default):
        return None
    cpu = int(want) if want else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def derived(case):
    """Python floats used by the loss (in f32 runs they enter as weakly typed scalars)."""
    r_g = case["gas_constant_universal"] / case["molar_mass"]
    y_in = case["phi"] / (case["phi"] + 4.0)
    t_max = case["t_in"] + case["heat_release"] * y_in / case["cp"]
    s_x = 10.0 / case["length"]
    return SimpleNamespace(
        t_in=case["t_in"], r_g=r_g, y_in=y_in, rho_in=case["p_in"] / (r_g * case["t_in"]),
        t_max=t_max, dt=t_max - case["t_in"], s_x=s_x, s_t=5.0 / t_max,
        k=(5.0 / t_max) / s_x, lam=case["conductivity"], cp=case["cp"], q=case["heat_release"],
        a=case["pre_exponential"], t_act=case["activation_energy"] / case["gas_constant_universal"],
        order=case["order"], g=case["inlet_gradient"],
    )


def physics_loss(ops, c, n, n1, n2, s, i0):
    """Loss from the network streams n, n1 = dn/dx̂, n2 = d²n/dx̂² (arrays N×1) and s (0-d).

    ops: sigmoid, sqrt, exp, relu (max(·, 0)), mean — the framework's own functions.
    """
    sig = ops.sigmoid(n)
    sp = sig * (1.0 - sig)
    spp = sp * (1.0 - 2.0 * sig)
    t = c.t_in + c.dt * sig
    tx = c.dt * sp * n1 * c.s_x
    txx = c.dt * (spp * n1 * n1 + sp * n2) * (c.s_x * c.s_x)
    m = c.rho_in * s
    cc = s + c.r_g * c.t_in / s
    disc = ops.relu(cc * cc - 4.0 * c.r_g * t)
    u = 2.0 * c.r_g * t / (cc + ops.sqrt(disc))
    rho = m / u
    y = ops.relu(c.y_in + c.cp * (c.t_in - t) / c.q)
    omega = c.a * ops.exp(-c.t_act / t) * (rho * y) ** c.order
    mcp = m * c.cp
    r = c.k * (tx - c.lam * txx / mcp - c.q * omega / mcp)
    b1 = c.s_t * (t[i0, 0] - c.t_in)
    b2 = c.k * (tx[i0, 0] - c.g)
    return ops.mean(r * r) + b1 * b1 + b2 * b2


NUMPY_OPS = SimpleNamespace(
    sigmoid=lambda v: 1.0 / (1.0 + np.exp(-v)), sqrt=np.sqrt, exp=np.exp,
    relu=lambda v: np.maximum(v, 0.0), mean=np.mean,
)


def reference_loss(case, x, layers, s):
    """f64 loss; n, n1, n2 by forward-mode streams (tanh' = 1 − a², tanh'' = −2a tanh')."""
    c = derived(case)
    h = c.s_x * x[:, None]
    h1, h2 = np.ones_like(h), np.zeros_like(h)
    for w, b in layers[:-1]:
        z, z1, z2 = h @ w + b, h1 @ w, h2 @ w
        a = np.tanh(z)
        d = 1.0 - a * a
        h, h1, h2 = a, d * z1, d * z2 - 2.0 * a * d * z1 * z1
    w, b = layers[-1]
    i0 = int(np.argmin(np.abs(x)))
    return float(physics_loss(NUMPY_OPS, c, h @ w + b, h1 @ w, h2 @ w, s, i0))


# ---- case files -------------------------------------------------------------------------------


def widths(tag, fan_in=1, fan_out=1):
    depth, width = (int(v) for v in tag.split("x"))
    return [fan_in] + [width] * depth + [fan_out]


def cost_cases(d):
    """For the --cost reports: (c, x, s_l, [(tag, layers, rust_gemm_flops)]) of the case in DIR, where
    rust_gemm_flops counts the Rust engine's GEMMs: per hidden-to-hidden layer one forward, one
    weight-gradient and one input-gradient product over the 3N stacked value / first / second
    derivative rows."""
    case, x = load_case(d)
    n = len(x)
    nets = []
    for tag in case["networks"]:
        ws = widths(tag)
        rust = sum(3 * 2 * 3 * n * i * o for i, o in zip(ws[1:-2], ws[2:-1]))
        nets.append((tag, load_layers(d, tag), rust))
    return derived(case), x, case["s_l"], nets


def write_case(d, case=None, networks=("3x64", "4x32"), n=1001, seed=0):
    """A case directory with Glorot-normal weights and N(0, 0.1) biases (seeded)."""
    case = dict(CASE1 if case is None else case, networks=list(networks))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    np.save(os.path.join(d, "x.npy"), case["length"] * np.arange(n) / (n - 1))
    rng = np.random.default_rng(seed)
    for tag in networks:
        os.makedirs(os.path.join(d, tag), exist_ok=True)
        ws = widths(tag)
        for l, (fi, fo) in enumerate(zip(ws[:-1], ws[1:])):
            w = rng.normal(0.0, math.sqrt(2.0 / (fi + fo)), (fi, fo))
            np.save(os.path.join(d, tag, f"W{l}.npy"), w)
            np.save(os.path.join(d, tag, f"b{l}.npy"), rng.normal(0.0, 0.1, fo))
    return d


def load_case(d):
    with open(os.path.join(d, "case.json")) as f:
        case = json.load(f)
    x = np.load(os.path.join(d, "x.npy")).astype(np.float64)
    return case, x


def load_layers(d, tag):
    """[(W0, b0), (W1, b1), ...] as float64 arrays."""
    files = os.listdir(os.path.join(d, tag))
    nl = sum(1 for f in files if f.startswith("W") and f.endswith(".npy"))
    return [(np.load(os.path.join(d, tag, f"W{l}.npy")).astype(np.float64),
             np.load(os.path.join(d, tag, f"b{l}.npy")).astype(np.float64)) for l in range(nl)]


def flatten(arrays):
    """θ order: W0 row-major, b0, W1, b1, ..., s — as one float64 vector."""
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def unflatten(theta, shapes):
    out, o = [], 0
    for w_shape, b_shape in shapes:
        nw, nb = math.prod(w_shape), math.prod(b_shape)
        out.append((theta[o:o + nw].reshape(w_shape), theta[o + nw:o + nw + nb].reshape(b_shape)))
        o += nw + nb
    return out, float(theta[o])


def read_loss(path):
    with open(path) as f:
        return float(f.read().split()[0])


def rel_max(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ---- driver -----------------------------------------------------------------------------------


def median_times(step, reps, warmup=10):
    for _ in range(warmup):
        step()
    wall, cpu = [], []
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return 1e3 * statistics.median(wall), 1e3 * statistics.median(cpu)


def bench(impl, version, make_step, d, reps, dtypes, log=print):
    """make_step(c, x, layers, s, dtype) -> (step, result); step() runs loss + gradient once,
    result(step()) -> (loss float, flat float64 gradient)."""
    case, x = load_case(d)
    c = derived(case)
    print(HEADER, flush=True)
    for tag in case["networks"]:
        layers = load_layers(d, tag)
        for dt in dtypes:
            step, result = make_step(c, x, layers, case["s_l"], dt)
            loss, grad = result(step())  # compiles (JAX)
            np.save(os.path.join(d, tag, f"grad_{impl}_{dt}.npy"), grad)
            with open(os.path.join(d, tag, f"loss_{impl}_{dt}.txt"), "w") as f:
                f.write(f"{loss:.17g}\n")
            rel = ""
            rust_grad = os.path.join(d, tag, f"grad_rust_{dt}.npy")
            if os.path.exists(rust_grad):
                rel = f"{rel_max(grad, np.load(rust_grad)):.3e}"
                msg = f"{impl} {tag} {dt}: max|g - g_rust|/max|g_rust| = {rel}"
                rust_loss = os.path.join(d, tag, f"loss_rust_{dt}.txt")
                if os.path.exists(rust_loss):
                    lr = read_loss(rust_loss)
                    msg += f", |L - L_rust|/|L_rust| = {abs(loss - lr) / abs(lr):.3e}"
                log(msg)
            wall, cpu = median_times(step, reps)
            print(f"{impl},{version},{tag},{dt},1,{loss:.17g},{wall:.4f},{cpu:.4f},{rel}",
                  flush=True)


def fd_check(d, impl, log=print, tol=1e-6):
    """Central differences of the NumPy reference loss vs the peer's f64 gradient at a few
    components (first/last weights and biases of each layer, and s); also the peer's loss vs
    the reference loss. Returns True if all agree."""
    case, x = load_case(d)
    ok = True
    for tag in case["networks"]:
        layers = load_layers(d, tag)
        shapes = [(w.shape, b.shape) for w, b in layers]
        theta = flatten([a for wb in layers for a in wb] + [case["s_l"]])
        grad = np.load(os.path.join(d, tag, f"grad_{impl}_f64.npy"))
        loss = read_loss(os.path.join(d, tag, f"loss_{impl}_f64.txt"))
        ref = reference_loss(case, x, layers, case["s_l"])
        rl = abs(loss - ref) / abs(ref)
        ok &= rl < 1e-12
        log(f"{impl} {tag}: loss {loss:.15e}, NumPy reference {ref:.15e}, rel diff {rl:.2e}")
        idx, o = [], 0
        for w, b in layers:
            ob = o + w.size
            idx += [("W", o), ("W", ob - 1), ("b", ob), ("b", ob + b.size - 1)]
            o += w.size + b.size
        idx.append(("s", o))
        worst = 0.0
        for kind, k in sorted(set(idx), key=lambda t: t[1]):
            h = 1e-5 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            lp = reference_loss(case, x, *unflatten(tp, shapes))
            lm = reference_loss(case, x, *unflatten(tm, shapes))
            fd = (lp - lm) / (2 * h)
            err = abs(fd - grad[k]) / max(abs(grad[k]), 1e-3 * np.max(np.abs(grad)))
            worst = max(worst, err)
            log(f"  theta[{k:5d}] ({kind}) grad {grad[k]: .10e}  fd {fd: .10e}  rel err {err:.1e}")
        ok &= worst < tol
        log(f"{impl} {tag}: FD check worst rel err {worst:.1e} ({'ok' if worst < tol else 'FAIL'})")
    return bool(ok)


def cross_check(d, a="jax", b="torch", log=print):
    """Loss and f64 gradient of two peers; f32 differences are printed for information."""
    case, _ = load_case(d)
    ok = True
    for tag in case["networks"]:
        for dt in ("f64", "f32"):
            pa = os.path.join(d, tag, f"grad_{a}_{dt}.npy")
            pb = os.path.join(d, tag, f"grad_{b}_{dt}.npy")
            if not (os.path.exists(pa) and os.path.exists(pb)):
                continue
            rg = rel_max(np.load(pa), np.load(pb))
            la, lb = (read_loss(os.path.join(d, tag, f"loss_{p}_{dt}.txt")) for p in (a, b))
            rl = abs(la - lb) / abs(lb)
            good = dt == "f32" or (rg < 1e-12 and rl < 1e-12)
            ok &= good
            log(f"{a} vs {b} {tag} {dt}: loss {la:.12e} vs {lb:.12e} rel {rl:.2e}; "
                f"grad max rel {rg:.2e}"
                + ("" if dt == "f32" else (" ok" if good else " FAIL")))
    return bool(ok)


def main(impl, version, make_step):
    p = argparse.ArgumentParser(description=f"flame PINN loss + gradient peer ({impl})")
    p.add_argument("--dir", help="case directory (case.json, x.npy, <net>/W*.npy, b*.npy)")
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--dtypes", default="f64,f32")
    p.add_argument("--self-test", action="store_true",
                   help="temporary Glorot case (s_l = 0.35), 20 reps, FD check of the f64 gradient")
    a = p.parse_args()
    dtypes = [t.strip() for t in a.dtypes.split(",") if t.strip()]
    if a.self_test:
        with tempfile.TemporaryDirectory() as d:
            write_case(d, dict(CASE1, s_l=0.35))
            bench(impl, version, make_step, d, 20, dtypes)
            ok = fd_check(d, impl)
        print(f"self-test {impl}: {'passed' if ok else 'FAILED'}")
        raise SystemExit(0 if ok else 1)
    if not a.dir:
        p.error("--dir DIR or --self-test")
    bench(impl, version, make_step, a.dir, a.reps, dtypes,
          log=lambda m: print(m, file=sys.stderr, flush=True))
