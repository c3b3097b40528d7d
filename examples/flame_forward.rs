//! Story: FlamePINN-1D Case 1, the forward problem: T(x) and the flame speed s_L as an eigenvalue, φ = 0.42, checked against the finite-difference reference solver.
//! See [`parsimony::experiments::flame_pinn`] for the flags.
//!
//! Run: `cargo run --release --example flame_forward -- --out out/flame_forward`

fn main() -> std::process::ExitCode {
    parsimony::output::report(
        parsimony::output::Flags::parse("flame_forward", std::env::args().skip(1))
            .and_then(|flags| parsimony::experiments::flame_pinn::run_forward(&flags)),
    )
}
