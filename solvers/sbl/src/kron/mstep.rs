//! M-steps: fit the Kronecker-structured prior γ₁ ⊗ … ⊗ γ_I to d = diag Σ + |μ|².
//!
//! The EM M-step minimises F(γ) = Σⱼ log γⱼ + dⱼ/γⱼ over γ ∈ K₊ (Kronecker products of
//! positive vectors). Up to a constant F is the Itakura–Saito divergence D_IS(d ‖ γ).
//!
//! **AM** (exact). Block i with the others fixed has the closed-form minimiser
//! `γᵢ[k] = (sᵢ/S) Σ_{j: jᵢ = k} dⱼ / ∏_{l≠i} γₗ[jₗ]`: a contraction of the tensor D with the
//! reciprocal factors, O(S) per factor. Sweeps are Gauss–Seidel; after each sweep
//! γ₁..γ_{I−1} are scaled to unit ℓ₂ norm and the scale moves to γ_I (the gauge). With
//! θ = log γ the objective is convex, so the sweeps reach the unique minimiser.
//!
//! **SVD** (approximate). The best rank-1 fit in the Frobenius norm by successive top singular
//! triples of the unfoldings: γ₁ = |u| of D as s₁ × (S/s₁); then σ|v| reshaped
//! s₂ × (S/(s₁s₂)), and so on; γ_I = σ|v| of the last one. The top triple comes from
//! warm-started power iteration (O(S) per step) or a dense SVD.

use super::params::SvdSolver;
use super::tensor::contract_except;
use nalgebra::DMatrix;
use parsimony_core::linalg::thin_svd;
use parsimony_core::{Error, Result};

/// Scratch of the M-steps.
#[derive(Default)]
pub(crate) struct MStep {
    recips: Vec<Vec<f64>>,
    old: Vec<Vec<f64>>,
    out: Vec<f64>,
    pre: Vec<f64>,
    post: Vec<f64>,
    cur: Vec<f64>,
    next: Vec<f64>,
    t: Vec<f64>,
    w: Vec<f64>,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn rel_change(new: &[f64], old: &[f64]) -> f64 {
    let diff: f64 = new
        .iter()
        .zip(old)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    diff / norm(old).max(f64::MIN_POSITIVE)
}

/// γ₁..γ_{I−1} to unit norm, the product of their norms into γ_I (⊗γ unchanged).
pub(crate) fn normalise_gauge(gamma: &mut [Vec<f64>]) {
    let last = gamma.len() - 1;
    let mut scale = 1.0;
    for g in &mut gamma[..last] {
        let n = norm(g);
        if n > 0.0 {
            g.iter_mut().for_each(|x| *x /= n);
            scale *= n;
        }
    }
    gamma[last].iter_mut().for_each(|x| *x *= scale);
}

impl MStep {
    /// AM sweeps from the current `gamma` until the largest relative factor change is
    /// ≤ `inner_tol` or `max_sweeps` sweeps ran. Returns the number of sweeps.
    pub(crate) fn am(
        &mut self,
        d: &[f64],
        dims: &[usize],
        gamma: &mut [Vec<f64>],
        inner_tol: f64,
        max_sweeps: usize,
    ) -> usize {
        let plain = vec![None; dims.len()];
        self.sweeps(d, dims, gamma, &plain, inner_tol, max_sweeps, false)
            .expect("uncoupled sweeps cannot fail")
    }

    /// PC-KroSBL sweeps: like [`MStep::am`], but each coupled factor is refitted as
    /// γᵢ = ε + C_β ξᵢ with ξᵢ = argmin_{ξ ≥ 0} ‖C_β ξ − tᵢ‖ (tᵢ the AM target), C_β the
    /// tridiagonal coupling restricted to the active grid points `active[i]`. Stops when the
    /// relative change of ⊗γ is ≤ `inner_tol` or after `max_sweeps`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pc_am(
        &mut self,
        d: &[f64],
        dims: &[usize],
        gamma: &mut [Vec<f64>],
        active: &[Vec<usize>],
        beta: f64,
        coupled: &[usize],
        inner_tol: f64,
        max_sweeps: usize,
    ) -> Result<usize> {
        let couplings: Vec<Option<DMatrix<f64>>> = (0..dims.len())
            .map(|i| {
                coupled.contains(&i).then(|| {
                    let a = &active[i];
                    DMatrix::from_fn(a.len(), a.len(), |r, c| {
                        if r == c {
                            1.0
                        } else if a[r].abs_diff(a[c]) == 1 {
                            beta
                        } else {
                            0.0
                        }
                    })
                })
            })
            .collect();
        self.sweeps(d, dims, gamma, &couplings, inner_tol, max_sweeps, true)
    }

    /// Gauss–Seidel sweeps of the AM block updates; factor i is refitted through the coupling
    /// `couplings[i]` when given. After each sweep the gauge is fixed (‖γᵢ‖ = 1, i < I; without
    /// it the scale drifts between factors and an absolute pruning threshold can remove a
    /// whole factor). The stop is the largest relative factor change, or the relative change
    /// of ⊗γ (`kron_stop`, the PC code's rule).
    #[allow(clippy::too_many_arguments)]
    fn sweeps(
        &mut self,
        d: &[f64],
        dims: &[usize],
        gamma: &mut [Vec<f64>],
        couplings: &[Option<DMatrix<f64>>],
        inner_tol: f64,
        max_sweeps: usize,
        kron_stop: bool,
    ) -> Result<usize> {
        const EPS: f64 = 1e-5;
        let modes = dims.len();
        let s_total: usize = dims.iter().product();
        self.recips.resize(modes, Vec::new());
        self.old.resize(modes, Vec::new());
        for (r, g) in self.recips.iter_mut().zip(gamma.iter()) {
            r.clear();
            r.extend(g.iter().map(|x| 1.0 / x));
        }
        let mut sweeps = 0;
        while sweeps < max_sweeps {
            sweeps += 1;
            for (o, g) in self.old.iter_mut().zip(gamma.iter()) {
                o.clone_from(g);
            }
            for i in 0..modes {
                self.out.resize(dims[i], 0.0);
                contract_except(
                    d,
                    dims,
                    &self.recips,
                    i,
                    &mut self.pre,
                    &mut self.post,
                    &mut self.out,
                );
                let scale = dims[i] as f64 / s_total as f64;
                self.out.iter_mut().for_each(|v| *v *= scale);
                match &couplings[i] {
                    Some(c) => {
                        let t = nalgebra::DVector::from_column_slice(&self.out);
                        let sol = crate::nnls::NnlsParams::default()
                            .build()?
                            .solve(&crate::regression::Regression::new(c, &t)?)?;
                        sol.info.require_converged()?;
                        let g = c * sol.x;
                        for (gk, v) in gamma[i].iter_mut().zip(g.iter()) {
                            *gk = EPS + v;
                        }
                    }
                    None => {
                        // floor: an exact zero would make its reciprocal infinite (pruned next step)
                        let top = self.out.iter().fold(0.0f64, |a, &b| a.max(b));
                        let floor = (top * 1e-200).max(f64::MIN_POSITIVE);
                        for (gk, &o) in gamma[i].iter_mut().zip(&self.out) {
                            *gk = o.max(floor);
                        }
                    }
                }
                for (r, g) in self.recips[i].iter_mut().zip(&gamma[i]) {
                    *r = 1.0 / g;
                }
            }
            normalise_gauge(gamma);
            for (r, g) in self.recips.iter_mut().zip(gamma.iter()) {
                r.iter_mut().zip(g).for_each(|(r, g)| *r = 1.0 / g);
            }
            let change = if kron_stop {
                // relative change of ⊗γ through the factors (fine at the tolerances used, ≥ 1e-7)
                let (mut na, mut nb, mut ab) = (1.0, 1.0, 1.0);
                for (g, o) in gamma.iter().zip(&self.old) {
                    na *= g.iter().map(|x| x * x).sum::<f64>();
                    nb *= o.iter().map(|x| x * x).sum::<f64>();
                    ab *= g.iter().zip(o).map(|(x, y)| x * y).sum::<f64>();
                }
                ((na + nb - 2.0 * ab).max(0.0) / nb).sqrt()
            } else {
                gamma
                    .iter()
                    .zip(&self.old)
                    .map(|(g, o)| rel_change(g, o))
                    .fold(0.0f64, f64::max)
            };
            if change <= inner_tol {
                break;
            }
        }
        Ok(sweeps)
    }

    /// The SVD M-step: successive top singular triples of the unfoldings of D.
    pub(crate) fn svd(
        &mut self,
        d: &[f64],
        dims: &[usize],
        gamma: &mut [Vec<f64>],
        solver: SvdSolver,
    ) -> Result<()> {
        let modes = dims.len();
        if modes == 1 {
            gamma[0].clear();
            gamma[0].extend_from_slice(d);
            return Ok(());
        }
        self.cur.clear();
        self.cur.extend_from_slice(d);
        let mut len = d.len();
        for i in 0..modes - 1 {
            let rows = dims[i];
            let cols = len / rows;
            let solver = match solver {
                SvdSolver::Auto { .. } if rows <= 64 => SvdSolver::Gram,
                SvdSolver::Auto { tol, max_iter } => SvdSolver::Power { tol, max_iter },
                s => s,
            };
            let sigma = match solver {
                SvdSolver::Power { tol, max_iter } | SvdSolver::Auto { tol, max_iter } => {
                    power_top_triple(
                        &self.cur,
                        rows,
                        cols,
                        &mut gamma[i],
                        &mut self.t,
                        &mut self.w,
                        tol,
                        max_iter,
                    )
                }
                SvdSolver::Gram => {
                    gram_top_triple(&self.cur[..len], rows, cols, &mut gamma[i], &mut self.t)?
                }
                SvdSolver::Dense => {
                    let r = DMatrix::from_row_slice(rows, cols, &self.cur[..len]);
                    let svd = thin_svd(&r)?;
                    gamma[i].clear();
                    gamma[i].extend(svd.u.column(0).iter().map(|x| x.abs()));
                    self.t.clear();
                    let s0 = svd.singular_values[0];
                    self.t.extend(svd.v.column(0).iter().map(|x| x * s0));
                    s0
                }
            };
            if !(sigma.is_finite() && sigma > 0.0) {
                return Err(Error::breakdown(
                    "SVD M-step",
                    format!("top singular value of unfolding {i} is {sigma}"),
                ));
            }
            // t holds σ·v (up to sign): the next unfolding is |σ v|.
            self.next.clear();
            self.next.extend(self.t.iter().map(|x| x.abs()));
            std::mem::swap(&mut self.cur, &mut self.next);
            len = cols;
        }
        gamma[modes - 1].clear();
        gamma[modes - 1].extend_from_slice(&self.cur[..len]);
        Ok(())
    }
}

/// Top singular triple of the row-major `rows × cols` matrix R from the top eigenvector u of
/// G = R Rᵀ: u = |u|, t = Rᵀu = σ v, σ = ‖t‖.
fn gram_top_triple(
    r: &[f64],
    rows: usize,
    cols: usize,
    u: &mut Vec<f64>,
    t: &mut Vec<f64>,
) -> Result<f64> {
    use faer::{Accum, MatMut, MatRef, Par};
    let rm = MatRef::from_row_major_slice(r, rows, cols);
    let mut g = DMatrix::<f64>::zeros(rows, rows);
    {
        let gm = MatMut::from_column_major_slice_mut(g.as_mut_slice(), rows, rows);
        faer::linalg::matmul::matmul(gm, Accum::Replace, rm, rm.transpose(), 1.0, Par::Seq);
    }
    // Top eigenvector of the small Gram matrix: power iteration warm-started from the previous
    // factor (G is entrywise nonnegative, so the Perron vector is nonnegative), with a dense
    // eigendecomposition as the fallback when the gap is too small to converge quickly.
    if u.len() != rows || norm(u) == 0.0 {
        u.clear();
        u.resize(rows, 1.0);
    }
    let n0 = norm(u);
    u.iter_mut().for_each(|x| *x = x.abs() / n0);
    let mut w = vec![0.0; rows];
    let mut done = false;
    for _ in 0..200 {
        // G is symmetric: (G u)ᵢ is the dot product of column i with u (contiguous)
        for (wi, col) in w.iter_mut().zip(g.as_slice().chunks_exact(rows)) {
            *wi = col.iter().zip(u.iter()).map(|(a, b)| a * b).sum();
        }
        let s = norm(&w);
        if s == 0.0 {
            break;
        }
        let mut diff2 = 0.0;
        for (ui, &wi) in u.iter_mut().zip(&w) {
            diff2 += (wi / s - *ui).powi(2);
            *ui = wi / s;
        }
        if diff2.sqrt() <= 1e-14 {
            done = true;
            break;
        }
    }
    if !done {
        let e = parsimony_core::linalg::symmetric_eigen(&g)?;
        u.clear();
        u.extend(e.vectors.column(rows - 1).iter().map(|x| x.abs()));
    }
    t.clear();
    t.resize(cols, 0.0);
    for (row, &ui) in r.chunks_exact(cols).zip(u.iter()) {
        t.iter_mut().zip(row).for_each(|(tc, &x)| *tc += ui * x);
    }
    Ok(norm(t))
}

/// Top left singular vector u of the row-major `rows × cols` matrix R by power iteration on
/// R Rᵀ, warm-started from `u` (or from 1 if it has the wrong length or is zero). On return
/// `u` = |u|, `t` = Rᵀu = σ v, and the result is σ. `w` is scratch of length `rows`.
#[allow(clippy::too_many_arguments)]
fn power_top_triple(
    r: &[f64],
    rows: usize,
    cols: usize,
    u: &mut Vec<f64>,
    t: &mut Vec<f64>,
    w: &mut Vec<f64>,
    tol: f64,
    max_iter: usize,
) -> f64 {
    let r = &r[..rows * cols];
    if u.len() != rows || norm(u) == 0.0 {
        u.clear();
        u.resize(rows, 1.0);
    }
    let n0 = norm(u);
    u.iter_mut().for_each(|x| *x = x.abs() / n0);
    t.clear();
    t.resize(cols, 0.0);
    w.clear();
    w.resize(rows, 0.0);
    // t = Rᵀ u (axpy over rows)
    let rt_u = |u: &[f64], t: &mut [f64]| {
        t.fill(0.0);
        for (row, &ui) in r.chunks_exact(cols).zip(u) {
            if ui != 0.0 {
                t.iter_mut().zip(row).for_each(|(tc, &x)| *tc += ui * x);
            }
        }
    };
    for _ in 0..max_iter {
        rt_u(u, t);
        // w = R t (dot per row), then u ← w/‖w‖
        for (wi, row) in w.iter_mut().zip(r.chunks_exact(cols)) {
            *wi = row.iter().zip(t.iter()).map(|(a, b)| a * b).sum();
        }
        let s = norm(w);
        if s == 0.0 {
            break;
        }
        let mut diff2 = 0.0;
        for (ui, &wi) in u.iter_mut().zip(w.iter()) {
            let x = wi / s;
            diff2 += (x - *ui) * (x - *ui);
            *ui = x;
        }
        if diff2.sqrt() <= tol {
            break;
        }
    }
    u.iter_mut().for_each(|x| *x = x.abs());
    rt_u(u, t);
    norm(t)
}

fn check_fit_input(d: &[f64], dims: &[usize]) -> Result<()> {
    if dims.is_empty() || dims.contains(&0) {
        return Err(Error::invalid(
            "dims",
            format!("need nonzero mode sizes, got {dims:?}"),
        ));
    }
    let s: usize = dims.iter().product();
    parsimony_core::error::check_len("length of d (∏ dims)", s, d.len())?;
    if d.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::invalid("d", "entries must be finite and ≥ 0"));
    }
    Ok(())
}

/// The AM M-step on its own: minimises Σⱼ log γⱼ + dⱼ/γⱼ over γ = γ₁ ⊗ … ⊗ γ_I from `start`,
/// with sweeps until the largest relative factor change is ≤ `tol` (or `max_sweeps`).
/// Returns the factors (gauge ‖γᵢ‖ = 1 for i < I) and the number of sweeps.
pub fn am_fit(
    d: &[f64],
    dims: &[usize],
    start: &[Vec<f64>],
    tol: f64,
    max_sweeps: usize,
) -> Result<(Vec<Vec<f64>>, usize)> {
    check_fit_input(d, dims)?;
    parsimony_core::error::check_len("number of start factors", dims.len(), start.len())?;
    for (i, (g, &di)) in start.iter().zip(dims).enumerate() {
        parsimony_core::error::check_len(format_args!("length of start[{i}]"), di, g.len())?;
        if g.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::invalid(
                format!("start[{i}]"),
                "entries must be finite and > 0",
            ));
        }
    }
    let mut gamma = start.to_vec();
    let sweeps = MStep::default().am(d, dims, &mut gamma, tol, max_sweeps.max(1));
    Ok((gamma, sweeps))
}

/// The SVD M-step on its own: the successive rank-1 fit of D in the Frobenius norm.
pub fn svd_fit(d: &[f64], dims: &[usize], solver: SvdSolver) -> Result<Vec<Vec<f64>>> {
    check_fit_input(d, dims)?;
    let mut gamma = vec![Vec::new(); dims.len()];
    MStep::default().svd(d, dims, &mut gamma, solver)?;
    Ok(gamma)
}
