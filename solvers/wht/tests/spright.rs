//! SPRIGHT against the spec's reference cases (`data/*.json`: bin values, exact recoveries,
//! exact query counts, the stopping set), against random sparse spectra (noiseless: every
//! seed exact; 10 dB: support and NMSE), and the low-degree mode at n = 200.

use parsimony_core::random::{SplitMix64, mix64};
use parsimony_core::solve::Status;
use parsimony_wht::cases::{
    Amplitudes, evaluate, low_degree_spectrum, noise, sigma_for_snr, sparse_spectrum, synthesise,
};
use parsimony_wht::design::subsample;
use parsimony_wht::{BitIndex, FnOracle, Mode, SliceOracle, SprightParams, Wide};
use serde_json::Value;

fn data(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn spectrum_of(v: &Value) -> Vec<(u64, f64)> {
    let mut s: Vec<(u64, f64)> = v
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, a)| (k.parse().unwrap(), a.as_f64().unwrap()))
        .collect();
    s.sort_by_key(|e| e.0);
    s
}

fn windows_of(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w.as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_u64().unwrap() as usize)
                .collect()
        })
        .collect()
}

#[test]
fn generators_match_the_spec_vectors() {
    let d = data("rng_vectors.json");
    let mut rng = SplitMix64::new(1);
    for v in d["splitmix64_seed1_first5"].as_array().unwrap() {
        assert_eq!(rng.next_u64(), v.as_str().unwrap().parse::<u64>().unwrap());
    }
    assert_eq!(
        mix64(0),
        d["mix64_of_0"].as_str().unwrap().parse::<u64>().unwrap()
    );
    for (m, v) in d["portable_noise_seed77_sd1_m0to4"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert!((noise(77, m as u64, 1.0) - v.as_f64().unwrap()).abs() < 1e-15);
    }
}

#[test]
fn bins_of_the_aliasing_case() {
    let d = data("aliasing_n6.json");
    let x = synthesise(6, &spectrum_of(&d["X"])).unwrap();
    let wins = windows_of(&d["groups_bit_positions"]);
    let mut oracle = SliceOracle::new(&x).unwrap();
    for e in d["expected"].as_array().unwrap() {
        let g = e["group"].as_u64().unwrap() as usize;
        let off = e["d"].as_u64().unwrap();
        let cols: Vec<u64> = wins[g].iter().map(|&s| 1u64 << s).collect();
        let (idx, u) = subsample(&mut oracle, &cols, off).unwrap();
        let want_idx: Vec<u64> = e["sample_indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(idx, want_idx, "group {g}, d {off}");
        for (a, b) in u.iter().zip(e["U"].as_array().unwrap()) {
            assert!(
                (a - b.as_f64().unwrap()).abs() < 1e-12,
                "group {g}, d {off}"
            );
        }
    }
}

#[test]
fn tiny_n8_recovered_with_the_exact_query_counts() {
    let d = data("tiny_n8.json");
    let truth = spectrum_of(&d["X"]);
    let x = synthesise(8, &truth).unwrap();
    for (m, v) in d["x_first8"].as_array().unwrap().iter().enumerate() {
        assert_eq!(x[m], v.as_f64().unwrap());
    }
    let sol = SprightParams::new(truth.len())
        .windows(windows_of(&d["groups_bit_positions"]))
        .build()
        .unwrap()
        .recover(&mut SliceOracle::new(&x).unwrap())
        .unwrap();
    let want = spectrum_of(&d["expected_recovered"]);
    assert_eq!(sol.coefficients.len(), want.len());
    for ((k, a), (wk, wa)) in sol.coefficients.iter().zip(&want) {
        assert_eq!(k, wk);
        assert!((a - wa).abs() < 1e-12);
    }
    assert_eq!(sol.report.queries, d["queries"].as_u64().unwrap() as usize);
    assert_eq!(
        sol.report.distinct_samples,
        d["distinct_samples"].as_u64().unwrap() as usize
    );
    assert_eq!(sol.report.offsets, 6);
    assert_eq!(sol.report.unresolved_bins, 0);
    assert_eq!(sol.info.status, Status::Converged);
}

#[test]
fn the_stopping_set_terminates_and_reports_its_bins() {
    let d = data("stopping_set_n6.json");
    let x = synthesise(6, &spectrum_of(&d["X"])).unwrap();
    let sol = SprightParams::new(4)
        .windows(windows_of(&d["groups_bit_positions"]))
        .build()
        .unwrap()
        .recover(&mut SliceOracle::new(&x).unwrap())
        .unwrap();
    assert!(sol.coefficients.is_empty(), "{:?}", sol.coefficients);
    assert_eq!(
        sol.report.unresolved_bins,
        d["expected"]["unresolved_nonzero_bins"].as_u64().unwrap() as usize
    );
    assert_eq!(sol.info.status, Status::Stalled);
    assert!(!sol.info.converged);
}

#[test]
fn n20_k50_reference_case() {
    let d = data("n20_k50_pm1_noiseless.json");
    let truth = sparse_spectrum(20, 50, 1, Amplitudes::PlusMinusOne).unwrap();
    for ((k, a), (wk, wa)) in truth.iter().zip(
        d["locs"]
            .as_array()
            .unwrap()
            .iter()
            .zip(d["amps"].as_array().unwrap()),
    ) {
        assert_eq!(*k, wk.as_u64().unwrap());
        assert_eq!(*a, wa.as_f64().unwrap());
    }
    let x = synthesise(20, &truth).unwrap();
    for (m, v) in d["x_at"].as_object().unwrap() {
        assert_eq!(x[m.parse::<usize>().unwrap()], v.as_f64().unwrap());
    }
    let sol = SprightParams::new(50)
        .build()
        .unwrap()
        .recover(&mut SliceOracle::new(&x).unwrap())
        .unwrap();
    // the default design is the reference's: b = 6, C = 4 circular windows
    assert_eq!((sol.report.bins_log2, sol.report.groups), (6, 4));
    let e = &d["expected"];
    assert_eq!(
        sol.report.queries,
        e["queries_C_P_B"].as_u64().unwrap() as usize
    );
    assert_eq!(
        sol.report.distinct_samples,
        e["distinct_samples"].as_u64().unwrap() as usize
    );
    let mut sorted = truth.clone();
    sorted.sort_by_key(|e| e.0);
    assert_eq!(sol.coefficients.len(), 50);
    for ((k, a), (wk, wa)) in sol.coefficients.iter().zip(&sorted) {
        assert_eq!(k, wk);
        assert!((a - wa).abs() <= 1e-9);
    }
    assert!(sol.info.converged);
}

/// 100 seeds of ±1 and 100 of Gaussian amplitudes, n = 20, K = 50: all exact.
#[test]
fn random_spectra_noiseless_every_seed_exact() {
    for amps in [Amplitudes::PlusMinusOne, Amplitudes::Gaussian] {
        for seed in 1..=100 {
            let truth = sparse_spectrum(20, 50, seed, amps).unwrap();
            let mut oracle = FnOracle::new(20, |m: u64| evaluate(&truth, m)).unwrap();
            let sol = SprightParams::new(50)
                .seed(seed)
                .build()
                .unwrap()
                .recover(&mut oracle)
                .unwrap();
            let mut sorted = truth.clone();
            sorted.sort_by_key(|e| e.0);
            let ok = sol.coefficients.len() == 50
                && sol
                    .coefficients
                    .iter()
                    .zip(&sorted)
                    .all(|((k, a), (wk, wa))| {
                        k == wk && (a - wa).abs() <= 1e-9 * wa.abs().max(1.0)
                    });
            assert!(
                ok,
                "{amps:?} seed {seed}: {} found, {:?}",
                sol.coefficients.len(),
                sol.report
            );
            assert!(sol.info.converged);
        }
    }
}

/// NMSE ‖X̂ − X‖² / ‖X‖² over the union of supports, and whether the supports agree.
fn score(found: &[(u64, f64)], truth: &[(u64, f64)]) -> (bool, f64) {
    let mut t = truth.to_vec();
    t.sort_by_key(|e| e.0);
    let same = found.len() == t.len() && found.iter().zip(&t).all(|(a, b)| a.0 == b.0);
    let mut err = 0.0;
    for &(k, a) in &t {
        let f = found.iter().find(|e| e.0 == k).map_or(0.0, |e| e.1);
        err += (f - a).powi(2);
    }
    for &(k, f) in found {
        if !t.iter().any(|e| e.0 == k) {
            err += f * f;
        }
    }
    let power: f64 = t.iter().map(|e| e.1 * e.1).sum();
    (same, err / power)
}

/// 10 dB total SNR, n = 20, K = 50 (±1), noise a fixed function of the index: ≥ 18 of 20
/// seeds give the exact support, median NMSE ≤ 3e-3, at most 2.5 % of N sampled.
#[test]
fn ten_db_support_and_nmse() {
    let n = 20;
    let mut exact = 0;
    let mut nmse = Vec::new();
    for seed in 1..=20u64 {
        let truth = sparse_spectrum(n, 50, seed, Amplitudes::PlusMinusOne).unwrap();
        let sigma = sigma_for_snr(&truth, 10.0);
        let mut oracle = FnOracle::new(n, |m: u64| {
            evaluate(&truth, m) + noise(1000 + seed, m, sigma)
        })
        .unwrap();
        let sol = SprightParams::new(50)
            .mode(Mode::Robust { chains: None })
            .snr_db(10.0)
            .seed(seed)
            .build()
            .unwrap()
            .recover(&mut oracle)
            .unwrap();
        assert!(
            sol.report.distinct_samples as f64 <= 0.025 * (1u64 << n) as f64,
            "{:?}",
            sol.report
        );
        let (same, e) = score(&sol.coefficients, &truth);
        eprintln!(
            "seed {seed}: support {same}, NMSE {e:.2e}, {} found, {:?}",
            sol.coefficients.len(),
            sol.report
        );
        // σ estimated from the bins left after peeling
        assert!((sol.report.noise_sd / sigma - 1.0).abs() < 0.1, "{sigma}");
        exact += usize::from(same);
        nmse.push(e);
    }
    nmse.sort_by(f64::total_cmp);
    let median = 0.5 * (nmse[9] + nmse[10]);
    eprintln!("exact supports {exact}/20, median NMSE {median:.2e}");
    assert!(exact >= 18, "{exact}");
    assert!(median <= 3e-3, "{median}");
}

/// Low-degree mode: n = 200 bits, interactions of order ≤ 3, K = 50, through a closure over
/// 256-bit indices: exact with ≤ 10⁵ queries.
#[test]
fn low_degree_n200() {
    for seed in 1..=5 {
        let truth: Vec<(Wide<4>, f64)> =
            low_degree_spectrum(200, 3, 50, seed, Amplitudes::PlusMinusOne).unwrap();
        let mut oracle = FnOracle::new(200, |m: Wide<4>| evaluate(&truth, m)).unwrap();
        let sol = SprightParams::new(50)
            .mode(Mode::LowDegree { t: 3 })
            .seed(seed)
            .build()
            .unwrap()
            .recover(&mut oracle)
            .unwrap();
        let mut sorted = truth.clone();
        sorted.sort_by_key(|e| e.0);
        assert_eq!(sol.coefficients.len(), 50, "seed {seed}: {:?}", sol.report);
        for ((k, a), (wk, wa)) in sol.coefficients.iter().zip(&sorted) {
            assert_eq!(k, wk);
            assert!((a - wa).abs() < 1e-9);
            assert!(k.weight() <= 3);
        }
        assert!(sol.report.queries <= 100_000, "{:?}", sol.report);
        eprintln!("low degree seed {seed}: {:?}", sol.report);
    }
}

/// The decoder is scale-free: the n = 20 reference spectrum times 1e200 or 1e-200 (squares
/// beyond the range of doubles) comes back exact, times the same factor.
#[test]
fn amplitudes_of_any_scale() {
    let truth = sparse_spectrum(20, 50, 1, Amplitudes::PlusMinusOne).unwrap();
    for scale in [1e200, 1e-200] {
        let spec: Vec<(u64, f64)> = truth.iter().map(|&(k, a)| (k, a * scale)).collect();
        let mut oracle = FnOracle::new(20, |m: u64| evaluate(&spec, m)).unwrap();
        let sol = SprightParams::new(50)
            .build()
            .unwrap()
            .recover(&mut oracle)
            .unwrap();
        let mut sorted = spec.clone();
        sorted.sort_by_key(|e| e.0);
        assert_eq!(sol.coefficients.len(), 50, "{scale:e}");
        for ((k, a), (wk, wa)) in sol.coefficients.iter().zip(&sorted) {
            assert_eq!(k, wk);
            assert!((a - wa).abs() <= 1e-12 * scale, "{scale:e}");
        }
    }
}

/// An observer sees one report per peeling round and can stop the recovery.
#[test]
fn the_observer_sees_rounds_and_can_stop() {
    let truth = sparse_spectrum(12, 10, 5, Amplitudes::PlusMinusOne).unwrap();
    let mut oracle = FnOracle::new(12, |m: u64| evaluate(&truth, m)).unwrap();
    let s = SprightParams::new(10).build().unwrap();
    let mut rounds = Vec::new();
    let sol = s
        .recover_observed(&mut oracle, &mut |i: &parsimony_core::solve::IterInfo| {
            rounds.push((i.iteration, i.cost));
        })
        .unwrap();
    assert_eq!(rounds.len(), sol.report.rounds);
    assert_eq!(rounds.last().unwrap().1, 10.0); // coefficients found
    let stopped = s
        .recover_observed(&mut oracle, &mut |_: &parsimony_core::solve::IterInfo| {
            false
        })
        .unwrap();
    assert_eq!(stopped.info.status, Status::StoppedByObserver);
    assert_eq!(stopped.report.rounds, 1);
}

/// A denser design, B = 64 bins per group for K = 100 (K/B = 1.56, within the peeling
/// threshold of C = 4 groups, 3.1), at n = 24: exact in 50 of 50 seeds with half the queries
/// of the default b = ⌈log₂K⌉ = 7.
#[test]
fn denser_design_k100_b6() {
    for seed in 1..=50u64 {
        let mut truth = sparse_spectrum(24, 100, seed, Amplitudes::PlusMinusOne).unwrap();
        let mut oracle = FnOracle::new(24, |m: u64| evaluate(&truth, m)).unwrap();
        let sol = SprightParams::new(100)
            .bins_log2(6)
            .seed(seed)
            .build()
            .unwrap()
            .recover(&mut oracle)
            .unwrap();
        truth.sort_by_key(|e| e.0);
        assert_eq!(sol.report.queries, 4 * 19 * 64, "seed {seed}");
        assert_eq!(sol.coefficients.len(), 100, "seed {seed}: {:?}", sol.report);
        for ((k, a), (wk, wa)) in sol.coefficients.iter().zip(&truth) {
            assert_eq!(k, wk);
            assert!((a - wa).abs() < 1e-9);
        }
    }
}
