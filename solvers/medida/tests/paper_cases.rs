//! The 15 noise-free model-error cases of the MEDIDA paper's code at the paper's geometry
//! (L = 100, N = 1024, truth ETDRK4 dt = 1e-3, CNAB2 model h = 5e-3, n = 10 samples from
//! t = 100): exact support for every case, with the plain and the response-corrected target.

use parsimony_medida::cases::{TruthConfig, paper_cases};
use parsimony_medida::cnab2::Cnab2;
use parsimony_medida::library::Term;
use parsimony_medida::model_error::{MedidaParams, MedidaProblem, Target};

fn sorted(mut v: Vec<Term>) -> Vec<Term> {
    v.sort_by_key(|t| (t.derivative, t.power));
    v
}

#[test]
fn all_fifteen_cases_have_the_exact_support() {
    let cfg = TruthConfig::paper();
    let samples = cfg.generate().unwrap();
    let mut worst_plain: f64 = 0.0;
    let mut worst_corrected: f64 = 0.0;
    for case in paper_cases() {
        let exact = case.exact_error();
        let support = sorted(exact.iter().map(|(t, _)| *t).collect());
        for target in [Target::Plain, Target::ResponseCorrected] {
            let model = Cnab2::new(cfg.model_params(case.lambda)).unwrap();
            let fit = MedidaParams::new(target)
                .build()
                .unwrap()
                .solve(&MedidaProblem::new(model, &samples).unwrap())
                .unwrap();
            println!("{:8} {target:?}: {}", case.name, fit.equation());
            assert!(fit.significant, "{} {target:?}", case.name);
            assert_eq!(sorted(fit.support()), support, "{} {target:?}", case.name);
            let err = exact
                .iter()
                .map(|(t, w)| (fit.coefficient(*t) - w).abs())
                .fold(0.0, f64::max);
            // KS11 (model c₃ = 2, "might need revisiting" in the paper's code) is the stiffest:
            // its model filters the missing u_xx forcing hardest
            let ks11 = case.name == "KS11";
            match target {
                Target::Plain => {
                    assert!(err < if ks11 { 0.2 } else { 0.06 }, "{}: {err}", case.name);
                    worst_plain = worst_plain.max(err);
                }
                Target::ResponseCorrected => {
                    assert!(err < if ks11 { 6e-3 } else { 1e-3 }, "{}: {err}", case.name);
                    worst_corrected = worst_corrected.max(err);
                }
            }
        }
    }
    println!("max |coefficient error|: plain {worst_plain:.2e}, corrected {worst_corrected:.2e}");
}
