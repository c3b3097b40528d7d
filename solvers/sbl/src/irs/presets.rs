//! The solver settings of the IRS experiment (the authors' `PC-KroSBL/main.m`).

use crate::Noise;
use crate::classical::{SblParams, UpdateRule};
use crate::kron::{Init, KroSblParams, Method};

/// AM-KroSBL: prune (IRS, UE, BS) at (1e-2, 1e-1, 1e-3) relative and 1e-4 absolute, start
/// at all-ones, relative inner tolerance 1e-4.
pub fn am(sigma2: f64) -> KroSblParams {
    KroSblParams::new(Method::Am)
        .noise(Noise::Known(sigma2))
        .prune_rel_per_factor(vec![1e-2, 1e-1, 1e-3])
        .prune_abs(1e-4)
        .inner(1e-4, 1000)
        .init(Init::Ones)
}

/// SVD-KroSBL: relative pruning 1e-3 from 25 dB on, none below (absolute 1e-4 only).
pub fn svd(sigma2: f64, snr_db: f64) -> KroSblParams {
    let r = if snr_db < 25.0 { 0.0 } else { 1e-3 };
    KroSblParams::new(Method::Svd)
        .noise(Noise::Known(sigma2))
        .prune_rel(r)
        .prune_abs(1e-4)
        .init(Init::Ones)
}

/// PC-KroSBL with coupling β on the IRS and BS factors: prune (1e-2, 1e-1, 1e-2) relative and
/// 1e-4 absolute, at most 9 inner sweeps, the coupled factors starting at ξ = 1 (γ = C_β·1,
/// [`Init::CoupledOnes`]) as in the authors' `kroSBL_am_pc.m`.
pub fn pc(sigma2: f64, beta: f64) -> KroSblParams {
    KroSblParams::new(Method::PcAm {
        beta,
        coupled: vec![0, 2],
    })
    .noise(Noise::Known(sigma2))
    .prune_rel_per_factor(vec![1e-2, 1e-1, 1e-2])
    .prune_abs(1e-4)
    .inner(1e-4, 9)
    .init(Init::CoupledOnes)
}

/// Classical EM-SBL: relative pruning 1e-4.
pub fn classical(sigma2: f64) -> SblParams {
    SblParams::new(UpdateRule::Em)
        .noise(Noise::Known(sigma2))
        .prune_rel(1e-4)
}
