//! FlamePINN-1D Case 1 with parsimony's PINN engine: the forward problem (T(x) and the flame
//! speed s_L as an eigenvalue), the inverse problem (s_L, λ, E_a from noisy observations; also
//! fitted by the classical least-squares estimator of `flame::inverse_fd`, with its standard
//! errors) and a sweep of s_L over φ, each checked against the finite-difference reference
//! solver.
//!
//! Common flags: `--phi` (0.42 forward, 0.46 inverse), `--t-in` K (298), `--p` atm (1),
//! `--steps` Adam steps (30000), `--depth` (3), `--width` (64), `--points` collocation points
//! (1001), `--precision` f64|f32 (f64), `--threads` (1), `--lbfgs` L-BFGS polish iterations
//! (0), `--polish-weights` w₁,w₂,… (one L-BFGS polish per residual weight), `--seed` (0),
//! `--lr` (1e-3), `--residual-weight` (1). Forward and sweep: `--warmup` (1000). Inverse:
//! `--observations` (10), `--noise` relative σ (0.02), `--noise-seed` (0), `--data-weights`
//! paper|relative, `--init-s`, `--init-lambda`, `--init-ea` (0.4 m/s, 0.03 W/m/K, 1.5e5
//! J/mol), `--classical-draws` K (print the classical estimate for noise seeds 0..K with both
//! weightings; 0); the inverse defaults are its own recipe: `--data-weights relative --steps 5000
//! --lbfgs 1500 --polish-weights 1,10,100,1000` (the paper's: `--data-weights paper --steps
//! 30000 --lbfgs 0`). Sweep: `--phis` (0.40,…,0.50).

use crate::Result;
use crate::flame::data::{DataWeights, Observations, uniform_points};
use crate::flame::inverse_fd::{FdInverseParams, fit_fd_inverse};
use crate::flame::loss::{Case1Loss, Problem};
use crate::flame::mlp::Mlp;
use crate::flame::model::FlameModel;
use crate::flame::reference::{FdSolution, NewtonParams, solve_fd_richardson};
use crate::flame::train::{PinnParams, PinnProblem, PinnSolution, PinnState, TrainRecord};
use crate::output::{Flags, JsonValue, write_csv, write_json};
use crate::plot::{LinePlot, ProgressObserver};
use crate::simd::Precision;
use crate::solve::{Control, IterInfo, Observer, SolveInfo};

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

/// The training flags all three experiments take (see the module documentation).
pub const TRAINING_FLAGS: &[&str] = &[
    "t-in",
    "p",
    "steps",
    "depth",
    "width",
    "points",
    "precision",
    "threads",
    "lbfgs",
    "polish-weights",
    "seed",
    "lr",
    "residual-weight",
];

/// The flags [`run_forward`] takes besides `--out` and [`TRAINING_FLAGS`].
pub const FORWARD_FLAGS: &[&str] = &["phi", "warmup"];

/// The flags [`run_inverse`] takes besides `--out` and [`TRAINING_FLAGS`] (no `--warmup`: the
/// inverse trains without one).
pub const INVERSE_FLAGS: &[&str] = &[
    "phi",
    "observations",
    "noise",
    "noise-seed",
    "data-weights",
    "init-s",
    "init-lambda",
    "init-ea",
    "classical-draws",
];

/// The flags [`run_sweep`] takes besides `--out` and [`TRAINING_FLAGS`] (`--phis` instead of
/// `--phi`).
pub const SWEEP_FLAGS: &[&str] = &["phis", "warmup"];

/// The defaults of the training flags, per experiment.
struct Recipe {
    warmup: usize,
    steps: usize,
    lbfgs: usize,
    /// Residual weights of the L-BFGS polishes when `--lbfgs` is > 0 and `--polish-weights`
    /// is not given.
    polish_weights: &'static [f64],
    data_weights: &'static str,
}

/// The paper's forward recipe: Z-shape warm-up, 30 000 Adam steps, no polish.
const FORWARD: Recipe = Recipe {
    warmup: 1000,
    steps: 30_000,
    lbfgs: 0,
    polish_weights: &[],
    data_weights: "paper",
};

/// The inverse recipe: misfits weighted by their own noise, 5000 Adam steps, then L-BFGS
/// polishes of 1500 iterations at residual weights 1, 10, 100, 1000 (`--data-weights paper
/// --steps 30000 --lbfgs 0` is the paper's).
const INVERSE: Recipe = Recipe {
    warmup: 0,
    steps: 5_000,
    lbfgs: 1500,
    polish_weights: &[1.0, 10.0, 100.0, 1000.0],
    data_weights: "relative",
};

fn params_from(flags: &Flags, recipe: &Recipe) -> Result<PinnParams> {
    let precision = match flags.get("precision", "f64".to_string())?.as_str() {
        "f64" => Precision::F64,
        "f32" => Precision::F32,
        other => {
            return Err(crate::Error::invalid(
                "precision",
                format!("'{other}' is neither f64 nor f32"),
            ));
        }
    };
    let lbfgs = flags.get("lbfgs", recipe.lbfgs)?;
    // the recipe's polishes only when there is an L-BFGS stage to run them
    let polish_default: &[f64] = if lbfgs > 0 {
        recipe.polish_weights
    } else {
        &[]
    };
    let p = PinnParams::new()
        .network(flags.get("depth", 3)?, flags.get("width", 64)?)
        .collocation(flags.get("points", 1001)?)
        .steps(
            flags.get("warmup", recipe.warmup)?,
            flags.get("steps", recipe.steps)?,
        )
        .learning_rate(flags.get("lr", 1e-3)?, 1000, 0.95)
        .lbfgs_steps(lbfgs)
        .polish_weights(flags.list("polish-weights", polish_default)?)
        .residual_weight(flags.get("residual-weight", 1.0)?)
        .data_weights(data_weights_from(flags, recipe.data_weights)?)
        .precision(precision)
        .threads(flags.get("threads", 1)?)
        .seed(flags.get("seed", 0)?);
    // checked here, so that a bad flag fails before the reference is computed
    p.clone().build()?;
    Ok(p)
}

/// The classical estimate for noise seeds 0..`draws` with both weightings (`--classical-draws`):
/// how the estimates scatter over draws, against their standard errors.
fn classical_scan(
    model: &FlameModel,
    fd: &FdSolution,
    s_ref: f64,
    n_obs: usize,
    sigma: f64,
    draws: u64,
) -> Result<()> {
    for seed in 0..draws {
        let obs = Observations::synthetic(model, fd, n_obs, sigma, seed)?;
        for weights in [DataWeights::Relative, DataWeights::Paper] {
            let p = FdInverseParams {
                weights,
                ..FdInverseParams::default()
            };
            let f = fit_fd_inverse(model, &obs, sigma, &p)?;
            println!(
                "classical, noise seed {seed}, {weights:?} weights: s_L {:+.2} % (±{:.2}), λ {:+.2} % (±{:.2}), E_a {:+.2} % (±{:.2})",
                100.0 * (f.s_l / s_ref - 1.0),
                100.0 * f.relative_std[0],
                100.0 * (f.conductivity / model.conductivity - 1.0),
                100.0 * f.relative_std[1],
                100.0 * (f.activation_energy / model.activation_energy - 1.0),
                100.0 * f.relative_std[2],
            );
        }
    }
    Ok(())
}

/// `--data-weights paper|relative`.
fn data_weights_from(flags: &Flags, default: &str) -> Result<DataWeights> {
    match flags.get("data-weights", default.to_string())?.as_str() {
        "paper" => Ok(DataWeights::Paper),
        "relative" => Ok(DataWeights::Relative),
        other => Err(crate::Error::invalid(
            "data-weights",
            format!("'{other}' is neither paper nor relative"),
        )),
    }
}

/// The model at `--phi` (or `phi_default`), `--t-in`, `--p`, validated.
fn model_from(flags: &Flags, phi_default: f64) -> Result<FlameModel> {
    model_at(flags, flags.get("phi", phi_default)?)
}

/// The model at equivalence ratio `phi`, `--t-in`, `--p`, validated.
fn model_at(flags: &Flags, phi: f64) -> Result<FlameModel> {
    let model = FlameModel::new(
        flags.get("t-in", 298.0)?,
        flags.get("p", 1.0)? * 101_325.0,
        phi,
    );
    model.validate()?;
    Ok(model)
}

/// Writes the figures and tables common to forward and inverse runs (profile, residual, loss,
/// history with the monitor's T errors `acc`); returns T's relative L2 error over [0, L].
fn write_fields(
    flags: &Flags,
    sol: &PinnSolution,
    acc: &Accuracy,
    title: &str,
    extra: &[(&str, Vec<f64>, Vec<f64>)],
) -> Result<f64> {
    let fd = acc.fd;
    write_csv(
        &flags.out.join("history.csv"),
        &HISTORY_HEADER,
        &history_rows(&sol.history, acc.s_ref, &acc.t_err),
    )?;
    let x = uniform_points(sol.model.length, 1001)?;
    let t = sol.temperature(&x)?;
    let r = sol.residual(&x)?;
    let t_ref: Vec<f64> = x
        .iter()
        .map(|&xi| fd.temperature_at(xi))
        .collect::<Result<_>>()?;
    let err = l2_error(fd, &x, &t)?;
    let x_mm: Vec<f64> = x.iter().map(|v| v * 1e3).collect();
    let rows: Vec<Vec<f64>> = (0..x.len())
        .map(|i| vec![x[i], t[i], t_ref[i], r[i]])
        .collect();
    write_csv(
        &flags.out.join("profile.csv"),
        &["x_m", "t_pinn_k", "t_reference_k", "residual"],
        &rows,
    )?;
    let mut plot = LinePlot::new(format!("{title}: temperature, T rel. L2 error {err:.2e}"))
        .labels("x (mm)", "T (K)")
        .line("finite differences (reference)", &x_mm, &t_ref)
        .line("PINN", &x_mm, &t);
    for (name, xs, ys) in extra {
        let xs_mm: Vec<f64> = xs.iter().map(|v| v * 1e3).collect();
        plot = plot.points(*name, &xs_mm, ys);
    }
    plot.save(flags.out.join("temperature.png"))?;
    let r_abs: Vec<f64> = r.iter().map(|v| v.abs().max(1e-16)).collect();
    LinePlot::new(format!("{title}: |energy residual| (normalised)"))
        .labels("x (mm)", "|r|")
        .log_y(true)
        .line("PINN", &x_mm, &r_abs)
        .save(flags.out.join("residual.png"))?;
    let steps: Vec<f64> = sol.history.iter().map(|h| h.step as f64).collect();
    let losses: Vec<f64> = sol.history.iter().map(|h| h.loss.total).collect();
    LinePlot::new(format!("{title}: training loss"))
        .labels("Adam step", "loss")
        .log_y(true)
        .line("total", &steps, &losses)
        .save(flags.out.join("loss.png"))?;
    Ok(err)
}

fn history_rows(h: &[TrainRecord], s_ref: f64, t_err: &[(usize, f64)]) -> Vec<Vec<f64>> {
    h.iter()
        .map(|r| {
            // the observer's T error at this step (NaN for step 0, before the first Adam step)
            let e = t_err
                .iter()
                .find(|(k, _)| *k == r.step)
                .map_or(f64::NAN, |&(_, e)| e);
            vec![
                r.step as f64,
                r.seconds,
                r.loss.total,
                r.loss.residual,
                r.loss.boundary,
                r.loss.data,
                r.s_l,
                (r.s_l - s_ref) / s_ref,
                r.conductivity,
                r.activation_energy,
                e,
            ]
        })
        .collect()
}

const HISTORY_HEADER: [&str; 11] = [
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
];

/// An observer that records T's L2 error at every checkpoint and the first time s_L and T are
/// within the acceptance tolerances (0.5 %, 1 %), and draws the progress bar.
struct Accuracy<'a> {
    bar: ProgressObserver,
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
    ) -> Result<Self> {
        let mlp = Mlp::hidden(params.hidden_layers, params.width)?;
        Ok(Self {
            bar: ProgressObserver::new("Adam", params.steps as u64),
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
    /// The checkpoints' states go to [`Accuracy::record`]; every step moves the bar.
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        if let Some(st) = info.state::<PinnState>()
            && (st.step % self.checkpoint_every == 0 || st.step == self.steps)
        {
            self.record(&st.record(), &st.theta);
        }
        self.bar.observe(info)
    }
    fn finish(&mut self, info: &SolveInfo) {
        self.bar.finish(info);
    }
}

/// The forward problem: train, compare with the FD reference, write figures and tables.
pub fn run_forward(flags: &Flags) -> Result<()> {
    flags.accept(&[TRAINING_FLAGS, FORWARD_FLAGS].concat())?;
    let model = model_from(flags, 0.42)?;
    let params = params_from(flags, &FORWARD)?;
    println!(
        "FlamePINN-1D Case 1 forward: φ = {}, T_in = {} K, p = {} Pa, L = {} mm; MLP {}×{} tanh, {} points, {:?}, {} warm-up + {} Adam steps (lr {} × 0.95^(k/1000)), L-BFGS {}, seed {}",
        model.phi,
        model.t_in,
        model.p_in,
        model.length * 1e3,
        params.hidden_layers,
        params.width,
        params.collocation,
        params.precision,
        params.warmup_steps,
        params.steps,
        params.learning_rate,
        params.lbfgs_steps,
        params.seed
    );
    let (s_ref, fd) = reference(&model)?;
    println!("reference (FD + Newton, Richardson 4000/8000): s_L = {s_ref:.8} m/s");
    let mut acc = Accuracy::new(&model, &params, Problem::Forward, &fd, s_ref)?;
    let sol = params
        .clone()
        .build()?
        .solve_observed(&PinnProblem::forward(&model)?, &mut acc)?;
    let s_err = (sol.s_l - s_ref) / s_ref;
    let title = format!("Case 1 forward, φ = {}", model.phi);
    let t_err = write_fields(flags, &sol, &acc, &title, &[])?;
    let steps: Vec<f64> = sol.history.iter().map(|h| h.step as f64).collect();
    let speeds: Vec<f64> = sol.history.iter().map(|h| h.s_l).collect();
    LinePlot::new(format!("{title}: flame speed during training"))
        .labels("Adam step", "s_L (m/s)")
        .line("PINN", &steps, &speeds)
        .line("reference", &[0.0, params.steps as f64], &[s_ref, s_ref])
        .save(flags.out.join("speed.png"))?;
    println!(
        "PINN: s_L = {:.6} m/s (error {:+.3} %), T relative L2 error {:.3} %, loss {:.3e} (residual {:.3e}, boundary {:.3e}) at Adam step {} of {}; {:.1} s{}",
        sol.s_l,
        100.0 * s_err,
        100.0 * t_err,
        sol.loss.total,
        sol.loss.residual,
        sol.loss.boundary,
        sol.best_step,
        sol.info.iterations,
        sol.info.seconds,
        if sol.lbfgs_iterations() > 0 {
            format!(
                "; L-BFGS {} iterations ({})",
                sol.lbfgs_iterations(),
                if sol.lbfgs_improved() {
                    "lowered the loss"
                } else {
                    "did not lower the loss"
                }
            )
        } else {
            String::new()
        }
    );
    match acc.reached {
        Some((k, s)) => println!(
            "time to accuracy (|s_L error| < 0.5 % and T L2 < 1 %, checked every 100 steps): {s:.1} s (Adam step {k})"
        ),
        None => println!("the accuracy targets (0.5 %, 1 %) were not reached at a checkpoint"),
    }
    let (k_acc, s_acc) = acc.reached.map_or((-1, f64::NAN), |(k, s)| (k as i64, s));
    write_json(
        &flags.out.join("summary.json"),
        &[
            ("phi", JsonValue::Num(model.phi)),
            ("s_l_pinn", JsonValue::Num(sol.s_l)),
            ("s_l_reference", JsonValue::Num(s_ref)),
            ("s_l_rel_error", JsonValue::Num(s_err)),
            ("t_rel_l2_error", JsonValue::Num(t_err)),
            ("loss", JsonValue::Num(sol.loss.total)),
            ("best_step", JsonValue::Int(sol.best_step as i64)),
            ("steps", JsonValue::Int(sol.info.iterations as i64)),
            (
                "lbfgs_iterations",
                JsonValue::Int(sol.lbfgs_iterations() as i64),
            ),
            ("lbfgs_improved", JsonValue::Bool(sol.lbfgs_improved())),
            ("seconds", JsonValue::Num(sol.info.seconds)),
            ("accuracy_step", JsonValue::Int(k_acc)),
            ("accuracy_seconds", JsonValue::Num(s_acc)),
            (
                "precision",
                JsonValue::Str(format!("{:?}", params.precision)),
            ),
        ],
    )?;
    println!(
        "wrote temperature.png, residual.png, loss.png, speed.png, profile.csv, history.csv, summary.json to {}",
        flags.out.display()
    );
    Ok(())
}

/// The inverse problem: s_L, λ, E_a from noisy observations generated by the FD reference.
pub fn run_inverse(flags: &Flags) -> Result<()> {
    flags.accept(&[TRAINING_FLAGS, INVERSE_FLAGS].concat())?;
    let model = model_from(flags, 0.46)?;
    let params = params_from(flags, &INVERSE)?.initial_unknowns(
        flags.get("init-s", 0.4)?,
        flags.get("init-lambda", 0.03)?,
        flags.get("init-ea", 1.5e5)?,
    );
    let n_obs: usize = flags.get("observations", 10)?;
    let sigma: f64 = flags.get("noise", 0.02)?;
    let noise_seed: u64 = flags.get("noise-seed", 0)?;
    println!(
        "FlamePINN-1D Case 1 inverse: φ = {}, T_in = {} K; {n_obs} observations of T and u with {} % multiplicative noise (seed {noise_seed}); unknowns s_L, λ, E_a from {} m/s, {} W/m/K, {} J/mol; MLP {}×{}, {:?}, {} Adam steps, {:?} data weights, L-BFGS polishes of {} iterations at residual weights {:?}",
        model.phi,
        model.t_in,
        100.0 * sigma,
        params.initial_speed,
        params.initial_conductivity,
        params.initial_activation_energy,
        params.hidden_layers,
        params.width,
        params.precision,
        params.steps,
        params.data_weights,
        params.lbfgs_steps,
        params.polish_weights
    );
    let (s_ref, fd) = reference(&model)?;
    let obs = Observations::synthetic(&model, &fd, n_obs, sigma, noise_seed)?;
    let mut acc = Accuracy::new(&model, &params, Problem::Inverse(obs.clone()), &fd, s_ref)?;
    let sol = params
        .clone()
        .build()?
        .solve_observed(&PinnProblem::inverse(&model, &obs)?, &mut acc)?;
    let errs = [
        (sol.s_l - s_ref) / s_ref,
        (sol.conductivity - model.conductivity) / model.conductivity,
        (sol.activation_energy - model.activation_energy) / model.activation_energy,
    ];
    let title = format!("Case 1 inverse, φ = {}", model.phi);
    let t_err = write_fields(
        flags,
        &sol,
        &acc,
        &title,
        &[("observations", obs.x.clone(), obs.temperature.clone())],
    )?;
    let steps: Vec<f64> = sol.history.iter().map(|h| h.step as f64).collect();
    let rel = |f: &dyn Fn(&TrainRecord) -> f64, truth: f64| -> Vec<f64> {
        sol.history.iter().map(|h| f(h) / truth).collect()
    };
    LinePlot::new(format!("{title}: inferred parameters / truth"))
        .labels("Adam step", "value / truth")
        .line("s_L", &steps, &rel(&|h| h.s_l, s_ref))
        .line("λ", &steps, &rel(&|h| h.conductivity, model.conductivity))
        .line(
            "E_a",
            &steps,
            &rel(&|h| h.activation_energy, model.activation_energy),
        )
        .line("truth", &[0.0, params.steps as f64], &[1.0, 1.0])
        .save(flags.out.join("parameters.png"))?;
    println!(
        "PINN: s_L = {:.6} m/s (reference {s_ref:.6}, error {:+.3} %), λ = {:.6} W/m/K (true {}, {:+.3} %), E_a = {:.1} J/mol (true {}, {:+.3} %); T relative L2 error {:.3} %; loss {:.3e} (residual {:.3e}, data {:.3e}) at Adam step {}; {:.1} s",
        sol.s_l,
        100.0 * errs[0],
        sol.conductivity,
        model.conductivity,
        100.0 * errs[1],
        sol.activation_energy,
        model.activation_energy,
        100.0 * errs[2],
        100.0 * t_err,
        sol.loss.total,
        sol.loss.residual,
        sol.loss.data,
        sol.best_step,
        sol.info.seconds
    );
    let mut summary = vec![
        ("phi", JsonValue::Num(model.phi)),
        ("observations", JsonValue::Int(n_obs as i64)),
        ("noise", JsonValue::Num(sigma)),
        ("s_l", JsonValue::Num(sol.s_l)),
        ("s_l_reference", JsonValue::Num(s_ref)),
        ("s_l_rel_error", JsonValue::Num(errs[0])),
        ("conductivity", JsonValue::Num(sol.conductivity)),
        ("conductivity_rel_error", JsonValue::Num(errs[1])),
        ("activation_energy", JsonValue::Num(sol.activation_energy)),
        ("activation_energy_rel_error", JsonValue::Num(errs[2])),
        ("t_rel_l2_error", JsonValue::Num(t_err)),
        ("loss", JsonValue::Num(sol.loss.total)),
        ("seconds", JsonValue::Num(sol.info.seconds)),
    ];
    if sigma > 0.0 {
        summary.extend(classical_comparison(
            flags, &model, &fd, &obs, &sol, s_ref, sigma,
        )?);
    } else {
        println!(
            "noise-free observations: no classical fit or χ² (both weigh the misfits by σ > 0)"
        );
    }
    write_json(&flags.out.join("summary.json"), &summary)?;
    println!(
        "wrote temperature.png, residual.png, loss.png, parameters.png, profile.csv, history.csv, summary.json to {}",
        flags.out.display()
    );
    Ok(())
}

/// The same observations by the classical estimator (what the data can fix at all), printed
/// beside the PINN's data χ²; returns the summary fields. Needs σ > 0.
fn classical_comparison(
    flags: &Flags,
    model: &FlameModel,
    fd: &FdSolution,
    obs: &Observations,
    sol: &PinnSolution,
    s_ref: f64,
    sigma: f64,
) -> Result<Vec<(&'static str, JsonValue)>> {
    let pinn_t = sol.temperature(&obs.x)?;
    let pinn_chi2: f64 = pinn_t
        .iter()
        .zip(obs.temperature.iter().zip(&obs.velocity))
        .map(|(&t, (&t_obs, &u_obs))| {
            let u = model.velocity(t, sol.s_l);
            ((t - t_obs) / (sigma * t_obs)).powi(2) + ((u - u_obs) / (sigma * u_obs)).powi(2)
        })
        .sum();
    let classical = fit_fd_inverse(model, obs, sigma, &FdInverseParams::default())?;
    classical_scan(
        model,
        fd,
        s_ref,
        obs.x.len(),
        sigma,
        flags.get("classical-draws", 0)?,
    )?;
    let cerr = [
        (classical.s_l - s_ref) / s_ref,
        (classical.conductivity - model.conductivity) / model.conductivity,
        (classical.activation_energy - model.activation_energy) / model.activation_energy,
    ];
    println!(
        "classical (FD least squares, relative weights, λ, E_a and G free): s_L {:+.3} % (±{:.2} %), λ {:+.3} % (±{:.2} %), E_a {:+.3} % (±{:.2} %) (1σ standard errors); data χ² {:.1} against the PINN's {:.1} ({} numbers)",
        100.0 * cerr[0],
        100.0 * classical.relative_std[0],
        100.0 * cerr[1],
        100.0 * classical.relative_std[1],
        100.0 * cerr[2],
        100.0 * classical.relative_std[2],
        classical.chi2,
        pinn_chi2,
        2 * obs.x.len()
    );
    Ok(vec![
        ("data_chi2", JsonValue::Num(pinn_chi2)),
        ("classical_s_l_rel_error", JsonValue::Num(cerr[0])),
        ("classical_conductivity_rel_error", JsonValue::Num(cerr[1])),
        (
            "classical_activation_energy_rel_error",
            JsonValue::Num(cerr[2]),
        ),
        (
            "classical_s_l_rel_std",
            JsonValue::Num(classical.relative_std[0]),
        ),
        (
            "classical_conductivity_rel_std",
            JsonValue::Num(classical.relative_std[1]),
        ),
        (
            "classical_activation_energy_rel_std",
            JsonValue::Num(classical.relative_std[2]),
        ),
        ("classical_chi2", JsonValue::Num(classical.chi2)),
    ])
}

/// s_L(φ) from the forward PINN and from the FD reference.
pub fn run_sweep(flags: &Flags) -> Result<()> {
    if flags.has("phi") {
        return Err(crate::Error::invalid(
            "phi",
            "the sweep takes its equivalence ratios from --phis",
        ));
    }
    flags.accept(&[TRAINING_FLAGS, SWEEP_FLAGS].concat())?;
    let params = params_from(flags, &FORWARD)?;
    let trainer = params.clone().build()?;
    let phis = flags.list("phis", &[0.40, 0.42, 0.44, 0.46, 0.48, 0.50])?;
    println!(
        "FlamePINN-1D Case 1 sweep over φ = {phis:?}: forward PINN ({}×{}, {:?}, {} + {} steps) vs FD reference",
        params.hidden_layers, params.width, params.precision, params.warmup_steps, params.steps
    );
    let mut rows = Vec::new();
    for &phi in &phis {
        let model = model_at(flags, phi)?;
        let (s_ref, fd) = reference(&model)?;
        let sol = trainer.solve(&PinnProblem::forward(&model)?)?;
        let x = uniform_points(model.length, 1001)?;
        let t_err = l2_error(&fd, &x, &sol.temperature(&x)?)?;
        let s_err = (sol.s_l - s_ref) / s_ref;
        println!(
            "φ = {phi:.2}: s_L PINN {:.6} m/s, FD {s_ref:.6} m/s ({:+.3} %), T L2 error {:.3} %, {:.1} s",
            sol.s_l,
            100.0 * s_err,
            100.0 * t_err,
            sol.info.seconds
        );
        rows.push(vec![phi, sol.s_l, s_ref, s_err, t_err, sol.info.seconds]);
    }
    write_csv(
        &flags.out.join("sweep.csv"),
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
        .save(flags.out.join("sweep.png"))?;
    println!("wrote sweep.png, sweep.csv to {}", flags.out.display());
    Ok(())
}
