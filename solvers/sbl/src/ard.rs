//! Automatic relevance determination with scikit-learn's exact update rule
//! (`sklearn.linear_model.ARDRegression`, 1.x), for bit-level peer comparisons: a preset of
//! the [sparse-Bayes engine](crate::bayes) (Gram route with `pinvh`, the ARD rule, centring).
//!
//! With noise precision α and weight precisions λ (prior x ~ N(0, diag λ⁻¹)) and Gamma
//! hyperpriors (α₁, α₂, λ₁, λ₂ = 1e-6), each iteration on the kept columns K is
//!
//! ```text
//!   Σ = pinvh(α AᵀA + diag λ)
//!   coef_K = α Σ A_Kᵀ y,     rss = ‖y − A coef‖²
//!   γ = 1 − λ_K ∘ diag Σ
//!   λ_K ← (γ + 2λ₁) / (coef_K² + 2λ₂)
//!   α ← (M − Σγ + 2α₁) / (rss + 2α₂)
//!   K ← {j : λⱼ < threshold_lambda},  coef off K ← 0
//!   stop when iteration > 1 and Σ|coef − coef_old| < tol       (the stop value)
//! ```
//!
//! starting from α = 1/(var(y) + ε), λ = 1; Σ and coef are recomputed once more at the end.
//! With `fit_intercept`, A and y are centred first and intercept = ȳ − x̄ᵀcoef. AᵀA and Aᵀy
//! are formed once (the engine's normal equations; scikit-learn's Woodbury form for M < N is
//! the same posterior). This is the MacKay fixed point with weak hyperpriors; see
//! [`crate::classical`] for plain EM/MacKay. In the result, `weights` is `coef_`, `beta` is
//! `alpha_`, `covariance` is `sigma_` and `gamma` holds 1/`lambda_` on the kept columns.

use crate::bayes::fit::{GramFit, StopOn, gram_fit, residual_from_rows};
use crate::bayes::standardise::{MAX_CANCELLATION, NormalEquations};
use crate::bayes::{Hyperpriors, Inversion, Rule, SparseBayesFit, Standardise};
use crate::regression::Regression;
use nalgebra::{DMatrix, DVector};
use parsimony_core::error::{check_at_least_one, check_non_negative, check_positive};
use parsimony_core::solve::{Observer, Silent};
use parsimony_core::{Error, Result};

/// The fitted ARD model: the engine's one result type.
pub type ArdFit = SparseBayesFit<f64>;

/// Parameters, named and defaulted as in scikit-learn.
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `max_iter` | 300 | ≥ 1 | iteration cap |
/// | `tol` | 1e-3 | ≥ 0 | stop when Σ\|Δcoef\| < tol |
/// | `alpha_1`, `alpha_2`, `lambda_1`, `lambda_2` | 1e-6 | ≥ 0 | Gamma hyperpriors |
/// | `threshold_lambda` | 1e4 | > 0 | prune λⱼ ≥ threshold |
/// | `fit_intercept` | true | | centre A and y |
#[derive(Clone, Debug)]
pub struct ArdParams {
    /// Iteration cap.
    pub max_iter: usize,
    /// Stop when Σ|Δcoef| < tol.
    pub tol: f64,
    /// Gamma hyperprior shape of α.
    pub alpha_1: f64,
    /// Gamma hyperprior rate of α.
    pub alpha_2: f64,
    /// Gamma hyperprior shape of λ.
    pub lambda_1: f64,
    /// Gamma hyperprior rate of λ.
    pub lambda_2: f64,
    /// Columns with λⱼ ≥ threshold are pruned.
    pub threshold_lambda: f64,
    /// Centre A and y and fit an intercept.
    pub fit_intercept: bool,
}

impl Default for ArdParams {
    fn default() -> Self {
        Self {
            max_iter: 300,
            tol: 1e-3,
            alpha_1: 1e-6,
            alpha_2: 1e-6,
            lambda_1: 1e-6,
            lambda_2: 1e-6,
            threshold_lambda: 1e4,
            fit_intercept: true,
        }
    }
}

impl ArdParams {
    /// Iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Tolerance on Σ|Δcoef|.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// All four hyperpriors.
    pub fn hyperpriors(mut self, h: Hyperpriors) -> Self {
        (self.alpha_1, self.alpha_2, self.lambda_1, self.lambda_2) =
            (h.alpha_1, h.alpha_2, h.lambda_1, h.lambda_2);
        self
    }
    /// Pruning threshold on λ.
    pub fn threshold_lambda(mut self, t: f64) -> Self {
        self.threshold_lambda = t;
        self
    }
    /// Centre the data and fit an intercept.
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }

    fn hyper(&self) -> Hyperpriors {
        Hyperpriors {
            alpha_1: self.alpha_1,
            alpha_2: self.alpha_2,
            lambda_1: self.lambda_1,
            lambda_2: self.lambda_2,
        }
    }

    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Ard> {
        check_at_least_one("max_iter", self.max_iter)?;
        check_non_negative("tol", self.tol)?;
        self.hyper().validate()?;
        check_positive("threshold_lambda", self.threshold_lambda)?;
        Ok(Ard { params: self })
    }
}

/// scikit-learn's ARD regression; build it with [`ArdParams::build`].
#[derive(Clone, Debug)]
pub struct Ard {
    params: ArdParams,
}

impl Ard {
    /// The parameters.
    pub fn params(&self) -> &ArdParams {
        &self.params
    }

    /// Fits the model (see the [module docs](self)).
    pub fn solve(&self, problem: &Regression<'_, f64>) -> Result<ArdFit> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Fits the model, showing `observer` each iteration (stop value Σ|Δcoef|, no cost).
    pub fn solve_observed(
        &self,
        problem: &Regression<'_, f64>,
        observer: &mut dyn Observer,
    ) -> Result<ArdFit> {
        let p = &self.params;
        let (a, y) = (problem.a(), problem.y());
        let mode = if p.fit_intercept {
            Standardise::Centre
        } else {
            Standardise::None
        };
        let ne = NormalEquations::from_rows(a, y, mode, MAX_CANCELLATION)?;
        // scikit-learn's start: α = 1/(var(y) + ε), on the (centred) target
        let yc = if p.fit_intercept {
            y.add_scalar(-y.mean())
        } else {
            y.clone()
        };
        // the mean once (numpy's var of the centred target: Σ(v − mean)²/M)
        let mean_yc = yc.mean();
        let var_y = yc.iter().map(|v| (v - mean_yc).powi(2)).sum::<f64>() / y.len() as f64;
        let cfg = GramFit {
            rule: Rule::Ard(p.hyper()),
            inversion: Inversion::Pseudo,
            alpha_init: 1.0,
            beta_init: 1.0 / (var_y + f64::EPSILON),
            threshold: p.threshold_lambda,
            keep_one: false,
            stop: StopOn::CoefficientChange,
            tol: p.tol,
            min_iter: 2,
            max_iter: p.max_iter,
            final_estep: true,
        };
        let mut residual = residual_from_rows(a, y, &ne);
        gram_fit(&ne, &cfg, &mut residual, observer)?
            .ok_or_else(|| Error::breakdown("ARD", "the residual from the rows is unavailable"))
    }
}

/// Fits ARD regression with scikit-learn's algorithm: `ArdParams::build` then `Ard::solve`.
pub fn ard_regression(a: &DMatrix<f64>, y: &DVector<f64>, params: &ArdParams) -> Result<ArdFit> {
    let problem = Regression::new(a, y)?;
    params.clone().build()?.solve(&problem)
}
