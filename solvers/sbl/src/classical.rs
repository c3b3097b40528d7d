//! Classical sparse Bayesian learning on a dense dictionary (Tipping 2001; Wipf & Rao 2004).
//!
//! **Model.** y = A x + n, A ∈ F^{M×N} (F = ℝ or ℂ), n ~ N(0, σ²I) (CN for complex),
//! x ~ N(0, Γ), Γ = diag(γ). The hyperparameters minimise the evidence cost
//! L(γ, σ²) = log|C| + yᴴC⁻¹y, C = σ²I + AΓAᴴ.
//!
//! **E-step** on the active set K (k columns): the posterior N(μ, Σ) with
//! Σ = (AᴴA/σ² + Γ⁻¹)⁻¹ and μ = ΣAᴴy/σ². When M ≤ k it is computed through C (Woodbury):
//! μ = ΓAᴴC⁻¹y and diag Σ = γ − diag(ΓAᴴC⁻¹AΓ), one Cholesky of the M × M matrix C, cost
//! O(M²k + M³); otherwise through the k × k Cholesky of AᴴA/σ² + Γ⁻¹, cost O(Mk² + k³).
//!
//! **M-step** ([`UpdateRule`]): EM γⱼ ← Σⱼⱼ + |μⱼ|² (monotone in L, slow: hundreds to thousands
//! of iterations), or MacKay γⱼ ← |μⱼ|²/(1 − Σⱼⱼ/γⱼ) (the RVM / ARD fixed point, tens of
//! iterations). A learnt σ² uses the matching rule: EM σ² ← (‖y − Aμ‖² + σ²Σⱼ(1 − Σⱼⱼ/γⱼ))/M,
//! MacKay σ² ← ‖y − Aμ‖²/(M − Σⱼ(1 − Σⱼⱼ/γⱼ)).
//!
//! **Pruning and stopping.** At the start of each iteration columns with γⱼ < r·max γ or
//! γⱼ < r_abs (or γⱼ = 0) leave the active set for good. The loop stops when
//! ‖γ⁽ʳ⁾ − γ⁽ʳ⁻¹⁾‖/‖γ⁽ʳ⁻¹⁾‖ ≤ tol (pruned entries count as 0) or after `max_iter`
//! iterations; the returned mean comes from one more E-step with the final γ.

use crate::noise::Noise;
use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{Scalar, Transform, check_finite, cholesky, matmul};
use parsimony_core::{Error, Result};

/// The hyperparameter update of classical SBL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateRule {
    /// Expectation–maximisation: γⱼ ← Σⱼⱼ + |μⱼ|².
    Em,
    /// MacKay / Tipping fixed point: γⱼ ← |μⱼ|² / (1 − Σⱼⱼ/γⱼ).
    MacKay,
}

/// Parameters of classical SBL.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `rule` | `Em` | `Em`, `MacKay` |
/// | `noise` | `Learn { init: None }` (0.1·var(y)) | `Known(σ² > 0)`, `Learn` |
/// | `max_iter` | 150 | ≥ 1 |
/// | `tol` | 1e-4 | ≥ 0 |
/// | `prune_rel` | 1e-3 | [0, 1) |
/// | `prune_abs` | 0 | ≥ 0 |
/// | `gamma_init` | 1 | > 0 |
#[derive(Clone, Debug)]
pub struct SblParams {
    rule: UpdateRule,
    noise: Noise,
    max_iter: usize,
    tol: f64,
    prune_rel: f64,
    prune_abs: f64,
    gamma_init: f64,
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
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", "must be at least 1"));
        }
        parsimony_core::error::check_in_range("prune_rel", self.prune_rel, 0.0, 1.0)?;
        for (name, v) in [("tol", self.tol), ("prune_abs", self.prune_abs)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("must be finite and ≥ 0, got {v}"),
                ));
            }
        }
        parsimony_core::error::check_positive("gamma_init", self.gamma_init)?;
        self.noise.validate()?;
        Ok(Sbl { params: self })
    }
}

/// Classical SBL; build it with [`SblParams::build`].
#[derive(Clone, Debug)]
pub struct Sbl {
    params: SblParams,
}

/// Why classical SBL stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SblStatus {
    /// The relative change of γ reached `tol`.
    Converged,
    /// `max_iter` iterations ran.
    MaxIterations,
    /// Every column was pruned; the estimate is 0.
    AllPruned,
}

/// The result of classical SBL.
#[derive(Clone, Debug)]
pub struct SblSolution<T: Scalar> {
    /// Posterior mean (length N, zeros off the support).
    pub x: DVector<T>,
    /// Posterior variances diag Σ (length N, zeros off the support).
    pub variances: DVector<f64>,
    /// Prior variances γ (length N, zeros where pruned).
    pub gamma: DVector<f64>,
    /// Active columns at the end.
    pub support: Vec<usize>,
    /// Final noise variance.
    pub noise_variance: f64,
    /// Iterations performed.
    pub iterations: usize,
    /// Whether `tol` was reached.
    pub converged: bool,
    /// The last relative change of γ, the quantity compared with `tol` (NaN if no M-step ran).
    pub rel_change: f64,
    /// Why it stopped.
    pub status: SblStatus,
    /// Evidence cost log|C| + yᴴC⁻¹y of the final E-step.
    pub cost: f64,
}

/// Posterior on an active set.
pub(crate) struct DensePosterior<T: Scalar> {
    pub(crate) mu: Vec<T>,
    pub(crate) var: Vec<f64>,
    pub(crate) cost: f64,
}

/// The E-step on active columns `a` (M × k) with prior variances `gamma` (k, all > 0).
pub(crate) fn dense_estep<T: Scalar>(
    a: &DMatrix<T>,
    gamma: &[f64],
    y: &DVector<T>,
    sigma2: f64,
) -> Result<DensePosterior<T>> {
    let (m, k) = a.shape();
    let mut b = a.clone();
    for (mut col, &g) in b.column_iter_mut().zip(gamma) {
        col *= T::of_real(g);
    }
    if m <= k {
        // Woodbury: C = σ²I + AΓAᴴ
        let mut c = matmul(&b, Transform::Identity, a, Transform::Adjoint)?;
        for i in 0..m {
            c[(i, i)] += T::of_real(sigma2);
        }
        let ch = cholesky(&c)?;
        let cinv_y = ch.solve(y)?;
        let mu = matmul(
            &b,
            Transform::Adjoint,
            &DMatrix::from_column_slice(m, 1, cinv_y.as_slice()),
            Transform::Identity,
        )?;
        let x = ch.solve_matrix(&b)?;
        let var = (0..k)
            .map(|j| {
                let q: f64 = b
                    .column(j)
                    .iter()
                    .zip(x.column(j).iter())
                    .map(|(bi, xi)| (bi.conjugated() * *xi).real_part())
                    .sum();
                (gamma[j] - q).max(0.0)
            })
            .collect();
        let quad = y
            .iter()
            .zip(cinv_y.iter())
            .map(|(a, b)| (a.conjugated() * *b).real_part())
            .sum::<f64>();
        Ok(DensePosterior {
            mu: mu.as_slice().to_vec(),
            var,
            cost: ch.log_det() + quad,
        })
    } else {
        // Σ = (AᴴA/σ² + Γ⁻¹)⁻¹
        let mut p = matmul(a, Transform::Adjoint, a, Transform::Identity)?;
        p.iter_mut().for_each(|v| *v = v.scaled(1.0 / sigma2));
        for j in 0..k {
            p[(j, j)] += T::of_real(1.0 / gamma[j]);
        }
        let ch = cholesky(&p)?;
        let ahy = a.adjoint() * y;
        let mu = ch.solve(&ahy)?.map(|v| v.scaled(1.0 / sigma2));
        let sigma = ch.inverse();
        let var = (0..k).map(|j| sigma[(j, j)].real_part().max(0.0)).collect();
        let logdet_c =
            m as f64 * sigma2.ln() + gamma.iter().map(|g| g.ln()).sum::<f64>() + ch.log_det();
        let quad = (y.norm_squared()
            - ahy
                .iter()
                .zip(mu.iter())
                .map(|(a, b)| (a.conjugated() * *b).real_part())
                .sum::<f64>())
            / sigma2;
        Ok(DensePosterior {
            mu: mu.as_slice().to_vec(),
            var,
            cost: logdet_c + quad,
        })
    }
}

/// Checks a dense regression problem: A is M × N, y has length M, all finite, nothing empty.
pub(crate) fn check_dense<T: Scalar>(a: &DMatrix<T>, y: &DVector<T>) -> Result<()> {
    if a.is_empty() {
        return Err(Error::invalid("a", "dictionary is empty"));
    }
    parsimony_core::error::check_len("length of y (rows of A)", a.nrows(), y.len())?;
    check_finite("a", a.as_slice())?;
    check_finite("y", y.as_slice())
}

impl Sbl {
    /// Runs SBL on the dictionary `a` (M × N) and measurements `y` (length M).
    pub fn solve<T: Scalar>(&self, a: &DMatrix<T>, y: &DVector<T>) -> Result<SblSolution<T>> {
        check_dense(a, y)?;
        let p = &self.params;
        let (m, n) = a.shape();
        let mut support: Vec<usize> = (0..n).collect();
        let mut gamma = vec![p.gamma_init; n];
        let mut a_act = a.clone();
        let mut sigma2 = p.noise.initial(y.as_slice());
        let mut prev_full = DVector::from_element(n, p.gamma_init);
        let mut status = SblStatus::MaxIterations;
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
                status = SblStatus::AllPruned;
                support.clear();
                gamma.clear();
                break;
            }
            if keep.len() < gamma.len() {
                support = keep.iter().map(|&j| support[j]).collect();
                gamma = keep.iter().map(|&j| gamma[j]).collect();
                a_act = a.select_columns(support.iter());
            }
            let post = dense_estep(&a_act, &gamma, y, sigma2)?;
            let dof: f64 = post.var.iter().zip(&gamma).map(|(v, g)| 1.0 - v / g).sum();
            if p.noise.is_learnt() {
                let resid = y - &a_act * DVector::from_column_slice(&post.mu);
                let rss = resid.norm_squared();
                sigma2 = match p.rule {
                    UpdateRule::Em => (rss + sigma2 * dof) / m as f64,
                    UpdateRule::MacKay => rss / (m as f64 - dof).max(1e-12),
                }
                .max(f64::MIN_POSITIVE);
            }
            for (j, g) in gamma.iter_mut().enumerate() {
                let mu2 = post.mu[j].modulus2();
                *g = match p.rule {
                    UpdateRule::Em => post.var[j] + mu2,
                    UpdateRule::MacKay => mu2 / (1.0 - post.var[j] / *g).max(1e-12),
                };
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
            if rel <= p.tol {
                status = SblStatus::Converged;
                break;
            }
        }
        let mut x = DVector::from_element(n, T::default());
        let mut variances = DVector::zeros(n);
        let mut gamma_full = DVector::zeros(n);
        let mut cost = f64::NAN;
        if status != SblStatus::AllPruned {
            // γ may contain exact zeros after the last M-step: drop them before the final E-step
            let keep: Vec<usize> = (0..gamma.len()).filter(|&j| gamma[j] > 0.0).collect();
            support = keep.iter().map(|&j| support[j]).collect();
            gamma = keep.iter().map(|&j| gamma[j]).collect();
            if !support.is_empty() {
                let a_act = a.select_columns(support.iter());
                let post = dense_estep(&a_act, &gamma, y, sigma2)?;
                for (k, &j) in support.iter().enumerate() {
                    x[j] = post.mu[k];
                    variances[j] = post.var[k];
                    gamma_full[j] = gamma[k];
                }
                cost = post.cost;
            }
        }
        Ok(SblSolution {
            x,
            variances,
            gamma: gamma_full,
            support,
            noise_variance: sigma2,
            iterations,
            converged: status == SblStatus::Converged,
            rel_change,
            status,
            cost,
        })
    }
}
