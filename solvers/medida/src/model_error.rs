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
//!
//! Use: `MedidaParams::new(target).….build()? -> Medida` (parameters checked once; a
//! [`NoisyConfig`] in the parameters selects the EnKF path), a [`MedidaProblem`] (the imperfect
//! model and the samples, checked once), then [`Medida::solve`] or [`Medida::solve_observed`] →
//! [`ModelErrorFit`] with `info: SolveInfo`. MEDIDA's iterations are the **samples**: the
//! observer sees each one as it is added to the regression (with a [`MedidaProgress`] state)
//! and may stop early, after which the regression is fitted on the samples taken so far. The
//! RVM's own iterations are in the fit (`fit`).
use crate::cnab2::{Cnab2, Cnab2Params, ExtraTerm};
use crate::enkf::{EnkfParams, EnkfProblem};
use crate::ks::KsParams;
use crate::library::{Library, Term};
use crate::library_moments::LibraryMoments;
use nalgebra::{DMatrix, DVector};
use parsimony_core::random::seeded_rng;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::stats::{RunningMoments, population_std};
use parsimony_core::{Error, Result};
use parsimony_sbl::Regression;
use parsimony_sbl::rvm::{Rvm, RvmFit, RvmParams};
use rand_distr::{Distribution, StandardNormal};
use std::sync::atomic::{AtomicBool, Ordering};

/// The model-error target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// y = (u_a − ū_f)/h, as in the paper.
    #[default]
    Plain,
    /// ŷ_k = (û_a − û_f)_k (1 − hL_k/2)/h: the CNAB2 forcing response inverted.
    ResponseCorrected,
}

/// Parameters of MEDIDA (pub fields and setters, checked once by [`MedidaParams::build`]).
///
/// | name | default | valid range | meaning |
/// |---|---|---|---|
/// | `library` | D = P = 4, spectral | any [`Library`] | the candidate terms θⱼ |
/// | `target` | `Plain` | `Plain`, `ResponseCorrected` | the model-error target y |
/// | `lowpass` | none | k_c > 0 (rad per unit length) | spectral low-pass of y and every column |
/// | `rvm` | [`RvmParams::medida_ks`] (standardise, α_thr = 100, tol = 0.1) | | the regression |
/// | `gate` | 1e-3 | ≥ 0; 0 disables the gate | no significant error when std(y) < gate · std(model tendency) |
/// | `noisy` | none (noise-free) | a valid [`NoisyConfig`] | observation noise and the EnKF that analyses it |
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
    /// The noisy path (None: noise-free, u_a = u(t)).
    pub noisy: Option<NoisyConfig>,
}

impl Default for MedidaParams {
    fn default() -> Self {
        Self {
            library: Library::default(),
            target: Target::Plain,
            lowpass: None,
            rvm: RvmParams::medida_ks(),
            gate: 1e-3,
            noisy: None,
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
    /// Sets the target.
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
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
    /// Selects the noisy path with these settings.
    pub fn noisy(mut self, config: NoisyConfig) -> Self {
        self.noisy = Some(config);
        self
    }

    /// Checks the parameters once (the RVM's too, which it builds).
    pub fn build(self) -> Result<Medida> {
        if let Some(k) = self.lowpass {
            parsimony_core::error::check_positive("lowpass", k)?;
        }
        parsimony_core::error::check_non_negative("gate", self.gate)?;
        if let Some(c) = &self.noisy {
            c.validate()?;
        }
        let rvm = self.rvm.clone().build()?;
        Ok(Medida { params: self, rvm })
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

impl Sample {
    /// The three states with their names.
    fn states(&self) -> [(&'static str, &[f64]); 3] {
        [
            ("u_prev2", &self.u_prev2),
            ("u_prev1", &self.u_prev1),
            ("u_now", &self.u_now),
        ]
    }

    /// Errors if a state holds a non-finite value.
    fn check_finite(&self) -> Result<()> {
        for (what, u) in self.states() {
            parsimony_core::linalg::check_finite(what, u)?;
        }
        Ok(())
    }
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
    /// The RVM fit (None when the gate stopped before it); its own iterations are there.
    pub fit: Option<RvmFit>,
    /// How the run went: `iterations` are the samples used; `status` is
    /// [`Status::StoppedByObserver`] when the observer cut the samples short, else the RVM's
    /// status ([`Status::Converged`] also when the gate found no significant error, as there is
    /// nothing to fit); `stop_value` is the RVM's (max |Δα|), NaN when gated.
    pub info: SolveInfo,
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
        let (ks, extra) = self.corrected_parts(model.params(), model.extra_terms());
        Cnab2Params { ks, extra }.build()
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
/// | `seed` | 0 | any | seed of the noise, the member perturbations and the EnKF draws |
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
    /// Seed of every random draw of the noisy path (one stream, sample after sample).
    pub seed: u64,
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
            seed: 0,
        }
    }
}

impl NoisyConfig {
    /// The settings that do not depend on the grid.
    fn validate(&self) -> Result<()> {
        parsimony_core::error::check_positive("noise", self.noise)?;
        parsimony_core::error::check_positive("background_std", self.background_std)?;
        if let Some(k) = self.input_lowpass {
            parsimony_core::error::check_positive("input_lowpass", k)?;
        }
        if self.members.is_some_and(|m| m < 2) {
            return Err(Error::invalid(
                "members",
                "an ensemble needs at least 2 members",
            ));
        }
        Ok(())
    }
}

/// The data of a MEDIDA run: the imperfect model and the samples. [`MedidaProblem::new`]
/// checks the shapes once (every state of the model's length N); the values are checked for
/// finiteness as a solve reads each sample (in the pass that uses it, while it is in cache), and
/// a non-finite state is an error that names it.
#[derive(Clone, Debug)]
pub struct MedidaProblem<'a> {
    model: Cnab2,
    samples: &'a [Sample],
}

impl<'a> MedidaProblem<'a> {
    /// The imperfect model `model` and at least one sample, each state of length N.
    pub fn new(model: Cnab2, samples: &'a [Sample]) -> Result<Self> {
        if samples.is_empty() {
            return Err(Error::invalid("samples", "need at least one sample"));
        }
        let n = model.params().n;
        for s in samples {
            for (what, u) in s.states() {
                parsimony_core::error::check_len(format_args!("length of {what}"), n, u.len())?;
            }
        }
        Ok(Self { model, samples })
    }

    /// The imperfect model.
    pub fn model(&self) -> &Cnab2 {
        &self.model
    }

    /// The samples.
    pub fn samples(&self) -> &[Sample] {
        self.samples
    }
}

/// The state a MEDIDA observer receives (`info.state::<MedidaProgress>()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MedidaProgress {
    /// Samples added to the regression so far.
    pub samples_done: usize,
    /// Samples of the problem.
    pub samples_total: usize,
}

/// Reports one more sample to `observer`; whether the observer stops the run. The stop rule of
/// core's solvers: the last sample completes the pass, which a [`Control::Stop`] there does not
/// change; a stop before it ends the sampling.
fn stops(observer: &mut dyn Observer, done: usize, total: usize) -> bool {
    let progress = MedidaProgress {
        samples_done: done,
        samples_total: total,
    };
    let info = IterInfo::new(done, f64::NAN, f64::NAN).with_state(&progress);
    observer.observe(&info) == Control::Stop && done < total
}

/// MEDIDA with checked parameters (built by [`MedidaParams::build`]).
#[derive(Clone, Debug)]
pub struct Medida {
    params: MedidaParams,
    /// The RVM of `params.rvm`, built once.
    rvm: Rvm,
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

/// What the samples gave: the fit (its `info` not yet set), the samples used, whether the
/// observer stopped the run.
type Outcome = (ModelErrorFit, usize, bool);

impl Medida {
    /// The parameters.
    pub fn params(&self) -> &MedidaParams {
        &self.params
    }

    /// Runs MEDIDA on `problem` silently (see [`Medida::solve_observed`]).
    pub fn solve(&self, problem: &MedidaProblem<'_>) -> Result<ModelErrorFit> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Runs MEDIDA on `problem` (on a copy of its model), reporting each sample to `observer`
    /// (iteration = samples done, cost and stop value NaN, state [`MedidaProgress`]); a
    /// [`Control::Stop`] before the last sample ends the sampling, and the regression is fitted
    /// on the samples done (at the last sample the pass is complete and a stop changes nothing:
    /// the status is the RVM's).
    ///
    /// * Noise-free (`noisy` None): u_a = u(t) and ū_f = model(u(t−2h), u(t−h)) for every
    ///   sample. Without a low-pass the regression is never stored: its moments are accumulated
    ///   sample by sample ([`LibraryMoments`]), the samples split between the threads of
    ///   [`parsimony_core::linalg::set_threads`] (each with its own copy of the model; the
    ///   observer is called on this thread, and with several threads a stop takes effect after
    ///   the samples in flight), and the RVM fits from them; where the moments cannot give the
    ///   fit to working accuracy (see [`Rvm::solve_moments`]) the rows are formed and fitted.
    /// * Noisy (`noisy` Some): per sample the two earlier states are observed with relative
    ///   noise, Nₑ members u(t−h) + σ_b ξ are stepped by the model from the shared noisy
    ///   u(t−2h), and the EnKF analysis of the observation of u(t) gives u_a; ū_f is the
    ///   ensemble mean. Seeded by the config's `seed`.
    pub fn solve_observed(
        &self,
        problem: &MedidaProblem<'_>,
        observer: &mut dyn Observer,
    ) -> Result<ModelErrorFit> {
        let clock = Clock::start();
        let mut model = problem.model.clone();
        let (mut fit, used, stopped) = match &self.params.noisy {
            Some(config) => self.noisy(&mut model, problem.samples, config, observer)?,
            None => self.noise_free(
                &mut model,
                problem.samples,
                parsimony_core::linalg::threads(),
                observer,
            )?,
        };
        let (status, stop_value) = match &fit.fit {
            Some(f) => (f.info.status, f.info.stop_value),
            None => (Status::Converged, f64::NAN),
        };
        let status = if stopped {
            Status::StoppedByObserver
        } else {
            status
        };
        fit.info = clock.finish(used, status, stop_value);
        observer.finish(&fit.info);
        Ok(fit)
    }

    /// The noise-free path on `threads` threads (moments) or the rows (with a low-pass).
    fn noise_free(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        threads: usize,
        observer: &mut dyn Observer,
    ) -> Result<Outcome> {
        if self.params.lowpass.is_some() {
            return self.rows_route(model, samples, observer);
        }
        let (part, used, stopped) = self.moments_route(model, samples, threads, observer)?;
        let count = used.iter().map(|r| r.len()).sum();
        if let Some(fit) = self.fit_moments(&part)? {
            return Ok((fit, count, stopped));
        }
        // the rows of the same samples, silently (the observer has seen them)
        let fit = if count == samples.len() {
            self.rows_route(model, samples, &mut Silent)?.0
        } else {
            let taken: Vec<Sample> = used
                .into_iter()
                .flat_map(|r| samples[r].iter().cloned())
                .collect();
            self.rows_route(model, &taken, &mut Silent)?.0
        };
        Ok((fit, count, stopped))
    }

    /// The gate and the RVM fit from the moments; `None` when they do not suffice.
    fn fit_moments(&self, part: &MomentsPart) -> Result<Option<ModelErrorFit>> {
        let rows = part.sums.rows();
        let (target_std, tendency_std) = (part.y.std(), part.tendency.std());
        if let Some(gated) = self.gate(target_std, tendency_std, rows) {
            return Ok(Some(gated));
        }
        let moments = part.sums.moments()?;
        Ok(self
            .rvm
            .solve_moments(&moments)?
            .map(|fit| self.model_error_fit(fit, target_std, tendency_std, rows)))
    }

    /// The moments of the regression rows of `samples` split between `threads` threads, with
    /// the ranges of the samples used and whether the observer stopped the run.
    fn moments_route(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        threads: usize,
        observer: &mut dyn Observer,
    ) -> Result<(MomentsPart, Vec<std::ops::Range<usize>>, bool)> {
        let total = samples.len();
        let threads = threads.clamp(1, total.max(1));
        if threads == 1 {
            let (mut done, mut stopped) = (0, false);
            let (part, count) = self.moments_part(model, samples, &mut || {
                done += 1;
                stopped = stops(observer, done, total);
                !stopped
            })?;
            let used = std::iter::once(0..count).collect();
            return Ok((part, used, stopped));
        }
        let chunk = total.div_ceil(threads);
        let stop = AtomicBool::new(false);
        let mut stopped = false;
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let parts: Vec<Result<(MomentsPart, usize)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = samples
                .chunks(chunk)
                .map(|c| {
                    let mut m = model.clone();
                    let (tx, stop) = (tx.clone(), &stop);
                    scope.spawn(move || {
                        self.moments_part(&mut m, c, &mut || {
                            // the receiver lives until every worker is done
                            let _ = tx.send(());
                            !stop.load(Ordering::Relaxed)
                        })
                    })
                })
                .collect();
            drop(tx);
            let mut done = 0;
            for () in rx {
                done += 1;
                if !stopped && stops(observer, done, total) {
                    stopped = true;
                    stop.store(true, Ordering::Relaxed);
                }
            }
            handles
                .into_iter()
                .map(|h| h.join().expect("a MEDIDA worker thread panicked"))
                .collect()
        });
        let mut used = Vec::with_capacity(parts.len());
        let mut merged: Option<MomentsPart> = None;
        for (i, p) in parts.into_iter().enumerate() {
            let (p, count) = p?;
            used.push(i * chunk..i * chunk + count);
            match merged.as_mut() {
                None => merged = Some(p),
                Some(m) => m.merge(&p)?,
            }
        }
        let part = merged.expect("at least one part");
        Ok((part, used, stopped))
    }

    /// The moments of the regression rows of `samples` (in order, while `go_on()` after each
    /// says so), with the statistics of the targets and the model tendencies for the gate, and
    /// the number of samples taken.
    fn moments_part(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        go_on: &mut dyn FnMut() -> bool,
    ) -> Result<(MomentsPart, usize)> {
        let n = model.params().n;
        let mut part = MomentsPart {
            sums: LibraryMoments::new(&self.params.library, n)?,
            y: RunningMoments::new(),
            tendency: RunningMoments::new(),
        };
        let (mut forecast, mut y, mut tendency) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let mut count = 0;
        for s in samples {
            forecast_into(model, s, &mut forecast)?;
            self.target_into(model, &s.u_now, &forecast, &mut y)?;
            model.tendency_unchecked(&s.u_now, &mut tendency)?;
            part.y.push_slice(&y);
            part.tendency.push_slice(&tendency);
            part.sums.push(&s.u_now, &y, model.grid_mut())?;
            count += 1;
            if !go_on() {
                break;
            }
        }
        Ok((part, count))
    }

    /// The noise-free path from the stacked rows.
    fn rows_route(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        observer: &mut dyn Observer,
    ) -> Result<Outcome> {
        let n = model.params().n;
        let mut forecast = vec![0.0; n];
        let mut stack = Stack::new(n, samples.len(), self.params.library.len());
        let mut stopped = false;
        for s in samples {
            forecast_into(model, s, &mut forecast)?;
            self.push_rows(model, &s.u_now, &forecast, &mut stack)?;
            if stops(observer, stack.filled, samples.len()) {
                stopped = true;
                break;
            }
        }
        let used = stack.filled;
        Ok((self.fit(stack)?, used, stopped))
    }

    /// The noisy path (see [`Medida::solve_observed`]).
    fn noisy(
        &self,
        model: &mut Cnab2,
        samples: &[Sample],
        config: &NoisyConfig,
        observer: &mut dyn Observer,
    ) -> Result<Outcome> {
        let n = model.params().n;
        // ≥ 2 by NoisyConfig::validate (or 10·N with N ≥ 4)
        let members = match config.members {
            Some(m) => m,
            None => parsimony_core::memory::checked_mul("10 · N members", 10, n)?,
        };
        // the ensemble and the forecast (N × Nₑ each) and the analysis' work of the same size
        let ens_len = parsimony_core::memory::checked_mul("N × members", n, members)?;
        parsimony_core::memory::check_total::<f64>(
            &format!("an ensemble of {members} members of {n} points"),
            &[ens_len, ens_len, ens_len],
        )?;
        let enkf = config
            .enkf
            .clone()
            .unwrap_or_else(|| EnkfParams::new(config.noise))
            .build(n)?;
        let rng = &mut seeded_rng(config.seed);
        let mut w_obs = vec![0.0; enkf.observed().len()];
        let gauss =
            |rng: &mut parsimony_core::random::StdRng| -> f64 { StandardNormal.sample(rng) };
        let mut ens = DMatrix::zeros(n, members);
        let mut fc = DMatrix::zeros(n, members);
        let mut stack = Stack::new(n, samples.len(), self.params.library.len());
        let mut stopped = false;
        for s in samples {
            s.check_finite()?;
            let obs_std = config.noise * population_std(&s.u_now);
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
            for (o, &i) in w_obs.iter_mut().zip(enkf.observed()) {
                *o = w[i];
            }
            let analysis = enkf.solve(&EnkfProblem::new(&fc, &w_obs)?, rng)?;
            let mean_f: Vec<f64> = fc.column_mean().iter().copied().collect();
            self.push_rows(model, &analysis.mean, &mean_f, &mut stack)?;
            if stops(observer, stack.filled, samples.len()) {
                stopped = true;
                break;
            }
        }
        let used = stack.filled;
        Ok((self.fit(stack)?, used, stopped))
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

    /// Applies the gate to the stacked rows and runs the RVM (on the rows filled so far).
    fn fit(&self, stack: Stack) -> Result<ModelErrorFit> {
        if stack.filled == 0 {
            return Err(Error::invalid("samples", "need at least one sample"));
        }
        let total = stack.y.len();
        let y = DVector::from_vec(stack.y);
        let target_std = population_std(y.as_slice());
        let tendency_std = population_std(&stack.tendency);
        if let Some(gated) = self.gate(target_std, tendency_std, total) {
            return Ok(gated);
        }
        let phi = if stack.phi.nrows() == total {
            stack.phi
        } else {
            // a run stopped early: the rows of the samples taken
            stack.phi.rows(0, total).into_owned()
        };
        let fit = self.rvm.solve(&Regression::new(&phi, &y)?)?;
        Ok(self.model_error_fit(fit, target_std, tendency_std, total))
    }

    /// "No significant model error" when std(y) < gate · std(model tendency).
    fn gate(&self, target_std: f64, tendency_std: f64, rows: usize) -> Option<ModelErrorFit> {
        // a target with no spread has no model error to find, whatever the gate
        (target_std == 0.0 || target_std < self.params.gate * tendency_std).then(|| ModelErrorFit {
            terms: Vec::new(),
            significant: false,
            target_std,
            tendency_std,
            rows,
            fit: None,
            info: SolveInfo::new(0, Status::Converged, f64::NAN, 0.0),
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
        let terms: Vec<DiscoveredTerm> = fit
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
            significant: !terms.is_empty(),
            terms,
            target_std,
            tendency_std,
            rows,
            fit: Some(fit),
            info: SolveInfo::new(0, Status::Converged, f64::NAN, 0.0),
        }
    }
}

/// ū_f = model(u(t−2h), u(t−h)) of a sample (of the model's length) into `forecast`. Errors:
/// a non-finite state or forecast.
fn forecast_into(model: &mut Cnab2, s: &Sample, forecast: &mut [f64]) -> Result<()> {
    s.check_finite()?;
    model.step_unchecked(&s.u_prev2, &s.u_prev1, forecast)?;
    parsimony_core::linalg::check_finite("forecast", forecast)
        .map_err(|_| Error::breakdown("CNAB2 step", "non-finite state"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Derivatives;

    impl Medida {
        /// The moment route on `threads` threads, silently; `None` when the moments do not
        /// suffice.
        fn discover_from_moments(
            &self,
            model: &mut Cnab2,
            samples: &[Sample],
            threads: usize,
        ) -> Result<Option<ModelErrorFit>> {
            let (part, _, _) = self.moments_route(model, samples, threads, &mut Silent)?;
            self.fit_moments(&part)
        }

        /// The rows route, silently.
        fn discover_from_rows(
            &self,
            model: &mut Cnab2,
            samples: &[Sample],
        ) -> Result<ModelErrorFit> {
            Ok(self.rows_route(model, samples, &mut Silent)?.0)
        }
    }

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
        let samples = samples();
        let n = 128;
        let fit_with = |enkf: EnkfParams| {
            let conf = NoisyConfig {
                members: Some(40),
                enkf: Some(enkf),
                seed: 7,
                ..NoisyConfig::default()
            };
            let medida = MedidaParams::new(Target::Plain)
                .noisy(conf)
                .build()
                .unwrap();
            medida
                .solve(&MedidaProblem::new(model(), &samples).unwrap())
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
                let medida = MedidaParams::new(target)
                    .library(Library::new(4, 4, d).unwrap())
                    .build()
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
                assert_eq!(fa.info.iterations, fb.info.iterations);
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
        let medida = MedidaParams::new(Target::Plain).build().unwrap();
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
        assert!(matches!(
            MedidaProblem::new(model(), &[]),
            Err(Error::InvalidParameter { name, .. }) if name == "samples"
        ));
    }
}
