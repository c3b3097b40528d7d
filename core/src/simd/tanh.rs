//! tanh in `f64` and `f32` without branches or library calls, so that loops over it vectorise
//! (the activations of a tanh network, four or eight points per AVX2 register).
//!
//! tanh|z| = e/(e + 2) with e = expm1(2|z|) = 2ⁿ expm1(r) + (2ⁿ − 1) after the range reduction
//! 2|z| = n ln 2 + r of [`exp_f64`](super::exp_f64), the sign restored at the end: one division,
//! no cancellation. f64 uses the [6/6] Padé approximant of e^r, f32 the [3/3]. Accurate to a few
//! ulp (tested against the library); NaN stays NaN.

use super::exp_ln::exp_pade_parts;
use super::fma::{mul_add_f32, mul_add_f64};

/// tanh(z) in double precision without branches or library calls, so that loops over it
/// vectorise: tanh|z| = e/(e + 2) with e = expm1(2|z|), the sign restored at the end.
///
/// expm1 is computed by the usual reduction 2|z| = n ln 2 + r, |r| ≤ ln2/2 (Cody–Waite split of
/// ln 2, round-to-nearest by the 1.5·2⁵² trick so the integer n never leaves the floating-point
/// unit), the [6/6] Padé approximant of e^r (error < 2·10⁻¹⁹), and
/// expm1(2|z|) = 2ⁿ expm1(r) + (2ⁿ − 1), which has no cancellation. |z| is capped at 20
/// (tanh 20 rounds to 1). Relative error a few ulp (tested against `f64::tanh`); NaN stays NaN.
#[inline(always)]
pub fn tanh_f64(z: f64) -> f64 {
    tanh_f64_fma::<false>(z)
}

/// [`tanh_f64`] with fused multiply-adds when `FMA` (the same function to a few ulp).
#[inline(always)]
pub fn tanh_f64_fma<const FMA: bool>(z: f64) -> f64 {
    let fma = mul_add_f64::<FMA>;
    let a = z.abs();
    let a = if a > 20.0 { 20.0 } else { a };
    // e^{2|z|} = 2ⁿ N(r)/N(−r) (see `exp_pade_parts`), so expm1(r) = 2rO/D with D = E − rO,
    // and e^{2|z|} − 1 = 2ⁿ expm1(r) + 2ⁿ − 1 = X/D with X = 2ⁿ⁺¹ rO + (2ⁿ − 1) D; then
    // tanh|z| = X/(X + 2D): one division, and short dependency chains (E and O in r²)
    let (n, e, ro) = exp_pade_parts::<FMA>(2.0 * a);
    let d = e - ro;
    let scale = f64::from_bits(n.wrapping_add(1023) << 52);
    let x = fma(2.0 * scale, ro, (scale - 1.0) * d);
    (x / fma(2.0, d, x)).copysign(z)
}

/// The single-precision twin of [`tanh_f64`]: |z| capped at 10 (tanh 10 rounds to 1), e^r by its
/// [3/3] Padé approximant, 8 lanes of f32 per AVX2 register instead of 4 of f64.
#[inline(always)]
pub fn tanh_f32(z: f32) -> f32 {
    tanh_f32_fma::<false>(z)
}

/// [`tanh_f32`] with fused multiply-adds when `FMA`.
#[inline(always)]
pub fn tanh_f32_fma<const FMA: bool>(z: f32) -> f32 {
    let fma = mul_add_f32::<FMA>;
    const LN2_HI: f32 = f32::from_bits(0x3F31_7200); // ln 2, upper bits
    const LN2_LO: f32 = f32::from_bits(0x35BF_BE8E); // ln 2 − LN2_HI
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const MAGIC: f32 = 12_582_912.0; // 1.5 · 2²³
    let a = z.abs();
    let a = if a > 10.0 { 10.0 } else { a };
    let x = 2.0 * a;
    let y = fma(x, LOG2E, MAGIC);
    let nf = y - MAGIC;
    let n = y.to_bits().wrapping_sub(MAGIC.to_bits());
    let r = fma(-nf, LN2_LO, fma(-nf, LN2_HI, x));
    // the [3/3] Padé approximant of e^r (error below 1·10⁻⁸ for |r| ≤ ln2/2), as in tanh_f64
    let q = r * r;
    let e = fma(1.0 / 10.0, q, 1.0);
    let ro = r * fma(1.0 / 120.0, q, 0.5);
    let d = e - ro;
    let scale = f32::from_bits(n.wrapping_add(127) << 23);
    let x = fma(2.0 * scale, ro, (scale - 1.0) * d);
    (x / fma(2.0, d, x)).copysign(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_matches_the_library_to_a_few_ulp() {
        let mut worst = 0.0f64;
        let mut z: f64 = -25.0;
        while z <= 25.0 {
            for zz in [z, z * 1e-3, z * 1e-9] {
                let b = zz.tanh();
                for a in [tanh_f64(zz), tanh_f64_fma::<true>(zz)] {
                    let e = ((a - b) / b.abs().max(f64::MIN_POSITIVE)).abs();
                    worst = worst.max(if b == 0.0 { a.abs() } else { e });
                }
            }
            z += 1.37e-3;
        }
        assert!(worst < 1e-15, "worst relative error {worst:e}");
        assert_eq!(tanh_f64(0.0), 0.0);
        assert_eq!(tanh_f64(f64::INFINITY), 1.0);
        assert_eq!(tanh_f64(-1e300), -1.0);
        assert!(tanh_f64(f64::NAN).is_nan());
    }

    #[test]
    fn fast_tanh_f32_is_within_a_few_ulp() {
        let mut worst = 0.0f64;
        let mut z = -12.0f32;
        while z <= 12.0 {
            for zz in [z, z * 1e-3, z * 1e-6] {
                let b = (zz as f64).tanh();
                for a in [tanh_f32(zz), tanh_f32_fma::<true>(zz)] {
                    if b != 0.0 {
                        worst = worst.max(((a as f64 - b) / b).abs());
                    }
                }
            }
            z += 1.1e-3;
        }
        assert!(worst < 5e-7, "worst relative error {worst:e}");
        assert!(tanh_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(1e30), 1.0);
    }
}
