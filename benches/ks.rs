//! ETDRK4 steps per second for the Kuramoto–Sivashinsky solver at N = 128, 1024, 4096
//! (issue 4 benchmark; peer `bench/peers/ks_numpy.py`, both single-threaded).
//!
//! Setting: L = 32π·N/128 (the Kassam–Trefethen resolution), h = 1/4, u₀ = cos(x/16)(1 +
//! sin(x/16)), no dealiasing, exact coefficients. Reports the best of 5 runs of `steps` steps.
//!
//! Run: `cargo bench --bench ks` (both sides: `bash bench/run_ks.sh`).
#![allow(missing_docs)]

use parsimony::medida::ks::{Ks, KsParams};
use std::time::Instant;

fn main() -> parsimony::Result<()> {
    println!("bench,N,steps,seconds,steps_per_second");
    for (n, steps) in [(128usize, 4000u64), (1024, 1000), (4096, 250)] {
        let length = 32.0 * std::f64::consts::PI * n as f64 / 128.0;
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let mut ks = Ks::new(KsParams {
                n,
                length,
                ..Default::default()
            })?;
            let u0: Vec<f64> = ks
                .grid(length / n as f64)
                .iter()
                .map(|x| (x / 16.0).cos() * (1.0 + (x / 16.0).sin()))
                .collect();
            ks.set_state(&u0)?;
            let t0 = Instant::now();
            ks.advance(steps)?;
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!("ks_rust,{n},{steps},{best:.6e},{:.1}", steps as f64 / best);
    }
    Ok(())
}
