//! Story: two 2D point clouds transported by log-domain Sinkhorn and by Sinkhorn–Newton–Sparse: the plan with its heaviest couplings, and the marginal error against iteration and time.
//! See [`parsimony::experiments::ot_gaussians::OtGaussians`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example ot_gaussians -- --out out/ot_gaussians`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config ot-gaussians` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::ot_gaussians::OtGaussians>()
}
