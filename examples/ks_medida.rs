//! Story: MEDIDA discovers the structural error of an imperfect Kuramoto–Sivashinsky model from
//! noise-free and noisy (EnKF) samples of a chaotic truth, and the corrected model forecasts
//! better.
//! See [`parsimony::experiments::ks_medida::KsMedida`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example ks_medida -- --out out/ks_medida`
//! (another case: `-- --set case=KS6`; the CI-sized grid: `-- --set geometry=ci`)
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config medida-ks` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::ks_medida::KsMedida>()
}
