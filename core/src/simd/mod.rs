//! Runtime-dispatched SIMD element-wise maths shared by the solvers (moved here from flame by
//! issue 20): the [`Real`] scalar trait (f32 | f64), branch-free e^x, ln x and tanh, and the
//! dispatch macro.
