//! Automatic relevance determination with scikit-learn's exact update rule
//! (`sklearn.linear_model.ARDRegression`, 1.x), for bit-level peer comparisons.
//!
//! With noise precision α and weight precisions λ (prior x ~ N(0, diag λ⁻¹)) and Gamma
//! hyperpriors (α₁, α₂, λ₁, λ₂ = 1e-6), each iteration on the kept columns K is
//!
//! ```text
//!   Σ = pinvh(α AᵀA + diag λ)                    (Woodbury form when M < N)
//!   coef_K = α Σ A_Kᵀ y,     rss = ‖y − A coef‖²
//!   γ = 1 − λ_K ∘ diag Σ
//!   λ_K ← (γ + 2λ₁) / (coef_K² + 2λ₂)
//!   α ← (M − Σγ + 2α₁) / (rss + 2α₂)
//!   K ← {j : λⱼ < threshold_lambda},  coef off K ← 0
//!   stop when iteration > 0 and Σ|coef − coef_old| < tol
//! ```
//!
//! starting from α = 1/(var(y) + ε), λ = 1; Σ and coef are recomputed once more at the end.
//! With `fit_intercept`, A and y are centred first and intercept = ȳ − x̄ᵀcoef. This is the
//! MacKay fixed point with weak hyperpriors; see [`crate::classical`] for plain EM/MacKay.

use crate::classical::check_dense;
use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::symmetric_eigen;
use parsimony_core::{Error, Result};

/// Parameters, named and defaulted as in scikit-learn.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `max_iter` | 300 | ≥ 1 |
/// | `tol` | 1e-3 | ≥ 0 |
/// | `alpha_1`, `alpha_2`, `lambda_1`, `lambda_2` | 1e-6 | ≥ 0 |
/// | `threshold_lambda` | 1e4 | > 0 |
/// | `fit_intercept` | true | |
#[derive(Clone, Debug)]
pub struct ArdParams {
    /// Iteration cap.
    pub max_iter: usize,
    /// Stop when Σ|Δcoef| < tol.
    pub tol: f64,
    /// Gamma hyperprior shape of α.
    pub alpha_1: f64,
    /// Gamma hyperprior rate of α.
    pub alpha_2: f64,
    /// Gamma hyperprior shape of λ.
    pub lambda_1: f64,
    /// Gamma hyperprior rate of λ.
    pub lambda_2: f64,
    /// Columns with λⱼ ≥ threshold are pruned.
    pub threshold_lambda: f64,
    /// Centre A and y and fit an intercept.
    pub fit_intercept: bool,
}

impl Default for ArdParams {
    fn default() -> Self {
        Self {
            max_iter: 300,
            tol: 1e-3,
            alpha_1: 1e-6,
            alpha_2: 1e-6,
            lambda_1: 1e-6,
            lambda_2: 1e-6,
            threshold_lambda: 1e4,
            fit_intercept: true,
        }
    }
}

/// The fitted ARD model (scikit-learn's attribute names).
#[derive(Clone, Debug)]
pub struct ArdFit {
    /// Weights (`coef_`), zeros off the kept set.
    pub coef: DVector<f64>,
    /// Intercept (`intercept_`), 0 without `fit_intercept`.
    pub intercept: f64,
    /// Noise precision α (`alpha_`); σ̂² = 1/α.
    pub alpha: f64,
    /// Weight precisions λ (`lambda_`).
    pub lambda: DVector<f64>,
    /// Posterior covariance on the kept columns (`sigma_`).
    pub sigma: DMatrix<f64>,
    /// Kept columns.
    pub support: Vec<usize>,
    /// Iterations (`n_iter_`).
    pub iterations: usize,
    /// Whether the coefficient-change tolerance was met.
    pub converged: bool,
    /// The last Σⱼ|Δcoefⱼ| compared with `tol` (NaN before a second iteration).
    pub coef_change: f64,
}

/// Pseudo-inverse of a symmetric matrix by eigendecomposition (as `scipy.linalg.pinvh`:
/// eigenvalues below max|λ|·n·ε are dropped).
fn pinvh(a: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let e = symmetric_eigen(a)?;
    let n = a.nrows();
    let top = e.values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let cutoff = top * n as f64 * f64::EPSILON;
    let mut out = DMatrix::zeros(n, n);
    for (k, &l) in e.values.iter().enumerate() {
        if l.abs() > cutoff {
            let u = e.vectors.column(k);
            out += (u * u.transpose()) / l;
        }
    }
    Ok(out)
}

/// Σ on the kept columns: pinvh(α AᵀA + diag λ), or its Woodbury form when M < N.
fn update_sigma(
    a: &DMatrix<f64>,
    alpha: f64,
    lambda: &[f64],
    woodbury: bool,
) -> Result<DMatrix<f64>> {
    let (m, k) = a.shape();
    if !woodbury {
        let mut s = a.transpose() * a * alpha;
        for j in 0..k {
            s[(j, j)] += lambda[j];
        }
        pinvh(&s)
    } else {
        // Σ = Λ⁻¹ − Λ⁻¹Aᵀ (I/α + AΛ⁻¹Aᵀ)⁻¹ AΛ⁻¹
        let mut al = a.clone();
        for (mut col, &l) in al.column_iter_mut().zip(lambda) {
            col /= l;
        }
        let mut inner = &al * a.transpose();
        for i in 0..m {
            inner[(i, i)] += 1.0 / alpha;
        }
        let inner = pinvh(&inner)?;
        let mut sigma = -(al.transpose() * inner * &al);
        for j in 0..k {
            sigma[(j, j)] += 1.0 / lambda[j];
        }
        Ok(sigma)
    }
}

/// Fits ARD regression with scikit-learn's algorithm (see the [module docs](self)).
pub fn ard_regression(a: &DMatrix<f64>, y: &DVector<f64>, params: &ArdParams) -> Result<ArdFit> {
    check_dense(a, y)?;
    if params.max_iter == 0 {
        return Err(Error::invalid("max_iter", "must be at least 1"));
    }
    for (name, v) in [
        ("tol", params.tol),
        ("alpha_1", params.alpha_1),
        ("alpha_2", params.alpha_2),
        ("lambda_1", params.lambda_1),
        ("lambda_2", params.lambda_2),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::invalid(
                name,
                format!("must be finite and ≥ 0, got {v}"),
            ));
        }
    }
    parsimony_core::error::check_positive("threshold_lambda", params.threshold_lambda)?;
    let (m, n) = a.shape();
    let (x_mean, y_mean) = if params.fit_intercept {
        (a.row_mean().transpose(), y.mean())
    } else {
        (DVector::zeros(n), 0.0)
    };
    let mut ac = a.clone();
    if params.fit_intercept {
        for (mut col, mu) in ac.column_iter_mut().zip(x_mean.iter()) {
            col.add_scalar_mut(-mu);
        }
    }
    let yc = y.add_scalar(-y_mean);
    let woodbury = m < n;

    let var_y = yc.iter().map(|v| (v - yc.mean()).powi(2)).sum::<f64>() / m as f64;
    let mut alpha = 1.0 / (var_y + f64::EPSILON);
    let mut lambda = DVector::from_element(n, 1.0);
    let mut keep: Vec<usize> = (0..n).collect();
    let mut coef = DVector::zeros(n);
    let mut coef_old = DVector::zeros(n);
    let mut converged = false;
    let mut iterations = 0;
    let mut coef_change = f64::NAN;
    let coef_update = |ak: &DMatrix<f64>,
                       sigma: &DMatrix<f64>,
                       alpha: f64,
                       keep: &[usize],
                       coef: &mut DVector<f64>| {
        let c = sigma * (ak.transpose() * &yc) * alpha;
        for (&j, v) in keep.iter().zip(c.iter()) {
            coef[j] = *v;
        }
    };
    for it in 0..params.max_iter {
        iterations = it + 1;
        let ak = ac.select_columns(keep.iter());
        let lk: Vec<f64> = keep.iter().map(|&j| lambda[j]).collect();
        let sigma = update_sigma(&ak, alpha, &lk, woodbury)?;
        coef_update(&ak, &sigma, alpha, &keep, &mut coef);
        let rss = (&yc - &ac * &coef).norm_squared();
        let gamma: Vec<f64> = (0..keep.len())
            .map(|k| 1.0 - lk[k] * sigma[(k, k)])
            .collect();
        for (k, &j) in keep.iter().enumerate() {
            lambda[j] =
                (gamma[k] + 2.0 * params.lambda_1) / (coef[j] * coef[j] + 2.0 * params.lambda_2);
        }
        alpha = (m as f64 - gamma.iter().sum::<f64>() + 2.0 * params.alpha_1)
            / (rss + 2.0 * params.alpha_2);
        keep = (0..n)
            .filter(|&j| lambda[j] < params.threshold_lambda)
            .collect();
        for j in 0..n {
            if lambda[j] >= params.threshold_lambda {
                coef[j] = 0.0;
            }
        }
        if !alpha.is_finite() || lambda.iter().any(|l| !l.is_finite() && *l != f64::INFINITY) {
            return Err(Error::breakdown(
                "ARD",
                format!("non-finite precisions at iteration {iterations}"),
            ));
        }
        if it > 0 {
            coef_change = (&coef_old - &coef).abs().sum();
            if coef_change < params.tol {
                converged = true;
                break;
            }
        }
        coef_old.copy_from(&coef);
        if keep.is_empty() {
            break;
        }
    }
    let sigma = if keep.is_empty() {
        DMatrix::zeros(0, 0)
    } else {
        let ak = ac.select_columns(keep.iter());
        let lk: Vec<f64> = keep.iter().map(|&j| lambda[j]).collect();
        let sigma = update_sigma(&ak, alpha, &lk, woodbury)?;
        coef_update(&ak, &sigma, alpha, &keep, &mut coef);
        sigma
    };
    let intercept = if params.fit_intercept {
        y_mean - x_mean.dot(&coef)
    } else {
        0.0
    };
    Ok(ArdFit {
        coef,
        intercept,
        alpha,
        lambda,
        sigma,
        support: keep,
        iterations,
        converged,
        coef_change,
    })
}
