"""Python peers of benches/ot.rs (shared/specs/ot.md §4.3, §4.4, §5.4, §6, §8): accuracy-matched
entropic-OT solves on the shared reference cases (ot_cases.py), one thread.

What it measures. For each case and reg, every peer is run from a cold start until the returned
plan P has an L1 marginal error ||P1 - a||_1 + ||P^T 1 - b||_1 <= --target (default 1e-8):
  * pot_sinkhorn      POT ot.sinkhorn(method='sinkhorn') (scaling form, sinkhorn_knopp)
  * pot_sinkhorn_log  POT ot.bregman.sinkhorn_log (log domain; scipy logsumexp, very slow)
  * regot_ssns        regot.sinkhorn_ssns (C++ safe & sparse Newton, the strongest Newton peer)
  * regot_newton      regot.sinkhorn_newton (dense Newton; optional, not in the default set)
  * pot_emd2          exact OT cost by network simplex (ot.emd2, numItermax 1e7), for reference
Neither POT nor regot stops on the L1 error: POT stops on the L2 column error (checked every 10
iterations) < stopThr, regot on ||g||_2 < tol (g = the dual gradient, last column dropped). So each
peer is tried with stopThr (tol) = target/10, then 10x lower, until the L1 target is met, the peer
fails (POT "numerical errors", non-finite plan: stop_reason peer_failed) or hits its iteration
cap (iteration_cap), the parameter drops below --min-stop, or an attempt exceeds --max-seconds.
The last attempt is reported, with a summary of every attempt. POT's own warnings are captured and reported, never hidden (warn=False only
silences its non-convergence warning; the status field says what happened).

Calls (POT 0.9.7.post1, regot 0.0.3; regot's API read from its v0.0.3 src/solvers.cpp and
sinkhorn_ssns.cpp, and its README):
  ot.sinkhorn(a, b, C, reg, method="sinkhorn", numItermax, stopThr, log=True, warn=False)
  ot.bregman.sinkhorn_log(a, b, C, reg, numItermax, stopThr, log=True, warn=False)
  ot.emd2(a, b, C, numItermax=1e7, log=True, return_matrix=True)
  regot.sinkhorn_ssns(M, a, b, reg, tol, max_iter, verbose=0)   (M passed in Fortran order)
    -> .plan (exp((alpha + beta - M)/reg), beta_m = 0), .niter, .mar_errs (||g||_2 per
       iteration), .run_times (cumulative wall ms, regot's own timer), .obj_vals, .densities, .dual

Time: CPU seconds (time.process_time) and wall seconds of the solver call only (inputs built and
converted before; metrics computed after). Single thread: OMP/OPENBLAS/MKL thread variables are
set to 1 before numpy is imported, and threadpoolctl limits BLAS and OpenMP (regot bundles its own
libgomp) to 1 thread. The first JSON line ("kind": "meta") records versions, thread pools, load.

Iteration counts: POT = Sinkhorn iterations performed (its log 'niter' + 1; on "numerical errors"
POT returns the previous iterate, so 'niter'); regot = res.niter (Newton iterations).

--max-seconds (default 300): before a POT peer runs, 10 iterations are timed; its iteration cap is
min(1e6, max_seconds / seconds-per-iteration), and pot_sinkhorn_log is skipped outright when its
predicted time (pot_sinkhorn's iteration count, the same iterates, times its own cost per
iteration) exceeds --max-seconds (~46 ms/iteration at n = 1000: ~1230 iterations -> ~57 s).
pot_sinkhorn_log starts at the stopThr with which pot_sinkhorn met the target.

--per-iteration: the "one log-domain Sinkhorn iteration" row of the benchmark. Times POT's
sinkhorn_log and ot.sinkhorn (gauss2d_n1000, reg 1e-3 by default) as
(t(N_hi iterations) - t(N_lo)) / (N_hi - N_lo) with stopThr = 0 (best of --repeats), i.e. one
iteration including POT's amortised error check (one extra pass every 10 iterations); also the
bare log-domain update (two scipy logsumexp passes, as POT's numpy backend does) without the check.

Output: one JSON line per peer (kind "result"), printed and appended to --out if given. Fields:
case, n, reg, target, peer, status (converged | numerical_errors | non_finite | max_iter |
skipped | unavailable | optimal | ...), stop_reason, target_met, param_name (stopThr | tol),
param, iterations, cpu_s, wall_s, l1_err, l1_rows, l1_cols, l2_col_err, cost (<C,P>), objective
(<C,P> + reg sum P log P, 0 log 0 = 0), mass, ref_cost / ref_objective / exact_cost (spec §8
values when given, exact_cost also from pot_emd2 of this run) with relative differences,
peer_reported (the peer's own numbers), warnings, attempts.
benches/ot.rs prints the same fields for the Rust solvers (log-domain Sinkhorn, SNS sparse and
exact-Hessian modes) so the lines can be joined on (case, reg, target) and compared; the spec's
correctness gate is cost within 1e-6 relative of the reference at L1 1e-8 (1e-9 at 1e-11).

Run (after bash bench/peers/setup_ot.sh):
  bench/peers/.venv/bin/python bench/peers/ot_peers.py --cases gauss2d_n500,gauss2d_n1000 \
      --reg 1e-3 --out out/ot_peers.jsonl
  bench/peers/.venv/bin/python bench/peers/ot_peers.py --cases randassign_n500 --reg 1/1200
  bench/peers/.venv/bin/python bench/peers/ot_peers.py --per-iteration
  bench/peers/.venv/bin/python bench/peers/ot_peers.py --cases gauss2d_n100 --reg 1e-2  # smoke
On processors where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set by the machine, unset both for
the benchmark command only (env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...); the meta line
shows them and the BLAS kernel threadpoolctl reports.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.metadata as metadata  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.special  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ot_cases import CASE_HELP, make_case, reference  # noqa: E402

import ot  # noqa: E402

try:
    import regot
    REGOT_ERROR = None
except ImportError as exc:  # reported as status "unavailable"
    regot = None
    REGOT_ERROR = repr(exc)

ALL_PEERS = ("pot_emd2", "pot_sinkhorn", "pot_sinkhorn_log", "regot_ssns", "regot_newton")
DEFAULT_PEERS = ("pot_emd2", "pot_sinkhorn", "pot_sinkhorn_log", "regot_ssns")


# ------------------------------------------------------------------------------------------------
# measurement helpers


class Clock:
    """CPU (process_time) and wall (perf_counter) seconds of the block."""

    def __enter__(self):
        self.c0, self.w0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self.c0
        self.wall = time.perf_counter() - self.w0
        return False


def plan_metrics(P, C, a, b, reg):
    P = np.asarray(P, dtype=np.float64)
    out = dict(finite=bool(np.all(np.isfinite(P))))
    r, c = P.sum(axis=1), P.sum(axis=0)
    out["l1_rows"] = float(np.abs(r - a).sum())
    out["l1_cols"] = float(np.abs(c - b).sum())
    out["l1_err"] = out["l1_rows"] + out["l1_cols"]
    out["l2_col_err"] = float(np.linalg.norm(c - b))
    out["mass"] = float(P.sum())
    out["cost"] = float(np.sum(C * P))
    pos = P > 0
    plogp = float(np.sum(P[pos] * np.log(P[pos])))
    out["objective"] = out["cost"] + reg * plogp if reg is not None else None
    return out


def rel(x, ref):
    if x is None or ref is None or not math.isfinite(x):
        return None
    return abs(x - ref) / abs(ref)


def jnum(x):
    """JSON-safe float (NaN/inf as strings)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def clean(obj):
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return jnum(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def captured(fn):
    """Run fn() timing it, with every warning recorded; returns (result, clock, messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Clock() as clk:
            res = fn()
    msgs = []
    for w in caught:
        m = str(w.message)
        if m not in msgs:
            msgs.append(m)
    return res, clk, msgs


# ------------------------------------------------------------------------------------------------
# single solves (one attempt each)


def run_pot(method, case, reg, stop_thr, max_iter):
    C, a, b = case["C"], case["a"], case["b"]
    if method == "sinkhorn":
        fn = lambda: ot.sinkhorn(a, b, C, reg, method="sinkhorn", numItermax=max_iter,  # noqa: E731
                                 stopThr=stop_thr, log=True, warn=False)
    else:
        fn = lambda: ot.bregman.sinkhorn_log(a, b, C, reg, numItermax=max_iter,  # noqa: E731
                                             stopThr=stop_thr, log=True, warn=False)
    (P, log), clk, msgs = captured(fn)
    niter = int(log["niter"])
    errs = [float(e) for e in log.get("err", [])]
    last_err = errs[-1] if errs else None
    numerical = any("numerical errors" in m for m in msgs)
    if numerical:
        status, iterations = "numerical_errors", niter
    elif not np.all(np.isfinite(P)):
        status, iterations = "non_finite", niter + 1
    elif last_err is not None and last_err < stop_thr:
        status, iterations = "converged", niter + 1
    else:
        status, iterations = "max_iter", niter + 1
    return dict(P=P, status=status, iterations=iterations, cpu_s=clk.cpu, wall_s=clk.wall,
                warnings=msgs, max_iter=max_iter,
                peer_reported=dict(niter=niter, last_l2_col_err=last_err, n_checks=len(errs)))


def run_regot(fname, case, reg, tol, max_iter):
    fn = getattr(regot, fname)
    M = case["C_fortran"]
    res, clk, msgs = captured(lambda: fn(M, case["a"], case["b"], reg, tol=tol,
                                         max_iter=max_iter, verbose=0))
    P = np.asarray(res.plan)
    gnorms = list(res.mar_errs)
    gnorm = float(gnorms[-1]) if gnorms else None
    if not np.all(np.isfinite(P)) or (gnorm is not None and not math.isfinite(gnorm)):
        status = "non_finite"
    elif gnorm is not None and gnorm < tol:
        status = "converged"
    else:
        status = "max_iter"
    run_times = list(res.run_times)  # cumulative wall milliseconds (regot's own timer)
    reported = dict(niter=int(res.niter), grad_norm=gnorm,
                    run_time_s=run_times[-1] / 1e3 if run_times else None,
                    dual_obj=float(res.obj_vals[-1]) if len(res.obj_vals) else None)
    if fname == "sinkhorn_ssns" and len(res.densities):
        reported["hessian_density_last"] = float(res.densities[-1])
    return dict(P=P, status=status, iterations=int(res.niter), cpu_s=clk.cpu, wall_s=clk.wall,
                warnings=msgs, max_iter=max_iter, peer_reported=reported)


def pot_seconds_per_iteration(method, case, reg, iters=10):
    rec = run_pot(method, case, reg, 0.0, iters)
    done = max(rec["iterations"], 1)
    return rec["cpu_s"] / done


# ------------------------------------------------------------------------------------------------
# accuracy-matched runs


def finish(rec, case, reg, args, peer, param_name, param, exact_cost):
    """Attach metrics and reference comparisons; drop the plan."""
    P = rec.pop("P", None)
    out = dict(kind="result", case=case["name"], n=case["n"], reg=reg, target=args.target,
               peer=peer, status=rec.get("status"), target_met=False, param_name=param_name,
               param=param)
    if P is not None:
        m = plan_metrics(P, case["C"], case["a"], case["b"], reg)
        if not m.pop("finite"):
            out["status"] = "non_finite"
        out.update(m)
        out["target_met"] = bool(m["l1_err"] <= args.target) and out["status"] == "converged"
    for k in ("iterations", "cpu_s", "wall_s", "max_iter", "peer_reported", "warnings",
              "stop_reason", "attempts", "note"):
        if k in rec:
            out[k] = rec[k]
    ex_spec, ref_cost, ref_obj = reference(case["name"], reg)
    out["ref_cost"], out["ref_objective"] = ref_cost, ref_obj
    out["cost_rel_err_vs_ref"] = rel(out.get("cost"), ref_cost)
    out["objective_rel_err_vs_ref"] = rel(out.get("objective"), ref_obj)
    out["exact_cost"] = exact_cost if exact_cost is not None else ex_spec
    if out["exact_cost"] is not None and out.get("cost") is not None:
        out["cost_minus_exact"] = out["cost"] - out["exact_cost"]
    return out


def attempt_summary(rec, case, reg, param):
    m = plan_metrics(rec["P"], case["C"], case["a"], case["b"], reg)
    return dict(param=param, status=rec["status"], iterations=rec["iterations"],
                cpu_s=rec["cpu_s"], wall_s=rec["wall_s"], l1_err=m["l1_err"],
                l2_col_err=m["l2_col_err"]), m


def tune(run_one, first, args, case, reg):
    """Lower the stopping parameter 10x at a time until the L1 target is met (see header)."""
    attempts, param = [], first
    while True:
        rec = run_one(param)
        summ, m = attempt_summary(rec, case, reg, param)
        attempts.append(summ)
        if m["l1_err"] <= args.target and rec["status"] == "converged":
            reason = "target_met"
        elif rec["status"] == "max_iter":
            reason = "iteration_cap"  # numItermax / max_iter (see the note for a budget cap)
        elif rec["status"] != "converged":
            reason = "peer_failed"
        elif len(attempts) >= args.max_attempts:
            reason = "max_attempts"
        elif param / 10 < args.min_stop:
            reason = "param_floor"
        elif rec["cpu_s"] > args.max_seconds:
            reason = "time_budget"
        else:
            param /= 10
            continue
        rec["stop_reason"] = reason
        rec["attempts"] = attempts
        return rec, param


def run_case(case, reg, args, peers, emit):
    exact_cost = None
    scaling = None  # pot_sinkhorn's final record (iterations, stopThr), for sinkhorn_log
    for peer in [p for p in ALL_PEERS if p in peers]:  # fixed order: emd, scaling, log, regot
        if peer == "pot_emd2":
            (res, clk, msgs) = captured(lambda: ot.emd2(case["a"], case["b"], case["C"],
                                                        numItermax=args.emd_max_iter, log=True,
                                                        return_matrix=True))
            cost, log = res
            exact_cost = float(cost)
            rec = dict(P=log["G"], status="optimal" if log["result_code"] == 1 else "not_optimal",
                       cpu_s=clk.cpu, wall_s=clk.wall, warnings=msgs, max_iter=args.emd_max_iter,
                       peer_reported=dict(result_code=int(log["result_code"]),
                                          warning=log["warning"], cost=exact_cost))
            out = finish(rec, case, None, args, peer, "numItermax", args.emd_max_iter, None)
            out["reg"] = reg  # the line belongs to this (case, reg) group; no entropy here
            out.pop("objective", None)
            out.pop("ref_cost", None)
            out.pop("ref_objective", None)
            out.pop("cost_rel_err_vs_ref", None)
            out.pop("objective_rel_err_vs_ref", None)
            out.pop("cost_minus_exact", None)
            out["target_met"] = None
            out["cost_rel_err_vs_exact_ref"] = rel(exact_cost, out["exact_cost"])
            emit(out)
            continue

        if peer.startswith("pot_"):
            method = "sinkhorn" if peer == "pot_sinkhorn" else "sinkhorn_log"
            per_it = pot_seconds_per_iteration(method, case, reg)
            cap = int(min(args.pot_max_iter, max(10, args.max_seconds / max(per_it, 1e-9))))
            first, note = args.target / 10, None
            if method == "sinkhorn_log" and scaling is not None and scaling["target_met"]:
                first = scaling["param"]
                predicted = scaling["iterations"] * per_it
                note = (f"stopThr from pot_sinkhorn; predicted {scaling['iterations']} iterations x "
                        f"{per_it * 1e3:.3g} ms = {predicted:.3g} s CPU")
                if predicted > args.max_seconds:
                    rec = dict(status="skipped", stop_reason="time_budget", note=note,
                               peer_reported=dict(cpu_s_per_iteration=per_it,
                                                  predicted_cpu_s=predicted))
                    emit(finish(rec, case, reg, args, peer, "stopThr", first, exact_cost))
                    continue
            rec, param = tune(lambda thr: run_pot(method, case, reg, thr, cap), first, args, case,
                              reg)
            rec["peer_reported"]["cpu_s_per_iteration_probe"] = per_it
            if cap < args.pot_max_iter:
                rec["note"] = ((note + "; ") if note else "") + \
                    f"numItermax capped at {cap} by --max-seconds"
            elif note:
                rec["note"] = note
            out = finish(rec, case, reg, args, peer, "stopThr", param, exact_cost)
            if peer == "pot_sinkhorn":
                scaling = out
            emit(out)
            continue

        fname = {"regot_ssns": "sinkhorn_ssns", "regot_newton": "sinkhorn_newton"}[peer]
        if regot is None:
            emit(finish(dict(status="unavailable", note=REGOT_ERROR), case, reg, args, peer, "tol",
                        None, exact_cost))
            continue
        rec, param = tune(lambda tol: run_regot(fname, case, reg, tol, args.regot_max_iter),
                          args.target / 10, args, case, reg)
        emit(finish(rec, case, reg, args, peer, "tol", param, exact_cost))


# ------------------------------------------------------------------------------------------------
# per-iteration mode


def per_iteration(args, emit):
    case = make_case(args.per_iteration_case)
    reg = args.reg[0]
    C, a, b = case["C"], case["a"], case["b"]
    for method, (lo, hi) in (("sinkhorn_log", args.log_iters), ("sinkhorn", args.scaling_iters)):
        t = {}
        for n_it in (lo, hi):
            best_cpu = best_wall = math.inf
            for _ in range(args.repeats):
                rec = run_pot(method, case, reg, 0.0, n_it)
                if rec["iterations"] != n_it or rec["status"] != "max_iter":
                    raise SystemExit(f"{method}: expected {n_it} full iterations, got "
                                     f"{rec['iterations']} ({rec['status']}, {rec['warnings']})")
                best_cpu, best_wall = min(best_cpu, rec["cpu_s"]), min(best_wall, rec["wall_s"])
            t[n_it] = (best_cpu, best_wall)
        emit(dict(kind="per_iteration", case=case["name"], n=case["n"], reg=reg,
                  peer="pot_" + method,
                  what="one iteration incl. POT's error check every 10 iterations",
                  iters_lo=lo, iters_hi=hi, repeats=args.repeats,
                  cpu_s_per_iteration=(t[hi][0] - t[lo][0]) / (hi - lo),
                  wall_s_per_iteration=(t[hi][1] - t[lo][1]) / (hi - lo)))
    # bare log-domain update: v = log b - LSE_i(-C/reg + u_i), u = log a - LSE_j(-C/reg + v_j)
    Mr = -C / reg
    la, lb = np.log(a), np.log(b)
    u, v = np.zeros_like(a), np.zeros_like(b)
    k, best_cpu, best_wall = args.bare_iters, math.inf, math.inf
    for _ in range(args.repeats):
        with Clock() as clk:
            for _ in range(k):
                v = lb - scipy.special.logsumexp(Mr + u[:, None], axis=0)
                u = la - scipy.special.logsumexp(Mr + v[None, :], axis=1)
        best_cpu, best_wall = min(best_cpu, clk.cpu), min(best_wall, clk.wall)
    emit(dict(kind="per_iteration", case=case["name"], n=case["n"], reg=reg,
              peer="scipy_logsumexp_update",
              what="bare log-domain iteration (two scipy.special.logsumexp passes), no check",
              iters=k, repeats=args.repeats, cpu_s_per_iteration=best_cpu / k,
              wall_s_per_iteration=best_wall / k))


# ------------------------------------------------------------------------------------------------


def parse_reg(text):
    out = []
    for part in text.split(","):
        part = part.strip()
        if "/" in part:
            num, den = part.split("/")
            out.append(float(num) / float(den))
        else:
            out.append(float(part))
    return out


def parse_pair(text):
    lo, hi = (int(t) for t in text.split(","))
    if not 0 < lo < hi:
        raise argparse.ArgumentTypeError("need LO,HI with 0 < LO < HI")
    return lo, hi


def meta_line(args):
    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return dict(kind="meta", argv=sys.argv[1:], python=platform.python_version(),
                numpy=np.__version__, scipy=scipy.__version__, pot=ot.__version__,
                regot=version("regot") if regot is not None else REGOT_ERROR,
                threadpools=[dict(user_api=p["user_api"], internal_api=p["internal_api"],
                                  num_threads=p["num_threads"], version=p.get("version"),
                                  architecture=p.get("architecture"))
                             for p in threadpool_info()],
                env={k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
                loadavg=list(os.getloadavg()), cpus=os.cpu_count(), machine=platform.machine(),
                time=time.strftime("%Y-%m-%dT%H:%M:%S%z"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="gauss2d_n500", help="comma list; " + CASE_HELP)
    ap.add_argument("--reg", type=parse_reg, default=[1e-3],
                    help="comma list, fractions allowed (1/1200); default 1e-3")
    ap.add_argument("--target", type=float, default=1e-8, help="L1 marginal error, rows + cols")
    ap.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                    help="comma list of " + ", ".join(ALL_PEERS))
    ap.add_argument("--max-seconds", type=float, default=300.0,
                    help="CPU budget of one solve (see header); default 300")
    ap.add_argument("--max-attempts", type=int, default=6)
    ap.add_argument("--min-stop", type=float, default=1e-16,
                    help="smallest stopThr / tol tried; default 1e-16")
    ap.add_argument("--pot-max-iter", type=int, default=1_000_000)
    ap.add_argument("--regot-max-iter", type=int, default=10_000)
    ap.add_argument("--emd-max-iter", type=int, default=10_000_000)
    ap.add_argument("--out", help="append the JSON lines to this file")
    ap.add_argument("--per-iteration", action="store_true",
                    help="time one iteration of sinkhorn_log and ot.sinkhorn instead")
    ap.add_argument("--per-iteration-case", default="gauss2d_n1000")
    ap.add_argument("--log-iters", type=parse_pair, default=(10, 30), help="LO,HI for sinkhorn_log")
    ap.add_argument("--scaling-iters", type=parse_pair, default=(100, 1100),
                    help="LO,HI for ot.sinkhorn")
    ap.add_argument("--bare-iters", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    bad = [p for p in peers if p not in ALL_PEERS]
    if bad:
        ap.error(f"unknown peers {bad}; known: {', '.join(ALL_PEERS)}")

    limits = threadpool_limits(limits=1)  # BLAS and OpenMP pools, for the whole run
    fout = open(args.out, "a") if args.out else None

    def emit(obj):
        line = json.dumps(clean(obj))
        print(line, flush=True)
        if fout:
            fout.write(line + "\n")
            fout.flush()
        if obj.get("kind") == "result":
            print(f"# {obj['case']} reg={obj['reg']:.3g} {obj['peer']}: {obj.get('status')} "
                  f"({obj.get('stop_reason')}), it={obj.get('iterations')}, "
                  f"cpu={obj.get('cpu_s', float('nan')):.3g}s, L1={obj.get('l1_err', float('nan')):.2e}, "
                  f"cost={obj.get('cost', float('nan')):.15g}", file=sys.stderr)

    emit(meta_line(args))
    if args.per_iteration:
        per_iteration(args, emit)
    else:
        for name in [c.strip() for c in args.cases.split(",") if c.strip()]:
            case = make_case(name)
            case["C_fortran"] = np.asfortranarray(case["C"])  # regot takes an F-ordered matrix
            for reg in args.reg:
                run_case(case, reg, args, peers, emit)
    if fout:
        fout.close()


if __name__ == "__main__":
    main()
