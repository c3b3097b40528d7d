//! Reference case R1 of shared/specs/medida.md (§B): the RVM variants on a 400 × 10 regression.

use nalgebra::{DMatrix, DVector};
use parsimony_core::Error;
use parsimony_core::random::SplitMix64;
use parsimony_sbl::rvm::{RvmParams, rvm_fit};

/// R1: seed 20240601, X (400 × 10), y = 1.5x₂ − 2x₅ + 0.75x₇ + 0.05ε.
fn r1() -> (DMatrix<f64>, DVector<f64>) {
    let p = parsimony_sbl::generator::rvm_r1_problem();
    (p.a, p.y)
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn generator_checks() {
    let mut g = SplitMix64::new(42);
    let u: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
    assert_eq!(
        u,
        [0xbdd732262feb6e95, 0x28efe333b266f103, 0x47526757130f9f52]
    );
    let mut g = SplitMix64::new(42);
    let u = [g.uniform_open(), g.uniform_open(), g.uniform_open()];
    assert_eq!(
        u,
        [0.7415648787718234, 0.15991039287692016, 0.2786011302551387]
    );
    let mut g = SplitMix64::new(42);
    let z = [g.normal_open(), g.normal_open(), g.normal_open()];
    for (a, b) in z
        .iter()
        .zip([0.41471975043153037, -0.8918862136277568, 1.7295930879374035])
    {
        assert!((a - b).abs() < 1e-15);
    }
    let (x, y) = r1();
    assert!(rel(x.sum(), 65.33678406202017) < 1e-12);
    assert!(rel(y.sum(), -4.109340506215531) < 1e-12);
    assert_eq!(x[(0, 0)], -1.803004516519823);
    assert!(rel(y[0], 1.9657681606758048) < 1e-14);
}

fn check(
    fit: &parsimony_sbl::rvm::RvmFit,
    support: &[usize],
    w: &[f64],
    iterations: Option<usize>,
) {
    assert_eq!(fit.support, support);
    for (&j, &v) in support.iter().zip(w) {
        assert!(
            rel(fit.weights[j], v) < 1e-9,
            "w[{j}] = {:.12} vs {v}",
            fit.weights[j]
        );
    }
    if let Some(it) = iterations {
        assert_eq!(fit.info.iterations, it);
    }
}

#[test]
fn medida_preset() {
    let (x, y) = r1();
    let fit = rvm_fit(&x, &y, &RvmParams::medida_ks()).unwrap();
    check(
        &fit,
        &[2, 5, 7],
        &[1.499807906911, -2.001461642361, 0.746312725580],
        Some(3),
    );
    assert!(
        rel(fit.intercept, 1.353848e-3) < 1e-6,
        "intercept {}",
        fit.intercept
    );
    assert!(rel(fit.beta, 2.264180e3) < 1e-6, "beta {}", fit.beta);
    assert!(
        fit.info.converged && fit.info.stop_value < 0.1,
        "max |Δα| {}",
        fit.info.stop_value
    );
    // posterior std in original units is positive and small on the support
    assert!(fit.weight_std[2] > 0.0 && fit.weight_std[2] < 0.01);
}

#[test]
fn evidence_preset() {
    let (x, y) = r1();
    let fit = rvm_fit(&x, &y, &RvmParams::evidence()).unwrap();
    check(
        &fit,
        &[2, 5, 7, 8],
        &[
            1.499685796118,
            -2.001858658297,
            0.745910363696,
            0.004953809342,
        ],
        Some(12),
    );
}

#[test]
fn raw_space_default() {
    let (x, y) = r1();
    let fit = rvm_fit(&x, &y, &RvmParams::default()).unwrap();
    check(
        &fit,
        &[2, 5, 7, 8],
        &[
            1.499692219643,
            -2.001818192867,
            0.746002237570,
            0.005013281284,
        ],
        Some(44),
    );
    assert_eq!(fit.intercept, 0.0);
}

#[test]
fn bad_and_degenerate_input() {
    let (x, y) = r1();
    assert!(matches!(
        rvm_fit(&x, &DVector::zeros(399), &RvmParams::default()),
        Err(Error::DimensionMismatch { .. })
    ));
    let bad = RvmParams {
        alpha_threshold: 0.0,
        ..Default::default()
    };
    assert!(matches!(
        rvm_fit(&x, &y, &bad),
        Err(Error::InvalidParameter { .. })
    ));
    // constant target: an empty model with the mean as intercept
    let fit = rvm_fit(
        &x,
        &DVector::from_element(400, 3.0),
        &RvmParams::medida_ks(),
    )
    .unwrap();
    assert!(fit.support.is_empty());
    assert_eq!(fit.intercept, 3.0);
    // a constant column is never selected
    let mut xc = x.clone();
    xc.column_mut(2).fill(1.0);
    let fit = rvm_fit(&xc, &y, &RvmParams::medida_ks()).unwrap();
    assert!(!fit.support.contains(&2));
}

#[test]
fn fast_sequential_rvm() {
    use parsimony_sbl::rvm_fast::{FastRvmParams, rvm_fit_fast};
    let (x, y) = r1();
    let fit = rvm_fit_fast(&x, &y, &FastRvmParams::default()).unwrap();
    eprintln!(
        "fast: support {:?} w {:?} iterations {}",
        fit.support,
        fit.support
            .iter()
            .map(|&j| fit.weights[j])
            .collect::<Vec<_>>(),
        fit.info.iterations
    );
    assert!(
        fit.info.converged && fit.info.stop_value < 1e-6,
        "|Δ ln β| {}",
        fit.info.stop_value
    );
    check(
        &fit,
        &[2, 5, 7, 8],
        &[
            1.499685796114,
            -2.001858658310,
            0.745910363681,
            0.004953809520,
        ],
        None,
    );
}

/// A target of pure noise, and one orthogonal to every column: weights near 0 and σ̂² near the
/// target's variance. In the orthogonal case no column explains more than the initial noise, so
/// the first basis (the one that cannot be deleted) starts at SparseBayes's α and no change
/// increases L: the noise must still be re-estimated before the fit may stop (it used to stop
/// with the initial σ̂² = 0.01 var t). (With pure noise the number of bases kept depends on the
/// draw: a column enters whenever its correlation beats the noise.)
#[test]
fn fast_sequential_rvm_on_pure_noise() {
    for orthogonal in [false, true] {
        use parsimony_sbl::rvm_fast::{FastRvmParams, rvm_fit_fast};
        let mut rng = SplitMix64::new(11);
        let (n, p) = (200, 6);
        let x = DMatrix::from_fn(n, p, |_, _| rng.normal());
        let mut y = DVector::from_fn(n, |_, _| rng.normal());
        if orthogonal {
            // remove the columns' span (and the mean) from y: no column explains anything
            let mut basis = DMatrix::from_element(n, p + 1, 1.0);
            basis.view_mut((0, 1), (n, p)).copy_from(&x);
            let q = basis.qr().q();
            y -= &q * (q.transpose() * &y);
        }
        let fit = rvm_fit_fast(&x, &y, &FastRvmParams::default()).unwrap();
        eprintln!(
            "noise: support {:?} w {:?} iterations {} converged {}",
            fit.support,
            fit.support
                .iter()
                .map(|&j| fit.weights[j])
                .collect::<Vec<_>>(),
            fit.info.iterations,
            fit.info.converged
        );
        assert!(fit.info.converged);
        if orthogonal {
            assert_eq!(fit.support.len(), 1, "support {:?}", fit.support);
        }
        // σ̂² near the target's variance, weights within a few standard errors of 0
        let var_y = y.variance();
        assert!((fit.noise_variance / var_y - 1.0).abs() < 0.1);
        for &j in &fit.support {
            assert!(fit.weights[j].abs() < 4.0 / (n as f64).sqrt());
        }
    }
}

/// A noise-free target: β stops at SparseBayes's cap 1e6/var(t) instead of overflowing, and the
/// fit recovers the exact weights.
#[test]
fn fast_sequential_rvm_on_an_exact_target() {
    use parsimony_sbl::rvm_fast::{FastRvmParams, rvm_fit_fast};
    let mut rng = SplitMix64::new(5);
    let (n, p) = (100, 5);
    let x = DMatrix::from_fn(n, p, |_, _| rng.normal());
    let y = x.column(1) * 2.0 - x.column(3) * 0.5 + DVector::from_element(n, 0.25);
    let fit = rvm_fit_fast(&x, &y, &FastRvmParams::default()).unwrap();
    assert!(fit.info.converged);
    assert_eq!(fit.support, vec![1, 3]);
    assert!(fit.beta.is_finite() && fit.beta <= 1e6, "beta {}", fit.beta);
    assert!((fit.weights[1] - 2.0).abs() < 1e-4, "{}", fit.weights[1]);
    assert!((fit.weights[3] + 0.5).abs() < 1e-4, "{}", fit.weights[3]);
    assert!((fit.intercept - 0.25).abs() < 1e-4, "{}", fit.intercept);
}
