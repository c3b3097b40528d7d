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
//! * [`spectral`]: the one owner of the FFT plans ([`spectral::SpectralGrid`], which `Ks` and
//!   `Cnab2` step through), wavenumbers and their Nyquist convention, spectral derivatives and
//!   low-pass filtering.
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
//!
//! ## Layers
//!
//! Every module uses only modules listed before it (no cycles): `spectral` (FFT plans, the
//! Nyquist convention); `library` (→ spectral); `library_moments` (→ library, spectral); `ks`
//! (→ spectral); `cnab2` (→ ks, library, spectral); `enkf`; `model_error` (→ cnab2, enkf, ks,
//! library, library_moments); `cases` (→ ks, library, model_error, spectral); `pde_discovery`
//! (→ library, spectral).
//!
//! ## The stepped processes (shape of core::solve)
//!
//! | process | Problem | Params → solver | Solution | iterations | `stop_value` |
//! |---|---|---|---|---|---|
//! | ETDRK4 integration | [`ks::KsRun`] | [`ks::KsParams`] → [`ks::Ks`] | [`ks::KsTrajectory`] | steps | NaN (fixed horizon) |
//! | CNAB2 multistep run | [`cnab2::Cnab2Run`] | [`cnab2::Cnab2Params`] → [`cnab2::Cnab2`] | [`cnab2::Cnab2Solution`] | steps | NaN |
//! | truth samples | [`cases::TruthConfig`] | (the config) | [`cases::TruthSamples`] | truth steps | NaN |
//! | EnKF analysis | [`enkf::EnkfProblem`] | [`enkf::EnkfParams`] → [`enkf::Enkf`] | [`enkf::EnkfAnalysis`] | 1 (direct) | NaN |
//! | MEDIDA | [`model_error::MedidaProblem`] | [`model_error::MedidaParams`] → [`model_error::Medida`] | [`model_error::ModelErrorFit`] | samples | the RVM's max \|Δα\| |
//! | PDE discovery | [`pde_discovery::PdeData`] | [`pde_discovery::PdeDiscoveryParams`] → [`pde_discovery::PdeDiscovery`] | [`pde_discovery::PdeFit`] | snapshots | the RVM's max \|Δα\| |
//!
//! Each has `solve` and `solve_observed` (an observer sees every iteration and may stop the
//! run) except the EnKF analysis, a single direct step.

pub mod cases;
pub mod cnab2;
pub mod enkf;
pub mod ks;
pub mod library;
pub mod library_moments;
pub mod model_error;
pub mod pde_discovery;
pub mod spectral;
