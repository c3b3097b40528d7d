//! Entropic optimal transport between two 2D point clouds (the OT spec's `gauss2d` case: n
//! points X ~ N(0, I₂) against n points Y in two clusters, cost ‖x − y‖² normalised to [0, 1],
//! uniform weights), solved by log-domain Sinkhorn and by Sinkhorn–Newton–Sparse to the same
//! L1 marginal error: the plan (points and the heaviest couplings) and the error against
//! iteration and time (Tang et al., ICLR 2024, Figure 1's kind).
//!
//! Config ([`GaussiansConfig`]): `n = 500`, `seed = 1` (the reference case; seed 2 with
//! n = 1000), `reg = 1e-3`, `tol = 1e-10` (L1 marginal error), `couplings = 400` (drawn),
//! `max_sinkhorn = 50000`. `parsimony run ot-gaussians` or `cargo run --release --example
//! ot_gaussians`. Writes `plan.png`, `convergence.png`, `convergence_time.png`, `traces.csv`,
//! `couplings.csv` and `run.json`.

use super::ot_convergence::{SolverRun, convergence_plot, run_sinkhorn, run_sns, trace_rows};
use super::shape::Experiment;
use crate::ot::cases::{gauss2d, gauss2d_points};
use crate::ot::{SinkhornParams, SnsParams};
use crate::output::write_csv;
use crate::plot::{LinePlot, SeriesStyle};
use crate::solve::Observer;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GaussiansConfig {
    /// Points per cloud.
    pub n: usize,
    /// Seed of the portable generator (1 for the reference n = 500, 2 for n = 1000).
    pub seed: u64,
    /// The entropic regularisation ε (the cost lies in [0, 1]).
    pub reg: f64,
    /// L1 marginal error both solvers run to.
    pub tol: f64,
    /// Heaviest couplings drawn in the plan figure.
    pub couplings: usize,
    /// Sinkhorn's iteration cap.
    pub max_sinkhorn: usize,
}

impl Default for GaussiansConfig {
    fn default() -> Self {
        Self {
            n: 500,
            seed: 1,
            reg: 1e-3,
            tol: 1e-10,
            couplings: 400,
            max_sinkhorn: 50_000,
        }
    }
}

/// One drawn coupling.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Coupling {
    /// Source index.
    pub i: usize,
    /// Target index.
    pub j: usize,
    /// Mass Pᵢⱼ.
    pub mass: f64,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct GaussiansReport {
    /// Sinkhorn's run and SNS's.
    pub runs: Vec<SolverRun>,
    /// The heaviest couplings of SNS's plan.
    pub couplings: Vec<Coupling>,
    /// The share of the total mass the drawn couplings carry.
    pub drawn_mass: f64,
    /// |cost(Sinkhorn) − cost(SNS)| / cost(SNS).
    pub cost_agreement: f64,
    /// The points (X, Y), n × 2 each, row-major (not written to run.json).
    #[serde(skip)]
    pub points: (Vec<f64>, Vec<f64>),
}

/// The experiment (see the module documentation).
pub struct OtGaussians;

impl Experiment for OtGaussians {
    const NAME: &'static str = "ot-gaussians";
    const ABOUT: &'static str = "OT: two 2D point clouds, log-domain Sinkhorn vs Sinkhorn–Newton–Sparse (Tang et al., Fig. 1 kind)";
    type Config = GaussiansConfig;
    type Report = GaussiansReport;

    fn run(cfg: &GaussiansConfig, observer: &mut dyn Observer) -> crate::Result<GaussiansReport> {
        if cfg.n < 2 {
            return Err(crate::Error::invalid(
                "n",
                format!("need ≥ 2 points, got {}", cfg.n),
            ));
        }
        let problem = gauss2d(cfg.n, cfg.seed, false)?;
        let sinkhorn = SinkhornParams::new(cfg.reg)
            .tol(cfg.tol)
            .max_iter(cfg.max_sinkhorn)
            .build()?;
        let sns = SnsParams::new(cfg.reg).tol(cfg.tol).plan(true).build()?;
        let (sk_run, sk) = run_sinkhorn(&sinkhorn, &problem, observer)?;
        let (sns_run, sol) = run_sns("Sinkhorn–Newton–Sparse", &sns, &problem, observer)?;
        let plan = sol
            .plan
            .as_ref()
            .ok_or_else(|| crate::Error::invalid("plan", "SNS returned no plan"))?;
        let mut entries: Vec<Coupling> = (0..cfg.n)
            .flat_map(|i| (0..cfg.n).map(move |j| (i, j)))
            .map(|(i, j)| Coupling {
                i,
                j,
                mass: plan[(i, j)],
            })
            .collect();
        let keep = cfg.couplings.min(entries.len());
        if keep > 0 && keep < entries.len() {
            entries.select_nth_unstable_by(keep - 1, |a, b| b.mass.total_cmp(&a.mass));
        }
        entries.truncate(keep);
        entries.sort_by(|a, b| b.mass.total_cmp(&a.mass));
        let drawn: f64 = entries.iter().map(|c| c.mass).sum();
        let (x, y) = gauss2d_points(cfg.n, cfg.seed);
        let row_major = |m: &nalgebra::DMatrix<f64>| m.transpose().iter().copied().collect();
        Ok(GaussiansReport {
            cost_agreement: (sk.transport_cost - sol.transport_cost).abs() / sol.transport_cost,
            runs: vec![sk_run, sns_run],
            drawn_mass: drawn / problem.mass(),
            couplings: entries,
            points: (row_major(&x), row_major(&y)),
        })
    }

    fn render(cfg: &GaussiansConfig, r: &GaussiansReport, dir: &Path) -> crate::Result<()> {
        let (x, y) = &r.points;
        let col = |p: &[f64], k: usize| p.iter().skip(k).step_by(2).copied().collect::<Vec<_>>();
        let (mut sx, mut sy) = (Vec::new(), Vec::new());
        for c in &r.couplings {
            sx.extend([x[2 * c.i], y[2 * c.j]]);
            sy.extend([x[2 * c.i + 1], y[2 * c.j + 1]]);
        }
        LinePlot::new(format!(
            "entropic plan, ε = {}: the {} heaviest couplings ({:.0} % of the mass)",
            cfg.reg,
            r.couplings.len(),
            100.0 * r.drawn_mass
        ))
        .labels("x₁", "x₂")
        .size(900, 800)
        .series("couplings", &sx, &sy, SeriesStyle::Segments)
        .color(2)
        .points("sources X", &col(x, 0), &col(x, 1))
        .color(0)
        .points("targets Y", &col(y, 0), &col(y, 1))
        .color(1)
        .save(dir.join("plan.png"))?;
        let title = format!("gauss2d, n = {}, ε = {}", cfg.n, cfg.reg);
        convergence_plot(&title, &r.runs, false).save(dir.join("convergence.png"))?;
        convergence_plot(&title, &r.runs, true).save(dir.join("convergence_time.png"))?;
        write_csv(
            &dir.join("traces.csv"),
            &["solver", "iteration", "newton", "l1_error", "seconds"],
            &trace_rows(&r.runs),
        )?;
        let rows: Vec<Vec<f64>> = r
            .couplings
            .iter()
            .map(|c| vec![c.i as f64, c.j as f64, c.mass])
            .collect();
        write_csv(&dir.join("couplings.csv"), &["i", "j", "mass"], &rows)
    }

    fn metrics(r: &GaussiansReport) -> Vec<(String, f64)> {
        let mut m = Vec::new();
        for run in &r.runs {
            m.push((
                format!("{} iterations", run.solver),
                (run.sinkhorn_iterations + run.newton_iterations) as f64,
            ));
            m.push((format!("{} transport cost", run.solver), run.transport_cost));
            m.push((format!("{} L1 error", run.solver), run.error));
        }
        m.push(("relative cost difference".into(), r.cost_agreement));
        m
    }

    fn summary(_cfg: &GaussiansConfig, r: &GaussiansReport) -> String {
        r.runs
            .iter()
            .map(|run| {
                format!(
                    "  {:26} {:6} Sinkhorn + {:3} Newton ({:5} CG), L1 {:.1e}, ⟨C, P⟩ = {:.12e}, {:.3} s ({})\n",
                    run.solver,
                    run.sinkhorn_iterations,
                    run.newton_iterations,
                    run.cg_iterations,
                    run.error,
                    run.transport_cost,
                    run.seconds,
                    run.status
                )
            })
            .collect()
    }

    fn seed(cfg: &GaussiansConfig) -> u64 {
        cfg.seed
    }
}
