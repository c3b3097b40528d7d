//! What a solve returns, and the evaluation of potentials that produces it.

use crate::engine::Engine;
use nalgebra::{DMatrix, DVector};
use parsimony_core::solve::SolveInfo;

/// The result of [`Sinkhorn`](crate::Sinkhorn) or [`Sns`](crate::Sns).
///
/// The potentials are defined up to (f + t, g − t); they are returned in the gauge
/// Σᵢ aᵢ fᵢ = Σⱼ bⱼ gⱼ. The plan is Pᵢⱼ = exp((fᵢ + gⱼ − Cᵢⱼ)/ε), r = P 1 and c = Pᵀ 1 its
/// marginals. `info.stop_value` is the L1 marginal error ‖r − a‖₁ + ‖c − b‖₁ of the returned
/// potentials, measured by a final pass over the plan.
#[derive(Clone, Debug)]
pub struct OtSolution {
    /// Source potential f (length n).
    pub f: DVector<f64>,
    /// Target potential g (length m).
    pub g: DVector<f64>,
    /// The plan (n × m), when asked for (`plan(true)`).
    pub plan: Option<DMatrix<f64>>,
    /// The regularisation ε the potentials belong to.
    pub reg: f64,
    /// Transport cost ⟨C, P⟩.
    pub transport_cost: f64,
    /// Entropic objective ⟨C, P⟩ + ε Σ P log P (POT's convention), = ⟨r, f⟩ + ⟨c, g⟩.
    pub objective: f64,
    /// Dual value D(f, g) = ⟨a, f⟩ + ⟨b, g⟩ − ε Σ P + ε·mass; equals the objective at the
    /// optimum.
    pub dual: f64,
    /// ‖r − a‖₁ + ‖c − b‖₁.
    pub marginal_error: f64,
    /// ‖c − b‖₂ (the error POT's `stopThr` bounds).
    pub column_error_l2: f64,
    /// Full Sinkhorn iterations (both half-sweeps), fallback sweeps included.
    pub sinkhorn_iterations: usize,
    /// Newton steps.
    pub newton_iterations: usize,
    /// Newton steps that used the sparse Hessian (the rest used the exact one).
    pub sparse_newton_iterations: usize,
    /// Conjugate-gradient iterations over all Newton steps (Hessian products).
    pub cg_iterations: usize,
    /// The L1 marginal error after each Newton step (empty for Sinkhorn).
    pub newton_errors: Vec<f64>,
    /// Iterations, status, the L1 marginal error as `stop_value`, time.
    pub info: SolveInfo,
}

impl OtSolution {
    /// Pᵢⱼ computed from the potentials (no stored plan needed).
    pub fn plan_entry(&self, problem: &crate::OtProblem, i: usize, j: usize) -> f64 {
        ((self.f[i] + self.g[j] - problem.cost_entry(i, j)) / self.reg).exp()
    }
}

/// The numbers of a solution at potentials (f, g): the gauge fixed, sums from one pass.
pub(crate) struct Evaluated {
    pub f: Vec<f64>,
    pub g: Vec<f64>,
    pub plan: Option<DMatrix<f64>>,
    pub transport_cost: f64,
    pub objective: f64,
    pub dual: f64,
    pub marginal_error: f64,
    pub column_error_l2: f64,
}

/// Evaluates (f, g) on `engine`'s problem at its ε; the plan is formed when `plan`.
pub(crate) fn evaluate(engine: &Engine<'_>, f: &[f64], g: &[f64], plan: bool) -> Evaluated {
    let p = engine.problem;
    let (a, b, mass) = (&p.a, &p.b, p.mass);
    // the gauge Σ a f = Σ b g
    let t = (dot(b, g) - dot(a, f)) / (2.0 * mass);
    let f: Vec<f64> = f.iter().map(|v| v + t).collect();
    let g: Vec<f64> = g.iter().map(|v| v - t).collect();
    let mut buf = if plan {
        vec![0.0; p.n * p.m]
    } else {
        Vec::new()
    };
    let sums = engine.plan_sums(&f, &g, plan.then_some(&mut buf[..]));
    let total: f64 = sums.rows.iter().sum();
    let marginal_error = l1(&sums.rows, a) + l1(&sums.cols, b);
    let column_error_l2 = sums
        .cols
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt();
    let plan = plan.then(|| DMatrix::from_row_slice(p.n, p.m, &buf));
    Evaluated {
        transport_cost: sums.transport,
        objective: dot(&sums.rows, &f) + dot(&sums.cols, &g),
        dual: dot(a, &f) + dot(b, &g) - engine.eps * total + engine.eps * mass,
        marginal_error,
        column_error_l2,
        f,
        g,
        plan,
    }
}

pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

pub(crate) fn l1(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| (a - b).abs()).sum()
}
