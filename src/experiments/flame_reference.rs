//! Laminar flame speeds of FlamePINN-1D's Case 1 (one-step chemistry, Le = 1, L = 1.5 mm,
//! G = 1e5 K/m) from the classical reference solver: finite differences with the flame speed
//! s_L as a Newton unknown on n and 2n intervals plus Richardson extrapolation, checked by
//! shooting (the s_L at which the integrated profile meets the far-field condition), over
//! φ = 0.40 … 0.50, and the temperature profile at φ = 0.42.
//!
//! Config ([`ReferenceConfig`]): `n = 4000` intervals (Richardson uses n and 2n), `t_in = 298`
//! K, `p_atm = 1` atm, `phis = [0.40, …, 0.50]`, `profile_phi = 0.42`. `parsimony run
//! flame-reference` or `cargo run --release --example flame_reference`. Writes `speeds.csv`,
//! `flame_speed.png`, `profile.csv`, `profile.png` and `run.json`.

use super::flame_pinn::model_at;
use super::shape::Experiment;
use crate::Result;
use crate::flame::reference::{NewtonParams, solve_fd_richardson};
use crate::flame::shooting::{ShootingParams, flame_speed_shooting};
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::solve::{Control, IterInfo, Observer};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferenceConfig {
    /// Intervals of the coarse grid (Richardson uses n and 2n).
    pub n: usize,
    /// Inlet temperature (K).
    pub t_in: f64,
    /// Pressure (atm).
    pub p_atm: f64,
    /// Equivalence ratios of the flame-speed curve.
    pub phis: Vec<f64>,
    /// Equivalence ratio of the profile.
    pub profile_phi: f64,
}

impl Default for ReferenceConfig {
    fn default() -> Self {
        Self {
            n: 4000,
            t_in: 298.0,
            p_atm: 1.0,
            phis: vec![0.40, 0.42, 0.44, 0.46, 0.48, 0.50],
            profile_phi: 0.42,
        }
    }
}

/// One φ.
#[derive(Clone, Debug, Serialize)]
pub struct Speed {
    /// Equivalence ratio.
    pub phi: f64,
    /// s_L by FD + Newton + Richardson (m/s).
    pub s_l_fd: f64,
    /// Newton iterations on the fine grid.
    pub newton_iterations: usize,
    /// s_L by shooting (m/s).
    pub s_l_shooting: f64,
    /// Shooting trials.
    pub shooting_trials: usize,
    /// Whether shooting met its tolerance.
    pub shooting_converged: bool,
    /// The adiabatic flame temperature (K).
    pub t_max: f64,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct ReferenceReport {
    /// One per φ.
    pub speeds: Vec<Speed>,
    /// Whether Newton converged on the profile's fine grid.
    pub profile_converged: bool,
    /// The profile's x (m) and T (K) on the fine grid (not written to run.json).
    #[serde(skip)]
    pub profile: (Vec<f64>, Vec<f64>),
}

/// The experiment (see the module documentation).
pub struct FlameReference;

impl Experiment for FlameReference {
    const NAME: &'static str = "flame-reference";
    const ABOUT: &'static str =
        "FlamePINN-1D Case 1 flame speeds s_L(φ) by FD + Newton + Richardson, checked by shooting";
    type Config = ReferenceConfig;
    type Report = ReferenceReport;

    fn run(cfg: &ReferenceConfig, observer: &mut dyn Observer) -> Result<ReferenceReport> {
        if cfg.phis.is_empty() {
            return Err(crate::Error::invalid("phis", "need at least one φ"));
        }
        let mut speeds = Vec::new();
        for (k, &phi) in cfg.phis.iter().enumerate() {
            let model = model_at(cfg.t_in, cfg.p_atm, phi)?;
            let (s_l_fd, fine) = solve_fd_richardson(&model, cfg.n, &NewtonParams::default())?;
            let shot = flame_speed_shooting(&model, &ShootingParams::default())?;
            speeds.push(Speed {
                phi,
                s_l_fd,
                newton_iterations: fine.info.iterations,
                s_l_shooting: shot.s_l,
                shooting_trials: shot.trials,
                shooting_converged: shot.info.converged,
                t_max: model.t_max(),
            });
            if observer.observe(&IterInfo::new(k + 1, f64::NAN, s_l_fd)) == Control::Stop {
                return Err(crate::Error::invalid("observer", "stopped the experiment"));
            }
        }
        let model = model_at(cfg.t_in, cfg.p_atm, cfg.profile_phi)?;
        let (_, sol) = solve_fd_richardson(&model, cfg.n, &NewtonParams::default())?;
        Ok(ReferenceReport {
            speeds,
            profile_converged: sol.info.converged,
            profile: (sol.x.clone(), sol.t.clone()),
        })
    }

    fn render(cfg: &ReferenceConfig, r: &ReferenceReport, dir: &Path) -> Result<()> {
        let rows: Vec<Vec<f64>> = r
            .speeds
            .iter()
            .map(|s| vec![s.phi, s.s_l_fd, s.s_l_shooting, s.t_max])
            .collect();
        write_csv(
            &dir.join("speeds.csv"),
            &["phi", "s_l_fd", "s_l_shooting", "t_max"],
            &rows,
        )?;
        let col = |k: usize| rows.iter().map(|r| r[k]).collect::<Vec<_>>();
        LinePlot::new(format!(
            "Case 1 laminar flame speed, T_in = {} K, {} atm",
            cfg.t_in, cfg.p_atm
        ))
        .labels("equivalence ratio φ", "s_L (m/s)")
        .line("finite differences + Newton (Richardson)", &col(0), &col(1))
        .points("shooting", &col(0), &col(2))
        .color(1)
        .save(dir.join("flame_speed.png"))?;
        let xs: Vec<f64> = r.profile.0.iter().map(|x| x * 1e3).collect();
        write_csv(
            &dir.join("profile.csv"),
            &["x_mm", "temperature_k"],
            &xs.iter()
                .zip(&r.profile.1)
                .map(|(x, t)| vec![*x, *t])
                .collect::<Vec<_>>(),
        )?;
        LinePlot::new(format!(
            "Case 1 temperature profile, φ = {}",
            cfg.profile_phi
        ))
        .labels("x (mm)", "T (K)")
        .line("finite differences", &xs, &r.profile.1)
        .save(dir.join("profile.png"))
    }

    fn metrics(r: &ReferenceReport) -> Vec<(String, f64)> {
        r.speeds
            .iter()
            .flat_map(|s| {
                [
                    (format!("s_L FD at φ = {}", s.phi), s.s_l_fd),
                    (
                        format!("shooting − FD at φ = {}", s.phi),
                        s.s_l_shooting - s.s_l_fd,
                    ),
                ]
            })
            .collect()
    }

    fn seed(_cfg: &ReferenceConfig) -> u64 {
        0
    }
}
