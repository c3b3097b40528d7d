//! Non-negative least squares, min ‖A x − b‖₂ subject to x ≥ 0 (Lawson & Hanson 1974, the
//! active-set algorithm of MATLAB's `lsqnonneg`).
//!
//! The passive set P holds the free variables. Each outer step moves the variable with the
//! largest gradient component wⱼ = [Aᵀ(b − Ax)]ⱼ > 0 into P, solves the unconstrained least
//! squares on P, and, while that solution has non-positive entries, steps back along the
//! segment to the first one to hit zero and releases it. Each inner solve is a small dense
//! least squares (QR); the algorithm terminates in finitely many steps for full-rank A. The
//! stop value is the largest gradient component off the passive set (dual infeasibility).

use crate::regression::Regression;
use nalgebra::{DMatrix, DVector};
use parsimony_core::error::{check_at_least_one, check_non_negative};
use parsimony_core::linalg::least_squares;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

/// Parameters of [`Nnls`].
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `tol` | 0 (⇒ 10·ε·‖A‖₁·max(m, n)) | ≥ 0 | dual feasibility: stop when every wⱼ ≤ tol off the passive set |
/// | `max_outer` | None (⇒ 3n + 10) | ≥ 1 | cap on the outer steps (variables moved into P) |
#[derive(Clone, Debug, Default)]
pub struct NnlsParams {
    /// Dual-feasibility tolerance (0 chooses 10·ε·‖A‖₁·max(m, n)).
    pub tol: f64,
    /// Outer-step cap (None: 3n + 10).
    pub max_outer: Option<usize>,
}

impl NnlsParams {
    /// Dual-feasibility tolerance.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Outer-step cap.
    pub fn max_outer(mut self, n: usize) -> Self {
        self.max_outer = Some(n);
        self
    }
    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Nnls> {
        check_non_negative("tol", self.tol)?;
        if let Some(n) = self.max_outer {
            check_at_least_one("max_outer", n)?;
        }
        Ok(Nnls { params: self })
    }
}

/// Non-negative least squares (Lawson–Hanson); build it with [`NnlsParams::build`].
#[derive(Clone, Debug)]
pub struct Nnls {
    params: NnlsParams,
}

/// The result of [`Nnls::solve`].
#[derive(Clone, Debug)]
pub struct NnlsSolution {
    /// The minimiser x ≥ 0.
    pub x: DVector<f64>,
    /// Outer steps; `stop_value` is the largest gradient component wⱼ = [Aᵀ(b − Ax)]ⱼ off the
    /// passive set at the end (≤ tol when converged).
    pub info: SolveInfo,
}

impl Nnls {
    /// Solves min ‖A x − b‖₂ s.t. x ≥ 0 for the problem (A, b).
    pub fn solve(&self, problem: &Regression<'_, f64>) -> Result<NnlsSolution> {
        self.solve_observed(problem, &mut Silent)
    }

    /// [`Nnls::solve`], showing `observer` every outer step (cost = ‖b − Ax‖², stop value =
    /// the largest gradient component off the passive set after the step). After the step:
    /// no component above `tol` ends the run [`Status::Converged`] (even if the observer asked
    /// to stop), else [`Control::Stop`] ends it [`Status::StoppedByObserver`], else the
    /// outer-step cap ends it [`Status::MaxIterations`].
    pub fn solve_observed(
        &self,
        problem: &Regression<'_, f64>,
        observer: &mut dyn Observer,
    ) -> Result<NnlsSolution> {
        problem.check_finite()?;
        let clock = Clock::start();
        let (a, b) = (problem.a(), problem.y());
        let (m, n) = a.shape();
        let tol = if self.params.tol > 0.0 {
            self.params.tol
        } else {
            10.0 * f64::EPSILON
                * a.column_iter().map(|c| c.abs().sum()).fold(0.0, f64::max)
                * n.max(m) as f64
        };
        let mut x = DVector::zeros(n);
        let mut passive = vec![false; n];
        let max_outer = self.params.max_outer.unwrap_or(3 * n + 10);
        // the gradient w = Aᵀ(b − Ax) at the current x: the candidate to move into P (the
        // largest wⱼ > tol off P) and the stop value (the largest wⱼ off P, or 0)
        let gradient = |x: &DVector<f64>, passive: &[bool]| {
            let resid = b - a * x;
            let w = a.transpose() * &resid;
            let cand = (0..n)
                .filter(|&j| !passive[j] && w[j] > tol)
                .max_by(|&i, &j| w[i].partial_cmp(&w[j]).unwrap_or(std::cmp::Ordering::Equal));
            let stop_value = (0..n)
                .filter(|&j| !passive[j])
                .map(|j| w[j])
                .fold(0.0f64, f64::max);
            (cand, stop_value, resid.norm_squared())
        };
        let (mut cand, mut stop_value, _) = gradient(&x, &passive);
        let mut iterations = 0;
        let status = loop {
            // after a step the loop goes on only with a candidate and below the cap
            // (max_outer ≥ 1): this test is the one at x = 0
            let Some(j) = cand else {
                break Status::Converged;
            };
            iterations += 1;
            passive[j] = true;
            loop {
                let p: Vec<usize> = (0..n).filter(|&k| passive[k]).collect();
                let z_p = solve_on(a, b, &p)?;
                if z_p.iter().all(|&v| v > 0.0) {
                    for (k, &jj) in p.iter().enumerate() {
                        x[jj] = z_p[k];
                    }
                    for k in 0..n {
                        if !passive[k] {
                            x[k] = 0.0;
                        }
                    }
                    break;
                }
                // step from x towards z until the first passive variable hits zero
                let mut alpha = f64::INFINITY;
                for (k, &jj) in p.iter().enumerate() {
                    if z_p[k] <= 0.0 {
                        let d = x[jj] - z_p[k];
                        if d > 0.0 {
                            alpha = alpha.min(x[jj] / d);
                        }
                    }
                }
                if !alpha.is_finite() {
                    alpha = 0.0;
                }
                for (k, &jj) in p.iter().enumerate() {
                    x[jj] += alpha * (z_p[k] - x[jj]);
                }
                for &jj in &p {
                    if x[jj] <= tol {
                        passive[jj] = false;
                        x[jj] = 0.0;
                    }
                }
                if passive.iter().all(|p| !p) {
                    break;
                }
            }
            // the stop value after this step, then core's stop rule: dual feasibility wins
            // over the observer, the observer over the cap
            let cost;
            (cand, stop_value, cost) = gradient(&x, &passive);
            let control = observer.observe(&IterInfo::new(iterations, cost, stop_value));
            if cand.is_none() {
                break Status::Converged;
            }
            if control == Control::Stop {
                break Status::StoppedByObserver;
            }
            if iterations == max_outer {
                break Status::MaxIterations;
            }
        };
        let info = clock.finish(iterations, status, stop_value);
        observer.finish(&info);
        Ok(NnlsSolution { x, info })
    }
}

/// Unconstrained least squares on the columns `p` (minimum-norm via QR when tall, else SVD).
fn solve_on(a: &DMatrix<f64>, b: &DVector<f64>, p: &[usize]) -> Result<DVector<f64>> {
    let ap = a.select_columns(p.iter());
    match least_squares(&ap, b) {
        Ok(z) => Ok(z),
        Err(_) => {
            let svd = ap.svd(true, true);
            svd.solve(b, 1e-12)
                .map_err(|e| Error::breakdown("NNLS inner least squares", e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kkt_conditions_hold() {
        // A random tall problem whose unconstrained solution has negative entries.
        let mut g = parsimony_core::random::SplitMix64::new(5);
        let a = DMatrix::from_row_slice(12, 5, &g.normals(60).unwrap());
        let b = DVector::from_vec(g.normals(12).unwrap());
        let solver = NnlsParams::default().build().unwrap();
        let x = solver.solve(&Regression::new(&a, &b).unwrap()).unwrap().x;
        let unconstrained = least_squares(&a, &b).unwrap();
        assert!(
            unconstrained.iter().any(|&v| v < 0.0),
            "the test needs an active constraint"
        );
        let w = a.transpose() * (&b - &a * &x);
        for j in 0..5 {
            assert!(x[j] >= 0.0);
            if x[j] > 0.0 {
                assert!(w[j].abs() < 1e-10, "stationarity on the free set: {w}");
            } else {
                assert!(w[j] <= 1e-10, "dual feasibility: {w}");
            }
        }
        // a nonnegative exact solution is recovered
        let xt = DVector::from_vec(vec![0.5, 0.0, 2.0, 0.0, 1.0]);
        let bt = &a * &xt;
        let x = solver.solve(&Regression::new(&a, &bt).unwrap()).unwrap().x;
        assert!((x - xt).norm() < 1e-10);
    }
}
