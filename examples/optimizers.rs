//! Story: Adam and L-BFGS on the Rosenbrock valley, their cost histories on a log axis.
//! See [`parsimony::experiments::optimizers::Optimizers`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example optimizers -- --out out/optimizers`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config core-optimizers` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::optimizers::Optimizers>()
}
