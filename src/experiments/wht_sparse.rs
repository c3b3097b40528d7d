//! A K-sparse Walsh–Hadamard spectrum recovered by SPRIGHT from a materialised signal of
//! length N = 2ⁿ, noiseless and at a given total SNR, timed against our own full FWHT of the
//! same array in the same run; and the empirical probability of exact recovery against the
//! number of samples (the kind of figure Li et al. draw): noiseless over the bins per group
//! B = 2ᵇ, robust over the number of chains.
//!
//! Config ([`WhtSparseConfig`]): `n = 20`, `k = 50`, `amplitudes = "pm1"` (or `"gaussian"`),
//! `snr_db = 10` (total SNR Σ X² / σ²), `seed = 1`, `trials = 20` per point of the curves,
//! `bins_log2 = [3, 4, 5, 6]` (noiseless curve), `chains = [1, 2, 4, 8]` (robust curve, at
//! `curve_snr_db = 0`).
//! `parsimony run wht-sparse` or `cargo run --release --example wht_sparse`. Writes
//! `spectrum.png`, `success.png`, `spectrum.csv`, `success.csv` and `run.json`.

use super::shape::Experiment;
use crate::output::write_csv;
use crate::plot::{LinePlot, SeriesStyle};
use crate::solve::{IterInfo, Observer};
use crate::wht::cases::{Amplitudes, evaluate, noise, sigma_for_snr, sparse_spectrum, synthesise};
use crate::wht::{FnOracle, Mode, Scaling, SliceOracle, SprightParams, fwht_scaled};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhtSparseConfig {
    /// Bits: the signal has N = 2ⁿ samples (materialised: 8N bytes).
    pub n: usize,
    /// Non-zero coefficients.
    pub k: usize,
    /// "pm1" (±1) or "gaussian" (N(0, 1)) amplitudes.
    pub amplitudes: String,
    /// Total SNR Σ X² / σ² of the noisy run, in dB.
    pub snr_db: f64,
    /// Seed of the spectrum (trials use seed + 1, seed + 2, …) and of SPRIGHT's design.
    pub seed: u64,
    /// Signals per point of the success curves.
    pub trials: usize,
    /// b of the noiseless curve's points.
    pub bins_log2: Vec<usize>,
    /// Chains of the robust curve's points.
    pub chains: Vec<usize>,
    /// Total SNR of the robust curve's signals, in dB.
    pub curve_snr_db: f64,
}

impl Default for WhtSparseConfig {
    fn default() -> Self {
        Self {
            n: 20,
            k: 50,
            amplitudes: "pm1".into(),
            snr_db: 10.0,
            seed: 1,
            trials: 20,
            bins_log2: vec![3, 4, 5, 6],
            chains: vec![1, 2, 4, 8],
            curve_snr_db: 0.0,
        }
    }
}

/// One recovery of the main signal.
#[derive(Clone, Debug, Serialize)]
pub struct Recovery {
    /// "noiseless" or "robust".
    pub mode: String,
    /// Observations used (C·P·B).
    pub queries: usize,
    /// Distinct samples read.
    pub distinct_samples: usize,
    /// Distinct samples / N.
    pub fraction_of_n: f64,
    /// The support found equals the true one.
    pub exact_support: bool,
    /// ‖X̂ − X‖² / ‖X‖².
    pub nmse: f64,
    /// Bins left unexplained.
    pub unresolved_bins: usize,
    /// σ given or estimated (0 noiseless).
    pub noise_sd: f64,
    /// Wall time of the recovery, s (best of 3).
    pub seconds: f64,
    /// The recovered (k, X̂\[k\]).
    #[serde(skip)]
    pub coefficients: Vec<(u64, f64)>,
}

/// One point of a success curve.
#[derive(Clone, Debug, Serialize)]
pub struct CurvePoint {
    /// "noiseless" or "robust".
    pub mode: String,
    /// b (noiseless) or chains (robust).
    pub setting: usize,
    /// Mean distinct samples / N.
    pub fraction_of_n: f64,
    /// Trials with the exact support (and, noiseless, the exact amplitudes) / trials.
    pub success: f64,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct WhtSparseReport {
    /// σ of the noisy run.
    pub sigma: f64,
    /// Noiseless and robust recoveries of the main signal.
    pub recoveries: Vec<Recovery>,
    /// Our full FWHT of the same array (÷ N), s (best of 3).
    pub fwht_seconds: f64,
    /// FWHT time / noiseless SPRIGHT time.
    pub speedup: f64,
    /// The success curves.
    pub curves: Vec<CurvePoint>,
    /// The true spectrum.
    #[serde(skip)]
    pub truth: Vec<(u64, f64)>,
}

/// The experiment (see the module documentation).
pub struct WhtSparse;

fn amplitudes(name: &str) -> crate::Result<Amplitudes> {
    match name {
        "pm1" => Ok(Amplitudes::PlusMinusOne),
        "gaussian" => Ok(Amplitudes::Gaussian),
        _ => Err(crate::Error::invalid(
            "amplitudes",
            format!("must be \"pm1\" or \"gaussian\", got {name:?}"),
        )),
    }
}

/// Whether `found` has the support of `truth` (sorted by index) and, if `tol` is given,
/// amplitudes within tol; and the NMSE over the union.
fn score(found: &[(u64, f64)], truth: &[(u64, f64)], tol: Option<f64>) -> (bool, f64) {
    let same = found.len() == truth.len()
        && found.iter().zip(truth).all(|(a, b)| {
            a.0 == b.0 && tol.is_none_or(|t| (a.1 - b.1).abs() <= t * b.1.abs().max(1.0))
        });
    let power: f64 = truth.iter().map(|e| e.1 * e.1).sum();
    let mut err = 0.0;
    for &(k, a) in truth {
        let f = found
            .binary_search_by_key(&k, |e| e.0)
            .map_or(0.0, |p| found[p].1);
        err += (f - a).powi(2);
    }
    for &(k, f) in found {
        if truth.binary_search_by_key(&k, |e| e.0).is_err() {
            err += f * f;
        }
    }
    (same, err / power)
}

/// Best of three wall times of `f`, and its last result.
fn timed<R>(mut f: impl FnMut() -> crate::Result<R>) -> crate::Result<(R, f64)> {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f()?;
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    Ok((out.expect("three runs"), best))
}

impl Experiment for WhtSparse {
    const NAME: &'static str = "wht-sparse";
    const ABOUT: &'static str = "WHT: a K-sparse spectrum by SPRIGHT (noiseless and noisy) vs the full FWHT; success vs samples";
    type Config = WhtSparseConfig;
    type Report = WhtSparseReport;

    fn run(cfg: &WhtSparseConfig, observer: &mut dyn Observer) -> crate::Result<WhtSparseReport> {
        let amps = amplitudes(&cfg.amplitudes)?;
        for (name, v) in [("snr_db", cfg.snr_db), ("curve_snr_db", cfg.curve_snr_db)] {
            if !v.is_finite() {
                return Err(crate::Error::invalid(
                    name,
                    format!("must be finite, got {v}"),
                ));
            }
        }
        if cfg.n > 26 {
            return Err(crate::Error::invalid(
                "n",
                format!(
                    "the signal is materialised (8·2ⁿ bytes): n ≤ 26, got {}",
                    cfg.n
                ),
            ));
        }
        let big_n = (1u64 << cfg.n) as f64;
        let mut truth = sparse_spectrum(cfg.n, cfg.k, cfg.seed, amps)?;
        let x = synthesise(cfg.n, &truth)?;
        truth.sort_by_key(|e| e.0);
        // the full transform of the same array, for time
        let mut fwht_seconds = f64::INFINITY;
        let mut y = x.clone();
        for _ in 0..3 {
            y.copy_from_slice(&x);
            let t = Instant::now();
            fwht_scaled(&mut y, Scaling::Spectrum)?;
            fwht_seconds = fwht_seconds.min(t.elapsed().as_secs_f64());
        }
        drop(y);
        let noiseless = SprightParams::new(cfg.k).seed(cfg.seed).build()?;
        let (sol, seconds) = timed(|| noiseless.recover(&mut SliceOracle::new(&x)?))?;
        let (exact, nmse) = score(&sol.coefficients, &truth, Some(1e-9));
        let mut recoveries = vec![Recovery {
            mode: "noiseless".into(),
            queries: sol.report.queries,
            distinct_samples: sol.report.distinct_samples,
            fraction_of_n: sol.report.distinct_samples as f64 / big_n,
            exact_support: exact,
            nmse,
            unresolved_bins: sol.report.unresolved_bins,
            noise_sd: 0.0,
            seconds,
            coefficients: sol.coefficients,
        }];
        let sigma = sigma_for_snr(&truth, cfg.snr_db);
        let noisy: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(m, v)| v + noise(cfg.seed + 1_000, m as u64, sigma))
            .collect();
        let robust = SprightParams::new(cfg.k)
            .mode(Mode::Robust { chains: None })
            .snr_db(cfg.snr_db)
            .seed(cfg.seed)
            .build()?;
        let (sol, seconds) = timed(|| robust.recover(&mut SliceOracle::new(&noisy)?))?;
        let (exact, nmse) = score(&sol.coefficients, &truth, None);
        recoveries.push(Recovery {
            mode: "robust".into(),
            queries: sol.report.queries,
            distinct_samples: sol.report.distinct_samples,
            fraction_of_n: sol.report.distinct_samples as f64 / big_n,
            exact_support: exact,
            nmse,
            unresolved_bins: sol.report.unresolved_bins,
            noise_sd: sol.report.noise_sd,
            seconds,
            coefficients: sol.coefficients,
        });
        // the success curves, through the sparse sum (no materialised signal)
        let mut curves = Vec::new();
        let settings = cfg
            .bins_log2
            .iter()
            .map(|&b| ("noiseless", b))
            .chain(cfg.chains.iter().map(|&c| ("robust", c)));
        let mut step = 0;
        for (mode, setting) in settings {
            let (mut wins, mut samples) = (0usize, 0.0);
            for t in 0..cfg.trials as u64 {
                let seed = cfg.seed + 1 + t;
                let mut spec = sparse_spectrum(cfg.n, cfg.k, seed, amps)?;
                let (prm, sigma) = if mode == "noiseless" {
                    (SprightParams::new(cfg.k).bins_log2(setting), 0.0)
                } else {
                    let s = sigma_for_snr(&spec, cfg.curve_snr_db);
                    let p = SprightParams::new(cfg.k).mode(Mode::Robust {
                        chains: Some(setting),
                    });
                    (p, s)
                };
                let f = |m: u64| evaluate(&spec, m) + sigma * noise(seed + 1_000, m, 1.0);
                let sol = prm
                    .seed(seed)
                    .build()?
                    .recover(&mut FnOracle::new(cfg.n, f)?)?;
                spec.sort_by_key(|e| e.0);
                let tol = (mode == "noiseless").then_some(1e-9);
                wins += usize::from(score(&sol.coefficients, &spec, tol).0);
                samples += sol.report.distinct_samples as f64 / big_n;
                step += 1;
                observer.observe(&IterInfo::new(step, f64::NAN, wins as f64));
            }
            let trials = cfg.trials.max(1) as f64;
            curves.push(CurvePoint {
                mode: mode.into(),
                setting,
                fraction_of_n: samples / trials,
                success: wins as f64 / trials,
            });
        }
        Ok(WhtSparseReport {
            sigma,
            speedup: fwht_seconds / recoveries[0].seconds,
            recoveries,
            fwht_seconds,
            curves,
            truth,
        })
    }

    fn render(cfg: &WhtSparseConfig, r: &WhtSparseReport, dir: &Path) -> crate::Result<()> {
        // stems: a segment from (k, 0) to (k, X[k]) per coefficient
        let stems = |c: &[(u64, f64)]| {
            let mut sx = Vec::with_capacity(2 * c.len());
            let mut sy = Vec::with_capacity(2 * c.len());
            for &(k, a) in c {
                sx.extend([k as f64, k as f64]);
                sy.extend([0.0, a]);
            }
            (sx, sy)
        };
        let (tx, ty) = stems(&r.truth);
        let robust = &r.recoveries[1];
        let kx: Vec<f64> = robust.coefficients.iter().map(|e| e.0 as f64).collect();
        let ky: Vec<f64> = robust.coefficients.iter().map(|e| e.1).collect();
        let truth_x: Vec<f64> = r.truth.iter().map(|e| e.0 as f64).collect();
        let truth_y: Vec<f64> = r.truth.iter().map(|e| e.1).collect();
        LinePlot::new(format!(
            "n = {}, K = {}: true spectrum and SPRIGHT at {} dB ({:.2} % of N sampled)",
            cfg.n,
            cfg.k,
            cfg.snr_db,
            100.0 * robust.fraction_of_n
        ))
        .labels("index k", "X[k]")
        .series("true spectrum", &tx, &ty, SeriesStyle::Segments)
        .points("true X[k]", &truth_x, &truth_y)
        .color(0)
        .points("recovered", &kx, &ky)
        .save(dir.join("spectrum.png"))?;
        let mut plot = LinePlot::new(format!(
            "exact recovery, n = {}, K = {}, {} signals per point",
            cfg.n, cfg.k, cfg.trials
        ))
        .labels("distinct samples / N (%)", "P(exact recovery)");
        for mode in ["noiseless", "robust"] {
            let pts: Vec<&CurvePoint> = r.curves.iter().filter(|c| c.mode == mode).collect();
            if pts.is_empty() {
                continue;
            }
            let x: Vec<f64> = pts.iter().map(|c| 100.0 * c.fraction_of_n).collect();
            let y: Vec<f64> = pts.iter().map(|c| c.success).collect();
            let name = if mode == "robust" {
                format!("robust, {} dB (chains)", cfg.curve_snr_db)
            } else {
                "noiseless (b)".into()
            };
            plot = plot.series(name, &x, &y, SeriesStyle::LinePoints);
        }
        plot.save(dir.join("success.png"))?;
        let rows: Vec<Vec<f64>> = r
            .truth
            .iter()
            .map(|&(k, a)| {
                let get = |rec: &Recovery| {
                    rec.coefficients
                        .binary_search_by_key(&k, |e| e.0)
                        .map_or(0.0, |p| rec.coefficients[p].1)
                };
                vec![k as f64, a, get(&r.recoveries[0]), get(&r.recoveries[1])]
            })
            .collect();
        write_csv(
            &dir.join("spectrum.csv"),
            &["k", "true", "noiseless", "robust"],
            &rows,
        )?;
        let rows: Vec<Vec<f64>> = r
            .curves
            .iter()
            .map(|c| {
                vec![
                    f64::from(u8::from(c.mode == "robust")),
                    c.setting as f64,
                    c.fraction_of_n,
                    c.success,
                ]
            })
            .collect();
        write_csv(
            &dir.join("success.csv"),
            &["robust", "setting", "fraction_of_n", "success"],
            &rows,
        )
    }

    fn metrics(r: &WhtSparseReport) -> Vec<(String, f64)> {
        let mut m = Vec::new();
        for rec in &r.recoveries {
            m.push((
                format!("{} exact support", rec.mode),
                f64::from(u8::from(rec.exact_support)),
            ));
            m.push((format!("{} NMSE", rec.mode), rec.nmse));
            m.push((format!("{} fraction of N", rec.mode), rec.fraction_of_n));
            m.push((format!("{} queries", rec.mode), rec.queries as f64));
        }
        for c in &r.curves {
            m.push((format!("{} {} success", c.mode, c.setting), c.success));
        }
        m
    }

    fn summary(cfg: &WhtSparseConfig, r: &WhtSparseReport) -> String {
        let mut out = format!(
            "  n = {}, K = {}, {} amplitudes; full FWHT {:.3} ms; σ = {:.4} at {} dB\n",
            cfg.n,
            cfg.k,
            cfg.amplitudes,
            1e3 * r.fwht_seconds,
            r.sigma,
            cfg.snr_db
        );
        for rec in &r.recoveries {
            out.push_str(&format!(
                "  {:9} {:6} queries ({:.3} % of N), exact support {}, NMSE {:.1e}, {:.3} ms\n",
                rec.mode,
                rec.queries,
                100.0 * rec.fraction_of_n,
                rec.exact_support,
                rec.nmse,
                1e3 * rec.seconds
            ));
        }
        out.push_str(&format!(
            "  noiseless SPRIGHT / full FWHT: {:.0}× faster\n",
            r.speedup
        ));
        for c in &r.curves {
            out.push_str(&format!(
                "  {:9} {} = {}: {:.3} % of N, success {:.2}\n",
                c.mode,
                if c.mode == "robust" { "chains" } else { "b" },
                c.setting,
                100.0 * c.fraction_of_n,
                c.success
            ));
        }
        out
    }

    fn seed(cfg: &WhtSparseConfig) -> u64 {
        cfg.seed
    }
}
