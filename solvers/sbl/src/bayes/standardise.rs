//! The one standardisation of the sparse-Bayes engine, and the normal equations it works on.
//!
//! Every Gram-route fit (ARD, RVM, fast RVM) needs of its data only the normal equations
//! G = XᵀX, b = Xᵀτ, c = τᵀτ of the transformed columns X and target τ, with
//!
//! | [`Standardise`] | Xⱼ | τ | weights back in original units | intercept |
//! |---|---|---|---|---|
//! | `None` | Φⱼ | t | wⱼ = mⱼ | 0 |
//! | `Centre` | Φⱼ − μⱼ | t − μ_t | wⱼ = mⱼ | μ_t − Σ wⱼμⱼ |
//! | `ZScore` | (Φⱼ − μⱼ)/σⱼ | (t − μ_t)/σ_t | wⱼ = mⱼσ_t/σⱼ | μ_t − Σ wⱼμⱼ |
//!
//! (population standard deviations; a `ZScore` column with σⱼ = 0 is left unscaled and never
//! selected). All of G, b, c, μ and σ follow from the [`RowMoments`] of [Φ t] (sums and sums of
//! products of the rows about a shift s): with dⱼ = sumsⱼ/n the means are μⱼ = sⱼ + dⱼ, the
//! variances σⱼ² = Sⱼⱼ/n − dⱼ², and the centred entries Sⱼₖ − n dⱼdₖ. A shift near the mean keeps
//! dⱼ of the order of σⱼ, so the subtraction loses few digits; where it would lose more than
//! six (d² ≥ 10⁶σ²) the moments decline and the rows are used by a two-pass route.
//!
//! From the rows, the moments are formed in **one** pass over Φ (finite check, column sums and
//! the Gram matrix of the shifted augmented data together, in blocks of 2048 rows; each block's
//! Gram matrix by core's triangular GEMM [`gram_cols`]); no transformed copy of Φ is stored.

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::gram_cols;
use parsimony_core::stats::RunningMoments;
use parsimony_core::{Error, Result};

/// How the columns and the target are transformed before a Gram-route fit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Standardise {
    /// Fit the raw data (no intercept).
    #[default]
    None,
    /// Subtract the column and target means (scikit-learn's `fit_intercept`).
    Centre,
    /// z-score columns and target with the population standard deviation (MEDIDA's RVM).
    ZScore,
}

impl Standardise {
    fn shifts(self) -> bool {
        self != Standardise::None
    }
}

/// How far (d²/σ² in the shifted moments) the one-pass route may cancel: six digits.
pub(crate) const MAX_CANCELLATION: f64 = 1e6;

/// Column and target means and scales (0 and 1 without standardisation).
#[derive(Clone, Debug)]
pub(crate) struct Scaling {
    pub(crate) mean_x: Vec<f64>,
    pub(crate) std_x: Vec<f64>,
    pub(crate) mean_t: f64,
    pub(crate) std_t: f64,
    pub(crate) mode: Standardise,
}

impl Scaling {
    /// Whether column j may enter the model (a z-scored column needs a spread).
    pub(crate) fn usable(&self, j: usize) -> bool {
        self.std_x[j] > 0.0
    }

    /// The transformed value of Φᵢⱼ = x.
    pub(crate) fn column_value(&self, x: f64, j: usize) -> f64 {
        if self.std_x[j] > 0.0 {
            (x - self.mean_x[j]) / self.std_x[j]
        } else {
            x
        }
    }

    /// The transformed target value.
    pub(crate) fn target_value(&self, t: f64) -> f64 {
        (t - self.mean_t) / self.std_t
    }
}

/// The normal equations a Gram-route fit works on: G = XᵀX, b = Xᵀτ, c = τᵀτ of the
/// transformed data of `rows` rows, and the scaling that maps the weights back.
#[derive(Clone, Debug)]
pub(crate) struct NormalEquations {
    pub(crate) g: DMatrix<f64>,
    pub(crate) b: DVector<f64>,
    pub(crate) c: f64,
    pub(crate) rows: usize,
    pub(crate) scaling: Scaling,
}

/// Mean and population standard deviation in one pass: sums of x − c and (x − c)² in four
/// lanes, with the shift c the mean of the first 64 values so that the variance
/// S₂/n − (S₁/n)² does not cancel; if it would still lose more than six digits (a column whose
/// start is far from its mean in units of its spread) the exact two-pass form is used (core's
/// [`RunningMoments::from_slice`]). The one-pass sums stay here: core's moments take two
/// passes, and a constant column must come out with a spread of exactly 0.
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
    let exact = RunningMoments::from_slice(v);
    (exact.mean(), exact.std())
}

/// Sums over the rows of the augmented data A = [Φ t] (n × (p + 1), the target last), taken
/// about a shift s (one value per column):
///
/// ```text
///   sums[j] = Σᵢ (aᵢⱼ − sⱼ),      products[(j, k)] = Σᵢ (aᵢⱼ − sⱼ)(aᵢₖ − sₖ)
/// ```
///
/// This is all the Gram-route fits need of the data (means, standard deviations, the Gram
/// matrix, Φᵀt and tᵀt follow from it), so a caller that can form these sums without storing
/// Φ — a structured library whose Gram matrix follows from fewer moments, or rows streamed
/// from disk — fits with [`rvm_fit_moments`](crate::rvm::rvm_fit_moments). The shift only
/// serves accuracy: choose it near the column means (or 0 when they are small against the
/// spread).
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
    /// (for tests and small problems; the fits form them in one blocked pass).
    pub fn from_rows(phi: &DMatrix<f64>, t: &DVector<f64>) -> Result<Self> {
        parsimony_core::error::check_len("length of t (rows of phi)", phi.nrows(), t.len())?;
        parsimony_core::linalg::check_finite("phi", phi.as_slice())?;
        parsimony_core::linalg::check_finite("t", t.as_slice())?;
        crate::regression::check_squares("phi", phi.as_slice())?;
        crate::regression::check_squares("t", t.as_slice())?;
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

    /// Checks sizes, finiteness and the signs of the sums of squares.
    pub(crate) fn validate(&self) -> Result<()> {
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

/// The rows of [Φ t] in blocks of 2048, each block's columns transformed by `fill(j, src,
/// dst)` (which may fail) and its Gram matrix added up by core's [`gram_cols`].
fn blocked_gram(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    mut fill: impl FnMut(usize, &[f64], &mut [f64]) -> Result<()>,
) -> Result<DMatrix<f64>> {
    let (n, p) = phi.shape();
    const ROWS: usize = 2048;
    let mut block = DMatrix::<f64>::zeros(ROWS.min(n), p + 1);
    let mut gram = DMatrix::<f64>::zeros(0, 0);
    let mut start = 0;
    while start < n {
        let rows = ROWS.min(n - start);
        if rows != block.nrows() {
            // the last, shorter block
            block = DMatrix::zeros(rows, p + 1);
        }
        let columns = phi
            .as_slice()
            .chunks_exact(n)
            .chain(std::iter::once(t.as_slice()));
        for (j, col) in columns.enumerate() {
            let dst = &mut block.as_mut_slice()[j * rows..(j + 1) * rows];
            fill(j, &col[start..start + rows], dst)?;
        }
        if start == 0 {
            gram = gram_cols(&block);
        } else {
            gram += gram_cols(&block);
        }
        start += rows;
    }
    Ok(gram)
}

/// The sums of squares about the shifts must lie in the range of doubles (their diagonal is the
/// largest of the moments, by Cauchy–Schwarz): an infinite one is data to scale down, a zero
/// one beside a nonzero sum is data whose squares vanished (scale it up). This reads the
/// moments already formed, so it costs no pass over the rows.
fn check_moment_scale(m: &RowMoments) -> Result<()> {
    let p1 = m.products.nrows();
    for j in 0..p1 {
        let what = if j + 1 == p1 { "t" } else { "phi" };
        let (sq, sum) = (m.products[(j, j)], m.sums[j]);
        if !sq.is_finite() {
            return Err(Error::invalid(
                what,
                format!(
                    "the sum of squares of column {j} overflows a double: scale the data (e.g. divide by its largest entry)"
                ),
            ));
        }
        if sq == 0.0 && sum != 0.0 {
            return Err(Error::degenerate(
                what,
                format!(
                    "the squares of column {j} vanish below the range of doubles: scale the data (e.g. divide by its largest entry)"
                ),
            ));
        }
    }
    Ok(())
}

/// The moments of [Φ t] about the shift cⱼ = mean of the column's first 64 values (0 when
/// `shift` is false), in **one** pass over Φ that also checks it for non-finite values.
pub(crate) fn shifted_moments(
    phi: &DMatrix<f64>,
    t: &DVector<f64>,
    shift: bool,
) -> Result<RowMoments> {
    let (n, p) = phi.shape();
    let head_mean = |v: &[f64]| {
        if shift {
            let h = &v[..v.len().min(64)];
            h.iter().sum::<f64>() / h.len().max(1) as f64
        } else {
            0.0
        }
    };
    let shifts: Vec<f64> = phi
        .as_slice()
        .chunks_exact(n)
        .chain(std::iter::once(t.as_slice()))
        .map(head_mean)
        .collect();
    let mut sums = vec![0.0f64; p + 1];
    let products = blocked_gram(phi, t, |j, src, dst| {
        let c = shifts[j];
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
        Ok(())
    })?;
    Ok(RowMoments {
        rows: n,
        shift: shifts,
        sums,
        products,
    })
}

impl NormalEquations {
    /// The normal equations from the moments, or `None` when some column would lose more than
    /// log₁₀ `max_cancellation` digits, dⱼ² ≥ `max_cancellation` σⱼ² (the moments cannot give
    /// its variance). Without standardisation the plain sums Σ aⱼaₖ are recovered from the
    /// shifted ones.
    pub(crate) fn from_moments(
        m: &RowMoments,
        mode: Standardise,
        max_cancellation: f64,
    ) -> Option<Self> {
        let q = m.shift.len();
        let p = q - 1;
        let nf = m.rows as f64;
        let d: Vec<f64> = m.sums.iter().map(|s| s / nf).collect();
        let s = &m.products;
        let mut mean = vec![0.0; q];
        let mut std = vec![1.0; q];
        if mode.shifts() {
            for j in 0..q {
                let var = s[(j, j)] / nf - d[j] * d[j];
                if d[j] != 0.0 && var * max_cancellation <= d[j] * d[j] {
                    return None;
                }
                mean[j] = m.shift[j] + d[j];
                if mode == Standardise::ZScore {
                    std[j] = var.max(0.0).sqrt();
                }
            }
        }
        // centred entries (Sⱼₖ − n dⱼ dₖ), divided by σⱼσₖ where σ > 0 (constant columns are
        // never selected; their entries stay unscaled); unstandardised: Σ aⱼaₖ
        let scale = |j: usize| if std[j] > 0.0 { std[j] } else { 1.0 };
        let sh = &m.shift;
        let entry = |r: usize, c: usize| {
            if mode.shifts() {
                (s[(r, c)] - nf * d[r] * d[c]) / (scale(r) * scale(c))
            } else {
                s[(r, c)] + nf * (sh[r] * d[c] + sh[c] * d[r] + sh[r] * sh[c])
            }
        };
        Some(Self {
            g: DMatrix::from_fn(p, p, &entry),
            b: DVector::from_fn(p, |r, _| entry(p, r)),
            c: entry(p, p),
            rows: m.rows,
            scaling: Scaling {
                mean_x: mean[..p].to_vec(),
                std_x: std[..p].to_vec(),
                mean_t: mean[p],
                std_t: std[p],
                mode,
            },
        })
    }

    /// The normal equations of the rows: one pass (moments about a provisional shift), or
    /// the two-pass route for columns whose shifted moments would cancel. Errors: non-finite
    /// values (named `phi` or `t`).
    pub(crate) fn from_rows(
        phi: &DMatrix<f64>,
        t: &DVector<f64>,
        mode: Standardise,
        max_cancellation: f64,
    ) -> Result<Self> {
        let moments = shifted_moments(phi, t, mode.shifts())?;
        check_moment_scale(&moments)?;
        match Self::from_moments(&moments, mode, max_cancellation) {
            Some(ne) => Ok(ne),
            None => Self::two_pass(phi, t, mode),
        }
    }

    /// The two-pass route: the moments column by column first, then the Gram matrix of the
    /// transformed blocks.
    pub(crate) fn two_pass(
        phi: &DMatrix<f64>,
        t: &DVector<f64>,
        mode: Standardise,
    ) -> Result<Self> {
        let (mut mean_x, mut std_x): (Vec<f64>, Vec<f64>) = phi
            .as_slice()
            .chunks_exact(phi.nrows())
            .map(mean_and_std)
            .unzip();
        let (mut mean_t, mut std_t) = mean_and_std(t.as_slice());
        match mode {
            Standardise::ZScore => {}
            Standardise::Centre => {
                std_x.fill(1.0);
                std_t = 1.0;
            }
            Standardise::None => {
                mean_x.fill(0.0);
                std_x.fill(1.0);
                (mean_t, std_t) = (0.0, 1.0);
            }
        }
        let scaling = Scaling {
            mean_x,
            std_x,
            mean_t,
            std_t,
            mode,
        };
        let p = phi.ncols();
        let gram = blocked_gram(phi, t, |j, src, dst| {
            let (m, s) = if j == p {
                (scaling.mean_t, scaling.std_t)
            } else if scaling.std_x[j] > 0.0 {
                (scaling.mean_x[j], scaling.std_x[j])
            } else {
                (0.0, 1.0)
            };
            for (v, &x) in dst.iter_mut().zip(src) {
                *v = (x - m) / s;
            }
            Ok(())
        })?;
        Ok(Self {
            g: gram.view((0, 0), (p, p)).into_owned(),
            b: DVector::from_fn(p, |r, _| gram[(p, r)]),
            c: gram[(p, p)],
            rows: phi.nrows(),
            scaling,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass route: shifted moments, then the normal equations.
    fn fused(
        phi: &DMatrix<f64>,
        t: &DVector<f64>,
        mode: Standardise,
        max_cancellation: f64,
    ) -> Result<Option<NormalEquations>> {
        let m = shifted_moments(phi, t, mode.shifts())?;
        Ok(NormalEquations::from_moments(&m, mode, max_cancellation))
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
        let one = fused(&phi, &t, Standardise::ZScore, MAX_CANCELLATION)
            .unwrap()
            .expect("no cancellation");
        let two = NormalEquations::two_pass(&phi, &t, Standardise::ZScore).unwrap();
        let (sc, sc2) = (&one.scaling, &two.scaling);
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
            assert!((one.b[r] - two.b[r]).abs() < 1e-9 * n as f64, "b[{r}]");
            for &s in &active {
                assert!(
                    (one.g[(r, s)] - two.g[(r, s)]).abs() < 1e-9 * n as f64,
                    "G[{r},{s}]"
                );
            }
        }
        assert!((one.c - two.c).abs() < 1e-9 * n as f64);
        // a step away from the first 64 values: d²/σ² = (1 − q)/q ≈ 77 for q = 64/n, which
        // the limit 1e6 accepts and a limit of 10 hands to the two-pass route
        let step = DMatrix::from_fn(n, 1, |i, _| if i < 64 { 0.0 } else { 1e9 + (i % 7) as f64 });
        assert!(
            fused(&step, &t, Standardise::ZScore, MAX_CANCELLATION)
                .unwrap()
                .is_some()
        );
        assert!(
            fused(&step, &t, Standardise::ZScore, 10.0)
                .unwrap()
                .is_none()
        );
        // unstandardised: the plain Gram matrix
        let raw = fused(&phi, &t, Standardise::None, MAX_CANCELLATION)
            .unwrap()
            .unwrap();
        let plain = phi.transpose() * &phi;
        assert!((raw.g - plain).abs().max() < 1e-9 * n as f64 * 1e6);
        assert!((raw.b - phi.transpose() * &t).abs().max() < 1e-6);
        assert!((raw.c - t.dot(&t)).abs() < 1e-9 * t.dot(&t));
        // centred: the Gram matrix of the centred columns, by both routes
        let centred = fused(&phi, &t, Standardise::Centre, MAX_CANCELLATION)
            .unwrap()
            .unwrap();
        let two = NormalEquations::two_pass(&phi, &t, Standardise::Centre).unwrap();
        let mut pc = phi.clone();
        for mut col in pc.column_iter_mut() {
            let m = col.mean();
            col.add_scalar_mut(-m);
        }
        let gc = pc.transpose() * &pc;
        assert!((centred.g - &gc).abs().max() < 1e-9 * n as f64);
        assert!((two.g - &gc).abs().max() < 1e-9 * n as f64);
    }

    #[test]
    fn fused_gram_names_non_finite_input() {
        let mut phi = DMatrix::from_fn(3000, 2, |i, j| (i + j) as f64);
        let t = DVector::from_fn(3000, |i, _| i as f64);
        phi[(2500, 1)] = f64::NAN;
        assert!(
            matches!(fused(&phi, &t, Standardise::ZScore, MAX_CANCELLATION), Err(Error::NonFinite { what }) if what == "phi")
        );
        let mut t2 = t.clone();
        t2[7] = f64::INFINITY;
        phi[(2500, 1)] = 1.0;
        assert!(
            matches!(fused(&phi, &t2, Standardise::ZScore, MAX_CANCELLATION), Err(Error::NonFinite { what }) if what == "t")
        );
    }
}
