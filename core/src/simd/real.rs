//! The floating-point types the vectorised kernels run in: `f64` and `f32`.
//!
//! A kernel generic over [`Real`] is written once and monomorphised for both; the PINN engine of
//! parsimony-flame runs its network in either, its pointwise physics and optimiser in `f64`.

use super::fma::{mul_add_f32, mul_add_f64};
use super::tanh::{tanh_f32_fma, tanh_f64_fma};
use std::fmt::Debug;

/// A real floating-point type for vectorised kernels: `f64` or `f32`.
pub trait Real:
    faer::traits::RealField + Copy + Send + Sync + Debug + std::ops::Neg<Output = Self> + 'static
{
    /// Rounds an `f64` to this type.
    fn of(x: f64) -> Self;
    /// Widens to `f64`.
    fn f64(self) -> f64;
    /// Hyperbolic tangent (branch-free, vectorisable: [`tanh_f64`](super::tanh_f64)).
    fn tanh(self) -> Self {
        self.tanh_fma::<false>()
    }
    /// [`Real::tanh`] with its multiply-adds fused when `FMA` (for code compiled with the FMA
    /// target feature; without it a fused multiply-add is a slow library call).
    fn tanh_fma<const FMA: bool>(self) -> Self;
    /// a·b + c: one fused multiply-add when `FMA`, else a product and a sum.
    fn mul_add_if<const FMA: bool>(self, b: Self, c: Self) -> Self;
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
    fn tanh_fma<const FMA: bool>(self) -> Self {
        tanh_f64_fma::<FMA>(self)
    }
    #[inline(always)]
    fn mul_add_if<const FMA: bool>(self, b: Self, c: Self) -> Self {
        mul_add_f64::<FMA>(self, b, c)
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
    fn tanh_fma<const FMA: bool>(self) -> Self {
        tanh_f32_fma::<FMA>(self)
    }
    #[inline(always)]
    fn mul_add_if<const FMA: bool>(self, b: Self, c: Self) -> Self {
        mul_add_f32::<FMA>(self, b, c)
    }
    const NAME: &'static str = "f32";
}

/// Which [`Real`] type a computation runs in (for example the network of a PINN).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// Double precision (default).
    #[default]
    F64,
    /// Single precision (FlamePINN-1D's Case 1 trains so; the optimiser keeps `f64` master
    /// weights).
    F32,
}
