"""Self-test of the flame PINN peers: both on one temporary case, then checks.

Builds a temporary case (Case 1 constants, s_l = 0.35, nets 3x64 and 4x32, Glorot-normal weights,
N(0, 0.1) biases, seed 0), runs flame_jax.py and flame_torch.py on it (20 reps), and checks
(a) each peer's f64 gradient against central differences of the NumPy reference loss at a few
components, and its loss against that reference; (b) jax and torch give the same f64 loss and
gradient to 1e-12 relative (f32 differences are printed for information).

Install: bash bench/peers/setup.sh --flame
Run:     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/peers/.venv/bin/python \
             bench/peers/flame_selftest.py
"""

import os
import subprocess
import sys
import tempfile

import flame_common as fc

here = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as d:
    fc.write_case(d, dict(fc.CASE1, s_l=0.35))
    for impl in ("jax", "torch"):
        script = os.path.join(here, f"flame_{impl}.py")
        subprocess.run([sys.executable, script, "--dir", d, "--reps", "20"], check=True)
    ok = fc.fd_check(d, "jax") & fc.fd_check(d, "torch") & fc.cross_check(d)
print(f"flame self-test: {'passed' if ok else 'FAILED'}")
sys.exit(0 if ok else 1)
