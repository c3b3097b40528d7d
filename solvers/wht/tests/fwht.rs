//! The fast transform against the definition (every n ≤ 12), the spec's reference cases
//! (`data/fwht_small.json`), Parseval, the involution H·H = N·I, f32 against f64, and the
//! threaded path against the serial one.

use parsimony_core::random::SplitMix64;
use parsimony_wht::fwht::{fwht_naive, sequency_to_natural};
use parsimony_wht::{Scaling, fwht, fwht_scaled, sequency_order};
use serde_json::Value;

fn data(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn random_signal(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..1usize << n).map(|_| rng.uniform() - 0.5).collect()
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

#[test]
fn equals_the_definition_for_every_n_up_to_12() {
    for n in 0..=12 {
        for seed in [1, 2] {
            let x = random_signal(n, 100 * n as u64 + seed);
            let naive = fwht_naive(&x).unwrap();
            let mut y = x.clone();
            fwht(&mut y).unwrap();
            assert!(max_rel(&y, &naive) < 1e-13, "n = {n}");
        }
    }
}

#[test]
fn the_spec_cases() {
    let d = data("fwht_small.json");
    for case in d["cases"].as_array().unwrap() {
        let x = floats(&case["x"]);
        let mut raw = x.clone();
        fwht(&mut raw).unwrap();
        assert_eq!(raw, floats(&case["unnormalised_Hx"]));
        if let Some(o) = case.get("orthonormal_Hx_over_sqrtN") {
            let mut y = x.clone();
            fwht_scaled(&mut y, Scaling::Orthonormal).unwrap();
            assert!(max_rel(&y, &floats(o)) < 1e-15);
        }
        let mut spec = x.clone();
        fwht_scaled(&mut spec, Scaling::Spectrum).unwrap();
        assert_eq!(spec, floats(&case["spectrum_Hx_over_N"]));
        let seq = sequency_order(&spec).unwrap();
        assert_eq!(
            seq,
            floats(&case["sequency_order_of_Hx_over_N (MATLAB-fwht default)"])
        );
        if let Some(perm) = case.get("sequency_perm") {
            let n = case["n"].as_u64().unwrap() as u32;
            for (s, k) in perm.as_array().unwrap().iter().enumerate() {
                assert_eq!(sequency_to_natural(s, n), k.as_u64().unwrap() as usize);
            }
        }
        if let Some(m) = case.get("matlab_doc_says") {
            assert_eq!(seq, floats(m));
        }
    }
    // a single Walsh function: X = e₅ synthesises x[m] = (−1)^⟨m,5⟩
    let tone = &d["single_tone"];
    let mut x = floats(&tone["x_m_for_m_0_to_7"]);
    fwht_scaled(&mut x, Scaling::Spectrum).unwrap();
    let mut e5 = vec![0.0; 8];
    e5[5] = 1.0;
    assert_eq!(x, e5);
    // n = 16 from the portable stream (uniform on (0, 1), minus ½)
    let c = &d["n16_check"];
    let mut rng = SplitMix64::new(2024);
    let mut x: Vec<f64> = (0..1 << 16).map(|_| rng.uniform_open() - 0.5).collect();
    // (serde_json's float parsing may differ from the shortest round trip in the last bit)
    for (a, b) in x.iter().zip(floats(&c["x_first4"])) {
        assert!((a - b).abs() < 1e-16, "{a} {b}");
    }
    let sum_sq: f64 = x.iter().map(|v| v * v).sum();
    fwht(&mut x).unwrap();
    for (k, v) in c["Hx_at"].as_object().unwrap() {
        let k: usize = k.parse().unwrap();
        let want = v.as_f64().unwrap();
        assert!((x[k] - want).abs() < 1e-11 * want.abs(), "Hx[{k}]");
    }
    let parseval: f64 = x.iter().map(|v| v * v).sum::<f64>() / 65536.0;
    assert!((parseval - sum_sq).abs() < 1e-10 * sum_sq);
    assert!((sum_sq - c["sum_sq_x"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn parseval_and_involution() {
    for n in [1, 5, 11, 12, 13, 15, 18] {
        let x = random_signal(n, 7 + n as u64);
        let mut y = x.clone();
        fwht_scaled(&mut y, Scaling::Orthonormal).unwrap();
        let ex: f64 = x.iter().map(|v| v * v).sum();
        let ey: f64 = y.iter().map(|v| v * v).sum();
        assert!((ex - ey).abs() < 1e-12 * ex, "n = {n}");
        // H·H = N·I: the raw transform twice is N·x
        let mut z = x.clone();
        fwht(&mut z).unwrap();
        fwht(&mut z).unwrap();
        let nn = (1usize << n) as f64;
        let back: Vec<f64> = z.iter().map(|v| v / nn).collect();
        assert!(max_rel(&back, &x) < 1e-13, "n = {n}");
    }
}

/// Up to n = 22 the blocked transform is checked against a plain radix-2 loop (the
/// definition is O(N²)), so panel passes of every height (1 to 9 levels, one and two passes) run.
#[test]
fn blocked_equals_textbook_radix2_beyond_the_block() {
    for n in (11..=20).chain([22]) {
        let x = random_signal(n, 40 + n as u64);
        let mut want = x.clone();
        let mut h = 1;
        while h < want.len() {
            for chunk in want.chunks_mut(2 * h) {
                let (lo, hi) = chunk.split_at_mut(h);
                for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
                    (*a, *b) = (*a + *b, *a - *b);
                }
            }
            h *= 2;
        }
        for threads in [1, 2] {
            let mut y = x.clone();
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fwht(&mut y).unwrap());
            // the same additions in a different order
            assert!(max_rel(&y, &want) < 1e-13, "n = {n}, {threads} threads");
        }
    }
}

#[test]
fn f32_within_1e5_of_f64() {
    for n in [3, 10, 14, 17] {
        let x = random_signal(n, 90 + n as u64);
        let mut y64 = x.clone();
        fwht(&mut y64).unwrap();
        let mut y32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        fwht(&mut y32).unwrap();
        let back: Vec<f64> = y32.iter().map(|&v| v as f64).collect();
        // relative to the largest coefficient (single precision, log₂N rounding steps)
        assert!(max_rel(&back, &y64) < 1e-5, "n = {n}");
    }
}

#[test]
fn lengths_that_are_not_powers_of_two_are_errors() {
    for len in [0, 3, 6, 1000] {
        let mut x = vec![1.0; len];
        let e = fwht(&mut x).unwrap_err().to_string();
        assert!(e.contains("power of two"), "{e}");
    }
    assert!(sequency_order(&[1.0; 3]).is_err());
}
