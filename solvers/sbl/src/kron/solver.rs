//! The KroSBL outer loop: prune, E-step, noise update, M-step, convergence check.

use super::estep::EStep;
use super::mstep::MStep;
use super::params::{Init, KroSblParams, Method};
use super::problem::KronProblem;
use super::tensor::expand_kron;
use nalgebra::{DMatrix, DVector};
use parsimony_core::Result;
use parsimony_core::linalg::Scalar;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};

/// Kronecker-structured sparse Bayesian learning (AM- or SVD-KroSBL); build it with
/// [`KroSblParams::build`].
#[derive(Clone, Debug)]
pub struct KroSbl {
    pub(crate) params: KroSblParams,
}

impl KroSblParams {
    /// Checks the parameters (see the table on [`KroSblParams`]) and returns the solver.
    pub fn build(self) -> Result<KroSbl> {
        self.validate()?;
        Ok(KroSbl { params: self })
    }
}

/// The solver-specific state that [`KroSbl::solve_observed`] attaches to every
/// [`IterInfo`] (read it with `info.state::<KroSblState<T>>()`): the posterior of the
/// iteration's E-step, e.g. to trace the NMSE against a known truth in convergence studies.
#[derive(Clone, Debug)]
pub struct KroSblState<T: Scalar> {
    /// The EM iteration (1-based); the mean is that of this iteration's E-step.
    pub iteration: usize,
    /// Posterior mean on the active set (row-major over the active indices).
    pub mean: Vec<T>,
    /// The active columns of each factor.
    pub active: Vec<Vec<usize>>,
    /// The full factor sizes (n₁, …, n_I).
    pub n: Vec<usize>,
    /// σ² after this iteration.
    pub noise_variance: f64,
}

impl<T: Scalar> KroSblState<T> {
    /// The posterior mean embedded in a length-N vector (zeros off the active set).
    pub fn full_mean(&self) -> DVector<T> {
        let mut x = DVector::from_element(self.n.iter().product(), T::default());
        scatter_active(&self.mean, &self.active, &self.n, x.as_mut_slice());
        x
    }
}

/// One EM iteration of the history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IterRecord {
    /// The stop value ‖⊗γ⁽ʳ⁾ − ⊗γ⁽ʳ⁻¹⁾‖ / ‖⊗γ⁽ʳ⁻¹⁾‖.
    pub stop_value: f64,
    /// The evidence cost log|C| + yᴴC⁻¹y of the E-step of this iteration.
    pub cost: f64,
    /// σ² after this iteration.
    pub noise_variance: f64,
    /// Number of active columns S = ∏sᵢ.
    pub active: usize,
    /// AM inner sweeps (0 for SVD).
    pub inner_sweeps: usize,
}

/// The result of [`KroSbl::solve`].
#[derive(Clone, Debug)]
pub struct KroSblSolution<T: Scalar> {
    /// The posterior mean x̂ (length N; zeros off the active set).
    pub x: DVector<T>,
    /// Posterior variances diag Σ (length N; zeros off the active set).
    pub variances: DVector<f64>,
    /// The hyperparameter factors γᵢ (length nᵢ; zeros where pruned), gauge: ‖γᵢ‖ = 1, i < I.
    pub gamma: Vec<DVector<f64>>,
    /// The active columns of each factor.
    pub active: Vec<Vec<usize>>,
    /// The final noise variance σ² (the known one, or the learnt one).
    pub noise_variance: f64,
    /// The evidence cost of the final E-step (`None` for KSBL, which does not compute it).
    pub cost: Option<f64>,
    /// Per-iteration history (if requested).
    pub history: Vec<IterRecord>,
    /// How the EM iterations went: `stop_value` is the last relative change of ⊗γ;
    /// `status` is [`Status::AllPruned`] with the emptied factor when pruning removed every
    /// atom of one; `seconds` is the wall time of the EM iterations (the final E-step
    /// excluded, as in the paper).
    pub info: SolveInfo,
}

impl KroSbl {
    /// The parameters.
    pub fn params(&self) -> &KroSblParams {
        &self.params
    }

    /// Solves the problem silently.
    pub fn solve<T: Scalar>(&self, problem: &KronProblem<T>) -> Result<KroSblSolution<T>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Solves the problem, reporting each EM iteration to `observer`: cost = the E-step's
    /// evidence cost, stop value = the relative change of ⊗γ, and a [`KroSblState`] with the
    /// iteration's posterior mean. An observer that returns [`Control::Stop`] ends the run
    /// after that iteration ([`Status::StoppedByObserver`]; the final E-step still runs).
    pub fn solve_observed<T: Scalar>(
        &self,
        problem: &KronProblem<T>,
        observer: &mut dyn Observer,
    ) -> Result<KroSblSolution<T>> {
        let p = &self.params;
        let n = problem.n();
        let m = problem.m();
        let modes = n.len();
        let big_n: usize = n.iter().product();
        let big_m: usize = m.iter().product();
        let prune_rel: Vec<f64> = (0..modes)
            .map(|i| p.prune_rel_of(i, modes))
            .collect::<Result<_>>()?;
        let y = problem.y().as_slice();
        if let Method::PcAm { coupled, .. } = &p.method
            && let Some(&bad) = coupled.iter().find(|&&i| i >= modes)
        {
            return Err(parsimony_core::Error::invalid(
                "coupled",
                format!("factor index {bad} out of range for {modes} factors"),
            ));
        }

        let mut active: Vec<Vec<usize>> = n.iter().map(|&ni| (0..ni).collect()).collect();
        let mut h: Vec<DMatrix<T>> = problem.factors().to_vec();
        let mut gamma: Vec<Vec<f64>> = match p.init {
            Init::Ones => n.iter().map(|&ni| vec![1.0; ni]).collect(),
            Init::CoupledOnes => {
                let mut g: Vec<Vec<f64>> = n.iter().map(|&ni| vec![1.0; ni]).collect();
                if let Method::PcAm { beta, coupled } = &p.method {
                    for &i in coupled {
                        // C_β·1 on the full grid: 1 + β at the two ends, 1 + 2β inside
                        let ni = n[i];
                        g[i] = (0..ni)
                            .map(|k| 1.0 + beta * ((k > 0) as u8 + (k + 1 < ni) as u8) as f64)
                            .collect();
                    }
                }
                g
            }
            Init::Normalised => {
                let mut g: Vec<Vec<f64>> = n
                    .iter()
                    .map(|&ni| vec![1.0 / (ni as f64).sqrt(); ni])
                    .collect();
                let scale: f64 = n[..modes - 1]
                    .iter()
                    .map(|&ni| (ni as f64).sqrt())
                    .product();
                g[modes - 1] = vec![scale; n[modes - 1]];
                g
            }
        };
        let mut sigma2 = p.noise.initial(y);

        let mut estep = EStep::<T>::new(&m, big_n);
        let mut mstep = MStep::default();
        let mut full_factors: Vec<Vec<f64>> = n.iter().map(|&ni| vec![0.0; ni]).collect();
        let mut prev_factors = full_factors.clone();
        let mut scratch = Vec::new();
        fill_full(&gamma, &active, &mut prev_factors);

        let mut history = Vec::new();
        let mut status = Status::MaxIterations;
        let mut rel = f64::NAN;
        let mut iterations = 0;
        let mut state = KroSblState {
            iteration: 0,
            mean: Vec::new(),
            active: Vec::new(),
            n: n.clone(),
            noise_variance: sigma2,
        };
        let clock = Clock::start();
        for r in 1..=p.max_iter {
            // 1. prune (per factor, irreversible)
            let keep = |i: usize, v: f64, top: f64| !(v < prune_rel[i] * top || v < p.prune_abs);
            if let Some(factor) =
                prune_factors(problem.factors(), &mut gamma, &mut active, &mut h, keep)
            {
                status = Status::AllPruned {
                    factor: Some(factor),
                };
                iterations = r - 1;
                break;
            }
            // 2. E-step
            estep.run(&h, &gamma, y, sigma2, p.route)?;
            // 3. noise
            if p.noise.is_learnt() {
                let rss = estep.residual_norm2(&h, y)?;
                let dof: f64 = estep
                    .v
                    .iter()
                    .zip(&estep.gamma_full)
                    .map(|(v, g)| 1.0 - v / g)
                    .sum();
                sigma2 = ((rss + sigma2 * dof) / big_m as f64).max(f64::MIN_POSITIVE);
            }
            // 4. M-step
            let dims = estep.s_dims().to_vec();
            let sweeps = match &p.method {
                Method::Am => mstep.am(&estep.d, &dims, &mut gamma, p.inner_tol, p.inner_sweeps()),
                Method::PcAm { beta, coupled } => mstep.pc_am(
                    &estep.d,
                    &dims,
                    &mut gamma,
                    &active,
                    *beta,
                    coupled,
                    p.inner_tol,
                    p.inner_sweeps(),
                )?,
                Method::Svd => {
                    mstep.svd(&estep.d, &dims, &mut gamma, p.svd_solver)?;
                    0
                }
            };
            if let Some((i, g)) = gamma
                .iter()
                .enumerate()
                .find(|(_, g)| g.iter().any(|v| !(v.is_finite() && *v >= 0.0)))
            {
                return Err(parsimony_core::Error::breakdown(
                    "KroSBL M-step",
                    format!("factor {i} has non-finite or negative entries: {g:?}"),
                ));
            }
            // 5. convergence on the full, zero-padded ⊗γ
            fill_full(&gamma, &active, &mut full_factors);
            rel = kron_rel_change(&full_factors, &prev_factors, &mut scratch);
            std::mem::swap(&mut prev_factors, &mut full_factors);
            iterations = r;
            let s_active: usize = dims.iter().product();
            if p.record_history {
                history.push(IterRecord {
                    stop_value: rel,
                    cost: estep.cost,
                    noise_variance: sigma2,
                    active: s_active,
                    inner_sweeps: sweeps,
                });
            }
            // the state borrows the E-step's mean and the active sets for the observer (moved
            // in and out, no copy)
            state.iteration = r;
            state.noise_variance = sigma2;
            std::mem::swap(&mut state.mean, &mut estep.mu);
            std::mem::swap(&mut state.active, &mut active);
            let control = observer.observe(&IterInfo::new(r, estep.cost, rel).with_state(&state));
            std::mem::swap(&mut state.mean, &mut estep.mu);
            std::mem::swap(&mut state.active, &mut active);
            if rel <= p.tol {
                status = Status::Converged;
                break;
            }
            if control == Control::Stop {
                status = Status::StoppedByObserver;
                break;
            }
        }
        let info = clock.finish(iterations, status, rel);

        let mut x = DVector::from_element(big_n, T::default());
        let mut variances = DVector::zeros(big_n);
        let cost;
        if let Status::AllPruned {
            factor: Some(factor),
        } = status
        {
            for (i, g) in gamma.iter_mut().enumerate() {
                if i == factor {
                    g.clear();
                    active[i].clear();
                }
            }
            cost = f64::NAN;
        } else {
            // final E-step with the last factors and σ²
            estep.run(&h, &gamma, y, sigma2, p.route)?;
            scatter_active(&estep.mu, &active, &n, x.as_mut_slice());
            scatter_active(&estep.v, &active, &n, variances.as_mut_slice());
            cost = estep.cost;
        }
        fill_full(&gamma, &active, &mut full_factors);
        observer.finish(&info);
        Ok(KroSblSolution {
            x,
            variances,
            gamma: full_factors.into_iter().map(DVector::from_vec).collect(),
            active,
            noise_variance: sigma2,
            cost: Some(cost),
            history,
            info,
        })
    }
}

/// Drops, in every factor i, the entries γᵢ[k] for which `keep(i, γᵢ[k], max γᵢ)` is false,
/// together with their active indices and dictionary columns (`h[i]` is rebuilt from `full`).
/// Nothing is allocated when nothing is dropped. Returns the first factor left empty, if any.
pub(crate) fn prune_factors<T: Scalar>(
    full: &[DMatrix<T>],
    gamma: &mut [Vec<f64>],
    active: &mut [Vec<usize>],
    h: &mut [DMatrix<T>],
    keep: impl Fn(usize, f64, f64) -> bool,
) -> Option<usize> {
    for i in 0..gamma.len() {
        let top = gamma[i].iter().fold(0.0f64, |a, &b| a.max(b));
        if gamma[i].iter().all(|&v| keep(i, v, top)) {
            continue;
        }
        let kept: Vec<usize> = (0..gamma[i].len())
            .filter(|&k| keep(i, gamma[i][k], top))
            .collect();
        if kept.is_empty() {
            return Some(i);
        }
        gamma[i] = kept.iter().map(|&k| gamma[i][k]).collect();
        active[i] = kept.iter().map(|&k| active[i][k]).collect();
        h[i] = full[i].select_columns(active[i].iter());
    }
    None
}

/// ‖⊗aᵢ − ⊗bᵢ‖ / ‖⊗bᵢ‖ from the factors alone: ‖⊗a − ⊗b‖² = ∏‖aᵢ‖² + ∏‖bᵢ‖² − 2∏⟨aᵢ, bᵢ⟩
/// costs O(Σnᵢ) instead of O(∏nᵢ). Below a change of 1e-5 that difference loses digits to
/// cancellation, and the products are expanded and compared entry by entry instead.
fn kron_rel_change(a: &[Vec<f64>], b: &[Vec<f64>], scratch: &mut Vec<f64>) -> f64 {
    let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>();
    let (mut aa, mut bb, mut ab) = (1.0, 1.0, 1.0);
    for (x, y) in a.iter().zip(b) {
        aa *= dot(x, x);
        bb *= dot(y, y);
        ab *= dot(x, y);
    }
    let base = bb.max(f64::MIN_POSITIVE);
    let fast = ((aa + bb - 2.0 * ab).max(0.0) / base).sqrt();
    if fast > 1e-5 {
        return fast;
    }
    expand_kron(a, scratch);
    let ea = std::mem::take(scratch);
    expand_kron(b, scratch);
    let diff: f64 = ea
        .iter()
        .zip(scratch.iter())
        .map(|(p, q)| (p - q) * (p - q))
        .sum();
    (diff / base).sqrt()
}

/// Full-length factor vectors: γᵢ on the active set, 0 elsewhere.
fn fill_full(gamma: &[Vec<f64>], active: &[Vec<usize>], full: &mut [Vec<f64>]) {
    for ((f, g), a) in full.iter_mut().zip(gamma).zip(active) {
        f.fill(0.0);
        for (&k, &v) in a.iter().zip(g) {
            f[k] = v;
        }
    }
}

/// Scatters a tensor on the active multi-indices into the full row-major tensor of shape `n`.
pub(crate) fn scatter_active<V: Copy>(
    src: &[V],
    active: &[Vec<usize>],
    n: &[usize],
    out: &mut [V],
) {
    let modes = n.len();
    let mut strides = vec![1usize; modes];
    for i in (0..modes.saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * n[i + 1];
    }
    let mut idx = vec![0usize; modes];
    for &v in src {
        let full: usize = (0..modes).map(|i| active[i][idx[i]] * strides[i]).sum();
        out[full] = v;
        for i in (0..modes).rev() {
            idx[i] += 1;
            if idx[i] < active[i].len() {
                break;
            }
            idx[i] = 0;
        }
    }
}
