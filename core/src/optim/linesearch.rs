//! Armijo backtracking line search.
//!
//! Given x, f(x), the gradient g and a descent direction d (gᵀd < 0), find the largest
//! α = α₀ ρᵏ, k = 0, 1, …, with the sufficient-decrease (Armijo) condition
//!
//! ```text
//!   f(x + α d) ≤ f(x) + c₁ α gᵀd.
//! ```
//!
//! Used by Newton-type solvers (Sinkhorn–Newton–Sparse) on their own potentials. Each trial
//! costs one evaluation of f; the trial point is written into a caller-provided buffer.

use crate::error::check_len;
use crate::{Error, Result};

/// Parameters of [`armijo_backtracking`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `c1` | 1e-4 | (0, 1) |
/// | `shrink` ρ | 0.5 | (0, 1) |
/// | `initial_step` α₀ | 1 | > 0 |
/// | `max_backtracks` | 50 | ≥ 1 |
#[derive(Clone, Debug)]
pub struct ArmijoParams {
    /// Sufficient-decrease constant c₁.
    pub c1: f64,
    /// Step shrink factor ρ.
    pub shrink: f64,
    /// First step tried, α₀.
    pub initial_step: f64,
    /// Most steps tried.
    pub max_backtracks: usize,
}

impl Default for ArmijoParams {
    fn default() -> Self {
        Self {
            c1: 1e-4,
            shrink: 0.5,
            initial_step: 1.0,
            max_backtracks: 50,
        }
    }
}

impl ArmijoParams {
    fn validate(&self) -> Result<()> {
        for (name, v) in [("c1", self.c1), ("shrink", self.shrink)] {
            if !(v > 0.0 && v < 1.0) {
                return Err(Error::invalid(name, format!("must lie in (0, 1), got {v}")));
            }
        }
        crate::error::check_positive("initial_step", self.initial_step)?;
        if self.max_backtracks == 0 {
            return Err(Error::invalid("max_backtracks", "must be at least 1"));
        }
        Ok(())
    }
}

/// The outcome of a line search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineSearchInfo {
    /// The accepted step α (the last one tried if `satisfied` is false).
    pub step: f64,
    /// f(x + α d).
    pub cost: f64,
    /// Evaluations of f.
    pub evaluations: usize,
    /// Whether the Armijo condition holds at `step`.
    pub satisfied: bool,
}

/// Backtracks from α₀ until f(x + α d) ≤ f(x) + c₁ α gᵀd; `x_new` receives x + α d.
///
/// Errors: length mismatches, non-finite inputs, and [`Error::InvalidParameter`] naming
/// `direction` if gᵀd ≥ 0 (not a descent direction). Running out of backtracks is reported by
/// `satisfied = false`.
pub fn armijo_backtracking<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x: &[f64],
    fx: f64,
    grad: &[f64],
    direction: &[f64],
    params: &ArmijoParams,
    x_new: &mut [f64],
) -> Result<LineSearchInfo> {
    params.validate()?;
    let n = x.len();
    check_len("length of grad", n, grad.len())?;
    check_len("length of direction", n, direction.len())?;
    check_len("length of x_new", n, x_new.len())?;
    if !fx.is_finite() {
        return Err(Error::non_finite("fx"));
    }
    crate::linalg::check_finite("x", x)?;
    crate::linalg::check_finite("grad", grad)?;
    crate::linalg::check_finite("direction", direction)?;
    let slope: f64 = grad.iter().zip(direction).map(|(g, d)| g * d).sum();
    if slope >= 0.0 {
        return Err(Error::invalid(
            "direction",
            format!("not a descent direction (gᵀd = {slope:.3e} ≥ 0)"),
        ));
    }
    let mut alpha = params.initial_step;
    let mut cost = f64::NAN;
    for k in 1..=params.max_backtracks {
        for ((xn, xi), di) in x_new.iter_mut().zip(x).zip(direction) {
            *xn = xi + alpha * di;
        }
        cost = f(x_new);
        if cost.is_finite() && cost <= fx + params.c1 * alpha * slope {
            return Ok(LineSearchInfo {
                step: alpha,
                cost,
                evaluations: k,
                satisfied: true,
            });
        }
        if k < params.max_backtracks {
            alpha *= params.shrink;
        }
    }
    Ok(LineSearchInfo {
        step: alpha,
        cost,
        evaluations: params.max_backtracks,
        satisfied: false,
    })
}
