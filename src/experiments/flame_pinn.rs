//! FlamePINN-1D Case 1 with parsimony's PINN engine: the forward problem (T(x) and the flame
//! speed s_L as an eigenvalue), the inverse problem (s_L, λ, E_a from noisy observations; also
//! fitted by the classical least-squares estimator of `flame::inverse_fd`, with its standard
//! errors) and a sweep of s_L over φ, each checked against the finite-difference reference
//! solver (Wu et al., FlamePINN-1D).
//!
//! The three share the `[training]` table ([`Training`]):
//!
//! | key | forward / sweep | inverse | meaning |
//! |---|---|---|---|
//! | `warmup` | 1000 | 0 | Z-shape warm-up steps before Adam |
//! | `steps` | 30000 | 5000 | Adam steps |
//! | `depth`, `width` | 3, 64 | 3, 64 | hidden layers and their width (tanh) |
//! | `points` | 1001 | 1001 | collocation points |
//! | `precision` | `f64` | `f64` | `f64` or `f32` |
//! | `threads` | 1 | 1 | threads of the loss |
//! | `lbfgs` | 0 | 1500 | L-BFGS iterations per polish after Adam (0 = none) |
//! | `polish_weights` | [] | [1, 10, 100, 1000] | residual weight of each polish (empty: one at `residual_weight`) |
//! | `lr` | 1e-3 | 1e-3 | Adam learning rate (× 0.95 every 1000 steps) |
//! | `residual_weight` | 1 | 1 | weight of the energy residual in the loss |
//!
//! and, at the top, `t_in` (inlet temperature, K; 298), `p_atm` (pressure, atm; 1) and `seed`
//! (network initialisation; 0). Forward: `phi` (0.42). Sweep: `phis` (0.40, …, 0.50).
//! Inverse: `phi` (0.46), `observations` (10), `noise` (relative σ, 0.02), `noise_seed` (0),
//! `data_weights` (`relative`: misfits weighted by their own noise; `paper`), `init_s`,
//! `init_lambda`, `init_ea` (initial unknowns: 0.4 m/s, 0.03 W/m/K, 1.5e5 J/mol),
//! `classical_draws` (the classical estimate for noise seeds 0..K with both weightings; 0). The
//! inverse defaults are its own recipe; the paper's is `data_weights = "paper"`,
//! `training.steps = 30000`, `training.lbfgs = 0`.
//!
//! `parsimony run flame-forward | flame-inverse | flame-sweep`, or the examples
//! `flame_forward`, `flame_inverse`, `flame_sweep` with the same `--set key=value`.

use super::shape::Experiment;
use crate::Result;
use crate::flame::data::{DataWeights, Observations, uniform_points};
use crate::flame::inverse_fd::{FdInverseParams, fit_fd_inverse};
use crate::flame::loss::{Case1Loss, LossParts, Problem};
use crate::flame::mlp::Mlp;
use crate::flame::model::FlameModel;
use crate::flame::reference::{FdSolution, NewtonParams, solve_fd_richardson};
use crate::flame::train::{PinnParams, PinnProblem, PinnSolution, PinnState, TrainRecord};
use crate::output::write_csv;
use crate::plot::LinePlot;
use crate::simd::Precision;
use crate::solve::{Control, IterInfo, Observer, SolveInfo};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Floating-point precision of the network and the loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrecisionChoice {
    /// Double precision.
    F64,
    /// Single precision (about twice as fast).
    F32,
}

/// How the inverse problem weighs the data misfits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightsChoice {
    /// The paper's weights.
    Paper,
    /// Each misfit relative to its own noise.
    Relative,
}

impl From<WeightsChoice> for DataWeights {
    fn from(w: WeightsChoice) -> Self {
        match w {
            WeightsChoice::Paper => DataWeights::Paper,
            WeightsChoice::Relative => DataWeights::Relative,
        }
    }
}

/// The training recipe (see the module documentation for the table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// Warm-up steps before Adam.
    pub warmup: usize,
    /// Adam steps.
    pub steps: usize,
    /// Hidden layers.
    pub depth: usize,
    /// Width of each hidden layer.
    pub width: usize,
    /// Collocation points.
    pub points: usize,
    /// Precision of the network and the loss.
    pub precision: PrecisionChoice,
    /// Threads of the loss.
    pub threads: usize,
    /// L-BFGS iterations per polish after Adam (0 = none).
    pub lbfgs: usize,
    /// Residual weight of each L-BFGS polish (empty: one polish at `residual_weight`).
    pub polish_weights: Vec<f64>,
    /// Adam learning rate.
    pub lr: f64,
    /// Weight of the energy residual in the loss.
    pub residual_weight: f64,
}

impl Training {
    /// The paper's forward recipe: Z-shape warm-up, 30 000 Adam steps, no polish.
    pub fn forward() -> Self {
        Self {
            warmup: 1000,
            steps: 30_000,
            depth: 3,
            width: 64,
            points: 1001,
            precision: PrecisionChoice::F64,
            threads: 1,
            lbfgs: 0,
            polish_weights: Vec::new(),
            lr: 1e-3,
            residual_weight: 1.0,
        }
    }

    /// The inverse recipe: no warm-up, 5000 Adam steps, then L-BFGS polishes of 1500
    /// iterations at residual weights 1, 10, 100, 1000.
    pub fn inverse() -> Self {
        Self {
            warmup: 0,
            steps: 5_000,
            lbfgs: 1500,
            polish_weights: vec![1.0, 10.0, 100.0, 1000.0],
            ..Self::forward()
        }
    }

    /// The PINN parameters of this recipe (checked).
    pub fn params(&self, seed: u64, data_weights: DataWeights) -> Result<PinnParams> {
        let precision = match self.precision {
            PrecisionChoice::F64 => Precision::F64,
            PrecisionChoice::F32 => Precision::F32,
        };
        // the polishes only when there is an L-BFGS stage to run them
        let polish = if self.lbfgs > 0 {
            self.polish_weights.clone()
        } else {
            Vec::new()
        };
        let p = PinnParams::new()
            .network(self.depth, self.width)
            .collocation(self.points)
            .steps(self.warmup, self.steps)
            .learning_rate(self.lr, 1000, 0.95)
            .lbfgs_steps(self.lbfgs)
            .polish_weights(polish)
            .residual_weight(self.residual_weight)
            .data_weights(data_weights)
            .precision(precision)
            .threads(self.threads)
            .seed(seed);
        // checked here, so that a bad value fails before the reference is computed
        p.clone().build()?;
        Ok(p)
    }
}

/// The model at equivalence ratio `phi`, inlet temperature `t_in` (K) and `p_atm` (atm),
/// validated.
pub(crate) fn model_at(t_in: f64, p_atm: f64, phi: f64) -> Result<FlameModel> {
    let model = FlameModel::new(t_in, p_atm * 101_325.0, phi);
    model.validate()?;
    Ok(model)
}

/// The forward problem's inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForwardConfig {
    /// Equivalence ratio φ.
    pub phi: f64,
    /// Inlet temperature (K).
    pub t_in: f64,
    /// Pressure (atm).
    pub p_atm: f64,
    /// Seed of the network initialisation.
    pub seed: u64,
    /// The training recipe.
    pub training: Training,
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self {
            phi: 0.42,
            t_in: 298.0,
            p_atm: 1.0,
            seed: 0,
            training: Training::forward(),
        }
    }
}

/// The inverse problem's inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InverseConfig {
    /// Equivalence ratio φ.
    pub phi: f64,
    /// Inlet temperature (K).
    pub t_in: f64,
    /// Pressure (atm).
    pub p_atm: f64,
    /// Seed of the network initialisation.
    pub seed: u64,
    /// Observations of T and u (uniform in x).
    pub observations: usize,
    /// Relative (multiplicative) noise σ of the observations.
    pub noise: f64,
    /// Seed of the noise.
    pub noise_seed: u64,
    /// How the misfits are weighed.
    pub data_weights: WeightsChoice,
    /// Initial flame speed (m/s).
    pub init_s: f64,
    /// Initial conductivity λ (W/m/K).
    pub init_lambda: f64,
    /// Initial activation energy E_a (J/mol).
    pub init_ea: f64,
    /// The classical estimate for noise seeds 0..K with both weightings (0: none).
    pub classical_draws: u64,
    /// The training recipe.
    pub training: Training,
}

impl Default for InverseConfig {
    fn default() -> Self {
        Self {
            phi: 0.46,
            t_in: 298.0,
            p_atm: 1.0,
            seed: 0,
            observations: 10,
            noise: 0.02,
            noise_seed: 0,
            data_weights: WeightsChoice::Relative,
            init_s: 0.4,
            init_lambda: 0.03,
            init_ea: 1.5e5,
            classical_draws: 0,
            training: Training::inverse(),
        }
    }
}

/// The sweep's inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepConfig {
    /// Equivalence ratios.
    pub phis: Vec<f64>,
    /// Inlet temperature (K).
    pub t_in: f64,
    /// Pressure (atm).
    pub p_atm: f64,
    /// Seed of the network initialisation.
    pub seed: u64,
    /// The training recipe.
    pub training: Training,
}

impl Default for SweepConfig {
    fn default() -> Self {
        Self {
            phis: vec![0.40, 0.42, 0.44, 0.46, 0.48, 0.50],
            t_in: 298.0,
            p_atm: 1.0,
            seed: 0,
            training: Training::forward(),
        }
    }
}

/// One checkpoint of the training.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct HistoryRow {
    /// Adam step.
    pub step: usize,
    /// Wall time since the start (s).
    pub seconds: f64,
    /// Total loss.
    pub loss: f64,
    /// Residual part.
    pub residual: f64,
    /// Boundary part.
    pub boundary: f64,
    /// Data part.
    pub data: f64,
    /// Flame speed (m/s).
    pub s_l: f64,
    /// (s_L − s_ref) / s_ref.
    pub s_l_rel_error: f64,
    /// Conductivity λ (W/m/K).
    pub conductivity: f64,
    /// Activation energy E_a (J/mol).
    pub activation_energy: f64,
    /// T's relative L2 error against the FD reference (NaN where not measured).
    pub t_rel_l2_error: f64,
}

/// The network's fields on 1001 uniform points beside the reference.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// x (m).
    pub x: Vec<f64>,
    /// The PINN's T (K).
    pub t: Vec<f64>,
    /// The FD reference's T (K).
    pub t_reference: Vec<f64>,
    /// The PINN's normalised energy residual.
    pub residual: Vec<f64>,
}

/// The loss at the best step.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Loss {
    /// Total.
    pub total: f64,
    /// Energy residual part.
    pub residual: f64,
    /// Boundary part.
    pub boundary: f64,
    /// Data part.
    pub data: f64,
}

impl From<LossParts> for Loss {
    fn from(l: LossParts) -> Self {
        Self {
            total: l.total,
            residual: l.residual,
            boundary: l.boundary,
            data: l.data,
        }
    }
}

/// A trained network against the reference.
#[derive(Clone, Debug, Serialize)]
pub struct Trained {
    /// The PINN's flame speed (m/s).
    pub s_l: f64,
    /// The FD reference's (Richardson 4000/8000).
    pub s_l_reference: f64,
    /// (s_L − s_ref) / s_ref.
    pub s_l_rel_error: f64,
    /// T's relative L2 error over [0, L].
    pub t_rel_l2_error: f64,
    /// The loss at the best step.
    pub loss: Loss,
    /// The Adam step whose parameters are returned.
    pub best_step: usize,
    /// Adam steps run.
    pub steps: usize,
    /// L-BFGS iterations of all polishes.
    pub lbfgs_iterations: usize,
    /// Whether the polishes lowered the loss.
    pub lbfgs_improved: bool,
    /// Wall time of the training (s).
    pub seconds: f64,
    /// The first checkpoint with |s_L error| < 0.5 % and T's L2 error < 1 % (Adam step, s).
    pub accuracy_reached: Option<(usize, f64)>,
    /// The checkpoints.
    pub history: Vec<HistoryRow>,
    /// The fields on 1001 points (not written to run.json).
    #[serde(skip)]
    pub profile: Profile,
}

/// The FD reference: s_L (Richardson from N = 4000, 8000) and the fine profile.
pub fn reference(model: &FlameModel) -> Result<(f64, FdSolution)> {
    solve_fd_richardson(model, 4000, &NewtonParams::default())
}

/// Relative L2 error of `t` against the reference at `x`.
fn l2_error(fd: &FdSolution, x: &[f64], t: &[f64]) -> Result<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for (&xi, &ti) in x.iter().zip(t) {
        let r = fd.temperature_at(xi)?;
        num += (ti - r) * (ti - r);
        den += r * r;
    }
    Ok((num / den).sqrt())
}

/// The report of a trained network: errors against the reference, history, fields.
fn trained(sol: &PinnSolution, acc: &Accuracy) -> Result<Trained> {
    let fd = acc.fd;
    let x = uniform_points(sol.model.length, 1001)?;
    let t = sol.temperature(&x)?;
    let residual = sol.residual(&x)?;
    let t_reference: Vec<f64> = x
        .iter()
        .map(|&xi| fd.temperature_at(xi))
        .collect::<Result<_>>()?;
    let t_rel_l2_error = l2_error(fd, &x, &t)?;
    Ok(Trained {
        s_l: sol.s_l,
        s_l_reference: acc.s_ref,
        s_l_rel_error: (sol.s_l - acc.s_ref) / acc.s_ref,
        t_rel_l2_error,
        loss: sol.loss.into(),
        best_step: sol.best_step,
        steps: sol.info.iterations,
        lbfgs_iterations: sol.lbfgs_iterations(),
        lbfgs_improved: sol.lbfgs_improved(),
        seconds: sol.info.seconds,
        accuracy_reached: acc.reached,
        history: history_rows(&sol.history, acc.s_ref, &acc.t_err),
        profile: Profile {
            x,
            t,
            t_reference,
            residual,
        },
    })
}

fn history_rows(h: &[TrainRecord], s_ref: f64, t_err: &[(usize, f64)]) -> Vec<HistoryRow> {
    h.iter()
        .map(|r| HistoryRow {
            step: r.step,
            seconds: r.seconds,
            loss: r.loss.total,
            residual: r.loss.residual,
            boundary: r.loss.boundary,
            data: r.loss.data,
            s_l: r.s_l,
            s_l_rel_error: (r.s_l - s_ref) / s_ref,
            conductivity: r.conductivity,
            activation_energy: r.activation_energy,
            // the observer's T error at this step (NaN for step 0, before the first Adam step)
            t_rel_l2_error: t_err
                .iter()
                .find(|(k, _)| *k == r.step)
                .map_or(f64::NAN, |&(_, e)| e),
        })
        .collect()
}

/// Writes the figures and tables common to forward and inverse runs (profile, residual, loss,
/// history), with `extra` point series on the temperature figure.
fn write_fields(
    dir: &Path,
    r: &Trained,
    title: &str,
    extra: &[(&str, Vec<f64>, Vec<f64>)],
) -> Result<()> {
    let h = &r.history;
    let rows: Vec<Vec<f64>> = h
        .iter()
        .map(|r| {
            vec![
                r.step as f64,
                r.seconds,
                r.loss,
                r.residual,
                r.boundary,
                r.data,
                r.s_l,
                r.s_l_rel_error,
                r.conductivity,
                r.activation_energy,
                r.t_rel_l2_error,
            ]
        })
        .collect();
    write_csv(
        &dir.join("history.csv"),
        &[
            "step",
            "seconds",
            "loss",
            "residual",
            "boundary",
            "data",
            "s_l",
            "s_l_rel_error",
            "conductivity",
            "activation_energy",
            "t_rel_l2_error",
        ],
        &rows,
    )?;
    let p = &r.profile;
    let rows: Vec<Vec<f64>> = (0..p.x.len())
        .map(|i| vec![p.x[i], p.t[i], p.t_reference[i], p.residual[i]])
        .collect();
    write_csv(
        &dir.join("profile.csv"),
        &["x_m", "t_pinn_k", "t_reference_k", "residual"],
        &rows,
    )?;
    let x_mm: Vec<f64> = p.x.iter().map(|v| v * 1e3).collect();
    let mut plot = LinePlot::new(format!(
        "{title}: temperature, T rel. L2 error {:.2e}",
        r.t_rel_l2_error
    ))
    .labels("x (mm)", "T (K)")
    .line("finite differences (reference)", &x_mm, &p.t_reference)
    .line("PINN", &x_mm, &p.t);
    for (name, xs, ys) in extra {
        let xs_mm: Vec<f64> = xs.iter().map(|v| v * 1e3).collect();
        plot = plot.points(*name, &xs_mm, ys);
    }
    plot.save(dir.join("temperature.png"))?;
    let r_abs: Vec<f64> = p.residual.iter().map(|v| v.abs().max(1e-16)).collect();
    LinePlot::new(format!("{title}: |energy residual| (normalised)"))
        .labels("x (mm)", "|r|")
        .log_y(true)
        .line("PINN", &x_mm, &r_abs)
        .save(dir.join("residual.png"))?;
    let steps: Vec<f64> = h.iter().map(|h| h.step as f64).collect();
    let losses: Vec<f64> = h.iter().map(|h| h.loss).collect();
    LinePlot::new(format!("{title}: training loss"))
        .labels("Adam step", "loss")
        .log_y(true)
        .line("total", &steps, &losses)
        .save(dir.join("loss.png"))
}

/// An observer that records T's L2 error at every checkpoint and the first time s_L and T are
/// within the acceptance tolerances (0.5 %, 1 %), and passes every step on to the caller's observer.
struct Accuracy<'a> {
    outer: &'a mut dyn Observer,
    fd: &'a FdSolution,
    s_ref: f64,
    x: Vec<f64>,
    /// The training loss's twin, used only for `predict`.
    probe: Case1Loss<f64>,
    /// (Adam step, T's relative L2 error) at the checkpoints.
    t_err: Vec<(usize, f64)>,
    reached: Option<(usize, f64)>,
    checkpoint_every: usize,
    steps: usize,
}

impl<'a> Accuracy<'a> {
    fn new(
        model: &FlameModel,
        params: &PinnParams,
        problem: Problem,
        fd: &'a FdSolution,
        s_ref: f64,
        outer: &'a mut dyn Observer,
    ) -> Result<Self> {
        let mlp = Mlp::hidden(params.hidden_layers, params.width)?;
        Ok(Self {
            outer,
            fd,
            s_ref,
            x: uniform_points(model.length, 1001)?,
            probe: Case1Loss::new(model, &mlp, &[0.0], problem)?,
            t_err: Vec::new(),
            reached: None,
            checkpoint_every: params.checkpoint_every,
            steps: params.steps,
        })
    }

    fn record(&mut self, rec: &TrainRecord, theta: &[f64]) {
        let err = self
            .probe
            .predict(theta, &self.x)
            .and_then(|f| {
                let t: Vec<f64> = f.iter().map(|v| v[0]).collect();
                l2_error(self.fd, &self.x, &t)
            })
            .unwrap_or(f64::NAN);
        self.t_err.push((rec.step, err));
        if self.reached.is_none()
            && ((rec.s_l - self.s_ref) / self.s_ref).abs() < 5e-3
            && err < 1e-2
        {
            self.reached = Some((rec.step, rec.seconds));
        }
    }
}

impl Observer for Accuracy<'_> {
    /// The checkpoints' states go to [`Accuracy::record`]; every step goes to the caller's observer.
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        if let Some(st) = info.state::<PinnState>()
            && (st.step % self.checkpoint_every == 0 || st.step == self.steps)
        {
            self.record(&st.record(), &st.theta);
        }
        self.outer.observe(info)
    }
    fn finish(&mut self, info: &SolveInfo) {
        self.outer.finish(info);
    }
}

/// The forward problem (see the module documentation).
pub struct FlameForward;

/// The forward problem's outputs.
#[derive(Clone, Debug, Serialize)]
pub struct ForwardReport {
    /// The trained network against the reference.
    pub trained: Trained,
}

impl Experiment for FlameForward {
    const NAME: &'static str = "flame-forward";
    const ABOUT: &'static str =
        "FlamePINN-1D Case 1 forward PINN: T(x) and s_L at φ = 0.42 against the FD reference";
    type Config = ForwardConfig;
    type Report = ForwardReport;

    fn run(cfg: &ForwardConfig, observer: &mut dyn Observer) -> Result<ForwardReport> {
        let model = model_at(cfg.t_in, cfg.p_atm, cfg.phi)?;
        let params = cfg.training.params(cfg.seed, DataWeights::Paper)?;
        let (s_ref, fd) = reference(&model)?;
        let mut acc = Accuracy::new(&model, &params, Problem::Forward, &fd, s_ref, observer)?;
        let sol = params
            .build()?
            .solve_observed(&PinnProblem::forward(&model)?, &mut acc)?;
        Ok(ForwardReport {
            trained: trained(&sol, &acc)?,
        })
    }

    fn render(cfg: &ForwardConfig, r: &ForwardReport, dir: &Path) -> Result<()> {
        let title = format!("Case 1 forward, φ = {}", cfg.phi);
        write_fields(dir, &r.trained, &title, &[])?;
        let h = &r.trained.history;
        let steps: Vec<f64> = h.iter().map(|h| h.step as f64).collect();
        let speeds: Vec<f64> = h.iter().map(|h| h.s_l).collect();
        let s_ref = r.trained.s_l_reference;
        LinePlot::new(format!("{title}: flame speed during training"))
            .labels("Adam step", "s_L (m/s)")
            .line("PINN", &steps, &speeds)
            .line(
                "reference",
                &[0.0, cfg.training.steps as f64],
                &[s_ref, s_ref],
            )
            .save(dir.join("speed.png"))
    }

    fn metrics(r: &ForwardReport) -> Vec<(String, f64)> {
        let t = &r.trained;
        vec![
            ("s_L relative error".into(), t.s_l_rel_error),
            ("T relative L2 error".into(), t.t_rel_l2_error),
            ("loss".into(), t.loss.total),
            (
                "Adam step reaching 0.5 % / 1 %".into(),
                t.accuracy_reached.map_or(f64::NAN, |(k, _)| k as f64),
            ),
        ]
    }

    fn summary(_cfg: &ForwardConfig, r: &ForwardReport) -> String {
        let t = &r.trained;
        format!(
            "s_L = {:.6} m/s (FD reference {:.6}), T relative L2 error {:.3} %, {} Adam steps + {} L-BFGS iterations, {:.1} s\n",
            t.s_l,
            t.s_l_reference,
            100.0 * t.t_rel_l2_error,
            t.steps,
            t.lbfgs_iterations,
            t.seconds
        )
    }

    fn seed(cfg: &ForwardConfig) -> u64 {
        cfg.seed
    }
}

/// One classical (FD least-squares) estimate, as relative errors against the truth.
#[derive(Clone, Debug, Serialize)]
pub struct ClassicalEstimate {
    /// Seed of the noise draw.
    pub noise_seed: u64,
    /// The weighting of the misfits.
    pub weights: String,
    /// Relative errors of s_L, λ, E_a.
    pub rel_error: [f64; 3],
    /// Relative 1σ standard errors of s_L, λ, E_a.
    pub rel_std: [f64; 3],
    /// The data χ² of the fit.
    pub chi2: f64,
}

/// The inverse problem's outputs.
#[derive(Clone, Debug, Serialize)]
pub struct InverseReport {
    /// The trained network against the reference.
    pub trained: Trained,
    /// The inferred conductivity λ (W/m/K) and activation energy E_a (J/mol).
    pub conductivity: f64,
    /// The inferred activation energy (J/mol).
    pub activation_energy: f64,
    /// Relative errors of s_L, λ, E_a.
    pub rel_error: [f64; 3],
    /// The observations (x in m, T in K).
    pub observations: (Vec<f64>, Vec<f64>),
    /// The PINN's data χ² (σ > 0 only).
    pub data_chi2: Option<f64>,
    /// The classical estimate from the same observations (σ > 0 only).
    pub classical: Option<ClassicalEstimate>,
    /// The classical estimate over noise seeds 0..`classical_draws`, both weightings.
    pub classical_draws: Vec<ClassicalEstimate>,
    /// The true λ and E_a (the model's).
    pub truth: (f64, f64),
}

/// The inverse problem (see the module documentation).
pub struct FlameInverse;

fn classical(
    model: &FlameModel,
    s_ref: f64,
    obs: &Observations,
    sigma: f64,
    weights: DataWeights,
    noise_seed: u64,
) -> Result<ClassicalEstimate> {
    let p = FdInverseParams {
        weights,
        ..FdInverseParams::default()
    };
    let f = fit_fd_inverse(model, obs, sigma, &p)?;
    Ok(ClassicalEstimate {
        noise_seed,
        weights: format!("{weights:?}").to_lowercase(),
        rel_error: [
            f.s_l / s_ref - 1.0,
            f.conductivity / model.conductivity - 1.0,
            f.activation_energy / model.activation_energy - 1.0,
        ],
        rel_std: [f.relative_std[0], f.relative_std[1], f.relative_std[2]],
        chi2: f.chi2,
    })
}

impl Experiment for FlameInverse {
    const NAME: &'static str = "flame-inverse";
    const ABOUT: &'static str = "FlamePINN-1D Case 1 inverse PINN: s_L, λ, E_a from noisy observations, beside the classical fit";
    type Config = InverseConfig;
    type Report = InverseReport;

    fn run(cfg: &InverseConfig, observer: &mut dyn Observer) -> Result<InverseReport> {
        let model = model_at(cfg.t_in, cfg.p_atm, cfg.phi)?;
        let params = cfg
            .training
            .params(cfg.seed, cfg.data_weights.into())?
            .initial_unknowns(cfg.init_s, cfg.init_lambda, cfg.init_ea);
        params.clone().build()?;
        let sigma = cfg.noise;
        let (s_ref, fd) = reference(&model)?;
        let obs = Observations::synthetic(&model, &fd, cfg.observations, sigma, cfg.noise_seed)?;
        let mut acc = Accuracy::new(
            &model,
            &params,
            Problem::Inverse(obs.clone()),
            &fd,
            s_ref,
            observer,
        )?;
        let sol = params
            .build()?
            .solve_observed(&PinnProblem::inverse(&model, &obs)?, &mut acc)?;
        let rel_error = [
            (sol.s_l - s_ref) / s_ref,
            (sol.conductivity - model.conductivity) / model.conductivity,
            (sol.activation_energy - model.activation_energy) / model.activation_energy,
        ];
        // the classical estimator and χ² weigh the misfits by σ: only for σ > 0
        let (data_chi2, classical_fit, draws) = if sigma > 0.0 {
            let pinn_t = sol.temperature(&obs.x)?;
            let chi2: f64 = pinn_t
                .iter()
                .zip(obs.temperature.iter().zip(&obs.velocity))
                .map(|(&t, (&t_obs, &u_obs))| {
                    let u = model.velocity(t, sol.s_l);
                    ((t - t_obs) / (sigma * t_obs)).powi(2)
                        + ((u - u_obs) / (sigma * u_obs)).powi(2)
                })
                .sum();
            let c = classical(
                &model,
                s_ref,
                &obs,
                sigma,
                DataWeights::Relative,
                cfg.noise_seed,
            )?;
            let mut draws = Vec::new();
            for seed in 0..cfg.classical_draws {
                let o = Observations::synthetic(&model, &fd, cfg.observations, sigma, seed)?;
                for w in [DataWeights::Relative, DataWeights::Paper] {
                    draws.push(classical(&model, s_ref, &o, sigma, w, seed)?);
                }
            }
            (Some(chi2), Some(c), draws)
        } else {
            (None, None, Vec::new())
        };
        Ok(InverseReport {
            trained: trained(&sol, &acc)?,
            conductivity: sol.conductivity,
            activation_energy: sol.activation_energy,
            rel_error,
            observations: (obs.x.clone(), obs.temperature.clone()),
            data_chi2,
            classical: classical_fit,
            classical_draws: draws,
            truth: (model.conductivity, model.activation_energy),
        })
    }

    fn render(cfg: &InverseConfig, r: &InverseReport, dir: &Path) -> Result<()> {
        let title = format!("Case 1 inverse, φ = {}", cfg.phi);
        write_fields(
            dir,
            &r.trained,
            &title,
            &[(
                "observations",
                r.observations.0.clone(),
                r.observations.1.clone(),
            )],
        )?;
        let h = &r.trained.history;
        let steps: Vec<f64> = h.iter().map(|h| h.step as f64).collect();
        let rel = |f: &dyn Fn(&HistoryRow) -> f64, truth: f64| -> Vec<f64> {
            h.iter().map(|h| f(h) / truth).collect()
        };
        LinePlot::new(format!("{title}: inferred parameters / truth"))
            .labels("Adam step", "value / truth")
            .line("s_L", &steps, &rel(&|h| h.s_l, r.trained.s_l_reference))
            .line("λ", &steps, &rel(&|h| h.conductivity, r.truth.0))
            .line("E_a", &steps, &rel(&|h| h.activation_energy, r.truth.1))
            .line("truth", &[0.0, cfg.training.steps as f64], &[1.0, 1.0])
            .save(dir.join("parameters.png"))?;
        if !r.classical_draws.is_empty() {
            let rows: Vec<Vec<f64>> = r
                .classical_draws
                .iter()
                .map(|c| {
                    let mut row = vec![
                        c.noise_seed as f64,
                        f64::from(u8::from(c.weights == "paper")),
                    ];
                    row.extend(c.rel_error);
                    row.extend(c.rel_std);
                    row
                })
                .collect();
            write_csv(
                &dir.join("classical_draws.csv"),
                &[
                    "noise_seed",
                    "paper_weights",
                    "s_l_rel_error",
                    "conductivity_rel_error",
                    "activation_energy_rel_error",
                    "s_l_rel_std",
                    "conductivity_rel_std",
                    "activation_energy_rel_std",
                ],
                &rows,
            )?;
        }
        Ok(())
    }

    fn metrics(r: &InverseReport) -> Vec<(String, f64)> {
        let mut m = vec![
            ("s_L relative error".into(), r.rel_error[0]),
            ("λ relative error".into(), r.rel_error[1]),
            ("E_a relative error".into(), r.rel_error[2]),
            ("T relative L2 error".into(), r.trained.t_rel_l2_error),
        ];
        if let Some(c) = &r.classical {
            m.push(("classical s_L relative error".into(), c.rel_error[0]));
            m.push(("classical λ relative error".into(), c.rel_error[1]));
            m.push(("classical E_a relative error".into(), c.rel_error[2]));
        }
        m
    }

    fn summary(_cfg: &InverseConfig, r: &InverseReport) -> String {
        let mut out = format!(
            "PINN: s_L = {:.6} m/s ({:+.3} %), λ = {:.6} W/m/K ({:+.3} %), E_a = {:.1} J/mol ({:+.3} %), {:.1} s\n",
            r.trained.s_l,
            100.0 * r.rel_error[0],
            r.conductivity,
            100.0 * r.rel_error[1],
            r.activation_energy,
            100.0 * r.rel_error[2],
            r.trained.seconds
        );
        for c in r.classical.iter().chain(&r.classical_draws) {
            out.push_str(&format!(
                "classical (noise seed {}, {} weights): s_L {:+.2} % (±{:.2}), λ {:+.2} % (±{:.2}), E_a {:+.2} % (±{:.2}), χ² {:.1}\n",
                c.noise_seed,
                c.weights,
                100.0 * c.rel_error[0],
                100.0 * c.rel_std[0],
                100.0 * c.rel_error[1],
                100.0 * c.rel_std[1],
                100.0 * c.rel_error[2],
                100.0 * c.rel_std[2],
                c.chi2
            ));
        }
        out
    }

    fn seed(cfg: &InverseConfig) -> u64 {
        cfg.seed
    }
}

/// One φ of the sweep.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    /// Equivalence ratio.
    pub phi: f64,
    /// The PINN's flame speed (m/s).
    pub s_l_pinn: f64,
    /// The FD reference's (m/s).
    pub s_l_fd: f64,
    /// (PINN − FD) / FD.
    pub s_l_rel_error: f64,
    /// T's relative L2 error.
    pub t_rel_l2_error: f64,
    /// Wall time of the training (s).
    pub seconds: f64,
}

/// The sweep's outputs.
#[derive(Clone, Debug, Serialize)]
pub struct SweepReport {
    /// One per φ.
    pub points: Vec<SweepPoint>,
}

/// s_L(φ) from the forward PINN and the FD reference (see the module documentation).
pub struct FlameSweep;

impl Experiment for FlameSweep {
    const NAME: &'static str = "flame-sweep";
    const ABOUT: &'static str =
        "FlamePINN-1D Case 1: s_L(φ) from the forward PINN against the FD solver";
    type Config = SweepConfig;
    type Report = SweepReport;

    fn run(cfg: &SweepConfig, observer: &mut dyn Observer) -> Result<SweepReport> {
        if cfg.phis.is_empty() {
            return Err(crate::Error::invalid("phis", "need at least one φ"));
        }
        let trainer = cfg.training.params(cfg.seed, DataWeights::Paper)?.build()?;
        let mut points = Vec::new();
        for &phi in &cfg.phis {
            let model = model_at(cfg.t_in, cfg.p_atm, phi)?;
            let (s_ref, fd) = reference(&model)?;
            let sol = trainer.solve_observed(&PinnProblem::forward(&model)?, observer)?;
            let x = uniform_points(model.length, 1001)?;
            let t_err = l2_error(&fd, &x, &sol.temperature(&x)?)?;
            points.push(SweepPoint {
                phi,
                s_l_pinn: sol.s_l,
                s_l_fd: s_ref,
                s_l_rel_error: (sol.s_l - s_ref) / s_ref,
                t_rel_l2_error: t_err,
                seconds: sol.info.seconds,
            });
        }
        Ok(SweepReport { points })
    }

    fn render(_cfg: &SweepConfig, r: &SweepReport, dir: &Path) -> Result<()> {
        let rows: Vec<Vec<f64>> = r
            .points
            .iter()
            .map(|p| {
                vec![
                    p.phi,
                    p.s_l_pinn,
                    p.s_l_fd,
                    p.s_l_rel_error,
                    p.t_rel_l2_error,
                    p.seconds,
                ]
            })
            .collect();
        write_csv(
            &dir.join("sweep.csv"),
            &[
                "phi",
                "s_l_pinn",
                "s_l_fd",
                "s_l_rel_error",
                "t_rel_l2_error",
                "seconds",
            ],
            &rows,
        )?;
        let col = |k: usize| rows.iter().map(|r| r[k]).collect::<Vec<_>>();
        LinePlot::new("Case 1 laminar flame speed: PINN vs finite differences")
            .labels("equivalence ratio φ", "s_L (m/s)")
            .line("finite differences + Newton", &col(0), &col(2))
            .points("PINN", &col(0), &col(1))
            .save(dir.join("sweep.png"))
    }

    fn metrics(r: &SweepReport) -> Vec<(String, f64)> {
        r.points
            .iter()
            .flat_map(|p| {
                [
                    (
                        format!("s_L relative error at φ = {}", p.phi),
                        p.s_l_rel_error,
                    ),
                    (
                        format!("T relative L2 error at φ = {}", p.phi),
                        p.t_rel_l2_error,
                    ),
                ]
            })
            .collect()
    }

    fn seed(cfg: &SweepConfig) -> u64 {
        cfg.seed
    }
}
