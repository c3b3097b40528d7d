//! Adam and L-BFGS on the Rosenbrock valley
//! f(x) = Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², minimum f(1, …, 1) = 0, from the classic start
//! (−1.2, 1, −1.2, …): Adam with a step-decay schedule (as PINNs are trained) and L-BFGS
//! (argmin's solver under parsimony's driver), and the two cost histories on a log axis.
//!
//! Config ([`OptimizersConfig`]): `n = 2` (dimension), `adam_iters = 20000`, `lr = 0.02`.
//! `parsimony run core-optimizers` or `cargo run --release --example optimizers`. Writes
//! `optimizers.png`, `adam_cost.csv`, `lbfgs_cost.csv` and `run.json`.

use super::shape::Experiment;
use crate::optim::{AdamParams, LbfgsParams, Rosenbrock};
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::solve::Observer;
use nalgebra::DVector;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OptimizersConfig {
    /// Dimension of the Rosenbrock function (≥ 2).
    pub n: usize,
    /// Adam iterations (the learning rate halves every tenth of them).
    pub adam_iters: usize,
    /// Adam's initial learning rate.
    pub lr: f64,
}

impl Default for OptimizersConfig {
    fn default() -> Self {
        Self {
            n: 2,
            adam_iters: 20_000,
            lr: 0.02,
        }
    }
}

/// One optimiser's run.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizerRun {
    /// Iterations.
    pub iterations: usize,
    /// f at the end.
    pub cost: f64,
    /// ‖∇f‖ at the end.
    pub grad_norm: f64,
    /// ‖x − 1‖ at the end.
    pub distance: f64,
    /// Whether it met its tolerance.
    pub converged: bool,
    /// Why it stopped.
    pub status: String,
    /// f per iteration.
    pub cost_history: Vec<f64>,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizersReport {
    /// Adam's run.
    pub adam: OptimizerRun,
    /// L-BFGS's run.
    pub lbfgs: OptimizerRun,
}

/// The experiment (see the module documentation).
pub struct Optimizers;

impl Experiment for Optimizers {
    const NAME: &'static str = "core-optimizers";
    const ABOUT: &'static str = "Core: Adam and L-BFGS on the Rosenbrock valley";
    type Config = OptimizersConfig;
    type Report = OptimizersReport;

    fn run(cfg: &OptimizersConfig, observer: &mut dyn Observer) -> crate::Result<OptimizersReport> {
        let n = cfg.n;
        let mut f = Rosenbrock { n };
        let x0 = DVector::from_fn(n, |i, _| if i % 2 == 0 { -1.2 } else { 1.0 });
        let a = AdamParams::new()
            .learning_rate(cfg.lr)
            .step_decay((cfg.adam_iters / 10).max(1), 0.5)
            .max_iter(cfg.adam_iters)
            .grad_tol(1e-8)
            .build(n)?
            .solve_observed(&mut f, &x0, observer)?;
        let l = LbfgsParams::default().build()?.solve(&mut f, &x0)?;
        let ones = DVector::from_element(n, 1.0);
        Ok(OptimizersReport {
            adam: OptimizerRun {
                iterations: a.info.iterations,
                cost: a.cost,
                grad_norm: a.grad_norm,
                distance: (&a.x - &ones).norm(),
                converged: a.info.converged,
                status: a.info.status.to_string(),
                cost_history: a.cost_history,
            },
            lbfgs: OptimizerRun {
                iterations: l.info.iterations,
                cost: l.cost,
                grad_norm: l.grad_norm,
                distance: (&l.x - &ones).norm(),
                converged: l.info.converged,
                status: l.info.status.to_string(),
                cost_history: l.cost_history,
            },
        })
    }

    fn render(cfg: &OptimizersConfig, r: &OptimizersReport, dir: &Path) -> crate::Result<()> {
        let k = |h: &[f64]| (1..=h.len()).map(|k| k as f64).collect::<Vec<_>>();
        let (ka, kl) = (k(&r.adam.cost_history), k(&r.lbfgs.cost_history));
        LinePlot::new(format!("Rosenbrock, n = {}", cfg.n))
            .labels("iteration", "f(x)")
            .log_x(true)
            .log_y(true)
            .line("Adam (step decay)", &ka, &r.adam.cost_history)
            .line("L-BFGS (Moré–Thuente)", &kl, &r.lbfgs.cost_history)
            .save(dir.join("optimizers.png"))?;
        for (name, ks, run) in [
            ("adam_cost.csv", &ka, &r.adam),
            ("lbfgs_cost.csv", &kl, &r.lbfgs),
        ] {
            let rows: Vec<Vec<f64>> = ks
                .iter()
                .zip(&run.cost_history)
                .map(|(k, c)| vec![*k, *c])
                .collect();
            write_csv(&dir.join(name), &["iteration", "cost"], &rows)?;
        }
        Ok(())
    }

    fn metrics(r: &OptimizersReport) -> Vec<(String, f64)> {
        vec![
            ("Adam iterations".into(), r.adam.iterations as f64),
            ("Adam ‖x − 1‖".into(), r.adam.distance),
            ("L-BFGS iterations".into(), r.lbfgs.iterations as f64),
            ("L-BFGS ‖x − 1‖".into(), r.lbfgs.distance),
        ]
    }

    fn summary(_cfg: &OptimizersConfig, r: &OptimizersReport) -> String {
        [("Adam", &r.adam), ("L-BFGS", &r.lbfgs)]
            .iter()
            .map(|(name, o)| {
                format!(
                    "  {name:7} {:6} iterations  f = {:.3e}  ‖∇f‖ = {:.2e}  ‖x − 1‖ = {:.2e}  converged = {} ({})\n",
                    o.iterations, o.cost, o.grad_norm, o.distance, o.converged, o.status
                )
            })
            .collect()
    }

    fn seed(_cfg: &OptimizersConfig) -> u64 {
        0
    }
}
