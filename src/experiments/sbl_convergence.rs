//! Convergence of AM- and SVD-KroSBL (He & Joseph, TSP 2024, Fig. 4): NMSE after each EM
//! iteration, without pruning, at n = 15³, m = (14, 12, 15), K = 4 per factor, i.i.d. values on
//! the Kronecker support, 30 dB, known noise; AM's inner sweeps run to a relative change of 1e-10
//! (at most 1000 sweeps), as the paper's convergence runs.
//!
//! For each seed it reports how many EM iterations each method needs to come within 10 % of
//! the larger of the two final NMSEs; the paper's picture is AM ≈ 10³ against SVD ≈ 10².
//!
//! Flags: `--seeds 3 --svd-iters 500 --am-iters 4000`.

use super::median;
use crate::output::{Flags, write_csv};
use crate::plot::LinePlot;
use crate::sbl::Noise;
use crate::sbl::generator::{SignalKind, make_problem};
use crate::sbl::kron::{KroSblParams, KroSblState, KronProblem, Method};
use crate::solve::IterInfo;
use crate::stats::nmse;

/// The flags [`run`] takes besides `--out` (see the module documentation).
pub const FLAGS: &[&str] = &["seeds", "svd-iters", "am-iters"];

/// Runs the experiment.
pub fn run(flags: &Flags) -> crate::Result<()> {
    flags.accept(FLAGS)?;
    let seeds: u64 = flags.get("seeds", 3)?;
    let svd_iters: usize = flags.get("svd-iters", 500)?;
    let am_iters: usize = flags.get("am-iters", 4000)?;
    println!(
        "sbl convergence: n = 15³, m = (14, 12, 15), K = 4, iid values, 30 dB, no pruning; SVD {svd_iters} and AM {am_iters} EM iterations, {seeds} seeds"
    );
    let mut rows = Vec::new();
    let mut ratios = Vec::new();
    let mut plot = LinePlot::new("KroSBL convergence (no pruning, 30 dB)")
        .labels("EM iteration", "NMSE")
        .log_x(true)
        .log_y(true);
    for seed in 1..=seeds {
        let p = make_problem(
            seed,
            &[15, 15, 15],
            &[14, 12, 15],
            &[4, 4, 4],
            30.0,
            SignalKind::Iid,
        )?;
        let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
        let mut traces = Vec::new();
        for (method, iters) in [(Method::Svd, svd_iters), (Method::Am, am_iters)] {
            let mut trace = Vec::with_capacity(iters);
            KroSblParams::new(method)
                .noise(Noise::Known(p.noise_variance))
                .prune_rel(0.0)
                .tol(0.0)
                .max_iter(iters)
                // the paper's convergence runs stop the AM sweeps at 1e-10 (spec §4.1)
                .inner(1e-10, 1000)
                .build()?
                .solve_observed(&problem, &mut |i: &IterInfo<'_>| {
                    if let Some(s) = i.state::<KroSblState<f64>>() {
                        let e = nmse(s.full_mean().as_slice(), p.x.as_slice()).unwrap_or(f64::NAN);
                        trace.push(e);
                    }
                })?;
            traces.push(trace);
        }
        let target = 1.1 * traces[0].last().unwrap().max(*traces[1].last().unwrap());
        let reach = |t: &[f64]| t.iter().position(|&e| e <= target).map(|i| i + 1);
        let (rs, ra) = (reach(&traces[0]), reach(&traces[1]));
        println!(
            "  seed {seed}: final NMSE SVD {:.3e}, AM {:.3e}; iterations to ≤ {target:.3e}: SVD {rs:?}, AM {ra:?}",
            traces[0].last().unwrap(),
            traces[1].last().unwrap()
        );
        if let (Some(s), Some(a)) = (rs, ra) {
            ratios.push(a as f64 / s as f64);
        }
        for (mi, t) in traces.iter().enumerate() {
            for (i, e) in t.iter().enumerate() {
                rows.push(vec![seed as f64, mi as f64, (i + 1) as f64, *e]);
            }
            let k: Vec<f64> = (1..=t.len()).map(|i| i as f64).collect();
            let name = if mi == 0 { "SVD" } else { "AM" };
            plot = plot.line(format!("{name}, seed {seed}"), &k, t);
        }
    }
    println!(
        "  AM/SVD iteration ratio: median {:.1} over {} seeds ({ratios:.1?})",
        median(&ratios),
        ratios.len()
    );
    write_csv(
        &flags.out.join("convergence.csv"),
        &["seed", "method", "iteration", "nmse"],
        &rows,
    )?;
    plot.save(flags.out.join("convergence.png"))?;
    println!(
        "wrote convergence.csv (method 0 SVD, 1 AM) and convergence.png to {}",
        flags.out.display()
    );
    Ok(())
}
