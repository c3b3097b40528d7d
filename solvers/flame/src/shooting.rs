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

use crate::model::FlameModel;
use parsimony_core::error::check_positive;
use parsimony_core::{Error, Result};

/// Settings of the shooting method.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `bracket` | (0.1, 1.0) m/s | 0 < lo < hi; lo must flash back, hi blow out |
/// | `tol` | 1e-12 m/s | > 0 |
/// | `dx` | 1e-8 m | > 0 |
/// | `x_end` | 3 mm | > 0 |
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
}

impl Default for ShootingParams {
    fn default() -> Self {
        Self {
            bracket: (0.1, 1.0),
            tol: 1e-12,
            dx: 1e-8,
            x_end: 3e-3,
        }
    }
}

impl ShootingParams {
    /// Checks every field (typed errors naming the field); at most 10⁹ RK4 steps per trial.
    pub fn check(&self) -> Result<()> {
        let (lo, hi) = self.bracket;
        if !(lo > 0.0 && hi > lo && hi.is_finite()) {
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
    params.check()?;
    check_positive("s", s)?;
    Ok(shoot_unchecked(model, s, params))
}

fn shoot_unchecked(model: &FlameModel, s: f64, params: &ShootingParams) -> Outcome {
    let (lam, cp, qf) = (model.conductivity, model.cp, model.heat_release);
    let m = model.rho_in() * s;
    let t_max = model.t_max();
    let f = |t: f64, g: f64| (g, (m * cp * g - qf * model.rate(t, s).omega) / lam);
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

/// The flame speed found by [`flame_speed_shooting`].
#[derive(Clone, Debug, PartialEq)]
pub struct ShootingSolution {
    /// s_L (m/s): the midpoint of the final bracket.
    pub s_l: f64,
    /// The final bracket (m/s): its lower end flashes back, its upper end blows out.
    pub bracket: (f64, f64),
    /// Trajectories integrated.
    pub trials: usize,
    /// Whether the bracket narrowed to `tol`. False when a trial at the midpoint neither
    /// flashed back nor blew out within `x_end`: the integration cannot tell the bracket's
    /// points apart any further (a longer `x_end` can), and the bracket is the uncertainty.
    pub converged: bool,
}

/// The flame speed by shooting and bisection.
///
/// Errors: invalid model or parameters, or a bracket whose ends do not flash back and blow out.
pub fn flame_speed_shooting(
    model: &FlameModel,
    params: &ShootingParams,
) -> Result<ShootingSolution> {
    model.validate()?;
    params.check()?;
    let (mut lo, mut hi) = params.bracket;
    if shoot_unchecked(model, lo, params) != Outcome::Flashback
        || shoot_unchecked(model, hi, params) != Outcome::BlowOut
    {
        return Err(Error::invalid(
            "bracket",
            format!("({lo}, {hi}) does not bracket the flame speed"),
        ));
    }
    let mut trials = 2;
    while hi - lo > params.tol {
        let mid = 0.5 * (lo + hi);
        trials += 1;
        match shoot_unchecked(model, mid, params) {
            Outcome::Flashback => lo = mid,
            Outcome::BlowOut => hi = mid,
            Outcome::Undecided => {
                return Ok(ShootingSolution {
                    s_l: mid,
                    bracket: (lo, hi),
                    trials,
                    converged: false,
                });
            }
        }
    }
    Ok(ShootingSolution {
        s_l: 0.5 * (lo + hi),
        bracket: (lo, hi),
        trials,
        converged: true,
    })
}
