"""Python peers of the full fast Walsh-Hadamard transform (FWHT) benchmark: one length-2^n
transform of a dense real vector, one thread.

What it measures. For each n in --sizes (default 20,24), dtype in --dtypes (default
float64,float32) and peer, the wall time (time.perf_counter) of the transform call only, best of
--repeats (default 5) after one untimed warm-up call, on x = uniform(-0.5, 0.5) of length N = 2^n
drawn from np.random.default_rng(0) (float32 rows: the same draw rounded to float32):
  * fht_cpu          fht-cpu 1.0.1: fht_cpu.fht(x) (in place, inplace=True is its default). 1-D
                     input -> its C++ kernel fht_1d_f64 / fht_1d_f32 (AVX code from FFHT/FALCONN,
                     Andoni et al.; the wheel is compiled for AVX, no AVX-512). float32, float64.
                     1-D transforms never use OpenMP (num_threads applies to 2-D input only).
  * pyfwht           pyfwht 2.0.1 (libfwht): pyfwht.transform(x, backend=pyfwht.Backend.CPU)
                     (in place; float64, int8, int32 only). Backend.CPU is passed explicitly: the
                     default AUTO picks the OpenMP backend for N >= 256. Recursive
                     cache-blocked butterfly (512-element base case) with AVX2 kernels, compiled
                     from the sdist with -O3 -march=native (setup_wht.sh). float32 is not native:
                     pyfwht.fwht() converts float32 to a float64 copy and back on the CPU, so the
                     float32 row is reported as status "unsupported", not timed.
  * numpy_butterfly  NumPy's own vectorised butterfly: level k (h = 2^k) views the buffer as
                     (N/2h, 2, h) and writes a+b, a-b into a second buffer (np.add / np.subtract
                     with out=), ping-ponging between two preallocated work buffers: one pass over
                     memory per level, n passes; out of place, input untouched.
In-place peers: the input is copied into the work buffer before each call, outside the timed
region. The gc is disabled around each timed call.

Conventions. All three compute the raw (unnormalised) transform y = H x in natural (Hadamard /
Sylvester) order, H = H_2 (x) ... (x) H_2, H_2 = [[1, 1], [1, -1]]: y[k] = sum_j (-1)^popcount(j&k)
x[j]. Inverse = the same transform divided by N. pyfwht can normalise by 1/sqrt(N) only through
pyfwht.Context(normalize=True); fht-cpu has no normalisation option. Neither offers sequency
order.

Correctness gate (before any timing, per peer and dtype): the peer's output at n = --check-n
(default 12), converted to raw natural order by its declared convention, must match a float64
reference within --tol-f64 (1e-10) / --tol-f32 (1e-5) relative (max-abs error / max-abs
reference). The reference is an independent O(N log N) NumPy Kronecker-factor evaluation (x viewed
as a (2,)*n tensor, H_2 applied along each axis), itself checked against the dense
scipy.linalg.hadamard(1024) product at start-up. The gate also tries raw, orthonormal (1/sqrt N)
and 1/N scalings and reports which one matches ("detected_normalisation"). A peer that fails is
reported with status "check_failed" and not timed. After timing, a cheap post-check compares
out[0] with sum(x) (row 0 of H is all ones), catching a peer that silently worked on a copy.

Single thread: OMP/OPENBLAS/MKL thread variables are set to 1 before numpy is imported, and
threadpoolctl limits BLAS and OpenMP pools (fht-cpu bundles its own libgomp) to 1 for the whole run.

Output: the first JSON line ("kind": "meta") records python, numpy, peer versions, pyfwht's SIMD
banner, thread pools, load and time; then one "check" line per (peer, dtype) and one line per
(peer, n, dtype) with kind "fwht" and fields peer, version, n, N, dtype, status (ok |
check_failed | unsupported | unavailable | post_check_failed), seconds (best), seconds_all,
ns_per_element_level (= seconds / (N n) * 1e9), normalisation, order, in_place, repeats,
check_rel_err, post_check_rel_err, loadavg1. Lines are printed and appended to --out if given; a
short human summary goes to stderr.

Run (after bash bench/peers/setup_wht.sh):
  bench/peers/.venv/bin/python bench/peers/wht_peers.py --out out/wht_peers.jsonl
  bench/peers/.venv/bin/python bench/peers/wht_peers.py --sizes 12,16 --repeats 2   # smoke
Memory: about 4 arrays of N elements (n = 24, float64: ~0.5 GiB).
On processors where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set by the machine, unset both for
the benchmark command only (env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...); the meta line
shows them. No BLAS call is timed here.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib.metadata as metadata  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

try:
    import fht_cpu
    FHT_CPU_ERROR = None
except ImportError as exc:  # reported as status "unavailable"
    fht_cpu = None
    FHT_CPU_ERROR = repr(exc)

try:
    import pyfwht
    PYFWHT_ERROR = None
except ImportError as exc:
    pyfwht = None
    PYFWHT_ERROR = repr(exc)

ALL_PEERS = ("fht_cpu", "pyfwht", "numpy_butterfly")
DTYPES = {"float64": np.float64, "float32": np.float32}


def version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# ------------------------------------------------------------------------------------------------
# reference and the NumPy peer


def reference_fwht(x):
    """Raw natural-order H x in float64: H_2 applied along each axis of x viewed as (2,)*n."""
    N = x.size
    n = N.bit_length() - 1
    y = np.asarray(x, dtype=np.float64).reshape((2,) * n) if n > 0 else np.asarray(x, np.float64)
    for axis in range(n):
        a, b = y.take(0, axis=axis), y.take(1, axis=axis)
        y = np.stack([a + b, a - b], axis=axis)
    return y.reshape(N)


def self_test_reference(n=10):
    """The reference against the dense Sylvester matrix (scipy.linalg.hadamard, natural order)."""
    import scipy.linalg
    rng = np.random.default_rng(1)
    x = rng.uniform(-0.5, 0.5, 1 << n)
    dense = scipy.linalg.hadamard(1 << n, dtype=np.float64) @ x
    err = float(np.max(np.abs(reference_fwht(x) - dense)) / np.max(np.abs(dense)))
    if not err < 1e-12:
        raise SystemExit(f"reference FWHT disagrees with scipy.linalg.hadamard: rel err {err:.3g}")
    return err


def numpy_butterfly(x, buf0, buf1):
    """Out-of-place raw natural-order FWHT, one vectorised pass per level; returns the result
    buffer (buf0 or buf1). x is not modified."""
    N = x.size
    src, dst, spare = x, buf0, buf1
    h = 1
    while h < N:
        s = src.reshape(-1, 2, h)
        d = dst.reshape(-1, 2, h)
        np.add(s[:, 0, :], s[:, 1, :], out=d[:, 0, :])
        np.subtract(s[:, 0, :], s[:, 1, :], out=d[:, 1, :])
        src, dst, spare = dst, spare, dst
        h <<= 1
    return src


# ------------------------------------------------------------------------------------------------
# peers: each returns a runner with prepare() (untimed) and call() (timed) and result()


class Peer:
    name = None
    normalisation = "raw"  # raw | orthonormal | 1/N: the peer's output = factor * H x
    order = "natural"      # natural (Hadamard/Sylvester) | sequency
    in_place = True

    def available(self):
        return None  # or an error string

    def supports(self, dtype):
        return None  # or a reason string

    def version(self):
        raise NotImplementedError

    def setup(self, x):
        """Allocate work buffers for input x (untimed)."""
        self.x = x
        self.work = np.empty_like(x)

    def prepare(self):
        np.copyto(self.work, self.x)

    def call(self):
        raise NotImplementedError

    def result(self):
        return self.work


class FhtCpu(Peer):
    name = "fht_cpu"

    def available(self):
        return FHT_CPU_ERROR

    def version(self):
        return version("fht-cpu")

    def call(self):
        fht_cpu.fht(self.work)  # in place (inplace=True default), 1-D -> fht_1d_f64/f32


class PyFwht(Peer):
    name = "pyfwht"

    def available(self):
        return PYFWHT_ERROR

    def supports(self, dtype):
        if dtype != np.float64:
            return ("pyfwht's CPU transform is float64/int32/int8 only; pyfwht.fwht() converts "
                    "float32 to a float64 copy and back")
        return None

    def version(self):
        return version("pyfwht")

    def setup(self, x):
        super().setup(x)
        self.backend = pyfwht.Backend.CPU

    def call(self):
        pyfwht.transform(self.work, backend=self.backend)


class NumpyButterfly(Peer):
    name = "numpy_butterfly"
    in_place = False

    def version(self):
        return np.__version__

    def setup(self, x):
        self.x = x
        self.buf0, self.buf1 = np.empty_like(x), np.empty_like(x)
        self.out = None

    def prepare(self):
        pass

    def call(self):
        self.out = numpy_butterfly(self.x, self.buf0, self.buf1)

    def result(self):
        return self.out


PEER_CLASSES = {"fht_cpu": FhtCpu, "pyfwht": PyFwht, "numpy_butterfly": NumpyButterfly}
SCALES = {"raw": lambda N: 1.0, "orthonormal": lambda N: 1.0 / math.sqrt(N),
          "1/N": lambda N: 1.0 / N}


# ------------------------------------------------------------------------------------------------


def make_input(n, dtype):
    x = np.random.default_rng(0).uniform(-0.5, 0.5, 1 << n)
    return np.ascontiguousarray(x.astype(dtype, copy=False))


def rel_err(y, ref):
    return float(np.max(np.abs(np.asarray(y, np.float64) - ref)) / np.max(np.abs(ref)))


def check_peer(peer, dtype, args):
    n = args.check_n
    N = 1 << n
    x = make_input(n, dtype)
    ref = reference_fwht(x)  # the dtype-rounded input, in float64
    peer.setup(x)
    peer.prepare()
    peer.call()
    y = np.array(peer.result(), dtype=np.float64, copy=True)
    errs = {name: rel_err(y / f(N), ref) for name, f in SCALES.items()}
    detected = min(errs, key=errs.get)
    tol = args.tol_f64 if dtype == np.float64 else args.tol_f32
    declared_err = errs[peer.normalisation]
    input_untouched = bool(np.array_equal(x, make_input(n, dtype)))
    ok = bool(declared_err <= tol) and (peer.in_place or input_untouched)
    return dict(kind="check", peer=peer.name, version=peer.version(), n=n, dtype=args.dtype_name,
                ok=ok, rel_err=declared_err, tol=tol, normalisation=peer.normalisation,
                order=peer.order, detected_normalisation=detected if errs[detected] <= tol
                else None, rel_err_by_normalisation=errs,
                input_untouched=input_untouched if not peer.in_place else None)


def time_peer(peer, n, dtype, args):
    x = make_input(n, dtype)
    N = x.size
    peer.setup(x)
    peer.prepare()
    peer.call()  # warm-up (page faults, lazy init), untimed
    times = []
    for _ in range(args.repeats):
        peer.prepare()
        gc.disable()
        t0 = time.perf_counter()
        peer.call()
        t1 = time.perf_counter()
        gc.enable()
        times.append(t1 - t0)
    out = peer.result()
    scale = SCALES[peer.normalisation](N)
    s = float(np.sum(x, dtype=np.float64))
    post = abs(float(out[0]) / scale - s) / float(np.sum(np.abs(x), dtype=np.float64))
    changed = not np.array_equal(out[:16], x[:16])
    best = min(times)
    post_tol = 1e-9 if dtype == np.float64 else 1e-4
    status = "ok" if (post <= post_tol and changed) else "post_check_failed"
    peer.x = peer.work = None
    if hasattr(peer, "buf0"):
        peer.buf0 = peer.buf1 = peer.out = None
    return dict(status=status, seconds=best, seconds_all=times,
                ns_per_element_level=best / (N * n) * 1e9, post_check_rel_err=post)


def capture_stderr_fd(fn):
    """Run fn() with file descriptor 2 redirected to a temporary file; return (result, text)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            res = fn()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode(errors="replace").strip()
    return res, text


def meta_line(args, ref_self_test, pyfwht_banner):
    pyfwht_info = None
    if pyfwht is not None:
        pyfwht_info = dict(lib_version=pyfwht.version(), has_openmp=bool(pyfwht.has_openmp()),
                           has_gpu=bool(pyfwht.has_gpu()), simd_banner=pyfwht_banner,
                           auto_backend_at_2p20=str(pyfwht.recommend_backend(1 << 20)))
    return dict(kind="meta", argv=sys.argv[1:], python=platform.python_version(),
                numpy=np.__version__,
                fht_cpu=version("fht-cpu") if fht_cpu is not None else FHT_CPU_ERROR,
                fht_cpu_module_version=getattr(fht_cpu, "__version__", None),
                pyfwht=version("pyfwht") if pyfwht is not None else PYFWHT_ERROR,
                pyfwht_info=pyfwht_info, threadpoolctl=version("threadpoolctl"),
                reference_self_test_rel_err=ref_self_test,
                threads=1,
                threadpools=[dict(user_api=p["user_api"], internal_api=p["internal_api"],
                                  num_threads=p["num_threads"], version=p.get("version"),
                                  filepath=os.path.basename(p.get("filepath") or ""))
                             for p in threadpool_info()],
                env={k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
                loadavg=list(os.getloadavg()), cpus=os.cpu_count(), machine=platform.machine(),
                processor=cpu_model(), time=time.strftime("%Y-%m-%dT%H:%M:%S%z"))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def int_list(text):
    return [int(t) for t in text.split(",") if t.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int_list, default=[20, 24], help="comma list of n (N = 2^n)")
    ap.add_argument("--dtypes", default="float64,float32", help="comma list of float64, float32")
    ap.add_argument("--peers", default=",".join(ALL_PEERS), help="comma list of " +
                    ", ".join(ALL_PEERS))
    ap.add_argument("--repeats", type=int, default=5, help="timed calls; the best is reported")
    ap.add_argument("--check-n", type=int, default=12, help="n of the correctness gate")
    ap.add_argument("--tol-f64", type=float, default=1e-10)
    ap.add_argument("--tol-f32", type=float, default=1e-5)
    ap.add_argument("--out", help="append the JSON lines to this file")
    args = ap.parse_args()

    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    bad = [p for p in peers if p not in ALL_PEERS]
    if bad:
        ap.error(f"unknown peers {bad}; known: {', '.join(ALL_PEERS)}")
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    bad = [d for d in dtypes if d not in DTYPES]
    if bad:
        ap.error(f"unknown dtypes {bad}; known: {', '.join(DTYPES)}")
    if any(n < 1 or n > 30 for n in args.sizes + [args.check_n]):
        ap.error("n must be in 1..30")
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")

    limits = threadpool_limits(limits=1)  # noqa: F841  (BLAS and OpenMP pools, whole run)
    fout = open(args.out, "a") if args.out else None

    def emit(obj):
        line = json.dumps(obj)
        print(line, flush=True)
        if fout:
            fout.write(line + "\n")
            fout.flush()
        if obj.get("kind") == "fwht":
            secs = obj.get("seconds")
            print(f"# {obj['peer']:16s} n={obj['n']:2d} {obj['dtype']:7s} {obj['status']:12s} "
                  + (f"{secs * 1e3:10.3f} ms  {obj['ns_per_element_level']:.3f} ns/(elem*level)"
                     if secs is not None else ""), file=sys.stderr)

    ref_err = self_test_reference()
    banner = None
    if pyfwht is not None:  # first CPU call prints libfwht's SIMD banner on fd 2: capture it
        _, banner = capture_stderr_fd(
            lambda: pyfwht.transform(np.zeros(1024), backend=pyfwht.Backend.CPU))
    emit(meta_line(args, ref_err, banner))

    for name in [p for p in ALL_PEERS if p in peers]:
        peer = PEER_CLASSES[name]()
        for dname in dtypes:
            dtype = DTYPES[dname]
            args.dtype_name = dname
            base = dict(kind="fwht", peer=name, version=None, dtype=dname,
                        normalisation=peer.normalisation, order=peer.order,
                        in_place=peer.in_place, repeats=args.repeats)
            err = peer.available()
            if err is None:
                base["version"] = peer.version()
            reason = err or peer.supports(dtype)
            if reason is None:
                chk = check_peer(peer, dtype, args)
                emit(chk)
            for n in args.sizes:
                line = dict(base, n=n, N=1 << n, seconds=None, ns_per_element_level=None,
                            check_rel_err=None)
                if err is not None:
                    line.update(status="unavailable", note=err)
                elif reason is not None:
                    line.update(status="unsupported", note=reason)
                elif not chk["ok"]:
                    line.update(status="check_failed", check_rel_err=chk["rel_err"])
                else:
                    line["check_rel_err"] = chk["rel_err"]
                    line.update(time_peer(peer, n, dtype, args))
                line["loadavg1"] = os.getloadavg()[0]
                emit(line)
    if fout:
        fout.close()


if __name__ == "__main__":
    main()
