//! Orthogonal matching pursuit.
//!
//! Repeatedly add the column most correlated with the residual (|aⱼᴴr|/‖aⱼ‖) and refit by
//! least squares, until the stop value ‖r‖ ≤ `residual_threshold` (the paper: σ√M) or
//! `max_atoms` columns.

use crate::regression::Regression;
use nalgebra::DVector;
use parsimony_core::error::{check_at_least_one, check_non_negative};
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
        check_non_negative("residual_threshold", self.residual_threshold)?;
        check_at_least_one("max_atoms", self.max_atoms)?;
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

    /// Runs OMP, showing `observer` each step (cost = ‖r‖², stop value = ‖r‖ after the step).
    /// After the step: ‖r‖ ≤ `residual_threshold` ends the run [`Status::Converged`] (even if
    /// the observer asked to stop), else [`Control::Stop`] ends it
    /// [`Status::StoppedByObserver`], else `max_atoms` columns end it
    /// [`Status::MaxIterations`]. A column that makes the selection rank deficient ends it
    /// [`Status::Stalled`] (without that column); any other least-squares error is returned.
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
        let mut r_norm = r.norm();
        // step 0: y itself may already meet the threshold
        let status = if r_norm <= threshold {
            Status::Converged
        } else if max_atoms == 0 {
            Status::MaxIterations
        } else {
            loop {
                let c = a.ad_mul(&r);
                let best = (0..n)
                    .filter(|j| !support.contains(j) && norms2[*j] > 0.0)
                    .max_by(|&i, &j| {
                        let (ci, cj) = (c[i].modulus2() / norms2[i], c[j].modulus2() / norms2[j]);
                        ci.partial_cmp(&cj).unwrap_or(std::cmp::Ordering::Equal)
                    });
                let Some(j) = best else {
                    break Status::Stalled;
                };
                support.push(j);
                let xs = match least_squares(&a.select_columns(support.iter()), y) {
                    Ok(v) => v,
                    // the new column is (numerically) in the span of the chosen ones
                    Err(e) if is_rank_deficient(&e) => {
                        support.pop();
                        break Status::Stalled;
                    }
                    Err(e) => return Err(e),
                };
                x.fill(T::default());
                for (&k, &v) in support.iter().zip(xs.iter()) {
                    x[k] = v;
                }
                r = y - a * &x;
                let r2 = r.norm_squared();
                r_norm = r2.sqrt();
                let control = observer.observe(&IterInfo::new(support.len(), r2, r_norm));
                // core's stop rule: the threshold wins over the observer, the observer over
                // the cap
                if r_norm <= threshold {
                    break Status::Converged;
                }
                if control == Control::Stop {
                    break Status::StoppedByObserver;
                }
                if support.len() >= max_atoms {
                    break Status::MaxIterations;
                }
            }
        };
        let info = clock.finish(support.len(), status, r_norm);
        observer.finish(&info);
        Ok(OmpSolution { x, support, info })
    }
}

/// Whether `least_squares` failed because the matrix is numerically rank deficient (core
/// reports it as an invalid `a` whose reason says so; every other error is propagated).
fn is_rank_deficient(e: &Error) -> bool {
    matches!(e, Error::InvalidParameter { name, reason }
        if name == "a" && reason.contains("rank deficient"))
}
