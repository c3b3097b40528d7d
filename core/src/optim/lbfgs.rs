//! L-BFGS through argmin, driven by parsimony's own loop.
//!
//! Limited-memory BFGS keeps the last m pairs (sₖ, yₖ) = (xₖ₊₁ − xₖ, ∇fₖ₊₁ − ∇fₖ) and applies
//! the inverse-Hessian approximation by the two-loop recursion in O(m n) per iteration; steps
//! are chosen by argmin's Moré–Thuente line search (strong Wolfe conditions). argmin's
//! `LBFGS` computes each iteration (`Solver::next_iter`); the loop here owns the iteration
//! cap and the observer, so parsimony's [`Observer`]s work unchanged. Parameters are plain
//! `Vec<f64>` (argmin-math has no nalgebra 0.35 backend).

use super::{Objective, OptimSolution};
use crate::error::{check_at_least_one, check_len, check_non_negative};
use crate::linalg::check_finite;
use crate::solve::{Clock, Control, IterInfo, Observer, Silent, Status};
use crate::{Error, Result};
use argmin::core::{
    CostFunction, Gradient, IterState, Problem, Solver, State, TerminationReason, TerminationStatus,
};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use nalgebra::DVector;
use std::cell::{Cell, RefCell};

/// Parameters of L-BFGS ([`Lbfgs`]): pub fields or setters, checked by [`LbfgsParams::build`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `memory` m | 10 | ≥ 1 |
/// | `max_iter` | 1 000 | ≥ 1 |
/// | `grad_tol` | 1e-8 | ≥ 0: converged when ‖∇f‖₂ < grad_tol |
/// | `cost_tol` | 0 (off) | ≥ 0: converged when \|fₖ − fₖ₋₁\| < cost_tol |
#[derive(Clone, Debug)]
pub struct LbfgsParams {
    /// History length m.
    pub memory: usize,
    /// Iteration cap.
    pub max_iter: usize,
    /// Gradient-norm tolerance.
    pub grad_tol: f64,
    /// Cost-change tolerance (0 disables it).
    pub cost_tol: f64,
}

impl Default for LbfgsParams {
    fn default() -> Self {
        Self {
            memory: 10,
            max_iter: 1000,
            grad_tol: 1e-8,
            cost_tol: 0.0,
        }
    }
}

impl LbfgsParams {
    /// History length m.
    pub fn memory(mut self, m: usize) -> Self {
        self.memory = m;
        self
    }
    /// Iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Gradient-norm tolerance.
    pub fn grad_tol(mut self, tol: f64) -> Self {
        self.grad_tol = tol;
        self
    }
    /// Cost-change tolerance (0 disables it).
    pub fn cost_tol(mut self, tol: f64) -> Self {
        self.cost_tol = tol;
        self
    }
    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Lbfgs> {
        self.validate()?;
        Ok(Lbfgs { params: self })
    }

    fn validate(&self) -> Result<()> {
        check_at_least_one("memory", self.memory)?;
        check_at_least_one("max_iter", self.max_iter)?;
        check_non_negative("grad_tol", self.grad_tol)?;
        check_non_negative("cost_tol", self.cost_tol)
    }
}

/// Adapts a parsimony [`Objective`] to argmin's problem traits (which evaluate through `&self`;
/// the one `RefCell` of the optimisers lives here, not in every objective).
///
/// A non-finite cost or gradient is returned to argmin as an error (and remembered), so its
/// Moré–Thuente line search, which does not terminate on NaN, never sees one.
struct ArgminObjective<'a, F: ?Sized> {
    f: RefCell<&'a mut F>,
    non_finite: Cell<bool>,
}

impl<'a, F: Objective + ?Sized> ArgminObjective<'a, F> {
    fn new(f: &'a mut F) -> Self {
        Self {
            f: RefCell::new(f),
            non_finite: Cell::new(false),
        }
    }

    fn refuse(&self, what: &str) -> argmin::core::Error {
        self.non_finite.set(true);
        argmin::core::Error::msg(format!("non-finite {what}"))
    }
}

impl<F: Objective + ?Sized> CostFunction for ArgminObjective<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let c = self.f.borrow_mut().cost(x);
        if c.is_finite() {
            Ok(c)
        } else {
            Err(self.refuse("cost"))
        }
    }
}

impl<F: Objective + ?Sized> Gradient for ArgminObjective<'_, F> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        let mut g = vec![0.0; x.len()];
        self.f.borrow_mut().gradient(x, &mut g);
        if g.iter().all(|v| v.is_finite()) {
            Ok(g)
        } else {
            Err(self.refuse("gradient"))
        }
    }
}

fn argmin_err(e: argmin::core::Error) -> Error {
    Error::breakdown("L-BFGS", e)
}

/// L-BFGS, made by [`LbfgsParams::build`].
///
/// `info.stop_value` is ‖∇f‖₂ at the returned x (the best iterate). The status is
/// [`Status::Converged`] when argmin's tolerance test was met — ‖∇f‖₂ < `grad_tol`, or, when
/// `cost_tol` > 0, a cost change below it (then `stop_value` may exceed `grad_tol`) — also when
/// the observer asked to stop at that iteration; [`Status::MaxIterations`] at the cap;
/// [`Status::NonFinite`] on a non-finite cost; [`Status::Stalled`] when the Moré–Thuente line
/// search finds no admissible step (argmin's error) or argmin stops for another reason;
/// [`Status::StoppedByObserver`]. In every case the best finite iterate is returned.
#[derive(Clone, Debug)]
pub struct Lbfgs {
    params: LbfgsParams,
}

impl Lbfgs {
    /// The parameters it was built with.
    pub fn params(&self) -> &LbfgsParams {
        &self.params
    }

    /// Minimises `f` from `x0` with L-BFGS (argmin's solver, Moré–Thuente line search).
    pub fn solve<F: Objective + ?Sized>(
        &self,
        f: &mut F,
        x0: &DVector<f64>,
    ) -> Result<OptimSolution> {
        self.solve_observed(f, x0, &mut Silent)
    }

    /// As [`Lbfgs::solve`], reporting every iteration (cost, ‖∇f‖₂) to `observer`, which may
    /// stop the run.
    pub fn solve_observed<F: Objective + ?Sized>(
        &self,
        f: &mut F,
        x0: &DVector<f64>,
        observer: &mut dyn Observer,
    ) -> Result<OptimSolution> {
        let clock = Clock::start();
        let params = &self.params;
        check_len("length of x0 (objective dimension)", f.dim(), x0.len())?;
        check_finite("x0", x0.as_slice())?;

        let mut problem = Problem::new(ArgminObjective::new(&mut *f));
        let linesearch = MoreThuenteLineSearch::new();
        let mut solver: LBFGS<_, Vec<f64>, Vec<f64>, f64> = LBFGS::new(linesearch, params.memory)
            .with_tolerance_grad(params.grad_tol)
            .map_err(argmin_err)?
            .with_tolerance_cost(params.cost_tol)
            .map_err(argmin_err)?;
        let state: IterState<Vec<f64>, Vec<f64>, (), (), (), f64> = IterState::new()
            .param(x0.as_slice().to_vec())
            .max_iters(params.max_iter as u64);

        type St = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;
        let (mut state, _) = match solver.init(&mut problem, state) {
            Ok(r) => r,
            Err(e) => {
                let at_x0 = problem.problem.as_ref().is_some_and(|p| p.non_finite.get());
                return Err(if at_x0 {
                    Error::non_finite("the cost or gradient at x0")
                } else {
                    argmin_err(e)
                });
            }
        };
        state.update();
        let mut history = Vec::new();
        // the best iterate and the iteration count, kept outside argmin's state (which a
        // failing step consumes); `clone_from` reuses the buffer, so nothing is allocated
        let mut best = x0.as_slice().to_vec();
        let mut iterations = 0;
        let converged_now = |solver: &mut LBFGS<_, Vec<f64>, Vec<f64>, f64>, state: &St| {
            matches!(
                <_ as Solver<ArgminObjective<'_, F>, St>>::terminate_internal(solver, state),
                TerminationStatus::Terminated(
                    TerminationReason::SolverConverged | TerminationReason::TargetCostReached
                )
            )
        };
        let status = loop {
            if !state.terminated()
                && let TerminationStatus::Terminated(reason) =
                    <_ as Solver<ArgminObjective<'_, F>, St>>::terminate_internal(
                        &mut solver,
                        &state,
                    )
            {
                state = state.terminate_with(reason);
            }
            if state.terminated() {
                break match state.get_termination_reason() {
                    Some(
                        TerminationReason::SolverConverged | TerminationReason::TargetCostReached,
                    ) => Status::Converged,
                    Some(TerminationReason::MaxItersReached) => Status::MaxIterations,
                    _ => Status::Stalled,
                };
            }
            if let Some(p) = state.get_best_param().or_else(|| state.get_param()) {
                best.clone_from(p);
            }
            // argmin reports a line search that finds no admissible step as an error: for the
            // caller it is a stall (or a non-finite value the adapter refused), with the best
            // iterate so far as the answer
            let Ok((next, _)) = solver.next_iter(&mut problem, state) else {
                let nan = problem.problem.as_ref().is_some_and(|p| p.non_finite.get());
                break if nan {
                    Status::NonFinite
                } else {
                    Status::Stalled
                };
            };
            state = next;
            state.update();
            state.increment_iter();
            iterations = state.get_iter() as usize;
            if let Some(p) = state.get_best_param() {
                best.clone_from(p);
            }
            let cost = state.get_cost();
            let grad_norm = state
                .get_gradient()
                .map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt())
                .unwrap_or(f64::NAN);
            if !cost.is_finite() {
                break Status::NonFinite;
            }
            history.push(cost);
            let info = IterInfo::new(iterations, cost, grad_norm);
            if observer.observe(&info) == Control::Stop {
                // the tolerance wins over the observer's stop
                break if converged_now(&mut solver, &state) {
                    Status::Converged
                } else {
                    Status::StoppedByObserver
                };
            }
        };
        drop(problem);

        let x = best;
        let mut grad = vec![0.0; x.len()];
        let cost = f.cost_and_gradient(&x, &mut grad);
        let grad_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
        let info = clock.finish(iterations, status, grad_norm);
        observer.finish(&info);
        Ok(OptimSolution {
            cost,
            x: DVector::from_vec(x),
            grad_norm,
            cost_history: history,
            info,
        })
    }
}
