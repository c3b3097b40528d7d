//! Non-negative least squares, min ‖A x − b‖₂ subject to x ≥ 0 (Lawson & Hanson 1974, the
//! active-set algorithm of MATLAB's `lsqnonneg`).
//!
//! The passive set P holds the free variables. Each outer step moves the variable with the
//! largest gradient component wⱼ = [Aᵀ(b − Ax)]ⱼ > 0 into P, solves the unconstrained least
//! squares on P, and, while that solution has non-positive entries, steps back along the
//! segment to the first one to hit zero and releases it. Each inner solve is a small dense
//! least squares (QR); the algorithm terminates in finitely many steps for full-rank A.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::least_squares;
use parsimony_core::{Error, Result};

/// Solves min ‖A x − b‖₂ s.t. x ≥ 0; `tol` is the dual-feasibility tolerance (0 ⇒ 10·ε·‖A‖₁·n).
pub fn nnls(a: &DMatrix<f64>, b: &DVector<f64>, tol: f64) -> Result<DVector<f64>> {
    let (m, n) = a.shape();
    parsimony_core::error::check_len("length of b (rows of A)", m, b.len())?;
    parsimony_core::linalg::check_finite("a", a.as_slice())?;
    parsimony_core::linalg::check_finite("b", b.as_slice())?;
    let tol = if tol > 0.0 {
        tol
    } else {
        10.0 * f64::EPSILON
            * a.column_iter().map(|c| c.abs().sum()).fold(0.0, f64::max)
            * n.max(m) as f64
    };
    let mut x = DVector::zeros(n);
    let mut passive = vec![false; n];
    let max_outer = 3 * n + 10;
    for _ in 0..max_outer {
        let w = a.transpose() * (b - a * &x);
        let cand = (0..n)
            .filter(|&j| !passive[j] && w[j] > tol)
            .max_by(|&i, &j| w[i].partial_cmp(&w[j]).unwrap_or(std::cmp::Ordering::Equal));
        let Some(j) = cand else {
            return Ok(x);
        };
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
    }
    Err(Error::NotConverged {
        iterations: max_outer,
        residual: (b - a * &x).norm(),
    })
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
        let a = DMatrix::from_row_slice(12, 5, &g.normals(60));
        let b = DVector::from_vec(g.normals(12));
        let x = nnls(&a, &b, 0.0).unwrap();
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
        let x = nnls(&a, &(&a * &xt), 0.0).unwrap();
        assert!((x - xt).norm() < 1e-10);
    }
}
