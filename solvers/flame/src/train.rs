//! Training recipes of FlamePINN-1D Case 1 (shared/specs/flame.md §6.4): the forward problem
//! (T(x) and s_L from the equations and the inlet conditions) and the inverse problem (s_L, λ,
//! E_a from noisy observations).
//!
//! Forward recipe: Glorot-normal MLP, s_L initialised at 0.4 m/s; stage 1, the Z-shape warm-up
//! (Adam on [`WarmupLoss`], which puts the front near 0.4 L); stage 2, Adam on the physics loss
//! with the learning rate η₀ · γ^⌊k/s⌋ (η₀ = 10⁻³, γ = 0.95, s = 1000); every 100 steps the
//! parameters with the lowest loss so far are kept, and those are returned. Optionally an
//! L-BFGS polish (not in the paper) from the best Adam parameters. Inverse recipe: no warm-up,
//! s_L, 10 λ and 10⁻⁶ E_a trained with the network from 0.4, 0.3 and 0.15.
//!
//! Cost: one loss + gradient per Adam step (see [`crate::mlp`]): for the 3 × 64 network at 1001
//! points ≈ 3.3 ms in f64 and ≈ 1.7 ms in f32 on one core of this project's machine
//! (BENCHMARKS.md F1); the paper's 31 000 steps take ≈ 3 min in f64, ≈ 1.5–2.5 min in f32 or
//! on two threads (F2).
//!
//! The optimiser always keeps `f64` master parameters; [`Precision::F32`] runs the network in
//! single precision (as the paper's Case 1). A non-finite loss stops training with
//! `Error::NumericalBreakdown` (or `Error::NonFinite` when the loss itself overflows).
//!
//! # Shape
//! [`PinnProblem`] (model and observations, validated once) → [`PinnParams`] (checked once by
//! [`PinnParams::build`]) → [`Pinn::solve`] or [`Pinn::solve_observed`] → [`PinnSolution`]
//! with `info: SolveInfo`. `info.iterations` counts the Adam steps of the physics stage;
//! `info.stop_value` is the gradient norm ‖∇L‖₂ at the last evaluated (finite) step. The
//! observer sees every Adam step of the physics stage (iteration k = steps done, cost = the
//! loss at the current parameters) with a [`PinnState`] attached (`info.state::<PinnState>()`):
//! the current parameters, loss and physical unknowns. After step k (the loss and ‖∇L‖₂
//! evaluated at the new parameters, the observer called), the run stops: ‖∇L‖₂ ≤ `grad_tol`
//! → [`Status::Converged`] (it wins; with `grad_tol` = 0, the paper's recipe, only a zero
//! gradient meets it); else the observer's stop → [`Status::StoppedByObserver`]; else k =
//! `steps` → [`Status::MaxIterations`] (the paper's fixed budget). Progress bars are observers passed by the caller; the
//! crate draws nothing.
//!
//! The L-BFGS polishes are core's [`Lbfgs`](parsimony_core::optim::Lbfgs) on the loss; each
//! reports its own `info` in [`Polish`] (iterations are L-BFGS iterations, at most
//! `lbfgs_steps`; a line search that finds no admissible step is [`Status::Stalled`], with the
//! best iterate as the result).

use crate::data::{DataWeights, Observations, uniform_points};
use crate::loss::{Case1Loss, LossParts, Problem, WarmupLoss};
use crate::mlp::Mlp;
use crate::model::FlameModel;
use parsimony_core::error::{check_at_least_one, check_non_negative, check_positive};
use parsimony_core::optim::{AdamParams, LbfgsParams, Objective};
use parsimony_core::simd::{Precision, Real};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};

/// Parameters of a PINN training run: pub fields, setters and the paper's recipe as the
/// default, checked once by [`PinnParams::build`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `hidden_layers`, `width` | 3, 64 | ≥ 1 |
/// | `collocation` (uniform points on [0, L], both ends included) | 1001 | ≥ 2 |
/// | `warmup_steps` (forward only) | 1000 | ≥ 0 |
/// | `steps` (Adam, physics stage) | 30 000 | ≥ 1 |
/// | `learning_rate` η₀ | 1e-3 | > 0 |
/// | `decay_every` s, `decay_factor` γ | 1000, 0.95 | ≥ 1, (0, 1] |
/// | `checkpoint_every` | 100 | ≥ 1 |
/// | `initial_speed` s_L (m/s) | 0.4 | > 0 |
/// | `initial_conductivity` λ (W/m/K, inverse) | 0.03 | > 0 |
/// | `initial_activation_energy` E_a (J/mol, inverse) | 1.5e5 | > 0 |
/// | `residual_weight` w (loss = w · mean r² + …) | 1 | > 0 |
/// | `data_weights` (inverse misfits) | `Paper` | `Paper`, `Relative` |
/// | `lbfgs_steps` (polish after Adam; 0 = off) | 0 | ≥ 0 |
/// | `polish_weights` (one L-BFGS polish per residual weight, in order; empty = w) | empty | each > 0 |
/// | `precision` | F64 | F64, F32 |
/// | `threads` (the points are split over threads) | 1 | ≥ 1 |
/// | `seed` (weights) | 0 | any |
/// | `grad_tol` (stop when ‖∇L‖₂ ≤ it; 0 = run every step) | 0 | ≥ 0 |
#[derive(Clone, Debug, PartialEq)]
pub struct PinnParams {
    /// Hidden layers.
    pub hidden_layers: usize,
    /// Neurons per hidden layer.
    pub width: usize,
    /// Collocation points.
    pub collocation: usize,
    /// Warm-up Adam steps on the Z profile (forward problem).
    pub warmup_steps: usize,
    /// Adam steps on the physics loss.
    pub steps: usize,
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Steps between learning-rate decays.
    pub decay_every: usize,
    /// Learning-rate decay factor.
    pub decay_factor: f64,
    /// Steps between best-loss checkpoints (and history records).
    pub checkpoint_every: usize,
    /// Initial s_L.
    pub initial_speed: f64,
    /// Initial λ (inverse problem).
    pub initial_conductivity: f64,
    /// Initial E_a (inverse problem).
    pub initial_activation_energy: f64,
    /// Weight of the residual term (1 in the paper).
    pub residual_weight: f64,
    /// Weighting of the observations' misfits (inverse problem).
    pub data_weights: DataWeights,
    /// L-BFGS iterations after Adam (0 = none).
    pub lbfgs_steps: usize,
    /// Residual weights of successive L-BFGS polishes (a continuation that tightens the
    /// physics); empty: one polish at `residual_weight`.
    pub polish_weights: Vec<f64>,
    /// Network precision.
    pub precision: Precision,
    /// Threads over which the collocation points are split (rayon's global pool).
    pub threads: usize,
    /// Seed of the Glorot-normal weights.
    pub seed: u64,
    /// Gradient-norm tolerance of the physics stage (0: never, the paper's fixed budget).
    pub grad_tol: f64,
}

impl Default for PinnParams {
    fn default() -> Self {
        Self {
            hidden_layers: 3,
            width: 64,
            collocation: 1001,
            warmup_steps: 1000,
            steps: 30_000,
            learning_rate: 1e-3,
            decay_every: 1000,
            decay_factor: 0.95,
            checkpoint_every: 100,
            initial_speed: 0.4,
            initial_conductivity: 0.03,
            initial_activation_energy: 1.5e5,
            residual_weight: 1.0,
            data_weights: DataWeights::Paper,
            lbfgs_steps: 0,
            polish_weights: Vec::new(),
            precision: Precision::F64,
            threads: 1,
            seed: 0,
            grad_tol: 0.0,
        }
    }
}

impl PinnParams {
    /// The paper's recipe (the defaults).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the network size.
    pub fn network(mut self, hidden_layers: usize, width: usize) -> Self {
        self.hidden_layers = hidden_layers;
        self.width = width;
        self
    }
    /// Sets the number of collocation points.
    pub fn collocation(mut self, n: usize) -> Self {
        self.collocation = n;
        self
    }
    /// Sets the warm-up and physics Adam steps.
    pub fn steps(mut self, warmup: usize, physics: usize) -> Self {
        self.warmup_steps = warmup;
        self.steps = physics;
        self
    }
    /// Sets the learning-rate schedule η₀ γ^⌊k/s⌋.
    pub fn learning_rate(mut self, eta0: f64, decay_every: usize, decay_factor: f64) -> Self {
        self.learning_rate = eta0;
        self.decay_every = decay_every;
        self.decay_factor = decay_factor;
        self
    }
    /// Sets the weight of the residual term.
    pub fn residual_weight(mut self, w: f64) -> Self {
        self.residual_weight = w;
        self
    }
    /// Sets the residual weights of successive L-BFGS polishes (each `lbfgs_steps` long).
    pub fn polish_weights(mut self, weights: Vec<f64>) -> Self {
        self.polish_weights = weights;
        self
    }

    /// Sets the weighting of the observations' misfits (inverse problem).
    pub fn data_weights(mut self, weights: DataWeights) -> Self {
        self.data_weights = weights;
        self
    }

    /// L-BFGS iterations after Adam (0 = none).
    pub fn lbfgs_steps(mut self, n: usize) -> Self {
        self.lbfgs_steps = n;
        self
    }
    /// Sets the network precision.
    pub fn precision(mut self, p: Precision) -> Self {
        self.precision = p;
        self
    }
    /// Sets the number of threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n;
        self
    }
    /// Sets the weight seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the initial physical unknowns (s_L, λ, E_a).
    pub fn initial_unknowns(mut self, s_l: f64, conductivity: f64, activation_energy: f64) -> Self {
        self.initial_speed = s_l;
        self.initial_conductivity = conductivity;
        self.initial_activation_energy = activation_energy;
        self
    }
    /// Sets the gradient-norm tolerance of the physics stage (0: run every step).
    pub fn grad_tol(mut self, tol: f64) -> Self {
        self.grad_tol = tol;
        self
    }

    /// Checks every field (typed errors naming the field) and returns the trainer.
    pub fn build(self) -> Result<Pinn> {
        self.validate()?;
        Ok(Pinn { params: self })
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("hidden_layers", self.hidden_layers),
            ("width", self.width),
            ("steps", self.steps),
            ("decay_every", self.decay_every),
            ("checkpoint_every", self.checkpoint_every),
            ("threads", self.threads),
        ] {
            check_at_least_one(name, v)?;
        }
        if self.collocation < 2 {
            return Err(Error::invalid(
                "collocation",
                format!("must be ≥ 2, got {}", self.collocation),
            ));
        }
        check_positive("learning_rate", self.learning_rate)?;
        check_positive("residual_weight", self.residual_weight)?;
        for (i, &w) in self.polish_weights.iter().enumerate() {
            check_positive(&format!("polish_weights[{i}]"), w)?;
        }
        if !self.polish_weights.is_empty() && self.lbfgs_steps == 0 {
            return Err(Error::invalid(
                "polish_weights",
                "the polishes need lbfgs_steps > 0",
            ));
        }
        check_positive("initial_speed", self.initial_speed)?;
        check_positive("initial_conductivity", self.initial_conductivity)?;
        check_positive("initial_activation_energy", self.initial_activation_energy)?;
        // γ ∈ (0, 1]
        check_positive("decay_factor", self.decay_factor)?;
        if self.decay_factor > 1.0 {
            return Err(Error::invalid("decay_factor", "must be in (0, 1]"));
        }
        check_non_negative("grad_tol", self.grad_tol)
    }
}

/// One record of the training history (every `checkpoint_every` steps).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainRecord {
    /// Adam step of the physics stage.
    pub step: usize,
    /// Wall time since the start of training (s), warm-up included.
    pub seconds: f64,
    /// The loss at this step.
    pub loss: LossParts,
    /// s_L (m/s).
    pub s_l: f64,
    /// λ (W/m/K).
    pub conductivity: f64,
    /// E_a (J/mol).
    pub activation_energy: f64,
}

/// The training state an observer of [`Pinn::solve_observed`] receives with every Adam step of
/// the physics stage (`info.state::<PinnState>()`).
#[derive(Clone, Debug, PartialEq)]
pub struct PinnState {
    /// Adam steps done in the physics stage.
    pub step: usize,
    /// The current parameters θ (network, then the trained unknowns in scaled form).
    pub theta: Vec<f64>,
    /// The loss at θ.
    pub loss: LossParts,
    /// s_L (m/s) at θ.
    pub s_l: f64,
    /// λ (W/m/K) at θ (the model's for the forward problem).
    pub conductivity: f64,
    /// E_a (J/mol) at θ (the model's for the forward problem).
    pub activation_energy: f64,
    /// Wall time since the start of training (s), warm-up included.
    pub seconds: f64,
}

impl PinnState {
    /// The state as a history record.
    pub fn record(&self) -> TrainRecord {
        TrainRecord {
            step: self.step,
            seconds: self.seconds,
            loss: self.loss,
            s_l: self.s_l,
            conductivity: self.conductivity,
            activation_energy: self.activation_energy,
        }
    }
}

/// One L-BFGS polish after Adam (not in the paper).
#[derive(Clone, Debug, PartialEq)]
pub struct Polish {
    /// The residual weight of this polish.
    pub residual_weight: f64,
    /// How the L-BFGS run went: L-BFGS iterations (at most `lbfgs_steps`), status, ‖∇L‖₂ at
    /// the returned point (`stop_value`). [`Status::Stalled`] when the line search found no
    /// admissible step (the best iterate is the result); [`Status::Breakdown`] (`what`: "PINN
    /// loss") when evaluating the loss failed, with the first error in `error`.
    pub info: SolveInfo,
    /// Whether the polish lowered the loss at its residual weight (its result was kept).
    pub improved: bool,
    /// The first error of a loss evaluation during the polish (the optimiser saw a NaN cost
    /// there); `None` when every evaluation succeeded.
    pub error: Option<String>,
}

/// A trained PINN.
#[derive(Clone, Debug)]
pub struct PinnSolution {
    /// The returned parameters θ (network, then the trained unknowns in scaled form).
    pub theta: Vec<f64>,
    /// The network.
    pub mlp: Mlp,
    /// The model the loss was built on (λ, E_a: the configured values, not the inferred).
    pub model: FlameModel,
    /// The problem (forward or inverse with its observations).
    pub problem: Problem,
    /// Inferred s_L (m/s).
    pub s_l: f64,
    /// λ (W/m/K): inferred (inverse) or the model's (forward).
    pub conductivity: f64,
    /// E_a (J/mol): inferred (inverse) or the model's (forward).
    pub activation_energy: f64,
    /// The loss of the returned parameters.
    pub loss: LossParts,
    /// The Adam step of the returned parameters (`info.iterations` if L-BFGS improved on
    /// Adam).
    pub best_step: usize,
    /// Warm-up steps run.
    pub warmup_steps: usize,
    /// The L-BFGS polishes, in order (empty without `lbfgs_steps`). With `polish_weights`
    /// other than `residual_weight`, the reported `loss`, at the training weight, can exceed
    /// Adam's best.
    pub polishes: Vec<Polish>,
    /// History, every `checkpoint_every` steps.
    pub history: Vec<TrainRecord>,
    /// The Adam stage: steps run (`iterations`), status, ‖∇L‖₂ at the last step
    /// (`stop_value`), wall time of the whole training (warm-up and polishes included).
    pub info: SolveInfo,
}

impl PinnSolution {
    /// T, T', T'' (K, K/m, K/m²) at `x` (m); the network is evaluated in f64 at the (f64
    /// master) weights θ, whatever the training precision.
    pub fn fields(&self, x: &[f64]) -> Result<Vec<[f64; 3]>> {
        let loss = self.loss_f64()?;
        loss.predict(&self.theta, x)
    }

    /// T (K) at `x` (m).
    pub fn temperature(&self, x: &[f64]) -> Result<Vec<f64>> {
        Ok(self.fields(x)?.into_iter().map(|f| f[0]).collect())
    }

    /// The normalised energy residual r at `x` (m).
    pub fn residual(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.loss_f64()?.residual_at(&self.theta, x)
    }

    /// L-BFGS iterations run over all polishes.
    pub fn lbfgs_iterations(&self) -> usize {
        self.polishes.iter().map(|p| p.info.iterations).sum()
    }

    /// Whether any L-BFGS polish lowered the loss (at its own residual weight).
    pub fn lbfgs_improved(&self) -> bool {
        self.polishes.iter().any(|p| p.improved)
    }

    fn loss_f64(&self) -> Result<Case1Loss<f64>> {
        Case1Loss::new(&self.model, &self.mlp, &[0.0], self.problem.clone())
    }
}

/// What a PINN is trained for: the model and the problem (forward, or inverse with its
/// observations), validated once by the constructors.
#[derive(Clone, Debug, PartialEq)]
pub struct PinnProblem {
    model: FlameModel,
    problem: Problem,
}

impl PinnProblem {
    /// The forward problem for `model` (T_in, p, φ, …): T(x) and s_L.
    pub fn forward(model: &FlameModel) -> Result<Self> {
        model.validate()?;
        Ok(Self {
            model: model.clone(),
            problem: Problem::Forward,
        })
    }

    /// The inverse problem: s_L, λ and E_a from `observations` (the model's own λ and E_a are
    /// not used; its T_in, p, φ, L and the other constants are).
    pub fn inverse(model: &FlameModel, observations: &Observations) -> Result<Self> {
        model.validate()?;
        observations.validate(model.length)?;
        Ok(Self {
            model: model.clone(),
            problem: Problem::Inverse(observations.clone()),
        })
    }

    /// The model.
    pub fn model(&self) -> &FlameModel {
        &self.model
    }

    /// Forward or inverse (with the observations).
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

/// The PINN trainer, made by [`PinnParams::build`].
#[derive(Clone, Debug, PartialEq)]
pub struct Pinn {
    params: PinnParams,
}

impl Pinn {
    /// The parameters it was built with.
    pub fn params(&self) -> &PinnParams {
        &self.params
    }

    /// Trains the PINN for `problem` (see the module documentation).
    pub fn solve(&self, problem: &PinnProblem) -> Result<PinnSolution> {
        self.solve_observed(problem, &mut Silent)
    }

    /// As [`Pinn::solve`], reporting every Adam step of the physics stage to `observer` with a
    /// [`PinnState`] attached; the observer may stop training (the best checkpoint so far is
    /// returned, status [`Status::StoppedByObserver`]).
    pub fn solve_observed(
        &self,
        problem: &PinnProblem,
        observer: &mut dyn Observer,
    ) -> Result<PinnSolution> {
        match self.params.precision {
            Precision::F64 => run::<f64>(problem, &self.params, observer),
            Precision::F32 => run::<f32>(problem, &self.params, observer),
        }
    }
}

fn run<F: Real>(
    problem: &PinnProblem,
    params: &PinnParams,
    observer: &mut dyn Observer,
) -> Result<PinnSolution> {
    let clock = Clock::start();
    let model = &problem.model;
    let mlp = Mlp::hidden(params.hidden_layers, params.width)?;
    let x = uniform_points(model.length, params.collocation)?;
    let forward = matches!(problem.problem, Problem::Forward);
    let mut loss = Case1Loss::<F>::new(model, &mlp, &x, problem.problem.clone())?
        .with_threads(params.threads)
        .with_residual_weight(params.residual_weight)?
        .with_data_weights(params.data_weights);
    let mut state = PinnState {
        step: 0,
        theta: loss.initial_theta(
            mlp.glorot_normal(params.seed),
            params.initial_speed,
            params.initial_conductivity,
            params.initial_activation_energy,
        ),
        loss: LossParts::default(),
        s_l: params.initial_speed,
        conductivity: params.initial_conductivity,
        activation_energy: params.initial_activation_energy,
        seconds: 0.0,
    };
    let dim = state.theta.len();
    let mut grad = vec![0.0; dim];
    let warmup = if forward { params.warmup_steps } else { 0 };
    let mut status = Status::MaxIterations;
    // stage 1: the Z-shape warm-up
    if warmup > 0 {
        let mut wl = WarmupLoss::<F>::new(model, &mlp)?;
        let mut adam = AdamParams::new()
            .learning_rate(params.learning_rate)
            .build(dim)?;
        for k in 0..warmup {
            let l = wl.evaluate(&state.theta, Some(&mut grad))?;
            if !l.is_finite() {
                return Err(Error::breakdown(
                    "PINN warm-up",
                    format!("non-finite loss at step {k}"),
                ));
            }
            // the stopping rule of stage 2 ends the warm-up too
            if grad.iter().map(|g| g * g).sum::<f64>().sqrt() <= params.grad_tol {
                break;
            }
            adam.step(&mut state.theta, &grad)?;
        }
    }
    // stage 2: Adam on the physics loss with best-loss checkpoints
    let mut adam = AdamParams::new()
        .learning_rate(params.learning_rate)
        .step_decay(params.decay_every, params.decay_factor)
        .build(dim)?;
    let mut best = (
        state.theta.clone(),
        LossParts {
            total: f64::INFINITY,
            ..Default::default()
        },
        0usize,
    );
    let mut history = Vec::new();
    let mut steps_run = 0;
    let mut grad_norm = f64::NAN;
    for k in 0..=params.steps {
        let parts = loss.evaluate(&state.theta, Some(&mut grad))?;
        let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
        if !parts.total.is_finite() || !norm.is_finite() {
            let (s, _, _) = loss.unknowns(&state.theta)?;
            return Err(Error::breakdown(
                "PINN training",
                format!(
                    "the loss or its gradient became non-finite at Adam step {k} (loss {:e}, s_L = {s:e} m/s); lower the learning rate or check the inputs",
                    parts.total
                ),
            ));
        }
        grad_norm = norm;
        let (s, lam, ea) = loss.unknowns(&state.theta)?;
        state.step = k;
        state.loss = parts;
        (state.s_l, state.conductivity, state.activation_energy) = (s, lam, ea);
        state.seconds = clock.seconds();
        let converged = grad_norm <= params.grad_tol;
        if k % params.checkpoint_every == 0 || k == params.steps || converged {
            if parts.total < best.1.total {
                best = (state.theta.clone(), parts, k);
            }
            history.push(state.record());
        }
        // step 0 is the start, not an iteration: the observer sees steps 1, 2, …
        let control = if k > 0 {
            observer.observe(&IterInfo::new(k, parts.total, grad_norm).with_state(&state))
        } else {
            Control::Continue
        };
        steps_run = k;
        if converged {
            status = Status::Converged;
            break;
        }
        if control == Control::Stop {
            status = Status::StoppedByObserver;
            break;
        }
        if k == params.steps {
            break;
        }
        adam.step(&mut state.theta, &grad)?;
    }
    let (mut theta_best, mut loss_best, best_step) = best;
    // optional L-BFGS polishes from the best Adam parameters (when their loss is finite)
    let mut polishes = Vec::new();
    if params.lbfgs_steps > 0 && loss_best.total.is_finite() {
        let weights = if params.polish_weights.is_empty() {
            vec![params.residual_weight]
        } else {
            params.polish_weights.clone()
        };
        let lbfgs = LbfgsParams::default()
            .max_iter(params.lbfgs_steps)
            .grad_tol(0.0)
            .build()?;
        for w in weights {
            // each polish starts from the best point so far, judged at its own weight
            loss.set_residual_weight(w)?;
            let start = loss.evaluate(&theta_best, None)?;
            let mut objective = LossObjective {
                loss: &mut loss,
                error: None,
            };
            let x0 = nalgebra::DVector::from_vec(theta_best.clone());
            // core's L-BFGS fails only on invalid input (x₀ of the objective's length and
            // finite here); a line search with no admissible step is `Stalled`, not an error
            let res = lbfgs.solve(&mut objective, &x0)?;
            let error = objective.error.take().map(|e| e.to_string());
            let info = if error.is_some() {
                let i = &res.info;
                SolveInfo::new(
                    i.iterations,
                    Status::Breakdown {
                        what: "PINN loss",
                        value: f64::NAN,
                    },
                    i.stop_value,
                    i.seconds,
                )
            } else {
                res.info
            };
            let candidate = res.x.as_slice().to_vec();
            let parts = loss.evaluate(&candidate, None)?;
            let improved = parts.total.is_finite() && parts.total < start.total;
            if improved {
                theta_best = candidate;
            }
            polishes.push(Polish {
                residual_weight: w,
                info,
                improved,
                error,
            });
        }
        // the reported loss is at the training weight, comparable with the history
        loss.set_residual_weight(params.residual_weight)?;
        if polishes.iter().any(|p| p.improved) {
            loss_best = loss.evaluate(&theta_best, None)?;
        }
    }
    let improved = polishes.iter().any(|p| p.improved);
    let (s_l, conductivity, activation_energy) = loss.unknowns(&theta_best)?;
    let info = clock.finish(steps_run, status, grad_norm);
    observer.finish(&info);
    Ok(PinnSolution {
        theta: theta_best,
        mlp,
        model: model.clone(),
        problem: problem.problem.clone(),
        s_l,
        conductivity,
        activation_energy,
        loss: loss_best,
        best_step: if improved { steps_run } else { best_step },
        warmup_steps: warmup,
        polishes,
        history,
        info,
    })
}

/// A [`Case1Loss`] as a core [`Objective`] (for L-BFGS). An evaluation that fails is a NaN
/// cost for the optimiser; the first such error is kept for the [`Polish`] report.
struct LossObjective<'a, F: Real> {
    loss: &'a mut Case1Loss<F>,
    error: Option<Error>,
}

impl<F: Real> LossObjective<'_, F> {
    fn evaluate(&mut self, x: &[f64], grad: Option<&mut [f64]>) -> f64 {
        match self.loss.evaluate(x, grad) {
            Ok(parts) => parts.total,
            Err(e) => {
                self.error.get_or_insert(e);
                f64::NAN
            }
        }
    }
}

impl<F: Real> Objective for LossObjective<'_, F> {
    fn dim(&self) -> usize {
        self.loss.dim()
    }
    fn cost(&mut self, x: &[f64]) -> f64 {
        self.evaluate(x, None)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        self.evaluate(x, Some(grad));
    }
    fn cost_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.evaluate(x, Some(grad))
    }
}
