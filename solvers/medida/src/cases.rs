//! The test bed of the MEDIDA paper: truth trajectories and the model-error cases of its code
//! (shared/specs/medida.md §1.1–1.3).
//!
//! The truth is u_t + u u_x + u_xx + u_xxxx = 0 by ETDRK4 with a fine step; samples are triples
//! of truth states t − 2h, t − h, t with h = `ndt`·dt the imperfect model's step. A case is
//! an imperfect CNAB2 model whose coefficients differ from the truth's; its model error
//! h(u) = truth − model (in u_t = … form) is what MEDIDA should find.

use crate::ks::{CoefficientMethod, Ks, KsParams};
use crate::library::Term;
use crate::model_error::Sample;
use crate::spectral::Nyquist;
use parsimony_core::error::check_at_least_one;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};
use std::f64::consts::PI;

/// The initial condition of the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialCondition {
    /// MEDIDA's code: x = −L/2 + jL/N, u₀ = −cos(2πx/L)(1 + sin(−2πx/L)).
    Medida,
    /// Kassam–Trefethen: x = (j + 1)L/N, u₀ = cos(2πx/L)(1 + sin(2πx/L)) (with L = 32π:
    /// cos(x/16)(1 + sin(x/16))).
    KassamTrefethen,
}

/// Where and how the truth is computed and sampled.
///
/// | name | paper | CI-sized (C2) |
/// |---|---|---|
/// | `length` | 100 | 32π |
/// | `n` | 1024 | 256 |
/// | `dt` | 1e-3 | 1e-3 |
/// | `ndt` (h = ndt·dt) | 5 | 5 |
/// | `first_step` | 100 000 | 100 000 |
/// | `every` (steps between samples) | 10 000 | 10 000 |
/// | `samples` | 10 | 10 |
/// | `initial` | `Medida` | `KassamTrefethen` |
#[derive(Clone, Debug, PartialEq)]
pub struct TruthConfig {
    /// Domain length L.
    pub length: f64,
    /// Grid points N.
    pub n: usize,
    /// Truth time step.
    pub dt: f64,
    /// Truth steps per model step.
    pub ndt: u64,
    /// The truth step of the first sample time.
    pub first_step: u64,
    /// Truth steps between sample times.
    pub every: u64,
    /// Number of samples.
    pub samples: usize,
    /// Initial condition.
    pub initial: InitialCondition,
}

impl TruthConfig {
    /// The paper's geometry (`main.py` with BETA = 10 000).
    pub fn paper() -> Self {
        Self {
            length: 100.0,
            n: 1024,
            dt: 1e-3,
            ndt: 5,
            first_step: 100_000,
            every: 10_000,
            samples: 10,
            initial: InitialCondition::Medida,
        }
    }

    /// Reference case C2 of the spec (L = 32π, N = 256).
    pub fn ci() -> Self {
        Self {
            length: 32.0 * PI,
            n: 256,
            initial: InitialCondition::KassamTrefethen,
            ..Self::paper()
        }
    }

    /// The model step h = ndt · dt.
    pub fn model_step(&self) -> f64 {
        self.ndt as f64 * self.dt
    }

    /// The truth solver's parameters (coefficients 1, numpy Nyquist convention, 16-point
    /// contour coefficients as in the paper's code).
    pub fn truth_params(&self) -> KsParams {
        KsParams {
            length: self.length,
            n: self.n,
            dt: self.dt,
            nyquist: Nyquist::Negative,
            coefficients: CoefficientMethod::Contour { points: 16 },
            ..KsParams::default()
        }
    }

    /// The imperfect model's parameters for coefficients λ = (c₁, c₂, c₃, c₄).
    pub fn model_params(&self, lambda: [f64; 4]) -> KsParams {
        KsParams {
            length: self.length,
            n: self.n,
            dt: self.model_step(),
            nyquist: Nyquist::Negative,
            c1: lambda[0],
            c2: lambda[1],
            c3: lambda[2],
            c4: lambda[3],
            ..KsParams::default()
        }
    }

    /// The grid and u₀.
    pub fn initial_state(&self) -> (Vec<f64>, Vec<f64>) {
        let (n, l) = (self.n, self.length);
        match self.initial {
            InitialCondition::Medida => {
                let x: Vec<f64> = (0..n).map(|j| -l / 2.0 + j as f64 * l / n as f64).collect();
                let u = x
                    .iter()
                    .map(|&x| -(2.0 * PI * x / l).cos() * (1.0 + (-2.0 * PI * x / l).sin()))
                    .collect();
                (x, u)
            }
            InitialCondition::KassamTrefethen => {
                let x: Vec<f64> = (0..n).map(|j| (j + 1) as f64 * l / n as f64).collect();
                let u = x
                    .iter()
                    .map(|&x| (2.0 * PI * x / l).cos() * (1.0 + (2.0 * PI * x / l).sin()))
                    .collect();
                (x, u)
            }
        }
    }

    /// The checks of [`TruthConfig::build`] on the sampling (the grid and the step are
    /// checked with the truth solver's parameters).
    fn validate(&self) -> Result<()> {
        // the counts saturated to usize (a u64 above usize::MAX is still ≥ 1)
        let count = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        check_at_least_one("ndt", count(self.ndt))?;
        check_at_least_one("every", count(self.every))?;
        check_at_least_one("samples", self.samples)?;
        let two_ndt = self
            .ndt
            .checked_mul(2)
            .ok_or_else(|| Error::invalid("ndt", "2·ndt overflows u64"))?;
        // the last step the truth must reach, and the samples it keeps (3 states of n each)
        (self.samples as u64 - 1)
            .checked_mul(self.every)
            .and_then(|s| s.checked_add(self.first_step))
            .ok_or_else(|| {
                Error::invalid("samples", "first_step + (samples − 1)·every overflows u64")
            })?;
        let states =
            parsimony_core::memory::checked_product("samples × 3 × n", &[self.samples, 3, self.n])?;
        parsimony_core::memory::check_elements::<f64>(
            &format!("{} samples of 3 states of {} points", self.samples, self.n),
            states,
        )?;
        if self.first_step < two_ndt {
            return Err(Error::invalid(
                "first_step",
                "must leave room for the two earlier states (≥ 2·ndt)",
            ));
        }
        if self.samples > 1 && self.every < two_ndt {
            return Err(Error::invalid(
                "every",
                format!(
                    "samples {} steps apart overlap: each needs its two earlier states, 2·ndt = {} steps",
                    self.every, two_ndt
                ),
            ));
        }
        Ok(())
    }

    /// Checks the configuration once (sampling, grid, step) and returns the generator.
    pub fn build(self) -> Result<TruthGenerator> {
        self.validate()?;
        self.truth_params().validate()?;
        Ok(TruthGenerator { config: self })
    }

    /// Runs the truth and returns the samples: the preset `self.clone().build()?.generate()`
    /// (see [`TruthGenerator::generate`]).
    pub fn generate(&self) -> Result<Vec<Sample>> {
        self.clone().build()?.generate()
    }

    /// Runs the truth with an observer: the preset
    /// `self.clone().build()?.generate_observed(observer)` (see
    /// [`TruthGenerator::generate_observed`]).
    pub fn generate_observed(&self, observer: &mut dyn Observer) -> Result<TruthSamples> {
        self.clone().build()?.generate_observed(observer)
    }
}

/// A checked [`TruthConfig`] (built by [`TruthConfig::build`]) that runs the truth.
#[derive(Clone, Debug)]
pub struct TruthGenerator {
    config: TruthConfig,
}

impl TruthGenerator {
    /// The configuration.
    pub fn config(&self) -> &TruthConfig {
        &self.config
    }

    /// Runs the truth and returns the samples. Errors: a failure of the transforms, a truth
    /// that blows up (the step whose state is non-finite is named).
    pub fn generate(&self) -> Result<Vec<Sample>> {
        let truth = self.generate_observed(&mut Silent)?;
        if truth.info.status == Status::NonFinite {
            return Err(Error::breakdown(
                "KS step",
                format!(
                    "non-finite truth state after step {}",
                    truth.info.iterations + 1
                ),
            ));
        }
        Ok(truth.samples)
    }

    /// Runs the truth, reporting every truth step to `observer` (iteration = steps taken, of
    /// `first_step + (samples − 1)·every` in all; cost and stop value NaN). The states of a
    /// step are taken before the observer sees it. Stop rule (as core's solvers): the last
    /// step completes the run ([`Status::Converged`], whatever the observer answers); a
    /// [`Control::Stop`] before it ends the run with [`Status::StoppedByObserver`] and the
    /// samples completed so far; a non-finite state ends it with [`Status::NonFinite`]
    /// (before the observer sees that step). Errors: a failure of the transforms.
    pub fn generate_observed(&self, observer: &mut dyn Observer) -> Result<TruthSamples> {
        let clock = Clock::start();
        let cfg = &self.config;
        let mut ks = Ks::new(cfg.truth_params())?;
        let (_, u0) = cfg.initial_state();
        ks.set_state(&u0)?;
        let total = cfg.first_step + (cfg.samples as u64 - 1) * cfg.every;
        // the step of state k (0: u(t−2h), 1: u(t−h), 2: u(t)) of sample j
        let step_of =
            |j: usize, k: usize| cfg.first_step + j as u64 * cfg.every - (2 - k as u64) * cfg.ndt;
        let mut out = Vec::with_capacity(cfg.samples);
        let mut states: [Vec<f64>; 3] = Default::default();
        let (mut j, mut k) = (0, 0);
        // takes the states due at step `at` (the initial state may be one)
        let mut take = |ks: &mut Ks, at: u64, out: &mut Vec<Sample>| {
            while j < cfg.samples && step_of(j, k) == at {
                states[k] = ks.state();
                k += 1;
                if k == 3 {
                    let [a, b, c] = std::mem::take(&mut states);
                    out.push(Sample {
                        u_prev2: a,
                        u_prev1: b,
                        u_now: c,
                    });
                    (j, k) = (j + 1, 0);
                }
            }
        };
        take(&mut ks, 0, &mut out);
        let mut status = Status::Converged;
        let mut at = 0u64;
        while at < total {
            if !ks.step_finite()? {
                status = Status::NonFinite;
                break;
            }
            at += 1;
            take(&mut ks, at, &mut out);
            let info = IterInfo::new(at as usize, f64::NAN, f64::NAN);
            // the last step wins over a stop
            if observer.observe(&info) == Control::Stop && at < total {
                status = Status::StoppedByObserver;
                break;
            }
        }
        let info = clock.finish(at as usize, status, f64::NAN);
        observer.finish(&info);
        Ok(TruthSamples { samples: out, info })
    }
}

/// The result of [`TruthConfig::generate_observed`].
#[derive(Clone, Debug)]
pub struct TruthSamples {
    /// The samples completed (all of them unless the run ended early).
    pub samples: Vec<Sample>,
    /// `iterations` = truth steps taken; `status` [`Status::Converged`] when every sample was
    /// taken, [`Status::StoppedByObserver`], or [`Status::NonFinite`] when the truth blew up;
    /// `stop_value` NaN.
    pub info: SolveInfo,
}

/// One model-error case of the paper's code (`case_select.py`).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelErrorCase {
    /// "KS1", …, "KS12", "KSpu3x1", ….
    pub name: &'static str,
    /// The imperfect model's (c₁, c₂, c₃, c₄); the truth is (1, 1, 1, 0).
    pub lambda: [f64; 4],
}

impl ModelErrorCase {
    /// The exact model error h(u) = truth − model as (term, coefficient) in u_t = … form.
    pub fn exact_error(&self) -> Vec<(Term, f64)> {
        let truth = [1.0, 1.0, 1.0, 0.0];
        let terms = [
            Term::new(1, 1),
            Term::new(0, 2),
            Term::new(0, 4),
            Term::new(0, 3),
        ];
        // u_t = −c₁ uu_x − c₂ u_xx − c₃ u_xxxx − c₄ u_xxx: error coefficient = λ − truth
        terms
            .iter()
            .zip(truth.iter().zip(&self.lambda))
            .filter(|(_, (t, l))| t != l)
            .map(|(&term, (t, l))| (term, l - t))
            .collect()
    }
}

/// The 15 noise-free cases of the spec's table: KS1–KS12 and KSpu3x 1–3.
pub fn paper_cases() -> Vec<ModelErrorCase> {
    let c = |name, lambda| ModelErrorCase { name, lambda };
    vec![
        c("KS1", [0.0, 1.0, 1.0, 0.0]),
        c("KS2", [1.0, 0.0, 1.0, 0.0]),
        c("KS3", [1.0, 1.0, 0.0, 0.0]),
        c("KS4", [1.0, 0.0, 0.0, 0.0]),
        c("KS5", [0.0, 1.0, 0.0, 0.0]),
        c("KS6", [0.0, 0.0, 1.0, 0.0]),
        c("KS7", [0.5, 1.0, 1.0, 0.0]),
        c("KS8", [1.0, 0.5, 1.0, 0.0]),
        c("KS9", [1.0, 1.0, 0.5, 0.0]),
        c("KS10", [2.0, 2.0, 2.0, 0.0]),
        c("KS11", [0.0, 0.5, 2.0, 0.0]),
        c("KS12", [0.5, 0.0, 1.0, 0.0]),
        c("KSpu3x1", [1.0, 1.0, 1.0, 0.1]),
        c("KSpu3x2", [1.0, 1.0, 1.0, 0.5]),
        c("KSpu3x3", [1.0, 1.0, 1.0, 1.0]),
    ]
}

/// The case named `name` (case-insensitive), if any.
pub fn case(name: &str) -> Option<ModelErrorCase> {
    paper_cases()
        .into_iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples closer than the two earlier states each needs are a typed error (they used to
    /// wrap the step count around).
    #[test]
    fn overlapping_samples_are_refused() {
        let cfg = TruthConfig {
            every: 2 * TruthConfig::ci().ndt - 1,
            ..TruthConfig::ci()
        };
        let err = cfg.generate().unwrap_err();
        assert!(err.to_string().contains("every"), "{err}");
        let one = TruthConfig {
            samples: 1,
            every: 1,
            ..TruthConfig::ci()
        };
        assert!(one.validate().is_ok());
    }
}
