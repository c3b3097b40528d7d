//! dKroSBL (He & Joseph, SPAWC 2024, arXiv 2310.07869): when x = x₁ ⊗ … ⊗ x_I, the noise-free
//! measurement tensor is rank-1, Y = (H₁x₁) ∘ … ∘ (H_I x_I). Split the noisy Y by successive
//! rank-1 SVDs into y₁, …, y_I and solve the I small problems yᵢ = Hᵢ xᵢ by classical SBL
//! (EM, noise learnt per factor, relative pruning 1e-3) on unit-norm columns; x̂ = x̂₁ ⊗ … ⊗ x̂_I. The scale split
//! between factors does not matter because the problems are linear; it is spread evenly so
//! that every small problem has the same scale. Cost: one SVD of the
//! m₁ × (M/m₁) unfolding and so on, plus Σᵢ cSBL(mᵢ × nᵢ): essentially independent of N.
//!
//! The per-factor noise starts at 0.1·var(yᵢ) (the SPAWC code starts at 10^-0.33 after
//! rescaling its factors; a relative start is scale-free).

use crate::Noise;
use crate::classical::{SblParams, UpdateRule};
use crate::kron::KronProblem;
use nalgebra::{DMatrix, DVector};
use parsimony_core::Result;
use parsimony_core::linalg::{Scalar, thin_svd};

/// The result of [`dkrosbl`].
#[derive(Clone, Debug)]
pub struct DkroSblSolution<T: Scalar> {
    /// x̂ = ⊗x̂ᵢ (length N).
    pub x: DVector<T>,
    /// The factor estimates x̂ᵢ.
    pub factors: Vec<DVector<T>>,
    /// Per-factor SBL iterations.
    pub iterations: Vec<usize>,
    /// Whether every factor converged.
    pub converged: bool,
}

/// Runs dKroSBL on a Kronecker problem (see the module docs of `baselines::dkrosbl`).
pub fn dkrosbl<T: Scalar>(problem: &KronProblem<T>) -> Result<DkroSblSolution<T>> {
    let m = problem.m();
    let modes = m.len();
    // successive rank-1 split of Y (row-major m₁ × … × m_I)
    let mut ys: Vec<DVector<T>> = Vec::with_capacity(modes);
    let mut cur: Vec<T> = problem.y().as_slice().to_vec();
    for &mi in &m[..modes - 1] {
        let cols = cur.len() / mi;
        let unf = DMatrix::from_row_slice(mi, cols, &cur);
        let svd = thin_svd(&unf)?;
        let s0 = svd.singular_values[0];
        ys.push(svd.u.column(0).into_owned());
        // Y_unf ≈ σ u vᴴ: the rest of the tensor is σ·conj(v)
        cur = svd
            .v
            .column(0)
            .iter()
            .map(|v| v.conjugated().scaled(s0))
            .collect();
    }
    ys.push(DVector::from_vec(cur));
    // Spread the scale evenly (every ‖yᵢ‖ = (∏‖yⱼ‖)^{1/I}): the per-factor SBL starts at γ = 1,
    // and a factor carrying the whole scale would converge needlessly slowly.
    let norms: Vec<f64> = ys.iter().map(|v| v.norm()).collect();
    if norms.iter().all(|&v| v > 0.0) {
        let target = norms.iter().map(|v| v.ln()).sum::<f64>() / modes as f64;
        for (v, nv) in ys.iter_mut().zip(&norms) {
            let f = (target - nv.ln()).exp();
            v.iter_mut().for_each(|z| *z = z.scaled(f));
        }
    }
    let solver = SblParams::new(UpdateRule::Em)
        .noise(Noise::Learn { init: None })
        .prune_rel(1e-3)
        .build()?;
    let mut factors = Vec::with_capacity(modes);
    let mut iterations = Vec::with_capacity(modes);
    let mut converged = true;
    for (h, yi) in problem.factors().iter().zip(&ys) {
        // unit-norm columns (x = D z): SBL's start γ = 1 presumes atoms and data of unit scale
        let norms: Vec<f64> = h.column_iter().map(|c| c.norm()).collect();
        let mut hn = h.clone();
        for (mut col, &nv) in hn.column_iter_mut().zip(&norms) {
            if nv > 0.0 {
                col /= T::of_real(nv);
            }
        }
        let s = solver.solve(&hn, yi)?;
        iterations.push(s.iterations);
        converged &= s.converged;
        let x = DVector::from_fn(h.ncols(), |j, _| {
            if norms[j] > 0.0 {
                s.x[j].scaled(1.0 / norms[j])
            } else {
                T::default()
            }
        });
        factors.push(x);
    }
    let mut x = factors[0].clone();
    for f in &factors[1..] {
        x = x.kronecker(f);
    }
    Ok(DkroSblSolution {
        x,
        factors,
        iterations,
        converged,
    })
}
