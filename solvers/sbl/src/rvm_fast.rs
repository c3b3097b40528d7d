//! The fast sequential RVM (Tipping & Faul 2003; the SparseBayes defaults): a preset of the
//! [sparse-Bayes engine](crate::bayes) — the Tipping–Faul rule of
//! [`crate::bayes::sequential`] on z-scored normal equations, like
//! [`rvm_fit`](crate::rvm::rvm_fit) with [`RvmParams::evidence`](crate::rvm::RvmParams::evidence).
//!
//! The model starts with one basis function and adds, re-estimates or deletes one per step,
//! always the change that increases the log marginal likelihood most, then re-estimates the
//! noise β. The stop value is |Δ ln β| of the step; the fit has converged when it is below
//! `tol_log_beta` and no change (or only a re-estimate by less than `tol_log_alpha` in log,
//! with no deletion pending) increases the likelihood. Each step costs O(p·|A| + |A|³) with
//! the Gram matrix precomputed.

use crate::bayes::SparseBayesFit;
use crate::bayes::sequential::{Sequential, sequential_fit};
use crate::bayes::standardise::{MAX_CANCELLATION, NormalEquations, Standardise};
use crate::regression::Regression;
use nalgebra::{DMatrix, DVector};
use parsimony_core::Result;
use parsimony_core::error::{check_at_least_one, check_positive};
use parsimony_core::solve::{Observer, Silent};

/// Parameters of the fast sequential RVM.
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `max_iter` | 10 000 | ≥ 1 | step cap |
/// | `tol_log_alpha` | 1e-3 | > 0 | a re-estimate below this (in log α) counts as settled |
/// | `tol_log_beta` | 1e-6 | > 0 | stop when \|Δ ln β\| < this (the stop value) |
#[derive(Clone, Debug)]
pub struct FastRvmParams {
    /// Step cap.
    pub max_iter: usize,
    /// Stop when the best step re-estimates an α by less than this in log.
    pub tol_log_alpha: f64,
    /// … and β moved by less than this in log.
    pub tol_log_beta: f64,
}

impl Default for FastRvmParams {
    fn default() -> Self {
        Self {
            max_iter: 10_000,
            tol_log_alpha: 1e-3,
            tol_log_beta: 1e-6,
        }
    }
}

impl FastRvmParams {
    /// Step cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Tolerances on |Δ ln α| and |Δ ln β|.
    pub fn tol(mut self, log_alpha: f64, log_beta: f64) -> Self {
        (self.tol_log_alpha, self.tol_log_beta) = (log_alpha, log_beta);
        self
    }

    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<FastRvm> {
        check_at_least_one("max_iter", self.max_iter)?;
        check_positive("tol_log_alpha", self.tol_log_alpha)?;
        check_positive("tol_log_beta", self.tol_log_beta)?;
        Ok(FastRvm { params: self })
    }
}

/// The fast sequential RVM; build it with [`FastRvmParams::build`].
#[derive(Clone, Debug)]
pub struct FastRvm {
    params: FastRvmParams,
}

impl FastRvm {
    /// The parameters.
    pub fn params(&self) -> &FastRvmParams {
        &self.params
    }

    /// Fits the RVM on z-scored columns and target; weights are reported in the original
    /// units with an intercept.
    pub fn solve(&self, problem: &Regression<'_, f64>) -> Result<SparseBayesFit<f64>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// [`FastRvm::solve`], showing `observer` each step (stop value |Δ ln β|, no cost).
    pub fn solve_observed(
        &self,
        problem: &Regression<'_, f64>,
        observer: &mut dyn Observer,
    ) -> Result<SparseBayesFit<f64>> {
        let ne = NormalEquations::from_rows(
            problem.a(),
            problem.y(),
            Standardise::ZScore,
            MAX_CANCELLATION,
        )?;
        let p = &self.params;
        let cfg = Sequential {
            max_iter: p.max_iter,
            tol_log_alpha: p.tol_log_alpha,
            tol_log_beta: p.tol_log_beta,
        };
        sequential_fit(&ne, cfg, observer)
    }
}

/// Fits the RVM by the fast sequential algorithm: the thin preset `FastRvmParams::build` then
/// [`FastRvm::solve`].
pub fn rvm_fit_fast(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    params: &FastRvmParams,
) -> Result<SparseBayesFit<f64>> {
    let problem = Regression::new(phi, t)?;
    params.clone().build()?.solve(&problem)
}
