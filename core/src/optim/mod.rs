//! Optimisers shared by the solvers: Adam for stochastic training (PINNs), L-BFGS for smooth
//! deterministic refinement and an Armijo backtracking line search (Newton-type methods).
//!
//! The split follows argmin: a *problem* is a value implementing [`Objective`] (cost and
//! gradient); a *solver* ([`AdamParams`] → [`Adam`], [`LbfgsParams`] → [`Lbfgs`]) computes one
//! iteration from explicit state; a *driver* (`solve` / `solve_observed`) owns the loop, the
//! caps and the [`Observer`](crate::solve::Observer) and returns an [`OptimSolution`] whose
//! `info` says how it went (the convention of [`crate::solve`]).

pub mod adam;
pub mod lbfgs;
pub mod linesearch;
pub mod objective;

pub use adam::{Adam, AdamParams};
pub use lbfgs::{Lbfgs, LbfgsParams};
pub use linesearch::{ArmijoParams, LineSearchInfo, armijo_backtracking};
pub use objective::{Objective, OptimSolution, Rosenbrock};
