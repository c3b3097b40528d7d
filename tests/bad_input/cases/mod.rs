//! The cases, one file per crate.

use crate::verdict::Case;

mod core;
mod flame;
mod medida;
mod ot;
mod plot;
mod sbl;
mod wht;

/// Every case, in a fixed order.
pub fn all() -> Vec<Case> {
    let mut v = Vec::new();
    core::cases(&mut v);
    sbl::cases(&mut v);
    medida::cases(&mut v);
    flame::cases(&mut v);
    ot::cases(&mut v);
    wht::cases(&mut v);
    plot::cases(&mut v);
    v
}

/// Values no finite-only argument accepts.
pub const NON_FINITE: [(&str, f64); 3] = [
    ("nan", f64::NAN),
    ("inf", f64::INFINITY),
    ("neg_inf", f64::NEG_INFINITY),
];

/// Sizes no allocation can honour: 2⁴⁰, 2⁶², usize::MAX.
pub const HUGE: [(&str, usize); 3] = [
    ("2^40", 1 << 40),
    ("2^62", 1 << 62),
    ("usize_max", usize::MAX),
];
