//! The solver convention (core::solve) for every stepped process of medida: on a small problem
//! each one's `info.converged` agrees with `info.status`, its `iterations` respect the cap, and
//! a run stopped by an observer says so with the iterations it ran.
//!
//! The processes and their iteration unit: the ETDRK4 integration ([`Ks::solve`], steps), the
//! CNAB2 multistep run ([`Cnab2::solve`], steps), the truth generator
//! ([`TruthConfig::generate_observed`], truth steps), MEDIDA ([`Medida::solve`], samples; its
//! noise-free moment route, its rows route, its noisy EnKF route) and PDE discovery
//! ([`PdeDiscovery::solve`], snapshots). The EnKF analysis is one direct step (no observer):
//! its info reports one converged iteration.

use nalgebra::DMatrix;
use parsimony_core::Error;
use parsimony_core::random::seeded_rng;
use parsimony_core::solve::{Control, IterInfo, SolveInfo, Status, StopAfter};
use parsimony_medida::cases::{InitialCondition, TruthConfig};
use parsimony_medida::cnab2::{Cnab2, Cnab2Run};
use parsimony_medida::enkf::{EnkfParams, EnkfProblem};
use parsimony_medida::ks::{KsParams, KsRun};
use parsimony_medida::model_error::{
    MedidaParams, MedidaProblem, MedidaProgress, NoisyConfig, Sample, Target,
};
use parsimony_medida::pde_discovery::{PdeData, PdeDiscoveryParams};
use rand_distr::{Distribution, StandardNormal};

/// `converged` follows `status` and the iterations respect `cap`.
fn check(info: &SolveInfo, cap: usize, what: &str) {
    assert_eq!(
        info.converged,
        info.status == Status::Converged,
        "{what}: {info}"
    );
    assert!(info.iterations <= cap, "{what}: {info} (cap {cap})");
    assert!(info.seconds >= 0.0, "{what}");
}

/// A run stopped by the observer after `k` iterations.
fn check_stopped(info: &SolveInfo, k: usize, what: &str) {
    assert_eq!(info.status, Status::StoppedByObserver, "{what}: {info}");
    assert!(!info.converged, "{what}");
    assert_eq!(info.iterations, k, "{what}: {info}");
}

fn kt_state(n: usize) -> Vec<f64> {
    let l = 32.0 * std::f64::consts::PI;
    (0..n)
        .map(|j| {
            let x = (j + 1) as f64 * l / n as f64;
            (x / 16.0).cos() * (1.0 + (x / 16.0).sin())
        })
        .collect()
}

#[test]
fn ks_integration_follows_the_convention() {
    let mut ks = KsParams::default().n(32).build().unwrap();
    let run = KsRun::new(kt_state(32), 10, 3).unwrap();
    assert_eq!(run.steps(), 9);
    let sol = ks.solve(&run).unwrap();
    check(&sol.info, 9, "ks");
    assert!(sol.info.converged && sol.info.iterations == 9);
    assert_eq!(sol.states.shape(), (32, 4));
    assert!(sol.info.stop_value.is_nan());
    // stopped after 4 steps: snapshots at 0 and 3 only
    let sol = ks.solve_observed(&run, &mut StopAfter(4)).unwrap();
    check_stopped(&sol.info, 4, "ks");
    assert_eq!(sol.states.ncols(), 2);
    assert_eq!(ks.steps(), 4);
    // a closure that stops at step 2
    let sol = ks
        .solve_observed(&run, &mut |i: &IterInfo| {
            if i.iteration == 2 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .unwrap();
    check_stopped(&sol.info, 2, "ks closure");
    // bad problems are typed errors
    assert!(KsRun::new(kt_state(32), 10, 0).is_err());
    assert!(KsRun::new(vec![f64::NAN; 32], 10, 1).is_err());
    assert!(ks.solve(&KsRun::new(kt_state(16), 10, 1).unwrap()).is_err());
}

/// A model that blows up (anti-diffusion, no hyperdiffusion, explicit-ish steps) ends with
/// `NonFinite` and its last finite state.
#[test]
fn cnab2_run_follows_the_convention() {
    let params = KsParams::default().n(32).dt(0.01);
    let mut m = Cnab2::new(params.clone()).unwrap();
    let u = kt_state(32);
    let run = Cnab2Run::new(u.clone(), u.clone(), 20).unwrap();
    let sol = m.solve(&run).unwrap();
    check(&sol.info, 20, "cnab2");
    assert!(sol.info.converged && sol.info.iterations == 20);
    let mut seen = Vec::new();
    let sol = m
        .solve_observed(&run, &mut |i: &IterInfo| {
            seen.push(i.state::<Vec<f64>>().map(|u| u.len()));
            i.iteration < 3
        })
        .unwrap();
    check_stopped(&sol.info, 3, "cnab2");
    assert_eq!(seen, vec![Some(32); 3]);
    let sol = m.solve_observed(&run, &mut StopAfter(2)).unwrap();
    check_stopped(&sol.info, 2, "cnab2 StopAfter");
    // a model that blows up: strong anti-diffusion without hyperdiffusion, large steps
    let mut wild = Cnab2::new(params.c2(50.0).c3(0.0).dt(0.5)).unwrap();
    let sol = wild
        .solve(&Cnab2Run::new(u.clone(), u, 100_000).unwrap())
        .unwrap();
    check(&sol.info, 100_000, "cnab2 blow-up");
    assert_eq!(sol.info.status, Status::NonFinite, "{}", sol.info);
    assert!(sol.state.iter().all(|x| x.is_finite()));
}

fn small_truth() -> TruthConfig {
    TruthConfig {
        length: 32.0 * std::f64::consts::PI,
        n: 32,
        dt: 0.01,
        ndt: 2,
        first_step: 10,
        every: 6,
        samples: 3,
        initial: InitialCondition::KassamTrefethen,
    }
}

#[test]
fn truth_generation_follows_the_convention() {
    let cfg = small_truth();
    let total = 10 + 2 * 6;
    let truth = cfg.generate_observed(&mut |_: &IterInfo| ()).unwrap();
    check(&truth.info, total, "truth");
    assert!(truth.info.converged && truth.info.iterations == total);
    assert_eq!(truth.samples.len(), 3);
    let silent = cfg.generate().unwrap();
    for (a, b) in truth.samples.iter().zip(&silent) {
        assert_eq!(
            (&a.u_prev2, &a.u_prev1, &a.u_now),
            (&b.u_prev2, &b.u_prev1, &b.u_now)
        );
    }
    // stopped at step 15: the first sample (steps 6, 8, 10) and no other
    let truth = cfg.generate_observed(&mut StopAfter(15)).unwrap();
    check_stopped(&truth.info, 15, "truth");
    assert_eq!(truth.samples.len(), 1);
}

#[test]
fn enkf_analysis_reports_one_direct_step() {
    let mut rng = seeded_rng(2);
    let f = DMatrix::from_fn(8, 5, |_, _| {
        let z: f64 = StandardNormal.sample(&mut rng);
        z
    });
    let w = vec![0.5; 8];
    let enkf = EnkfParams::new(0.1).build(8).unwrap();
    let an = enkf
        .solve(&EnkfProblem::new(&f, &w).unwrap(), &mut seeded_rng(3))
        .unwrap();
    check(&an.info, 1, "enkf");
    assert!(an.info.converged && an.info.iterations == 1);
    assert!(EnkfParams::new(0.1).build(8).unwrap().observed().len() == 8);
    assert!(EnkfParams::new(-1.0).build(8).is_err());
    assert!(
        EnkfProblem::new(&f.columns(0, 1).into_owned(), &w).is_err(),
        "one member"
    );
    // a forecast of another grid than the filter's
    let g = DMatrix::zeros(6, 5);
    assert!(
        enkf.solve(&EnkfProblem::new(&g, &w[..6]).unwrap(), &mut seeded_rng(3))
            .is_err()
    );
}

/// Samples of a smooth travelling field on L = 32π, N = 64 (states h = 5e-3 apart).
fn samples(count: usize) -> Vec<Sample> {
    let (n, length, h) = (64, 32.0 * std::f64::consts::PI, 5e-3);
    let field = |t: f64| -> Vec<f64> {
        (0..n)
            .map(|j| {
                let x = j as f64 * length / n as f64;
                (x / 16.0).cos() * (1.0 + (x / 16.0 + 0.3 * t).sin())
                    + 0.3 * (3.0 * x / 16.0 - t).sin()
            })
            .collect()
    };
    (1..=count)
        .map(|s| {
            let t = s as f64;
            Sample {
                u_prev2: field(t - 2.0 * h),
                u_prev1: field(t - h),
                u_now: field(t),
            }
        })
        .collect()
}

fn model() -> Cnab2 {
    Cnab2::new(KsParams::default().n(64).dt(5e-3).c1(0.0)).unwrap()
}

#[test]
fn medida_follows_the_convention() {
    // the moment route on two threads (the observer on this one)
    parsimony_core::linalg::set_threads(2);
    let s = samples(6);
    let problem = MedidaProblem::new(model(), &s).unwrap();
    let routes = [
        ("moments", MedidaParams::new(Target::Plain)),
        ("rows", MedidaParams::new(Target::Plain).lowpass(1e3)),
        (
            "noisy",
            MedidaParams::new(Target::Plain).noisy(NoisyConfig {
                members: Some(8),
                seed: 4,
                ..NoisyConfig::default()
            }),
        ),
    ];
    for (what, params) in routes {
        let medida = params.build().unwrap();
        let fit = medida.solve(&problem).unwrap();
        check(&fit.info, 6, what);
        assert_eq!(fit.info.iterations, 6, "{what}");
        assert_eq!(fit.rows, 6 * 64, "{what}");
        if let Some(rvm) = &fit.fit {
            assert_eq!(fit.info.converged, rvm.info.converged, "{what}");
        }
        // the observer sees each sample with its progress, and stops after two
        let mut progress = Vec::new();
        let fit = medida
            .solve_observed(&problem, &mut |i: &IterInfo| {
                let p = *i
                    .state::<MedidaProgress>()
                    .expect("MEDIDA attaches its progress");
                progress.push((i.iteration, p.samples_done, p.samples_total));
                i.iteration < 2
            })
            .unwrap();
        assert_eq!(fit.info.status, Status::StoppedByObserver, "{what}");
        // with several threads the samples in flight still count
        assert!(
            (2..=6).contains(&fit.info.iterations),
            "{what}: {}",
            fit.info
        );
        assert_eq!(fit.rows, fit.info.iterations * 64, "{what}");
        assert_eq!(progress[..2], [(1, 1, 6), (2, 2, 6)], "{what}");
    }
    // one thread: exactly the samples the observer allowed
    parsimony_core::linalg::set_threads(1);
    let fit = MedidaParams::new(Target::Plain)
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(3))
        .unwrap();
    check_stopped(&fit.info, 3, "moments, one thread");
    assert_eq!(fit.rows, 3 * 64);
    // bad input
    assert!(MedidaProblem::new(model(), &[]).is_err());
    let mut short = samples(1);
    short[0].u_now.pop();
    assert!(MedidaProblem::new(model(), &short).is_err());
    // a non-finite state: found when the solve reads the sample, on every route
    let mut nan = samples(3);
    nan[2].u_prev1[5] = f64::NAN;
    let problem = MedidaProblem::new(model(), &nan).unwrap();
    for params in [
        MedidaParams::default(),
        MedidaParams::default().lowpass(1e3),
        MedidaParams::default().noisy(NoisyConfig {
            members: Some(4),
            ..NoisyConfig::default()
        }),
    ] {
        let err = params.build().unwrap().solve(&problem).unwrap_err();
        assert!(matches!(err, Error::NonFinite { .. }), "{err}");
    }
    let bad = NoisyConfig {
        members: Some(1),
        ..NoisyConfig::default()
    };
    assert!(MedidaParams::default().noisy(bad).build().is_err());
}

#[test]
fn pde_discovery_follows_the_convention() {
    // a KS trajectory, N = 64, saved every 4 steps of h = 0.05 for 40 snapshots
    let mut ks = KsParams::default().n(64).dt(0.05).build().unwrap();
    let traj = ks
        .solve(&KsRun::new(kt_state(64), 160, 4).unwrap())
        .unwrap();
    let u = traj.states;
    let data = PdeData::new(&u, 32.0 * std::f64::consts::PI, 0.2).unwrap();
    let solver = PdeDiscoveryParams::new().build().unwrap();
    let fit = solver.solve(&data).unwrap();
    check(&fit.info, u.ncols() - 2, "pde");
    assert_eq!(fit.info.iterations, u.ncols() - 2);
    assert_eq!(fit.info.converged, fit.fit.info.converged);
    let fit = solver.solve_observed(&data, &mut StopAfter(5)).unwrap();
    check_stopped(&fit.info, 5, "pde");
    assert_eq!(fit.rows, 5 * 64);
    assert!(PdeData::new(&u, 32.0, -1.0).is_err());
    assert!(PdeData::new(&u, 0.0, 0.2).is_err());
}

/// The stop rule of core's solvers: a stop at the last iteration of a fixed pass changes
/// nothing (the pass is complete); the RVM's parameters are checked when MEDIDA and PDE
/// discovery are built, not after the pass over the data.
#[test]
fn a_stop_at_the_last_iteration_completes_the_run() {
    let mut ks = KsParams::default().n(32).build().unwrap();
    let run = KsRun::new(kt_state(32), 9, 3).unwrap();
    let sol = ks.solve_observed(&run, &mut StopAfter(9)).unwrap();
    assert_eq!(sol.info.status, Status::Converged, "{}", sol.info);
    assert_eq!(sol.info.iterations, 9);
    let mut m = parsimony_medida::cnab2::Cnab2Params::new(KsParams::default().n(32).dt(0.01))
        .build()
        .unwrap();
    let u = kt_state(32);
    let sol = m
        .solve_observed(&Cnab2Run::new(u.clone(), u, 5).unwrap(), &mut StopAfter(5))
        .unwrap();
    assert_eq!(sol.info.status, Status::Converged, "{}", sol.info);
    let total = 10 + 2 * 6;
    let truth = small_truth()
        .build()
        .unwrap()
        .generate_observed(&mut StopAfter(total))
        .unwrap();
    assert_eq!(truth.info.status, Status::Converged, "{}", truth.info);
    assert_eq!(truth.samples.len(), 3);
    parsimony_core::linalg::set_threads(1);
    let s = samples(3);
    let problem = MedidaProblem::new(model(), &s).unwrap();
    let medida = MedidaParams::new(Target::Plain).build().unwrap();
    let fit = medida.solve_observed(&problem, &mut StopAfter(3)).unwrap();
    let rvm = fit.fit.as_ref().expect("a significant error here");
    assert_eq!(fit.info.status, rvm.info.status, "{}", fit.info);
    assert_eq!(fit.info.iterations, 3);
    let bad_rvm = parsimony_sbl::rvm::RvmParams::medida_ks().max_iter(0);
    assert!(
        MedidaParams::default()
            .rvm(bad_rvm.clone())
            .build()
            .is_err()
    );
    assert!(PdeDiscoveryParams::new().rvm(bad_rvm).build().is_err());
}
