//! # parsimony
//!
//! Sparse recovery and physics-informed models in Rust: one workspace, several solver
//! families over one shared core.
//!
//! | solver family | crate | status |
//! |---|---|---|
//! | shared core: linear algebra, Kronecker operators, CG, optimisers, random numbers, the solver convention, SIMD maths | `parsimony-core` | available |
//! | figures (PNG) and progress bars | `parsimony-plot` | available |
//! | sparse Bayesian learning (classical SBL, ARD, RVM, Kronecker-structured SBL, IRS-MIMO) | `parsimony-sbl` | available |
//! | MEDIDA model-error discovery on Kuramoto–Sivashinsky (ETDRK4, CNAB2, libraries, EnKF, RVM) | `parsimony-medida` | available |
//! | entropic optimal transport (log-domain Sinkhorn, Sinkhorn–Newton–Sparse, W1/W2) | `parsimony-ot` | available |
//! | fast Walsh–Hadamard transform, SPRIGHT sparse WHT (noiseless, robust, low-degree black box), Shapley/Banzhaf/Möbius | `parsimony-wht` | available |
//! | sparse Walsh–Hadamard transform (SPRIGHT) | `parsimony-wht` | planned |
//! | physics-informed neural networks for 1D flames (FlamePINN-1D Case 1, FD reference) | `parsimony-flame` | available |
//!
//! This crate is the facade: it re-exports the core's modules at the top level
//! (`parsimony::linalg`, `parsimony::optim`, …) and each solver crate under its own name, behind
//! a cargo feature of that name (all on by default).
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use parsimony::linalg::KroneckerOperator;
//!
//! // (A ⊗ B) x without forming the 6 × 6 product
//! let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
//! let b = DMatrix::from_row_slice(3, 3, &[1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0]);
//! let op = KroneckerOperator::new(vec![a, b])?;
//! let y = op.apply(&DVector::from_element(6, 1.0))?;
//! assert_eq!(y.as_slice(), &[3.0, 6.0, 9.0, 7.0, 14.0, 21.0]);
//! # Ok::<(), parsimony::Error>(())
//! ```

pub use parsimony_core::{
    C64, Error, Result, Scalar, error, io, linalg, memory, optim, random, simd, solve, stats,
};

/// PNG figures and the progress bar (crate `parsimony-plot`).
pub use parsimony_plot as plot;

pub mod output;

/// Runnable experiments (the examples and the `parsimony` tool call these); each is compiled
/// with the feature of its solver family, so a flame-only build keeps the flame experiments.
pub mod experiments;

/// Kuramoto–Sivashinsky solvers, candidate libraries, the EnKF, MEDIDA and PDE discovery
/// (crate `parsimony-medida`).
#[cfg(feature = "medida")]
pub use parsimony_medida as medida;

/// 1D laminar premixed flames: FlamePINN-1D Case 1 PINNs (forward and inverse) and the
/// finite-difference reference solver (crate `parsimony-flame`).
#[cfg(feature = "flame")]
pub use parsimony_flame as flame;

/// Entropic optimal transport: log-domain Sinkhorn, Sinkhorn–Newton–Sparse, exact W1/W2 on
/// the line (crate `parsimony-ot`).
#[cfg(feature = "ot")]
pub use parsimony_ot as ot;

/// The fast Walsh–Hadamard transform and SPRIGHT, the sparse WHT from few samples of a
/// signal or a black-box function (crate `parsimony-wht`).
#[cfg(feature = "wht")]
pub use parsimony_wht as wht;

/// Sparse Bayesian learning (crate `parsimony-sbl`).
#[cfg(feature = "sbl")]
pub use parsimony_sbl as sbl;

/// The README's code blocks, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
