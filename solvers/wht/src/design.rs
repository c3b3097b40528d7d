//! SPRIGHT's sampling design: C groups, each a hash M_c (b columns of n bits) and P offsets.
//! Group c reads x at m = M_c l ⊕ d for l < B = 2ᵇ and every offset d, and the B-point
//! transform of those samples (÷ B) gives, in bin j,
//!
//! ```text
//! U_{c,d}[j] = Σ_{k : M_cᵀ k = j} X[k] (−1)^⟨d,k⟩   (+ noise of variance σ²/B).
//! ```
//!
//! Bit-selector groups (noiseless and robust modes) take the columns e_s for s in a window of
//! b bits, S_c = {(a_c + t) mod n : t < b}, a_c = ⌊c·n/C + ½⌋, C = max(3, ⌈n/b⌉): bin j then
//! *is* the bits of k on S_c, and the windows cover every bit (two indices that differ only
//! in an uncovered bit would share a bin in every group). Their offsets probe the other bits:
//! 0 and e_i (noiseless, P = n − b + 1), or, per chain, a random base r and r ⊕ e_i (robust,
//! P = chains·(n − b + 1)). The low-degree mode takes random dense columns (indices of low
//! weight would all fall in bin 0 of a window) and the offsets 0 and the rows of a BCH
//! parity-check matrix ([`crate::bch`]): a single-ton's sign pattern is then the BCH syndrome
//! of its index, decoded for weight ≤ t.

use crate::bch::Bch;
use crate::bits::BitIndex;
use parsimony_core::random::SplitMix64;
use parsimony_core::{Error, Result};

/// What an offset probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// The base of chain `chain` (the zero offset in the noiseless and low-degree modes).
    Base { chain: usize },
    /// The base of chain `chain` with bit `bit` flipped.
    Bit { chain: usize, bit: usize },
    /// Row `row` of the BCH parity-check matrix.
    Row { row: usize },
}

/// One group: its hash columns, window (bit-selector groups) and offsets.
#[derive(Clone, Debug)]
pub(crate) struct Group<I> {
    pub cols: Vec<I>,
    pub window: Option<Vec<usize>>,
    pub offsets: Vec<I>,
    pub probes: Vec<Probe>,
}

impl<I: BitIndex> Group<I> {
    /// The bin of index k: bit t is ⟨M_c\[:, t\], k⟩.
    #[inline]
    pub fn bin(&self, k: I) -> usize {
        match &self.window {
            Some(w) => w
                .iter()
                .enumerate()
                .fold(0, |j, (t, &s)| j | (usize::from(k.bit(s)) << t)),
            None => self
                .cols
                .iter()
                .enumerate()
                .fold(0, |j, (t, &c)| j | (usize::from(c.dot(k)) << t)),
        }
    }

    /// The sign (−1)^⟨d_p, k⟩ of every offset, into `out`.
    #[inline]
    pub fn signature(&self, k: I, out: &mut [f64]) {
        for (o, d) in out.iter_mut().zip(&self.offsets) {
            *o = if d.dot(k) { -1.0 } else { 1.0 };
        }
    }
}

/// The circular windows of b bits for C groups over n bits.
pub(crate) fn windows(n: usize, b: usize, c: usize) -> Vec<Vec<usize>> {
    (0..c)
        .map(|g| {
            let a = (g * n + c / 2) / c; // ⌊g·n/C + ½⌋
            (0..b).map(|t| (a + t) % n).collect()
        })
        .collect()
}

/// Checks user windows: each of b distinct bits < n, and together covering all n bits.
pub(crate) fn check_windows(w: &[Vec<usize>], n: usize, b: usize) -> Result<()> {
    if w.is_empty() {
        return Err(Error::invalid("windows", "needs at least one group"));
    }
    let mut covered = vec![false; n];
    for (g, win) in w.iter().enumerate() {
        if win.len() != b {
            return Err(Error::invalid(
                "windows",
                format!("group {g} has {} bits, expected b = {b}", win.len()),
            ));
        }
        for (t, &s) in win.iter().enumerate() {
            if s >= n || win[..t].contains(&s) {
                return Err(Error::invalid(
                    "windows",
                    format!("group {g}: bit {s} is repeated or not below n = {n}"),
                ));
            }
            covered[s] = true;
        }
    }
    if let Some(i) = covered.iter().position(|c| !c) {
        return Err(Error::invalid(
            "windows",
            format!(
                "bit {i} is in no group: indices that differ only there could never be \
                 separated (the groups' windows must cover all n bits)"
            ),
        ));
    }
    Ok(())
}

/// A uniformly random index of n bits.
pub(crate) fn random_index<I: BitIndex>(rng: &mut SplitMix64, n: usize) -> I {
    let mut out = I::zero();
    let mut word = 0u64;
    for i in 0..n {
        if i % 64 == 0 {
            word = rng.next_u64();
        }
        if (word >> (i % 64)) & 1 == 1 {
            out.flip(i);
        }
    }
    out
}

/// Bit-selector groups with identity offsets (chains = None: one chain with base 0, the
/// noiseless design) or random chains.
pub(crate) fn window_groups<I: BitIndex>(
    n: usize,
    wins: Vec<Vec<usize>>,
    chains: Option<usize>,
    rng: &mut SplitMix64,
) -> Vec<Group<I>> {
    wins.into_iter()
        .map(|win| {
            let cols = win.iter().map(|&s| I::unit(s)).collect();
            let bases: Vec<I> = match chains {
                None => vec![I::zero()],
                Some(p1) => (0..p1).map(|_| random_index(rng, n)).collect(),
            };
            let mut offsets = Vec::new();
            let mut probes = Vec::new();
            for (chain, &r) in bases.iter().enumerate() {
                offsets.push(r);
                probes.push(Probe::Base { chain });
                for bit in (0..n).filter(|i| !win.contains(i)) {
                    offsets.push(r.xor(I::unit(bit)));
                    probes.push(Probe::Bit { chain, bit });
                }
            }
            Group {
                cols,
                window: Some(win),
                offsets,
                probes,
            }
        })
        .collect()
}

/// Random dense hashes with the BCH offsets (low-degree mode).
pub(crate) fn coded_groups<I: BitIndex>(
    n: usize,
    b: usize,
    c: usize,
    code: &Bch,
    rng: &mut SplitMix64,
) -> Vec<Group<I>> {
    let rows: Vec<I> = (0..code.rows())
        .map(|r| {
            let ones: Vec<usize> = (0..n).filter(|&i| code.row_bit(r, i)).collect();
            I::from_ones(&ones)
        })
        .collect();
    (0..c)
        .map(|_| {
            let cols = (0..b).map(|_| random_index(rng, n)).collect();
            let mut offsets = vec![I::zero()];
            let mut probes = vec![Probe::Base { chain: 0 }];
            for (row, &d) in rows.iter().enumerate() {
                offsets.push(d);
                probes.push(Probe::Row { row });
            }
            Group {
                cols,
                window: None,
                offsets,
                probes,
            }
        })
        .collect()
}

/// The bins of one group and offset, straight from the definition of the front end: the
/// sample indices m_l = M l ⊕ d (l < 2ᵇ, M's columns `cols`) and
/// U\[j\] = (1/B) Σ_l x\[m_l\] (−1)^⟨j,l⟩. For checking a design by hand; SPRIGHT itself batches
/// every offset of a group into one query.
pub fn subsample<I: BitIndex, O: crate::Oracle<I> + ?Sized>(
    oracle: &mut O,
    cols: &[I],
    offset: I,
) -> Result<(Vec<I>, Vec<f64>)> {
    crate::oracle::check_bits::<I>(oracle.n_bits())?;
    if cols.is_empty() || cols.len() > 30 {
        return Err(Error::invalid(
            "cols",
            format!("needs 1 to 30 columns, got {}", cols.len()),
        ));
    }
    let big_b = 1usize << cols.len();
    let idx: Vec<I> = (0..big_b)
        .map(|l| crate::bits::combine(cols, l).xor(offset))
        .collect();
    let mut u = vec![0.0; big_b];
    oracle.query(&idx, &mut u)?;
    if let Some(v) = u.iter().find(|v| !v.is_finite()) {
        return Err(Error::invalid("oracle", format!("returned {v}")));
    }
    crate::fwht::fwht(&mut u)?;
    for v in &mut u {
        *v /= big_b as f64;
    }
    Ok((idx, u))
}
