//! Kronecker-structured sparse Bayesian learning (KroSBL; He & Joseph, IEEE TSP 2024,
//! arXiv 2307.14719).
//!
//! **Problem.** y = (H₁ ⊗ … ⊗ H_I) x + n with Hᵢ ∈ F^{mᵢ×nᵢ} (F = ℝ or ℂ), N = ∏nᵢ unknowns,
//! M = ∏mᵢ < N measurements and white noise of variance σ². The prior is hierarchical:
//! x ~ N(0, Γ), Γ = diag(γ₁ ⊗ … ⊗ γ_I), so the support of x is Kronecker-structured. The
//! hyperparameters minimise the type-II (evidence) cost L(γ) = log|C| + yᴴC⁻¹y,
//! C = σ²I + HΓHᴴ, over Kronecker-structured γ, by expectation–maximisation.
//!
//! **Algorithm.** Each EM iteration prunes factor entries below a relative (and absolute)
//! threshold, runs the [E-step](estep) (posterior mean μ and variances diag Σ without
//! forming H, through per-factor eigendecompositions and multi-mode products), optionally
//! updates σ² (EM rule), and fits γ to d = diag Σ + |μ|² with the [M-step](mstep): exactly by
//! alternating minimisation (AM-KroSBL) or approximately by successive rank-1 SVDs
//! (SVD-KroSBL). It stops when ‖⊗γ⁽ʳ⁾ − ⊗γ⁽ʳ⁻¹⁾‖/‖⊗γ⁽ʳ⁻¹⁾‖ ≤ tol and returns the posterior
//! mean of a final E-step, zero-padded to length N. [`KroSbl::solve_observed`] shows an
//! observer every iteration (cost = evidence, stop value = the relative change of ⊗γ) with a
//! [`KroSblState`] (the iteration's posterior mean and active sets) attached.
//!
//! **Cost** per EM iteration with S = ∏sᵢ active columns: E-step O(Σ(mᵢ²sᵢ + mᵢ³) + S·Σmᵢ),
//! AM O(I·S) per sweep, SVD O(S) per power step; memory O(N + M + Σmᵢnᵢ). A dense SBL
//! E-step costs O(M²N), and forming H alone O(MN) memory.
//!
//! ```
//! use parsimony_sbl::generator::{make_problem, SignalKind};
//! use parsimony_sbl::kron::{KronProblem, KroSblParams, Method, Noise};
//!
//! let p = make_problem(1, &[10, 10, 10], &[8, 8, 8], &[2, 2, 2], 40.0, SignalKind::Bounded)?;
//! let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
//! let sol = KroSblParams::new(Method::Svd)
//!     .noise(Noise::Known(p.noise_variance))
//!     .build()?
//!     .solve(&problem)?;
//! assert!(sol.info.converged);
//! assert_eq!(sol.active, p.supports);
//! # Ok::<(), parsimony_core::Error>(())
//! ```

pub mod estep;
pub mod mstep;
pub mod params;
pub mod problem;
pub mod solver;
mod tensor;

pub use estep::Route;
pub use params::{Init, KroSblParams, Method, Noise, SvdSolver};
pub use parsimony_core::solve::Status;
pub use problem::KronProblem;
pub use solver::{IterRecord, KroSbl, KroSblSolution, KroSblState};
pub(crate) use solver::{prune_factors, scatter_active};
