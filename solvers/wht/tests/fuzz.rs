//! The decoder fuzzed with arbitrary oracles (proptest): whatever the values — sparse, dense,
//! noise, constant, huge, tiny, signed zeros — and whatever the design, a recovery ends with
//! `Ok` (finite coefficients, rounds within the cap, every index below 2ⁿ) or a typed error;
//! never a panic, never an endless loop.

use parsimony_core::random::{SplitMix64, mix64};
use parsimony_wht::{BitIndex, FnOracle, Mode, SprightParams, Wide};
use proptest::prelude::*;

/// A value of the fuzzed signal at index hash h, by kind.
fn value(kind: u8, h: u64, scale: f64) -> f64 {
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    // dense noise, constant, spiky, signed zeros, ±scale, tiny, zero
    match kind % 7 {
        0 => scale * (u - 0.5),
        1 => scale,
        2 if h.is_multiple_of(17) => scale,
        3 if h & 1 == 1 => -0.0,
        4 => scale * if u < 0.5 { 1.0 } else { -1.0 },
        5 => (u - 0.5) * 1e-300,
        _ => 0.0,
    }
}

fn mode_of(m: u8, t: usize, chains: usize) -> Mode {
    match m % 3 {
        0 => Mode::Noiseless,
        1 => Mode::Robust {
            chains: Some(chains),
        },
        _ => Mode::LowDegree { t },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn any_oracle_any_design_ends_cleanly(
        n in 1usize..=14,
        k in 1usize..=40,
        kind in 0u8..7,
        scale in prop_oneof![Just(1.0), Just(1e-8), Just(1e8), Just(1e150), Just(1e200), Just(1e307)],
        mode in 0u8..3,
        t in 1usize..=3,
        chains in 1usize..=3,
        seed in any::<u64>(),
        sparse in any::<bool>(),
        rounds in 1usize..=20,
    ) {
        // half the signals are a sparse spectrum (so peeling has work), half arbitrary values
        let mut rng = SplitMix64::new(seed);
        let spec: Vec<(u64, f64)> = (0..k.min(8))
            .map(|_| (rng.next_u64() >> (64 - n), scale * (rng.uniform() - 0.5)))
            .collect();
        let f = |m: u64| {
            if sparse {
                spec.iter().map(|&(kk, a)| if m.dot(kk) { -a } else { a }).sum::<f64>()
                    + value(kind, mix64(m ^ seed), scale) * 1e-3
            } else {
                value(kind, mix64(m ^ seed), scale)
            }
        };
        let mut oracle = FnOracle::new(n, f).unwrap();
        let prm = SprightParams::new(k).mode(mode_of(mode, t, chains)).seed(seed).max_rounds(rounds);
        if let Ok(s) = prm.build() {
            match s.recover(&mut oracle) {
                Ok(sol) => {
                    prop_assert!(sol.info.iterations <= rounds);
                    for (idx, a) in &sol.coefficients {
                        prop_assert!(a.is_finite(), "{a}");
                        prop_assert!(*idx < 1u64 << n);
                    }
                    prop_assert!(sol.report.noise_sd.is_finite());
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn wide_low_degree_ends_cleanly(
        n in 64usize..=255,
        kind in 0u8..7,
        seed in any::<u64>(),
        t in 1usize..=4,
    ) {
        let f = |m: Wide<4>| value(kind, m.hash64() ^ seed, 1.0);
        let mut oracle = FnOracle::new(n, f).unwrap();
        let s = SprightParams::new(16).mode(Mode::LowDegree { t }).seed(seed).build().unwrap();
        match s.recover(&mut oracle) {
            Ok(sol) => {
                for (idx, a) in &sol.coefficients {
                    prop_assert!(a.is_finite());
                    prop_assert!(idx.ones().last().is_none_or(|&i| i < n));
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
