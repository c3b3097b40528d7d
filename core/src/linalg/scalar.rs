//! The scalar types parsimony's generic linear algebra works with: `f64` and `Complex<f64>`.
//!
//! [`Scalar`] ties together what nalgebra (the API types) and faer (the kernels) require and
//! adds the few operations the solvers use everywhere: the squared modulus |z|², the complex
//! conjugate z̄, the real part and an embedding of reals. Sparse Bayesian learning runs on real
//! dictionaries (synthetic tests) and complex ones (IRS-MIMO channels), so the Kronecker
//! operator and the decompositions are generic over this trait.

use num_complex::Complex;

/// A field element parsimony computes with: `f64` or `Complex<f64>`.
///
/// The methods have distinct names so that they never clash with the like-named methods of
/// nalgebra's and faer's own scalar traits.
pub trait Scalar:
    nalgebra::ComplexField<RealField = f64>
    + faer::traits::ComplexField
    + Copy
    + Default
    + Send
    + Sync
    + 'static
{
    /// `true` for complex scalars.
    const IS_COMPLEX: bool;
    /// The real number `x` as a scalar.
    fn of_real(x: f64) -> Self;
    /// The squared modulus |z|².
    fn modulus2(self) -> f64;
    /// The complex conjugate (identity for reals).
    fn conjugated(self) -> Self;
    /// The real part.
    fn real_part(self) -> f64;
    /// `true` if no component is NaN or infinite.
    fn all_finite(self) -> bool;
    /// The scalar multiplied by a real number.
    fn scaled(self, a: f64) -> Self;
    /// re + i·im for complex scalars; for real scalars the imaginary part is dropped.
    fn from_re_im(re: f64, im: f64) -> Self;
}

impl Scalar for f64 {
    const IS_COMPLEX: bool = false;
    #[inline(always)]
    fn of_real(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn modulus2(self) -> f64 {
        self * self
    }
    #[inline(always)]
    fn conjugated(self) -> Self {
        self
    }
    #[inline(always)]
    fn real_part(self) -> f64 {
        self
    }
    #[inline(always)]
    fn all_finite(self) -> bool {
        f64::is_finite(self)
    }
    #[inline(always)]
    fn scaled(self, a: f64) -> Self {
        self * a
    }
    #[inline(always)]
    fn from_re_im(re: f64, _im: f64) -> Self {
        re
    }
}

impl Scalar for Complex<f64> {
    const IS_COMPLEX: bool = true;
    #[inline(always)]
    fn of_real(x: f64) -> Self {
        Complex::new(x, 0.0)
    }
    #[inline(always)]
    fn modulus2(self) -> f64 {
        self.re * self.re + self.im * self.im
    }
    #[inline(always)]
    fn conjugated(self) -> Self {
        Complex::new(self.re, -self.im)
    }
    #[inline(always)]
    fn real_part(self) -> f64 {
        self.re
    }
    #[inline(always)]
    fn all_finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
    #[inline(always)]
    fn scaled(self, a: f64) -> Self {
        Complex::new(self.re * a, self.im * a)
    }
    #[inline(always)]
    fn from_re_im(re: f64, im: f64) -> Self {
        Complex::new(re, im)
    }
}

/// Returns an error naming `what` if any entry of `values` is NaN or infinite.
pub fn check_finite<T: Scalar>(what: impl std::fmt::Display, values: &[T]) -> crate::Result<()> {
    if all_finite(values) {
        Ok(())
    } else {
        Err(crate::Error::non_finite(what))
    }
}

/// Whether every entry of `values` is finite: the test of [`check_finite`], for the checks of a
/// result in a hot path (chunks tested without a short circuit inside, so the test vectorises).
#[inline]
pub fn all_finite<T: Scalar>(values: &[T]) -> bool {
    values
        .chunks(64)
        .all(|c| c.iter().fold(true, |ok, v| ok & v.all_finite()))
}
