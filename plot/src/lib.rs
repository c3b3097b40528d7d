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
//! * [`ProgressObserver`]: an indicatif progress bar as a [`parsimony_core::solve::Observer`],
//!   drawn only when stderr is a terminal.

pub mod colormap;
pub mod heatmap;
pub mod line;
pub mod progress;

pub use colormap::Colormap;
pub use heatmap::Heatmap;
pub use line::{LinePlot, SeriesStyle};
pub use progress::{ProgressObserver, progress_bar};

use parsimony_core::{Error, Result};
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::OnceLock;

/// The font family every figure uses.
pub(crate) const FONT: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Registers the vendored font with plotters (once per process).
pub(crate) fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ]
        .into_iter()
        .all(|style| plotters::style::register_font(FONT, style, DEJAVU_SANS).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Plot(
            "the vendored DejaVu Sans font could not be loaded".into(),
        ))
    }
}

/// Creates the parent folder of `path` if needed.
pub(crate) fn prepare_path(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(())
}

/// Converts any plotters error into [`Error::Plot`].
pub(crate) fn plot_err<E: std::fmt::Display>(e: E) -> Error {
    Error::Plot(e.to_string())
}

/// Checks a figure size in pixels.
pub(crate) fn check_size(size: (u32, u32)) -> Result<()> {
    if size.0 < 100 || size.1 < 100 || size.0 > 10_000 || size.1 > 10_000 {
        return Err(Error::invalid(
            "size",
            format!("figure size must be 100..=10000 pixels per side, got {size:?}"),
        ));
    }
    Ok(())
}
