//! The shared reference signals (the WHT spec's portable generators): sparse spectra drawn
//! from SplitMix64, the signal they synthesise, and noise that is a fixed function of the
//! index (re-reading x\[m\] returns the same noisy value).

use crate::bits::BitIndex;
use crate::fwht::fwht;
use parsimony_core::random::{SplitMix64, portable_noise};
use parsimony_core::{Error, Result, memory};

/// How the amplitudes are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amplitudes {
    /// ±1 from the top bit of the next draw (0 → +1).
    PlusMinusOne,
    /// N(0, 1) by Box–Muller (cos branch, two open-interval uniforms per value).
    Gaussian,
}

/// K distinct indices of n bits (draws `next_u64() >> (64 − n)`, kept in draw order), then
/// their amplitudes in the same order. Errors: n not in 1..=63, K > 2ⁿ.
pub fn sparse_spectrum(n: usize, k: usize, seed: u64, amps: Amplitudes) -> Result<Vec<(u64, f64)>> {
    crate::oracle::check_bits::<u64>(n)?;
    if (k as u128) > 1u128 << n {
        return Err(Error::invalid(
            "k",
            format!("{k} coefficients do not fit in 2^{n}"),
        ));
    }
    memory::check_elements::<(u64, f64)>("k", k)?;
    let mut rng = SplitMix64::new(seed);
    let mut seen = std::collections::HashSet::with_capacity(k);
    let mut locs = Vec::with_capacity(k);
    while locs.len() < k {
        let m = rng.next_u64() >> (64 - n);
        if seen.insert(m) {
            locs.push(m);
        }
    }
    Ok(locs
        .into_iter()
        .map(|m| {
            let a = match amps {
                Amplitudes::PlusMinusOne => {
                    if rng.next_u64() >> 63 == 0 {
                        1.0
                    } else {
                        -1.0
                    }
                }
                Amplitudes::Gaussian => rng.normal_open(),
            };
            (m, a)
        })
        .collect())
}

/// K coefficients on indices of n bits with Hamming weight 1 … t (weight uniform, then the
/// bits uniform), amplitudes as [`Amplitudes`]: a sparse low-order interaction model (an
/// epistatic fitness landscape). Errors: t = 0, t > n, or fewer such indices than K.
pub fn low_degree_spectrum<I: BitIndex>(
    n: usize,
    t: usize,
    k: usize,
    seed: u64,
    amps: Amplitudes,
) -> Result<Vec<(I, f64)>> {
    crate::oracle::check_bits::<I>(n)?;
    if t == 0 || t > n {
        return Err(Error::invalid("t", format!("must be in 1..={n}, got {t}")));
    }
    if n < 20 && k >= 1 << n {
        return Err(Error::invalid("k", format!("{k} is too many for n = {n}")));
    }
    let mut rng = SplitMix64::new(seed);
    let mut seen = std::collections::HashSet::with_capacity(k);
    let mut out = Vec::with_capacity(k);
    let mut tries = 0usize;
    while out.len() < k {
        tries += 1;
        if tries > 1000 * k.max(1) {
            return Err(Error::invalid(
                "k",
                format!("could not draw {k} distinct indices"),
            ));
        }
        let w = 1 + (rng.next_u64() % t as u64) as usize;
        let ones = rng.choose(n, w)?;
        let idx = I::from_ones(&ones);
        if !seen.insert(idx) {
            continue;
        }
        let a = match amps {
            Amplitudes::PlusMinusOne => {
                if rng.next_u64() >> 63 == 0 {
                    1.0
                } else {
                    -1.0
                }
            }
            Amplitudes::Gaussian => rng.normal_open(),
        };
        out.push((idx, a));
    }
    Ok(out)
}

/// x\[m\] = Σₖ X[k](−1)^⟨m,k⟩ for all m < 2ⁿ (one raw FWHT of the dense spectrum). Errors:
/// n beyond the memory budget, an index ≥ 2ⁿ.
pub fn synthesise(n: usize, spectrum: &[(u64, f64)]) -> Result<Vec<f64>> {
    crate::oracle::check_bits::<u64>(n)?;
    let len = 1usize << n;
    memory::check_elements::<f64>("2^n samples", len)?;
    let mut x = vec![0.0; len];
    for &(k, a) in spectrum {
        let slot = x
            .get_mut(k as usize)
            .ok_or_else(|| Error::invalid("spectrum", format!("index {k} ≥ 2^{n}")))?;
        *slot += a;
    }
    fwht(&mut x)?;
    Ok(x)
}

/// x\[m\] from the sparse sum (O(K) per index).
pub fn evaluate<I: BitIndex>(spectrum: &[(I, f64)], m: I) -> f64 {
    spectrum
        .iter()
        .map(|&(k, a)| if m.dot(k) { -a } else { a })
        .sum()
}

/// The noise σ·w(m) of the reference cases (a fixed function of the index and the seed).
pub fn noise(seed: u64, m: u64, sigma: f64) -> f64 {
    portable_noise(seed, m, sigma)
}

/// σ for a total SNR Σ X² / σ² of `snr_db` decibels.
pub fn sigma_for_snr(spectrum: &[(u64, f64)], snr_db: f64) -> f64 {
    let power: f64 = spectrum.iter().map(|(_, a)| a * a).sum();
    (power / 10f64.powf(snr_db / 10.0)).sqrt()
}
