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
//! Flags: `--systems 1 --trials 20 --snrs 4,8,12,16,20 --csbl-trials 5 --seed 7 --symbols
//! 10000 --threads 2`.

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

/// One solved trial: (system, SNR index, trial, method, NMSE, seconds, SER).
type Row = (usize, usize, usize, usize, f64, f64, f64);

/// The flags [`run`] takes besides `--out` (see the module documentation).
pub const FLAGS: &[&str] = &[
    "systems",
    "trials",
    "snrs",
    "csbl-trials",
    "seed",
    "symbols",
    "threads",
];

/// What every system draw shares.
struct Setting {
    trials: usize,
    snrs: Vec<f64>,
    csbl_trials: usize,
    seed: u64,
    symbols: usize,
}

/// Runs the experiment.
pub fn run(flags: &Flags) -> crate::Result<()> {
    flags.accept(FLAGS)?;
    let systems: usize = flags.get("systems", 1)?;
    let setting = Setting {
        trials: flags.get("trials", 20)?,
        snrs: flags.list("snrs", &[4.0, 8.0, 12.0, 16.0, 20.0])?,
        csbl_trials: flags.get("csbl-trials", 5)?,
        seed: flags.get("seed", 7)?,
        symbols: flags.get("symbols", 10_000)?,
    };
    let threads: usize = flags.get("threads", 2)?;
    crate::error::check_at_least_one("systems", systems)?;
    crate::error::check_at_least_one("threads", threads)?;
    let (trials, csbl_trials, seed) = (setting.trials, setting.csbl_trials, setting.seed);
    println!(
        "sbl irs: UE 6, BS 16, IRS 256, grid 18 (N = 5832), M = 288; {systems} system draw(s) × {trials} trials per SNR, SNR = {:?} dB; classical SBL on the first {csbl_trials} trials of each draw; seed {seed}",
        setting.snrs
    );
    let progress = ProgressObserver::new("trials", (systems * setting.snrs.len() * trials) as u64);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<crate::Result<Vec<Row>>>> = Default::default();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(systems) {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if k >= systems {
                        break;
                    }
                    let r = run_system(&setting, k, &progress);
                    results.lock().unwrap().push(r);
                }
            });
        }
    });
    progress.bar().finish_and_clear();
    let mut rows: Vec<Row> = Vec::new();
    for r in results.into_inner().unwrap() {
        rows.extend(r?);
    }
    rows.sort_by_key(|r| (r.0, r.1, r.2, r.3));

    let mut curves: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); METHODS.len()];
    let mut summary = Vec::new();
    println!(
        "  {:>5}  {:14} {:>9} {:>9} {:>6} {:>7} {:>9} {:>9}   {:>10} {:>10}",
        "SNR", "method", "mean", "median", "fail", "trials", "SER", "ms", "authors'", "[median]"
    );
    for (si, &snr) in setting.snrs.iter().enumerate() {
        for (mi, name) in METHODS.iter().enumerate() {
            let of: Vec<&Row> = rows.iter().filter(|r| r.1 == si && r.3 == mi).collect();
            if of.is_empty() {
                continue;
            }
            let e: Vec<f64> = of.iter().map(|r| r.4).collect();
            let (med, avg) = (median(&e), mean(&e));
            let fail = e.iter().filter(|&&v| v > FAIL_NMSE).count() as f64 / e.len() as f64;
            let secs = mean(&of.iter().map(|r| r.5).collect::<Vec<_>>());
            let ser = mean(&of.iter().map(|r| r.6).collect::<Vec<_>>());
            let (a_mean, a_med) = authors(mi, snr);
            curves[mi].push((snr, med, avg));
            println!(
                "  {snr:5.1}  {name:14} {avg:9.3e} {med:9.3e} {:5.1}% {:7} {ser:9.4} {:9.2}   {a_mean:10.4} {a_med:10.4}",
                100.0 * fail,
                e.len(),
                secs * 1e3
            );
            summary.push(vec![
                snr,
                mi as f64,
                avg,
                med,
                fail,
                e.len() as f64,
                ser,
                secs,
                a_mean,
                a_med,
            ]);
        }
    }
    // per system draw: how alike its two most alike UE atoms are, and PC-KroSBL's failures
    println!("  per system draw (PC-KroSBL 0.8 failures over its trials at every SNR):");
    let mut per_system = Vec::new();
    for k in 0..systems {
        let sys = IrsSystem::new(IrsConfig::default(), seed.wrapping_add(k as u64))?;
        let coh = max_coherence(&sys.factors()[1]);
        let pc: Vec<f64> = rows
            .iter()
            .filter(|r| r.0 == k && r.3 == 2)
            .map(|r| r.4)
            .collect();
        let fail = pc.iter().filter(|&&v| v > FAIL_NMSE).count() as f64 / pc.len().max(1) as f64;
        println!(
            "    draw {k:2} (seed {:3}): max UE-atom coherence {coh:.4}, PC fail {:5.1}%",
            seed.wrapping_add(k as u64),
            100.0 * fail
        );
        per_system.push(vec![
            k as f64,
            seed.wrapping_add(k as u64) as f64,
            coh,
            fail,
        ]);
    }
    write_csv(
        &flags.out.join("systems.csv"),
        &["system", "seed", "max_ue_coherence", "pc_fail_fraction"],
        &per_system,
    )?;
    write_csv(
        &flags.out.join("summary.csv"),
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
    let trial_rows: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            vec![
                r.0 as f64,
                setting.snrs[r.1],
                r.2 as f64,
                r.3 as f64,
                r.4,
                r.5,
                r.6,
            ]
        })
        .collect();
    write_csv(
        &flags.out.join("trials.csv"),
        &[
            "system",
            "snr_db",
            "trial",
            "method",
            "channel_nmse",
            "seconds",
            "qpsk_ser",
        ],
        &trial_rows,
    )?;
    let plot = LinePlot::new("IRS-MIMO channel estimation (N = 5832, M = 288)")
        .labels("SNR (dB)", "channel NMSE")
        .log_y(true);
    super::median_mean_plot(plot, &METHODS, &curves)
        .save(flags.out.join("channel_nmse_vs_snr.png"))?;
    println!(
        "fail = channel NMSE > {FAIL_NMSE}; authors' = their stored 50-trial mean [median] (one draw of pilots and patterns)\nwrote summary.csv, systems.csv, trials.csv (methods 0 SVD, 1 AM, 2 PC 0.8, 3 PC 0.5, 4 dKroSBL, 5 classical) and channel_nmse_vs_snr.png to {}",
        flags.out.display()
    );
    Ok(())
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

/// Every SNR and trial of system draw `k`.
fn run_system(s: &Setting, k: usize, progress: &ProgressObserver) -> crate::Result<Vec<Row>> {
    let sys_seed = s.seed.wrapping_add(k as u64);
    let mut sys = IrsSystem::new(IrsConfig::default(), sys_seed)?;
    let mut dense = kron_dense(sys.factors())?;
    let mut rng = seeded_rng(s.seed.wrapping_add(k as u64).wrapping_add(1_000_001));
    let mut rows = Vec::new();
    for (si, &snr) in s.snrs.iter().enumerate() {
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
                rows.push((k, si, trial, mi, e, secs, ser));
            }
            progress.bar().inc(1);
        }
    }
    Ok(rows)
}
