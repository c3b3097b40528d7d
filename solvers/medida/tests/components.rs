//! The building blocks of MEDIDA against independent references: spectral and finite-difference
//! derivatives against calculus, the library's columns and labels, CNAB2 against its exact
//! linear amplification and ETDRK4, the EnKF against the dense Kalman formula.

use nalgebra::{DMatrix, DVector};
use parsimony_core::random::seeded_rng;
use parsimony_medida::cnab2::{Cnab2, Cnab2Run, ExtraTerm};
use parsimony_medida::enkf::{AnalysisKind, EnkfParams, GainForm, enkf_analysis, gaspari_cohn};
use parsimony_medida::ks::{Ks, KsParams, Nyquist};
use parsimony_medida::library::{Derivatives, Library, Term, finite_difference};
use parsimony_medida::model_error::{MedidaParams, MedidaProblem};
use parsimony_medida::spectral::SpectralGrid;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn spectral_derivatives_are_exact_for_band_limited_data() {
    let (n, l) = (64, 7.0);
    let mut g = SpectralGrid::new(n, l, Nyquist::Negative).unwrap();
    let x: Vec<f64> = (0..n).map(|j| j as f64 * l / n as f64).collect();
    let k = 2.0 * PI * 3.0 / l;
    // u = sin(kx) + 0.5 cos(2kx): derivatives by hand
    let u: Vec<f64> = x
        .iter()
        .map(|&x| (k * x).sin() + 0.5 * (2.0 * k * x).cos())
        .collect();
    let exact = |d: usize, x: f64| {
        let s = |a: f64, ph: f64| a.powi(d as i32) * (a * x + ph + d as f64 * PI / 2.0).sin();
        s(k, 0.0) + 0.5 * s(2.0 * k, PI / 2.0)
    };
    let mut out = vec![0.0; n];
    for d in 0..=4 {
        g.derivative(&u, d, &mut out).unwrap();
        let want: Vec<f64> = x.iter().map(|&x| exact(d, x)).collect();
        let scale = (2.0 * k).powi(d as i32).max(1.0);
        assert!(max_abs_diff(&out, &want) < 1e-12 * scale, "order {d}");
    }
    // the Nyquist mode (−1)^j: odd derivatives vanish, even ones use k = −πN/L
    let nyq: Vec<f64> = (0..n)
        .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    g.derivative(&nyq, 1, &mut out).unwrap();
    assert!(out.iter().all(|v| v.abs() < 1e-9));
    g.derivative(&nyq, 2, &mut out).unwrap();
    let kn = PI * n as f64 / l;
    assert!(max_abs_diff(&out, &nyq.iter().map(|v| -kn * kn * v).collect::<Vec<_>>()) < 1e-9);
    // low-pass keeps the mode 3 and removes the mode 6
    let mut v = u.clone();
    g.lowpass(&mut v, 1.5 * k).unwrap();
    let want: Vec<f64> = x.iter().map(|&x| (k * x).sin()).collect();
    assert!(max_abs_diff(&v, &want) < 1e-13);
    // and the Nyquist mode, with either convention for it
    for conv in [Nyquist::Zero, Nyquist::Negative] {
        let mut grid = SpectralGrid::new(n, l, conv).unwrap();
        let mut w: Vec<f64> = want.iter().zip(&nyq).map(|(a, b)| a + b).collect();
        grid.lowpass(&mut w, 1.5 * k).unwrap();
        assert!(max_abs_diff(&w, &want) < 1e-13, "{conv:?}");
        assert!(grid.lowpass(&mut w, f64::NAN).is_err());
    }
    assert!(SpectralGrid::new(7, 1.0, Nyquist::Zero).is_err());
    assert!(SpectralGrid::new(8, -1.0, Nyquist::Zero).is_err());
}

#[test]
fn finite_differences_are_exact_on_polynomials_and_second_order() {
    // second-order stencils (interior and one-sided ends) differentiate low-degree
    // polynomials exactly: d = 1, 2 up to degree 2 and 3, d = 3 up to degree 4 (5-point ends)
    let n = 12;
    let dx = 0.3;
    let x: Vec<f64> = (0..n).map(|j| 0.2 + j as f64 * dx).collect();
    let mut out = vec![0.0; n];
    let p2: Vec<f64> = x.iter().map(|&x| 1.0 - 2.0 * x + 3.0 * x * x).collect();
    finite_difference(&p2, dx, 1, &mut out).unwrap();
    let want: Vec<f64> = x.iter().map(|&x| -2.0 + 6.0 * x).collect();
    assert!(max_abs_diff(&out, &want) < 1e-11);
    let p3: Vec<f64> = x.iter().map(|&x| x * x * x - x * x).collect();
    finite_difference(&p3, dx, 2, &mut out).unwrap();
    let want: Vec<f64> = x.iter().map(|&x| 6.0 * x - 2.0).collect();
    assert!(max_abs_diff(&out, &want) < 1e-10);
    // the 3rd-derivative stencil is exact for cubics (value 6 everywhere)
    finite_difference(&p3, dx, 3, &mut out).unwrap();
    assert!(out.iter().all(|v| (v - 6.0).abs() < 1e-8), "{out:?}");
    // convergence order on a smooth non-polynomial, interior and ends: error ratio ≈ 4
    for d in 1..=3 {
        let err = |n: usize| {
            let dx = 1.0 / (n - 1) as f64;
            let u: Vec<f64> = (0..n).map(|j| (1.3 * j as f64 * dx).exp()).collect();
            let mut o = vec![0.0; n];
            finite_difference(&u, dx, d, &mut o).unwrap();
            (0..n)
                .map(|j| (o[j] - 1.3f64.powi(d as i32) * (1.3 * j as f64 * dx).exp()).abs())
                .fold(0.0, f64::max)
        };
        let ratio = err(41) / err(81);
        assert!((3.5..4.6).contains(&ratio), "order {d}: ratio {ratio}");
    }
    assert!(finite_difference(&[1.0, 2.0], 0.1, 1, &mut [0.0; 2]).is_err());
    assert!(finite_difference(&p2, 0.0, 1, &mut out).is_err());
}

#[test]
fn library_columns_and_labels() {
    let lib = Library::default();
    let labels = lib.labels();
    assert_eq!(labels.len(), 24);
    assert_eq!(&labels[..6], ["u", "u^2", "u^3", "u^4", "u_x", "uu_x"]);
    assert_eq!(labels[23], "u^4u_xxxx");
    assert_eq!(Term::new(2, 4).label(), "u^2u_xxxx");
    assert_eq!(lib.index_of(Term::new(1, 1)), Some(5));
    let (n, l) = (32, 2.0 * PI);
    let mut g = SpectralGrid::new(n, l, Nyquist::Zero).unwrap();
    let x: Vec<f64> = (0..n).map(|j| j as f64 * l / n as f64).collect();
    let u: Vec<f64> = x.iter().map(|&x| 0.3 + x.sin()).collect();
    let theta = lib.evaluate(&u, &mut g).unwrap();
    // u^2 u_xx = (0.3 + sin x)² (−sin x)
    let c = lib.index_of(Term::new(2, 2)).unwrap();
    let want: Vec<f64> = x
        .iter()
        .map(|&x| (0.3 + x.sin()).powi(2) * -x.sin())
        .collect();
    assert!(max_abs_diff(theta.column(c).as_slice(), &want) < 1e-12);
    let c = lib.index_of(Term::new(3, 0)).unwrap();
    let want: Vec<f64> = u.iter().map(|v| v * v * v).collect();
    assert!(max_abs_diff(theta.column(c).as_slice(), &want) < 1e-14);
    assert!(Library::new(0, 0, Derivatives::Spectral).is_err());
    assert!(
        Library::from_terms(
            vec![Term::new(1, 1), Term::new(1, 1)],
            Derivatives::Spectral
        )
        .is_err()
    );
    assert!(lib.evaluate(&u[..10], &mut g).is_err());
    let mut bad = u.clone();
    bad[3] = f64::NAN;
    assert!(lib.evaluate(&bad, &mut g).is_err());
}

fn ks_params(n: usize, h: f64) -> KsParams {
    KsParams {
        n,
        dt: h,
        ..KsParams::default()
    }
}

#[test]
fn cnab2_linear_amplification_is_exact() {
    // c₁ = 0: each mode is multiplied by (1 + hL/2)/(1 − hL/2) per step
    let (n, h) = (32, 0.1);
    let mut p = ks_params(n, h);
    p.c1 = 0.0;
    p.c4 = 0.3;
    let mut m = Cnab2::new(p.clone()).unwrap();
    let l = p.length;
    let kk = 2.0 * PI * 2.0 / l;
    let x: Vec<f64> = (0..n).map(|j| j as f64 * l / n as f64).collect();
    let u: Vec<f64> = x.iter().map(|&x| (kk * x).cos()).collect();
    let mut out = vec![0.0; n];
    m.step(&u, &u, &mut out).unwrap();
    let lk = num_complex::Complex::new(kk * kk - kk.powi(4), 0.3 * kk.powi(3));
    let amp = (1.0 + 0.5 * h * lk) / (1.0 - 0.5 * h * lk);
    let want: Vec<f64> = x
        .iter()
        .map(|&x| (amp * num_complex::Complex::new(0.0, kk * x).exp()).re)
        .collect();
    assert!(max_abs_diff(&out, &want) < 1e-13);
}

#[test]
fn cnab2_converges_at_second_order_to_etdrk4() {
    // KS on the Kassam–Trefethen domain from t = 0 to 1; CNAB2 started from two exact states
    let n = 64;
    let reference = |t_steps: u64, h: f64| {
        let mut ks = Ks::new(ks_params(n, h)).unwrap();
        let x = ks.grid(32.0 * PI / n as f64);
        let u0: Vec<f64> = x
            .iter()
            .map(|&x| (x / 16.0).cos() * (1.0 + (x / 16.0).sin()))
            .collect();
        ks.set_state(&u0).unwrap();
        let mut states = vec![ks.state()];
        for _ in 0..t_steps {
            ks.step().unwrap();
            states.push(ks.state());
        }
        states
    };
    let fine = reference(4000, 1.0 / 4000.0);
    let err = |steps: usize| {
        let h = 1.0 / steps as f64;
        let stride = 4000 / steps;
        let mut m = Cnab2::new(ks_params(n, h)).unwrap();
        let run = Cnab2Run::new(fine[0].clone(), fine[stride].clone(), steps - 1).unwrap();
        let end = m.solve(&run).unwrap();
        assert!(end.info.converged);
        max_abs_diff(&end.state, &fine[4000])
    };
    let (e1, e2) = (err(100), err(200));
    let ratio = e1 / e2;
    println!("CNAB2 errors at t = 1: h = 1/100 {e1:.3e}, h = 1/200 {e2:.3e}, ratio {ratio:.2}");
    assert!((3.3..4.8).contains(&ratio), "ratio {ratio}");
}

#[test]
fn cnab2_ensemble_and_extra_terms_agree_with_single_steps() {
    let n = 48;
    let p = ks_params(n, 0.01);
    let mut m = Cnab2::new(p.clone()).unwrap();
    let x: Vec<f64> = (0..n).map(|j| j as f64 * p.length / n as f64).collect();
    let u2: Vec<f64> = x.iter().map(|&x| (x / 16.0).cos()).collect();
    let mut rng = seeded_rng(5);
    let members = DMatrix::from_fn(n, 4, |i, _| {
        u2[i]
            + 0.1 * {
                let z: f64 = StandardNormal.sample(&mut rng);
                z
            }
    });
    let mut out = DMatrix::zeros(n, 4);
    m.step_ensemble(&u2, &members, &mut out).unwrap();
    let mut one = vec![0.0; n];
    for j in 0..4 {
        m.step(&u2, members.column(j).as_slice(), &mut one).unwrap();
        assert!(max_abs_diff(out.column(j).as_slice(), &one) < 1e-15);
    }
    // −c₁ u u_x as an explicit extra term equals the built-in −(c₁/2)(u²)_x on band-limited data
    let smooth: Vec<f64> = x
        .iter()
        .map(|&x| (x / 16.0).cos() + 0.3 * (x / 8.0).sin())
        .collect();
    let mut q = p.clone();
    q.c1 = 0.0;
    let mut with_extra = Cnab2::with_extra_terms(
        q,
        vec![ExtraTerm {
            term: Term::new(1, 1),
            coefficient: -1.0,
        }],
    )
    .unwrap();
    let mut a = vec![0.0; n];
    let mut b = vec![0.0; n];
    m.step(&smooth, &smooth, &mut a).unwrap();
    with_extra.step(&smooth, &smooth, &mut b).unwrap();
    assert!(max_abs_diff(&a, &b) < 1e-13);
    // bad input
    assert!(m.step(&u2[..10], &u2, &mut one).is_err());
    let mut nan = u2.clone();
    nan[0] = f64::NAN;
    assert!(m.step(&u2, &nan, &mut one).is_err());
    assert!(
        m.step_ensemble(&u2, &members, &mut DMatrix::zeros(n, 3))
            .is_err()
    );
}

/// The dense Kalman mean f̄ + B Hᵀ (H B Hᵀ + σ²I)⁻¹ (w − H f̄) with the sample B, inflated by
/// ρ² and, with `loc` = (c, L), tapered entry by entry by Gaspari–Cohn at the periodic distance
/// on a grid of N points over L (the taper written out here from the formula, not the crate's).
fn dense_kalman_mean(
    f: &DMatrix<f64>,
    w: &[f64],
    obs: &[usize],
    sigma: f64,
    rho: f64,
    loc: Option<(f64, f64)>,
) -> Vec<f64> {
    let (n, ne) = f.shape();
    let mean = f.column_mean();
    let mut a = f.clone();
    for mut c in a.column_iter_mut() {
        c -= &mean;
    }
    let mut b = &a * a.transpose() * (rho * rho / (ne as f64 - 1.0));
    if let Some((c, length)) = loc {
        let taper = |r: f64| {
            if r <= 1.0 {
                -r.powi(5) / 4.0 + r.powi(4) / 2.0 + 5.0 * r.powi(3) / 8.0 - 5.0 * r * r / 3.0 + 1.0
            } else if r <= 2.0 {
                r.powi(5) / 12.0 - r.powi(4) / 2.0 + 5.0 * r.powi(3) / 8.0 + 5.0 * r * r / 3.0
                    - 5.0 * r
                    + 4.0
                    - 2.0 / (3.0 * r)
            } else {
                0.0
            }
        };
        for i in 0..n {
            for j in 0..n {
                let k = (i as f64 - j as f64).abs();
                let d = k.min(n as f64 - k) * length / n as f64;
                b[(i, j)] *= taper(d / c);
            }
        }
    }
    let h = DMatrix::from_fn(obs.len(), n, |r, c| if obs[r] == c { 1.0 } else { 0.0 });
    let s = &h * &b * h.transpose() + DMatrix::identity(obs.len(), obs.len()) * sigma * sigma;
    let d = DVector::from_column_slice(w) - &h * &mean;
    let inc = &b * h.transpose() * s.try_inverse().unwrap() * d;
    (mean + inc).iter().copied().collect()
}

#[test]
fn enkf_mean_matches_the_dense_kalman_formula_in_both_forms() {
    let mut rng = seeded_rng(11);
    let n = 30;
    for (ne, obs) in [
        (60usize, (0..n).collect::<Vec<_>>()),
        (12, (0..n).step_by(2).collect()),
    ] {
        let f = DMatrix::from_fn(n, ne, |i, _| {
            (i as f64 * 0.3).sin()
                + 0.4 * {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    z
                }
        });
        let w: Vec<f64> = obs.iter().map(|&i| (i as f64 * 0.3).sin() + 0.05).collect();
        let p = EnkfParams::new(0.2)
            .kind(AnalysisKind::DeterministicMean)
            .observe_points(obs.clone());
        let an = enkf_analysis(&f, &w, &p, &mut rng).unwrap();
        let want = dense_kalman_mean(&f, &w, &obs, 0.2, 1.0, None);
        let expected_form = if obs.len() <= ne {
            GainForm::ObservationSpace
        } else {
            GainForm::EnsembleSpace
        };
        assert_eq!(an.form, expected_form);
        assert!(max_abs_diff(&an.mean, &want) < 1e-10, "Ne = {ne}");
        // a localisation radius far beyond the domain changes nothing
        let loc = p.clone().localisation(1e7, 10.0);
        let al = enkf_analysis(&f, &w, &loc, &mut rng).unwrap();
        assert_eq!(al.form, GainForm::Localised);
        assert!(max_abs_diff(&al.mean, &want) < 1e-8);
        // a radius that matters (half-width 1 on L = 10: the taper vanishes beyond 6 points)
        let near = p.clone().localisation(1.0, 10.0);
        let an = enkf_analysis(&f, &w, &near, &mut rng).unwrap();
        let tapered = dense_kalman_mean(&f, &w, &obs, 0.2, 1.0, Some((1.0, 10.0)));
        assert!(max_abs_diff(&an.mean, &tapered) < 1e-10, "Ne = {ne}");
        assert!(
            max_abs_diff(&tapered, &want) > 1e-3,
            "the taper should matter"
        );
        // inflation ρ = 1.3 enters as ρ²B, in either gain form
        let inflated = p.clone().inflation(1.3);
        let an = enkf_analysis(&f, &w, &inflated, &mut rng).unwrap();
        let want = dense_kalman_mean(&f, &w, &obs, 0.2, 1.3, None);
        assert_eq!(an.form, expected_form);
        assert!(max_abs_diff(&an.mean, &want) < 1e-10, "Ne = {ne}");
    }
}

#[test]
fn stochastic_enkf_has_the_kalman_posterior_statistics() {
    // scalar state: prior N(0, 1) sampled by 20 000 members, observation w = 1 with σ = 1:
    // posterior mean 0.5, variance 0.5 (up to sampling error)
    let mut rng = seeded_rng(3);
    let ne = 20_000;
    let f = DMatrix::from_fn(1, ne, |_, _| StandardNormal.sample(&mut rng));
    let p = EnkfParams::new(1.0).keep_members(true);
    let an = enkf_analysis(&f, &[1.0], &p, &mut rng).unwrap();
    let members = an.members.unwrap();
    let mean = members.mean();
    let var = members.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (ne - 1) as f64;
    assert!((an.mean[0] - mean).abs() < 1e-12);
    assert!((mean - 0.5).abs() < 0.03, "mean {mean}");
    assert!((var - 0.5).abs() < 0.03, "variance {var}");
    // the mean-only stochastic path draws the same mean perturbation statistics
    let m = enkf_analysis(&f, &[1.0], &EnkfParams::new(1.0), &mut rng).unwrap();
    assert!((m.mean[0] - 0.5).abs() < 0.03);
}

#[test]
fn enkf_and_gaspari_cohn_refuse_bad_input() {
    assert_eq!(gaspari_cohn(0.0, 2.0), 1.0);
    assert_eq!(gaspari_cohn(4.0, 2.0), 0.0);
    let (a, b) = (
        gaspari_cohn(2.0 - 1e-12, 2.0),
        gaspari_cohn(2.0 + 1e-12, 2.0),
    );
    assert!((a - b).abs() < 1e-10 && (a - 5.0 / 24.0).abs() < 1e-10);
    let mut rng = seeded_rng(1);
    let f = DMatrix::from_element(4, 3, 1.0) + DMatrix::from_fn(4, 3, |i, j| (i * j) as f64);
    let ok = EnkfParams::new(0.1);
    assert!(enkf_analysis(&f.columns(0, 1).into_owned(), &[0.0; 4], &ok, &mut rng).is_err());
    assert!(enkf_analysis(&f, &[0.0; 3], &ok, &mut rng).is_err());
    assert!(enkf_analysis(&f, &[0.0, f64::NAN, 0.0, 0.0], &ok, &mut rng).is_err());
    assert!(enkf_analysis(&f, &[0.0; 4], &EnkfParams::new(0.0), &mut rng).is_err());
    assert!(enkf_analysis(&f, &[0.0; 4], &ok.clone().inflation(0.5), &mut rng).is_err());
    let pts = ok.clone().observe_points(vec![0, 9]);
    assert!(enkf_analysis(&f, &[0.0; 2], &pts, &mut rng).is_err());
    assert!(enkf_analysis(&f, &[0.0; 4], &ok, &mut rng).is_ok());
}

#[test]
fn medida_refuses_bad_input() {
    assert!(MedidaParams::default().lowpass(-1.0).build().is_err());
    assert!(MedidaParams::default().gate(f64::NAN).build().is_err());
    let m = Cnab2::new(ks_params(32, 0.01)).unwrap();
    assert!(MedidaProblem::new(m, &[]).is_err());
    let bad = KsParams {
        length: -1.0,
        ..ks_params(32, 0.01)
    };
    assert!(Cnab2::new(bad).is_err());
    assert!(Cnab2::new(ks_params(33, 0.01)).is_err());
    // pure anti-diffusion u_t = −u_xx on L = 2π: L_k = k², so h = 2 makes 1 − hL₁/2 = 0
    let singular = KsParams {
        length: 2.0 * PI,
        c1: 0.0,
        c2: 1.0,
        c3: 0.0,
        c4: 0.0,
        ..ks_params(32, 2.0)
    };
    let err = Cnab2::new(singular.clone()).err().unwrap().to_string();
    assert!(err.contains("singular at mode 1"), "{err}");
    assert!(
        Cnab2::new(KsParams {
            dt: 1.9,
            ..singular
        })
        .is_ok()
    );
}
