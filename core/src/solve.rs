//! The solver convention: how every iterative solver of parsimony reports on its work.
//!
//! Every solver has the same shape (docs/ARCHITECTURE.md):
//!
//! ```text
//! Problem::new(data)?            validated once
//! Params::default().tol(..)      pub fields + setters, checked once by build()
//!       .build()?  -> Solver
//! solver.solve(&problem)?                      silent
//! solver.solve_observed(&problem, &mut obs)?   an Observer sees every iteration
//!       -> Solution { answer…, info: SolveInfo }
//! ```
//!
//! This module holds the parts that are the same for all of them:
//!
//! - [`SolveInfo`]: iterations, `converged`, a [`Status`] saying why the run stopped, the last
//!   value of the solver's stopping quantity (`stop_value`, named in each solver's doc) and the
//!   wall time. It is the field `info` of every solution.
//! - [`IterInfo`]: what a solver reports after an iteration (iteration, cost, stop value and,
//!   where users need it, a solver-specific state readable with [`IterInfo::state`]).
//! - [`Observer`]: watches a run and may stop it early ([`Control::Stop`]). Closures are
//!   observers (returning `()` or a [`Control`]); [`Every`] thins any observer, [`Recorder`]
//!   keeps a history, [`Silent`] does nothing. The progress bar lives with the plots in
//!   `parsimony-plot`, so the numeric crates build without a terminal library.
//! - [`Clock`]: starts the timer of a run and assembles its [`SolveInfo`].
//!
//! `converged` is true exactly when `status` is [`Status::Converged`]: [`SolveInfo::new`]
//! derives it, so the two can never disagree.
//!
//! One stop rule for every solver: after iteration k the solver computes its stop value,
//! calls `observe`, then stops with `Converged` if the tolerance is met (this wins over an
//! observer's stop), else with `StoppedByObserver` if the observer returned
//! [`Control::Stop`], else with `MaxIterations` at the cap.

use crate::{Error, Result};
use std::any::Any;
use std::fmt;
use std::time::Instant;

/// Why an iterative solver stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Status {
    /// The stopping quantity reached the solver's tolerance.
    Converged,
    /// The iteration cap ran out first.
    MaxIterations,
    /// No further progress was possible (a line search found no decrease, the change fell
    /// below the spacing of doubles, the error stagnated).
    Stalled,
    /// The iteration diverged (cost grew without bound).
    Diverged,
    /// A non-finite value (NaN or ±∞) appeared in the cost, the gradient or the iterate.
    NonFinite,
    /// An [`Observer`] asked the solver to stop.
    StoppedByObserver,
    /// Every candidate was pruned (sparse Bayesian learning): the estimate is zero.
    AllPruned {
        /// The Kronecker factor whose atoms were all pruned, for structured solvers.
        factor: Option<usize>,
    },
    /// The method broke down: a quantity that must be positive was not (CG's curvature
    /// ⟨p, A p⟩, its preconditioned residual ⟨r, M⁻¹ r⟩, a pivot).
    Breakdown {
        /// Which quantity.
        what: &'static str,
        /// Its value.
        value: f64,
    },
}

impl Status {
    /// True for [`Status::Converged`].
    pub fn is_converged(&self) -> bool {
        matches!(self, Status::Converged)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Converged => write!(f, "converged"),
            Status::MaxIterations => write!(f, "iteration cap reached"),
            Status::Stalled => write!(f, "stalled"),
            Status::Diverged => write!(f, "diverged"),
            Status::NonFinite => write!(f, "non-finite value"),
            Status::StoppedByObserver => write!(f, "stopped by the observer"),
            Status::AllPruned { factor: None } => write!(f, "every atom pruned"),
            Status::AllPruned { factor: Some(k) } => {
                write!(f, "every atom of factor {k} pruned")
            }
            Status::Breakdown { what, value } => write!(f, "breakdown: {what} = {value:.3e}"),
        }
    }
}

/// How an iterative solve went: the field `info` of every solution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolveInfo {
    /// Iterations performed (the unit is the solver's: EM sweeps, CG steps, Adam steps, …).
    pub iterations: usize,
    /// Whether the tolerance was met; equals `status == Status::Converged`.
    pub converged: bool,
    /// Why the run stopped.
    pub status: Status,
    /// The last value of the solver's stopping quantity (its doc names it: relative change,
    /// residual norm, gradient norm, …); NaN when no iteration computed one, and for runs that
    /// have no stopping quantity (a fixed-horizon time integration, a direct method), which
    /// report [`Status::Converged`] when they complete.
    pub stop_value: f64,
    /// Wall-clock time of the solve, in seconds.
    pub seconds: f64,
}

impl SolveInfo {
    /// Assembles the info of a finished run; `converged` is derived from `status`.
    pub fn new(iterations: usize, status: Status, stop_value: f64, seconds: f64) -> Self {
        Self {
            iterations,
            converged: status.is_converged(),
            status,
            stop_value,
            seconds,
        }
    }

    /// `Ok(())` if the run converged, else [`Error::NotConverged`] with the iterations and the
    /// stop value (for callers that want strict convergence).
    pub fn require_converged(&self) -> Result<()> {
        if self.converged {
            Ok(())
        } else {
            Err(Error::NotConverged {
                iterations: self.iterations,
                residual: self.stop_value,
            })
        }
    }
}

impl fmt::Display for SolveInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} after {} iterations (stop value {:.3e}, {:.3} s)",
            self.status, self.iterations, self.stop_value, self.seconds
        )
    }
}

/// The timer of a run: start it before the first iteration, turn it into a [`SolveInfo`] at
/// the end.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// Starts the timer.
    pub fn start() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// Seconds since [`Clock::start`].
    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// The [`SolveInfo`] of a run that stops now.
    pub fn finish(&self, iterations: usize, status: Status, stop_value: f64) -> SolveInfo {
        SolveInfo::new(iterations, status, stop_value, self.seconds())
    }
}

/// What a solver reports to its observer after an iteration.
#[derive(Clone, Copy)]
pub struct IterInfo<'a> {
    /// Iteration number, starting at 1.
    pub iteration: usize,
    /// The objective (cost, loss, negative log evidence, …); NaN if the solver has none.
    pub cost: f64,
    /// The solver's stopping quantity after this iteration (the `stop_value` of its
    /// [`SolveInfo`]).
    pub stop_value: f64,
    state: Option<&'a dyn Any>,
}

impl<'a> IterInfo<'a> {
    /// An iteration report without a solver state.
    pub fn new(iteration: usize, cost: f64, stop_value: f64) -> Self {
        Self {
            iteration,
            cost,
            stop_value,
            state: None,
        }
    }

    /// Attaches the solver's state of this iteration (its type is named in the solver's doc).
    pub fn with_state(mut self, state: &'a dyn Any) -> Self {
        self.state = Some(state);
        self
    }

    /// The solver-specific state, if the solver attached one of type `T`.
    pub fn state<T: Any>(&self) -> Option<&'a T> {
        self.state.and_then(|s| s.downcast_ref::<T>())
    }
}

impl fmt::Debug for IterInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterInfo")
            .field("iteration", &self.iteration)
            .field("cost", &self.cost)
            .field("stop_value", &self.stop_value)
            .field("has_state", &self.state.is_some())
            .finish()
    }
}

/// An observer's answer: go on, or stop the run (which then ends with
/// [`Status::StoppedByObserver`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Control {
    /// Go on iterating.
    #[default]
    Continue,
    /// Stop after this iteration.
    Stop,
}

impl From<()> for Control {
    fn from(_: ()) -> Self {
        Control::Continue
    }
}

impl From<bool> for Control {
    /// `true` means "go on", as in `while`.
    fn from(go_on: bool) -> Self {
        if go_on {
            Control::Continue
        } else {
            Control::Stop
        }
    }
}

/// Something that watches an iterative solve and may stop it.
pub trait Observer {
    /// Called after every iteration.
    fn observe(&mut self, info: &IterInfo<'_>) -> Control;
    /// Called once when the solver stops, with how it ended. Not called when the solve
    /// returns an `Err` (bad input found during the run, a failed factorisation).
    fn finish(&mut self, _info: &SolveInfo) {}
}

/// Any closure `FnMut(&IterInfo) -> R` is an observer, where `R` is `()` (never stops),
/// [`Control`] or `bool` (`true` = go on).
impl<F, R> Observer for F
where
    F: FnMut(&IterInfo<'_>) -> R,
    R: Into<Control>,
{
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        self(info).into()
    }
}

/// The observer that does nothing (what `solve` passes).
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {
    fn observe(&mut self, _: &IterInfo<'_>) -> Control {
        Control::Continue
    }
}

/// Forwards iterations n, 2n, 3n, … to the inner observer (and always `finish`).
#[derive(Clone, Debug)]
pub struct Every<O> {
    n: usize,
    inner: O,
}

impl<O: Observer> Every<O> {
    /// Forwards every `n`-th iteration (n = 0 is treated as 1).
    pub fn new(n: usize, inner: O) -> Self {
        Self { n: n.max(1), inner }
    }

    /// The wrapped observer.
    pub fn into_inner(self) -> O {
        self.inner
    }
}

impl<O: Observer> Observer for Every<O> {
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        if info.iteration.is_multiple_of(self.n) {
            self.inner.observe(info)
        } else {
            Control::Continue
        }
    }
    fn finish(&mut self, info: &SolveInfo) {
        self.inner.finish(info)
    }
}

/// One iteration as a [`Recorder`] keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IterRecord {
    /// Iteration number.
    pub iteration: usize,
    /// The cost reported.
    pub cost: f64,
    /// The stopping quantity reported.
    pub stop_value: f64,
    /// Seconds since the recorder saw its first iteration.
    pub seconds: f64,
}

/// Keeps every iteration's cost and stop value (and the time since the first), and the final
/// [`SolveInfo`].
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// The iterations seen, in order.
    pub records: Vec<IterRecord>,
    /// How the run ended (set by `finish`).
    pub info: Option<SolveInfo>,
    start: Option<Instant>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The recorded costs.
    pub fn costs(&self) -> Vec<f64> {
        self.records.iter().map(|r| r.cost).collect()
    }

    /// The recorded stop values.
    pub fn stop_values(&self) -> Vec<f64> {
        self.records.iter().map(|r| r.stop_value).collect()
    }
}

impl Observer for Recorder {
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        let start = *self.start.get_or_insert_with(Instant::now);
        self.records.push(IterRecord {
            iteration: info.iteration,
            cost: info.cost,
            stop_value: info.stop_value,
            seconds: start.elapsed().as_secs_f64(),
        });
        Control::Continue
    }
    fn finish(&mut self, info: &SolveInfo) {
        self.info = Some(*info);
    }
}

/// Stops a run after a given number of iterations (for tests and for budgets set from outside
/// the solver's parameters).
#[derive(Clone, Copy, Debug)]
pub struct StopAfter(pub usize);

impl Observer for StopAfter {
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        if info.iteration >= self.0 {
            Control::Stop
        } else {
            Control::Continue
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converged_follows_status() {
        for s in [
            Status::Converged,
            Status::MaxIterations,
            Status::Stalled,
            Status::StoppedByObserver,
            Status::AllPruned { factor: Some(1) },
        ] {
            let info = SolveInfo::new(3, s, 0.5, 0.0);
            assert_eq!(info.converged, s == Status::Converged);
            assert_eq!(info.require_converged().is_ok(), info.converged);
        }
    }

    #[test]
    fn closures_every_and_state() {
        let mut seen = Vec::new();
        {
            let mut obs = Every::new(2, |i: &IterInfo<'_>| seen.push(i.iteration));
            for k in 1..=5 {
                assert_eq!(obs.observe(&IterInfo::new(k, 0.0, 0.0)), Control::Continue);
            }
        }
        assert_eq!(seen, vec![2, 4]);
        let mut stop_at_3 = |i: &IterInfo<'_>| i.iteration < 3;
        assert_eq!(
            stop_at_3.observe(&IterInfo::new(2, 0., 0.)),
            Control::Continue
        );
        assert_eq!(stop_at_3.observe(&IterInfo::new(3, 0., 0.)), Control::Stop);
        let v = vec![1.0, 2.0];
        let info = IterInfo::new(1, 0.0, 0.0).with_state(&v);
        assert_eq!(info.state::<Vec<f64>>(), Some(&v));
        assert!(info.state::<f64>().is_none());
    }

    #[test]
    fn recorder_keeps_everything() {
        let mut r = Recorder::new();
        for k in 1..=3 {
            r.observe(&IterInfo::new(k, k as f64, 1.0 / k as f64));
        }
        r.finish(&SolveInfo::new(3, Status::Converged, 1.0 / 3.0, 0.1));
        assert_eq!(r.costs(), vec![1.0, 2.0, 3.0]);
        assert_eq!(r.info.map(|i| i.iterations), Some(3));
    }
}
