//! Discovering the whole Kuramoto–Sivashinsky equation u_t = −u u_x − u_xx − u_xxxx from a
//! space–time data set with the 24-term library u^p ∂ₓ^d u (d, p ≤ 4, spectral derivatives) and
//! the RVM (PySINDy's KS example; Mojgani et al.'s MEDIDA preset of the RVM).
//!
//! Config ([`DiscoveryConfig`]):
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `data` | `solvers/medida/tests/data` | folder with `ks_pysindy_u.npy` and `ks_pysindy_t.npy` (N × T and T, as PySINDy's `kuramoto_sivishinky.mat`); relative to the working directory |
//! | `generate` | false | true: simulate the same trajectory instead (L = 32π, N = 1024, ETDRK4 h = 0.025, every 16 steps to t = 100); `data` is then not read |
//! | `stencil` | `central2` | time derivative: `central2` or `central4` |
//!
//! `parsimony run medida-discover`. Writes `discovered.csv` (term index, coefficient,
//! posterior std), `coefficients.png` and `run.json`.

use super::shape::Experiment;
use crate::medida::ks::{CoefficientMethod, KsParams, KsRun, Nyquist};
use crate::medida::library::Term;
use crate::medida::pde_discovery::{PdeData, PdeDiscoveryParams, TimeDerivative, read_npy};
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::solve::Observer;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

/// The time-difference stencil of the regression's left-hand side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stencil {
    /// Second-order central differences.
    Central2,
    /// Fourth-order central differences.
    Central4,
}

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryConfig {
    /// Folder with `ks_pysindy_u.npy` and `ks_pysindy_t.npy`.
    pub data: PathBuf,
    /// Simulate the data set instead of reading it.
    pub generate: bool,
    /// The time-difference stencil.
    pub stencil: Stencil,
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        Self {
            data: PathBuf::from("solvers/medida/tests/data"),
            generate: false,
            stencil: Stencil::Central2,
        }
    }
}

/// One discovered term.
#[derive(Clone, Debug, Serialize)]
pub struct DiscoveredTerm {
    /// Its label (`uu_x`).
    pub term: String,
    /// Its column in the 24-term library.
    pub index: usize,
    /// The posterior mean of its coefficient.
    pub coefficient: f64,
    /// The posterior standard deviation.
    pub std: f64,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct DiscoveryReport {
    /// Where the data came from.
    pub source: String,
    /// Grid points × times of the data.
    pub shape: (usize, usize),
    /// Time step of the data.
    pub dt: f64,
    /// The discovered equation, `u_t = …`.
    pub equation: String,
    /// The support with coefficients and standard deviations.
    pub terms: Vec<DiscoveredTerm>,
    /// Rows of the regression.
    pub rows: usize,
    /// RVM iterations.
    pub rvm_iterations: usize,
}

impl DiscoveryReport {
    /// The coefficient of `term` (0 when it is not in the support).
    pub fn coefficient(&self, term: Term) -> f64 {
        self.terms
            .iter()
            .find(|t| t.term == term.label())
            .map_or(0.0, |t| t.coefficient)
    }
}

/// The experiment (see the module documentation).
pub struct KsDiscovery;

impl Experiment for KsDiscovery {
    const NAME: &'static str = "medida-discover";
    const ABOUT: &'static str = "MEDIDA/RVM: the whole Kuramoto–Sivashinsky equation from PySINDy's data set (or a simulated one)";
    type Config = DiscoveryConfig;
    type Report = DiscoveryReport;

    fn run(cfg: &DiscoveryConfig, observer: &mut dyn Observer) -> crate::Result<DiscoveryReport> {
        let length = 32.0 * PI;
        let (u, dt, source) = if cfg.generate {
            let mut ks = KsParams::default()
                .n(1024)
                .dt(0.025)
                .nyquist(Nyquist::Zero)
                .coefficients(CoefficientMethod::Contour { points: 16 })
                .build()?;
            let x = ks.grid(length / 1024.0);
            let u0: Vec<f64> = x
                .iter()
                .map(|&x| (x / 16.0).cos() * (1.0 + (x / 16.0).sin()))
                .collect();
            let run = ks.solve(&KsRun::new(u0, 4000, 16)?)?;
            run.info.require_converged()?;
            (
                run.states,
                0.4,
                "simulated (ETDRK4, h = 0.025, every 16 steps)".to_string(),
            )
        } else {
            let read = |f: &str| {
                read_npy(cfg.data.join(f)).map_err(|e| {
                    crate::Error::invalid("data", format!("{}: {e}", cfg.data.join(f).display()))
                })
            };
            let u = read("ks_pysindy_u.npy")?.to_matrix()?;
            let t = read("ks_pysindy_t.npy")?;
            if t.data.len() < 2 {
                return Err(crate::Error::invalid("data", "need at least two times"));
            }
            let dt = t.data[1] - t.data[0];
            (
                u,
                dt,
                cfg.data.join("ks_pysindy_u.npy").display().to_string(),
            )
        };
        let stencil = match cfg.stencil {
            Stencil::Central2 => TimeDerivative::Central2,
            Stencil::Central4 => TimeDerivative::Central4,
        };
        let params = PdeDiscoveryParams::new().time_derivative(stencil);
        let fit = params
            .clone()
            .build()?
            .solve_observed(&PdeData::new(&u, length, dt)?, observer)?;
        let terms = fit
            .terms
            .iter()
            .map(|(t, label, w, s)| {
                Ok(DiscoveredTerm {
                    term: label.clone(),
                    index: params.library.index_of(*t).ok_or_else(|| {
                        crate::Error::invalid("library", format!("no column for {t}"))
                    })?,
                    coefficient: *w,
                    std: *s,
                })
            })
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(DiscoveryReport {
            source,
            shape: (u.nrows(), u.ncols()),
            dt,
            equation: fit.equation(),
            terms,
            rows: fit.rows,
            rvm_iterations: fit.fit.info.iterations,
        })
    }

    fn render(_cfg: &DiscoveryConfig, r: &DiscoveryReport, dir: &Path) -> crate::Result<()> {
        let rows: Vec<Vec<f64>> = r
            .terms
            .iter()
            .map(|t| vec![t.index as f64, t.coefficient, t.std])
            .collect();
        write_csv(
            &dir.join("discovered.csv"),
            &["term_index", "coefficient", "std"],
            &rows,
        )?;
        let idx: Vec<f64> = r.terms.iter().map(|t| t.index as f64).collect();
        let w: Vec<f64> = r.terms.iter().map(|t| t.coefficient).collect();
        let names: Vec<String> = r
            .terms
            .iter()
            .map(|t| format!("{} = {}", t.term, t.index))
            .collect();
        LinePlot::new(format!("discovered: {}", r.equation))
            .labels(
                format!("library term ({})", names.join(", ")),
                "coefficient",
            )
            .points("RVM posterior mean", &idx, &w)
            .points("truth (−1 each)", &idx, &vec![-1.0; idx.len()])
            .color(1)
            .save(dir.join("coefficients.png"))
    }

    fn metrics(r: &DiscoveryReport) -> Vec<(String, f64)> {
        vec![
            ("terms".into(), r.terms.len() as f64),
            ("coefficient uu_x".into(), r.coefficient(Term::new(1, 1))),
            ("coefficient u_xx".into(), r.coefficient(Term::new(0, 2))),
            ("coefficient u_xxxx".into(), r.coefficient(Term::new(0, 4))),
        ]
    }

    fn summary(_cfg: &DiscoveryConfig, r: &DiscoveryReport) -> String {
        format!(
            "{}: {} × {} grid points × times, Δt = {}\n  discovered: {}   ({} rows, {} RVM iterations)\n  truth:      u_t = − 1 uu_x − 1 u_xx − 1 u_xxxx\n",
            r.source, r.shape.0, r.shape.1, r.dt, r.equation, r.rows, r.rvm_iterations
        )
    }

    fn seed(_cfg: &DiscoveryConfig) -> u64 {
        0
    }
}
