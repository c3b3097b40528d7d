//! Small tensor helpers for the M-steps: contractions of a row-major tensor with vectors.

/// out[k] = Σ_{j : j_mode = k} d_j · ∏_{l ≠ mode} w_l[j_l] for a row-major tensor `d` of shape
/// `dims` and one weight vector per mode (`weights[mode]` is ignored).
///
/// With P = ∏_{l<mode} dims_l and Q = ∏_{l>mode} dims_l the weights of the leading and trailing
/// modes are expanded once into `pre` (P) and `post` (Q), so the cost is O(S) for S = ∏ dims.
pub(crate) fn contract_except(
    d: &[f64],
    dims: &[usize],
    weights: &[Vec<f64>],
    mode: usize,
    pre: &mut Vec<f64>,
    post: &mut Vec<f64>,
    out: &mut [f64],
) {
    expand_kron(&weights[..mode], pre);
    expand_kron(&weights[mode + 1..], post);
    let a = dims[mode];
    let q = post.len();
    out.fill(0.0);
    for (block, &wp) in d.chunks_exact(a * q).zip(pre.iter()) {
        for (k, row) in block.chunks_exact(q).enumerate() {
            let s: f64 = row.iter().zip(post.iter()).map(|(x, w)| x * w).sum();
            out[k] += wp * s;
        }
    }
}

/// Writes w₁ ⊗ w₂ ⊗ … into `out` (resized; the empty product is [1]).
pub(crate) fn expand_kron(ws: &[Vec<f64>], out: &mut Vec<f64>) {
    let len: usize = ws.iter().map(|w| w.len()).product();
    out.clear();
    out.resize(len, 0.0);
    out[0] = 1.0;
    let mut cur = 1;
    for w in ws {
        let n = w.len();
        // back to front, so that out[k] is read before block k overwrites it
        for k in (0..cur).rev() {
            let base = out[k];
            for (o, &wl) in out[k * n..(k + 1) * n].iter_mut().zip(w) {
                *o = base * wl;
            }
        }
        cur *= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contraction_matches_naive_sum() {
        let dims = [2usize, 3, 4];
        let d: Vec<f64> = (0..24).map(|i| (i as f64 * 0.37).sin()).collect();
        let w = vec![
            vec![0.5, 2.0],
            vec![1.0, -1.0, 3.0],
            vec![0.1, 0.2, 0.3, 0.4],
        ];
        let (mut pre, mut post) = (Vec::new(), Vec::new());
        for mode in 0..3 {
            let mut out = vec![0.0; dims[mode]];
            contract_except(&d, &dims, &w, mode, &mut pre, &mut post, &mut out);
            let mut naive = vec![0.0; dims[mode]];
            for i in 0..2 {
                for j in 0..3 {
                    for k in 0..4 {
                        let idx = [i, j, k];
                        let mut wt = 1.0;
                        for l in 0..3 {
                            if l != mode {
                                wt *= w[l][idx[l]];
                            }
                        }
                        naive[idx[mode]] += d[(i * 3 + j) * 4 + k] * wt;
                    }
                }
            }
            for (a, b) in out.iter().zip(&naive) {
                assert!((a - b).abs() < 1e-12);
            }
        }
    }
}
