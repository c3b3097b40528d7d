//! The sparsified plan of Sinkhorn–Newton–Sparse: the k largest entries of P, plus its whole
//! first row and first column, so that the bipartite graph of kept entries is connected and
//! the Newton matrix with exact diagonals,
//!
//! ```text
//! M_S = [[diag(P1), S], [Sᵀ, diag(Pᵀ1)]],
//! ```
//!
//! is positive definite once the gauge is pinned: its quadratic form is
//! Σ_kept Sᵢⱼ (uᵢ + vⱼ)² + Σᵢ (rᵢ − Σⱼ Sᵢⱼ) uᵢ² + Σⱼ (cⱼ − Σᵢ Sᵢⱼ) vⱼ², every term ≥ 0 and zero
//! only on the null vector (1, −1) of a connected graph. The threshold is found by selection
//! (`select_nth_unstable`, O(nm)); the kept entries are stored as CSR.

/// The kept entries of the plan (CSR, n rows).
#[derive(Clone, Debug, Default)]
pub(crate) struct SparsePlan {
    row_ptr: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
    /// Σ of the kept entries over Σ P.
    pub kept_fraction: f64,
}

impl SparsePlan {
    /// Keeps the `k` largest entries of the row-major n × m plan `p` (ties at the threshold
    /// kept too), its first row and its first column. `scratch` is reused between calls.
    pub fn select(p: &[f64], n: usize, m: usize, k: usize, scratch: &mut Vec<f64>) -> Self {
        let total: f64 = p.iter().sum();
        let threshold = if k == 0 {
            f64::INFINITY
        } else if k >= p.len() {
            f64::NEG_INFINITY
        } else {
            scratch.clear();
            scratch.extend_from_slice(p);
            // the k-th largest value
            let (_, kth, _) = scratch.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
            *kth
        };
        let mut out = Self {
            row_ptr: Vec::with_capacity(n + 1),
            cols: Vec::with_capacity(k + n + m),
            vals: Vec::with_capacity(k + n + m),
            kept_fraction: 0.0,
        };
        out.row_ptr.push(0);
        let mut kept = 0.0;
        for i in 0..n {
            let row = &p[i * m..(i + 1) * m];
            for (j, &v) in row.iter().enumerate() {
                if i == 0 || j == 0 || v >= threshold {
                    out.cols.push(j);
                    out.vals.push(v);
                    kept += v;
                }
            }
            out.row_ptr.push(out.cols.len());
        }
        out.kept_fraction = if total > 0.0 { kept / total } else { 1.0 };
        out
    }

    /// Number of kept entries.
    #[cfg(test)]
    pub fn nnz(&self) -> usize {
        self.vals.len()
    }

    /// (out_u, out_v) = (r ∘ u + S v, Sᵀ u + c ∘ v).
    pub fn apply(
        &self,
        r: &[f64],
        c: &[f64],
        u: &[f64],
        v: &[f64],
        out_u: &mut [f64],
        out_v: &mut [f64],
    ) {
        for (o, (cj, vj)) in out_v.iter_mut().zip(c.iter().zip(v)) {
            *o = cj * vj;
        }
        for (i, ou) in out_u.iter_mut().enumerate() {
            let (lo, hi) = (self.row_ptr[i], self.row_ptr[i + 1]);
            let ui = u[i];
            let mut s = r[i] * ui;
            for (&j, &val) in self.cols[lo..hi].iter().zip(&self.vals[lo..hi]) {
                s += val * v[j];
                out_v[j] += val * ui;
            }
            *ou = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_keeps_the_largest_the_first_row_and_column() {
        let (n, m) = (4, 5);
        let p: Vec<f64> = (0..n * m).map(|k| ((k * 7) % 11) as f64 + 0.5).collect();
        let mut scratch = Vec::new();
        let s = SparsePlan::select(&p, n, m, 3, &mut scratch);
        let mut largest = p.clone();
        largest.sort_by(|a, b| b.total_cmp(a));
        let thr = largest[2];
        for i in 0..n {
            for j in 0..m {
                let v = p[i * m + j];
                let kept = s.cols[s.row_ptr[i]..s.row_ptr[i + 1]].contains(&j);
                assert_eq!(kept, i == 0 || j == 0 || v >= thr, "({i}, {j})");
            }
        }
        // the product against the dense formula with the kept entries
        let r: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
        let c: Vec<f64> = (0..m).map(|j| 2.0 + j as f64).collect();
        let u: Vec<f64> = (0..n).map(|i| 0.3 * i as f64 - 0.4).collect();
        let v: Vec<f64> = (0..m).map(|j| 0.1 * j as f64 + 0.2).collect();
        let (mut ou, mut ov) = (vec![0.0; n], vec![0.0; m]);
        s.apply(&r, &c, &u, &v, &mut ou, &mut ov);
        let keep = |i: usize, j: usize| i == 0 || j == 0 || p[i * m + j] >= thr;
        for i in 0..n {
            let e: f64 = r[i] * u[i]
                + (0..m)
                    .filter(|&j| keep(i, j))
                    .map(|j| p[i * m + j] * v[j])
                    .sum::<f64>();
            assert!((ou[i] - e).abs() < 1e-12);
        }
        for j in 0..m {
            let e: f64 = c[j] * v[j]
                + (0..n)
                    .filter(|&i| keep(i, j))
                    .map(|i| p[i * m + j] * u[i])
                    .sum::<f64>();
            assert!((ov[j] - e).abs() < 1e-12);
        }
        // keeping everything is the dense plan
        let all = SparsePlan::select(&p, n, m, n * m, &mut scratch);
        assert_eq!(all.nnz(), n * m);
        assert!((all.kept_fraction - 1.0).abs() < 1e-15);
    }
}
