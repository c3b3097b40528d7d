//! The imperfect model of MEDIDA: one CNAB2 step of a Kuramoto–Sivashinsky-type equation.
//!
//! The model is u_t = L u + N(u) + Σⱼ aⱼ u^{pⱼ} ∂ₓ^{dⱼ} u with the linear symbol
//! L_k = c₂k² − c₃k⁴ + i c₄k³ and N̂(u) = −(c₁/2)·ik·FFT(u²) (the coefficients of
//! [`KsParams`]; the sum holds optional explicit extra terms, used by a corrected model).
//! Crank–Nicolson on L and Adams–Bashforth 2 on the rest give, with step h:
//!
//! ```text
//!   û(t) = [ (1 + hL/2) û(t−h) + (3/2) h N̂(u(t−h)) − (1/2) h N̂(u(t−2h)) ] / (1 − hL/2)
//! ```
//!
//! (shared/specs/medida.md §1.3, S2). A forcing mode f̂_k added to the right-hand side reaches
//! the new state as h f̂_k/(1 − hL_k/2): [`Cnab2::forcing_response`] is that factor, which the
//! response-corrected MEDIDA target inverts.
//!
//! Cost per step: two forward and one inverse real FFT, O(N log N) (plus, with extra terms,
//! two FFTs per extra term for its derivative, d = 0 included, and one forward FFT of their
//! sum). [`Cnab2::step_ensemble`] steps many members from
//! one shared u(t−2h), whose N̂ is computed once. No allocation per step.
//!
//! Use: `Cnab2Params::new(ks).extra_term(..).build()? -> Cnab2` (parameters checked once;
//! [`Cnab2::new`] is the preset without extra terms), then one step ([`Cnab2::step`]) or a
//! whole multistep run of a [`Cnab2Run`] with [`Cnab2::solve`] / [`Cnab2::solve_observed`] →
//! [`Cnab2Solution`] (final state, `info: SolveInfo`); the observer sees the state after every
//! step.

use crate::ks::KsParams;
use crate::library::Term;
use crate::spectral::SpectralGrid;
use nalgebra::DMatrix;
use num_complex::Complex;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

type C64 = Complex<f64>;

/// An explicit term a·u^p ∂ₓ^d u on the right-hand side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExtraTerm {
    /// The library term u^p ∂ₓ^d u.
    pub term: Term,
    /// Its coefficient a (in u_t = … + a·term).
    pub coefficient: f64,
}

/// Parameters of the CNAB2 model (pub fields and setters, checked once by
/// [`Cnab2Params::build`]).
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `ks` | [`KsParams::default`] | valid [`KsParams`], 1 − hL_k/2 ≠ 0 at every mode | coefficients c₁…c₄, grid (L, N, Nyquist convention, dealiasing) and step h = `dt`; the ETDRK4 coefficient method is not used |
/// | `extra` | none | finite coefficients, power and derivative order ≤ 8 | explicit extra terms Σ aⱼ u^{pⱼ} ∂ₓ^{dⱼ} u on the right-hand side |
#[derive(Clone, Debug, Default)]
pub struct Cnab2Params {
    /// Coefficients, grid and step.
    pub ks: KsParams,
    /// Explicit extra terms.
    pub extra: Vec<ExtraTerm>,
}

impl Cnab2Params {
    /// The model of `ks` with no extra terms.
    pub fn new(ks: KsParams) -> Self {
        Self {
            ks,
            extra: Vec::new(),
        }
    }
    /// Sets the coefficients, grid and step.
    pub fn ks(mut self, ks: KsParams) -> Self {
        self.ks = ks;
        self
    }
    /// Sets the explicit extra terms.
    pub fn extra(mut self, extra: Vec<ExtraTerm>) -> Self {
        self.extra = extra;
        self
    }
    /// Adds the explicit extra term `coefficient`·`term`.
    pub fn extra_term(mut self, term: Term, coefficient: f64) -> Self {
        self.extra.push(ExtraTerm { term, coefficient });
        self
    }

    /// Checks the parameters once and plans the model (FFTs, symbols, buffers).
    pub fn build(self) -> Result<Cnab2> {
        let Self { ks: params, extra } = self;
        params.validate()?;
        for (j, e) in extra.iter().enumerate() {
            if !e.coefficient.is_finite() {
                return Err(Error::non_finite(format!("coefficient of extra term {j}")));
            }
            if e.term.derivative > 8 || e.term.power > 8 {
                return Err(Error::invalid(
                    format!("extra term {j}"),
                    "power and derivative order must be ≤ 8",
                ));
            }
        }
        let n = params.n;
        let grid = SpectralGrid::new(n, params.length, params.nyquist)?;
        let h = params.dt;
        let lk = params.linear_symbol();
        let explicit_lin = lk.iter().map(|l| 1.0 + 0.5 * h * l).collect();
        // singular (or so near it that 1/(1 − hL/2) is only rounding) at some mode
        if let Some(m) = lk.iter().position(|l| {
            let half = 0.5 * h * l;
            (1.0 - half).norm() <= 1e-12 * half.norm().max(1.0)
        }) {
            return Err(Error::invalid(
                "dt",
                format!(
                    "the implicit half step 1 − h L_k/2 is singular at mode {m} (L_k = {}); take another dt",
                    lk[m]
                ),
            ));
        }
        let implicit_inv = lk.iter().map(|l| 1.0 / (1.0 - 0.5 * h * l)).collect();
        let g = params.quadratic_multiplier(1.0);
        let zeros = vec![C64::new(0.0, 0.0); n / 2 + 1];
        Ok(Cnab2 {
            params,
            grid,
            lk,
            explicit_lin,
            implicit_inv,
            g,
            extra,
            n1: zeros.clone(),
            n2: zeros.clone(),
            v1: zeros.clone(),
            tmp: zeros,
            sq: vec![0.0; n],
            deriv: vec![0.0; n],
            acc: vec![0.0; n],
        })
    }
}

/// One-step CNAB2 integrator (see the module documentation); built by [`Cnab2Params::build`].
#[derive(Clone, Debug)]
pub struct Cnab2 {
    params: KsParams,
    grid: SpectralGrid,
    lk: Vec<C64>,
    explicit_lin: Vec<C64>,
    implicit_inv: Vec<C64>,
    g: Vec<C64>,
    extra: Vec<ExtraTerm>,
    n1: Vec<C64>,
    n2: Vec<C64>,
    v1: Vec<C64>,
    tmp: Vec<C64>,
    sq: Vec<f64>,
    deriv: Vec<f64>,
    acc: Vec<f64>,
}

impl Cnab2 {
    /// The model with coefficients, grid and step `h = params.dt` of `params` (its ETDRK4
    /// coefficient method is not used): the preset `Cnab2Params::new(params).build()`.
    pub fn new(params: KsParams) -> Result<Self> {
        Cnab2Params::new(params).build()
    }

    /// The model plus explicit extra terms Σ aⱼ u^{pⱼ} ∂ₓ^{dⱼ} u on the right-hand side: the
    /// preset `Cnab2Params { ks: params, extra }.build()`.
    pub fn with_extra_terms(params: KsParams, extra: Vec<ExtraTerm>) -> Result<Self> {
        Cnab2Params { ks: params, extra }.build()
    }

    /// The parameters (coefficients, grid, step h = `dt`).
    pub fn params(&self) -> &KsParams {
        &self.params
    }

    /// The explicit extra terms.
    pub fn extra_terms(&self) -> &[ExtraTerm] {
        &self.extra
    }

    /// The linear symbol L_k on the half spectrum.
    pub fn linear_symbol(&self) -> &[C64] {
        &self.lk
    }

    /// The factor 1/(1 − hL_k/2) by which one step passes a right-hand-side forcing mode
    /// (times h) into the new state.
    pub fn forcing_response(&self) -> &[C64] {
        &self.implicit_inv
    }

    /// Divides the Fourier modes of `y` by the forcing response, in place: a forcing that one
    /// step passed into the new state as h f̂/(1 − hL/2) becomes h f̂ again.
    pub fn invert_forcing_response(&mut self, y: &mut [f64]) -> Result<()> {
        self.grid.divide(y, &self.implicit_inv)
    }

    /// The spectral grid of the model (its FFT plans; also usable for derivatives).
    pub fn grid_mut(&mut self) -> &mut SpectralGrid {
        &mut self.grid
    }

    /// `out` ← N̂(u) = −(c₁/2) ik FFT(u²) + FFT(Σ aⱼ u^{pⱼ} ∂^{dⱼ} u).
    fn explicit_hat(&mut self, u: &[f64], which: Slot) -> Result<()> {
        for (s, &x) in self.sq.iter_mut().zip(u) {
            *s = x * x;
        }
        let out = match which {
            Slot::N1 => &mut self.n1,
            Slot::N2 => &mut self.n2,
        };
        self.grid.forward(&self.sq, out)?;
        for (o, g) in out.iter_mut().zip(&self.g) {
            *o *= g;
        }
        if !self.extra.is_empty() {
            self.acc.iter_mut().for_each(|a| *a = 0.0);
            for e in &self.extra {
                self.grid
                    .derivative(u, e.term.derivative, &mut self.deriv)?;
                let d = e.term.derivative;
                for ((a, &x), &dx) in self.acc.iter_mut().zip(u).zip(&self.deriv) {
                    let base = if d == 0 { 1.0 } else { dx };
                    *a += e.coefficient * x.powi(e.term.power as i32) * base;
                }
            }
            self.grid.forward(&self.acc, &mut self.tmp)?;
            let out = match which {
                Slot::N1 => &mut self.n1,
                Slot::N2 => &mut self.n2,
            };
            for (o, t) in out.iter_mut().zip(&self.tmp) {
                *o += t;
            }
        }
        Ok(())
    }

    fn check_state(&self, what: &str, u: &[f64]) -> Result<()> {
        parsimony_core::error::check_len(
            format_args!("length of {what} (grid points)"),
            self.params.n,
            u.len(),
        )?;
        parsimony_core::linalg::check_finite(what, u)
    }

    /// Combines û(t−h) (in `v1`), N̂₁ and N̂₂ into the new state `out` (not checked).
    fn combine_into(&mut self, out: &mut [f64]) -> Result<()> {
        let h = self.params.dt;
        for m in 0..self.v1.len() {
            self.tmp[m] = (self.explicit_lin[m] * self.v1[m] + self.n1[m] * (1.5 * h)
                - self.n2[m] * (0.5 * h))
                * self.implicit_inv[m];
        }
        let tmp = std::mem::take(&mut self.tmp);
        let r = self.grid.inverse(&tmp, out);
        self.tmp = tmp;
        r
    }

    /// One step: u(t) from u(t−2h) = `u_prev2` and u(t−h) = `u_prev1`, into `out`.
    /// Errors: lengths other than N, non-finite inputs, a non-finite new state.
    pub fn step(&mut self, u_prev2: &[f64], u_prev1: &[f64], out: &mut [f64]) -> Result<()> {
        self.check_state("u_prev2", u_prev2)?;
        self.check_state("u_prev1", u_prev1)?;
        parsimony_core::error::check_len("length of out", self.params.n, out.len())?;
        self.step_unchecked(u_prev2, u_prev1, out)?;
        parsimony_core::linalg::check_finite("new state", out)
            .map_err(|_| Error::breakdown("CNAB2 step", "non-finite state"))
    }

    /// [`Cnab2::step`] on inputs the caller has checked (lengths N, finite), without the
    /// check of the new state.
    pub(crate) fn step_unchecked(
        &mut self,
        u_prev2: &[f64],
        u_prev1: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        if self.extra.is_empty() {
            // N̂ is linear in u²: (3/2)N̂(u₁) − (1/2)N̂(u₂) = N̂ of (3/2)u₁² − (1/2)u₂², one FFT
            for ((s, &a), &b) in self.sq.iter_mut().zip(u_prev1).zip(u_prev2) {
                *s = 1.5 * a * a - 0.5 * b * b;
            }
            self.grid.forward(&self.sq, &mut self.n1)?;
            self.grid.forward(u_prev1, &mut self.v1)?;
            // û = [(1 + hL/2) û₁ + h g FFT(sq)] / (1 − hL/2), written straight into the grid's
            // spectrum (one pass)
            let h = self.params.dt;
            let (lin, g, inv) = (&self.explicit_lin, &self.g, &self.implicit_inv);
            let (v1, n1) = (&self.v1, &self.n1);
            return self.grid.inverse_with(out, |spec, scale| {
                for (m, o) in spec.iter_mut().enumerate() {
                    *o = (lin[m] * v1[m] + g[m] * n1[m] * h) * (inv[m] * scale);
                }
            });
        }
        self.explicit_hat(u_prev2, Slot::N2)?;
        self.explicit_hat(u_prev1, Slot::N1)?;
        self.grid.forward(u_prev1, &mut self.v1)?;
        self.combine_into(out)
    }

    /// One step for every member (column) of `members` (N × Nₑ, the states u(t−h)), all
    /// sharing u(t−2h) = `u_prev2`; the new states go to the columns of `out` (N × Nₑ).
    pub fn step_ensemble(
        &mut self,
        u_prev2: &[f64],
        members: &DMatrix<f64>,
        out: &mut DMatrix<f64>,
    ) -> Result<()> {
        let n = self.params.n;
        self.check_state("u_prev2", u_prev2)?;
        parsimony_core::error::check_len("rows of members (grid points)", n, members.nrows())?;
        parsimony_core::error::check_len("rows of out", n, out.nrows())?;
        parsimony_core::error::check_len("columns of out", members.ncols(), out.ncols())?;
        parsimony_core::linalg::check_finite("members", members.as_slice())?;
        self.explicit_hat(u_prev2, Slot::N2)?;
        for (src, dst) in members
            .as_slice()
            .chunks_exact(n)
            .zip(out.as_mut_slice().chunks_exact_mut(n))
        {
            self.explicit_hat(src, Slot::N1)?;
            self.grid.forward(src, &mut self.v1)?;
            self.combine_into(dst)?;
            parsimony_core::linalg::check_finite("new state", dst)
                .map_err(|_| Error::breakdown("CNAB2 step", "non-finite state"))?;
        }
        Ok(())
    }

    /// The model tendency f(u) = L u + N(u) (+ extra terms) in physical space, into `out`.
    pub fn tendency(&mut self, u: &[f64], out: &mut [f64]) -> Result<()> {
        self.check_state("u", u)?;
        parsimony_core::error::check_len("length of out", self.params.n, out.len())?;
        self.tendency_unchecked(u, out)
    }

    /// [`Cnab2::tendency`] of a state the caller has checked (length N, finite).
    pub(crate) fn tendency_unchecked(&mut self, u: &[f64], out: &mut [f64]) -> Result<()> {
        self.explicit_hat(u, Slot::N1)?;
        self.grid.forward(u, &mut self.v1)?;
        for m in 0..self.v1.len() {
            self.tmp[m] = self.lk[m] * self.v1[m] + self.n1[m];
        }
        let tmp = std::mem::take(&mut self.tmp);
        let r = self.grid.inverse(&tmp, out);
        self.tmp = tmp;
        r
    }

    /// Runs `run` silently (see [`Cnab2::solve_observed`]).
    pub fn solve(&mut self, run: &Cnab2Run) -> Result<Cnab2Solution> {
        self.solve_observed(run, &mut Silent)
    }

    /// Runs the multistep scheme from u(t₀ − h), u(t₀) of `run` for `run.steps()` steps. The
    /// observer sees every step (`iteration` = steps taken, cost and stop value NaN) with the
    /// new state u attached as a `Vec<f64>` (`info.state::<Vec<f64>>()`), and may stop the run.
    /// A non-finite state ends the run with [`Status::NonFinite`] and the last finite state
    /// (before the observer sees it). Stop rule (as core's solvers): the last step ends the run
    /// with [`Status::Converged`] whatever the observer answers; a [`Control::Stop`] before it
    /// with [`Status::StoppedByObserver`]. Errors: initial states of another length than N.
    pub fn solve_observed(
        &mut self,
        run: &Cnab2Run,
        observer: &mut dyn Observer,
    ) -> Result<Cnab2Solution> {
        let clock = Clock::start();
        let n = self.params.n;
        parsimony_core::error::check_len("length of u_prev (grid points)", n, run.u_prev.len())?;
        parsimony_core::error::check_len("length of u_now (grid points)", n, run.u_now.len())?;
        let mut a = run.u_prev.clone();
        let mut b = run.u_now.clone();
        let mut c = vec![0.0; n];
        let mut status = Status::Converged;
        let mut taken = 0;
        while taken < run.steps {
            self.step_unchecked(&a, &b, &mut c)?;
            if !c.iter().all(|x| x.is_finite()) {
                status = Status::NonFinite;
                break;
            }
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut b, &mut c);
            taken += 1;
            let info = IterInfo::new(taken, f64::NAN, f64::NAN).with_state(&b);
            // the last step wins over a stop
            if observer.observe(&info) == Control::Stop && taken < run.steps {
                status = Status::StoppedByObserver;
                break;
            }
        }
        let info = clock.finish(taken, status, f64::NAN);
        observer.finish(&info);
        Ok(Cnab2Solution {
            state: b,
            previous: a,
            info,
        })
    }
}

/// A multistep run, the problem of [`Cnab2::solve`]: the two starting states u(t₀ − h),
/// u(t₀) and the number of steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Cnab2Run {
    u_prev: Vec<f64>,
    u_now: Vec<f64>,
    steps: usize,
}

impl Cnab2Run {
    /// `steps` steps from u(t₀ − h) = `u_prev` and u(t₀) = `u_now` (finite, of one length,
    /// which must be the model's N).
    pub fn new(u_prev: Vec<f64>, u_now: Vec<f64>, steps: usize) -> Result<Self> {
        parsimony_core::error::check_len(
            "length of u_now (length of u_prev)",
            u_prev.len(),
            u_now.len(),
        )?;
        if u_now.is_empty() {
            return Err(Error::invalid("u_now", "is empty"));
        }
        parsimony_core::linalg::check_finite("u_prev", &u_prev)?;
        parsimony_core::linalg::check_finite("u_now", &u_now)?;
        Ok(Self {
            u_prev,
            u_now,
            steps,
        })
    }
    /// Steps to take.
    pub fn steps(&self) -> usize {
        self.steps
    }
}

/// The result of [`Cnab2::solve`].
#[derive(Clone, Debug)]
pub struct Cnab2Solution {
    /// The last finite state u(t₀ + k h), k = `info.iterations`.
    pub state: Vec<f64>,
    /// The state one step before it.
    pub previous: Vec<f64>,
    /// `iterations` = steps taken; `status` [`Status::Converged`] when all were taken,
    /// [`Status::NonFinite`] when the next state blew up, [`Status::StoppedByObserver`];
    /// `stop_value` NaN (a fixed number of steps has no stopping quantity).
    pub info: SolveInfo,
}

#[derive(Clone, Copy)]
enum Slot {
    N1,
    N2,
}
