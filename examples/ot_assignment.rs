//! Story: Tang et al.'s random assignment problem at η = 1200: Sinkhorn against Sinkhorn–Newton–Sparse, iterations to machine accuracy.
//! See [`parsimony::experiments::ot_assignment::OtAssignment`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example ot_assignment -- --out out/ot_assignment`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config ot-assignment` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::ot_assignment::OtAssignment>(
    )
}
