//! Where SPRIGHT's samples come from: an [`Oracle`] answers batches of indices of F₂ⁿ.
//! Adapters: [`SliceOracle`] (a materialised signal of length 2ⁿ) and [`FnOracle`] (a
//! closure, e.g. a model evaluated on a feature mask). A user's own type implements the trait
//! to batch expensive calls (a network forward pass per mask) and to report failures.

use crate::bits::BitIndex;
use parsimony_core::{Error, Result};
use std::marker::PhantomData;

/// A black-box signal on F₂ⁿ, queried in batches.
pub trait Oracle<I: BitIndex = u64> {
    /// n, the number of bits of an index (1 ≤ n ≤ `I::MAX_BITS`).
    fn n_bits(&self) -> usize;
    /// Writes x[indices\[q\]] into out\[q\] (the two slices have the same length). An error
    /// ends the recovery and is returned to the caller.
    fn query(&mut self, indices: &[I], out: &mut [f64]) -> Result<()>;
}

/// A materialised signal x of length 2ⁿ.
#[derive(Clone, Copy, Debug)]
pub struct SliceOracle<'a> {
    x: &'a [f64],
    n: usize,
}

impl<'a> SliceOracle<'a> {
    /// Errors: a length that is not a power of two ≥ 2, or above 2⁶³.
    pub fn new(x: &'a [f64]) -> Result<Self> {
        let n = crate::fwht::log2_len("x", x.len())? as usize;
        if n == 0 {
            return Err(Error::invalid("x", "needs at least 2 samples (n ≥ 1)"));
        }
        Ok(Self { x, n })
    }
}

impl Oracle<u64> for SliceOracle<'_> {
    fn n_bits(&self) -> usize {
        self.n
    }
    fn query(&mut self, indices: &[u64], out: &mut [f64]) -> Result<()> {
        for (o, &m) in out.iter_mut().zip(indices) {
            *o = self.x[m as usize];
        }
        Ok(())
    }
}

/// A closure f(index) → value over n bits.
pub struct FnOracle<I, F> {
    n: usize,
    f: F,
    index: PhantomData<I>,
}

impl<I: BitIndex, F: FnMut(I) -> f64> FnOracle<I, F> {
    /// Errors: n = 0 or n above `I::MAX_BITS`.
    pub fn new(n: usize, f: F) -> Result<Self> {
        check_bits::<I>(n)?;
        Ok(Self {
            n,
            f,
            index: PhantomData,
        })
    }
}

impl<I: BitIndex, F: FnMut(I) -> f64> Oracle<I> for FnOracle<I, F> {
    fn n_bits(&self) -> usize {
        self.n
    }
    fn query(&mut self, indices: &[I], out: &mut [f64]) -> Result<()> {
        for (o, &m) in out.iter_mut().zip(indices) {
            *o = (self.f)(m);
        }
        Ok(())
    }
}

/// Checks n against the index type.
pub(crate) fn check_bits<I: BitIndex>(n: usize) -> Result<()> {
    if n == 0 || n > I::MAX_BITS {
        return Err(Error::invalid(
            "n",
            format!(
                "the number of bits must be in 1..={} for this index type, got {n}",
                I::MAX_BITS
            ),
        ));
    }
    Ok(())
}

/// Queries through a cache: every distinct index goes to the oracle once; counts the
/// observations used and the oracle's evaluations; refuses non-finite answers.
pub(crate) struct Sampler<'o, I: BitIndex, O: Oracle<I> + ?Sized> {
    oracle: &'o mut O,
    cache: Cache<I>,
    /// Observations used (repeats included).
    pub queries: usize,
    todo: Vec<I>,
    todo_slots: Vec<usize>,
    todo_q: Vec<usize>,
    later: Vec<(usize, usize)>,
    answers: Vec<f64>,
}

impl<'o, I: BitIndex, O: Oracle<I> + ?Sized> Sampler<'o, I, O> {
    pub(crate) fn new(oracle: &'o mut O) -> Self {
        Self {
            oracle,
            cache: Cache::new(),
            queries: 0,
            todo: Vec::new(),
            todo_slots: Vec::new(),
            todo_q: Vec::new(),
            later: Vec::new(),
            answers: Vec::new(),
        }
    }

    /// Room for `more` observations without regrowing the cache.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.cache.reserve(more);
    }

    /// The oracle's evaluations so far (distinct indices).
    pub(crate) fn distinct(&self) -> usize {
        self.cache.len
    }

    /// out\[q\] = x[indices\[q\]]: one oracle batch for the indices not seen before.
    pub(crate) fn values(&mut self, indices: &[I], out: &mut [f64]) -> Result<()> {
        self.cache.reserve(indices.len());
        self.todo.clear();
        self.todo_slots.clear();
        self.todo_q.clear();
        self.later.clear();
        for (q, (&m, o)) in indices.iter().zip(out.iter_mut()).enumerate() {
            let (slot, new) = self.cache.slot(m);
            if new {
                self.todo.push(m);
                self.todo_slots.push(slot);
                self.todo_q.push(q);
            } else {
                // known, or asked for earlier in this batch (NaN until the answer comes)
                *o = self.cache.slots[slot].1;
                if o.is_nan() {
                    self.later.push((q, slot));
                }
            }
        }
        if !self.todo.is_empty() {
            self.answers.clear();
            self.answers.resize(self.todo.len(), f64::NAN);
            let asked = self.oracle.query(&self.todo, &mut self.answers);
            if let Err(e) = asked {
                self.cache.forget(&self.todo_slots);
                return Err(e);
            }
            if let Some(i) = self.answers.iter().position(|v| !v.is_finite()) {
                self.cache.forget(&self.todo_slots);
                return Err(Error::invalid(
                    "oracle",
                    format!("returned {} at index {:?}", self.answers[i], self.todo[i]),
                ));
            }
            for ((&v, &slot), &q) in self.answers.iter().zip(&self.todo_slots).zip(&self.todo_q) {
                self.cache.slots[slot].1 = v;
                out[q] = v;
            }
            for &(q, slot) in &self.later {
                out[q] = self.cache.slots[slot].1;
            }
        }
        self.queries += indices.len();
        Ok(())
    }
}

/// An open-addressing hash map index → value (linear probing from the hash's high bits,
/// load ≤ ¾, `I::EMPTY` marks a free slot): a few ns per lookup, where SPRIGHT on an
/// in-memory signal spends most of its time.
struct Cache<I> {
    slots: Vec<(I, f64)>,
    shift: u32,
    len: usize,
}

impl<I: BitIndex> Cache<I> {
    fn new() -> Self {
        Self {
            slots: Vec::new(),
            shift: 64,
            len: 0,
        }
    }

    /// Room for `more` new keys at load ≤ ¾.
    fn reserve(&mut self, more: usize) {
        let need = (4 * (self.len + more)).div_ceil(3);
        if need <= self.slots.len() {
            return;
        }
        let cap = need.next_power_of_two().max(64);
        let old = std::mem::replace(&mut self.slots, vec![(I::EMPTY, 0.0); cap]);
        self.shift = 64 - cap.trailing_zeros();
        self.len = 0;
        for (k, v) in old {
            if k != I::EMPTY {
                let (slot, _) = self.slot(k);
                self.slots[slot].1 = v;
            }
        }
    }

    /// The slot of `k`, inserting it (value NaN) if new; whether it was new. Needs room.
    #[inline]
    fn slot(&mut self, k: I) -> (usize, bool) {
        let mask = self.slots.len() - 1;
        let mut i = (k.hash64() >> self.shift) as usize;
        loop {
            let (key, _) = self.slots[i];
            if key == I::EMPTY {
                self.slots[i] = (k, f64::NAN);
                self.len += 1;
                return (i, true);
            }
            if key == k {
                return (i, false);
            }
            i = (i + 1) & mask;
        }
    }

    /// Removes the keys of a failed batch (their values never came): rebuilds the table.
    fn forget(&mut self, slots: &[usize]) {
        for &s in slots {
            self.slots[s].0 = I::EMPTY;
        }
        let keep: Vec<(I, f64)> = self
            .slots
            .iter()
            .copied()
            .filter(|e| e.0 != I::EMPTY)
            .collect();
        self.slots.iter_mut().for_each(|e| e.0 = I::EMPTY);
        self.len = 0;
        for (k, v) in keep {
            let (slot, _) = self.slot(k);
            self.slots[slot].1 = v;
        }
    }
}
