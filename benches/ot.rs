//! Entropic OT benchmarks (issue 23): one log-domain Sinkhorn iteration at n = 1000, and every
//! solver to the same L1 marginal error on the spec's cases, with the cost checked against the
//! spec's reference values. Single thread unless stated. Peer side: `bench/peers/ot_peers.py`
//! (POT `ot.sinkhorn`, `sinkhorn_log`, regot SSNS) prints the same fields.
//!
//! Run: `cargo bench --bench ot` (`-- --quick` for the per-iteration rows only).
#![allow(missing_docs)]

use parsimony::ot::cases::{dens1d, gauss2d, random_assignment};
use parsimony::ot::{EpsScaling, Hessian, OtProblem, SinkhornParams, SnsParams};
use std::time::Instant;

fn per_iteration(name: &str, problem: &OtProblem, reg: f64, threads: usize) {
    per_iteration_with(name, problem, reg, threads, (20, 120), 3);
}

/// The time of one iteration: the difference of runs of `its.1` and `its.0` iterations
/// (tolerance out of reach), best of `repeats`.
fn per_iteration_with(
    name: &str,
    problem: &OtProblem,
    reg: f64,
    threads: usize,
    its: (usize, usize),
    repeats: usize,
) {
    let time = |its: usize| {
        let s = SinkhornParams::new(reg)
            .tol(1e-300)
            .max_iter(its)
            .threads(threads)
            .build()
            .unwrap();
        let t = Instant::now();
        let sol = s.solve(problem).unwrap();
        assert_eq!(sol.sinkhorn_iterations, its);
        t.elapsed().as_secs_f64()
    };
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        best = best.min((time(its.1) - time(its.0)) / (its.1 - its.0) as f64);
    }
    let (n, m) = (problem.n(), problem.m());
    println!(
        "sinkhorn_iteration,{name},n={n},threads={threads},{:.4} ms,{:.2} ns per exp",
        best * 1e3,
        best * 1e9 / (2.0 * (n * m) as f64)
    );
}

#[inline(always)]
#[allow(clippy::extra_unused_type_parameters)] // the dispatch macro passes the scalar type
fn exp_pass_body<F: parsimony::simd::Real, const FMA: bool>(x: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = parsimony::simd::exp_f64_fma::<FMA>(v);
    }
}
parsimony_core::dispatch_simd!(exp_pass, exp_pass_body, (x: &[f64], out: &mut [f64]));

/// The floor: the core's exp alone, element-wise over 10⁶ values in L2-sized blocks.
fn exp_floor() -> f64 {
    let x: Vec<f64> = (0..4096).map(|k| -(k as f64) * 1e-3).collect();
    let mut out = vec![0.0; 4096];
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..244 {
            exp_pass::<f64>(&x, &mut out);
            std::hint::black_box(&mut out);
        }
        best = best.min(t.elapsed().as_secs_f64() / (244.0 * 4096.0));
    }
    best
}

fn main() -> parsimony::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let floor = exp_floor();
    println!(
        "exp_floor,core exp element-wise,{:.2} ns per exp; 2nm = 2e6 exps at n = 1000: {:.3} ms",
        floor * 1e9,
        floor * 2e6 * 1e3
    );
    let g1000 = gauss2d(1000, 2, false)?;
    per_iteration("gauss2d dense", &g1000, 1e-3, 1);
    per_iteration("gauss2d dense", &g1000, 1e-3, 2);
    let fly = gauss2d(1000, 2, true)?;
    per_iteration("gauss2d on the fly", &fly, 1e-3, 1);
    if quick {
        return Ok(());
    }
    // n = 20 000 in 2D: the dense cost would take 3.2 GB; computed on the fly, O(n) memory
    let big = gauss2d(20_000, 2, true)?;
    for threads in [1, 2] {
        per_iteration_with("gauss2d on the fly", &big, 1e-3, threads, (1, 3), 1);
    }
    println!("solver,case,reg,iterations,seconds,l1_error,cost");
    let cases: Vec<(&str, OtProblem, f64)> = vec![
        ("gauss2d_n500", gauss2d(500, 1, false)?, 1e-3),
        ("gauss2d_n1000", g1000, 1e-3),
        ("randassign_n500", random_assignment(500, 3)?, 1.0 / 1200.0),
        ("dens1d_w2_n1000", dens1d(1000, 2)?, 1e-3),
    ];
    for (name, p, reg) in &cases {
        for (solver, prm) in [
            ("sns_exact", SnsParams::new(*reg)),
            (
                "sns_sparse",
                SnsParams::new(*reg).hessian(Hessian::sparse()),
            ),
        ] {
            let s = prm.tol(1e-8).build()?.solve(p)?;
            println!(
                "{solver},{name},{reg:e},{}+{} ({} CG),{:.4},{:.1e},{:.12e}",
                s.sinkhorn_iterations,
                s.newton_iterations,
                s.cg_iterations,
                s.info.seconds,
                s.marginal_error,
                s.transport_cost
            );
        }
    }
    // ε-scaling with the Newton schedule (stages a factor 3 apart, each from Sinkhorn sweeps)
    let scaled: Vec<(&str, OtProblem, f64, f64)> = vec![
        ("gauss2d_n1000", gauss2d(1000, 2, false)?, 1e-3, 1e-8),
        ("dens1d_w2_n1000", dens1d(1000, 2)?, 1e-4, 1e-8),
    ];
    for (name, p, reg, tol) in &scaled {
        for sweeps in [0, 1] {
            let s = SnsParams::new(*reg)
                .tol(*tol)
                .eps_scaling(EpsScaling::newton())
                .sweeps_per_step(sweeps)
                .build()?
                .solve(p)?;
            println!(
                "sns_exact_eps_scaling_sweeps{sweeps},{name},{reg:e},{}+{} ({} CG),{:.4},{:.1e},{:.12e}",
                s.sinkhorn_iterations,
                s.newton_iterations,
                s.cg_iterations,
                s.info.seconds,
                s.marginal_error,
                s.transport_cost
            );
        }
    }
    Ok(())
}
