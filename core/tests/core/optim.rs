//! Optimisers on the Rosenbrock function (minimum 0 at (1, …, 1)) and analytic checks.

use nalgebra::DVector;
use parsimony_core::Error;
use parsimony_core::optim::{
    AdamParams, ArmijoParams, LbfgsParams, Objective, Rosenbrock, armijo_backtracking,
};
use parsimony_core::solve::{Every, IterInfo, Status, StopAfter};

fn start(n: usize) -> DVector<f64> {
    DVector::from_fn(n, |i, _| if i % 2 == 0 { -1.2 } else { 1.0 })
}

#[test]
fn lbfgs_reaches_the_rosenbrock_minimum() {
    for n in [2, 10] {
        let mut f = Rosenbrock { n };
        let lbfgs = LbfgsParams::default().build().unwrap();
        let r = lbfgs.solve(&mut f, &start(n)).unwrap();
        assert!(r.info.converged, "n = {n}: {}", r.info);
        assert!(r.grad_norm < 1e-8);
        assert!(
            r.x.iter().all(|v| (v - 1.0).abs() < 1e-6),
            "n = {n}: {:?}",
            r.x
        );
        assert!(r.cost < 1e-12);
        assert!(
            r.info.iterations < 200,
            "n = {n}: {} iterations",
            r.info.iterations
        );
    }
}

#[test]
fn lbfgs_iteration_cap_is_reported() {
    let mut f = Rosenbrock { n: 2 };
    let params = LbfgsParams {
        max_iter: 3,
        ..Default::default()
    };
    let r = params.build().unwrap().solve(&mut f, &start(2)).unwrap();
    assert!(!r.info.converged);
    assert_eq!(r.info.iterations, 3);
    assert_eq!(r.info.status, Status::MaxIterations);
}

#[test]
fn adam_reaches_the_rosenbrock_minimum() {
    let mut f = Rosenbrock { n: 2 };
    let mut adam = AdamParams::new()
        .learning_rate(2e-2)
        .step_decay(2_000, 0.5)
        .max_iter(20_000)
        .grad_tol(1e-6)
        .build(2)
        .unwrap();
    let mut calls = 0;
    let mut every = Every::new(100, |_: &IterInfo| calls += 1);
    let r = adam.solve_observed(&mut f, &start(2), &mut every).unwrap();
    let _ = every;
    assert!(
        r.x.iter().all(|v| (v - 1.0).abs() < 1e-3),
        "{:?} after {}",
        r.x,
        r.info.iterations
    );
    assert!(r.cost < 1e-6, "cost {}", r.cost);
    assert_eq!(calls, r.info.iterations / 100);
    assert_eq!(r.cost_history.len(), r.info.iterations);
}

#[test]
fn adam_first_step_is_a_signed_step_of_the_learning_rate() {
    // At t = 1, m̂ = g and v̂ = g², so Δx = −η g/(|g| + ε) ≈ −η·sign(g).
    let mut adam = AdamParams::new()
        .learning_rate(0.1)
        .epsilon(1e-12)
        .build(3)
        .unwrap();
    let mut x = [1.0, 2.0, 3.0];
    adam.step(&mut x, &[4.0, -0.5, 1e-3]).unwrap();
    let expect = [0.9, 2.1, 2.9];
    for (a, b) in x.iter().zip(expect) {
        assert!((a - b).abs() < 1e-9, "{x:?}");
    }
}

#[test]
fn step_decay_schedule() {
    let mut adam = AdamParams::new()
        .learning_rate(1.0)
        .step_decay(10, 0.1)
        .build(1)
        .unwrap();
    let mut x = [0.0];
    for _ in 0..10 {
        assert_eq!(adam.current_learning_rate(), 1.0);
        adam.step(&mut x, &[1.0]).unwrap();
    }
    assert!((adam.current_learning_rate() - 0.1).abs() < 1e-15);
    for _ in 0..10 {
        adam.step(&mut x, &[1.0]).unwrap();
    }
    assert!((adam.current_learning_rate() - 0.01).abs() < 1e-15);
}

#[test]
fn adam_parameters_are_checked() {
    let bad = [
        AdamParams::new().learning_rate(0.0),
        AdamParams::new().betas(1.0, 0.999),
        AdamParams::new().betas(0.9, -0.1),
        AdamParams::new().epsilon(f64::NAN),
        AdamParams::new().step_decay(10, 1.5),
        AdamParams::new().max_iter(0),
    ];
    for p in bad {
        assert!(matches!(p.build(2), Err(Error::InvalidParameter { .. })));
    }
    let mut adam = AdamParams::new().build(2).unwrap();
    assert!(matches!(
        adam.step(&mut [0.0, 0.0], &[1.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        adam.step(&mut [0.0, 0.0], &[1.0, f64::NAN]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        adam.solve(&mut Rosenbrock { n: 3 }, &DVector::zeros(2)),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn armijo_returns_the_largest_acceptable_step() {
    let mut f = Rosenbrock { n: 2 };
    let x = [-1.2, 1.0];
    let fx = f.cost(&x);
    let mut g = [0.0; 2];
    f.gradient(&x, &mut g);
    let d = [-g[0], -g[1]];
    let params = ArmijoParams::default();
    let mut x_new = [0.0; 2];
    let info = armijo_backtracking(
        |z| Rosenbrock { n: 2 }.cost(z),
        &x,
        fx,
        &g,
        &d,
        &params,
        &mut x_new,
    )
    .unwrap();
    assert!(info.satisfied);
    let slope = g[0] * d[0] + g[1] * d[1];
    assert!(info.cost <= fx + params.c1 * info.step * slope);
    // the step before (α/ρ) violates the condition: it is the largest of the grid
    let prev = info.step / params.shrink;
    let z = [x[0] + prev * d[0], x[1] + prev * d[1]];
    assert!(f.cost(&z) > fx + params.c1 * prev * slope);
    assert_eq!(
        info.evaluations as f64,
        1.0 + (1.0 / info.step).log2().round()
    );

    // an ascent direction is refused
    assert!(matches!(
        armijo_backtracking(
            |z| Rosenbrock { n: 2 }.cost(z),
            &x,
            fx,
            &g,
            &g,
            &params,
            &mut x_new
        ),
        Err(Error::InvalidParameter { .. })
    ));
    // a function that never decreases exhausts the backtracks and says so
    let capped = ArmijoParams {
        max_backtracks: 4,
        ..Default::default()
    };
    let info = armijo_backtracking(|_| fx + 1.0, &x, fx, &g, &d, &capped, &mut x_new).unwrap();
    assert!(!info.satisfied);
    assert_eq!(info.evaluations, 4);
}

/// A quadratic bowl f(x) = ½‖x − c‖² that turns to NaN beyond ‖x‖ > 10 (to test the
/// non-finite stop).
struct NanBeyond(Vec<f64>);

impl Objective for NanBeyond {
    fn dim(&self) -> usize {
        self.0.len()
    }
    fn cost(&mut self, x: &[f64]) -> f64 {
        if x.iter().map(|v| v * v).sum::<f64>() > 100.0 {
            return f64::NAN;
        }
        0.5 * x
            .iter()
            .zip(&self.0)
            .map(|(a, c)| (a - c).powi(2))
            .sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        for ((gi, a), c) in g.iter_mut().zip(x).zip(&self.0) {
            *gi = a - c;
        }
    }
}

#[test]
fn solve_convention() {
    // converged agrees with status, the cap is respected, an observer can stop a run,
    // a non-finite cost is reported in the status
    let x0 = start(4);
    let lbfgs = LbfgsParams::default().max_iter(50).build().unwrap();
    let r = lbfgs.solve(&mut Rosenbrock { n: 4 }, &x0).unwrap();
    assert_eq!(r.info.converged, r.info.status == Status::Converged);
    assert!(r.info.iterations <= 50);
    let r = lbfgs
        .solve_observed(&mut Rosenbrock { n: 4 }, &x0, &mut StopAfter(2))
        .unwrap();
    assert_eq!(r.info.status, Status::StoppedByObserver);
    assert_eq!(r.info.iterations, 2);

    let mut adam = AdamParams::new().max_iter(30).build(4).unwrap();
    let r = adam.solve(&mut Rosenbrock { n: 4 }, &x0).unwrap();
    assert_eq!(r.info.status, Status::MaxIterations);
    assert_eq!(r.info.iterations, 30);
    assert!(!r.info.converged);
    let mut adam = AdamParams::new().build(4).unwrap();
    let r = adam
        .solve_observed(&mut Rosenbrock { n: 4 }, &x0, &mut StopAfter(3))
        .unwrap();
    assert_eq!(r.info.status, Status::StoppedByObserver);
    assert_eq!(r.info.iterations, 3);

    // a learning rate of 4 jumps out of the ball ‖x‖ ≤ 10 around c = 0 from x0 = (9, 0)
    let mut adam = AdamParams::new().learning_rate(4.0).build(2).unwrap();
    let mut f = NanBeyond(vec![-9.0, 0.0]);
    let r = adam
        .solve(&mut f, &DVector::from_vec(vec![9.0, 0.0]))
        .unwrap();
    assert_eq!(r.info.status, Status::NonFinite);
    assert!(r.cost.is_finite() && r.x.iter().all(|v| v.is_finite()));
}

/// A bowl whose gradient has the wrong sign, so every L-BFGS direction climbs.
struct WrongGradient;

impl Objective for WrongGradient {
    fn dim(&self) -> usize {
        2
    }
    fn cost(&mut self, x: &[f64]) -> f64 {
        0.5 * (x[0] * x[0] + x[1] * x[1])
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        g[0] = -x[0];
        g[1] = -x[1];
    }
}

#[test]
fn a_failed_line_search_is_a_stall_not_an_error() {
    let x0 = DVector::from_vec(vec![1.0, -2.0]);
    let r = LbfgsParams::default()
        .build()
        .unwrap()
        .solve(&mut WrongGradient, &x0)
        .unwrap();
    assert_eq!(r.info.status, Status::Stalled);
    assert!(!r.info.converged);
    // nothing better than x0 was found: x0 comes back, with its cost
    assert_eq!(r.x, x0);
    assert_eq!(r.cost, 2.5);
}

#[test]
fn adam_solves_from_a_fresh_state_every_time() {
    let mut adam = AdamParams::new()
        .learning_rate(0.02)
        .max_iter(500)
        .build(2)
        .unwrap();
    let a = adam.solve(&mut Rosenbrock { n: 2 }, &start(2)).unwrap();
    let b = adam.solve(&mut Rosenbrock { n: 2 }, &start(2)).unwrap();
    assert_eq!(a.x, b.x);
    assert_eq!(adam.steps(), 500);
}

/// f(x) = −Σx: unbounded below, with a constant gradient.
struct Unbounded;

impl Objective for Unbounded {
    fn dim(&self) -> usize {
        2
    }
    fn cost(&mut self, x: &[f64]) -> f64 {
        -x.iter().sum::<f64>()
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) {
        g.fill(-1.0);
    }
}

/// The Rosenbrock function with a NaN gradient (`nan_cost` false) or a NaN cost away from
/// x₀ = (−1.2, 1).
struct NanAfterStart {
    nan_cost: bool,
}

impl Objective for NanAfterStart {
    fn dim(&self) -> usize {
        2
    }
    fn cost(&mut self, x: &[f64]) -> f64 {
        if self.nan_cost && x != [-1.2, 1.0] {
            f64::NAN
        } else {
            Rosenbrock { n: 2 }.cost(x)
        }
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        Rosenbrock { n: 2 }.gradient(x, g);
        if !self.nan_cost && x != [-1.2, 1.0] {
            g[1] = f64::NAN;
        }
    }
}

/// Runs `f` on a thread and fails if it takes longer than `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .expect("the solver did not return in time")
}

#[test]
fn lbfgs_returns_on_nan_and_unbounded_objectives() {
    let x0 = || DVector::from_vec(vec![-1.2, 1.0]);
    for nan_cost in [true, false] {
        let r = within(20, move || {
            LbfgsParams::default()
                .build()
                .unwrap()
                .solve(&mut NanAfterStart { nan_cost }, &x0())
        });
        match r {
            Ok(s) => {
                assert!(!s.info.converged, "nan_cost {nan_cost}: {}", s.info);
                assert!(s.x.iter().all(|v| v.is_finite()));
            }
            Err(e) => panic!("nan_cost {nan_cost}: an error instead of a status: {e}"),
        }
    }
    // NaN at the start is bad input: a typed error
    let r = LbfgsParams::default().build().unwrap().solve(
        &mut NanAfterStart { nan_cost: true },
        &DVector::from_vec(vec![0.0, 0.0]),
    );
    assert!(matches!(r, Err(Error::NonFinite { .. })));
    let r = within(20, move || {
        LbfgsParams::default()
            .max_iter(100)
            .build()
            .unwrap()
            .solve(&mut Unbounded, &x0())
    })
    .unwrap();
    assert!(!r.info.converged, "{}", r.info);
}
