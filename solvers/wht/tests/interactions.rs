//! Möbius, Shapley and Banzhaf from a spectrum against brute force over all 2ⁿ masks
//! (n ≤ 10): the game v(S) = f(1_S) synthesised by the FWHT, Möbius by subset inversion,
//! Shapley by the permutation weights |S|!(n − |S| − 1)!/n!, Banzhaf by averaging.

use parsimony_wht::cases::{Amplitudes, sparse_spectrum, synthesise};
use parsimony_wht::interactions::{banzhaf, fourier_from_mobius, mobius, shapley};

fn factorial(k: usize) -> f64 {
    (1..=k).map(|v| v as f64).product()
}

#[test]
fn conversions_match_brute_force() {
    for n in [1, 2, 3, 5, 8, 10] {
        for seed in [1, 2, 3] {
            let k = (1usize << n).min(12);
            let spec = sparse_spectrum(n, k, seed, Amplitudes::Gaussian).unwrap();
            let v = synthesise(n, &spec).unwrap(); // v[mask] = f(mask)
            let big = 1usize << n;
            // Möbius: a(S) = Σ_{T ⊆ S} (−1)^{|S|−|T|} v(T), by the fast subset transform
            let mut a = v.clone();
            for i in 0..n {
                for s in 0..big {
                    if s >> i & 1 == 1 {
                        a[s] -= a[s ^ (1 << i)];
                    }
                }
            }
            let got = mobius(&spec, n).unwrap();
            let mut dense = vec![0.0; big];
            for (s, val) in &got {
                dense[*s as usize] = *val;
            }
            let scale = a.iter().fold(1.0f64, |m, x| m.max(x.abs()));
            for s in 0..big {
                assert!((dense[s] - a[s]).abs() < 1e-12 * scale, "n {n} S {s:b}");
            }
            // Shapley and Banzhaf over every coalition without i
            let phi = shapley(&spec, n).unwrap();
            let beta = banzhaf(&spec, n).unwrap();
            for i in 0..n {
                let (mut sh, mut bz) = (0.0, 0.0);
                for s in (0..big).filter(|s| s >> i & 1 == 0) {
                    let size = (s as u64).count_ones() as usize;
                    let w = factorial(size) * factorial(n - size - 1) / factorial(n);
                    let marginal = v[s | 1 << i] - v[s];
                    sh += w * marginal;
                    bz += marginal / (big / 2) as f64;
                }
                assert!((phi[i] - sh).abs() < 1e-12 * scale, "Shapley n {n} i {i}");
                assert!((beta[i] - bz).abs() < 1e-12 * scale, "Banzhaf n {n} i {i}");
            }
            // efficiency: Σ φᵢ = v(all) − v(∅)
            let total: f64 = phi.iter().sum();
            assert!((total - (v[big - 1] - v[0])).abs() < 1e-12 * scale);
        }
    }
}

#[test]
fn lower_orders_are_the_truncation() {
    let spec = sparse_spectrum(8, 20, 4, Amplitudes::PlusMinusOne).unwrap();
    let full = mobius(&spec, 8).unwrap();
    let two = mobius(&spec, 2).unwrap();
    let want: Vec<_> = full
        .into_iter()
        .filter(|(s, _)| s.count_ones() <= 2)
        .collect();
    assert_eq!(two, want);
    assert!(shapley(&spec, 7).is_err()); // an index with bit 7 does not fit in n = 7
}

#[test]
fn fourier_from_mobius_inverts_mobius() {
    for seed in 1..=5 {
        let spec = sparse_spectrum(9, 15, seed, Amplitudes::Gaussian).unwrap();
        let a = mobius(&spec, 9).unwrap();
        let back = fourier_from_mobius(&a).unwrap();
        let mut want = spec.clone();
        want.sort_by_key(|e| e.0);
        // cancellations leave rounding residues where X is 0
        let back: Vec<_> = back.into_iter().filter(|(_, v)| v.abs() > 1e-12).collect();
        assert_eq!(back.len(), want.len(), "seed {seed}");
        for ((k, v), (wk, wv)) in back.iter().zip(&want) {
            assert_eq!(k, wk);
            assert!((v - wv).abs() < 1e-12);
        }
    }
}
