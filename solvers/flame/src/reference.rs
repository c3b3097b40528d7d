//! The classical reference solver of Case 1: second-order finite differences and a damped
//! Newton method with the flame speed s_L as an extra unknown (shared/specs/flame.md §2, §6.5).
//!
//! On x_i = i h, h = L/N, the unknowns are T_0 … T_N and s_L; the N + 2 equations are
//!
//! ```text
//!   T_0 − T_in = 0
//!   m c_p (T_{i+1} − T_{i−1})/(2h) − λ (T_{i+1} − 2T_i + T_{i−1})/h² − q_F ω(T_i; s_L) = 0,  0 < i < N
//!   (3T_N − 4T_{N−1} + T_{N−2})/(2h) = 0                            (outlet, T'(L) = 0)
//!   (−3T_0 + 4T_1 − T_2)/(2h) − G = 0                               (the inlet gradient)
//! ```
//!
//! with m = ρ_in s_L, rows scaled to O(1). The Jacobian is tridiagonal (the outlet row is made
//! tridiagonal by one elimination) bordered by the dense s_L column and the inlet-gradient row,
//! so a Newton step is two Thomas solves and a scalar Schur complement: O(N). Steps are halved
//! until the residual norm decreases and T stays in (0.5 T_in, 1.2 T_max). s_L converges as h²;
//! Richardson extrapolation from N and 2N gives ~1e-8 relative at N = 4000.

use crate::data::Profile;
use crate::model::FlameModel;
use crate::physics::{Case1Physics, RateSlices};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

/// Parameters of the Newton iteration: pub fields, setters, checked once by
/// [`NewtonParams::build`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `max_iter` | 100 | ≥ 1 |
/// | `tol` | 1e-12 | > 0: stop when max(\|δT\|/T_max, \|δs\|/s) < tol |
/// | `initial_speed` | 0.3 m/s | > 0 |
/// | `initial_centre`, `initial_width` | 0.45 mm, 0.06 mm | > 0 (tanh initial profile) |
#[derive(Clone, Debug, PartialEq)]
pub struct NewtonParams {
    /// Iteration cap.
    pub max_iter: usize,
    /// Relative update tolerance.
    pub tol: f64,
    /// Initial s_L.
    pub initial_speed: f64,
    /// Centre of the initial tanh profile (m).
    pub initial_centre: f64,
    /// Width of the initial tanh profile (m).
    pub initial_width: f64,
}

impl Default for NewtonParams {
    fn default() -> Self {
        Self {
            max_iter: 100,
            tol: 1e-12,
            initial_speed: 0.3,
            initial_centre: 0.45e-3,
            initial_width: 0.06e-3,
        }
    }
}

impl NewtonParams {
    /// Sets the iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Sets the relative update tolerance.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Sets the initial s_L (m/s).
    pub fn initial_speed(mut self, s: f64) -> Self {
        self.initial_speed = s;
        self
    }
    /// Sets the centre and width (m) of the initial tanh profile.
    pub fn initial_profile(mut self, centre: f64, width: f64) -> Self {
        self.initial_centre = centre;
        self.initial_width = width;
        self
    }

    /// Checks every field (typed errors naming the field) and returns the solver.
    pub fn build(self) -> Result<FdSolver> {
        parsimony_core::error::check_positive("tol", self.tol)?;
        parsimony_core::error::check_positive("initial_speed", self.initial_speed)?;
        parsimony_core::error::check_positive("initial_centre", self.initial_centre)?;
        parsimony_core::error::check_positive("initial_width", self.initial_width)?;
        parsimony_core::error::check_at_least_one("max_iter", self.max_iter)?;
        Ok(FdSolver { params: self })
    }
}

/// The flame on a grid: a validated model and the number of intervals N of [0, L].
#[derive(Clone, Debug, PartialEq)]
pub struct FdProblem {
    model: FlameModel,
    intervals: usize,
}

impl FdProblem {
    /// Case 1 for `model` on `intervals` ≥ 4 uniform intervals.
    pub fn new(model: &FlameModel, intervals: usize) -> Result<Self> {
        model.validate()?;
        if intervals < 4 {
            return Err(Error::invalid(
                "n",
                format!("need at least 4 intervals, got {intervals}"),
            ));
        }
        // Newton's vectors (about 16 of N + 1 values) on the grid, and on 2N for Richardson
        let points = intervals
            .checked_mul(2)
            .and_then(|m| m.checked_add(1))
            .ok_or_else(|| Error::invalid("n", format!("{intervals} intervals overflow usize")))?;
        parsimony_core::memory::check_total::<f64>(
            &format!("a finite-difference flame on {intervals} intervals"),
            &[points; 16],
        )?;
        Ok(Self {
            model: model.clone(),
            intervals,
        })
    }

    /// The model.
    pub fn model(&self) -> &FlameModel {
        &self.model
    }

    /// The number of intervals N.
    pub fn intervals(&self) -> usize {
        self.intervals
    }
}

/// A finite-difference flame.
#[derive(Clone, Debug)]
pub struct FdSolution {
    /// Grid x_i (m), N + 1 points.
    pub x: Vec<f64>,
    /// Temperature T_i (K).
    pub t: Vec<f64>,
    /// Flame speed s_L (m/s).
    pub s_l: f64,
    /// Euclidean norm of the scaled residual at the end (a diagnostic; the stopping quantity
    /// is the update size, `info.stop_value`).
    pub residual_norm: f64,
    /// Newton iterations, status, the last relative update max(|δT|/T_max, |δs|/s) as
    /// `stop_value`, time.
    pub info: SolveInfo,
}

impl FdSolution {
    /// T at `x` by linear interpolation (`x` inside the grid). The fields are public, so they
    /// are checked here: at least 2 grid points, increasing, as many temperatures as points.
    /// Errors: fields that disagree, `x` outside the grid, a non-finite result.
    pub fn temperature_at(&self, x: f64) -> Result<f64> {
        let n = self.x.len();
        if n < 2 {
            return Err(Error::invalid(
                "FdSolution::x",
                format!("needs at least 2 grid points, has {n}"),
            ));
        }
        parsimony_core::error::check_len("FdSolution::t (grid points)", n, self.t.len())?;
        if !self.x.windows(2).all(|w| w[0] < w[1]) {
            return Err(Error::invalid(
                "FdSolution::x",
                "the grid must be strictly increasing",
            ));
        }
        let (x0, x1) = (self.x[0], self.x[n - 1]);
        if !(x >= x0 && x <= x1) {
            return Err(Error::invalid(
                "x",
                format!("{x} is outside the domain [{x0}, {x1}]"),
            ));
        }
        // the interval [x_i, x_{i+1}] holding x: guessed as on a uniform grid (the solvers'),
        // then moved to the interval that holds x (any increasing grid)
        let h = (x1 - x0) / (n - 1) as f64;
        let mut i = (((x - x0) / h).floor() as usize).min(n - 2);
        if !(self.x[i] <= x && x <= self.x[i + 1]) {
            i = self.x.partition_point(|&xi| xi <= x).clamp(1, n - 1) - 1;
        }
        // on a uniform grid divide by h, as the solvers' own interpolation does (bit for bit)
        let gap = self.x[i + 1] - self.x[i];
        let w = if (gap - h).abs() <= 1e-12 * h {
            (x - self.x[i]) / h
        } else {
            (x - self.x[i]) / gap
        };
        let v = self.t[i] * (1.0 - w) + self.t[i + 1] * w;
        if !v.is_finite() {
            return Err(Error::non_finite(format!(
                "T({x}) (FdSolution::t holds NaN or ±inf)"
            )));
        }
        Ok(v)
    }

    /// The first x where T reaches `level` (linear interpolation), if it does.
    pub fn position_of(&self, level: f64) -> Option<f64> {
        self.t.windows(2).zip(self.x.windows(2)).find_map(|(t, x)| {
            (t[0] < level && t[1] >= level)
                .then(|| x[0] + (level - t[0]) / (t[1] - t[0]) * (x[1] - x[0]))
        })
    }
}

impl Profile for FdSolution {
    fn temperature_at(&self, x: f64) -> Result<f64> {
        FdSolution::temperature_at(self, x)
    }
    fn flame_speed(&self) -> f64 {
        self.s_l
    }
}

/// Residual (scaled) of all N + 2 equations: interior and BC rows in `r` (length N + 1, row 0
/// is T_0 − T_in, row N the outlet), the inlet-gradient row returned. The rates of the interior
/// points are left in `rates` (length N − 1 each), for the Jacobian.
fn residual(
    model: &FlameModel,
    h: f64,
    t: &[f64],
    s: f64,
    scales: &Scales,
    r: &mut [f64],
    rates: &mut Rates,
) -> f64 {
    let n = t.len() - 1;
    let m = model.rho_in() * s;
    let (lam, cp, qf) = (model.conductivity, model.cp, model.heat_release);
    Case1Physics::new(model, s).rates_unchecked(&t[1..n], rates.slices());
    r[0] = (t[0] - model.t_in) * scales.bc;
    for i in 1..n {
        let conv = m * cp * (t[i + 1] - t[i - 1]) / (2.0 * h);
        let diff = lam * (t[i + 1] - 2.0 * t[i] + t[i - 1]) / (h * h);
        r[i] = (conv - diff - qf * rates.omega[i - 1]) * scales.interior;
    }
    r[n] = (3.0 * t[n] - 4.0 * t[n - 1] + t[n - 2]) / (2.0 * h) * scales.gradient;
    ((-3.0 * t[0] + 4.0 * t[1] - t[2]) / (2.0 * h) - model.inlet_gradient) * scales.gradient
}

/// ω, ∂ω/∂T, ∂ω/∂s_L at the interior points (scratch of one solve).
struct Rates {
    omega: Vec<f64>,
    d_t: Vec<f64>,
    d_s: Vec<f64>,
}

impl Rates {
    fn new(len: usize) -> Self {
        Self {
            omega: vec![0.0; len],
            d_t: vec![0.0; len],
            d_s: vec![0.0; len],
        }
    }

    fn slices(&mut self) -> RateSlices<'_> {
        RateSlices {
            omega: &mut self.omega,
            d_t: &mut self.d_t,
            d_s: &mut self.d_s,
        }
    }
}

struct Scales {
    bc: f64,
    interior: f64,
    gradient: f64,
}

/// Solves the tridiagonal system (lower, diag, upper) x = rhs in place (Thomas algorithm; the
/// matrix is diagonally dominant on fine grids). `work` has the length of `diag`.
fn thomas(lower: &[f64], diag: &[f64], upper: &[f64], rhs: &mut [f64], work: &mut [f64]) {
    let n = diag.len();
    work[0] = upper[0] / diag[0];
    rhs[0] /= diag[0];
    for i in 1..n {
        let denom = diag[i] - lower[i] * work[i - 1];
        work[i] = if i + 1 < n { upper[i] / denom } else { 0.0 };
        rhs[i] = (rhs[i] - lower[i] * rhs[i - 1]) / denom;
    }
    for i in (0..n - 1).rev() {
        rhs[i] -= work[i] * rhs[i + 1];
    }
}

/// The Newton solver of Case 1, made by [`NewtonParams::build`].
///
/// `info.iterations` counts Newton steps; `info.stop_value` is the last relative update
/// max(|δT|/T_max, |δs|/s). After step k the observer sees it (cost: the scaled residual
/// norm), then: the update below `tol` → [`Status::Converged`] (it wins); else no damped step
/// decreased the residual → [`Status::Stalled`]; else the observer's stop →
/// [`Status::StoppedByObserver`]; else k = `max_iter` → [`Status::MaxIterations`]. A Newton
/// step that is not finite ends the run with [`Status::NonFinite`], a singular bordered
/// system with [`Status::Breakdown`]; either returns the last (finite) iterate, not an error,
/// and that step is not counted.
#[derive(Clone, Debug, PartialEq)]
pub struct FdSolver {
    params: NewtonParams,
}

/// Solves Case 1 on `n` intervals of [0, L] (n ≥ 4): the preset
/// `params.clone().build()?.solve(&FdProblem::new(model, n)?)`.
pub fn solve_fd(model: &FlameModel, n: usize, params: &NewtonParams) -> Result<FdSolution> {
    params.clone().build()?.solve(&FdProblem::new(model, n)?)
}

impl FdSolver {
    /// The parameters it was built with.
    pub fn params(&self) -> &NewtonParams {
        &self.params
    }

    /// Solves `problem` (see [`FdSolver`]).
    pub fn solve(&self, problem: &FdProblem) -> Result<FdSolution> {
        self.solve_observed(problem, &mut Silent)
    }

    /// s_L extrapolated from N and 2N intervals, (4 s_{2N} − s_N)/3, and the finer solution.
    /// Errors: either solve fails or does not converge.
    pub fn solve_richardson(&self, problem: &FdProblem) -> Result<(f64, FdSolution)> {
        let coarse = self.solve(problem)?;
        let fine = self.solve(&FdProblem {
            intervals: 2 * problem.intervals,
            ..problem.clone()
        })?;
        if !(coarse.info.converged && fine.info.converged) {
            return Err(Error::NotConverged {
                iterations: coarse.info.iterations.max(fine.info.iterations),
                residual: coarse.residual_norm.max(fine.residual_norm),
            });
        }
        Ok(((4.0 * fine.s_l - coarse.s_l) / 3.0, fine))
    }

    /// As [`FdSolver::solve`], reporting every Newton step to `observer`.
    pub fn solve_observed(
        &self,
        problem: &FdProblem,
        observer: &mut dyn Observer,
    ) -> Result<FdSolution> {
        let clock = Clock::start();
        let params = &self.params;
        let (model, n) = (&problem.model, problem.intervals);
        newton(model, n, params, observer, clock)
    }
}

fn newton(
    model: &FlameModel,
    n: usize,
    params: &NewtonParams,
    observer: &mut dyn Observer,
    clock: Clock,
) -> Result<FdSolution> {
    let h = model.length / n as f64;
    let (t_in, t_max) = (model.t_in, model.t_max());
    let x: Vec<f64> = (0..=n).map(|i| i as f64 * h).collect();
    let mut t: Vec<f64> = x
        .iter()
        .map(|&x| {
            let z = ((x - params.initial_centre) / params.initial_width).tanh();
            t_in + 0.999 * (t_max - t_in) * (1.0 + z) / 2.0
        })
        .collect();
    let mut s = params.initial_speed;
    let scales = Scales {
        bc: 1.0 / t_max,
        interior: model.length / (model.rho_in() * params.initial_speed * model.cp * t_max),
        gradient: model.length / t_max,
    };
    let (lam, cp, qf, rho_in) = (
        model.conductivity,
        model.cp,
        model.heat_release,
        model.rho_in(),
    );
    let len = n + 1;
    let mut r = vec![0.0; len];
    let mut r_try = vec![0.0; len];
    let (mut lower, mut diag, mut upper) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
    let mut col = vec![0.0; len];
    let mut y = vec![0.0; len];
    let mut work = vec![0.0; len];
    let mut t_try = vec![0.0; len];
    // the rates at the current iterate (`rates`) and at a trial step (`rates_try`)
    let mut rates = Rates::new(n - 1);
    let mut rates_try = Rates::new(n - 1);
    let mut rb = residual(model, h, &t, s, &scales, &mut r, &mut rates);
    let norm = |r: &[f64], rb: f64| (r.iter().map(|v| v * v).sum::<f64>() + rb * rb).sqrt();
    let mut res = norm(&r, rb);
    let mut status = Status::MaxIterations;
    let mut iterations = 0;
    let mut last_step = f64::NAN;
    for it in 1..=params.max_iter {
        // Jacobian: rows 0..=n tridiagonal (+ outlet extra entry), column ∂/∂s, border row.
        let m = rho_in * s;
        lower[0] = 0.0;
        diag[0] = scales.bc;
        upper[0] = 0.0;
        col[0] = 0.0;
        for i in 1..n {
            let (rate_t, rate_s) = (rates.d_t[i - 1], rates.d_s[i - 1]);
            let a = m * cp / (2.0 * h);
            let d = lam / (h * h);
            lower[i] = (-a - d) * scales.interior;
            diag[i] = (2.0 * d - qf * rate_t) * scales.interior;
            upper[i] = (a - d) * scales.interior;
            col[i] =
                (rho_in * cp * (t[i + 1] - t[i - 1]) / (2.0 * h) - qf * rate_s) * scales.interior;
        }
        // outlet row (1, −4, 3)/(2h): eliminate its T_{N−2} entry with row N − 1
        let g = scales.gradient / (2.0 * h);
        let (extra, mut ln, mut dn) = (g, -4.0 * g, 3.0 * g);
        let f = extra / lower[n - 1];
        ln -= f * diag[n - 1];
        dn -= f * upper[n - 1];
        lower[n] = ln;
        diag[n] = dn;
        upper[n] = 0.0;
        col[n] = -f * col[n - 1];
        for (yi, ri) in y.iter_mut().zip(&r) {
            *yi = -ri;
        }
        y[n] += f * r[n - 1];
        // A y = −R, A z = ∂R/∂s; border row c = (−3, 4, −1)·g on T_0..T_2
        thomas(&lower, &diag, &upper, &mut y, &mut work);
        thomas(&lower, &diag, &upper, &mut col, &mut work);
        let c = [-3.0 * g, 4.0 * g, -g];
        let cy: f64 = c.iter().zip(&y).map(|(a, b)| a * b).sum();
        let cz: f64 = c.iter().zip(&col).map(|(a, b)| a * b).sum();
        if cz == 0.0 {
            // the current (finite) iterate is returned, with the reason
            status = Status::Breakdown {
                what: "flame Newton step (singular bordered system)",
                value: cz,
            };
            break;
        }
        let ds = (cy + rb) / cz;
        for (yi, zi) in y.iter_mut().zip(&col) {
            *yi -= zi * ds;
        }
        // the largest relative update; a NaN anywhere in the step propagates (f64::max would
        // drop it)
        let step = y.iter().fold((ds / s).abs(), |acc, d| {
            let v = (d / t_max).abs();
            if v > acc || v.is_nan() { v } else { acc }
        });
        if !step.is_finite() {
            status = Status::NonFinite;
            break;
        }
        // damping
        let mut lambda = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            let s_try = s + lambda * ds;
            // T in (0.5 T_in, 1.2 T_max) and a finite s_L > 0: the iterate stays finite
            let mut inside = s_try > 0.0 && s_try.is_finite();
            for ((tt, ti), di) in t_try.iter_mut().zip(&t).zip(&y) {
                *tt = ti + lambda * di;
                inside &= *tt > 0.5 * t_in && *tt < 1.2 * t_max;
            }
            if inside {
                let rb_try = residual(model, h, &t_try, s_try, &scales, &mut r_try, &mut rates_try);
                let res_try = norm(&r_try, rb_try);
                if res_try < res || step * lambda < params.tol {
                    std::mem::swap(&mut t, &mut t_try);
                    std::mem::swap(&mut r, &mut r_try);
                    std::mem::swap(&mut rates, &mut rates_try);
                    s = s_try;
                    rb = rb_try;
                    res = res_try;
                    accepted = true;
                    break;
                }
            }
            lambda *= 0.5;
        }
        iterations = it;
        last_step = step;
        let control = observer.observe(&IterInfo::new(it, res, step));
        if step < params.tol {
            status = Status::Converged;
            break;
        }
        if !accepted {
            status = Status::Stalled;
            break;
        }
        if control == Control::Stop {
            status = Status::StoppedByObserver;
            break;
        }
    }
    if !(res.is_finite() && s.is_finite() && t.iter().all(|v| v.is_finite())) {
        return Err(Error::non_finite(format!(
            "the Newton iterate after {iterations} iterations (residual {res:e}, s = {s:e}): the \
             model's scales overflow or vanish in doubles (check initial_speed, length, T_max)"
        )));
    }
    let info = clock.finish(iterations, status, last_step);
    observer.finish(&info);
    Ok(FdSolution {
        x,
        t,
        s_l: s,
        residual_norm: res,
        info,
    })
}

/// s_L extrapolated from N and 2N intervals, (4 s_{2N} − s_N)/3, and the finer solution: the
/// preset `params.clone().build()?.solve_richardson(&FdProblem::new(model, n)?)`.
pub fn solve_fd_richardson(
    model: &FlameModel,
    n: usize,
    params: &NewtonParams,
) -> Result<(f64, FdSolution)> {
    params
        .clone()
        .build()?
        .solve_richardson(&FdProblem::new(model, n)?)
}
