//! IRS-aided MIMO channel estimation (He & Joseph, TSP 2024, §VI): channel NMSE against SNR
//! for SVD-, AM- and PC-KroSBL (β = 0.8), dKroSBL and classical SBL, with the settings of the
//! authors' `PC-KroSBL/main.m` (see [`crate::sbl::irs::presets`]).
//!
//! Also the QPSK symbol error rate with rank-1 SVD beamforming from the estimated channel of
//! the first IRS pattern (`--symbols` per trial).
//!
//! Random streams: channels, redrawn IRS patterns and measurement noise come from one stream
//! seeded by `--seed` + 1; the SER symbols and their noise from a stream of their own per
//! (SNR, trial, method), derived from `--seed` + 2, so `--symbols` does not change the channels
//! and `--csbl-trials` does not change the other methods' SER.
//!
//! Flags: `--trials 20 --snrs 4,8,12,16,20 --csbl-trials 5 --seed 7 --symbols 10000`.

use super::{mean, median};
use crate::linalg::kron_dense;
use crate::output::{Flags, write_csv};
use crate::plot::LinePlot;
use crate::plot::ProgressObserver;
use crate::random::{mix64, seeded_rng};
use crate::sbl::Regression;
use crate::sbl::baselines::dkrosbl;
use crate::sbl::irs::{IrsConfig, IrsSystem, MIN_CASCADED_NORM, presets};
use crate::sbl::kron::KronProblem;
use std::time::Instant;

const METHODS: [&str; 5] = [
    "SVD-KroSBL",
    "AM-KroSBL",
    "PC-KroSBL",
    "dKroSBL",
    "classical SBL",
];

/// The flags [`run`] takes besides `--out` (see the module documentation).
pub const FLAGS: &[&str] = &["trials", "snrs", "csbl-trials", "seed", "symbols"];

/// Runs the experiment.
pub fn run(flags: &Flags) -> crate::Result<()> {
    flags.accept(FLAGS)?;
    let trials: usize = flags.get("trials", 20)?;
    let snrs = flags.list("snrs", &[4.0, 8.0, 12.0, 16.0, 20.0])?;
    let csbl_trials: usize = flags.get("csbl-trials", 5)?;
    let seed: u64 = flags.get("seed", 7)?;
    let symbols: usize = flags.get("symbols", 10_000)?;
    let mut sys = IrsSystem::new(IrsConfig::default(), seed)?;
    println!(
        "sbl irs: UE 6, BS 16, IRS 256, grid 18 (N = 5832), M = 288, {trials} trials per SNR, SNR = {snrs:?} dB; classical SBL on the first {csbl_trials} trials; seed {seed}"
    );
    let mut dense = kron_dense(sys.factors());
    let mut rng = seeded_rng(seed.wrapping_add(1));
    let mut rows = Vec::new();
    let mut curves: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); METHODS.len()];
    let progress = ProgressObserver::new("trials", (snrs.len() * trials) as u64);
    for (si, &snr) in snrs.iter().enumerate() {
        let mut per: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); METHODS.len()];
        for trial in 0..trials {
            let ch = sys.draw_channel(&mut rng);
            if sys.redraw_weak_patterns(&ch, MIN_CASCADED_NORM, &mut rng)? > 0 {
                dense = kron_dense(sys.factors());
            }
            let (y, sigma2) = sys.measure(&ch, snr, &mut rng)?;
            let truth = sys.cascaded_true(&ch)?;
            let problem = KronProblem::new(sys.factors().to_vec(), y.clone())?;
            for (mi, row) in per.iter_mut().enumerate() {
                if mi == 4 && trial >= csbl_trials {
                    continue;
                }
                let t0 = Instant::now();
                let x = match mi {
                    0 => presets::svd(sigma2, snr).build()?.solve(&problem)?.x,
                    1 => presets::am(sigma2).build()?.solve(&problem)?.x,
                    2 => presets::pc(sigma2, 0.8).build()?.solve(&problem)?.x,
                    3 => dkrosbl(&problem)?.x,
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
                // its own stream per (SNR, trial, method): the SER does not depend on which
                // other methods or trials ran
                let key = ((si as u64) << 40) | ((trial as u64) << 8) | mi as u64;
                let mut ser_rng = seeded_rng(mix64(seed.wrapping_add(2) ^ mix64(key)));
                let ser = sys.qpsk_ser(&est[0], &truth[0], snr, symbols, &mut ser_rng)?;
                row.push((e, secs, ser));
                rows.push(vec![snr, trial as f64, mi as f64, e, secs, ser]);
            }
            progress.bar().inc(1);
        }
        for (mi, v) in per.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let e: Vec<f64> = v.iter().map(|t| t.0).collect();
            let t: Vec<f64> = v.iter().map(|t| t.1).collect();
            let (med, avg) = (median(&e), mean(&e));
            curves[mi].push((snr, med, avg));
            let ser: Vec<f64> = v.iter().map(|t| t.2).collect();
            println!(
                "  {snr:5.1} dB  {:14} median NMSE {med:9.3e}  mean {avg:9.3e}  QPSK SER {:.4}  time {:9.2} ms  ({} trials)",
                METHODS[mi],
                mean(&ser),
                mean(&t) * 1e3,
                v.len()
            );
        }
    }
    progress.bar().finish_and_clear();
    write_csv(
        &flags.out.join("trials.csv"),
        &[
            "snr_db",
            "trial",
            "method",
            "channel_nmse",
            "seconds",
            "qpsk_ser",
        ],
        &rows,
    )?;
    let plot = LinePlot::new("IRS-MIMO channel estimation (N = 5832, M = 288)")
        .labels("SNR (dB)", "channel NMSE")
        .log_y(true);
    super::median_mean_plot(plot, &METHODS, &curves)
        .save(flags.out.join("channel_nmse_vs_snr.png"))?;
    println!(
        "wrote trials.csv (method 0 SVD, 1 AM, 2 PC, 3 dKroSBL, 4 classical) and channel_nmse_vs_snr.png to {}",
        flags.out.display()
    );
    Ok(())
}
