//! The solver convention of parsimony (core::solve) for every iterative solver of the crate:
//! `info.converged` agrees with `info.status`, `info.iterations` respects the cap, and a run
//! stopped by an observer says so with the iterations it ran.

use parsimony_core::solve::{Control, IterInfo, SolveInfo, Status, StopAfter};
use parsimony_flame::data::Observations;
use parsimony_flame::inverse_fd::{FdInverseParams, FdInverseProblem};
use parsimony_flame::model::FlameModel;
use parsimony_flame::reference::{FdProblem, NewtonParams, solve_fd};
use parsimony_flame::shooting::ShootingParams;
use parsimony_flame::train::{PinnParams, PinnProblem, PinnState};

fn consistent(info: &SolveInfo, cap: usize) {
    assert_eq!(info.converged, info.status == Status::Converged, "{info:?}");
    assert!(info.iterations <= cap, "{info:?}");
    assert!(info.seconds >= 0.0);
}

#[test]
fn finite_difference_newton() {
    let solver = NewtonParams::default().max_iter(30).build().unwrap();
    let problem = FdProblem::new(&FlameModel::default(), 400).unwrap();
    let sol = solver.solve(&problem).unwrap();
    consistent(&sol.info, 30);
    assert!(sol.info.converged && sol.info.stop_value < 1e-12);
    let capped = NewtonParams::default().max_iter(3).build().unwrap();
    let sol = capped.solve(&problem).unwrap();
    consistent(&sol.info, 3);
    assert_eq!(sol.info.status, Status::MaxIterations);
    let sol = solver.solve_observed(&problem, &mut StopAfter(2)).unwrap();
    assert_eq!(sol.info.status, Status::StoppedByObserver);
    assert_eq!(sol.info.iterations, 2);
    assert!(NewtonParams::default().max_iter(0).build().is_err());
    assert!(FdProblem::new(&FlameModel::default(), 3).is_err());
}

#[test]
fn shooting_bisection() {
    let model = FlameModel::default();
    let solver = ShootingParams::default()
        .dx(1e-7)
        .tol(1e-6)
        .build()
        .unwrap();
    let sol = solver.solve(&model).unwrap();
    consistent(&sol.info, 200);
    assert!(sol.info.converged, "{:?}", sol.info);
    let capped = ShootingParams::default()
        .dx(1e-7)
        .max_trials(5)
        .build()
        .unwrap();
    let sol = capped.solve(&model).unwrap();
    consistent(&sol.info, 5);
    assert_eq!(sol.info.status, Status::MaxIterations);
    // the observer sees bisection steps 1, 2, … (the bracket's ends are not iterations)
    let sol = solver.solve_observed(&model, &mut StopAfter(4)).unwrap();
    assert_eq!(sol.info.status, Status::StoppedByObserver);
    assert_eq!(sol.info.iterations, 4);
}

#[test]
fn classical_inverse() {
    let model = FlameModel {
        phi: 0.46,
        ..FlameModel::default()
    };
    let fd = solve_fd(&model, 200, &NewtonParams::default()).unwrap();
    let obs = Observations::synthetic(&model, &fd, 8, 0.02, 3).unwrap();
    let problem = FdInverseProblem::new(&model, &obs, 0.02).unwrap();
    let solver = FdInverseParams::default()
        .grid(200)
        .max_iter(40)
        .build()
        .unwrap();
    let sol = solver.solve(&problem).unwrap();
    consistent(&sol.info, 40);
    assert!(sol.info.converged, "{:?}", sol.info);
    let sol = solver.solve_observed(&problem, &mut StopAfter(2)).unwrap();
    assert_eq!(sol.info.status, Status::StoppedByObserver);
    assert_eq!(sol.info.iterations, 2);
    assert!(FdInverseProblem::new(&model, &obs, 1.5).is_err());
    assert!(FdInverseParams::default().grid(10).build().is_err());
}

#[test]
fn pinn_training() {
    let model = FlameModel::new(298.0, 101_325.0, 0.42);
    let problem = PinnProblem::forward(&model).unwrap();
    let trainer = PinnParams::new()
        .network(1, 6)
        .collocation(31)
        .steps(10, 25)
        .build()
        .unwrap();
    let sol = trainer.solve(&problem).unwrap();
    consistent(&sol.info, 25);
    // a fixed budget: the paper's recipe has no convergence test
    assert_eq!(sol.info.status, Status::MaxIterations);
    assert_eq!(sol.info.iterations, 25);
    assert!(sol.info.stop_value.is_finite());
    // an observer that reads the training state and stops after the 7th step
    let mut speeds = Vec::new();
    let mut obs = |info: &IterInfo<'_>| {
        let state = info
            .state::<PinnState>()
            .expect("the PINN attaches its state");
        assert_eq!(state.step, info.iteration);
        assert_eq!(state.loss.total, info.cost);
        speeds.push(state.s_l);
        if info.iteration == 7 {
            Control::Stop
        } else {
            Control::Continue
        }
    };
    let sol = trainer.solve_observed(&problem, &mut obs).unwrap();
    assert_eq!(sol.info.status, Status::StoppedByObserver);
    assert_eq!(sol.info.iterations, 7);
    assert_eq!(speeds.len(), 7);
    let sol = trainer.solve_observed(&problem, &mut StopAfter(2)).unwrap();
    assert_eq!(sol.info.status, Status::StoppedByObserver);
    assert_eq!(sol.info.iterations, 2);
    // a gradient tolerance no step can miss converges at once
    let loose = PinnParams::new()
        .network(1, 6)
        .collocation(31)
        .steps(0, 25)
        .grad_tol(1e300)
        .build()
        .unwrap();
    let sol = loose.solve(&problem).unwrap();
    consistent(&sol.info, 25);
    assert_eq!(sol.info.status, Status::Converged);
    assert_eq!(sol.info.iterations, 0);
    // an L-BFGS polish reports its own info
    let polished = PinnParams::new()
        .network(1, 6)
        .collocation(31)
        .steps(10, 20)
        .lbfgs_steps(5)
        .build()
        .unwrap();
    let sol = polished.solve(&problem).unwrap();
    assert_eq!(sol.polishes.len(), 1);
    let p = &sol.polishes[0];
    consistent(&p.info, 5);
    assert_eq!(
        p.error.is_some(),
        matches!(p.info.status, Status::Breakdown { .. })
    );
    assert!(PinnParams::new().grad_tol(-1.0).build().is_err());
}
