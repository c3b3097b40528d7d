//! Observers: watch an iteration (print, draw a progress bar, record) without owning the loop.
//!
//! Every iterative solver in parsimony reports an [`IterInfo`] per iteration to an
//! [`Observer`]. Tests pass [`Silent`]; examples pass a [`ProgressObserver`] (an indicatif bar,
//! drawn only when stderr is a terminal) or a closure; [`Every`] thins any observer to every
//! n-th iteration.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The project's progress bar: `label [=====>    ] pos/len message (elapsed)` on stderr, drawn
/// only when stderr is a terminal.
pub fn progress_bar(label: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// What an iterative solver reports after an iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IterInfo {
    /// Iteration number, starting at 1.
    pub iteration: usize,
    /// The objective (cost, loss, negative log evidence, …); NaN if the solver has none.
    pub cost: f64,
    /// The solver's stopping quantity (gradient norm, relative change, marginal error, …).
    pub residual: f64,
}

/// Something that watches an iteration.
pub trait Observer {
    /// Called after every iteration.
    fn observe(&mut self, info: &IterInfo);
    /// Called once when the solver stops.
    fn finish(&mut self) {}
}

/// Any `FnMut(&IterInfo)` is an observer.
impl<F: FnMut(&IterInfo)> Observer for F {
    fn observe(&mut self, info: &IterInfo) {
        self(info)
    }
}

/// The observer that does nothing (for tests and library calls).
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {
    fn observe(&mut self, _: &IterInfo) {}
}

/// Forwards every n-th iteration to the inner observer.
#[derive(Clone, Debug)]
pub struct Every<O> {
    n: usize,
    inner: O,
}

impl<O: Observer> Every<O> {
    /// Forwards iterations n, 2n, 3n, … (n = 0 is treated as 1).
    pub fn new(n: usize, inner: O) -> Self {
        Self { n: n.max(1), inner }
    }
}

impl<O: Observer> Observer for Every<O> {
    fn observe(&mut self, info: &IterInfo) {
        if info.iteration.is_multiple_of(self.n) {
            self.inner.observe(info);
        }
    }
    fn finish(&mut self) {
        self.inner.finish()
    }
}

/// An indicatif progress bar showing iteration, cost and residual.
///
/// Drawn on stderr only when it is a terminal, so logs and CI output stay clean.
pub struct ProgressObserver {
    bar: ProgressBar,
}

impl ProgressObserver {
    /// A bar for at most `total` iterations, labelled `label`.
    pub fn new(label: &str, total: u64) -> Self {
        Self {
            bar: progress_bar(label, total),
        }
    }

    /// The underlying bar (e.g. to drive it by hand over trials).
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }
}

impl Observer for ProgressObserver {
    fn observe(&mut self, info: &IterInfo) {
        self.bar.set_position(info.iteration as u64);
        if info.iteration.is_multiple_of(16) || info.iteration == 1 {
            self.bar
                .set_message(format!("cost {:.4e} res {:.2e}", info.cost, info.residual));
        }
    }
    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}
