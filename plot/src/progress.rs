//! The progress bar: an indicatif bar that is also an [`Observer`], drawn on stderr only when
//! it is a terminal (logs and CI output stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parsimony_core::solve::{Control, IterInfo, Observer, SolveInfo};

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

/// A progress bar showing iteration, cost and stop value; never stops a run.
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
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        self.bar.set_position(info.iteration as u64);
        if info.iteration.is_multiple_of(16) || info.iteration == 1 {
            self.bar.set_message(format!(
                "cost {:.4e} stop {:.2e}",
                info.cost, info.stop_value
            ));
        }
        Control::Continue
    }
    fn finish(&mut self, _info: &SolveInfo) {
        self.bar.finish_and_clear();
    }
}
