//! Zero-copy views between nalgebra (the API types) and faer (the kernels).
//!
//! nalgebra's `DMatrix<T>` stores its entries column-major and contiguously, which is exactly
//! faer's default layout, so a `DMatrix` is viewed as a faer `MatRef`/`MatMut` without copying
//! ([`as_faer`], [`as_faer_mut`]). A strided nalgebra view (a block, a transposed view) is
//! mapped with its row and column strides by [`view_as_faer`], the one audited `unsafe` block.
//! The way back copies ([`to_nalgebra`]): faer owns the results of its decompositions and the
//! public API returns nalgebra types.

use super::Scalar;
use faer::{MatMut, MatRef};
use nalgebra::{DMatrix, DMatrixView, DVector, Dyn, U1};

/// Views a column-major nalgebra matrix as a faer matrix (no copy).
pub fn as_faer<T: Scalar>(m: &DMatrix<T>) -> MatRef<'_, T> {
    MatRef::from_column_major_slice(m.as_slice(), m.nrows(), m.ncols())
}

/// Views a column-major nalgebra matrix as a mutable faer matrix (no copy).
pub fn as_faer_mut<T: Scalar>(m: &mut DMatrix<T>) -> MatMut<'_, T> {
    let (r, c) = m.shape();
    MatMut::from_column_major_slice_mut(m.as_mut_slice(), r, c)
}

/// Views a nalgebra vector as a faer `n × 1` matrix (no copy).
pub fn vec_as_faer<T: Scalar>(v: &DVector<T>) -> MatRef<'_, T> {
    MatRef::from_column_major_slice(v.as_slice(), v.len(), 1)
}

/// Views any (possibly strided) nalgebra matrix view as a faer matrix (no copy).
pub fn view_as_faer<'a, T: Scalar>(m: DMatrixView<'a, T, U1, Dyn>) -> MatRef<'a, T> {
    let (nrows, ncols) = m.shape();
    let (rs, cs) = m.strides();
    // SAFETY: nalgebra guarantees that `m` addresses `nrows × ncols` valid, initialised
    // elements at `ptr + i·rs + j·cs` for the lifetime 'a (rs = 1 here: nalgebra views are
    // column-major with unit row stride; `cs` is the column stride). faer reads exactly those
    // elements and the returned view borrows `m` for 'a, so no aliasing mutable access exists.
    unsafe { MatRef::from_raw_parts(m.as_ptr(), nrows, ncols, rs as isize, cs as isize) }
}

/// Copies a faer matrix into a new nalgebra matrix.
pub fn to_nalgebra<T: Scalar>(m: MatRef<'_, T>) -> DMatrix<T> {
    DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
}

/// Copies a faer column (an `n × 1` matrix or a column view) into a nalgebra vector.
pub fn col_to_nalgebra<T: Scalar>(m: MatRef<'_, T>, col: usize) -> DVector<T> {
    DVector::from_fn(m.nrows(), |i, _| m[(i, col)])
}

/// Views a nalgebra vector as a mutable faer `n × 1` matrix (no copy).
pub fn as_faer_mut_vec<T: Scalar>(v: &mut DVector<T>) -> MatMut<'_, T> {
    let n = v.len();
    MatMut::from_column_major_slice_mut(v.as_mut_slice(), n, 1)
}
