//! Story: FlamePINN-1D Case 1, the forward problem: T(x) and the flame speed s_L as an
//! eigenvalue, φ = 0.42, checked against the finite-difference reference solver.
//! See [`parsimony::experiments::flame_pinn::FlameForward`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example flame_forward -- --out out/flame_forward`
//! (short: `-- --set training.steps=3000 --set training.lbfgs=500`)
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config flame-forward` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::flame_pinn::FlameForward>()
}
