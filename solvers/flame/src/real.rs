//! The floating-point types the PINN engine runs in: `f64` and `f32`.
//!
//! The network (weights, activations, GEMMs) runs in the chosen type; the pointwise physics and
//! the optimiser always run in `f64` (see [`crate::loss`]).

use std::fmt::Debug;

/// A real floating-point type for the network: `f64` or `f32`.
pub trait Real:
    faer::traits::RealField + Copy + Send + Sync + Debug + std::ops::Neg<Output = Self> + 'static
{
    /// Rounds an `f64` to this type.
    fn of(x: f64) -> Self;
    /// Widens to `f64`.
    fn f64(self) -> f64;
    /// Hyperbolic tangent (branch-free, vectorisable: [`tanh_f64`]).
    fn tanh(self) -> Self;
    /// Short name ("f64", "f32") for reports.
    const NAME: &'static str;
}

impl Real for f64 {
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn tanh(self) -> Self {
        tanh_f64(self)
    }
    const NAME: &'static str = "f64";
}

impl Real for f32 {
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn tanh(self) -> Self {
        tanh_f64(self as f64) as f32
    }
    const NAME: &'static str = "f32";
}

/// Which [`Real`] type a training run uses for the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// Double precision (default).
    #[default]
    F64,
    /// Single precision, as the paper's Case 1 (DeepXDE's default); the optimiser keeps `f64`
    /// master weights.
    F32,
}

/// tanh(z) in double precision without branches or library calls, so that loops over it
/// vectorise: tanh|z| = e/(e + 2) with e = expm1(2|z|), the sign restored at the end.
///
/// expm1 is computed by the usual reduction 2|z| = n ln 2 + r, |r| ≤ ln2/2 (Cody–Waite split of
/// ln 2, round-to-nearest by the 1.5·2⁵² trick so the integer n never leaves the floating-point
/// unit), the Taylor polynomial of expm1(r) to r¹³/13! (truncation < 5·10⁻¹⁸), and
/// expm1(2|z|) = 2ⁿ expm1(r) + (2ⁿ − 1), which has no cancellation. |z| is capped at 20
/// (tanh 20 rounds to 1). Relative error a few ulp (tested against `f64::tanh`); NaN stays NaN.
#[inline(always)]
pub fn tanh_f64(z: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // ln 2, upper 32 bits
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76); // ln 2 − LN2_HI
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2⁵²
    let a = z.abs();
    let a = if a > 20.0 { 20.0 } else { a };
    let x = 2.0 * a;
    let y = x * LOG2E + MAGIC;
    let nf = y - MAGIC;
    let n = y.to_bits().wrapping_sub(MAGIC.to_bits());
    let r = (x - nf * LN2_HI) - nf * LN2_LO;
    // expm1(r) = r (1 + r/2 (1 + r/3 (1 + … )))
    let mut p = 1.0 + r / 13.0;
    p = 1.0 + r / 12.0 * p;
    p = 1.0 + r / 11.0 * p;
    p = 1.0 + r / 10.0 * p;
    p = 1.0 + r / 9.0 * p;
    p = 1.0 + r / 8.0 * p;
    p = 1.0 + r / 7.0 * p;
    p = 1.0 + r / 6.0 * p;
    p = 1.0 + r / 5.0 * p;
    p = 1.0 + r / 4.0 * p;
    p = 1.0 + r / 3.0 * p;
    p = 1.0 + r / 2.0 * p;
    let em1_r = r * p;
    let scale = f64::from_bits(n.wrapping_add(1023) << 52);
    let em1 = scale * em1_r + (scale - 1.0);
    (em1 / (em1 + 2.0)).copysign(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_matches_the_library_to_a_few_ulp() {
        let mut worst = 0.0f64;
        let mut z = -25.0;
        while z <= 25.0 {
            for zz in [z, z * 1e-3, z * 1e-9] {
                let (a, b) = (tanh_f64(zz), zz.tanh());
                let e = ((a - b) / b.abs().max(f64::MIN_POSITIVE)).abs();
                worst = worst.max(if b == 0.0 { a.abs() } else { e });
            }
            z += 1.37e-3;
        }
        assert!(worst < 1e-15, "worst relative error {worst:e}");
        assert_eq!(tanh_f64(0.0), 0.0);
        assert_eq!(tanh_f64(f64::INFINITY), 1.0);
        assert_eq!(tanh_f64(-1e300), -1.0);
        assert!(tanh_f64(f64::NAN).is_nan());
    }
}
