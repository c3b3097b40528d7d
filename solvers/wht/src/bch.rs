//! A binary BCH code used as a syndrome: the positions 0 … n−1 of an index are the field
//! elements α⁰ … α^{n−1} of GF(2^μ) (2^μ − 1 ≥ n), and an index k of Hamming weight ≤ t is
//! recovered from its syndromes
//!
//! ```text
//! S_j = Σ_{i ∈ k} α^{j·i},   j = 1, 3, …, 2t − 1   (S_{2j} = S_j²),
//! ```
//!
//! which are t·μ bits. Bit β of S_j is the parity ⟨h_{j,β}, k⟩ with h_{j,β} = {i : bit β of
//! α^{j·i} is 1}: the rows of the parity-check matrix, used by SPRIGHT's low-degree mode as
//! offsets, so that a single-ton's sign pattern is the syndrome of its index. Decoding:
//! Berlekamp–Massey for the error-locator polynomial Λ, then a Chien search for its roots
//! α^{−i}; a syndrome that is not that of an index of weight ≤ t is refused (deg Λ > t, or
//! fewer roots than deg Λ), which is how multi-tons are rejected.

use parsimony_core::{Error, Result};

/// Primitive polynomials of GF(2^μ), μ = 2 … 16 (bit μ is the leading term).
const PRIMITIVE: [u32; 15] = [
    0x7, 0xB, 0x13, 0x25, 0x43, 0x89, 0x11D, 0x211, 0x409, 0x805, 0x1053, 0x201B, 0x4443, 0x8003,
    0x1100B,
];

/// GF(2^μ) by exponent and logarithm tables.
#[derive(Clone, Debug)]
struct Field {
    order: usize, // 2^μ − 1
    exp: Vec<u32>,
    log: Vec<u32>,
}

impl Field {
    fn new(mu: u32) -> Result<Self> {
        let poly = PRIMITIVE[(mu - 2) as usize];
        let order = (1usize << mu) - 1;
        let mut exp = vec![0u32; 2 * order];
        let mut log = vec![0u32; order + 1];
        let mut x = 1u32;
        for (i, e) in exp.iter_mut().take(order).enumerate() {
            *e = x;
            if i > 0 && x == 1 {
                return Err(Error::breakdown(
                    "bch",
                    "the field polynomial is not primitive",
                ));
            }
            log[x as usize] = i as u32;
            x <<= 1;
            if x & (1 << mu) != 0 {
                x ^= poly;
            }
        }
        for i in order..2 * order {
            exp[i] = exp[i - order];
        }
        Ok(Self { order, exp, log })
    }

    #[inline]
    fn mul(&self, a: u32, b: u32) -> u32 {
        if a == 0 || b == 0 {
            return 0;
        }
        self.exp[self.log[a as usize] as usize + self.log[b as usize] as usize]
    }

    #[inline]
    fn div(&self, a: u32, b: u32) -> u32 {
        debug_assert!(b != 0);
        if a == 0 {
            return 0;
        }
        let e = self.log[a as usize] as usize + self.order - self.log[b as usize] as usize;
        self.exp[e % self.order]
    }

    /// α^e for any e ≥ 0.
    #[inline]
    fn pow_alpha(&self, e: usize) -> u32 {
        self.exp[e % self.order]
    }
}

/// The syndrome code for indices of n bits and weight ≤ t.
#[derive(Clone, Debug)]
pub struct Bch {
    field: Field,
    mu: u32,
    n: usize,
    t: usize,
}

impl Bch {
    /// The code for n bits correcting t: μ = max(2, ⌈log₂(n + 1)⌉). Errors: n = 0, t = 0,
    /// n ≥ 2¹⁶, or 2t beyond the field's order.
    pub fn new(n: usize, t: usize) -> Result<Self> {
        if n == 0 || n >= 1 << 16 {
            return Err(Error::invalid("n", format!("must be in 1..65536, got {n}")));
        }
        if t == 0 {
            return Err(Error::invalid("t", "the interaction order must be ≥ 1"));
        }
        let mu = (usize::BITS - n.leading_zeros()).max(2); // 2^μ > n
        let field = Field::new(mu)?;
        if 2 * t > field.order {
            return Err(Error::invalid(
                "t",
                format!(
                    "{t} is too large for n = {n} (2t must be ≤ {})",
                    field.order
                ),
            ));
        }
        Ok(Self { field, mu, n, t })
    }

    /// The number of parity-check rows, t·μ.
    pub fn rows(&self) -> usize {
        self.t * self.mu as usize
    }

    /// Entry (row, i) of the parity-check matrix: bit β of α^{j·i}, row = (j − 1)/2·μ + β.
    pub fn row_bit(&self, row: usize, i: usize) -> bool {
        let (jj, beta) = (row / self.mu as usize, row % self.mu as usize);
        let j = 2 * jj + 1;
        (self.field.pow_alpha(j * i) >> beta) & 1 == 1
    }

    /// The syndrome bits of the index with ones at `positions` (what `row_bit` parities give).
    pub fn syndrome(&self, positions: &[usize]) -> Vec<bool> {
        (0..self.rows())
            .map(|r| positions.iter().filter(|&&i| self.row_bit(r, i)).count() % 2 == 1)
            .collect()
    }

    /// The positions (ascending) of the index of weight ≤ t with these syndrome bits, or
    /// None when there is none.
    pub fn decode(&self, bits: &[bool]) -> Option<Vec<usize>> {
        let f = &self.field;
        let mu = self.mu as usize;
        let t = self.t;
        // S_1 … S_2t (index 0 unused)
        let mut s = vec![0u32; 2 * t + 1];
        for jj in 0..t {
            let mut v = 0u32;
            for beta in 0..mu {
                if bits[jj * mu + beta] {
                    v |= 1 << beta;
                }
            }
            s[2 * jj + 1] = v;
        }
        for j in 1..=t {
            s[2 * j] = f.mul(s[j], s[j]);
        }
        if s.iter().all(|&v| v == 0) {
            return Some(Vec::new());
        }
        // Berlekamp–Massey
        let mut c = vec![0u32; 2 * t + 2];
        let mut b = vec![0u32; 2 * t + 2];
        c[0] = 1;
        b[0] = 1;
        let (mut l, mut shift, mut bd) = (0usize, 1usize, 1u32);
        for r in 0..2 * t {
            let mut d = s[r + 1];
            for i in 1..=l {
                d ^= f.mul(c[i], s[r + 1 - i]);
            }
            if d == 0 {
                shift += 1;
                continue;
            }
            let coef = f.div(d, bd);
            let old = c.clone();
            for i in 0..c.len() - shift {
                c[i + shift] ^= f.mul(coef, b[i]);
            }
            if 2 * l <= r {
                l = r + 1 - l;
                b = old;
                bd = d;
                shift = 1;
            } else {
                shift += 1;
            }
        }
        if l > t || c[l + 1..].iter().any(|&v| v != 0) {
            return None;
        }
        // Chien search: Λ(α^{−i}) = 0 ⇔ position i
        let mut out = Vec::with_capacity(l);
        for i in 0..self.n {
            let x = f.pow_alpha((f.order - i % f.order) % f.order);
            let mut acc = 0u32;
            let mut xp = 1u32;
            for &ci in &c[..=l] {
                acc ^= f.mul(ci, xp);
                xp = f.mul(xp, x);
            }
            if acc == 0 {
                out.push(i);
            }
        }
        (out.len() == l).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parsimony_core::random::SplitMix64;

    #[test]
    fn every_table_polynomial_is_primitive() {
        for mu in 2..=16 {
            let f = Field::new(mu).unwrap();
            let mut seen = vec![false; f.order + 1];
            for &e in &f.exp[..f.order] {
                assert!(!seen[e as usize], "μ = {mu}");
                seen[e as usize] = true;
            }
        }
    }

    /// Every index of weight ≤ t decodes to itself; weight t + 1 never decodes to a wrong
    /// index of weight ≤ t… unless its syndrome is that of one (then it is not refused; the
    /// BCH distance 2t + 1 only promises that weights ≤ t are unique).
    #[test]
    fn decodes_every_weight_up_to_t() {
        let mut rng = SplitMix64::new(3);
        for (n, t) in [(1, 1), (7, 1), (10, 2), (31, 3), (200, 3), (1000, 5)] {
            let code = Bch::new(n, t).unwrap();
            for _ in 0..200 {
                let w = (rng.next_u64() % (t as u64 + 1)) as usize;
                let mut pos = rng.choose(n, w.min(n)).unwrap();
                pos.sort_unstable();
                let bits = code.syndrome(&pos);
                assert_eq!(code.decode(&bits), Some(pos.clone()), "n {n} t {t}");
            }
        }
    }

    #[test]
    fn heavier_patterns_are_refused_or_differ() {
        let code = Bch::new(200, 3).unwrap();
        let mut rng = SplitMix64::new(9);
        let mut refused = 0;
        for _ in 0..500 {
            let pos = rng.choose(200, 5).unwrap();
            match code.decode(&code.syndrome(&pos)) {
                None => refused += 1,
                Some(p) => assert_ne!(p, pos),
            }
        }
        // most weight-5 syndromes are not those of a weight-≤3 index
        assert!(refused > 400, "{refused}");
    }
}
