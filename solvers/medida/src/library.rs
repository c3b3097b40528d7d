//! Candidate-term libraries Θ(u) for sparse regression of PDE terms.
//!
//! The columns are u^p ∂ₓ^d u for d = 0..=D and p = 0..=P in d-major order, where the d = 0
//! column of power p is u^p itself, and the constant (d, p) = (0, 0) is dropped (PDE-FIND's
//! `build_linear_system`; defaults D = P = 4 give 24 columns):
//!
//! ```text
//!   u, u^2, u^3, u^4, u_x, uu_x, u^2u_x, …, u^4u_xxxx
//! ```
//!
//! Derivatives are spectral (exact for periodic band-limited data; the default) or PDE-FIND's
//! second-order finite differences (for parity with the MEDIDA paper's code): central stencils
//! inside, one-sided second-order stencils at both ends, and orders above 3 as FD₃ applied
//! repeatedly after lower orders (∂⁴ = FD₁∘FD₃). Always f64. Cost: O(D·N log N + D·P·N)
//! per snapshot.

use crate::spectral::SpectralGrid;
use nalgebra::DMatrix;
use parsimony_core::{Error, Result};

/// One library column u^p ∂ₓ^d u (for d = 0: u^p).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Term {
    /// The power p of the u factor.
    pub power: u32,
    /// The derivative order d.
    pub derivative: usize,
}

impl Term {
    /// A term u^p ∂ₓ^d u.
    pub fn new(power: u32, derivative: usize) -> Self {
        Self { power, derivative }
    }

    /// A readable label: "u", "u^2", "u_x", "uu_x", "u^2u_xxxx", ….
    pub fn label(&self) -> String {
        let pow = |p: u32| match p {
            0 => String::new(),
            1 => "u".to_string(),
            p => format!("u^{p}"),
        };
        if self.derivative == 0 {
            pow(self.power)
        } else {
            format!("{}u_{}", pow(self.power), "x".repeat(self.derivative))
        }
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// How the library differentiates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Derivatives {
    /// (ik)^d in Fourier space (periodic data).
    #[default]
    Spectral,
    /// PDE-FIND's second-order finite differences (non-periodic ends).
    FiniteDifference,
}

/// A library of terms u^p ∂ₓ^d u.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `max_derivative` D | 4 | 0..=8 |
/// | `max_power` P | 4 | 0..=8, D + P ≥ 1 |
/// | `derivatives` | `Spectral` | `Spectral`, `FiniteDifference` |
#[derive(Clone, Debug, PartialEq)]
pub struct Library {
    max_derivative: usize,
    max_power: u32,
    derivatives: Derivatives,
    terms: Vec<Term>,
}

impl Default for Library {
    fn default() -> Self {
        Self::new(4, 4, Derivatives::Spectral).expect("defaults are valid")
    }
}

impl Library {
    /// All terms with d ≤ `max_derivative`, p ≤ `max_power`, without the constant.
    pub fn new(max_derivative: usize, max_power: u32, derivatives: Derivatives) -> Result<Self> {
        if max_derivative > 8 {
            return Err(Error::invalid("max_derivative", "must be ≤ 8"));
        }
        if max_power > 8 {
            return Err(Error::invalid("max_power", "must be ≤ 8"));
        }
        if max_derivative == 0 && max_power == 0 {
            return Err(Error::invalid(
                "max_derivative, max_power",
                "the library would hold only the constant",
            ));
        }
        let mut terms = Vec::new();
        for d in 0..=max_derivative {
            for p in 0..=max_power {
                if d == 0 && p == 0 {
                    continue;
                }
                terms.push(Term::new(p, d));
            }
        }
        Ok(Self {
            max_derivative,
            max_power,
            derivatives,
            terms,
        })
    }

    /// A library of the given terms only (any order; duplicates refused).
    pub fn from_terms(terms: Vec<Term>, derivatives: Derivatives) -> Result<Self> {
        if terms.is_empty() {
            return Err(Error::invalid("terms", "need at least one term"));
        }
        for (i, t) in terms.iter().enumerate() {
            if t.derivative > 8 || t.power > 8 {
                return Err(Error::invalid(
                    format!("terms[{i}]"),
                    "power and derivative order must be ≤ 8",
                ));
            }
            if t.derivative == 0 && t.power == 0 {
                return Err(Error::invalid(format!("terms[{i}]"), "the constant"));
            }
            if terms[..i].contains(t) {
                return Err(Error::invalid(format!("terms[{i}]"), "duplicate term"));
            }
        }
        Ok(Self {
            max_derivative: terms.iter().map(|t| t.derivative).max().unwrap_or(0),
            max_power: terms.iter().map(|t| t.power).max().unwrap_or(0),
            derivatives,
            terms,
        })
    }

    /// The columns, in order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The column labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.terms.iter().map(Term::label).collect()
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether the library has no columns (never, once built).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The highest derivative order D among the terms.
    pub fn max_derivative(&self) -> usize {
        self.max_derivative
    }

    /// The highest power P among the terms.
    pub fn max_power(&self) -> u32 {
        self.max_power
    }

    /// The derivative method.
    pub fn derivatives(&self) -> Derivatives {
        self.derivatives
    }

    /// The position of `term` among the columns.
    pub fn index_of(&self, term: Term) -> Option<usize> {
        self.terms.iter().position(|&t| t == term)
    }

    /// Θ(u) of one snapshot (N × p).
    pub fn evaluate(&self, u: &[f64], grid: &mut SpectralGrid) -> Result<DMatrix<f64>> {
        let mut out = DMatrix::zeros(u.len(), self.len());
        self.evaluate_into(u, grid, &mut out, 0)?;
        Ok(out)
    }

    /// Writes Θ(u) into rows `row0 .. row0 + N` of `out` (for stacking snapshots).
    pub fn evaluate_into(
        &self,
        u: &[f64],
        grid: &mut SpectralGrid,
        out: &mut DMatrix<f64>,
        row0: usize,
    ) -> Result<()> {
        let n = grid.n();
        parsimony_core::error::check_len("length of u (grid points)", n, u.len())?;
        parsimony_core::linalg::check_finite("u", u)?;
        parsimony_core::error::check_len(
            "columns of out (library terms)",
            self.len(),
            out.ncols(),
        )?;
        let end = row0.checked_add(n).ok_or_else(|| {
            Error::invalid("row0", format!("row0 + N overflows usize (row0 = {row0})"))
        })?;
        if end > out.nrows() {
            return Err(Error::dimension(
                "rows of out (at least row0 + N)",
                end,
                out.nrows(),
            ));
        }
        // ∂u … ∂ᴰu (order d at (d − 1)·N)
        let mut derivs = vec![0.0; n * self.max_derivative];
        self.derivatives_into(u, grid, &mut derivs)?;
        // u⁰ … u^P once, then every column is one product
        let mut powers = vec![vec![1.0; n]];
        for p in 1..=self.max_power as usize {
            let next: Vec<f64> = powers[p - 1].iter().zip(u).map(|(a, b)| a * b).collect();
            powers.push(next);
        }
        // u is finite (checked above): a non-finite column is an overflow of uᵖ ∂ᵈu, tested in
        // the pass that writes it (no second pass over the rows)
        let rows = out.nrows();
        for (c, t) in self.terms.iter().enumerate() {
            let up = &powers[t.power as usize];
            let dst = &mut out.as_mut_slice()[c * rows + row0..c * rows + row0 + n];
            let finite = if t.derivative == 0 {
                dst.copy_from_slice(up);
                parsimony_core::linalg::all_finite(up)
            } else {
                let d = &derivs[(t.derivative - 1) * n..t.derivative * n];
                let mut ok = true;
                for ((o, a), b) in dst.iter_mut().zip(up).zip(d) {
                    let v = a * b;
                    *o = v;
                    ok &= v.is_finite();
                }
                ok
            };
            if !finite {
                return Err(Error::non_finite(format!(
                    "library column {} (it overflows a double: scale u)",
                    t.label()
                )));
            }
        }
        Ok(())
    }

    /// ∂u, …, ∂ᴰu into consecutive blocks of N values of `out` (length D·N, D ≤ the
    /// library's), by the library's derivative method.
    pub(crate) fn derivatives_into(
        &self,
        u: &[f64],
        grid: &mut SpectralGrid,
        out: &mut [f64],
    ) -> Result<()> {
        match self.derivatives {
            Derivatives::Spectral => grid.derivatives(u, out),
            Derivatives::FiniteDifference => {
                if !out.len().is_multiple_of(u.len()) {
                    return Err(Error::dimension(
                        "length of out (a multiple of the grid points)",
                        out.len().div_ceil(u.len()) * u.len(),
                        out.len(),
                    ));
                }
                for (d, o) in out.chunks_exact_mut(u.len()).enumerate() {
                    finite_difference(u, grid.dx(), d + 1, o)?;
                }
                Ok(())
            }
        }
    }
}

/// The highest order [`finite_difference`] accepts.
pub const MAX_FD_ORDER: usize = 24;

/// PDE-FIND's `FiniteDiff`: the d-th derivative of u on a uniform grid of spacing `dx`,
/// second order, one-sided at the two ends (not periodic); d > 3 is FD_{d−3}∘FD₃.
/// Needs at least 3 (d = 1), 4 (d = 2) or 6 (d ≥ 3) points.
pub fn finite_difference(u: &[f64], dx: f64, order: usize, out: &mut [f64]) -> Result<()> {
    let n = u.len();
    parsimony_core::error::check_len("length of out", n, out.len())?;
    parsimony_core::error::check_positive("dx", dx)?;
    if order > MAX_FD_ORDER {
        return Err(Error::invalid(
            "order",
            format!(
                "finite differences of order {order} exceed the supported {MAX_FD_ORDER} \
                 (each third difference multiplies rounding errors by about (2/dx)³)"
            ),
        ));
    }
    let need = match order {
        0 => 1,
        1 => 3,
        2 => 4,
        _ => 6,
    };
    if n < need {
        return Err(Error::invalid(
            "u",
            format!("{order}th-order finite differences need ≥ {need} points, got {n}"),
        ));
    }
    match order {
        0 => out.copy_from_slice(u),
        1 => {
            for i in 1..n - 1 {
                out[i] = (u[i + 1] - u[i - 1]) / (2.0 * dx);
            }
            out[0] = (-1.5 * u[0] + 2.0 * u[1] - 0.5 * u[2]) / dx;
            out[n - 1] = (1.5 * u[n - 1] - 2.0 * u[n - 2] + 0.5 * u[n - 3]) / dx;
        }
        2 => {
            let d2 = dx * dx;
            for i in 1..n - 1 {
                out[i] = (u[i + 1] - 2.0 * u[i] + u[i - 1]) / d2;
            }
            out[0] = (2.0 * u[0] - 5.0 * u[1] + 4.0 * u[2] - u[3]) / d2;
            out[n - 1] = (2.0 * u[n - 1] - 5.0 * u[n - 2] + 4.0 * u[n - 3] - u[n - 4]) / d2;
        }
        3 => {
            let d3 = dx * dx * dx;
            for i in 2..n - 2 {
                out[i] = (0.5 * u[i + 2] - u[i + 1] + u[i - 1] - 0.5 * u[i - 2]) / d3;
            }
            let fwd = |i: usize| {
                (-2.5 * u[i] + 9.0 * u[i + 1] - 12.0 * u[i + 2] + 7.0 * u[i + 3] - 1.5 * u[i + 4])
                    / d3
            };
            let bwd = |i: usize| {
                (2.5 * u[i] - 9.0 * u[i - 1] + 12.0 * u[i - 2] - 7.0 * u[i - 3] + 1.5 * u[i - 4])
                    / d3
            };
            out[0] = fwd(0);
            out[1] = fwd(1);
            out[n - 1] = bwd(n - 1);
            out[n - 2] = bwd(n - 2);
        }
        d => {
            // third differences applied one after another, then the remainder
            let mut cur = u.to_vec();
            let mut next = vec![0.0; n];
            let mut left = d;
            while left > 3 {
                finite_difference(&cur, dx, 3, &mut next)?;
                std::mem::swap(&mut cur, &mut next);
                left -= 3;
            }
            finite_difference(&cur, dx, left, out)?;
        }
    }
    Ok(())
}
