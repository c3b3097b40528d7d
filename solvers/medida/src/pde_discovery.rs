//! Discovering a whole PDE u_t = Σ wⱼ θⱼ(u) from a space–time data set, with the candidate
//! library of [`crate::library`] and the relevance vector machine (the task PySINDy's
//! `PDELibrary` + STLSQ solves on its Kuramoto–Sivashinsky example).
//!
//! Data: u(xᵢ, t_k) on a periodic grid of N points (domain length L) at T equispaced times
//! (step Δt). The time derivative is taken by central finite differences (second order, or
//! fourth order), the snapshots whose stencil would leave the data dropped; the library is
//! evaluated at every remaining snapshot and the rows of all snapshots are stacked, so the
//! regression has N·(T − 2s) rows (s = 1 or 2). Cost: O(N·T·(D log N + p²)) for the library
//! and the Gram matrix, then O(p³) per RVM iteration.
//!
//! Use: `PdeDiscoveryParams::new().….build()? -> PdeDiscovery`, a [`PdeData`] (the snapshots,
//! L and Δt, checked once), then [`PdeDiscovery::solve`] / [`PdeDiscovery::solve_observed`] →
//! [`PdeFit`] with `info: SolveInfo`. Its iterations are the **snapshots** added to the
//! regression (the observer sees each and may stop early; the rows so far are then fitted);
//! the RVM's own iterations are in `fit`. [`discover_pde`] does it in one call.

use crate::library::{Library, Term};
use crate::spectral::{Nyquist, SpectralGrid};
use nalgebra::{DMatrix, DVector};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};
use parsimony_sbl::Regression;
use parsimony_sbl::rvm::{Rvm, RvmFit, RvmParams};

pub use parsimony_core::io::{NpyArray, read_npy};

/// The time-derivative stencil.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeDerivative {
    /// (u_{k+1} − u_{k−1})/(2Δt).
    #[default]
    Central2,
    /// (−u_{k+2} + 8u_{k+1} − 8u_{k−1} + u_{k−2})/(12Δt).
    Central4,
}

/// Parameters of PDE discovery (pub fields and setters, checked once by
/// [`PdeDiscoveryParams::build`]).
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `library` | D = P = 4, spectral | any [`Library`] | the candidate terms θⱼ |
/// | `rvm` | [`RvmParams::medida_ks`] | | the regression |
/// | `time_derivative` | `Central2` | `Central2`, `Central4` | the stencil of u_t |
/// | `nyquist` | `Zero` | `Zero`, `Negative` | the wavenumber convention of the spectral derivatives |
#[derive(Clone, Debug)]
pub struct PdeDiscoveryParams {
    /// The candidate library.
    pub library: Library,
    /// RVM settings.
    pub rvm: RvmParams,
    /// Time-derivative stencil.
    pub time_derivative: TimeDerivative,
    /// Nyquist convention of the spectral derivatives.
    pub nyquist: Nyquist,
}

impl PdeDiscoveryParams {
    /// Defaults: the 24-term library, the MEDIDA RVM preset, second-order time differences
    /// (the same as [`Default`]).
    pub fn new() -> Self {
        Self {
            library: Library::default(),
            rvm: RvmParams::medida_ks(),
            time_derivative: TimeDerivative::default(),
            nyquist: Nyquist::default(),
        }
    }
    /// Sets the library.
    pub fn library(mut self, library: Library) -> Self {
        self.library = library;
        self
    }
    /// Sets the RVM parameters.
    pub fn rvm(mut self, rvm: RvmParams) -> Self {
        self.rvm = rvm;
        self
    }
    /// Sets the time-derivative stencil.
    pub fn time_derivative(mut self, stencil: TimeDerivative) -> Self {
        self.time_derivative = stencil;
        self
    }
    /// Sets the Nyquist convention.
    pub fn nyquist(mut self, nyquist: Nyquist) -> Self {
        self.nyquist = nyquist;
        self
    }
    /// Checks the parameters once (a library with terms, the RVM's parameters, which it
    /// builds).
    pub fn build(self) -> Result<PdeDiscovery> {
        if self.library.is_empty() {
            return Err(Error::invalid("library", "has no terms"));
        }
        let rvm = self.rvm.clone().build()?;
        Ok(PdeDiscovery { params: self, rvm })
    }
}

impl Default for PdeDiscoveryParams {
    /// The table's defaults, as [`PdeDiscoveryParams::new`].
    fn default() -> Self {
        Self::new()
    }
}

/// A space–time data set, the problem of [`PdeDiscovery::solve`]: `u` (N × T, column k the
/// snapshot at time k·Δt, finite) on a periodic domain of length L.
#[derive(Clone, Copy, Debug)]
pub struct PdeData<'a> {
    u: &'a DMatrix<f64>,
    length: f64,
    dt: f64,
}

impl<'a> PdeData<'a> {
    /// Checks Δt > 0, L > 0 and finite data (the grid and the snapshot count are checked
    /// against the stencil and the spectral grid by the solve).
    pub fn new(u: &'a DMatrix<f64>, length: f64, dt: f64) -> Result<Self> {
        parsimony_core::error::check_positive("dt", dt)?;
        parsimony_core::error::check_positive("length", length)?;
        parsimony_core::linalg::check_finite("u", u.as_slice())?;
        if u.ncols() < 3 {
            return Err(Error::invalid(
                "u",
                format!(
                    "a time derivative needs at least 3 snapshots, got {}",
                    u.ncols()
                ),
            ));
        }
        Ok(Self { u, length, dt })
    }
}

/// PDE discovery with checked parameters.
#[derive(Clone, Debug)]
pub struct PdeDiscovery {
    params: PdeDiscoveryParams,
    /// The RVM of `params.rvm`, built once.
    rvm: Rvm,
}

/// A discovered PDE.
#[derive(Clone, Debug)]
pub struct PdeFit {
    /// (term, label, coefficient, posterior std) of the support.
    pub terms: Vec<(Term, String, f64, f64)>,
    /// Rows of the regression.
    pub rows: usize,
    /// The RVM fit (its own iterations are there).
    pub fit: RvmFit,
    /// How the run went: `iterations` are the snapshots used; `status`
    /// [`Status::StoppedByObserver`] when the observer cut them short, else the RVM's;
    /// `stop_value` the RVM's (max |Δα|).
    pub info: SolveInfo,
}

impl PdeFit {
    /// The coefficient of `term` (0 when not discovered).
    pub fn coefficient(&self, term: Term) -> f64 {
        self.terms.iter().find(|t| t.0 == term).map_or(0.0, |t| t.2)
    }

    /// "u_t = −0.99 uu_x − …".
    pub fn equation(&self) -> String {
        let mut s = String::from("u_t =");
        for (i, (_, label, w, _)) in self.terms.iter().enumerate() {
            let sign = if *w < 0.0 { "−" } else { "+" };
            if i == 0 && *w >= 0.0 {
                s.push_str(&format!(" {:.4} {label}", w));
            } else {
                s.push_str(&format!(" {sign} {:.4} {label}", w.abs()));
            }
        }
        s
    }
}

/// Discovers u_t = Σ wⱼ θⱼ(u) from `u` (N × T: column k is the snapshot at time k·Δt) on a
/// periodic domain of length `length`, time step `dt`: the same as
/// `params.clone().build()?.solve(&PdeData::new(u, length, dt)?)`.
pub fn discover_pde(
    u: &DMatrix<f64>,
    length: f64,
    dt: f64,
    params: &PdeDiscoveryParams,
) -> Result<PdeFit> {
    params.clone().build()?.solve(&PdeData::new(u, length, dt)?)
}

impl PdeDiscovery {
    /// The parameters.
    pub fn params(&self) -> &PdeDiscoveryParams {
        &self.params
    }

    /// Discovers the PDE of `data` silently (see [`PdeDiscovery::solve_observed`]).
    pub fn solve(&self, data: &PdeData<'_>) -> Result<PdeFit> {
        self.solve_observed(data, &mut Silent)
    }

    /// Discovers the PDE of `data`, reporting each snapshot added to the regression to
    /// `observer` (iteration = snapshots done, cost and stop value NaN); a [`Control::Stop`]
    /// before the last snapshot ends the pass and the rows so far are fitted (at the last one
    /// the pass is complete, and the status is the RVM's). Errors: fewer snapshots than the stencil needs, a grid
    /// the spectral derivatives cannot take (N odd or < 4).
    pub fn solve_observed(
        &self,
        data: &PdeData<'_>,
        observer: &mut dyn Observer,
    ) -> Result<PdeFit> {
        let clock = Clock::start();
        let params = &self.params;
        let (u, dt) = (data.u, data.dt);
        let (n, t) = u.shape();
        let s = match params.time_derivative {
            TimeDerivative::Central2 => 1,
            TimeDerivative::Central4 => 2,
        };
        if t < 2 * s + 1 {
            return Err(Error::invalid(
                "u",
                format!("need at least {} snapshots, got {t}", 2 * s + 1),
            ));
        }
        let mut grid = SpectralGrid::new(n, data.length, params.nyquist)?;
        let used = t - 2 * s;
        let p = params.library.len();
        let mut phi = DMatrix::zeros(n * used, p);
        let mut ut = DVector::zeros(n * used);
        let col = |k: usize| &u.as_slice()[k * n..(k + 1) * n];
        let mut done = 0;
        let mut stopped = false;
        for (r, k) in (s..t - s).enumerate() {
            params
                .library
                .evaluate_into(col(k), &mut grid, &mut phi, r * n)?;
            for i in 0..n {
                ut[r * n + i] = match params.time_derivative {
                    TimeDerivative::Central2 => (col(k + 1)[i] - col(k - 1)[i]) / (2.0 * dt),
                    TimeDerivative::Central4 => {
                        (-col(k + 2)[i] + 8.0 * col(k + 1)[i] - 8.0 * col(k - 1)[i] + col(k - 2)[i])
                            / (12.0 * dt)
                    }
                };
            }
            done += 1;
            // the last snapshot completes the pass: a stop there changes nothing
            if observer.observe(&IterInfo::new(done, f64::NAN, f64::NAN)) == Control::Stop
                && done < used
            {
                stopped = true;
                break;
            }
        }
        if done < used {
            phi = phi.rows(0, n * done).into_owned();
            ut = ut.rows(0, n * done).into_owned();
        }
        let fit = self.rvm.solve(&Regression::new(&phi, &ut)?)?;
        let terms = fit
            .support
            .iter()
            .map(|&j| {
                let term = params.library.terms()[j];
                (term, term.label(), fit.weights[j], fit.weight_std[j])
            })
            .collect();
        let status = if stopped {
            Status::StoppedByObserver
        } else {
            fit.info.status
        };
        let info = clock.finish(done, status, fit.info.stop_value);
        observer.finish(&info);
        Ok(PdeFit {
            terms,
            rows: n * done,
            fit,
            info,
        })
    }
}
