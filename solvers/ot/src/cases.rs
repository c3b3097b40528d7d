//! The shared reference cases of the OT spec, regenerated bit for bit from the portable
//! SplitMix64 stream (`parsimony_core::random::SplitMix64`):
//!
//! * [`gauss2d`]: n points X ~ N(0, I₂) and n points Y, half around (2, 0) and half around
//!   (−1, 2) with standard deviation ½ (even j: (2, 0), odd j: (−1, 2)), cost ‖Xᵢ − Yⱼ‖²
//!   divided by its maximum, uniform weights 1/n; seed 1 for n = 500, seed 2 for n = 1000.
//! * [`random_assignment`]: Cᵢⱼ uniform on [0, 1) in row-major order (seed 3), weights 1/n
//!   (Tang et al.'s "random assignment", with η = 1/ε = 1200).
//! * [`dens1d`]: two Gaussian mixtures on xₖ = k/(n − 1) (+1e-3, normalised), cost |x − y|
//!   (W1) or |x − y|² (W2), not rescaled.

use crate::problem::{Metric, OtProblem};
use nalgebra::DMatrix;
use parsimony_core::{Result, memory};

/// n ≥ 1, and an n × n cost (with its transpose and two plans) fits the memory budget.
fn check_size(n: usize) -> Result<()> {
    if n == 0 {
        return Err(parsimony_core::Error::invalid(
            "n",
            "needs at least one point",
        ));
    }
    let nn = memory::checked_mul("n × n", n, n)?;
    memory::check_elements::<f64>("n × n cost and plans", nn.saturating_mul(5))
}
use parsimony_core::random::SplitMix64;

/// The point clouds of `gauss2d` (X, Y as n × 2 matrices).
pub fn gauss2d_points(n: usize, seed: u64) -> (DMatrix<f64>, DMatrix<f64>) {
    let mut rng = SplitMix64::new(seed);
    let mut normals = |k: usize| -> Vec<f64> {
        let mut v = Vec::with_capacity(k);
        while v.len() < k {
            let (c, s) = rng.normal_pair();
            v.push(c);
            v.push(s);
        }
        v.truncate(k);
        v
    };
    let xs = normals(2 * n);
    let zs = normals(2 * n);
    let x = DMatrix::from_fn(n, 2, |i, k| xs[2 * i + k]);
    let y = DMatrix::from_fn(n, 2, |j, k| {
        let centre = if j % 2 == 0 { [2.0, 0.0] } else { [-1.0, 2.0] };
        0.5 * zs[2 * j + k] + centre[k]
    });
    (x, y)
}

/// The `gauss2d` problem: normalised squared-Euclidean cost, computed on the fly when
/// `on_the_fly`, else stored dense.
pub fn gauss2d(n: usize, seed: u64, on_the_fly: bool) -> Result<OtProblem> {
    memory::check_elements::<f64>("gauss2d points", n.saturating_mul(4))?;
    if !on_the_fly {
        check_size(n)?;
    }
    let (x, y) = gauss2d_points(n, seed);
    let w = vec![1.0 / n as f64; n];
    let p = OtProblem::from_points(&x, &y, &w, &w, Metric::SquaredEuclidean, true)?;
    if on_the_fly {
        Ok(p)
    } else {
        OtProblem::new(&p.dense_cost()?, &w, &w)
    }
}

/// The random assignment problem: n × n uniform costs, uniform weights.
pub fn random_assignment(n: usize, seed: u64) -> Result<OtProblem> {
    check_size(n)?;
    let mut rng = SplitMix64::new(seed);
    let mut c = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            c[(i, j)] = rng.uniform();
        }
    }
    let w = vec![1.0 / n as f64; n];
    OtProblem::new(&c, &w, &w)
}

/// The two 1D densities of `dens1d` on xₖ = k/(n − 1): (x, a, b).
pub fn dens1d_weights(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let pdf = |x: f64, mu: f64, s: f64| {
        (-(x - mu) * (x - mu) / (2.0 * s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt())
    };
    let x: Vec<f64> = (0..n).map(|k| k as f64 / (n - 1) as f64).collect();
    let mut a: Vec<f64> = x
        .iter()
        .map(|&t| 0.6 * pdf(t, 0.25, 0.06) + 0.4 * pdf(t, 0.55, 0.10) + 1e-3)
        .collect();
    let mut b: Vec<f64> = x
        .iter()
        .map(|&t| 0.5 * pdf(t, 0.65, 0.05) + 0.5 * pdf(t, 0.85, 0.04) + 1e-3)
        .collect();
    let (sa, sb): (f64, f64) = (a.iter().sum(), b.iter().sum());
    a.iter_mut().for_each(|v| *v /= sa);
    b.iter_mut().for_each(|v| *v /= sb);
    (x, a, b)
}

/// The `dens1d` problem with ground cost |x − y|^p (p = 1: W1, p = 2: W2), dense.
pub fn dens1d(n: usize, p: u32) -> Result<OtProblem> {
    check_size(n)?;
    if n < 2 {
        return Err(parsimony_core::Error::invalid(
            "n",
            "the grid needs at least 2 points",
        ));
    }
    let (x, a, b) = dens1d_weights(n);
    let c = DMatrix::from_fn(n, n, |i, j| (x[i] - x[j]).abs().powi(p as i32));
    OtProblem::new(&c, &a, &b)
}
