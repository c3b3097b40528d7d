//! Kronecker-structured diagonals diag(d₁ ⊗ d₂ ⊗ … ⊗ d_I).
//!
//! Sparse Bayesian learning with a Kronecker-structured prior has Γ = diag(γ₁ ⊗ … ⊗ γ_I): a
//! diagonal of length N = ∏nᵢ described by Σnᵢ numbers. Entry j (row-major multi-index
//! (j₁, …, j_I), last index fastest) is `∏ᵢ dᵢ[jᵢ]`. Norms, inner products and sums factor:
//! ‖d₁⊗…⊗d_I‖₂ = ∏‖dᵢ‖₂, ⟨a₁⊗…, b₁⊗…⟩ = ∏⟨aᵢ, bᵢ⟩, Σ(d₁⊗…) = ∏Σdᵢ, so they cost O(Σnᵢ).
//! Expanding or applying the diagonal streams over the N entries in O(N) without
//! intermediate storage.

use super::{Scalar, check_finite};
use crate::error::check_len;
use crate::{Error, Result, memory};
use nalgebra::DVector;

/// The diagonal d₁ ⊗ … ⊗ d_I, stored by its factors.
#[derive(Clone, Debug, PartialEq)]
pub struct KroneckerDiagonal<T: Scalar> {
    factors: Vec<DVector<T>>,
    len: usize,
}

impl<T: Scalar> KroneckerDiagonal<T> {
    /// Builds the diagonal from its factor vectors (at least one, none empty, all finite).
    /// Errors: [`Error::TooLarge`] if the product of their lengths overflows `usize`.
    pub fn new(factors: Vec<DVector<T>>) -> Result<Self> {
        if factors.is_empty() {
            return Err(Error::invalid("factors", "need at least one factor"));
        }
        for (i, f) in factors.iter().enumerate() {
            if f.is_empty() {
                return Err(Error::invalid(format!("factors[{i}]"), "factor is empty"));
            }
            check_finite(format_args!("factors[{i}]"), f.as_slice())?;
        }
        let lens: Vec<usize> = factors.iter().map(|f| f.len()).collect();
        let len = memory::checked_product("length of the Kronecker diagonal", &lens)?;
        Ok(Self { factors, len })
    }

    /// The factor vectors.
    pub fn factors(&self) -> &[DVector<T>] {
        &self.factors
    }

    /// Length N = ∏nᵢ of the diagonal.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a Kronecker diagonal has at least one entry.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Entry j (flat, row-major index).
    pub fn entry(&self, j: usize) -> Result<T> {
        if j >= self.len {
            return Err(Error::invalid(
                "j",
                format!("index {j} out of range for length {}", self.len),
            ));
        }
        let mut rest = j;
        let mut v = T::of_real(1.0);
        for f in self.factors.iter().rev() {
            let n = f.len();
            v *= f[rest % n];
            rest /= n;
        }
        Ok(v)
    }

    /// Writes all N entries into `out` (O(N), in place, no scratch).
    pub fn expand_into(&self, out: &mut [T]) -> Result<()> {
        check_len("length of out (diagonal length)", self.len, out.len())?;
        out[0] = T::of_real(1.0);
        let mut cur = 1;
        for f in &self.factors {
            let n = f.len();
            // Descending k keeps out[k] unread-overwritten: block k covers [k·n, k·n + n) and
            // k·n ≥ k, so only already-consumed prefixes are written.
            for k in (0..cur).rev() {
                let base = out[k];
                for (l, &fl) in f.iter().enumerate().rev() {
                    out[k * n + l] = base * fl;
                }
            }
            cur *= n;
        }
        Ok(())
    }

    /// All N entries as a vector. Errors: N beyond the memory budget ([`crate::memory`]).
    pub fn to_vector(&self) -> Result<DVector<T>> {
        memory::check_elements::<T>("the expanded Kronecker diagonal", self.len)?;
        let mut v = DVector::from_element(self.len, T::default());
        self.expand_into(v.as_mut_slice())?;
        Ok(v)
    }

    /// y = diag(d) x, streaming over the entries (no expansion stored).
    pub fn apply_into(&self, x: &[T], y: &mut [T]) -> Result<()> {
        check_len("length of x (diagonal length)", self.len, x.len())?;
        check_len("length of y (diagonal length)", self.len, y.len())?;
        let (last, lead) = self.factors.split_last().expect("at least one factor");
        let n_last = last.len();
        for (p, (xc, yc)) in x
            .chunks_exact(n_last)
            .zip(y.chunks_exact_mut(n_last))
            .enumerate()
        {
            let mut rest = p;
            let mut prefix = T::of_real(1.0);
            for f in lead.iter().rev() {
                prefix *= f[rest % f.len()];
                rest /= f.len();
            }
            for ((yi, &xi), &di) in yc.iter_mut().zip(xc).zip(last.iter()) {
                *yi = prefix * di * xi;
            }
        }
        Ok(())
    }

    /// Euclidean norm ∏‖dᵢ‖₂ (O(Σnᵢ)).
    pub fn norm(&self) -> f64 {
        self.factors.iter().map(|f| f.norm()).product()
    }

    /// Sum of the entries ∏ Σdᵢ (O(Σnᵢ)).
    pub fn sum(&self) -> T {
        self.factors
            .iter()
            .fold(T::of_real(1.0), |acc, f| acc * f.sum())
    }

    /// Inner product Σⱼ conj(aⱼ) bⱼ = ∏⟨aᵢ, bᵢ⟩ with another diagonal of the same factor shapes.
    pub fn dot(&self, other: &Self) -> Result<T> {
        check_len("number of factors", self.factors.len(), other.factors.len())?;
        let mut acc = T::of_real(1.0);
        for (i, (a, b)) in self.factors.iter().zip(&other.factors).enumerate() {
            check_len(format_args!("length of factor {i}"), a.len(), b.len())?;
            acc *= a.dotc(b);
        }
        Ok(acc)
    }
}
