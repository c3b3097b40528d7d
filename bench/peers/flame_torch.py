"""PyTorch peer: the flame PINN forward loss and its gradient, eager, one thread, CPU
(see flame_common.py).

Measures, on one thread (set_num_threads(1)), the wall and CPU time of one training-step
evaluation of the Case 1 loss (mean r² + b1² + b2² over the N points of DIR): zero the
gradients, forward pass, the network's input derivatives n1, n2 by
torch.autograd.grad(..., create_graph=True) twice (double backward), the pointwise physics, then
loss.backward() into all network weights and s_L. Writes
DIR/<net>/grad_torch_<dtype>.npy and loss_torch_<dtype>.txt, compares with
grad_rust_<dtype>.npy / loss_rust_<dtype>.txt when present, prints CSV.

Install: bash bench/peers/setup.sh --flame
Run:     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python \
             bench/peers/flame_torch.py --dir DIR [--reps 200] [--dtypes f64,f32]
         (… flame_torch.py --self-test   for the finite-difference check on a temporary case)
         (… flame_torch.py --dir DIR --cost   the flops of the matrix products of one step, by
          torch.utils.flop_counter, beside the Rust engine's GEMM flops)
"""

import os
import sys

import flame_common as fc

fc.pin_one_cpu(default=False)  # FLAME_PEER_CPU=k binds it
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

OPS = fc.SimpleNamespace(sigmoid=torch.sigmoid, sqrt=torch.sqrt, exp=torch.exp,
                         relu=lambda v: torch.clamp(v, min=0.0), mean=torch.mean)
DTYPES = {"f64": torch.float64, "f32": torch.float32}


def net(ws, z):
    """The tanh MLP: ws = [(W, b), …], z of shape (N, 1)."""
    for w, b in ws[:-1]:
        z = torch.tanh(z @ w + b)
    return z @ ws[-1][0] + ws[-1][1]


def streams(ws, xh):
    """(n, n1, n2): the network and its first two derivatives in x̂ at xh (N, 1, requires_grad),
    by double backward with create_graph (each output depends only on its own input)."""
    ones = torch.ones_like(xh)
    n = net(ws, xh)
    (n1,) = torch.autograd.grad(n, xh, ones, create_graph=True)
    (n2,) = torch.autograd.grad(n1, xh, ones, create_graph=True)
    return n, n1, n2


def make_step(c, x, layers, s_l, dt):
    i0 = int(np.argmin(np.abs(x)))
    t = DTYPES[dt]
    ws = [tuple(torch.tensor(a, dtype=t, requires_grad=True) for a in wb) for wb in layers]
    s = torch.tensor(s_l, dtype=t, requires_grad=True)
    params = [a for wb in ws for a in wb] + [s]
    xh = (c.s_x * torch.tensor(x, dtype=t)[:, None]).requires_grad_(True)

    def step():
        for p in params:  # optimizer.zero_grad() (set_to_none)
            p.grad = None
        xh.grad = None
        n, n1, n2 = streams(ws, xh)
        loss = fc.physics_loss(OPS, c, n, n1, n2, s, i0)
        loss.backward()
        return loss

    def result(loss):
        return float(loss.detach()), fc.flatten([p.grad.detach().numpy() for p in params])

    return step, result


def cost(d):
    """Prints the matrix-product flops of one loss + gradient step for each network of DIR."""
    from torch.utils.flop_counter import FlopCounterMode

    c, x, s_l, nets = fc.cost_cases(d)
    print("net,dtype,torch_mm_flops,rust_gemm_flops,ratio")
    for tag, layers, rust in nets:
        step, _ = make_step(c, x, layers, s_l, "f64")
        with FlopCounterMode(display=False) as counter:
            step()
        flops = counter.get_total_flops()
        print(f"{tag},f64,{flops},{rust},{flops / rust:.3f}", flush=True)


if __name__ == "__main__":
    if "--cost" in sys.argv:
        cost(sys.argv[sys.argv.index("--dir") + 1])
    else:
        fc.main("torch", torch.__version__, make_step)
