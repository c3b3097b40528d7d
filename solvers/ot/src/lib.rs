//! # parsimony-ot
//!
//! Entropic optimal transport between discrete measures. Given a cost C (n × m) and weights
//! a ∈ ℝⁿ₊, b ∈ ℝᵐ₊ of equal mass, the entropic problem with regularisation ε > 0 is
//!
//! ```text
//! min_P ⟨C, P⟩ + ε Σᵢⱼ Pᵢⱼ log Pᵢⱼ   s.t.  P 1 = a,  Pᵀ 1 = b,  P ≥ 0,
//! ```
//!
//! (POT's objective; Tang et al. write η = 1/ε). Its solution is Pᵢⱼ = exp((fᵢ + gⱼ − Cᵢⱼ)/ε)
//! for the maximisers (f, g) of the concave dual
//! D(f, g) = ⟨a, f⟩ + ⟨b, g⟩ − ε Σ Pᵢⱼ + ε·mass, and at the optimum D equals the objective.
//! As ε → 0 the transport cost ⟨C, P⟩ decreases to the exact optimal-transport cost.
//!
//! | solver | module | what it does | cost per iteration |
//! |---|---|---|---|
//! | [`Sinkhorn`] | [`sinkhorn`] | log-domain Sinkhorn (max-stabilised; ε-scaling optional; dense or on-the-fly cost; threads) | 2nm exp |
//! | [`Sns`] | [`newton`] | Sinkhorn–Newton–Sparse (Tang et al., ICLR 2024): a Sinkhorn warm start, then Newton–CG on the dual with a line search; exact (matrix-free) or sparsified Hessian | nm exp per trial + 2nm (exact) or 2 nnz (sparse) per CG step |
//!
//! and [`wasserstein`]: the exact W₁ and W₂² on the line (CDF and quantile formulas), [`cases`]:
//! the shared reference problems. Every solve returns an [`OtSolution`]: potentials (in the gauge
//! Σ a f = Σ b g), the plan when asked, ⟨C, P⟩, the objective, the dual value, the L1 and L2
//! marginal errors, iterations per stage and `info` with the reason for stopping.
//!
//! Which to use: Sinkhorn for moderate accuracy (L1 error ~1e-6) or when n is too large to
//! store a plan (an on-the-fly cost keeps memory O((n + m) d)); SNS for high accuracy (1e-9
//! and below) and small ε, where Sinkhorn needs thousands of iterations and Newton converges
//! super-linearly in tens. SNS stores the plan (16nm bytes).
//!
//! ```
//! use nalgebra::DMatrix;
//! use parsimony_ot::{OtProblem, SnsParams};
//!
//! // two points to two points: the cheap coupling is the diagonal
//! let c = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
//! let problem = OtProblem::new(&c, &[0.5, 0.5], &[0.5, 0.5])?;
//! let sol = SnsParams::new(0.01).plan(true).build()?.solve(&problem)?;
//! assert!(sol.info.converged);
//! assert!(sol.transport_cost < 1e-20);
//! # Ok::<(), parsimony_core::Error>(())
//! ```

pub mod cases;
mod engine;
mod kernels;
pub mod newton;
pub mod problem;
pub mod sinkhorn;
pub mod solution;
mod sparse;
pub mod wasserstein;

pub use newton::{Hessian, Sns, SnsParams};
pub use problem::{Metric, OtProblem};
pub use sinkhorn::{EpsScaling, Sinkhorn, SinkhornParams, WarmStart};
pub use solution::OtSolution;
