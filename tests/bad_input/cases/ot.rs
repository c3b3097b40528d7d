//! parsimony-ot: problems (dense cost, point clouds), Sinkhorn and SNS parameters and solves,
//! warm starts, the exact 1D distances.

use super::{HUGE, NON_FINITE};
use crate::verdict::{Case, add, all, either, finite, must_fail, ok_if};
use nalgebra::DMatrix;
use parsimony::ot::wasserstein::{w1_1d, w2_squared_1d};
use parsimony::ot::{
    EpsScaling, Hessian, Metric, OtProblem, OtSolution, SinkhornParams, SnsParams, WarmStart,
};

pub fn cases(v: &mut Vec<Case>) {
    problem_cases(v);
    solver_cases(v);
    distance_cases(v);
}

fn two_by_two() -> DMatrix<f64> {
    DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0])
}

const W: [f64; 2] = [0.5, 0.5];

fn problem_cases(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("ot/problem_new/cost_{name}"), move || {
            let mut c = two_by_two();
            c[(1, 0)] = bad;
            must_fail(OtProblem::new(&c, &W, &W))
        });
        add(v, 3, format!("ot/problem_new/a_{name}"), move || {
            must_fail(OtProblem::new(&two_by_two(), &[0.5, bad], &W))
        });
        add(
            v,
            3,
            format!("ot/problem_from_points/x_{name}"),
            move || {
                let x = DMatrix::from_row_slice(2, 2, &[0.0, bad, 1.0, 1.0]);
                let y = DMatrix::from_row_slice(2, 2, &[0.0, 0.0, 1.0, 1.0]);
                must_fail(OtProblem::from_points(
                    &x,
                    &y,
                    &W,
                    &W,
                    Metric::SquaredEuclidean,
                    true,
                ))
            },
        );
    }
    for (name, a) in [
        ("negative_weight", [1.5, -0.5]),
        ("zero_weight", [1.0, 0.0]),
        ("mass_mismatch", [0.5, 0.6]),
    ] {
        add(v, 4, format!("ot/problem_new/{name}"), move || {
            must_fail(OtProblem::new(&two_by_two(), &a, &W))
        });
    }
    add(v, 1, "ot/problem_new/empty", || {
        must_fail(OtProblem::new(&DMatrix::zeros(0, 0), &[], &[]))
    });
    add(v, 1, "ot/problem_new/a_too_short", || {
        must_fail(OtProblem::new(&two_by_two(), &[1.0], &W))
    });
    add(v, 1, "ot/problem_from_points/dimensions_differ", || {
        let x = DMatrix::zeros(2, 2);
        let y = DMatrix::zeros(2, 3);
        must_fail(OtProblem::from_points(
            &x,
            &y,
            &W,
            &W,
            Metric::SquaredEuclidean,
            false,
        ))
    });
    add(
        v,
        4,
        "ot/problem_from_points/all_points_coincide_normalised",
        || {
            let x = DMatrix::zeros(2, 2);
            must_fail(OtProblem::from_points(
                &x,
                &x,
                &W,
                &W,
                Metric::SquaredEuclidean,
                true,
            ))
        },
    );
    add(v, 3, "ot/problem_from_points/distances_overflow", || {
        let x = DMatrix::from_row_slice(2, 1, &[-1e200, 1e200]);
        must_fail(OtProblem::from_points(
            &x,
            &x,
            &W,
            &W,
            Metric::SquaredEuclidean,
            false,
        ))
    });
    add(v, 4, "ot/problem_from_points/p_below_1", || {
        let x = DMatrix::from_row_slice(2, 1, &[0.0, 1.0]);
        must_fail(OtProblem::from_points(
            &x,
            &x,
            &W,
            &W,
            Metric::Norm(0.5),
            false,
        ))
    });
    for (name, n) in HUGE {
        add(
            v,
            1,
            format!("ot/cases_random_assignment/n_{name}"),
            move || {
                // n² entries cannot be held: an error, never an abort
                must_fail(parsimony::ot::cases::random_assignment(n.min(1 << 31), 3))
            },
        );
    }
}

fn solution_numbers(s: &OtSolution) -> Vec<f64> {
    let mut x = vec![s.transport_cost, s.objective, s.dual, s.marginal_error];
    x.extend(s.f.iter().chain(s.g.iter()));
    x
}

fn solver_cases(v: &mut Vec<Case>) {
    for (name, reg) in [
        ("zero", 0.0),
        ("negative", -1.0),
        ("nan", f64::NAN),
        ("inf", f64::INFINITY),
    ] {
        add(v, 4, format!("ot/sinkhorn_build/reg_{name}"), move || {
            must_fail(SinkhornParams::new(reg).build())
        });
        add(v, 4, format!("ot/sns_build/reg_{name}"), move || {
            must_fail(SnsParams::new(reg).build())
        });
    }
    add(v, 4, "ot/sinkhorn_build/tol_zero", || {
        must_fail(SinkhornParams::new(1e-2).tol(0.0).build())
    });
    add(v, 4, "ot/sns_build/kappa_nan", || {
        must_fail(
            SnsParams::new(1e-2)
                .hessian(Hessian::Sparse {
                    kappa: f64::NAN,
                    adaptive: true,
                })
                .build(),
        )
    });
    add(v, 4, "ot/sns_build/eps_scaling_factor_1", || {
        must_fail(
            SnsParams::new(1e-2)
                .eps_scaling(EpsScaling {
                    factor: 1.0,
                    ..Default::default()
                })
                .build(),
        )
    });
    // tiny ε: converges, stops with a status, or refuses ε by name; never NaN
    for (name, reg) in [("1e-6", 1e-6), ("1e-12", 1e-12), ("1e-300", 1e-300)] {
        add(v, 2, format!("ot/sinkhorn_solve/reg_{name}"), move || {
            let p = parsimony::ot::cases::random_assignment(20, 3).unwrap();
            let r = SinkhornParams::new(reg)
                .max_iter(3000)
                .build()
                .unwrap()
                .solve(&p);
            either(r, |s| finite(&solution_numbers(&s)))
        });
        add(v, 2, format!("ot/sns_solve/reg_{name}"), move || {
            let p = parsimony::ot::cases::random_assignment(20, 3).unwrap();
            let r = SnsParams::new(reg)
                .max_newton(30)
                .build()
                .unwrap()
                .solve(&p);
            either(r, |s| finite(&solution_numbers(&s)))
        });
    }
    // a cost of magnitude 1e300 at ε = 1
    add(v, 3, "ot/sinkhorn_solve/cost_1e300", || {
        let c = DMatrix::from_row_slice(2, 2, &[0.0, 1e300, 1e300, 0.0]);
        let p = OtProblem::new(&c, &W, &W).unwrap();
        let r = SinkhornParams::new(1.0)
            .max_iter(100)
            .build()
            .unwrap()
            .solve(&p);
        either(r, |s| finite(&solution_numbers(&s)))
    });
    add(v, 1, "ot/sinkhorn_solve/warm_start_wrong_length", || {
        let p = OtProblem::new(&two_by_two(), &W, &W).unwrap();
        let w = WarmStart {
            f: vec![0.0],
            g: vec![0.0; 2],
        };
        must_fail(SinkhornParams::new(0.1).build().unwrap().solve_observed(
            &p,
            Some(&w),
            &mut parsimony::solve::Silent,
        ))
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("ot/sns_solve/warm_start_{name}"), move || {
            let p = OtProblem::new(&two_by_two(), &W, &W).unwrap();
            let w = WarmStart {
                f: vec![0.0, bad],
                g: vec![0.0; 2],
            };
            must_fail(SnsParams::new(0.1).build().unwrap().solve_observed(
                &p,
                Some(&w),
                &mut parsimony::solve::Silent,
            ))
        });
    }
    // a huge warm start: the plan overflows at the start; the solve recovers or says why
    add(v, 3, "ot/sns_solve/warm_start_1e300", || {
        let p = OtProblem::new(&two_by_two(), &W, &W).unwrap();
        let w = WarmStart {
            f: vec![1e300, 1e300],
            g: vec![1e300, 1e300],
        };
        let r = SnsParams::new(0.1).build().unwrap().solve_observed(
            &p,
            Some(&w),
            &mut parsimony::solve::Silent,
        );
        either(r, |s| finite(&solution_numbers(&s)))
    });
    // one source, one target: the plan is the mass itself
    add(v, 4, "ot/sns_solve/one_by_one", || {
        let c = DMatrix::from_element(1, 1, 2.0);
        let p = OtProblem::new(&c, &[3.0], &[3.0]).unwrap();
        let r = SnsParams::new(0.1).plan(true).build().unwrap().solve(&p);
        either(r, |s: OtSolution| {
            all([
                finite(&solution_numbers(&s)),
                ok_if(
                    (s.transport_cost - 6.0).abs() < 1e-9,
                    format!("⟨C, P⟩ = {} (expected 6)", s.transport_cost),
                ),
            ])
        })
    });
}

fn distance_cases(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("ot/w1_1d/x_{name}"), move || {
            must_fail(w1_1d(&[0.0, bad], &W, &[0.0, 1.0], &W))
        });
        add(v, 3, format!("ot/w2_squared_1d/weight_{name}"), move || {
            must_fail(w2_squared_1d(&[0.0, 1.0], &[0.5, bad], &[0.0, 1.0], &W))
        });
    }
    add(v, 4, "ot/w1_1d/mass_mismatch", || {
        must_fail(w1_1d(&[0.0], &[1.0], &[0.0], &[2.0]))
    });
    add(v, 1, "ot/w2_squared_1d/empty", || {
        must_fail(w2_squared_1d(&[], &[], &[0.0], &[1.0]))
    });
    add(v, 4, "ot/w2_squared_1d/zero_weights_inside", || {
        let r = w2_squared_1d(&[0.0, 0.5, 1.0], &[0.5, 0.0, 0.5], &[0.0, 1.0], &W);
        either(r, |d| {
            ok_if(d.abs() < 1e-15, format!("W2² = {d} (expected 0)"))
        })
    });
}
