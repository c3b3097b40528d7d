//! The energy residual of [`crate::loss`] and its adjoints at a block of collocation points,
//! written without branches or library calls so that the loop over points vectorises.
//!
//! At each point, from the network streams (n, n₁, n₂):
//!
//! ```text
//!   σ, σ', σ'', σ'''  of n                       (one e^(−|n|), one division)
//!   T = T_in + ΔT σ,  T' = ΔT s_x σ' n₁,  T'' = ΔT s_x² (σ'' n₁² + σ' n₂)
//!   ω, ∂ω/∂T, ∂ω/∂s_L                            ([`crate::physics`]'s kernel, inlined)
//!   r = k [T' − a T'' − b ω],  k = s_T/s_x,  a = λ/(m c_p),  b = q_F/(m c_p)
//! ```
//!
//! and the pieces of the gradient: w r ∂r/∂(s_L, λ, E_a) (summed by the caller, in point order)
//! and the adjoints of (n, n₁, n₂) from w r ∂r/∂(T, T', T''), w = 2 w_r/N_c. The same
//! quantities as the scalar [`point_residual`] (the test compares them; the physics kernels
//! themselves are checked against the naive formulas with the library's e^x and ln x in
//! [`crate::physics`]).
//!
//! Cost per point: 2 exponentials, 1 logarithm, 1 square root and 9 divisions (3 of them inside e^x and ln x), a few dozen
//! multiply-adds; 4 (AVX2) or 8 (AVX-512) points at a time.

use crate::data::Scaling;
use crate::model::{FlameModel, R_UNIVERSAL};
use crate::physics::Case1Physics;
use parsimony_core::simd::{Real, exp_f64_fma};

/// Logistic σ(n) and σ', σ'', σ''' without cancellation at large |n|.
#[inline]
pub(crate) fn sigmoid_derivatives(n: f64) -> [f64; 4] {
    let e = (-n.abs()).exp();
    let inv = 1.0 / (1.0 + e);
    let sig = if n >= 0.0 { inv } else { e * inv };
    let d1 = e * inv * inv;
    let one_minus_2sig = if n >= 0.0 {
        -(1.0 - e) * inv
    } else {
        (1.0 - e) * inv
    };
    let d2 = d1 * one_minus_2sig;
    let d3 = d1 * (1.0 - 6.0 * d1);
    [sig, d1, d2, d3]
}

/// T, T', T'' at one point from the network streams (n, n₁, n₂).
#[inline]
pub(crate) fn temperature_streams(
    model: &FlameModel,
    sc: &Scaling,
    sg: &[f64; 4],
    n1: f64,
    n2: f64,
) -> [f64; 3] {
    let dt = model.t_max() - model.t_in;
    [
        model.t_in + dt * sg[0],
        dt * sc.s_x * sg[1] * n1,
        dt * sc.s_x * sc.s_x * (sg[2] * n1 * n1 + sg[1] * n2),
    ]
}

/// Adjoints of (n, n₁, n₂) from adjoints `g` of (T, T', T'').
#[inline]
pub(crate) fn stream_adjoints(
    dt: f64,
    sc: &Scaling,
    sg: &[f64; 4],
    n1: f64,
    n2: f64,
    g: [f64; 3],
) -> [f64; 3] {
    let (a1, a2) = (dt * sc.s_x, dt * sc.s_x * sc.s_x);
    [
        g[0] * dt * sg[1] + g[1] * a1 * sg[2] * n1 + g[2] * a2 * (sg[3] * n1 * n1 + sg[2] * n2),
        g[1] * a1 * sg[1] + g[2] * a2 * 2.0 * sg[2] * n1,
        g[2] * a2 * sg[1],
    ]
}

/// The energy residual r at one point and its partial derivatives (the scalar reference for
/// [`residual_block`], whose test reads the derivatives; the loss itself only needs r here).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct PointResidual {
    pub(crate) r: f64,
    /// ∂r/∂T, ∂r/∂T', ∂r/∂T''.
    pub(crate) d_fields: [f64; 3],
    /// ∂r/∂s_L, ∂r/∂λ, ∂r/∂E_a.
    pub(crate) d_params: [f64; 3],
}

/// The energy residual at one point with fields `f` = (T, T', T'') and s_L = `s` (scalar code,
/// for predictions and as the block kernel's reference).
#[inline]
pub(crate) fn point_residual(
    model: &FlameModel,
    sc: &Scaling,
    f: [f64; 3],
    s: f64,
) -> PointResidual {
    let mcp = model.rho_in() * s * model.cp;
    let rate = model.rate(f[0], s);
    let k = sc.s_t / sc.s_x;
    let a = model.conductivity / mcp;
    let b = model.heat_release / mcp;
    PointResidual {
        r: k * (f[1] - a * f[2] - b * rate.omega),
        d_fields: [-k * b * rate.d_t, k, -k * a],
        d_params: [
            k * (a * f[2] / s + b * rate.omega / s - b * rate.d_s),
            -k * f[2] / mcp,
            k * b * rate.omega / (R_UNIVERSAL * f[0]),
        ],
    }
}

/// What every point of one loss evaluation shares (constants of the model, the scaling and the
/// current unknowns s_L, λ, E_a).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResidualConstants {
    t_in: f64,
    /// ΔT = T_max − T_in, ΔT s_x, ΔT s_x².
    dt: f64,
    dt1: f64,
    dt2: f64,
    /// The physics at the current s_L (velocity, density, rate).
    phys: Case1Physics,
    /// 1/(m c_p).
    inv_mcp: f64,
    k: f64,
    a: f64,
    b: f64,
    /// 2 w_r/N_c.
    w: f64,
}

impl ResidualConstants {
    /// The constants for `model` (with the current λ, E_a), scaling `sc`, s_L = `s` and
    /// residual weight factor `w` = 2 w_r/N_c.
    pub(crate) fn new(model: &FlameModel, sc: &Scaling, s: f64, w: f64) -> Self {
        let dt = model.t_max() - model.t_in;
        let mcp = model.rho_in() * s * model.cp;
        Self {
            t_in: model.t_in,
            dt,
            dt1: dt * sc.s_x,
            dt2: dt * sc.s_x * sc.s_x,
            phys: Case1Physics::new(model, s),
            inv_mcp: 1.0 / mcp,
            k: sc.s_t / sc.s_x,
            a: model.conductivity / mcp,
            b: model.heat_release / mcp,
            w,
        }
    }
}

/// Per-point output of [`residual_block`], structure of arrays over the block's points.
pub(crate) struct BlockTerms<'a> {
    /// r² at each point.
    pub r2: &'a mut [f64],
    /// w r ∂r/∂s_L, w r ∂r/∂λ, w r ∂r/∂E_a at each point.
    pub g_params: [&'a mut [f64]; 3],
}

/// The residual terms and the stream adjoints at the points with network outputs
/// `n = [n, n₁, n₂]` (each of the block's length); the adjoints go to `adj = [ā, ā₁, ā₂]`.
pub(crate) fn residual_block<F: Real>(
    c: &ResidualConstants,
    n: [&[F]; 3],
    terms: BlockTerms,
    adj: [&mut [F]; 3],
) {
    let len = n[0].len();
    assert!(
        n.iter().all(|s| s.len() == len)
            && adj.iter().all(|s| s.len() == len)
            && terms.r2.len() == len
            && terms.g_params.iter().all(|s| s.len() == len),
        "residual_block: every slice has the block's length"
    );
    residual_block_simd::<F>(c, n, terms, adj);
}

parsimony_core::dispatch_simd!(
    residual_block_simd,
    residual_block_body,
    (
        c: &ResidualConstants,
        n: [&[F]; 3],
        terms: BlockTerms,
        adj: [&mut [F]; 3]
    )
);

#[inline(always)]
fn residual_block_body<F: Real, const FMA: bool>(
    c: &ResidualConstants,
    n: [&[F]; 3],
    terms: BlockTerms,
    adj: [&mut [F]; 3],
) {
    let len = n[0].len();
    let (n0, n1, n2) = (&n[0][..len], &n[1][..len], &n[2][..len]);
    let r2 = &mut terms.r2[..len];
    let [gp0, gp1, gp2] = terms.g_params;
    let (gp0, gp1, gp2) = (&mut gp0[..len], &mut gp1[..len], &mut gp2[..len]);
    let [a0, a1, a2] = adj;
    let (a0, a1, a2) = (&mut a0[..len], &mut a1[..len], &mut a2[..len]);
    for i in 0..len {
        let (x, x1, x2) = (n0[i].f64(), n1[i].f64(), n2[i].f64());
        // σ and its derivatives without cancellation at large |n|
        let e = exp_f64_fma::<FMA>(-x.abs());
        let inv = 1.0 / (1.0 + e);
        let pos = x >= 0.0;
        let sig = if pos { inv } else { e * inv };
        let d1 = e * inv * inv;
        let omt = (1.0 - e) * inv;
        let d2 = d1 * if pos { -omt } else { omt };
        let d3 = d1 * (1.0 - 6.0 * d1);
        // T, T', T''
        let t = c.t_in + c.dt * sig;
        let t1 = c.dt1 * d1 * x1;
        let t2 = c.dt2 * (d2 * x1 * x1 + d1 * x2);
        // the one-step rate and its derivatives (the physics module's kernel, inlined)
        let rate = c.phys.rate::<FMA>(t);
        let (omega, om_t, om_s) = (rate.omega, rate.d_t, rate.d_s);
        let inv_t = 1.0 / t;
        // residual and its partial derivatives
        let r = c.k * (t1 - c.a * t2 - c.b * omega);
        let wr = c.w * r;
        r2[i] = r * r;
        gp0[i] = wr * (c.k * (c.a * t2 * c.phys.inv_s + c.b * omega * c.phys.inv_s - c.b * om_s));
        gp1[i] = wr * (-c.k * t2 * c.inv_mcp);
        gp2[i] = wr * (c.k * c.b * omega * inv_t / R_UNIVERSAL);
        // adjoints of (T, T', T''), then of (n, n₁, n₂)
        let (g0, g1, g2) = (-wr * c.k * c.b * om_t, wr * c.k, -wr * c.k * c.a);
        a0[i] =
            F::of(g0 * c.dt * d1 + g1 * c.dt1 * d2 * x1 + g2 * c.dt2 * (d3 * x1 * x1 + d2 * x2));
        a1[i] = F::of(g1 * c.dt1 * d1 + g2 * c.dt2 * 2.0 * d2 * x1);
        a2[i] = F::of(g2 * c.dt2 * d1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel against the scalar code of the loss (streams, rate and adjoints one point at
    /// a time, multiply-adds unfused) at network outputs across and beyond the flame, including n so large that
    /// Y_F rounds to 0 and the rate is cut off.
    fn check<F: Real>(tol: f64) {
        let mut model = FlameModel::new(298.0, 101_325.0, 0.46);
        model.conductivity = 0.031;
        model.activation_energy = 1.3e5;
        let sc = Scaling::for_model(&model);
        let (s, w) = (0.37, 2.0 / 1001.0);
        let c = ResidualConstants::new(&model, &sc, s, w);
        let len = 203;
        let ts: Vec<f64> = (0..len).map(|i| i as f64 / (len - 1) as f64).collect();
        let n: [Vec<F>; 3] = [
            ts.iter().map(|t| F::of(-45.0 + 90.0 * t * t * t)).collect(),
            ts.iter().map(|t| F::of(3.0 * (7.0 * t).sin())).collect(),
            ts.iter()
                .map(|t| F::of(-2.0 + 5.0 * (3.0 * t).cos()))
                .collect(),
        ];
        let mut terms = vec![vec![0.0; len]; 4];
        let mut adj = [
            vec![F::zero(); len],
            vec![F::zero(); len],
            vec![F::zero(); len],
        ];
        {
            let [r2, g0, g1, g2] = &mut terms[..] else {
                unreachable!()
            };
            let [a0, a1, a2] = &mut adj;
            residual_block(
                &c,
                [&n[0], &n[1], &n[2]],
                BlockTerms {
                    r2,
                    g_params: [g0, g1, g2],
                },
                [a0, a1, a2],
            );
        }
        let mut cut_off = 0;
        for i in 0..len {
            let (x, x1, x2) = (n[0][i].f64(), n[1][i].f64(), n[2][i].f64());
            let sg = sigmoid_derivatives(x);
            let f = temperature_streams(&model, &sc, &sg, x1, x2);
            let pr = point_residual(&model, &sc, f, s);
            // condition number of the rate in T (ln ω = n ln Y − E_a/(RT) + …, Y = Y_in −
            // c_p (T − T_in)/q_F cancels towards the burnt side): the two codes round T and Y
            // differently, and that rounding is amplified by κ in ω
            let y = model.fuel_in() + model.cp * (model.t_in - f[0]) / model.heat_release;
            let kappa = 1.0
                + model.activation_energy / (R_UNIVERSAL * f[0])
                + model.order * model.cp * f[0] / (model.heat_release * y.abs());
            let close = |a: f64, b: f64, scale: f64| {
                (a - b).abs() <= (tol + 1e-15 * kappa) * b.abs().max(scale)
            };
            cut_off += usize::from(model.rate(f[0], s).omega == 0.0);
            assert!(close(terms[0][i], pr.r * pr.r, 1e-30), "r² at {i}");
            for j in 0..3 {
                let want = w * pr.r * pr.d_params[j];
                assert!(
                    close(terms[j + 1][i], want, 1e-300),
                    "g_params[{j}] at {i}: {} vs {want} (κ {kappa:.3e})",
                    terms[j + 1][i]
                );
            }
            let g = pr.d_fields.map(|d| w * pr.r * d);
            let a = stream_adjoints(c.dt, &sc, &sg, x1, x2, g);
            let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs())) * 1e-6;
            for j in 0..3 {
                assert!(
                    close(adj[j][i].f64(), F::of(a[j]).f64(), scale.max(1e-300)),
                    "adjoint {j} at {i}: {} vs {}",
                    adj[j][i].f64(),
                    a[j]
                );
            }
        }
        assert!(cut_off > 0 && cut_off < len / 2, "{cut_off} cut-off points");
    }

    #[test]
    fn block_kernel_matches_the_scalar_residual_f64() {
        check::<f64>(1e-12);
    }

    #[test]
    fn block_kernel_matches_the_scalar_residual_f32() {
        // the adjoints are rounded to f32 on either side: a rounding apart at most
        check::<f32>(1.2e-7);
    }
}
