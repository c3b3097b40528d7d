"""Time to accuracy of the whole FlamePINN-1D Case 1 forward recipe in JAX (jit) or PyTorch
(eager), one thread, CPU: the peer of `cargo run --release --example flame_forward` (BENCHMARKS
F2).

The recipe is the Rust one (solvers/flame/src/train.rs), step for step: the 3 × 64 tanh MLP with
the Rust Glorot-normal weights of seed 0 and zero biases (DIR/3x64/W*.npy, b*.npy, written by
`cargo bench --bench flame`), s_L from 0.4 m/s; stage 1, 1000 Adam steps (η = 1e-3) on the
Z-shape warm-up loss mean (s_T (T(x_j) − T_Z(x_j)))² over the 100 points of the Z profile;
stage 2, a fresh Adam (β = 0.9, 0.999, ε = 1e-8) on the physics loss (flame_common.physics_loss)
with η = 1e-3 · 0.95^⌊k/1000⌋, steps k = 0 … STEPS, and every 100 steps a best-loss checkpoint
and the accuracy check of the Rust example: |s_L / s_ref − 1| < 0.5 % and the relative L2 error
of T over the 1001 points < 1 %, against the FD reference DIR/reference_t.npy and
reference_s_l.txt. JAX compiles its three functions before the clock starts; the compile time
is printed apart and added in accuracy_with_compile_s.

Install: bash bench/peers/setup.sh --flame
Run:     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python \\
             bench/peers/flame_recipe.py --dir DIR --impl jax|torch [--steps 30000]
             [--dtype f64|f32] [--stop-at-accuracy]
(all sides: bash bench/run_flame_recipe.sh)
"""

import argparse
import math
import os
import sys
import time

import flame_common as fc

ARGS = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ARGS.add_argument("--dir", required=True)
ARGS.add_argument("--impl", choices=("jax", "torch"), required=True)
ARGS.add_argument("--steps", type=int, default=30000)
ARGS.add_argument("--warmup", type=int, default=1000)
ARGS.add_argument("--dtype", choices=("f64", "f32"), default="f64")
ARGS.add_argument("--stop-at-accuracy", action="store_true")
OPT = ARGS.parse_args()

fc.pin_one_cpu(default=OPT.impl == "jax")
os.environ.setdefault("OMP_NUM_THREADS", "1")
if OPT.impl == "jax":
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                               " intra_op_parallelism_threads=1").strip()
    os.environ["JAX_PLATFORMS"] = "cpu"

import numpy as np  # noqa: E402

LR, DECAY_EVERY, DECAY, CHECK_EVERY = 1e-3, 1000, 0.95, 100
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def z_profile(c, length):
    """The warm-up target (loss.rs z_profile): T_in on [0, 0.3L) (30 points), a ramp to T_max on
    [0.3L, 0.5L) (20 points), T_max on [0.5L, L] (50 points)."""
    x, t = [], []
    for k in range(30):
        x.append(0.3 * length * k / 30)
        t.append(c.t_in)
    for k in range(20):
        f = k / 20
        x.append(length * (0.3 + 0.2 * f))
        t.append(c.t_in + c.dt * f)
    for k in range(50):
        x.append(length * (0.5 + 0.5 * k / 49))
        t.append(c.t_max)
    return np.array(x), np.array(t)


def jax_backend(c, x, xz, tz, layers, s0, dtype):
    import jax
    import jax.numpy as jnp
    from flame_jax import DTYPES, OPS as ops, net, streams  # x64 on, one-thread XLA flags

    t = DTYPES[dtype]
    i0 = int(np.argmin(np.abs(x)))
    xs, xzs, tzs = (jnp.asarray(a, t) for a in (x, xz, tz))

    def physics(params):
        ws, s = params
        n, n1, n2 = streams(ws, c.s_x * xs[:, None])
        return fc.physics_loss(ops, c, n, n1, n2, s, i0)

    def warm(params):
        ws, _ = params
        temp = c.t_in + c.dt * jax.nn.sigmoid(net(ws, c.s_x * xzs[:, None]))[:, 0]
        d = c.s_t * (temp - tzs)
        return jnp.mean(d * d)

    def adam(loss_fn):
        def step(params, m, v, k, lr):
            val, g = jax.value_and_grad(loss_fn)(params)
            m = jax.tree_util.tree_map(lambda a, b: BETA1 * a + (1 - BETA1) * b, m, g)
            v = jax.tree_util.tree_map(lambda a, b: BETA2 * a + (1 - BETA2) * b * b, v, g)
            bc1, bc2 = 1 - BETA1 ** k, 1 - BETA2 ** k
            params = jax.tree_util.tree_map(
                lambda p, a, b: p - lr * (a / bc1) / (jnp.sqrt(b / bc2) + EPS), params, m, v)
            return val, params, m, v
        return jax.jit(step)

    temperature = jax.jit(lambda p: c.t_in + c.dt * jax.nn.sigmoid(net(p[0], c.s_x * xs[:, None]))[:, 0])
    params = ([(jnp.asarray(w, t), jnp.asarray(b, t)) for w, b in layers], jnp.asarray(s0, t))
    zeros = lambda: jax.tree_util.tree_map(jnp.zeros_like, params)  # noqa: E731
    steps = {"warm": adam(warm), "phys": adam(physics)}

    class B:
        init = params
        new_state = staticmethod(lambda: (zeros(), zeros()))
        snapshot = staticmethod(lambda p: p)  # immutable arrays

        @staticmethod
        def step(kind, params, state, k, lr):
            val, params, m, v = steps[kind](params, state[0], state[1], jnp.asarray(k, t),
                                            jnp.asarray(lr, t))
            return float(val), params, (m, v)

        @staticmethod
        def temperature_speed(params):
            return np.asarray(temperature(params), np.float64), float(params[1])

        @staticmethod
        def compile_seconds():
            t0 = time.perf_counter()
            st = B.new_state()
            for kind in steps:
                steps[kind].lower(params, st[0], st[1], jnp.asarray(1, t), jnp.asarray(LR, t)).compile()
            temperature.lower(params).compile()
            return time.perf_counter() - t0

    return B, jax.__version__


def torch_backend(c, x, xz, tz, layers, s0, dtype):
    import torch
    from flame_torch import DTYPES, OPS as ops, net, streams  # one thread

    t = DTYPES[dtype]
    i0 = int(np.argmin(np.abs(x)))
    xh = (c.s_x * torch.tensor(x, dtype=t)[:, None]).requires_grad_(True)
    xzh = c.s_x * torch.tensor(xz, dtype=t)[:, None]
    tzs = torch.tensor(tz, dtype=t)

    def physics(ws, s):
        n, n1, n2 = streams(ws, xh)
        return fc.physics_loss(ops, c, n, n1, n2, s, i0)

    def warm(ws, s):
        temp = c.t_in + c.dt * torch.sigmoid(net(ws, xzh))[:, 0]
        d = c.s_t * (temp - tzs)
        return torch.mean(d * d)

    losses = {"warm": warm, "phys": physics}

    def as_params(p):
        ws, s = p
        return [a for wb in ws for a in wb] + [s]

    class B:
        init = ([tuple(torch.tensor(a, dtype=t, requires_grad=True) for a in wb) for wb in layers],
                torch.tensor(s0, dtype=t, requires_grad=True))
        new_state = staticmethod(lambda: None)
        snapshot = staticmethod(lambda p: ([tuple(a.detach().clone() for a in wb) for wb in p[0]],
                                           p[1].detach().clone()))

        @staticmethod
        def step(kind, params, state, k, lr):
            ps = as_params(params)
            if state is None:  # a fresh torch.optim.Adam: the same update as the Rust one
                state = torch.optim.Adam(ps, lr=lr, betas=(BETA1, BETA2), eps=EPS)
            for g in state.param_groups:
                g["lr"] = lr
            state.zero_grad(set_to_none=True)
            loss = losses[kind](*params)
            loss.backward()
            if kind == "warm":
                params[1].grad = torch.zeros_like(params[1])
            state.step()
            return float(loss.detach()), params, state

        @staticmethod
        def temperature_speed(params):
            with torch.no_grad():
                temp = c.t_in + c.dt * torch.sigmoid(net(params[0], xh.detach()))[:, 0]
            return temp.numpy().astype(np.float64), float(params[1].detach())

        @staticmethod
        def compile_seconds():
            return 0.0

    return B, torch.__version__


def main():
    case, x = fc.load_case(OPT.dir)
    c = fc.derived(case)
    layers = fc.load_layers(OPT.dir, "3x64")
    t_ref = np.load(os.path.join(OPT.dir, "reference_t.npy"))
    s_ref = fc.read_loss(os.path.join(OPT.dir, "reference_s_l.txt"))
    xz, tz = z_profile(c, case["length"])
    make = jax_backend if OPT.impl == "jax" else torch_backend
    B, version = make(c, x, xz, tz, layers, case["s_l"], OPT.dtype)
    # JAX's compile time, measured apart before the clock starts (the jitted steps then reuse
    # the executables); a user's first run waits for it too: accuracy_with_compile_s
    compile_s = B.compile_seconds()

    def errors(params):
        temp, s = B.temperature_speed(params)
        return s / s_ref - 1.0, math.sqrt(np.sum((temp - t_ref) ** 2) / np.sum(t_ref ** 2))

    start = time.perf_counter()
    params, state = B.init, B.new_state()
    for k in range(OPT.warmup):
        _, params, state = B.step("warm", params, state, k + 1, LR)
    warm_s = time.perf_counter() - start
    state = B.new_state()
    best = (math.inf, params, 0)
    reached = None
    for k in range(OPT.steps + 1):
        lr = LR * DECAY ** (k // DECAY_EVERY)
        check = k % CHECK_EVERY == 0 or k == OPT.steps
        if check:  # θ_k, before its update (torch updates in place)
            snap = B.snapshot(params)
            es, et = errors(params)
            if reached is None and abs(es) < 5e-3 and et < 1e-2:
                reached = (k, time.perf_counter() - start)
        loss_k, params, state = B.step("phys", params, state, k + 1, lr)  # the loss at θ_k
        if not math.isfinite(loss_k):
            sys.exit(f"non-finite loss at step {k}")
        if check and loss_k < best[0]:
            best = (loss_k, snap, k)
        if k == OPT.steps or (OPT.stop_at_accuracy and reached):
            break
    total = time.perf_counter() - start
    es, et = errors(best[1])
    steps_run = k
    print("impl,version,dtype,compile_s,warmup_s,steps,seconds,ms_per_step,accuracy_step,"
          "accuracy_s,accuracy_with_compile_s,best_step,s_l_rel_error,t_rel_l2_error")
    acc_k, acc_s = reached if reached else (-1, float("nan"))
    per = 1e3 * (total - warm_s) / max(steps_run, 1)
    print(f"{OPT.impl},{version},{OPT.dtype},{compile_s:.2f},{warm_s:.2f},{steps_run},{total:.1f},"
          f"{per:.2f},{acc_k},{acc_s:.1f},{acc_s + compile_s:.1f},{best[2]},{es:+.6f},{et:.6f}")


if __name__ == "__main__":
    main()
