//! The KS solver against reference case A of shared/specs/medida.md: Kassam–Trefethen setup
//! (L = 32π, N = 128, u₀ = cos(x/16)(1 + sin(x/16)), h = 1/4), the coefficient unit test, the
//! symmetry and mass invariants, and fourth-order convergence.

// reference values are quoted as the spec prints them
#![allow(clippy::excessive_precision)]

use parsimony_core::Error;
use parsimony_medida::ks::{CoefficientMethod, Ks, KsParams, Nyquist, etdrk4_coefficients};

fn kt_solver(dt: f64, nyquist: Nyquist, coefficients: CoefficientMethod) -> Ks {
    let mut ks = Ks::new(KsParams {
        dt,
        nyquist,
        coefficients,
        ..Default::default()
    })
    .unwrap();
    let x = ks.grid(32.0 * std::f64::consts::PI / 128.0); // x_j = 32π(j+1)/N
    let u0: Vec<f64> = x
        .iter()
        .map(|x| (x / 16.0).cos() * (1.0 + (x / 16.0).sin()))
        .collect();
    ks.set_state(&u0).unwrap();
    ks
}

fn mean_sq(u: &[f64]) -> f64 {
    u.iter().map(|v| v * v).sum::<f64>() / u.len() as f64
}

#[test]
fn a1_kassam_trefethen_values() {
    // (steps, mean(u²), u[0], u[15], u[47], u[79], u[111], max u)
    let table: [(u64, f64, [f64; 5], f64); 4] = [
        (
            1,
            f64::NAN,
            [
                1.0334577563093461,
                1.2227744141304306,
                -1.2227744141304306,
                -0.20363612150188504,
                0.20363612150188459,
            ],
            f64::NAN,
        ),
        (
            4,
            0.63301886481635,
            [
                0.99058488658161,
                1.2654817710626,
                -1.2654817710626,
                -0.19381482511670,
                0.19381482511669,
            ],
            1.3086737958535,
        ),
        (
            40,
            0.71616552973985,
            [
                0.62142316190208,
                1.1248129638651,
                -1.1248129638651,
                -0.11874712371036,
                0.11874712371036,
            ],
            2.3787293112715,
        ),
        (
            80,
            0.39326114470018,
            [
                0.43765521733533,
                0.81061109110441,
                -0.81061109110440,
                -0.079171652963227,
                0.079171652963229,
            ],
            1.8787462664847,
        ),
    ];
    for method in [
        CoefficientMethod::Exact,
        CoefficientMethod::Contour { points: 16 },
    ] {
        for nyq in [Nyquist::Zero, Nyquist::Negative] {
            let mut ks = kt_solver(0.25, nyq, method);
            let mut done = 0;
            for (steps, ms, vals, umax) in table {
                ks.advance(steps - done).unwrap();
                done = steps;
                let u = ks.state();
                // the tables print 14 significant digits after t = 0.25
                let tol = if steps == 1 { 1e-13 } else { 2e-13 };
                for (idx, v) in [0usize, 15, 47, 79, 111].iter().zip(vals) {
                    assert!(
                        (u[*idx] - v).abs() <= tol,
                        "{method:?} {nyq:?} t={}: u[{idx}] = {:.17} vs {v}",
                        steps as f64 / 4.0,
                        u[*idx]
                    );
                }
                if !ms.is_nan() {
                    assert!((mean_sq(&u) - ms).abs() <= 1e-13);
                    let m = u.iter().fold(f64::MIN, |a, &b| a.max(b));
                    assert!((m - umax).abs() <= 1e-12, "max {m} vs {umax}");
                }
                // invariants: Σu = 0 and u(16π − x) = −u(x), i.e. u[N/2 − j − 2] = −u[j]
                assert!(u.iter().sum::<f64>().abs() < 1e-12);
                for j in 0..128usize {
                    let k = (64 + 128 - j - 2) % 128;
                    assert!((u[k] + u[j]).abs() < 1e-12, "symmetry at j = {j}");
                }
            }
        }
    }
}

#[test]
fn a4_contour_and_exact_coefficients_agree() {
    for (h, n, length) in [
        (0.25, 128usize, 32.0 * std::f64::consts::PI),
        (1e-3, 1024, 100.0),
    ] {
        let p = KsParams {
            dt: h,
            n,
            length,
            ..Default::default()
        };
        let lk = p.linear_symbol();
        let ex = etdrk4_coefficients(&lk, h, CoefficientMethod::Exact).unwrap();
        let co = etdrk4_coefficients(&lk, h, CoefficientMethod::Contour { points: 16 }).unwrap();
        // The spec measured ≤ 2.1e-14. Here the largest gap, 6.3e-14 at h = 1e-3, sits at
        // hL_k ≈ −0.95, where the radius-1 contour passes 0.05 from the origin and its
        // (…)/w³ terms lose ~12 digits to cancellation; the exact path uses the Taylor series
        // there. 1e-13 still fails on any real disagreement of the two methods.
        for (a, b) in [
            (&ex.q, &co.q),
            (&ex.f1, &co.f1),
            (&ex.f2, &co.f2),
            (&ex.f3, &co.f3),
        ] {
            let worst = a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| (x - y).norm() / h)
                .fold(0.0f64, f64::max);
            assert!(worst <= 1e-13, "h = {h}: {worst:e}");
        }
        // a complex symbol (dispersive c₄ term): full-circle contour
        let pc = KsParams { c4: 0.7, ..p };
        let lk = pc.linear_symbol();
        let ex = etdrk4_coefficients(&lk, h, CoefficientMethod::Exact).unwrap();
        let co = etdrk4_coefficients(&lk, h, CoefficientMethod::Contour { points: 16 }).unwrap();
        let worst = ex
            .f1
            .iter()
            .zip(&co.f1)
            .map(|(x, y)| (x - y).norm() / h)
            .fold(0.0f64, f64::max);
        // same contour cancellation near the origin, over twice as many points
        assert!(worst <= 5e-12, "complex symbol, h = {h}: {worst:e}");
    }
    // bad steps and contours are typed errors, not NaN coefficients
    let lk = KsParams::default().linear_symbol();
    for h in [0.0, -0.1, f64::NAN] {
        assert!(etdrk4_coefficients(&lk, h, CoefficientMethod::Exact).is_err());
    }
    assert!(etdrk4_coefficients(&lk, 0.1, CoefficientMethod::Contour { points: 0 }).is_err());
}

#[test]
fn fourth_order_in_time() {
    let at_t1 = |dt: f64| {
        let mut ks = kt_solver(dt, Nyquist::Zero, CoefficientMethod::Exact);
        ks.advance((1.0 / dt).round() as u64).unwrap();
        ks.state()
    };
    let reference = at_t1(1.0 / 256.0);
    let err = |u: &[f64]| {
        u.iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f64, f64::max)
    };
    let (e4, e8) = (err(&at_t1(0.25)), err(&at_t1(0.125)));
    // the spec: 3e-8 at h = 1/4, ratio 15.8
    assert!((1e-8..1e-7).contains(&e4), "error at h = 1/4: {e4:e}");
    let ratio = e4 / e8;
    assert!((14.0..18.0).contains(&ratio), "h-halving ratio {ratio}");
}

#[test]
fn bad_parameters_and_states() {
    for p in [
        KsParams {
            n: 127,
            ..Default::default()
        },
        KsParams {
            length: 0.0,
            ..Default::default()
        },
        KsParams {
            dt: -1.0,
            ..Default::default()
        },
        KsParams {
            coefficients: CoefficientMethod::Contour { points: 2 },
            ..Default::default()
        },
    ] {
        assert!(matches!(Ks::new(p), Err(Error::InvalidParameter { .. })));
    }
    assert!(matches!(
        Ks::new(KsParams {
            c1: f64::NAN,
            ..Default::default()
        }),
        Err(Error::NonFinite { .. })
    ));
    let mut ks = Ks::new(KsParams::default()).unwrap();
    assert!(matches!(
        ks.set_state(&[0.0; 100]),
        Err(Error::DimensionMismatch {
            expected: 128,
            got: 100,
            ..
        })
    ));
    let mut u = vec![0.0; 128];
    u[3] = f64::INFINITY;
    assert!(matches!(ks.set_state(&u), Err(Error::NonFinite { .. })));
}

/// t = 40 and t = 100 of A1, with the spec's tolerances for long times (5e-12 up to t = 60,
/// 1e-10 up to t = 100: chaos amplifies rounding).
#[test]
fn a1_long_times() {
    let table: [(u64, f64, [f64; 5], f64, f64); 2] = [
        (
            160,
            0.53153033138352,
            [
                0.33994892399127,
                0.90993507712273,
                -0.90993507712278,
                0.71597266264003,
                -0.71597266263992,
            ],
            1.9978211043956,
            5e-12,
        ),
        (
            400,
            1.4046067526635,
            [
                -1.2620703470700,
                -0.85818311693497,
                0.85818311691958,
                0.89823256420862,
                -0.89823256418594,
            ],
            2.4699334819174,
            1e-10,
        ),
    ];
    let mut ks = kt_solver(
        0.25,
        Nyquist::Zero,
        CoefficientMethod::Contour { points: 16 },
    );
    let mut done = 0;
    for (steps, ms, vals, umax, tol) in table {
        ks.advance(steps - done).unwrap();
        done = steps;
        let u = ks.state();
        for (idx, v) in [0usize, 15, 47, 79, 111].iter().zip(vals) {
            assert!(
                (u[*idx] - v).abs() <= tol,
                "t={}: u[{idx}] = {:.17} vs {v}",
                steps as f64 / 4.0,
                u[*idx]
            );
        }
        assert!((mean_sq(&u) - ms).abs() <= tol);
        let m = u.iter().fold(f64::MIN, |a, &b| a.max(b));
        assert!((m - umax).abs() <= tol.max(1e-12), "max {m} vs {umax}");
        assert!(u.iter().sum::<f64>().abs() < 1e-12);
    }
}

#[test]
fn linear_modes_evolve_exactly_with_and_without_dispersion() {
    // c₁ = 0: each Fourier mode is multiplied by e^{L_k t} (ETDRK4 is exact on the linear part),
    // for a real symbol and a complex one (c₄ ≠ 0), the two code paths of the step
    for c4 in [0.0, 0.7] {
        let params = KsParams {
            n: 32,
            dt: 0.05,
            c1: 0.0,
            c4,
            ..KsParams::default()
        };
        let mut ks = Ks::new(params.clone()).unwrap();
        let x = ks.grid(0.0);
        let k = 2.0 * std::f64::consts::PI * 3.0 / params.length;
        let u0: Vec<f64> = x.iter().map(|&x| (k * x).cos()).collect();
        ks.set_state(&u0).unwrap();
        ks.advance(40).unwrap();
        let t = 40.0 * params.dt;
        let l = num_complex::Complex::new(k * k - k.powi(4), c4 * k.powi(3));
        let u = ks.state();
        let err = x
            .iter()
            .zip(&u)
            .map(|(&x, &v)| ((l * t).exp() * num_complex::Complex::new(0.0, k * x).exp()).re - v)
            .fold(0.0f64, |m, d| m.max(d.abs()));
        assert!(err < 1e-13, "c4 = {c4}: {err}");
    }
}
