//! What every figure shares: the vendored font, output paths, size checks, error conversion.

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
