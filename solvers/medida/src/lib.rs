//! # parsimony-medida: model-error discovery on Kuramoto–Sivashinsky
//!
//! MEDIDA (Mojgani, Chattopadhyay & Hassanzadeh, Chaos 32, 2022) discovers an interpretable,
//! closed-form model error of a chaotic PDE from data: the one-step difference between observed
//! (or EnKF-analysed) states and an imperfect model's forecast is regressed on a library of
//! candidate terms by the relevance vector machine of `parsimony-sbl`.
//!
//! * [`ks`]: the Kuramoto–Sivashinsky equation
//!   u_t = −c₁ u u_x − c₂ u_xx − c₃ u_xxxx (− c₄ u_xxx) on a periodic domain, integrated by
//!   ETDRK4 (Cox & Matthews 2002; Kassam & Trefethen 2005) with real-to-complex FFTs, for one
//!   state or a batch of states, with trajectory output.
//! * [`cases`]: the paper's truth set-up and its model-error cases.
//! * [`cnab2`]: the paper's imperfect model, one Crank–Nicolson/Adams–Bashforth-2 step, for one
//!   state or a whole ensemble.
//! * [`spectral`]: FFT plans, wavenumbers, spectral derivatives and low-pass filtering.
//! * [`library`]: candidate terms u^p ∂ₓ^d u with spectral or PDE-FIND finite-difference
//!   derivatives.
//! * [`library_moments`]: the sums a library regression's RVM fit needs, accumulated snapshot
//!   by snapshot from the moments of u and its derivatives, without the library matrix.
//! * [`enkf`]: the ensemble Kalman filter analysis (stochastic or deterministic mean,
//!   observation- or ensemble-space gain, inflation, Gaspari–Cohn localisation).
//! * [`model_error`]: the MEDIDA pipeline (plain or response-corrected targets, low-pass, gate,
//!   corrected model).
//! * [`pde_discovery`]: the same library and RVM applied to a space–time data set to discover a
//!   whole PDE (as PySINDy does), and a reader for NumPy `.npy` files.

pub mod cases;
pub mod cnab2;
pub mod enkf;
pub mod ks;
pub mod library;
pub mod library_moments;
pub mod model_error;
pub mod pde_discovery;
pub mod spectral;
