//! Story: IRS-aided MIMO channel estimation with Kronecker-structured SBL (He & Joseph,
//! TSP 2024, §VI). See [`parsimony::experiments::sbl_irs`] for the setting and the flags.
//!
//! Run: `cargo run --release --example irs_mimo -- --out out/irs_mimo`

fn main() -> std::process::ExitCode {
    parsimony::output::report(
        parsimony::output::Flags::parse("irs_mimo", std::env::args().skip(1))
            .and_then(|flags| parsimony::experiments::sbl_irs::run(&flags)),
    )
}
