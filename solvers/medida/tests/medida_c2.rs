//! MEDIDA reference case C2 of shared/specs/medida.md (CI-sized: L = 32π, N = 256).

use parsimony_medida::cnab2::Cnab2;
use parsimony_medida::ks::{Ks, KsParams, Nyquist};
use parsimony_medida::library::Term;
use parsimony_medida::model_error::{MedidaParams, MedidaProblem, Sample, Target};

const N: usize = 256;

/// Truth ETDRK4 (numpy Nyquist), dt = 1e-3, KT initial condition on the A1 grid; samples at
/// t = 100, 110, …, 190 with states at t − 0.010, t − 0.005, t.
fn c2_samples() -> (Vec<Sample>, Vec<f64>) {
    let params = KsParams {
        n: N,
        dt: 1e-3,
        nyquist: Nyquist::Negative,
        ..KsParams::default()
    };
    let mut ks = Ks::new(params.clone()).unwrap();
    let x: Vec<f64> = (0..N)
        .map(|j| 32.0 * std::f64::consts::PI * (j + 1) as f64 / N as f64)
        .collect();
    let u0: Vec<f64> = x
        .iter()
        .map(|&x| (x / 16.0).cos() * (1.0 + (x / 16.0).sin()))
        .collect();
    ks.set_state(&u0).unwrap();
    let mut samples = Vec::new();
    let mut at100 = Vec::new();
    let mut step = 0u64;
    for j in 0..10u64 {
        let target = 100_000 + 10_000 * j;
        ks.advance(target - 10 - step).unwrap();
        let a = ks.state();
        ks.advance(5).unwrap();
        let b = ks.state();
        ks.advance(5).unwrap();
        let c = ks.state();
        step = target;
        if j == 0 {
            at100 = c.clone();
        }
        samples.push(Sample {
            u_prev2: a,
            u_prev1: b,
            u_now: c,
        });
    }
    (samples, at100)
}

fn model(lambda: [f64; 3]) -> Cnab2 {
    Cnab2::new(KsParams {
        n: N,
        dt: 5e-3,
        nyquist: Nyquist::Negative,
        c1: lambda[0],
        c2: lambda[1],
        c3: lambda[2],
        ..KsParams::default()
    })
    .unwrap()
}

#[test]
fn c2_reference_case() {
    let (samples, u100) = c2_samples();
    // truth check at t = 100
    let ms = u100.iter().map(|v| v * v).sum::<f64>() / N as f64;
    assert!((ms - 1.395869328378).abs() < 1e-8, "mean(u²) {ms}");
    assert!((u100[0] + 1.233686851969).abs() < 1e-8, "u[0] {}", u100[0]);
    assert!(
        (u100[100] + 1.779220632386).abs() < 1e-8,
        "u[100] {}",
        u100[100]
    );

    let uux = Term::new(1, 1);
    let uxx = Term::new(0, 2);
    let cases: [(&str, [f64; 3], Term, f64, f64); 3] = [
        ("KS1", [0.0, 1.0, 1.0], uux, -0.972018, -1.000092),
        ("KS2", [1.0, 0.0, 1.0], uxx, -0.992627, -1.000070),
        ("KS7", [0.5, 1.0, 1.0], uux, -0.486008, -0.500045),
    ];
    for (name, lambda, term, plain, corrected) in cases {
        for (target, expected) in [
            (Target::Plain, plain),
            (Target::ResponseCorrected, corrected),
        ] {
            let medida = MedidaParams::new(target).build().unwrap();
            let fit = medida
                .solve(&MedidaProblem::new(model(lambda), &samples).unwrap())
                .unwrap();
            println!("{name} {target:?}: {}", fit.equation());
            assert!(fit.significant);
            assert_eq!(fit.support(), vec![term], "{name} {target:?}");
            let w = fit.coefficient(term);
            assert!(
                (w - expected).abs() <= 1e-5,
                "{name} {target:?}: {w} vs {expected}"
            );
        }
    }
    // the perfect model: no significant error (and not a dozen 1e-5 terms)
    let medida = MedidaParams::default().build().unwrap();
    let fit = medida
        .solve(&MedidaProblem::new(model([1.0, 1.0, 1.0]), &samples).unwrap())
        .unwrap();
    println!(
        "perfect: {} (std y {:.3e}, std tendency {:.3e})",
        fit.equation(),
        fit.target_std,
        fit.tendency_std
    );
    assert!(!fit.significant && fit.terms.is_empty());
}
