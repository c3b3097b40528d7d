//! The dense linear regression problem y = A x + n shared by the dense solvers (classical SBL,
//! ARD, the RVMs, OMP).
//!
//! A is M × N (rows are samples or measurements, columns are dictionary atoms or regressors),
//! y has length M; real or complex entries.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::Scalar;
use parsimony_core::{Error, Result};

/// A dense regression problem y = A x + n, borrowing its data (no copy of A).
///
/// [`Regression::new`] checks the shapes (A non-empty, len y = rows of A). The values are
/// checked for NaN and infinities by the solver's set-up, which reads every entry once
/// anyway (the RVM's one-pass moments check them in the same pass), and reported as
/// [`Error::NonFinite`] naming `a` or `y`.
#[derive(Clone, Copy, Debug)]
pub struct Regression<'a, T: Scalar> {
    a: &'a DMatrix<T>,
    y: &'a DVector<T>,
}

impl<'a, T: Scalar> Regression<'a, T> {
    /// The problem with dictionary (design matrix) `a` (M × N) and measurements `y` (length M).
    ///
    /// Errors: an empty `a` ([`Error::InvalidParameter`]), `len y ≠ rows of a`
    /// ([`Error::DimensionMismatch`]).
    pub fn new(a: &'a DMatrix<T>, y: &'a DVector<T>) -> Result<Self> {
        if a.is_empty() {
            return Err(Error::invalid("a", "dictionary is empty"));
        }
        parsimony_core::error::check_len("length of y (rows of A)", a.nrows(), y.len())?;
        Ok(Self { a, y })
    }

    /// The dictionary A (M × N).
    pub fn a(&self) -> &'a DMatrix<T> {
        self.a
    }

    /// The measurements y (length M).
    pub fn y(&self) -> &'a DVector<T> {
        self.y
    }

    /// Checks every value of A and y for NaN and infinities, and that their squares lie in the
    /// range of doubles (every fit forms sums of squares: a scale near 1e±154 or beyond
    /// overflows or vanishes in them).
    pub(crate) fn check_finite(&self) -> Result<()> {
        parsimony_core::linalg::check_finite("a", self.a.as_slice())?;
        parsimony_core::linalg::check_finite("y", self.y.as_slice())?;
        check_squares("a", self.a.as_slice())?;
        check_squares("y", self.y.as_slice())
    }
}

/// ‖v‖² must be finite, and nonzero unless v is exactly zero: otherwise the data need scaling.
pub(crate) fn check_squares<T: Scalar>(what: &str, v: &[T]) -> Result<()> {
    let sq: f64 = v.iter().map(|x| x.modulus2()).sum();
    if !sq.is_finite() {
        return Err(Error::invalid(
            what,
            "its sum of squares overflows a double: scale the data (e.g. divide by its largest entry)",
        ));
    }
    if sq == 0.0 && v.iter().any(|x| x.modulus() != 0.0) {
        return Err(Error::degenerate(
            what,
            "its sum of squares underflows to zero: scale the data (e.g. divide by its largest entry)",
        ));
    }
    Ok(())
}
