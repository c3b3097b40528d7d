//! Story: FlamePINN-1D Case 1, the inverse problem: s_L, λ and E_a from 10 noisy observations of T and u, φ = 0.46, checked against the finite-difference reference solver.
//! See [`parsimony::experiments::flame_pinn`] for the flags.
//!
//! Run: `cargo run --release --example flame_inverse -- --out out/flame_inverse`

fn main() -> std::process::ExitCode {
    parsimony::output::report(
        parsimony::output::Flags::parse("flame_inverse", std::env::args().skip(1))
            .and_then(|flags| parsimony::experiments::flame_pinn::run_inverse(&flags)),
    )
}
