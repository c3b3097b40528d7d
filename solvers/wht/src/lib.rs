//! # parsimony-wht
//!
//! The Walsh–Hadamard transform of a signal x on the Boolean cube F₂ⁿ (N = 2ⁿ), in the
//! "Boolean Fourier" convention
//!
//! ```text
//! x[m] = Σₖ X[k] (−1)^⟨m,k⟩,    X[k] = (1/N) Σₘ x[m] (−1)^⟨m,k⟩,    ⟨m,k⟩ = popcount(m & k) mod 2,
//! ```
//!
//! computed in full by [`fwht()`] (N log₂N additions, in place), or, when X is K-sparse, by
//! SPRIGHT ([`spright`]; Li, Bradley, Pawar & Ramchandran, arXiv 1508.06336) from O(K log N)
//! samples of x in O(K log² N) time, with noise, and from a black-box function of n bits that
//! is never materialised.
//!
//! | item | module | what it does | cost |
//! |---|---|---|---|
//! | [`fwht()`], [`fwht_scaled`] | [`fwht`](mod@fwht) | in-place transform of `&mut [f64]` / `&mut [f32]`, natural order; raw, orthonormal or 1/N; [`sequency_order`] | N log₂N adds, a few passes over memory |
//! | [`Spright`] ([`SprightParams`]) | [`spright`] | the K-sparse spectrum from an [`Oracle`]: noiseless, robust (noise) or low-degree ([`Mode`]); a report of queries, rounds, unresolved bins, noise | C·P·2ᵇ samples, 2ᵇ ≈ K |
//! | [`Oracle`], [`SliceOracle`], [`FnOracle`] | [`oracle`] | where samples come from: batched, fallible; a materialised signal; a closure | |
//! | [`BitIndex`]: `u64`, [`Wide`] | [`bits`] | indices of n ≤ 63 bits, or of hundreds | |
//! | [`bch::Bch`] | [`bch`] | the BCH syndrome code of the low-degree mode | |
//! | [`interactions`] | [`interactions`] | Möbius coefficients, Shapley and Banzhaf values from a spectrum, and back | O(K n) |
//! | [`cases`] | [`cases`] | the spec's portable reference signals | |
//!
//! ```
//! use parsimony_wht::{FnOracle, SprightParams};
//!
//! // x[m] = 3 − 2·(−1)^⟨m, 0b1011⟩ over n = 16 bits, learnt from a closure
//! let f = |m: u64| 3.0 - 2.0 * if (m & 0b1011).count_ones() % 2 == 1 { -1.0 } else { 1.0 };
//! let sol = SprightParams::new(2).build()?.recover(&mut FnOracle::new(16, f)?)?;
//! assert_eq!(sol.coefficients, vec![(0, 3.0), (0b1011, -2.0)]);
//! assert!(sol.info.converged && sol.report.queries < 1 << 16);
//! # Ok::<(), parsimony_core::Error>(())
//! ```
pub mod bch;
pub mod bits;
pub mod cases;
pub mod design;
pub mod fwht;
pub mod interactions;
pub mod oracle;
pub mod spright;

pub use bits::{BitIndex, Wide};
pub use fwht::{Sample, Scaling, fwht, fwht_scaled, sequency_order};
pub use oracle::{FnOracle, Oracle, SliceOracle};
pub use spright::{Mode, SparseSpectrum, Spright, SprightParams, SprightReport, Target};
