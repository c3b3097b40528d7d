//! # parsimony-flame: 1D laminar premixed flames
//!
//! The freely-propagating premixed flame of FlamePINN-1D (Wu et al.), Case 1: one-step
//! Arrhenius chemistry, unity Lewis number, constant properties, and the laminar flame speed
//! s_L as an eigenvalue.
//!
//! * [`model`]: the Case 1 model (closures u(T), ρ(T), Y_F(T), ω(T; s_L) and its derivatives);
//! * [`reference`](mod@reference): finite differences + damped Newton with s_L as an extra unknown (bordered
//!   tridiagonal system), second order in the grid spacing, with Richardson extrapolation;
//! * [`shooting`]: the independent cross-check of s_L by RK4 shooting and bisection;
//! * [`mlp`]: the PINN engine, a tanh MLP with value, first and second input derivatives as
//!   stacked Taylor streams (one GEMM per layer) and a hand-written adjoint for the exact
//!   gradient with respect to the weights, in `f64` or `f32` ([`real`]);
//! * [`loss`]: the normalised Case 1 losses (forward and inverse) and their gradients with
//!   respect to the network and the physical unknowns (s_L, λ, E_a).

pub mod loss;
pub mod mlp;
pub mod model;
pub mod real;
pub mod reference;
pub mod shooting;
pub mod train;
