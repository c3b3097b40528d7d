//! Orthogonal matching pursuit.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{Scalar, least_squares};
use parsimony_core::{Error, Result};

/// The result of [`omp`].
#[derive(Clone, Debug)]
pub struct OmpSolution<T: Scalar> {
    /// The estimate (length N).
    pub x: DVector<T>,
    /// Selected columns in selection order.
    pub support: Vec<usize>,
    /// ‖y − A x‖₂ at the end.
    pub residual_norm: f64,
    /// Whether the residual threshold was reached (rather than `max_atoms`).
    pub converged: bool,
}

/// OMP: repeatedly add the column most correlated with the residual (|aⱼᴴr|/‖aⱼ‖) and refit
/// by least squares, until ‖r‖ ≤ `residual_threshold` (the paper: σ√M) or `max_atoms` columns.
pub fn omp<T: Scalar>(
    a: &DMatrix<T>,
    y: &DVector<T>,
    residual_threshold: f64,
    max_atoms: usize,
) -> Result<OmpSolution<T>> {
    crate::classical::check_dense(a, y)?;
    if !(residual_threshold.is_finite() && residual_threshold >= 0.0) {
        return Err(Error::invalid(
            "residual_threshold",
            "must be finite and ≥ 0",
        ));
    }
    let (m, n) = a.shape();
    let max_atoms = max_atoms.min(m).min(n);
    // the score |aⱼᴴr|/‖aⱼ‖, compared squared: |aⱼᴴr|²/‖aⱼ‖²
    let norms2: Vec<f64> = a.column_iter().map(|c| c.norm_squared()).collect();
    let mut support = Vec::new();
    let mut x = DVector::from_element(n, T::default());
    let mut r = y.clone();
    while r.norm() > residual_threshold && support.len() < max_atoms {
        let c = a.ad_mul(&r);
        let best = (0..n)
            .filter(|j| !support.contains(j) && norms2[*j] > 0.0)
            .max_by(|&i, &j| {
                let (ci, cj) = (c[i].modulus2() / norms2[i], c[j].modulus2() / norms2[j]);
                ci.partial_cmp(&cj).unwrap_or(std::cmp::Ordering::Equal)
            });
        let Some(j) = best else { break };
        support.push(j);
        let xs = match least_squares(&a.select_columns(support.iter()), y) {
            Ok(v) => v,
            Err(_) => {
                support.pop();
                break;
            }
        };
        x.fill(T::default());
        for (&k, &v) in support.iter().zip(xs.iter()) {
            x[k] = v;
        }
        r = y - a * &x;
    }
    let residual_norm = r.norm();
    Ok(OmpSolution {
        x,
        support,
        residual_norm,
        converged: residual_norm <= residual_threshold,
    })
}
