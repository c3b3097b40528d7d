//! Periodic spectral tools on N equispaced points: real FFTs planned once, wavenumbers,
//! derivatives and a low-pass filter.
//!
//! On a periodic domain of length L with N points, u_j = (1/N) Σ_m û_m e^{i k_m x_j} with
//! k_m = 2πm/L. Derivatives are exact for band-limited data: ∂ₓ^d u ↔ (i k_m)^d û_m. The
//! Nyquist bin m = N/2 has no partner, so an odd derivative zeroes it (its (ik)^d would make
//! the result complex); an even one uses the wavenumber of the chosen [`Nyquist`] convention.
//! Cost: two real FFTs, O(N log N), per derivative; no allocation after [`SpectralGrid::new`].
//! [`SpectralGrid::derivatives`] returns several orders from one forward FFT and packs two
//! real inverse transforms into one complex one: for real signals a and b with half spectra
//! â and b̂, the inverse FFT of the full spectrum Z_m = â_m + i b̂_m, Z_{N−m} = conj(â_m) +
//! i conj(b̂_m) is a + ib.

use num_complex::Complex;
use parsimony_core::{Error, Result};
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

type C64 = Complex<f64>;

/// The wavenumber given to the Nyquist bin m = N/2 of an even grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Nyquist {
    /// k = 0 (Kassam & Trefethen's `kursiv.m`).
    #[default]
    Zero,
    /// k = −πN/L (NumPy's `fftfreq`).
    Negative,
}

/// Wavenumbers k_m of the half spectrum m = 0..=⌊N/2⌋ of a periodic domain of length `length`.
/// For even N the last bin is the Nyquist mode, whose k follows `nyquist`; an odd N has no
/// Nyquist bin, and every k_m is 2πm/L.
pub fn wavenumbers(n: usize, length: f64, nyquist: Nyquist) -> Vec<f64> {
    let half = n / 2;
    let base = 2.0 * std::f64::consts::PI / length;
    (0..=half)
        .map(|m| {
            if m == half && n.is_multiple_of(2) {
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

/// FFT plans and scratch for one periodic grid: the one owner of the real FFT plans of the
/// crate ([`crate::ks::Ks`], [`crate::cnab2::Cnab2`], the library and the discovery routines
/// all step or differentiate through one).
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
    /// (ik)^d û while [`SpectralGrid::derivatives`] runs through the orders.
    held: Vec<C64>,
    /// The complex inverse FFT of length N that takes two real inverse transforms at once.
    c2c: Arc<dyn Fft<f64>>,
    /// Full spectrum (length N) of two packed real signals.
    packed: Vec<C64>,
    scratch_c: Vec<C64>,
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
        // plans, twiddles, scratch and the packed buffer: a few complex arrays of length n
        parsimony_core::memory::check_total::<C64>(
            &format!("a spectral grid of n = {n} points"),
            &[n, n, n, n],
        )?;
        let mut planner = RealFftPlanner::<f64>::new();
        let r2c = planner.plan_fft_forward(n);
        let c2r = planner.plan_fft_inverse(n);
        let c2c = FftPlanner::<f64>::new().plan_fft_inverse(n);
        Ok(Self {
            scratch_c: vec![C64::new(0.0, 0.0); c2c.get_inplace_scratch_len()],
            packed: vec![C64::new(0.0, 0.0); n],
            c2c,
            n,
            length,
            k: wavenumbers(n, length, nyquist),
            scratch_f: r2c.make_scratch_vec(),
            scratch_i: c2r.make_scratch_vec(),
            r2c,
            c2r,
            real: vec![0.0; n],
            spec: vec![C64::new(0.0, 0.0); n / 2 + 1],
            held: vec![C64::new(0.0, 0.0); n / 2 + 1],
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
        parsimony_core::error::check_len("length of u (grid points)", self.n, u.len())?;
        self.real.copy_from_slice(u);
        self.r2c
            .process_with_scratch(&mut self.real, out, &mut self.scratch_f)
            .map_err(|e| Error::breakdown("FFT", e))
    }

    /// u = IFFT(û) (normalised by 1/N) into `out`; the imaginary parts of the DC and Nyquist
    /// bins are dropped, as Re(IFFT) does.
    pub fn inverse(&mut self, v: &[C64], out: &mut [f64]) -> Result<()> {
        parsimony_core::error::check_len("length of the spectrum", self.n / 2 + 1, v.len())?;
        parsimony_core::error::check_len("length of out (grid points)", self.n, out.len())?;
        let s = 1.0 / self.n as f64;
        for (o, x) in self.spec.iter_mut().zip(v) {
            *o = x * s;
        }
        self.store_spectrum(out)
    }

    /// N·u = the unnormalised inverse FFT of the half spectrum `v` into `out` (the imaginary
    /// parts of the DC and Nyquist bins dropped): [`SpectralGrid::inverse`] without the 1/N,
    /// for a caller that scales afterwards.
    pub fn inverse_unnormalised(&mut self, v: &[C64], out: &mut [f64]) -> Result<()> {
        parsimony_core::error::check_len("length of the spectrum", self.n / 2 + 1, v.len())?;
        parsimony_core::error::check_len("length of out (grid points)", self.n, out.len())?;
        self.spec.copy_from_slice(v);
        self.store_spectrum(out)
    }

    /// The pseudo-spectral square: `fill(spectrum)` writes a half spectrum ŵ into the grid's
    /// buffer, and `out` ← FFT(w̃²) with w̃ = N·IFFT(ŵ) the unnormalised inverse (so `out` is
    /// N²·FFT(w²); the caller folds the 1/N² into its multiplier). One inverse and one forward
    /// real FFT, no allocation: the nonlinear term of a spectral stepper (ETDRK4's N(v)).
    #[inline]
    pub fn square_with(&mut self, out: &mut [C64], fill: impl FnOnce(&mut [C64])) -> Result<()> {
        parsimony_core::error::check_len("length of the spectrum", self.n / 2 + 1, out.len())?;
        fill(&mut self.spec);
        let last = self.spec.len() - 1;
        self.spec[0].im = 0.0;
        self.spec[last].im = 0.0;
        self.c2r
            .process_with_scratch(&mut self.spec, &mut self.real, &mut self.scratch_i)
            .map_err(|e| Error::breakdown("inverse FFT", e))?;
        self.real.iter_mut().for_each(|x| *x *= *x);
        self.r2c
            .process_with_scratch(&mut self.real, out, &mut self.scratch_f)
            .map_err(|e| Error::breakdown("FFT", e))
    }

    /// u = IFFT(û) into `out`, where `fill(spectrum, 1/N)` writes û/N into the half spectrum
    /// (length N/2 + 1) itself: a spectrum formed in one pass, with no copy.
    pub fn inverse_with(
        &mut self,
        out: &mut [f64],
        fill: impl FnOnce(&mut [C64], f64),
    ) -> Result<()> {
        parsimony_core::error::check_len("length of out (grid points)", self.n, out.len())?;
        fill(&mut self.spec, 1.0 / self.n as f64);
        self.store_spectrum(out)
    }

    /// ∂ₓ^d u into `out` (d = 0 copies u).
    pub fn derivative(&mut self, u: &[f64], order: usize, out: &mut [f64]) -> Result<()> {
        parsimony_core::error::check_len("length of out (grid points)", self.n, out.len())?;
        self.load_spectrum(u)?;
        let last = self.spec.len() - 1;
        let order_u32 = u32::try_from(order)
            .map_err(|_| Error::invalid("order", format!("{order} exceeds u32::MAX")))?;
        let s = 1.0 / self.n as f64;
        let ik_pow = |k: f64| C64::new(0.0, k).powu(order_u32) * s;
        for (m, (s, &k)) in self.spec.iter_mut().zip(&self.k).enumerate() {
            *s = if m == last && order % 2 == 1 {
                C64::new(0.0, 0.0)
            } else {
                *s * ik_pow(k)
            };
        }
        self.store_spectrum_checked(out)
    }

    /// ∂ₓu, ∂ₓ²u, …, ∂ₓᴰu into consecutive blocks of N values of `out` (length D·N), from one
    /// forward FFT and ⌈D/2⌉ inverse FFTs (two real orders packed into one complex transform),
    /// against 2D real FFTs for D calls of [`SpectralGrid::derivative`]; the same values.
    pub fn derivatives(&mut self, u: &[f64], out: &mut [f64]) -> Result<()> {
        if !out.len().is_multiple_of(self.n) {
            return Err(Error::dimension(
                "length of out (a multiple of the grid points)",
                out.len().div_ceil(self.n) * self.n,
                out.len(),
            ));
        }
        self.load_spectrum(u)?;
        let s = 1.0 / self.n as f64;
        // NaN or ±inf in u reaches every bin of its spectrum: tested in the pass that scales it
        let mut finite = true;
        for (h, x) in self.held.iter_mut().zip(&self.spec) {
            *h = x * s;
            finite &= h.re.is_finite() & h.im.is_finite();
        }
        if !finite {
            return Err(Error::non_finite(
                "u (or its spectrum, which overflows a double)",
            ));
        }
        let n = self.n;
        let half = n / 2;
        let mut blocks = out.chunks_exact_mut(2 * n);
        for pair in &mut blocks {
            // orders d (odd) and d + 1 (even): a = (ik)^d û/N, b = (ik)^{d+1} û/N
            let (z_lo, z_hi) = self.packed.split_at_mut(half + 1);
            let ik = |h: C64, k: f64| C64::new(-k * h.im, k * h.re);
            // DC (k = 0: both orders vanish) and the Nyquist bin, where the odd order has no
            // partner and the even one is real
            let b_nyq = ik(ik(self.held[half], self.k[half]), self.k[half]);
            self.held[half] = b_nyq;
            z_lo[half] = C64::new(0.0, b_nyq.re);
            z_lo[0] = C64::new(0.0, 0.0);
            self.held[0] = C64::new(0.0, 0.0);
            // bins m = 1 … N/2 − 1 and their mirrors N − m (z_hi read from its end)
            let inner = self.held[1..half]
                .iter_mut()
                .zip(&self.k[1..half])
                .zip(z_lo[1..half].iter_mut().zip(z_hi.iter_mut().rev()));
            for ((h, &k), (lo, hi)) in inner {
                let a = ik(*h, k);
                let b = ik(a, k);
                *h = b;
                *lo = C64::new(a.re - b.im, a.im + b.re);
                *hi = C64::new(a.re + b.im, b.re - a.im);
            }
            self.c2c
                .process_with_scratch(&mut self.packed, &mut self.scratch_c);
            let (lo, hi) = pair.split_at_mut(n);
            for ((a, b), z) in lo.iter_mut().zip(hi.iter_mut()).zip(&self.packed) {
                *a = z.re;
                *b = z.im;
            }
        }
        let rest = blocks.into_remainder();
        if !rest.is_empty() {
            // a last odd order alone
            for ((s, h), &k) in self.spec.iter_mut().zip(&mut self.held).zip(&self.k) {
                *h *= C64::new(0.0, k);
                *s = *h;
            }
            self.spec[half] = C64::new(0.0, 0.0);
            self.store_spectrum(rest)?;
        }
        // |û (ik)ᵈ| ≤ max(|û|, |û (ik)ᴰ|) for every order d ≤ D: a finite spectrum (above) and a
        // finite highest order (here, n/2 + 1 bins, not D·N values) bound them all
        if !parsimony_core::linalg::all_finite(&self.held) {
            return Err(Error::non_finite(
                "the highest derivative's spectrum (it overflows a double: scale u)",
            ));
        }
        Ok(())
    }

    /// Zeroes every Fourier mode with |k| > `k_max` (≥ 0) of u, in place. The Nyquist mode
    /// counts with its physical |k| = πN/L whatever the grid's [`Nyquist`] convention for
    /// derivatives (under [`Nyquist::Zero`] its derivative wavenumber is 0, yet it is the
    /// highest mode).
    pub fn lowpass(&mut self, u: &mut [f64], k_max: f64) -> Result<()> {
        parsimony_core::error::check_non_negative("k_max", k_max)?;
        self.load_spectrum(u)?;
        let scale = 1.0 / self.n as f64;
        let base = 2.0 * std::f64::consts::PI / self.length;
        for (m, s) in self.spec.iter_mut().enumerate() {
            *s = if base * m as f64 > k_max {
                C64::new(0.0, 0.0)
            } else {
                *s * scale
            };
        }
        self.store_spectrum_checked(u)
    }

    /// Multiplies the spectrum of u by `factor[m]` per bin, in place (a Fourier multiplier).
    pub fn multiply(&mut self, u: &mut [f64], factor: &[C64]) -> Result<()> {
        parsimony_core::error::check_len("length of factor", self.n / 2 + 1, factor.len())?;
        self.load_spectrum(u)?;
        let scale = 1.0 / self.n as f64;
        for (s, f) in self.spec.iter_mut().zip(factor) {
            *s *= f * scale;
        }
        self.store_spectrum(u)
    }

    /// Divides the spectrum of u by `factor[m]` per bin, in place (the inverse of
    /// [`SpectralGrid::multiply`]). Errors: a zero or non-finite factor (the division would
    /// fill u with infinities or NaN).
    pub fn divide(&mut self, u: &mut [f64], factor: &[C64]) -> Result<()> {
        parsimony_core::error::check_len("length of factor", self.n / 2 + 1, factor.len())?;
        if let Some(m) = factor
            .iter()
            .position(|f| !(f.re.is_finite() && f.im.is_finite()) || f.norm_sqr() == 0.0)
        {
            return Err(Error::invalid(
                "factor",
                format!("bin {m} is {} (must be finite and non-zero)", factor[m]),
            ));
        }
        self.load_spectrum(u)?;
        let scale = 1.0 / self.n as f64;
        for (s, f) in self.spec.iter_mut().zip(factor) {
            *s = *s * scale / f;
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

    /// out ← the unnormalised inverse FFT of `spec` (destroys `spec`); every caller has
    /// already divided the spectrum by N, in the pass that formed it.
    fn store_spectrum(&mut self, out: &mut [f64]) -> Result<()> {
        let last = self.spec.len() - 1;
        self.spec[0].im = 0.0;
        self.spec[last].im = 0.0;
        self.c2r
            .process_with_scratch(&mut self.spec, out, &mut self.scratch_i)
            .map_err(|e| Error::breakdown("inverse FFT", e))
    }

    /// [`Self::store_spectrum`] for the public transforms of a field (derivatives, low-pass):
    /// NaN or ±inf in the input reaches every output through the transforms, as does an
    /// overflow of the spectrum, so one pass over the result catches both. (The time steppers
    /// use the unchecked form and report a blow-up in their status.)
    fn store_spectrum_checked(&mut self, out: &mut [f64]) -> Result<()> {
        self.store_spectrum(out)?;
        if !parsimony_core::linalg::all_finite(out) {
            return Err(Error::non_finite(
                "the transformed field (u holds NaN or ±inf, or its spectrum overflows a double)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wavenumbers_have_a_nyquist_bin_only_for_even_n() {
        let b = 2.0 * std::f64::consts::PI / 2.0;
        assert_eq!(
            wavenumbers(4, 2.0, Nyquist::Negative),
            vec![0.0, b, -2.0 * b]
        );
        assert_eq!(wavenumbers(4, 2.0, Nyquist::Zero), vec![0.0, b, 0.0]);
        assert_eq!(wavenumbers(5, 2.0, Nyquist::Zero), vec![0.0, b, 2.0 * b]);
    }

    /// Dividing by a factor inverts multiplying by it; a zero or NaN factor is an error and
    /// leaves u untouched.
    #[test]
    fn divide_inverts_multiply_and_refuses_zero_factors() {
        let n = 16;
        let mut grid = SpectralGrid::new(n, 3.0, Nyquist::Negative).unwrap();
        let u: Vec<f64> = (0..n)
            .map(|j| (0.7 * j as f64).sin() + 0.1 * j as f64)
            .collect();
        // real at k = 0 and at the Nyquist bin, whose imaginary parts a real u cannot carry
        let factor: Vec<C64> = (0..=n / 2)
            .map(|m| {
                let im = if m == 0 || m == n / 2 {
                    0.0
                } else {
                    0.5 - 0.1 * m as f64
                };
                C64::new(1.0 + m as f64, im)
            })
            .collect();
        let mut v = u.clone();
        grid.multiply(&mut v, &factor).unwrap();
        grid.divide(&mut v, &factor).unwrap();
        for (a, b) in u.iter().zip(&v) {
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
        }
        for bad in [C64::new(0.0, 0.0), C64::new(f64::NAN, 1.0)] {
            let mut f = factor.clone();
            f[3] = bad;
            let mut w = u.clone();
            let err = grid.divide(&mut w, &f).unwrap_err().to_string();
            assert!(err.contains("bin 3"), "{err}");
            assert_eq!(w, u);
        }
    }

    /// All orders from one forward FFT equal the one-order calls and the analytic derivatives
    /// of a band-limited function (with a Nyquist component, which odd orders drop).
    #[test]
    fn derivatives_match_one_order_calls_and_the_analytic_values() {
        let (n, length) = (64, 10.0);
        let mut grid = SpectralGrid::new(n, length, Nyquist::Zero).unwrap();
        let k = 2.0 * std::f64::consts::PI / length * 3.0;
        let x = |j: usize| j as f64 * length / n as f64;
        // cos(kx) + 0.25 (−1)^j: the Nyquist mode, whose even derivatives vanish with k_N = 0
        let u: Vec<f64> = (0..n)
            .map(|j| (k * x(j)).cos() + if j % 2 == 0 { 0.25 } else { -0.25 })
            .collect();
        let mut all = vec![0.0; 4 * n];
        grid.derivatives(&u, &mut all).unwrap();
        let mut one = vec![0.0; n];
        for (d, got) in all.chunks_exact(n).enumerate() {
            grid.derivative(&u, d + 1, &mut one).unwrap();
            for j in 0..n {
                assert!((got[j] - one[j]).abs() < 1e-12 * k.powi(d as i32 + 1));
                // d/dx^m cos(kx) = k^m cos(kx + mπ/2)
                let exact = k.powi(d as i32 + 1)
                    * (k * x(j) + (d + 1) as f64 * std::f64::consts::FRAC_PI_2).cos();
                assert!(
                    (got[j] - exact).abs() < 1e-11 * k.powi(d as i32 + 1),
                    "order {}",
                    d + 1
                );
            }
        }
        // an odd number of orders: the last one has no partner
        for orders in [1, 3, 5] {
            let mut odd = vec![0.0; orders * n];
            grid.derivatives(&u, &mut odd).unwrap();
            for (d, got) in odd.chunks_exact(n).enumerate() {
                grid.derivative(&u, d + 1, &mut one).unwrap();
                for j in 0..n {
                    assert!((got[j] - one[j]).abs() < 1e-12 * k.powi(d as i32 + 1));
                }
            }
        }
        // the other Nyquist convention (even orders keep the Nyquist mode) against its own
        // one-order calls
        let mut neg = SpectralGrid::new(n, length, Nyquist::Negative).unwrap();
        let mut packed = vec![0.0; 4 * n];
        neg.derivatives(&u, &mut packed).unwrap();
        for (d, got) in packed.chunks_exact(n).enumerate() {
            neg.derivative(&u, d + 1, &mut one).unwrap();
            let scale = (std::f64::consts::PI * n as f64 / length).powi(d as i32 + 1);
            for j in 0..n {
                assert!((got[j] - one[j]).abs() < 1e-12 * scale, "order {}", d + 1);
            }
            if d % 2 == 1 {
                // the Nyquist mode 0.25 (−1)^j survives even orders: (−k_N²)^m 0.25 (−1)^j
                let k_n = std::f64::consts::PI * n as f64 / length;
                let expect = 0.25 * k_n.powi(d as i32 + 1) * if d == 1 { -1.0 } else { 1.0 };
                let nyquist: f64 = got
                    .iter()
                    .enumerate()
                    .map(|(j, v)| if j % 2 == 0 { *v } else { -*v })
                    .sum::<f64>()
                    / n as f64;
                assert!((nyquist - expect).abs() < 1e-10 * scale, "order {}", d + 1);
            }
        }
        let mut short = vec![0.0; 2 * n - 1];
        assert!(matches!(
            grid.derivatives(&u, &mut short),
            Err(Error::DimensionMismatch { .. })
        ));
    }
}
