//! The one result type of the sparse-Bayes engine and its iteration on the normal equations
//! (the Gram route: ARD and the RVM).
//!
//! Each iteration on the active set K: the posterior Σ, μ ([`super::posterior`]), the rule's
//! update of α_K and β ([`super::rules`]) from gⱼ = 1 − αⱼΣⱼⱼ and rss = ‖τ − X_Kμ‖² (from the
//! normal equations, or from the rows when that form cancels, rss < 10⁻⁸c), pruning of the
//! columns with αⱼ ≥ the threshold, then the stopping test on the solver's stop value (max |Δα| for the RVM, Σ|Δμ| for ARD).

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::Scalar;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, SolveInfo, Status};
use parsimony_core::{Error, Result};

use super::posterior::{Inversion, gram_posterior};
use super::rules::Rule;
use super::standardise::{NormalEquations, Standardise};

/// A fitted sparse Bayesian regression: what classical SBL, ARD, the RVM and the fast RVM all
/// return.
///
/// The weights, their posterior spread and the intercept are in the original units of the
/// data; `gamma` and `beta` are in the space the fit ran in (standardised if it standardised).
#[derive(Clone, Debug)]
pub struct SparseBayesFit<T: Scalar = f64> {
    /// The relevant columns (sorted).
    pub support: Vec<usize>,
    /// The posterior mean of the weights (length N, zeros off the support): x̂ of classical
    /// SBL, `coef_` of scikit-learn's ARD.
    pub weights: DVector<T>,
    /// Posterior standard deviations √Σⱼⱼ (length N, zeros off the support).
    pub weight_std: DVector<f64>,
    /// The posterior covariance on the support (in support order), where the route formed it
    /// (the Gram route: ARD's `sigma_`, the RVMs); `None` for the dense route of classical
    /// SBL, which computes only its diagonal.
    pub covariance: Option<DMatrix<T>>,
    /// Prior variances γⱼ = 1/αⱼ (length N, zeros where pruned).
    pub gamma: DVector<f64>,
    /// Intercept (0 unless the data were centred or standardised).
    pub intercept: T,
    /// Noise precision β = 1/σ² in the space the fit ran in (scikit-learn's `alpha_`). Always
    /// finite: a target with no spread (all zero, or constant when the fit centres it) gives
    /// the empty model with `noise_variance` 0 and `beta` = `f64::MAX`, the finite stand-in for
    /// the infinite precision of a noiseless target.
    pub beta: f64,
    /// Noise variance in the original units of y.
    pub noise_variance: f64,
    /// Evidence cost log|C| + yᴴC⁻¹y of the final posterior where the route computes it (the
    /// dense route of classical SBL with a nonempty support), else `None`.
    pub cost: Option<f64>,
    /// How the iteration went; `stop_value` is the solver's stopping quantity (named in its
    /// parameters' docs).
    pub info: SolveInfo,
}

/// The stopping quantity of a Gram-route fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopOn {
    /// maxⱼ |αⱼ − αⱼ_old| over the kept columns (the RVM).
    PrecisionChange,
    /// Σⱼ |μⱼ − μⱼ_old| over all columns, pruned ones as 0 (scikit-learn's ARD).
    CoefficientChange,
}

/// The settings of a Gram-route fit (filled by the ARD and RVM parameters).
#[derive(Clone, Debug)]
pub(crate) struct GramFit {
    pub(crate) rule: Rule,
    pub(crate) inversion: Inversion,
    pub(crate) alpha_init: f64,
    pub(crate) beta_init: f64,
    /// Columns with αⱼ ≥ threshold are pruned.
    pub(crate) threshold: f64,
    /// Keep the smallest-α column when every column would be pruned.
    pub(crate) keep_one: bool,
    pub(crate) stop: StopOn,
    pub(crate) tol: f64,
    /// The first iteration at which the stopping test may succeed.
    pub(crate) min_iter: usize,
    pub(crate) max_iter: usize,
    /// Recompute the posterior with the final hyperparameters (else report the last one).
    pub(crate) final_estep: bool,
}

/// Σ(τ − X_K m)² over the rows for an active set K and weights m, if the rows are at hand.
pub(crate) type ResidualFromRows<'a> = dyn FnMut(&[usize], &DVector<f64>) -> Option<f64> + 'a;

/// Whether the normal equations leave nothing to fit: a constant (standardised) or zero
/// target, or no usable column.
pub(crate) fn nothing_to_fit(ne: &NormalEquations) -> bool {
    let p = ne.g.nrows();
    ne.scaling.std_t == 0.0 || ne.c == 0.0 || !(0..p).any(|j| ne.scaling.usable(j))
}

/// The empty model: no support, the target mean as intercept.
pub(crate) fn empty_fit(ne: &NormalEquations, info: SolveInfo) -> SparseBayesFit<f64> {
    let p = ne.g.nrows();
    SparseBayesFit {
        support: vec![],
        weights: DVector::zeros(p),
        weight_std: DVector::zeros(p),
        covariance: Some(DMatrix::zeros(0, 0)),
        gamma: DVector::zeros(p),
        intercept: ne.scaling.mean_t,
        beta: f64::MAX,
        noise_variance: 0.0,
        cost: None,
        info,
    }
}

/// The fit in original units from the posterior on `active` (any order; reported sorted).
pub(crate) fn assemble(
    ne: &NormalEquations,
    active: &[usize],
    sigma: &DMatrix<f64>,
    mean: &DVector<f64>,
    alpha: &[f64],
    beta: f64,
    info: SolveInfo,
) -> SparseBayesFit<f64> {
    let sc = &ne.scaling;
    let p = ne.g.nrows();
    let mut order: Vec<usize> = (0..active.len()).collect();
    order.sort_by_key(|&k| active[k]);
    let support: Vec<usize> = order.iter().map(|&k| active[k]).collect();
    let mut weights = DVector::zeros(p);
    let mut weight_std = DVector::zeros(p);
    let mut gamma = DVector::zeros(p);
    let covariance = DMatrix::from_fn(order.len(), order.len(), |r, s| {
        sigma[(order[r], order[s])] * sc.std_t * sc.std_t
            / (sc.std_x[support[r]] * sc.std_x[support[s]])
    });
    for (r, &k) in order.iter().enumerate() {
        let j = active[k];
        weights[j] = mean[k] * sc.std_t / sc.std_x[j];
        weight_std[j] = covariance[(r, r)].max(0.0).sqrt();
        gamma[j] = 1.0 / alpha[k];
    }
    let intercept = if sc.mode == Standardise::None {
        0.0
    } else {
        sc.mean_t
            - support
                .iter()
                .map(|&j| weights[j] * sc.mean_x[j])
                .sum::<f64>()
    };
    SparseBayesFit {
        support,
        weights,
        weight_std,
        covariance: Some(covariance),
        gamma,
        intercept,
        beta,
        noise_variance: sc.std_t * sc.std_t / beta,
        cost: None,
        info,
    }
}

/// The Gram-route iteration. `Ok(None)` when the residual cancels and `residual` cannot give
/// it from the rows; the observer has then seen `finish` with [`Status::Stalled`] (and the
/// iterations done so far).
///
/// Stop rule (core's convention): after iteration k the observer sees the stop value of that
/// iteration; the tolerance met (from `min_iter` on) ends the run [`Status::Converged`] even
/// if the observer asked to stop; else [`Control::Stop`] ends it
/// [`Status::StoppedByObserver`]; else an emptied active set ends it
/// [`Status::AllPruned`]; else k = `max_iter` ends it [`Status::MaxIterations`].
pub(crate) fn gram_fit(
    ne: &NormalEquations,
    cfg: &GramFit,
    residual: &mut ResidualFromRows<'_>,
    observer: &mut dyn Observer,
) -> Result<Option<SparseBayesFit<f64>>> {
    let clock = Clock::start();
    if nothing_to_fit(ne) {
        let info = clock.finish(0, Status::Converged, 0.0);
        observer.finish(&info);
        return Ok(Some(empty_fit(ne, info)));
    }
    let p = ne.g.nrows();
    let c = ne.c;
    let rows = ne.rows as f64;
    let mut active: Vec<usize> = (0..p).filter(|&j| ne.scaling.usable(j)).collect();
    let mut alpha = vec![cfg.alpha_init; active.len()];
    let mut alpha_old = alpha.clone();
    let mut beta = cfg.beta_init;
    let track_coef = cfg.stop == StopOn::CoefficientChange;
    let mut coef = DVector::zeros(if track_coef { p } else { 0 });
    let mut coef_old = coef.clone();
    let mut status = Status::MaxIterations;
    let mut iterations = 0;
    let mut stop_value = f64::NAN;
    let mut sigma = DMatrix::zeros(0, 0);
    let mut mean = DVector::zeros(0);
    let mut g = Vec::with_capacity(active.len());
    let mut keep: Vec<usize> = Vec::with_capacity(active.len());
    for it in 1..=cfg.max_iter {
        iterations = it;
        let k = active.len();
        let post = gram_posterior(ne, &active, &alpha, beta, cfg.inversion)?;
        g.clear();
        g.extend((0..k).map(|r| 1.0 - alpha[r] * post.sigma[(r, r)]));
        for (r, a) in alpha.iter_mut().enumerate() {
            let m = post.mean[r];
            *a = cfg.rule.precision(*a, post.sigma[(r, r)], m * m);
        }
        let mut rss = post.rss(c);
        if rss < 1e-8 * c {
            // the expanded form has cancelled: the residual from the rows
            match residual(&active, &post.mean) {
                Some(r) => rss = r,
                None => {
                    // the caller falls back to the rows: this run ends here
                    observer.finish(&clock.finish(it - 1, Status::Stalled, stop_value));
                    return Ok(None);
                }
            }
        }
        beta = cfg
            .rule
            .noise_precision(rows, g.iter().sum::<f64>(), rss, beta);
        if !beta.is_finite() || alpha.iter().any(|a| a.is_nan() || *a == f64::NEG_INFINITY) {
            return Err(Error::breakdown(
                "sparse Bayes",
                format!("non-finite precisions at iteration {iterations}"),
            ));
        }
        (sigma, mean) = (post.sigma, post.mean);
        // prune α ≥ threshold (keeping the smallest-α column if asked and all would go)
        keep.clear();
        keep.extend((0..k).filter(|&r| alpha[r] < cfg.threshold));
        if keep.is_empty() && cfg.keep_one {
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
        stop_value = match cfg.stop {
            StopOn::PrecisionChange => alpha
                .iter()
                .zip(&alpha_old)
                .map(|(a, o)| (a - o).abs())
                .fold(0.0f64, f64::max),
            StopOn::CoefficientChange => {
                coef.fill(0.0);
                for (&j, &v) in active.iter().zip(mean.iter()) {
                    coef[j] = v;
                }
                coef_old
                    .iter()
                    .zip(coef.iter())
                    .fold(0.0, |acc, (o, n)| acc + (o - n).abs())
            }
        };
        let control = observer.observe(&IterInfo::new(it, f64::NAN, stop_value));
        if stop_value < cfg.tol && it >= cfg.min_iter {
            status = Status::Converged;
            break;
        }
        if control == Control::Stop {
            status = Status::StoppedByObserver;
            break;
        }
        alpha_old.clone_from(&alpha);
        if track_coef {
            coef_old.copy_from(&coef);
        }
        if active.is_empty() {
            status = Status::AllPruned { factor: None };
            break;
        }
    }
    if cfg.final_estep && !active.is_empty() {
        let post = gram_posterior(ne, &active, &alpha, beta, cfg.inversion)?;
        (sigma, mean) = (post.sigma, post.mean);
    }
    if active.is_empty() {
        (sigma, mean) = (DMatrix::zeros(0, 0), DVector::zeros(0));
    }
    let info = clock.finish(iterations, status, stop_value);
    observer.finish(&info);
    Ok(Some(assemble(
        ne, &active, &sigma, &mean, &alpha, beta, info,
    )))
}

/// The residual Σᵢ(τᵢ − Σₖ Xᵢ,ₖ mₖ)² of the transformed rows of `phi`, `t` (for when the
/// expanded form cancels).
pub(crate) fn residual_from_rows<'a>(
    phi: &'a DMatrix<f64>,
    t: &'a DVector<f64>,
    ne: &'a NormalEquations,
) -> impl FnMut(&[usize], &DVector<f64>) -> Option<f64> + 'a {
    let sc = &ne.scaling;
    move |active: &[usize], mean: &DVector<f64>| {
        let rss = (0..phi.nrows())
            .map(|i| {
                let fit: f64 = active
                    .iter()
                    .zip(mean.iter())
                    .map(|(&j, m)| sc.column_value(phi[(i, j)], j) * m)
                    .sum();
                (sc.target_value(t[i]) - fit).powi(2)
            })
            .sum();
        Some(rss)
    }
}
