//! The parsimony command-line tool: `parsimony <solver> <experiment> [--out DIR] [--flag value …]`.
//!
//! | command | what it runs |
//! |---|---|
//! | `parsimony sbl synthetic` | NMSE vs SNR of SVD-/AM-KroSBL, KSBL, classical SBL (paper Fig. 3a) |
//! | `parsimony sbl convergence` | NMSE per EM iteration of AM and SVD without pruning (Fig. 4) |
//! | `parsimony sbl irs` | IRS-MIMO channel estimation vs SNR (paper §VI) |
//! | `parsimony medida ks` | MEDIDA on Kuramoto–Sivashinsky: model-error discovery, noise-free and with the EnKF |
//! | `parsimony medida discover` | the whole KS equation from PySINDy's data set (or a simulated one) |
//! | `parsimony flame forward` | FlamePINN-1D Case 1 forward PINN (T(x), s_L) vs the FD reference |
//! | `parsimony flame inverse` | Case 1 inverse PINN: s_L, λ, E_a from noisy observations |
//! | `parsimony flame sweep` | s_L(φ) from the forward PINN and the FD solver |
//!
//! Each writes PNG and CSV files to `--out` (default `out/<solver>_<experiment>`); the flags of
//! each experiment are listed in its module documentation (`parsimony::experiments`), and a flag
//! an experiment does not take is an error.

use parsimony::experiments::{
    flame_pinn, ks_discovery, ks_medida, sbl_convergence, sbl_irs, sbl_synthetic,
};
use parsimony::output::Flags;

const USAGE: &str = "usage: parsimony <solver> <experiment> [--out DIR] [--flag value ...]

  sbl synthetic     NMSE vs SNR: SVD-/AM-KroSBL, KSBL, classical SBL   (--trials --snrs --m1 --k --csbl-trials)
  sbl convergence   NMSE per EM iteration, AM vs SVD, no pruning        (--seeds --svd-iters --am-iters)
  sbl irs           IRS-MIMO channel NMSE vs SNR                         (--trials --snrs --csbl-trials --seed --symbols)
  medida ks         MEDIDA model-error discovery on KS                   (--case --geometry --samples --noise --members --noisy-library --seed --input-lowpass --horizon)
  medida discover   the KS equation from a space-time data set           (--data --generate --stencil)
  flame forward     Case 1 forward PINN: T(x) and s_L vs FD              (--phi --t-in --p --steps --warmup --depth --width --points --precision --threads --lbfgs --polish-weights --seed --lr --residual-weight)
  flame inverse     Case 1 inverse PINN: s_L, λ, E_a from noisy data     (same but no --warmup, plus --observations --noise --noise-seed --data-weights --init-s --init-lambda --init-ea --classical-draws)
  flame sweep       s_L(φ): forward PINN vs FD                           (same as forward but --phis instead of --phi)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("{USAGE}");
        std::process::exit(if args.iter().any(|a| a == "--help" || a == "-h") {
            0
        } else {
            2
        });
    }
    let name = format!("{}_{}", args[0], args[1]);
    let run = |f: fn(&Flags) -> parsimony::Result<()>| {
        Flags::parse(&name, args[2..].iter().cloned()).and_then(|flags| f(&flags))
    };
    let result = match (args[0].as_str(), args[1].as_str()) {
        ("sbl", "synthetic") => run(sbl_synthetic::run),
        ("sbl", "convergence") => run(sbl_convergence::run),
        ("sbl", "irs") => run(sbl_irs::run),
        ("medida", "ks") => run(ks_medida::run),
        ("medida", "discover") => run(ks_discovery::run),
        ("flame", "forward") => run(flame_pinn::run_forward),
        ("flame", "inverse") => run(flame_pinn::run_inverse),
        ("flame", "sweep") => run(flame_pinn::run_sweep),
        _ => {
            eprintln!("unknown command '{} {}'\n\n{USAGE}", args[0], args[1]);
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
