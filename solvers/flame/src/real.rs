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
    /// Hyperbolic tangent.
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
        f64::tanh(self)
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
        f32::tanh(self)
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
