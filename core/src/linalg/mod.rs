//! Linear algebra shared by the solvers.
//!
//! * [`Scalar`]: `f64` or `Complex<f64>`, the element types the generic code runs on.
//! * Views ([`as_faer`], [`view_as_faer`], [`to_nalgebra`]): nalgebra matrices are the API
//!   types, faer does the heavy decompositions; the two share the column-major layout, so the
//!   views cost nothing.
//! * Decompositions ([`cholesky`], [`symmetric_eigen`], [`thin_svd`], [`least_squares`]).
//! * Kronecker structure: [`KroneckerOperator`] applies (A₁⊗…⊗A_I)x, its transpose and adjoint
//!   in O(N·Σmᵢ) via mode products, never forming the product; [`multimode_product`] is the
//!   same sweep for any per-mode matrices; [`KroneckerDiagonal`] is diag(d₁⊗…⊗d_I).
//! * Sparse: CSR matrices from nalgebra-sparse ([`csr_from_triplets`]).
//! * Iterative: the [`LinearOperator`] trait and a matrix-free, optionally preconditioned
//!   conjugate gradient ([`CgParams`] → [`Cg`]).

pub mod cg;
pub mod decomp;
pub mod gram;
pub mod kron;
pub mod kron_diag;
pub mod operator;
pub mod scalar;
pub mod sparse;
pub mod views;

pub use cg::{Cg, CgBreakdown, CgParams, CgSolution, JacobiPreconditioner, Preconditioner};
pub use decomp::{
    Cholesky, SymmetricEigen, ThinSvd, cholesky, least_squares, symmetric_eigen,
    symmetric_eigen_unordered, thin_svd,
};
pub use gram::{gram_cols, gram_rows};
pub use kron::{
    KroneckerOperator, ModeWorkspace, Transform, kron_dense, matmul, mode_product,
    multimode_product,
};
pub use kron_diag::KroneckerDiagonal;
pub use operator::{FnOperator, LinearOperator};
pub use scalar::{Scalar, all_finite, check_finite};
pub use sparse::{CsrAdjoint, csr_diagonal, csr_from_triplets};
pub use views::{
    as_faer, as_faer_mut, as_faer_mut_vec, col_to_nalgebra, to_nalgebra, vec_as_faer, view_as_faer,
};

/// Sets how many threads faer's dense decompositions (Cholesky, eigen, SVD, QR) may use:
/// 1 runs them sequentially, n > 1 on a rayon pool of n threads, 0 on all cores.
///
/// The default is faer's (all cores). Benchmarks that compare single-threaded peers call
/// `set_threads(1)`. [`matmul`] follows this setting; the Kronecker mode products always run
/// sequentially.
pub fn set_threads(n: usize) {
    let par = if n == 1 {
        faer::Par::Seq
    } else {
        faer::Par::rayon(n)
    };
    faer::set_global_parallelism(par);
}

/// The number of threads [`set_threads`] allows (faer's global parallelism): 1 when
/// sequential.
pub fn threads() -> usize {
    match faer::get_global_parallelism() {
        faer::Par::Seq => 1,
        par => par.degree().max(1),
    }
}
