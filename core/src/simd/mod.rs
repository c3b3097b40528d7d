//! Runtime-dispatched SIMD element-wise maths shared by the solvers: the [`Real`] scalar trait
//! (f32 | f64) and [`Precision`], branch-free e^x, ln x and tanh that vectorise, and the
//! [`dispatch_simd!`](crate::dispatch_simd) macro that compiles a kernel for AVX-512, AVX2 and
//! the baseline and picks one at run time.
//!
//! | module | holds |
//! |---|---|
//! | [`real`] | [`Real`] (`f64`, `f32`: conversions, fused-or-not multiply-add, tanh), [`Precision`] |
//! | [`exp_ln`] | e^x = 2ⁿ e^r (Cody–Waite reduction, [6/6] Padé), ln x = k ln 2 + 2 atanh s |
//! | [`tanh`] | tanh z = sign z · e/(e + 2), e = expm1 2\|z\| from the same reduction |
//! | [`fma`] | a·b + c, fused when the kernel was compiled with FMA |
//! | [`dispatch`] | the dispatch macro |
//!
//! Every function here is `#[inline(always)]` and branch-free (selects, not jumps), so a loop
//! over a slice that calls it vectorises; each is accurate to a few ulp over its whole range and
//! keeps IEEE's special values (the tests compare with the library over sweeps of the range).
//! A kernel is written once, generic over `F: Real` and `const FMA: bool`; the macro
//! instantiates it (in the crate that invokes it) for each instruction set.

pub mod dispatch;
pub mod exp_ln;
pub mod fma;
pub mod real;
pub mod tanh;

pub use exp_ln::{exp_f64, exp_f64_fma, ln_f64, ln_f64_fma};
pub use fma::{mul_add_f32, mul_add_f64};
pub use real::{Precision, Real};
pub use tanh::{tanh_f32, tanh_f32_fma, tanh_f64, tanh_f64_fma};
