//! Story: A K-sparse Walsh–Hadamard spectrum recovered by SPRIGHT, noiseless and at 10 dB, timed against the full FWHT, and its success probability against the number of samples.
//! See [`parsimony::experiments::wht_sparse::WhtSparse`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example wht_sparse -- --out out/wht_sparse`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config wht-sparse` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::wht_sparse::WhtSparse>()
}
