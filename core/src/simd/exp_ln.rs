//! e^x and ln x in double precision without branches or library calls, so that loops over them
//! vectorise (for example the pointwise physics of a block of PINN collocation points).
//!
//! * **exp**: x = n ln 2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln 2, n rounded to nearest
//!   by the 1.5·2⁵² trick so it never leaves the floating-point unit), e^r by its [6/6] Padé
//!   approximant E(r²) + r O(r²) over E(r²) − r O(r²) (error below 2·10⁻¹⁹ for |r| ≤ ln2/2, the
//!   same approximant as [`tanh_f64`](super::tanh_f64)), times 2ⁿ built from its exponent bits.
//! * **ln**: x = 2ᵏ m with m ∈ [√½, √2) read off the bits (subnormals first scaled by 2⁵⁴), and
//!   ln m = 2 atanh s = 2 (s + s³/3 + s⁵/5 + …), s = (m − 1)/(m + 1), |s| ≤ 0.1716: ten terms
//!   leave a truncation error below 3·10⁻¹⁸; ln x = k ln 2 + ln m with ln 2 split in two.
//!
//! Both are correct to a few ulp over their whole range (tested against `f64::exp`, `f64::ln`)
//! (subnormal results of exp to a unit of the last place of the subnormal range) and keep IEEE's
//! special values: exp overflows to +∞ above 709.78 and underflows to 0 below −745.13,
//! ln(0) = −∞, ln(x < 0) = NaN, NaN stays NaN.

use super::fma::mul_add_f64;

const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2⁵²
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // ln 2, upper 32 bits (for ln x)
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76); // ln 2 − LN2_HI

/// e^x = 2ⁿ (E + rO)/(E − rO) for |x| up to ≈ 745: x = n ln 2 + r with |r| ≤ ln2/2 (Cody–Waite
/// split of ln 2, n rounded by the 1.5·2⁵² trick), and the [6/6] Padé approximant of e^r,
/// N(r) = E(r²) + r O(r²) (error below 2·10⁻¹⁹ for |r| ≤ ln2/2). Returns (n as the integer's
/// bits, E, rO); shared by [`exp_f64_fma`] and [`tanh_f64_fma`](super::tanh_f64_fma).
#[inline(always)]
pub(crate) fn exp_pade_parts<const FMA: bool>(x: f64) -> (u64, f64, f64) {
    let fma = mul_add_f64::<FMA>;
    let y = fma(x, std::f64::consts::LOG2_E, MAGIC);
    let nf = y - MAGIC;
    let n = y.to_bits().wrapping_sub(MAGIC.to_bits());
    let r = fma(-nf, LN2_LO, fma(-nf, LN2_HI, x));
    const E2: f64 = 5.0 / 44.0;
    const E4: f64 = 1.0 / 792.0;
    const E6: f64 = 1.0 / 665_280.0;
    const O1: f64 = 0.5;
    const O3: f64 = 1.0 / 66.0;
    const O5: f64 = 1.0 / 15_840.0;
    let q = r * r;
    let e = fma(fma(fma(E6, q, E4), q, E2), q, 1.0);
    let ro = r * fma(fma(O5, q, O3), q, O1);
    (n, e, ro)
}

/// e^x (see the module doc).
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    exp_f64_fma::<false>(x)
}

/// [`exp_f64`] with fused multiply-adds when `FMA` (for code compiled with the FMA target
/// feature; the same function to a few ulp).
#[inline(always)]
pub fn exp_f64_fma<const FMA: bool>(x: f64) -> f64 {
    // beyond these e^x rounds to +∞ or 0; the clamp keeps n in range, the selects at the end
    // restore the limits
    let xc = if x > 709.79 { 709.79 } else { x };
    let xc = if xc < -745.2 { -745.2 } else { xc };
    let (n, e, ro) = exp_pade_parts::<FMA>(xc);
    // 2ⁿ as two normal factors 2^(n − ⌊n/2⌋) 2^⌊n/2⌋, so that n = 1024 and the subnormal
    // results (n down to −1075, rounded once more by the last product) need no branch
    let half = ((n as i64) >> 1) as u64;
    let s1 = f64::from_bits(n.wrapping_sub(half).wrapping_add(1023) << 52);
    let s2 = f64::from_bits(half.wrapping_add(1023) << 52);
    let v = (e + ro) / (e - ro) * s1 * s2;
    let v = if x > 709.782_712_893_384 {
        f64::INFINITY
    } else {
        v
    };
    if x < -745.2 { 0.0 } else { v }
}

/// ln x (see the module doc).
#[inline(always)]
pub fn ln_f64(x: f64) -> f64 {
    ln_f64_fma::<false>(x)
}

/// [`ln_f64`] with fused multiply-adds when `FMA`.
#[inline(always)]
pub fn ln_f64_fma<const FMA: bool>(x: f64) -> f64 {
    let fma = mul_add_f64::<FMA>;
    // subnormals: scale into the normal range first
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny {
        x * 18_014_398_509_481_984.0
    } else {
        x
    }; // 2⁵⁴
    let bits = xs.to_bits();
    // k = exponent of x relative to √½: m = x 2⁻ᵏ lies in [√½, √2)
    const SQRT_HALF_BITS: u64 = 0x3FE6_A09E_667F_3BCD;
    let k = bits.wrapping_sub(SQRT_HALF_BITS) as i64 >> 52;
    let m = f64::from_bits(bits.wrapping_sub((k as u64) << 52));
    // k as a float without an integer conversion (|k| < 2⁵¹)
    let kf = f64::from_bits(MAGIC.to_bits().wrapping_add(k as u64)) - MAGIC;
    let kf = if tiny { kf - 54.0 } else { kf };
    let s = (m - 1.0) / (m + 1.0);
    let q = s * s;
    // 2 atanh s = 2s Σ q^j/(2j + 1), j = 0..9, by Horner in q
    let mut p = 1.0 / 19.0;
    for d in [17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        p = fma(p, q, 1.0 / d);
    }
    let ln_m = 2.0 * s * p;
    let v = fma(kf, LN2_HI, fma(kf, LN2_LO, ln_m));
    let v = if x == f64::INFINITY { f64::INFINITY } else { v };
    let v = if x == 0.0 { f64::NEG_INFINITY } else { v };
    if x < 0.0 || x.is_nan() { f64::NAN } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        let spacing = if b == 0.0 {
            f64::from_bits(1)
        } else {
            let e = b.abs();
            f64::from_bits(e.to_bits() + 1) - e
        };
        ((a - b) / spacing).abs()
    }

    #[test]
    fn exp_matches_the_library_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        let mut x: f64 = -745.0;
        while x <= 709.7 {
            for xx in [x, x * 1e-3, x * 1e-9, -x * 1e-6] {
                let b = xx.exp();
                for a in [exp_f64(xx), exp_f64_fma::<true>(xx)] {
                    // below 2⁻¹⁰²² both round in the subnormal range: compare absolutely
                    let e = if b < f64::MIN_POSITIVE {
                        (a - b).abs() / f64::from_bits(1)
                    } else {
                        ulps(a, b)
                    };
                    worst = worst.max(e);
                }
            }
            x += 0.0137;
        }
        assert!(worst <= 4.0, "worst error {worst} ulp");
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(exp_f64(710.0), f64::INFINITY);
        assert_eq!(exp_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_f64(-746.0), 0.0);
        assert_eq!(exp_f64(f64::NEG_INFINITY), 0.0);
        assert!(exp_f64(f64::NAN).is_nan());
        assert!((exp_f64(709.78) / 709.78f64.exp() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn ln_matches_the_library_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        // a geometric sweep over the normal range, plus points next to 1 and subnormals
        let mut x = f64::MIN_POSITIVE;
        while x < 1e308 {
            for xx in [
                x,
                x * 1.000_000_1,
                x * std::f64::consts::FRAC_1_SQRT_2,
                x * std::f64::consts::SQRT_2,
            ] {
                worst = worst.max(ulps(ln_f64(xx), xx.ln()));
                worst = worst.max(ulps(ln_f64_fma::<true>(xx), xx.ln()));
            }
            x *= 1.0173;
        }
        for d in [1e-16, 1e-12, 1e-8, 1e-4, 0.1, 0.3] {
            for xx in [1.0 + d, 1.0 - d] {
                worst = worst.max(ulps(ln_f64(xx), xx.ln()));
            }
        }
        for xx in [f64::from_bits(1), 1e-310, 3e-320, f64::MIN_POSITIVE * 0.5] {
            worst = worst.max(ulps(ln_f64(xx), xx.ln()));
        }
        assert!(worst <= 4.0, "worst error {worst} ulp");
        assert_eq!(ln_f64(1.0), 0.0);
        assert_eq!(ln_f64(0.0), f64::NEG_INFINITY);
        assert_eq!(ln_f64(f64::INFINITY), f64::INFINITY);
        assert!(ln_f64(-1.0).is_nan());
        assert!(ln_f64(f64::NAN).is_nan());
    }
}
