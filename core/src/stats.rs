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
//! * Running moments ([`RunningMoments`]): count n, mean x̄ and M₂ = Σ(x − x̄)² of a stream,
//!   updated by Welford's recurrence one value at a time (δ = x − x̄, x̄ += δ/n,
//!   M₂ += δ(x − x̄)), by a two-pass sum for a whole slice, and merged by Chan, Golub & LeVeque's
//!   rule (n = nₐ + n_b, δ = x̄_b − x̄ₐ, x̄ = x̄ₐ + δ n_b/n, M₂ = M₂ₐ + M₂_b + δ² nₐ n_b/n), so
//!   parts computed on separate threads combine without the cancellation of Σx² − n x̄².
//!   Population variance M₂/n, sample variance M₂/(n − 1).

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
    let ratio = num / den;
    if ratio.is_finite() && den.is_finite() && den > 0.0 {
        return Ok(ratio);
    }
    // squares overflowed or underflowed: the same ratio with both vectors scaled by the largest
    // modulus (NMSE is scale-invariant)
    let scale = estimate
        .iter()
        .chain(truth)
        .map(|v| v.modulus())
        .fold(0.0, f64::max);
    let den: f64 = truth.iter().map(|t| (t.modulus() / scale).powi(2)).sum();
    let num: f64 = estimate
        .iter()
        .zip(truth)
        .map(|(e, t)| ((*e - *t).modulus() / scale).powi(2))
        .sum();
    if den == 0.0 {
        return Err(Error::invalid(
            "truth",
            "is negligible beside the estimate (below the range of doubles after scaling)",
        ));
    }
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
    let (lo, hi) = (mean - z * std, mean + z * std);
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(Error::non_finite(format!(
            "the interval mean ± {z:.3}·std (mean {mean:e}, std {std:e}: it overflows a double)"
        )));
    }
    Ok((lo, hi))
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

/// Count, mean and sum of squared deviations of a stream of values (see the module doc):
/// push values one by one or a slice at a time, merge parts, read the mean and the variance.
/// An empty accumulator has mean 0 and variance 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunningMoments {
    count: usize,
    mean: f64,
    m2: f64,
}

impl RunningMoments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// The moments of `v` (two passes: the mean, then the squared deviations from it, each
    /// summed in four lanes).
    pub fn from_slice(v: &[f64]) -> Self {
        if v.is_empty() {
            return Self::default();
        }
        let n = v.len() as f64;
        let mean = lane_sum(v, |x| x) / n;
        let m2 = lane_sum(v, |x| (x - mean) * (x - mean));
        Self {
            count: v.len(),
            mean,
            m2,
        }
    }

    /// Adds one value (Welford's update).
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Adds every value of `v` (its moments by [`RunningMoments::from_slice`], then merged).
    pub fn push_slice(&mut self, v: &[f64]) {
        self.merge(&Self::from_slice(v));
    }

    /// Adds the values another accumulator has seen (Chan, Golub & LeVeque).
    pub fn merge(&mut self, other: &RunningMoments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / n);
        self.m2 += other.m2 + delta * delta * (na * nb / n);
        self.count += other.count;
    }

    /// Values seen.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Their mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Population variance M₂/n (0 when empty).
    pub fn variance(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            (self.m2 / self.count as f64).max(0.0)
        }
    }

    /// Sample variance M₂/(n − 1) (0 for fewer than two values).
    pub fn sample_variance(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            (self.m2 / (self.count - 1) as f64).max(0.0)
        }
    }

    /// Population standard deviation √(M₂/n).
    pub fn std(&self) -> f64 {
        self.variance().sqrt()
    }
}

/// Population standard deviation of `v` (two passes; 0 for an empty slice).
pub fn population_std(v: &[f64]) -> f64 {
    RunningMoments::from_slice(v).std()
}

/// Σ f(x) over `v` in four interleaved partial sums (which breaks the dependency chain of a
/// sequential sum), added pairwise at the end.
fn lane_sum(v: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0.0; 4];
    let mut chunks = v.chunks_exact(4);
    for c in &mut chunks {
        acc[0] += f(c[0]);
        acc[1] += f(c[1]);
        acc[2] += f(c[2]);
        acc[3] += f(c[3]);
    }
    for (a, &x) in acc.iter_mut().zip(chunks.remainder()) {
        *a += f(x);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}
