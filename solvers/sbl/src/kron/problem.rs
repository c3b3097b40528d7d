//! The Kronecker-structured sparse recovery problem y = (H₁ ⊗ … ⊗ H_I) x + n.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{Scalar, check_finite};
use parsimony_core::{Error, Result, memory};

/// Data of a Kronecker-structured sparse recovery problem, validated on construction.
///
/// y has length M = ∏mᵢ and is the row-major vectorisation of an m₁ × … × m_I tensor (the
/// order of `kron(H₁, …, H_I) x`); x has length N = ∏nᵢ.
#[derive(Clone, Debug)]
pub struct KronProblem<T: Scalar> {
    factors: Vec<DMatrix<T>>,
    y: DVector<T>,
}

impl<T: Scalar> KronProblem<T> {
    /// Builds the problem from the dictionary factors Hᵢ (mᵢ × nᵢ) and the measurements y.
    ///
    /// Errors: no factors or an empty factor ([`Error::InvalidParameter`]), `len y ≠ ∏mᵢ`
    /// ([`Error::DimensionMismatch`]), NaN or infinite values ([`Error::NonFinite`]), ∏mᵢ or
    /// ∏nᵢ overflowing `usize` or an estimate of ∏nᵢ unknowns beyond the memory budget
    /// ([`Error::TooLarge`]).
    pub fn new(factors: Vec<DMatrix<T>>, y: DVector<T>) -> Result<Self> {
        if factors.is_empty() {
            return Err(Error::invalid("factors", "need at least one factor"));
        }
        for (i, f) in factors.iter().enumerate() {
            if f.is_empty() {
                return Err(Error::invalid(
                    format!("factors[{i}]"),
                    format!("factor is empty ({} × {})", f.nrows(), f.ncols()),
                ));
            }
            check_finite(format_args!("factors[{i}]"), f.as_slice())?;
        }
        let rows: Vec<usize> = factors.iter().map(|f| f.nrows()).collect();
        let cols: Vec<usize> = factors.iter().map(|f| f.ncols()).collect();
        let m = memory::checked_product("measurements ∏ mᵢ", &rows)?;
        // every solver returns an estimate of ∏ nᵢ unknowns
        let n = memory::checked_product("unknowns ∏ nᵢ", &cols)?;
        memory::check_elements::<T>(&format!("an estimate of ∏ nᵢ = {n} unknowns"), n)?;
        if y.len() != m {
            return Err(Error::dimension("length of y (∏ mᵢ)", m, y.len()));
        }
        check_finite("y", y.as_slice())?;
        for (i, f) in factors.iter().enumerate() {
            crate::regression::check_squares(&format!("factors[{i}]"), f.as_slice())?;
        }
        crate::regression::check_squares("y", y.as_slice())?;
        Ok(Self { factors, y })
    }

    /// The factors Hᵢ.
    pub fn factors(&self) -> &[DMatrix<T>] {
        &self.factors
    }

    /// The measurements y.
    pub fn y(&self) -> &DVector<T> {
        &self.y
    }

    /// (m₁, …, m_I).
    pub fn m(&self) -> Vec<usize> {
        self.factors.iter().map(|f| f.nrows()).collect()
    }

    /// (n₁, …, n_I).
    pub fn n(&self) -> Vec<usize> {
        self.factors.iter().map(|f| f.ncols()).collect()
    }
}
