//! The shooting cross-check of the flame speed (shared/specs/flame.md §2): integrate
//! λT'' = m c_p T' − q_F ω(T; s_L) from (T, T') = (T_in, G) and classify a trial s_L by the
//! first event — T' < 0 means the flame flashes back (s_L too small), T > T_max that it blows
//! out (s_L too large) — then bisect.
//!
//! The integrator is the classical fourth-order Runge–Kutta method with a fixed step, small
//! against the e-folding length λ/(m c_p) ≈ 80 µm of the unstable mode (the default 10 nm gives
//! a local error far below the bisection tolerance). The trajectory itself is only meaningful
//! up to ≈ 1 mm, where the unstable mode takes over; it serves for s_L, not for fields.
//! Cost: O(x_end/dx) rate evaluations per trial, ≈ 45 trials.
//!
//! Shape: [`ShootingParams`] → [`ShootingParams::build`] → [`Shooting::solve`] (or
//! [`Shooting::solve_observed`]) on a [`FlameModel`] → [`ShootingSolution`] with
//! `info: SolveInfo`: `iterations` counts the bisection steps (iteration k is the k-th midpoint
//! trial, the one the observer sees as iteration k; the two bracket ends, integrated first, are
//! not iterations), `stop_value` is the bracket width after the step (m/s). After bisection k
//! the observer sees it, then: width ≤ `tol` → [`Status::Converged`] (it wins); else the
//! observer's stop → [`Status::StoppedByObserver`]; else `max_trials` trajectories integrated
//! (k = `max_trials` − 2) → [`Status::MaxIterations`]. A midpoint with no event ends the run
//! with [`Status::Stalled`]. [`ShootingSolution::trials`] counts every trajectory.

use crate::model::FlameModel;
use crate::physics::Case1Physics;
use parsimony_core::error::check_positive;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

/// Parameters of the shooting method: pub fields, setters, checked once by
/// [`ShootingParams::build`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `bracket` | (0.1, 1.0) m/s | 0 < lo < hi; lo must flash back, hi blow out |
/// | `tol` | 1e-12 m/s | > 0 |
/// | `dx` | 1e-8 m | > 0 |
/// | `x_end` | 3 mm | > 0 |
/// | `max_trials` (trajectories, the two bracket ends included: at most `max_trials` − 2 bisection steps) | 200 | ≥ 3 |
#[derive(Clone, Debug, PartialEq)]
pub struct ShootingParams {
    /// Initial bracket of s_L.
    pub bracket: (f64, f64),
    /// Bisection stops when the bracket is narrower than this.
    pub tol: f64,
    /// RK4 step.
    pub dx: f64,
    /// How far to integrate before giving up on an event.
    pub x_end: f64,
    /// Cap on the trajectories integrated (the two bracket ends included).
    pub max_trials: usize,
}

impl Default for ShootingParams {
    fn default() -> Self {
        Self {
            bracket: (0.1, 1.0),
            tol: 1e-12,
            dx: 1e-8,
            x_end: 3e-3,
            max_trials: 200,
        }
    }
}

impl ShootingParams {
    /// Sets the initial bracket of s_L (m/s).
    pub fn bracket(mut self, lo: f64, hi: f64) -> Self {
        self.bracket = (lo, hi);
        self
    }
    /// Sets the bracket width at which bisection stops (m/s).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Sets the RK4 step (m).
    pub fn dx(mut self, dx: f64) -> Self {
        self.dx = dx;
        self
    }
    /// Sets how far to integrate (m).
    pub fn x_end(mut self, x_end: f64) -> Self {
        self.x_end = x_end;
        self
    }
    /// Sets the cap on trajectories.
    pub fn max_trials(mut self, n: usize) -> Self {
        self.max_trials = n;
        self
    }

    /// Checks every field (typed errors naming the field; at most 10⁹ RK4 steps per trial)
    /// and returns the solver.
    pub fn build(self) -> Result<Shooting> {
        self.validate()?;
        Ok(Shooting { params: self })
    }

    fn validate(&self) -> Result<()> {
        let (lo, hi) = self.bracket;
        check_positive("bracket (lower end)", lo)?;
        if !(hi > lo && hi.is_finite()) {
            return Err(Error::invalid("bracket", "need 0 < lo < hi"));
        }
        check_positive("tol", self.tol)?;
        check_positive("dx", self.dx)?;
        check_positive("x_end", self.x_end)?;
        if self.x_end / self.dx > 1e9 {
            return Err(Error::invalid(
                "dx",
                format!(
                    "x_end / dx = {:e} RK4 steps per trial (at most 1e9)",
                    self.x_end / self.dx
                ),
            ));
        }
        if self.max_trials < 3 {
            return Err(Error::invalid(
                "max_trials",
                format!("must be ≥ 3, got {}", self.max_trials),
            ));
        }
        Ok(())
    }
}

/// What a trial trajectory did first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// T' < 0: s_L too small.
    Flashback,
    /// T > T_max: s_L too large.
    BlowOut,
    /// Neither before `x_end`.
    Undecided,
}

/// Integrates one trial s_L = `s` (m/s) and reports its first event.
///
/// Errors: an invalid model or parameters, or `s` not finite and positive.
pub fn shoot(model: &FlameModel, s: f64, params: &ShootingParams) -> Result<Outcome> {
    model.validate()?;
    params.validate()?;
    check_positive("s", s)?;
    Ok(shoot_unchecked(model, s, params))
}

fn shoot_unchecked(model: &FlameModel, s: f64, params: &ShootingParams) -> Outcome {
    let (lam, cp, qf) = (model.conductivity, model.cp, model.heat_release);
    let m = model.rho_in() * s;
    let t_max = model.t_max();
    let phys = Case1Physics::new(model, s);
    let f = |t: f64, g: f64| (g, (m * cp * g - qf * phys.rate::<false>(t).omega) / lam);
    let (mut t, mut g) = (model.t_in, model.inlet_gradient);
    let h = params.dx;
    let steps = (params.x_end / h).ceil() as usize;
    for _ in 0..steps {
        let (k1t, k1g) = f(t, g);
        let (k2t, k2g) = f(t + 0.5 * h * k1t, g + 0.5 * h * k1g);
        let (k3t, k3g) = f(t + 0.5 * h * k2t, g + 0.5 * h * k2g);
        let (k4t, k4g) = f(t + h * k3t, g + h * k3g);
        t += h / 6.0 * (k1t + 2.0 * k2t + 2.0 * k3t + k4t);
        g += h / 6.0 * (k1g + 2.0 * k2g + 2.0 * k3g + k4g);
        if g < 0.0 {
            return Outcome::Flashback;
        }
        if t > t_max {
            return Outcome::BlowOut;
        }
    }
    Outcome::Undecided
}

/// The flame speed found by [`Shooting::solve`].
#[derive(Clone, Debug, PartialEq)]
pub struct ShootingSolution {
    /// s_L (m/s): the midpoint of the final bracket.
    pub s_l: f64,
    /// The final bracket (m/s): its lower end flashes back, its upper end blows out.
    pub bracket: (f64, f64),
    /// Trajectories integrated, the two bracket ends included (`info.iterations` + 2).
    pub trials: usize,
    /// Bisection steps (`iterations`), status, final bracket width (`stop_value`).
    /// [`Status::Converged`] when the bracket narrowed to `tol`; [`Status::Stalled`] when a
    /// trial at the midpoint neither flashed back nor blew out within `x_end`: the integration
    /// cannot tell the bracket's points apart any further (a longer `x_end` can), and the
    /// bracket is the uncertainty (s_L is then that midpoint).
    pub info: SolveInfo,
}

/// The shooting solver, made by [`ShootingParams::build`].
#[derive(Clone, Debug, PartialEq)]
pub struct Shooting {
    params: ShootingParams,
}

/// The flame speed by shooting and bisection: the preset
/// `params.clone().build()?.solve(model)`.
///
/// Errors: invalid model or parameters, or a bracket whose ends do not flash back and blow out.
pub fn flame_speed_shooting(
    model: &FlameModel,
    params: &ShootingParams,
) -> Result<ShootingSolution> {
    params.clone().build()?.solve(model)
}

impl Shooting {
    /// The parameters it was built with.
    pub fn params(&self) -> &ShootingParams {
        &self.params
    }

    /// The flame speed of `model` by shooting and bisection.
    ///
    /// Errors: an invalid model, or a bracket whose ends do not flash back and blow out.
    pub fn solve(&self, model: &FlameModel) -> Result<ShootingSolution> {
        self.solve_observed(model, &mut Silent)
    }

    /// As [`Shooting::solve`], reporting every bisection step to `observer` (iteration k = the
    /// k-th midpoint, cost: NaN, stop value: the bracket width after it).
    pub fn solve_observed(
        &self,
        model: &FlameModel,
        observer: &mut dyn Observer,
    ) -> Result<ShootingSolution> {
        let clock = Clock::start();
        let params = &self.params;
        model.validate()?;
        let (mut lo, mut hi) = params.bracket;
        if shoot_unchecked(model, lo, params) != Outcome::Flashback
            || shoot_unchecked(model, hi, params) != Outcome::BlowOut
        {
            return Err(Error::invalid(
                "bracket",
                format!("({lo}, {hi}) does not bracket the flame speed"),
            ));
        }
        // bisection steps: the observer's iterations 1, 2, …
        let cap = params.max_trials - 2;
        let mut k = 0;
        let mut s_l = None;
        let status = if hi - lo <= params.tol {
            Status::Converged
        } else {
            loop {
                let mid = 0.5 * (lo + hi);
                if !(mid > lo && mid < hi) {
                    // lo and hi are adjacent doubles: a tolerance below their spacing cannot
                    // be met, and bisecting further changes nothing
                    break Status::Stalled;
                }
                k += 1;
                let outcome = shoot_unchecked(model, mid, params);
                match outcome {
                    Outcome::Flashback => lo = mid,
                    Outcome::BlowOut => hi = mid,
                    Outcome::Undecided => s_l = Some(mid),
                }
                let control = observer.observe(&IterInfo::new(k, f64::NAN, hi - lo));
                if hi - lo <= params.tol {
                    break Status::Converged;
                }
                if outcome == Outcome::Undecided {
                    break Status::Stalled;
                }
                if control == Control::Stop {
                    break Status::StoppedByObserver;
                }
                if k == cap {
                    break Status::MaxIterations;
                }
            }
        };
        let info = clock.finish(k, status, hi - lo);
        observer.finish(&info);
        Ok(ShootingSolution {
            s_l: s_l.unwrap_or(0.5 * (lo + hi)),
            bracket: (lo, hi),
            trials: k + 2,
            info,
        })
    }
}
