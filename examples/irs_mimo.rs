//! Story: IRS-aided MIMO channel estimation with Kronecker-structured SBL (He & Joseph,
//! TSP 2024, §VI).
//! See [`parsimony::experiments::sbl_irs::SblIrs`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example irs_mimo -- --out out/irs_mimo`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config sbl-irs` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::sbl_irs::SblIrs>()
}
