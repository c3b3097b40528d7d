"""JAX peer: the flame PINN forward loss and its gradient, one thread, CPU (see flame_common.py).

Measures, bound to one CPU (flame_common.pin_one_cpu), the wall and CPU time of one
`jax.jit`-compiled `jax.value_and_grad` call of the Case 1 loss (mean r² + b1² + b2² over the N
points of DIR) with respect to all network weights and s_L.
The network's input derivatives n1, n2 come from jvp-of-jvp (forward over forward in x̂) of the
whole batch (each output depends only on its own input, so a tangent of ones gives dn/dx̂ per
point). Writes DIR/<net>/grad_jax_<dtype>.npy and loss_jax_<dtype>.txt, compares with
grad_rust_<dtype>.npy / loss_rust_<dtype>.txt when present, prints CSV.

Install: bash bench/peers/setup.sh --flame
Run:     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python \
             bench/peers/flame_jax.py --dir DIR [--reps 200] [--dtypes f64,f32]
         (… flame_jax.py --self-test   for the finite-difference check on a temporary case)
         (… flame_jax.py --dir DIR --cost   XLA's own operation count of the compiled loss +
          gradient: its matrix products and their flops, beside the Rust engine's GEMM flops)
"""

import os
import re
import sys

import flame_common as fc

fc.pin_one_cpu()
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                           " intra_op_parallelism_threads=1").strip()
os.environ["JAX_PLATFORMS"] = "cpu"
os.environ.setdefault("OMP_NUM_THREADS", "1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)

OPS = fc.SimpleNamespace(sigmoid=jax.nn.sigmoid, sqrt=jnp.sqrt, exp=jnp.exp,
                         relu=lambda v: jnp.maximum(v, 0.0), mean=jnp.mean)
DTYPES = {"f64": jnp.float64, "f32": jnp.float32}


def net(ws, z):
    """The tanh MLP: ws = [(W, b), …], z of shape (N, 1)."""
    for w, b in ws[:-1]:
        z = jnp.tanh(z @ w + b)
    return z @ ws[-1][0] + ws[-1][1]


def streams(ws, xh):
    """(n, n1, n2): the network and its first two derivatives in x̂ at xh (N, 1), by
    jvp-of-jvp with a tangent of ones (each output depends only on its own input)."""
    ones = jnp.ones_like(xh)

    def net_d1(z):
        return jax.jvp(lambda v: net(ws, v), (z,), (ones,))

    (n, n1), (_, n2) = jax.jvp(net_d1, (xh,), (ones,))
    return n, n1, n2


def make_step(c, x, layers, s_l, dt):
    i0 = int(np.argmin(np.abs(x)))

    def loss(params, x):
        ws, s = params
        n, n1, n2 = streams(ws, c.s_x * x[:, None])
        return fc.physics_loss(OPS, c, n, n1, n2, s, i0)

    vg = jax.jit(jax.value_and_grad(loss))
    t = DTYPES[dt]
    params = ([(jnp.asarray(w, t), jnp.asarray(b, t)) for w, b in layers], jnp.asarray(s_l, t))
    xs = jnp.asarray(x, t)

    def step():
        return jax.block_until_ready(vg(params, xs))

    step.compiled = lambda: vg.lower(params, xs).compile()

    def result(out):
        val, (gw, gs) = out
        return float(val), fc.flatten([a for wb in gw for a in wb] + [gs])

    return step, result


def dot_flops(hlo):
    """(count, flops) of the dot instructions of an optimised HLO module: 2 · |out| · K each,
    K from the lhs operand's shape (instruction names are unique in the module)."""
    shape = {}
    for m in re.finditer(r"%([\w.\-]+) = \w+\[([0-9,]*)\]", hlo):
        shape[m.group(1)] = [int(v) for v in m.group(2).split(",") if v]
    count, flops = 0, 0
    for m in re.finditer(r"= \w+\[([0-9,]*)\]\S* dot\(%([\w.\-]+), %[\w.\-]+\), "
                         r"lhs_contracting_dims=\{(\d+)\}", hlo):
        out = [int(v) for v in m.group(1).split(",") if v]
        k = shape[m.group(2)][int(m.group(3))]
        size = 1
        for v in out:
            size *= v
        count += 1
        flops += 2 * size * k
    return count, flops


def cost(d):
    """Prints XLA's operation count of the jitted loss + gradient for each network of DIR."""
    c, x, s_l, nets = fc.cost_cases(d)
    print("net,dtype,xla_flops,xla_dots,xla_dot_flops,rust_gemm_flops,ratio_dot_flops")
    for tag, layers, rust in nets:
        for dt in ("f64", "f32"):
            step, _ = make_step(c, x, layers, s_l, dt)
            comp = step.compiled()
            ca = comp.cost_analysis()
            ca = ca[0] if isinstance(ca, list) else ca
            count, flops = dot_flops(comp.as_text())
            print(f"{tag},{dt},{ca.get('flops', float('nan')):.0f},{count},{flops},{rust},"
                  f"{flops / rust:.3f}", flush=True)


if __name__ == "__main__":
    if "--cost" in sys.argv:
        cost(sys.argv[sys.argv.index("--dir") + 1])
    else:
        fc.main("jax", jax.__version__, make_step)
