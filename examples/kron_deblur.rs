//! Story: deblurring a 128 × 128 image by Tikhonov regularisation through a matrix-free
//! Kronecker operator (H = B ⊗ B is never formed) and conjugate gradient.
//! See [`parsimony::experiments::kron_deblur::KronDeblur`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example kron_deblur -- --out out/kron_deblur`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config kron-deblur` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::kron_deblur::KronDeblur>()
}
