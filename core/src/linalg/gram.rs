//! Gram matrices A Aᵀ and AᵀA through faer's triangular GEMM: only the lower triangle is
//! computed (half the flops of a general product), then mirrored.

use super::as_faer;
use faer::linalg::matmul::triangular::{BlockStructure, matmul};
use faer::{Accum, MatRef};
use nalgebra::DMatrix;

fn lower_then_mirror(lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, dim: usize) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(dim, dim);
    matmul(
        super::as_faer_mut(&mut out),
        BlockStructure::TriangularLower,
        Accum::Replace,
        lhs,
        BlockStructure::Rectangular,
        rhs,
        BlockStructure::Rectangular,
        1.0,
        faer::get_global_parallelism(),
    );
    for j in 0..dim {
        for i in 0..j {
            out[(i, j)] = out[(j, i)];
        }
    }
    out
}

/// A Aᵀ (rows × rows), on the threads of [`set_threads`](super::set_threads).
pub fn gram_rows(a: &DMatrix<f64>) -> DMatrix<f64> {
    let fa = as_faer(a);
    lower_then_mirror(fa, fa.transpose(), a.nrows())
}

/// AᵀA (columns × columns), on the threads of [`set_threads`](super::set_threads).
pub fn gram_cols(a: &DMatrix<f64>) -> DMatrix<f64> {
    let fa = as_faer(a);
    lower_then_mirror(fa.transpose(), fa, a.ncols())
}
