//! The classical inverse of Case 1: λ, E_a and the inlet gradient G (and with them the
//! eigenvalue s_L) by weighted least squares of the finite-difference flame against noisy
//! observations of T and u — the estimator the inverse PINN is compared with.
//!
//! With θ = (ln λ, ln E_a, ln G) and the flame T(x; θ), s_L(θ) of [`solve_fd`], the fit
//! minimises
//!
//! ```text
//!   χ²(θ) = Σᵢ [(T(xᵢ; θ) − T̃ᵢ)/(σ T̃ᵢ)]² + [(u(T(xᵢ; θ); s_L(θ)) − ũᵢ)/(σ ũᵢ)]²
//! ```
//!
//! for observations T̃ᵢ, ũᵢ with multiplicative noise of relative size σ: the maximum-likelihood
//! estimate for Gaussian noise (weights frozen at the observations). G is free because the
//! inverse PINN does not use the inlet conditions either: the data must place the flame.
//! Levenberg–Marquardt on θ with a central-difference Jacobian (2·3 flame solves per
//! iteration, each O(N) Newton steps warm-started from the current speed). At the optimum,
//! (JᵀJ)⁻¹ estimates the covariance of θ, i.e. the relative standard errors of λ, E_a and G,
//! and by the delta method of s_L: how well the data can fix each parameter at all.
//!
//! Shape: [`FdInverseProblem`] (model, observations, σ; validated once) → [`FdInverseParams`]
//! → [`FdInverseParams::build`] → [`FdInverseSolver::solve`] (or `solve_observed`) →
//! [`FdInverse`] with `info: SolveInfo`: `iterations` counts Levenberg–Marquardt steps,
//! `stop_value` is the largest component of the last accepted step in ln θ.

use crate::data::{DataWeights, Observations, Scaling};
use crate::model::FlameModel;
use crate::reference::{NewtonParams, solve_fd};
use nalgebra::{DMatrix, DVector, Matrix3, Vector3};
use parsimony_core::error::{check_at_least_one, check_in_range, check_positive};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

/// Parameters of the classical inverse: pub fields, setters, checked once by
/// [`FdInverseParams::build`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `grid` | 1000 intervals | ≥ 50 |
/// | `max_iter` | 60 | ≥ 1 |
/// | `tol` | 1e-7 | > 0: stop when the largest step in ln θ is below it |
/// | `initial` | (0.03 W/m/K, 1.5e5 J/mol, the model's G) | > 0 |
/// | `weights` | `Relative` (maximum likelihood) | `Relative`, `Paper` (the PINN's default) |
#[derive(Clone, Debug, PartialEq)]
pub struct FdInverseParams {
    /// Finite-difference intervals of each flame solve.
    pub grid: usize,
    /// Levenberg–Marquardt iteration cap.
    pub max_iter: usize,
    /// Step tolerance in ln θ.
    pub tol: f64,
    /// Starting (λ, E_a, G); `None` for G takes the model's.
    pub initial: (f64, f64, Option<f64>),
    /// The weighting of the misfits: [`DataWeights::Relative`], (T − T̃)/(σT̃) and
    /// (u − ũ)/(σũ), maximum likelihood for multiplicative noise; or [`DataWeights::Paper`],
    /// s_T (T − T̃) and u − ũ as in the paper's inverse PINN (the standard errors then take
    /// one pooled noise level from the fit, s² = χ²/(2n − 3), as if the scaled T and u misfits
    /// had one variance: with multiplicative noise they have not, so these are rough).
    pub weights: DataWeights,
}

impl Default for FdInverseParams {
    fn default() -> Self {
        Self {
            grid: 1000,
            max_iter: 60,
            tol: 1e-7,
            initial: (0.03, 1.5e5, None),
            weights: DataWeights::Relative,
        }
    }
}

impl FdInverseParams {
    /// Sets the finite-difference intervals of each flame solve.
    pub fn grid(mut self, n: usize) -> Self {
        self.grid = n;
        self
    }
    /// Sets the iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Sets the step tolerance in ln θ.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Sets the starting (λ, E_a, G); `None` for G takes the model's.
    pub fn initial(mut self, conductivity: f64, activation_energy: f64, g: Option<f64>) -> Self {
        self.initial = (conductivity, activation_energy, g);
        self
    }
    /// Sets the weighting of the misfits.
    pub fn weights(mut self, weights: DataWeights) -> Self {
        self.weights = weights;
        self
    }

    /// Checks every field (typed errors naming the field) and returns the solver.
    pub fn build(self) -> Result<FdInverseSolver> {
        if self.grid < 50 {
            return Err(Error::invalid("grid", "need at least 50 intervals"));
        }
        // every forward solve's Newton vectors (about 16 of grid + 1 values)
        let points = self.grid.checked_add(1).ok_or_else(|| {
            Error::invalid("grid", format!("{} intervals overflow usize", self.grid))
        })?;
        parsimony_core::memory::check_total::<f64>(
            &format!("a finite-difference flame on {} intervals", self.grid),
            &[points; 16],
        )?;
        check_at_least_one("max_iter", self.max_iter)?;
        check_positive("tol", self.tol)?;
        let (l0, e0, g0) = self.initial;
        check_positive("initial λ", l0)?;
        check_positive("initial E_a", e0)?;
        if let Some(g0) = g0 {
            check_positive("initial G", g0)?;
        }
        Ok(FdInverseSolver { params: self })
    }
}

/// The data of the classical inverse: the model (its λ, E_a and G are only the defaults of the
/// start), the observations and their relative noise σ, validated once.
#[derive(Clone, Debug, PartialEq)]
pub struct FdInverseProblem {
    model: FlameModel,
    observations: Observations,
    sigma: f64,
}

impl FdInverseProblem {
    /// Errors: an invalid model or observations, `sigma` outside (0, 1).
    pub fn new(model: &FlameModel, observations: &Observations, sigma: f64) -> Result<Self> {
        model.validate()?;
        observations.validate(model.length)?;
        // the relative noise lies in (0, 1)
        check_positive("sigma", sigma)?;
        check_in_range("sigma", sigma, 0.0, 1.0)?;
        Ok(Self {
            model: model.clone(),
            observations: observations.clone(),
            sigma,
        })
    }

    /// The model.
    pub fn model(&self) -> &FlameModel {
        &self.model
    }

    /// The observations.
    pub fn observations(&self) -> &Observations {
        &self.observations
    }

    /// The relative noise σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
}

/// The result of the classical inverse.
#[derive(Clone, Debug, PartialEq)]
pub struct FdInverse {
    /// Estimated flame speed s_L (m/s), the eigenvalue of the fitted flame.
    pub s_l: f64,
    /// Estimated conductivity λ (W/m/K).
    pub conductivity: f64,
    /// Estimated activation energy E_a (J/mol).
    pub activation_energy: f64,
    /// Estimated inlet gradient G (K/m).
    pub inlet_gradient: f64,
    /// Relative standard errors (1σ) of s_L, λ, E_a and G from (JᵀJ)⁻¹ at the optimum.
    pub relative_std: [f64; 4],
    /// The weighted sum of squared misfits at the optimum: χ² for [`DataWeights::Relative`]
    /// (≈ 2n for a good fit of n points).
    pub chi2: f64,
    /// Levenberg–Marquardt iterations, status, the largest component of the last accepted
    /// step in ln θ (`stop_value`; NaN if no step was accepted), time. After iteration k the
    /// observer sees it, then: the accepted step below `tol` → [`Status::Converged`] (it wins);
    /// else no damped step of the iteration (20 trials, μ × 10 each) decreased χ², or none of
    /// its trial flames could be solved → [`Status::Stalled`] (θ stays at the last accepted
    /// point; the tolerance was not met); else the observer's stop →
    /// [`Status::StoppedByObserver`]; else k = `max_iter` → [`Status::MaxIterations`].
    pub info: SolveInfo,
}

/// Weighted residuals of one parameter set, and its s_L.
fn residuals(
    base: &FlameModel,
    obs: &Observations,
    sigma: f64,
    theta: &Vector3<f64>,
    params: &FdInverseParams,
    speed: f64,
) -> Result<(DVector<f64>, f64)> {
    let model = FlameModel {
        conductivity: theta[0].exp(),
        activation_energy: theta[1].exp(),
        inlet_gradient: theta[2].exp(),
        ..base.clone()
    };
    let newton = NewtonParams {
        initial_speed: speed,
        ..NewtonParams::default()
    };
    let fd = solve_fd(&model, params.grid, &newton)?;
    if !fd.info.converged {
        return Err(Error::breakdown(
            "classical inverse",
            format!(
                "the flame solve did not converge at λ = {:.4e}, E_a = {:.4e}, G = {:.4e}",
                model.conductivity, model.activation_energy, model.inlet_gradient
            ),
        ));
    }
    let n = obs.x.len();
    let mut r = DVector::zeros(2 * n);
    let s_t = Scaling::for_model(&model).s_t;
    for (i, &x) in obs.x.iter().enumerate() {
        let t = fd.temperature_at(x)?;
        let u = model.velocity(t, fd.s_l);
        let (dt, du) = (t - obs.temperature[i], u - obs.velocity[i]);
        (r[2 * i], r[2 * i + 1]) = match params.weights {
            DataWeights::Relative => (
                dt / (sigma * obs.temperature[i]),
                du / (sigma * obs.velocity[i]),
            ),
            DataWeights::Paper => (s_t * dt, du),
        };
    }
    Ok((r, fd.s_l))
}

/// Central differences (step 1e-4 in ln θ) of the weighted residuals and of ln s_L at θ.
fn jacobian(
    model: &FlameModel,
    obs: &Observations,
    sigma: f64,
    theta: &Vector3<f64>,
    params: &FdInverseParams,
    speed: f64,
) -> Result<(DMatrix<f64>, Vector3<f64>)> {
    const STEP: f64 = 1e-4;
    let mut jac = DMatrix::zeros(2 * obs.x.len(), 3);
    let mut ds = Vector3::zeros();
    for k in 0..3 {
        let (mut hi, mut lo) = (*theta, *theta);
        hi[k] += STEP;
        lo[k] -= STEP;
        let (rh, sh) = residuals(model, obs, sigma, &hi, params, speed)?;
        let (rl, sl) = residuals(model, obs, sigma, &lo, params, speed)?;
        jac.set_column(k, &((rh - rl) / (2.0 * STEP)));
        ds[k] = (sh.ln() - sl.ln()) / (2.0 * STEP);
    }
    Ok((jac, ds))
}

/// Fits λ, E_a and G (and so s_L) of `model` (its other properties are taken as known) to the
/// observations with relative noise `sigma`: the preset
/// `params.clone().build()?.solve(&FdInverseProblem::new(model, obs, sigma)?)`. See the module
/// documentation. `sigma` weighs the misfits with [`DataWeights::Relative`]; with
/// [`DataWeights::Paper`] the noise level of the standard errors is estimated from the
/// residuals instead and `sigma` is only checked.
///
/// Errors: invalid observations or parameters, `sigma` outside (0, 1), a flame solve that
/// fails during the iteration (reported with the parameters where it failed).
pub fn fit_fd_inverse(
    model: &FlameModel,
    obs: &Observations,
    sigma: f64,
    params: &FdInverseParams,
) -> Result<FdInverse> {
    let problem = FdInverseProblem::new(model, obs, sigma)?;
    params.clone().build()?.solve(&problem)
}

/// The classical inverse, made by [`FdInverseParams::build`].
#[derive(Clone, Debug, PartialEq)]
pub struct FdInverseSolver {
    params: FdInverseParams,
}

impl FdInverseSolver {
    /// The parameters it was built with.
    pub fn params(&self) -> &FdInverseParams {
        &self.params
    }

    /// Fits `problem` (see the module documentation).
    ///
    /// Errors: a flame solve that fails during the iteration (reported with the parameters
    /// where it failed), a singular JᵀJ at the optimum.
    pub fn solve(&self, problem: &FdInverseProblem) -> Result<FdInverse> {
        self.solve_observed(problem, &mut Silent)
    }

    /// As [`FdInverseSolver::solve`], reporting every Levenberg–Marquardt step to `observer`
    /// (cost: the weighted sum of squares).
    pub fn solve_observed(
        &self,
        problem: &FdInverseProblem,
        observer: &mut dyn Observer,
    ) -> Result<FdInverse> {
        fit(problem, &self.params, observer)
    }
}

fn fit(
    problem: &FdInverseProblem,
    params: &FdInverseParams,
    observer: &mut dyn Observer,
) -> Result<FdInverse> {
    let clock = Clock::start();
    let (model, obs, sigma) = (&problem.model, &problem.observations, problem.sigma);
    let (l0, e0, g0) = params.initial;
    let g0 = g0.unwrap_or(model.inlet_gradient);
    check_positive("initial G", g0)?;
    let mut theta = Vector3::new(l0.ln(), e0.ln(), g0.ln());
    let (mut r, mut s_l) = residuals(model, obs, sigma, &theta, params, 0.3)?;
    let mut cost = r.norm_squared();
    let mut mu = 1e-3;
    let mut status = Status::MaxIterations;
    let mut iterations = 0;
    let mut last_step = f64::NAN;
    for it in 0..params.max_iter {
        let (jac, _) = jacobian(model, obs, sigma, &theta, params, s_l)?;
        let jtj: Matrix3<f64> = (jac.transpose() * &jac).fixed_view::<3, 3>(0, 0).into();
        let jtr: Vector3<f64> = (jac.transpose() * &r).fixed_rows::<3>(0).into();
        // damped steps until the cost decreases
        let mut accepted = None;
        for _ in 0..20 {
            let mut a = jtj;
            for k in 0..3 {
                a[(k, k)] += mu * jtj[(k, k)].max(1e-12);
            }
            let Some(delta) = a.lu().solve(&(-jtr)) else {
                mu *= 10.0;
                continue;
            };
            let trial = theta + delta;
            match residuals(model, obs, sigma, &trial, params, s_l) {
                Ok((rt, st)) if rt.norm_squared() < cost => {
                    accepted = Some((trial, rt, st, delta));
                    break;
                }
                // a trial flame that does not solve is a rejected step, as a worse cost is
                Ok(_) | Err(_) => mu *= 10.0,
            }
        }
        let Some((trial, rt, st, delta)) = accepted else {
            // no damped step lowered χ² (or no trial flame could be solved): the iterate stays,
            // and the step tolerance was not met
            iterations = it + 1;
            observer.observe(&IterInfo::new(iterations, cost, last_step));
            status = Status::Stalled;
            break;
        };
        iterations = it + 1;
        theta = trial;
        r = rt;
        s_l = st;
        cost = r.norm_squared();
        mu = (mu / 10.0).max(1e-12);
        last_step = delta.amax();
        let control = observer.observe(&IterInfo::new(iterations, cost, last_step));
        if last_step < params.tol {
            status = Status::Converged;
            break;
        }
        if control == Control::Stop {
            status = Status::StoppedByObserver;
            break;
        }
    }
    // covariance of ln θ at the optimum (the Jacobian of the final θ); s_L by the delta method
    let (jac, ds) = jacobian(model, obs, sigma, &theta, params, s_l)?;
    let jtj: Matrix3<f64> = (jac.transpose() * &jac).fixed_view::<3, 3>(0, 0).into();
    let noise = match params.weights {
        DataWeights::Relative => 1.0,
        DataWeights::Paper => cost / (r.len() as f64 - 3.0).max(1.0),
    };
    let cov = noise
        * jtj.try_inverse().ok_or_else(|| {
            Error::breakdown(
                "classical inverse",
                "the data do not determine λ, E_a and G (singular JᵀJ)",
            )
        })?;
    let var_s = (ds.transpose() * cov * ds)[(0, 0)];
    Ok(FdInverse {
        s_l,
        conductivity: theta[0].exp(),
        activation_energy: theta[1].exp(),
        inlet_gradient: theta[2].exp(),
        relative_std: [
            var_s.max(0.0).sqrt(),
            cov[(0, 0)].max(0.0).sqrt(),
            cov[(1, 1)].max(0.0).sqrt(),
            cov[(2, 2)].max(0.0).sqrt(),
        ],
        chi2: cost,
        info: {
            let info = clock.finish(iterations, status, last_step);
            observer.finish(&info);
            info
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fit at 400 intervals to ten noise-free observations of the φ = 0.46 flame solved on
    /// `data_grid` intervals, and the relative errors of its λ, E_a, G (against the model) and
    /// s_L (against the data's flame).
    fn fit_noise_free(data_grid: usize) -> (FdInverse, [f64; 4]) {
        let model = FlameModel {
            phi: 0.46,
            ..FlameModel::default()
        };
        let params = FdInverseParams {
            grid: 400,
            ..FdInverseParams::default()
        };
        let data = solve_fd(&model, data_grid, &NewtonParams::default()).unwrap();
        let obs = Observations::synthetic(&model, &data, 10, 0.0, 0).unwrap();
        let fit = fit_fd_inverse(&model, &obs, 0.02, &params).unwrap();
        assert!(fit.info.converged);
        let rel = |a: f64, b: f64| (a - b).abs() / b;
        let errs = [
            rel(fit.conductivity, model.conductivity),
            rel(fit.activation_energy, model.activation_energy),
            rel(fit.inlet_gradient, model.inlet_gradient),
            rel(fit.s_l, data.s_l),
        ];
        println!(
            "data on {data_grid} intervals: λ, E_a, G, s_L relative errors {:.2e} {:.2e} {:.2e} {:.2e}",
            errs[0], errs[1], errs[2], errs[3]
        );
        (fit, errs)
    }

    /// Observations without noise, taken from a flame on the same grid, give back the true
    /// parameters (to the Newton and step tolerances) with a χ² of ~0: the optimiser.
    #[test]
    fn noise_free_observations_give_the_true_parameters() {
        let (fit, errs) = fit_noise_free(400);
        assert!(errs[0] < 1e-5 && errs[1] < 1e-5, "{errs:?}");
        assert!(errs[2] < 1e-4 && errs[3] < 1e-6, "{errs:?}");
        assert!(fit.chi2 < 1e-6);
        assert!(fit.relative_std.iter().all(|s| s.is_finite() && *s > 0.0));
    }

    /// Noise-free observations of a four times finer flame (so not the fit's own
    /// discretisation): λ, E_a and s_L come back to within the fit grid's second-order
    /// discretisation error at 400 intervals (measured: λ 1.3e-4, E_a 3e-6, s_L 5e-6 relative).
    /// The inlet gradient G, which ten observations fix only weakly, takes up more of it
    /// (1.9e-3) and is not bounded here.
    #[test]
    fn observations_from_a_finer_grid_give_the_parameters_to_the_discretisation_error() {
        let (_, errs) = fit_noise_free(1600);
        assert!(
            errs[0] < 5e-4 && errs[1] < 5e-4 && errs[3] < 5e-4,
            "{errs:?}"
        );
    }

    /// Over ten noise draws the errors, divided by the reported standard errors, have a root
    /// mean square near 1 (the covariance is calibrated), and the estimates scatter about the
    /// truth without a bias beyond the sampling error.
    #[test]
    fn standard_errors_match_the_scatter_over_noise_draws() {
        let model = FlameModel {
            phi: 0.46,
            ..FlameModel::default()
        };
        let params = FdInverseParams {
            grid: 500,
            ..FdInverseParams::default()
        };
        let fd = solve_fd(&model, params.grid, &NewtonParams::default()).unwrap();
        let draws = 10;
        let (mut z2, mut mean) = ([0.0f64; 3], [0.0f64; 3]);
        for seed in 0..draws {
            let obs = Observations::synthetic(&model, &fd, 10, 0.02, seed).unwrap();
            let fit = fit_fd_inverse(&model, &obs, 0.02, &params).unwrap();
            assert!(fit.info.converged, "seed {seed}");
            let errs = [
                fit.s_l / fd.s_l - 1.0,
                fit.conductivity / model.conductivity - 1.0,
                fit.activation_energy / model.activation_energy - 1.0,
            ];
            for k in 0..3 {
                z2[k] += (errs[k] / fit.relative_std[k]).powi(2) / draws as f64;
                mean[k] += errs[k] / fit.relative_std[k] / draws as f64;
            }
        }
        for k in 0..3 {
            let rms = z2[k].sqrt();
            assert!((0.5..1.6).contains(&rms), "parameter {k}: rms z {rms}");
            // the mean of ten unit-variance z-scores: |mean| < 3/√10 ≈ 0.95
            assert!(mean[k].abs() < 0.95, "parameter {k}: mean z {}", mean[k]);
        }
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let model = FlameModel::default();
        let fd = solve_fd(&model, 200, &NewtonParams::default()).unwrap();
        let obs = Observations::synthetic(&model, &fd, 5, 0.01, 1).unwrap();
        let p = FdInverseParams::default();
        assert!(matches!(
            fit_fd_inverse(&model, &obs, 0.0, &p),
            Err(Error::InvalidParameter { name, .. }) if name == "sigma"
        ));
        let small = FdInverseParams {
            grid: 10,
            ..p.clone()
        };
        assert!(fit_fd_inverse(&model, &obs, 0.01, &small).is_err());
        let bad_start = FdInverseParams {
            initial: (-1.0, 1.5e5, None),
            ..p.clone()
        };
        assert!(fit_fd_inverse(&model, &obs, 0.01, &bad_start).is_err());
        let mut nan = obs.clone();
        nan.temperature[2] = f64::NAN;
        assert!(fit_fd_inverse(&model, &nan, 0.01, &p).is_err());
    }
}
