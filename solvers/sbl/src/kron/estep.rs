//! The Kronecker E-step: posterior mean and variances without a Kronecker product.
//!
//! With active columns Sᵢ of each factor and Γ = diag(γ₁ ⊗ … ⊗ γ_I), the **measurement
//! route** (m-route, the paper's) diagonalises the mᵢ × mᵢ factors of C = σ²I + HΓHᴴ:
//!
//! ```text
//!   Cᵢ = Hᵢ Γᵢ Hᵢᴴ = Uᵢ diag(pᵢ) Uᵢᴴ          (mᵢ × mᵢ, Hermitian eigendecomposition)
//!   Wᵢ = Γᵢ Hᵢᴴ Uᵢ                            (sᵢ × mᵢ)
//!   δ  = σ² + p₁ ⊗ … ⊗ p_I                     (eigenvalues of C)
//!   ỹ  = (⊗Uᵢᴴ) y,   z = ỹ ./ δ
//!   μ  = (⊗Wᵢ) z                               (posterior mean)
//!   diag Σ = γ − (⊗|Wᵢ|∘²) (1 ./ δ)            (clamped at ≥ 0)
//!   d  = diag Σ + |μ|²                          (what the M-step fits)
//!   L  = Σ log δ + Σ |ỹ|²/δ = log|C| + yᴴC⁻¹y   (the evidence cost, natural log, no ½)
//! ```
//!
//! The **coefficient route** (n-route) diagonalises the sᵢ × sᵢ factors of Γ^½HᴴHΓ^½ instead,
//! which is cheaper once pruning has made the active set smaller than the measurement:
//!
//! ```text
//!   Γᵢ^½ HᵢᴴHᵢ Γᵢ^½ = Vᵢ diag(λᵢ) Vᵢᴴ,  Qᵢ = Γᵢ^½ Vᵢ,  δ = σ² + ⊗λᵢ   (length S)
//!   b = (⊗QᵢᴴHᵢᴴ) y,  μ = (⊗Qᵢ)(b ./ δ),  diag Σ = σ² (⊗|Qᵢ|∘²)(1 ./ δ)
//!   L = (M − S) ln σ² + Σ ln δ + (‖y‖² − Σ|b|²/δ)/σ²          (Sylvester + Woodbury)
//! ```
//!
//! [`Route::Auto`] (the default) takes the coefficient route when S < M.
//!
//! Cost: the eigendecompositions O(Σ(mᵢ²sᵢ + mᵢ³)) (m-route) or O(Σ(mᵢsᵢ² + sᵢ³)) (n-route)
//! and three or four multi-mode products, at most O(max(S, M)·Σmᵢ); memory O(S + M + Σmᵢsᵢ).
//! The M- and S-sized buffers live here and are reused across iterations; only the small
//! per-factor matrices are rebuilt.

use super::tensor::expand_kron;
use nalgebra::DMatrix;
use parsimony_core::Result;
use parsimony_core::linalg::{
    ModeWorkspace, Scalar, Transform, as_faer, as_faer_mut, multimode_product, symmetric_eigen,
    symmetric_eigen_unordered,
};

/// Which side of the Woodbury identity the E-step works on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Route {
    /// The coefficient route when the active set is smaller than the measurement (S < M),
    /// else the measurement route.
    #[default]
    Auto,
    /// Eigendecompositions of the mᵢ × mᵢ matrices Hᵢ Γᵢ Hᵢᴴ; products of size M and S.
    Measurement,
    /// Eigendecompositions of the sᵢ × sᵢ matrices Γᵢ^½ HᵢᴴHᵢ Γᵢ^½; products of size S only
    /// (after one pass over y).
    Coefficient,
}

/// Buffers and results of the E-step.
pub(crate) struct EStep<T: Scalar> {
    b: Vec<DMatrix<T>>,
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
        // the coefficient route keeps S-sized vectors in the same buffers
        let len = big_m.max(n_total);
        Self {
            b: Vec::new(),
            u: Vec::new(),
            w: Vec::new(),
            w_abs2: Vec::new(),
            p: vec![Vec::new(); m.len()],
            m_dims: m.to_vec(),
            s_dims: Vec::with_capacity(m.len()),
            delta: vec![0.0; len],
            inv_delta: vec![0.0; len],
            ytil: vec![T::default(); len],
            scratch_m: vec![T::default(); len],
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
    /// and noise variance `sigma2`, by the route `route` (`Auto`: the coefficient route when the
    /// active set is smaller than the measurement, S < M).
    pub(crate) fn run(
        &mut self,
        h: &[DMatrix<T>],
        gamma: &[Vec<f64>],
        y: &[T],
        sigma2: f64,
        route: Route,
    ) -> Result<()> {
        let modes = h.len();
        self.u.resize(modes, DMatrix::zeros(0, 0));
        self.w.resize(modes, DMatrix::zeros(0, 0));
        self.w_abs2.resize(modes, DMatrix::zeros(0, 0));
        self.s_dims.clear();
        self.s_dims.extend(h.iter().map(|hi| hi.ncols()));
        let s: usize = self.s_dims.iter().product();
        let big_m: usize = self.m_dims.iter().product();
        let coefficient = match route {
            Route::Auto => s < big_m,
            Route::Measurement => false,
            Route::Coefficient => true,
        };
        self.mu.resize(s, T::default());
        self.q.resize(s, 0.0);
        if coefficient {
            self.run_coefficient(h, gamma, y, sigma2)?;
        } else {
            self.run_measurement(h, gamma, y, sigma2)?;
        }
        // d = diag Σ + |μ|² (diag Σ clamped at ≥ 0 against round-off)
        self.v.resize(s, 0.0);
        self.d.resize(s, 0.0);
        for ((v, d), mu) in self.v.iter_mut().zip(&mut self.d).zip(&self.mu) {
            *v = v.max(0.0);
            *d = *v + mu.modulus2();
        }
        Ok(())
    }

    /// The m-route: eigendecompositions of the mᵢ × mᵢ matrices Cᵢ = Hᵢ Γᵢ Hᵢᴴ.
    fn run_measurement(
        &mut self,
        h: &[DMatrix<T>],
        gamma: &[Vec<f64>],
        y: &[T],
        sigma2: f64,
    ) -> Result<()> {
        self.b.resize(h.len(), DMatrix::zeros(0, 0));
        for (i, (hi, gi)) in h.iter().zip(gamma).enumerate() {
            // B = Hᵢ diag(γᵢ); Cᵢ = B Hᵢᴴ; Wᵢ = Bᴴ Uᵢ = diag(γᵢ) Hᵢᴴ Uᵢ.
            let b = &mut self.b[i];
            if b.shape() == hi.shape() {
                b.copy_from(hi);
            } else {
                *b = hi.clone();
            }
            for (mut col, &g) in b.column_iter_mut().zip(gi) {
                col *= T::of_real(g);
            }
            // the order of the eigenpairs does not matter here
            let mut c = DMatrix::zeros(hi.nrows(), hi.nrows());
            small_gemm(&mut c, as_faer(b), as_faer(hi).adjoint());
            let eig = symmetric_eigen_unordered(c)?;
            self.p[i].clear();
            self.p[i].extend(eig.values.iter().map(|&l| l.max(0.0)));
            let w = &mut self.w[i];
            if w.shape() != (hi.ncols(), hi.nrows()) {
                *w = DMatrix::zeros(hi.ncols(), hi.nrows());
            }
            small_gemm(w, as_faer(b).adjoint(), as_faer(&eig.vectors));
            let wa = &mut self.w_abs2[i];
            if wa.shape() != w.shape() {
                *wa = DMatrix::zeros(w.nrows(), w.ncols());
            }
            for (a, z) in wa.iter_mut().zip(w.iter()) {
                *a = z.modulus2();
            }
            self.u[i] = eig.vectors;
        }
        let big_m: usize = self.m_dims.iter().product();
        let (delta, inv_delta) = (&mut self.delta[..big_m], &mut self.inv_delta[..big_m]);
        let (ytil, z) = (&mut self.ytil[..big_m], &mut self.scratch_m[..big_m]);
        // δ = σ² + ⊗pᵢ
        expand_kron(&self.p, &mut self.gamma_full);
        for ((dl, il), p) in delta
            .iter_mut()
            .zip(inv_delta.iter_mut())
            .zip(&self.gamma_full)
        {
            *dl = sigma2 + p;
            *il = 1.0 / *dl;
        }
        // ỹ = (⊗Uᵢᴴ) y, z = ỹ ./ δ, cost
        multimode_product(
            y,
            &self.m_dims,
            &self.u,
            Transform::Adjoint,
            ytil,
            &mut self.ws_t,
        )?;
        let mut quad = 0.0;
        for ((zk, yt), il) in z.iter_mut().zip(ytil.iter()).zip(inv_delta.iter()) {
            quad += yt.modulus2() * il;
            *zk = yt.scaled(*il);
        }
        self.cost = sum_ln(delta) + quad;
        // μ = (⊗Wᵢ) z
        multimode_product(
            z,
            &self.m_dims,
            &self.w,
            Transform::Identity,
            &mut self.mu,
            &mut self.ws_t,
        )?;
        // q = (⊗|Wᵢ|²)(1/δ); diag Σ = ⊗γ − q
        multimode_product(
            inv_delta,
            &self.m_dims,
            &self.w_abs2,
            Transform::Identity,
            &mut self.q,
            &mut self.ws_r,
        )?;
        expand_kron(gamma, &mut self.gamma_full);
        self.v.clear();
        self.v
            .extend(self.gamma_full.iter().zip(&self.q).map(|(g, q)| g - q));
        Ok(())
    }

    /// The n-route: eigendecompositions of the sᵢ × sᵢ matrices Aᵢ = Γᵢ^½ HᵢᴴHᵢ Γᵢ^½.
    ///
    /// With Aᵢ = Vᵢ diag(λᵢ) Vᵢᴴ, Qᵢ = Γᵢ^½ Vᵢ and δ = σ² + ⊗λᵢ (length S):
    /// Σ = (⊗Qᵢ) diag(σ²/δ) (⊗Qᵢ)ᴴ, b = (⊗QᵢᴴHᵢᴴ) y, μ = (⊗Qᵢ)(b ./ δ), and by Sylvester's
    /// determinant identity and Woodbury
    /// L = (M − S) ln σ² + Σ ln δ + (‖y‖² − Σ |b|²/δ)/σ².
    fn run_coefficient(
        &mut self,
        h: &[DMatrix<T>],
        gamma: &[Vec<f64>],
        y: &[T],
        sigma2: f64,
    ) -> Result<()> {
        for (i, (hi, gi)) in h.iter().zip(gamma).enumerate() {
            let root: Vec<f64> = gi.iter().map(|g| g.sqrt()).collect();
            let mut a = hi.ad_mul(hi);
            for c in 0..a.ncols() {
                for r in 0..a.nrows() {
                    a[(r, c)] = a[(r, c)].scaled(root[r] * root[c]);
                }
            }
            let eig = symmetric_eigen(&a)?;
            self.p[i].clear();
            self.p[i].extend(eig.values.iter().map(|&l| l.max(0.0)));
            let mut qi = eig.vectors;
            for (mut row, &g) in qi.row_iter_mut().zip(&root) {
                row *= T::of_real(g);
            }
            // Pᵢ = Qᵢᴴ Hᵢᴴ (sᵢ × mᵢ) maps the data to the eigenbasis in one pass.
            self.u[i] = (hi * &qi).adjoint();
            self.w_abs2[i] = qi.map(|z| z.modulus2());
            self.w[i] = qi;
        }
        let s = self.mu.len();
        let (delta, inv_delta) = (&mut self.delta[..s], &mut self.inv_delta[..s]);
        let (b, z) = (&mut self.ytil[..s], &mut self.scratch_m[..s]);
        expand_kron(&self.p, &mut self.gamma_full);
        for ((dl, il), l) in delta
            .iter_mut()
            .zip(inv_delta.iter_mut())
            .zip(&self.gamma_full)
        {
            *dl = sigma2 + l;
            *il = 1.0 / *dl;
        }
        // b = (⊗Pᵢ) y, z = b ./ δ, cost
        multimode_product(
            y,
            &self.m_dims,
            &self.u,
            Transform::Identity,
            b,
            &mut self.ws_t,
        )?;
        let mut explained = 0.0;
        for ((zk, bk), il) in z.iter_mut().zip(b.iter()).zip(inv_delta.iter()) {
            explained += bk.modulus2() * il;
            *zk = bk.scaled(*il);
        }
        let y2: f64 = y.iter().map(|v| v.modulus2()).sum();
        let big_m: usize = self.m_dims.iter().product();
        self.cost = (big_m as f64 - s as f64) * sigma2.ln()
            + sum_ln(delta)
            + (y2 - explained).max(0.0) / sigma2;
        // μ = (⊗Qᵢ) z; diag Σ = σ² (⊗|Qᵢ|²)(1/δ)
        multimode_product(
            z,
            &self.s_dims,
            &self.w,
            Transform::Identity,
            &mut self.mu,
            &mut self.ws_t,
        )?;
        multimode_product(
            inv_delta,
            &self.s_dims,
            &self.w_abs2,
            Transform::Identity,
            &mut self.q,
            &mut self.ws_r,
        )?;
        self.v.clear();
        self.v.extend(self.q.iter().map(|q| sigma2 * q));
        expand_kron(gamma, &mut self.gamma_full);
        Ok(())
    }

    /// Writes H_S μ (the model's prediction of y) into `scratch_m` and returns ‖y − H_S μ‖².
    pub(crate) fn residual_norm2(&mut self, h: &[DMatrix<T>], y: &[T]) -> Result<f64> {
        let big_m = y.len();
        multimode_product(
            &self.mu,
            &self.s_dims,
            h,
            Transform::Identity,
            &mut self.scratch_m[..big_m],
            &mut self.ws_t,
        )?;
        Ok(y.iter()
            .zip(&self.scratch_m)
            .map(|(a, b)| (*a - *b).modulus2())
            .sum())
    }
}

/// dst = a · b (shapes already agree) by faer's GEMM on one thread.
fn small_gemm<T: Scalar>(
    dst: &mut DMatrix<T>,
    a: faer::MatRef<'_, impl faer::traits::Conjugate<Canonical = T>>,
    b: faer::MatRef<'_, impl faer::traits::Conjugate<Canonical = T>>,
) {
    faer::linalg::matmul::matmul(
        as_faer_mut(dst),
        faer::Accum::Replace,
        a,
        b,
        T::of_real(1.0),
        faer::Par::Seq,
    );
}

/// Σ ln δₖ for positive finite δ with one logarithm: products of blocks of 32 in four
/// independent lanes, folded into a running mantissa m ∈ [1, 2) and a binary exponent; a
/// block whose product leaves the normal range (extreme δ) is summed term by term instead.
fn sum_ln(delta: &[f64]) -> f64 {
    const BLOCK: usize = 32;
    let (mut exponent, mut mantissa, mut direct) = (0i64, 1.0f64, 0.0f64);
    let mut chunks = delta.chunks_exact(BLOCK);
    for block in &mut chunks {
        let (mut l0, mut l1, mut l2, mut l3) = (1.0f64, 1.0f64, 1.0f64, 1.0f64);
        for q in block.chunks_exact(4) {
            l0 *= q[0];
            l1 *= q[1];
            l2 *= q[2];
            l3 *= q[3];
        }
        let (p01, p23) = (l0 * l1, l2 * l3);
        let prod = p01 * p23 * mantissa;
        if [l0, l1, l2, l3, p01, p23, prod]
            .iter()
            .all(|v| v.is_normal())
        {
            // prod = m · 2^e with m ∈ [1, 2)
            let bits = prod.to_bits();
            exponent += ((bits >> 52) & 0x7ff) as i64 - 1023;
            mantissa = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
        } else {
            direct += block.iter().map(|d| d.ln()).sum::<f64>();
        }
    }
    direct += chunks.remainder().iter().map(|d| d.ln()).sum::<f64>();
    exponent as f64 * std::f64::consts::LN_2 + mantissa.ln() + direct
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
/// by the E-step's [`Route::Auto`] (the coefficient route when S < M; no column is pruned;
/// every γᵢ entry must be ≥ 0).
pub fn posterior<T: Scalar>(
    problem: &super::KronProblem<T>,
    gamma: &[nalgebra::DVector<f64>],
    sigma2: f64,
) -> Result<Posterior<T>> {
    posterior_by(problem, gamma, sigma2, Route::Auto)
}

/// [`posterior`] by a chosen route (both give the same posterior up to round-off).
pub fn posterior_by<T: Scalar>(
    problem: &super::KronProblem<T>,
    gamma: &[nalgebra::DVector<f64>],
    sigma2: f64,
    route: Route,
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
    e.run(problem.factors(), &g, problem.y().as_slice(), sigma2, route)?;
    Ok(Posterior {
        mean: nalgebra::DVector::from_vec(e.mu),
        variances: nalgebra::DVector::from_vec(e.v),
        cost: e.cost,
    })
}

#[cfg(test)]
mod tests {
    use super::sum_ln;

    /// The blocked sum of logarithms against the plain one, for moderate values, values whose
    /// block products leave the double range, and lengths that are not a multiple of the block.
    #[test]
    fn sum_ln_matches_plain_sum() {
        for (len, spread) in [(1, 1.0), (31, 3.0), (1440, 2.0), (3375, 40.0), (997, 300.0)] {
            let delta: Vec<f64> = (0..len)
                .map(|k| 10f64.powf(spread * ((k as f64 * 0.731).sin())) + 1e-3)
                .collect();
            let plain: f64 = delta.iter().map(|d| d.ln()).sum();
            let fast = sum_ln(&delta);
            assert!(
                (fast - plain).abs() <= 1e-12 * (1.0 + plain.abs()) + 1e-12 * len as f64,
                "len {len}, spread {spread}: {fast} vs {plain}"
            );
        }
    }
}
