//! Story: Kronecker-structured sparse recovery, NMSE against SNR for SVD-KroSBL, AM-KroSBL, KSBL
//! and classical SBL (He & Joseph, TSP 2024, Fig. 3a).
//! See [`parsimony::experiments::sbl_synthetic::SblSynthetic`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example kron_sbl -- --out out/kron_sbl`
//! (convergence study: `cargo run --release --bin parsimony -- run sbl-convergence`)
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config sbl-synthetic` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::sbl_synthetic::SblSynthetic>(
    )
}
