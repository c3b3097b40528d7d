//! Story: FlamePINN-1D Case 1, the inverse problem: s_L, λ and E_a from 10 noisy (2 %)
//! observations of T and u at φ = 0.46, beside the classical least-squares estimate.
//! See [`parsimony::experiments::flame_pinn::FlameInverse`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example flame_inverse -- --out out/flame_inverse`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config flame-inverse` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::flame_pinn::FlameInverse>()
}
