//! parsimony-core: linear algebra, Kronecker operators, CG, optimisers, random numbers,
//! statistics, `.npy` files.

use super::{HUGE, NON_FINITE};
use crate::verdict::{Case, Verdict, add, all, either, finite, finite_or_err, must_fail, ok_if};
use nalgebra::{DMatrix, DVector};
use parsimony::linalg::{
    CgParams, KroneckerDiagonal, KroneckerOperator, Transform, cholesky, least_squares, matmul,
    symmetric_eigen, thin_svd,
};
use parsimony::optim::{AdamParams, LbfgsParams, Objective};
use parsimony::random::{SplitMix64, seeded_rng};
use parsimony::{C64, io, memory, random, stats};

fn spd(n: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            4.0
        } else {
            1.0 / (1.0 + (i + j) as f64)
        }
    })
}

fn poisoned(mut a: DMatrix<f64>, v: f64) -> DMatrix<f64> {
    let (r, c) = (a.nrows() / 2, a.ncols() / 2);
    a[(r, c)] = v;
    a
}

/// A quadratic ½‖x − c‖² whose value or gradient can be poisoned.
struct Quadratic {
    c: Vec<f64>,
    cost_poison: Option<f64>,
    grad_poison: Option<f64>,
    linear_unbounded: bool,
}

impl Objective for Quadratic {
    fn dim(&self) -> usize {
        self.c.len()
    }
    fn cost(&mut self, x: &[f64]) -> f64 {
        if self.linear_unbounded {
            return -x.iter().sum::<f64>();
        }
        if let Some(p) = self.cost_poison {
            return p;
        }
        0.5 * x
            .iter()
            .zip(&self.c)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        for (i, g) in grad.iter_mut().enumerate() {
            *g = if self.linear_unbounded {
                -1.0
            } else {
                x[i] - self.c[i]
            };
        }
        if let Some(p) = self.grad_poison {
            grad[0] = p;
        }
    }
}

pub fn cases(v: &mut Vec<Case>) {
    sizes(v);
    non_finite(v);
    degenerate(v);
    termination(v);
    files(v);
}

/// Class 1: sizes and index arithmetic.
fn sizes(v: &mut Vec<Case>) {
    // four Kronecker factors whose product of columns overflows (one wraps to exactly 0)
    for (name, cols) in [("wraps_to_zero", 1usize << 16), ("overflows", 1 << 17)] {
        add(v, 1, format!("core/kron_diag/{name}"), move || {
            // a factor of length 2¹⁶ is 512 KiB; four of them have 2⁶⁴ entries together
            let f = DVector::from_element(cols, 1.0);
            must_fail(KroneckerDiagonal::new(vec![
                f.clone(),
                f.clone(),
                f.clone(),
                f,
            ]))
        });
    }
    add(v, 1, "core/kron_diag/empty_factor", || {
        must_fail(KroneckerDiagonal::<f64>::new(vec![
            DVector::zeros(0),
            DVector::zeros(3),
        ]))
    });
    add(v, 1, "core/kron_diag/entry_out_of_range", || {
        let d = KroneckerDiagonal::new(vec![DVector::from_element(3, 2.0)]).unwrap();
        must_fail(d.entry(usize::MAX))
    });
    add(v, 1, "core/kron_op/columns_overflow", || {
        // 4 factors of 1 × 2¹⁶ (a row each): product of columns 2⁶⁴
        let f = DMatrix::from_element(1, 1 << 16, 1.0);
        must_fail(KroneckerOperator::new(vec![
            f.clone(),
            f.clone(),
            f.clone(),
            f,
        ]))
    });
    add(v, 1, "core/kron_op/rows_overflow", || {
        let f = DMatrix::from_element(1 << 16, 1, 1.0);
        must_fail(KroneckerOperator::new(vec![
            f.clone(),
            f.clone(),
            f.clone(),
            f,
        ]))
    });
    add(v, 1, "core/kron_dense/beyond_budget", || {
        // 3 factors of 2¹⁰ × 2¹⁰: the dense product would have 2⁶⁰ entries
        let f = DMatrix::<f64>::zeros(1 << 10, 1 << 10);
        must_fail(parsimony::linalg::kron_dense(&[f.clone(), f.clone(), f]))
    });
    add(v, 1, "core/kron_to_dense/beyond_budget", || {
        let f = DMatrix::from_element(1 << 8, 1 << 8, 1.0);
        let op = KroneckerOperator::new(vec![f.clone(), f.clone(), f]).unwrap();
        must_fail(op.to_dense())
    });
    add(v, 1, "core/kron_op/wrong_x_length", || {
        let op = KroneckerOperator::new(vec![spd(2), spd(3)]).unwrap();
        must_fail(op.apply(&DVector::zeros(5)))
    });
    for (name, n) in HUGE {
        add(v, 1, format!("core/splitmix_choose/n_{name}"), move || {
            either(SplitMix64::new(1).choose(n, 2), |s| {
                ok_if(
                    s.len() == 2 && s[0] < s[1] && s[1] < n,
                    "two distinct indices below n",
                )
            })
        });
        add(v, 1, format!("core/splitmix_normals/n_{name}"), move || {
            must_fail(SplitMix64::new(1).normals(n))
        });
        add(
            v,
            1,
            format!("core/standard_normal_vector/n_{name}"),
            move || must_fail(random::standard_normal_vector(&mut seeded_rng(1), n)),
        );
        add(
            v,
            1,
            format!("core/gaussian_matrix/rows_{name}"),
            move || must_fail(random::gaussian_matrix(&mut seeded_rng(1), n, 3, 1.0)),
        );
        add(
            v,
            1,
            format!("core/complex_normal_vector/n_{name}"),
            move || must_fail(random::complex_normal_vector(&mut seeded_rng(1), n, 1.0)),
        );
        add(
            v,
            1,
            format!("core/csr_from_triplets/rows_{name}"),
            move || {
                either(
                    parsimony::linalg::csr_from_triplets(n, n, &[(0, 0, 1.0)]),
                    |m| ok_if(m.nnz() == 1, "one triplet, one stored entry"),
                )
            },
        );
        add(v, 1, format!("core/adam_build/dim_{name}"), move || {
            must_fail(AdamParams::new().build(n))
        });
        add(v, 1, format!("core/write_npy/shape_{name}"), move || {
            let dir = std::env::temp_dir().join(format!("bad_input_npy_{}", std::process::id()));
            must_fail(io::write_npy(dir.join("x.npy"), &[n, n], &[1.0]))
        });
    }
    add(v, 1, "core/splitmix_choose/k_gt_n", || {
        must_fail(SplitMix64::new(1).choose(3, 4))
    });
    add(v, 1, "core/splitmix_choose/zero_of_zero", || {
        either(SplitMix64::new(1).choose(0, 0), |s| {
            ok_if(s.is_empty(), "empty subset")
        })
    });
    add(v, 1, "core/csr_from_triplets/index_out_of_range", || {
        must_fail(parsimony::linalg::csr_from_triplets(
            2,
            2,
            &[(usize::MAX, 0, 1.0)],
        ))
    });
    add(v, 1, "core/matmul/inner_mismatch", || {
        must_fail(matmul(
            &spd(3),
            Transform::Identity,
            &spd(4),
            Transform::Identity,
        ))
    });
    add(v, 1, "core/cholesky/not_square", || {
        must_fail(cholesky(&DMatrix::<f64>::zeros(2, 3)))
    });
    add(v, 1, "core/cholesky_solve/wrong_rhs", || {
        let c = cholesky(&spd(3)).unwrap();
        must_fail(c.solve(&DVector::zeros(4)))
    });
    add(v, 1, "core/least_squares/wrong_rhs", || {
        must_fail(least_squares(&spd(3), &DVector::zeros(2)))
    });
    add(v, 1, "core/memory/product_overflows", || {
        must_fail(memory::checked_product("dims", &[usize::MAX, 2]))
    });
    add(v, 1, "core/cg/wrong_b_length", || {
        let cg = CgParams::default().build().unwrap();
        must_fail(cg.solve(&spd(3), &DVector::zeros(4), None, None))
    });
}

/// Class 3: non-finite values in, at the public boundary.
fn non_finite(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("core/kron_apply/x_{name}"), move || {
            let op = KroneckerOperator::new(vec![spd(2), spd(3)]).unwrap();
            let mut x = DVector::from_element(6, 1.0);
            x[3] = bad;
            finite_or_err(op.apply(&x), |y| y.as_slice().to_vec())
        });
        add(v, 3, format!("core/kron_op_new/factor_{name}"), move || {
            must_fail(KroneckerOperator::new(vec![spd(2), poisoned(spd(3), bad)]))
        });
        add(
            v,
            3,
            format!("core/kron_diag_new/factor_{name}"),
            move || {
                let mut f = DVector::from_element(3, 1.0);
                f[1] = bad;
                must_fail(KroneckerDiagonal::new(vec![f]))
            },
        );
        add(v, 3, format!("core/matmul/a_{name}"), move || {
            finite_or_err(
                matmul(
                    &poisoned(spd(3), bad),
                    Transform::Identity,
                    &spd(3),
                    Transform::Identity,
                ),
                |m| m.as_slice().to_vec(),
            )
        });
        add(v, 3, format!("core/cholesky/a_{name}"), move || {
            must_fail(cholesky(&poisoned(spd(4), bad)))
        });
        add(v, 3, format!("core/cholesky_solve/b_{name}"), move || {
            let c = cholesky(&spd(3)).unwrap();
            let b = DVector::from_vec(vec![1.0, bad, 1.0]);
            finite_or_err(c.solve(&b), |x| x.as_slice().to_vec())
        });
        add(v, 3, format!("core/symmetric_eigen/a_{name}"), move || {
            must_fail(symmetric_eigen(&poisoned(spd(4), bad)))
        });
        add(v, 3, format!("core/thin_svd/a_{name}"), move || {
            must_fail(thin_svd(&poisoned(spd(4), bad)))
        });
        add(v, 3, format!("core/least_squares/b_{name}"), move || {
            let b = DVector::from_vec(vec![1.0, bad, 1.0, 0.0]);
            finite_or_err(least_squares(&spd(4), &b), |x| x.as_slice().to_vec())
        });
        add(v, 3, format!("core/cg/operator_{name}"), move || {
            let cg = CgParams::default().build().unwrap();
            let a = poisoned(spd(5), bad);
            cg_verdict(cg.solve(&a, &DVector::from_element(5, 1.0), None, None))
        });
        add(v, 3, format!("core/cg/b_{name}"), move || {
            let cg = CgParams::default().build().unwrap();
            let mut b = DVector::from_element(5, 1.0);
            b[0] = bad;
            cg_verdict(cg.solve(&spd(5), &b, None, None))
        });
        add(v, 3, format!("core/cg/x0_{name}"), move || {
            let cg = CgParams::default().build().unwrap();
            let mut x0 = DVector::from_element(5, 0.0);
            x0[2] = bad;
            cg_verdict(cg.solve(&spd(5), &DVector::from_element(5, 1.0), Some(&x0), None))
        });
        add(v, 3, format!("core/cg_params/rel_tol_{name}"), move || {
            must_fail(CgParams::default().rel_tol(bad).build())
        });
        add(v, 3, format!("core/adam_step/x_{name}"), move || {
            let mut adam = AdamParams::new().build(3).unwrap();
            let mut x = vec![1.0, bad, 0.0];
            either(adam.step(&mut x, &[0.1, 0.1, 0.1]), |_| finite(&x))
        });
        add(v, 3, format!("core/adam_step/grad_{name}"), move || {
            let mut adam = AdamParams::new().build(3).unwrap();
            let mut x = vec![1.0, 1.0, 0.0];
            either(adam.step(&mut x, &[0.1, bad, 0.1]), |_| finite(&x))
        });
        add(
            v,
            3,
            format!("core/adam_params/learning_rate_{name}"),
            move || must_fail(AdamParams::new().learning_rate(bad).build(3)),
        );
        add(v, 3, format!("core/adam_solve/cost_{name}"), move || {
            let mut adam = AdamParams::new().max_iter(50).build(2).unwrap();
            let mut f = quad(Some(bad), None);
            either(adam.solve(&mut f, &DVector::zeros(2)), |s| {
                optim_verdict(&s)
            })
        });
        add(v, 3, format!("core/lbfgs_solve/grad_{name}"), move || {
            let lbfgs = LbfgsParams::default().max_iter(50).build().unwrap();
            let mut f = quad(None, Some(bad));
            either(lbfgs.solve(&mut f, &DVector::zeros(2)), |s| {
                optim_verdict(&s)
            })
        });
        add(v, 3, format!("core/lbfgs_solve/x0_{name}"), move || {
            let lbfgs = LbfgsParams::default().max_iter(50).build().unwrap();
            let mut f = quad(None, None);
            either(
                lbfgs.solve(&mut f, &DVector::from_vec(vec![bad, 0.0])),
                |s| optim_verdict(&s),
            )
        });
        add(v, 3, format!("core/nmse/truth_{name}"), move || {
            finite_or_err(stats::nmse(&[1.0, 2.0], &[bad, 1.0]), |x| vec![*x])
        });
        add(v, 3, format!("core/median/sample_{name}"), move || {
            finite_or_err(stats::median(&[1.0, bad, 3.0]), |x| vec![*x])
        });
        add(v, 3, format!("core/quantile/q_{name}"), move || {
            must_fail(stats::quantile(&[1.0, 2.0], bad))
        });
        add(
            v,
            3,
            format!("core/gaussian_interval/mean_{name}"),
            move || {
                finite_or_err(stats::gaussian_interval(bad, 1.0, 0.95), |(a, b)| {
                    vec![*a, *b]
                })
            },
        );
        add(
            v,
            3,
            format!("core/gaussian_interval/std_{name}"),
            move || {
                finite_or_err(stats::gaussian_interval(0.0, bad, 0.95), |(a, b)| {
                    vec![*a, *b]
                })
            },
        );
        add(
            v,
            3,
            format!("core/noise_variance_for_snr/snr_{name}"),
            move || {
                finite_or_err(random::noise_variance_for_snr(&[1.0, 2.0], bad), |x| {
                    vec![*x]
                })
            },
        );
        add(
            v,
            3,
            format!("core/add_noise_snr/signal_{name}"),
            move || {
                let s = DVector::from_vec(vec![1.0, bad]);
                finite_or_err(
                    random::add_noise_snr(&mut seeded_rng(1), &s, 10.0),
                    |(y, s2)| {
                        let mut out = y.as_slice().to_vec();
                        out.push(*s2);
                        out
                    },
                )
            },
        );
        add(
            v,
            3,
            format!("core/gaussian_matrix/std_{name}"),
            move || {
                finite_or_err(
                    random::gaussian_matrix(&mut seeded_rng(1), 2, 2, bad),
                    |m| m.as_slice().to_vec(),
                )
            },
        );
        add(
            v,
            3,
            format!("core/complex_normal_vector/variance_{name}"),
            move || {
                finite_or_err(
                    random::complex_normal_vector(&mut seeded_rng(1), 3, bad),
                    |z| z.iter().flat_map(|c| [c.re, c.im]).collect(),
                )
            },
        );
        add(v, 3, format!("core/write_npy/data_{name}"), move || {
            // NaN is a valid f64 in a file; writing it is fine, reading it back must agree
            let dir = tmp_dir();
            let path = dir.join(format!("nf_{}.npy", bad.to_bits()));
            either(io::write_npy(&path, &[2], &[bad, 1.0]), |_| {
                either(io::read_npy(&path), |a| {
                    ok_if(
                        a.data.len() == 2 && a.data[0].to_bits() == bad.to_bits(),
                        "round trip",
                    )
                })
            })
        });
    }
    // extreme but finite values
    add(v, 3, "core/nmse/overflowing_squares", || {
        finite_or_err(stats::nmse(&[1e300, -1e300], &[-1e300, 1e300]), |x| {
            vec![*x]
        })
    });
    add(v, 3, "core/median/extremes", || {
        either(stats::median(&[f64::MAX, f64::MAX]), |m| {
            ok_if(m == f64::MAX, "median of MAX, MAX")
        })
    });
    add(v, 3, "core/gaussian_interval/std_huge", || {
        finite_or_err(
            stats::gaussian_interval(f64::MAX, f64::MAX, 0.99),
            |(a, b)| vec![*a, *b],
        )
    });
    add(v, 3, "core/noise_variance_for_snr/minus_4000_db", || {
        finite_or_err(random::noise_variance_for_snr(&[1.0, 2.0], -4000.0), |x| {
            vec![*x]
        })
    });
    add(v, 3, "core/noise_variance_for_snr/plus_4000_db", || {
        finite_or_err(random::noise_variance_for_snr(&[1.0, 2.0], 4000.0), |x| {
            vec![*x]
        })
    });
    add(v, 3, "core/add_noise_snr/minus_4000_db", || {
        let s = DVector::from_vec(vec![1.0, 2.0]);
        finite_or_err(
            random::add_noise_snr(&mut seeded_rng(1), &s, -4000.0),
            |(y, s2)| {
                let mut out = y.as_slice().to_vec();
                out.push(*s2);
                out
            },
        )
    });
    add(v, 3, "core/complex_normal_vector/negative_variance", || {
        finite_or_err(
            random::complex_normal_vector(&mut seeded_rng(1), 3, -1.0),
            |z| z.iter().flat_map(|c| [c.re, c.im]).collect(),
        )
    });
    add(v, 3, "core/gaussian_matrix/negative_std", || {
        must_fail(random::gaussian_matrix(&mut seeded_rng(1), 2, 2, -1.0))
    });
    add(v, 3, "core/kron_apply/overflowing_product", || {
        let big = DMatrix::from_element(2, 2, 1e200);
        let op = KroneckerOperator::new(vec![big.clone(), big]).unwrap();
        finite_or_err(op.apply(&DVector::from_element(4, 1e200)), |y| {
            y.as_slice().to_vec()
        })
    });
    add(v, 3, "core/matmul/overflowing_product", || {
        let big = DMatrix::from_element(2, 2, 1e200);
        finite_or_err(
            matmul(&big, Transform::Identity, &big, Transform::Identity),
            |m| m.as_slice().to_vec(),
        )
    });
    add(v, 3, "core/cg/b_norm_overflows", || {
        let cg = CgParams::default().build().unwrap();
        cg_verdict(cg.solve(&spd(3), &DVector::from_element(3, 1e308), None, None))
    });
    add(v, 3, "core/cholesky_solve/b_huge", || {
        let c = cholesky(&(spd(3) * 1e-300)).unwrap();
        finite_or_err(c.solve(&DVector::from_element(3, 1e300)), |x| {
            x.as_slice().to_vec()
        })
    });
    add(v, 3, "core/relative_error/complex_nan", || {
        let e = [C64::new(f64::NAN, 0.0)];
        finite_or_err(stats::relative_error(&e, &[C64::new(1.0, 0.0)]), |x| {
            vec![*x]
        })
    });
}

/// Class 4: degenerate data.
fn degenerate(v: &mut Vec<Case>) {
    add(v, 4, "core/nmse/zero_truth", || {
        finite_or_err(stats::nmse(&[1.0, 2.0], &[0.0, 0.0]), |x| vec![*x])
    });
    add(v, 4, "core/nmse/empty", || {
        finite_or_err(stats::nmse::<f64>(&[], &[]), |x| vec![*x])
    });
    add(v, 4, "core/median/empty", || must_fail(stats::median(&[])));
    add(v, 4, "core/noise_variance_for_snr/zero_signal", || {
        finite_or_err(random::noise_variance_for_snr(&[0.0, 0.0], 10.0), |x| {
            vec![*x]
        })
    });
    add(v, 4, "core/cholesky/zero_matrix", || {
        must_fail(cholesky(&DMatrix::<f64>::zeros(3, 3)))
    });
    add(v, 4, "core/cholesky/empty", || {
        either(cholesky(&DMatrix::<f64>::zeros(0, 0)), |c| {
            ok_if(c.dim() == 0, "0 × 0")
        })
    });
    add(v, 4, "core/least_squares/zero_matrix", || {
        finite_or_err(
            least_squares(&DMatrix::<f64>::zeros(3, 2), &DVector::from_element(3, 1.0)),
            |x| x.as_slice().to_vec(),
        )
    });
    add(v, 4, "core/least_squares/tiny_scale", || {
        let a = spd(3) * 1e-200;
        either(least_squares(&a, &DVector::from_element(3, 1e-200)), |x| {
            let back = &spd(3) * &x;
            all([
                finite(x.as_slice()),
                ok_if(
                    (back - DVector::from_element(3, 1.0)).norm() < 1e-8,
                    "A x = b",
                ),
            ])
        })
    });
    add(v, 4, "core/cg/zero_b", || {
        let cg = CgParams::default().build().unwrap();
        either(cg.solve(&spd(4), &DVector::zeros(4), None, None), |s| {
            all([cg_ok(&s), ok_if(s.x.norm() == 0.0, "x = 0 for b = 0")])
        })
    });
    add(v, 4, "core/cg/zero_operator", || {
        let cg = CgParams::default().build().unwrap();
        cg_verdict(cg.solve(
            &DMatrix::<f64>::zeros(3, 3),
            &DVector::from_element(3, 1.0),
            None,
            None,
        ))
    });
    add(v, 4, "core/cg/indefinite", || {
        let cg = CgParams::default().build().unwrap();
        let a = DMatrix::from_diagonal(&DVector::from_vec(vec![1.0, -1.0, 2.0]));
        cg_verdict(cg.solve(&a, &DVector::from_element(3, 1.0), None, None))
    });
    add(v, 4, "core/kron_op/empty_factor_list", || {
        must_fail(KroneckerOperator::<f64>::new(vec![]))
    });
    add(v, 4, "core/kron_op/zero_column_factor", || {
        must_fail(KroneckerOperator::new(vec![DMatrix::<f64>::zeros(2, 0)]))
    });
    add(v, 4, "core/thin_svd/empty", || {
        either(thin_svd(&DMatrix::<f64>::zeros(0, 3)), |s| {
            ok_if(s.singular_values.is_empty(), "no singular values")
        })
    });
    add(v, 4, "core/quantile/single", || {
        either(stats::quantile(&[2.5], 0.3), |q| {
            ok_if(q == 2.5, "quantile of one value")
        })
    });
    add(v, 4, "core/adam_build/zero_dim", || {
        either(AdamParams::new().build(0), |_| {
            Verdict::CorrectOk("empty optimiser".into())
        })
    });
    add(v, 4, "core/lbfgs/zero_dim", || {
        let lbfgs = LbfgsParams::default().build().unwrap();
        let mut f = Quadratic {
            c: vec![],
            cost_poison: None,
            grad_poison: None,
            linear_unbounded: false,
        };
        either(lbfgs.solve(&mut f, &DVector::zeros(0)), |s| {
            optim_verdict(&s)
        })
    });
}

/// Class 2: termination.
fn termination(v: &mut Vec<Case>) {
    add(v, 2, "core/lbfgs/unbounded_below", || {
        let lbfgs = LbfgsParams::default().max_iter(100).build().unwrap();
        let mut f = Quadratic {
            c: vec![0.0; 2],
            cost_poison: None,
            grad_poison: None,
            linear_unbounded: true,
        };
        match lbfgs.solve(&mut f, &DVector::zeros(2)) {
            Err(e) => Verdict::TypedError(e.to_string()),
            Ok(s) => ok_if(
                !s.info.converged,
                "an objective unbounded below cannot converge",
            ),
        }
    });
    add(v, 2, "core/lbfgs/nan_cost_everywhere", || {
        let lbfgs = LbfgsParams::default().max_iter(100).build().unwrap();
        let mut f = quad(Some(f64::NAN), None);
        either(lbfgs.solve(&mut f, &DVector::zeros(2)), |s| {
            optim_verdict(&s)
        })
    });
    add(v, 2, "core/lbfgs/max_iter_huge_converges", || {
        let lbfgs = LbfgsParams::default().max_iter(usize::MAX).build().unwrap();
        let mut f = quad(None, None);
        either(lbfgs.solve(&mut f, &DVector::zeros(2)), |s| {
            all([
                optim_verdict(&s),
                ok_if(s.info.converged, "a quadratic converges"),
            ])
        })
    });
    add(v, 2, "core/cg/max_iter_huge_on_indefinite", || {
        let cg = CgParams::default().max_iter(usize::MAX).build().unwrap();
        let a = DMatrix::from_diagonal(&DVector::from_vec(vec![1.0, -1.0]));
        cg_verdict(cg.solve(&a, &DVector::from_vec(vec![1.0, 1.0]), None, None))
    });
    add(v, 2, "core/cg/tolerance_zero", || {
        let cg = CgParams::default()
            .rel_tol(0.0)
            .abs_tol(0.0)
            .max_iter(1000)
            .build();
        either(cg, |cg| {
            cg_verdict(cg.solve(&spd(6), &DVector::from_element(6, 1.0), None, None))
        })
    });
    add(v, 2, "core/adam/max_iter_zero", || {
        must_fail(AdamParams::new().max_iter(0).build(2))
    });
}

/// Class 5: files and public fields.
fn files(v: &mut Vec<Case>) {
    let headers: [(&str, &[u8]); 8] = [
        ("empty", b""),
        ("magic_only", b"\x93NUMPY"),
        ("short_header_len", b"\x93NUMPY\x01\x00\xff\xff{"),
        ("shape_product_overflows", b"\x93NUMPY\x01\x00\x46\x00{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"),
        ("shape_wraps_to_zero", b"\x93NUMPY\x01\x00\x50\x00{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551615, 2), }\n"),
        ("negative_shape", b"\x93NUMPY\x01\x00\x3a\x00{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }\n"),
        ("wrong_dtype", b"\x93NUMPY\x01\x00\x38\x00{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n"),
        ("data_shorter_than_shape", b"\x93NUMPY\x01\x00\x38\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n\x00\x00\x00\x00\x00\x00\xf0\x3f"),
    ];
    for (name, bytes) in headers {
        add(v, 5, format!("core/parse_npy/{name}"), move || {
            must_fail(io::parse_npy(bytes))
        });
    }
    add(v, 5, "core/npy_to_matrix/fields_disagree", || {
        let a = io::NpyArray {
            shape: vec![2, 3],
            data: vec![1.0],
        };
        must_fail(a.to_matrix())
    });
    add(v, 5, "core/npy_to_matrix/shape_overflows", || {
        let a = io::NpyArray {
            shape: vec![usize::MAX, 2],
            data: vec![],
        };
        must_fail(a.to_matrix())
    });
    add(v, 5, "core/npy_to_matrix/three_dims", || {
        let a = io::NpyArray {
            shape: vec![1, 1, 1],
            data: vec![1.0],
        };
        must_fail(a.to_matrix())
    });
    add(v, 5, "core/write_npy/shape_contradicts_data", || {
        let path = tmp_dir().join("contradicts.npy");
        must_fail(io::write_npy(&path, &[2, 3], &[1.0, 2.0]))
    });
    add(v, 5, "core/read_npy/missing_file", || {
        must_fail(io::read_npy(tmp_dir().join("does_not_exist.npy")))
    });
    add(v, 5, "core/read_npy/directory", || {
        must_fail(io::read_npy(tmp_dir()))
    });
    add(v, 5, "core/write_npy/into_missing_directory", || {
        must_fail(io::write_npy(
            tmp_dir().join("no/such/dir/x.npy"),
            &[1],
            &[1.0],
        ))
    });
    add(v, 5, "core/write_npy/round_trip_empty", || {
        let path = tmp_dir().join("empty.npy");
        either(io::write_npy(&path, &[0, 3], &[]), |_| {
            either(io::read_npy(&path), |a| {
                ok_if(a.shape == vec![0, 3] && a.data.is_empty(), "0 × 3")
            })
        })
    });
}

fn quad(cost_poison: Option<f64>, grad_poison: Option<f64>) -> Quadratic {
    Quadratic {
        c: vec![1.0, -2.0],
        cost_poison,
        grad_poison,
        linear_unbounded: false,
    }
}

fn tmp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("parsimony_bad_input_{}", std::process::id()));
    let _ = std::fs::create_dir_all(&d);
    d
}

/// A CG answer passes if it is an error, or finite, or its status says why it is not; never
/// `converged` beside a non-finite residual or iterate.
fn cg_verdict(r: parsimony::Result<parsimony::linalg::CgSolution>) -> Verdict {
    either(r, |s| cg_ok(&s))
}

fn cg_ok(s: &parsimony::linalg::CgSolution) -> Verdict {
    let (res, converged) = (s.residual_norm, s.info.converged);
    let all_finite = s.x.iter().all(|v| v.is_finite()) && res.is_finite();
    if all_finite {
        Verdict::CorrectOk(format!("residual {res:e}, converged {converged}"))
    } else if converged {
        Verdict::NanEscape(format!(
            "converged = true beside residual {res} / non-finite x"
        ))
    } else {
        Verdict::NanEscape(format!(
            "Ok with residual {res} / non-finite x ({})",
            s.info.status
        ))
    }
}

/// An optimiser answer passes if its cost and x are finite.
fn optim_verdict(s: &parsimony::optim::OptimSolution) -> Verdict {
    let finite_x = s.x.iter().all(|v| v.is_finite()) && s.cost.is_finite();
    if finite_x {
        Verdict::CorrectOk(format!("cost {:e}, {}", s.cost, s.info.status))
    } else if s.info.converged {
        Verdict::NanEscape(format!(
            "converged beside cost {} / x {:?}",
            s.cost,
            s.x.as_slice()
        ))
    } else {
        Verdict::NanEscape(format!(
            "Ok with non-finite cost {} / x ({})",
            s.cost, s.info.status
        ))
    }
}
