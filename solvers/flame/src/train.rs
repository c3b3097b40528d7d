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
//! points ≈ 5 ms in f64 and ≈ 2.5 ms in f32 on one core of this project's machine
//! (BENCHMARKS.md F1); the paper's 31 000 steps take ≈ 3 min in f64, ≈ 1.5–2.5 min in f32 or
//! on two threads (F2).
//!
//! The optimiser always keeps `f64` master parameters; [`Precision::F32`] runs the network in
//! single precision (as the paper's Case 1). A non-finite loss stops training with
//! [`Error::Breakdown`](parsimony_core::Error).

use crate::loss::{Case1Loss, DataWeights, LossParts, Observations, Problem, WarmupLoss};
use crate::mlp::Mlp;
use crate::model::FlameModel;
use crate::real::{Precision, Real};
use parsimony_core::optim::{
    AdamParams, LbfgsParams, Objective, Silent, lbfgs_minimize, progress_bar,
};
use parsimony_core::{Error, Result};
use std::cell::RefCell;
use std::time::Instant;

/// Parameters of a PINN training run, set by a builder and checked by [`PinnParams::check`].
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
/// | `progress` (bar on a terminal) | true | – |
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
    /// Draw a progress bar (only when stderr is a terminal).
    pub progress: bool,
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
            progress: true,
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
    /// Turns the progress bar on or off.
    pub fn progress(mut self, yes: bool) -> Self {
        self.progress = yes;
        self
    }

    /// Checks every field (typed errors naming the field).
    pub fn check(&self) -> Result<()> {
        use parsimony_core::error::check_positive;
        for (name, v, min) in [
            ("hidden_layers", self.hidden_layers, 1),
            ("width", self.width, 1),
            ("collocation", self.collocation, 2),
            ("steps", self.steps, 1),
            ("decay_every", self.decay_every, 1),
            ("checkpoint_every", self.checkpoint_every, 1),
            ("threads", self.threads, 1),
        ] {
            if v < min {
                return Err(Error::invalid(name, format!("must be ≥ {min}, got {v}")));
            }
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
        if !(self.decay_factor > 0.0 && self.decay_factor <= 1.0) {
            return Err(Error::invalid("decay_factor", "must be in (0, 1]"));
        }
        Ok(())
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

/// What a monitor sees every `checkpoint_every` steps; it returns `true` to stop training.
pub type Monitor<'a> = dyn FnMut(&TrainRecord, &[f64]) -> bool + 'a;

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
    /// The Adam step of the returned parameters (`steps` if L-BFGS improved on Adam).
    pub best_step: usize,
    /// Adam steps run in the physics stage.
    pub steps: usize,
    /// Warm-up steps run.
    pub warmup_steps: usize,
    /// L-BFGS iterations run.
    pub lbfgs_iterations: usize,
    /// Whether an L-BFGS polish lowered the loss, judged at its own residual weight (with
    /// `polish_weights` other than `residual_weight`, the reported `loss`, at the training
    /// weight, can then exceed Adam's best).
    pub lbfgs_improved: bool,
    /// Why training ended.
    pub termination: String,
    /// History, every `checkpoint_every` steps.
    pub history: Vec<TrainRecord>,
    /// Wall time (s).
    pub seconds: f64,
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

    fn loss_f64(&self) -> Result<Case1Loss<f64>> {
        Case1Loss::new(&self.model, &self.mlp, &[0.0], self.problem.clone())
    }
}

/// Uniform collocation points x_i = L i/(n − 1), i = 0 … n − 1, both ends included (n = 1
/// gives the single point 0; n = 0 no points).
pub fn uniform_points(length: f64, n: usize) -> Vec<f64> {
    let gaps = n.saturating_sub(1).max(1) as f64;
    (0..n).map(|i| length * i as f64 / gaps).collect()
}

/// Trains the forward Case 1 PINN for `model` (T_in, p, φ, …): T(x) and s_L.
pub fn train_forward(
    model: &FlameModel,
    params: &PinnParams,
    monitor: Option<&mut Monitor<'_>>,
) -> Result<PinnSolution> {
    train(model, Problem::Forward, params, monitor)
}

/// Trains the inverse Case 1 PINN: s_L, λ and E_a from `observations` (the model's own λ and
/// E_a are not used; its T_in, p, φ, L and the other constants are).
pub fn train_inverse(
    model: &FlameModel,
    observations: &Observations,
    params: &PinnParams,
    monitor: Option<&mut Monitor<'_>>,
) -> Result<PinnSolution> {
    train(
        model,
        Problem::Inverse(observations.clone()),
        params,
        monitor,
    )
}

fn train(
    model: &FlameModel,
    problem: Problem,
    params: &PinnParams,
    monitor: Option<&mut Monitor<'_>>,
) -> Result<PinnSolution> {
    params.check()?;
    model.validate()?;
    match params.precision {
        Precision::F64 => run::<f64>(model, problem, params, monitor),
        Precision::F32 => run::<f32>(model, problem, params, monitor),
    }
}

fn run<F: Real>(
    model: &FlameModel,
    problem: Problem,
    params: &PinnParams,
    mut monitor: Option<&mut Monitor<'_>>,
) -> Result<PinnSolution> {
    let start = Instant::now();
    let mlp = Mlp::hidden(params.hidden_layers, params.width)?;
    let x = uniform_points(model.length, params.collocation);
    let forward = matches!(problem, Problem::Forward);
    let mut loss = Case1Loss::<F>::new(model, &mlp, &x, problem.clone())?
        .with_threads(params.threads)
        .with_residual_weight(params.residual_weight)?
        .with_data_weights(params.data_weights);
    let mut theta = loss.initial_theta(
        mlp.glorot_normal(params.seed),
        params.initial_speed,
        params.initial_conductivity,
        params.initial_activation_energy,
    );
    let dim = theta.len();
    let mut grad = vec![0.0; dim];
    let warmup = if forward { params.warmup_steps } else { 0 };
    let bar = params
        .progress
        .then(|| progress_bar("PINN", (warmup + params.steps) as u64));
    // stage 1: the Z-shape warm-up
    if warmup > 0 {
        let mut wl = WarmupLoss::<F>::new(model, &mlp)?;
        let mut adam = AdamParams::new()
            .learning_rate(params.learning_rate)
            .build(dim)?;
        for k in 0..warmup {
            let l = wl.evaluate(&theta, Some(&mut grad))?;
            if !l.is_finite() {
                return Err(Error::breakdown(
                    "PINN warm-up",
                    format!("non-finite loss at step {k}"),
                ));
            }
            adam.step(&mut theta, &grad)?;
            if let Some(b) = &bar
                && k % 100 == 0
            {
                b.set_position(k as u64);
                b.set_message(format!("warm-up loss {l:.3e}"));
            }
        }
    }
    // stage 2: Adam on the physics loss with best-loss checkpoints
    let mut adam = AdamParams::new()
        .learning_rate(params.learning_rate)
        .step_decay(params.decay_every, params.decay_factor)
        .build(dim)?;
    let mut best = (
        theta.clone(),
        LossParts {
            total: f64::INFINITY,
            ..Default::default()
        },
        0usize,
    );
    let mut history = Vec::new();
    let mut termination = format!("{} Adam steps done", params.steps);
    let mut steps_run = params.steps;
    for k in 0..=params.steps {
        let parts = loss.evaluate(&theta, Some(&mut grad))?;
        if !parts.total.is_finite() || grad.iter().any(|g| !g.is_finite()) {
            if let Some(b) = &bar {
                b.abandon();
            }
            let (s, _, _) = loss.unknowns(&theta)?;
            return Err(Error::breakdown(
                "PINN training",
                format!(
                    "the loss or its gradient became non-finite at Adam step {k} (loss {:e}, s_L = {s:e} m/s); lower the learning rate or check the inputs",
                    parts.total
                ),
            ));
        }
        if k % params.checkpoint_every == 0 || k == params.steps {
            if parts.total < best.1.total {
                best = (theta.clone(), parts, k);
            }
            let (s, lam, ea) = loss.unknowns(&theta)?;
            let rec = TrainRecord {
                step: k,
                seconds: start.elapsed().as_secs_f64(),
                loss: parts,
                s_l: s,
                conductivity: lam,
                activation_energy: ea,
            };
            history.push(rec);
            if let Some(b) = &bar {
                b.set_position((warmup + k) as u64);
                b.set_message(format!("loss {:.3e} s_L {s:.5} m/s", parts.total));
            }
            if let Some(m) = monitor.as_deref_mut()
                && m(&rec, &theta)
            {
                termination = format!("stopped by the monitor at Adam step {k}");
                steps_run = k;
                break;
            }
        }
        if k == params.steps {
            break;
        }
        adam.step(&mut theta, &grad)?;
    }
    let (mut theta_best, mut loss_best, best_step) = best;
    // optional L-BFGS polish from the best Adam parameters
    let mut lbfgs_iterations = 0;
    let mut lbfgs_improved = false;
    if params.lbfgs_steps > 0 {
        let weights = if params.polish_weights.is_empty() {
            vec![params.residual_weight]
        } else {
            params.polish_weights.clone()
        };
        for w in weights {
            // each polish starts from the best point so far, judged at its own weight
            loss.set_residual_weight(w)?;
            let start = loss.evaluate(&theta_best, None)?;
            let objective = LossObjective {
                loss: RefCell::new(&mut loss),
            };
            let x0 = nalgebra::DVector::from_vec(theta_best.clone());
            let lb = LbfgsParams {
                max_iter: params.lbfgs_steps,
                grad_tol: 0.0,
                ..Default::default()
            };
            if let Ok(res) = lbfgs_minimize(&objective, &x0, &lb, &mut Silent) {
                lbfgs_iterations += res.iterations;
                let parts = loss.evaluate(res.x.as_slice(), None)?;
                if parts.total.is_finite() && parts.total < start.total {
                    theta_best = res.x.as_slice().to_vec();
                    lbfgs_improved = true;
                }
            }
        }
        // the reported loss is at the training weight, comparable with the history
        loss.set_residual_weight(params.residual_weight)?;
        if lbfgs_improved {
            loss_best = loss.evaluate(&theta_best, None)?;
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let (s_l, conductivity, activation_energy) = loss.unknowns(&theta_best)?;
    Ok(PinnSolution {
        theta: theta_best,
        mlp,
        model: model.clone(),
        problem,
        s_l,
        conductivity,
        activation_energy,
        loss: loss_best,
        best_step: if lbfgs_improved { steps_run } else { best_step },
        steps: steps_run,
        warmup_steps: warmup,
        lbfgs_iterations,
        lbfgs_improved,
        termination,
        history,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// A [`Case1Loss`] as a core [`Objective`] (for L-BFGS).
struct LossObjective<'a, F: Real> {
    loss: RefCell<&'a mut Case1Loss<F>>,
}

impl<F: Real> Objective for LossObjective<'_, F> {
    fn dim(&self) -> usize {
        self.loss.borrow().dim()
    }
    fn cost(&self, x: &[f64]) -> f64 {
        self.loss
            .borrow_mut()
            .evaluate(x, None)
            .map_or(f64::NAN, |p| p.total)
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.cost_and_gradient(x, grad);
    }
    fn cost_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.loss
            .borrow_mut()
            .evaluate(x, Some(grad))
            .map_or(f64::NAN, |p| p.total)
    }
}
