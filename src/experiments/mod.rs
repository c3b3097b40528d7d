//! Experiments: the stories behind the examples, the `parsimony` command-line tool and the
//! notebooks, each in one shape ([`Experiment`](crate::experiments::shape::Experiment)): a `Config` (serde, TOML, the paper's
//! setting by default, unknown keys refused) → `run` (computes, returns a serde `Report`) →
//! `render` (PNG + CSV) and `run.json` (config, report, crate version, seed).
//!
//! | experiment | module | what it computes |
//! |---|---|---|
//! | `core-optimizers` | [`optimizers`](crate::experiments::optimizers) | Adam and L-BFGS on the Rosenbrock valley |
//! | `kron-deblur` | [`kron_deblur`](crate::experiments::kron_deblur) | Tikhonov deblurring through a matrix-free Kronecker operator and CG |
//! | `sbl-synthetic` | `sbl_synthetic` | NMSE vs SNR of SVD-/AM-KroSBL, KSBL, classical SBL (He & Joseph, Fig. 3a) |
//! | `sbl-convergence` | `sbl_convergence` | NMSE per EM iteration of AM and SVD without pruning (Fig. 4) |
//! | `sbl-irs` | `sbl_irs` | IRS-MIMO channel estimation vs SNR (§VI) |
//! | `medida-ks` | `ks_medida` | MEDIDA model-error discovery on Kuramoto–Sivashinsky, noise-free and with the EnKF |
//! | `medida-discover` | `ks_discovery` | the whole KS equation from PySINDy's data set |
//! | `flame-forward` | `flame_pinn` | FlamePINN-1D Case 1 forward PINN vs the FD reference |
//! | `flame-inverse` | `flame_pinn` | Case 1 inverse PINN: s_L, λ, E_a from noisy observations |
//! | `flame-sweep` | `flame_pinn` | s_L(φ) from the forward PINN and the FD solver |
//! | `flame-reference` | `flame_reference` | s_L(φ) by FD + Newton + Richardson, checked by shooting |
//! | `ot-gaussians` | `ot_gaussians` | two 2D point clouds: the plan and Sinkhorn vs SNS convergence |
//! | `ot-assignment` | `ot_assignment` | Tang et al.'s random assignment: Sinkhorn vs SNS iterations |
//! | `wht-sparse` | `wht_sparse` | a K-sparse WHT by SPRIGHT, noiseless and noisy, vs the full FWHT; success vs samples |
//! | `wht-blackbox` | `wht_blackbox` | an epistatic landscape (n = 32, 200) through a black-box oracle; Shapley values |
//!
//! [`sweep`](crate::experiments::sweep) runs a grid of configs (in shards) and merges them; [`cli`](crate::experiments::cli) is what the binary and
//! the examples share. Each family's experiments need its feature (`sbl`, `medida`, `flame`,
//! `ot`, `wht`).

pub mod cli;
#[cfg(feature = "flame")]
pub mod flame_pinn;
#[cfg(feature = "flame")]
pub mod flame_reference;
pub mod kron_deblur;
#[cfg(feature = "medida")]
pub mod ks_discovery;
#[cfg(feature = "medida")]
pub mod ks_medida;
pub mod optimizers;
#[cfg(feature = "ot")]
pub mod ot_assignment;
#[cfg(feature = "ot")]
mod ot_convergence;
#[cfg(feature = "ot")]
pub mod ot_gaussians;
#[cfg(feature = "sbl")]
pub mod sbl_convergence;
#[cfg(feature = "sbl")]
pub mod sbl_irs;
#[cfg(feature = "sbl")]
pub mod sbl_synthetic;
pub mod shape;
pub mod sweep;

#[cfg(feature = "sbl")]
mod summary;
#[cfg(feature = "wht")]
pub mod wht_blackbox;
#[cfg(feature = "wht")]
pub mod wht_sparse;
#[cfg(feature = "sbl")]
pub(crate) use summary::{mean, median, median_mean_plot};
