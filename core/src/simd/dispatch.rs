//! Runtime dispatch of a kernel to the widest instruction set the CPU has.
//!
//! [`dispatch_simd!`](crate::dispatch_simd) defines a function that runs a kernel body
//! compiled three times: for AVX-512 (F, DQ, VL) + FMA, for AVX2 + FMA, and for the baseline
//! target, choosing at run time (std caches the CPU check). The body is a generic function
//! `body::<F: Real, const FMA: bool>(args…)` written with
//! [`Real::mul_add_if`](crate::simd::Real::mul_add_if) and the `_fma` kernels of
//! [`crate::simd`], so that the same
//! source is fused where the CPU can and stays exact elsewhere. Element-wise loops over slices
//! passed as arguments vectorise (the compiler knows that distinct slice arguments do not
//! overlap).
//!
//! ```
//! use parsimony_core::simd::{Real, exp_f64_fma};
//!
//! #[inline(always)]
//! fn exp_all_body<F: Real, const FMA: bool>(x: &[f64], out: &mut [f64]) {
//!     for (o, &v) in out.iter_mut().zip(x) {
//!         *o = exp_f64_fma::<FMA>(v);
//!     }
//! }
//! parsimony_core::dispatch_simd!(exp_all, exp_all_body, (x: &[f64], out: &mut [f64]));
//!
//! let mut out = [0.0; 3];
//! exp_all::<f64>(&[0.0, 1.0, -1.0], &mut out);
//! assert_eq!(out[0], 1.0);
//! assert!((out[1] - std::f64::consts::E).abs() < 1e-15);
//! ```

/// Defines `fn $name<F: Real>(args…)` that runs `$body::<F, true>` compiled for AVX-512 (F, DQ,
/// VL) + FMA, else for AVX2 + FMA, when the CPU has them (runtime check, cached by std), else
/// `$body::<F, false>` for the baseline target. The kernel's const parameter says whether its
/// multiply-adds may be fused ([`Real::mul_add_if`](crate::simd::Real::mul_add_if)).
///
/// AVX-512 took 3–5 % off the f64 PINN loss + gradient of parsimony-flame on a Zen 4 core
/// (which splits 512-bit operations in two, so the gain is fewer instructions, not wider
/// arithmetic). See the [module documentation](crate::simd::dispatch) for an example.
#[macro_export]
macro_rules! dispatch_simd {
    ($name:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        fn $name<F: $crate::simd::Real>($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
                fn wide512<F: $crate::simd::Real>($($arg: $ty),*) {
                    $body::<F, true>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn wide<F: $crate::simd::Real>($($arg: $ty),*) {
                    $body::<F, true>($($arg),*)
                }
                if std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512dq")
                    && std::is_x86_feature_detected!("avx512vl")
                    && std::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU supports the features `wide512` was compiled for.
                    return unsafe { wide512::<F>($($arg),*) };
                }
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports the features `wide` was compiled for.
                    return unsafe { wide::<F>($($arg),*) };
                }
            }
            $body::<F, false>($($arg),*)
        }
    };
}
