//! KroSBL against the shared reference cases of shared/specs/sbl.md (§13): the portable
//! generator, RC1 (E-step = dense posterior), RC2/RC3 (M-steps), RC6 (exact support).

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{Scalar, kron_dense, least_squares};
use parsimony_core::random::SplitMix64;
use parsimony_core::stats::nmse;
use parsimony_core::{C64, Error};
use parsimony_sbl::generator::{SignalKind, make_problem};
use parsimony_sbl::kron::estep::{Route, posterior, posterior_by};
use parsimony_sbl::kron::mstep::{am_fit, svd_fit};
use parsimony_sbl::kron::{KroSblParams, KronProblem, Method, Noise, SvdSolver};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn generator_matches_the_spec_checks() {
    let p = make_problem(
        1,
        &[15, 15, 15],
        &[8, 12, 15],
        &[3, 3, 3],
        25.0,
        SignalKind::Normal,
    )
    .unwrap();
    let h1 = &p.factors[0];
    assert_eq!(
        [h1[(0, 0)], h1[(0, 1)], h1[(0, 2)]],
        [
            -0.034267321791851144,
            -2.5000674933698677,
            0.08772246831488635
        ]
    );
    assert_eq!(
        p.supports,
        vec![vec![7, 8, 12], vec![2, 11, 12], vec![1, 5, 6]]
    );
    let x1 = [0.52992007471817, 0.23820975152834, 1.36794991883607];
    for (a, b) in p.factor_values[0].iter().zip(x1) {
        assert!((a - b).abs() < 1e-13);
    }
    assert!(rel(p.noise_variance, 0.008511223917636505) < 1e-12);
    assert!(rel(p.y[0], 0.6603782656860719) < 1e-12);
    assert!(rel(p.y[1], -0.34928233879896664) < 1e-12);
    assert!(rel(p.y.norm_squared(), 3879.1944511895977) < 1e-12);

    let p = make_problem(
        1,
        &[10, 10, 10],
        &[8, 8, 8],
        &[2, 2, 2],
        40.0,
        SignalKind::Bounded,
    )
    .unwrap();
    assert_eq!(p.supports, vec![vec![1, 4], vec![0, 3], vec![7, 8]]);
    assert!(rel(p.noise_variance, 0.002017204227992017) < 1e-12);
    assert!(rel(p.y.norm_squared(), 10325.385519379042) < 1e-12);
}

/// RC1 inputs: seed 7, n = (5,4,3), m = (3,3,2), σ² = 0.3.
fn rc1_inputs<T: Scalar>(complex: bool) -> (Vec<DMatrix<T>>, Vec<DVector<f64>>, DVector<T>) {
    let (n, m) = ([5usize, 4, 3], [3usize, 3, 2]);
    let mut g = SplitMix64::new(7);
    let re: Vec<Vec<f64>> = n
        .iter()
        .zip(&m)
        .map(|(&ni, &mi)| g.normals(mi * ni).unwrap())
        .collect();
    let im: Vec<Vec<f64>> = if complex {
        n.iter()
            .zip(&m)
            .map(|(&ni, &mi)| g.normals(mi * ni).unwrap())
            .collect()
    } else {
        re.iter().map(|v| vec![0.0; v.len()]).collect()
    };
    let factors = (0..3)
        .map(|i| {
            let vals: Vec<T> = re[i]
                .iter()
                .zip(&im[i])
                .map(|(&a, &b)| T::from_re_im(a, b))
                .collect();
            DMatrix::from_row_slice(m[i], n[i], &vals)
        })
        .collect();
    let gamma = n
        .iter()
        .map(|&ni| {
            DVector::from_iterator(
                ni,
                g.normals(ni).unwrap().into_iter().map(|v| v.abs() + 0.1),
            )
        })
        .collect();
    let yr = g.normals(18).unwrap();
    let yi = if complex {
        g.normals(18).unwrap()
    } else {
        vec![0.0; 18]
    };
    let y = DVector::from_iterator(18, yr.iter().zip(&yi).map(|(&a, &b)| T::from_re_im(a, b)));
    (factors, gamma, y)
}

/// The dense posterior: C = σ²I + HΓHᴴ, μ = ΓHᴴC⁻¹y, diag Σ = γ − diag(ΓHᴴC⁻¹HΓ).
fn dense_posterior<T: Scalar>(
    factors: &[DMatrix<T>],
    gamma: &[DVector<f64>],
    y: &DVector<T>,
    sigma2: f64,
) -> (DVector<T>, DVector<f64>, f64) {
    let h = kron_dense(factors).unwrap();
    let mut g = gamma[0].clone();
    for v in &gamma[1..] {
        g = g.kronecker(v);
    }
    let gd = DMatrix::from_diagonal(&g.map(T::of_real));
    let m = h.nrows();
    let c = DMatrix::<T>::identity(m, m).map(|v| v.scaled(sigma2)) + &h * &gd * h.adjoint();
    let ch = nalgebra::Cholesky::new(c.clone()).unwrap();
    let cinv_y = ch.solve(y);
    let mu = &gd * h.adjoint() * &cinv_y;
    let hg = &h * &gd;
    let cinv_hg = ch.solve(&hg);
    let var = DVector::from_fn(g.len(), |j, _| {
        g[j] - (hg.column(j).adjoint() * cinv_hg.column(j))[(0, 0)].real_part()
    });
    let logdet: f64 = ch
        .l()
        .diagonal()
        .iter()
        .map(|d| 2.0 * d.real_part().ln())
        .sum();
    let quad = (y.adjoint() * &cinv_y)[(0, 0)].real_part();
    (mu, var, logdet + quad)
}

fn max_rel_diff<T: Scalar>(a: &[T], b: &[T]) -> f64 {
    let scale = b.iter().map(|v| v.modulus2().sqrt()).fold(0.0f64, f64::max);
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x - *y).modulus2().sqrt())
        .fold(0.0, f64::max)
        / scale
}

#[test]
fn rc1_real_estep_matches_dense_posterior_and_checksums() {
    let (f, g, y) = rc1_inputs::<f64>(false);
    let problem = KronProblem::new(f.clone(), y.clone()).unwrap();
    let (mu, var, cost) = dense_posterior(&f, &g, &y, 0.3);
    // both routes of the E-step (Auto takes the measurement route here: S = 60 > M = 18)
    for route in [Route::Coefficient, Route::Measurement] {
        let post = posterior_by(&problem, &g, 0.3, route).unwrap();
        assert!(max_rel_diff(post.mean.as_slice(), mu.as_slice()) <= 1e-10);
        assert!(max_rel_diff(post.variances.as_slice(), var.as_slice()) <= 1e-10);
        assert!(rel(post.cost, cost) <= 1e-10, "{route:?}");
    }
    let post = posterior(&problem, &g, 0.3).unwrap();
    // checksums of the spec, relative 1e-9
    assert!(rel(post.mean.sum(), -1.44022827869415) < 1e-9);
    assert!(rel(post.mean.norm_squared(), 2.4623304988727575) < 1e-9);
    assert!(rel(post.variances.sum(), 10.03813030279498) < 1e-9);
    assert!(rel(post.mean[0], 0.038113790934297995) < 1e-9);
    assert!(rel(post.variances[0], 0.04020179635533423) < 1e-9);
    assert!(rel(post.variances[59], 0.1752083104762386) < 1e-9);
    assert!(rel(post.cost, 44.82908875566769) < 1e-9);
}

#[test]
fn rc1_complex_estep_matches_dense_posterior_and_checksums() {
    let (f, g, y) = rc1_inputs::<C64>(true);
    let problem = KronProblem::new(f.clone(), y.clone()).unwrap();
    let (mu, var, cost) = dense_posterior(&f, &g, &y, 0.3);
    // both routes of the E-step (Auto takes the measurement route here: S = 60 > M = 18)
    for route in [Route::Coefficient, Route::Measurement] {
        let post = posterior_by(&problem, &g, 0.3, route).unwrap();
        assert!(max_rel_diff(post.mean.as_slice(), mu.as_slice()) <= 1e-10);
        assert!(max_rel_diff(post.variances.as_slice(), var.as_slice()) <= 1e-10);
        assert!(rel(post.cost, cost) <= 1e-10, "{route:?}");
    }
    let post = posterior(&problem, &g, 0.3).unwrap();
    let s = post.mean.sum();
    assert!(rel(s.re, 1.1576563585217108) < 1e-9 && rel(s.im, -0.8267738342255961) < 1e-9);
    let m2: f64 = post.mean.iter().map(|v| v.norm_sqr()).sum();
    assert!(rel(m2, 3.1072736010514324) < 1e-9);
    assert!(rel(post.variances.sum(), 44.61991409804078) < 1e-9);
    assert!(rel(post.mean[0].re, 0.02274550119169578) < 1e-9);
    assert!(rel(post.mean[0].im, 0.0022929683188739106) < 1e-9);
    assert!(rel(post.variances[0], 0.11244014073322779) < 1e-9);
    assert!(rel(post.variances[59], 2.867652696603733) < 1e-9);
    assert!(rel(post.cost, 85.37931070881447) < 1e-9);
}

fn rc2_d() -> Vec<f64> {
    let mut g = SplitMix64::new(2024);
    g.normals(60)
        .unwrap()
        .into_iter()
        .map(|v| v * v + 0.01)
        .collect()
}

fn objective(d: &[f64], gamma: &[Vec<f64>]) -> f64 {
    let mut full = gamma[0].clone();
    for g in &gamma[1..] {
        full = full
            .iter()
            .flat_map(|a| g.iter().map(move |b| a * b))
            .collect();
    }
    d.iter().zip(&full).map(|(d, g)| g.ln() + d / g).sum()
}

#[test]
fn rc2_am_mstep_reaches_the_unique_optimum() {
    let d = rc2_d();
    let dims = [4, 3, 5];
    let start = vec![
        vec![0.5; 4],
        vec![1.0 / 3f64.sqrt(); 3],
        vec![2.0 * 3f64.sqrt(); 5],
    ];
    let (g, sweeps) = am_fit(&d, &dims, &start, 1e-14, 1000).unwrap();
    let expect = [
        vec![0.66584863996, 0.32876286848, 0.61071624310, 0.27492950985],
        vec![0.50845228312, 0.54477878382, 0.66685257178],
        vec![
            5.4478514553,
            2.5959231716,
            2.1766959748,
            5.6860993059,
            2.4546941027,
        ],
    ];
    for (gi, ei) in g.iter().zip(&expect) {
        for (a, b) in gi.iter().zip(ei) {
            assert!(rel(*a, *b) < 1e-9, "{g:?}");
        }
    }
    assert!(rel(objective(&d, &g), 49.424943220513) < 1e-9);
    assert_eq!(sweeps, 22);
    // every factor satisfies its own AM update: one more sweep changes nothing
    let (g2, _) = am_fit(&d, &dims, &g, 0.0, 1).unwrap();
    for (a, b) in g.iter().flatten().zip(g2.iter().flatten()) {
        assert!(rel(*a, *b) < 1e-12);
    }
    // uniqueness: another start reaches the same point
    let other = vec![vec![1.0, 2.0, 3.0, 4.0], vec![5.0, 0.1, 1.0], vec![0.3; 5]];
    let (g3, _) = am_fit(&d, &dims, &other, 1e-14, 5000).unwrap();
    for (a, b) in g.iter().flatten().zip(g3.iter().flatten()) {
        assert!(rel(*a, *b) < 1e-9);
    }
}

#[test]
fn rc3_svd_mstep_matches_reference() {
    let d = rc2_d();
    let dims = [4, 3, 5];
    let expect = [
        vec![
            0.230400442994,
            0.138439442419,
            0.947417267755,
            0.173639504175,
        ],
        vec![0.397561827894, 0.118573268131, 0.909881845674],
        vec![
            9.56558021272,
            0.685893241994,
            2.53259347358,
            3.33058263750,
            1.01403893609,
        ],
    ];
    for solver in [
        SvdSolver::Power {
            tol: 1e-14,
            max_iter: 10_000,
        },
        SvdSolver::Dense,
    ] {
        let g = svd_fit(&d, &dims, solver).unwrap();
        for (gi, ei) in g.iter().zip(&expect) {
            for (a, b) in gi.iter().zip(ei) {
                assert!(rel(*a, *b) < 1e-9, "{solver:?}: {g:?}");
            }
        }
        let mut full = g[0].clone();
        for f in &g[1..] {
            full = full
                .iter()
                .flat_map(|a| f.iter().map(move |b| a * b))
                .collect();
        }
        let fro = d
            .iter()
            .zip(&full)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(rel(fro, 8.255737546421) < 1e-9);
        assert!(rel(objective(&d, &g), 448.38787) < 1e-6);
    }
}

fn oracle_nmse(p: &parsimony_sbl::generator::SyntheticProblem) -> f64 {
    let h = kron_dense(&p.factors).unwrap();
    let support: Vec<usize> = (0..p.x.len()).filter(|&j| p.x[j] != 0.0).collect();
    let hs = h.select_columns(support.iter());
    let xs = least_squares(&hs, &p.y).unwrap();
    let mut x = DVector::zeros(p.x.len());
    for (&j, &v) in support.iter().zip(xs.iter()) {
        x[j] = v;
    }
    nmse(x.as_slice(), p.x.as_slice()).unwrap()
}

#[test]
fn rc6_exact_support_at_40_db_for_am_and_svd() {
    let oracle = [
        1.6872e-6, 1.7467e-5, 8.4531e-7, 5.6232e-6, 2.7508e-6, 1.3251e-6, 4.4471e-6, 1.1103e-6,
        1.8953e-6, 1.0542e-6,
    ];
    let svd_nmse = [
        1.6977e-6, 1.7530e-5, 8.4197e-7, 5.6219e-6, 2.7478e-6, 1.3359e-6, 4.4845e-6, 1.1114e-6,
        1.8931e-6, 1.0553e-6,
    ];
    let svd_iters = [13, 7, 6, 10, 9, 14, 9, 12, 13, 13];
    let learnt_ratio = [
        1.030, 1.005, 1.012, 1.105, 0.961, 1.016, 0.980, 1.058, 0.987, 0.979,
    ];
    for seed in 1..=10u64 {
        let p = make_problem(
            seed,
            &[10, 10, 10],
            &[8, 8, 8],
            &[2, 2, 2],
            40.0,
            SignalKind::Bounded,
        )
        .unwrap();
        let problem = KronProblem::new(p.factors.clone(), p.y.clone()).unwrap();
        let o = oracle_nmse(&p);
        let k = (seed - 1) as usize;
        assert!(rel(o, oracle[k]) < 1e-3, "seed {seed}: oracle {o}");
        for method in [Method::Am, Method::Svd] {
            let sol = KroSblParams::new(method.clone())
                .noise(Noise::Known(p.noise_variance))
                .build()
                .unwrap()
                .solve(&problem)
                .unwrap();
            assert_eq!(sol.active, p.supports, "seed {seed} {method:?}");
            let e = nmse(sol.x.as_slice(), p.x.as_slice()).unwrap();
            let ratio = e / o;
            assert!(
                (0.99..=1.02).contains(&ratio),
                "seed {seed} {method:?}: NMSE/oracle {ratio}"
            );
            if method == Method::Svd {
                assert!(rel(e, svd_nmse[k]) < 2e-3, "seed {seed}: SVD NMSE {e}");
                assert_eq!(
                    sol.info.iterations, svd_iters[k],
                    "seed {seed}: SVD iterations"
                );
                // the measurement route throughout gives the same run up to round-off
                let m_route = KroSblParams::new(method.clone())
                    .noise(Noise::Known(p.noise_variance))
                    .route(Route::Measurement)
                    .build()
                    .unwrap()
                    .solve(&problem)
                    .unwrap();
                assert_eq!(m_route.info.iterations, sol.info.iterations, "seed {seed}");
                assert!(max_rel_diff(m_route.x.as_slice(), sol.x.as_slice()) < 1e-9);
                assert!(
                    rel(m_route.cost.unwrap(), sol.cost.unwrap()) < 1e-9,
                    "seed {seed}: cost"
                );
            }
        }
        // noise learning (SVD, σ² from 0.1·var(y))
        let sol = KroSblParams::new(Method::Svd)
            .noise(Noise::Learn { init: None })
            .build()
            .unwrap()
            .solve(&problem)
            .unwrap();
        assert_eq!(sol.active, p.supports, "seed {seed} learnt noise");
        let r = sol.noise_variance / p.noise_variance;
        assert!((0.95..=1.12).contains(&r), "seed {seed}: σ̂²/σ² = {r}");
        assert!(
            (r - learnt_ratio[k]).abs() < 2e-3,
            "seed {seed}: σ̂²/σ² = {r}"
        );
    }
}

#[test]
fn bad_input_is_refused() {
    let h = vec![DMatrix::<f64>::identity(2, 3), DMatrix::identity(2, 3)];
    assert!(matches!(
        KronProblem::new(h.clone(), DVector::zeros(5)),
        Err(Error::DimensionMismatch {
            expected: 4,
            got: 5,
            ..
        })
    ));
    let mut y = DVector::zeros(4);
    y[2] = f64::NAN;
    assert!(matches!(
        KronProblem::new(h.clone(), y),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        KronProblem::<f64>::new(vec![], DVector::zeros(1)),
        Err(Error::InvalidParameter { .. })
    ));
    for bad in [
        KroSblParams::new(Method::Svd).noise(Noise::Known(0.0)),
        KroSblParams::new(Method::Svd).noise(Noise::Known(-1.0)),
        KroSblParams::new(Method::Am).prune_rel(1.0),
        KroSblParams::new(Method::Am).prune_rel(-0.1),
        KroSblParams::new(Method::Am).max_iter(0),
        KroSblParams::new(Method::Am).tol(f64::NAN),
    ] {
        assert!(matches!(bad.build(), Err(Error::InvalidParameter { .. })));
    }
    // per-factor thresholds must match the number of factors
    let problem = KronProblem::new(h, DVector::from_element(4, 1.0)).unwrap();
    let s = KroSblParams::new(Method::Am)
        .prune_rel_per_factor(vec![0.1, 0.1, 0.1])
        .build()
        .unwrap();
    assert!(matches!(
        s.solve(&problem),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn all_atoms_pruned_is_a_result_not_a_panic() {
    // y = 0 (to 1e-12): EM shrinks ⊗γ like 1/(r + 1), and the absolute threshold 0.3 then
    // removes every entry of the last factor (which carries the scale) at once.
    let h1 = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0]);
    let h2 = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0]);
    let problem =
        KronProblem::new(vec![h1, h2], DVector::from_vec(vec![0.0, 0.0, 0.0, 1e-12])).unwrap();
    let sol = KroSblParams::new(Method::Svd)
        .noise(Noise::Known(1.0))
        .prune_rel(0.0)
        .prune_abs(0.3)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    assert!(!sol.info.converged);
    assert!(
        matches!(
            sol.info.status,
            parsimony_sbl::kron::Status::AllPruned { .. }
        ),
        "{:?}",
        sol.info.status
    );
    assert!(sol.x.iter().all(|v| *v == 0.0));
}
