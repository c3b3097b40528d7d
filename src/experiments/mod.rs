//! Experiments: the stories behind the examples and the `parsimony` command-line tool. Each
//! takes [`Flags`](crate::output::Flags) (`--out DIR` plus its own options), prints what it
//! did and writes PNG figures and CSV/JSON results into the output folder.

#[cfg(feature = "flame")]
pub mod flame_pinn;
#[cfg(feature = "medida")]
pub mod ks_discovery;
#[cfg(feature = "medida")]
pub mod ks_medida;
pub mod sbl_convergence;
pub mod sbl_irs;
pub mod sbl_synthetic;

/// Median of a sample (NaN for an empty one).
pub(crate) fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
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
