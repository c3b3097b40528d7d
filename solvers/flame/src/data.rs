//! The data both inverse methods (the classical least squares of [`crate::inverse_fd`] and the
//! inverse PINN of [`crate::loss`]) and the training share: observations of a flame, the
//! weighting of their misfits, the normalisation scales, and grids.
//!
//! * [`Observations`]: point values T̃ᵢ (K) and ũᵢ (m/s) at positions xᵢ ∈ [0, L], real or
//!   synthetic (a [`Profile`] sampled at n uniform points with multiplicative noise
//!   value·(1 + σξ), ξ ~ N(0, 1));
//! * [`DataWeights`]: the misfits d_T = a_T (T − T̃), d_u = a_u (u − ũ) with (a_T, a_u) =
//!   (s_T, 1) (the paper's) or κ/(T̃, ũ) (relative, maximum likelihood for multiplicative noise);
//! * [`Scaling`]: the paper's normalisation x̂ = s_x x, s_x = 10/L, and s_T = 5/T_max;
//! * [`uniform_points`]: x_i = L i/(n − 1).
//!
//! This module sits below the solvers that use it and imports only the model.

use crate::model::FlameModel;
use parsimony_core::{Error, Result};

/// A temperature profile with its flame speed, from which observations can be drawn (a
/// finite-difference flame `reference::FdSolution` is one).
pub trait Profile {
    /// T (K) at `x` (m). Errors: `x` outside the profile's domain.
    fn temperature_at(&self, x: f64) -> Result<f64>;
    /// The flame speed s_L (m/s) that goes with the profile.
    fn flame_speed(&self) -> f64;
}

/// Uniform points x_i = L i/(n − 1), i = 0 … n − 1, both ends included (n = 1 gives the
/// single point 0; n = 0 no points). Errors: n beyond the memory budget.
pub fn uniform_points(length: f64, n: usize) -> Result<Vec<f64>> {
    parsimony_core::memory::check_elements::<f64>(&format!("{n} points"), n)?;
    let gaps = n.saturating_sub(1).max(1) as f64;
    Ok((0..n).map(|i| length * i as f64 / gaps).collect())
}

/// Input and temperature scales of the normalisation: s_x = 10/L, s_T = 5/T_max.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// s_x (1/m).
    pub s_x: f64,
    /// s_T (1/K).
    pub s_t: f64,
}

impl Scaling {
    /// The paper's scales for `model`.
    pub fn for_model(model: &FlameModel) -> Self {
        Self {
            s_x: 10.0 / model.length,
            s_t: 5.0 / model.t_max(),
        }
    }
}

/// How the inverse loss weighs the misfits of the observations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataWeights {
    /// The paper's: d_T = s_T (T − T̃), d_u = u − ũ (absolute; the hot points weigh most).
    #[default]
    Paper,
    /// Relative: d_T = κ (T − T̃)/T̃, d_u = κ (u − ũ)/ũ with κ = s_T T_max / 2 = 2.5, the
    /// maximum-likelihood weighting for multiplicative noise (every point by its own noise).
    Relative,
}

/// Noisy point observations of T (K) and u (m/s) for the inverse problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Observations {
    /// Positions (m), inside [0, L].
    pub x: Vec<f64>,
    /// Observed temperature (K).
    pub temperature: Vec<f64>,
    /// Observed velocity (m/s).
    pub velocity: Vec<f64>,
}

impl Observations {
    /// `n` ≥ 2 uniformly spaced observations on [0, L] (both ends included) of T and of
    /// u(T; s_L) taken from `reference` (a [`Profile`], e.g. a finite-difference flame
    /// `reference::FdSolution`), each with multiplicative Gaussian noise value·(1 + σ ξ),
    /// ξ ~ N(0, 1) from the portable stream of `seed` (T and u draws alternate point by point).
    pub fn synthetic(
        model: &FlameModel,
        reference: &impl Profile,
        n: usize,
        sigma: f64,
        seed: u64,
    ) -> Result<Self> {
        if n < 2 {
            return Err(Error::invalid(
                "observations",
                format!("need at least 2, got {n}"),
            ));
        }
        parsimony_core::error::check_in_range("sigma", sigma, 0.0, 1.0)?;
        // positions, temperatures and velocities
        parsimony_core::memory::check_total::<f64>(&format!("{n} observations"), &[n, n, n])?;
        let mut rng = parsimony_core::random::SplitMix64::new(seed);
        let x = uniform_points(model.length, n)?;
        let mut temperature = Vec::with_capacity(n);
        let mut velocity = Vec::with_capacity(n);
        for &xi in &x {
            let t = reference.temperature_at(xi)?;
            let u = model.velocity(t, reference.flame_speed());
            temperature.push(t * (1.0 + sigma * rng.normal()));
            velocity.push(u * (1.0 + sigma * rng.normal()));
        }
        let obs = Self {
            x,
            temperature,
            velocity,
        };
        obs.validate(model.length)?;
        Ok(obs)
    }

    /// Checks lengths, finiteness, positions inside [0, `length`] and positive values.
    pub fn validate(&self, length: f64) -> Result<()> {
        let n = self.x.len();
        if n == 0 {
            return Err(Error::invalid(
                "observations",
                "need at least one observation",
            ));
        }
        parsimony_core::error::check_len("observed temperatures", n, self.temperature.len())?;
        parsimony_core::error::check_len("observed velocities", n, self.velocity.len())?;
        for (name, v) in [
            ("observation positions", &self.x),
            ("observed temperatures", &self.temperature),
            ("observed velocities", &self.velocity),
        ] {
            parsimony_core::linalg::check_finite(name, v)?;
        }
        if let Some(&x) = self.x.iter().find(|&&x| !(0.0..=length).contains(&x)) {
            return Err(Error::invalid(
                "observation positions",
                format!("{x:e} m is outside the domain [0, {length:e}] m"),
            ));
        }
        if self.temperature.iter().any(|&t| t <= 0.0) {
            return Err(Error::invalid("observed temperatures", "must be > 0 K"));
        }
        if self.velocity.iter().any(|&u| u <= 0.0) {
            return Err(Error::invalid("observed velocities", "must be > 0 m/s"));
        }
        Ok(())
    }
}
