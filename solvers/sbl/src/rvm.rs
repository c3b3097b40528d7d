//! The relevance vector machine (RVM) for sparse linear regression, as MEDIDA uses it
//! (Tipping 2001 with the EM / MacKay fixed-point updates; Bishop, PRML §7.2.1): a preset of
//! the [sparse-Bayes engine](crate::bayes) (Gram route with Cholesky, the MacKay rule,
//! optional z-scoring).
//!
//! **Model.** t = Φw + ε, ε ~ N(0, β⁻¹I), prior wⱼ ~ N(0, αⱼ⁻¹). Optionally the columns of Φ
//! and t are standardised first (z-scores with the population standard deviation), and the
//! weights are mapped back as wⱼ = mⱼ σ_t/σ_{x,j} with intercept μ_t − Σⱼ wⱼ μ_{x,j}.
//!
//! **Set-up**, one pass over Φ (n × p): the finite check, the column moments and the Gram
//! matrix of the standardised data together, in blocks of 2048 rows shifted by a provisional
//! mean (core's triangular Gram per block, O(np²/2) flops, no standardised copy of Φ; a
//! two-pass route for columns whose shifted moments would cancel;
//! [`crate::bayes::standardise`]). Everything after the set-up needs only these
//! [`RowMoments`] of [Φ t] (sums and sums of products over the rows), so a caller that forms
//! them without storing Φ fits with [`rvm_fit_moments`] / [`Rvm::solve_moments`].
//!
//! **Iteration** on the active set A, with the Gram matrix G = ΦᵀΦ, b = Φᵀt and c = tᵀt
//! computed once (so each iteration costs O(|A|³), independent of the number of samples):
//!
//! ```text
//!   Σ = (diag α_A + β G_AA)⁻¹,  m = β Σ b_A,  γ = 1 − α_A ∘ diag Σ
//!   α_A ← γ / m²
//!   β ← (n − Σγ) / rss,  rss = c − 2mᵀb_A + mᵀG_AA m
//!   prune αⱼ ≥ α_thr (keep the smallest-α column if all would go)
//!   stop when max|α − α_old| < tol (the stop value), from the third iteration on
//! ```
//!
//! With α_thr = 100 in standardised space (MEDIDA's preset for Kuramoto–Sivashinsky) every
//! term contributing less than about 10 % of std(t) is cut: the threshold, not the evidence,
//! decides the support. Presets: [`RvmParams::medida_ks`], [`RvmParams::evidence`].

use crate::bayes::fit::{GramFit, ResidualFromRows, StopOn, gram_fit, residual_from_rows};
#[cfg(test)]
use crate::bayes::standardise::shifted_moments;
use crate::bayes::standardise::{MAX_CANCELLATION, NormalEquations};
use crate::bayes::{Inversion, Rule, SparseBayesFit, Standardise};
use crate::regression::Regression;
use nalgebra::{DMatrix, DVector};
use parsimony_core::error::{check_at_least_one, check_non_negative, check_positive};
use parsimony_core::solve::{Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

pub use crate::bayes::RowMoments;

/// A fitted RVM: the engine's one result type (`info.stop_value` = the last max |Δα|).
pub type RvmFit = SparseBayesFit<f64>;

/// Parameters of the RVM.
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `alpha_threshold` | 1e9 | > 0 | prune αⱼ ≥ threshold |
/// | `tol` | 1e-3 | ≥ 0 | stop when max\|Δα\| < tol |
/// | `max_iter` | 3000 | ≥ 1 | iteration cap |
/// | `alpha_init` | 1e-6 | > 0 | starting weight precision |
/// | `beta_init` | 1e-6 | > 0 | starting noise precision |
/// | `standardise` | false | | z-score columns and target |
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

    /// Pruning threshold on α.
    pub fn alpha_threshold(mut self, t: f64) -> Self {
        self.alpha_threshold = t;
        self
    }
    /// Tolerance on max |Δα|.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Starting precisions (weights, noise).
    pub fn init(mut self, alpha: f64, beta: f64) -> Self {
        (self.alpha_init, self.beta_init) = (alpha, beta);
        self
    }
    /// z-score the data first.
    pub fn standardise(mut self, yes: bool) -> Self {
        self.standardise = yes;
        self
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("alpha_threshold", self.alpha_threshold),
            ("alpha_init", self.alpha_init),
            ("beta_init", self.beta_init),
        ] {
            check_positive(name, v)?;
        }
        check_non_negative("tol", self.tol)?;
        check_at_least_one("max_iter", self.max_iter)
    }

    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<Rvm> {
        self.validate()?;
        Ok(Rvm { params: self })
    }
}

fn mode(standardise: bool) -> Standardise {
    if standardise {
        Standardise::ZScore
    } else {
        Standardise::None
    }
}

/// The RVM; build it with [`RvmParams::build`].
#[derive(Clone, Debug)]
pub struct Rvm {
    params: RvmParams,
}

impl Rvm {
    /// The parameters.
    pub fn params(&self) -> &RvmParams {
        &self.params
    }

    fn config(&self) -> GramFit {
        let p = &self.params;
        GramFit {
            rule: Rule::MacKay,
            inversion: Inversion::Cholesky,
            alpha_init: p.alpha_init,
            beta_init: p.beta_init,
            threshold: p.alpha_threshold,
            keep_one: true,
            stop: StopOn::PrecisionChange,
            tol: p.tol,
            min_iter: 3,
            max_iter: p.max_iter,
            final_estep: false,
        }
    }

    /// Fits the RVM to the design matrix Φ = `problem.a()` (n × p) and target t.
    ///
    /// Errors: non-finite values. A constant column (zero standard deviation) is never
    /// selected when standardising; a constant target (when standardising) or an all-zero
    /// target gives an empty model.
    pub fn solve(&self, problem: &Regression<'_, f64>) -> Result<RvmFit> {
        self.solve_observed(problem, &mut Silent)
    }

    /// [`Rvm::solve`], showing `observer` each iteration (stop value max |Δα|, no cost).
    pub fn solve_observed(
        &self,
        problem: &Regression<'_, f64>,
        observer: &mut dyn Observer,
    ) -> Result<RvmFit> {
        self.solve_with(problem.a(), problem.y(), MAX_CANCELLATION, observer)
    }

    /// [`Rvm::solve`] with the one-pass route's cancellation limit (0 forces the two-pass
    /// route).
    fn solve_with(
        &self,
        phi: &DMatrix<f64>,
        t: &DVector<f64>,
        max_cancellation: f64,
        observer: &mut dyn Observer,
    ) -> Result<RvmFit> {
        // One pass over Φ (finite check, moments and Gram together); the two-pass route only
        // for columns whose moments the shifted sums cannot give to enough digits.
        let ne =
            NormalEquations::from_rows(phi, t, mode(self.params.standardise), max_cancellation)?;
        let mut residual = residual_from_rows(phi, t, &ne);
        gram_fit(&ne, &self.config(), &mut residual, observer)?
            .ok_or_else(|| Error::breakdown("RVM", "the residual from the rows is unavailable"))
    }

    /// Fits the RVM from the [`RowMoments`] of [Φ t] alone, without the rows: the same
    /// iteration as [`Rvm::solve`] on the same normal equations.
    ///
    /// `Ok(None)` when the moments cannot give the fit to working accuracy, and the caller
    /// should fit from the rows instead: a column whose mean, measured from its shift, dwarfs
    /// its spread ((mean − shift)² ≥ 10⁶ variance; with moments about 0 this includes any
    /// non-zero constant column or target: give such a column its value as the shift), or a
    /// model that explains t to within 10⁻⁸ of its energy, where the residual
    /// c − 2mᵀb + mᵀGm cancels and must be summed over the rows.
    ///
    /// Errors: inconsistent sizes, non-finite or negative sums of squares, no rows.
    pub fn solve_moments(&self, moments: &RowMoments) -> Result<Option<RvmFit>> {
        self.solve_moments_observed(moments, &mut Silent)
    }

    /// [`Rvm::solve_moments`] with an observer.
    ///
    /// The observer's `finish` is called once per call. When the result is `Ok(None)` it has
    /// been called with [`Status::Stalled`]: with 0 iterations when the moments are declined
    /// up front, or with the iterations done when the residual cancelled mid-run. A caller
    /// that then falls back to the rows ([`Rvm::solve_observed`] with the same observer) runs
    /// a second observed fit: the observer sees its iterations from 1 again and a second
    /// `finish`.
    pub fn solve_moments_observed(
        &self,
        moments: &RowMoments,
        observer: &mut dyn Observer,
    ) -> Result<Option<RvmFit>> {
        moments.validate()?;
        let Some(ne) =
            NormalEquations::from_moments(moments, mode(self.params.standardise), MAX_CANCELLATION)
        else {
            observer.finish(&SolveInfo::new(0, Status::Stalled, f64::NAN, 0.0));
            return Ok(None);
        };
        let none: &mut ResidualFromRows<'_> = &mut |_, _| None;
        gram_fit(&ne, &self.config(), none, observer)
    }
}

/// Fits the RVM to the design matrix `phi` (n × p) and target `t` (length n): the thin
/// preset `RvmParams::build` then [`Rvm::solve`].
///
/// Errors: shape mismatch, non-finite values, invalid parameters. A constant column (zero
/// standard deviation) is never selected when standardising; a constant target (when
/// standardising) or an all-zero target gives an empty model.
pub fn rvm_fit(phi: &DMatrix<f64>, t: &DVector<f64>, params: &RvmParams) -> Result<RvmFit> {
    let problem = Regression::new(phi, t)?;
    params.clone().build()?.solve(&problem)
}

/// Fits the RVM from the [`RowMoments`] of [Φ t] alone: the thin preset of
/// [`Rvm::solve_moments`] (`Ok(None)` when the moments do not suffice).
pub fn rvm_fit_moments(moments: &RowMoments, params: &RvmParams) -> Result<Option<RvmFit>> {
    params.clone().build()?.solve_moments(moments)
}

/// [`rvm_fit`] with the one-pass route's cancellation limit (0 forces the two-pass route).
#[cfg(test)]
fn rvm_fit_with(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    params: &RvmParams,
    max_cancellation: f64,
) -> Result<RvmFit> {
    Regression::new(phi, t)?;
    params
        .clone()
        .build()?
        .solve_with(phi, t, max_cancellation, &mut Silent)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target with nothing to explain gives an empty model, not a breakdown: all zeros (any
    /// setting) and a constant (standardised; 0.1 is not a binary fraction, so its summed mean
    /// is off in the last digits).
    #[test]
    fn zero_and_constant_targets_give_an_empty_model() {
        let phi = DMatrix::from_fn(50, 3, |i, j| ((i * (j + 2)) % 7) as f64 * 0.3 + j as f64);
        for standardise in [false, true] {
            let params = RvmParams {
                standardise,
                ..RvmParams::default()
            };
            let fit = rvm_fit(&phi, &DVector::zeros(50), &params).unwrap();
            assert!(fit.support.is_empty(), "standardise {standardise}");
        }
        let params = RvmParams::medida_ks();
        let fit = rvm_fit(&phi, &DVector::from_element(50, 0.1), &params).unwrap();
        assert!(fit.support.is_empty());
        assert!((fit.intercept - 0.1).abs() < 1e-15);
    }

    /// The one-pass route: shifted moments, then the normal equations.
    fn fused(
        phi: &DMatrix<f64>,
        t: &DVector<f64>,
        standardise: bool,
        max_cancellation: f64,
    ) -> Result<Option<NormalEquations>> {
        let m = shifted_moments(phi, t, standardise)?;
        Ok(NormalEquations::from_moments(
            &m,
            mode(standardise),
            max_cancellation,
        ))
    }

    /// The two-pass route (forced) and the one-pass route fit the same model.
    #[test]
    fn both_routes_fit_the_same_model() {
        let n = 4000;
        let phi = DMatrix::from_fn(n, 3, |i, j| 5.0 + ((i * (j + 2)) as f64 * 0.021).sin());
        let t = DVector::from_fn(n, |i, _| {
            1.5 * phi[(i, 1)] + 1e-3 * ((i as f64) * 0.9).cos()
        });
        let params = RvmParams::medida_ks();
        assert!(fused(&phi, &t, true, 0.0).unwrap().is_none());
        let one = rvm_fit_with(&phi, &t, &params, MAX_CANCELLATION).unwrap();
        let two = rvm_fit_with(&phi, &t, &params, 0.0).unwrap();
        assert_eq!(one.support, vec![1]);
        assert_eq!(one.support, two.support);
        assert_eq!(one.info.iterations, two.info.iterations);
        assert!((one.weights[1] - two.weights[1]).abs() < 1e-12);
        assert!((one.intercept - two.intercept).abs() < 1e-10);
    }

    /// A fit from the moments alone equals the fit from the rows, standardised or not, for
    /// moments about 0 (`from_rows`) and about a shift (the blocked pass).
    #[test]
    fn fit_from_moments_equals_fit_from_rows() {
        let n = 3000;
        let phi = DMatrix::from_fn(n, 4, |i, j| {
            0.5 * j as f64 + ((i * (j + 3)) as f64 * 0.013).sin()
        });
        let t = DVector::from_fn(n, |i, _| {
            2.0 - 0.8 * phi[(i, 2)] + 0.05 * ((i as f64) * 1.7).cos()
        });
        for params in [RvmParams::medida_ks(), RvmParams::default()] {
            let rows = rvm_fit(&phi, &t, &params).unwrap();
            for m in [
                RowMoments::from_rows(&phi, &t).unwrap(),
                shifted_moments(&phi, &t, true).unwrap(),
            ] {
                let fit = rvm_fit_moments(&m, &params)
                    .unwrap()
                    .expect("no cancellation");
                assert_eq!(fit.support, rows.support);
                assert_eq!(fit.info.iterations, rows.info.iterations);
                assert_eq!(fit.info.converged, rows.info.converged);
                assert!((fit.weights.clone() - &rows.weights).amax() < 1e-9);
                assert!((fit.weight_std.clone() - &rows.weight_std).amax() < 1e-9);
                assert!((fit.intercept - rows.intercept).abs() < 1e-9);
            }
        }
    }

    /// The moments decline what they cannot do: a residual that cancels (an exact model) and
    /// a column whose mean dwarfs its spread; bad moments are typed errors.
    #[test]
    fn fit_from_moments_declines_and_checks() {
        let n = 2000;
        let phi = DMatrix::from_fn(n, 2, |i, j| ((i * (j + 1)) as f64 * 0.07).sin());
        let exact = DVector::from_fn(n, |i, _| 3.0 * phi[(i, 0)]);
        let params = RvmParams::medida_ks();
        let m = RowMoments::from_rows(&phi, &exact).unwrap();
        assert!(rvm_fit_moments(&m, &params).unwrap().is_none());
        // the rows still fit it
        let fit = rvm_fit(&phi, &exact, &params).unwrap();
        assert_eq!(fit.support, vec![0]);
        assert!((fit.weights[0] - 3.0).abs() < 1e-6);
        let far = DMatrix::from_fn(n, 1, |i, _| 1e9 + (i % 3) as f64 * 1e-3);
        let t = DVector::from_fn(n, |i, _| (i % 3) as f64 + 0.1 * (i as f64).sin());
        let m = RowMoments::from_rows(&far, &t).unwrap();
        assert!(rvm_fit_moments(&m, &params).unwrap().is_none());
        let good = RowMoments::from_rows(&phi, &t).unwrap();
        let mut bad = good.clone();
        bad.rows = 0;
        assert!(
            matches!(rvm_fit_moments(&bad, &params), Err(Error::InvalidParameter { name, .. }) if name == "rows")
        );
        let mut bad = good.clone();
        bad.sums.pop();
        assert!(matches!(
            rvm_fit_moments(&bad, &params),
            Err(Error::DimensionMismatch { .. })
        ));
        let mut bad = good.clone();
        bad.products[(1, 0)] = f64::NAN;
        assert!(
            matches!(rvm_fit_moments(&bad, &params), Err(Error::NonFinite { what }) if what == "products")
        );
        let mut bad = good;
        bad.products[(1, 1)] = -1.0;
        assert!(matches!(
            rvm_fit_moments(&bad, &params),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
