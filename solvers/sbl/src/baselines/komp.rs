//! Kronecker OMP (Caiafa & Cichocki 2013; the paper's `KroOMP.m`).

use super::oracle::kron_oracle_least_squares;
use crate::kron::KronProblem;
use nalgebra::DVector;
use parsimony_core::Result;
use parsimony_core::error::{check_at_least_one, check_non_negative};
use parsimony_core::linalg::{
    KroneckerOperator, ModeWorkspace, Scalar, Transform, multimode_product,
};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};

/// Parameters of [`komp`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `max_per_mode` | 10 | ≥ 1 indices per factor |
/// | `rel_tol` | 1e-2 | ≥ 0: stop when ‖r‖/‖y‖ (the stop value) ≤ rel_tol |
#[derive(Clone, Debug)]
pub struct KompParams {
    /// Cap on the support size of every factor.
    pub max_per_mode: usize,
    /// Relative residual tolerance.
    pub rel_tol: f64,
}

impl Default for KompParams {
    fn default() -> Self {
        Self {
            max_per_mode: 10,
            rel_tol: 1e-2,
        }
    }
}

impl KompParams {
    /// Cap on every factor's support size.
    pub fn max_per_mode(mut self, n: usize) -> Self {
        self.max_per_mode = n;
        self
    }
    /// Relative residual tolerance.
    pub fn rel_tol(mut self, tol: f64) -> Self {
        self.rel_tol = tol;
        self
    }
    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Komp> {
        check_at_least_one("max_per_mode", self.max_per_mode)?;
        check_non_negative("rel_tol", self.rel_tol)?;
        Ok(Komp { params: self })
    }
}

/// Kronecker OMP; build it with [`KompParams::build`].
#[derive(Clone, Debug)]
pub struct Komp {
    params: KompParams,
}

/// The result of [`Komp::solve`].
#[derive(Clone, Debug)]
pub struct KompSolution<T: Scalar> {
    /// The estimate (length N).
    pub x: DVector<T>,
    /// Per-factor supports (sorted).
    pub supports: Vec<Vec<usize>>,
    /// Greedy steps taken; `stop_value` = ‖y − H x‖/‖y‖ at the end; `Converged` at
    /// `rel_tol`, `MaxIterations` when every mode is full, `Stalled` when no set changed.
    pub info: SolveInfo,
}

/// Kronecker OMP with `params`: the thin preset `params.build()?.solve(problem)`.
pub fn komp<T: Scalar>(problem: &KronProblem<T>, params: &KompParams) -> Result<KompSolution<T>> {
    params.clone().build()?.solve(problem)
}

impl Komp {
    /// Kronecker OMP: correlate the residual with every Kronecker atom (Hᴴ r by mode products,
    /// normalised by the atom norms ∏‖hᵢ,ⱼᵢ‖), add each mode's index of the best multi-index to
    /// that mode's set (if new and below the cap), and refit on S₁ × … × S_I by mode-wise
    /// pseudo-inverses. Stops when every mode is full, when no set changes, or at `rel_tol`.
    pub fn solve<T: Scalar>(&self, problem: &KronProblem<T>) -> Result<KompSolution<T>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// [`Komp::solve`], showing `observer` each greedy step (cost = ‖r‖², stop value =
    /// ‖r‖/‖y‖ after the step). After the step: ‖r‖/‖y‖ ≤ `rel_tol` ends the run
    /// [`Status::Converged`] (even if the observer asked to stop), else [`Control::Stop`] ends
    /// it [`Status::StoppedByObserver`], else every mode full ends it
    /// [`Status::MaxIterations`].
    pub fn solve_observed<T: Scalar>(
        &self,
        problem: &KronProblem<T>,
        observer: &mut dyn Observer,
    ) -> Result<KompSolution<T>> {
        let params = &self.params;
        let clock = Clock::start();
        let factors = problem.factors();
        let y = problem.y();
        let m = problem.m();
        let n = problem.n();
        let big_n: usize = n.iter().product();
        let inv_norms: Vec<Vec<f64>> = factors
            .iter()
            .map(|h| {
                h.column_iter()
                    .map(|c| 1.0 / c.norm().max(f64::MIN_POSITIVE))
                    .collect()
            })
            .collect();
        let y_norm = y.norm().max(f64::MIN_POSITIVE);
        let mut supports: Vec<Vec<usize>> = vec![Vec::new(); factors.len()];
        let mut x = DVector::from_element(big_n, T::default());
        let mut r = y.clone();
        let mut corr = vec![T::default(); big_n];
        let mut ws = ModeWorkspace::new();
        let mut iterations = 0;
        let mut rel = r.norm() / y_norm;
        let mut idx = vec![0usize; n.len()];
        let h = KroneckerOperator::new(factors.to_vec())?;
        // step 0: y itself may already meet the tolerance (y = 0)
        let status = if rel <= params.rel_tol {
            Status::Converged
        } else {
            loop {
                multimode_product(
                    r.as_slice(),
                    &m,
                    factors,
                    Transform::Adjoint,
                    &mut corr,
                    &mut ws,
                )?;
                // best multi-index by |⟨atom, r⟩| / ‖atom‖
                let mut best = (0usize, -1.0f64);
                idx.fill(0);
                for (j, c) in corr.iter().enumerate() {
                    let w: f64 = idx.iter().zip(&inv_norms).map(|(&k, v)| v[k]).product();
                    let score = c.modulus2() * w * w;
                    if score > best.1 {
                        best = (j, score);
                    }
                    for i in (0..n.len()).rev() {
                        idx[i] += 1;
                        if idx[i] < n[i] {
                            break;
                        }
                        idx[i] = 0;
                    }
                }
                let mut rest = best.0;
                let mut changed = false;
                for i in (0..n.len()).rev() {
                    let k = rest % n[i];
                    rest /= n[i];
                    if supports[i].len() < params.max_per_mode && !supports[i].contains(&k) {
                        supports[i].push(k);
                        supports[i].sort_unstable();
                        changed = true;
                    }
                }
                if !changed || supports.iter().any(|s| s.is_empty()) {
                    break Status::Stalled;
                }
                iterations += 1;
                x = kron_oracle_least_squares(factors, y, &supports)?;
                r = y - h.apply(&x)?;
                let r2 = r.norm_squared();
                rel = r2.sqrt() / y_norm;
                let control = observer.observe(&IterInfo::new(iterations, r2, rel));
                // core's stop rule: the tolerance wins over the observer, the observer over the cap
                if rel <= params.rel_tol {
                    break Status::Converged;
                }
                if control == Control::Stop {
                    break Status::StoppedByObserver;
                }
                if supports.iter().all(|s| s.len() >= params.max_per_mode) {
                    break Status::MaxIterations;
                }
            }
        };
        let info = clock.finish(iterations, status, rel);
        observer.finish(&info);
        Ok(KompSolution { x, supports, info })
    }
}
