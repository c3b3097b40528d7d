//! Line and scatter plots of several series, on linear or logarithmic axes.

use crate::canvas::{FONT, check_size, ensure_font, plot_err, prepare_path};
use parsimony_core::{Error, Result};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use std::path::Path;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesStyle {
    /// A polyline through the points.
    Line,
    /// A marker at every point (scatter).
    Points,
    /// Both.
    LinePoints,
    /// Separate segments: points 2k and 2k + 1 joined, thin and half transparent (e.g. the
    /// couplings of a transport plan).
    Segments,
}

#[derive(Clone, Debug)]
struct Series {
    name: String,
    x: Vec<f64>,
    y: Vec<f64>,
    style: SeriesStyle,
    color: Option<usize>,
}

/// The widest log axis a figure draws (decades); a wider one is an error, not a hang.
pub const MAX_DECADES: f64 = 200.0;

/// A line / scatter figure. Build it, add series, then [`save`](LinePlot::save) it as PNG.
///
/// On a logarithmic axis, points with a non-positive coordinate are left out (a residual that
/// reached exactly 0 cannot be drawn there); every other value must be finite.
///
/// ```no_run
/// use parsimony_plot::LinePlot;
/// let k: Vec<f64> = (1..=50).map(|k| k as f64).collect();
/// let r: Vec<f64> = k.iter().map(|k| 0.5f64.powf(*k)).collect();
/// LinePlot::new("CG residual")
///     .labels("iteration", "‖r‖")
///     .log_y(true)
///     .line("residual", &k, &r)
///     .save("out/residual.png")?;
/// # Ok::<(), parsimony_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LinePlot {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    size: (u32, u32),
    series: Vec<Series>,
}

/// Distinct, colour-blind-friendly series colours (Tableau 10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

impl LinePlot {
    /// A new, empty figure with a title (default size 900 × 600 pixels).
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            size: (900, 600),
            series: Vec::new(),
        }
    }

    /// Axis labels.
    pub fn labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Logarithmic x axis.
    pub fn log_x(mut self, yes: bool) -> Self {
        self.log_x = yes;
        self
    }

    /// Logarithmic y axis.
    pub fn log_y(mut self, yes: bool) -> Self {
        self.log_y = yes;
        self
    }

    /// Figure size in pixels (100 to 10 000 per side).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    /// Adds a series drawn in the given style.
    pub fn series(
        mut self,
        name: impl Into<String>,
        x: &[f64],
        y: &[f64],
        style: SeriesStyle,
    ) -> Self {
        self.series.push(Series {
            name: name.into(),
            x: x.to_vec(),
            y: y.to_vec(),
            style,
            color: None,
        });
        self
    }

    /// Gives the last added series colour `index` of the palette (so that, e.g., a median line
    /// and mean markers of one method share a colour). Without it series take colours in order.
    pub fn color(mut self, index: usize) -> Self {
        if let Some(s) = self.series.last_mut() {
            s.color = Some(index);
        }
        self
    }

    /// Adds a series drawn as a line.
    pub fn line(self, name: impl Into<String>, x: &[f64], y: &[f64]) -> Self {
        self.series(name, x, y, SeriesStyle::Line)
    }

    /// Adds a series drawn as markers (a scatter plot).
    pub fn points(self, name: impl Into<String>, x: &[f64], y: &[f64]) -> Self {
        self.series(name, x, y, SeriesStyle::Points)
    }

    fn visible(&self, x: f64, y: f64) -> bool {
        (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
    }

    fn validate(&self) -> Result<()> {
        check_size(self.size)?;
        if self.series.is_empty() {
            return Err(Error::invalid("series", "the figure has no series"));
        }
        for s in &self.series {
            if s.x.len() != s.y.len() {
                return Err(Error::dimension(
                    format!("y of series '{}' (length of x)", s.name),
                    s.x.len(),
                    s.y.len(),
                ));
            }
            if s.x.iter().chain(&s.y).any(|v| !v.is_finite()) {
                return Err(Error::non_finite(format!("series '{}'", s.name)));
            }
            if s.style == SeriesStyle::Segments && s.x.len() % 2 == 1 {
                return Err(Error::invalid(
                    format!("series '{}'", s.name),
                    "segments need an even number of points (two per segment)",
                ));
            }
        }
        Ok(())
    }

    /// Data range of one axis over the visible points, padded for drawing.
    fn range(&self, pick: impl Fn(&Series, usize) -> f64, log: bool) -> Result<(f64, f64)> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for s in &self.series {
            for i in 0..s.x.len() {
                if self.visible(s.x[i], s.y[i]) {
                    let v = pick(s, i);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        if !(lo <= hi) {
            return Err(Error::invalid(
                "series",
                "no point can be drawn (on a log axis every coordinate must be > 0)",
            ));
        }
        let (a, b) = if log {
            // padded in decades, so a wide range cannot overflow the ratio
            let (l0, l1) = (lo.log10(), hi.log10());
            if l1 - l0 > MAX_DECADES {
                return Err(Error::invalid(
                    "series",
                    format!(
                        "a log axis over {:.0} decades (1e{l0:.0} to 1e{l1:.0}) exceeds the {MAX_DECADES} a figure can label",
                        l1 - l0
                    ),
                ));
            }
            if hi / lo < 1.0 + 1e-12 {
                (lo / 10.0, hi * 10.0)
            } else {
                let pad = 0.03 * (l1 - l0);
                (10f64.powf(l0 - pad), 10f64.powf(l1 + pad))
            }
        } else if hi - lo <= 1e-300_f64.max(1e-12 * hi.abs()) {
            (
                lo - 1.0_f64.max(lo.abs() * 0.1),
                hi + 1.0_f64.max(hi.abs() * 0.1),
            )
        } else {
            let pad = 0.03 * (hi - lo);
            (lo - pad, hi + pad)
        };
        // the axis needs a finite range and a finite width to place its ticks
        if !(a.is_finite() && b.is_finite() && (b - a).is_finite() && a < b && (!log || a > 0.0)) {
            return Err(Error::invalid(
                "series",
                format!(
                    "the axis range [{lo:e}, {hi:e}] with its margin overflows a double: scale the data"
                ),
            ));
        }
        Ok((a, b))
    }

    /// Draws the figure into a PNG file (parent folders are created).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.validate()?;
        ensure_font()?;
        let path = path.as_ref();
        prepare_path(path)?;
        let (x0, x1) = self.range(|s, i| s.x[i], self.log_x)?;
        let (y0, y1) = self.range(|s, i| s.y[i], self.log_y)?;
        let spans = (x1 - x0, y1 - y0);
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        match (self.log_x, self.log_y) {
            (false, false) => self.render(&root, x0..x1, y0..y1, spans),
            (true, false) => self.render(&root, (x0..x1).log_scale(), y0..y1, spans),
            (false, true) => self.render(&root, x0..x1, (y0..y1).log_scale(), spans),
            (true, true) => self.render(&root, (x0..x1).log_scale(), (y0..y1).log_scale(), spans),
        }?;
        root.present().map_err(plot_err)
    }

    /// Draws into `root` on the axes `x`, `y`, whose widths are `spans` (for the tick labels).
    fn render<X, Y>(
        &self,
        root: &DrawingArea<BitMapBackend<'_>, Shift>,
        x: X,
        y: Y,
        spans: (f64, f64),
    ) -> Result<()>
    where
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 24))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x, y)
            .map_err(plot_err)?;
        let log_fmt = |v: &f64| format_log_tick(*v);
        let x_fmt = |v: &f64| format_tick(*v, spans.0);
        let y_fmt = |v: &f64| format_tick(*v, spans.1);
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 17))
            .light_line_style(RGBColor(235, 235, 235));
        if self.log_x {
            mesh.x_label_formatter(&log_fmt);
        } else {
            mesh.x_label_formatter(&x_fmt);
        }
        if self.log_y {
            mesh.y_label_formatter(&log_fmt);
        } else {
            mesh.y_label_formatter(&y_fmt);
        }
        mesh.draw().map_err(plot_err)?;

        for (k, s) in self.series.iter().enumerate() {
            let color = PALETTE[s.color.unwrap_or(k) % PALETTE.len()];
            let pts: Vec<(f64, f64)> =
                s.x.iter()
                    .zip(&s.y)
                    .map(|(&a, &b)| (a, b))
                    .filter(|&(a, b)| self.visible(a, b))
                    .collect();
            if s.style == SeriesStyle::Segments {
                let segs: Vec<Vec<(f64, f64)>> =
                    s.x.chunks_exact(2)
                        .zip(s.y.chunks_exact(2))
                        .filter(|(x, y)| self.visible(x[0], y[0]) && self.visible(x[1], y[1]))
                        .map(|(x, y)| vec![(x[0], y[0]), (x[1], y[1])])
                        .collect();
                let style = color.mix(0.5).stroke_width(1);
                chart
                    .draw_series(segs.into_iter().map(|seg| PathElement::new(seg, style)))
                    .map_err(plot_err)?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
                continue;
            }
            let line = matches!(s.style, SeriesStyle::Line | SeriesStyle::LinePoints);
            let marks = matches!(s.style, SeriesStyle::Points | SeriesStyle::LinePoints);
            if line {
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                    .map_err(plot_err)?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(2))
                    });
            }
            if marks {
                let anno = chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(plot_err)?;
                if !line {
                    anno.label(s.name.as_str())
                        .legend(move |(x, y)| Circle::new((x + 11, y), 4, color.filled()));
                }
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 15))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}

/// Tick labels on a linear axis `span` wide: plain decimals for moderate magnitudes, scientific
/// otherwise; a tick within 1e-9 of the span from zero is "0" (a rounding residue such as
/// −1.1e-16 is not a value the axis shows).
pub(crate) fn format_tick(v: f64, span: f64) -> String {
    let a = v.abs();
    if a == 0.0 || a <= 1e-9 * span.abs() {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.1e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Log-axis tick labels: powers of ten only ("1e-3"), the minor ticks stay unlabelled.
fn format_log_tick(v: f64) -> String {
    let e = v.log10();
    if (e - e.round()).abs() < 1e-9 {
        format!("1e{}", e.round() as i64)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::format_tick;

    #[test]
    fn tick_labels_round_residues_to_zero_but_keep_small_axes() {
        // a rounding residue on an axis about 1 wide is zero
        assert_eq!(format_tick(-1.1e-16, 1.1), "0");
        assert_eq!(format_tick(0.0, 1.0), "0");
        assert_eq!(format_tick(0.25, 1.0), "0.25");
        assert_eq!(format_tick(-0.1, 1.1), "-0.1");
        // on an axis 1e-11 wide, 1e-12 is a value
        assert_eq!(format_tick(1e-12, 1e-11), "1.0e-12");
        assert_eq!(format_tick(2.5e5, 1e6), "2.5e5");
    }
}
