//! The Case 1 PINN losses in the normalised form of FlamePINN-1D (shared/specs/flame.md §6.2)
//! and their exact gradients.
//!
//! # Normalisation ("thin-layer normalisation")
//! The network sees x̂ = s_x x with s_x = 10/L (the 1.5 mm domain becomes [0, 10]) and returns
//! N(x̂); the temperature is bounded by the output transform T = T_in + (T_max − T_in) σ(N)
//! (σ the logistic function), so that Y_F ≥ 0 and u(T) stays real. With s_T = 5/T_max:
//!
//! ```text
//!   r(x)  = (s_T/s_x) [T' − λ/(m c_p) T'' − q_F/(m c_p) ω(T; s_L)]     (energy residual)
//!   b₁    = s_T (T(0) − T_in),    b₂ = (s_T/s_x)(T'(0) − G)             (inlet conditions)
//!   d_T,j = s_T (T(x_j) − T_obs,j),    d_u,j = u(T(x_j); s_L) − u_obs,j (observations)
//! ```
//!
//! Forward loss: mean r² + b₁² + b₂² with s_L trainable. Inverse loss: mean r² + mean d_T² +
//! mean d_u² with s_L, λ and E_a trainable, stored as s_L, 10 λ and 10⁻⁶ E_a. The misfits d
//! above are the paper's; [`DataWeights::Relative`] divides each by its observation instead
//! (times κ = 2.5), the maximum-likelihood weighting for multiplicative noise.
//!
//! # Gradient
//! The derivatives T', T'' follow from the network's Taylor streams (n, n₁, n₂) by the chain
//! rule, T' = ΔT σ'(n) n₁ s_x and T'' = ΔT (σ''(n) n₁² + σ'(n) n₂) s_x². The loss's pointwise
//! adjoints of (T, T', T'') are mapped back to adjoints of (n, n₁, n₂) (using σ''') and passed
//! to [`MlpWorkspace::backward`]; the physical parameters' gradients come from the explicit
//! partial derivatives of r and d_u. The pointwise physics always runs in `f64`; the network
//! runs in the chosen [`Real`] type.

use crate::data::{DataWeights, Observations, Scaling};
use crate::mlp::{Mlp, MlpWorkspace};
use crate::model::FlameModel;
use crate::pointwise::{
    BlockTerms, ResidualConstants, point_residual, residual_block, sigmoid_derivatives,
    stream_adjoints, temperature_streams,
};
use parsimony_core::simd::Real;
use parsimony_core::{Error, Result};

/// Bytes of one neuron's stream over a block of the fused forward/loss/backward pass: a block holds
/// `BLOCK_BYTES / size_of::<F>()` points (128 in f64, 256 in f32), so that its Taylor streams
/// take the same room in cache in either type (measured best of 64, 128, 256 and 512 points
/// for both networks: 128 in f64, 256 in f32; BENCHMARKS.md F1, session 11).
const BLOCK_BYTES: usize = 1024;

/// Points per block for the network type `F`.
const fn block<F>() -> usize {
    BLOCK_BYTES / std::mem::size_of::<F>()
}

/// The scale of the trained conductivity: the optimiser sees 10 λ.
pub const CONDUCTIVITY_SCALE: f64 = 10.0;
/// The scale of the trained activation energy: the optimiser sees 10⁻⁶ E_a.
pub const ACTIVATION_SCALE: f64 = 1e-6;

/// The parts of a loss value.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LossParts {
    /// The total loss.
    pub total: f64,
    /// mean r² over the collocation points (unweighted).
    pub residual: f64,
    /// b₁² + b₂² (forward problem).
    pub boundary: f64,
    /// mean d_T² + mean d_u² (inverse problem).
    pub data: f64,
}

/// Which problem a [`Case1Loss`] poses.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// s_L unknown; inlet conditions T(0) = T_in, T'(0) = G.
    Forward,
    /// s_L, λ, E_a unknown; no inlet conditions; observations of T and u.
    Inverse(Observations),
}

/// The most threads [`Case1Loss::with_threads`] uses.
pub const MAX_THREADS: usize = 256;

/// The Case 1 loss L(θ) with θ = [network parameters, s_L] (forward) or
/// [network parameters, s_L, 10 λ, 10⁻⁶ E_a] (inverse), and its gradient.
#[derive(Clone, Debug)]
pub struct Case1Loss<F: Real> {
    model: FlameModel,
    mlp: Mlp,
    scaling: Scaling,
    problem: Problem,
    n_colloc: usize,
    residual_weight: f64,
    data_weights: DataWeights,
    xhat: Vec<F>,
    theta_f: Vec<F>,
    lanes: Vec<Lane<F>>,
}

/// One thread's buffers: network workspace, stream adjoints of a block, gradient.
#[derive(Clone, Debug)]
struct Lane<F: Real> {
    ws: MlpWorkspace<F>,
    adj: Vec<F>,
    /// The collocation points' r², w r ∂r/∂(s_L, λ, E_a) of a block.
    terms: Vec<f64>,
    grad: Vec<F>,
}

impl<F: Real> Lane<F> {
    fn new(n_params: usize) -> Self {
        Self {
            ws: MlpWorkspace::new(),
            adj: Vec::new(),
            terms: Vec::new(),
            grad: vec![F::zero(); n_params],
        }
    }
}

/// Sums over one range of points.
#[derive(Clone, Copy, Debug, Default)]
struct Partial {
    residual: f64,
    boundary: f64,
    dt_sum: f64,
    du_sum: f64,
    g_params: [f64; 3],
}

/// What every lane reads.
struct Shared<'a, F: Real> {
    mlp: &'a Mlp,
    theta_f: &'a [F],
    xhat: &'a [F],
    model: &'a FlameModel,
    sc: Scaling,
    problem: &'a Problem,
    data_weights: DataWeights,
    n_colloc: usize,
    /// 2 w / N_c and 2 / N_obs: the factors of the squared terms' gradients.
    w: f64,
    wo: f64,
    s: f64,
    want_grad: bool,
}

/// Forward, pointwise loss and adjoints, backward, block by block over points `start..end`
/// (the block's activations stay in cache); the gradient goes to `lane.grad`.
fn run_range<F: Real>(sh: &Shared<F>, start: usize, end: usize, lane: &mut Lane<F>) -> Partial {
    let (model, sc, s, w, wo, nc) = (sh.model, sh.sc, sh.s, sh.w, sh.wo, sh.n_colloc);
    let dt = model.t_max() - model.t_in;
    let consts = ResidualConstants::new(model, &sc, s, w);
    let mut acc = Partial::default();
    let mut b0 = start;
    while b0 < end {
        let b1 = (b0 + block::<F>()).min(end);
        let nb = b1 - b0;
        let out = lane
            .ws
            .forward_unchecked(sh.mlp, sh.theta_f, &sh.xhat[b0..b1]);
        // the collocation points of the block, vectorised; then the few boundary or
        // observation points, which come after all collocation points
        let nbc = nc.saturating_sub(b0).min(nb);
        lane.adj.resize(3 * nb, F::zero());
        lane.terms.resize(4 * block::<F>(), 0.0);
        {
            let (a0, rest) = lane.adj.split_at_mut(nb);
            let (a1, a2) = rest.split_at_mut(nb);
            let (r2, rest) = lane.terms.split_at_mut(nbc);
            let (g0, rest) = rest.split_at_mut(nbc);
            let (g1, rest) = rest.split_at_mut(nbc);
            let g2 = &mut rest[..nbc];
            residual_block(
                &consts,
                [&out[..nbc], &out[nb..nb + nbc], &out[2 * nb..2 * nb + nbc]],
                BlockTerms {
                    r2,
                    g_params: [g0, g1, g2],
                },
                [&mut a0[..nbc], &mut a1[..nbc], &mut a2[..nbc]],
            );
            let [r2, g0, g1, g2] = [0, 1, 2, 3].map(|j| &lane.terms[j * nbc..(j + 1) * nbc]);
            for i in 0..nbc {
                acc.residual += r2[i];
                acc.g_params[0] += g0[i];
                acc.g_params[1] += g1[i];
                acc.g_params[2] += g2[i];
            }
        }
        for i in nbc..nb {
            let k = b0 + i;
            let (n0, n1, n2) = (out[i].f64(), out[nb + i].f64(), out[2 * nb + i].f64());
            let sg = sigmoid_derivatives(n0);
            let f = temperature_streams(model, &sc, &sg, n1, n2);
            // adjoints of (T, T', T'') at this point
            let g = match sh.problem {
                Problem::Forward => {
                    let b1 = sc.s_t * (f[0] - model.t_in);
                    let b2 = sc.s_t / sc.s_x * (f[1] - model.inlet_gradient);
                    acc.boundary = b1 * b1 + b2 * b2;
                    [2.0 * b1 * sc.s_t, 2.0 * b2 * sc.s_t / sc.s_x, 0.0]
                }
                Problem::Inverse(obs) => {
                    let j = k - nc;
                    // d_T = a_T (T − T̃), d_u = a_u (u − ũ)
                    let (a_t, a_u) = match sh.data_weights {
                        DataWeights::Paper => (sc.s_t, 1.0),
                        DataWeights::Relative => {
                            let kappa = 0.5 * sc.s_t * model.t_max();
                            (kappa / obs.temperature[j], kappa / obs.velocity[j])
                        }
                    };
                    let d_t = a_t * (f[0] - obs.temperature[j]);
                    let [u, u_t, u_s] = model.velocity_derivatives(f[0], s);
                    let d_u = a_u * (u - obs.velocity[j]);
                    acc.dt_sum += d_t * d_t;
                    acc.du_sum += d_u * d_u;
                    acc.g_params[0] += wo * d_u * a_u * u_s;
                    [wo * (d_t * a_t + d_u * a_u * u_t), 0.0, 0.0]
                }
            };
            if sh.want_grad {
                let a = stream_adjoints(dt, &sc, &sg, n1, n2, g);
                lane.adj[i] = F::of(a[0]);
                lane.adj[nb + i] = F::of(a[1]);
                lane.adj[2 * nb + i] = F::of(a[2]);
            }
        }
        if sh.want_grad {
            lane.ws.backward_unchecked(
                sh.mlp,
                sh.theta_f,
                &sh.xhat[b0..b1],
                &lane.adj,
                &mut lane.grad,
                b0 > start,
            );
        }
        b0 = b1;
    }
    acc
}

impl<F: Real> Case1Loss<F> {
    /// The loss for `model` with network `mlp` at the collocation points `x` (m, inside
    /// [0, L]).
    pub fn new(model: &FlameModel, mlp: &Mlp, x: &[f64], problem: Problem) -> Result<Self> {
        model.validate()?;
        if x.is_empty() {
            return Err(Error::invalid(
                "collocation points",
                "need at least one point",
            ));
        }
        parsimony_core::linalg::check_finite("collocation points", x)?;
        if let Some(&p) = x.iter().find(|&&p| !(0.0..=model.length).contains(&p)) {
            return Err(Error::invalid(
                "collocation points",
                format!("{p:e} m is outside the domain [0, {:e}] m", model.length),
            ));
        }
        let scaling = Scaling::for_model(model);
        let mut pts: Vec<f64> = x.to_vec();
        match &problem {
            Problem::Forward => pts.push(0.0),
            Problem::Inverse(obs) => {
                obs.validate(model.length)?;
                pts.extend_from_slice(&obs.x);
            }
        }
        let xhat = pts.iter().map(|&p| F::of(scaling.s_x * p)).collect();
        Ok(Self {
            model: model.clone(),
            mlp: mlp.clone(),
            scaling,
            problem,
            n_colloc: x.len(),
            residual_weight: 1.0,
            data_weights: DataWeights::Paper,
            xhat,
            theta_f: vec![F::zero(); mlp.n_params()],
            lanes: vec![Lane::new(mlp.n_params())],
        })
    }

    /// Weights the residual term: L = w · mean r² + … (default 1, the paper's; must be > 0).
    pub fn with_residual_weight(mut self, w: f64) -> Result<Self> {
        parsimony_core::error::check_positive("residual_weight", w)?;
        self.residual_weight = w;
        Ok(self)
    }

    /// Changes the residual weight of an existing loss (a continuation in w).
    pub fn set_residual_weight(&mut self, w: f64) -> Result<()> {
        parsimony_core::error::check_positive("residual_weight", w)?;
        self.residual_weight = w;
        Ok(())
    }

    /// Weighs the observations' misfits (inverse problem): [`DataWeights::Paper`] (default)
    /// or [`DataWeights::Relative`].
    pub fn with_data_weights(mut self, weights: DataWeights) -> Self {
        self.data_weights = weights;
        self
    }

    /// Splits the points over `threads` threads (rayon's global pool), each with its own
    /// buffers; the partial gradients are summed. 1 (the default) runs on the calling thread.
    /// More threads than blocks of points (or than [`MAX_THREADS`]) are capped: a lane without
    /// points would only hold buffers.
    pub fn with_threads(mut self, threads: usize) -> Self {
        let np = self.mlp.n_params();
        let blocks = self.xhat.len().div_ceil(block::<F>()).max(1);
        let lanes = threads.clamp(1, blocks.min(MAX_THREADS));
        self.lanes = (0..lanes).map(|_| Lane::new(np)).collect();
        self
    }

    /// Number of trained physical unknowns (1 forward, 3 inverse).
    pub fn n_unknowns(&self) -> usize {
        match self.problem {
            Problem::Forward => 1,
            Problem::Inverse(_) => 3,
        }
    }

    /// Length of θ.
    pub fn dim(&self) -> usize {
        self.mlp.n_params() + self.n_unknowns()
    }

    /// The network.
    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }

    /// The physical model (λ and E_a at their configured values).
    pub fn model(&self) -> &FlameModel {
        &self.model
    }

    /// The normalisation scales.
    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// The collocation points' count.
    pub fn n_collocation(&self) -> usize {
        self.n_colloc
    }

    /// Appends the initial physical unknowns in their trained (scaled) form to network
    /// parameters: s_L (forward) or s_L, 10 λ, 10⁻⁶ E_a (inverse).
    pub fn initial_theta(&self, net: Vec<f64>, s_l: f64, lambda: f64, e_a: f64) -> Vec<f64> {
        let mut theta = net;
        theta.push(s_l);
        if let Problem::Inverse(_) = self.problem {
            theta.push(CONDUCTIVITY_SCALE * lambda);
            theta.push(ACTIVATION_SCALE * e_a);
        }
        theta
    }

    /// (s_L, λ, E_a) in physical units from θ (λ and E_a are the model's for the forward
    /// problem). θ must have [`dim`](Self::dim) entries.
    pub fn unknowns(&self, theta: &[f64]) -> Result<(f64, f64, f64)> {
        parsimony_core::error::check_len("θ", self.dim(), theta.len())?;
        Ok(self.unknowns_unchecked(theta))
    }

    fn unknowns_unchecked(&self, theta: &[f64]) -> (f64, f64, f64) {
        let np = self.mlp.n_params();
        match self.problem {
            Problem::Forward => (
                theta[np],
                self.model.conductivity,
                self.model.activation_energy,
            ),
            Problem::Inverse(_) => (
                theta[np],
                theta[np + 1] / CONDUCTIVITY_SCALE,
                theta[np + 2] / ACTIVATION_SCALE,
            ),
        }
    }

    /// L(θ) and, when `grad` is given, ∇L(θ) written into it (length [`dim`](Self::dim)).
    /// Errors: a θ holding NaN or ±inf, unknowns (s_L, λ, E_a) that are not > 0, and a loss or
    /// gradient that overflows ([`Error::NonFinite`]).
    pub fn evaluate(&mut self, theta: &[f64], grad: Option<&mut [f64]>) -> Result<LossParts> {
        parsimony_core::error::check_len("θ", self.dim(), theta.len())?;
        if let Some(g) = grad.as_deref() {
            parsimony_core::error::check_len("grad", self.dim(), g.len())?;
        }
        self.check_theta(theta)?;
        let np = self.mlp.n_params();
        for (d, &s) in self.theta_f.iter_mut().zip(&theta[..np]) {
            *d = F::of(s);
        }
        let (s, lambda, e_a) = self.unknowns_unchecked(theta);
        let mut model = self.model.clone();
        model.conductivity = lambda;
        model.activation_energy = e_a;
        let p = self.xhat.len();
        let nc = self.n_colloc;
        let (no, wo) = match &self.problem {
            Problem::Forward => (0, 0.0),
            Problem::Inverse(obs) => (obs.x.len(), 2.0 / obs.x.len() as f64),
        };
        let sh = Shared {
            mlp: &self.mlp,
            theta_f: &self.theta_f,
            xhat: &self.xhat,
            model: &model,
            sc: self.scaling,
            problem: &self.problem,
            data_weights: self.data_weights,
            n_colloc: nc,
            w: 2.0 * self.residual_weight / nc as f64,
            wo,
            s,
            want_grad: grad.is_some(),
        };
        // contiguous ranges of whole blocks, one per lane
        let bs = block::<F>();
        let blocks = p.div_ceil(bs);
        let lanes = self.lanes.len().min(blocks);
        let range = |t: usize| {
            let (b0, b1) = (t * blocks / lanes, (t + 1) * blocks / lanes);
            ((b0 * bs).min(p), (b1 * bs).min(p))
        };
        let partials: Vec<Partial> = if lanes == 1 {
            vec![run_range(&sh, 0, p, &mut self.lanes[0])]
        } else {
            use rayon::prelude::*;
            self.lanes[..lanes]
                .par_iter_mut()
                .enumerate()
                .map(|(t, lane)| {
                    let (a, b) = range(t);
                    run_range(&sh, a, b, lane)
                })
                .collect()
        };
        let mut total = Partial::default();
        for q in &partials {
            total.residual += q.residual;
            total.boundary += q.boundary;
            total.dt_sum += q.dt_sum;
            total.du_sum += q.du_sum;
            for (a, b) in total.g_params.iter_mut().zip(q.g_params) {
                *a += b;
            }
        }
        let mut parts = LossParts {
            residual: total.residual / nc as f64,
            boundary: total.boundary,
            data: if no > 0 {
                (total.dt_sum + total.du_sum) / no as f64
            } else {
                0.0
            },
            total: 0.0,
        };
        parts.total = self.residual_weight * parts.residual + parts.boundary + parts.data;
        if let Some(grad) = grad {
            for (k, g) in grad[..np].iter_mut().enumerate() {
                *g = self.lanes[..lanes].iter().map(|l| l.grad[k].f64()).sum();
            }
            grad[np] = total.g_params[0];
            if let Problem::Inverse(_) = self.problem {
                grad[np + 1] = total.g_params[1] / CONDUCTIVITY_SCALE;
                grad[np + 2] = total.g_params[2] / ACTIVATION_SCALE;
            }
            if grad.iter().any(|g| !g.is_finite()) {
                return Err(parsimony_core::Error::non_finite(format!(
                    "the gradient of the PINN loss (loss {:e}): the network's sums overflow",
                    parts.total
                )));
            }
        }
        if !parts.total.is_finite() {
            return Err(parsimony_core::Error::non_finite(format!(
                "the PINN loss ({:e}): the network's sums overflow",
                parts.total
            )));
        }
        Ok(parts)
    }

    /// θ finite, and the physical unknowns it holds finite and > 0.
    fn check_theta(&self, theta: &[f64]) -> Result<()> {
        parsimony_core::linalg::check_finite("θ", theta)?;
        let (s, lambda, e_a) = self.unknowns_unchecked(theta);
        for (name, v) in [
            ("s_L", s),
            ("conductivity λ", lambda),
            ("activation energy E_a", e_a),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(parsimony_core::Error::invalid(
                    name,
                    format!("the value θ holds must be finite and > 0, got {v}"),
                ));
            }
        }
        Ok(())
    }

    /// T, T', T'' (K, K/m, K/m²) of the network θ at the points `x` (m).
    pub fn predict(&self, theta: &[f64], x: &[f64]) -> Result<Vec<[f64; 3]>> {
        parsimony_core::error::check_len("θ", self.dim(), theta.len())?;
        parsimony_core::linalg::check_finite("x", x)?;
        self.check_theta(theta)?;
        let np = self.mlp.n_params();
        let tf: Vec<F> = theta[..np].iter().map(|&v| F::of(v)).collect();
        let xh: Vec<F> = x.iter().map(|&v| F::of(self.scaling.s_x * v)).collect();
        let mut ws = MlpWorkspace::new();
        let out = ws.forward_unchecked(&self.mlp, &tf, &xh);
        let p = x.len();
        let fields: Vec<[f64; 3]> = (0..p)
            .map(|i| {
                let sg = sigmoid_derivatives(out[i].f64());
                temperature_streams(
                    &self.model,
                    &self.scaling,
                    &sg,
                    out[p + i].f64(),
                    out[2 * p + i].f64(),
                )
            })
            .collect();
        if fields.iter().flatten().any(|v| !v.is_finite()) {
            return Err(parsimony_core::Error::non_finite(
                "the network's fields T, T', T'' (they overflow: scale θ)",
            ));
        }
        Ok(fields)
    }

    /// The residual r (dimensionless, as in the loss) of θ at the points `x` (m).
    pub fn residual_at(&self, theta: &[f64], x: &[f64]) -> Result<Vec<f64>> {
        let fields = self.predict(theta, x)?;
        let (s, lambda, e_a) = self.unknowns_unchecked(theta);
        let mut model = self.model.clone();
        model.conductivity = lambda;
        model.activation_energy = e_a;
        let r: Vec<f64> = fields
            .into_iter()
            .map(|f| point_residual(&model, &self.scaling, f, s).r)
            .collect();
        if r.iter().any(|v| !v.is_finite()) {
            return Err(parsimony_core::Error::non_finite(
                "the residual (the fields lie where the model's closed forms overflow)",
            ));
        }
        Ok(r)
    }
}

/// The Z-shaped initial profile of the warm-up (spec §6.4): T_in on [0, 0.3L) (30 points), a
/// linear ramp to T_max on [0.3L, 0.5L) (20 points), T_max on [0.5L, L] (50 points).
pub fn z_profile(model: &FlameModel) -> (Vec<f64>, Vec<f64>) {
    let (l, t_in, t_max) = (model.length, model.t_in, model.t_max());
    let mut x = Vec::with_capacity(100);
    let mut t = Vec::with_capacity(100);
    for k in 0..30 {
        x.push(0.3 * l * k as f64 / 30.0);
        t.push(t_in);
    }
    for k in 0..20 {
        let f = k as f64 / 20.0;
        x.push(l * (0.3 + 0.2 * f));
        t.push(t_in + (t_max - t_in) * f);
    }
    for k in 0..50 {
        x.push(l * (0.5 + 0.5 * k as f64 / 49.0));
        t.push(t_max);
    }
    (x, t)
}

/// The warm-up loss mean (s_T (T(x_j) − T_Z(x_j)))² on the [`z_profile`], over the same θ
/// layout as a [`Case1Loss`] (the physical unknowns get zero gradient).
#[derive(Clone, Debug)]
pub struct WarmupLoss<F: Real> {
    model: FlameModel,
    mlp: Mlp,
    scaling: Scaling,
    target: Vec<f64>,
    xhat: Vec<F>,
    ws: MlpWorkspace<F>,
    theta_f: Vec<F>,
    grad_f: Vec<F>,
    adj: Vec<F>,
}

impl<F: Real> WarmupLoss<F> {
    /// The warm-up loss for `model` and `mlp`.
    pub fn new(model: &FlameModel, mlp: &Mlp) -> Result<Self> {
        model.validate()?;
        let scaling = Scaling::for_model(model);
        let (x, target) = z_profile(model);
        let adj = vec![F::zero(); 3 * x.len()];
        Ok(Self {
            model: model.clone(),
            mlp: mlp.clone(),
            scaling,
            xhat: x.iter().map(|&p| F::of(scaling.s_x * p)).collect(),
            target,
            ws: MlpWorkspace::new(),
            theta_f: vec![F::zero(); mlp.n_params()],
            grad_f: vec![F::zero(); mlp.n_params()],
            adj,
        })
    }

    /// Loss and (optionally) gradient, written into `grad` (the length of θ); θ holds the
    /// network's [`Mlp::n_params`] parameters and may carry trailing physical unknowns
    /// (gradient 0).
    pub fn evaluate(&mut self, theta: &[f64], grad: Option<&mut [f64]>) -> Result<f64> {
        let np = self.mlp.n_params();
        if theta.len() < np {
            return Err(parsimony_core::Error::invalid(
                "θ",
                format!(
                    "needs at least the {np} network parameters, got {}",
                    theta.len()
                ),
            ));
        }
        if let Some(g) = grad.as_deref() {
            parsimony_core::error::check_len("grad", theta.len(), g.len())?;
        }
        parsimony_core::linalg::check_finite("θ", theta)?;
        for (d, &s) in self.theta_f.iter_mut().zip(&theta[..np]) {
            *d = F::of(s);
        }
        let out = self
            .ws
            .forward_unchecked(&self.mlp, &self.theta_f, &self.xhat);
        let p = self.target.len();
        let dt = self.model.t_max() - self.model.t_in;
        let s_t = self.scaling.s_t;
        let mut loss = 0.0;
        for ((adj, &n0), &target) in self.adj.iter_mut().zip(&out[..p]).zip(&self.target) {
            let sg = sigmoid_derivatives(n0.f64());
            let d = s_t * (self.model.t_in + dt * sg[0] - target);
            loss += d * d;
            *adj = F::of(2.0 / p as f64 * d * s_t * dt * sg[1]);
        }
        if let Some(grad) = grad {
            self.ws.backward_unchecked(
                &self.mlp,
                &self.theta_f,
                &self.xhat,
                &self.adj,
                &mut self.grad_f,
                false,
            );
            for (g, &v) in grad[..np].iter_mut().zip(&self.grad_f) {
                *g = v.f64();
            }
            grad[np..].fill(0.0);
            if grad.iter().any(|g| !g.is_finite()) {
                return Err(parsimony_core::Error::non_finite(
                    "the gradient of the warm-up loss (the network's sums overflow)",
                ));
            }
        }
        if !loss.is_finite() {
            return Err(parsimony_core::Error::non_finite(
                "the warm-up loss (the network's sums overflow)",
            ));
        }
        Ok(loss / p as f64)
    }
}
