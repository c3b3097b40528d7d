//! The moments of a library regression y ≈ Θ(u) w without the library matrix Θ.
//!
//! The relevance vector machine needs of its data only the sums over the rows of the columns
//! and of their pairwise products ([`RowMoments`]). For a library whose columns are
//! θ_(p,d) = u^p D_d (with D₀ = 1 and D_d = ∂ₓᵈu for d ≥ 1, see [`Library`]) every product of
//! two columns is u^{p+q} D_i D_j, so ΘᵀΘ, Θᵀy and the column sums all follow from
//!
//! ```text
//!   M(k; i, j) = Σₓ u^k D_i D_j      (k = 0..=2P, 0 ≤ i ≤ j ≤ D)
//!   Y(k; d)    = Σₓ u^k D_d y        (k = 0..=2P, d = 0..=D; k ≤ P is used)
//!
//!   (ΘᵀΘ)_{(p,i),(q,j)} = M(p+q; i, j),   (Θᵀy)_{(p,d)} = Y(p; d),   Σₓ θ_(p,d) = M(p; 0, d)
//! ```
//!
//! and Σy². Per snapshot of N points these are one GEMM Uᵀ Q, with U = [u⁰ … u^{2P}, y]
//! (N × (2P + 2)) and Q = [D_i D_j (i ≤ j), D_d y] (N × ((D + 1)(D + 2)/2 + D + 1)): for
//! D = P = 4 that is 10 · 20 = 200 multiply-adds per grid point (GEMM-shaped, so near the
//! core's FMA rate) against 325 for the Gram matrix of the 25 columns of [Θ y], and neither the
//! N × p block nor the stacked (snapshots · N) × p matrix is stored. The derivatives cost one
//! forward FFT and ⌈D/2⌉ complex inverse FFTs per snapshot ([`SpectralGrid::derivatives`]).
//!
//! The sums are taken about 0 (no shift): the derivative columns of periodic data have mean
//! ≈ 0, and the RVM declines ([`rvm_fit_moments`] returns `None`) moments whose columns have a
//! mean that dwarfs their spread. A filter applied to the columns after the products (MEDIDA's
//! low-pass) breaks the product structure; such regressions need the rows.
//!
//! [`rvm_fit_moments`]: parsimony_sbl::rvm::rvm_fit_moments

use crate::library::Library;
use crate::spectral::SpectralGrid;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use nalgebra::DMatrix;
use parsimony_core::{Error, Result};
use parsimony_sbl::rvm::RowMoments;

/// Accumulates the [`RowMoments`] of a library regression snapshot by snapshot.
#[derive(Clone, Debug)]
pub struct LibraryMoments {
    library: Library,
    n: usize,
    /// Pairs (i, j), i ≤ j, of derivative orders (0 = the constant factor).
    pairs: Vec<(usize, usize)>,
    /// Uᵀ = [u⁰ … u^{2P}, y]ᵀ ((2P + 2) × N, column-major: the powers of one point together;
    /// y gives Σy²).
    powers: Vec<f64>,
    /// Q = [D_i D_j for the pairs, D_d y for d = 0..=D] (N × (pairs + D + 1), column-major).
    products: Vec<f64>,
    /// Σ over the snapshots so far of Uᵀ Q ((2P + 2) × (pairs + D + 1)).
    sums: Mat<f64>,
    rows: usize,
}

impl LibraryMoments {
    /// An empty accumulator for `library` on snapshots of `n` grid points.
    pub fn new(library: &Library, n: usize) -> Result<Self> {
        parsimony_core::error::check_at_least_one("n", n)?;
        let dmax = library.max_derivative();
        let kmax = 2 * library.max_power() as usize;
        let pairs: Vec<(usize, usize)> = (0..=dmax)
            .flat_map(|i| (i..=dmax).map(move |j| (i, j)))
            .collect();
        let width = pairs.len() + dmax + 1;
        let powers_len = parsimony_core::memory::checked_mul("n × powers", n, kmax + 2)?;
        let products_len = parsimony_core::memory::checked_mul("n × products", n, width)?;
        parsimony_core::memory::check_total::<f64>(
            &format!("library moments of n = {n} points"),
            &[powers_len, products_len],
        )?;
        // the constants u⁰ = 1 and D₀D₀ = 1 are set here, once
        let mut powers = vec![0.0; n * (kmax + 2)];
        powers.iter_mut().step_by(kmax + 2).for_each(|v| *v = 1.0);
        let mut products = vec![0.0; n * width];
        products[..n].fill(1.0);
        Ok(Self {
            library: library.clone(),
            n,
            powers,
            products,
            sums: Mat::zeros(kmax + 2, width),
            pairs,
            rows: 0,
        })
    }

    /// Adds the rows of one snapshot: the library of `u` against the target `y` (both of
    /// length N), derivatives on `grid` (or by finite differences, as the library says).
    pub fn push(&mut self, u: &[f64], y: &[f64], grid: &mut SpectralGrid) -> Result<()> {
        let n = self.n;
        parsimony_core::error::check_len("length of u (grid points)", n, u.len())?;
        parsimony_core::error::check_len("length of y (grid points)", n, y.len())?;
        parsimony_core::error::check_len("grid points of the grid", n, grid.n())?;
        parsimony_core::linalg::check_finite("u", u)?;
        parsimony_core::linalg::check_finite("y", y)?;
        let dmax = self.library.max_derivative();
        // the pairs (0, 0), (0, 1), …, (0, D) come first: 1, then the derivatives themselves,
        // written in place
        let (base, rest) = self.products.split_at_mut((dmax + 1) * n);
        self.library.derivatives_into(u, grid, &mut base[n..])?;
        // Uᵀ: u⁰ = 1 (set once), u^k = u^{k−1} u, then y (for Σy²), point by point
        let k_cols = self.sums.nrows();
        for ((row, &x), &t) in self.powers.chunks_exact_mut(k_cols).zip(u).zip(y) {
            let mut w = 1.0;
            for v in &mut row[1..k_cols - 1] {
                w *= x;
                *v = w;
            }
            row[k_cols - 1] = t;
        }
        // Q: D_i D_j for the pairs with 1 ≤ i ≤ j, then D_d y
        let factor = |d: usize| &base[d * n..(d + 1) * n];
        let mut columns = rest.chunks_exact_mut(n);
        for &(i, j) in self.pairs.iter().filter(|&&(i, _)| i > 0) {
            let dst = columns.next().expect("one column per pair");
            for ((o, &x), &z) in dst.iter_mut().zip(factor(i)).zip(factor(j)) {
                *o = x * z;
            }
        }
        columns.next().expect("the column of y").copy_from_slice(y);
        for (d, dst) in columns.enumerate() {
            for ((o, &x), &z) in dst.iter_mut().zip(factor(d + 1)).zip(y) {
                *o = x * z;
            }
        }
        let accum = if self.rows == 0 {
            Accum::Replace
        } else {
            Accum::Add
        };
        let width = self.sums.ncols();
        matmul(
            self.sums.as_mut(),
            accum,
            MatRef::from_column_major_slice(&self.powers, k_cols, n),
            MatRef::from_column_major_slice(&self.products, n, width),
            1.0,
            Par::Seq,
        );
        self.rows += n;
        Ok(())
    }

    /// Adds the sums of `other` (the same library and grid size, other snapshots), so that
    /// snapshots can be accumulated in parts (e.g. one per thread).
    pub fn merge(&mut self, other: &LibraryMoments) -> Result<()> {
        if self.library != other.library {
            return Err(Error::invalid("other", "accumulates a different library"));
        }
        parsimony_core::error::check_len("grid points of other", self.n, other.n)?;
        if other.rows == 0 {
            return Ok(());
        }
        if self.rows == 0 {
            self.sums.copy_from(&other.sums);
        } else {
            self.sums += &other.sums;
        }
        self.rows += other.rows;
        Ok(())
    }

    /// Rows added so far (snapshots × N).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The moments of [Θ y] about 0 (columns in the library's order, the target last), for
    /// [`rvm_fit_moments`](parsimony_sbl::rvm::rvm_fit_moments). An error before any rows.
    pub fn moments(&self) -> Result<RowMoments> {
        if self.rows == 0 {
            return Err(Error::invalid("samples", "need at least one snapshot"));
        }
        let terms = self.library.terms();
        let p = terms.len();
        let pair = |i: usize, j: usize| {
            let (i, j) = (i.min(j), i.max(j));
            self.pairs
                .iter()
                .position(|&q| q == (i, j))
                .expect("every pair of orders ≤ D is listed")
        };
        let y_col = |d: usize| self.pairs.len() + d;
        let mut products = DMatrix::zeros(p + 1, p + 1);
        let mut sums = vec![0.0; p + 1];
        for (a, ta) in terms.iter().enumerate() {
            let pa = ta.power as usize;
            for (b, tb) in terms.iter().enumerate().take(a + 1) {
                let v = self.sums[(pa + tb.power as usize, pair(ta.derivative, tb.derivative))];
                products[(a, b)] = v;
                products[(b, a)] = v;
            }
            let v = self.sums[(pa, y_col(ta.derivative))];
            products[(a, p)] = v;
            products[(p, a)] = v;
            sums[a] = self.sums[(pa, pair(0, ta.derivative))];
        }
        products[(p, p)] = self.sums[(self.sums.nrows() - 1, y_col(0))];
        sums[p] = self.sums[(0, y_col(0))];
        Ok(RowMoments {
            rows: self.rows,
            shift: vec![0.0; p + 1],
            sums,
            products,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Derivatives, Term};
    use crate::spectral::Nyquist;
    use nalgebra::DVector;

    /// A smooth periodic snapshot and a target.
    fn snapshot(n: usize, length: f64, phase: f64) -> (Vec<f64>, Vec<f64>) {
        let x = |j: usize| j as f64 * length / n as f64;
        let w = 2.0 * std::f64::consts::PI / length;
        let u: Vec<f64> = (0..n)
            .map(|j| 1.3 * (w * x(j) + phase).sin() + 0.4 * (3.0 * w * x(j)).cos() + 0.2)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|j| (2.0 * w * x(j) - phase).sin() + 0.1 * u[j] * u[j])
            .collect();
        (u, y)
    }

    /// The moments equal the sums over the rows of the stacked library matrix (full
    /// libraries and a hand-picked one, spectral and finite-difference derivatives).
    #[test]
    fn moments_equal_the_sums_over_the_library_rows() {
        let (n, length) = (128, 20.0);
        let mut grid = SpectralGrid::new(n, length, Nyquist::Zero).unwrap();
        let libraries = [
            Library::new(4, 4, Derivatives::Spectral).unwrap(),
            Library::new(3, 2, Derivatives::FiniteDifference).unwrap(),
            Library::from_terms(
                vec![
                    Term::new(1, 1),
                    Term::new(0, 4),
                    Term::new(3, 0),
                    Term::new(0, 2),
                ],
                Derivatives::Spectral,
            )
            .unwrap(),
        ];
        for lib in &libraries {
            let mut acc = LibraryMoments::new(lib, n).unwrap();
            let snaps = 3;
            let mut phi = DMatrix::zeros(n * snaps, lib.len());
            let mut t = DVector::zeros(n * snaps);
            for s in 0..snaps {
                let (u, y) = snapshot(n, length, 0.7 * s as f64);
                acc.push(&u, &y, &mut grid).unwrap();
                lib.evaluate_into(&u, &mut grid, &mut phi, s * n).unwrap();
                t.rows_mut(s * n, n).copy_from_slice(&y);
            }
            let m = acc.moments().unwrap();
            let direct = RowMoments::from_rows(&phi, &t).unwrap();
            assert_eq!(m.rows, n * snaps);
            let scale = direct.products.amax();
            assert!((&m.products - &direct.products).amax() < 1e-12 * scale);
            for (a, b) in m.sums.iter().zip(&direct.sums) {
                assert!((a - b).abs() < 1e-12 * scale);
            }
        }
    }

    /// Sums accumulated in two parts and merged equal the sums accumulated in one.
    #[test]
    fn merged_parts_equal_the_whole() {
        let (n, length) = (64, 12.0);
        let mut grid = SpectralGrid::new(n, length, Nyquist::Zero).unwrap();
        let lib = Library::default();
        let snaps: Vec<_> = (0..5)
            .map(|s| snapshot(n, length, 0.3 * s as f64))
            .collect();
        let mut whole = LibraryMoments::new(&lib, n).unwrap();
        let (mut first, mut second) = (whole.clone(), whole.clone());
        for (s, (u, y)) in snaps.iter().enumerate() {
            whole.push(u, y, &mut grid).unwrap();
            let part = if s < 2 { &mut first } else { &mut second };
            part.push(u, y, &mut grid).unwrap();
        }
        let mut merged = LibraryMoments::new(&lib, n).unwrap();
        merged.merge(&first).unwrap();
        merged.merge(&second).unwrap();
        let (a, b) = (merged.moments().unwrap(), whole.moments().unwrap());
        assert_eq!(a.rows, b.rows);
        assert!((&a.products - &b.products).amax() < 1e-12 * b.products.amax());
        let other = LibraryMoments::new(&Library::new(2, 2, Derivatives::Spectral).unwrap(), n);
        assert!(merged.merge(&other.unwrap()).is_err());
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let lib = Library::default();
        let mut grid = SpectralGrid::new(64, 10.0, Nyquist::Zero).unwrap();
        assert!(LibraryMoments::new(&lib, 0).is_err());
        let mut acc = LibraryMoments::new(&lib, 64).unwrap();
        assert!(matches!(acc.moments(), Err(Error::InvalidParameter { .. })));
        let (u, mut y) = snapshot(64, 10.0, 0.0);
        assert!(matches!(
            acc.push(&u[..63], &y, &mut grid),
            Err(Error::DimensionMismatch { .. })
        ));
        y[5] = f64::NAN;
        assert!(
            matches!(acc.push(&u, &y, &mut grid), Err(Error::NonFinite { what }) if what == "y")
        );
        let mut other = SpectralGrid::new(32, 10.0, Nyquist::Zero).unwrap();
        assert!(matches!(
            acc.push(&u, &u, &mut other),
            Err(Error::DimensionMismatch { .. })
        ));
        assert_eq!(acc.rows(), 0);
    }
}
