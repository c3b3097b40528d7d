//! The multiply-add every kernel of [`crate::simd`] is written with: a·b + c, one fused
//! instruction when the kernel was compiled for a CPU with FMA (the const parameter `FMA`),
//! else a product and a sum (without the target feature a fused multiply-add is a slow library
//! call).

/// a·b + c in `f64`: fused when `FMA`.
#[inline(always)]
pub fn mul_add_f64<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// a·b + c in `f32`: fused when `FMA`.
#[inline(always)]
pub fn mul_add_f32<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}
