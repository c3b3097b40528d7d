//! The fast Walsh–Hadamard transform, in place, natural (Sylvester) order:
//!
//! ```text
//! y = H x,   H[m][k] = (−1)^⟨m,k⟩,   ⟨m,k⟩ = popcount(m & k) mod 2,   N = 2ⁿ,
//! ```
//!
//! computed by the butterflies (a, b) → (a + b, a − b) at distances h = 1, 2, 4, …, N/2:
//! N log₂N additions. H·H = N·I, so the transform is its own inverse up to 1/N.
//!
//! Three normalisations are in use ([`Scaling`]): the raw butterfly H x (most FWHT libraries),
//! the orthonormal H x / √N, and the spectrum X = H x / N of "Boolean Fourier" analysis, in
//! which x\[m\] = Σₖ X\[k\] (−1)^⟨m,k⟩ (the convention of [`crate::spright`]). MATLAB's `fwht`
//! returns the spectrum in *sequency* order: [`sequency_order`].
//!
//! Memory. The transform is a few passes over the array, depth first: a part of at most
//! 256 KiB is done breadth first in cache (its L1-sized blocks of 32 KiB, two levels per pass
//! over a block, then strided sweeps of up to three levels: eight streams at distance h, each
//! element read and written once per three levels); a longer array is cut into 2, 4 or 8 parts
//! done first, then joined by one such sweep. The kernels
//! go through the core's runtime SIMD dispatch; above 2¹⁶ elements the blocks and the sweeps'
//! pieces are shared out over the current rayon pool (run inside a one-thread pool for a
//! single-threaded transform).

use parsimony_core::simd::Real;
use parsimony_core::{Error, Result, dispatch_simd};
use rayon::prelude::*;
use std::ops::{Add, Sub};

/// The bytes of an in-cache block (L1 is 48 KiB on the bench machine; 8, 16 and 32 KiB
/// measured, 32 best).
const BLOCK_BYTES: usize = 32 * 1024;
/// The bytes a transform done breadth first may span (a fraction of L2: measured best on
/// the bench machine among 256 KiB … 2 MiB).
const L2_BYTES: usize = 256 * 1024;
/// Below this length the transform stays on the calling thread.
const PARALLEL_MIN: usize = 1 << 16;
/// Elements per parallel piece of a strided sweep.
const PIECE: usize = 1 << 12;

/// A sample type of the transform: `f64` or `f32`.
pub trait Sample: Real + Add<Output = Self> + Sub<Output = Self> {}
impl Sample for f64 {}
impl Sample for f32 {}

/// The normalisation of a transform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// y = H x (the butterfly's own output).
    Raw,
    /// y = H x / √N (orthonormal: ‖y‖ = ‖x‖, and the transform is its own inverse).
    Orthonormal,
    /// X = H x / N, the spectrum of x\[m\] = Σₖ X\[k\] (−1)^⟨m,k⟩ ("Boolean Fourier").
    Spectrum,
}

/// log₂ of `len`, or an error naming `what` when `len` is not a power of two ≥ 1.
pub fn log2_len(what: &str, len: usize) -> Result<u32> {
    if len == 0 || !len.is_power_of_two() {
        return Err(Error::invalid(
            what,
            format!("the length must be a power of two ≥ 1, got {len}"),
        ));
    }
    Ok(len.trailing_zeros())
}

/// The raw transform x ← H x in place (natural order). Errors when the length is not a power
/// of two.
///
/// ```
/// let mut x = [1.0, 0.0, 1.0, 0.0];
/// parsimony_wht::fwht(&mut x)?;
/// assert_eq!(x, [2.0, 2.0, 0.0, 0.0]);
/// # Ok::<(), parsimony_core::Error>(())
/// ```
pub fn fwht<T: Sample>(x: &mut [T]) -> Result<()> {
    log2_len("x", x.len())?;
    let parallel = x.len() >= PARALLEL_MIN && rayon::current_num_threads() > 1;
    transform(x, parallel);
    Ok(())
}

/// Depth first: a length that fits in L2 is done breadth first (blocks, then sweeps, all in
/// cache); a longer one is cut in 2, 4 or 8 parts that are transformed first (each in cache as
/// soon as it is small enough), then joined by one sweep of 1 to 3 levels. N = 2²⁴ f64 values
/// cross the slow memory in three sweeps where a breadth-first transform needs six.
fn transform<T: Sample>(x: &mut [T], parallel: bool) {
    let n = x.len();
    let in_cache = L2_BYTES / std::mem::size_of::<T>();
    if n <= in_cache {
        in_cache_levels(x, parallel);
        return;
    }
    let above = (n / in_cache).trailing_zeros();
    let levels = match above % 3 {
        0 => 3,
        r => r,
    };
    let part = n >> levels;
    if parallel {
        x.par_chunks_mut(part).for_each(|p| transform(p, true));
    } else {
        x.chunks_mut(part).for_each(|p| transform(p, false));
    }
    strided_levels(x, part, levels, parallel);
}

/// Every level of x, breadth first: the in-L1 blocks, then strided sweeps of up
/// to three levels.
fn in_cache_levels<T: Sample>(x: &mut [T], parallel: bool) {
    let n = x.len();
    let block = (BLOCK_BYTES / std::mem::size_of::<T>()).min(n);
    if parallel {
        x.par_chunks_mut(block).for_each(block_levels::<T>);
    } else {
        x.chunks_mut(block).for_each(block_levels::<T>);
    }
    let mut h = block;
    while h < n {
        let levels = (n / h).trailing_zeros().min(3);
        let span = h << levels;
        for chunk in x.chunks_mut(span) {
            strided_levels(chunk, h, levels, parallel);
        }
        h = span;
    }
}

/// The transform with a normalisation ([`Scaling`]).
pub fn fwht_scaled<T: Sample>(x: &mut [T], scaling: Scaling) -> Result<()> {
    fwht(x)?;
    let n = x.len() as f64;
    let s = match scaling {
        Scaling::Raw => return Ok(()),
        Scaling::Orthonormal => 1.0 / n.sqrt(),
        Scaling::Spectrum => 1.0 / n,
    };
    let s = T::of(s);
    for v in x.iter_mut() {
        *v *= s;
    }
    Ok(())
}

/// The natural-order index of sequency `s` among N = 2ⁿ (`n_bits` = n): the bit reversal of
/// the Gray code of s. Sequency order sorts the Walsh functions by their number of sign
/// changes (MATLAB's and Octave's `fwht` default).
pub fn sequency_to_natural(s: usize, n_bits: u32) -> usize {
    if n_bits == 0 {
        return 0;
    }
    let gray = s ^ (s >> 1);
    gray.reverse_bits() >> (usize::BITS - n_bits)
}

/// A natural-order transform rearranged in sequency order: out\[s\] = y\[natural(s)\].
pub fn sequency_order<T: Copy>(y: &[T]) -> Result<Vec<T>> {
    let bits = log2_len("y", y.len())?;
    Ok((0..y.len())
        .map(|s| y[sequency_to_natural(s, bits)])
        .collect())
}

/// Every level with h < x.len() of one in-cache block.
fn block_levels<T: Sample>(x: &mut [T]) {
    block_dispatch::<T>(x);
}

#[inline(always)]
fn block_body<F: Real, const FMA: bool>(x: &mut [F]) {
    let n = x.len();
    if n == 1 {
        return;
    }
    if n == 2 {
        let (a, b) = (x[0], x[1]);
        x[0] = a + b;
        x[1] = a - b;
        return;
    }
    // h = 1 and 2 together on each group of four
    for q in x.chunks_exact_mut(4) {
        let (s0, s1) = (q[0] + q[1], q[0] - q[1]);
        let (s2, s3) = (q[2] + q[3], q[2] - q[3]);
        q[0] = s0 + s2;
        q[1] = s1 + s3;
        q[2] = s0 - s2;
        q[3] = s1 - s3;
    }
    let mut h = 4;
    while h < n {
        if 4 * h <= n {
            for chunk in x.chunks_exact_mut(4 * h) {
                let (lo, hi) = chunk.split_at_mut(2 * h);
                let (q0, q1) = lo.split_at_mut(h);
                let (q2, q3) = hi.split_at_mut(h);
                radix4(q0, q1, q2, q3);
            }
            h *= 4;
        } else {
            for chunk in x.chunks_exact_mut(2 * h) {
                let (lo, hi) = chunk.split_at_mut(h);
                radix2(lo, hi);
            }
            h *= 2;
        }
    }
}

// the body takes the slice's element type as the dispatch's scalar type
dispatch_simd!(block_dispatch, block_body, (x: &mut [F]));

/// Levels h, 2h, … (`levels` of them, 1 to 3) of one chunk of h·2^levels elements.
fn strided_levels<T: Sample>(chunk: &mut [T], h: usize, levels: u32, parallel: bool) {
    let mut streams: Vec<&mut [T]> = chunk.chunks_mut(h).collect();
    debug_assert_eq!(streams.len(), 1 << levels);
    if !parallel || h < 2 * PIECE {
        sweep_dispatch::<T>(&mut streams);
        return;
    }
    // the same levels on pieces of every stream, in parallel
    let mut pieces: Vec<Vec<&mut [T]>> = (0..h / PIECE).map(|_| Vec::new()).collect();
    for s in streams {
        for (k, p) in s.chunks_mut(PIECE).enumerate() {
            pieces[k].push(p);
        }
    }
    pieces.par_iter_mut().for_each(|ps| sweep_dispatch::<T>(ps));
}

#[inline(always)]
fn sweep_body<F: Real, const FMA: bool>(s: &mut [&mut [F]]) {
    match s {
        [a, b] => radix2(a, b),
        [a, b, c, d] => radix4(a, b, c, d),
        [a, b, c, d, e, f, g, h] => radix8([a, b, c, d, e, f, g, h]),
        _ => unreachable!("a sweep has 2, 4 or 8 streams"),
    }
}

dispatch_simd!(sweep_dispatch, sweep_body, (s: &mut [&mut [F]]));

/// One level: (a, b) → (a + b, a − b) element-wise.
#[inline(always)]
fn radix2<F: Real>(a: &mut [F], b: &mut [F]) {
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        let (u, v) = (*x, *y);
        *x = u + v;
        *y = u - v;
    }
}

/// Two levels (distances h and 2h) on the four quarters of a chunk of 4h.
#[inline(always)]
fn radix4<F: Real>(q0: &mut [F], q1: &mut [F], q2: &mut [F], q3: &mut [F]) {
    for (((a, b), c), d) in q0
        .iter_mut()
        .zip(q1.iter_mut())
        .zip(q2.iter_mut())
        .zip(q3.iter_mut())
    {
        let (s0, s1) = (*a + *b, *a - *b);
        let (s2, s3) = (*c + *d, *c - *d);
        *a = s0 + s2;
        *b = s1 + s3;
        *c = s0 - s2;
        *d = s1 - s3;
    }
}

/// Three levels (h, 2h, 4h) on the eight eighths of a chunk of 8h.
#[inline(always)]
fn radix8<F: Real>(s: [&mut &mut [F]; 8]) {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = s;
    let len = s0.len();
    let (s1, s2, s3) = (&mut s1[..len], &mut s2[..len], &mut s3[..len]);
    let (s4, s5, s6, s7) = (
        &mut s4[..len],
        &mut s5[..len],
        &mut s6[..len],
        &mut s7[..len],
    );
    for i in 0..len {
        let v = [s0[i], s1[i], s2[i], s3[i], s4[i], s5[i], s6[i], s7[i]];
        let a = [
            v[0] + v[1],
            v[0] - v[1],
            v[2] + v[3],
            v[2] - v[3],
            v[4] + v[5],
            v[4] - v[5],
            v[6] + v[7],
            v[6] - v[7],
        ];
        let b = [
            a[0] + a[2],
            a[1] + a[3],
            a[0] - a[2],
            a[1] - a[3],
            a[4] + a[6],
            a[5] + a[7],
            a[4] - a[6],
            a[5] - a[7],
        ];
        s0[i] = b[0] + b[4];
        s1[i] = b[1] + b[5];
        s2[i] = b[2] + b[6];
        s3[i] = b[3] + b[7];
        s4[i] = b[0] - b[4];
        s5[i] = b[1] - b[5];
        s6[i] = b[2] - b[6];
        s7[i] = b[3] - b[7];
    }
}

/// The transform by its definition, y\[m\] = Σₖ (−1)^⟨m,k⟩ x\[k\]: O(N²), for tests.
pub fn fwht_naive(x: &[f64]) -> Result<Vec<f64>> {
    log2_len("x", x.len())?;
    Ok((0..x.len())
        .map(|m| {
            x.iter()
                .enumerate()
                .map(|(k, &v)| if (m & k).count_ones() % 2 == 0 { v } else { -v })
                .sum()
        })
        .collect())
}
