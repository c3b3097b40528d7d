//! The ARD-compatible mode against scikit-learn's stored output (tests/data, written by
//! bench/peers/make_sbl_reference.py with scikit-learn 1.9.1): RC7 of sbl.md (no intercept, two
//! tolerances) and R1 of medida.md (with intercept). Tolerances of the spec: 1e-8 absolute on
//! coef_, 1e-8 relative on alpha_, the same nonzero set and iteration count.

use parsimony_sbl::ard::{ArdParams, ard_regression};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("reference file")).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn compare(fit: &parsimony_sbl::ard::ArdFit, reference: &Value) {
    let coef = floats(&reference["coef_"]);
    let alpha = reference["alpha_"].as_f64().unwrap();
    assert_eq!(
        fit.info.iterations as u64,
        reference["n_iter_"].as_u64().unwrap()
    );
    assert!(
        (fit.beta / alpha - 1.0).abs() < 1e-8,
        "alpha {} vs {alpha}",
        fit.beta
    );
    let nonzero: Vec<u64> = (0..coef.len())
        .filter(|&j| fit.weights[j] != 0.0)
        .map(|j| j as u64)
        .collect();
    let expect: Vec<u64> = reference["nonzero"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(nonzero, expect);
    let worst = coef
        .iter()
        .zip(fit.weights.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f64, f64::max);
    assert!(worst < 1e-8, "max |coef − sklearn| = {worst:e}");
}

#[test]
fn rc7_both_fits_match_stored_sklearn_output() {
    let data = load("sbl_rc7_sklearn.json");
    let rc7 = parsimony_sbl::generator::rc7_problem();
    let (a, y) = (rc7.a, rc7.y);
    assert!((y.sum() - data["checks"]["sum_y"].as_f64().unwrap()).abs() < 1e-12);
    assert!((a.sum() - data["checks"]["sum_A"].as_f64().unwrap()).abs() < 1e-12);
    for fit_ref in data["fits"].as_array().unwrap() {
        let p = &fit_ref["params"];
        let params = ArdParams {
            max_iter: p["max_iter"].as_u64().unwrap() as usize,
            tol: p["tol"].as_f64().unwrap(),
            fit_intercept: false,
            ..Default::default()
        };
        compare(&ard_regression(&a, &y, &params).unwrap(), fit_ref);
    }
}

#[test]
fn r1_with_intercept_matches_stored_sklearn_output() {
    let data = load("rvm_r1_sklearn.json");
    let r1 = parsimony_sbl::generator::rvm_r1_problem();
    let (x, y) = (r1.a, r1.y);
    let fit = ard_regression(&x, &y, &ArdParams::default()).unwrap();
    compare(&fit, &data);
    let b = data["intercept_"].as_f64().unwrap();
    assert!(
        (fit.intercept - b).abs() < 1e-10,
        "intercept {} vs {b}",
        fit.intercept
    );
}
