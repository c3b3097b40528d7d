//! Experiments: the stories behind the examples and the `parsimony` command-line tool. Each
//! takes [`Flags`](crate::output::Flags) (`--out DIR` plus its own options), prints what it
//! did and writes PNG figures and CSV/JSON results into the output folder.

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
