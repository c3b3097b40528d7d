//! Core's stop rule in every greedy and nested solver of the crate: after iteration k the
//! observer sees the stop value of that iteration; the tolerance met ends the run
//! `Converged` even if the observer asked to stop; else a stop ends it `StoppedByObserver`;
//! `finish` is called once, with the run's info.

use nalgebra::{DMatrix, DVector};
use parsimony_core::random::SplitMix64;
use parsimony_core::solve::{Control, IterInfo, Observer, SolveInfo, Status, StopAfter};
use parsimony_sbl::Regression;
use parsimony_sbl::baselines::{DkroSblParams, KompParams, OmpParams};
use parsimony_sbl::generator::{SignalKind, make_problem, rc7_problem};
use parsimony_sbl::kron::KronProblem;
use parsimony_sbl::nnls::NnlsParams;

/// Records the iteration numbers and stop values it sees and every `finish`; stops at
/// iteration `stop_at`.
struct Log {
    stop_at: usize,
    iterations: Vec<usize>,
    stop_values: Vec<f64>,
    finished: Vec<SolveInfo>,
}

impl Log {
    fn stopping_at(stop_at: usize) -> Self {
        Self {
            stop_at,
            iterations: vec![],
            stop_values: vec![],
            finished: vec![],
        }
    }
}

impl Observer for Log {
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        self.iterations.push(info.iteration);
        self.stop_values.push(info.stop_value);
        if info.iteration >= self.stop_at {
            Control::Stop
        } else {
            Control::Continue
        }
    }
    fn finish(&mut self, info: &SolveInfo) {
        self.finished.push(*info);
    }
}

fn kron_problem() -> KronProblem<f64> {
    let p = make_problem(
        1,
        &[10, 10, 10],
        &[8, 8, 8],
        &[2, 2, 2],
        40.0,
        SignalKind::Bounded,
    )
    .unwrap();
    KronProblem::new(p.factors, p.y).unwrap()
}

/// A stop requested at the very iteration that meets the tolerance is a convergence, and the
/// last stop value observed is the run's.
fn stop_at_convergence(silent: SolveInfo, stopped: SolveInfo, log: &Log, what: &str) {
    assert_eq!(silent.status, Status::Converged, "{what}: {silent}");
    assert_eq!(stopped.status, Status::Converged, "{what}: {stopped}");
    assert_eq!(stopped.iterations, silent.iterations, "{what}");
    assert_eq!(
        log.stop_values.last().map(|v| v.to_bits()),
        Some(stopped.stop_value.to_bits()),
        "{what}: the observer saw the stop value after the step"
    );
    assert_eq!(log.finished.len(), 1, "{what}");
}

#[test]
fn komp_converges_at_a_stop_that_meets_the_tolerance() {
    let problem = kron_problem();
    let solver = KompParams::default().build().unwrap();
    let silent = solver.solve(&problem).unwrap().info;
    let mut log = Log::stopping_at(silent.iterations);
    let stopped = solver.solve_observed(&problem, &mut log).unwrap().info;
    stop_at_convergence(silent, stopped, &log, "KOMP");
}

#[test]
fn omp_converges_at_a_stop_that_meets_the_threshold() {
    let rc7 = rc7_problem();
    let problem = Regression::new(&rc7.a, &rc7.y).unwrap();
    let full = OmpParams::default()
        .max_atoms(6)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    // a threshold the fourth step meets
    let r4 = {
        let mut log = Log::stopping_at(4);
        OmpParams::default()
            .build()
            .unwrap()
            .solve_observed(&problem, &mut log)
            .unwrap();
        log.stop_values[3]
    };
    assert!(full.info.iterations >= 4);
    let solver = OmpParams::default().residual_threshold(r4).build().unwrap();
    let silent = solver.solve(&problem).unwrap().info;
    let mut log = Log::stopping_at(silent.iterations);
    let stopped = solver.solve_observed(&problem, &mut log).unwrap().info;
    stop_at_convergence(silent, stopped, &log, "OMP");
}

#[test]
fn nnls_observes_the_stop_value_after_the_step() {
    let mut g = SplitMix64::new(5);
    let a = DMatrix::from_row_slice(12, 6, &g.normals(72).unwrap());
    let xt = DVector::from_vec(vec![0.5, 0.0, 2.0, 1.5, 0.0, 1.0]);
    let b = &a * &xt;
    let problem = Regression::new(&a, &b).unwrap();
    let solver = NnlsParams::default().build().unwrap();
    let silent = solver.solve(&problem).unwrap().info;
    let mut log = Log::stopping_at(silent.iterations);
    let stopped = solver.solve_observed(&problem, &mut log).unwrap().info;
    stop_at_convergence(silent, stopped, &log, "NNLS");
    // stopped one step earlier, the run reports the stop value after that step
    let mut log = Log::stopping_at(silent.iterations - 1);
    let early = solver.solve_observed(&problem, &mut log).unwrap().info;
    assert_eq!(early.status, Status::StoppedByObserver);
    assert_eq!(
        log.stop_values.last().map(|v| v.to_bits()),
        Some(early.stop_value.to_bits())
    );
}

#[test]
fn dkrosbl_numbers_iterations_through_the_run_and_finishes_once() {
    let problem = kron_problem();
    let solver = DkroSblParams::default().build().unwrap();
    let mut log = Log::stopping_at(usize::MAX);
    let sol = solver.solve_observed(&problem, &mut log).unwrap();
    let total: usize = sol.factor_info.iter().map(|i| i.iterations).sum();
    assert_eq!(sol.info.iterations, total);
    assert_eq!(log.iterations, (1..=total).collect::<Vec<_>>());
    assert_eq!(log.finished, vec![sol.info]);
    // a stop in factor 0 leaves the other factors at zero and finishes the run once
    let mut stop = StopAfter(2);
    let stopped = DkroSblParams::default()
        .sbl(parsimony_sbl::classical::SblParams::default().tol(0.0))
        .build()
        .unwrap()
        .solve_observed(&problem, &mut stop)
        .unwrap();
    assert_eq!(stopped.info.status, Status::StoppedByObserver);
    assert_eq!(stopped.factor_info.len(), 1);
    assert!(stopped.x.iter().all(|v| *v == 0.0));
}
