//! Log-domain Sinkhorn: exact alternating maximisation of the entropic dual.
//!
//! With Pᵢⱼ = exp((fᵢ + gⱼ − Cᵢⱼ)/ε), one iteration sets the row sums, then the column sums,
//! to the weights:
//!
//! ```text
//! fᵢ ← ε log aᵢ − ε LSEⱼ((gⱼ − Cᵢⱼ)/ε),    gⱼ ← ε log bⱼ − ε LSEᵢ((fᵢ − Cᵢⱼ)/ε),
//! ```
//!
//! each log-sum-exp stabilised by its maximum, so no ε underflows or overflows (the scaling
//! form u = a / K v breaks down below ε ≈ 1e-3 of the cost range). After an iteration the
//! columns are exact; the row error ‖r − a‖₁ comes free from the next row sweep
//! (rᵢ = exp(fᵢ/ε + LSEᵢ)), so the stopping test costs nothing. Cost per iteration: 2nm
//! exponentials and 4nm additions, over C and its stored transpose (both sweeps contiguous),
//! or over costs computed on the fly from points (O((n + m) d) memory).
//!
//! Optional ε-scaling ([`EpsScaling`]) solves a decreasing sequence ε₀ > ε₁ > … > ε, each
//! stage warm-started from the last one's potentials and stopped at a loose tolerance: at
//! small ε it replaces thousands of iterations by tens.

use crate::engine::Engine;
use crate::problem::OtProblem;
use crate::solution::{OtSolution, evaluate};
use nalgebra::DVector;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, Status};
use parsimony_core::{Error, Result};

/// ε-scaling: the stages ε₀ = `start` (default 1e-2 of the cost's range),
/// ε₀/`factor`, ε₀/`factor`², … down to the target ε; every stage but the last stops at the
/// L1 marginal error `stage_tol`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpsScaling {
    /// The first ε (None: 1e-2 × (max C − min C)).
    pub start: Option<f64>,
    /// The ratio of successive stages (> 1).
    pub factor: f64,
    /// The L1 marginal error (relative to the mass) at which an intermediate stage stops.
    pub stage_tol: f64,
}

impl Default for EpsScaling {
    fn default() -> Self {
        Self {
            start: None,
            factor: 10.0,
            stage_tol: 1e-6,
        }
    }
}

impl EpsScaling {
    /// The schedule for [`crate::Sns`]: stages a factor 3 apart, each intermediate one
    /// stopped at an L1 error of 1e-2 (it only has to bring the next stage near Newton's
    /// region; every stage starts with Sinkhorn sweeps down to `switch_error`). On gauss2d
    /// n = 1000 at ε = 1e-3 it halves the solve against no scaling (`cargo bench --bench ot`).
    pub fn newton() -> Self {
        Self {
            start: None,
            factor: 3.0,
            stage_tol: 1e-2,
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if let Some(s) = self.start
            && !(s.is_finite() && s > 0.0)
        {
            return Err(Error::invalid(
                "eps_scaling.start",
                format!("must be finite and > 0, got {s}"),
            ));
        }
        if !(self.factor.is_finite() && self.factor > 1.0) {
            return Err(Error::invalid(
                "eps_scaling.factor",
                format!("must be finite and > 1, got {}", self.factor),
            ));
        }
        if !(self.stage_tol.is_finite() && self.stage_tol > 0.0) {
            return Err(Error::invalid(
                "eps_scaling.stage_tol",
                format!("must be finite and > 0, got {}", self.stage_tol),
            ));
        }
        Ok(())
    }

    /// The ε of every stage, ending at `reg`.
    pub(crate) fn stages(&self, reg: f64, problem: &OtProblem) -> Vec<f64> {
        let (lo, hi) = problem.range;
        let start = self.start.unwrap_or(1e-2 * (hi - lo));
        let mut out = Vec::new();
        let mut e = start;
        while e > reg * (1.0 + 1e-12) && out.len() < 64 {
            out.push(e);
            e /= self.factor;
        }
        out.push(reg);
        out
    }
}

/// Checks ε against the cost: the exponents (C − f − g)/ε must stay representable.
pub(crate) fn check_reg(reg: f64, problem: &OtProblem) -> Result<()> {
    if !(reg.is_finite() && reg > 0.0) {
        return Err(Error::invalid(
            "reg",
            format!("ε must be finite and > 0, got {reg}"),
        ));
    }
    let (lo, hi) = problem.range;
    let span = (hi - lo).max(hi.abs()).max(lo.abs());
    if !(span / reg < 1e250) {
        return Err(Error::invalid(
            "reg",
            format!(
                "ε = {reg:e} is too small for a cost of magnitude {span:e}: (C − f − g)/ε would overflow (rescale the cost or raise ε)"
            ),
        ));
    }
    Ok(())
}

/// Parameters of log-domain Sinkhorn ([`Sinkhorn`]); [`SinkhornParams::build`] checks them.
///
/// | name | default | valid | meaning |
/// |---|---|---|---|
/// | `reg` | (given) | > 0, finite, not below 1e-250 of the cost's magnitude | the entropic regularisation ε (η = 1/ε in Tang et al.) |
/// | `tol` | 1e-9 | > 0 | stop when ‖r − a‖₁ + ‖c − b‖₁ ≤ tol × mass |
/// | `max_iter` | 100 000 | ≥ 1 | iteration cap (all stages together) |
/// | `eps_scaling` | None | [`EpsScaling`] | solve a decreasing sequence of ε first |
/// | `threads` | 1 | ≥ 1 | rayon threads of the sweeps (blocks of 64 rows) |
/// | `plan` | false | | also return the dense plan (n × m) |
#[derive(Clone, Debug, PartialEq)]
pub struct SinkhornParams {
    /// The entropic regularisation ε.
    pub reg: f64,
    /// The L1 marginal error to reach, relative to the mass.
    pub tol: f64,
    /// Iteration cap.
    pub max_iter: usize,
    /// ε-scaling, if any.
    pub eps_scaling: Option<EpsScaling>,
    /// Threads of the sweeps.
    pub threads: usize,
    /// Return the dense plan.
    pub plan: bool,
}

impl SinkhornParams {
    /// The defaults at regularisation `reg` = ε.
    pub fn new(reg: f64) -> Self {
        Self {
            reg,
            tol: 1e-9,
            max_iter: 100_000,
            eps_scaling: None,
            threads: 1,
            plan: false,
        }
    }

    /// Sets the tolerance on the L1 marginal error (relative to the mass).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Sets the iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }

    /// Turns ε-scaling on.
    pub fn eps_scaling(mut self, s: EpsScaling) -> Self {
        self.eps_scaling = Some(s);
        self
    }

    /// Sets the number of threads.
    pub fn threads(mut self, t: usize) -> Self {
        self.threads = t;
        self
    }

    /// Asks for the dense plan.
    pub fn plan(mut self, yes: bool) -> Self {
        self.plan = yes;
        self
    }

    /// Checks the parameters (ε against the problem is checked by `solve`).
    pub fn build(self) -> Result<Sinkhorn> {
        if !(self.reg.is_finite() && self.reg > 0.0) {
            return Err(Error::invalid(
                "reg",
                format!("ε must be finite and > 0, got {}", self.reg),
            ));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::invalid(
                "tol",
                format!("must be finite and > 0, got {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", "must be ≥ 1"));
        }
        if self.threads == 0 {
            return Err(Error::invalid("threads", "must be ≥ 1"));
        }
        if let Some(s) = &self.eps_scaling {
            s.check()?;
        }
        Ok(Sinkhorn { params: self })
    }
}

/// Log-domain Sinkhorn (see the module documentation).
#[derive(Clone, Debug)]
pub struct Sinkhorn {
    params: SinkhornParams,
}

/// Potentials (f, g) a solve starts from.
#[derive(Clone, Debug, Default)]
pub struct WarmStart {
    /// Source potential (length n).
    pub f: Vec<f64>,
    /// Target potential (length m).
    pub g: Vec<f64>,
}

/// Why a run of sweeps stopped.
pub(crate) enum SweepEnd {
    /// The L1 error reached the tolerance.
    Reached,
    /// The cap ran out.
    Cap,
    /// The error stopped falling at the precision floor.
    Floor,
    /// The observer stopped the run.
    Stopped,
}

/// Runs Sinkhorn iterations on (f, g) at `engine`'s ε until the L1 error ≤ `tol` (absolute),
/// at most `cap` iterations; counts them in `done`. The observer sees iteration `*done` and
/// the error of the iterate before it.
pub(crate) fn sweeps(
    engine: &Engine<'_>,
    f: &mut [f64],
    g: &mut [f64],
    tol: f64,
    cap: usize,
    done: &mut usize,
    observer: &mut dyn Observer,
) -> SweepEnd {
    let p = engine.problem;
    let (eps, inv_eps) = (engine.eps, engine.inv_eps);
    let log_a: Vec<f64> = p.a.iter().map(|v| v.ln()).collect();
    let log_b: Vec<f64> = p.b.iter().map(|v| v.ln()).collect();
    let mut lse_r = vec![0.0; p.n];
    let mut lse_c = vec![0.0; p.m];
    let floor = 100.0 * (p.n + p.m) as f64 * f64::EPSILON * p.mass;
    let (mut best, mut since_best) = (f64::INFINITY, 0usize);
    let mut k = 0;
    loop {
        engine.row_lse(g, &mut lse_r);
        if k > 0 {
            // the rows of the plan after the last full iteration (its columns are exact)
            let err: f64 = lse_r
                .iter()
                .zip(f.iter())
                .zip(&p.a)
                .map(|((l, fi), ai)| ((fi * inv_eps + l).exp() - ai).abs())
                .sum();
            if err <= tol {
                return SweepEnd::Reached;
            }
            // at the precision floor the error only jitters: no new best in 200 iterations
            if err < best {
                best = err;
                since_best = 0;
            } else {
                since_best += 1;
                if since_best >= 200 && err < floor {
                    return SweepEnd::Floor;
                }
            }
            if observer.observe(&IterInfo::new(*done, f64::NAN, err)) == Control::Stop {
                return SweepEnd::Stopped;
            }
        }
        if k >= cap {
            return SweepEnd::Cap;
        }
        for ((fi, la), l) in f.iter_mut().zip(&log_a).zip(&lse_r) {
            *fi = eps * (la - l);
        }
        engine.col_lse(f, &mut lse_c);
        for ((gj, lb), l) in g.iter_mut().zip(&log_b).zip(&lse_c) {
            *gj = eps * (lb - l);
        }
        k += 1;
        *done += 1;
    }
}

impl Sinkhorn {
    /// The parameters.
    pub fn params(&self) -> &SinkhornParams {
        &self.params
    }

    /// Solves from f = g = 0, silently.
    pub fn solve(&self, problem: &OtProblem) -> Result<OtSolution> {
        self.solve_observed(problem, None, &mut Silent)
    }

    /// Solves from `warm` (or f = g = 0), reporting each iteration to `observer` (iteration
    /// count, cost NaN, stop value the L1 marginal error of the previous iterate).
    pub fn solve_observed(
        &self,
        problem: &OtProblem,
        warm: Option<&WarmStart>,
        observer: &mut dyn Observer,
    ) -> Result<OtSolution> {
        let clock = Clock::start();
        let p = &self.params;
        check_reg(p.reg, problem)?;
        let (mut f, mut g) = start(problem, warm)?;
        let stages = match &p.eps_scaling {
            Some(s) => s.stages(p.reg, problem),
            None => vec![p.reg],
        };
        let mut engine = Engine::new(problem, p.reg, p.threads)?;
        let mut done = 0;
        let mut end = SweepEnd::Cap;
        for (k, &eps) in stages.iter().enumerate() {
            engine.set_eps(eps);
            let last = k + 1 == stages.len();
            let tol = if last {
                p.tol
            } else {
                p.eps_scaling.map_or(p.tol, |s| s.stage_tol)
            } * problem.mass;
            // the fused test measures the rows; the final pass adds the columns' rounding: a
            // few more iterations at a tighter test when that tips the error over the tolerance
            let mut test = tol;
            for _ in 0..4 {
                let cap = p.max_iter.saturating_sub(done);
                end = sweeps(&engine, &mut f, &mut g, test, cap, &mut done, observer);
                if !(last && matches!(end, SweepEnd::Reached)) {
                    break;
                }
                let sums = engine.plan_sums(&f, &g, None);
                let err = crate::solution::l1(&sums.rows, &problem.a)
                    + crate::solution::l1(&sums.cols, &problem.b);
                if err <= tol {
                    break;
                }
                test *= 0.5;
            }
            if matches!(end, SweepEnd::Stopped) {
                break;
            }
        }
        let ev = evaluate(&engine, &f, &g, p.plan);
        let status = match end {
            SweepEnd::Reached if ev.marginal_error <= p.tol * problem.mass => Status::Converged,
            SweepEnd::Reached | SweepEnd::Floor => Status::Stalled,
            SweepEnd::Cap => Status::MaxIterations,
            SweepEnd::Stopped => Status::StoppedByObserver,
        };
        if !(ev.transport_cost.is_finite() && ev.marginal_error.is_finite()) {
            return Err(Error::breakdown(
                "sinkhorn",
                "the plan overflowed at the final potentials",
            ));
        }
        let info = clock.finish(done, status, ev.marginal_error);
        observer.finish(&info);
        Ok(solution(ev, p.reg, done, 0, 0, Vec::new(), info))
    }
}

/// The starting potentials: the warm start (checked) or zeros.
pub(crate) fn start(problem: &OtProblem, warm: Option<&WarmStart>) -> Result<(Vec<f64>, Vec<f64>)> {
    match warm {
        None => Ok((vec![0.0; problem.n], vec![0.0; problem.m])),
        Some(w) => {
            if w.f.len() != problem.n {
                return Err(Error::dimension("warm start f", problem.n, w.f.len()));
            }
            if w.g.len() != problem.m {
                return Err(Error::dimension("warm start g", problem.m, w.g.len()));
            }
            if w.f.iter().chain(&w.g).any(|v| !v.is_finite()) {
                return Err(Error::non_finite("warm start potentials"));
            }
            Ok((w.f.clone(), w.g.clone()))
        }
    }
}

pub(crate) fn solution(
    ev: crate::solution::Evaluated,
    reg: f64,
    sinkhorn_iterations: usize,
    newton_iterations: usize,
    cg_iterations: usize,
    newton_errors: Vec<f64>,
    info: parsimony_core::solve::SolveInfo,
) -> OtSolution {
    OtSolution {
        f: DVector::from_vec(ev.f),
        g: DVector::from_vec(ev.g),
        plan: ev.plan,
        reg,
        transport_cost: ev.transport_cost,
        objective: ev.objective,
        dual: ev.dual,
        marginal_error: ev.marginal_error,
        column_error_l2: ev.column_error_l2,
        sinkhorn_iterations,
        newton_iterations,
        sparse_newton_iterations: 0,
        cg_iterations,
        newton_errors,
        info,
    }
}
