//! Seeded random numbers and noise models.
//!
//! Every random choice in parsimony takes a `u64` seed; the same seed gives the same numbers.
//!
//! * [`seeded_rng`]: a [`StdRng`] (ChaCha12, rand 0.10) for general use. Its stream is fixed
//!   for a given rand version only.
//! * [`SplitMix64`]: a tiny portable generator whose output is specified bit for bit, so
//!   reference data written by NumPy, MATLAB or Julia scripts can be regenerated exactly in
//!   Rust. SplitMix64 (Steele, Lea & Flood 2014): state += 0x9E3779B97F4A7C15, then the
//!   output is the finaliser z ← (z ⊕ z≫30)·0xBF58476D1CE4E5B9, z ← (z ⊕ z≫27)·0x94D049BB133111EB,
//!   z ⊕ z≫31 (wrapping arithmetic). Uniforms use the top 53 bits; Gaussians use Box–Muller
//!   (cos branch, one value per two uniforms, or both branches with
//!   [`SplitMix64::normal_pair`]).
//! * Gaussian noise: real N(0, σ²) and circular complex CN(0, σ²) (real and imaginary parts
//!   each of variance σ²/2), and noise scaled to a signal-to-noise ratio
//!   SNR_dB = 10 log₁₀(‖s‖²/M / σ²).

use crate::error::check_non_negative;
use crate::linalg::{Scalar, check_finite};
use crate::{C64, Error, Result, memory};
use nalgebra::{DMatrix, DVector};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

pub use rand::rngs::StdRng;

/// A [`StdRng`] seeded from `seed`.
pub fn seeded_rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// `n` independent N(0, 1) samples. Errors: `n` beyond the memory budget ([`crate::memory`]).
pub fn standard_normal_vector<R: RngExt + ?Sized>(rng: &mut R, n: usize) -> Result<DVector<f64>> {
    memory::check_elements::<f64>(&format!("n = {n}"), n)?;
    Ok(DVector::from_fn(n, |_, _| {
        rng.sample::<f64, _>(StandardNormal)
    }))
}

/// An `nrows × ncols` matrix of independent N(0, σ²) entries (σ = `std_dev`, finite and ≥ 0).
/// Errors: a σ that is negative or not finite, a size beyond the memory budget.
pub fn gaussian_matrix<R: RngExt + ?Sized>(
    rng: &mut R,
    nrows: usize,
    ncols: usize,
    std_dev: f64,
) -> Result<DMatrix<f64>> {
    check_non_negative("std_dev", std_dev)?;
    let len = memory::checked_mul("nrows × ncols", nrows, ncols)?;
    memory::check_elements::<f64>(&format!("{nrows} × {ncols} matrix"), len)?;
    Ok(DMatrix::from_fn(nrows, ncols, |_, _| {
        std_dev * rng.sample::<f64, _>(StandardNormal)
    }))
}

/// `n` independent circular complex Gaussians CN(0, σ²): E|z|² = σ² (`variance`, finite and
/// ≥ 0). Errors: a variance that is negative or not finite, `n` beyond the memory budget.
pub fn complex_normal_vector<R: RngExt + ?Sized>(
    rng: &mut R,
    n: usize,
    variance: f64,
) -> Result<DVector<C64>> {
    check_non_negative("variance", variance)?;
    memory::check_elements::<C64>(&format!("n = {n}"), n)?;
    let s = (variance / 2.0).sqrt();
    Ok(DVector::from_fn(n, |_, _| {
        let re: f64 = rng.sample(StandardNormal);
        let im: f64 = rng.sample(StandardNormal);
        C64::new(s * re, s * im)
    }))
}

/// The noise variance σ² = (‖s‖²/M) / 10^(SNR_dB/10) that gives a signal `s` of length M the
/// signal-to-noise ratio `snr_db`.
pub fn noise_variance_for_snr<T: Scalar>(signal: &[T], snr_db: f64) -> Result<f64> {
    if signal.is_empty() {
        return Err(Error::invalid("signal", "is empty"));
    }
    if !snr_db.is_finite() {
        return Err(Error::invalid(
            "snr_db",
            format!("must be finite, got {snr_db}"),
        ));
    }
    check_finite("signal", signal)?;
    let power = signal.iter().map(|v| v.modulus2()).sum::<f64>() / signal.len() as f64;
    let sigma2 = power / 10f64.powf(snr_db / 10.0);
    if sigma2.is_finite() && (sigma2 > 0.0 || power == 0.0) {
        return Ok(sigma2);
    }
    // |s|² or 10^(SNR/10) overflowed or underflowed: the same quantity in logarithms, with the
    // signal scaled by its largest modulus first
    let scale = signal.iter().map(|v| v.modulus()).fold(0.0, f64::max);
    let scaled = signal
        .iter()
        .map(|v| (v.modulus() / scale).powi(2))
        .sum::<f64>()
        / signal.len() as f64;
    let log10_sigma2 = 2.0 * scale.log10() + scaled.log10() - snr_db / 10.0;
    let sigma2 = 10f64.powf(log10_sigma2);
    if !sigma2.is_finite() {
        return Err(Error::invalid(
            "snr_db",
            format!(
                "the noise variance for {snr_db} dB is 1e{log10_sigma2:.0}, beyond the range of doubles"
            ),
        ));
    }
    Ok(sigma2)
}

/// Adds white Gaussian noise (real N(0, σ²) or complex CN(0, σ²)) at the given SNR and returns
/// the noisy signal and σ².
pub fn add_noise_snr<T: Scalar, R: RngExt + ?Sized>(
    rng: &mut R,
    signal: &DVector<T>,
    snr_db: f64,
) -> Result<(DVector<T>, f64)> {
    let sigma2 = noise_variance_for_snr(signal.as_slice(), snr_db)?;
    let noisy = if T::IS_COMPLEX {
        let s = (sigma2 / 2.0).sqrt();
        signal.map(|v| {
            let re: f64 = rng.sample(StandardNormal);
            let im: f64 = rng.sample(StandardNormal);
            v + T::from_re_im(s * re, s * im)
        })
    } else {
        let s = sigma2.sqrt();
        signal.map(|v| v + T::of_real(s * rng.sample::<f64, _>(StandardNormal)))
    };
    Ok((noisy, sigma2))
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser applied to `x + γ`: the output of a SplitMix64 whose state was `x`.
/// `mix64(0)` = 16294208416658607535.
pub fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The portable SplitMix64 generator (see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator with state `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 output bits.
    pub fn next_u64(&mut self) -> u64 {
        let out = mix64(self.state);
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        out
    }

    /// Uniform on [0, 1): (u ≫ 11)·2⁻⁵³ (the convention of the SBL reference data).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * TWO_POW_M53
    }

    /// Uniform on (0, 1): ((u ≫ 11) + ½)·2⁻⁵³ (the convention of the WHT reference data).
    pub fn uniform_open(&mut self) -> f64 {
        uniform_open_of(self.next_u64())
    }

    /// N(0, 1) by Box–Muller with u₁ = 1 − uniform(), u₂ = uniform():
    /// √(−2 ln u₁)·cos(2π u₂) (SBL reference convention).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Two independent N(0, 1) from one Box–Muller step on u₁ = 1 − uniform(), u₂ = uniform():
    /// (r cos 2πu₂, r sin 2πu₂) with r = √(−2 ln u₁) (the OT reference convention: the cos
    /// value first; it equals the value [`normal`](Self::normal) would return).
    pub fn normal_pair(&mut self) -> (f64, f64) {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * u2).sin_cos();
        (r * cos, r * sin)
    }

    /// N(0, 1) by Box–Muller from two [`uniform_open`](Self::uniform_open) draws (WHT reference
    /// convention).
    pub fn normal_open(&mut self) -> f64 {
        let u1 = self.uniform_open();
        let u2 = self.uniform_open();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// `n` normals ([`normal`](Self::normal)) in order.
    /// Errors: `n` beyond the memory budget.
    pub fn normals(&mut self, n: usize) -> Result<Vec<f64>> {
        memory::check_elements::<f64>(&format!("n = {n}"), n)?;
        Ok((0..n).map(|_| self.normal()).collect())
    }

    /// A uniformly random k-subset of {0, …, n−1}, sorted: partial Fisher–Yates with
    /// j = i + ⌊uniform()·(n − i)⌋.
    pub fn choose(&mut self, n: usize, k: usize) -> Result<Vec<usize>> {
        if k > n {
            return Err(Error::invalid("k", format!("cannot choose {k} of {n}")));
        }
        // the subset and the map of moved entries
        memory::check_elements::<[usize; 5]>(&format!("k = {k}"), k)?;
        // Fisher–Yates on a permutation stored sparsely: only the moved entries are kept, so
        // memory is O(k) whatever n is; the draws are those of the dense version
        let mut moved = std::collections::HashMap::<usize, usize>::with_capacity(2 * k);
        let mut out = Vec::with_capacity(k);
        for i in 0..k {
            let j = (i + (self.uniform() * (n - i) as f64) as usize).min(n - 1);
            let at_i = moved.get(&i).copied().unwrap_or(i);
            let at_j = moved.get(&j).copied().unwrap_or(j);
            moved.insert(j, at_i);
            out.push(at_j);
        }

        out.sort_unstable();
        Ok(out)
    }
}

const TWO_POW_M53: f64 = 1.0 / (1u64 << 53) as f64;

fn uniform_open_of(u: u64) -> f64 {
    ((u >> 11) as f64 + 0.5) * TWO_POW_M53
}

/// Portable Gaussian noise that is a fixed function of the index: entry m of the noise vector
/// for `seed` and standard deviation `sigma` (WHT reference convention). With base = mix64(seed),
/// u₁ = uniform_open(mix64(base + 2m)), u₂ = uniform_open(mix64(base + 2m + 1)),
/// w = σ √(−2 ln u₁) cos(2π u₂).
pub fn portable_noise(seed: u64, m: u64, sigma: f64) -> f64 {
    let base = mix64(seed);
    let u1 = uniform_open_of(mix64(base.wrapping_add(2 * m)));
    let u2 = uniform_open_of(mix64(base.wrapping_add(2 * m + 1)));
    sigma * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl rand::TryRng for SplitMix64 {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> std::result::Result<u32, Self::Error> {
        Ok((self.next_u64() >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> std::result::Result<u64, Self::Error> {
        Ok(self.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}
