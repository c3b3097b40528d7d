//! MEDIDA on Kuramoto–Sivashinsky (Mojgani, Chattopadhyay & Hassanzadeh, Chaos 2022): simulate
//! the truth u_t = −u u_x − u_xx − u_xxxx, discover the model error of an imperfect CNAB2 model
//! (wrong coefficients λ of the same terms, or a missing term) from noise-free and noisy (EnKF)
//! samples, and compare the forecasts of the imperfect and the corrected model.
//!
//! Config ([`KsMedidaConfig`]):
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `case` | `KS1` | model-error case KS1…KS12, KSpu3x1…3 |
//! | `geometry` | `paper` | `paper` (L = 100, N = 1024) or `ci` (L = 32π, N = 256) |
//! | `samples` | 10 | sample times, 10 000 truth steps apart |
//! | `noise` | 0.01 | relative observation noise of the noisy run; 0 skips it |
//! | `members` | 0 | EnKF ensemble size; 0 means 10·N |
//! | `noisy_library` | `fd` | `fd` (the paper's PDE-FIND differences) or `spectral` |
//! | `seed` | 0 | seed of the noisy run |
//! | `input_lowpass` | 0 | k_c of the noisy run's input/forecast low-pass (not in the paper; 10 recovers hyperdiffusion errors, see `NoisyConfig`); 0 = off |
//! | `horizon` | 10 | forecast comparison length, in KS time units |
//!
//! `parsimony run medida-ks` or `cargo run --release --example ks_medida`. Writes
//! `ks_field.png` (space–time truth), `coefficients.png` and `coefficients.csv` (discovered vs
//! exact model error), `forecast_error.png` and `forecast_error.csv` (relative L2 forecast
//! error of the imperfect and the corrected model), and `run.json`.

use super::shape::Experiment;
use crate::medida::cases::{ModelErrorCase, TruthConfig, case, paper_cases};
use crate::medida::cnab2::{Cnab2, Cnab2Run};
use crate::medida::ks::Ks;
use crate::medida::library::{Derivatives, Library, Term};
use crate::medida::model_error::{MedidaParams, MedidaProblem, ModelErrorFit, NoisyConfig, Target};
use crate::output::write_csv;
use crate::plot::{Heatmap, LinePlot};
use crate::solve::{Control, Every, IterInfo, Observer, Status};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The grid of the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Geometry {
    /// L = 100, N = 1024 (the paper's).
    Paper,
    /// L = 32π, N = 256 (small, for CI).
    Ci,
}

/// How the noisy run's library differentiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoisyLibrary {
    /// PDE-FIND finite differences (the paper's).
    Fd,
    /// Spectral derivatives.
    Spectral,
}

/// The inputs (the paper's setting by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KsMedidaConfig {
    /// Model-error case, KS1…KS12 or KSpu3x1…3.
    pub case: String,
    /// The grid of the truth.
    pub geometry: Geometry,
    /// Sample times, 10 000 truth steps apart.
    pub samples: usize,
    /// Relative observation noise of the noisy run (0 skips it).
    pub noise: f64,
    /// EnKF ensemble size (0: 10·N).
    pub members: usize,
    /// The noisy run's library derivatives.
    pub noisy_library: NoisyLibrary,
    /// Seed of the noisy run.
    pub seed: u64,
    /// Wavenumber cut-off of the noisy run's input low-pass (0: off).
    pub input_lowpass: f64,
    /// Forecast comparison length (KS time units).
    pub horizon: f64,
}

impl Default for KsMedidaConfig {
    fn default() -> Self {
        Self {
            case: "KS1".into(),
            geometry: Geometry::Paper,
            samples: 10,
            noise: 0.01,
            members: 0,
            noisy_library: NoisyLibrary::Fd,
            seed: 0,
            input_lowpass: 0.0,
            horizon: 10.0,
        }
    }
}

/// One MEDIDA fit.
#[derive(Clone, Debug, Serialize)]
pub struct FitSummary {
    /// `plain`, `corrected` (noise-free, response-corrected target) or `noisy` (EnKF).
    pub label: String,
    /// The discovered model error, `u_t = …`.
    pub equation: String,
    /// The coefficient of every library term (zero off the support), in library order.
    pub coefficients: Vec<f64>,
    /// Whether the support is exactly the exact error's.
    pub support_exact: bool,
    /// Rows of the regression.
    pub rows: usize,
    /// Wall time of the fit (s).
    pub seconds: f64,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct KsMedidaReport {
    /// The case's name.
    pub case: String,
    /// The exact model error, as an equation.
    pub exact: String,
    /// The library's term labels, in column order.
    pub terms: Vec<String>,
    /// The exact model error's coefficient of every library term.
    pub exact_coefficients: Vec<f64>,
    /// The fits: plain, corrected, and noisy when `noise` > 0.
    pub fits: Vec<FitSummary>,
    /// Lead times of the forecast comparison.
    pub lead_times: Vec<f64>,
    /// Relative L2 forecast errors of the imperfect and the corrected model (NaN after a blow-up).
    pub forecast_error: [Vec<f64>; 2],
    /// Lead time at which the imperfect / corrected model blew up, if it did.
    pub blow_up: [Option<f64>; 2],
    /// Truth ETDRK4 steps and their wall time (s).
    pub truth_steps: u64,
    /// Wall time of the truth (s).
    pub truth_seconds: f64,
    /// Domain length L and the time of the first sample (the field's extent).
    pub extent: (f64, f64),
    /// The truth over the forecast window, N × (up to 201) (not written to run.json).
    #[serde(skip)]
    pub field: nalgebra::DMatrix<f64>,
}

impl KsMedidaReport {
    /// The forecast error of model k (0 imperfect, 1 corrected) at the first lead time ≥ t.
    pub fn forecast_at(&self, k: usize, t: f64) -> f64 {
        self.lead_times
            .iter()
            .position(|&x| x >= t - 1e-9)
            .map_or(f64::NAN, |i| self.forecast_error[k][i])
    }
}

/// The experiment (see the module documentation).
pub struct KsMedida;

/// "u_t = −u u_x − u_xx − u_xxxx" written from a case's exact error.
fn exact_equation(c: &ModelErrorCase) -> String {
    let parts: Vec<String> = c
        .exact_error()
        .iter()
        .map(|(t, w)| format!("{w:+.6} {}", t.label()))
        .collect();
    parts.join(" ")
}

fn relative_l2(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

fn stopped() -> crate::Error {
    crate::Error::invalid("observer", "stopped the experiment")
}

impl Experiment for KsMedida {
    const NAME: &'static str = "medida-ks";
    const ABOUT: &'static str = "MEDIDA: model-error discovery on Kuramoto–Sivashinsky, noise-free and with the EnKF (Mojgani et al.)";
    type Config = KsMedidaConfig;
    type Report = KsMedidaReport;

    fn run(cfg: &KsMedidaConfig, observer: &mut dyn Observer) -> crate::Result<KsMedidaReport> {
        let the_case = case(&cfg.case).ok_or_else(|| {
            let names: Vec<&str> = paper_cases().iter().map(|c| c.name).collect();
            crate::Error::invalid("case", format!("unknown '{}'; one of {names:?}", cfg.case))
        })?;
        let mut truth_cfg = match cfg.geometry {
            Geometry::Paper => TruthConfig::paper(),
            Geometry::Ci => TruthConfig::ci(),
        };
        if cfg.samples == 0 {
            return Err(crate::Error::invalid("samples", "need at least 1"));
        }
        truth_cfg.samples = cfg.samples;
        for (name, v) in [
            ("noise", cfg.noise),
            ("horizon", cfg.horizon),
            ("input_lowpass", cfg.input_lowpass),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(crate::Error::invalid(
                    name,
                    format!("must be finite and ≥ 0, got {v}"),
                ));
            }
        }
        let members = if cfg.members == 0 {
            10 * truth_cfg.n
        } else {
            cfg.members
        };
        let h = truth_cfg.model_step();

        // 1. truth (the observer sees every 100th ETDRK4 step)
        let t0 = Instant::now();
        let truth_steps = truth_cfg.first_step + (cfg.samples as u64 - 1) * truth_cfg.every;
        let truth = truth_cfg
            .generate_observed(&mut Every::new(100, |i: &IterInfo| observer.observe(i)))?;
        if truth.info.status == Status::StoppedByObserver {
            return Err(stopped());
        }
        if truth.info.status != Status::Converged {
            return Err(crate::Error::breakdown(
                "truth",
                format!(
                    "{} after {} steps",
                    truth.info.status, truth.info.iterations
                ),
            ));
        }
        let truth_seconds = t0.elapsed().as_secs_f64();
        let samples = truth.samples;

        // 2. noise-free MEDIDA, plain and response-corrected
        let model = || Cnab2::new(truth_cfg.model_params(the_case.lambda));
        let mut fits: Vec<(&str, ModelErrorFit, f64)> = Vec::new();
        for (label, target) in [
            ("plain", Target::Plain),
            ("corrected", Target::ResponseCorrected),
        ] {
            let t = Instant::now();
            let fit = MedidaParams::new(target)
                .build()?
                .solve(&MedidaProblem::new(model()?, &samples)?)?;
            fits.push((label, fit, t.elapsed().as_secs_f64()));
        }

        // 3. noisy MEDIDA with the EnKF (the observer sees each sample)
        if cfg.noise > 0.0 {
            let t = Instant::now();
            let derivatives = match cfg.noisy_library {
                NoisyLibrary::Fd => Derivatives::FiniteDifference,
                NoisyLibrary::Spectral => Derivatives::Spectral,
            };
            let conf = NoisyConfig {
                noise: cfg.noise,
                members: Some(members),
                input_lowpass: (cfg.input_lowpass > 0.0).then_some(cfg.input_lowpass),
                seed: cfg.seed,
                ..NoisyConfig::default()
            };
            let fit = MedidaParams::new(Target::Plain)
                .library(Library::new(4, 4, derivatives)?)
                .noisy(conf)
                .build()?
                .solve_observed(&MedidaProblem::new(model()?, &samples)?, observer)?;
            if fit.info.status == Status::StoppedByObserver {
                return Err(stopped());
            }
            fits.push(("noisy", fit, t.elapsed().as_secs_f64()));
        }

        // 4. the coefficients against the exact error
        let lib = Library::default();
        let exact = the_case.exact_error();
        let exact_coefficients: Vec<f64> = lib
            .terms()
            .iter()
            .map(|term| {
                exact
                    .iter()
                    .find(|(t, _)| t == term)
                    .map_or(0.0, |(_, w)| *w)
            })
            .collect();
        let sorted = |mut v: Vec<Term>| {
            v.sort_by_key(|t| (t.derivative, t.power));
            v
        };
        let exact_support = sorted(exact.iter().map(|(t, _)| *t).collect());
        let fit_summaries: Vec<FitSummary> = fits
            .iter()
            .map(|(label, f, secs)| FitSummary {
                label: label.to_string(),
                equation: f.equation(),
                coefficients: lib.terms().iter().map(|t| f.coefficient(*t)).collect(),
                support_exact: sorted(f.support()) == exact_support,
                rows: f.rows,
                seconds: *secs,
            })
            .collect();

        // 5. the truth over the forecast window, and the forecasts of the imperfect and the
        //    corrected model from the first sample
        let model_steps = (cfg.horizon / h).round() as usize;
        let mut ks = Ks::new(truth_cfg.truth_params())?;
        let start = &samples[0];
        ks.set_state(&start.u_now)?;
        let mut truth_h = vec![start.u_now.clone()];
        for s in 0..model_steps {
            ks.advance(truth_cfg.ndt)?;
            truth_h.push(ks.state());
            if observer.observe(&IterInfo::new(s + 1, f64::NAN, f64::NAN)) == Control::Stop {
                return Err(stopped());
            }
        }
        let stride = (model_steps / 200).max(1);
        let cols: Vec<usize> = (0..=model_steps).step_by(stride).collect();
        let field = nalgebra::DMatrix::from_fn(truth_cfg.n, cols.len(), |i, c| truth_h[cols[c]][i]);
        let corrected = fits[1].1.corrected_model(&model()?)?;
        let mut errs: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let mut blow_up = [None, None];
        let record_every = (model_steps / 100).max(1);
        let run = Cnab2Run::new(start.u_prev1.clone(), start.u_now.clone(), model_steps)?;
        for (k, mut m) in [model()?, corrected].into_iter().enumerate() {
            let e = &mut errs[k];
            let sol = m.solve_observed(
                &run,
                &mut Every::new(record_every, |info: &IterInfo| {
                    if let Some(u) = info.state::<Vec<f64>>() {
                        e.push(relative_l2(u, &truth_h[info.iteration]));
                    }
                }),
            )?;
            // an unstable model (e.g. one without the hyperdiffusion) blows up: its curve
            // stops there
            if sol.info.status == Status::NonFinite {
                blow_up[k] = Some((sol.info.iterations + 1) as f64 * h);
            }
        }
        let recorded = errs[0].len().max(errs[1].len());
        for e in errs.iter_mut() {
            e.resize(recorded, f64::NAN);
        }
        let lead_times: Vec<f64> = (1..=recorded)
            .map(|i| (i * record_every) as f64 * h)
            .collect();
        Ok(KsMedidaReport {
            case: the_case.name.to_string(),
            exact: exact_equation(&the_case),
            terms: lib.terms().iter().map(|t| t.label()).collect(),
            exact_coefficients,
            fits: fit_summaries,
            lead_times,
            forecast_error: errs,
            blow_up,
            truth_steps,
            truth_seconds,
            extent: (truth_cfg.length, truth_cfg.first_step as f64 * truth_cfg.dt),
            field,
        })
    }

    fn render(cfg: &KsMedidaConfig, r: &KsMedidaReport, dir: &Path) -> crate::Result<()> {
        let lib = Library::default();
        let rows: Vec<Vec<f64>> = (0..r.terms.len())
            .map(|j| {
                let mut row = vec![j as f64, r.exact_coefficients[j]];
                row.extend(r.fits.iter().map(|f| f.coefficients[j]));
                row
            })
            .collect();
        let mut header = vec!["term_index", "exact"];
        header.extend(r.fits.iter().map(|f| f.label.as_str()));
        write_csv(&dir.join("coefficients.csv"), &header, &rows)?;
        let idx: Vec<f64> = (0..r.terms.len()).map(|j| j as f64).collect();
        // the axis names the KS terms by their column in the library
        let landmarks: Vec<String> = [
            Term::new(1, 1),
            Term::new(0, 2),
            Term::new(0, 3),
            Term::new(0, 4),
        ]
        .iter()
        .filter_map(|t| {
            let j = lib.terms().iter().position(|u| u == t)?;
            Some(format!("{t} = {j}"))
        })
        .collect();
        let mut plot = LinePlot::new(format!("{}: discovered model error", r.case))
            .labels(
                format!("library term ({})", landmarks.join(", ")),
                "coefficient",
            )
            .points("exact", &idx, &r.exact_coefficients);
        for (k, f) in r.fits.iter().enumerate() {
            plot = plot
                .points(f.label.as_str(), &idx, &f.coefficients)
                .color(k + 1);
        }
        plot.save(dir.join("coefficients.png"))?;

        let (length, t_start) = r.extent;
        Heatmap::new(
            format!("Kuramoto–Sivashinsky truth u(x, t), L = {length:.1}"),
            &r.field,
        )
        .extent((t_start, t_start + cfg.horizon), (0.0, length))
        .labels("t", "x")
        .colorbar_label("u")
        .symmetric(true)
        .save(dir.join("ks_field.png"))?;

        let forecast_rows: Vec<Vec<f64>> = r
            .lead_times
            .iter()
            .enumerate()
            .map(|(i, t)| vec![*t, r.forecast_error[0][i], r.forecast_error[1][i]])
            .collect();
        write_csv(
            &dir.join("forecast_error.csv"),
            &["time", "imperfect", "corrected"],
            &forecast_rows,
        )?;
        let mut plot = LinePlot::new(format!("{}: forecast error from t = {t_start}", r.case))
            .labels("lead time", "relative L2 error")
            .log_y(true);
        let names = [
            "imperfect model",
            "corrected model (noise-free MEDIDA, corrected target)",
        ];
        for (k, e) in r.forecast_error.iter().enumerate() {
            // the finite, positive part of the curve (a blown-up model stops early)
            let n = e.iter().take_while(|v| v.is_finite() && **v > 0.0).count();
            if n > 0 {
                plot = plot.line(names[k], &r.lead_times[..n], &e[..n]).color(k);
            }
        }
        plot.save(dir.join("forecast_error.png"))
    }

    fn metrics(r: &KsMedidaReport) -> Vec<(String, f64)> {
        let mut m: Vec<(String, f64)> = r
            .fits
            .iter()
            .map(|f| {
                (
                    format!("{} support exact", f.label),
                    f64::from(u8::from(f.support_exact)),
                )
            })
            .collect();
        let last = |k: usize| r.forecast_error[k].last().copied().unwrap_or(f64::NAN);
        m.push((
            "forecast error imperfect at lead 1".into(),
            r.forecast_at(0, 1.0),
        ));
        m.push((
            "forecast error corrected at lead 1".into(),
            r.forecast_at(1, 1.0),
        ));
        m.push(("forecast error imperfect at the horizon".into(), last(0)));
        m.push(("forecast error corrected at the horizon".into(), last(1)));
        m
    }

    fn summary(_cfg: &KsMedidaConfig, r: &KsMedidaReport) -> String {
        let mut out = format!(
            "case {}: exact model error {}; truth {} ETDRK4 steps in {:.1} s\n",
            r.case, r.exact, r.truth_steps, r.truth_seconds
        );
        for f in &r.fits {
            out.push_str(&format!(
                "  {:9} {}   ({} rows, {:.1} s, support exact: {})\n",
                f.label, f.equation, f.rows, f.seconds, f.support_exact
            ));
        }
        for (k, name) in ["imperfect", "corrected"].iter().enumerate() {
            if let Some(t) = r.blow_up[k] {
                out.push_str(&format!("  the {name} model blew up at lead time {t:.3}\n"));
            }
        }
        out
    }

    fn seed(cfg: &KsMedidaConfig) -> u64 {
        cfg.seed
    }
}
