//! Loss + gradient of the FlamePINN-1D Case 1 forward loss (issue 5 benchmark): 3 × 64 and
//! 4 × 32 tanh networks at N = 1001 uniform collocation points, f64 and f32, φ = 0.42,
//! s_L = 0.4, Glorot-normal weights (seed 0), zero biases.
//!
//! Writes the exchange folder the peers read (`case.json`, `x.npy`, `<net>/W*.npy`, `b*.npy`,
//! and the FD reference `reference_t.npy`, `reference_s_l.txt` for the time-to-accuracy peer
//! `bench/peers/flame_recipe.py`) and Rust's own gradient (`<net>/grad_rust_<dtype>.npy`,
//! `<net>/loss_rust_<dtype>.txt`), so `bench/peers/flame_jax.py` and `flame_torch.py` can check
//! equality before timing.
//!
//! Columns: median wall ms per call, and `ms_cpu`: (one thread only) the mean CPU ms per call
//! of the calling thread (the peers print the median of their per-call process CPU times).
//!
//! Run: `cargo bench --bench flame -- [--dir target/flame_bench] [--reps 200] [--threads 1]
//! [--only 4x32-f32]`
//! (all sides: `bash bench/run_flame.sh`). `-- --gemm` prints instead the rate of faer's
//! one-thread GEMM (f64 and f32) for both networks' shapes and a large square one, and the
//! core's FMA ceilings (twelve independent chains of 256-bit FMAs in f64 and f32, and of
//! 512-bit ones in f64 where the CPU has AVX-512F): the floor under the loss.
#![allow(missing_docs)]

use parsimony::flame::data::uniform_points;
use parsimony::flame::loss::{Case1Loss, Problem};
use parsimony::flame::mlp::Mlp;
use parsimony::flame::model::{FlameModel, R_UNIVERSAL};
use parsimony::flame::reference::{NewtonParams, solve_fd_richardson};
use parsimony::io::write_npy;
use parsimony::simd::Real;
use std::path::Path;
use std::time::Instant;

fn arg<T: std::str::FromStr>(args: &[String], key: &str, default: T) -> T {
    args.iter()
        .position(|a| a == key)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_case(dir: &Path, model: &FlameModel, s_l: f64, nets: &[&str]) -> std::io::Result<()> {
    let list: Vec<String> = nets.iter().map(|n| format!("\"{n}\"")).collect();
    let body = format!(
        "{{\n  \"phi\": {:e},\n  \"t_in\": {:e},\n  \"p_in\": {:e},\n  \"length\": {:e},\n  \"inlet_gradient\": {:e},\n  \"conductivity\": {:e},\n  \"cp\": {:e},\n  \"heat_release\": {:e},\n  \"pre_exponential\": {:e},\n  \"activation_energy\": {:e},\n  \"order\": {:e},\n  \"molar_mass\": {:e},\n  \"gas_constant_universal\": {:e},\n  \"s_l\": {:e},\n  \"networks\": [{}]\n}}\n",
        model.phi,
        model.t_in,
        model.p_in,
        model.length,
        model.inlet_gradient,
        model.conductivity,
        model.cp,
        model.heat_release,
        model.pre_exponential,
        model.activation_energy,
        model.order,
        model.molar_mass,
        R_UNIVERSAL,
        s_l,
        list.join(", ")
    );
    std::fs::write(dir.join("case.json"), body)
}

/// CPU time of this thread (ns) from /proc/thread-self/schedstat (Linux; None elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn time_one<F: Real>(
    model: &FlameModel,
    mlp: &Mlp,
    x: &[f64],
    theta: &[f64],
    threads: usize,
    reps: usize,
    dir: &Path,
) -> parsimony::Result<(f64, f64, f64)> {
    let mut loss = Case1Loss::<F>::new(model, mlp, x, Problem::Forward)?.with_threads(threads);
    let mut grad = vec![0.0; loss.dim()];
    let parts = loss.evaluate(theta, Some(&mut grad))?;
    write_npy(
        dir.join(format!("grad_rust_{}.npy", F::NAME)),
        &[grad.len()],
        &grad,
    )?;
    std::fs::write(
        dir.join(format!("loss_rust_{}.txt", F::NAME)),
        format!("{:.17e}\n", parts.total),
    )?;
    for _ in 0..10 {
        loss.evaluate(theta, Some(&mut grad))?;
    }
    let mut times = Vec::with_capacity(reps);
    let cpu0 = thread_cpu_ns();
    for _ in 0..reps {
        let t0 = Instant::now();
        let p = loss.evaluate(theta, Some(&mut grad))?;
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(p);
    }
    // the calling thread's CPU time: the whole cost only when it runs alone
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if threads == 1 => (b - a) as f64 * 1e-6 / reps as f64,
        _ => f64::NAN,
    };
    times.sort_by(f64::total_cmp);
    Ok((parts.total, times[reps / 2], cpu))
}

/// Gflop/s of faer's one-thread GEMM (m × k) · (k × n) in `T`, best of five timed batches.
fn gemm_rate<T>(m: usize, k: usize, n: usize) -> f64
where
    T: faer::traits::ComplexField + Copy + From<f32>,
{
    use faer::linalg::matmul::matmul;
    use faer::{Accum, Mat, Par};
    let a = Mat::<T>::from_fn(m, k, |i, j| T::from(((i * 7 + j * 3) % 11) as f32 * 0.1));
    let b = Mat::<T>::from_fn(k, n, |i, j| T::from(((i * 5 + j) % 13) as f32 * 0.1));
    let mut c = Mat::<T>::zeros(m, n);
    let flops = 2.0 * (m * k * n) as f64;
    let reps = (1e9 / flops).max(3.0) as usize;
    let one = T::from(1.0);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..reps {
            matmul(
                c.as_mut(),
                Accum::Replace,
                a.as_ref(),
                b.as_ref(),
                one,
                Par::Seq,
            );
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    std::hint::black_box(&c);
    flops / best * 1e-9
}

/// Best of five batches of `run(iters)`, as Gflop/s for `flops_per_iter` flops per iteration.
fn best_rate(iters: usize, flops_per_iter: usize, run: impl Fn(usize) -> f64) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(run(std::hint::black_box(iters)));
        best = best.min(t.elapsed().as_secs_f64());
    }
    (iters * flops_per_iter) as f64 / best * 1e-9
}

/// The core's multiply-add ceilings, Gflop/s: twelve independent chains of fused multiply-adds
/// (two FMA pipes of latency 4 need ≥ 8 chains in flight), 256-bit (AVX2 + FMA) in f64 and f32,
/// and 512-bit (AVX-512F) in f64 where the CPU has it (on a core that splits a 512-bit FMA into
/// two 256-bit halves it equals the 256-bit figure). Empty on other CPUs.
fn fma_peaks() -> Vec<(&'static str, f64)> {
    let mut out = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        #[target_feature(enable = "avx2,fma")]
        fn chains_pd(iters: usize) -> f64 {
            let b = _mm256_set1_pd(0.999_999);
            let c = _mm256_set1_pd(1e-9);
            let mut acc = [_mm256_set1_pd(1.0); 12];
            for _ in 0..iters {
                for a in acc.iter_mut() {
                    *a = _mm256_fmadd_pd(*a, b, c);
                }
            }
            let sum = acc
                .iter()
                .fold(_mm256_setzero_pd(), |s, &a| _mm256_add_pd(s, a));
            _mm256_cvtsd_f64(sum)
        }
        #[target_feature(enable = "avx2,fma")]
        fn chains_ps(iters: usize) -> f64 {
            let b = _mm256_set1_ps(0.999_9);
            let c = _mm256_set1_ps(1e-6);
            let mut acc = [_mm256_set1_ps(1.0); 12];
            for _ in 0..iters {
                for a in acc.iter_mut() {
                    *a = _mm256_fmadd_ps(*a, b, c);
                }
            }
            let sum = acc
                .iter()
                .fold(_mm256_setzero_ps(), |s, &a| _mm256_add_ps(s, a));
            _mm256_cvtss_f32(sum) as f64
        }
        #[target_feature(enable = "avx512f")]
        fn chains_pd512(iters: usize) -> f64 {
            let b = _mm512_set1_pd(0.999_999);
            let c = _mm512_set1_pd(1e-9);
            let mut acc = [_mm512_set1_pd(1.0); 12];
            for _ in 0..iters {
                for a in acc.iter_mut() {
                    *a = _mm512_fmadd_pd(*a, b, c);
                }
            }
            _mm512_reduce_add_pd(
                acc.iter()
                    .fold(_mm512_setzero_pd(), |s, &a| _mm512_add_pd(s, a)),
            )
        }
        let iters = 20_000_000;
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            out.push((
                "f64 256-bit",
                best_rate(iters, 12 * 8, |n| unsafe { chains_pd(n) }),
            ));
            // SAFETY: as above.
            out.push((
                "f32 256-bit",
                best_rate(iters, 12 * 16, |n| unsafe { chains_ps(n) }),
            ));
        }
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            out.push((
                "f64 512-bit",
                best_rate(iters, 12 * 16, |n| unsafe { chains_pd512(n) }),
            ));
        }
    }
    out
}

fn main() -> parsimony::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--gemm") {
        // per network (3 × 64, 4 × 32): the forward / input-gradient shape (3N × w · w × w) and
        // the weight-gradient shape (w × 3N · 3N × w) at N = 1001; then a square reference
        println!("gemm (one thread),f64 Gflop/s,f32 Gflop/s");
        for (m, k, n) in [
            (3003, 64, 64),
            (64, 3003, 64),
            (3003, 32, 32),
            (32, 3003, 32),
            (1024, 1024, 1024),
        ] {
            println!(
                "{m}x{k}x{n},{:.1},{:.1}",
                gemm_rate::<f64>(m, k, n),
                gemm_rate::<f32>(m, k, n)
            );
        }
        for (name, peak) in fma_peaks() {
            println!("fma peak {name} (12 chains),{peak:.1}");
        }
        return Ok(());
    }
    let dir: String = arg(&args, "--dir", "target/flame_bench".to_string());
    let reps: usize = arg(&args, "--reps", 200usize).max(1);
    let threads: usize = arg(&args, "--threads", 1);
    // `--only 4x32-f32` times one network and type (for profiling); the exchange folder is
    // written in full either way
    let only: String = arg(&args, "--only", String::new());
    let wanted = |tag: &str, dtype: &str| only.is_empty() || only == format!("{tag}-{dtype}");
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let model = FlameModel::new(298.0, 101_325.0, 0.42);
    let s_l = 0.4;
    let n = 1001;
    let x = uniform_points(model.length, n).unwrap();
    write_npy(dir.join("x.npy"), &[n], &x)?;
    let nets = [("3x64", 3usize, 64usize), ("4x32", 4, 32)];
    let tags: Vec<&str> = nets.iter().map(|n| n.0).collect();
    write_case(dir, &model, s_l, &tags)?;
    // the FD reference at the points, for the time-to-accuracy peers (bench/peers/flame_recipe.py)
    let (s_ref, fd) = solve_fd_richardson(&model, 4000, &NewtonParams::default())?;
    let t_ref = x
        .iter()
        .map(|&xi| fd.temperature_at(xi))
        .collect::<parsimony::Result<Vec<f64>>>()?;
    write_npy(dir.join("reference_t.npy"), &[n], &t_ref)?;
    std::fs::write(dir.join("reference_s_l.txt"), format!("{s_ref:.17e}\n"))?;
    println!("impl,version,net,dtype,threads,loss,ms_wall_median,ms_cpu,rel_diff_vs_rust");
    for (tag, depth, width) in nets {
        let mlp = Mlp::hidden(depth, width)?;
        let net = mlp.glorot_normal(0);
        let sub = dir.join(tag);
        std::fs::create_dir_all(&sub)?;
        for l in 0..mlp.layers() {
            let (w, b) = mlp.layer(&net, l);
            let (i, o) = (mlp.widths()[l], mlp.widths()[l + 1]);
            write_npy(sub.join(format!("W{l}.npy")), &[i, o], w)?;
            write_npy(sub.join(format!("b{l}.npy")), &[o], b)?;
        }
        let mut theta = net;
        theta.push(s_l);
        if wanted(tag, "f64") {
            let (l, t, c) = time_one::<f64>(&model, &mlp, &x, &theta, threads, reps, &sub)?;
            println!(
                "rust,{},{tag},f64,{threads},{l:.12e},{t:.3},{c:.3},0",
                env!("CARGO_PKG_VERSION")
            );
        }
        if wanted(tag, "f32") {
            let (l, t, c) = time_one::<f32>(&model, &mlp, &x, &theta, threads, reps, &sub)?;
            println!(
                "rust,{},{tag},f32,{threads},{l:.12e},{t:.3},{c:.3},0",
                env!("CARGO_PKG_VERSION")
            );
        }
    }
    Ok(())
}
