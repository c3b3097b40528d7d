//! The Kuramoto–Sivashinsky equation by ETDRK4 with real-to-complex FFTs.
//!
//! **Problem.** u_t = −c₁ u u_x − c₂ u_xx − c₃ u_xxxx − c₄ u_xxx on x ∈ [0, L) periodic, N grid
//! points (N even). In Fourier space, with v = FFT(u) (unnormalised) and wavenumbers
//! k_m = 2πm/L,
//!
//! ```text
//!   v_t = L_k v + N(v),   L_k = c₂k² − c₃k⁴ + i c₄k³,   N(v) = −(c₁/2)·ik·FFT(IFFT(v)²).
//! ```
//!
//! **Algorithm.** Exponential time differencing RK4 (Cox & Matthews 2002) with the coefficients
//! of Kassam & Trefethen (2005): with E = e^{hL}, E₂ = e^{hL/2},
//!
//! ```text
//!   a = E₂v + Q N(v),  b = E₂v + Q N(a),  c = E₂a + Q(2N(b) − N(v))
//!   v ← E v + f₁ N(v) + 2f₂ (N(a) + N(b)) + f₃ N(c)
//!   Q = h·(e^{z/2} − 1)/z,  f₁ = h(φ₁ − 3φ₂ + 4φ₃),  f₂ = h(φ₂ − 2φ₃),  f₃ = h(−φ₂ + 4φ₃),  z = hL
//! ```
//!
//! φ-functions φ_k(z) = Σₙ zⁿ/(n+k)! are evaluated exactly (closed forms, Taylor series for
//! |z| < 1) or by the contour integral of Kassam & Trefethen ([`CoefficientMethod`]); the two
//! agree to ~1e-14. The state is kept as the half spectrum (N/2 + 1 bins); FFTs are planned once
//! and every buffer is allocated in [`Ks::new`], so a step allocates nothing.
//!
//! **Cost** per step: 4 evaluations of N, each one inverse and one forward real FFT,
//! O(N log N). Fourth order in h.
//!
//! **Use.** `KsParams::default().n(..).dt(..).build()? -> Ks`; step the state yourself
//! ([`Ks::set_state`], [`Ks::step`], [`Ks::advance`], [`Ks::state`]), or integrate a
//! [`KsRun`] (u₀, steps, snapshot stride) with [`Ks::solve`] / [`Ks::solve_observed`], which
//! return a [`KsTrajectory`] (snapshots, times, `info: SolveInfo` with the steps taken). The
//! FFTs go through the solver's own [`SpectralGrid`].
//!
//! **Conventions.** The Nyquist wavenumber is 0 (Kassam–Trefethen) or −πN/L
//! ([`Nyquist`]); on smooth data, with no energy in the Nyquist mode, the two differ by
//! rounding only (under `Zero` that mode is neither damped nor driven, under `Negative` it is
//! damped by e^{h(k² − k⁴)}: they differ on noisy data). No dealiasing by default
//! (as the references); the 2/3 rule is optional.

use crate::spectral::SpectralGrid;
use nalgebra::DMatrix;
use num_complex::Complex;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

pub use crate::spectral::Nyquist;

type C64 = Complex<f64>;

/// How the ETDRK4 coefficients are evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CoefficientMethod {
    /// Closed-form φ-functions, Taylor series for |z| < 1.
    #[default]
    Exact,
    /// Kassam–Trefethen contour means with `points` points (16 in the paper): on the upper half
    /// circle (real parts) for real L_k, on the full circle for complex L_k.
    Contour {
        /// Number of contour points M.
        points: usize,
    },
}

/// Parameters of the KS solver (pub fields, setters of the same names, checked once by
/// [`KsParams::build`]).
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `length` L | 32π | > 0 | domain length |
/// | `n` N | 128 | even, ≥ 4 | grid points |
/// | `dt` h | 1/4 | > 0 | time step |
/// | `c1`, `c2`, `c3`, `c4` | 1, 1, 1, 0 | finite | coefficients of u u_x, u_xx, u_xxxx, u_xxx |
/// | `nyquist` | `Zero` | `Zero`, `Negative` | wavenumber of the Nyquist bin |
/// | `dealias` | false | | 2/3 rule on N(v) |
/// | `coefficients` | `Exact` | `Exact`, `Contour { points ≥ 4 }` | evaluation of the ETDRK4 coefficients |
#[derive(Clone, Debug)]
pub struct KsParams {
    /// Domain length L.
    pub length: f64,
    /// Grid points N.
    pub n: usize,
    /// Time step h.
    pub dt: f64,
    /// Coefficient of u u_x.
    pub c1: f64,
    /// Coefficient of u_xx.
    pub c2: f64,
    /// Coefficient of u_xxxx.
    pub c3: f64,
    /// Coefficient of u_xxx (dispersion; 0 for KS).
    pub c4: f64,
    /// Nyquist convention.
    pub nyquist: Nyquist,
    /// Apply the 2/3 dealiasing rule to the nonlinear term.
    pub dealias: bool,
    /// Coefficient evaluation.
    pub coefficients: CoefficientMethod,
}

impl Default for KsParams {
    fn default() -> Self {
        Self {
            length: 32.0 * std::f64::consts::PI,
            n: 128,
            dt: 0.25,
            c1: 1.0,
            c2: 1.0,
            c3: 1.0,
            c4: 0.0,
            nyquist: Nyquist::Zero,
            dealias: false,
            coefficients: CoefficientMethod::Exact,
        }
    }
}

impl KsParams {
    pub(crate) fn validate(&self) -> Result<()> {
        parsimony_core::error::check_positive("length", self.length)?;
        parsimony_core::error::check_positive("dt", self.dt)?;
        if self.n < 4 || !self.n.is_multiple_of(2) {
            return Err(Error::invalid(
                "n",
                format!("must be even and ≥ 4, got {}", self.n),
            ));
        }
        // the grid's buffers, the ETDRK4 coefficients and stage buffers: about 16 complex
        // arrays of length n
        parsimony_core::memory::check_total::<C64>(
            &format!("a KS solver of n = {} points", self.n),
            &[self.n; 16],
        )?;
        for (name, v) in [
            ("c1", self.c1),
            ("c2", self.c2),
            ("c3", self.c3),
            ("c4", self.c4),
        ] {
            if !v.is_finite() {
                return Err(Error::non_finite(name));
            }
        }
        if let CoefficientMethod::Contour { points } = self.coefficients
            && points < 4
        {
            return Err(Error::invalid(
                "coefficients",
                "a contour needs at least 4 points",
            ));
        }
        Ok(())
    }

    /// Wavenumbers k_m of the half spectrum m = 0..N/2 (with the Nyquist convention).
    pub fn wavenumbers(&self) -> Vec<f64> {
        crate::spectral::wavenumbers(self.n, self.length, self.nyquist)
    }

    /// The multiplier −(c₁/2)·ik·`scale` of FFT(u²) in N̂(u) per bin of the half spectrum,
    /// zero above N/3 with dealiasing.
    pub(crate) fn quadratic_multiplier(&self, scale: f64) -> Vec<C64> {
        let cut = self.n / 3;
        self.wavenumbers()
            .iter()
            .enumerate()
            .map(|(m, &k)| {
                if self.dealias && m > cut {
                    C64::new(0.0, 0.0)
                } else {
                    C64::new(0.0, -0.5 * self.c1 * k * scale)
                }
            })
            .collect()
    }

    /// The linear symbol L_k = c₂k² − c₃k⁴ + i c₄k³ on the half spectrum.
    pub fn linear_symbol(&self) -> Vec<C64> {
        self.wavenumbers()
            .iter()
            .map(|&k| C64::new(self.c2 * k * k - self.c3 * k.powi(4), self.c4 * k.powi(3)))
            .collect()
    }
}

/// ETDRK4 coefficients per wavenumber (the ×h included).
#[derive(Clone, Debug)]
pub struct Etdrk4Coefficients {
    /// e^{hL}.
    pub e: Vec<C64>,
    /// e^{hL/2}.
    pub e2: Vec<C64>,
    /// Q = h(e^{z/2} − 1)/z.
    pub q: Vec<C64>,
    /// f₁.
    pub f1: Vec<C64>,
    /// f₂.
    pub f2: Vec<C64>,
    /// f₃.
    pub f3: Vec<C64>,
}

/// φ₁, φ₂, φ₃ at z: closed forms, or their Taylor series Σ zⁿ/(n+k)! for |z| < 1 (30 terms).
fn phis(z: C64) -> (C64, C64, C64) {
    if z.norm() < 1.0 {
        let (mut p1, mut p2, mut p3) = (C64::new(0.0, 0.0), C64::new(0.0, 0.0), C64::new(0.0, 0.0));
        let mut zn = C64::new(1.0, 0.0);
        // 1/(n+1)!, 1/(n+2)!, 1/(n+3)!
        let (mut a1, mut a2, mut a3) = (1.0, 0.5, 1.0 / 6.0);
        for n in 0..30 {
            p1 += zn * a1;
            p2 += zn * a2;
            p3 += zn * a3;
            zn *= z;
            let nf = n as f64;
            a1 /= nf + 2.0;
            a2 /= nf + 3.0;
            a3 /= nf + 4.0;
        }
        (p1, p2, p3)
    } else {
        let ez = z.exp();
        let p1 = (ez - 1.0) / z;
        let p2 = (ez - 1.0 - z) / (z * z);
        let p3 = (ez - 1.0 - z - z * z / 2.0) / (z * z * z);
        (p1, p2, p3)
    }
}

/// The ETDRK4 coefficients for the linear symbol `lk` and step `h`.
///
/// Errors: `h` not finite and positive, a non-finite symbol, or a contour of no points.
pub fn etdrk4_coefficients(
    lk: &[C64],
    h: f64,
    method: CoefficientMethod,
) -> Result<Etdrk4Coefficients> {
    parsimony_core::error::check_positive("h", h)?;
    if lk.iter().any(|l| !(l.re.is_finite() && l.im.is_finite())) {
        return Err(Error::non_finite("linear symbol"));
    }
    if let CoefficientMethod::Contour { points } = method {
        parsimony_core::error::check_at_least_one("points", points)?;
    }
    let n = lk.len();
    let mut c = Etdrk4Coefficients {
        e: Vec::with_capacity(n),
        e2: Vec::with_capacity(n),
        q: Vec::with_capacity(n),
        f1: Vec::with_capacity(n),
        f2: Vec::with_capacity(n),
        f3: Vec::with_capacity(n),
    };
    for &l in lk {
        let z = l * h;
        c.e.push(z.exp());
        c.e2.push((z / 2.0).exp());
        let (q, f1, f2, f3) = match method {
            CoefficientMethod::Exact => {
                let (p1, p2, p3) = phis(z);
                let (h1, _, _) = phis(z / 2.0);
                (
                    h1 * 0.5,
                    p1 - p2 * 3.0 + p3 * 4.0,
                    p2 - p3 * 2.0,
                    -p2 + p3 * 4.0,
                )
            }
            CoefficientMethod::Contour { points } => {
                let real = l.im == 0.0;
                let count = if real { points } else { 2 * points };
                let mut acc = [C64::new(0.0, 0.0); 4];
                for j in 1..=count {
                    let r = C64::from_polar(
                        1.0,
                        std::f64::consts::PI * (j as f64 - 0.5) / points as f64,
                    );
                    let w = z + r;
                    let ew = w.exp();
                    let w3 = w * w * w;
                    acc[0] += ((w / 2.0).exp() - 1.0) / w;
                    acc[1] += (-4.0 - w + ew * (4.0 - w * 3.0 + w * w)) / w3;
                    acc[2] += (2.0 + w + ew * (w - 2.0)) / w3;
                    acc[3] += (-4.0 - w * 3.0 - w * w + ew * (4.0 - w)) / w3;
                }
                let mean = |a: C64| {
                    let m = a / count as f64;
                    if real { C64::new(m.re, 0.0) } else { m }
                };
                (mean(acc[0]), mean(acc[1]), mean(acc[2]), mean(acc[3]))
            }
        };
        c.q.push(q * h);
        c.f1.push(f1 * h);
        c.f2.push(f2 * h);
        c.f3.push(f3 * h);
    }
    let all = [&c.e, &c.e2, &c.q, &c.f1, &c.f2, &c.f3];
    if all
        .iter()
        .any(|v| v.iter().any(|z| !(z.re.is_finite() && z.im.is_finite())))
    {
        let worst = lk
            .iter()
            .map(|l| (l * h).re)
            .fold(f64::NEG_INFINITY, f64::max);
        return Err(Error::non_finite(format!(
            "ETDRK4 coefficients: e^(hL) overflows for h·Re L up to {worst:e} (reduce h, or the \
             linear symbol's growth)"
        )));
    }
    Ok(c)
}

/// The KS solver: state, coefficients, the [`SpectralGrid`] it transforms through, and buffers.
///
/// Built by [`KsParams::build`] (or [`Ks::new`]). Drive it step by step ([`Ks::set_state`],
/// [`Ks::step`], [`Ks::advance`], [`Ks::state`]) or run a whole integration with snapshots
/// ([`Ks::solve`], [`Ks::solve_observed`] on a [`KsRun`]).
pub struct Ks {
    params: KsParams,
    coef: Etdrk4Coefficients,
    /// Q, f₁, 2f₂, f₃ times the nonlinear multiplier g (so N(v) enters as raw FFT(IFFT(v)²)).
    qg: Vec<C64>,
    f1g: Vec<C64>,
    f2g2: Vec<C64>,
    f3g: Vec<C64>,
    /// The same coefficients as real numbers when L is real (e, e₂ real; the folded ones
    /// imaginary), which halves the multiplications of a step.
    real: Option<RealCoefficients>,
    /// FFT plans and their scratch.
    grid: SpectralGrid,
    v: Vec<C64>,
    a: Vec<C64>,
    b: Vec<C64>,
    nv: Vec<C64>,
    na: Vec<C64>,
    nb: Vec<C64>,
    nc: Vec<C64>,
    steps: u64,
}

/// e, e₂ and the imaginary parts of Q·g, f₁·g, 2f₂·g, f₃·g for a real linear symbol.
#[derive(Clone, Debug)]
struct RealCoefficients {
    e: Vec<f64>,
    e2: Vec<f64>,
    qg: Vec<f64>,
    f1g: Vec<f64>,
    f2g2: Vec<f64>,
    f3g: Vec<f64>,
}

impl RealCoefficients {
    /// Some when e, e₂ have zero imaginary parts and the folded coefficients zero real parts.
    fn of(co: &Etdrk4Coefficients, folded: [&[C64]; 4]) -> Option<Self> {
        let real = |v: &[C64]| v.iter().all(|z| z.im == 0.0);
        let imag = |v: &[C64]| v.iter().all(|z| z.re == 0.0);
        if !(real(&co.e) && real(&co.e2) && folded.iter().all(|f| imag(f))) {
            return None;
        }
        let re = |v: &[C64]| v.iter().map(|z| z.re).collect();
        let im = |v: &[C64]| v.iter().map(|z| z.im).collect();
        Some(Self {
            e: re(&co.e),
            e2: re(&co.e2),
            qg: im(folded[0]),
            f1g: im(folded[1]),
            f2g2: im(folded[2]),
            f3g: im(folded[3]),
        })
    }
}

/// r·z for real r.
#[inline(always)]
fn rmul(r: f64, z: C64) -> C64 {
    C64::new(r * z.re, r * z.im)
}

/// (i s)·z for real s.
#[inline(always)]
fn imul(s: f64, z: C64) -> C64 {
    C64::new(-s * z.im, s * z.re)
}

// The stages of an ETDRK4 step as functions of slices (the slices do not alias, so the loops
// keep their pointers in registers and carry no bounds checks).

/// out = keep = e₂·x + (i q)·n per bin (real e₂, q): the stages a and b.
#[inline(always)]
fn stage_real(out: &mut [C64], keep: &mut [C64], e2: &[f64], x: &[C64], q: &[f64], n: &[C64]) {
    let terms = out
        .iter_mut()
        .zip(keep)
        .zip(e2.iter().zip(x).zip(q.iter().zip(n)));
    for ((o, k), ((&e, &x), (&q, &n))) in terms {
        let y = rmul(e, x) + imul(q, n);
        *k = y;
        *o = y;
    }
}

/// out = e₂·a + (i q)·(2 n_b − n_v) per bin (real e₂, q): the stage c.
#[inline(always)]
fn last_stage_real(out: &mut [C64], e2: &[f64], a: &[C64], q: &[f64], nb: &[C64], nv: &[C64]) {
    let terms = out
        .iter_mut()
        .zip(e2.iter().zip(a))
        .zip(q.iter().zip(nb.iter().zip(nv)));
    for ((o, (&e, &a)), (&q, (&nb, &nv))) in terms {
        *o = rmul(e, a) + imul(q, nb * 2.0 - nv);
    }
}

/// v ← e·v + (i f₁)·N(v) + (i 2f₂)·(N(a) + N(b)) + (i f₃)·N(c) per bin (real coefficients).
#[inline(always)]
fn update_real(v: &mut [C64], co: &RealCoefficients, n: [&[C64]; 4]) {
    let coef = co.e.iter().zip(&co.f1g).zip(co.f2g2.iter().zip(&co.f3g));
    let nl = n[0].iter().zip(n[1]).zip(n[2].iter().zip(n[3]));
    for ((v, ((&e, &f1), (&f2, &f3))), ((&nv, &na), (&nb, &nc))) in v.iter_mut().zip(coef).zip(nl) {
        *v = rmul(e, *v) + imul(f1, nv) + imul(f2, na + nb) + imul(f3, nc);
    }
}

/// out = keep = e₂·x + q·n per bin: the stages a and b for a complex symbol.
#[inline(always)]
fn stage_complex(out: &mut [C64], keep: &mut [C64], e2: &[C64], x: &[C64], q: &[C64], n: &[C64]) {
    let terms = out
        .iter_mut()
        .zip(keep)
        .zip(e2.iter().zip(x).zip(q.iter().zip(n)));
    for ((o, k), ((&e, &x), (&q, &n))) in terms {
        let y = e * x + q * n;
        *k = y;
        *o = y;
    }
}

/// out = e₂·a + q·(2 n_b − n_v) per bin: the stage c for a complex symbol.
#[inline(always)]
fn last_stage_complex(out: &mut [C64], e2: &[C64], a: &[C64], q: &[C64], nb: &[C64], nv: &[C64]) {
    let terms = out
        .iter_mut()
        .zip(e2.iter().zip(a))
        .zip(q.iter().zip(nb.iter().zip(nv)));
    for ((o, (&e, &a)), (&q, (&nb, &nv))) in terms {
        *o = e * a + q * (nb * 2.0 - nv);
    }
}

/// v ← e·v + f₁·N(v) + 2f₂·(N(a) + N(b)) + f₃·N(c) per bin for a complex symbol (`c` = e, f₁g,
/// 2f₂g, f₃g).
#[inline(always)]
fn update_complex(v: &mut [C64], c: [&[C64]; 4], n: [&[C64]; 4]) {
    let coef = c[0].iter().zip(c[1]).zip(c[2].iter().zip(c[3]));
    let nl = n[0].iter().zip(n[1]).zip(n[2].iter().zip(n[3]));
    for ((v, ((&e, &f1), (&f2, &f3))), ((&nv, &na), (&nb, &nc))) in v.iter_mut().zip(coef).zip(nl) {
        *v = e * *v + f1 * nv + f2 * (na + nb) + f3 * nc;
    }
}

impl KsParams {
    /// Sets the domain length L.
    pub fn length(mut self, length: f64) -> Self {
        self.length = length;
        self
    }
    /// Sets the number of grid points N.
    pub fn n(mut self, n: usize) -> Self {
        self.n = n;
        self
    }
    /// Sets the time step h.
    pub fn dt(mut self, dt: f64) -> Self {
        self.dt = dt;
        self
    }
    /// Sets c₁, the coefficient of u u_x.
    pub fn c1(mut self, c: f64) -> Self {
        self.c1 = c;
        self
    }
    /// Sets c₂, the coefficient of u_xx.
    pub fn c2(mut self, c: f64) -> Self {
        self.c2 = c;
        self
    }
    /// Sets c₃, the coefficient of u_xxxx.
    pub fn c3(mut self, c: f64) -> Self {
        self.c3 = c;
        self
    }
    /// Sets c₄, the coefficient of u_xxx (dispersion).
    pub fn c4(mut self, c: f64) -> Self {
        self.c4 = c;
        self
    }
    /// Sets the Nyquist convention.
    pub fn nyquist(mut self, nyquist: Nyquist) -> Self {
        self.nyquist = nyquist;
        self
    }
    /// Turns the 2/3 dealiasing rule on or off.
    pub fn dealias(mut self, yes: bool) -> Self {
        self.dealias = yes;
        self
    }
    /// Sets how the ETDRK4 coefficients are evaluated.
    pub fn coefficients(mut self, method: CoefficientMethod) -> Self {
        self.coefficients = method;
        self
    }

    /// Checks the parameters once and plans the solver (zero state).
    pub fn build(self) -> Result<Ks> {
        Ks::new(self)
    }
}

/// An integration run, the problem of [`Ks::solve`]: the initial state u₀, the number of
/// steps and the snapshot stride.
#[derive(Clone, Debug, PartialEq)]
pub struct KsRun {
    u0: Vec<f64>,
    steps: u64,
    every: u64,
}

impl KsRun {
    /// A run of `steps` steps from `u0` (finite, non-empty; its length must be the solver's N)
    /// with a snapshot after every `every`-th step (`every` ≥ 1; `steps` is rounded down to a
    /// multiple of it).
    pub fn new(u0: Vec<f64>, steps: u64, every: u64) -> Result<Self> {
        parsimony_core::error::check_at_least_one(
            "every",
            usize::try_from(every).unwrap_or(usize::MAX),
        )?;
        if u0.is_empty() {
            return Err(Error::invalid("u0", "is empty"));
        }
        parsimony_core::linalg::check_finite("u0", &u0)?;
        Ok(Self { u0, steps, every })
    }
    /// The initial state.
    pub fn u0(&self) -> &[f64] {
        &self.u0
    }
    /// Steps to take (a multiple of `every`).
    pub fn steps(&self) -> u64 {
        self.steps / self.every * self.every
    }
    /// Steps between snapshots.
    pub fn every(&self) -> u64 {
        self.every
    }
}

/// The result of [`Ks::solve`].
#[derive(Clone, Debug)]
pub struct KsTrajectory {
    /// The snapshots as the columns of an N × T matrix: u₀, then the state after every
    /// `every`-th step (fewer than 1 + steps/every when the run stopped early).
    pub states: DMatrix<f64>,
    /// The time of each snapshot relative to the start.
    pub times: Vec<f64>,
    /// How the run went: `iterations` are the steps taken; `status` is
    /// [`Status::Converged`] when every step was taken, [`Status::NonFinite`] when the state
    /// blew up (the snapshots stop before), [`Status::StoppedByObserver`]; `stop_value` is NaN
    /// (an integration over a fixed horizon has no stopping quantity).
    pub info: SolveInfo,
}

impl Ks {
    /// A solver with the given parameters and the zero state (the same as
    /// [`KsParams::build`]).
    pub fn new(params: KsParams) -> Result<Self> {
        params.validate()?;
        let n = params.n;
        let half = n / 2 + 1;
        let lk = params.linear_symbol();
        let coef = etdrk4_coefficients(&lk, params.dt, params.coefficients)?;
        // −(c₁/2)·i·k/N² per bin (0 above N/3 with dealiasing); the 1/N² is the normalisation
        // of the two unnormalised inverse transforms whose product is squared in N(v)
        let g = params.quadratic_multiplier(1.0 / (n as f64 * n as f64));
        let grid = SpectralGrid::new(n, params.length, params.nyquist)?;
        let zeros = vec![C64::new(0.0, 0.0); half];
        let fold =
            |c: &[C64], k: f64| -> Vec<C64> { c.iter().zip(&g).map(|(a, g)| a * g * k).collect() };
        let (qg, f1g, f2g2, f3g) = (
            fold(&coef.q, 1.0),
            fold(&coef.f1, 1.0),
            fold(&coef.f2, 2.0),
            fold(&coef.f3, 1.0),
        );
        let real = RealCoefficients::of(&coef, [&qg, &f1g, &f2g2, &f3g]);
        Ok(Self {
            params,
            coef,
            real,
            qg,
            f1g,
            f2g2,
            f3g,
            grid,
            v: zeros.clone(),
            a: zeros.clone(),
            b: zeros.clone(),
            nv: zeros.clone(),
            na: zeros.clone(),
            nb: zeros.clone(),
            nc: zeros,
            steps: 0,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &KsParams {
        &self.params
    }

    /// The spectral grid the solver transforms through (also usable for derivatives and
    /// filters of states; it does not hold the solver's state).
    pub fn grid_mut(&mut self) -> &mut SpectralGrid {
        &mut self.grid
    }

    /// Grid points x_j = x₀ + jL/N.
    pub fn grid(&self, x0: f64) -> Vec<f64> {
        let n = self.params.n;
        (0..n)
            .map(|j| x0 + j as f64 * self.params.length / n as f64)
            .collect()
    }

    /// Sets the state u (length N, finite) and resets the step counter.
    pub fn set_state(&mut self, u: &[f64]) -> Result<()> {
        parsimony_core::error::check_len("length of u (grid points)", self.params.n, u.len())?;
        parsimony_core::linalg::check_finite("u", u)?;
        self.grid.forward(u, &mut self.v)?;
        self.steps = 0;
        Ok(())
    }

    /// Writes the state u into `out` (length N).
    pub fn state_into(&mut self, out: &mut [f64]) -> Result<()> {
        parsimony_core::error::check_len("length of out (grid points)", self.params.n, out.len())?;
        self.grid.inverse_unnormalised(&self.v, out)?;
        let s = 1.0 / self.params.n as f64;
        out.iter_mut().for_each(|o| *o *= s);
        Ok(())
    }

    /// The state u as a new vector.
    pub fn state(&mut self) -> Vec<f64> {
        let mut u = vec![0.0; self.params.n];
        self.state_into(&mut u).expect("length matches");
        u
    }

    /// Steps taken since the last `set_state`.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One ETDRK4 step (no allocation). Errors if the state became non-finite.
    ///
    /// With N(v) = g·Ñ(v), Ñ(v) = FFT(IFFT(v)²), the multiplier g is folded into the
    /// coefficients, and each stage writes its spectrum straight into the FFT buffer.
    pub fn step(&mut self) -> Result<()> {
        if !self.step_finite()? {
            return Err(Error::breakdown(
                "KS step",
                format!("non-finite state after step {}", self.steps),
            ));
        }
        Ok(())
    }

    /// One step; whether the new state is finite (`Err` only for a failure of the transforms,
    /// so a caller can tell a blow-up from an error).
    pub(crate) fn step_finite(&mut self) -> Result<bool> {
        if self.real.is_some() {
            self.step_real()?;
        } else {
            self.step_complex()?;
        }
        self.steps += 1;
        Ok(self.v.iter().all(|z| z.re.is_finite() && z.im.is_finite()))
    }

    /// The step for a complex linear symbol (dispersion c₄ ≠ 0).
    fn step_complex(&mut self) -> Result<()> {
        let Self {
            coef: co,
            qg,
            f1g,
            f2g2,
            f3g,
            grid,
            v,
            a,
            b,
            nv,
            na,
            nb,
            nc,
            ..
        } = self;
        grid.square_with(nv, |spec| spec.copy_from_slice(v))?;
        grid.square_with(na, |spec| stage_complex(spec, a, &co.e2, v, qg, nv))?;
        grid.square_with(nb, |spec| stage_complex(spec, b, &co.e2, v, qg, na))?;
        grid.square_with(nc, |spec| last_stage_complex(spec, &co.e2, a, qg, nb, nv))?;
        let c = [&co.e[..], f1g, f2g2, f3g];
        update_complex(v, c, [nv, na, nb, nc]);
        Ok(())
    }

    /// The same step with real e, e₂ and imaginary folded coefficients (real L).
    fn step_real(&mut self) -> Result<()> {
        let Self {
            real,
            grid,
            v,
            a,
            b,
            nv,
            na,
            nb,
            nc,
            ..
        } = self;
        let co = real.as_ref().expect("checked by the caller");
        grid.square_with(nv, |spec| spec.copy_from_slice(v))?;
        grid.square_with(na, |spec| stage_real(spec, a, &co.e2, v, &co.qg, nv))?;
        grid.square_with(nb, |spec| stage_real(spec, b, &co.e2, v, &co.qg, na))?;
        grid.square_with(nc, |spec| last_stage_real(spec, &co.e2, a, &co.qg, nb, nv))?;
        update_real(v, co, [nv, na, nb, nc]);
        Ok(())
    }

    /// `steps` ETDRK4 steps.
    pub fn advance(&mut self, steps: u64) -> Result<()> {
        for _ in 0..steps {
            self.step()?;
        }
        Ok(())
    }

    /// Integrates `run` silently (see [`Ks::solve_observed`]).
    pub fn solve(&mut self, run: &KsRun) -> Result<KsTrajectory> {
        self.solve_observed(run, &mut Silent)
    }

    /// Integrates `run`: sets the state to u₀, takes `run.steps()` steps and keeps a snapshot
    /// after every `run.every()`-th. The observer sees every step (`iteration` = steps taken,
    /// cost and stop value NaN) and may stop the run. The solver's state is the last one
    /// reached. Stop rule (as core's solvers): after step k the observer is called; the last
    /// step of the run ends it with [`Status::Converged`] whatever the observer answers, an
    /// earlier [`Control::Stop`] with [`Status::StoppedByObserver`]; a non-finite state ends it
    /// with [`Status::NonFinite`] before the observer sees it. Errors: u₀ of another length
    /// than N.
    pub fn solve_observed(
        &mut self,
        run: &KsRun,
        observer: &mut dyn Observer,
    ) -> Result<KsTrajectory> {
        let clock = Clock::start();
        self.set_state(&run.u0)?;
        let (steps, every) = (run.steps(), run.every);
        let n = self.params.n;
        let capacity = usize::try_from(steps / every)
            .ok()
            .and_then(|s| s.checked_add(1))
            .ok_or_else(|| Error::TooLarge {
                what: format!("{} snapshots", steps / every),
                bytes: (steps / every) as u128 * n as u128 * 8,
                limit: parsimony_core::memory::limit(),
            })?;
        let len = parsimony_core::memory::checked_mul("snapshots × grid points", capacity, n)?;
        parsimony_core::memory::check_elements::<f64>(
            &format!("{capacity} snapshots of {n} points"),
            len,
        )?;
        let mut data = Vec::with_capacity(len);
        let mut times = Vec::with_capacity(capacity);
        data.resize(n, 0.0);
        self.state_into(&mut data[..n])?;
        times.push(0.0);
        let mut status = Status::Converged;
        let mut taken = 0u64;
        while taken < steps {
            if !self.step_finite()? {
                status = Status::NonFinite;
                break;
            }
            taken += 1;
            if taken.is_multiple_of(every) {
                let start = data.len();
                data.resize(start + n, 0.0);
                self.state_into(&mut data[start..])?;
                times.push(taken as f64 * self.params.dt);
            }
            let info = IterInfo::new(taken as usize, f64::NAN, f64::NAN);
            // the horizon reached wins over a stop
            if observer.observe(&info) == Control::Stop && taken < steps {
                status = Status::StoppedByObserver;
                break;
            }
        }
        let info = clock.finish(taken as usize, status, f64::NAN);
        observer.finish(&info);
        Ok(KsTrajectory {
            states: DMatrix::from_vec(n, times.len(), data),
            times,
            info,
        })
    }

    /// Advances every column of `states` (N × B, one state per column) by `steps` steps with
    /// this solver's plans and buffers (the solver's own state is replaced by the last column).
    pub fn advance_batch(&mut self, states: &mut DMatrix<f64>, steps: u64) -> Result<()> {
        let n = self.params.n;
        parsimony_core::error::check_len("rows of states (grid points)", n, states.nrows())?;
        for col in states.as_mut_slice().chunks_exact_mut(n) {
            self.set_state(col)?;
            self.advance(steps)?;
            self.state_into(col)?;
        }
        Ok(())
    }
}
