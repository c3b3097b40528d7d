//! The ensemble Kalman filter analysis (Evensen; Burgers, van Leeuwen & Evensen 1998), as
//! MEDIDA uses it and generalised (shared/specs/medida.md S7).
//!
//! Forecast ensemble F = [f₁ … f_{Nₑ}] (N × Nₑ), observation w = H u + ε with ε ~ N(0, σ²I)
//! and H the identity or a selection of grid points. With the ensemble mean f̄ and the scaled
//! anomalies A = ρ (F − f̄)/√(Nₑ − 1) (inflation ρ), the background covariance is B = A Aᵀ
//! (optionally B ∘ C with a Gaspari–Cohn correlation C) and the gain K = B Hᵀ (H B Hᵀ + σ²I)⁻¹.
//!
//! * **Stochastic** (perturbed observations): member i becomes fᵢ + K(w + εᵢ − H fᵢ),
//!   εᵢ ~ N(0, σ²I) drawn per member; the analysis mean is f̄ + K(w + ε̄ − H f̄).
//! * **Deterministic mean**: ū_a = f̄ + K(w − H f̄) (no perturbations; mean only).
//!
//! K is never formed. Without localisation K d = A (HA)ᵀ x with (HA(HA)ᵀ + σ²I) x = d, a
//! Cholesky solve of size N_obs when N_obs ≤ Nₑ, or, when Nₑ < N_obs, the ensemble-space
//! (Woodbury) form K d = A ((HA)ᵀHA + σ²I)⁻¹ (HA)ᵀ d of size Nₑ. Localisation needs B itself
//! (N × N). Cost: O(N_obs² Nₑ + N_obs³) or O(Nₑ² N_obs + Nₑ³), plus O(N²Nₑ) with localisation.
//!
//! Use: `EnkfParams::new(σ).….build(n)? -> Enkf` (checked once for states of n points), then
//! `enkf.solve(&EnkfProblem::new(&forecast, &w)?, &mut rng)?` → [`EnkfAnalysis`] with
//! `info: SolveInfo`. The analysis is one direct step (a Cholesky solve), not an iteration:
//! its info reports one iteration, [`Status::Converged`] and no stopping quantity (NaN), and it
//! takes no observer. [`enkf_analysis`] does the three in one call.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::{Transform, cholesky, gram_cols, gram_rows, matmul};
use parsimony_core::random::StdRng;
use parsimony_core::solve::{Clock, SolveInfo, Status};
use parsimony_core::{Error, Result};
use rand_distr::{Distribution, StandardNormal};

/// Which analysis the filter performs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AnalysisKind {
    /// Perturbed observations, one draw per member (MEDIDA's).
    #[default]
    Stochastic,
    /// The mean update without perturbations.
    DeterministicMean,
}

/// The observation operator H.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Observe {
    /// Every grid point.
    #[default]
    Identity,
    /// These grid points (distinct, in range).
    Points(Vec<usize>),
}

/// Gaspari–Cohn localisation on a periodic 1D grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Localisation {
    /// Half-width c: correlations vanish beyond a distance 2c.
    pub half_width: f64,
    /// Domain length L (grid points are L/N apart; distances wrap around).
    pub length: f64,
}

/// Parameters of the EnKF analysis (pub fields and setters, checked once by
/// [`EnkfParams::build`]).
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `obs_std` σ | (required) | > 0, absolute | observation-error standard deviation, R = σ²I |
/// | `kind` | `Stochastic` | `Stochastic`, `DeterministicMean` | perturbed observations or the mean update |
/// | `inflation` ρ | 1 | ≥ 1 | multiplicative inflation of the anomalies |
/// | `localisation` | none | half-width > 0, length > 0 | Gaspari–Cohn localisation of B |
/// | `observe` | `Identity` | distinct points < n | the observation operator H |
/// | `keep_members` | false | | also return the analysed members |
#[derive(Clone, Debug, PartialEq)]
pub struct EnkfParams {
    /// Observation-error standard deviation σ (R = σ²I).
    pub obs_std: f64,
    /// The analysis.
    pub kind: AnalysisKind,
    /// Multiplicative inflation of the anomalies in the gain (ρ²B); the members returned with
    /// `keep_members` are the uninflated forecasts plus their increments.
    pub inflation: f64,
    /// Optional localisation.
    pub localisation: Option<Localisation>,
    /// The observation operator.
    pub observe: Observe,
    /// Whether to return the analysed members (stochastic only).
    pub keep_members: bool,
}

impl EnkfParams {
    /// A stochastic EnKF with observation noise σ = `obs_std`, full observation, no inflation,
    /// no localisation.
    pub fn new(obs_std: f64) -> Self {
        Self {
            obs_std,
            kind: AnalysisKind::Stochastic,
            inflation: 1.0,
            localisation: None,
            observe: Observe::Identity,
            keep_members: false,
        }
    }
    /// Sets the analysis kind.
    pub fn kind(mut self, kind: AnalysisKind) -> Self {
        self.kind = kind;
        self
    }
    /// Sets the inflation ρ.
    pub fn inflation(mut self, rho: f64) -> Self {
        self.inflation = rho;
        self
    }
    /// Sets Gaspari–Cohn localisation.
    pub fn localisation(mut self, half_width: f64, length: f64) -> Self {
        self.localisation = Some(Localisation { half_width, length });
        self
    }
    /// Observes only these grid points.
    pub fn observe_points(mut self, points: Vec<usize>) -> Self {
        self.observe = Observe::Points(points);
        self
    }
    /// Also return the analysed members.
    pub fn keep_members(mut self, yes: bool) -> Self {
        self.keep_members = yes;
        self
    }

    /// Checks the parameters once for states of `n` grid points.
    pub fn build(self, n: usize) -> Result<Enkf> {
        let observed = self.validate(n)?;
        Ok(Enkf {
            params: self,
            n,
            observed,
        })
    }

    /// Checks the parameters for a state of `n` grid points; returns the observed points.
    fn validate(&self, n: usize) -> Result<Vec<usize>> {
        parsimony_core::memory::check_elements::<usize>(&format!("a state of n = {n} points"), n)?;
        parsimony_core::error::check_positive("obs_std", self.obs_std)?;
        parsimony_core::error::check_in_range("inflation", self.inflation, 1.0, f64::INFINITY)?;
        if let Some(l) = self.localisation {
            parsimony_core::error::check_positive("localisation half_width", l.half_width)?;
            parsimony_core::error::check_positive("localisation length", l.length)?;
        }
        match &self.observe {
            Observe::Identity => Ok((0..n).collect()),
            Observe::Points(p) => {
                if p.is_empty() {
                    return Err(Error::invalid("observe", "no observed points"));
                }
                let mut seen = vec![false; n];
                for &i in p {
                    if i >= n {
                        return Err(Error::invalid(
                            "observe",
                            format!("point {i} out of range for {n} grid points"),
                        ));
                    }
                    if seen[i] {
                        return Err(Error::invalid("observe", format!("point {i} repeated")));
                    }
                    seen[i] = true;
                }
                Ok(p.clone())
            }
        }
    }
}

/// Which linear system the analysis solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GainForm {
    /// (H B Hᵀ + σ²I), size N_obs.
    ObservationSpace,
    /// ((HA)ᵀHA + σ²I), size Nₑ.
    EnsembleSpace,
    /// Localised B ∘ C formed explicitly, size N_obs.
    Localised,
}

/// The analysis.
#[derive(Clone, Debug)]
pub struct EnkfAnalysis {
    /// Analysis mean ū_a (length N).
    pub mean: Vec<f64>,
    /// Analysed members (N × Nₑ) when asked for (stochastic only).
    pub members: Option<DMatrix<f64>>,
    /// The system that was solved.
    pub form: GainForm,
    /// One direct step: `iterations` 1, [`Status::Converged`], `stop_value` NaN, the time.
    pub info: SolveInfo,
}

/// The data of one analysis, the problem of [`Enkf::solve`]: the forecast ensemble and the
/// observation (borrowed; checked once by [`EnkfProblem::new`]).
#[derive(Clone, Copy, Debug)]
pub struct EnkfProblem<'a> {
    forecast: &'a DMatrix<f64>,
    w: &'a [f64],
}

impl<'a> EnkfProblem<'a> {
    /// The forecast ensemble `forecast` (N × Nₑ, Nₑ ≥ 2, finite) and the observation `w`
    /// (finite; one value per observed point, checked against the filter by [`Enkf::solve`]).
    pub fn new(forecast: &'a DMatrix<f64>, w: &'a [f64]) -> Result<Self> {
        let ne = forecast.ncols();
        if ne < 2 {
            return Err(Error::invalid(
                "forecast",
                format!("an ensemble needs at least 2 members, got {ne}"),
            ));
        }
        parsimony_core::linalg::check_finite("forecast", forecast.as_slice())?;
        parsimony_core::linalg::check_finite("w", w)?;
        Ok(Self { forecast, w })
    }
}

/// An EnKF with checked parameters for states of a fixed number of grid points.
#[derive(Clone, Debug)]
pub struct Enkf {
    params: EnkfParams,
    n: usize,
    observed: Vec<usize>,
}

impl Enkf {
    /// The parameters.
    pub fn params(&self) -> &EnkfParams {
        &self.params
    }

    /// The observed grid points (all of them for [`Observe::Identity`]).
    pub fn observed(&self) -> &[usize] {
        &self.observed
    }

    /// One analysis of `problem`; the perturbations are drawn from `rng`. Errors: a forecast of
    /// another number of rows than the filter's n, or an observation of another length than
    /// the observed points; a failed Cholesky factorisation.
    pub fn solve(&self, problem: &EnkfProblem<'_>, rng: &mut StdRng) -> Result<EnkfAnalysis> {
        let clock = Clock::start();
        let (forecast, w) = (problem.forecast, problem.w);
        parsimony_core::error::check_len(
            "rows of forecast (grid points)",
            self.n,
            forecast.nrows(),
        )?;
        let mut a = analyse(forecast, w, &self.params, &self.observed, rng)?;
        a.info = clock.finish(1, Status::Converged, f64::NAN);
        Ok(a)
    }
}

/// The Gaspari–Cohn fifth-order piecewise rational correlation at distance `d` for
/// half-width `c` (1 at 0, 0 beyond 2c).
pub fn gaspari_cohn(d: f64, c: f64) -> f64 {
    let z = (d / c).abs();
    if z <= 1.0 {
        ((((-0.25 * z + 0.5) * z + 0.625) * z - 5.0 / 3.0) * z * z) + 1.0
    } else if z < 2.0 {
        ((((z / 12.0 - 0.5) * z + 0.625) * z + 5.0 / 3.0) * z - 5.0) * z + 4.0 - 2.0 / (3.0 * z)
    } else {
        0.0
    }
}

/// One EnKF analysis of the forecast ensemble `forecast` (N × Nₑ, Nₑ ≥ 2) with observation
/// `w` (one value per observed point). Perturbations are drawn from `rng`. The same as
/// `params.clone().build(N)?.solve(&EnkfProblem::new(forecast, w)?, rng)`.
pub fn enkf_analysis(
    forecast: &DMatrix<f64>,
    w: &[f64],
    params: &EnkfParams,
    rng: &mut StdRng,
) -> Result<EnkfAnalysis> {
    let problem = EnkfProblem::new(forecast, w)?;
    params.clone().build(forecast.nrows())?.solve(&problem, rng)
}

/// The analysis on checked inputs (`obs` the observed points).
fn analyse(
    forecast: &DMatrix<f64>,
    w: &[f64],
    params: &EnkfParams,
    obs: &[usize],
    rng: &mut StdRng,
) -> Result<EnkfAnalysis> {
    let (n, ne) = forecast.shape();
    let nobs = obs.len();
    parsimony_core::error::check_len("length of w (observed points)", nobs, w.len())?;
    let sigma2 = params.obs_std * params.obs_std;

    let mean: DVector<f64> = forecast.column_mean();
    let scale = params.inflation / ((ne - 1) as f64).sqrt();
    let mut a = forecast.clone();
    for mut col in a.column_iter_mut() {
        col -= &mean;
        col *= scale;
    }
    let ha = a.select_rows(obs.iter());
    let hmean = DVector::from_iterator(nobs, obs.iter().map(|&i| mean[i]));

    // innovations: one column (mean) or Nₑ columns (members)
    let stochastic = params.kind == AnalysisKind::Stochastic;
    let members = stochastic && params.keep_members;
    let innov = if members {
        let mut d = DMatrix::zeros(nobs, ne);
        for (j, mut col) in d.column_iter_mut().enumerate() {
            for (r, c) in col.iter_mut().enumerate() {
                let e: f64 = StandardNormal.sample(rng);
                *c = w[r] + params.obs_std * e - forecast[(obs[r], j)];
            }
        }
        d
    } else {
        let mut d = DMatrix::zeros(nobs, 1);
        if stochastic {
            // the mean of Nₑ perturbations, drawn member by member as the ensemble would
            let mut ebar = vec![0.0; nobs];
            for _ in 0..ne {
                for e in ebar.iter_mut() {
                    let g: f64 = StandardNormal.sample(rng);
                    *e += g;
                }
            }
            for r in 0..nobs {
                d[(r, 0)] = w[r] + params.obs_std * ebar[r] / ne as f64 - hmean[r];
            }
        } else {
            for r in 0..nobs {
                d[(r, 0)] = w[r] - hmean[r];
            }
        }
        d
    };

    let (increment, form) = if let Some(loc) = params.localisation {
        // B ∘ C, then S = H(B∘C)Hᵀ + σ²I, K d = (B∘C)Hᵀ S⁻¹ d
        let mut b = gram_rows(&a);
        let dx = loc.length / n as f64;
        for j in 0..n {
            for i in 0..n {
                let k = i.abs_diff(j);
                let dist = k.min(n - k) as f64 * dx;
                b[(i, j)] *= gaspari_cohn(dist, loc.half_width);
            }
        }
        let mut s = DMatrix::from_fn(nobs, nobs, |r, c| b[(obs[r], obs[c])]);
        for r in 0..nobs {
            s[(r, r)] += sigma2;
        }
        let x = cholesky(&s)?.solve_matrix(&innov)?;
        let bht = b.select_columns(obs.iter());
        (
            matmul(&bht, Transform::Identity, &x, Transform::Identity)?,
            GainForm::Localised,
        )
    } else if nobs <= ne {
        let mut s = gram_rows(&ha);
        for r in 0..nobs {
            s[(r, r)] += sigma2;
        }
        let chol = cholesky(&s)?;
        let inc = if innov.ncols() > nobs {
            // many columns (members): form Kᵀ = S⁻¹ (B Hᵀ)ᵀ once, then K D in one GEMM;
            // with H = I, B Hᵀ = S − σ²I needs no product
            let bht = if params.observe == Observe::Identity {
                let mut b = s.clone();
                for r in 0..nobs {
                    b[(r, r)] -= sigma2;
                }
                b
            } else {
                matmul(&a, Transform::Identity, &ha, Transform::Transpose)?
            };
            let kt = chol.solve_matrix(&bht.transpose())?;
            matmul(&kt, Transform::Transpose, &innov, Transform::Identity)?
        } else {
            let x = chol.solve_matrix(&innov)?;
            let hx = matmul(&ha, Transform::Transpose, &x, Transform::Identity)?;
            matmul(&a, Transform::Identity, &hx, Transform::Identity)?
        };
        (inc, GainForm::ObservationSpace)
    } else {
        let mut s = gram_cols(&ha);
        for r in 0..ne {
            s[(r, r)] += sigma2;
        }
        let hd = matmul(&ha, Transform::Transpose, &innov, Transform::Identity)?;
        let x = cholesky(&s)?.solve_matrix(&hd)?;
        (
            matmul(&a, Transform::Identity, &x, Transform::Identity)?,
            GainForm::EnsembleSpace,
        )
    };

    let (mean_a, members_a) = if members {
        let ua = forecast + &increment;
        let m: Vec<f64> = ua.column_mean().iter().copied().collect();
        (m, Some(ua))
    } else {
        let m = (0..n).map(|i| mean[i] + increment[(i, 0)]).collect();
        (m, None)
    };
    if mean_a.iter().any(|v: &f64| !v.is_finite()) {
        return Err(Error::breakdown(
            "EnKF analysis",
            "non-finite analysis mean",
        ));
    }
    Ok(EnkfAnalysis {
        mean: mean_a,
        members: members_a,
        form,
        info: SolveInfo::new(1, Status::Converged, f64::NAN, 0.0),
    })
}
