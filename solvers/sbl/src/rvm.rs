//! The relevance vector machine (RVM) for sparse linear regression, as MEDIDA uses it
//! (Tipping 2001 with the EM / MacKay fixed-point updates; Bishop, PRML §7.2.1).
//!
//! **Model.** t = Φw + ε, ε ~ N(0, β⁻¹I), prior wⱼ ~ N(0, αⱼ⁻¹). Optionally the columns of Φ
//! and t are standardised first (z-scores with the population standard deviation), and the
//! weights are mapped back as wⱼ = mⱼ σ_t/σ_{x,j} with intercept μ_t − Σⱼ wⱼ μ_{x,j}.
//!
//! **Set-up**, one pass over Φ (n × p): the finite check, the column moments and the Gram
//! matrix of the standardised data together, in blocks of 2048 rows shifted by a provisional
//! mean (one triangular GEMM per block, O(np²/2) flops, no standardised copy of Φ; a two-pass
//! route for columns whose shifted moments would cancel). Everything after the set-up needs
//! only these [`RowMoments`] of [Φ t] (sums and sums of products over the rows), so a caller
//! that forms them without storing Φ fits with [`rvm_fit_moments`].
//!
//! **Iteration** on the active set A, with the Gram matrix G = ΦᵀΦ, b = Φᵀt and c = tᵀt
//! computed once (so each iteration costs O(|A|³), independent of the number of samples):
//!
//! ```text
//!   Σ = (diag α_A + β G_AA)⁻¹,  m = β Σ b_A,  γ = 1 − α_A ∘ diag Σ
//!   α_A ← γ / m²
//!   β ← (n − Σγ) / rss,  rss = c − 2mᵀb_A + mᵀG_AA m
//!   prune αⱼ ≥ α_thr (keep the smallest-α column if all would go)
//!   stop when max|α − α_old| < tol, from the third iteration on
//! ```
//!
//! With α_thr = 100 in standardised space (MEDIDA's preset for Kuramoto–Sivashinsky) every
//! term contributing less than about 10 % of std(t) is cut: the threshold, not the evidence,
//! decides the support. Presets: [`RvmParams::medida_ks`], [`RvmParams::evidence`].

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::cholesky;
use parsimony_core::{Error, Result};

/// Parameters of the RVM.
///
/// | name | default | valid range |
/// |---|---|---|
/// | `alpha_threshold` | 1e9 | > 0 |
/// | `tol` | 1e-3 | ≥ 0 |
/// | `max_iter` | 3000 | ≥ 1 |
/// | `alpha_init` | 1e-6 | > 0 |
/// | `beta_init` | 1e-6 | > 0 |
/// | `standardise` | false | |
#[derive(Clone, Debug)]
pub struct RvmParams {
    /// Columns with αⱼ ≥ this are pruned.
    pub alpha_threshold: f64,
    /// Stop when max|α − α_old| < tol.
    pub tol: f64,
    /// Iteration cap.
    pub max_iter: usize,
    /// Starting weight precision.
    pub alpha_init: f64,
    /// Starting noise precision.
    pub beta_init: f64,
    /// z-score the columns and the target first (population standard deviation).
    pub standardise: bool,
}

impl Default for RvmParams {
    fn default() -> Self {
        Self {
            alpha_threshold: 1e9,
            tol: 1e-3,
            max_iter: 3000,
            alpha_init: 1e-6,
            beta_init: 1e-6,
            standardise: false,
        }
    }
}

impl RvmParams {
    /// MEDIDA's Kuramoto–Sivashinsky preset: standardise, α_thr = 100, tol = 0.1.
    pub fn medida_ks() -> Self {
        Self {
            alpha_threshold: 1e2,
            tol: 0.1,
            standardise: true,
            ..Self::default()
        }
    }

    /// An evidence-driven preset: standardise, α_thr = 1e6, tol = 1e-3.
    pub fn evidence() -> Self {
        Self {
            alpha_threshold: 1e6,
            tol: 1e-3,
            standardise: true,
            ..Self::default()
        }
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("alpha_threshold", self.alpha_threshold),
            ("alpha_init", self.alpha_init),
            ("beta_init", self.beta_init),
        ] {
            parsimony_core::error::check_positive(name, v)?;
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Error::invalid(
                "tol",
                format!("must be finite and ≥ 0, got {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", "must be at least 1"));
        }
        Ok(())
    }
}

/// A fitted RVM.
#[derive(Clone, Debug)]
pub struct RvmFit {
    /// The relevant columns (sorted).
    pub support: Vec<usize>,
    /// Weights in the original units (length p, zeros off the support).
    pub weights: DVector<f64>,
    /// Posterior standard deviations of the weights (original units, zeros off the support).
    pub weight_std: DVector<f64>,
    /// Posterior covariance of the weights on the support (original units).
    pub covariance: DMatrix<f64>,
    /// Intercept (0 without standardisation).
    pub intercept: f64,
    /// Noise precision β in the space the fit ran in (standardised if `standardise`).
    pub beta: f64,
    /// Noise variance in the original units of t.
    pub noise_variance: f64,
    /// Iterations performed.
    pub iterations: usize,
    /// Whether the tolerance was met.
    pub converged: bool,
    /// The last value of the stopping quantity: max |Δα| over the kept columns for [`rvm_fit`],
    /// |Δ ln β| for [`rvm_fit_fast`](crate::rvm_fast::rvm_fit_fast) (0 for an empty model that
    /// needed no iteration).
    pub change: f64,
}

/// Column and target scaling (identity without standardisation).
struct Scaling {
    mean_x: Vec<f64>,
    std_x: Vec<f64>,
    mean_t: f64,
    std_t: f64,
}

/// Mean and population standard deviation in one pass: sums of x − c and (x − c)² in four
/// lanes, with the shift c the mean of the first 64 values so that the variance
/// S₂/n − (S₁/n)² does not cancel; if it would still lose more than six digits (a column whose
/// start is far from its mean in units of its spread) the exact two-pass form is used.
fn mean_and_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let head = &v[..v.len().min(64)];
    let c = head.iter().sum::<f64>() / head.len().max(1) as f64;
    let (mut s1, mut s2) = ([0.0f64; 4], [0.0f64; 4]);
    let chunks = v.chunks_exact(4);
    let (mut r1, mut r2) = (0.0, 0.0);
    for &x in chunks.remainder() {
        r1 += x - c;
        r2 += (x - c) * (x - c);
    }
    for q in chunks {
        for k in 0..4 {
            let d = q[k] - c;
            s1[k] += d;
            s2[k] += d * d;
        }
    }
    let d = (s1.iter().sum::<f64>() + r1) / n;
    let m2 = (s2.iter().sum::<f64>() + r2) / n;
    let var = m2 - d * d;
    if var > 1e-6 * d * d {
        return (c + d, var.max(0.0).sqrt());
    }
    // a constant column has no spread, whatever digits the rounded mean leaves over
    if v.iter().all(|&x| x == v[0]) {
        return (v[0], 0.0);
    }
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Sums over the rows of the augmented data A = [Φ t] (n × (p + 1), the target last), taken
/// about a shift s (one value per column):
///
/// ```text
///   sums[j] = Σᵢ (aᵢⱼ − sⱼ),      products[(j, k)] = Σᵢ (aᵢⱼ − sⱼ)(aᵢₖ − sₖ)
/// ```
///
/// This is all the RVM needs of the data (means, standard deviations, the Gram matrix, Φᵀt and
/// tᵀt follow from it), so a caller that can form these sums without storing Φ — a structured
/// library whose Gram matrix follows from fewer moments, or rows streamed from disk — fits
/// with [`rvm_fit_moments`]. The shift only serves accuracy: choose it near the column means
/// (or 0 when they are small against the spread).
#[derive(Clone, Debug, PartialEq)]
pub struct RowMoments {
    /// Number of rows n.
    pub rows: usize,
    /// The shift sⱼ of each column (length p + 1).
    pub shift: Vec<f64>,
    /// Σᵢ (aᵢⱼ − sⱼ) (length p + 1).
    pub sums: Vec<f64>,
    /// Σᵢ (aᵢⱼ − sⱼ)(aᵢₖ − sₖ), symmetric ((p + 1) × (p + 1)).
    pub products: DMatrix<f64>,
}

impl RowMoments {
    /// The sums of `phi` (n × p) and `t` (length n) about the shift 0, computed directly
    /// (for tests and small problems; [`rvm_fit`] forms them in one blocked pass).
    pub fn from_rows(phi: &DMatrix<f64>, t: &DVector<f64>) -> Result<Self> {
        parsimony_core::error::check_len("length of t (rows of phi)", phi.nrows(), t.len())?;
        parsimony_core::linalg::check_finite("phi", phi.as_slice())?;
        parsimony_core::linalg::check_finite("t", t.as_slice())?;
        let (n, p) = phi.shape();
        let a = DMatrix::from_fn(n, p + 1, |i, j| if j < p { phi[(i, j)] } else { t[i] });
        Ok(Self {
            rows: n,
            shift: vec![0.0; p + 1],
            sums: a.row_sum().iter().copied().collect(),
            products: a.tr_mul(&a),
        })
    }

    /// Number of regression columns p (the target excluded).
    pub fn columns(&self) -> usize {
        self.shift.len().saturating_sub(1)
    }

    fn validate(&self) -> Result<()> {
        if self.rows == 0 {
            return Err(Error::invalid("rows", "need at least one row"));
        }
        let q = self.shift.len();
        if q < 2 {
            return Err(Error::invalid(
                "shift",
                "need at least one column and the target",
            ));
        }
        parsimony_core::error::check_len("length of sums", q, self.sums.len())?;
        parsimony_core::error::check_len("rows of products", q, self.products.nrows())?;
        parsimony_core::error::check_len("columns of products", q, self.products.ncols())?;
        parsimony_core::linalg::check_finite("shift", &self.shift)?;
        parsimony_core::linalg::check_finite("sums", &self.sums)?;
        parsimony_core::linalg::check_finite("products", self.products.as_slice())?;
        for j in 0..q {
            if self.products[(j, j)] < 0.0 {
                return Err(Error::invalid(
                    format!("products[({j}, {j})]"),
                    "a sum of squares must be ≥ 0",
                ));
            }
        }
        Ok(())
    }
}

/// The normal equations the iteration works on: G = XᵀX, b = Xᵀτ, c = τᵀτ of the (optionally
/// standardised) data X, τ, and the scaling that maps the weights back.
struct System {
    g: DMatrix<f64>,
    b: DVector<f64>,
    c: f64,
    scaling: Scaling,
}

/// The moments of [Φ t] about the shift cⱼ = mean of the column's first 64 values (0 without
/// standardisation), in **one** pass over Φ that also checks it for non-finite values.
///
/// Each block of rows is copied shifted, x − cⱼ, and accumulated into the lower half of the
/// shifted Gram matrix S of [Φ − c, t − c_t] (one triangular faer GEMM per block) and into the
/// column sums; no standardised copy of Φ is made.
fn shifted_moments(phi: &DMatrix<f64>, t: &DVector<f64>, standardise: bool) -> Result<RowMoments> {
    let (n, p) = phi.shape();
    const ROWS: usize = 2048;
    let head_mean = |v: &[f64]| {
        if standardise {
            let h = &v[..v.len().min(64)];
            h.iter().sum::<f64>() / h.len().max(1) as f64
        } else {
            0.0
        }
    };
    let columns: Vec<&[f64]> = phi
        .as_slice()
        .chunks_exact(n)
        .chain(std::iter::once(t.as_slice()))
        .collect();
    let shift: Vec<f64> = columns.iter().map(|c| head_mean(c)).collect();
    let mut sums = vec![0.0f64; p + 1];
    let mut block = faer::Mat::<f64>::zeros(ROWS.min(n), p + 1);
    let mut gram = faer::Mat::<f64>::zeros(p + 1, p + 1);
    let mut start = 0;
    while start < n {
        let rows = ROWS.min(n - start);
        for (j, col) in columns.iter().enumerate() {
            let (c, src) = (shift[j], &col[start..start + rows]);
            let dst = block
                .col_mut(j)
                .try_as_col_major_mut()
                .expect("faer::Mat columns are contiguous")
                .as_slice_mut();
            // four lanes, so that the sum and the finite test vectorise
            let (mut sum, mut finite) = ([0.0f64; 4], true);
            let mut dq = dst.chunks_exact_mut(4);
            let mut sq = src.chunks_exact(4);
            for (dv, sv) in (&mut dq).zip(&mut sq) {
                for k in 0..4 {
                    let d = sv[k] - c;
                    dv[k] = d;
                    sum[k] += d;
                    finite &= sv[k].is_finite();
                }
            }
            for (v, &x) in dq.into_remainder().iter_mut().zip(sq.remainder()) {
                *v = x - c;
                sum[0] += x - c;
                finite &= x.is_finite();
            }
            if !finite {
                return Err(Error::non_finite(if j < p { "phi" } else { "t" }));
            }
            sums[j] += (sum[0] + sum[1]) + (sum[2] + sum[3]);
        }
        accumulate_lower_gram(&mut gram, block.subrows(0, rows), start == 0);
        start += rows;
    }
    // only the lower triangle (r ≥ c) was accumulated
    let products = DMatrix::from_fn(p + 1, p + 1, |r, c| {
        if r >= c { gram[(r, c)] } else { gram[(c, r)] }
    });
    Ok(RowMoments {
        rows: n,
        shift,
        sums,
        products,
    })
}

/// The normal equations from the moments. With dⱼ = sumsⱼ/n the means are μⱼ = sⱼ + dⱼ, the
/// variances σⱼ² = Sⱼⱼ/n − dⱼ² and the standardised Gram entries (Sⱼₖ − n dⱼ dₖ)/(σⱼσₖ); a
/// shift near the mean keeps dⱼ of the order of σⱼ, so the subtraction loses few digits.
/// `None` when some column would lose more than log₁₀ `max_cancellation` digits,
/// dⱼ² ≥ `max_cancellation` σⱼ² (the moments cannot give its variance). Without
/// standardisation the plain sums Σ aⱼaₖ are recovered from the shifted ones.
fn standardised_system(m: &RowMoments, standardise: bool, max_cancellation: f64) -> Option<System> {
    let q = m.shift.len();
    let p = q - 1;
    let nf = m.rows as f64;
    let d: Vec<f64> = m.sums.iter().map(|s| s / nf).collect();
    let s = &m.products;
    let mut mean = vec![0.0; q];
    let mut std = vec![1.0; q];
    if standardise {
        for j in 0..q {
            let var = s[(j, j)] / nf - d[j] * d[j];
            if d[j] != 0.0 && var * max_cancellation <= d[j] * d[j] {
                return None;
            }
            mean[j] = m.shift[j] + d[j];
            std[j] = var.max(0.0).sqrt();
        }
    }
    // centred entries (Sⱼₖ − n dⱼ dₖ), divided by σⱼσₖ where σ > 0 (constant columns are never
    // selected; their entries stay unscaled); unstandardised: Σ aⱼaₖ
    let scale = |j: usize| if std[j] > 0.0 { std[j] } else { 1.0 };
    let sh = &m.shift;
    let entry = |r: usize, c: usize| {
        if standardise {
            (s[(r, c)] - nf * d[r] * d[c]) / (scale(r) * scale(c))
        } else {
            s[(r, c)] + nf * (sh[r] * d[c] + sh[c] * d[r] + sh[r] * sh[c])
        }
    };
    Some(System {
        g: DMatrix::from_fn(p, p, &entry),
        b: DVector::from_fn(p, |r, _| entry(p, r)),
        c: entry(p, p),
        scaling: Scaling {
            mean_x: mean[..p].to_vec(),
            std_x: std[..p].to_vec(),
            mean_t: mean[p],
            std_t: std[p],
        },
    })
}

/// The lower triangle of `gram` (+)= Bᵀ B for a block of rows B (replaced when `first`), by
/// faer's triangular GEMM on the threads of `set_threads`.
fn accumulate_lower_gram(gram: &mut faer::Mat<f64>, block: faer::MatRef<'_, f64>, first: bool) {
    use faer::linalg::matmul::triangular::{BlockStructure, matmul};
    let accum = if first {
        faer::Accum::Replace
    } else {
        faer::Accum::Add
    };
    matmul(
        gram.as_mut(),
        BlockStructure::TriangularLower,
        accum,
        block.transpose(),
        BlockStructure::Rectangular,
        block,
        BlockStructure::Rectangular,
        1.0,
        faer::get_global_parallelism(),
    );
}

/// The standardised Gram matrix, projections, energy and scaling by the two-pass route: the
/// moments column by column first, then the Gram matrix of the standardised blocks.
fn two_pass_gram(phi: &DMatrix<f64>, t: &DVector<f64>) -> System {
    let (mean_x, std_x): (Vec<f64>, Vec<f64>) = phi
        .as_slice()
        .chunks_exact(phi.nrows())
        .map(mean_and_std)
        .unzip();
    let (mean_t, std_t) = mean_and_std(t.as_slice());
    let scaling = Scaling {
        mean_x,
        std_x,
        mean_t,
        std_t,
    };
    let (g, b, c) = standardised_gram(phi, t, &scaling);
    System { g, b, c, scaling }
}

/// G = XᵀX, b = Xᵀτ, c = τᵀτ of the standardised data X = (Φ − μ)/σ (columns with σ = 0 left
/// as they are), τ = (t − μ_t)/σ_t, accumulated over blocks of rows (one triangular GEMM per
/// block through faer: the lower half only, then mirrored) so that the standardised matrix is
/// never stored whole.
fn standardised_gram(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    sc: &Scaling,
) -> (DMatrix<f64>, DVector<f64>, f64) {
    let (n, p) = phi.shape();
    // [X τ] block by block; the Gram of the augmented block holds G, b and c together
    const ROWS: usize = 2048;
    let mut block = faer::Mat::<f64>::zeros(ROWS.min(n), p + 1);
    let mut gram = faer::Mat::<f64>::zeros(p + 1, p + 1);
    let mut start = 0;
    while start < n {
        let rows = ROWS.min(n - start);
        // the p columns of Φ, then t, each shifted and scaled into its column of the block
        let columns = phi
            .as_slice()
            .chunks_exact(n)
            .chain(std::iter::once(t.as_slice()));
        for (j, col) in columns.enumerate() {
            let (m, s) = if j == p {
                (sc.mean_t, sc.std_t)
            } else if sc.std_x[j] > 0.0 {
                (sc.mean_x[j], sc.std_x[j])
            } else {
                (0.0, 1.0)
            };
            let dst = block
                .col_mut(j)
                .try_as_col_major_mut()
                .expect("contiguous column");
            for (v, &x) in dst.as_slice_mut().iter_mut().zip(&col[start..start + rows]) {
                *v = (x - m) / s;
            }
        }
        accumulate_lower_gram(&mut gram, block.subrows(0, rows), start == 0);
        start += rows;
    }
    // only the lower triangle (r ≥ c) was accumulated
    let lower = |r: usize, c: usize| if r >= c { gram[(r, c)] } else { gram[(c, r)] };
    let g = DMatrix::from_fn(p, p, lower);
    let bv = DVector::from_fn(p, |r, _| gram[(p, r)]);
    (g, bv, gram[(p, p)])
}

fn inverse_spd(h: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    match cholesky(h) {
        Ok(ch) => Ok(ch.inverse()),
        Err(Error::NotPositiveDefinite { .. }) => h
            .clone()
            .try_inverse()
            .ok_or_else(|| Error::breakdown("RVM", "posterior precision matrix is singular")),
        Err(e) => Err(e),
    }
}

/// Fits the RVM to the design matrix `phi` (n × p) and target `t` (length n).
///
/// Errors: shape mismatch, non-finite values, invalid parameters. A constant column (zero
/// standard deviation) is never selected when standardising; a constant target (when
/// standardising) or an all-zero target gives an empty model.
pub fn rvm_fit(phi: &DMatrix<f64>, t: &DVector<f64>, params: &RvmParams) -> Result<RvmFit> {
    rvm_fit_with(phi, t, params, MAX_CANCELLATION)
}

/// Fits the RVM from the [`RowMoments`] of [Φ t] alone, without the rows: the same iteration
/// as [`rvm_fit`] on the same normal equations.
///
/// `Ok(None)` when the moments cannot give the fit to working accuracy, and the caller should
/// fit from the rows with [`rvm_fit`] instead: a column whose mean, measured from its shift,
/// dwarfs its spread ((mean − shift)² ≥ 10⁶ variance; with moments about 0 this includes any
/// non-zero constant column or target: give such a column its value as the shift), or a model
/// that explains t to within 10⁻⁸ of its energy, where the residual c − 2mᵀb + mᵀGm cancels
/// and must be summed over the rows.
///
/// Errors: inconsistent sizes, non-finite or negative sums of squares, no rows, invalid
/// parameters.
pub fn rvm_fit_moments(moments: &RowMoments, params: &RvmParams) -> Result<Option<RvmFit>> {
    moments.validate()?;
    params.validate()?;
    let Some(system) = standardised_system(moments, params.standardise, MAX_CANCELLATION) else {
        return Ok(None);
    };
    iterate(&system, moments.rows, params, &mut |_, _| None)
}

/// How far (d²/σ² in the shifted moments) the one-pass route may cancel: six digits.
const MAX_CANCELLATION: f64 = 1e6;

/// [`rvm_fit`] with the one-pass route's cancellation limit (0 forces the two-pass route).
fn rvm_fit_with(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    params: &RvmParams,
    max_cancellation: f64,
) -> Result<RvmFit> {
    if phi.is_empty() {
        return Err(Error::invalid("phi", "design matrix is empty"));
    }
    parsimony_core::error::check_len("length of t (rows of phi)", phi.nrows(), t.len())?;
    params.validate()?;
    let n = phi.nrows();
    // One pass over Φ (finite check, moments and Gram together); the two-pass route only for
    // columns whose moments the shifted sums cannot give to enough digits.
    let moments = shifted_moments(phi, t, params.standardise)?;
    let system = standardised_system(&moments, params.standardise, max_cancellation)
        .unwrap_or_else(|| two_pass_gram(phi, t));
    let sc = &system.scaling;
    let standardised = |i: usize, j: usize| {
        if sc.std_x[j] > 0.0 {
            (phi[(i, j)] - sc.mean_x[j]) / sc.std_x[j]
        } else {
            phi[(i, j)]
        }
    };
    let target = |i: usize| (t[i] - sc.mean_t) / sc.std_t;
    // the residual from the rows, for when the expanded form cancels
    let mut residual = |active: &[usize], mean: &DVector<f64>| {
        let rss = (0..n)
            .map(|i| {
                let fit: f64 = active
                    .iter()
                    .zip(mean.iter())
                    .map(|(&j, m)| standardised(i, j) * m)
                    .sum();
                (target(i) - fit).powi(2)
            })
            .sum();
        Some(rss)
    };
    iterate(&system, n, params, &mut residual)?
        .ok_or_else(|| Error::breakdown("RVM", "the residual from the rows is unavailable"))
}

/// Σ(τ − X_A m)² over the rows for an active set A and weights m, if the rows are at hand.
type ResidualFromRows<'a> = dyn FnMut(&[usize], &DVector<f64>) -> Option<f64> + 'a;

/// The EM iteration on the normal equations of `n` rows. `residual(active, mean)` gives
/// Σ(τ − X_A m)² from the rows when the expanded form cancels; `Ok(None)` when it cannot.
fn iterate(
    system: &System,
    n: usize,
    params: &RvmParams,
    residual: &mut ResidualFromRows<'_>,
) -> Result<Option<RvmFit>> {
    let System { g, b, c, scaling } = system;
    let c = *c;
    let p = g.nrows();
    let empty = |iterations| RvmFit {
        support: vec![],
        weights: DVector::zeros(p),
        weight_std: DVector::zeros(p),
        covariance: DMatrix::zeros(0, 0),
        intercept: scaling.mean_t,
        beta: f64::INFINITY,
        noise_variance: 0.0,
        iterations,
        converged: true,
        change: 0.0,
    };
    // a constant target (standardised) or a zero one: nothing to explain
    if scaling.std_t == 0.0 || c == 0.0 {
        return Ok(Some(empty(0)));
    }
    let mut active: Vec<usize> = (0..p).filter(|&j| scaling.std_x[j] > 0.0).collect();
    if active.is_empty() {
        return Ok(Some(empty(0)));
    }
    let mut alpha: Vec<f64> = vec![params.alpha_init; active.len()];
    let mut alpha_old = alpha.clone();
    let mut beta = params.beta_init;
    let mut converged = false;
    let mut iterations = 0;
    let mut change = f64::NAN;
    let mut sigma = DMatrix::zeros(0, 0);
    let mut mean = DVector::zeros(0);
    for it in 0..params.max_iter {
        iterations = it + 1;
        let k = active.len();
        let g_aa = DMatrix::from_fn(k, k, |r, s| g[(active[r], active[s])]);
        let b_a = DVector::from_fn(k, |r, _| b[active[r]]);
        let mut h = &g_aa * beta;
        for r in 0..k {
            h[(r, r)] += alpha[r];
        }
        sigma = inverse_spd(&h)?;
        mean = &sigma * &b_a * beta;
        let gamma: Vec<f64> = (0..k).map(|r| 1.0 - alpha[r] * sigma[(r, r)]).collect();
        for r in 0..k {
            alpha[r] = gamma[r] / (mean[r] * mean[r]);
        }
        let mut rss = c - 2.0 * mean.dot(&b_a) + (mean.transpose() * &g_aa * &mean)[(0, 0)];
        if rss < 1e-8 * c {
            // the expanded form has cancelled: the residual from the rows
            match residual(&active, &mean) {
                Some(r) => rss = r,
                None => return Ok(None),
            }
        }
        beta = (n as f64 - gamma.iter().sum::<f64>()) / rss;
        if !beta.is_finite() || alpha.iter().any(|a| a.is_nan()) {
            return Err(Error::breakdown(
                "RVM",
                format!("non-finite precisions at iteration {iterations}"),
            ));
        }
        // prune α ≥ α_thr, keeping the smallest-α column if all would go
        let mut keep: Vec<usize> = (0..k)
            .filter(|&r| alpha[r] < params.alpha_threshold)
            .collect();
        if keep.is_empty() {
            let best = (0..k)
                .min_by(|&a, &b| {
                    alpha[a]
                        .partial_cmp(&alpha[b])
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                .unwrap_or(0);
            keep.push(best);
        }
        if keep.len() < k {
            active = keep.iter().map(|&r| active[r]).collect();
            alpha = keep.iter().map(|&r| alpha[r]).collect();
            alpha_old = keep.iter().map(|&r| alpha_old[r]).collect();
            mean = DVector::from_fn(keep.len(), |r, _| mean[keep[r]]);
            sigma = DMatrix::from_fn(keep.len(), keep.len(), |r, s| sigma[(keep[r], keep[s])]);
        }
        let delta = alpha
            .iter()
            .zip(&alpha_old)
            .map(|(a, o)| (a - o).abs())
            .fold(0.0f64, f64::max);
        change = delta;
        if delta < params.tol && it > 1 {
            converged = true;
            break;
        }
        alpha_old.clone_from(&alpha);
    }
    let mut weights = DVector::zeros(p);
    let mut weight_std = DVector::zeros(p);
    let k = active.len();
    let covariance = DMatrix::from_fn(k, k, |r, s| {
        sigma[(r, s)] * scaling.std_t * scaling.std_t
            / (scaling.std_x[active[r]] * scaling.std_x[active[s]])
    });
    for (r, &j) in active.iter().enumerate() {
        weights[j] = mean[r] * scaling.std_t / scaling.std_x[j];
        weight_std[j] = covariance[(r, r)].max(0.0).sqrt();
    }
    let intercept = if params.standardise {
        scaling.mean_t
            - active
                .iter()
                .map(|&j| weights[j] * scaling.mean_x[j])
                .sum::<f64>()
    } else {
        0.0
    };
    Ok(Some(RvmFit {
        support: active,
        weights,
        weight_std,
        covariance,
        intercept,
        beta,
        noise_variance: scaling.std_t * scaling.std_t / beta,
        iterations,
        converged,
        change,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target with nothing to explain gives an empty model, not a breakdown: all zeros (any
    /// setting) and a constant (standardised; 0.1 is not a binary fraction, so its summed mean
    /// is off in the last digits).
    #[test]
    fn zero_and_constant_targets_give_an_empty_model() {
        let phi = DMatrix::from_fn(50, 3, |i, j| ((i * (j + 2)) % 7) as f64 * 0.3 + j as f64);
        for standardise in [false, true] {
            let params = RvmParams {
                standardise,
                ..RvmParams::default()
            };
            let fit = rvm_fit(&phi, &DVector::zeros(50), &params).unwrap();
            assert!(fit.support.is_empty(), "standardise {standardise}");
        }
        let params = RvmParams::medida_ks();
        let fit = rvm_fit(&phi, &DVector::from_element(50, 0.1), &params).unwrap();
        assert!(fit.support.is_empty());
        assert!((fit.intercept - 0.1).abs() < 1e-15);
    }

    /// The one-pass route: shifted moments, then the normal equations.
    fn fused(
        phi: &DMatrix<f64>,
        t: &DVector<f64>,
        standardise: bool,
        max_cancellation: f64,
    ) -> Result<Option<System>> {
        let m = shifted_moments(phi, t, standardise)?;
        Ok(standardised_system(&m, standardise, max_cancellation))
    }

    /// The one-pass moments and Gram matrix equal the two-pass ones (over several row blocks,
    /// with an offset column and a constant column), and a column whose start is far from its
    /// mean in units of its spread is handed to the two-pass route.
    #[test]
    fn fused_gram_matches_the_two_pass_form() {
        let (n, p) = (5000, 5);
        let phi = DMatrix::from_fn(n, p, |i, j| match j {
            0 => ((i * 7) as f64 * 0.013).sin(),
            1 => 1e3 + ((i * 3) as f64 * 0.11).cos(),
            2 => 2.5,
            _ => ((i * (j + 1)) as f64 * 0.017).sin().powi(j as i32),
        });
        let t = DVector::from_fn(n, |i, _| 0.3 * phi[(i, 0)] - 2.0 * phi[(i, 4)] + 4.0);
        let System {
            g,
            b,
            c,
            scaling: sc,
        } = fused(&phi, &t, true, MAX_CANCELLATION)
            .unwrap()
            .expect("no cancellation");
        let System {
            g: g2,
            b: b2,
            c: c2,
            scaling: sc2,
        } = two_pass_gram(&phi, &t);
        for j in 0..p {
            assert!((sc.mean_x[j] - sc2.mean_x[j]).abs() <= 1e-12 * (1.0 + sc2.mean_x[j].abs()));
            assert!((sc.std_x[j] - sc2.std_x[j]).abs() <= 1e-10 * sc2.std_x[j].max(1e-300));
        }
        assert_eq!(sc.std_x[2], 0.0);
        // and both equal the plain two-pass moments
        for (j, col) in phi.as_slice().chunks_exact(n).enumerate() {
            let m = col.iter().sum::<f64>() / n as f64;
            let sd = (col.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64).sqrt();
            assert!(
                (sc.mean_x[j] - m).abs() <= 1e-12 * (1.0 + m.abs()),
                "mean {j}"
            );
            assert!(
                (sc.std_x[j] - sd).abs() <= 1e-10 * sd.max(1e-300),
                "std {j}"
            );
        }
        let active = [0usize, 1, 3, 4];
        for &r in &active {
            assert!((b[r] - b2[r]).abs() < 1e-9 * n as f64, "b[{r}]");
            for &s in &active {
                assert!(
                    (g[(r, s)] - g2[(r, s)]).abs() < 1e-9 * n as f64,
                    "G[{r},{s}]"
                );
            }
        }
        assert!((c - c2).abs() < 1e-9 * n as f64);
        // a step away from the first 64 values: d²/σ² = (1 − q)/q ≈ 77 for q = 64/n, which
        // the limit 1e6 accepts and a limit of 10 hands to the two-pass route
        let step = DMatrix::from_fn(n, 1, |i, _| if i < 64 { 0.0 } else { 1e9 + (i % 7) as f64 });
        assert!(fused(&step, &t, true, MAX_CANCELLATION).unwrap().is_some());
        assert!(fused(&step, &t, true, 10.0).unwrap().is_none());
        // unstandardised: the plain Gram matrix
        let System {
            g: g0,
            b: b0,
            c: c0,
            ..
        } = fused(&phi, &t, false, MAX_CANCELLATION).unwrap().unwrap();
        let plain = phi.transpose() * &phi;
        assert!((g0 - plain).abs().max() < 1e-9 * n as f64 * 1e6);
        assert!((b0 - phi.transpose() * &t).abs().max() < 1e-6);
        assert!((c0 - t.dot(&t)).abs() < 1e-9 * t.dot(&t));
    }

    #[test]
    fn fused_gram_names_non_finite_input() {
        let mut phi = DMatrix::from_fn(3000, 2, |i, j| (i + j) as f64);
        let t = DVector::from_fn(3000, |i, _| i as f64);
        phi[(2500, 1)] = f64::NAN;
        assert!(
            matches!(fused(&phi, &t, true, MAX_CANCELLATION), Err(Error::NonFinite { what }) if what == "phi")
        );
        let mut t2 = t.clone();
        t2[7] = f64::INFINITY;
        phi[(2500, 1)] = 1.0;
        assert!(
            matches!(fused(&phi, &t2, true, MAX_CANCELLATION), Err(Error::NonFinite { what }) if what == "t")
        );
    }

    /// The two-pass route (forced) and the one-pass route fit the same model.
    #[test]
    fn both_routes_fit_the_same_model() {
        let n = 4000;
        let phi = DMatrix::from_fn(n, 3, |i, j| 5.0 + ((i * (j + 2)) as f64 * 0.021).sin());
        let t = DVector::from_fn(n, |i, _| {
            1.5 * phi[(i, 1)] + 1e-3 * ((i as f64) * 0.9).cos()
        });
        let params = RvmParams::medida_ks();
        assert!(fused(&phi, &t, true, 0.0).unwrap().is_none());
        let one = rvm_fit_with(&phi, &t, &params, MAX_CANCELLATION).unwrap();
        let two = rvm_fit_with(&phi, &t, &params, 0.0).unwrap();
        assert_eq!(one.support, vec![1]);
        assert_eq!(one.support, two.support);
        assert_eq!(one.iterations, two.iterations);
        assert!((one.weights[1] - two.weights[1]).abs() < 1e-12);
        assert!((one.intercept - two.intercept).abs() < 1e-10);
    }

    /// A fit from the moments alone equals the fit from the rows, standardised or not, for
    /// moments about 0 (`from_rows`) and about a shift (the blocked pass).
    #[test]
    fn fit_from_moments_equals_fit_from_rows() {
        let n = 3000;
        let phi = DMatrix::from_fn(n, 4, |i, j| {
            0.5 * j as f64 + ((i * (j + 3)) as f64 * 0.013).sin()
        });
        let t = DVector::from_fn(n, |i, _| {
            2.0 - 0.8 * phi[(i, 2)] + 0.05 * ((i as f64) * 1.7).cos()
        });
        for params in [RvmParams::medida_ks(), RvmParams::default()] {
            let rows = rvm_fit(&phi, &t, &params).unwrap();
            for m in [
                RowMoments::from_rows(&phi, &t).unwrap(),
                shifted_moments(&phi, &t, true).unwrap(),
            ] {
                let fit = rvm_fit_moments(&m, &params)
                    .unwrap()
                    .expect("no cancellation");
                assert_eq!(fit.support, rows.support);
                assert_eq!(fit.iterations, rows.iterations);
                assert_eq!(fit.converged, rows.converged);
                assert!((fit.weights.clone() - &rows.weights).amax() < 1e-9);
                assert!((fit.weight_std.clone() - &rows.weight_std).amax() < 1e-9);
                assert!((fit.intercept - rows.intercept).abs() < 1e-9);
            }
        }
    }

    /// The moments decline what they cannot do: a residual that cancels (an exact model) and
    /// a column whose mean dwarfs its spread; bad moments are typed errors.
    #[test]
    fn fit_from_moments_declines_and_checks() {
        let n = 2000;
        let phi = DMatrix::from_fn(n, 2, |i, j| ((i * (j + 1)) as f64 * 0.07).sin());
        let exact = DVector::from_fn(n, |i, _| 3.0 * phi[(i, 0)]);
        let params = RvmParams::medida_ks();
        let m = RowMoments::from_rows(&phi, &exact).unwrap();
        assert!(rvm_fit_moments(&m, &params).unwrap().is_none());
        // the rows still fit it
        let fit = rvm_fit(&phi, &exact, &params).unwrap();
        assert_eq!(fit.support, vec![0]);
        assert!((fit.weights[0] - 3.0).abs() < 1e-6);
        let far = DMatrix::from_fn(n, 1, |i, _| 1e9 + (i % 3) as f64 * 1e-3);
        let t = DVector::from_fn(n, |i, _| (i % 3) as f64 + 0.1 * (i as f64).sin());
        let m = RowMoments::from_rows(&far, &t).unwrap();
        assert!(rvm_fit_moments(&m, &params).unwrap().is_none());
        let good = RowMoments::from_rows(&phi, &t).unwrap();
        let mut bad = good.clone();
        bad.rows = 0;
        assert!(
            matches!(rvm_fit_moments(&bad, &params), Err(Error::InvalidParameter { name, .. }) if name == "rows")
        );
        let mut bad = good.clone();
        bad.sums.pop();
        assert!(matches!(
            rvm_fit_moments(&bad, &params),
            Err(Error::DimensionMismatch { .. })
        ));
        let mut bad = good.clone();
        bad.products[(1, 0)] = f64::NAN;
        assert!(
            matches!(rvm_fit_moments(&bad, &params), Err(Error::NonFinite { what }) if what == "products")
        );
        let mut bad = good;
        bad.products[(1, 1)] = -1.0;
        assert!(matches!(
            rvm_fit_moments(&bad, &params),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
