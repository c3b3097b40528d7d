//! KSBL: the earlier Kronecker SBL the paper compares against (`sota_kroSBL*.m`).
//!
//! E-step by the n-route: with Gᵢ = Γᵢ^{½} Hᵢᴴ Hᵢ Γᵢ^{½} = Qᵢ diag(λᵢ) Qᵢᴴ and Pᵢ = Γᵢ^{½} Qᵢ,
//!
//! ```text
//!   Σ = (⊗Pᵢ) diag(w) (⊗Pᵢᴴ),  w = 1 / (1 + ⊗λᵢ/σ²)
//!   μ = Σ Hᴴ y / σ²,            diag Σ = (⊗|Pᵢ|∘²) w     (all terms positive: no cancellation)
//! ```
//!
//! at O(Σsᵢ³ + S Σsᵢ) per iteration; then exactly one Gauss–Seidel sweep of the AM factor
//! updates, without the gauge normalisation or an inner loop; relative pruning 1e-2.
//! [`posterior_nroute`] is also an independent check of the m-route E-step.

use crate::kron::estep::Posterior;
use crate::kron::{IterRecord, KroSblSolution, KronProblem, prune_factors, scatter_active};
use nalgebra::{DMatrix, DVector};
use parsimony_core::error::{
    check_at_least_one, check_in_range, check_non_negative, check_positive,
};
use parsimony_core::linalg::{
    ModeWorkspace, Scalar, Transform, multimode_product, symmetric_eigen,
};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, Status};
use parsimony_core::{Error, Result};

/// Row-major Kronecker expansion of real factor vectors.
fn expand(ws: &[Vec<f64>]) -> Vec<f64> {
    let mut out = vec![1.0];
    for w in ws {
        out = out
            .iter()
            .flat_map(|a| w.iter().map(move |b| a * b))
            .collect();
    }
    out
}

/// n-route posterior on the active factors `h` (mᵢ × sᵢ) with prior factors `gamma` (> 0).
fn nroute<T: Scalar>(
    h: &[DMatrix<T>],
    gamma: &[Vec<f64>],
    y: &[T],
    sigma2: f64,
) -> Result<(Vec<T>, Vec<f64>)> {
    let m: Vec<usize> = h.iter().map(|f| f.nrows()).collect();
    let s: Vec<usize> = h.iter().map(|f| f.ncols()).collect();
    let big_s: usize = s.iter().product();
    let mut p = Vec::with_capacity(h.len());
    let mut p_abs2 = Vec::with_capacity(h.len());
    let mut lambdas = Vec::with_capacity(h.len());
    for (hi, gi) in h.iter().zip(gamma) {
        let mut hs = hi.clone();
        for (mut col, &g) in hs.column_iter_mut().zip(gi) {
            col *= T::of_real(g.sqrt());
        }
        let eig = symmetric_eigen(&(hs.adjoint() * &hs))?;
        lambdas.push(eig.values.iter().map(|l| l.max(0.0)).collect::<Vec<f64>>());
        let mut pi = eig.vectors;
        for (r, mut row) in pi.row_iter_mut().enumerate() {
            row *= T::of_real(gi[r].sqrt());
        }
        p_abs2.push(pi.map(|z| z.modulus2()));
        p.push(pi);
    }
    let w: Vec<f64> = expand(&lambdas)
        .iter()
        .map(|l| 1.0 / (1.0 + l / sigma2))
        .collect();
    let mut ws = ModeWorkspace::new();
    let mut wr = ModeWorkspace::new();
    let mut c = vec![T::default(); big_s];
    multimode_product(y, &m, h, Transform::Adjoint, &mut c, &mut ws)?;
    let mut t = vec![T::default(); big_s];
    multimode_product(&c, &s, &p, Transform::Adjoint, &mut t, &mut ws)?;
    for (ti, wi) in t.iter_mut().zip(&w) {
        *ti = ti.scaled(wi / sigma2);
    }
    let mut mu = vec![T::default(); big_s];
    multimode_product(&t, &s, &p, Transform::Identity, &mut mu, &mut ws)?;
    let mut var = vec![0.0; big_s];
    multimode_product(&w, &s, &p_abs2, Transform::Identity, &mut var, &mut wr)?;
    Ok((mu, var))
}

/// The posterior by the n-route for full factors (an independent check of the m-route).
/// The evidence cost is not computed here (NaN).
pub fn posterior_nroute<T: Scalar>(
    problem: &KronProblem<T>,
    gamma: &[DVector<f64>],
    sigma2: f64,
) -> Result<Posterior<T>> {
    parsimony_core::error::check_len("number of γ factors", problem.factors().len(), gamma.len())?;
    parsimony_core::error::check_positive("sigma2", sigma2)?;
    let g: Vec<Vec<f64>> = gamma.iter().map(|v| v.as_slice().to_vec()).collect();
    for (i, (gi, hi)) in g.iter().zip(problem.factors()).enumerate() {
        parsimony_core::error::check_len(format_args!("length of γ[{i}]"), hi.ncols(), gi.len())?;
        if gi.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::invalid(
                format!("gamma[{i}]"),
                "the n-route needs γ > 0",
            ));
        }
    }
    let (mu, var) = nroute(problem.factors(), &g, problem.y().as_slice(), sigma2)?;
    Ok(Posterior {
        mean: DVector::from_vec(mu),
        variances: DVector::from_vec(var),
        cost: f64::NAN,
    })
}

/// Parameters of [`Ksbl`] (the paper's settings by default).
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `noise_variance` | (required) | > 0 | the known σ² |
/// | `max_iter` | 150 | ≥ 1 | EM iteration cap |
/// | `tol` | 1e-4 | ≥ 0 | stop when ‖Δ⊗γ‖/‖⊗γ‖ ≤ tol (the stop value) |
/// | `prune_rel` | 1e-2 | [0, 1) | prune γᵢ entries < r·max γᵢ |
#[derive(Clone, Debug)]
pub struct KsblParams {
    /// The known noise variance σ².
    pub noise_variance: f64,
    /// EM iteration cap.
    pub max_iter: usize,
    /// Tolerance on the relative change of ⊗γ.
    pub tol: f64,
    /// Relative pruning threshold.
    pub prune_rel: f64,
}

impl KsblParams {
    /// The paper's settings (150 iterations, tol 1e-4, relative pruning 1e-2) with noise
    /// variance `sigma2`.
    pub fn new(sigma2: f64) -> Self {
        Self {
            noise_variance: sigma2,
            max_iter: 150,
            tol: 1e-4,
            prune_rel: 1e-2,
        }
    }
    /// EM iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Tolerance on the relative change of ⊗γ.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Relative pruning threshold.
    pub fn prune_rel(mut self, r: f64) -> Self {
        self.prune_rel = r;
        self
    }
    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Ksbl> {
        check_positive("sigma2", self.noise_variance)?;
        check_in_range("prune_rel", self.prune_rel, 0.0, 1.0)?;
        check_at_least_one("max_iter", self.max_iter)?;
        check_non_negative("tol", self.tol)?;
        Ok(Ksbl { params: self })
    }
}

/// KSBL; build it with [`KsblParams::build`].
#[derive(Clone, Debug)]
pub struct Ksbl {
    params: KsblParams,
}

impl Ksbl {
    /// Runs KSBL silently.
    pub fn solve<T: Scalar>(&self, problem: &KronProblem<T>) -> Result<KroSblSolution<T>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Runs KSBL, showing `observer` each EM iteration (no cost; stop value = the relative
    /// change of ⊗γ).
    pub fn solve_observed<T: Scalar>(
        &self,
        problem: &KronProblem<T>,
        observer: &mut dyn Observer,
    ) -> Result<KroSblSolution<T>> {
        let KsblParams {
            noise_variance: sigma2,
            max_iter,
            tol,
            prune_rel,
        } = self.params;
        let n = problem.n();
        let big_n: usize = n.iter().product();
        let y = problem.y().as_slice();
        let mut active: Vec<Vec<usize>> = n.iter().map(|&k| (0..k).collect()).collect();
        let mut h: Vec<DMatrix<T>> = problem.factors().to_vec();
        let mut gamma: Vec<Vec<f64>> = n.iter().map(|&k| vec![1.0; k]).collect();
        let mut prev = vec![1.0; big_n];
        let mut status = Status::MaxIterations;
        let (mut iterations, mut rel) = (0, f64::NAN);
        let mut history = Vec::new();
        let clock = Clock::start();
        for r in 1..=max_iter {
            let keep = |_: usize, v: f64, top: f64| v >= prune_rel * top && v > 0.0;
            if let Some(factor) =
                prune_factors(problem.factors(), &mut gamma, &mut active, &mut h, keep)
            {
                status = Status::AllPruned {
                    factor: Some(factor),
                };
                break;
            }
            let (mu, var) = nroute(&h, &gamma, y, sigma2)?;
            let d: Vec<f64> = mu.iter().zip(&var).map(|(m, v)| v + m.modulus2()).collect();
            // one Gauss–Seidel sweep, no normalisation
            let s: Vec<usize> = gamma.iter().map(|g| g.len()).collect();
            let big_s: usize = s.iter().product();
            for i in 0..s.len() {
                let mut weights: Vec<Vec<f64>> = gamma
                    .iter()
                    .map(|g| g.iter().map(|v| 1.0 / v).collect())
                    .collect();
                weights[i] = vec![1.0; s[i]];
                let wfull = expand(&weights);
                let stride: usize = s[i + 1..].iter().product();
                let mut out = vec![0.0; s[i]];
                for (j, (dj, wj)) in d.iter().zip(&wfull).enumerate() {
                    out[(j / stride) % s[i]] += dj * wj;
                }
                for (g, o) in gamma[i].iter_mut().zip(out) {
                    *g = o * s[i] as f64 / big_s as f64;
                }
            }
            let mut full: Vec<Vec<f64>> = n.iter().map(|&k| vec![0.0; k]).collect();
            for ((f, a), g) in full.iter_mut().zip(&active).zip(&gamma) {
                for (&k, &v) in a.iter().zip(g) {
                    f[k] = v;
                }
            }
            let new = expand(&full);
            let diff: f64 = new.iter().zip(&prev).map(|(a, b)| (a - b).powi(2)).sum();
            let base: f64 = prev.iter().map(|b| b * b).sum();
            rel = (diff / base.max(f64::MIN_POSITIVE)).sqrt();
            prev = new;
            iterations = r;
            history.push(IterRecord {
                stop_value: rel,
                cost: f64::NAN,
                noise_variance: sigma2,
                active: big_s,
                inner_sweeps: 1,
            });
            let control = observer.observe(&IterInfo::new(r, f64::NAN, rel));
            if rel <= tol {
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
        if !matches!(status, Status::AllPruned { .. }) {
            let (mu, var) = nroute(&h, &gamma, y, sigma2)?;
            scatter_active(&mu, &active, &n, x.as_mut_slice());
            scatter_active(&var, &active, &n, variances.as_mut_slice());
        }
        observer.finish(&info);
        let gamma_full = n
            .iter()
            .zip(&active)
            .zip(&gamma)
            .map(|((&k, a), g)| {
                let mut f = DVector::zeros(k);
                for (&j, &v) in a.iter().zip(g) {
                    f[j] = v;
                }
                f
            })
            .collect();
        Ok(KroSblSolution {
            x,
            variances,
            gamma: gamma_full,
            active,
            noise_variance: sigma2,
            cost: None,
            history,
            info,
        })
    }
}
