//! # parsimony-flame: 1D laminar premixed flames (in progress)
//!
//! The freely-propagating premixed flame of FlamePINN-1D (Wu et al.), Case 1: one-step
//! Arrhenius chemistry, unity Lewis number, constant properties, and the laminar flame speed
//! s_L as an eigenvalue. So far the crate holds the classical reference solver:
//!
//! * [`model`]: the Case 1 model (closures u(T), ρ(T), Y_F(T), ω(T; s_L) and its derivatives);
//! * [`reference`](mod@reference): finite differences + damped Newton with s_L as an extra unknown (bordered
//!   tridiagonal system), second order in the grid spacing, with Richardson extrapolation;
//! * [`shooting`]: the independent cross-check of s_L by RK4 shooting and bisection.
//!
//! The physics-informed neural networks (forward and inverse) come next.

pub mod model;
pub mod reference;
pub mod shooting;
