//! # parsimony-plot
//!
//! What a run shows to a person, kept out of the numeric crates so that a solver crate builds
//! without plotters, a font or a terminal library:
//!
//! * PNG figures with plotters: one builder per figure, one `save` call, a `Result` back.
//!
//! * [`LinePlot`]: several series as lines and/or markers, linear or logarithmic axes, a
//!   legend; with markers only it is a scatter plot ([`LinePlot::points`]).
//! * [`Heatmap`]: a field sampled on a regular grid (the Kuramoto–Sivashinsky space-time
//!   picture), with a colour bar and a choice of [`Colormap`].
//!
//! Text is drawn with DejaVu Sans, vendored in `plot/assets/fonts` (licence beside it) and
//! registered once with plotters' `ab_glyph` backend, so figures need no system fonts.
//! Files are written with the bitmap backend; missing parent folders are created.
//! * [`show_png`]: a PNG file shown inline in a notebook run by the evcxr Rust kernel.
//! * [`ProgressObserver`]: an indicatif progress bar as a [`parsimony_core::solve::Observer`],
//!   drawn only when stderr is a terminal.

pub mod canvas;
pub mod colormap;
pub mod heatmap;
pub mod line;
pub mod notebook;
pub mod progress;

pub use colormap::Colormap;
pub use heatmap::Heatmap;
pub use line::{LinePlot, MAX_DECADES, SeriesStyle};
pub use notebook::show_png;
pub use progress::{ProgressObserver, progress_bar};
