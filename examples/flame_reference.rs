//! Story: laminar flame speeds of FlamePINN-1D's Case 1 from the classical reference solver —
//! finite differences with the flame speed as a Newton unknown, checked by shooting — over
//! φ = 0.40 … 0.50, and the temperature profile at φ = 0.42.
//! See [`parsimony::experiments::flame_reference::FlameReference`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example flame_reference -- --out out/flame_reference`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config flame-reference` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<
        parsimony::experiments::flame_reference::FlameReference,
    >()
}
