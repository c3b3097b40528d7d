//! Optimisers shared by the solvers: Adam for stochastic training (PINNs), L-BFGS for smooth
//! deterministic refinement, an Armijo backtracking line search (Newton-type methods), and
//! observers that watch an iteration without owning it.
//!
//! The split follows argmin: a *problem* is a value implementing [`Objective`] (cost and
//! gradient); a *solver* ([`AdamParams`] → [`Adam`], [`LbfgsParams`]) computes one iteration
//! from explicit state; a *driver* (`minimize`) owns the loop, the caps and the observer and
//! returns an [`OptimResult`] that says how it went (iterations, gradient norm, `converged`).

pub mod adam;
pub mod lbfgs;
pub mod linesearch;
pub mod objective;
pub mod observer;

pub use adam::{Adam, AdamParams};
pub use lbfgs::{LbfgsParams, lbfgs_minimize};
pub use linesearch::{ArmijoParams, LineSearchInfo, armijo_backtracking};
pub use objective::{Objective, OptimResult, Rosenbrock};
pub use observer::{Every, IterInfo, Observer, ProgressObserver, Silent, progress_bar};
