//! Noisy MEDIDA at the paper's geometry (L = 100, N = 1024, n = 10 samples, 1 % observation
//! noise, stochastic EnKF with Nₑ = 10 240 = 10 N members, the PDE-FIND finite-difference
//! library as in the paper's code): the cases whose error does not involve the hyperdiffusion
//! (1, 2, 6, 7, 8, 12) are recovered with the exact support for three seeds each.

use parsimony_medida::cases::{TruthConfig, case};
use parsimony_medida::cnab2::Cnab2;
use parsimony_medida::library::{Derivatives, Library, Term};
use parsimony_medida::model_error::{MedidaParams, MedidaProblem, NoisyConfig, Target};

fn sorted(mut v: Vec<Term>) -> Vec<Term> {
    v.sort_by_key(|t| (t.derivative, t.power));
    v
}

#[test]
fn noisy_cases_without_hyperdiffusion_error_have_the_exact_support() {
    let cfg = TruthConfig::paper();
    let samples = cfg.generate().unwrap();
    let params = MedidaParams::new(Target::Plain)
        .library(Library::new(4, 4, Derivatives::FiniteDifference).unwrap());
    let conf = NoisyConfig::default();
    let mut worst: f64 = 0.0;
    for name in ["KS1", "KS2", "KS6", "KS7", "KS8", "KS12"] {
        let c = case(name).unwrap();
        let exact = c.exact_error();
        for seed in 0..3 {
            let model = Cnab2::new(cfg.model_params(c.lambda)).unwrap();
            let medida = params
                .clone()
                .noisy(NoisyConfig {
                    seed,
                    ..conf.clone()
                })
                .build()
                .unwrap();
            let fit = medida
                .solve(&MedidaProblem::new(model, &samples).unwrap())
                .unwrap();
            println!("{name} seed {seed}: {}", fit.equation());
            assert_eq!(
                sorted(fit.support()),
                sorted(exact.iter().map(|(t, _)| *t).collect()),
                "{name} seed {seed}"
            );
            for (t, w) in &exact {
                let rel = (fit.coefficient(*t) - w).abs() / w.abs();
                worst = worst.max(rel);
            }
        }
    }
    println!("largest relative coefficient error: {worst:.3}");
    // the spec reports 3–5 % bias for this setting, single-draw scatter ≈ ±0.06
    assert!(worst < 0.15, "{worst}");
}

/// Not in the paper: with the noisy model inputs, member perturbations and forecasts low-passed
/// to |k| ≤ 10 (`NoisyConfig::input_lowpass`; the CN step of a model without hyperdiffusion
/// has its pole at k = √(2/h) = 20) and the spectral library, the missing and the halved
/// hyperdiffusion (cases 3 and 9), which the released setting cannot find, are recovered with
/// the exact support on three seeds.
#[test]
fn input_lowpass_recovers_hyperdiffusion_errors() {
    let cfg = TruthConfig::paper();
    let samples = cfg.generate().unwrap();
    let conf = NoisyConfig {
        input_lowpass: Some(10.0),
        ..NoisyConfig::default()
    };
    let uxxxx = Term::new(0, 4);
    for (name, exact) in [("KS3", -1.0), ("KS9", -0.5)] {
        let c = case(name).unwrap();
        for seed in 0..3 {
            let model = Cnab2::new(cfg.model_params(c.lambda)).unwrap();
            let medida = MedidaParams::new(Target::Plain)
                .noisy(NoisyConfig {
                    seed,
                    ..conf.clone()
                })
                .build()
                .unwrap();
            let fit = medida
                .solve(&MedidaProblem::new(model, &samples).unwrap())
                .unwrap();
            println!("{name} seed {seed}: {}", fit.equation());
            assert_eq!(fit.support(), vec![uxxxx], "{name} seed {seed}");
            let w = fit.coefficient(uxxxx);
            assert!(
                (w - exact).abs() < 0.03 * exact.abs(),
                "{name} seed {seed}: {w}"
            );
        }
    }
}
