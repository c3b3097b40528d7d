//! Kronecker-structured sparse recovery: the synthetic experiment of He & Joseph (TSP 2024,
//! Fig. 3a), NMSE against SNR for SVD-KroSBL, AM-KroSBL, KSBL and classical SBL.
//!
//! Each trial draws H₁, H₂, H₃ (mᵢ × 15, i.i.d. N(0, 1)), a rank-1 x = x₁ ⊗ x₂ ⊗ x₃ with K
//! nonzeros per factor and noise at the given SNR with the portable generator of the reference
//! cases (seed = trial number), and recovers x with each method (known σ², as in the paper).
//! Reports median and mean NMSE (the mean is dominated by the few failed draws), the support
//! recovery rate (Jaccard index at 1e-3·max|x̂|), EM iterations and run time.
//!
//! Config ([`SyntheticConfig`], the paper's setting by default): `trials = 20`,
//! `snr = [5, 10, 15, 20, 25, 30]` (dB), `m1 = 8`, `k = 3`, `csbl_trials = 3` (dense SBL forms
//! the 1440 × 3375 dictionary and costs about a second per iteration), `seed = 0` (trial t draws
//! with seed + t). `parsimony run sbl-synthetic --set trials=5` or `cargo run --release --example kron_sbl`.

use super::shape::Experiment;
use super::{mean, median};
use crate::linalg::kron_dense;
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::sbl::Noise;
use crate::sbl::Regression;
use crate::sbl::baselines::KsblParams;
use crate::sbl::classical::{SblParams, UpdateRule};
use crate::sbl::generator::{SignalKind, make_problem};
use crate::sbl::kron::{KroSblParams, KronProblem, Method};
use crate::solve::{Control, IterInfo, Observer};
use crate::stats::nmse;
use nalgebra::DVector;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// Jaccard index of the estimated support {|x̂ⱼ| > δ·max|x̂|} with the true support.
pub fn support_recovery_rate(xh: &DVector<f64>, x: &DVector<f64>, delta: f64) -> f64 {
    let top = xh.amax();
    let (mut inter, mut union) = (0usize, 0usize);
    for (e, t) in xh.iter().zip(x.iter()) {
        let (e, t) = (top > 0.0 && e.abs() > delta * top, *t != 0.0);
        inter += (e && t) as usize;
        union += (e || t) as usize;
    }
    inter as f64 / union.max(1) as f64
}

const METHODS: [&str; 4] = ["SVD-KroSBL", "AM-KroSBL", "KSBL", "classical SBL"];

/// The inputs (the paper's Fig. 3a setting by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyntheticConfig {
    /// Trials per SNR.
    pub trials: usize,
    /// Signal-to-noise ratios (dB).
    pub snr: Vec<f64>,
    /// Rows m₁ of the first factor (m₂ = 12, m₃ = 15; nᵢ = 15).
    pub m1: usize,
    /// Nonzeros K per factor (K³ in x).
    pub k: usize,
    /// Trials (the first ones) that also run dense classical SBL.
    pub csbl_trials: usize,
    /// Base seed: trial t (1, 2, …) draws with the portable generator seeded seed + t.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            trials: 20,
            snr: vec![5.0, 10.0, 15.0, 20.0, 25.0, 30.0],
            m1: 8,
            k: 3,
            csbl_trials: 3,
            seed: 0,
        }
    }
}

/// One method on one trial.
#[derive(Clone, Debug, Serialize)]
pub struct TrialRow {
    /// SNR (dB).
    pub snr_db: f64,
    /// The trial's seed.
    pub seed: u64,
    /// The method's name.
    pub method: String,
    /// ‖x̂ − x‖²/‖x‖².
    pub nmse: f64,
    /// Support recovery rate (Jaccard index at 1e-3·max|x̂|).
    pub srr: f64,
    /// EM iterations.
    pub iterations: usize,
    /// Wall time (s).
    pub seconds: f64,
}

/// One method at one SNR over the trials.
#[derive(Clone, Debug, Serialize)]
pub struct MethodSummary {
    /// SNR (dB).
    pub snr_db: f64,
    /// The method's name.
    pub method: String,
    /// Median NMSE.
    pub median_nmse: f64,
    /// Mean NMSE (dominated by the failed draws).
    pub mean_nmse: f64,
    /// Mean support recovery rate.
    pub srr: f64,
    /// Mean EM iterations.
    pub iterations: f64,
    /// Mean wall time (s).
    pub seconds: f64,
    /// Trials.
    pub trials: usize,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct SyntheticReport {
    /// N = ∏nᵢ and M = ∏mᵢ.
    pub sizes: (usize, usize),
    /// Every method on every trial.
    pub trials: Vec<TrialRow>,
    /// Per SNR and method.
    pub summary: Vec<MethodSummary>,
}

/// The experiment (see the module documentation).
pub struct SblSynthetic;

impl Experiment for SblSynthetic {
    const NAME: &'static str = "sbl-synthetic";
    const ABOUT: &'static str =
        "Kronecker SBL: NMSE vs SNR of SVD-/AM-KroSBL, KSBL, classical SBL (He & Joseph, Fig. 3a)";
    type Config = SyntheticConfig;
    type Report = SyntheticReport;

    fn run(cfg: &SyntheticConfig, observer: &mut dyn Observer) -> crate::Result<SyntheticReport> {
        crate::error::check_at_least_one("trials", cfg.trials)?;
        let (n, m) = ([15usize, 15, 15], [cfg.m1, 12, 15]);
        let big_m = crate::memory::checked_product("m", &m)?;
        let (mut trials, mut summary) = (Vec::new(), Vec::new());
        let mut done = 0;
        for &snr in &cfg.snr {
            let mut per: Vec<Vec<TrialRow>> = vec![Vec::new(); METHODS.len()];
            for t in 1..=cfg.trials as u64 {
                let seed = cfg.seed.wrapping_add(t);
                let k = cfg.k;
                let p = make_problem(seed, &n, &m, &[k, k, k], snr, SignalKind::Normal)?;
                let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
                for (mi, row) in per.iter_mut().enumerate() {
                    if mi == 3 && t as usize > cfg.csbl_trials {
                        continue;
                    }
                    let t0 = Instant::now();
                    let noise = Noise::Known(p.noise_variance);
                    let (xh, iterations) = match mi {
                        0 | 1 => {
                            let method = if mi == 0 { Method::Svd } else { Method::Am };
                            let s = KroSblParams::new(method)
                                .noise(noise)
                                .build()?
                                .solve(&problem)?;
                            (s.x, s.info.iterations)
                        }
                        2 => {
                            let s = KsblParams::new(p.noise_variance).build()?.solve(&problem)?;
                            (s.x, s.info.iterations)
                        }
                        _ => {
                            let s = SblParams::new(UpdateRule::Em)
                                .noise(noise)
                                .build()?
                                .solve(&Regression::new(&kron_dense(&p.factors)?, &p.y)?)?;
                            (s.weights, s.info.iterations)
                        }
                    };
                    row.push(TrialRow {
                        snr_db: snr,
                        seed,
                        method: METHODS[mi].to_string(),
                        nmse: nmse(xh.as_slice(), p.x.as_slice())?,
                        srr: support_recovery_rate(&xh, &p.x, 1e-3),
                        iterations,
                        seconds: t0.elapsed().as_secs_f64(),
                    });
                }
                done += 1;
                if observer.observe(&IterInfo::new(done, f64::NAN, snr)) == Control::Stop {
                    return Err(crate::Error::invalid("observer", "stopped the experiment"));
                }
            }
            for v in per.iter().filter(|v| !v.is_empty()) {
                let col = |f: fn(&TrialRow) -> f64| v.iter().map(f).collect::<Vec<f64>>();
                let e = col(|r| r.nmse);
                summary.push(MethodSummary {
                    snr_db: snr,
                    method: v[0].method.clone(),
                    median_nmse: median(&e),
                    mean_nmse: mean(&e),
                    srr: mean(&col(|r| r.srr)),
                    iterations: mean(&col(|r| r.iterations as f64)),
                    seconds: mean(&col(|r| r.seconds)),
                    trials: v.len(),
                });
                trials.extend(v.iter().cloned());
            }
        }
        Ok(SyntheticReport {
            sizes: (n.iter().product(), big_m),
            trials,
            summary,
        })
    }

    fn render(cfg: &SyntheticConfig, report: &SyntheticReport, dir: &Path) -> crate::Result<()> {
        let rows: Vec<Vec<f64>> = report
            .trials
            .iter()
            .map(|r| {
                let mi = METHODS.iter().position(|m| *m == r.method).unwrap_or(0);
                vec![
                    r.snr_db,
                    r.seed as f64,
                    mi as f64,
                    r.nmse,
                    r.srr,
                    r.iterations as f64,
                    r.seconds,
                ]
            })
            .collect();
        write_csv(
            &dir.join("trials.csv"),
            &[
                "snr_db",
                "seed",
                "method",
                "nmse",
                "srr",
                "iterations",
                "seconds",
            ],
            &rows,
        )?;
        let curves: Vec<Vec<(f64, f64, f64)>> = METHODS
            .iter()
            .map(|m| {
                report
                    .summary
                    .iter()
                    .filter(|s| s.method == *m)
                    .map(|s| (s.snr_db, s.median_nmse, s.mean_nmse))
                    .collect()
            })
            .collect();
        let plot = LinePlot::new(format!(
            "Kronecker SBL, N = {}, M = {}, K = {}",
            report.sizes.0, report.sizes.1, cfg.k
        ))
        .labels("SNR (dB)", "NMSE")
        .log_y(true);
        super::median_mean_plot(plot, &METHODS, &curves).save(dir.join("nmse_vs_snr.png"))?;
        Ok(())
    }

    fn metrics(report: &SyntheticReport) -> Vec<(String, f64)> {
        report
            .summary
            .iter()
            .flat_map(|s| {
                let at = format!("{} @ {} dB", s.method, s.snr_db);
                [
                    (format!("median_nmse {at}"), s.median_nmse),
                    (format!("mean_nmse {at}"), s.mean_nmse),
                    (format!("srr {at}"), s.srr),
                    (format!("iterations {at}"), s.iterations),
                ]
            })
            .collect()
    }

    fn summary(cfg: &SyntheticConfig, report: &SyntheticReport) -> String {
        let mut out = format!(
            "n = [15, 15, 15] (N = 3375), m = [{}, 12, 15], K = {} per factor, {} trials per SNR, SNR = {:?} dB; classical SBL on the first {} trials\n",
            cfg.m1, cfg.k, cfg.trials, cfg.snr, cfg.csbl_trials
        );
        for s in &report.summary {
            out.push_str(&format!(
                "  {:5.1} dB  {:14} median NMSE {:9.3e}  mean {:9.3e}  SRR {:.3}  iterations {:6.1}  time {:9.2} ms  ({} trials)\n",
                s.snr_db,
                s.method,
                s.median_nmse,
                s.mean_nmse,
                s.srr,
                s.iterations,
                s.seconds * 1e3,
                s.trials
            ));
        }
        out
    }

    fn seed(cfg: &SyntheticConfig) -> u64 {
        cfg.seed
    }
}
