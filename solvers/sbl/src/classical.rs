//! Classical sparse Bayesian learning on a dense dictionary (Tipping 2001; Wipf & Rao 2004):
//! the dense route of the [sparse-Bayes engine](crate::bayes).
//!
//! **Model.** y = A x + n, A ∈ F^{M×N} (F = ℝ or ℂ), n ~ N(0, σ²I) (CN for complex),
//! x ~ N(0, Γ), Γ = diag(γ). The hyperparameters minimise the evidence cost
//! L(γ, σ²) = log|C| + yᴴC⁻¹y, C = σ²I + AΓAᴴ.
//!
//! **E-step** on the active set K (k columns): the posterior N(μ, Σ) with
//! Σ = (AᴴA/σ² + Γ⁻¹)⁻¹ and μ = ΣAᴴy/σ². When M ≤ k it is computed through C (Woodbury):
//! μ = ΓAᴴC⁻¹y and diag Σ = γ − diag(ΓAᴴC⁻¹AΓ), one Cholesky of the M × M matrix C, cost
//! O(M²k + M³); otherwise through the k × k Cholesky of AᴴA/σ² + Γ⁻¹, cost O(Mk² + k³)
//! ([`crate::bayes::posterior`]).
//!
//! **M-step** ([`UpdateRule`], [`crate::bayes::rules`]): EM γⱼ ← Σⱼⱼ + |μⱼ|² (monotone in L,
//! slow: hundreds to thousands of iterations), or MacKay γⱼ ← |μⱼ|²/(1 − Σⱼⱼ/γⱼ) (the RVM /
//! ARD fixed point, tens of iterations). A learnt σ² uses the matching rule: EM
//! σ² ← (‖y − Aμ‖² + σ²Σⱼ(1 − Σⱼⱼ/γⱼ))/M, MacKay σ² ← ‖y − Aμ‖²/(M − Σⱼ(1 − Σⱼⱼ/γⱼ)).
//!
//! **Pruning and stopping.** At the start of each iteration columns with γⱼ < r·max γ or
//! γⱼ < r_abs (or γⱼ = 0) leave the active set for good. The loop stops when the stop value
//! ‖γ⁽ʳ⁾ − γ⁽ʳ⁻¹⁾‖/‖γ⁽ʳ⁻¹⁾‖ ≤ tol (pruned entries count as 0) or after `max_iter`
//! iterations; the returned mean comes from one more E-step with the final γ. The observer
//! sees the evidence cost of each iteration's E-step and the stop value.

pub use crate::bayes::SparseBayesFit;
use crate::bayes::posterior::dense_posterior;
use crate::bayes::rules::Rule;
use crate::noise::Noise;
use crate::regression::Regression;
use nalgebra::DVector;
use parsimony_core::error::{
    check_at_least_one, check_in_range, check_non_negative, check_positive,
};
use parsimony_core::linalg::Scalar;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, Status};
use parsimony_core::{Error, Result};

/// The hyperparameter update of classical SBL (the engine's [`Rule`]: `Em`, `MacKay`, or
/// scikit-learn's `Ard` rule in its variance form).
pub type UpdateRule = Rule;

/// The result of classical SBL: the engine's one result type (`weights` is x̂; no covariance,
/// the dense route computes only its diagonal).
pub type SblSolution<T> = SparseBayesFit<T>;

/// Parameters of classical SBL.
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `rule` | `Em` | `Em`, `MacKay`, `Ard` | the hyperparameter update |
/// | `noise` | `Learn { init: None }` (0.1·var(y)) | `Known(σ² > 0)`, `Learn` | noise variance |
/// | `max_iter` | 150 | ≥ 1 | iteration cap |
/// | `tol` | 1e-4 | ≥ 0 | stop when ‖Δγ‖/‖γ‖ ≤ tol |
/// | `prune_rel` | 1e-3 | [0, 1) | prune γⱼ < r·max γ |
/// | `prune_abs` | 0 | ≥ 0 | prune γⱼ < r |
/// | `gamma_init` | 1 | > 0 | starting γⱼ |
#[derive(Clone, Debug)]
pub struct SblParams {
    /// The hyperparameter update.
    pub rule: UpdateRule,
    /// Known or learnt noise variance.
    pub noise: Noise,
    /// Iteration cap.
    pub max_iter: usize,
    /// Stopping tolerance on the relative change of γ.
    pub tol: f64,
    /// Relative pruning threshold.
    pub prune_rel: f64,
    /// Absolute pruning threshold.
    pub prune_abs: f64,
    /// Starting value of every γⱼ.
    pub gamma_init: f64,
}

impl Default for SblParams {
    fn default() -> Self {
        Self {
            rule: UpdateRule::Em,
            noise: Noise::Learn { init: None },
            max_iter: 150,
            tol: 1e-4,
            prune_rel: 1e-3,
            prune_abs: 0.0,
            gamma_init: 1.0,
        }
    }
}

impl SblParams {
    /// Defaults with the given update rule.
    pub fn new(rule: UpdateRule) -> Self {
        Self {
            rule,
            ..Self::default()
        }
    }
    /// Known or learnt noise.
    pub fn noise(mut self, noise: Noise) -> Self {
        self.noise = noise;
        self
    }
    /// Iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Stopping tolerance on the relative change of γ.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Relative pruning threshold (γⱼ < r·max γ).
    pub fn prune_rel(mut self, r: f64) -> Self {
        self.prune_rel = r;
        self
    }
    /// Absolute pruning threshold (γⱼ < r).
    pub fn prune_abs(mut self, r: f64) -> Self {
        self.prune_abs = r;
        self
    }
    /// Starting value of every γⱼ.
    pub fn gamma_init(mut self, g: f64) -> Self {
        self.gamma_init = g;
        self
    }

    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Sbl> {
        check_at_least_one("max_iter", self.max_iter)?;
        check_in_range("prune_rel", self.prune_rel, 0.0, 1.0)?;
        check_non_negative("tol", self.tol)?;
        check_non_negative("prune_abs", self.prune_abs)?;
        check_positive("gamma_init", self.gamma_init)?;
        if let Rule::Ard(h) = &self.rule {
            h.validate()?;
        }
        self.noise.validate()?;
        Ok(Sbl { params: self })
    }
}

/// Classical SBL; build it with [`SblParams::build`].
#[derive(Clone, Debug)]
pub struct Sbl {
    params: SblParams,
}

impl Sbl {
    /// The parameters.
    pub fn params(&self) -> &SblParams {
        &self.params
    }

    /// Runs SBL on the problem y = A x + n.
    pub fn solve<T: Scalar>(&self, problem: &Regression<'_, T>) -> Result<SblSolution<T>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Runs SBL, showing `observer` each iteration (cost = the E-step's evidence cost, stop
    /// value = the relative change of γ).
    pub fn solve_observed<T: Scalar>(
        &self,
        problem: &Regression<'_, T>,
        observer: &mut dyn Observer,
    ) -> Result<SblSolution<T>> {
        problem.check_finite()?;
        let (a, y) = (problem.a(), problem.y());
        let p = &self.params;
        let clock = Clock::start();
        let (m, n) = a.shape();
        let mut support: Vec<usize> = (0..n).collect();
        let mut gamma = vec![p.gamma_init; n];
        let mut a_act = a.clone();
        let mut sigma2 = p.noise.initial(y.as_slice());
        let mut prev_full = DVector::from_element(n, p.gamma_init);
        let mut status = Status::MaxIterations;
        let mut iterations = 0;
        let mut rel_change = f64::NAN;
        for r in 1..=p.max_iter {
            let top = gamma.iter().fold(0.0f64, |a, &b| a.max(b));
            let keep: Vec<usize> = (0..gamma.len())
                .filter(|&j| {
                    let g = gamma[j];
                    g > 0.0 && g >= p.prune_rel * top && g >= p.prune_abs
                })
                .collect();
            if keep.is_empty() {
                status = Status::AllPruned { factor: None };
                support.clear();
                gamma.clear();
                break;
            }
            if keep.len() < gamma.len() {
                support = keep.iter().map(|&j| support[j]).collect();
                gamma = keep.iter().map(|&j| gamma[j]).collect();
                a_act = a.select_columns(support.iter());
            }
            let post = dense_posterior(&a_act, &gamma, y, sigma2)?;
            let dof: f64 = post.var.iter().zip(&gamma).map(|(v, g)| 1.0 - v / g).sum();
            if p.noise.is_learnt() {
                let resid = y - &a_act * DVector::from_column_slice(&post.mu);
                let rss = resid.norm_squared();
                sigma2 = p
                    .rule
                    .noise_variance(m as f64, dof, rss, sigma2)
                    .max(f64::MIN_POSITIVE);
            }
            for (j, g) in gamma.iter_mut().enumerate() {
                *g = p.rule.variance(*g, post.var[j], post.mu[j].modulus2());
            }
            if gamma.iter().any(|g| !g.is_finite()) {
                return Err(Error::breakdown("SBL M-step", "non-finite γ"));
            }
            let mut full = DVector::zeros(n);
            for (&j, &g) in support.iter().zip(&gamma) {
                full[j] = g;
            }
            let rel = (&full - &prev_full).norm() / prev_full.norm().max(f64::MIN_POSITIVE);
            prev_full = full;
            iterations = r;
            rel_change = rel;
            let control = observer.observe(&IterInfo::new(r, post.cost, rel));
            if rel <= p.tol {
                status = Status::Converged;
                break;
            }
            if control == Control::Stop {
                status = Status::StoppedByObserver;
                break;
            }
        }
        let mut x = DVector::from_element(n, T::default());
        let mut weight_std = DVector::zeros(n);
        let mut gamma_full = DVector::zeros(n);
        let mut cost = None;
        if !matches!(status, Status::AllPruned { .. }) {
            // γ may contain exact zeros after the last M-step: drop them before the final E-step
            let keep: Vec<usize> = (0..gamma.len()).filter(|&j| gamma[j] > 0.0).collect();
            support = keep.iter().map(|&j| support[j]).collect();
            gamma = keep.iter().map(|&j| gamma[j]).collect();
            if !support.is_empty() {
                let a_act = a.select_columns(support.iter());
                let post = dense_posterior(&a_act, &gamma, y, sigma2)?;
                for (k, &j) in support.iter().enumerate() {
                    x[j] = post.mu[k];
                    weight_std[j] = post.var[k].sqrt();
                    gamma_full[j] = gamma[k];
                }
                cost = Some(post.cost);
            }
        }
        let info = clock.finish(iterations, status, rel_change);
        observer.finish(&info);
        Ok(SparseBayesFit {
            support,
            weights: x,
            weight_std,
            covariance: None,
            gamma: gamma_full,
            intercept: T::default(),
            beta: 1.0 / sigma2,
            noise_variance: sigma2,
            cost,
            info,
        })
    }
}
