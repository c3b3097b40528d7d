//! Convergence of AM- and SVD-KroSBL (He & Joseph, TSP 2024, Fig. 4): NMSE after each EM
//! iteration, without pruning, at n = 15³, m = (14, 12, 15), K = 4 per factor, i.i.d. values on
//! the Kronecker support, 30 dB, known noise; AM's inner sweeps run to a relative change of 1e-10
//! (at most 1000 sweeps), as the paper's convergence runs.
//!
//! For each seed it reports how many EM iterations each method needs to come within 10 % of
//! the larger of the two final NMSEs; the paper's picture is AM ≈ 10³ against SVD ≈ 10².
//!
//! Config ([`ConvergenceConfig`]): `seeds = 3` (problems drawn with seeds seed + 1 … seed +
//! seeds), `svd_iters = 500`, `am_iters = 4000`, `seed = 0`. `parsimony run sbl-convergence
//! --set seeds=1`.

use super::median;
use super::shape::Experiment;
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::sbl::Noise;
use crate::sbl::generator::{SignalKind, make_problem};
use crate::sbl::kron::{KroSblParams, KroSblState, KronProblem, Method};
use crate::solve::{Control, IterInfo, Observer};
use crate::stats::nmse;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The inputs (the paper's Fig. 4 setting by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConvergenceConfig {
    /// Problems, drawn with the portable generator seeded seed + 1, …, seed + seeds.
    pub seeds: u64,
    /// EM iterations of SVD-KroSBL.
    pub svd_iters: usize,
    /// EM iterations of AM-KroSBL.
    pub am_iters: usize,
    /// Base seed.
    pub seed: u64,
}

impl Default for ConvergenceConfig {
    fn default() -> Self {
        Self {
            seeds: 3,
            svd_iters: 500,
            am_iters: 4000,
            seed: 0,
        }
    }
}

/// One problem's traces.
#[derive(Clone, Debug, Serialize)]
pub struct SeedTrace {
    /// The problem's seed.
    pub seed: u64,
    /// NMSE after each SVD-KroSBL EM iteration.
    pub svd: Vec<f64>,
    /// NMSE after each AM-KroSBL EM iteration.
    pub am: Vec<f64>,
    /// EM iterations each needs to come within 10 % of the larger final NMSE (SVD, AM).
    pub reach: (Option<usize>, Option<usize>),
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct ConvergenceReport {
    /// Per problem.
    pub traces: Vec<SeedTrace>,
    /// Median AM/SVD ratio of the iterations to reach (the paper's ≈ 10).
    pub median_ratio: f64,
}

/// The experiment (see the module documentation).
pub struct SblConvergence;

impl Experiment for SblConvergence {
    const NAME: &'static str = "sbl-convergence";
    const ABOUT: &'static str =
        "Kronecker SBL: NMSE per EM iteration of AM and SVD without pruning (He & Joseph, Fig. 4)";
    type Config = ConvergenceConfig;
    type Report = ConvergenceReport;

    fn run(
        cfg: &ConvergenceConfig,
        observer: &mut dyn Observer,
    ) -> crate::Result<ConvergenceReport> {
        let mut traces = Vec::new();
        for s in 1..=cfg.seeds {
            let seed = cfg.seed.wrapping_add(s);
            let p = make_problem(
                seed,
                &[15, 15, 15],
                &[14, 12, 15],
                &[4, 4, 4],
                30.0,
                SignalKind::Iid,
            )?;
            let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
            let mut both = Vec::new();
            for (method, iters) in [(Method::Svd, cfg.svd_iters), (Method::Am, cfg.am_iters)] {
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
                        if let Some(st) = i.state::<KroSblState<f64>>() {
                            let e =
                                nmse(st.full_mean().as_slice(), p.x.as_slice()).unwrap_or(f64::NAN);
                            trace.push(e);
                        }
                    })?;
                both.push(trace);
            }
            let am = both.pop().unwrap_or_default();
            let svd = both.pop().unwrap_or_default();
            let last = |t: &[f64]| t.last().copied().unwrap_or(f64::NAN);
            let target = 1.1 * last(&svd).max(last(&am));
            let reach = |t: &[f64]| t.iter().position(|&e| e <= target).map(|i| i + 1);
            let r = (reach(&svd), reach(&am));
            traces.push(SeedTrace {
                seed,
                svd,
                am,
                reach: r,
            });
            if observer.observe(&IterInfo::new(s as usize, f64::NAN, target)) == Control::Stop {
                return Err(crate::Error::invalid("observer", "stopped the experiment"));
            }
        }
        let ratios: Vec<f64> = traces
            .iter()
            .filter_map(|t| match t.reach {
                (Some(s), Some(a)) => Some(a as f64 / s as f64),
                _ => None,
            })
            .collect();
        Ok(ConvergenceReport {
            median_ratio: median(&ratios),
            traces,
        })
    }

    fn render(
        _cfg: &ConvergenceConfig,
        report: &ConvergenceReport,
        dir: &Path,
    ) -> crate::Result<()> {
        let mut rows = Vec::new();
        let mut plot = LinePlot::new("KroSBL convergence (no pruning, 30 dB)")
            .labels("EM iteration", "NMSE")
            .log_x(true)
            .log_y(true);
        for t in &report.traces {
            for (mi, (name, trace)) in [("SVD", &t.svd), ("AM", &t.am)].into_iter().enumerate() {
                for (i, e) in trace.iter().enumerate() {
                    rows.push(vec![t.seed as f64, mi as f64, (i + 1) as f64, *e]);
                }
                let k: Vec<f64> = (1..=trace.len()).map(|i| i as f64).collect();
                plot = plot.line(format!("{name}, seed {}", t.seed), &k, trace);
            }
        }
        write_csv(
            &dir.join("convergence.csv"),
            &["seed", "method", "iteration", "nmse"],
            &rows,
        )?;
        plot.save(dir.join("convergence.png"))
    }

    fn metrics(report: &ConvergenceReport) -> Vec<(String, f64)> {
        let mut m = vec![(
            "median AM/SVD iteration ratio".to_string(),
            report.median_ratio,
        )];
        for t in &report.traces {
            let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
            m.push((format!("final nmse SVD seed {}", t.seed), last(&t.svd)));
            m.push((format!("final nmse AM seed {}", t.seed), last(&t.am)));
        }
        m
    }

    fn summary(cfg: &ConvergenceConfig, report: &ConvergenceReport) -> String {
        let mut out = format!(
            "n = 15³, m = (14, 12, 15), K = 4, iid values, 30 dB, no pruning; SVD {} and AM {} EM iterations, {} seeds\n",
            cfg.svd_iters, cfg.am_iters, cfg.seeds
        );
        for t in &report.traces {
            out.push_str(&format!(
                "  seed {}: final NMSE SVD {:.3e}, AM {:.3e}; iterations to reach: SVD {:?}, AM {:?}\n",
                t.seed,
                t.svd.last().copied().unwrap_or(f64::NAN),
                t.am.last().copied().unwrap_or(f64::NAN),
                t.reach.0,
                t.reach.1
            ));
        }
        out
    }

    fn seed(cfg: &ConvergenceConfig) -> u64 {
        cfg.seed
    }
}
