//! The solver convention (core::solve) for every iterative solver of the crate, on small
//! problems: `converged` agrees with `status`, `iterations` respects the cap, and a run
//! stopped by an observer says so with the iterations it ran.

use nalgebra::{DMatrix, DVector};
use parsimony_core::random::SplitMix64;
use parsimony_core::solve::{Control, IterInfo, Recorder, SolveInfo, Status, StopAfter};
use parsimony_sbl::ard::ArdParams;
use parsimony_sbl::baselines::{DkroSblParams, KompParams, KsblParams, OmpParams};
use parsimony_sbl::classical::{SblParams, UpdateRule};
use parsimony_sbl::generator::{SignalKind, make_problem, rc7_problem};
use parsimony_sbl::kron::{KroSblParams, KroSblState, KronProblem, Method};
use parsimony_sbl::nnls::NnlsParams;
use parsimony_sbl::rvm::{RowMoments, RvmParams};
use parsimony_sbl::rvm_fast::FastRvmParams;
use parsimony_sbl::{Noise, Regression};

/// The convention for a finished run with iteration cap `cap`.
fn check(info: &SolveInfo, cap: usize, what: &str) {
    assert_eq!(
        info.converged,
        info.status == Status::Converged,
        "{what}: {info}"
    );
    assert!(info.iterations <= cap, "{what}: {info}");
    assert!(info.seconds >= 0.0, "{what}");
}

/// A run stopped after two iterations.
fn check_stopped(info: &SolveInfo, what: &str) {
    assert_eq!(info.status, Status::StoppedByObserver, "{what}: {info}");
    assert!(!info.converged, "{what}");
    assert_eq!(info.iterations, 2, "{what}: {info}");
}

fn kron_problem() -> (KronProblem<f64>, f64) {
    let p = make_problem(
        1,
        &[10, 10, 10],
        &[8, 8, 8],
        &[2, 2, 2],
        40.0,
        SignalKind::Bounded,
    )
    .unwrap();
    (KronProblem::new(p.factors, p.y).unwrap(), p.noise_variance)
}

#[test]
fn dense_sparse_bayes_solvers() {
    let rc7 = rc7_problem();
    let problem = Regression::new(&rc7.a, &rc7.y).unwrap();
    for rule in [UpdateRule::Em, UpdateRule::MacKay] {
        let params = SblParams::new(rule).max_iter(40);
        let sol = params.clone().build().unwrap().solve(&problem).unwrap();
        check(&sol.info, 40, "SBL");
        let stopped = params
            .tol(0.0)
            .build()
            .unwrap()
            .solve_observed(&problem, &mut StopAfter(2))
            .unwrap();
        check_stopped(&stopped.info, "SBL");
    }

    let ard = ArdParams::default().max_iter(50).fit_intercept(false);
    let fit = ard.clone().build().unwrap().solve(&problem).unwrap();
    check(&fit.info, 50, "ARD");
    assert!(fit.info.converged);
    let mut rec = Recorder::new();
    let fit2 = ard
        .clone()
        .build()
        .unwrap()
        .solve_observed(&problem, &mut rec)
        .unwrap();
    assert_eq!(rec.records.len(), fit2.info.iterations);
    assert_eq!(rec.info.map(|i| i.status), Some(Status::Converged));
    let stopped = ard
        .tol(0.0)
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "ARD");

    let rvm = RvmParams::evidence().max_iter(100);
    let fit = rvm.clone().build().unwrap().solve(&problem).unwrap();
    check(&fit.info, 100, "RVM");
    let solver = rvm.tol(0.0).build().unwrap();
    let stopped = solver
        .solve_observed(&problem, &mut |i: &IterInfo<'_>| {
            if i.iteration >= 2 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .unwrap();
    check_stopped(&stopped.info, "RVM");
    let moments = RowMoments::from_rows(&rc7.a, &rc7.y).unwrap();
    let stopped = solver
        .solve_moments_observed(&moments, &mut StopAfter(2))
        .unwrap()
        .expect("the moments suffice");
    check_stopped(&stopped.info, "RVM from moments");

    let r1 = parsimony_sbl::generator::rvm_r1_problem();
    let problem = Regression::new(&r1.a, &r1.y).unwrap();
    let fast = FastRvmParams::default().max_iter(200);
    let fit = fast.clone().build().unwrap().solve(&problem).unwrap();
    check(&fit.info, 200, "fast RVM");
    assert!(fit.info.converged, "{}", fit.info);
    let stopped = fast
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "fast RVM");
}

#[test]
fn greedy_and_nonnegative_solvers() {
    let rc7 = rc7_problem();
    let problem = Regression::new(&rc7.a, &rc7.y).unwrap();
    let omp = OmpParams::default().max_atoms(10);
    let sol = omp.clone().build().unwrap().solve(&problem).unwrap();
    check(&sol.info, 10, "OMP");
    let stopped = omp
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "OMP");

    let mut g = SplitMix64::new(5);
    let a = DMatrix::from_row_slice(12, 6, &g.normals(72).unwrap());
    let xt = DVector::from_vec(vec![0.5, 0.0, 2.0, 1.5, 0.0, 1.0]);
    let b = &a * &xt;
    let problem = Regression::new(&a, &b).unwrap();
    let sol = NnlsParams::default()
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    check(&sol.info, 3 * 6 + 10, "NNLS");
    assert!(sol.info.converged);
    let capped = NnlsParams::default()
        .max_outer(2)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    check(&capped.info, 2, "NNLS capped");
    assert_eq!(capped.info.status, Status::MaxIterations);
    let stopped = NnlsParams::default()
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "NNLS");
}

#[test]
fn kronecker_solvers() {
    let (problem, sigma2) = kron_problem();
    for method in [Method::Svd, Method::Am] {
        let params = KroSblParams::new(method.clone())
            .noise(Noise::Known(sigma2))
            .max_iter(60);
        let sol = params.clone().build().unwrap().solve(&problem).unwrap();
        check(&sol.info, 60, "KroSBL");
        // the observer sees the E-step's posterior as a KroSblState
        let mut seen = 0;
        let stopped = params
            .tol(0.0)
            .build()
            .unwrap()
            .solve_observed(&problem, &mut |i: &IterInfo<'_>| {
                let s = i.state::<KroSblState<f64>>().expect("state attached");
                assert_eq!(s.iteration, i.iteration);
                assert_eq!(s.full_mean().len(), 1000);
                seen += 1;
                i.iteration < 2
            })
            .unwrap();
        check_stopped(&stopped.info, "KroSBL");
        assert_eq!(seen, 2);
    }

    let ksbl = KsblParams::new(sigma2).max_iter(60);
    let sol = ksbl.clone().build().unwrap().solve(&problem).unwrap();
    check(&sol.info, 60, "KSBL");
    let stopped = ksbl
        .tol(0.0)
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "KSBL");

    let d = DkroSblParams::default().build().unwrap();
    let sol = d.solve(&problem).unwrap();
    check(&sol.info, 3 * 150, "dKroSBL");
    for i in &sol.factor_info {
        check(i, 150, "dKroSBL factor");
    }
    let stopped = DkroSblParams::default()
        .sbl(SblParams::new(UpdateRule::Em).tol(0.0))
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "dKroSBL");

    let komp = KompParams::default().rel_tol(0.0).max_per_mode(5);
    let sol = komp.clone().build().unwrap().solve(&problem).unwrap();
    check(&sol.info, 5 * 3, "KOMP");
    let stopped = komp
        .build()
        .unwrap()
        .solve_observed(&problem, &mut StopAfter(2))
        .unwrap();
    check_stopped(&stopped.info, "KOMP");
}

/// Bad parameters are typed errors from `build()`, never panics.
#[test]
fn builders_check_their_parameters() {
    assert!(SblParams::default().max_iter(0).build().is_err());
    assert!(ArdParams::default().tol(-1.0).build().is_err());
    assert!(RvmParams::default().alpha_threshold(0.0).build().is_err());
    assert!(FastRvmParams::default().max_iter(0).build().is_err());
    assert!(KsblParams::new(-1.0).build().is_err());
    assert!(KompParams::default().max_per_mode(0).build().is_err());
    assert!(OmpParams::default().max_atoms(0).build().is_err());
    assert!(NnlsParams::default().tol(f64::NAN).build().is_err());
    assert!(KroSblParams::default().max_iter(0).build().is_err());
}
