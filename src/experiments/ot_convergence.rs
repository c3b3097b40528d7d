//! What the optimal-transport experiments share: a run of a solver with its convergence trace
//! (L1 marginal error against iteration and time), and the figures of such traces.

use crate::ot::{OtProblem, OtSolution, Sinkhorn, Sns};
use crate::plot::LinePlot;
use crate::solve::IterInfo;
use serde::Serialize;
use std::time::Instant;

/// One point of a convergence trace.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct TracePoint {
    /// Iterations so far (Sinkhorn iterations and Newton steps together).
    pub iteration: usize,
    /// Whether this point is a Newton step (else a Sinkhorn iteration).
    pub newton: bool,
    /// The L1 marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ there.
    pub error: f64,
    /// Seconds since the start of the solve.
    pub seconds: f64,
}

/// A solver's run: its result and its trace.
#[derive(Clone, Debug, Serialize)]
pub struct SolverRun {
    /// The solver's name.
    pub solver: String,
    /// Sinkhorn iterations.
    pub sinkhorn_iterations: usize,
    /// Newton steps.
    pub newton_iterations: usize,
    /// Newton steps with the sparse Hessian.
    pub sparse_newton_iterations: usize,
    /// CG iterations.
    pub cg_iterations: usize,
    /// Whether it reached the tolerance.
    pub converged: bool,
    /// Why it stopped.
    pub status: String,
    /// The final L1 marginal error.
    pub error: f64,
    /// ⟨C, P⟩.
    pub transport_cost: f64,
    /// ⟨C, P⟩ + ε Σ P log P.
    pub objective: f64,
    /// Wall time (s).
    pub seconds: f64,
    /// The trace (the observer's points).
    pub trace: Vec<TracePoint>,
}

/// Runs `solve` with an observer that records the trace (and passes every point on to
/// `outer`), and packs the result.
pub fn traced(
    name: &str,
    outer: &mut dyn crate::solve::Observer,
    solve: impl FnOnce(&mut dyn crate::solve::Observer) -> crate::Result<OtSolution>,
) -> crate::Result<(SolverRun, OtSolution)> {
    let start = Instant::now();
    let mut trace = Vec::new();
    let sol = {
        let mut record = |i: &IterInfo<'_>| {
            trace.push(TracePoint {
                iteration: i.iteration,
                // Newton steps report −D as their cost, Sinkhorn iterations NaN
                newton: !i.cost.is_nan(),
                error: i.stop_value,
                seconds: start.elapsed().as_secs_f64(),
            });
            outer.observe(i)
        };
        solve(&mut record)?
    };
    let run = SolverRun {
        solver: name.to_string(),
        sinkhorn_iterations: sol.sinkhorn_iterations,
        newton_iterations: sol.newton_iterations,
        sparse_newton_iterations: sol.sparse_newton_iterations,
        cg_iterations: sol.cg_iterations,
        converged: sol.info.converged,
        status: sol.info.status.to_string(),
        error: sol.marginal_error,
        transport_cost: sol.transport_cost,
        objective: sol.objective,
        seconds: sol.info.seconds,
        trace,
    };
    Ok((run, sol))
}

/// Runs Sinkhorn on `problem` with a trace.
pub fn run_sinkhorn(
    solver: &Sinkhorn,
    problem: &OtProblem,
    outer: &mut dyn crate::solve::Observer,
) -> crate::Result<(SolverRun, OtSolution)> {
    traced("Sinkhorn (log domain)", outer, |o| {
        solver.solve_observed(problem, None, o)
    })
}

/// Runs SNS on `problem` with a trace.
pub fn run_sns(
    name: &str,
    solver: &Sns,
    problem: &OtProblem,
    outer: &mut dyn crate::solve::Observer,
) -> crate::Result<(SolverRun, OtSolution)> {
    traced(name, outer, |o| solver.solve_observed(problem, None, o))
}

/// The error of every run against iteration (`by_time` false) or seconds, log scale.
pub fn convergence_plot(title: &str, runs: &[SolverRun], by_time: bool) -> LinePlot {
    let mut plot = LinePlot::new(title)
        .labels(
            if by_time { "time (s)" } else { "iteration" },
            "L1 marginal error",
        )
        .log_y(true)
        .log_x(!by_time);
    for (k, r) in runs.iter().enumerate() {
        let pts: Vec<&TracePoint> = r
            .trace
            .iter()
            .filter(|p| p.error.is_finite() && p.error > 0.0 && p.iteration > 0)
            .collect();
        if pts.is_empty() {
            continue;
        }
        let x: Vec<f64> = pts
            .iter()
            .map(|p| {
                if by_time {
                    p.seconds
                } else {
                    p.iteration as f64
                }
            })
            .collect();
        let y: Vec<f64> = pts.iter().map(|p| p.error).collect();
        plot = plot.line(r.solver.as_str(), &x, &y).color(k);
    }
    plot
}

/// The rows of `traces.csv`: solver index, iteration, Newton (0/1), error, seconds.
pub fn trace_rows(runs: &[SolverRun]) -> Vec<Vec<f64>> {
    runs.iter()
        .enumerate()
        .flat_map(|(k, r)| {
            r.trace.iter().map(move |p| {
                vec![
                    k as f64,
                    p.iteration as f64,
                    f64::from(u8::from(p.newton)),
                    p.error,
                    p.seconds,
                ]
            })
        })
        .collect()
}
