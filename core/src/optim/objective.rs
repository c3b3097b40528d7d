//! The problem side of optimisation: a differentiable cost f: ℝⁿ → ℝ.

use crate::solve::SolveInfo;
use nalgebra::DVector;

/// A differentiable objective f: ℝⁿ → ℝ.
///
/// The methods take `&mut self`, so an objective may own scratch buffers (a network's
/// activations) and reuse them between evaluations without interior mutability.
pub trait Objective {
    /// The dimension n of the parameter vector.
    fn dim(&self) -> usize;
    /// f(x).
    fn cost(&mut self, x: &[f64]) -> f64;
    /// Writes ∇f(x) into `grad` (length n).
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]);
    /// f(x), writing ∇f(x) into `grad`. Override when the two share work (backpropagation).
    fn cost_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.gradient(x, grad);
        self.cost(x)
    }
}

/// What an optimiser returns.
#[derive(Clone, Debug)]
pub struct OptimSolution {
    /// The final (for L-BFGS: the best) parameters.
    pub x: DVector<f64>,
    /// f(x).
    pub cost: f64,
    /// ‖∇f(x)‖₂ at the returned x.
    pub grad_norm: f64,
    /// The cost after every iteration.
    pub cost_history: Vec<f64>,
    /// Iterations, status, ‖∇f‖₂ as `stop_value`, time.
    pub info: SolveInfo,
}

/// The Rosenbrock function f(x) = Σᵢ [100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²], minimum 0 at x = (1, …, 1).
///
/// A standard hard test for optimisers: a curved, narrow valley.
#[derive(Clone, Copy, Debug)]
pub struct Rosenbrock {
    /// Dimension n ≥ 2.
    pub n: usize,
}

impl Objective for Rosenbrock {
    fn dim(&self) -> usize {
        self.n
    }

    fn cost(&mut self, x: &[f64]) -> f64 {
        x.windows(2)
            .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
            .sum()
    }

    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        grad.fill(0.0);
        for i in 0..x.len().saturating_sub(1) {
            let t = x[i + 1] - x[i] * x[i];
            grad[i] += -400.0 * x[i] * t - 2.0 * (1.0 - x[i]);
            grad[i + 1] += 200.0 * t;
        }
    }
}
