//! Summaries the experiments share: mean, median and the median/mean figure of a sweep.

/// Median of a sample ([`crate::stats::median`]), NaN for an empty sample or one with a
/// non-finite value.
pub(crate) fn median(v: &[f64]) -> f64 {
    crate::stats::median(v).unwrap_or(f64::NAN)
}

/// Arithmetic mean (NaN for an empty sample).
pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Adds, per method, its median curve (line and markers) and its mean (markers) in one colour.
/// `curves[k]` holds (x, median, mean) points of method k; methods without points are skipped.
pub(crate) fn median_mean_plot(
    mut plot: crate::plot::LinePlot,
    methods: &[&str],
    curves: &[Vec<(f64, f64, f64)>],
) -> crate::plot::LinePlot {
    use crate::plot::SeriesStyle;
    for (k, c) in curves.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
        let x: Vec<f64> = c.iter().map(|t| t.0).collect();
        let med: Vec<f64> = c.iter().map(|t| t.1).collect();
        let avg: Vec<f64> = c.iter().map(|t| t.2).collect();
        plot = plot
            .series(
                format!("{} median", methods[k]),
                &x,
                &med,
                SeriesStyle::LinePoints,
            )
            .color(k)
            .series(
                format!("{} mean", methods[k]),
                &x,
                &avg,
                SeriesStyle::Points,
            )
            .color(k);
    }
    plot
}
