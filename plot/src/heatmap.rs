//! Heat maps of fields on regular grids, with a colour bar.

use crate::canvas::{FONT, check_size, ensure_font, plot_err, prepare_path};
use crate::colormap::Colormap;
use crate::line::format_tick;
use nalgebra::DMatrix;
use parsimony_core::{Error, Result};
use plotters::prelude::*;
use std::path::Path;

/// A heat map of `values[(i, j)]`: row i ↔ the i-th y value (bottom to top), column j ↔ the j-th
/// x value (left to right), on the extent [x₀, x₁] × [y₀, y₁]. For a space-time field stored
/// one snapshot per row, x is space and y is time.
///
/// Each pixel of the plotting area shows the value of the grid cell it falls in, so the cost
/// is set by the figure size, not by the grid size.
///
/// ```no_run
/// use nalgebra::DMatrix;
/// use parsimony_plot::{Colormap, Heatmap};
/// let u = DMatrix::from_fn(200, 128, |t, x| ((x as f64) * 0.1 + (t as f64) * 0.05).sin());
/// Heatmap::new("u(x, t)", &u)
///     .extent((0.0, 32.0), (0.0, 100.0))
///     .labels("x", "t")
///     .colorbar_label("u")
///     .colormap(Colormap::RedBlue)
///     .save("out/field.png")?;
/// # Ok::<(), parsimony_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Heatmap {
    title: String,
    values: DMatrix<f64>,
    x_extent: (f64, f64),
    y_extent: (f64, f64),
    x_label: String,
    y_label: String,
    colorbar_label: String,
    colormap: Colormap,
    limits: Option<(f64, f64)>,
    symmetric: bool,
    size: (u32, u32),
}

impl Heatmap {
    /// A heat map of `values` (copied) with a title; extent defaults to the index ranges.
    pub fn new(title: impl Into<String>, values: &DMatrix<f64>) -> Self {
        Self {
            title: title.into(),
            x_extent: (0.0, values.ncols() as f64),
            y_extent: (0.0, values.nrows() as f64),
            values: values.clone(),
            x_label: String::new(),
            y_label: String::new(),
            colorbar_label: String::new(),
            colormap: Colormap::default(),
            limits: None,
            symmetric: false,
            size: (1000, 650),
        }
    }

    /// The x and y extents of the grid.
    pub fn extent(mut self, x: (f64, f64), y: (f64, f64)) -> Self {
        self.x_extent = x;
        self.y_extent = y;
        self
    }

    /// Axis labels.
    pub fn labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// The label of the colour bar.
    pub fn colorbar_label(mut self, label: impl Into<String>) -> Self {
        self.colorbar_label = label.into();
        self
    }

    /// The colour map.
    pub fn colormap(mut self, map: Colormap) -> Self {
        self.colormap = map;
        self
    }

    /// Fixed colour limits (values outside are clamped); default: the data range.
    pub fn limits(mut self, lo: f64, hi: f64) -> Self {
        self.limits = Some((lo, hi));
        self
    }

    /// Centre the colour range on zero, ±max|value| (for signed fields with a diverging map).
    pub fn symmetric(mut self, yes: bool) -> Self {
        self.symmetric = yes;
        self
    }

    /// Figure size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    fn color_limits(&self) -> Result<(f64, f64)> {
        let (lo, hi) = match self.limits {
            Some(l) => l,
            None => {
                let lo = self.values.min();
                let hi = self.values.max();
                if self.symmetric {
                    let m = lo.abs().max(hi.abs());
                    (-m, m)
                } else {
                    (lo, hi)
                }
            }
        };
        if !(lo.is_finite() && hi.is_finite() && lo <= hi && (hi - lo).is_finite()) {
            return Err(Error::invalid(
                "limits",
                format!(
                    "colour limits must be finite with lo ≤ hi and a finite width, got ({lo}, {hi})"
                ),
            ));
        }
        Ok(if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        })
    }

    /// Draws the heat map and its colour bar into a PNG file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        check_size(self.size)?;
        if self.values.is_empty() {
            return Err(Error::invalid("values", "the grid is empty"));
        }
        parsimony_core::linalg::check_finite("values", self.values.as_slice())?;
        for (name, (a, b)) in [("x extent", self.x_extent), ("y extent", self.y_extent)] {
            if !(a.is_finite() && b.is_finite() && a < b && (b - a).is_finite()) {
                return Err(Error::invalid(
                    name,
                    format!("must be finite with start < end and a finite width, got ({a}, {b})"),
                ));
            }
        }
        let (lo, hi) = self.color_limits()?;
        ensure_font()?;
        let path = path.as_ref();
        prepare_path(path)?;

        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let root = root.titled(&self.title, (FONT, 24)).map_err(plot_err)?;
        let bar_width = 140;
        let (main, bar) = root.split_horizontally(self.size.0.saturating_sub(bar_width));

        // Field.
        let mut chart = ChartBuilder::on(&main)
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(
                self.x_extent.0..self.x_extent.1,
                self.y_extent.0..self.y_extent.1,
            )
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 17))
            .x_label_formatter(&|v| format_tick(*v, self.x_extent.1 - self.x_extent.0))
            .y_label_formatter(&|v| format_tick(*v, self.y_extent.1 - self.y_extent.0))
            .draw()
            .map_err(plot_err)?;
        let area = chart.plotting_area();
        let (px, py) = area.get_pixel_range();
        let (w, h) = ((px.end - px.start) as usize, (py.end - py.start) as usize);
        let pixels = area.strip_coord_spec();
        let (rows, cols) = self.values.shape();
        for qy in 0..h {
            // pixel row 0 is the top: the last grid row
            let i = ((h - 1 - qy) * rows / h).min(rows - 1);
            for qx in 0..w {
                let j = (qx * cols / w).min(cols - 1);
                let t = (self.values[(i, j)] - lo) / (hi - lo);
                pixels
                    .draw_pixel((qx as i32, qy as i32), &self.colormap.color(t))
                    .map_err(plot_err)?;
            }
        }
        // Redraw the frame over the field.
        area.draw(&Rectangle::new(
            [
                (self.x_extent.0, self.y_extent.0),
                (self.x_extent.1, self.y_extent.1),
            ],
            BLACK.stroke_width(1),
        ))
        .map_err(plot_err)?;

        // Colour bar.
        let mut cbar = ChartBuilder::on(&bar)
            .caption(self.colorbar_label.as_str(), (FONT, 17))
            .margin_top(5)
            .margin_bottom(60)
            .margin_left(10)
            .margin_right(5)
            .right_y_label_area_size(70)
            .build_cartesian_2d(0.0..1.0, lo..hi)
            .map_err(plot_err)?;
        cbar.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .label_style((FONT, 14))
            .y_label_formatter(&|v| format_tick(*v, hi - lo))
            .draw()
            .map_err(plot_err)?;
        let levels = 256;
        cbar.draw_series((0..levels).map(|k| {
            let a = lo + (hi - lo) * k as f64 / levels as f64;
            let b = lo + (hi - lo) * (k + 1) as f64 / levels as f64;
            Rectangle::new(
                [(0.0, a), (1.0, b)],
                self.colormap
                    .color((k as f64 + 0.5) / levels as f64)
                    .filled(),
            )
        }))
        .map_err(plot_err)?;
        cbar.plotting_area()
            .draw(&Rectangle::new(
                [(0.0, lo), (1.0, hi)],
                BLACK.stroke_width(1),
            ))
            .map_err(plot_err)?;
        root.present().map_err(plot_err)
    }
}
