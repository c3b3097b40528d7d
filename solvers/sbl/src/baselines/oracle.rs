//! Oracle least squares: the best estimate on a known support.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{KroneckerOperator, Scalar, least_squares, thin_svd};
use parsimony_core::{Error, Result};

/// The Moore–Penrose pseudo-inverse V diag(1/s) Uᴴ (singular values below max(s)·max(m,n)·ε
/// are treated as zero).
pub fn pinv<T: Scalar>(a: &DMatrix<T>) -> Result<DMatrix<T>> {
    let svd = thin_svd(a)?;
    let top = svd.singular_values.iter().fold(0.0f64, |m, &s| m.max(s));
    let cut = top * a.nrows().max(a.ncols()) as f64 * f64::EPSILON;
    let mut vs = svd.v.clone();
    for (mut col, &s) in vs.column_iter_mut().zip(svd.singular_values.iter()) {
        let inv = if s > cut { 1.0 / s } else { 0.0 };
        col *= T::of_real(inv);
    }
    Ok(vs * svd.u.adjoint())
}

/// Least squares of y on the columns `support` of A, embedded in a length-N vector.
pub fn oracle_least_squares<T: Scalar>(
    a: &DMatrix<T>,
    y: &DVector<T>,
    support: &[usize],
) -> Result<DVector<T>> {
    let problem = crate::regression::Regression::new(a, y)?;
    problem.check_finite()?;
    if let Some(&j) = support.iter().find(|&&j| j >= a.ncols()) {
        return Err(Error::invalid(
            "support",
            format!("column {j} out of range"),
        ));
    }
    let xs = least_squares(&a.select_columns(support.iter()), y)?;
    let mut x = DVector::from_element(a.ncols(), T::default());
    for (&j, &v) in support.iter().zip(xs.iter()) {
        x[j] = v;
    }
    Ok(x)
}

/// Least squares on a Kronecker support S₁ × … × S_I: x_S = (⊗ pinv(Hᵢ[:, Sᵢ])) y, applied
/// mode-wise, embedded in a length-N vector.
pub fn kron_oracle_least_squares<T: Scalar>(
    factors: &[DMatrix<T>],
    y: &DVector<T>,
    supports: &[Vec<usize>],
) -> Result<DVector<T>> {
    parsimony_core::error::check_len("number of supports", factors.len(), supports.len())?;
    let mut pinvs = Vec::with_capacity(factors.len());
    for (i, (h, s)) in factors.iter().zip(supports).enumerate() {
        if s.is_empty() || s.iter().any(|&j| j >= h.ncols()) {
            return Err(Error::invalid(
                format!("supports[{i}]"),
                "empty or out of range",
            ));
        }
        pinvs.push(pinv(&h.select_columns(s.iter()))?);
    }
    let op = KroneckerOperator::new(pinvs)?;
    let xs = op.apply(y)?;
    let n: Vec<usize> = factors.iter().map(|h| h.ncols()).collect();
    let mut x = DVector::from_element(n.iter().product(), T::default());
    crate::kron::scatter_active(xs.as_slice(), supports, &n, x.as_mut_slice());
    Ok(x)
}
