//! The inner loops, each one pass over a row-major block, vectorised through the core's
//! branch-free exp and runtime dispatch ([`parsimony_core::dispatch_simd`]):
//!
//! * [`lse_rows`]: for every row i of C, LSEᵢ = log Σⱼ exp((hⱼ − Cᵢⱼ)/ε), max-stabilised
//!   (one pass for the maximum, one for the sum of exponentials). A Sinkhorn half-sweep is
//!   fᵢ = ε log aᵢ − ε LSEᵢ with h = g.
//! * [`plan_rows`]: Pᵢⱼ = exp((fᵢ + gⱼ − Cᵢⱼ)/ε) written out, with the row sums, the column
//!   sums and Σ Pᵢⱼ Cᵢⱼ accumulated in the same pass.
//! * [`hessian_rows`]: the Newton matrix applied to (u, v): (r ∘ u + P v, Pᵀ u + c ∘ v) in one
//!   pass over P.
//!
//! Reductions run on several independent accumulators so that they vectorise (a single
//! floating-point accumulator is a dependency chain the compiler must keep in order).

// the dispatch macro's functions take the kernels' slices one by one and a scalar type the
// f64 kernels do not use; the lanes are indexed so that the accumulators stay in registers
#![allow(
    clippy::too_many_arguments,
    clippy::extra_unused_type_parameters,
    clippy::needless_range_loop
)]

use parsimony_core::dispatch_simd;
use parsimony_core::simd::{Real, exp_f64_fma, mul_add_f64};

const LANES: usize = 8;

/// Below this exponent a term is flushed to zero: e^-700 ≈ 1e-304 is negligible beside the
/// sums it enters (the largest term of a log-sum-exp is 1, a plan's rows sum to its weights),
/// and its subnormal neighbours (e^-708 … e^-745) cost a hundred cycles per operation on x86.
const FLUSH: f64 = -700.0;

/// e^x, or 0 for x below [`FLUSH`] (branch-free: two selects).
#[inline(always)]
fn exp_flushed<const FMA: bool>(x: f64) -> f64 {
    let e = exp_f64_fma::<FMA>(if x < FLUSH { FLUSH } else { x });
    if x < FLUSH { 0.0 } else { e }
}

/// The largest value of `s` (several lanes, so that it vectorises).
#[inline(always)]
fn max_of(s: &[f64]) -> f64 {
    let mut acc = [f64::NEG_INFINITY; LANES];
    let chunks = s.chunks_exact(LANES);
    let rest = chunks.remainder();
    for ch in chunks {
        for k in 0..LANES {
            acc[k] = if ch[k] > acc[k] { ch[k] } else { acc[k] };
        }
    }
    let mut mx = f64::NEG_INFINITY;
    for &v in rest.iter().chain(acc.iter()) {
        mx = if v > mx { v } else { mx };
    }
    mx
}

/// Σ of `s` (several lanes, so that it vectorises).
#[inline(always)]
fn sum_of(s: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    let chunks = s.chunks_exact(LANES);
    let rest = chunks.remainder();
    for ch in chunks {
        for k in 0..LANES {
            acc[k] += ch[k];
        }
    }
    rest.iter().sum::<f64>() + acc.iter().sum::<f64>()
}

#[inline(always)]
fn lse_rows_body<F: Real, const FMA: bool>(
    c: &[f64],
    h: &[f64],
    inv_eps: f64,
    lse: &mut [f64],
    scratch: &mut [f64],
) {
    let m = h.len();
    let s = &mut scratch[..m];
    for (row, out) in c.chunks_exact(m).zip(lse.iter_mut()) {
        // three element-wise passes over a row in L1: differences, exponentials, sum
        for ((sj, &hj), &cj) in s.iter_mut().zip(h).zip(row) {
            *sj = hj - cj;
        }
        let mx = max_of(s);
        for sj in s.iter_mut() {
            *sj = exp_flushed::<FMA>((*sj - mx) * inv_eps);
        }
        *out = mx * inv_eps + sum_of(s).ln();
    }
}

dispatch_simd!(lse_rows_dispatch, lse_rows_body, (c: &[f64], h: &[f64], inv_eps: f64, lse: &mut [f64], scratch: &mut [f64]));

/// For each row i of the row-major block `c` (rows of length h.len()):
/// lse[i] = log Σⱼ exp((hⱼ − cᵢⱼ)·inv_eps). Needs finite inputs; `scratch` holds ≥ h.len().
pub(crate) fn lse_rows(c: &[f64], h: &[f64], inv_eps: f64, lse: &mut [f64], scratch: &mut [f64]) {
    debug_assert_eq!(c.len(), h.len() * lse.len());
    lse_rows_dispatch::<f64>(c, h, inv_eps, lse, scratch);
}

/// Row sums, column sums and Σ P∘C of a block of the plan.
#[derive(Clone, Debug, Default)]
pub(crate) struct PlanSums {
    /// Σ_j P_ij per row of the block.
    pub rows: Vec<f64>,
    /// Σ_i P_ij over the block's rows (added to).
    pub cols: Vec<f64>,
    /// Σ P_ij C_ij over the block.
    pub transport: f64,
}

#[inline(always)]
fn plan_rows_body<F: Real, const FMA: bool>(
    c: &[f64],
    f: &[f64],
    g: &[f64],
    inv_eps: f64,
    p: &mut [f64],
    rows: &mut [f64],
    cols: &mut [f64],
    transport: &mut [f64],
) {
    let m = g.len();
    let mut total = 0.0;
    for (((crow, prow), &fi), ri) in c
        .chunks_exact(m)
        .zip(p.chunks_exact_mut(m))
        .zip(f)
        .zip(rows.iter_mut())
    {
        for ((pj, &gj), &cj) in prow.iter_mut().zip(g).zip(crow) {
            *pj = exp_flushed::<FMA>((fi + gj - cj) * inv_eps);
        }
        for (cs, &pj) in cols.iter_mut().zip(prow.iter()) {
            *cs += pj;
        }
        *ri = sum_of(prow);
        let mut acc = [0.0; LANES];
        let (pc, cc) = (prow.chunks_exact(LANES), crow.chunks_exact(LANES));
        let (pr, cr) = (pc.remainder(), cc.remainder());
        for (pb, cb) in pc.zip(cc) {
            for k in 0..LANES {
                acc[k] = mul_add_f64::<FMA>(pb[k], cb[k], acc[k]);
            }
        }
        total += pr.iter().zip(cr).map(|(a, b)| a * b).sum::<f64>() + acc.iter().sum::<f64>();
    }
    transport[0] += total;
}

dispatch_simd!(plan_rows_dispatch, plan_rows_body, (c: &[f64], f: &[f64], g: &[f64], inv_eps: f64, p: &mut [f64], rows: &mut [f64], cols: &mut [f64], transport: &mut [f64]));

/// The plan of a block of rows: p = exp((f_i + g_j − c_ij)·inv_eps) (row-major, rows of
/// length g.len()), its row sums into `sums.rows`, column sums added to `sums.cols`, and
/// Σ p∘c added to `sums.transport`.
pub(crate) fn plan_rows(
    c: &[f64],
    f: &[f64],
    g: &[f64],
    inv_eps: f64,
    p: &mut [f64],
    sums: &mut PlanSums,
) {
    let mut t = [0.0];
    plan_rows_dispatch::<f64>(c, f, g, inv_eps, p, &mut sums.rows, &mut sums.cols, &mut t);
    sums.transport += t[0];
}

#[inline(always)]
fn hessian_rows_body<F: Real, const FMA: bool>(
    p: &[f64],
    r: &[f64],
    c: &[f64],
    u: &[f64],
    v: &[f64],
    out_u: &mut [f64],
    out_v: &mut [f64],
) {
    let m = v.len();
    for (j, o) in out_v.iter_mut().enumerate() {
        *o = c[j] * v[j];
    }
    for (((prow, &ui), &ri), ou) in p.chunks_exact(m).zip(u).zip(r).zip(out_u.iter_mut()) {
        // chunked zips rather than indices: no bounds checks, so the lanes vectorise
        let mut acc = [0.0; LANES];
        let rows = prow.chunks_exact(LANES);
        let rest = rows.remainder();
        let vs = v.chunks_exact(LANES);
        let v_rest = vs.remainder();
        let mut outs = out_v.chunks_exact_mut(LANES);
        for ((pc, vc), oc) in rows.zip(vs).zip(&mut outs) {
            for l in 0..LANES {
                acc[l] = mul_add_f64::<FMA>(pc[l], vc[l], acc[l]);
                oc[l] = mul_add_f64::<FMA>(pc[l], ui, oc[l]);
            }
        }
        let mut s = 0.0;
        for ((&pj, &vj), oj) in rest.iter().zip(v_rest).zip(outs.into_remainder()) {
            s += pj * vj;
            *oj = mul_add_f64::<FMA>(pj, ui, *oj);
        }
        *ou = ri * ui + s + acc.iter().sum::<f64>();
    }
}

dispatch_simd!(hessian_rows_dispatch, hessian_rows_body, (p: &[f64], r: &[f64], c: &[f64], u: &[f64], v: &[f64], out_u: &mut [f64], out_v: &mut [f64]));

/// (out_u, out_v) = (r ∘ u + P v, Pᵀ u + c ∘ v) for the row-major n × m plan P.
pub(crate) fn hessian_apply(
    p: &[f64],
    r: &[f64],
    c: &[f64],
    u: &[f64],
    v: &[f64],
    out_u: &mut [f64],
    out_v: &mut [f64],
) {
    hessian_rows_dispatch::<f64>(p, r, c, u, v, out_u, out_v);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kernel against the naive formula, for sizes around the lane width.
    #[test]
    fn kernels_match_the_naive_formulas() {
        let mut rng = parsimony_core::random::SplitMix64::new(5);
        for (n, m) in [(1, 1), (3, 7), (5, 8), (4, 9), (6, 17), (2, 33)] {
            let c: Vec<f64> = (0..n * m).map(|_| rng.uniform()).collect();
            let f: Vec<f64> = (0..n).map(|_| rng.uniform() - 0.5).collect();
            let g: Vec<f64> = (0..m).map(|_| rng.uniform() - 0.5).collect();
            let eps = 0.05;
            let mut lse = vec![0.0; n];
            lse_rows(&c, &g, 1.0 / eps, &mut lse, &mut vec![0.0; m]);
            for i in 0..n {
                let naive: f64 = (0..m)
                    .map(|j| ((g[j] - c[i * m + j]) / eps).exp())
                    .sum::<f64>()
                    .ln();
                assert!(
                    (lse[i] - naive).abs() < 1e-12 * naive.abs().max(1.0),
                    "{n}×{m}"
                );
            }
            let mut p = vec![0.0; n * m];
            let mut sums = PlanSums {
                rows: vec![0.0; n],
                cols: vec![0.0; m],
                transport: 0.0,
            };
            plan_rows(&c, &f, &g, 1.0 / eps, &mut p, &mut sums);
            let mut t = 0.0;
            for i in 0..n {
                for j in 0..m {
                    let v = ((f[i] + g[j] - c[i * m + j]) / eps).exp();
                    assert!((p[i * m + j] - v).abs() <= 1e-13 * v);
                    t += v * c[i * m + j];
                }
                let r: f64 = (0..m).map(|j| p[i * m + j]).sum();
                assert!((sums.rows[i] - r).abs() <= 1e-12 * r);
            }
            for j in 0..m {
                let s: f64 = (0..n).map(|i| p[i * m + j]).sum();
                assert!((sums.cols[j] - s).abs() <= 1e-12 * s);
            }
            assert!((sums.transport - t).abs() <= 1e-12 * t);
            let u: Vec<f64> = (0..n).map(|_| rng.uniform() - 0.5).collect();
            let v: Vec<f64> = (0..m).map(|_| rng.uniform() - 0.5).collect();
            let (mut ou, mut ov) = (vec![0.0; n], vec![0.0; m]);
            hessian_apply(&p, &sums.rows, &sums.cols, &u, &v, &mut ou, &mut ov);
            for i in 0..n {
                let e = sums.rows[i] * u[i] + (0..m).map(|j| p[i * m + j] * v[j]).sum::<f64>();
                assert!((ou[i] - e).abs() <= 1e-12 * (1.0 + e.abs()));
            }
            for j in 0..m {
                let e = sums.cols[j] * v[j] + (0..n).map(|i| p[i * m + j] * u[i]).sum::<f64>();
                assert!((ov[j] - e).abs() <= 1e-12 * (1.0 + e.abs()));
            }
        }
    }
}
