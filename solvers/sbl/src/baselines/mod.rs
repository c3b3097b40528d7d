//! The baselines the KroSBL paper compares against (He & Joseph, TSP 2024, §V):
//!
//! Each iterative baseline has the crate's solver shape (parameters checked by `build()`,
//! `solve` / `solve_observed`, a solution with `info: SolveInfo`):
//!
//! | solver | method | cost |
//! |---|---|---|
//! | [`Omp`] | orthogonal matching pursuit on a dense dictionary, stop at ‖r‖ ≤ σ√M | O(k·MN) |
//! | [`oracle_least_squares`] / [`kron_oracle_least_squares`] | least squares on the true support | O(M k²) / per factor |
//! | [`Komp`] ([`komp`]) | Kronecker OMP (Caiafa & Cichocki 2013): N-way greedy selection, LS by mode-wise pseudo-inverses | O(N Σmᵢ) per step |
//! | [`Ksbl`] | earlier Kronecker SBL: n-route E-step, one unnormalised AM sweep per EM iteration | O(Σsᵢ³ + S Σsᵢ) per iteration |
//! | [`DkroSbl`] ([`dkrosbl`]) | decomposed KroSBL (He & Joseph, SPAWC 2024): rank-1 split of the measurement tensor, one small classical SBL per factor | O(M m₁) + Σ cSBL(mᵢ × nᵢ) |
//!
//! dKroSBL is exact only when the values of x (not just its support) are a Kronecker product,
//! as in the IRS channel; it is then by far the fastest.

mod dkrosbl;
mod komp;
mod ksbl;
mod omp;
mod oracle;

pub use dkrosbl::{DkroSbl, DkroSblParams, DkroSblSolution, dkrosbl};
pub use komp::{Komp, KompParams, KompSolution, komp};
pub use ksbl::{Ksbl, KsblParams, posterior_nroute};
pub use omp::{Omp, OmpParams, OmpSolution};
pub use oracle::{kron_oracle_least_squares, oracle_least_squares, pinv};
