//! # parsimony-flame: 1D laminar premixed flames
//!
//! The freely-propagating premixed flame of FlamePINN-1D (Wu et al.), Case 1: one-step
//! Arrhenius chemistry, unity Lewis number, constant properties, and the laminar flame speed
//! s_L as an eigenvalue.
//!
//! * [`data`]: observations, misfit weights, the normalisation scales and grids, shared by the
//!   classical and the PINN inverse;
//! * [`model`]: the Case 1 model, its constants and operating conditions;
//! * [`physics`]: the Case 1 physics written once — u(T), ρ(T), Y_F(T), ω(T; s_L) and their
//!   derivatives as point kernels and vectorised slice kernels, used by every solver below;
//! * [`reference`](mod@reference): finite differences + damped Newton with s_L as an extra unknown (bordered
//!   tridiagonal system), second order in the grid spacing, with Richardson extrapolation;
//! * [`shooting`]: the independent cross-check of s_L by RK4 shooting and bisection;
//! * [`inverse_fd`]: the classical inverse — λ, E_a and G (so s_L) by Levenberg–Marquardt
//!   least squares of the finite-difference flame against the observations, with standard
//!   errors: what the data can fix at all;
//! * [`mlp`]: the PINN engine, a tanh MLP with value, first and second input derivatives as
//!   stacked Taylor streams (one GEMM per layer) and a hand-written adjoint for the exact
//!   gradient with respect to the weights, in `f64` or `f32` (`parsimony_core::simd::Real`, whose
//!   branch-free tanh, e^x and ln x and runtime SIMD dispatch the kernels use);
//! * [`loss`]: the normalised Case 1 losses (forward and inverse) and their gradients with
//!   respect to the network and the physical unknowns (s_L, λ, E_a);
//! * [`train`]: the paper's recipes (Z-shape warm-up, Adam with step decay, best-loss
//!   checkpoint, optional L-BFGS polish): [`train::PinnProblem`] → [`train::PinnParams`] →
//!   [`train::Pinn::solve`].
//!
//! Every iterative solver has parsimony's shape (`parsimony_core::solve`): a validated problem
//! ([`reference::FdProblem`], [`FlameModel`](model::FlameModel) for shooting,
//! [`inverse_fd::FdInverseProblem`], [`train::PinnProblem`]), parameters checked once by
//! `build()`, `solve` / `solve_observed`, and a solution with `info: SolveInfo`:
//!
//! | solver | Problem | Params → solver | Solution | `stop_value` |
//! |---|---|---|---|---|
//! | FD Newton | `FdProblem` | `NewtonParams` → `FdSolver` | `FdSolution` | last relative update max(\|δT\|/T_max, \|δs\|/s) |
//! | shooting | `FlameModel` | `ShootingParams` → `Shooting` | `ShootingSolution` | final bracket width (m/s) |
//! | classical inverse | `FdInverseProblem` | `FdInverseParams` → `FdInverseSolver` | `FdInverse` | largest step in ln θ |
//! | PINN | `PinnProblem` | `PinnParams` → `Pinn` | `PinnSolution` | ‖∇L‖₂ at the last Adam step |
//!
//! Layers (dependencies point down, no module imports one that imports it back):
//! `train` → `loss` → `pointwise` → `physics` → `model`; `mlp` (the network) beside them;
//! `inverse_fd` → `reference`, `shooting` → `physics`; `data` (observations, scaling, grids)
//! below both inverses; the SIMD maths in `parsimony_core::simd`.
//!
//! # The PINN problem
//! Find a network N(x̂) and s_L such that T(x) = T_in + (T_max − T_in) σ(N(10x/L)) satisfies
//! m c_p T' − λ T'' − q_F ω(T; s_L) = 0 at N collocation points and T(0) = T_in, T'(0) = G,
//! in the least-squares sense of [`loss`]; inverse: λ, E_a and s_L unknown, noisy observations
//! of T and u instead of the inlet conditions. Cost per Adam step: one loss + gradient, about
//! 18 N w² flops per hidden-to-hidden layer of width w (six 3N × w × w GEMMs for the 3 × 64
//! network, which has two) plus N w tanh per hidden layer. Paper: J. Wu, S. Zhang, Y. Wu, G. Zhang, X. Li, H. Zhang, "FlamePINN-1D:
//! Physics-informed neural networks to solve forward and inverse problems of 1D laminar
//! flames", Combustion and Flame (2025), arXiv 2406.09071.

pub mod data;
pub mod inverse_fd;
pub mod loss;
pub mod mlp;
pub mod model;
pub mod physics;
mod pointwise;
pub mod reference;
pub mod shooting;
pub mod train;
