//! The portable problem generator of the reference cases (shared/specs/sbl.md §13.0).
//!
//! Everything is drawn from one [`SplitMix64`] stream, so NumPy, MATLAB and Rust produce the
//! same dictionaries, signals and noise bit for bit:
//!
//! 1. the factors Hᵢ, each as mᵢ·nᵢ normals in row-major order;
//! 2. per factor, a support `choose(nᵢ, Kᵢ)` and Kᵢ normals in sorted-support order
//!    ([`SignalKind::Bounded`] maps v ↦ sign(v)(0.5 + |v|) to keep magnitudes away from 0);
//! 3. x = x₁ ⊗ … ⊗ x_I ([`SignalKind::Iid`]: fresh normals on the Kronecker support instead);
//! 4. y₀ = H x, σ² = (‖y₀‖²/M)/10^(SNR/10), y = y₀ + σ·normals(M).

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::KroneckerOperator;
use parsimony_core::random::SplitMix64;
use parsimony_core::{Error, Result};

/// How the nonzero values of x are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalKind {
    /// x = ⊗xᵢ with N(0, 1) factor values.
    Normal,
    /// x = ⊗xᵢ with factor values sign(v)(0.5 + |v|), v ~ N(0, 1).
    Bounded,
    /// N(0, 1) values on the Kronecker support (x is not rank-1).
    Iid,
}

/// A synthetic Kronecker-structured sparse recovery problem.
#[derive(Clone, Debug)]
pub struct SyntheticProblem {
    /// Dictionary factors Hᵢ (mᵢ × nᵢ).
    pub factors: Vec<DMatrix<f64>>,
    /// Per-factor supports (sorted).
    pub supports: Vec<Vec<usize>>,
    /// Per-factor values on the supports (for `Normal`/`Bounded`).
    pub factor_values: Vec<Vec<f64>>,
    /// The true x (length N = ∏nᵢ).
    pub x: DVector<f64>,
    /// Noisy measurements y (length M = ∏mᵢ).
    pub y: DVector<f64>,
    /// The noise variance σ² used.
    pub noise_variance: f64,
}

/// Draws a problem exactly as `make_problem(seed, n, m, K, snr_db, kind)` of the spec.
pub fn make_problem(
    seed: u64,
    n: &[usize],
    m: &[usize],
    k: &[usize],
    snr_db: f64,
    kind: SignalKind,
) -> Result<SyntheticProblem> {
    if n.is_empty() || n.len() != m.len() || n.len() != k.len() {
        return Err(Error::invalid(
            "n, m, k",
            format!(
                "need one size per factor in each, got {}, {}, {}",
                n.len(),
                m.len(),
                k.len()
            ),
        ));
    }
    if !snr_db.is_finite() {
        return Err(Error::invalid("snr_db", "must be finite"));
    }
    let mut rng = SplitMix64::new(seed);
    let mut factors: Vec<DMatrix<f64>> = Vec::with_capacity(n.len());
    for (&ni, &mi) in n.iter().zip(m) {
        let v = rng.normals(parsimony_core::memory::checked_mul("m_i × n_i", mi, ni)?)?;
        factors.push(DMatrix::from_row_slice(mi, ni, &v));
    }
    let mut supports = Vec::new();
    let mut factor_values = Vec::new();
    let mut xs = Vec::new();
    for (&ni, &ki) in n.iter().zip(k) {
        let s = rng.choose(ni, ki)?;
        let vals: Vec<f64> = (0..ki)
            .map(|_| {
                let v = rng.normal();
                match kind {
                    SignalKind::Bounded => v.signum() * (0.5 + v.abs()),
                    _ => v,
                }
            })
            .collect();
        let mut xi = DVector::zeros(ni);
        for (&j, &v) in s.iter().zip(&vals) {
            xi[j] = v;
        }
        supports.push(s);
        factor_values.push(vals);
        xs.push(xi);
    }
    let mut x = xs[0].clone();
    for xi in &xs[1..] {
        x = x.kronecker(xi);
    }
    if kind == SignalKind::Iid {
        for v in x.iter_mut() {
            if *v != 0.0 {
                *v = rng.normal();
            }
        }
    }
    let h = KroneckerOperator::new(factors.clone())?;
    let y0 = h.apply(&x)?;
    let big_m = y0.len();
    let sigma2 = (y0.norm_squared() / big_m as f64) / 10f64.powf(snr_db / 10.0);
    let s = sigma2.sqrt();
    let y = DVector::from_fn(big_m, |i, _| y0[i] + s * rng.normal());
    Ok(SyntheticProblem {
        factors,
        supports,
        factor_values,
        x,
        y,
        noise_variance: sigma2,
    })
}

/// A dense sparse-regression reference problem.
#[derive(Clone, Debug)]
pub struct DenseProblem {
    /// The dictionary / design matrix.
    pub a: DMatrix<f64>,
    /// The measurements / target.
    pub y: DVector<f64>,
    /// The true coefficients.
    pub x: DVector<f64>,
    /// The true support (sorted).
    pub support: Vec<usize>,
    /// The noise variance used.
    pub noise_variance: f64,
}

/// RC7 of sbl.md: stream seed 8, A = normals(100·60) row-major / √100, support = choose(60, 6),
/// values sign(z)(0.5 + |z|), σ² = (‖Ax‖²/M)/10³, y = Ax + σ·normals(100).
pub fn rc7_problem() -> DenseProblem {
    let (m, n) = (100, 60);
    let mut g = SplitMix64::new(8);
    let a =
        DMatrix::from_row_slice(m, n, &g.normals(m * n).expect("6000 normals")) / (m as f64).sqrt();
    let support = g.choose(n, 6).expect("6 of 60");
    let mut x = DVector::zeros(n);
    for &j in &support {
        let z = g.normal();
        x[j] = z.signum() * (0.5 + z.abs());
    }
    let y0 = &a * &x;
    let noise_variance = (y0.norm_squared() / m as f64) / 1e3;
    let y = y0 + DVector::from_vec(g.normals(m).expect("100 normals")) * noise_variance.sqrt();
    DenseProblem {
        a,
        y,
        x,
        support,
        noise_variance,
    }
}

/// R1 of medida.md: stream seed 20240601 with the (0, 1) uniform convention, X (400 × 10)
/// row-major N(0, 1), then ε; y = 1.5x₂ − 2x₅ + 0.75x₇ + 0.05ε.
pub fn rvm_r1_problem() -> DenseProblem {
    let (n, p) = (400, 10);
    let mut g = SplitMix64::new(20240601);
    let vals: Vec<f64> = (0..n * p).map(|_| g.normal_open()).collect();
    let a = DMatrix::from_row_slice(n, p, &vals);
    let eps: Vec<f64> = (0..n).map(|_| g.normal_open()).collect();
    let mut x = DVector::zeros(p);
    x[2] = 1.5;
    x[5] = -2.0;
    x[7] = 0.75;
    let y = &a * &x + DVector::from_vec(eps) * 0.05;
    DenseProblem {
        a,
        y,
        x,
        support: vec![2, 5, 7],
        noise_variance: 0.0025,
    }
}
