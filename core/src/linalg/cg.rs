//! Matrix-free (preconditioned) conjugate gradient for symmetric positive definite systems.
//!
//! Solves A x = b for SPD A given only its action ([`LinearOperator`]). With a preconditioner
//! M ≈ A (SPD, applied as z = M⁻¹ r), the iteration is
//!
//! ```text
//!   r₀ = b − A x₀,  z₀ = M⁻¹ r₀,  p₀ = z₀
//!   αₖ = ⟨rₖ, zₖ⟩ / ⟨pₖ, A pₖ⟩
//!   xₖ₊₁ = xₖ + αₖ pₖ,  rₖ₊₁ = rₖ − αₖ A pₖ
//!   zₖ₊₁ = M⁻¹ rₖ₊₁,  βₖ = ⟨rₖ₊₁, zₖ₊₁⟩ / ⟨rₖ, zₖ⟩,  pₖ₊₁ = zₖ₊₁ + βₖ pₖ
//! ```
//!
//! stopping when ‖rₖ‖₂ ≤ max(rel_tol·‖b‖₂, abs_tol). In exact arithmetic it terminates in at most
//! n steps; the error in the A-norm falls like 2((√κ − 1)/(√κ + 1))ᵏ. One iteration costs one
//! operator application, one preconditioner application and 5n flops; the four work vectors are
//! allocated once per solve.
//!
//! **Honest failure.** ⟨p, A p⟩ ≤ 0 proves that A is not positive definite (and ⟨r, z⟩ ≤ 0 that
//! M is not); the solver then stops and reports a [`CgBreakdown`] with `converged = false`
//! instead of dividing by a non-positive curvature. Hitting the iteration cap is likewise
//! reported, not hidden (`info.status`); [`CgSolution::require_converged`] turns either into an
//! error. The reported residual (`info.stop_value`) is the true one, ‖b − A x‖₂, recomputed at
//! the end.
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use parsimony_core::linalg::CgParams;
//! let a = DMatrix::from_row_slice(2, 2, &[4.0, 1.0, 1.0, 3.0]);
//! let b = DVector::from_vec(vec![1.0, 2.0]);
//! let sol = CgParams::default().rel_tol(1e-12).build()?.solve(&a, &b, None, None)?;
//! assert!(sol.info.converged && sol.info.iterations <= 2);
//! assert!((&a * &sol.x - &b).norm() < 1e-10);
//! # Ok::<(), parsimony_core::Error>(())
//! ```

use super::LinearOperator;
use crate::error::{check_at_least_one, check_len, check_non_negative};
use crate::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use crate::{Error, Result};
use nalgebra::DVector;

/// A preconditioner: z ← M⁻¹ r for an SPD approximation M of A.
pub trait Preconditioner {
    /// Writes M⁻¹ r into z.
    fn apply_inverse(&self, r: &[f64], z: &mut [f64]);
}

/// The Jacobi (diagonal) preconditioner M = diag(A).
#[derive(Clone, Debug)]
pub struct JacobiPreconditioner {
    inv_diag: Vec<f64>,
}

impl JacobiPreconditioner {
    /// Builds M⁻¹ from the diagonal of A; every entry must be finite and positive.
    pub fn new(diag: &[f64]) -> Result<Self> {
        for (i, &d) in diag.iter().enumerate() {
            if !(d.is_finite() && d > 0.0) {
                return Err(Error::invalid(
                    format!("diag[{i}]"),
                    format!(
                        "Jacobi preconditioner needs finite positive diagonal entries, got {d}"
                    ),
                ));
            }
        }
        Ok(Self {
            inv_diag: diag.iter().map(|d| 1.0 / d).collect(),
        })
    }
}

impl Preconditioner for JacobiPreconditioner {
    fn apply_inverse(&self, r: &[f64], z: &mut [f64]) {
        for ((zi, ri), di) in z.iter_mut().zip(r).zip(&self.inv_diag) {
            *zi = ri * di;
        }
    }
}

/// Parameters of conjugate gradient ([`Cg`]); [`CgParams::build`] checks them.
///
/// | name | default | valid |
/// |---|---|---|
/// | `max_iter` | `None` ⇒ 2n | ≥ 1 |
/// | `rel_tol` | 1e-10 | ≥ 0, finite |
/// | `abs_tol` | 0 | ≥ 0, finite; `rel_tol` and `abs_tol` not both 0 |
/// | `record_history` | false | keep ‖rₖ‖ of every iteration |
#[derive(Clone, Debug)]
pub struct CgParams {
    /// Iteration cap (`None`: twice the system size).
    pub max_iter: Option<usize>,
    /// Stop when ‖r‖ ≤ rel_tol·‖b‖.
    pub rel_tol: f64,
    /// Stop when ‖r‖ ≤ abs_tol.
    pub abs_tol: f64,
    /// Record the residual norm of every iteration in [`CgSolution::history`].
    pub record_history: bool,
}

impl Default for CgParams {
    fn default() -> Self {
        Self {
            max_iter: None,
            rel_tol: 1e-10,
            abs_tol: 0.0,
            record_history: false,
        }
    }
}

impl CgParams {
    /// Sets the iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = Some(n);
        self
    }
    /// Sets the relative tolerance.
    pub fn rel_tol(mut self, tol: f64) -> Self {
        self.rel_tol = tol;
        self
    }
    /// Sets the absolute tolerance.
    pub fn abs_tol(mut self, tol: f64) -> Self {
        self.abs_tol = tol;
        self
    }
    /// Records the residual history.
    pub fn record_history(mut self, yes: bool) -> Self {
        self.record_history = yes;
        self
    }

    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Cg> {
        self.validate()?;
        Ok(Cg { params: self })
    }

    fn validate(&self) -> Result<()> {
        if let Some(n) = self.max_iter {
            check_at_least_one("max_iter", n)?;
        }
        check_non_negative("rel_tol", self.rel_tol)?;
        check_non_negative("abs_tol", self.abs_tol)?;
        if self.rel_tol == 0.0 && self.abs_tol == 0.0 {
            return Err(Error::invalid(
                "rel_tol",
                "rel_tol and abs_tol are both 0: the solve could never stop on a tolerance",
            ));
        }
        Ok(())
    }
}

/// Why conjugate gradient stopped early without converging.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CgBreakdown {
    /// ⟨p, A p⟩ ≤ 0: the operator is not positive definite.
    NonPositiveCurvature {
        /// Iteration at which it was found.
        iteration: usize,
        /// The value of ⟨p, A p⟩.
        curvature: f64,
    },
    /// ⟨r, M⁻¹ r⟩ ≤ 0: the preconditioner is not positive definite.
    IndefinitePreconditioner {
        /// Iteration at which it was found.
        iteration: usize,
    },
    /// A non-finite value appeared (overflow or a non-finite operator output).
    NonFinite {
        /// Iteration at which it was found.
        iteration: usize,
    },
}

/// The result of [`Cg::solve`].
///
/// `info.stop_value` is the true residual norm ‖b − A x‖₂ of the returned x (also in
/// `residual_norm`); `info.status` is [`Status::Converged`] when it reached `tolerance`,
/// [`Status::MaxIterations`] at the cap, [`Status::Breakdown`] / [`Status::NonFinite`] with the
/// details in `breakdown`, [`Status::StoppedByObserver`] when the observer stopped the run,
/// [`Status::Stalled`] when the recursive residual met the tolerance but the true one does not.
#[derive(Clone, Debug)]
pub struct CgSolution {
    /// The final iterate.
    pub x: DVector<f64>,
    /// True residual ‖b − A x‖₂ of the returned x.
    pub residual_norm: f64,
    /// `residual_norm / ‖b‖₂` (the residual itself if b = 0).
    pub relative_residual: f64,
    /// The tolerance ‖r‖ had to reach.
    pub tolerance: f64,
    /// Set when the iteration stopped because of a breakdown.
    pub breakdown: Option<CgBreakdown>,
    /// ‖rₖ‖₂ per iteration (recursive residual), if requested.
    pub history: Vec<f64>,
    /// Iterations, status, the true residual norm as `stop_value`, time.
    pub info: SolveInfo,
}

impl CgSolution {
    /// Returns the solution if it converged, else [`Error::NotConverged`].
    pub fn require_converged(self) -> Result<Self> {
        self.info.require_converged()?;
        Ok(self)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The conjugate gradient solver, made by [`CgParams::build`].
#[derive(Clone, Debug)]
pub struct Cg {
    params: CgParams,
}

impl Cg {
    /// The parameters it was built with.
    pub fn params(&self) -> &CgParams {
        &self.params
    }

    /// Solves A x = b for a symmetric positive definite operator A by (preconditioned) CG.
    ///
    /// `x0` is the starting point (zero if `None`). See the [module documentation](self) for the
    /// iteration, the stopping rule and how failures are reported.
    pub fn solve<A: LinearOperator<f64>>(
        &self,
        a: &A,
        b: &DVector<f64>,
        x0: Option<&DVector<f64>>,
        preconditioner: Option<&dyn Preconditioner>,
    ) -> Result<CgSolution> {
        self.solve_observed(a, b, x0, preconditioner, &mut Silent)
    }

    /// As [`Cg::solve`], reporting ‖rₖ‖₂ (as `stop_value`, cost NaN) after every iteration to
    /// `observer`, which may stop the run.
    pub fn solve_observed<A: LinearOperator<f64>>(
        &self,
        a: &A,
        b: &DVector<f64>,
        x0: Option<&DVector<f64>>,
        preconditioner: Option<&dyn Preconditioner>,
        observer: &mut dyn Observer,
    ) -> Result<CgSolution> {
        let clock = Clock::start();
        let params = &self.params;
        let n = a.nrows();
        check_len("columns of A (it must be square)", n, a.ncols())?;
        check_len("length of b", n, b.len())?;
        super::check_finite("b", b.as_slice())?;
        let mut x = match x0 {
            Some(x0) => {
                check_len("length of x0", n, x0.len())?;
                super::check_finite("x0", x0.as_slice())?;
                x0.clone()
            }
            None => DVector::zeros(n),
        };
        let max_iter = params.max_iter.unwrap_or(2 * n.max(1));
        let b_norm = b.norm();
        if !b_norm.is_finite() {
            return Err(Error::invalid(
                "b",
                "‖b‖₂ overflows a double: scale the system (x scales with b)",
            ));
        }
        let tolerance = (params.rel_tol * b_norm).max(params.abs_tol);

        let mut ws = a.workspace();
        let mut r = vec![0.0; n];
        let mut z = vec![0.0; n];
        let mut p = vec![0.0; n];
        let mut ap = vec![0.0; n];

        // r = b − A x
        a.apply_into(x.as_slice(), &mut ap, &mut ws)?;
        super::check_finite("A x0 (the operator's output at the starting point)", &ap)?;
        for ((ri, bi), api) in r.iter_mut().zip(b.iter()).zip(&ap) {
            *ri = bi - api;
        }
        let precondition = |r: &[f64], z: &mut [f64]| match preconditioner {
            Some(m) => m.apply_inverse(r, z),
            None => z.copy_from_slice(r),
        };
        precondition(&r, &mut z);
        p.copy_from_slice(&z);
        let mut rz = dot(&r, &z);
        let mut r_norm = dot(&r, &r).sqrt();
        let mut history = Vec::new();
        let mut breakdown = None;
        let mut stopped = false;
        let mut iterations = 0;

        while r_norm > tolerance && iterations < max_iter {
            if !(rz > 0.0) {
                breakdown = Some(if rz.is_finite() {
                    CgBreakdown::IndefinitePreconditioner {
                        iteration: iterations,
                    }
                } else {
                    CgBreakdown::NonFinite {
                        iteration: iterations,
                    }
                });
                break;
            }
            a.apply_into(&p, &mut ap, &mut ws)?;
            let curvature = dot(&p, &ap);
            if !(curvature > 0.0) {
                breakdown = Some(if curvature.is_finite() {
                    CgBreakdown::NonPositiveCurvature {
                        iteration: iterations,
                        curvature,
                    }
                } else {
                    CgBreakdown::NonFinite {
                        iteration: iterations,
                    }
                });
                break;
            }
            let alpha = rz / curvature;
            for (((xi, ri), pi), api) in x.iter_mut().zip(r.iter_mut()).zip(&p).zip(&ap) {
                *xi += alpha * pi;
                *ri -= alpha * api;
            }
            precondition(&r, &mut z);
            let rz_new = dot(&r, &z);
            let beta = rz_new / rz;
            rz = rz_new;
            for (pi, zi) in p.iter_mut().zip(&z) {
                *pi = zi + beta * *pi;
            }
            r_norm = dot(&r, &r).sqrt();
            iterations += 1;
            if params.record_history {
                history.push(r_norm);
            }
            if !r_norm.is_finite() {
                breakdown = Some(CgBreakdown::NonFinite {
                    iteration: iterations,
                });
                break;
            }
            if observer.observe(&IterInfo::new(iterations, f64::NAN, r_norm)) == Control::Stop {
                stopped = true;
                break;
            }
        }

        // The true residual of the returned iterate.
        a.apply_into(x.as_slice(), &mut ap, &mut ws)?;
        let residual_norm = b
            .iter()
            .zip(&ap)
            .map(|(bi, api)| (bi - api).powi(2))
            .sum::<f64>()
            .sqrt();
        if !residual_norm.is_finite() || x.iter().any(|v| !v.is_finite()) {
            return Err(Error::non_finite(format!(
                "the CG iterate after {iterations} iterations (the operator or the \
                 preconditioner produced NaN or an infinity; residual {residual_norm})"
            )));
        }
        let status = match breakdown {
            Some(CgBreakdown::NonPositiveCurvature { curvature, .. }) => Status::Breakdown {
                what: "CG curvature <p, A p>",
                value: curvature,
            },
            Some(CgBreakdown::IndefinitePreconditioner { .. }) => Status::Breakdown {
                what: "CG preconditioned residual <r, M^-1 r>",
                value: rz,
            },
            Some(CgBreakdown::NonFinite { .. }) => Status::NonFinite,
            None if !residual_norm.is_finite() => Status::NonFinite,
            None if residual_norm <= tolerance => Status::Converged,
            None if stopped => Status::StoppedByObserver,
            // the recursive residual met the tolerance, the true one (recomputed) does not:
            // rounding has drifted them apart and more steps will not help
            None if iterations < max_iter => Status::Stalled,
            None => Status::MaxIterations,
        };
        let relative_residual = if b_norm > 0.0 {
            residual_norm / b_norm
        } else {
            residual_norm
        };
        let info = clock.finish(iterations, status, residual_norm);
        observer.finish(&info);
        Ok(CgSolution {
            x,
            residual_norm,
            relative_residual,
            tolerance,
            breakdown,
            history,
            info,
        })
    }
}
