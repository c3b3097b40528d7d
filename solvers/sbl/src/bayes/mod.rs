//! The sparse-Bayes engine behind classical SBL, ARD, the RVM and the fast RVM: one
//! posterior, four update rules, one standardisation, one result type.
//!
//! **Model.** y = A x + n, n ~ N(0, σ²I) (CN for complex data), prior x ~ N(0, diag γ) with
//! γⱼ = 1/αⱼ learnt by type-II maximum likelihood: the hyperparameters minimise the evidence
//! cost L(γ, σ²) = log|C| + yᴴC⁻¹y, C = σ²I + AΓAᴴ; most γⱼ go to 0 and prune their columns.
//!
//! | part | module | what |
//! |---|---|---|
//! | standardisation | [`standardise`] | raw, centred or z-scored data as normal equations G, b, c (from the rows in one pass, or from [`RowMoments`]) |
//! | posterior | [`posterior`] | Σ = (βAᴴA + diag α)⁻¹, μ = βΣAᴴy by the Gram route (normal equations; Cholesky or scikit-learn's pseudo-inverse) or the dense route (rows, real or complex, Woodbury when M ≤ k) |
//! | update rules | [`rules`], [`sequential`] | EM, MacKay, scikit-learn's ARD (all parallel: every αⱼ each iteration) and Tipping–Faul (one αⱼ per step) |
//! | result | [`SparseBayesFit`] | weights, posterior spread, intercept, noise, `info: SolveInfo` |
//!
//! The solvers are presets of these parts:
//!
//! | solver | route | rule | standardisation | stop value |
//! |---|---|---|---|---|
//! | [`Sbl`](crate::classical::Sbl) | dense | EM or MacKay (or ARD) | none | ‖γ⁽ʳ⁾ − γ⁽ʳ⁻¹⁾‖/‖γ⁽ʳ⁻¹⁾‖ |
//! | [`Ard`](crate::ard::Ard) | Gram, pseudo-inverse | ARD | none or centred | Σⱼ\|Δμⱼ\| |
//! | [`Rvm`](crate::rvm::Rvm) | Gram, Cholesky | MacKay | none or z-score | maxⱼ\|Δαⱼ\| |
//! | [`FastRvm`](crate::rvm_fast::FastRvm) | Gram, Cholesky | Tipping–Faul | z-score | \|Δ ln β\| |

pub mod fit;
pub mod posterior;
pub mod rules;
pub mod sequential;
pub mod standardise;

pub use fit::SparseBayesFit;
pub use posterior::Inversion;
pub use rules::{Hyperpriors, Rule};
pub use standardise::{RowMoments, Standardise};
