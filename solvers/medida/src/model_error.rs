//! MEDIDA: discovery of an interpretable structural model error (Mojgani, Chattopadhyay &
//! Hassanzadeh, Chaos 32, 2022).
//!
//! A model u_t = f_model(u) misses a term h(u) of the truth u_t = f_model(u) + h(u). From states
//! u(t−2h), u(t−h), u(t) a time step h apart (observed, or analysed by an EnKF when noisy),
//! MEDIDA forms the one-step model error
//!
//! ```text
//!   y = (u_a(t) − ū_f(t)) / h,      ū_f(t) = model step from u(t−2h), u(t−h)
//! ```
//!
//! and regresses it on a library Θ(u_a) by the relevance vector machine: y ≈ Θ w, with the
//! support of w giving the interpretable terms (u_t = … + Σ wⱼ θⱼ). Inside a CNAB2 step a
//! missing tendency is filtered by the model's own stiff operator: mode k of the forcing reaches
//! the new state as h/(1 − hL_k/2), which biases the plain target by 0.5–5 % at h = 5e-3. The
//! **response-corrected** target multiplies the increment's Fourier coefficients by
//! (1 − hL_k/2) first, which removes the bias to ~1e-5 on noise-free data (it amplifies
//! high-k noise, so combine it with a low-pass on noisy data). The optional low-pass P_kc
//! zeroes |k| > k_c in y and in every library column alike.
//!
//! A perfect model still leaves y ≈ 1e-5 (the scheme's own error), which a standardised RVM
//! would happily explain with a dozen 1e-5 terms; the **gate** reports "no significant model
//! error" when std(y) < gate · std(f_model(u_a)).
//!
//! Cost: one model step and the library's derivatives per sample (O(n·N·D log N)); without a
//! low-pass the regression's moments are accumulated per sample from the powers of u and the
//! products of its derivatives ([`crate::library_moments`], O(n·N·P·D²)), and the stacked
//! matrix is never formed; with a low-pass the rows are stacked and their Gram matrix formed
//! (O(n·N·p²)); then O(p³) per RVM iteration.

use crate::cnab2::{Cnab2, ExtraTerm};
use crate::enkf::{EnkfParams, enkf_analysis};
use crate::ks::KsParams;
use crate::library::{Library, Term};
use crate::library_moments::LibraryMoments;
use nalgebra::{DMatrix, DVector};
use parsimony_core::random::StdRng;
use parsimony_core::{Error, Result};
use parsimony_sbl::rvm::{RvmFit, RvmParams, rvm_fit, rvm_fit_moments};
use rand_distr::{Distribution, StandardNormal};

/// The model-error target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// y = (u_a − ū_f)/h, as in the paper.
    #[default]
    Plain,
    /// ŷ_k = (û_a − û_f)_k (1 − hL_k/2)/h: the CNAB2 forcing response inverted.
    ResponseCorrected,
}

/// Parameters of MEDIDA.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `library` | D = P = 4, spectral | any [`Library`] |
/// | `target` | `Plain` | `Plain`, `ResponseCorrected` |
/// | `lowpass` | none | k_c > 0 (rad per unit length) |
/// | `rvm` | [`RvmParams::medida_ks`] (standardise, α_thr = 100, tol = 0.1) | |
/// | `gate` | 1e-3 | ≥ 0; 0 disables the gate |
#[derive(Clone, Debug)]
pub struct MedidaParams {
    /// The candidate library.
    pub library: Library,
    /// The target.
    pub target: Target,
    /// Optional spectral low-pass k_c applied to the target and every column.
    pub lowpass: Option<f64>,
    /// RVM settings.
    pub rvm: RvmParams,
    /// Relative gate: no significant error when std(y) < gate · std(model tendency).
    pub gate: f64,
}

impl Default for MedidaParams {
    fn default() -> Self {
        Self {
            library: Library::default(),
            target: Target::Plain,
            lowpass: None,
            rvm: RvmParams::medida_ks(),
            gate: 1e-3,
        }
    }
}

impl MedidaParams {
    /// The defaults with target `target`.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            ..Self::default()
        }
    }
    /// Sets the library.
    pub fn library(mut self, library: Library) -> Self {
        self.library = library;
        self
    }
    /// Sets the low-pass cut-off k_c.
    pub fn lowpass(mut self, k_max: f64) -> Self {
        self.lowpass = Some(k_max);
        self
    }
    /// Sets the RVM parameters.
    pub fn rvm(mut self, rvm: RvmParams) -> Self {
        self.rvm = rvm;
        self
    }
    /// Sets the relative gate.
    pub fn gate(mut self, gate: f64) -> Self {
        self.gate = gate;
        self
    }

    fn validate(&self) -> Result<()> {
        if let Some(k) = self.lowpass {
            parsimony_core::error::check_positive("lowpass", k)?;
        }
        if !(self.gate.is_finite() && self.gate >= 0.0) {
            return Err(Error::invalid("gate", "must be finite and ≥ 0"));
        }
        Ok(())
    }
}

/// Three states a model step h apart: u(t−2h), u(t−h), u(t).
#[derive(Clone, Debug)]
pub struct Sample {
    /// u(t − 2h).
    pub u_prev2: Vec<f64>,
    /// u(t − h).
    pub u_prev1: Vec<f64>,
    /// u(t).
    pub u_now: Vec<f64>,
}

/// One discovered term of the model error.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscoveredTerm {
    /// The library term.
    pub term: Term,
    /// Its label.
    pub label: String,
    /// Coefficient w in u_t = f_model(u) + Σ w θ.
    pub coefficient: f64,
    /// Posterior standard deviation of w.
    pub std: f64,
}

/// The result of MEDIDA.
#[derive(Clone, Debug)]
pub struct ModelErrorFit {
    /// The discovered terms (empty when the gate found no significant error).
    pub terms: Vec<DiscoveredTerm>,
    /// Whether the model error passed the gate.
    pub significant: bool,
    /// std(y) of the stacked target.
    pub target_std: f64,
    /// std of the model tendency f_model(u_a) over the same rows.
    pub tendency_std: f64,
    /// Rows of the regression (samples × grid points).
    pub rows: usize,
    /// The RVM fit (None when the gate stopped before it).
    pub fit: Option<RvmFit>,
}

impl ModelErrorFit {
    /// The coefficient of `term` (0 when not discovered).
    pub fn coefficient(&self, term: Term) -> f64 {
        self.terms
            .iter()
            .find(|t| t.term == term)
            .map_or(0.0, |t| t.coefficient)
    }

    /// The supports' terms.
    pub fn support(&self) -> Vec<Term> {
        self.terms.iter().map(|t| t.term).collect()
    }

    /// "−1.000092 uu_x + …", or "no significant model error".
    pub fn equation(&self) -> String {
        if !self.significant {
            return "no significant model error".into();
        }
        if self.terms.is_empty() {
            return "0".into();
        }
        let mut s = String::new();
        for (i, t) in self.terms.iter().enumerate() {
            let sign = if t.coefficient < 0.0 { "−" } else { "+" };
            if i == 0 {
                if t.coefficient < 0.0 {
                    s.push('−');
                }
            } else {
                s.push_str(&format!(" {sign} "));
            }
            s.push_str(&format!("{:.6} {}", t.coefficient.abs(), t.label));
        }
        s
    }

    /// The corrected model: the KS-family terms fold into the coefficients
    /// (c₁ ← c₁ − w(uu_x), c₂ ← c₂ − w(u_xx), c₃ ← c₃ − w(u_xxxx), c₄ ← c₄ − w(u_xxx)); every
    /// other term becomes an explicit extra term. Steps like the original.
    pub fn corrected_model(&self, model: &Cnab2) -> Result<Cnab2> {
        let (params, extra) = self.corrected_parts(model.params(), model.extra_terms());
        Cnab2::with_extra_terms(params, extra)
    }

    /// The corrected coefficients and extra terms (see [`ModelErrorFit::corrected_model`]).
    pub fn corrected_parts(
        &self,
        params: &KsParams,
        extra: &[ExtraTerm],
    ) -> (KsParams, Vec<ExtraTerm>) {
        let mut p = params.clone();
        let mut extra = extra.to_vec();
        for t in &self.terms {
            let w = t.coefficient;
            match (t.term.power, t.term.derivative) {
                (1, 1) => p.c1 -= w,
                (0, 2) => p.c2 -= w,
                (0, 4) => p.c3 -= w,
                (0, 3) => p.c4 -= w,
                _ => match extra.iter_mut().find(|e| e.term == t.term) {
                    Some(e) => e.coefficient += w,
                    None => extra.push(ExtraTerm {
                        term: t.term,
                        coefficient: w,
                    }),
                },
            }
        }
        (p, extra)
    }
}

/// The noisy path's settings (shared/specs/medida.md §1.6, S7).
///
/// | name | default | meaning |
/// |---|---|---|
/// | `noise` | 0.01 | observation noise, relative: σ_o = noise · std(u) |
/// | `members` | 10·N | ensemble size Nₑ (≥ 2) |
/// | `background_std` | 0.25 | σ_b of the member perturbations of u(t−h) |
/// | `noisy_target_observation` | false | also add noise to the observation of u(t) (the released code uses the clean truth there) |
/// | `enkf` | stochastic, σ = `noise` (absolute, as the paper's R = σ²I) | [`EnkfParams`] |
/// | `input_lowpass` | none | k_c > 0: low-pass the noisy model inputs u(t−2h), u(t−h), the member perturbations, the forecast members (and a noisy u(t)) to \|k\| ≤ k_c |
///
/// `input_lowpass` is not in the paper. The model amplifies the noise of its inputs by
/// (1 + hL_k/2)/(1 − hL_k/2), which is ≈ 500 near k = √(2/h) ≈ 20 when the model lacks the
/// hyperdiffusion (c₃ = 0); the forecast mean then carries amplified noise into the target.
/// Filtering the inputs and the forecasts above a k_c where the truth has no energy (k_c ≈ 10
/// for L = 100) removes that amplification (the forecasts too, because the quadratic term of
/// band-limited inputs reaches 2k_c, near the pole).
#[derive(Clone, Debug)]
pub struct NoisyConfig {
    /// Relative observation noise.
    pub noise: f64,
    /// Ensemble size (None: 10·N).
    pub members: Option<usize>,
    /// Background perturbation σ_b.
    pub background_std: f64,
    /// Whether u(t)'s observation is noisy too.
    pub noisy_target_observation: bool,
    /// The analysis (None: stochastic with R = σ²I, σ = `noise` as an absolute standard
    /// deviation, while the noise put on the inputs is relative: `noise`·std(u)).
    pub enkf: Option<EnkfParams>,
    /// Optional low-pass k_c of the model inputs and the member perturbations.
    pub input_lowpass: Option<f64>,
}

impl Default for NoisyConfig {
    fn default() -> Self {
        Self {
            noise: 0.01,
            members: None,
            background_std: 0.25,
            noisy_target_observation: false,
            enkf: None,
            input_lowpass: None,
        }
    }
}

/// MEDIDA with checked parameters.
#[derive(Clone, Debug)]
pub struct Medida {
    params: MedidaParams,
}

/// The stacked regression: Θ (samples·N × p, filled sample by sample in place), the target y
/// and the model tendency.
struct Stack {
    phi: DMatrix<f64>,
    y: Vec<f64>,
    tendency: Vec<f64>,
    /// Samples written so far.
    filled: usize,
}

impl Stack {
    fn new(n: usize, samples: usize, p: usize) -> Self {
        Self {
            phi: DMatrix::zeros(n * samples, p),
            y: Vec::with_capacity(n * samples),
            tendency: Vec::with_capacity(n * samples),
            filled: 0,
        }
    }
}

impl Medida {
    /// Checks the parameters.
    pub fn new(params: MedidaParams) -> Result<Self> {
        params.validate()?;
        Ok(Self { params })
    }

    /// The parameters.
    pub fn params(&self) -> &MedidaParams {
        &self.params
    }

    /// Noise-free MEDIDA: u_a = u(t) and ū_f = model(u(t−2h), u(t−h)) for every sample.
    ///
    /// Without a low-pass the regression is never stored: its moments are accumulated sample
    /// by sample ([`LibraryMoments`]) and the RVM fits from them; where the moments cannot give
    /// the fit to working accuracy (see [`rvm_fit_moments`]) the rows are formed and fitted.
    pub fn discover(&self, model: &mut Cnab2, samples: &[Sample]) -> Result<ModelErrorFit> {
        if self.params.lowpass.is_none()
            && let Some(fit) =
                self.discover_from_moments(model, samples, parsimony_core::linalg::threads())?
        {
            return Ok(fit);
        }
        self.discover_from_rows(model, samples)
    }

    /// [`Medida::discover`] from the moments of the regression; `None` when they do not suffice.
    /// The samples are split between `threads` threads (in [`Medida::discover`] those of
    /// [`parsimony_core::linalg::set_threads`]), each with its own copy of the model, and the
    /// sums merged.
    fn discover_from_moments(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        threads: usize,
    ) -> Result<Option<ModelErrorFit>> {
        if samples.is_empty() {
            return Err(Error::invalid("samples", "need at least one sample"));
        }
        let threads = threads.clamp(1, samples.len());
        let part = if threads > 1 {
            let chunk = samples.len().div_ceil(threads);
            let parts: Vec<Result<MomentsPart>> = std::thread::scope(|scope| {
                let handles: Vec<_> = samples
                    .chunks(chunk)
                    .map(|c| {
                        let mut m = model.clone();
                        scope.spawn(move || self.moments_part(&mut m, c))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a MEDIDA worker thread panicked"))
                    .collect()
            });
            let mut parts = parts.into_iter();
            let mut first = parts.next().expect("at least one part")?;
            for p in parts {
                first.merge(&p?)?;
            }
            first
        } else {
            self.moments_part(model, samples)?
        };
        let rows = part.sums.rows();
        let (target_std, tendency_std) = (part.y.std(), part.tendency.std());
        if let Some(gated) = self.gate(target_std, tendency_std, rows) {
            return Ok(Some(gated));
        }
        let moments = part.sums.moments()?;
        Ok(rvm_fit_moments(&moments, &self.params.rvm)?
            .map(|fit| self.model_error_fit(fit, target_std, tendency_std, rows)))
    }

    /// The moments of the regression rows of `samples`, with the statistics of the targets and
    /// the model tendencies for the gate.
    fn moments_part(&self, model: &mut Cnab2, samples: &[Sample]) -> Result<MomentsPart> {
        let n = model.params().n;
        let mut part = MomentsPart {
            sums: LibraryMoments::new(&self.params.library, n)?,
            y: RunningMoments::default(),
            tendency: RunningMoments::default(),
        };
        let (mut forecast, mut y, mut tendency) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for s in samples {
            model.step(&s.u_prev2, &s.u_prev1, &mut forecast)?;
            parsimony_core::error::check_len("length of u_now", n, s.u_now.len())?;
            self.target_into(model, &s.u_now, &forecast, &mut y)?;
            model.tendency(&s.u_now, &mut tendency)?;
            part.y.push(&y);
            part.tendency.push(&tendency);
            part.sums.push(&s.u_now, &y, model.grid_mut())?;
        }
        Ok(part)
    }

    /// [`Medida::discover`] from the stacked rows.
    fn discover_from_rows(&self, model: &mut Cnab2, samples: &[Sample]) -> Result<ModelErrorFit> {
        let n = model.params().n;
        let mut forecast = vec![0.0; n];
        let mut stack = Stack::new(n, samples.len(), self.params.library.len());
        for s in samples {
            model.step(&s.u_prev2, &s.u_prev1, &mut forecast)?;
            self.push_rows(model, &s.u_now, &forecast, &mut stack)?;
        }
        self.fit(&stack)
    }

    /// Noisy MEDIDA with an ensemble Kalman filter: per sample the two earlier states are
    /// observed with relative noise, Nₑ members u(t−h) + σ_b ξ are stepped by the model from
    /// the shared noisy u(t−2h), and the EnKF analysis of the observation of u(t) gives u_a;
    /// ū_f is the ensemble mean. Seeded by `rng`.
    pub fn discover_noisy(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        config: &NoisyConfig,
        rng: &mut StdRng,
    ) -> Result<ModelErrorFit> {
        self.discover_noisy_observed(model, samples, config, rng, &mut |_, _| {})
    }

    /// [`Medida::discover_noisy`], calling `progress(done, total)` after each sample (the
    /// EnKF analyses are the long part).
    pub fn discover_noisy_observed(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        config: &NoisyConfig,
        rng: &mut StdRng,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ModelErrorFit> {
        let n = model.params().n;
        parsimony_core::error::check_positive("noise", config.noise)?;
        parsimony_core::error::check_positive("background_std", config.background_std)?;
        let members = config.members.unwrap_or(10 * n);
        if let Some(k) = config.input_lowpass {
            parsimony_core::error::check_positive("input_lowpass", k)?;
        }
        if members < 2 {
            return Err(Error::invalid(
                "members",
                "an ensemble needs at least 2 members",
            ));
        }
        let enkf = config
            .enkf
            .clone()
            .unwrap_or_else(|| EnkfParams::new(config.noise));
        let observed = enkf.validate(n)?;
        let mut w_obs = vec![0.0; observed.len()];
        let gauss = |rng: &mut StdRng| -> f64 { StandardNormal.sample(rng) };
        let mut ens = DMatrix::zeros(n, members);
        let mut fc = DMatrix::zeros(n, members);
        let mut stack = Stack::new(n, samples.len(), self.params.library.len());
        for s in samples {
            for (what, u) in [
                ("u_prev2", &s.u_prev2),
                ("u_prev1", &s.u_prev1),
                ("u_now", &s.u_now),
            ] {
                parsimony_core::error::check_len(format_args!("length of {what}"), n, u.len())?;
                parsimony_core::linalg::check_finite(what, u)?;
            }
            let obs_std = config.noise * std_dev(&s.u_now);
            let mut u0: Vec<f64> = s.u_prev2.iter().map(|v| v + obs_std * gauss(rng)).collect();
            let mut u1: Vec<f64> = s.u_prev1.iter().map(|v| v + obs_std * gauss(rng)).collect();
            let mut w: Vec<f64> = if config.noisy_target_observation {
                s.u_now.iter().map(|v| v + obs_std * gauss(rng)).collect()
            } else {
                s.u_now.clone()
            };
            let mut pert = vec![0.0; n];
            if let Some(kc) = config.input_lowpass {
                let grid = model.grid_mut();
                grid.lowpass(&mut u0, kc)?;
                grid.lowpass(&mut u1, kc)?;
                if config.noisy_target_observation {
                    grid.lowpass(&mut w, kc)?;
                }
            }
            for mut col in ens.column_iter_mut() {
                pert.iter_mut()
                    .for_each(|p| *p = config.background_std * gauss(rng));
                if let Some(kc) = config.input_lowpass {
                    model.grid_mut().lowpass(&mut pert, kc)?;
                }
                for ((c, v), p) in col.iter_mut().zip(&u1).zip(&pert) {
                    *c = v + p;
                }
            }
            model.step_ensemble(&u0, &ens, &mut fc)?;
            if let Some(kc) = config.input_lowpass {
                // the quadratic term of band-limited inputs reaches 2k_c, where an
                // anti-diffusive CN symbol can have its pole 1 − hL_k/2 = 0: keep the forecast
                // in the band of its inputs
                let grid = model.grid_mut();
                for col in fc.as_mut_slice().chunks_exact_mut(n) {
                    grid.lowpass(col, kc)?;
                }
            }
            // the observations of u(t) at the filter's observed points
            for (o, &i) in w_obs.iter_mut().zip(&observed) {
                *o = w[i];
            }
            let analysis = enkf_analysis(&fc, &w_obs, &enkf, rng)?;
            let mean_f: Vec<f64> = fc.column_mean().iter().copied().collect();
            self.push_rows(model, &analysis.mean, &mean_f, &mut stack)?;
            progress(stack.filled, samples.len());
        }
        self.fit(&stack)
    }

    /// The model-error target of an analysis `u_a` and a forecast `u_f` into `y`: (u_a − u_f)/h,
    /// with the forcing response inverted for [`Target::ResponseCorrected`].
    fn target_into(
        &self,
        model: &mut Cnab2,
        u_a: &[f64],
        u_f: &[f64],
        y: &mut [f64],
    ) -> Result<()> {
        let h = model.params().dt;
        for ((o, a), f) in y.iter_mut().zip(u_a).zip(u_f) {
            *o = (a - f) / h;
        }
        if self.params.target == Target::ResponseCorrected {
            model.invert_forcing_response(y)?;
        }
        Ok(())
    }

    /// Writes the regression rows of an analysis `u_a` and a forecast mean `u_f` (both at time
    /// t) into the next sample's place in `stack`.
    fn push_rows(
        &self,
        model: &mut Cnab2,
        u_a: &[f64],
        u_f: &[f64],
        stack: &mut Stack,
    ) -> Result<()> {
        let n = model.params().n;
        let row0 = stack.filled * n;
        let start = stack.y.len();
        stack.y.resize(start + n, 0.0);
        self.target_into(model, u_a, u_f, &mut stack.y[start..])?;
        stack.tendency.resize(start + n, 0.0);
        model.tendency(u_a, &mut stack.tendency[start..])?;
        self.params
            .library
            .evaluate_into(u_a, model.grid_mut(), &mut stack.phi, row0)?;
        if let Some(kc) = self.params.lowpass {
            let grid = model.grid_mut();
            grid.lowpass(&mut stack.y[start..], kc)?;
            grid.lowpass(&mut stack.tendency[start..], kc)?;
            let rows = stack.phi.nrows();
            for col in stack.phi.as_mut_slice().chunks_exact_mut(rows) {
                grid.lowpass(&mut col[row0..row0 + n], kc)?;
            }
        }
        stack.filled += 1;
        Ok(())
    }

    /// Applies the gate to the stacked rows and runs the RVM.
    fn fit(&self, stack: &Stack) -> Result<ModelErrorFit> {
        if stack.filled == 0 {
            return Err(Error::invalid("samples", "need at least one sample"));
        }
        let total = stack.y.len();
        let y = DVector::from_column_slice(&stack.y);
        let target_std = std_dev(y.as_slice());
        let tendency_std = std_dev(&stack.tendency);
        if let Some(gated) = self.gate(target_std, tendency_std, total) {
            return Ok(gated);
        }
        let fit = rvm_fit(&stack.phi, &y, &self.params.rvm)?;
        Ok(self.model_error_fit(fit, target_std, tendency_std, total))
    }

    /// "No significant model error" when std(y) < gate · std(model tendency).
    fn gate(&self, target_std: f64, tendency_std: f64, rows: usize) -> Option<ModelErrorFit> {
        (target_std < self.params.gate * tendency_std).then(|| ModelErrorFit {
            terms: Vec::new(),
            significant: false,
            target_std,
            tendency_std,
            rows,
            fit: None,
        })
    }

    /// The discovered terms of an RVM fit.
    fn model_error_fit(
        &self,
        fit: RvmFit,
        target_std: f64,
        tendency_std: f64,
        rows: usize,
    ) -> ModelErrorFit {
        let terms = fit
            .support
            .iter()
            .map(|&j| {
                let term = self.params.library.terms()[j];
                DiscoveredTerm {
                    term,
                    label: term.label(),
                    coefficient: fit.weights[j],
                    std: fit.weight_std[j],
                }
            })
            .collect();
        ModelErrorFit {
            terms,
            significant: true,
            target_std,
            tendency_std,
            rows,
            fit: Some(fit),
        }
    }
}

/// What one thread of the moment route accumulates.
struct MomentsPart {
    sums: LibraryMoments,
    y: RunningMoments,
    tendency: RunningMoments,
}

impl MomentsPart {
    fn merge(&mut self, other: &MomentsPart) -> Result<()> {
        self.sums.merge(&other.sums)?;
        self.y.merge(&other.y);
        self.tendency.merge(&other.tendency);
        Ok(())
    }
}

/// Mean and population standard deviation of values pushed in slices, in one pass: sums of
/// x − c and (x − c)² with the shift c the mean of the first slice, so that the variance does
/// not cancel.
#[derive(Default)]
struct RunningMoments {
    shift: Option<f64>,
    count: usize,
    sum: f64,
    sum_sq: f64,
}

impl RunningMoments {
    fn push(&mut self, v: &[f64]) {
        let c = *self
            .shift
            .get_or_insert_with(|| v.iter().sum::<f64>() / v.len().max(1) as f64);
        for x in v {
            self.sum += x - c;
            self.sum_sq += (x - c) * (x - c);
        }
        self.count += v.len();
    }

    /// Adds the values of `other`, moving its sums to this shift:
    /// Σ(x − c) = Σ(x − c') + m(c' − c), Σ(x − c)² = Σ(x − c')² + 2(c' − c)Σ(x − c') + m(c' − c)².
    fn merge(&mut self, other: &RunningMoments) {
        let Some(c2) = other.shift else { return };
        let c = *self.shift.get_or_insert(c2);
        let (m, e) = (other.count as f64, c2 - c);
        self.sum += other.sum + m * e;
        self.sum_sq += other.sum_sq + 2.0 * e * other.sum + m * e * e;
        self.count += other.count;
    }

    fn std(&self) -> f64 {
        let n = self.count.max(1) as f64;
        let d = self.sum / n;
        (self.sum_sq / n - d * d).max(0.0).sqrt()
    }
}

/// Population standard deviation.
pub(crate) fn std_dev(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Derivatives;

    /// Samples of a smooth travelling field on L = 32π, N = 128 (states h = 5e-3 apart).
    fn samples() -> Vec<Sample> {
        let (n, length, h) = (128, 32.0 * std::f64::consts::PI, 5e-3);
        let field = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| {
                    let x = j as f64 * length / n as f64;
                    (x / 16.0).cos() * (1.0 + (x / 16.0 + 0.3 * t).sin())
                        + 0.3 * (3.0 * x / 16.0 - t).sin()
                })
                .collect()
        };
        (1..=4)
            .map(|s| {
                let t = s as f64;
                Sample {
                    u_prev2: field(t - 2.0 * h),
                    u_prev1: field(t - h),
                    u_now: field(t),
                }
            })
            .collect()
    }

    fn model() -> Cnab2 {
        Cnab2::new(KsParams {
            dt: 5e-3,
            c1: 0.0,
            ..KsParams::default()
        })
        .unwrap()
    }

    /// A filter that observes chosen points gets the observations of those points: observing
    /// every point by list gives the identity operator's fit, and a subset is accepted.
    #[test]
    fn noisy_discovery_observes_the_filters_points() {
        use crate::enkf::EnkfParams;
        use parsimony_core::random::seeded_rng;
        let samples = samples();
        let medida = Medida::new(MedidaParams::new(Target::Plain)).unwrap();
        let n = 128;
        let fit_with = |enkf: EnkfParams| {
            let conf = NoisyConfig {
                members: Some(40),
                enkf: Some(enkf),
                ..NoisyConfig::default()
            };
            medida
                .discover_noisy(&mut model(), &samples, &conf, &mut seeded_rng(7))
                .unwrap()
        };
        let identity = fit_with(EnkfParams::new(0.01));
        let listed = fit_with(EnkfParams::new(0.01).observe_points((0..n).collect()));
        assert_eq!(identity.support(), listed.support());
        for (a, b) in identity.terms.iter().zip(&listed.terms) {
            let tol = 1e-8 * b.coefficient.abs().max(1.0);
            assert!((a.coefficient - b.coefficient).abs() < tol, "{}", a.label);
        }
        let half = fit_with(EnkfParams::new(0.01).observe_points((0..n).step_by(2).collect()));
        assert_eq!(half.rows, identity.rows);
    }

    /// The fit from the moments equals the fit from the stacked rows (plain and
    /// response-corrected targets, spectral and finite-difference libraries).
    #[test]
    fn moments_and_rows_give_the_same_fit() {
        let samples = samples();
        for target in [Target::Plain, Target::ResponseCorrected] {
            for d in [Derivatives::Spectral, Derivatives::FiniteDifference] {
                let medida =
                    Medida::new(MedidaParams::new(target).library(Library::new(4, 4, d).unwrap()))
                        .unwrap();
                let moments = medida
                    .discover_from_moments(&mut model(), &samples, 1)
                    .unwrap()
                    .expect("the moments suffice here");
                let rows = medida.discover_from_rows(&mut model(), &samples).unwrap();
                assert!(moments.significant && rows.significant);
                assert_eq!(moments.rows, rows.rows);
                assert_eq!(moments.support(), rows.support(), "{target:?} {d:?}");
                assert!(!moments.terms.is_empty());
                for (a, b) in moments.terms.iter().zip(&rows.terms) {
                    let tol = 1e-8 * b.coefficient.abs().max(1.0);
                    assert!((a.coefficient - b.coefficient).abs() < tol, "{}", a.label);
                    assert!(
                        (a.std - b.std).abs() < 1e-6 * b.std.max(1e-12),
                        "{}",
                        a.label
                    );
                }
                let (fa, fb) = (moments.fit.unwrap(), rows.fit.unwrap());
                assert_eq!(fa.iterations, fb.iterations);
                assert!((moments.target_std - rows.target_std).abs() < 1e-12 * rows.target_std);
                assert!(
                    (moments.tendency_std - rows.tendency_std).abs() < 1e-12 * rows.tendency_std
                );
            }
        }
    }

    /// Split between two threads, the moments give the same fit as on one.
    #[test]
    fn two_threads_give_the_same_fit() {
        let samples = samples();
        let medida = Medida::new(MedidaParams::new(Target::Plain)).unwrap();
        let rows = medida.discover_from_rows(&mut model(), &samples).unwrap();
        let split = medida
            .discover_from_moments(&mut model(), &samples, 2)
            .unwrap()
            .expect("the moments suffice here");
        assert_eq!(split.support(), rows.support());
        for (a, b) in split.terms.iter().zip(&rows.terms) {
            assert!((a.coefficient - b.coefficient).abs() < 1e-8 * b.coefficient.abs().max(1.0));
        }
        assert!((split.target_std - rows.target_std).abs() < 1e-12 * rows.target_std);
        assert!((split.tendency_std - rows.tendency_std).abs() < 1e-12 * rows.tendency_std);
    }

    #[test]
    fn no_samples_is_an_error() {
        let medida = Medida::new(MedidaParams::default()).unwrap();
        assert!(matches!(
            medida.discover(&mut model(), &[]),
            Err(Error::InvalidParameter { name, .. }) if name == "samples"
        ));
    }
}
