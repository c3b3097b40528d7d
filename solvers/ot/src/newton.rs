//! Sinkhorn–Newton–Sparse (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao & Ying,
//! ICLR 2024): a short Sinkhorn warm start, then Newton steps on the concave dual
//!
//! ```text
//! D(f, g) = ⟨a, f⟩ + ⟨b, g⟩ − ε Σᵢⱼ Pᵢⱼ + ε·mass,    Pᵢⱼ = exp((fᵢ + gⱼ − Cᵢⱼ)/ε),
//! ∇D = (a − P1, b − Pᵀ1),    −ε ∇²D = M = [[diag(P1), P], [Pᵀ, diag(Pᵀ1)]].
//! ```
//!
//! Each step solves M d = ε ∇D by Jacobi-preconditioned conjugate gradient (relative tolerance
//! min(0.1, √err), at most 2(n + m) iterations) with the gauge pinned (d_g[m−1] = 0: M has the
//! null vector (1, −1)), then a line search from α = 1, halving: Armijo on D while the L1
//! error err = ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ exceeds 1e-6·mass, and a decrease of err below that
//! (where D moves by ~err² and drowns in rounding). The accepted trial's plan is the next
//! iterate's: one exp pass per trial, one fused pass over P per CG step. A step that finds no
//! acceptable α falls back to 10 Sinkhorn iterations; an error that stops falling at the
//! precision floor (≈ 100 (n + m) ε_mach·mass) ends the run with [`Status::Stalled`].
//!
//! Two Newton matrices. [`Hessian::Exact`] (the default) applies M matrix-free, one fused pass
//! over P per CG iteration (2nm multiply-adds): robust on every reference case. The paper's
//! [`Hessian::Sparse`] keeps the κ(n + m) largest entries of P (and its first row and column,
//! so the system stays definite) with exact diagonals: a CG iteration costs O(nnz), but the
//! step is only a Newton step when the plan really is sparse (each row's mass in a few
//! entries: Tang et al.'s random assignment at η = 1200); on point clouds at ε = 1e-2…1e-3 a
//! row needs 40–400 entries and the sparse step degenerates into a damped Sinkhorn step. The
//! adaptive sparse mode ([`Hessian::sparse`]) therefore switches to the exact Hessian when the
//! kept mass falls below 1 − 1e-3 or a step does not halve the error. Cost per Newton step
//! besides CG: one exp pass over P per line-search trial (and an O(nm) selection in sparse
//! mode). Memory: the plan and a trial plan, 16nm bytes, besides the cost. For a cost computed
//! on the fly from points ([`OtProblem::from_points`]) no plan is stored: every product and
//! every trial recomputes Pᵢⱼ from Cᵢⱼ (nm exps per CG step), memory stays O(n + m), and the
//! Hessian is the exact one (a sparse selection needs the plan).

use crate::engine::Engine;
use crate::kernels::{PlanSums, hessian_apply, plan_rows};
use crate::problem::OtProblem;
use crate::sinkhorn::{EpsScaling, SweepEnd, WarmStart, check_reg, solution, start, sweeps};
use crate::solution::{OtSolution, dot, evaluate, l1};
use crate::sparse::SparsePlan;
use nalgebra::DVector;
use parsimony_core::linalg::{CgParams, JacobiPreconditioner, LinearOperator};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, Status};
use parsimony_core::{Error, Result, memory};

/// Which Hessian the Newton system uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hessian {
    /// The exact Hessian, applied matrix-free (one fused pass over the plan per product).
    Exact,
    /// The paper's sparsified Hessian: the `kappa`·(n + m) largest plan entries, plus the
    /// first row and column (so the system stays definite), exact diagonals. With
    /// `adaptive`, a step whose kept mass is below 1 − 1e-3 of the plan's, or a step in the
    /// Newton region (error ≤ 1e-2·mass) that did not halve the error, switches the rest of
    /// the run to [`Hessian::Exact`].
    Sparse {
        /// Kept entries per source-plus-target (the paper's density λ = 2/n is κ ≈ 1.5).
        kappa: f64,
        /// Fall back to the exact Hessian when the sparse one is not good enough.
        adaptive: bool,
    },
}

impl Hessian {
    /// The sparse mode with κ = 3 and the adaptive switch (the robust fast mode).
    pub fn sparse() -> Self {
        Hessian::Sparse {
            kappa: 3.0,
            adaptive: true,
        }
    }
}

/// Parameters of Sinkhorn–Newton–Sparse ([`Sns`]); [`SnsParams::build`] checks them.
///
/// | name | default | valid | meaning |
/// |---|---|---|---|
/// | `reg` | (given) | > 0, finite | the entropic regularisation ε |
/// | `tol` | 1e-9 | > 0 | stop when ‖r − a‖₁ + ‖c − b‖₁ ≤ tol × mass |
/// | `switch_error` | 0.1 | > 0 | leave Sinkhorn when its L1 error ≤ switch_error × mass |
/// | `max_sinkhorn` | 10 000 | ≥ 0 | Sinkhorn iterations of the warm start (per ε stage) |
/// | `max_newton` | 200 | ≥ 1 | Newton steps (all stages) |
/// | `hessian` | `Exact` | [`Hessian`] | the Newton matrix |
/// | `eps_scaling` | None | [`EpsScaling`] | solve a decreasing sequence of ε, each stage from the last one's potentials ([`EpsScaling::newton`] suits SNS) |
/// | `warm_start_iterations` | None | ≥ 0 | a fixed number of Sinkhorn iterations instead of `switch_error` (the paper's N₁) |
/// | `sweeps_per_step` | 0 | ≥ 0 | Sinkhorn iterations after each accepted Newton step (1 halves the Newton steps of dens1d W2 at ε = 1e-4) |
/// | `plan` | false | | also return the dense plan |
///
/// [`SnsParams::paper`] is the paper's setting: N₁ = 20 Sinkhorn iterations, then Newton with
/// the sparse Hessian at κ = 3 and no fallback to the exact one.
#[derive(Clone, Debug, PartialEq)]
pub struct SnsParams {
    /// The entropic regularisation ε.
    pub reg: f64,
    /// The L1 marginal error to reach, relative to the mass.
    pub tol: f64,
    /// The L1 error (relative to the mass) at which the Sinkhorn warm start hands over.
    pub switch_error: f64,
    /// Sinkhorn iterations of the warm start, at most.
    pub max_sinkhorn: usize,
    /// Newton steps, at most.
    pub max_newton: usize,
    /// The Newton matrix.
    pub hessian: Hessian,
    /// ε-scaling, if any.
    pub eps_scaling: Option<EpsScaling>,
    /// A fixed number of warm-start iterations (the paper's N₁), instead of `switch_error`.
    pub warm_start_iterations: Option<usize>,
    /// Sinkhorn iterations after every accepted Newton step (0: none).
    pub sweeps_per_step: usize,
    /// Return the dense plan.
    pub plan: bool,
}

impl SnsParams {
    /// The paper's setting at `reg`: 20 Sinkhorn iterations, then the sparse Hessian with
    /// 3(n + m) kept entries (κ = 3, about 6 per row: the OT spec's reading of the paper's
    /// density λ = 2/n) without the exact fallback. (The strictest reading, κ = 1.5, stalls
    /// near an L1 error of 1e-5 on the random assignment problem: each step then only removes
    /// a few per cent of the error.)
    pub fn paper(reg: f64) -> Self {
        Self {
            warm_start_iterations: Some(20),
            hessian: Hessian::Sparse {
                kappa: 3.0,
                adaptive: false,
            },
            ..Self::new(reg)
        }
    }

    /// Sets the Newton matrix.
    pub fn hessian(mut self, h: Hessian) -> Self {
        self.hessian = h;
        self
    }

    /// Sets the Sinkhorn iterations after every accepted Newton step.
    pub fn sweeps_per_step(mut self, n: usize) -> Self {
        self.sweeps_per_step = n;
        self
    }

    /// Sets a fixed number of warm-start Sinkhorn iterations.
    pub fn warm_start_iterations(mut self, n: usize) -> Self {
        self.warm_start_iterations = Some(n);
        self
    }

    /// The defaults at regularisation `reg` = ε.
    pub fn new(reg: f64) -> Self {
        Self {
            reg,
            tol: 1e-9,
            switch_error: 0.1,
            max_sinkhorn: 10_000,
            max_newton: 200,
            hessian: Hessian::Exact,
            eps_scaling: None,
            warm_start_iterations: None,
            sweeps_per_step: 0,
            plan: false,
        }
    }

    /// Sets the tolerance on the L1 marginal error (relative to the mass).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Sets the hand-over error of the warm start.
    pub fn switch_error(mut self, e: f64) -> Self {
        self.switch_error = e;
        self
    }

    /// Sets the cap of the warm start.
    pub fn max_sinkhorn(mut self, n: usize) -> Self {
        self.max_sinkhorn = n;
        self
    }

    /// Sets the cap of Newton steps.
    pub fn max_newton(mut self, n: usize) -> Self {
        self.max_newton = n;
        self
    }

    /// Turns ε-scaling on.
    pub fn eps_scaling(mut self, s: EpsScaling) -> Self {
        self.eps_scaling = Some(s);
        self
    }

    /// Asks for the dense plan.
    pub fn plan(mut self, yes: bool) -> Self {
        self.plan = yes;
        self
    }

    /// Checks the parameters (ε against the problem is checked by `solve`).
    pub fn build(self) -> Result<Sns> {
        for (name, v) in [
            ("reg", self.reg),
            ("tol", self.tol),
            ("switch_error", self.switch_error),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("must be finite and > 0, got {v}"),
                ));
            }
        }
        if self.max_newton == 0 {
            return Err(Error::invalid("max_newton", "must be ≥ 1"));
        }
        if let Some(s) = &self.eps_scaling {
            s.check()?;
        }
        if let Hessian::Sparse { kappa, .. } = self.hessian
            && !(kappa.is_finite() && kappa > 0.0)
        {
            return Err(Error::invalid(
                "hessian.kappa",
                format!("must be finite and > 0, got {kappa}"),
            ));
        }
        Ok(Sns { params: self })
    }
}

/// Sinkhorn–Newton–Sparse (see the module documentation).
#[derive(Clone, Debug)]
pub struct Sns {
    params: SnsParams,
}

/// The off-diagonal block of the Newton matrix.
#[derive(Clone, Copy)]
enum Plan<'a> {
    Dense(&'a [f64]),
    Sparse(&'a SparsePlan),
    /// Recomputed row by row from the cost at the potentials (f, g).
    OnTheFly {
        engine: &'a Engine<'a>,
        f: &'a [f64],
        g: &'a [f64],
    },
}

/// The Newton matrix M with the gauge pinned (the last target unknown fixed at 0): an
/// operator on n + m − 1 unknowns.
struct NewtonMatrix<'a> {
    p: Plan<'a>,
    r: &'a [f64],
    c: &'a [f64],
    n: usize,
    m: usize,
}

impl LinearOperator<f64> for NewtonMatrix<'_> {
    type Workspace = [Vec<f64>; 6];
    fn nrows(&self) -> usize {
        self.n + self.m - 1
    }
    fn ncols(&self) -> usize {
        self.n + self.m - 1
    }
    fn workspace(&self) -> Self::Workspace {
        std::array::from_fn(|_| vec![0.0; self.m])
    }
    fn apply_into(&self, x: &[f64], y: &mut [f64], ws: &mut Self::Workspace) -> Result<()> {
        let [v, out_v, crow, prow, tmp, zeros] = ws;
        let n = self.n;
        v[..self.m - 1].copy_from_slice(&x[n..]);
        v[self.m - 1] = 0.0;
        let (yu, yv) = y.split_at_mut(n);
        match self.p {
            Plan::Dense(p) => hessian_apply(p, self.r, self.c, &x[..n], v, yu, out_v),
            Plan::Sparse(s) => s.apply(self.r, self.c, &x[..n], v, yu, out_v),
            Plan::OnTheFly { engine, f, g } => {
                // row i of P from row i of C, then its share of the product
                let pr = engine.problem;
                for (o, (&cj, &vj)) in out_v.iter_mut().zip(self.c.iter().zip(v.iter())) {
                    *o = cj * vj;
                }
                let mut one = PlanSums {
                    rows: vec![0.0],
                    cols: vec![0.0; self.m],
                    transport: 0.0,
                };
                for i in 0..n {
                    pr.cost_row(i, crow);
                    plan_rows(crow, &f[i..=i], g, engine.inv_eps, prow, &mut one);
                    let (xi, yi) = (&x[i..=i], &mut yu[i..=i]);
                    // (zeros: the column-sum term is added once, above)
                    hessian_apply(prow, &self.r[i..=i], zeros, xi, v, yi, tmp);
                    for (o, t) in out_v.iter_mut().zip(tmp.iter()) {
                        *o += t;
                    }
                }
            }
        }
        yv.copy_from_slice(&out_v[..self.m - 1]);
        Ok(())
    }
}

/// The Hessian in use and the sparse selection's scratch.
struct Mode {
    hessian: Hessian,
    scratch: Vec<f64>,
    sparse_steps: usize,
    exact_steps: usize,
}

/// The current Newton iterate: potentials, plan, its sums and the dual value.
struct Iterate {
    f: Vec<f64>,
    g: Vec<f64>,
    p: Vec<f64>,
    r: Vec<f64>,
    c: Vec<f64>,
    dual: f64,
    err: f64,
}

/// Forms the plan at (f, g) into `p` and returns (row sums, column sums, D, err); D is −∞
/// when the plan overflows.
fn form(
    engine: &Engine<'_>,
    f: &[f64],
    g: &[f64],
    p: &mut [f64],
) -> (Vec<f64>, Vec<f64>, f64, f64) {
    let pr = engine.problem;
    // an empty `p`: the plan is not stored (a cost on the fly)
    let sums = engine.plan_sums(f, g, (!p.is_empty()).then_some(p));
    let total: f64 = sums.rows.iter().sum();
    let dual = dot(&pr.a, f) + dot(&pr.b, g) - engine.eps * total + engine.eps * pr.mass;
    let err = l1(&sums.rows, &pr.a) + l1(&sums.cols, &pr.b);
    let dual = if dual.is_finite() && err.is_finite() {
        dual
    } else {
        f64::NEG_INFINITY
    };
    (sums.rows, sums.cols, dual, err)
}

impl Sns {
    /// The parameters.
    pub fn params(&self) -> &SnsParams {
        &self.params
    }

    /// Solves from f = g = 0, silently.
    pub fn solve(&self, problem: &OtProblem) -> Result<OtSolution> {
        self.solve_observed(problem, None, &mut Silent)
    }

    /// Solves from `warm` (or zeros), reporting every Sinkhorn iteration and every Newton step
    /// to `observer` (stop value: the L1 marginal error).
    pub fn solve_observed(
        &self,
        problem: &OtProblem,
        warm: Option<&WarmStart>,
        observer: &mut dyn Observer,
    ) -> Result<OtSolution> {
        let clock = Clock::start();
        let prm = &self.params;
        check_reg(prm.reg, problem)?;
        let (n, m) = (problem.n, problem.m);
        let nm = memory::checked_mul("plan entries", n, m)?;
        let store = !problem.is_on_the_fly();
        let stored = if store { nm } else { 0 };
        memory::check_elements::<f64>("Newton plans", stored.saturating_mul(2))?;
        let (f0, g0) = start(problem, warm)?;
        let stages = match &prm.eps_scaling {
            Some(s) => s.stages(prm.reg, problem),
            None => vec![prm.reg],
        };
        let mut engine = Engine::new(problem, prm.reg, 1)?;
        let mass = problem.mass;
        let floor = 100.0 * (n + m) as f64 * f64::EPSILON * mass;
        let mut it = Iterate {
            f: f0,
            g: g0,
            p: vec![0.0; stored],
            r: Vec::new(),
            c: Vec::new(),
            dual: f64::NEG_INFINITY,
            err: f64::INFINITY,
        };
        let mut trial = vec![0.0; stored];
        let mut mode = Mode {
            // without a stored plan there is nothing to select from
            hessian: if store { prm.hessian } else { Hessian::Exact },
            scratch: Vec::new(),
            sparse_steps: 0,
            exact_steps: 0,
        };
        let (mut sinkhorn_its, mut newton_its, mut cg_its) = (0, 0, 0);
        let mut errors = Vec::new();
        let mut status = Status::MaxIterations;
        'stages: for (k, &eps) in stages.iter().enumerate() {
            engine.set_eps(eps);
            let last = k + 1 == stages.len();
            let tol = if last {
                prm.tol
            } else {
                prm.eps_scaling.map_or(prm.tol, |s| s.stage_tol)
            } * mass;
            // the Sinkhorn warm start, in every stage: the plan of the previous stage's
            // potentials at a smaller ε has rows of wildly different mass, which one Sinkhorn
            // sweep evens out and a Newton step on the exponential cannot
            {
                let (until, cap) = match prm.warm_start_iterations {
                    // a fixed count: no error can stop it early
                    Some(n1) if k == 0 => (0.0, n1),
                    _ => ((prm.switch_error * mass).max(tol), prm.max_sinkhorn),
                };
                let end = sweeps(
                    &engine,
                    &mut it.f,
                    &mut it.g,
                    until,
                    cap,
                    &mut sinkhorn_its,
                    observer,
                );
                if let SweepEnd::Stopped = end {
                    status = Status::StoppedByObserver;
                    break 'stages;
                }
            }
            (it.r, it.c, it.dual, it.err) = form(&engine, &it.f, &it.g, &mut it.p);
            let mut recent: Vec<f64> = Vec::new();
            loop {
                if it.err <= tol {
                    status = Status::Converged;
                    break;
                }
                if newton_its >= prm.max_newton {
                    status = Status::MaxIterations;
                    break 'stages;
                }
                // stagnation at the precision floor
                if recent.len() >= 5 && it.err < floor && it.err > 0.5 * recent[recent.len() - 5] {
                    status = Status::Stalled;
                    break 'stages;
                }
                let before = it.err;
                let accepted =
                    self.newton_step(&engine, &mut it, &mut trial, &mut mode, &mut cg_its)?;
                // in the Newton region (err ≤ 1e-2·mass) the adaptive sparse mode gives way to
                // the exact one after a step that did not halve the error
                if let Hessian::Sparse { adaptive: true, .. } = mode.hessian
                    && before <= 1e-2 * mass
                    && !(it.err <= 0.5 * before)
                {
                    mode.hessian = Hessian::Exact;
                }
                newton_its += 1;
                if accepted && prm.sweeps_per_step > 0 {
                    // Sinkhorn moves a potential by the whole log ratio where Newton, on an
                    // exponential, moves it by about ε per step
                    let end = sweeps(
                        &engine,
                        &mut it.f,
                        &mut it.g,
                        tol,
                        prm.sweeps_per_step,
                        &mut sinkhorn_its,
                        observer,
                    );
                    if let SweepEnd::Stopped = end {
                        status = Status::StoppedByObserver;
                        break 'stages;
                    }
                    (it.r, it.c, it.dual, it.err) = form(&engine, &it.f, &it.g, &mut it.p);
                }
                if !accepted {
                    // no step: a few Sinkhorn iterations, then Newton again
                    let end = sweeps(
                        &engine,
                        &mut it.f,
                        &mut it.g,
                        tol,
                        10,
                        &mut sinkhorn_its,
                        observer,
                    );
                    if let SweepEnd::Stopped = end {
                        status = Status::StoppedByObserver;
                        break 'stages;
                    }
                    (it.r, it.c, it.dual, it.err) = form(&engine, &it.f, &it.g, &mut it.p);
                }
                recent.push(it.err);
                errors.push(it.err);
                let info = IterInfo::new(sinkhorn_its + newton_its, -it.dual, it.err);
                if observer.observe(&info) == Control::Stop {
                    status = Status::StoppedByObserver;
                    break 'stages;
                }
            }
            if !last && status != Status::Converged {
                break;
            }
        }
        if !it.err.is_finite() {
            return Err(Error::breakdown("sns", "the plan overflowed"));
        }
        let ev = evaluate(&engine, &it.f, &it.g, prm.plan);
        if status == Status::Converged && ev.marginal_error > prm.tol * mass {
            status = Status::Stalled;
        }
        let info = clock.finish(sinkhorn_its + newton_its, status, ev.marginal_error);
        observer.finish(&info);
        let mut sol = solution(
            ev,
            engine.eps,
            sinkhorn_its,
            newton_its,
            cg_its,
            errors,
            info,
        );
        sol.sparse_newton_iterations = mode.sparse_steps;
        Ok(sol)
    }

    /// One Newton step on `it` (plan and sums current); returns whether a step was accepted.
    fn newton_step(
        &self,
        engine: &Engine<'_>,
        it: &mut Iterate,
        trial: &mut Vec<f64>,
        mode: &mut Mode,
        cg_its: &mut usize,
    ) -> Result<bool> {
        let pr = engine.problem;
        let (n, m, eps, mass) = (pr.n, pr.m, engine.eps, pr.mass);
        let grad_f: Vec<f64> = pr.a.iter().zip(&it.r).map(|(a, r)| a - r).collect();
        let grad_g: Vec<f64> = pr.b.iter().zip(&it.c).map(|(b, c)| b - c).collect();
        let mut rhs = Vec::with_capacity(n + m - 1);
        rhs.extend(grad_f.iter().map(|v| eps * v));
        rhs.extend(grad_g[..m - 1].iter().map(|v| eps * v));
        let mut diag = Vec::with_capacity(n + m - 1);
        diag.extend_from_slice(&it.r);
        diag.extend_from_slice(&it.c[..m - 1]);
        let Ok(jacobi) = JacobiPreconditioner::new(&diag) else {
            return Ok(false); // a row or column of the plan underflowed to 0
        };
        let sparse = match mode.hessian {
            Hessian::Exact => None,
            Hessian::Sparse { kappa, adaptive } => {
                let k = (kappa * (n + m) as f64).ceil() as usize;
                let s = SparsePlan::select(&it.p, n, m, k, &mut mode.scratch);
                if adaptive && s.kept_fraction < 1.0 - 1e-3 {
                    mode.hessian = Hessian::Exact;
                    None
                } else {
                    Some(s)
                }
            }
        };
        let plan = match &sparse {
            Some(s) => {
                mode.sparse_steps += 1;
                Plan::Sparse(s)
            }
            None => {
                mode.exact_steps += 1;
                if it.p.is_empty() {
                    Plan::OnTheFly {
                        engine,
                        f: &it.f,
                        g: &it.g,
                    }
                } else {
                    Plan::Dense(&it.p)
                }
            }
        };
        let op = NewtonMatrix {
            p: plan,
            r: &it.r,
            c: &it.c,
            n,
            m,
        };
        let cg = CgParams::default()
            .rel_tol(it.err.sqrt().min(0.1))
            .max_iter(2 * (n + m))
            .build()?
            .solve(&op, &DVector::from_vec(rhs), None, Some(&jacobi))?;
        *cg_its += cg.info.iterations;
        let d = cg.x.as_slice();
        if d.iter().any(|v| !v.is_finite()) {
            return Ok(false);
        }
        let (df, dg_head) = d.split_at(n);
        let slope = dot(&grad_f, df) + dot(&grad_g[..m - 1], dg_head);
        if !(slope > 0.0) {
            return Ok(false);
        }
        let near = it.err <= 1e-6 * mass;
        let mut alpha = 1.0;
        let mut tf = vec![0.0; n];
        let mut tg = vec![0.0; m];
        for _ in 0..30 {
            for i in 0..n {
                tf[i] = it.f[i] + alpha * df[i];
            }
            for j in 0..m - 1 {
                tg[j] = it.g[j] + alpha * dg_head[j];
            }
            tg[m - 1] = it.g[m - 1];
            let (r, c, dual, err) = form(engine, &tf, &tg, trial);
            let ok = if near {
                err < it.err
            } else {
                dual.is_finite() && dual >= it.dual + 1e-4 * alpha * slope
            };
            if ok {
                std::mem::swap(&mut it.p, trial);
                it.f.copy_from_slice(&tf);
                it.g.copy_from_slice(&tg);
                (it.r, it.c, it.dual, it.err) = (r, c, dual, err);
                return Ok(true);
            }
            alpha *= 0.5;
        }
        Ok(false)
    }
}
