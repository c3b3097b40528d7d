//! Linear operators: anything that computes y = A x.
//!
//! Iterative methods (conjugate gradient, Newton-CG in optimal transport, covariance-free SBL)
//! need only the action of a matrix. [`LinearOperator`] is that action, with an explicit
//! workspace so that hot loops allocate nothing. It is implemented for dense nalgebra matrices,
//! nalgebra-sparse CSR matrices, the matrix-free
//! [`KroneckerOperator`](super::KroneckerOperator) and closures ([`FnOperator`]).

use super::Scalar;
use crate::Result;
use crate::error::check_len;
use nalgebra::DMatrix;
use nalgebra_sparse::CsrMatrix;

/// The action y = A x of an `nrows × ncols` linear map.
pub trait LinearOperator<T: Scalar> {
    /// Scratch space an application needs (`()` for most operators).
    type Workspace;
    /// Rows of A (length of y).
    fn nrows(&self) -> usize;
    /// Columns of A (length of x).
    fn ncols(&self) -> usize;
    /// A workspace for [`apply_into`](Self::apply_into); create it once, outside loops.
    fn workspace(&self) -> Self::Workspace;
    /// y ← A x. Errors with [`Error::DimensionMismatch`](crate::Error::DimensionMismatch) if
    /// `x` or `y` has the wrong length.
    fn apply_into(&self, x: &[T], y: &mut [T], ws: &mut Self::Workspace) -> Result<()>;
}

fn check_shapes(nrows: usize, ncols: usize, x: usize, y: usize) -> Result<()> {
    check_len("length of x (operator columns)", ncols, x)?;
    check_len("length of y (operator rows)", nrows, y)
}

impl<T: Scalar> LinearOperator<T> for DMatrix<T> {
    type Workspace = ();
    fn nrows(&self) -> usize {
        self.nrows()
    }
    fn ncols(&self) -> usize {
        self.ncols()
    }
    fn workspace(&self) {}
    fn apply_into(&self, x: &[T], y: &mut [T], _: &mut ()) -> Result<()> {
        check_shapes(self.nrows(), self.ncols(), x.len(), y.len())?;
        let a = super::as_faer(self);
        let xv = faer::MatRef::from_column_major_slice(x, x.len(), 1);
        let n = y.len();
        let yv = faer::MatMut::from_column_major_slice_mut(y, n, 1);
        faer::linalg::matmul::matmul(
            yv,
            faer::Accum::Replace,
            a,
            xv,
            T::of_real(1.0),
            faer::Par::Seq,
        );
        Ok(())
    }
}

impl<T: Scalar> LinearOperator<T> for CsrMatrix<T> {
    type Workspace = ();
    fn nrows(&self) -> usize {
        self.nrows()
    }
    fn ncols(&self) -> usize {
        self.ncols()
    }
    fn workspace(&self) {}
    fn apply_into(&self, x: &[T], y: &mut [T], _: &mut ()) -> Result<()> {
        check_shapes(self.nrows(), self.ncols(), x.len(), y.len())?;
        for (yi, row) in y.iter_mut().zip(self.row_iter()) {
            let mut acc = T::default();
            for (&j, &v) in row.col_indices().iter().zip(row.values()) {
                acc += v * x[j];
            }
            *yi = acc;
        }
        Ok(())
    }
}

/// A linear operator given by a closure `f(x, y)` that writes A x into y.
pub struct FnOperator<F> {
    nrows: usize,
    ncols: usize,
    f: F,
}

impl<F> FnOperator<F> {
    /// Wraps `f(x, y)` (y ← A x) as an `nrows × ncols` operator.
    pub fn new(nrows: usize, ncols: usize, f: F) -> Self {
        Self { nrows, ncols, f }
    }
}

impl<T: Scalar, F: Fn(&[T], &mut [T])> LinearOperator<T> for FnOperator<F> {
    type Workspace = ();
    fn nrows(&self) -> usize {
        self.nrows
    }
    fn ncols(&self) -> usize {
        self.ncols
    }
    fn workspace(&self) {}
    fn apply_into(&self, x: &[T], y: &mut [T], _: &mut ()) -> Result<()> {
        check_shapes(self.nrows, self.ncols, x.len(), y.len())?;
        (self.f)(x, y);
        Ok(())
    }
}
