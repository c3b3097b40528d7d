//! Adam (Kingma & Ba 2015) with an optional step-decay learning-rate schedule.
//!
//! With gradient gₜ at step t = 1, 2, …:
//!
//! ```text
//!   mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ            vₜ = β₂ vₜ₋₁ + (1 − β₂) gₜ²
//!   m̂ₜ = mₜ / (1 − β₁ᵗ)                   v̂ₜ = vₜ / (1 − β₂ᵗ)
//!   xₜ = xₜ₋₁ − ηₜ m̂ₜ / (√v̂ₜ + ε)         ηₜ = η₀ · γ^⌊(t − 1)/s⌋   (step decay)
//! ```
//!
//! Cost per step: O(n) flops, no allocation. [`Adam::step`] performs one update from a
//! gradient computed elsewhere (a PINN's minibatch loss); [`Adam::solve`] is the driver for
//! a deterministic [`Objective`].

use super::{Objective, OptimSolution};
use crate::error::{check_at_least_one, check_len, check_non_negative, check_positive};
use crate::linalg::check_finite;
use crate::solve::{Clock, Control, IterInfo, Observer, Silent, Status};
use crate::{Error, Result};
use nalgebra::DVector;

/// Parameters of Adam, set by a builder and checked by [`AdamParams::build`].
///
/// | name | default | valid range |
/// |---|---|---|
/// | `learning_rate` η₀ | 1e-3 | > 0 |
/// | `beta1` β₁ | 0.9 | [0, 1) |
/// | `beta2` β₂ | 0.999 | [0, 1) |
/// | `epsilon` ε | 1e-8 | > 0 |
/// | `decay_every` s | 0 (no decay) | ≥ 0 steps |
/// | `decay_factor` γ | 1 | (0, 1] |
/// | `max_iter` | 10 000 | ≥ 1 (for [`Adam::solve`]) |
/// | `grad_tol` | 0 (never) | ≥ 0: stop when ‖∇f‖₂ ≤ grad_tol |
#[derive(Clone, Debug)]
pub struct AdamParams {
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    decay_every: usize,
    decay_factor: f64,
    max_iter: usize,
    grad_tol: f64,
}

impl Default for AdamParams {
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            decay_every: 0,
            decay_factor: 1.0,
            max_iter: 10_000,
            grad_tol: 0.0,
        }
    }
}

impl AdamParams {
    /// Default parameters (see the table).
    pub fn new() -> Self {
        Self::default()
    }
    /// Initial learning rate η₀.
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }
    /// Exponential decay rates (β₁, β₂) of the moment estimates.
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }
    /// ε added to √v̂ for stability.
    pub fn epsilon(mut self, eps: f64) -> Self {
        self.epsilon = eps;
        self
    }
    /// Multiply the learning rate by `factor` every `every` steps (step decay).
    pub fn step_decay(mut self, every: usize, factor: f64) -> Self {
        self.decay_every = every;
        self.decay_factor = factor;
        self
    }
    /// Iteration cap of [`Adam::solve`].
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Gradient-norm tolerance of [`Adam::solve`] (0 disables it).
    pub fn grad_tol(mut self, tol: f64) -> Self {
        self.grad_tol = tol;
        self
    }

    /// Checks the parameters and creates the optimiser state for `dim` parameters.
    pub fn build(self, dim: usize) -> Result<Adam> {
        check_positive("learning_rate", self.learning_rate)?;
        crate::error::check_in_range("beta1", self.beta1, 0.0, 1.0)?;
        crate::error::check_in_range("beta2", self.beta2, 0.0, 1.0)?;
        check_positive("epsilon", self.epsilon)?;
        if !(self.decay_factor > 0.0 && self.decay_factor <= 1.0) {
            return Err(Error::invalid(
                "decay_factor",
                format!("must lie in (0, 1], got {}", self.decay_factor),
            ));
        }
        check_at_least_one("max_iter", self.max_iter)?;
        check_non_negative("grad_tol", self.grad_tol)?;
        if dim == 0 {
            return Err(Error::invalid("dim", "must be at least 1"));
        }
        crate::memory::check_total::<f64>(&format!("Adam moments for dim = {dim}"), &[dim, dim])?;
        Ok(Adam {
            params: self,
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            t: 0,
        })
    }
}

/// Adam's state: first and second moment estimates and the step count.
#[derive(Clone, Debug)]
pub struct Adam {
    params: AdamParams,
    m: Vec<f64>,
    v: Vec<f64>,
    t: usize,
}

impl Adam {
    /// Forgets the moment estimates and the step count (a fresh start; [`Adam::solve`] calls
    /// it, so every solve starts from the same state).
    pub fn reset(&mut self) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.t = 0;
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.t
    }

    /// The learning rate the next step will use.
    pub fn current_learning_rate(&self) -> f64 {
        let p = &self.params;
        match self.t.checked_div(p.decay_every) {
            None => p.learning_rate,
            Some(k) => p.learning_rate * p.decay_factor.powi(k as i32),
        }
    }

    /// One Adam update of `x` with gradient `grad` (both of length `dim`).
    pub fn step(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_len("length of x", self.m.len(), x.len())?;
        check_len("length of grad", self.m.len(), grad.len())?;
        check_finite("x", x)?;
        check_finite("grad", grad)?;
        let lr = self.current_learning_rate();
        self.t += 1;
        let p = &self.params;
        let bc1 = 1.0 - p.beta1.powi(self.t as i32);
        let bc2 = 1.0 - p.beta2.powi(self.t as i32);
        for (((xi, &gi), mi), vi) in x.iter_mut().zip(grad).zip(&mut self.m).zip(&mut self.v) {
            *mi = p.beta1 * *mi + (1.0 - p.beta1) * gi;
            *vi = p.beta2 * *vi + (1.0 - p.beta2) * gi * gi;
            let m_hat = *mi / bc1;
            let v_hat = *vi / bc2;
            *xi -= lr * m_hat / (v_hat.sqrt() + p.epsilon);
        }
        Ok(())
    }

    /// Minimises `f` from `x0` from a fresh state (moments and step count reset): at most
    /// `max_iter` steps, stopping early when ‖∇f‖₂ ≤
    /// `grad_tol` (`info.stop_value` is ‖∇f‖₂ at the returned x). A non-finite cost or gradient
    /// stops the run with [`Status::NonFinite`] and returns the last finite iterate; at x0 it is
    /// an [`Error::NonFinite`].
    pub fn solve<F: Objective + ?Sized>(
        &mut self,
        f: &mut F,
        x0: &DVector<f64>,
    ) -> Result<OptimSolution> {
        self.solve_observed(f, x0, &mut Silent)
    }

    /// As [`Adam::solve`], reporting every step (cost, ‖∇f‖₂) to `observer`, which may stop
    /// the run.
    pub fn solve_observed<F: Objective + ?Sized>(
        &mut self,
        f: &mut F,
        x0: &DVector<f64>,
        observer: &mut dyn Observer,
    ) -> Result<OptimSolution> {
        let clock = Clock::start();
        check_len("length of x0 (objective dimension)", f.dim(), x0.len())?;
        check_len("length of x0 (optimiser dimension)", self.m.len(), x0.len())?;
        check_finite("x0", x0.as_slice())?;
        self.reset();
        let mut x = x0.clone();
        let mut last = x0.clone();
        let mut grad = vec![0.0; x.len()];
        let mut history = Vec::new();
        let mut iterations: usize = 0;
        let (mut cost, mut grad_norm);
        let status = loop {
            cost = f.cost_and_gradient(x.as_slice(), &mut grad);
            grad_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
            if !cost.is_finite() || !grad_norm.is_finite() {
                if iterations == 0 {
                    return Err(Error::non_finite(format!(
                        "the objective at x0 (cost {cost}, ‖∇f‖ {grad_norm})"
                    )));
                }
                // back to the last finite iterate
                x.copy_from(&last);
                cost = f.cost_and_gradient(x.as_slice(), &mut grad);
                grad_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
                if !cost.is_finite() || !grad_norm.is_finite() {
                    return Err(Error::non_finite(
                        "the objective: it changed its value at an iterate it had returned finite",
                    ));
                }
                iterations = iterations.saturating_sub(1);
                break Status::NonFinite;
            }
            if iterations > 0 {
                history.push(cost);
                let info = IterInfo::new(iterations, cost, grad_norm);
                if observer.observe(&info) == Control::Stop {
                    break if grad_norm <= self.params.grad_tol {
                        Status::Converged
                    } else {
                        Status::StoppedByObserver
                    };
                }
            }
            if grad_norm <= self.params.grad_tol {
                break Status::Converged;
            }
            if iterations == self.params.max_iter {
                break Status::MaxIterations;
            }
            last.copy_from(&x);
            self.step(x.as_mut_slice(), &grad)?;
            iterations += 1;
        };
        let info = clock.finish(iterations, status, grad_norm);
        observer.finish(&info);
        Ok(OptimSolution {
            x,
            cost,
            grad_norm,
            cost_history: history,
            info,
        })
    }
}
