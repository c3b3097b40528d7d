//! Bad input gets a typed error naming the argument, never a panic or a NaN; a tiny ε
//! converges or says why not.

use nalgebra::DMatrix;
use parsimony_ot::{Metric, OtProblem, SinkhornParams, SnsParams};

fn err(r: parsimony_core::Result<OtProblem>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn problems_refuse_bad_input() {
    let c = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
    let w = [0.5, 0.5];
    assert!(OtProblem::new(&c, &w, &w).is_ok());
    let mut nan = c.clone();
    nan[(1, 0)] = f64::NAN;
    assert!(err(OtProblem::new(&nan, &w, &w)).contains("cost[(1, 0)]"));
    let mut inf = c.clone();
    inf[(0, 1)] = f64::INFINITY;
    assert!(err(OtProblem::new(&inf, &w, &w)).contains("cost"));
    assert!(err(OtProblem::new(&c, &[0.5, -0.5], &w)).contains("a"));
    assert!(err(OtProblem::new(&c, &[1.0, 0.0], &w)).contains("> 0"));
    assert!(err(OtProblem::new(&c, &w, &[0.5, f64::NAN])).contains("b[1]"));
    assert!(err(OtProblem::new(&c, &w, &[0.5, 0.5 + 1e-9])).contains("masses differ"));
    assert!(OtProblem::new(&c, &w, &[0.5, 0.5 + 1e-14]).is_ok());
    assert!(err(OtProblem::new(&c, &[1.0], &w)).contains("a"));
    assert!(err(OtProblem::new(&c, &w, &[1.0 / 3.0; 3])).contains("b"));
    assert!(err(OtProblem::new(&DMatrix::zeros(0, 0), &[], &[])).contains("empty"));
    let x = DMatrix::from_row_slice(2, 2, &[0.0, 0.0, 1.0, 1.0]);
    let mut xn = x.clone();
    xn[(1, 1)] = f64::NAN;
    let m = Metric::SquaredEuclidean;
    assert!(err(OtProblem::from_points(&xn, &x, &w, &w, m, false)).contains("x[(1, 1)]"));
    assert!(
        err(OtProblem::from_points(
            &x,
            &DMatrix::zeros(2, 3),
            &w,
            &w,
            m,
            false
        ))
        .contains("y")
    );
    assert!(
        err(OtProblem::from_points(
            &x,
            &x,
            &w,
            &w,
            Metric::Norm(0.5),
            false
        ))
        .contains("p")
    );
    // coinciding points cannot be normalised
    let same = DMatrix::zeros(2, 2);
    assert!(OtProblem::from_points(&same, &same, &w, &w, m, true).is_err());
    // coordinates whose squared distances overflow
    let huge = DMatrix::from_row_slice(2, 1, &[-1e200, 1e200]);
    assert!(err(OtProblem::from_points(&huge, &huge, &w, &w, m, false)).contains("cost"));
}

#[test]
fn parameters_refuse_bad_values() {
    for reg in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(SinkhornParams::new(reg).build().is_err(), "{reg}");
        assert!(SnsParams::new(reg).build().is_err(), "{reg}");
    }
    assert!(SinkhornParams::new(1e-2).tol(0.0).build().is_err());
    assert!(SinkhornParams::new(1e-2).max_iter(0).build().is_err());
    assert!(SinkhornParams::new(1e-2).threads(0).build().is_err());
    assert!(SnsParams::new(1e-2).max_newton(0).build().is_err());
    assert!(SnsParams::new(1e-2).switch_error(f64::NAN).build().is_err());
    let bad = parsimony_ot::EpsScaling {
        factor: 1.0,
        ..Default::default()
    };
    assert!(SnsParams::new(1e-2).eps_scaling(bad).build().is_err());
}

/// A tiny ε never gives NaN: the solve converges, stops with a status, or refuses ε.
#[test]
fn tiny_regularisation_is_never_nan() {
    let problem = parsimony_ot::cases::random_assignment(30, 3).unwrap();
    for reg in [1e-4, 1e-6, 1e-9, 1e-300] {
        for sns in [false, true] {
            let r = if sns {
                SnsParams::new(reg)
                    .max_newton(50)
                    .build()
                    .unwrap()
                    .solve(&problem)
            } else {
                SinkhornParams::new(reg)
                    .max_iter(2000)
                    .build()
                    .unwrap()
                    .solve(&problem)
            };
            match r {
                Ok(s) => {
                    assert!(s.transport_cost.is_finite() && s.marginal_error.is_finite());
                    assert!(s.f.iter().chain(s.g.iter()).all(|v| v.is_finite()));
                    // converged exactly when the error met the default tolerance 1e-9
                    assert_eq!(
                        s.info.converged,
                        s.marginal_error <= 1e-9,
                        "{reg}: {:?}",
                        s.info
                    );
                }
                Err(e) => assert!(e.to_string().contains("reg"), "{reg}: {e}"),
            }
        }
    }
    // a cost of magnitude 1 and ε = 1e-300 is refused by name
    let e = SinkhornParams::new(1e-300)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap_err();
    assert!(e.to_string().contains("reg"), "{e}");
}

#[test]
fn warm_starts_are_checked() {
    let problem = parsimony_ot::cases::random_assignment(4, 3).unwrap();
    let s = SinkhornParams::new(0.1).build().unwrap();
    let bad = parsimony_ot::WarmStart {
        f: vec![0.0; 3],
        g: vec![0.0; 4],
    };
    let e = s
        .solve_observed(&problem, Some(&bad), &mut parsimony_core::solve::Silent)
        .unwrap_err();
    assert!(e.to_string().contains("warm start f"), "{e}");
    let nan = parsimony_ot::WarmStart {
        f: vec![f64::NAN; 4],
        g: vec![0.0; 4],
    };
    assert!(
        s.solve_observed(&problem, Some(&nan), &mut parsimony_core::solve::Silent)
            .is_err()
    );
}
