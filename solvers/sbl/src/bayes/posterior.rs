//! The one posterior computation of the sparse-Bayes engine.
//!
//! Model y = A x + n, n ~ N(0, σ²I) (CN for complex data), prior x ~ N(0, Γ), Γ = diag(γ),
//! γⱼ = 1/αⱼ, noise precision β = 1/σ². On the active set K (k columns) the posterior is
//! N(μ, Σ) with
//!
//! ```text
//!   Σ = (β AᴴA + diag α)⁻¹,   μ = β Σ Aᴴy
//! ```
//!
//! computed by one of two exact routes:
//!
//! * **Gram route** (real data): from the normal equations G = AᵀA,
//!   b = Aᵀy formed once (from the rows, or from their moments), Σ = (βG_KK + diag α_K)⁻¹ by
//!   Cholesky ([`Inversion::Cholesky`], with an LU fallback for a matrix that lost
//!   definiteness to round-off) or by scikit-learn's eigenvalue pseudo-inverse
//!   ([`Inversion::Pseudo`], `scipy.linalg.pinvh`), and μ = βΣb_K. O(k³) per iteration,
//!   independent of the number of rows; the residual ‖y − A_Kμ‖² = c − 2μᵀb_K + μᵀG_KKμ.
//! * **Dense route** (real or complex): from the rows. When M ≤ k through
//!   C = σ²I + AΓAᴴ (Woodbury): μ = ΓAᴴC⁻¹y, diag Σ = γ − diag(ΓAᴴC⁻¹AΓ), one Cholesky of
//!   the M × M matrix C, O(M²k + M³); otherwise the k × k Cholesky of AᴴA/σ² + Γ⁻¹,
//!   O(Mk² + k³). It also gives the evidence cost L = log|C| + yᴴC⁻¹y (natural log, no ½).

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{Scalar, Transform, cholesky, matmul, symmetric_eigen};
use parsimony_core::{Error, Result};

use super::standardise::NormalEquations;

/// How the Gram route inverts the posterior precision βG_KK + diag α.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Inversion {
    /// Cholesky (LU if round-off made the matrix indefinite).
    #[default]
    Cholesky,
    /// The eigenvalue pseudo-inverse of `scipy.linalg.pinvh` (eigenvalues below
    /// max|λ|·k·ε dropped), as scikit-learn's ARDRegression.
    Pseudo,
}

/// The Gram-route posterior on an active set.
pub(crate) struct GramPosterior {
    /// G_KK.
    pub(crate) g_kk: DMatrix<f64>,
    /// b_K.
    pub(crate) b_k: DVector<f64>,
    /// Σ (k × k).
    pub(crate) sigma: DMatrix<f64>,
    /// μ (length k).
    pub(crate) mean: DVector<f64>,
}

impl GramPosterior {
    /// ‖y − A_Kμ‖² from the normal equations, c − 2μᵀb_K + μᵀG_KKμ (cancels when the model
    /// explains y almost exactly; the caller checks against c).
    pub(crate) fn rss(&self, c: f64) -> f64 {
        c - 2.0 * self.mean.dot(&self.b_k)
            + (self.mean.transpose() * &self.g_kk * &self.mean)[(0, 0)]
    }
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

/// The inverse of a symmetric positive definite matrix (LU when Cholesky fails).
fn inverse_spd(h: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    match cholesky(h) {
        Ok(ch) => Ok(ch.inverse()),
        Err(Error::NotPositiveDefinite { .. }) => h.clone().try_inverse().ok_or_else(|| {
            Error::breakdown("sparse Bayes", "posterior precision matrix is singular")
        }),
        Err(e) => Err(e),
    }
}

/// The posterior on the columns `active` with prior precisions `alpha` (one per active
/// column) and noise precision `beta`, from the normal equations.
pub(crate) fn gram_posterior(
    ne: &NormalEquations,
    active: &[usize],
    alpha: &[f64],
    beta: f64,
    inversion: Inversion,
) -> Result<GramPosterior> {
    let k = active.len();
    let g_kk = DMatrix::from_fn(k, k, |r, s| ne.g[(active[r], active[s])]);
    let b_k = DVector::from_fn(k, |r, _| ne.b[active[r]]);
    let mut h = &g_kk * beta;
    for r in 0..k {
        h[(r, r)] += alpha[r];
    }
    let sigma = match inversion {
        Inversion::Cholesky => inverse_spd(&h)?,
        Inversion::Pseudo => pinvh(&h)?,
    };
    let mean = &sigma * &b_k * beta;
    Ok(GramPosterior {
        g_kk,
        b_k,
        sigma,
        mean,
    })
}

/// The dense-route posterior on an active set: μ, diag Σ and the evidence cost.
pub(crate) struct DensePosterior<T: Scalar> {
    pub(crate) mu: Vec<T>,
    pub(crate) var: Vec<f64>,
    pub(crate) cost: f64,
}

/// The posterior on the active columns `a` (M × k) with prior variances `gamma` (k, all > 0)
/// and noise variance `sigma2`, by the dense route (Woodbury when M ≤ k).
pub(crate) fn dense_posterior<T: Scalar>(
    a: &DMatrix<T>,
    gamma: &[f64],
    y: &DVector<T>,
    sigma2: f64,
) -> Result<DensePosterior<T>> {
    let (m, k) = a.shape();
    let mut b = a.clone();
    for (mut col, &g) in b.column_iter_mut().zip(gamma) {
        col *= T::of_real(g);
    }
    if m <= k {
        // Woodbury: C = σ²I + AΓAᴴ
        let mut c = matmul(&b, Transform::Identity, a, Transform::Adjoint)?;
        for i in 0..m {
            c[(i, i)] += T::of_real(sigma2);
        }
        let ch = cholesky(&c)?;
        let cinv_y = ch.solve(y)?;
        let mu = matmul(
            &b,
            Transform::Adjoint,
            &DMatrix::from_column_slice(m, 1, cinv_y.as_slice()),
            Transform::Identity,
        )?;
        let x = ch.solve_matrix(&b)?;
        let var = (0..k)
            .map(|j| {
                let q: f64 = b
                    .column(j)
                    .iter()
                    .zip(x.column(j).iter())
                    .map(|(bi, xi)| (bi.conjugated() * *xi).real_part())
                    .sum();
                (gamma[j] - q).max(0.0)
            })
            .collect();
        let quad = y
            .iter()
            .zip(cinv_y.iter())
            .map(|(a, b)| (a.conjugated() * *b).real_part())
            .sum::<f64>();
        Ok(DensePosterior {
            mu: mu.as_slice().to_vec(),
            var,
            cost: ch.log_det() + quad,
        })
    } else {
        // Σ = (AᴴA/σ² + Γ⁻¹)⁻¹
        let mut p = matmul(a, Transform::Adjoint, a, Transform::Identity)?;
        p.iter_mut().for_each(|v| *v = v.scaled(1.0 / sigma2));
        for j in 0..k {
            p[(j, j)] += T::of_real(1.0 / gamma[j]);
        }
        let ch = cholesky(&p)?;
        let ahy = a.adjoint() * y;
        let mu = ch.solve(&ahy)?.map(|v| v.scaled(1.0 / sigma2));
        let sigma = ch.inverse();
        let var = (0..k).map(|j| sigma[(j, j)].real_part().max(0.0)).collect();
        let logdet_c =
            m as f64 * sigma2.ln() + gamma.iter().map(|g| g.ln()).sum::<f64>() + ch.log_det();
        let quad = (y.norm_squared()
            - ahy
                .iter()
                .zip(mu.iter())
                .map(|(a, b)| (a.conjugated() * *b).real_part())
                .sum::<f64>())
            / sigma2;
        Ok(DensePosterior {
            mu: mu.as_slice().to_vec(),
            var,
            cost: logdet_c + quad,
        })
    }
}
