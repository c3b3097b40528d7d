//! Story: FlamePINN-1D Case 1: the flame speed s_L(φ) over φ = 0.40 … 0.50 from the forward
//! PINN and from the finite-difference solver.
//! See [`parsimony::experiments::flame_pinn::FlameSweep`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example flame_sweep -- --out out/flame_sweep`
//! (shorter: `-- --set training.steps=5000`)
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config flame-sweep` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::flame_pinn::FlameSweep>()
}
