//! KroSBL benchmarks (shared/specs/sbl.md §10): B1 at the paper size and B2 scaling to N = 10⁶.
//!
//! B1: n = 15³, m = (8, 12, 15), K = 3, 25 dB, seeds 1–5 (portable generator): time per full
//! solve, per EM iteration, iterations and NMSE for SVD- and AM-KroSBL (known σ²), and one
//! dense classical-SBL EM iteration (the Woodbury E-step on the formed 1440 × 3375 H).
//! B2: SVD-KroSBL with I = 3, mᵢ = 0.4 nᵢ at N = 10⁴, 10⁵, 10⁶ (and 10⁷ with `--big`): time of
//! one `posterior` call (an E-step including its buffer allocation), one SVD M-step, a full
//! solve and its time per EM iteration (buffers reused), with the process's peak RSS.
//! Everything runs on one thread (faer's kernels are called with `Par::Seq`).
//!
//! Run: `cargo bench --bench sbl` (add `-- --quick` to skip the N = 10⁶ full solve; `-- --big`
//! runs only N = 10⁷, in its own process so that the peak RSS is that size's). `-- --b1-only --no-dense` runs B1 without the dense SBL). Peer: `bench/peers/krosbl_numpy.py`; both are run by `bash bench/run_sbl.sh`.
#![allow(missing_docs)]

use parsimony::linalg::kron_dense;
use parsimony::sbl::classical::{SblParams, UpdateRule};
use parsimony::sbl::generator::{SignalKind, make_problem};
use parsimony::sbl::kron::estep::posterior;
use parsimony::sbl::kron::mstep::svd_fit;
use parsimony::sbl::kron::{KroSblParams, KronProblem, Method, SvdSolver};
use parsimony::sbl::{Noise, Regression};
use parsimony::stats::nmse;
use std::time::Instant;

fn best<F: FnMut()>(reps: usize, mut f: F) -> f64 {
    let mut t = f64::INFINITY;
    for _ in 0..reps {
        let t0 = Instant::now();
        f();
        t = t.min(t0.elapsed().as_secs_f64());
    }
    t
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> parsimony::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    parsimony::linalg::set_threads(1);
    let big = args.iter().any(|a| a == "--big");
    if !big {
        b1(args.iter().any(|a| a == "--no-dense"))?;
    }
    if args.iter().any(|a| a == "--b1-only") {
        return Ok(());
    }
    b2(quick, big)
}

fn b1(no_dense: bool) -> parsimony::Result<()> {
    println!("# B1 paper size: n = 15^3, m = (8,12,15), K = 3, 25 dB, known noise");
    println!("bench,method,seed,seconds_per_run,seconds_per_iteration,iterations,nmse");
    for seed in 1..=5u64 {
        let p = make_problem(
            seed,
            &[15, 15, 15],
            &[8, 12, 15],
            &[3, 3, 3],
            25.0,
            SignalKind::Normal,
        )?;
        let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
        // minimum over repeats, the same counts as the NumPy peer's (20 SVD, 5 AM)
        for (name, method, reps) in [("svd", Method::Svd, 20), ("am", Method::Am, 5)] {
            let solver = KroSblParams::new(method)
                .noise(Noise::Known(p.noise_variance))
                .build()?;
            let mut sol = None;
            let t = best(reps, || sol = Some(solver.solve(&problem).unwrap()));
            let sol = sol.unwrap();
            let e = nmse(sol.x.as_slice(), p.x.as_slice())?;
            println!(
                "B1,{name},{seed},{t:.6e},{:.6e},{},{e:.4e}",
                t / sol.info.iterations as f64,
                sol.info.iterations
            );
        }
        if seed == 1 && !no_dense {
            let a = kron_dense(&p.factors).unwrap();
            let s = SblParams::new(UpdateRule::Em)
                .noise(Noise::Known(p.noise_variance))
                .max_iter(1)
                .build()?;
            let t = best(2, || {
                s.solve(&Regression::new(&a, &p.y).unwrap()).unwrap();
            });
            // max_iter = 1 runs two E-steps (the iteration and the final one)
            println!("B1,dense_em_sbl,{seed},NaN,{:.6e},1,NaN", t / 2.0);
        }
    }
    Ok(())
}

fn b2(quick: bool, big: bool) -> parsimony::Result<()> {
    println!(
        "# B2 scaling: SVD-KroSBL, I = 3, m_i = 0.4 n_i, K = 3, 25 dB, bounded values, known noise"
    );
    println!(
        "bench,N,M,posterior_s,svd_mstep_s,full_solve_s,per_iteration_s,iterations,nmse,peak_rss_mib"
    );
    // `--big` runs N = 10⁷ alone, so that the peak RSS printed is that of this size
    let sizes = if big {
        vec![(216usize, 86usize)]
    } else {
        vec![(22, 9), (46, 18), (100, 40)]
    };
    for (n, m) in sizes {
        let p = make_problem(
            1,
            &[n, n, n],
            &[m, m, m],
            &[3, 3, 3],
            25.0,
            SignalKind::Bounded,
        )?;
        let problem = KronProblem::new(p.factors.clone(), p.y.clone())?;
        let gamma: Vec<_> = (0..3)
            .map(|_| nalgebra::DVector::from_element(n, 1.0))
            .collect();
        let mut d = Vec::new();
        let te = best(3, || {
            let post = posterior(&problem, &gamma, p.noise_variance).unwrap();
            d = post
                .variances
                .iter()
                .zip(post.mean.iter())
                .map(|(v, mu)| v + mu * mu)
                .collect();
        });
        let tm = best(3, || {
            svd_fit(
                &d,
                &[n, n, n],
                SvdSolver::Power {
                    tol: 1e-12,
                    max_iter: 500,
                },
            )
            .unwrap();
        });
        let (tf, iters, e) = if quick && n >= 100 {
            (f64::NAN, 0, f64::NAN)
        } else {
            let solver = KroSblParams::new(Method::Svd)
                .noise(Noise::Known(p.noise_variance))
                .build()?;
            let t0 = Instant::now();
            let sol = solver.solve(&problem)?;
            let t = t0.elapsed().as_secs_f64();
            (
                t,
                sol.info.iterations,
                nmse(sol.x.as_slice(), p.x.as_slice())?,
            )
        };
        println!(
            "B2,{},{},{te:.6e},{tm:.6e},{tf:.6e},{:.6e},{iters},{e:.4e},{:.1}",
            n * n * n,
            m * m * m,
            tf / iters as f64,
            peak_rss_mib()
        );
    }
    Ok(())
}
