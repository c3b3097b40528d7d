//! Tang et al.'s random assignment problem (ICLR 2024, Table 1): n × n costs uniform on
//! [0, 1), uniform weights, η = 1/ε = 1200, every solver run to (near) machine accuracy.
//! The paper reports 29 iterations for SNS (20 Sinkhorn + 9 Newton) against 56 199 for
//! Sinkhorn. Here: log-domain Sinkhorn, SNS in the paper's setting (N₁ = 20, sparse Hessian at
//! κ = 1.5) and SNS with the exact Hessian, to the same L1 marginal error.
//!
//! Config ([`AssignmentConfig`]): `n = 500`, `seed = 3` (the spec's reference case), `eta =
//! 1200`, `tol = 1e-11`, `max_sinkhorn = 200000`. `parsimony run ot-assignment` or `cargo run
//! --release --example ot_assignment`. Writes `convergence.png`, `convergence_time.png`,
//! `traces.csv`, `iterations.csv` and `run.json`.

use super::ot_convergence::{SolverRun, convergence_plot, run_sinkhorn, run_sns, trace_rows};
use super::shape::Experiment;
use crate::ot::cases::random_assignment;
use crate::ot::{SinkhornParams, SnsParams};
use crate::output::write_csv;
use crate::solve::Observer;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssignmentConfig {
    /// Sources = targets.
    pub n: usize,
    /// Seed of the portable generator (3: the reference case).
    pub seed: u64,
    /// η = 1/ε.
    pub eta: f64,
    /// L1 marginal error every solver runs to.
    pub tol: f64,
    /// Sinkhorn's iteration cap.
    pub max_sinkhorn: usize,
}

impl Default for AssignmentConfig {
    fn default() -> Self {
        Self {
            n: 500,
            seed: 3,
            eta: 1200.0,
            tol: 1e-11,
            max_sinkhorn: 200_000,
        }
    }
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct AssignmentReport {
    /// Sinkhorn, SNS (paper's setting), SNS (exact Hessian).
    pub runs: Vec<SolverRun>,
    /// Sinkhorn's iterations over SNS's (exact Hessian).
    pub iteration_ratio: f64,
}

/// The experiment (see the module documentation).
pub struct OtAssignment;

impl Experiment for OtAssignment {
    const NAME: &'static str = "ot-assignment";
    const ABOUT: &'static str = "OT: Tang et al.'s random assignment (η = 1200), Sinkhorn vs SNS iterations to machine accuracy";
    type Config = AssignmentConfig;
    type Report = AssignmentReport;

    fn run(cfg: &AssignmentConfig, observer: &mut dyn Observer) -> crate::Result<AssignmentReport> {
        if !(cfg.eta.is_finite() && cfg.eta > 0.0) {
            return Err(crate::Error::invalid(
                "eta",
                format!("must be finite and > 0, got {}", cfg.eta),
            ));
        }
        let problem = random_assignment(cfg.n, cfg.seed)?;
        let reg = 1.0 / cfg.eta;
        let sinkhorn = SinkhornParams::new(reg)
            .tol(cfg.tol)
            .max_iter(cfg.max_sinkhorn)
            .build()?;
        let (sk, _) = run_sinkhorn(&sinkhorn, &problem, observer)?;
        let paper = SnsParams::paper(reg).tol(cfg.tol).build()?;
        let (sp, _) = run_sns("SNS, paper's setting (sparse)", &paper, &problem, observer)?;
        let exact = SnsParams::new(reg).tol(cfg.tol).build()?;
        let (se, _) = run_sns("SNS, exact Hessian", &exact, &problem, observer)?;
        let its = |r: &SolverRun| (r.sinkhorn_iterations + r.newton_iterations) as f64;
        Ok(AssignmentReport {
            iteration_ratio: its(&sk) / its(&se),
            runs: vec![sk, sp, se],
        })
    }

    fn render(cfg: &AssignmentConfig, r: &AssignmentReport, dir: &Path) -> crate::Result<()> {
        let title = format!("random assignment, n = {}, η = {}", cfg.n, cfg.eta);
        convergence_plot(&title, &r.runs, false).save(dir.join("convergence.png"))?;
        convergence_plot(&title, &r.runs, true).save(dir.join("convergence_time.png"))?;
        write_csv(
            &dir.join("traces.csv"),
            &["solver", "iteration", "newton", "l1_error", "seconds"],
            &trace_rows(&r.runs),
        )?;
        let rows: Vec<Vec<f64>> = r
            .runs
            .iter()
            .enumerate()
            .map(|(k, run)| {
                vec![
                    k as f64,
                    run.sinkhorn_iterations as f64,
                    run.newton_iterations as f64,
                    run.cg_iterations as f64,
                    run.error,
                    run.seconds,
                ]
            })
            .collect();
        write_csv(
            &dir.join("iterations.csv"),
            &["solver", "sinkhorn", "newton", "cg", "l1_error", "seconds"],
            &rows,
        )
    }

    fn metrics(r: &AssignmentReport) -> Vec<(String, f64)> {
        let mut m: Vec<(String, f64)> = r
            .runs
            .iter()
            .map(|run| {
                (
                    format!("{} iterations", run.solver),
                    (run.sinkhorn_iterations + run.newton_iterations) as f64,
                )
            })
            .collect();
        m.push(("Sinkhorn / SNS iterations".into(), r.iteration_ratio));
        m
    }

    fn summary(_cfg: &AssignmentConfig, r: &AssignmentReport) -> String {
        let mut out = String::from("  (Tang et al.: SNS 29 = 20 + 9, Sinkhorn 56 199)\n");
        for run in &r.runs {
            out.push_str(&format!(
                "  {:30} {:7} Sinkhorn + {:3} Newton ({} sparse, {} CG), L1 {:.1e}, {:.3} s ({})\n",
                run.solver,
                run.sinkhorn_iterations,
                run.newton_iterations,
                run.sparse_newton_iterations,
                run.cg_iterations,
                run.error,
                run.seconds,
                run.status
            ));
        }
        out
    }

    fn seed(cfg: &AssignmentConfig) -> u64 {
        cfg.seed
    }
}
