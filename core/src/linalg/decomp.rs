//! Dense decompositions through faer, with nalgebra types at the boundary.
//!
//! | function | factorisation | used for |
//! |---|---|---|
//! | [`cholesky`] | A = L Lᴴ, A Hermitian positive definite | SBL posteriors (C = σ²I + AΓAᴴ), Gaussian log-determinants |
//! | [`symmetric_eigen`] | A = U diag(λ) Uᴴ, λ ascending | Kronecker E-step (per-factor Hᵢ Γᵢ Hᵢᴴ), EnKF |
//! | [`thin_svd`] | A = U diag(s) Vᴴ, s descending, k = min(m, n) | SVD-KroSBL M-step, pseudo-inverses |
//! | [`least_squares`] | min ‖Ax − b‖₂ by Householder QR | oracle least squares, OMP |
//!
//! Inputs are checked (square where needed, finite entries) and failures come back as
//! [`crate::Error`] values; the nalgebra matrices are viewed by faer without a copy.

use super::{Scalar, as_faer, check_finite, to_nalgebra, vec_as_faer};
use crate::{Error, Result};
use faer::Side;
use faer::linalg::solvers::{Solve, SolveLstsq};
use nalgebra::{DMatrix, DVector};

fn check_square<T: Scalar>(what: &str, a: &DMatrix<T>) -> Result<()> {
    if a.nrows() != a.ncols() {
        return Err(Error::dimension(
            format!("columns of {what} (it must be square)"),
            a.nrows(),
            a.ncols(),
        ));
    }
    if a.nrows() == 0 {
        return Err(Error::invalid(what, "matrix is empty"));
    }
    check_finite(what, a.as_slice())
}

/// A Cholesky factorisation A = L Lᴴ of a Hermitian positive definite matrix.
pub struct Cholesky<T: Scalar> {
    llt: faer::linalg::solvers::Llt<T>,
}

/// Factorises a Hermitian positive definite matrix; only the lower triangle of `a` is read.
///
/// Errors: [`Error::DimensionMismatch`] if `a` is not square, [`Error::NonFinite`] for NaN or
/// infinite entries, [`Error::NotPositiveDefinite`] if a pivot is not positive.
pub fn cholesky<T: Scalar>(a: &DMatrix<T>) -> Result<Cholesky<T>> {
    check_square("matrix", a)?;
    let llt = as_faer(a)
        .llt(Side::Lower)
        .map_err(|_| Error::NotPositiveDefinite {
            what: "matrix".into(),
        })?;
    Ok(Cholesky { llt })
}

impl<T: Scalar> Cholesky<T> {
    /// The order n of the factorised matrix.
    pub fn dim(&self) -> usize {
        self.llt.L().nrows()
    }

    /// The lower-triangular factor L.
    pub fn l(&self) -> DMatrix<T> {
        to_nalgebra(self.llt.L())
    }

    /// Solves A x = b. Errors: a length mismatch, a non-finite `b`, or a solution that
    /// overflows ([`Error::NonFinite`]).
    pub fn solve(&self, b: &DVector<T>) -> Result<DVector<T>> {
        crate::error::check_len("length of right-hand side", self.dim(), b.len())?;
        let mut x = b.clone();
        self.llt.solve_in_place(super::as_faer_mut_vec(&mut x));
        check_solution(b.as_slice(), x.as_slice())?;
        Ok(x)
    }

    /// Solves A X = B for several right-hand sides (errors as [`Cholesky::solve`]).
    pub fn solve_matrix(&self, b: &DMatrix<T>) -> Result<DMatrix<T>> {
        crate::error::check_len("rows of right-hand side", self.dim(), b.nrows())?;
        let mut x = b.clone();
        self.llt.solve_in_place(super::as_faer_mut(&mut x));
        check_solution(b.as_slice(), x.as_slice())?;
        Ok(x)
    }

    /// log det A = 2 Σᵢ log Lᵢᵢ.
    pub fn log_det(&self) -> f64 {
        let l = self.llt.L();
        (0..l.nrows())
            .map(|i| 2.0 * l[(i, i)].real_part().ln())
            .sum()
    }

    /// The inverse A⁻¹ (use [`Cholesky::solve`] when only products with it are needed).
    pub fn inverse(&self) -> DMatrix<T> {
        let n = self.dim();
        let mut x = DMatrix::<T>::identity(n, n);
        self.llt.solve_in_place(super::as_faer_mut(&mut x));
        x
    }
}

/// A non-finite solution is either a non-finite right-hand side or an overflow.
fn check_solution<T: Scalar>(b: &[T], x: &[T]) -> Result<()> {
    if x.iter().any(|v| !v.is_finite()) {
        check_finite("right-hand side", b)?;
        return Err(Error::non_finite(
            "the solution of A x = b (it overflows a double: A is too close to singular for b)",
        ));
    }
    Ok(())
}

/// The eigendecomposition A = U diag(λ) Uᴴ of a Hermitian matrix.
#[derive(Clone, Debug)]
pub struct SymmetricEigen<T: Scalar> {
    /// Eigenvalues in ascending order.
    pub values: DVector<f64>,
    /// Orthonormal eigenvectors, one per column, in the order of `values`.
    pub vectors: DMatrix<T>,
}

/// Eigendecomposition of a Hermitian (real symmetric) matrix; only the lower triangle is read.
///
/// Matrices up to 48 × 48 go to nalgebra's implicit symmetric QR (no workspace set-up, several
/// times faster than faer at the 8–40-point sizes of the per-factor problems in Kronecker
/// SBL); larger ones to faer.
pub fn symmetric_eigen<T: Scalar>(a: &DMatrix<T>) -> Result<SymmetricEigen<T>> {
    check_square("matrix", a)?;
    let n = a.nrows();
    if n <= SMALL_EIGEN {
        // symmetrise from the lower triangle, as the faer path reads only that
        let h = DMatrix::from_fn(n, n, |i, j| {
            if i >= j {
                a[(i, j)]
            } else {
                a[(j, i)].conjugated()
            }
        });
        let e = nalgebra::SymmetricEigen::try_new(h, f64::EPSILON, 0).ok_or_else(|| {
            Error::breakdown(
                "symmetric eigendecomposition",
                "QR iteration did not converge",
            )
        })?;
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| e.eigenvalues[i].total_cmp(&e.eigenvalues[j]));
        return Ok(SymmetricEigen {
            values: DVector::from_fn(n, |k, _| e.eigenvalues[order[k]]),
            vectors: DMatrix::from_fn(n, n, |i, k| e.eigenvectors[(i, order[k])]),
        });
    }
    let evd = as_faer(a)
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::breakdown("symmetric eigendecomposition", format!("{e:?}")))?;
    let s = evd.S();
    let values = DVector::from_fn(a.nrows(), |i, _| s[i].real_part());
    Ok(SymmetricEigen {
        values,
        vectors: to_nalgebra(evd.U()),
    })
}

/// Eigenvalues and eigenvectors of a Hermitian matrix in no particular order, consuming it
/// (only the lower triangle is read): the fast path for small matrices whose order does not
/// matter (the per-factor problems of Kronecker SBL). Orders above 48 go through
/// [`symmetric_eigen`].
pub fn symmetric_eigen_unordered<T: Scalar>(a: DMatrix<T>) -> Result<SymmetricEigen<T>> {
    check_square("matrix", &a)?;
    if a.nrows() > SMALL_EIGEN {
        return symmetric_eigen(&a);
    }
    let e = nalgebra::SymmetricEigen::try_new(a, f64::EPSILON, 0).ok_or_else(|| {
        Error::breakdown(
            "symmetric eigendecomposition",
            "QR iteration did not converge",
        )
    })?;
    Ok(SymmetricEigen {
        values: e.eigenvalues,
        vectors: e.eigenvectors,
    })
}

/// Largest order handled by nalgebra in [`symmetric_eigen`].
const SMALL_EIGEN: usize = 48;

/// A thin singular value decomposition A = U diag(s) Vᴴ.
#[derive(Clone, Debug)]
pub struct ThinSvd<T: Scalar> {
    /// Left singular vectors, m × k with k = min(m, n).
    pub u: DMatrix<T>,
    /// Singular values, nonnegative and in descending order (length k).
    pub singular_values: DVector<f64>,
    /// Right singular vectors, n × k.
    pub v: DMatrix<T>,
}

/// Thin SVD of any nonempty finite matrix.
pub fn thin_svd<T: Scalar>(a: &DMatrix<T>) -> Result<ThinSvd<T>> {
    if a.is_empty() {
        return Err(Error::invalid("matrix", "matrix is empty"));
    }
    check_finite("matrix", a.as_slice())?;
    let svd = as_faer(a)
        .thin_svd()
        .map_err(|e| Error::breakdown("thin SVD", format!("{e:?}")))?;
    let s = svd.S();
    let k = a.nrows().min(a.ncols());
    Ok(ThinSvd {
        u: to_nalgebra(svd.U()),
        singular_values: DVector::from_fn(k, |i, _| s[i].real_part()),
        v: to_nalgebra(svd.V()),
    })
}

/// Least-squares solution of min ‖A x − b‖₂ for a tall (m ≥ n) matrix of full column rank,
/// by Householder QR.
///
/// Errors: shape mismatches, non-finite input, and [`Error::InvalidParameter`] naming `a` when
/// A is numerically rank deficient (a diagonal entry of R below n·ε·max|Rᵢᵢ|).
pub fn least_squares<T: Scalar>(a: &DMatrix<T>, b: &DVector<T>) -> Result<DVector<T>> {
    let (m, n) = a.shape();
    if n == 0 || m == 0 {
        return Err(Error::invalid("a", "matrix is empty"));
    }
    if m < n {
        return Err(Error::invalid(
            "a",
            format!("least squares needs rows ≥ columns, got {m} × {n}"),
        ));
    }
    crate::error::check_len("length of b (rows of a)", m, b.len())?;
    check_finite("a", a.as_slice())?;
    check_finite("b", b.as_slice())?;
    let qr = as_faer(a).qr();
    let r = qr.thin_R();
    let diag_max = (0..n)
        .map(|i| r[(i, i)].modulus2().sqrt())
        .fold(0.0, f64::max);
    let diag_min = (0..n)
        .map(|i| r[(i, i)].modulus2().sqrt())
        .fold(f64::INFINITY, f64::min);
    if !(diag_min > (n.max(m) as f64) * f64::EPSILON * diag_max) {
        return Err(Error::invalid(
            "a",
            format!("matrix is rank deficient (|R_ii| from {diag_min:.3e} to {diag_max:.3e})"),
        ));
    }
    let x = qr.solve_lstsq(vec_as_faer(b));
    Ok(DVector::from_fn(n, |i, _| x[(i, 0)]))
}
