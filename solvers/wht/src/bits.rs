//! Indices of the Boolean cube F₂ⁿ: `u64` for n ≤ 63, [`Wide`] (W words) for n up to 64·W
//! (the low-degree mode works with hundreds of bits). Bit i of an index is feature / variable
//! i; ⟨a, b⟩ = popcount(a & b) mod 2.

use std::fmt::Debug;
use std::hash::Hash;

/// An index of F₂ⁿ: the operations SPRIGHT needs on it.
pub trait BitIndex: Copy + Eq + Ord + Hash + Debug + Send + Sync + 'static {
    /// The most bits this type holds (63 for `u64`, so that N = 2ⁿ fits in a `u64`; 64W − 1
    /// for [`Wide`]).
    const MAX_BITS: usize;
    /// An index no signal of `MAX_BITS` bits has (all ones): the empty slot of the sample cache.
    const EMPTY: Self;
    /// The all-zero index.
    fn zero() -> Self;
    /// Bit i.
    fn bit(&self, i: usize) -> bool;
    /// Flips bit i.
    fn flip(&mut self, i: usize);
    /// a ⊕ b.
    fn xor(self, other: Self) -> Self;
    /// ⟨a, b⟩ = popcount(a & b) mod 2.
    fn dot(self, other: Self) -> bool;
    /// The number of ones (the Hamming weight: the order of an interaction).
    fn weight(self) -> u32;
    /// The positions of the ones, ascending.
    fn ones(self) -> Vec<usize>;
    /// A 64-bit hash whose high bits are well mixed (for the sample cache).
    fn hash64(&self) -> u64;
    /// The unit index e_i.
    fn unit(i: usize) -> Self {
        let mut z = Self::zero();
        z.flip(i);
        z
    }
    /// The index with ones at `positions` (repeats toggle).
    fn from_ones(positions: &[usize]) -> Self {
        let mut z = Self::zero();
        for &i in positions {
            z.flip(i);
        }
        z
    }
}

impl BitIndex for u64 {
    const MAX_BITS: usize = 63;
    const EMPTY: Self = u64::MAX;
    #[inline]
    fn zero() -> Self {
        0
    }
    #[inline]
    fn bit(&self, i: usize) -> bool {
        (self >> i) & 1 == 1
    }
    #[inline]
    fn flip(&mut self, i: usize) {
        *self ^= 1 << i;
    }
    #[inline]
    fn xor(self, other: Self) -> Self {
        self ^ other
    }
    #[inline]
    fn dot(self, other: Self) -> bool {
        (self & other).count_ones() & 1 == 1
    }
    #[inline]
    fn weight(self) -> u32 {
        self.count_ones()
    }
    fn ones(self) -> Vec<usize> {
        (0..64).filter(|&i| self.bit(i)).collect()
    }
    #[inline]
    fn hash64(&self) -> u64 {
        // Fibonacci hashing: the cache takes the high bits
        self.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// An index of up to 64·W bits (bit i in word i / 64).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Wide<const W: usize>(pub [u64; W]);

impl<const W: usize> BitIndex for Wide<W> {
    const MAX_BITS: usize = 64 * W - 1;
    const EMPTY: Self = Wide([u64::MAX; W]);
    #[inline]
    fn zero() -> Self {
        Wide([0; W])
    }
    #[inline]
    fn bit(&self, i: usize) -> bool {
        (self.0[i / 64] >> (i % 64)) & 1 == 1
    }
    #[inline]
    fn flip(&mut self, i: usize) {
        self.0[i / 64] ^= 1 << (i % 64);
    }
    #[inline]
    fn xor(self, other: Self) -> Self {
        let mut out = self;
        for (o, b) in out.0.iter_mut().zip(other.0) {
            *o ^= b;
        }
        out
    }
    #[inline]
    fn dot(self, other: Self) -> bool {
        let mut acc = 0u64;
        for (a, b) in self.0.iter().zip(other.0) {
            acc ^= a & b;
        }
        acc.count_ones() & 1 == 1
    }
    #[inline]
    fn weight(self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
    fn ones(self) -> Vec<usize> {
        (0..64 * W).filter(|&i| self.bit(i)).collect()
    }
    #[inline]
    fn hash64(&self) -> u64 {
        self.0.iter().fold(0u64, |h, &w| {
            (h ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
        })
    }
}

/// Σ_t l_t·cols\[t\]: the index that the bits of `l` select from the hash's columns.
#[inline]
pub(crate) fn combine<I: BitIndex>(cols: &[I], l: usize) -> I {
    let mut out = I::zero();
    let mut rest = l;
    while rest != 0 {
        let t = rest.trailing_zeros() as usize;
        out = out.xor(cols[t]);
        rest &= rest - 1;
    }
    out
}
