//! # parsimony-core
//!
//! The shared core of parsimony: what two or more
//! solver families need.
//!
//! | module | holds |
//! |---|---|
//! | [`error`] | the one [`Error`] type every parsimony crate returns |
//! | [`linalg`] | nalgebra ↔ faer views, Cholesky / symmetric eigen / thin SVD / least squares, the matrix-free Kronecker operator `(A₁⊗…⊗A_I)x`, Kronecker-structured diagonals, sparse CSR, conjugate gradient |
//! | [`memory`] | size checks: checked products of dimensions and the memory budget every allocation sized by the caller is checked against |
//! | [`optim`] | Adam with step decay, L-BFGS (through argmin), Armijo backtracking |
//! | [`solve`] | the solver convention: `SolveInfo`, `Status`, `Observer`, `IterInfo` |
//! | [`simd`] | `Real` (f32 \| f64) and runtime-dispatched element-wise maths (exp, ln, tanh) |
//! | [`random`] | seeded generators, Gaussian noise helpers, the portable SplitMix64 + Box–Muller stream |
//! | [`stats`] | NMSE, relative error, quantiles, Gaussian credible intervals |
//!
//! Figures and the progress bar live in `parsimony-plot`, so this crate (and every solver crate)
//! builds without plotters or a terminal library.
//!
//! Conventions: public functions take and return nalgebra `DMatrix`/`DVector` (and
//! `CsrMatrix` for sparse data); every fallible function returns [`Result`]; every random
//! choice takes a `u64` seed.

pub mod error;
pub mod io;
pub mod linalg;
pub mod memory;
pub mod optim;
pub mod random;
pub mod simd;
pub mod solve;
pub mod stats;

pub use error::{Error, Result};
pub use linalg::Scalar;
pub use solve::{Control, IterInfo, Observer, Silent, SolveInfo, Status};

/// Complex double, the same type as nalgebra's and faer's `Complex<f64>`.
pub type C64 = num_complex::Complex<f64>;
