//! Accuracy metrics and Gaussian intervals shared by the solvers.
//!
//! * Normalised mean squared error NMSE(x̂, x) = ‖x̂ − x‖₂² / ‖x‖₂² (sparse recovery, WHT).
//! * Relative error ‖x̂ − x‖₂ / ‖x‖₂.
//! * Central Gaussian interval: for a posterior N(μ, s²) and level p, [μ − z s, μ + z s] with
//!   z = Φ⁻¹((1 + p)/2) (statrs' inverse normal CDF), e.g. z ≈ 1.95996 at p = 0.95: the
//!   "coefficient ± interval" that Bayesian solvers (RVM, SBL) report.
//! * Sample quantiles by linear interpolation between order statistics (NumPy's default
//!   method): with the sorted sample x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎ and h = (n − 1) q, the q-quantile is
//!   x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋₊₁₎ − x₍⌊h⌋₎); the median is q = ½.

use crate::error::check_len;
use crate::linalg::{Scalar, check_finite};
use crate::{Error, Result};
use statrs::distribution::{ContinuousCDF, Normal};

/// NMSE(x̂, x) = ‖x̂ − x‖² / ‖x‖². Errors if lengths differ, values are non-finite or x = 0.
pub fn nmse<T: Scalar>(estimate: &[T], truth: &[T]) -> Result<f64> {
    check_len(
        "length of estimate (length of truth)",
        truth.len(),
        estimate.len(),
    )?;
    check_finite("estimate", estimate)?;
    check_finite("truth", truth)?;
    let den: f64 = truth.iter().map(|t| t.modulus2()).sum();
    if den == 0.0 {
        return Err(Error::invalid(
            "truth",
            "is the zero vector: NMSE is undefined",
        ));
    }
    let num: f64 = estimate
        .iter()
        .zip(truth)
        .map(|(e, t)| (*e - *t).modulus2())
        .sum();
    Ok(num / den)
}

/// Relative error ‖x̂ − x‖ / ‖x‖ = √NMSE.
pub fn relative_error<T: Scalar>(estimate: &[T], truth: &[T]) -> Result<f64> {
    nmse(estimate, truth).map(f64::sqrt)
}

/// The central interval holding probability `level` of N(mean, std²).
///
/// Errors: `level` outside (0, 1), `std` negative or non-finite, `mean` non-finite.
pub fn gaussian_interval(mean: f64, std: f64, level: f64) -> Result<(f64, f64)> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::invalid(
            "level",
            format!("must lie in (0, 1), got {level}"),
        ));
    }
    if !(std.is_finite() && std >= 0.0) {
        return Err(Error::invalid(
            "std",
            format!("must be finite and ≥ 0, got {std}"),
        ));
    }
    if !mean.is_finite() {
        return Err(Error::non_finite("mean"));
    }
    let z = Normal::standard().inverse_cdf(0.5 * (1.0 + level));
    Ok((mean - z * std, mean + z * std))
}

/// The q-quantile of a sample by linear interpolation between order statistics (NumPy's
/// default, `np.quantile(v, q)`). Sorts a copy: O(n log n).
///
/// Errors: an empty sample, a non-finite value, `q` outside [0, 1].
pub fn quantile(v: &[f64], q: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&q) {
        return Err(Error::invalid("q", format!("must lie in [0, 1], got {q}")));
    }
    if v.is_empty() {
        return Err(Error::invalid("sample", "is empty"));
    }
    crate::linalg::check_finite("sample", v)?;
    let mut s = v.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    let h = (s.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    let (a, b, t) = (s[lo], s[hi], h - lo as f64);
    // NumPy's _lerp: from the nearer end, so that the result rounds as np.quantile's
    Ok(if t < 0.5 {
        a + (b - a) * t
    } else {
        b - (b - a) * (1.0 - t)
    })
}

/// The sample median, [`quantile`] at ½ (the mean of the two middle values for even n).
///
/// Errors: an empty sample or a non-finite value.
pub fn median(v: &[f64]) -> Result<f64> {
    quantile(v, 0.5)
}
