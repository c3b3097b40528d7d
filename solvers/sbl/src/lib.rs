//! # parsimony-sbl: sparse Bayesian learning
//!
//! Sparse recovery of x from y = Hx + n by sparse Bayesian learning (SBL): a Gaussian prior
//! x ~ N(0, diag γ) whose variances γ are learnt by maximising the evidence p(y | γ, σ²);
//! most γⱼ go to zero and prune their columns.
//!
//! * [`kron`]: Kronecker-structured SBL for H = H₁ ⊗ … ⊗ H_I (AM-, SVD- and PC-KroSBL; He & Joseph,
//!   "Bayesian Algorithms for Kronecker-structured Sparse Vector Recovery With Application to
//!   IRS-MIMO Channel Estimation", IEEE TSP 2024), real or complex, never forming H.
//! * [`bayes`]: the sparse-Bayes engine (one posterior, the EM / MacKay / ARD / Tipping–Faul
//!   rules, one standardisation, one result type [`SparseBayesFit`]), with its presets
//!   [`classical`] (classical SBL on a dense, real or complex dictionary; EM and MacKay
//!   updates, Woodbury when M < N, known or learnt noise), [`ard`] (scikit-learn's
//!   ARDRegression exactly), [`rvm`] (the relevance vector machine as MEDIDA uses it:
//!   standardisation, Gram matrix precomputed, threshold presets) and [`rvm_fast`] (the fast
//!   sequential Tipping–Faul algorithm), all on a [`Regression`] problem.
//! * [`irs`]: the IRS-aided MIMO channel-estimation model (a complex Kronecker dictionary).
//! * [`baselines`]: OMP, oracle least squares, Kronecker OMP, KSBL and dKroSBL.
//! * [`generator`]: the portable problem generator of the reference cases.
//!
//! Conventions: row-major tensorisation (`x[j] ↔ X[j₁, …, j_I]`, last index fastest, the order
//! of `kron(H₁, …, H_I) x`); complex noise is circular, CN(0, σ²) with σ² the total variance
//! per entry; NMSE = ‖x̂ − x‖²/‖x‖² ([`parsimony_core::stats::nmse`]).

pub mod ard;
pub mod baselines;
pub mod bayes;
pub mod classical;
pub mod generator;
pub mod irs;
pub mod kron;
pub mod nnls;
pub mod noise;
pub mod regression;
pub mod rvm;
pub mod rvm_fast;

pub use bayes::SparseBayesFit;
pub use noise::Noise;
pub use regression::Regression;
