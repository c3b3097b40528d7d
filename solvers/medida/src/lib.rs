//! # parsimony-medida: model-error discovery on Kuramoto–Sivashinsky (in progress)
//!
//! This crate will hold the MEDIDA pipeline of Mojgani, Chattopadhyay & Hassanzadeh
//! (discovering an interpretable model error of a chaotic PDE from data, with the RVM of
//! `parsimony-sbl`). So far it holds its numerical core:
//!
//! * [`ks`]: the Kuramoto–Sivashinsky equation
//!   u_t = −c₁ u u_x − c₂ u_xx − c₃ u_xxxx (− c₄ u_xxx) on a periodic domain, integrated by
//!   ETDRK4 (Cox & Matthews 2002; Kassam & Trefethen 2005) with real-to-complex FFTs.

pub mod ks;
