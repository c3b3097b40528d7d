//! Kronecker-structured sparse recovery: the synthetic experiment of He & Joseph (TSP 2024,
//! Fig. 3a), NMSE against SNR for SVD-KroSBL, AM-KroSBL, KSBL and classical SBL.
//!
//! Each trial draws H₁, H₂, H₃ (mᵢ × 15, i.i.d. N(0, 1)), a rank-1 x = x₁ ⊗ x₂ ⊗ x₃ with K
//! nonzeros per factor and noise at the given SNR with the portable generator of the reference
//! cases (seed = trial number), and recovers x with each method (known σ², as in the paper).
//! Reports median and mean NMSE (the mean is dominated by the few failed draws), the support
//! recovery rate (Jaccard index at 1e-3·max|x̂|), EM iterations and run time.
//!
//! Flags: `--trials 20 --snrs 5,10,15,20,25,30 --m1 8 --k 3 --csbl-trials 3` (dense SBL forms
//! the 1440 × 3375 dictionary and costs about a second per iteration).

use super::{mean, median};
use crate::linalg::kron_dense;
use crate::output::{Flags, write_csv};
use crate::plot::LinePlot;
use crate::plot::ProgressObserver;
use crate::sbl::Noise;
use crate::sbl::Regression;
use crate::sbl::baselines::KsblParams;
use crate::sbl::classical::{SblParams, UpdateRule};
use crate::sbl::generator::{SignalKind, make_problem};
use crate::sbl::kron::{KroSblParams, KronProblem, Method};
use crate::stats::nmse;
use nalgebra::DVector;
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

/// The flags [`run`] takes besides `--out` (see the module documentation).
pub const FLAGS: &[&str] = &["trials", "snrs", "m1", "k", "csbl-trials"];

/// Runs the experiment.
pub fn run(flags: &Flags) -> crate::Result<()> {
    flags.accept(FLAGS)?;
    let trials: usize = flags.get("trials", 20)?;
    let snrs = flags.list("snrs", &[5.0, 10.0, 15.0, 20.0, 25.0, 30.0])?;
    let m1: usize = flags.get("m1", 8)?;
    let k: usize = flags.get("k", 3)?;
    let csbl_trials: usize = flags.get("csbl-trials", 3)?;
    let (n, m) = ([15usize, 15, 15], [m1, 12, 15]);
    let big_m: usize = m.iter().product();
    println!(
        "sbl synthetic: n = {n:?} (N = 3375), m = {m:?} (M = {big_m}), K = {k} per factor, {trials} trials per SNR, SNR = {snrs:?} dB; classical SBL on the first {csbl_trials} trials"
    );
    let mut rows = Vec::new();
    let mut curves: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); METHODS.len()];
    let progress = ProgressObserver::new("trials", (snrs.len() * trials) as u64);
    for &snr in &snrs {
        let mut per: Vec<Vec<[f64; 4]>> = vec![Vec::new(); METHODS.len()];
        for seed in 1..=trials as u64 {
            let p = make_problem(seed, &n, &m, &[k, k, k], snr, SignalKind::Normal)?;
            let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
            for (mi, row) in per.iter_mut().enumerate() {
                if mi == 3 && seed as usize > csbl_trials {
                    continue;
                }
                let t0 = Instant::now();
                let noise = Noise::Known(p.noise_variance);
                let (xh, iters) = match mi {
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
                let secs = t0.elapsed().as_secs_f64();
                let e = nmse(xh.as_slice(), p.x.as_slice())?;
                let r = support_recovery_rate(&xh, &p.x, 1e-3);
                row.push([e, r, iters as f64, secs]);
                rows.push(vec![snr, seed as f64, mi as f64, e, r, iters as f64, secs]);
            }
            progress.bar().inc(1);
        }
        for (mi, v) in per.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let col = |c: usize| v.iter().map(|t| t[c]).collect::<Vec<f64>>();
            let (med, avg) = (median(&col(0)), mean(&col(0)));
            curves[mi].push((snr, med, avg));
            println!(
                "  {snr:5.1} dB  {:14} median NMSE {med:9.3e}  mean {avg:9.3e}  SRR {:.3}  iterations {:6.1}  time {:9.2} ms  ({} trials)",
                METHODS[mi],
                mean(&col(1)),
                mean(&col(2)),
                mean(&col(3)) * 1e3,
                v.len()
            );
        }
    }
    progress.bar().finish_and_clear();
    write_csv(
        &flags.out.join("trials.csv"),
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
    let plot = LinePlot::new(format!("Kronecker SBL, N = 3375, M = {big_m}, K = {k}"))
        .labels("SNR (dB)", "NMSE")
        .log_y(true);
    super::median_mean_plot(plot, &METHODS, &curves).save(flags.out.join("nmse_vs_snr.png"))?;
    println!(
        "wrote trials.csv (method 0 SVD, 1 AM, 2 KSBL, 3 classical) and nmse_vs_snr.png to {}",
        flags.out.display()
    );
    Ok(())
}
