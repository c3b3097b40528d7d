//! # parsimony-core
//!
//! The shared core of [parsimony](https://github.com/parsimony-rs/parsimony): what two or more
//! solver families need.
//!
//! | module | holds |
//! |---|---|
//! | [`error`] | the one [`Error`] type every parsimony crate returns |
//! | [`linalg`] | nalgebra ↔ faer views, Cholesky / symmetric eigen / thin SVD / least squares, the matrix-free Kronecker operator `(A₁⊗…⊗A_I)x`, Kronecker-structured diagonals, sparse CSR, conjugate gradient |
//! | [`optim`] | Adam with step decay, L-BFGS (through argmin), Armijo backtracking, observers |
//! | [`random`] | seeded generators, Gaussian noise helpers, the portable SplitMix64 + Box–Muller stream |
//! | [`stats`] | NMSE, relative error, Gaussian credible intervals |
//! | [`plot`] | PNG figures: line plots, scatter, heat maps with a colour bar |
//!
//! Conventions: public functions take and return nalgebra `DMatrix`/`DVector` (and
//! `CsrMatrix` for sparse data); every fallible function returns [`Result`]; every random
//! choice takes a `u64` seed.

pub mod error;
pub mod io;
pub mod linalg;
pub mod optim;
pub mod plot;
pub mod random;
pub mod stats;

pub use error::{Error, Result};
pub use linalg::Scalar;

/// Complex double, the same type as nalgebra's and faer's `Complex<f64>`.
pub type C64 = num_complex::Complex<f64>;
