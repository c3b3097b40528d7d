//! IRS-aided MIMO channel estimation (He & Joseph, TSP 2024, §VI): channel NMSE against SNR
//! for SVD-, AM- and PC-KroSBL (β = 0.8), dKroSBL and classical SBL, with the settings of the
//! authors' `PC-KroSBL/main.m` (see [`crate::sbl::irs::presets`]).
//!
//! Also the QPSK symbol error rate with rank-1 SVD beamforming from the estimated channel of
//! the first IRS pattern (`--symbols` per trial).
//!
//! Trials: `--systems` draws of the fixed part (pilots and IRS patterns, `IrsSystem::new` with
//! seed `--seed` + k for draw k), each with `--trials` channel draws per SNR, as the authors'
//! `main.m` fixes one draw of pilots and patterns across its 50 trials. A failure can belong to
//! a draw (two UE angles the pilots cannot tell apart), so the table pools several.
//!
//! Random streams: for system draw k, channels, redrawn IRS patterns and measurement noise come
//! from one stream seeded by `--seed` + k + 1 000 001; the SER symbols and their noise from a
//! stream of their own per (system, SNR, trial, method), so `--symbols` does not change the
//! channels and `--csbl-trials` does not change the other methods' SER.
//!
//! Prints, per method and SNR, the mean, the median and the fraction of failed trials
//! (channel NMSE > 0.05) pooled over every draw, beside the authors' stored 50-trial means
//! and medians, and writes them to `summary.csv` (the trials to `trials.csv`).
//!
//! Config ([`IrsExperimentConfig`]): `systems = 1`, `trials = 20`, `snr = [4, 8, 12, 16, 20]`
//! (dB), `csbl_trials = 5`, `seed = 7`, `symbols = 10000`, `threads = 2`; `parsimony run
//! sbl-irs --set systems=10 --set trials=50` or `cargo run --release --example irs_mimo -- --set
//! systems=10`.

use super::shape::Experiment;
use super::{mean, median};
use crate::linalg::kron_dense;
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::random::{mix64, seeded_rng};
use crate::sbl::Regression;
use crate::sbl::baselines::dkrosbl;
use crate::sbl::irs::{IrsConfig, IrsSystem, MIN_CASCADED_NORM, presets};
use crate::sbl::kron::KronProblem;
use crate::solve::{Control, IterInfo, Observer};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

const METHODS: [&str; 6] = [
    "SVD-KroSBL",
    "AM-KroSBL",
    "PC-KroSBL 0.8",
    "PC-KroSBL 0.5",
    "dKroSBL",
    "classical SBL",
];

/// The index of classical SBL in [`METHODS`] (run on the first `--csbl-trials` trials only).
const CSBL: usize = 5;

/// A trial counts as failed above this channel NMSE.
pub const FAIL_NMSE: f64 = 0.05;

/// The authors' stored 50-trial results (spec sbl.md §6.2, one draw of pilots and patterns):
/// (mean, median) per method at 4, 8, 12, 16, 20 dB; NaN where they stored none.
const AUTHORS: [[(f64, f64); 5]; 6] = {
    const N: f64 = f64::NAN;
    [
        [
            (0.609, 0.431),
            (0.305, 0.091),
            (0.194, 0.010),
            (0.123, 0.0038),
            (0.105, 0.0013),
        ],
        [
            (0.714, 0.949),
            (0.321, 0.156),
            (0.197, 0.023),
            (0.139, 0.0051),
            (0.070, 0.0012),
        ],
        [
            (0.312, 0.125),
            (0.132, 0.037),
            (0.049, 0.012),
            (0.0089, 0.0042),
            (0.0029, 0.0015),
        ],
        [(0.324, N), (0.142, N), (0.061, N), (0.011, N), (0.0060, N)],
        [(N, N); 5],
        [
            (0.953, 0.873),
            (0.724, 0.587),
            (0.463, 0.289),
            (0.228, 0.035),
            (0.144, 0.0082),
        ],
    ]
};

/// The authors' (mean, median) of method `mi` at `snr` (NaN off their grid).
fn authors(mi: usize, snr: f64) -> (f64, f64) {
    match [4.0, 8.0, 12.0, 16.0, 20.0].iter().position(|&s| s == snr) {
        Some(k) => AUTHORS[mi][k],
        None => (f64::NAN, f64::NAN),
    }
}

/// The inputs (the authors' `main.m` setting, several draws of pilots and patterns).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IrsExperimentConfig {
    /// Draws of pilots and IRS patterns (system k uses seed + k).
    pub systems: usize,
    /// Channel draws per SNR and system.
    pub trials: usize,
    /// Signal-to-noise ratios (dB).
    pub snr: Vec<f64>,
    /// Trials (the first of each system) that also run dense classical SBL.
    pub csbl_trials: usize,
    /// Base seed.
    pub seed: u64,
    /// QPSK symbols per trial for the symbol error rate.
    pub symbols: usize,
    /// Threads over system draws.
    pub threads: usize,
}

impl Default for IrsExperimentConfig {
    fn default() -> Self {
        Self {
            systems: 1,
            trials: 20,
            snr: vec![4.0, 8.0, 12.0, 16.0, 20.0],
            csbl_trials: 5,
            seed: 7,
            symbols: 10_000,
            threads: 2,
        }
    }
}

/// One method on one trial.
#[derive(Clone, Debug, Serialize)]
pub struct IrsTrial {
    /// The system draw.
    pub system: usize,
    /// SNR (dB).
    pub snr_db: f64,
    /// The trial (channel draw) within its system and SNR.
    pub trial: usize,
    /// The method's index in the method list.
    pub method: usize,
    /// Channel NMSE averaged over the IRS patterns.
    pub nmse: f64,
    /// Wall time (s).
    pub seconds: f64,
    /// QPSK symbol error rate with rank-1 beamforming from the estimate.
    pub ser: f64,
}

/// One method at one SNR, pooled over systems and trials, beside the authors'.
#[derive(Clone, Debug, Serialize)]
pub struct IrsSummary {
    /// SNR (dB).
    pub snr_db: f64,
    /// The method's name.
    pub method: String,
    /// Mean channel NMSE.
    pub mean_nmse: f64,
    /// Median channel NMSE.
    pub median_nmse: f64,
    /// Fraction of trials with NMSE > [`FAIL_NMSE`].
    pub fail_fraction: f64,
    /// Trials pooled.
    pub trials: usize,
    /// Mean QPSK SER.
    pub ser: f64,
    /// Mean wall time (s).
    pub seconds: f64,
    /// The authors' stored 50-trial mean (NaN where none).
    pub authors_mean: f64,
    /// The authors' stored median (NaN where none).
    pub authors_median: f64,
}

/// One draw of pilots and patterns.
#[derive(Clone, Debug, Serialize)]
pub struct IrsSystemSummary {
    /// Index of the draw.
    pub system: usize,
    /// Its seed.
    pub seed: u64,
    /// The largest coherence of two UE atoms (columns of H_p2): 1 when the pilots cannot tell
    /// two angles apart.
    pub max_ue_coherence: f64,
    /// PC-KroSBL (β = 0.8) failures over its trials at every SNR.
    pub pc_fail_fraction: f64,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct IrsReport {
    /// Every method on every trial.
    pub trials: Vec<IrsTrial>,
    /// Per SNR and method.
    pub summary: Vec<IrsSummary>,
    /// Per system draw.
    pub systems: Vec<IrsSystemSummary>,
}

/// The experiment (see the module documentation).
pub struct SblIrs;

impl Experiment for SblIrs {
    const NAME: &'static str = "sbl-irs";
    const ABOUT: &'static str = "IRS-MIMO channel estimation vs SNR: SVD-/AM-/PC-KroSBL, dKroSBL, classical SBL (He & Joseph, §VI)";
    type Config = IrsExperimentConfig;
    type Report = IrsReport;

    fn run(cfg: &IrsExperimentConfig, observer: &mut dyn Observer) -> crate::Result<IrsReport> {
        crate::error::check_at_least_one("systems", cfg.systems)?;
        crate::error::check_at_least_one("threads", cfg.threads)?;
        crate::error::check_at_least_one("trials", cfg.trials)?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: std::sync::Mutex<Vec<crate::Result<Vec<IrsTrial>>>> = Default::default();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let mut stopped = false;
        std::thread::scope(|scope| {
            for _ in 0..cfg.threads.min(cfg.systems) {
                let tx = tx.clone();
                let (next, results) = (&next, &results);
                scope.spawn(move || {
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if k >= cfg.systems {
                            break;
                        }
                        let r = run_system(cfg, k, &tx);
                        results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                    }
                });
            }
            drop(tx);
            // the observer sees one iteration per trial, on this thread
            let mut done = 0;
            for () in rx {
                done += 1;
                if !stopped
                    && observer.observe(&IterInfo::new(done, f64::NAN, f64::NAN)) == Control::Stop
                {
                    stopped = true;
                    // no new systems start; those running finish
                    next.store(cfg.systems, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
        if stopped {
            return Err(crate::Error::invalid("observer", "stopped the experiment"));
        }
        let mut trials: Vec<IrsTrial> = Vec::new();
        for r in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            trials.extend(r?);
        }
        trials.sort_by(|a, b| {
            (a.system, a.snr_db.to_bits(), a.trial, a.method).cmp(&(
                b.system,
                b.snr_db.to_bits(),
                b.trial,
                b.method,
            ))
        });
        let mut summary = Vec::new();
        for &snr in &cfg.snr {
            for (mi, name) in METHODS.iter().enumerate() {
                let of: Vec<&IrsTrial> = trials
                    .iter()
                    .filter(|r| r.snr_db == snr && r.method == mi)
                    .collect();
                if of.is_empty() {
                    continue;
                }
                let e: Vec<f64> = of.iter().map(|r| r.nmse).collect();
                let (authors_mean, authors_median) = authors(mi, snr);
                summary.push(IrsSummary {
                    snr_db: snr,
                    method: name.to_string(),
                    mean_nmse: mean(&e),
                    median_nmse: median(&e),
                    fail_fraction: e.iter().filter(|&&v| v > FAIL_NMSE).count() as f64
                        / e.len() as f64,
                    trials: e.len(),
                    ser: mean(&of.iter().map(|r| r.ser).collect::<Vec<_>>()),
                    seconds: mean(&of.iter().map(|r| r.seconds).collect::<Vec<_>>()),
                    authors_mean,
                    authors_median,
                });
            }
        }
        let mut systems = Vec::new();
        for k in 0..cfg.systems {
            let seed = cfg.seed.wrapping_add(k as u64);
            let sys = IrsSystem::new(IrsConfig::default(), seed)?;
            let pc: Vec<f64> = trials
                .iter()
                .filter(|r| r.system == k && r.method == 2)
                .map(|r| r.nmse)
                .collect();
            systems.push(IrsSystemSummary {
                system: k,
                seed,
                max_ue_coherence: max_coherence(&sys.factors()[1]),
                pc_fail_fraction: pc.iter().filter(|&&v| v > FAIL_NMSE).count() as f64
                    / pc.len().max(1) as f64,
            });
        }
        Ok(IrsReport {
            trials,
            summary,
            systems,
        })
    }

    fn render(_cfg: &IrsExperimentConfig, report: &IrsReport, dir: &Path) -> crate::Result<()> {
        let summary: Vec<Vec<f64>> = report
            .summary
            .iter()
            .map(|s| {
                let mi = METHODS.iter().position(|m| *m == s.method).unwrap_or(0);
                vec![
                    s.snr_db,
                    mi as f64,
                    s.mean_nmse,
                    s.median_nmse,
                    s.fail_fraction,
                    s.trials as f64,
                    s.ser,
                    s.seconds,
                    s.authors_mean,
                    s.authors_median,
                ]
            })
            .collect();
        write_csv(
            &dir.join("summary.csv"),
            &[
                "snr_db",
                "method",
                "mean_nmse",
                "median_nmse",
                "fail_fraction",
                "trials",
                "qpsk_ser",
                "seconds",
                "authors_mean",
                "authors_median",
            ],
            &summary,
        )?;
        let systems: Vec<Vec<f64>> = report
            .systems
            .iter()
            .map(|s| {
                vec![
                    s.system as f64,
                    s.seed as f64,
                    s.max_ue_coherence,
                    s.pc_fail_fraction,
                ]
            })
            .collect();
        write_csv(
            &dir.join("systems.csv"),
            &["system", "seed", "max_ue_coherence", "pc_fail_fraction"],
            &systems,
        )?;
        let trials: Vec<Vec<f64>> = report
            .trials
            .iter()
            .map(|r| {
                vec![
                    r.system as f64,
                    r.snr_db,
                    r.trial as f64,
                    r.method as f64,
                    r.nmse,
                    r.seconds,
                    r.ser,
                ]
            })
            .collect();
        write_csv(
            &dir.join("trials.csv"),
            &[
                "system",
                "snr_db",
                "trial",
                "method",
                "channel_nmse",
                "seconds",
                "qpsk_ser",
            ],
            &trials,
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
        let plot = LinePlot::new("IRS-MIMO channel estimation (N = 5832, M = 288)")
            .labels("SNR (dB)", "channel NMSE")
            .log_y(true);
        super::median_mean_plot(plot, &METHODS, &curves).save(dir.join("channel_nmse_vs_snr.png"))
    }

    fn metrics(report: &IrsReport) -> Vec<(String, f64)> {
        report
            .summary
            .iter()
            .flat_map(|s| {
                let at = format!("{} @ {} dB", s.method, s.snr_db);
                [
                    (format!("mean_nmse {at}"), s.mean_nmse),
                    (format!("median_nmse {at}"), s.median_nmse),
                    (format!("fail_fraction {at}"), s.fail_fraction),
                ]
            })
            .collect()
    }

    fn summary(cfg: &IrsExperimentConfig, report: &IrsReport) -> String {
        let mut out = format!(
            "UE 6, BS 16, IRS 256, grid 18 (N = 5832), M = 288; {} system draw(s) × {} trials per SNR, SNR = {:?} dB; classical SBL on the first {} trials of each draw; seed {}\n",
            cfg.systems, cfg.trials, cfg.snr, cfg.csbl_trials, cfg.seed
        );
        out.push_str(&format!(
            "  {:>5}  {:14} {:>9} {:>9} {:>6} {:>7} {:>9} {:>9}   {:>10} {:>10}\n",
            "SNR",
            "method",
            "mean",
            "median",
            "fail",
            "trials",
            "SER",
            "ms",
            "authors'",
            "[median]"
        ));
        for s in &report.summary {
            out.push_str(&format!(
                "  {:5.1}  {:14} {:9.3e} {:9.3e} {:5.1}% {:7} {:9.4} {:9.2}   {:10.4} {:10.4}\n",
                s.snr_db,
                s.method,
                s.mean_nmse,
                s.median_nmse,
                100.0 * s.fail_fraction,
                s.trials,
                s.ser,
                s.seconds * 1e3,
                s.authors_mean,
                s.authors_median
            ));
        }
        out.push_str("  per system draw (PC-KroSBL 0.8 failures over its trials at every SNR):\n");
        for s in &report.systems {
            out.push_str(&format!(
                "    draw {:2} (seed {:3}): max UE-atom coherence {:.4}, PC fail {:5.1}%\n",
                s.system,
                s.seed,
                s.max_ue_coherence,
                100.0 * s.pc_fail_fraction
            ));
        }
        out.push_str(&format!(
            "  fail = channel NMSE > {FAIL_NMSE}; authors' = their stored 50-trial mean [median] (one draw of pilots and patterns)\n"
        ));
        out
    }

    fn seed(cfg: &IrsExperimentConfig) -> u64 {
        cfg.seed
    }
}

/// The largest |⟨aᵢ, aⱼ⟩| / (‖aᵢ‖‖aⱼ‖) over pairs of columns: 1 when the pilots cannot tell
/// two angles apart (then a trial whose angle is one of them fails whatever the method).
fn max_coherence(a: &nalgebra::DMatrix<crate::C64>) -> f64 {
    let mut best: f64 = 0.0;
    for i in 0..a.ncols() {
        for j in i + 1..a.ncols() {
            let (ci, cj) = (a.column(i), a.column(j));
            let den = ci.norm() * cj.norm();
            if den > 0.0 {
                best = best.max(ci.dotc(&cj).norm() / den);
            }
        }
    }
    best
}

/// Every SNR and trial of system draw `k`; one message on `done` per trial.
fn run_system(
    s: &IrsExperimentConfig,
    k: usize,
    done: &std::sync::mpsc::Sender<()>,
) -> crate::Result<Vec<IrsTrial>> {
    let sys_seed = s.seed.wrapping_add(k as u64);
    let mut sys = IrsSystem::new(IrsConfig::default(), sys_seed)?;
    let mut dense = kron_dense(sys.factors())?;
    let mut rng = seeded_rng(s.seed.wrapping_add(k as u64).wrapping_add(1_000_001));
    let mut rows = Vec::new();
    for (si, &snr) in s.snr.iter().enumerate() {
        for trial in 0..s.trials {
            let ch = sys.draw_channel(&mut rng);
            if sys.redraw_weak_patterns(&ch, MIN_CASCADED_NORM, &mut rng)? > 0 {
                dense = kron_dense(sys.factors())?;
            }
            let (y, sigma2) = sys.measure(&ch, snr, &mut rng)?;
            let truth = sys.cascaded_true(&ch)?;
            let problem = KronProblem::new(sys.factors().to_vec(), y.clone())?;
            for mi in 0..METHODS.len() {
                if mi == CSBL && trial >= s.csbl_trials {
                    continue;
                }
                let t0 = Instant::now();
                let x = match mi {
                    0 => presets::svd(sigma2, snr).build()?.solve(&problem)?.x,
                    1 => presets::am(sigma2).build()?.solve(&problem)?.x,
                    2 => presets::pc(sigma2, 0.8).build()?.solve(&problem)?.x,
                    3 => presets::pc(sigma2, 0.5).build()?.solve(&problem)?.x,
                    4 => dkrosbl(&problem)?.x,
                    _ => {
                        presets::classical(sigma2)
                            .build()?
                            .solve(&Regression::new(&dense, &y)?)?
                            .weights
                    }
                };
                let secs = t0.elapsed().as_secs_f64();
                let est = sys.cascaded_from_x(&x)?;
                let e = sys.channel_nmse(&est, &truth)?;
                // its own stream per (system, SNR, trial, method): the SER does not depend on
                // which other methods or trials ran
                let key =
                    ((k as u64) << 48) | ((si as u64) << 40) | ((trial as u64) << 8) | mi as u64;
                let mut ser_rng = seeded_rng(mix64(s.seed.wrapping_add(2) ^ mix64(key)));
                let ser = sys.qpsk_ser(&est[0], &truth[0], snr, s.symbols, &mut ser_rng)?;
                rows.push(IrsTrial {
                    system: k,
                    snr_db: snr,
                    trial,
                    method: mi,
                    nmse: e,
                    seconds: secs,
                    ser,
                });
            }
            let _ = done.send(());
        }
    }
    Ok(rows)
}
