//! The one error type of parsimony.
//!
//! Every library function that can fail on user input returns [`Result<T>`](Result) with an
//! [`Error`] that names the argument and says what was wrong. Non-convergence of an iterative
//! method is normally *reported* in the method's result (`converged: false`, iterations,
//! residual); [`Error::NotConverged`] is returned only where the caller asked for strict
//! convergence.

use std::fmt;

/// The result type of parsimony.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in parsimony.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument has the wrong size.
    #[error("dimension mismatch in {what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// Which quantity (e.g. "length of y", "columns of factor 2").
        what: String,
        /// The size that was required.
        expected: usize,
        /// The size that was given.
        got: usize,
    },
    /// An argument holds NaN or an infinity.
    #[error("non-finite value (NaN or infinity) in {what}")]
    NonFinite {
        /// Which argument.
        what: String,
    },
    /// A parameter lies outside its valid range, or an argument is otherwise invalid.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong and what would be valid.
        reason: String,
    },
    /// An iterative method stopped at its iteration cap before reaching its tolerance, and the
    /// caller asked for strict convergence.
    #[error("not converged after {iterations} iterations (residual {residual:.3e})")]
    NotConverged {
        /// Iterations performed.
        iterations: usize,
        /// The residual (or other stopping quantity) reached.
        residual: f64,
    },
    /// A matrix that must be symmetric (Hermitian) positive definite is not.
    #[error("{what} is not positive definite")]
    NotPositiveDefinite {
        /// Which matrix.
        what: String,
    },
    /// A computation produced non-finite or otherwise unusable intermediate values.
    #[error("numerical breakdown in {what}: {reason}")]
    NumericalBreakdown {
        /// Where it happened.
        what: String,
        /// What happened.
        reason: String,
    },
    /// A size taken from the caller would overflow `usize`, or the memory it needs exceeds the
    /// budget of [`crate::memory`] (set by [`crate::memory::set_limit`]).
    #[error("{what} is too large: it needs {bytes} bytes, the memory budget is {limit} bytes")]
    TooLarge {
        /// Which argument (e.g. "grid points n = 1099511627776").
        what: String,
        /// The bytes it would need (`u128`, so a product that overflows `usize` still prints).
        bytes: u128,
        /// The budget in bytes.
        limit: u64,
    },
    /// The data have no informative content for the method (all zero, constant, one row, a
    /// scale below what doubles resolve), and the method has no defined answer for them.
    #[error("degenerate data in {what}: {reason}")]
    DegenerateData {
        /// Which argument.
        what: String,
        /// What is degenerate.
        reason: String,
    },
    /// Writing or reading a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Drawing a figure failed.
    #[error("plotting failed: {0}")]
    Plot(String),
}

impl Error {
    /// Shorthand for [`Error::DimensionMismatch`].
    pub fn dimension(what: impl fmt::Display, expected: usize, got: usize) -> Self {
        Error::DimensionMismatch {
            what: what.to_string(),
            expected,
            got,
        }
    }

    /// Shorthand for [`Error::NonFinite`].
    pub fn non_finite(what: impl fmt::Display) -> Self {
        Error::NonFinite {
            what: what.to_string(),
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Error::InvalidParameter {
            name: name.to_string(),
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`Error::DegenerateData`].
    pub fn degenerate(what: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Error::DegenerateData {
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`Error::NumericalBreakdown`].
    pub fn breakdown(what: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Error::NumericalBreakdown {
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Checks that `got == expected`, naming the quantity in the error.
pub fn check_len(what: impl fmt::Display, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::dimension(what, expected, got))
    }
}

/// Checks that a parameter is finite and strictly positive.
pub fn check_positive(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("must be finite and > 0, got {value}"),
        ))
    }
}

/// Checks that a parameter is finite and ≥ 0 (a tolerance, a threshold, a variance).
pub fn check_non_negative(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("must be finite and ≥ 0, got {value}"),
        ))
    }
}

/// Checks that a count (an iteration cap, a size) is at least 1.
pub fn check_at_least_one(name: &str, value: usize) -> Result<()> {
    if value >= 1 {
        Ok(())
    } else {
        Err(Error::invalid(name, "must be at least 1"))
    }
}

/// Checks that a parameter is finite and lies in the half-open interval `[lo, hi)`.
pub fn check_in_range(name: &str, value: f64, lo: f64, hi: f64) -> Result<()> {
    if value.is_finite() && value >= lo && value < hi {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("must lie in [{lo}, {hi}), got {value}"),
        ))
    }
}
