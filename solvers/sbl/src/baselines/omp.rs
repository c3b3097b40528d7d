//! Orthogonal matching pursuit.
//!
//! Repeatedly add the column most correlated with the residual (|aⱼᴴr|/‖aⱼ‖) and refit by
//! least squares, until the stop value ‖r‖ ≤ `residual_threshold` (the paper: σ√M) or
//! `max_atoms` columns.

use crate::regression::Regression;
use nalgebra::DVector;
use parsimony_core::linalg::{Scalar, least_squares};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

/// Parameters of [`Omp`].
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `residual_threshold` | 0 | ≥ 0 | stop when ‖y − Ax‖ ≤ this |
/// | `max_atoms` | `usize::MAX` (⇒ min(M, N)) | ≥ 1 | cap on the selected columns |
#[derive(Clone, Debug)]
pub struct OmpParams {
    /// Stop when ‖y − Ax‖₂ ≤ this.
    pub residual_threshold: f64,
    /// Cap on the number of selected columns (at most min(M, N) are used).
    pub max_atoms: usize,
}

impl Default for OmpParams {
    fn default() -> Self {
        Self {
            residual_threshold: 0.0,
            max_atoms: usize::MAX,
        }
    }
}

impl OmpParams {
    /// The residual norm to stop at.
    pub fn residual_threshold(mut self, t: f64) -> Self {
        self.residual_threshold = t;
        self
    }
    /// Cap on the selected columns.
    pub fn max_atoms(mut self, k: usize) -> Self {
        self.max_atoms = k;
        self
    }
    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Omp> {
        if !(self.residual_threshold.is_finite() && self.residual_threshold >= 0.0) {
            return Err(Error::invalid(
                "residual_threshold",
                "must be finite and ≥ 0",
            ));
        }
        if self.max_atoms == 0 {
            return Err(Error::invalid("max_atoms", "must be at least 1"));
        }
        Ok(Omp { params: self })
    }
}

/// Orthogonal matching pursuit; build it with [`OmpParams::build`].
#[derive(Clone, Debug)]
pub struct Omp {
    params: OmpParams,
}

/// The result of [`Omp::solve`].
#[derive(Clone, Debug)]
pub struct OmpSolution<T: Scalar> {
    /// The estimate (length N).
    pub x: DVector<T>,
    /// Selected columns in selection order.
    pub support: Vec<usize>,
    /// Greedy steps; `stop_value` = ‖y − A x‖₂ at the end; `Converged` when it reached the
    /// threshold, `MaxIterations` at `max_atoms`, `Stalled` when no column could be added.
    pub info: SolveInfo,
}

impl Omp {
    /// Runs OMP silently.
    pub fn solve<T: Scalar>(&self, problem: &Regression<'_, T>) -> Result<OmpSolution<T>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Runs OMP, showing `observer` each step (cost = ‖r‖², stop value = ‖r‖).
    pub fn solve_observed<T: Scalar>(
        &self,
        problem: &Regression<'_, T>,
        observer: &mut dyn Observer,
    ) -> Result<OmpSolution<T>> {
        problem.check_finite()?;
        let clock = Clock::start();
        let (a, y) = (problem.a(), problem.y());
        let threshold = self.params.residual_threshold;
        let (m, n) = a.shape();
        let max_atoms = self.params.max_atoms.min(m).min(n);
        // the score |aⱼᴴr|/‖aⱼ‖, compared squared: |aⱼᴴr|²/‖aⱼ‖²
        let norms2: Vec<f64> = a.column_iter().map(|c| c.norm_squared()).collect();
        let mut support = Vec::new();
        let mut x = DVector::from_element(n, T::default());
        let mut r = y.clone();
        let mut status = Status::MaxIterations;
        loop {
            if r.norm() <= threshold {
                status = Status::Converged;
                break;
            }
            if support.len() >= max_atoms {
                break;
            }
            let c = a.ad_mul(&r);
            let best = (0..n)
                .filter(|j| !support.contains(j) && norms2[*j] > 0.0)
                .max_by(|&i, &j| {
                    let (ci, cj) = (c[i].modulus2() / norms2[i], c[j].modulus2() / norms2[j]);
                    ci.partial_cmp(&cj).unwrap_or(std::cmp::Ordering::Equal)
                });
            let Some(j) = best else {
                status = Status::Stalled;
                break;
            };
            support.push(j);
            let xs = match least_squares(&a.select_columns(support.iter()), y) {
                Ok(v) => v,
                Err(_) => {
                    support.pop();
                    status = Status::Stalled;
                    break;
                }
            };
            x.fill(T::default());
            for (&k, &v) in support.iter().zip(xs.iter()) {
                x[k] = v;
            }
            r = y - a * &x;
            let info = IterInfo::new(support.len(), r.norm_squared(), r.norm());
            if observer.observe(&info) == Control::Stop {
                status = if r.norm() <= threshold {
                    Status::Converged
                } else {
                    Status::StoppedByObserver
                };
                break;
            }
        }
        let info = clock.finish(support.len(), status, r.norm());
        observer.finish(&info);
        Ok(OmpSolution { x, support, info })
    }
}
