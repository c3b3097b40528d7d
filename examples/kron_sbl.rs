//! Story: Kronecker-structured sparse recovery, NMSE against SNR for SVD-KroSBL, AM-KroSBL, KSBL
//! and classical SBL (He & Joseph, TSP 2024, Fig. 3a). See
//! [`parsimony::experiments::sbl_synthetic`] for the setting and the flags.
//!
//! Run: `cargo run --release --example kron_sbl -- --out out/kron_sbl`
//! (convergence study: `cargo run --release --bin parsimony -- sbl convergence`)

fn main() -> std::process::ExitCode {
    parsimony::output::report(
        parsimony::output::Flags::parse("kron_sbl", std::env::args().skip(1))
            .and_then(|flags| parsimony::experiments::sbl_synthetic::run_flags(&flags)),
    )
}
