//! Periodic spectral tools on N equispaced points: real FFTs planned once, wavenumbers,
//! derivatives and a low-pass filter.
//!
//! On a periodic domain of length L with N points, u_j = (1/N) Σ_m û_m e^{i k_m x_j} with
//! k_m = 2πm/L. Derivatives are exact for band-limited data: ∂ₓ^d u ↔ (i k_m)^d û_m. The
//! Nyquist bin m = N/2 has no partner, so an odd derivative zeroes it (its (ik)^d would make
//! the result complex); an even one uses the wavenumber of the chosen [`Nyquist`] convention.
//! Cost: two real FFTs, O(N log N), per derivative; no allocation after [`SpectralGrid::new`].

use crate::ks::Nyquist;
use num_complex::Complex;
use parsimony_core::{Error, Result};
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::Arc;

type C64 = Complex<f64>;

/// Wavenumbers k_m of the half spectrum m = 0..=N/2 of a periodic domain of length `length`.
pub fn wavenumbers(n: usize, length: f64, nyquist: Nyquist) -> Vec<f64> {
    let half = n / 2;
    let base = 2.0 * std::f64::consts::PI / length;
    (0..=half)
        .map(|m| {
            if m == half {
                match nyquist {
                    Nyquist::Zero => 0.0,
                    Nyquist::Negative => -base * half as f64,
                }
            } else {
                base * m as f64
            }
        })
        .collect()
}

/// FFT plans and scratch for one periodic grid.
#[derive(Clone)]
pub struct SpectralGrid {
    n: usize,
    length: f64,
    k: Vec<f64>,
    r2c: Arc<dyn RealToComplex<f64>>,
    c2r: Arc<dyn ComplexToReal<f64>>,
    real: Vec<f64>,
    spec: Vec<C64>,
    scratch_f: Vec<C64>,
    scratch_i: Vec<C64>,
}

impl std::fmt::Debug for SpectralGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpectralGrid")
            .field("n", &self.n)
            .field("length", &self.length)
            .finish()
    }
}

impl SpectralGrid {
    /// A grid of `n` points (even, ≥ 4) on a periodic domain of length `length` > 0.
    pub fn new(n: usize, length: f64, nyquist: Nyquist) -> Result<Self> {
        if n < 4 || !n.is_multiple_of(2) {
            return Err(Error::invalid(
                "n",
                format!("must be even and ≥ 4, got {n}"),
            ));
        }
        parsimony_core::error::check_positive("length", length)?;
        let mut planner = RealFftPlanner::<f64>::new();
        let r2c = planner.plan_fft_forward(n);
        let c2r = planner.plan_fft_inverse(n);
        Ok(Self {
            n,
            length,
            k: wavenumbers(n, length, nyquist),
            scratch_f: r2c.make_scratch_vec(),
            scratch_i: c2r.make_scratch_vec(),
            r2c,
            c2r,
            real: vec![0.0; n],
            spec: vec![C64::new(0.0, 0.0); n / 2 + 1],
        })
    }

    /// Grid points N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Domain length L.
    pub fn length(&self) -> f64 {
        self.length
    }

    /// Grid spacing L/N.
    pub fn dx(&self) -> f64 {
        self.length / self.n as f64
    }

    /// Wavenumbers of the half spectrum (length N/2 + 1).
    pub fn wavenumbers(&self) -> &[f64] {
        &self.k
    }

    /// û = FFT(u) (unnormalised) into `out` (length N/2 + 1).
    pub fn forward(&mut self, u: &[f64], out: &mut [C64]) -> Result<()> {
        parsimony_core::error::check_len("length of the spectrum", self.n / 2 + 1, out.len())?;
        self.load_spectrum(u)?;
        out.copy_from_slice(&self.spec);
        Ok(())
    }

    /// u = IFFT(û) (normalised by 1/N) into `out`; the imaginary parts of the DC and Nyquist
    /// bins are dropped, as Re(IFFT) does.
    pub fn inverse(&mut self, v: &[C64], out: &mut [f64]) -> Result<()> {
        parsimony_core::error::check_len("length of the spectrum", self.n / 2 + 1, v.len())?;
        parsimony_core::error::check_len("length of out (grid points)", self.n, out.len())?;
        self.spec.copy_from_slice(v);
        self.store_spectrum(out)
    }

    /// ∂ₓ^d u into `out` (d = 0 copies u).
    pub fn derivative(&mut self, u: &[f64], order: usize, out: &mut [f64]) -> Result<()> {
        parsimony_core::error::check_len("length of out (grid points)", self.n, out.len())?;
        self.load_spectrum(u)?;
        let last = self.spec.len() - 1;
        let ik_pow = |k: f64| C64::new(0.0, k).powu(order as u32);
        for (m, (s, &k)) in self.spec.iter_mut().zip(&self.k).enumerate() {
            *s = if m == last && order % 2 == 1 {
                C64::new(0.0, 0.0)
            } else {
                *s * ik_pow(k)
            };
        }
        self.store_spectrum(out)
    }

    /// Zeroes every Fourier mode with |k| > `k_max` of u, in place.
    pub fn lowpass(&mut self, u: &mut [f64], k_max: f64) -> Result<()> {
        self.load_spectrum(u)?;
        for (s, &k) in self.spec.iter_mut().zip(&self.k) {
            if k.abs() > k_max {
                *s = C64::new(0.0, 0.0);
            }
        }
        self.store_spectrum(u)
    }

    /// Multiplies the spectrum of u by `factor[m]` per bin, in place (a Fourier multiplier).
    pub fn multiply(&mut self, u: &mut [f64], factor: &[C64]) -> Result<()> {
        parsimony_core::error::check_len("length of factor", self.n / 2 + 1, factor.len())?;
        self.load_spectrum(u)?;
        for (s, f) in self.spec.iter_mut().zip(factor) {
            *s *= f;
        }
        self.store_spectrum(u)
    }

    /// `spec` ← FFT(u).
    fn load_spectrum(&mut self, u: &[f64]) -> Result<()> {
        parsimony_core::error::check_len("length of u (grid points)", self.n, u.len())?;
        self.real.copy_from_slice(u);
        self.r2c
            .process_with_scratch(&mut self.real, &mut self.spec, &mut self.scratch_f)
            .map_err(|e| Error::breakdown("FFT", e))
    }

    /// out ← IFFT(`spec`) / N (destroys `spec`).
    fn store_spectrum(&mut self, out: &mut [f64]) -> Result<()> {
        let last = self.spec.len() - 1;
        self.spec[0].im = 0.0;
        self.spec[last].im = 0.0;
        self.c2r
            .process_with_scratch(&mut self.spec, out, &mut self.scratch_i)
            .map_err(|e| Error::breakdown("inverse FFT", e))?;
        let s = 1.0 / self.n as f64;
        out.iter_mut().for_each(|o| *o *= s);
        Ok(())
    }
}
