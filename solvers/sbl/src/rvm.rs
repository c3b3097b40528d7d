//! The relevance vector machine (RVM) for sparse linear regression, as MEDIDA uses it
//! (Tipping 2001 with the EM / MacKay fixed-point updates; Bishop, PRML §7.2.1).
//!
//! **Model.** t = Φw + ε, ε ~ N(0, β⁻¹I), prior wⱼ ~ N(0, αⱼ⁻¹). Optionally the columns of Φ
//! and t are standardised first (z-scores with the population standard deviation), and the
//! weights are mapped back as wⱼ = mⱼ σ_t/σ_{x,j} with intercept μ_t − Σⱼ wⱼ μ_{x,j}.
//!
//! **Iteration** on the active set A, with the Gram matrix G = ΦᵀΦ, b = Φᵀt and c = tᵀt
//! computed once (so each iteration costs O(|A|³), independent of the number of samples):
//!
//! ```text
//!   Σ = (diag α_A + β G_AA)⁻¹,  m = β Σ b_A,  γ = 1 − α_A ∘ diag Σ
//!   α_A ← γ / m²
//!   β ← (n − Σγ) / rss,  rss = c − 2mᵀb_A + mᵀG_AA m
//!   prune αⱼ ≥ α_thr (keep the smallest-α column if all would go)
//!   stop when max|α − α_old| < tol, from the third iteration on
//! ```
//!
//! With α_thr = 100 in standardised space (MEDIDA's preset for Kuramoto–Sivashinsky) every
//! term contributing less than about 10 % of std(t) is cut: the threshold, not the evidence,
//! decides the support. Presets: [`RvmParams::medida_ks`], [`RvmParams::evidence`].

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::cholesky;
use parsimony_core::{Error, Result};

/// Parameters of the RVM.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `alpha_threshold` | 1e9 | > 0 |
/// | `tol` | 1e-3 | ≥ 0 |
/// | `max_iter` | 3000 | ≥ 1 |
/// | `alpha_init` | 1e-6 | > 0 |
/// | `beta_init` | 1e-6 | > 0 |
/// | `standardise` | false | |
#[derive(Clone, Debug)]
pub struct RvmParams {
    /// Columns with αⱼ ≥ this are pruned.
    pub alpha_threshold: f64,
    /// Stop when max|α − α_old| < tol.
    pub tol: f64,
    /// Iteration cap.
    pub max_iter: usize,
    /// Starting weight precision.
    pub alpha_init: f64,
    /// Starting noise precision.
    pub beta_init: f64,
    /// z-score the columns and the target first (population standard deviation).
    pub standardise: bool,
}

impl Default for RvmParams {
    fn default() -> Self {
        Self {
            alpha_threshold: 1e9,
            tol: 1e-3,
            max_iter: 3000,
            alpha_init: 1e-6,
            beta_init: 1e-6,
            standardise: false,
        }
    }
}

impl RvmParams {
    /// MEDIDA's Kuramoto–Sivashinsky preset: standardise, α_thr = 100, tol = 0.1.
    pub fn medida_ks() -> Self {
        Self {
            alpha_threshold: 1e2,
            tol: 0.1,
            standardise: true,
            ..Self::default()
        }
    }

    /// An evidence-driven preset: standardise, α_thr = 1e6, tol = 1e-3.
    pub fn evidence() -> Self {
        Self {
            alpha_threshold: 1e6,
            tol: 1e-3,
            standardise: true,
            ..Self::default()
        }
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("alpha_threshold", self.alpha_threshold),
            ("alpha_init", self.alpha_init),
            ("beta_init", self.beta_init),
        ] {
            parsimony_core::error::check_positive(name, v)?;
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Error::invalid(
                "tol",
                format!("must be finite and ≥ 0, got {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", "must be at least 1"));
        }
        Ok(())
    }
}

/// A fitted RVM.
#[derive(Clone, Debug)]
pub struct RvmFit {
    /// The relevant columns (sorted).
    pub support: Vec<usize>,
    /// Weights in the original units (length p, zeros off the support).
    pub weights: DVector<f64>,
    /// Posterior standard deviations of the weights (original units, zeros off the support).
    pub weight_std: DVector<f64>,
    /// Posterior covariance of the weights on the support (original units).
    pub covariance: DMatrix<f64>,
    /// Intercept (0 without standardisation).
    pub intercept: f64,
    /// Noise precision β in the space the fit ran in (standardised if `standardise`).
    pub beta: f64,
    /// Noise variance in the original units of t.
    pub noise_variance: f64,
    /// Iterations performed.
    pub iterations: usize,
    /// Whether the tolerance was met.
    pub converged: bool,
}

/// Column and target scaling (identity without standardisation).
struct Scaling {
    mean_x: Vec<f64>,
    std_x: Vec<f64>,
    mean_t: f64,
    std_t: f64,
}

/// Mean and population standard deviation (two passes, four accumulators each so that the
/// sums vectorise).
fn mean_and_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let sum4 = |f: &dyn Fn(f64) -> f64| {
        let mut acc = [0.0f64; 4];
        let chunks = v.chunks_exact(4);
        let rest: f64 = chunks.remainder().iter().map(|&x| f(x)).sum();
        for c in chunks {
            for k in 0..4 {
                acc[k] += f(c[k]);
            }
        }
        acc.iter().sum::<f64>() + rest
    };
    let mean = sum4(&|x| x) / n;
    let var = sum4(&|x| (x - mean) * (x - mean)) / n;
    (mean, var.sqrt())
}

/// G = XᵀX, b = Xᵀτ, c = τᵀτ of the standardised data X = (Φ − μ)/σ (columns with σ = 0 left
/// as they are), τ = (t − μ_t)/σ_t, accumulated over blocks of rows (one GEMM per block through
/// faer) so that the standardised matrix is never stored whole.
fn standardised_gram(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    sc: &Scaling,
) -> (DMatrix<f64>, DVector<f64>, f64) {
    use faer::linalg::matmul::matmul;
    use faer::{Accum, Par};
    let (n, p) = phi.shape();
    // [X τ] block by block; the Gram of the augmented block holds G, b and c together
    const ROWS: usize = 2048;
    let mut block = faer::Mat::<f64>::zeros(ROWS.min(n), p + 1);
    let mut gram = faer::Mat::<f64>::zeros(p + 1, p + 1);
    let par: Par = faer::get_global_parallelism();
    let mut start = 0;
    while start < n {
        let rows = ROWS.min(n - start);
        for j in 0..p {
            let col = phi.column(j);
            let (m, s) = if sc.std_x[j] > 0.0 {
                (sc.mean_x[j], sc.std_x[j])
            } else {
                (0.0, 1.0)
            };
            let dst = block.col_mut(j);
            for (r, v) in dst.iter_mut().take(rows).enumerate() {
                *v = (col[start + r] - m) / s;
            }
        }
        for (r, v) in block.col_mut(p).iter_mut().take(rows).enumerate() {
            *v = (t[start + r] - sc.mean_t) / sc.std_t;
        }
        let b = block.subrows(0, rows);
        let accum = if start == 0 {
            Accum::Replace
        } else {
            Accum::Add
        };
        matmul(gram.as_mut(), accum, b.transpose(), b, 1.0, par);
        start += rows;
    }
    let g = DMatrix::from_fn(p, p, |r, c| gram[(r, c)]);
    let bv = DVector::from_fn(p, |r, _| gram[(r, p)]);
    (g, bv, gram[(p, p)])
}

fn inverse_spd(h: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    match cholesky(h) {
        Ok(ch) => Ok(ch.inverse()),
        Err(Error::NotPositiveDefinite { .. }) => h
            .clone()
            .try_inverse()
            .ok_or_else(|| Error::breakdown("RVM", "posterior precision matrix is singular")),
        Err(e) => Err(e),
    }
}

/// Fits the RVM to the design matrix `phi` (n × p) and target `t` (length n).
///
/// Errors: shape mismatch, non-finite values, invalid parameters. A constant column (zero
/// standard deviation) is never selected; a constant target gives an empty model.
pub fn rvm_fit(phi: &DMatrix<f64>, t: &DVector<f64>, params: &RvmParams) -> Result<RvmFit> {
    crate::classical::check_dense(phi, t)?;
    params.validate()?;
    let (n, p) = phi.shape();
    let scaling = if params.standardise {
        let (mean_x, std_x): (Vec<f64>, Vec<f64>) =
            phi.as_slice().chunks_exact(n).map(mean_and_std).unzip();
        let (mean_t, std_t) = mean_and_std(t.as_slice());
        Scaling {
            mean_x,
            std_x,
            mean_t,
            std_t,
        }
    } else {
        Scaling {
            mean_x: vec![0.0; p],
            std_x: vec![1.0; p],
            mean_t: 0.0,
            std_t: 1.0,
        }
    };
    let empty = |iterations| RvmFit {
        support: vec![],
        weights: DVector::zeros(p),
        weight_std: DVector::zeros(p),
        covariance: DMatrix::zeros(0, 0),
        intercept: scaling.mean_t,
        beta: f64::INFINITY,
        noise_variance: 0.0,
        iterations,
        converged: true,
    };
    if scaling.std_t == 0.0 {
        return Ok(empty(0));
    }
    let mut active: Vec<usize> = (0..p).filter(|&j| scaling.std_x[j] > 0.0).collect();
    if active.is_empty() {
        return Ok(empty(0));
    }
    // Gram matrix, projections and energy of the standardised data, once, without a
    // standardised copy of Φ.
    let (g, b, c) = standardised_gram(phi, t, &scaling);
    let standardised = |i: usize, j: usize| {
        if scaling.std_x[j] > 0.0 {
            (phi[(i, j)] - scaling.mean_x[j]) / scaling.std_x[j]
        } else {
            phi[(i, j)]
        }
    };
    let target = |i: usize| (t[i] - scaling.mean_t) / scaling.std_t;
    let mut alpha: Vec<f64> = vec![params.alpha_init; active.len()];
    let mut alpha_old = alpha.clone();
    let mut beta = params.beta_init;
    let mut converged = false;
    let mut iterations = 0;
    let mut sigma = DMatrix::zeros(0, 0);
    let mut mean = DVector::zeros(0);
    for it in 0..params.max_iter {
        iterations = it + 1;
        let k = active.len();
        let g_aa = DMatrix::from_fn(k, k, |r, s| g[(active[r], active[s])]);
        let b_a = DVector::from_fn(k, |r, _| b[active[r]]);
        let mut h = &g_aa * beta;
        for r in 0..k {
            h[(r, r)] += alpha[r];
        }
        sigma = inverse_spd(&h)?;
        mean = &sigma * &b_a * beta;
        let gamma: Vec<f64> = (0..k).map(|r| 1.0 - alpha[r] * sigma[(r, r)]).collect();
        for r in 0..k {
            alpha[r] = gamma[r] / (mean[r] * mean[r]);
        }
        let mut rss = c - 2.0 * mean.dot(&b_a) + (mean.transpose() * &g_aa * &mean)[(0, 0)];
        if rss < 1e-8 * c {
            // the expanded form has cancelled: recompute the residual from the data
            rss = (0..n)
                .map(|i| {
                    let fit: f64 = active
                        .iter()
                        .zip(mean.iter())
                        .map(|(&j, m)| standardised(i, j) * m)
                        .sum();
                    (target(i) - fit).powi(2)
                })
                .sum();
        }
        beta = (n as f64 - gamma.iter().sum::<f64>()) / rss;
        if !beta.is_finite() || alpha.iter().any(|a| a.is_nan()) {
            return Err(Error::breakdown(
                "RVM",
                format!("non-finite precisions at iteration {iterations}"),
            ));
        }
        // prune α ≥ α_thr, keeping the smallest-α column if all would go
        let mut keep: Vec<usize> = (0..k)
            .filter(|&r| alpha[r] < params.alpha_threshold)
            .collect();
        if keep.is_empty() {
            let best = (0..k)
                .min_by(|&a, &b| {
                    alpha[a]
                        .partial_cmp(&alpha[b])
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                .unwrap_or(0);
            keep.push(best);
        }
        if keep.len() < k {
            active = keep.iter().map(|&r| active[r]).collect();
            alpha = keep.iter().map(|&r| alpha[r]).collect();
            alpha_old = keep.iter().map(|&r| alpha_old[r]).collect();
            mean = DVector::from_fn(keep.len(), |r, _| mean[keep[r]]);
            sigma = DMatrix::from_fn(keep.len(), keep.len(), |r, s| sigma[(keep[r], keep[s])]);
        }
        let delta = alpha
            .iter()
            .zip(&alpha_old)
            .map(|(a, o)| (a - o).abs())
            .fold(0.0f64, f64::max);
        if delta < params.tol && it > 1 {
            converged = true;
            break;
        }
        alpha_old.clone_from(&alpha);
    }
    let mut weights = DVector::zeros(p);
    let mut weight_std = DVector::zeros(p);
    let k = active.len();
    let covariance = DMatrix::from_fn(k, k, |r, s| {
        sigma[(r, s)] * scaling.std_t * scaling.std_t
            / (scaling.std_x[active[r]] * scaling.std_x[active[s]])
    });
    for (r, &j) in active.iter().enumerate() {
        weights[j] = mean[r] * scaling.std_t / scaling.std_x[j];
        weight_std[j] = covariance[(r, r)].max(0.0).sqrt();
    }
    let intercept = if params.standardise {
        scaling.mean_t
            - active
                .iter()
                .map(|&j| weights[j] * scaling.mean_x[j])
                .sum::<f64>()
    } else {
        0.0
    };
    Ok(RvmFit {
        support: active,
        weights,
        weight_std,
        covariance,
        intercept,
        beta,
        noise_variance: scaling.std_t * scaling.std_t / beta,
        iterations,
        converged,
    })
}
