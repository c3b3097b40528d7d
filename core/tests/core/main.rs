//! Tests of parsimony-core against independent references (dense products, nalgebra's own
//! decompositions, analytic results, published generator check values).

pub mod cg;
mod decomp;
mod kron;
mod npy;
mod optim;
mod random;
mod snapshots;
mod sparse;
mod stats;

use nalgebra::{DMatrix, DVector};
use parsimony_core::C64;
use parsimony_core::random::SplitMix64;

/// Max-abs relative difference between two slices of scalars.
pub fn rel_diff<T: parsimony_core::Scalar>(a: &[T], b: &[T]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b
        .iter()
        .map(|v| v.modulus2().sqrt())
        .fold(0.0f64, f64::max)
        .max(1e-300);
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x - *y).modulus2().sqrt())
        .fold(0.0, f64::max)
        / scale
}

/// An r × c matrix of N(0, 1) entries.
pub fn real_matrix(rng: &mut SplitMix64, r: usize, c: usize) -> DMatrix<f64> {
    DMatrix::from_fn(r, c, |_, _| rng.normal())
}

/// An r × c matrix of entries with N(0, 1) real and imaginary parts.
pub fn complex_matrix(rng: &mut SplitMix64, r: usize, c: usize) -> DMatrix<C64> {
    DMatrix::from_fn(r, c, |_, _| C64::new(rng.normal(), rng.normal()))
}

/// n N(0, 1) entries.
pub fn real_vector(rng: &mut SplitMix64, n: usize) -> DVector<f64> {
    DVector::from_fn(n, |_, _| rng.normal())
}

/// n entries with N(0, 1) real and imaginary parts.
pub fn complex_vector(rng: &mut SplitMix64, n: usize) -> DVector<C64> {
    DVector::from_fn(n, |_, _| C64::new(rng.normal(), rng.normal()))
}

/// The 1D Dirichlet Laplacian tridiag(−1, 2, −1) of order n as a CSR matrix.
pub fn laplacian_1d(n: usize) -> nalgebra_sparse::CsrMatrix<f64> {
    let mut t = Vec::new();
    for i in 0..n {
        t.push((i, i, 2.0));
        if i > 0 {
            t.push((i, i - 1, -1.0));
            t.push((i - 1, i, -1.0));
        }
    }
    parsimony_core::linalg::csr_from_triplets(n, n, &t).unwrap()
}
