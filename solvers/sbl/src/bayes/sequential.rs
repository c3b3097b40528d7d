//! The Tipping–Faul fast sequential update rule (Tipping & Faul 2003, "Fast marginal
//! likelihood maximisation for sparse Bayesian models"; the SparseBayes defaults), on the
//! normal equations of the engine.
//!
//! The model starts with one basis function and adds, re-estimates or deletes **one** per
//! step, always the change that increases the log marginal likelihood L most. With the Gram
//! matrix G = XᵀX, b = Xᵀτ and the current active set A (posterior Σ, μ of
//! [`super::posterior`]):
//!
//! ```text
//!   S_m = βG_mm − β² G_mA Σ G_Am,   Q_m = βb_m − β² G_mA Σ b_A
//!   s_m = α_m S_m/(α_m − S_m), q_m = α_m Q_m/(α_m − S_m)  (active);  s_m = S_m, q_m = Q_m (else)
//!   θ_m = q_m² − s_m
//!   add        (θ > 0, inactive): ΔL = ½[(Q² − S)/S + ln(S/Q²)],       α_m = s²/θ
//!   re-estimate(θ > 0, active):   ΔL = ½[Q²/(S + 1/d) − ln(1 + S d)],  d = 1/α_new − 1/α_m
//!   delete     (θ ≤ 0, active):   ΔL = ½[Q²/(S − α_m) − ln(1 − S/α_m)]
//! ```
//!
//! followed by β = min((n − Σγ)/‖τ − Xμ‖², 10⁶) (also when no change increases L). It stops
//! when |Δ ln β| < `tol_log_beta` and either no change increases L or the best change is a
//! re-estimate with |Δ ln α| below `tol_log_alpha` and no deletion pending. The first basis
//! is the column of largest projection, with α = S²/(Q² − S), or SparseBayes's 1e3 (for a
//! unit-norm column) when Q² ≤ S. Each step costs O(p·|A| + |A|³).

use nalgebra::DMatrix;
use parsimony_core::Result;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Status};

use super::fit::{SparseBayesFit, assemble, empty_fit, nothing_to_fit};
use super::posterior::{Inversion, gram_posterior};
use super::standardise::NormalEquations;

/// The largest noise precision for a standardised target (SparseBayes: 1e6/var(t)).
const BETA_MAX: f64 = 1e6;

/// The settings of the sequential rule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sequential {
    pub(crate) max_iter: usize,
    pub(crate) tol_log_alpha: f64,
    pub(crate) tol_log_beta: f64,
}

enum Action {
    Add(usize, f64),
    Reestimate(usize, f64),
    Delete(usize),
}

/// Runs the sequential rule on z-scored normal equations.
pub(crate) fn sequential_fit(
    ne: &NormalEquations,
    cfg: Sequential,
    observer: &mut dyn Observer,
) -> Result<SparseBayesFit<f64>> {
    let clock = Clock::start();
    if nothing_to_fit(ne) {
        let info = clock.finish(0, Status::Converged, 0.0);
        observer.finish(&info);
        return Ok(empty_fit(ne, info));
    }
    let (g, b, c) = (&ne.g, &ne.b, ne.c);
    let n = ne.rows;
    let p = g.nrows();
    let usable: Vec<bool> = (0..p).map(|j| ne.scaling.usable(j)).collect();
    let mut beta = 1.0 / (0.1f64).powi(2); // 1/(0.1·std(t))² with std(t) = 1
    let first = (0..p)
        .filter(|&j| usable[j])
        .max_by(|&i, &j| (b[i] * b[i] / g[(i, i)]).total_cmp(&(b[j] * b[j] / g[(j, j)])))
        .expect("a usable column");
    let proj = b[first] * b[first] / g[(first, first)];
    let mut active = vec![first];
    // α = S²/(Q² − S); a basis that explains less than the initial noise (Q² ≤ S) starts at
    // SparseBayes's largest initial precision, 1e3 for a unit-norm column, i.e. 1e3‖φ‖² for
    // ours, not at a free weight
    let excess = proj - 1.0 / beta;
    let mut alpha = vec![if excess > 0.0 {
        g[(first, first)] / excess
    } else {
        1e3 * g[(first, first)]
    }];
    let mut status = Status::MaxIterations;
    let mut iterations = 0;
    let mut stop_value = f64::NAN;
    let mut post = gram_posterior(ne, &active, &alpha, beta, Inversion::Cholesky)?;
    for it in 1..=cfg.max_iter {
        iterations = it;
        // S_m, Q_m for all m
        let ga = DMatrix::from_fn(p, active.len(), |m, k| g[(m, active[k])]);
        let ga_sigma = &ga * &post.sigma;
        // G_mA Σ b_A for every m, once per step
        let ga_sigma_b = &ga_sigma * &post.b_k;
        let mut best: Option<(f64, Action)> = None;
        let mut deletion_pending = false;
        for m in (0..p).filter(|&m| usable[m]) {
            let sm = beta * g[(m, m)] - beta * beta * ga_sigma.row(m).dot(&ga.row(m));
            let qm = beta * b[m] - beta * beta * ga_sigma_b[m];
            let pos = active.iter().position(|&a| a == m);
            let (s, q) = match pos {
                Some(k) => (
                    alpha[k] * sm / (alpha[k] - sm),
                    alpha[k] * qm / (alpha[k] - sm),
                ),
                None => (sm, qm),
            };
            let theta = q * q - s;
            let candidate = match (pos, theta > 0.0) {
                (None, true) => Some((
                    0.5 * ((qm * qm - sm) / sm + (sm / (qm * qm)).ln()),
                    Action::Add(m, s * s / theta),
                )),
                (Some(k), true) => {
                    let a_new = s * s / theta;
                    let d = 1.0 / a_new - 1.0 / alpha[k];
                    Some((
                        0.5 * (qm * qm / (sm + 1.0 / d) - (1.0 + sm * d).ln()),
                        Action::Reestimate(k, a_new),
                    ))
                }
                (Some(k), false) if active.len() > 1 => {
                    deletion_pending = true;
                    Some((
                        0.5 * (qm * qm / (sm - alpha[k]) - (1.0 - sm / alpha[k]).ln()),
                        Action::Delete(k),
                    ))
                }
                _ => None,
            };
            if let Some((dl, a)) = candidate
                && dl.is_finite()
                && best.as_ref().is_none_or(|(bd, _)| dl > *bd)
            {
                best = Some((dl, a));
            }
        }
        // the best change, if it increases L; without one only the noise is re-estimated, and
        // the fit has converged once that has settled too
        let action = best.and_then(|(dl, a)| (dl > 0.0).then_some(a));
        let small_reestimate = match action {
            None => true,
            Some(Action::Reestimate(k, a_new)) => (a_new / alpha[k]).ln().abs() < cfg.tol_log_alpha,
            Some(_) => false,
        };
        match action {
            Some(Action::Add(m, a)) => {
                active.push(m);
                alpha.push(a);
            }
            Some(Action::Reestimate(k, a)) => alpha[k] = a,
            Some(Action::Delete(k)) => {
                active.remove(k);
                alpha.remove(k);
            }
            None => {}
        }
        post = gram_posterior(ne, &active, &alpha, beta, Inversion::Cholesky)?;
        // noise update
        let rss = post.rss(c).max(1e-300);
        let gamma_sum: f64 = (0..active.len())
            .map(|k| 1.0 - alpha[k] * post.sigma[(k, k)])
            .sum();
        // capped at 1e6/var(t) as SparseBayes (t is standardised): an exact fit would send β
        // to 1e300 and S, Q to NaN
        let beta_new = ((n as f64 - gamma_sum) / rss).min(BETA_MAX);
        let dlog_beta = (beta_new / beta).ln().abs();
        stop_value = dlog_beta;
        beta = beta_new;
        post = gram_posterior(ne, &active, &alpha, beta, Inversion::Cholesky)?;
        let control = observer.observe(&IterInfo::new(it, f64::NAN, stop_value));
        if small_reestimate
            && (action.is_none() || !deletion_pending)
            && dlog_beta < cfg.tol_log_beta
        {
            status = Status::Converged;
            break;
        }
        if control == Control::Stop {
            status = Status::StoppedByObserver;
            break;
        }
    }
    let info = clock.finish(iterations, status, stop_value);
    observer.finish(&info);
    Ok(assemble(
        ne,
        &active,
        &post.sigma,
        &post.mean,
        &alpha,
        beta,
        info,
    ))
}
