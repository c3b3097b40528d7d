//! Story: FlamePINN-1D Case 1, s_L(φ) over φ = 0.40 … 0.50 from the forward PINN and the FD reference, checked against the finite-difference reference solver.
//! See [`parsimony::experiments::flame_pinn`] for the flags.
//!
//! Run: `cargo run --release --example flame_sweep -- --out out/flame_sweep`

fn main() -> std::process::ExitCode {
    parsimony::output::report(
        parsimony::output::Flags::parse("flame_sweep", std::env::args().skip(1))
            .and_then(|flags| parsimony::experiments::flame_pinn::run_sweep(&flags)),
    )
}
