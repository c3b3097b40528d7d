//! The Kronecker E-step (m-route): posterior mean and variances without a Kronecker product.
//!
//! With active columns Sᵢ of each factor and Γ = diag(γ₁ ⊗ … ⊗ γ_I):
//!
//! ```text
//!   Cᵢ = Hᵢ Γᵢ Hᵢᴴ = Uᵢ diag(pᵢ) Uᵢᴴ          (mᵢ × mᵢ, Hermitian eigendecomposition)
//!   Wᵢ = Γᵢ Hᵢᴴ Uᵢ                            (sᵢ × mᵢ)
//!   δ  = σ² + p₁ ⊗ … ⊗ p_I                     (eigenvalues of C = σ²I + HΓHᴴ)
//!   ỹ  = (⊗Uᵢᴴ) y,   z = ỹ ./ δ
//!   μ  = (⊗Wᵢ) z                               (posterior mean)
//!   diag Σ = γ − (⊗|Wᵢ|∘²) (1 ./ δ)            (clamped at ≥ 0)
//!   d  = diag Σ + |μ|²                          (what the M-step fits)
//!   L  = Σ log δ + Σ |ỹ|²/δ = log|C| + yᴴC⁻¹y   (the evidence cost, natural log, no ½)
//! ```
//!
//! Cost: the eigendecompositions O(Σ(mᵢ²sᵢ + mᵢ³)) and four multi-mode products, at most
//! O(S·Σmᵢ) for S = ∏sᵢ; memory O(S + M + Σmᵢsᵢ). The M- and S-sized buffers live here and
//! are reused across iterations; only the small per-factor matrices are rebuilt.

use super::tensor::expand_kron;
use nalgebra::DMatrix;
use parsimony_core::Result;
use parsimony_core::linalg::{
    ModeWorkspace, Scalar, Transform, multimode_product, symmetric_eigen,
};

/// Buffers and results of the E-step.
pub(crate) struct EStep<T: Scalar> {
    u: Vec<DMatrix<T>>,
    w: Vec<DMatrix<T>>,
    w_abs2: Vec<DMatrix<f64>>,
    p: Vec<Vec<f64>>,
    m_dims: Vec<usize>,
    s_dims: Vec<usize>,
    delta: Vec<f64>,
    inv_delta: Vec<f64>,
    ytil: Vec<T>,
    /// M-sized scratch (z, then H μ for the noise update).
    pub(crate) scratch_m: Vec<T>,
    /// Posterior mean on the active set (length S).
    pub(crate) mu: Vec<T>,
    /// Posterior variances diag Σ on the active set.
    pub(crate) v: Vec<f64>,
    /// d = diag Σ + |μ|².
    pub(crate) d: Vec<f64>,
    /// ⊗γ on the active set (the prior used in this E-step).
    pub(crate) gamma_full: Vec<f64>,
    q: Vec<f64>,
    ws_t: ModeWorkspace<T>,
    ws_r: ModeWorkspace<f64>,
    /// The evidence cost log|C| + yᴴC⁻¹y of this E-step.
    pub(crate) cost: f64,
}

impl<T: Scalar> EStep<T> {
    /// Buffers for measurement sizes `m` and at most `n_total` active columns.
    pub(crate) fn new(m: &[usize], n_total: usize) -> Self {
        let big_m: usize = m.iter().product();
        Self {
            u: Vec::new(),
            w: Vec::new(),
            w_abs2: Vec::new(),
            p: vec![Vec::new(); m.len()],
            m_dims: m.to_vec(),
            s_dims: Vec::with_capacity(m.len()),
            delta: vec![0.0; big_m],
            inv_delta: vec![0.0; big_m],
            ytil: vec![T::default(); big_m],
            scratch_m: vec![T::default(); big_m],
            mu: Vec::with_capacity(n_total),
            v: Vec::with_capacity(n_total),
            d: Vec::with_capacity(n_total),
            gamma_full: Vec::with_capacity(n_total),
            q: Vec::with_capacity(n_total),
            ws_t: ModeWorkspace::new(),
            ws_r: ModeWorkspace::new(),
            cost: f64::NAN,
        }
    }

    /// The active tensor shape (s₁, …, s_I) of the last run.
    pub(crate) fn s_dims(&self) -> &[usize] {
        &self.s_dims
    }

    /// Runs the E-step for active factors `h` (mᵢ × sᵢ), prior factors `gamma` (sᵢ), data `y`
    /// and noise variance `sigma2`.
    pub(crate) fn run(
        &mut self,
        h: &[DMatrix<T>],
        gamma: &[Vec<f64>],
        y: &[T],
        sigma2: f64,
    ) -> Result<()> {
        let modes = h.len();
        self.u.resize(modes, DMatrix::zeros(0, 0));
        self.w.resize(modes, DMatrix::zeros(0, 0));
        self.w_abs2.resize(modes, DMatrix::zeros(0, 0));
        self.s_dims.clear();
        for (i, (hi, gi)) in h.iter().zip(gamma).enumerate() {
            self.s_dims.push(hi.ncols());
            // B = Hᵢ diag(γᵢ); Cᵢ = B Hᵢᴴ; Wᵢ = Bᴴ Uᵢ = diag(γᵢ) Hᵢᴴ Uᵢ.
            let mut b = hi.clone();
            for (mut col, &g) in b.column_iter_mut().zip(gi) {
                col *= T::of_real(g);
            }
            let c = &b * hi.adjoint();
            let eig = symmetric_eigen(&c)?;
            self.p[i].clear();
            self.p[i].extend(eig.values.iter().map(|&l| l.max(0.0)));
            self.w[i] = b.adjoint() * &eig.vectors;
            self.w_abs2[i] = self.w[i].map(|z| z.modulus2());
            self.u[i] = eig.vectors;
        }
        // δ = σ² + ⊗pᵢ
        expand_kron(&self.p, &mut self.delta);
        for (dl, il) in self.delta.iter_mut().zip(self.inv_delta.iter_mut()) {
            *dl += sigma2;
            *il = 1.0 / *dl;
        }
        // ỹ = (⊗Uᵢᴴ) y, z = ỹ ./ δ, cost
        multimode_product(
            y,
            &self.m_dims,
            &self.u,
            Transform::Adjoint,
            &mut self.ytil,
            &mut self.ws_t,
        )?;
        let mut quad = 0.0;
        for ((z, yt), il) in self
            .scratch_m
            .iter_mut()
            .zip(&self.ytil)
            .zip(&self.inv_delta)
        {
            quad += yt.modulus2() * il;
            *z = yt.scaled(*il);
        }
        self.cost = sum_ln(&self.delta) + quad;
        // μ = (⊗Wᵢ) z
        let s: usize = self.s_dims.iter().product();
        self.mu.resize(s, T::default());
        multimode_product(
            &self.scratch_m,
            &self.m_dims,
            &self.w,
            Transform::Identity,
            &mut self.mu,
            &mut self.ws_t,
        )?;
        // q = (⊗|Wᵢ|²)(1/δ); diag Σ = max(⊗γ − q, 0); d = diag Σ + |μ|²
        self.q.resize(s, 0.0);
        multimode_product(
            &self.inv_delta,
            &self.m_dims,
            &self.w_abs2,
            Transform::Identity,
            &mut self.q,
            &mut self.ws_r,
        )?;
        expand_kron(gamma, &mut self.gamma_full);
        self.v.resize(s, 0.0);
        self.d.resize(s, 0.0);
        for j in 0..s {
            let v = (self.gamma_full[j] - self.q[j]).max(0.0);
            self.v[j] = v;
            self.d[j] = v + self.mu[j].modulus2();
        }
        Ok(())
    }

    /// Writes H_S μ (the model's prediction of y) into `scratch_m` and returns ‖y − H_S μ‖².
    pub(crate) fn residual_norm2(&mut self, h: &[DMatrix<T>], y: &[T]) -> Result<f64> {
        multimode_product(
            &self.mu,
            &self.s_dims,
            h,
            Transform::Identity,
            &mut self.scratch_m,
            &mut self.ws_t,
        )?;
        Ok(y.iter()
            .zip(&self.scratch_m)
            .map(|(a, b)| (*a - *b).modulus2())
            .sum())
    }
}

/// Σ ln δₖ for positive δ with few logarithms: running products, folded into the sum
/// whenever they leave [1e-150, 1e150] (each δₖ is far inside the double range).
fn sum_ln(delta: &[f64]) -> f64 {
    let (mut acc, mut prod) = (0.0, 1.0f64);
    for &d in delta {
        prod *= d;
        if !(1e-150..=1e150).contains(&prod) {
            acc += prod.ln();
            prod = 1.0;
        }
    }
    acc + prod.ln()
}

/// The posterior of x for given hyperparameters: what one E-step computes.
#[derive(Clone, Debug)]
pub struct Posterior<T: Scalar> {
    /// Posterior mean μ (length N).
    pub mean: nalgebra::DVector<T>,
    /// Posterior variances diag Σ (length N).
    pub variances: nalgebra::DVector<f64>,
    /// The evidence cost log|C| + yᴴC⁻¹y (natural log, no ½).
    pub cost: f64,
}

/// The exact posterior of x under the prior Γ = diag(γ₁ ⊗ … ⊗ γ_I) and noise variance σ²,
/// by the m-route E-step (no column is pruned; every γᵢ entry must be ≥ 0).
pub fn posterior<T: Scalar>(
    problem: &super::KronProblem<T>,
    gamma: &[nalgebra::DVector<f64>],
    sigma2: f64,
) -> Result<Posterior<T>> {
    use parsimony_core::Error;
    let n = problem.n();
    parsimony_core::error::check_len("number of γ factors", n.len(), gamma.len())?;
    for (i, (g, &ni)) in gamma.iter().zip(&n).enumerate() {
        parsimony_core::error::check_len(format_args!("length of γ[{i}]"), ni, g.len())?;
        if g.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::invalid(
                format!("gamma[{i}]"),
                "prior variances must be finite and ≥ 0",
            ));
        }
    }
    parsimony_core::error::check_positive("sigma2", sigma2)?;
    let g: Vec<Vec<f64>> = gamma.iter().map(|v| v.as_slice().to_vec()).collect();
    let big_n: usize = n.iter().product();
    let mut e = EStep::<T>::new(&problem.m(), big_n);
    e.run(problem.factors(), &g, problem.y().as_slice(), sigma2)?;
    Ok(Posterior {
        mean: nalgebra::DVector::from_vec(e.mu),
        variances: nalgebra::DVector::from_vec(e.v),
        cost: e.cost,
    })
}
