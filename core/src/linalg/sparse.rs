//! Sparse matrices in compressed sparse row (CSR) form, via nalgebra-sparse.
//!
//! A CSR matrix stores, row by row, the column indices and values of its nonzeros, so a
//! matrix-vector product costs O(nnz). [`csr_from_triplets`] builds one from (row, column,
//! value) triplets with every input checked (indices in range, values finite); duplicate
//! entries are summed. CSR matrices are [`LinearOperator`]s, and so is
//! their conjugate transpose [`CsrAdjoint`], applied by scattering row i's entries times x_i
//! (O(nnz), no transposed copy).

use super::{LinearOperator, Scalar};
use crate::error::check_len;
use crate::{Error, Result};
use nalgebra_sparse::{CooMatrix, CsrMatrix};

/// Builds an `nrows × ncols` CSR matrix from `(row, col, value)` triplets; duplicates add up.
///
/// Errors: [`Error::InvalidParameter`] naming the first triplet whose index is out of range,
/// [`Error::NonFinite`] for a NaN or infinite value.
pub fn csr_from_triplets<T: Scalar>(
    nrows: usize,
    ncols: usize,
    triplets: &[(usize, usize, T)],
) -> Result<CsrMatrix<T>> {
    // CSR stores nrows + 1 row offsets whatever the number of entries
    let offsets = nrows
        .checked_add(1)
        .ok_or_else(|| Error::invalid("nrows", "nrows + 1 row offsets overflow usize"))?;
    crate::memory::check_elements::<usize>(&format!("row offsets of {nrows} rows"), offsets)?;
    let mut coo = CooMatrix::new(nrows, ncols);
    for (k, &(i, j, v)) in triplets.iter().enumerate() {
        if i >= nrows || j >= ncols {
            return Err(Error::invalid(
                format!("triplets[{k}]"),
                format!("index ({i}, {j}) outside a {nrows} × {ncols} matrix"),
            ));
        }
        if !v.all_finite() {
            return Err(Error::non_finite(format!("value of triplets[{k}]")));
        }
        coo.push(i, j, v);
    }
    Ok(CsrMatrix::from(&coo))
}

/// The diagonal of a square CSR matrix (zeros where no entry is stored), e.g. for a Jacobi
/// preconditioner.
pub fn csr_diagonal<T: Scalar>(a: &CsrMatrix<T>) -> Result<Vec<T>> {
    if a.nrows() != a.ncols() {
        return Err(Error::dimension(
            "columns of a (it must be square)",
            a.nrows(),
            a.ncols(),
        ));
    }
    let mut d = vec![T::default(); a.nrows()];
    for (i, row) in a.row_iter().enumerate() {
        for (&j, &v) in row.col_indices().iter().zip(row.values()) {
            if i == j {
                d[i] += v;
            }
        }
    }
    Ok(d)
}

/// The conjugate transpose Aᴴ of a CSR matrix (the transpose for real entries) as a
/// [`LinearOperator`]: y = Aᴴ x with y_j = Σᵢ conj(a_ij) x_i, scattered row by row in O(nnz)
/// without forming Aᴴ (for the Pᵀ blocks of optimal transport's Newton systems, or normal
/// equations AᴴA).
#[derive(Clone, Copy, Debug)]
pub struct CsrAdjoint<'a, T: Scalar>(pub &'a CsrMatrix<T>);

impl<T: Scalar> LinearOperator<T> for CsrAdjoint<'_, T> {
    type Workspace = ();
    fn nrows(&self) -> usize {
        self.0.ncols()
    }
    fn ncols(&self) -> usize {
        self.0.nrows()
    }
    fn workspace(&self) {}
    fn apply_into(&self, x: &[T], y: &mut [T], _: &mut ()) -> Result<()> {
        check_len(
            "length of x (rows of the CSR matrix)",
            self.0.nrows(),
            x.len(),
        )?;
        check_len(
            "length of y (columns of the CSR matrix)",
            self.0.ncols(),
            y.len(),
        )?;
        y.fill(T::default());
        for (&xi, row) in x.iter().zip(self.0.row_iter()) {
            for (&j, &v) in row.col_indices().iter().zip(row.values()) {
                y[j] += v.conjugated() * xi;
            }
        }
        Ok(())
    }
}
