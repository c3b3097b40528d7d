//! Story: MEDIDA discovers the structural error of an imperfect Kuramoto–Sivashinsky model from
//! noise-free and noisy (EnKF) samples of a chaotic truth, and the corrected model forecasts
//! better. See [`parsimony::experiments::ks_medida`] for the setting and the flags.
//!
//! Run: `cargo run --release --example ks_medida -- --out out/ks_medida`
//! (another case: `-- --case KS6`; the CI-sized grid: `-- --geometry ci`)

fn main() -> std::process::ExitCode {
    parsimony::output::report(
        parsimony::output::Flags::parse("ks_medida", std::env::args().skip(1))
            .and_then(|flags| parsimony::experiments::ks_medida::run(&flags)),
    )
}
