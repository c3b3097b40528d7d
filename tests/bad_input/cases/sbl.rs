//! parsimony-sbl: classical SBL (EM, MacKay, ARD rule), the RVM (dense, moments, fast), ARD,
//! NNLS, OMP, Kronecker-structured SBL (AM, SVD, PC), KSBL, KOMP, dKroSBL, the oracles, the
//! synthetic generator and the IRS system.

use super::{HUGE, NON_FINITE};
use crate::verdict::{Case, Verdict, add, all, either, finite, must_fail, ok_if};
use nalgebra::{DMatrix, DVector};
use parsimony::C64;
use parsimony::sbl::ard::ArdParams;
use parsimony::sbl::baselines::{
    DkroSblParams, KompParams, KsblParams, OmpParams, kron_oracle_least_squares,
    oracle_least_squares, pinv,
};
use parsimony::sbl::bayes::{RowMoments, Rule};
use parsimony::sbl::classical::SblParams;
use parsimony::sbl::generator::{SignalKind, make_problem};
use parsimony::sbl::irs::{IrsConfig, IrsSystem, ula_dictionary};
use parsimony::sbl::kron::mstep::{am_fit, svd_fit};
use parsimony::sbl::kron::{KroSblParams, KronProblem, Method, SvdSolver};
use parsimony::sbl::nnls::NnlsParams;
use parsimony::sbl::rvm::{RvmParams, rvm_fit_moments};
use parsimony::sbl::rvm_fast::FastRvmParams;
use parsimony::sbl::{Noise, Regression, SparseBayesFit};

/// What every dense regression solver returns, reduced for judging.
struct Answer {
    /// Every number the answer holds (weights, spreads, noise, cost).
    numbers: Vec<f64>,
    /// The full-length weight vector.
    weights: Vec<f64>,
}

type Solver = fn(&DMatrix<f64>, &DVector<f64>) -> parsimony::Result<Answer>;

fn bayes(fit: SparseBayesFit<f64>) -> Answer {
    let mut numbers: Vec<f64> = fit.weights.iter().copied().collect();
    numbers.extend(fit.weight_std.iter());
    numbers.extend(fit.gamma.iter());
    numbers.extend([fit.intercept, fit.beta, fit.noise_variance]);
    numbers.extend(fit.cost);
    let n = fit
        .gamma
        .len()
        .max(fit.support.iter().map(|j| j + 1).max().unwrap_or(0));
    let mut weights = vec![0.0; n];
    if fit.weights.len() == n {
        weights.copy_from_slice(fit.weights.as_slice());
    } else {
        for (k, &j) in fit.support.iter().enumerate() {
            weights[j] = fit.weights[k];
        }
    }
    Answer { numbers, weights }
}

fn solvers() -> Vec<(&'static str, Solver)> {
    vec![
        ("sbl_em", |a, y| {
            let s = SblParams::new(Rule::Em).build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("sbl_mackay", |a, y| {
            let s = SblParams::new(Rule::MacKay).build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("sbl_known_noise", |a, y| {
            let s = SblParams::new(Rule::Em).noise(Noise::Known(0.01)).build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("rvm_default", |a, y| {
            let s = RvmParams::default().build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("rvm_medida", |a, y| {
            let s = RvmParams::medida_ks().build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("rvm_evidence", |a, y| {
            let s = RvmParams::evidence().build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("rvm_moments", |a, y| {
            let m = RowMoments::from_rows(a, y)?;
            match rvm_fit_moments(&m, &RvmParams::default())? {
                Some(fit) => Ok(bayes(fit)),
                None => Ok(Answer {
                    numbers: vec![],
                    weights: vec![0.0; a.ncols()],
                }),
            }
        }),
        ("rvm_fast", |a, y| {
            let s = FastRvmParams::default().build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("ard", |a, y| {
            let s = ArdParams::default().build()?;
            Ok(bayes(s.solve(&Regression::new(a, y)?)?))
        }),
        ("nnls", |a, y| {
            let s = NnlsParams::default().build()?;
            let sol = s.solve(&Regression::new(a, y)?)?;
            Ok(Answer {
                numbers: sol.x.iter().copied().collect(),
                weights: sol.x.iter().copied().collect(),
            })
        }),
        ("omp", |a, y| {
            let s = OmpParams::default().build()?;
            let sol = s.solve(&Regression::new(a, y)?)?;
            Ok(Answer {
                numbers: sol.x.iter().copied().collect(),
                weights: sol.x.iter().copied().collect(),
            })
        }),
    ]
}

/// A well-posed 20 × 8 problem with a 2-sparse answer.
fn base() -> (DMatrix<f64>, DVector<f64>) {
    let a = DMatrix::from_fn(20, 8, |i, j| {
        ((i * 7 + j * 13) as f64 * 0.37).sin() + if i == j { 1.0 } else { 0.0 }
    });
    let mut x = DVector::zeros(8);
    x[1] = 1.5;
    x[5] = -2.0;
    let y = &a * &x + DVector::from_fn(20, |i, _| 0.01 * ((i as f64) * 1.7).cos());
    (a, y)
}

/// (name, class, A, y, the weights must all be zero)
type Variant = (&'static str, u8, DMatrix<f64>, DVector<f64>, bool);

fn variants() -> Vec<Variant> {
    let (a, y) = base();
    let mut v = vec![
        ("y_zero", 4, a.clone(), DVector::zeros(20), true),
        (
            "y_constant",
            4,
            a.clone(),
            DVector::from_element(20, 3.0),
            false,
        ),
        ("a_zero", 4, DMatrix::zeros(20, 8), y.clone(), true),
        (
            "a_and_y_zero",
            4,
            DMatrix::zeros(20, 8),
            DVector::zeros(20),
            true,
        ),
        (
            "one_row",
            4,
            a.rows(0, 1).into_owned(),
            y.rows(0, 1).into_owned(),
            false,
        ),
        (
            "scaled_1e-200",
            4,
            a.clone() * 1e-100,
            y.clone() * 1e-100,
            false,
        ),
        ("y_scaled_1e-300", 4, a.clone(), y.clone() * 1e-300, false),
        (
            "scaled_1e150",
            3,
            a.clone() * 1e150,
            y.clone() * 1e150,
            false,
        ),
        ("y_1e300", 3, a.clone(), y.clone() * 1e300, false),
        (
            "duplicate_columns",
            4,
            DMatrix::from_fn(20, 8, |i, _| a[(i, 0)]),
            y.clone(),
            false,
        ),
    ];
    for (name, bad) in NON_FINITE {
        let mut an = a.clone();
        an[(3, 2)] = bad;
        let mut yn = y.clone();
        yn[7] = bad;
        v.push((
            if name == "nan" {
                "a_nan"
            } else if name == "inf" {
                "a_inf"
            } else {
                "a_neg_inf"
            },
            3,
            an,
            y.clone(),
            false,
        ));
        v.push((
            if name == "nan" {
                "y_nan"
            } else if name == "inf" {
                "y_inf"
            } else {
                "y_neg_inf"
            },
            3,
            a.clone(),
            yn,
            false,
        ));
    }
    v
}

pub fn cases(v: &mut Vec<Case>) {
    regression(v);
    kron(v);
    generator_and_irs(v);
    moments_and_fits(v);
}

fn regression(v: &mut Vec<Case>) {
    for (solver, run) in solvers() {
        for (variant, class, a, y, zero) in variants() {
            add(v, class, format!("sbl/{solver}/{variant}"), move || {
                either(run(&a, &y), |ans| {
                    all([
                        finite(&ans.numbers),
                        ok_if(
                            !zero || ans.weights.iter().all(|w| *w == 0.0),
                            "weights must be zero: y or A is zero",
                        ),
                    ])
                })
            });
        }
        add(v, 1, format!("sbl/{solver}/rows_mismatch"), move || {
            let (a, _) = base();
            must_fail(run(&a, &DVector::zeros(19)))
        });
        add(v, 4, format!("sbl/{solver}/no_rows"), move || {
            must_fail(run(&DMatrix::zeros(0, 3), &DVector::zeros(0)))
        });
        add(v, 4, format!("sbl/{solver}/no_columns"), move || {
            either(
                run(&DMatrix::zeros(5, 0), &DVector::from_element(5, 1.0)),
                |ans| ok_if(ans.weights.is_empty(), "no columns, no weights"),
            )
        });
    }
    // parameters
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("sbl/sbl_params/tol_{name}"), move || {
            must_fail(SblParams::new(Rule::Em).tol(bad).build())
        });
        add(
            v,
            3,
            format!("sbl/sbl_params/known_noise_{name}"),
            move || must_fail(SblParams::new(Rule::Em).noise(Noise::Known(bad)).build()),
        );
        add(v, 3, format!("sbl/rvm_params/init_{name}"), move || {
            must_fail(RvmParams::default().init(bad, 1.0).build())
        });
        add(v, 3, format!("sbl/ard_params/tol_{name}"), move || {
            must_fail(ArdParams::default().tol(bad).build())
        });
        add(
            v,
            3,
            format!("sbl/omp_params/threshold_{name}"),
            move || must_fail(OmpParams::default().residual_threshold(bad).build()),
        );
        add(v, 3, format!("sbl/krosbl_params/tol_{name}"), move || {
            must_fail(KroSblParams::new(Method::Am).tol(bad).build())
        });
        add(
            v,
            3,
            format!("sbl/krosbl_params/pc_beta_{name}"),
            move || {
                must_fail(
                    KroSblParams::new(Method::PcAm {
                        beta: bad,
                        coupled: vec![0],
                    })
                    .build(),
                )
            },
        );
    }
    add(v, 1, "sbl/krosbl_params/pc_coupled_out_of_range", || {
        let p = KroSblParams::new(Method::PcAm {
            beta: 0.5,
            coupled: vec![usize::MAX],
        });
        either(p.build(), |s| {
            let (f, y) = kron_base();
            must_fail(s.solve(&KronProblem::new(f, y).unwrap()))
        })
    });
    add(v, 2, "sbl/sbl_params/max_iter_zero", || {
        must_fail(SblParams::new(Rule::Em).max_iter(0).build())
    });
    add(v, 2, "sbl/rvm_params/max_iter_zero", || {
        must_fail(RvmParams::default().max_iter(0).build())
    });
    add(v, 2, "sbl/sbl/tol_zero_max_iter_bounded", || {
        let (a, y) = base();
        let s = SblParams::new(Rule::Em).tol(0.0).max_iter(50).build();
        either(s, |s| {
            either(s.solve(&Regression::new(&a, &y).unwrap()), |fit| {
                all([
                    finite(&bayes(fit.clone()).numbers),
                    ok_if(fit.info.iterations <= 50, "at most max_iter"),
                ])
            })
        })
    });
}

fn kron_base() -> (Vec<DMatrix<f64>>, DVector<f64>) {
    let f1 = DMatrix::from_fn(4, 5, |i, j| {
        ((i * 5 + j) as f64 * 0.71).sin() + if i == j { 1.0 } else { 0.0 }
    });
    let f2 = DMatrix::from_fn(3, 4, |i, j| {
        ((i * 3 + j) as f64 * 1.13).cos() + if i == j { 1.0 } else { 0.0 }
    });
    let mut x1 = DVector::zeros(5);
    x1[2] = 1.0;
    let mut x2 = DVector::zeros(4);
    x2[1] = -1.5;
    let y = (&f1 * x1).kronecker(&(&f2 * x2));
    (vec![f1, f2], y)
}

/// (x, every other number of the answer)
type KronSolver = fn(&KronProblem<f64>) -> parsimony::Result<(Vec<f64>, Vec<f64>)>;

fn krosbl(p: &KronProblem<f64>, method: Method) -> parsimony::Result<(Vec<f64>, Vec<f64>)> {
    let s = KroSblParams::new(method).build()?.solve(p)?;
    let mut other: Vec<f64> = s.variances.iter().copied().collect();
    other.extend(s.gamma.iter().flat_map(|g| g.iter().copied()));
    other.push(s.noise_variance);
    other.extend(s.cost);
    Ok((s.x.iter().copied().collect(), other))
}

fn kron_solvers() -> Vec<(&'static str, KronSolver)> {
    vec![
        ("krosbl_am", |p| krosbl(p, Method::Am)),
        ("krosbl_svd", |p| krosbl(p, Method::Svd)),
        ("krosbl_pc", |p| {
            krosbl(
                p,
                Method::PcAm {
                    beta: 0.8,
                    coupled: vec![0],
                },
            )
        }),
        ("ksbl", |p| {
            let s = KsblParams::new(0.01).build()?.solve(p)?;
            Ok((
                s.x.iter().copied().collect(),
                vec![s.noise_variance].into_iter().chain(s.cost).collect(),
            ))
        }),
        ("komp", |p| {
            Ok((
                KompParams::default()
                    .build()?
                    .solve(p)?
                    .x
                    .iter()
                    .copied()
                    .collect(),
                vec![],
            ))
        }),
        ("dkrosbl", |p| {
            Ok((
                DkroSblParams::default()
                    .build()?
                    .solve(p)?
                    .x
                    .iter()
                    .copied()
                    .collect(),
                vec![],
            ))
        }),
    ]
}

/// (name, class, factors, y, x must be zero)
type KronVariant = (&'static str, u8, Vec<DMatrix<f64>>, DVector<f64>, bool);

fn kron(v: &mut Vec<Case>) {
    let (f, y) = kron_base();
    let kron_variants: Vec<KronVariant> = vec![
        ("y_zero", 4, f.clone(), DVector::zeros(12), true),
        (
            "factor_zero",
            4,
            vec![DMatrix::zeros(4, 5), f[1].clone()],
            y.clone(),
            true,
        ),
        ("y_tiny", 4, f.clone(), y.clone() * 1e-300, false),
        ("y_huge", 3, f.clone(), y.clone() * 1e300, false),
        (
            "one_measurement",
            4,
            vec![f[0].rows(0, 1).into_owned(), f[1].rows(0, 1).into_owned()],
            y.rows(0, 1).into_owned(),
            false,
        ),
    ];
    for (solver, run) in kron_solvers() {
        for (variant, class, f, y, zero) in kron_variants.clone() {
            add(v, class, format!("sbl/{solver}/{variant}"), move || {
                either(KronProblem::new(f.clone(), y.clone()), |p| {
                    either(run(&p), |(x, other)| {
                        all([
                            finite(&x),
                            finite(&other),
                            ok_if(
                                !zero || x.iter().all(|w| *w == 0.0),
                                format!(
                                    "x must be zero, max |x| = {:e}",
                                    x.iter().fold(0.0f64, |m, v| m.max(v.abs()))
                                ),
                            ),
                        ])
                    })
                })
            });
        }
    }
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("sbl/kron_problem/y_{name}"), move || {
            let (f, mut y) = kron_base();
            y[0] = bad;
            must_fail(KronProblem::new(f, y))
        });
        add(v, 3, format!("sbl/kron_problem/factor_{name}"), move || {
            let (mut f, y) = kron_base();
            f[1][(0, 0)] = bad;
            must_fail(KronProblem::new(f, y))
        });
    }
    add(v, 1, "sbl/kron_problem/rows_wrap_to_zero", || {
        let f = DMatrix::from_element(1 << 16, 1, 1.0);
        must_fail(KronProblem::new(
            vec![f.clone(), f.clone(), f.clone(), f],
            DVector::zeros(0),
        ))
    });
    add(v, 1, "sbl/kron_problem/columns_overflow", || {
        let f = DMatrix::from_element(1, 1 << 16, 1.0);
        must_fail(KronProblem::new(
            vec![f.clone(), f.clone(), f.clone(), f],
            DVector::zeros(1),
        ))
    });
    add(v, 1, "sbl/kron_problem/columns_beyond_budget", || {
        let f = DMatrix::from_element(1, 1 << 12, 1.0);
        must_fail(KronProblem::new(
            vec![f.clone(), f.clone(), f],
            DVector::zeros(1),
        ))
    });
    add(v, 1, "sbl/kron_problem/y_wrong_length", || {
        let (f, _) = kron_base();
        must_fail(KronProblem::new(f, DVector::zeros(11)))
    });
    add(v, 1, "sbl/kron_oracle/support_out_of_range", || {
        let (f, y) = kron_base();
        must_fail(kron_oracle_least_squares(
            &f,
            &y,
            &[vec![usize::MAX], vec![0]],
        ))
    });
    add(v, 1, "sbl/oracle/support_out_of_range", || {
        let (a, y) = base();
        must_fail(oracle_least_squares(&a, &y, &[usize::MAX]))
    });
    add(v, 4, "sbl/oracle/duplicate_support", || {
        let (a, y) = base();
        either(oracle_least_squares(&a, &y, &[1, 1]), |x| {
            finite(x.as_slice())
        })
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("sbl/pinv/a_{name}"), move || {
            let (mut a, _) = base();
            a[(0, 0)] = bad;
            must_fail(pinv(&a))
        });
    }
    add(v, 4, "sbl/pinv/zero_matrix", || {
        either(pinv(&DMatrix::<f64>::zeros(3, 2)), |p| {
            ok_if(p.iter().all(|v| *v == 0.0), "pinv(0) = 0")
        })
    });
    // the M-step fits on their own
    add(v, 1, "sbl/am_fit/dims_product_mismatch", || {
        must_fail(am_fit(
            &[1.0; 6],
            &[2, 4],
            &[vec![1.0; 2], vec![1.0; 4]],
            1e-4,
            10,
        ))
    });
    add(v, 1, "sbl/am_fit/dims_overflow", || {
        must_fail(am_fit(
            &[1.0; 4],
            &[usize::MAX, 2],
            &[vec![1.0], vec![1.0; 2]],
            1e-4,
            10,
        ))
    });
    add(v, 1, "sbl/svd_fit/dims_overflow", || {
        must_fail(svd_fit(&[1.0; 4], &[usize::MAX, 2, 2], SvdSolver::Dense))
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("sbl/am_fit/d_{name}"), move || {
            must_fail(am_fit(
                &[1.0, bad, 1.0, 1.0],
                &[2, 2],
                &[vec![1.0; 2], vec![1.0; 2]],
                1e-4,
                10,
            ))
        });
        add(v, 3, format!("sbl/svd_fit/d_{name}"), move || {
            must_fail(svd_fit(&[1.0, bad, 1.0, 1.0], &[2, 2], SvdSolver::Dense))
        });
    }
    add(v, 4, "sbl/am_fit/d_zero", || {
        either(
            am_fit(&[0.0; 4], &[2, 2], &[vec![1.0; 2], vec![1.0; 2]], 1e-4, 10),
            |(g, _)| finite(&g.concat()),
        )
    });
    add(v, 4, "sbl/svd_fit/d_zero", || {
        either(svd_fit(&[0.0; 4], &[2, 2], SvdSolver::Dense), |g| {
            finite(&g.concat())
        })
    });
}

fn generator_and_irs(v: &mut Vec<Case>) {
    for (name, n) in HUGE {
        add(v, 1, format!("sbl/make_problem/n_{name}"), move || {
            must_fail(make_problem(
                1,
                &[n, 4],
                &[3, 3],
                &[1, 1],
                20.0,
                SignalKind::Normal,
            ))
        });
        add(v, 1, format!("sbl/make_problem/m_{name}"), move || {
            must_fail(make_problem(
                1,
                &[4, 4],
                &[n, 3],
                &[1, 1],
                20.0,
                SignalKind::Normal,
            ))
        });
        add(v, 1, format!("sbl/ula_dictionary/dim_{name}"), move || {
            must_fail(ula_dictionary(n, 18))
        });
        add(v, 1, format!("sbl/irs_system/irs_{name}"), move || {
            must_fail(IrsSystem::new(
                IrsConfig {
                    irs: n,
                    ..IrsConfig::default()
                },
                1,
            ))
        });
        add(v, 1, format!("sbl/irs_system/grid_{name}"), move || {
            must_fail(IrsSystem::new(
                IrsConfig {
                    grid: n,
                    ..IrsConfig::default()
                },
                1,
            ))
        });
    }
    add(v, 1, "sbl/irs_system/grid_cube_overflows", || {
        // 2²² fits a dictionary row count but its cube overflows usize
        must_fail(IrsSystem::new(
            IrsConfig {
                grid: 1 << 22,
                ue: 1,
                bs: 1,
                irs: 1,
                ..IrsConfig::default()
            },
            1,
        ))
    });
    add(v, 1, "sbl/irs_system/spread_exceeds_grid", || {
        must_fail(IrsSystem::new(
            IrsConfig {
                spread: 19,
                ..IrsConfig::default()
            },
            1,
        ))
    });
    add(v, 1, "sbl/irs_system/zero_patterns", || {
        must_fail(IrsSystem::new(
            IrsConfig {
                patterns: 0,
                ..IrsConfig::default()
            },
            1,
        ))
    });
    add(v, 1, "sbl/make_problem/k_exceeds_n", || {
        must_fail(make_problem(
            1,
            &[4, 4],
            &[3, 3],
            &[5, 1],
            20.0,
            SignalKind::Normal,
        ))
    });
    add(v, 1, "sbl/make_problem/no_factors", || {
        must_fail(make_problem(1, &[], &[], &[], 20.0, SignalKind::Normal))
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("sbl/make_problem/snr_{name}"), move || {
            must_fail(make_problem(
                1,
                &[4, 4],
                &[3, 3],
                &[1, 1],
                bad,
                SignalKind::Normal,
            ))
        });
        add(v, 3, format!("sbl/irs_measure/snr_{name}"), move || {
            let sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
            let mut rng = parsimony::random::seeded_rng(2);
            let ch = sys.draw_channel(&mut rng);
            must_fail(sys.measure(&ch, bad, &mut rng))
        });
        add(
            v,
            3,
            format!("sbl/irs_channel_nmse/estimate_{name}"),
            move || {
                let sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
                let mut rng = parsimony::random::seeded_rng(2);
                let ch = sys.draw_channel(&mut rng);
                let truth = sys.cascaded_true(&ch).unwrap();
                let mut est = truth.clone();
                est[0][(0, 0)] = C64::new(bad, 0.0);
                must_fail(sys.channel_nmse(&est, &truth))
            },
        );
    }
    add(v, 3, "sbl/irs_measure/snr_minus_4000_db", || {
        let sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
        let mut rng = parsimony::random::seeded_rng(2);
        let ch = sys.draw_channel(&mut rng);
        either(sys.measure(&ch, -4000.0, &mut rng), |(y, _)| {
            finite(&y.iter().flat_map(|z| [z.re, z.im]).collect::<Vec<_>>())
        })
    });
    add(v, 1, "sbl/irs_channel_nmse/wrong_count", || {
        let sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
        let mut rng = parsimony::random::seeded_rng(2);
        let truth = sys.cascaded_true(&sys.draw_channel(&mut rng)).unwrap();
        must_fail(sys.channel_nmse(&truth[..2], &truth))
    });
    add(v, 1, "sbl/irs_cascaded_from_x/wrong_length", || {
        let sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
        must_fail(sys.cascaded_from_x(&DVector::zeros(5)))
    });
    add(v, 4, "sbl/irs_channel_nmse/zero_truth", || {
        let sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
        let zero = vec![DMatrix::<C64>::zeros(16, 6); 6];
        either(sys.channel_nmse(&zero, &zero), |x| finite(&[x]))
    });
    add(v, 3, "sbl/irs_redraw/min_norm_nan", || {
        let mut sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
        let mut rng = parsimony::random::seeded_rng(2);
        let ch = sys.draw_channel(&mut rng);
        must_fail(sys.redraw_weak_patterns(&ch, f64::NAN, &mut rng))
    });
    add(v, 2, "sbl/irs_redraw/unreachable_min_norm", || {
        let mut sys = IrsSystem::new(IrsConfig::default(), 1).unwrap();
        let mut rng = parsimony::random::seeded_rng(2);
        let ch = sys.draw_channel(&mut rng);
        must_fail(sys.redraw_weak_patterns(&ch, 1e300, &mut rng))
    });
}

fn moments_and_fits(v: &mut Vec<Case>) {
    // RowMoments has public fields: the fit must validate them
    let (a, y) = base();
    let good = RowMoments::from_rows(&a, &y).unwrap();
    let mut shapes = good.clone();
    shapes.products = DMatrix::zeros(3, 3);
    let mut sums = good.clone();
    sums.sums.pop();
    let mut nan = good.clone();
    nan.products[(1, 1)] = f64::NAN;
    let mut no_rows = good.clone();
    no_rows.rows = 0;
    let mut shift = good.clone();
    shift.shift = vec![];
    let mut zero = good.clone();
    zero.products.fill(0.0);
    zero.sums.fill(0.0);
    for (name, m, class) in [
        ("products_wrong_shape", shapes, 5),
        ("sums_wrong_length", sums, 5),
        ("products_nan", nan, 3),
        ("rows_zero", no_rows, 5),
        ("shift_empty", shift, 5),
        ("all_zero", zero, 4),
    ] {
        add(v, class, format!("sbl/rvm_fit_moments/{name}"), move || {
            either(
                rvm_fit_moments(&m, &RvmParams::default()),
                |fit| match fit {
                    None => Verdict::CorrectOk("no model".into()),
                    Some(fit) => finite(&bayes(fit).numbers),
                },
            )
        });
    }
    add(v, 3, "sbl/row_moments/phi_nan", || {
        let (mut a, y) = base();
        a[(0, 0)] = f64::NAN;
        must_fail(RowMoments::from_rows(&a, &y))
    });
}
