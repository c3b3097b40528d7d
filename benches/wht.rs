//! Walsh–Hadamard benchmarks (issue 24), one process, single thread, f64: the full FWHT at
//! N = 2²⁰ and 2²⁴ (and f32) beside its floors (the N log₂N additions at the core's rate, the
//! bytes of its passes at the measured copy bandwidth); SPRIGHT at n = 24, K = 100, noiseless
//! and at 10 dB, against our own full FWHT of the same array; a black box of n = 32 bits,
//! K = 100, with the time outside the oracle. Peer side: `bench/peers/wht_peers.py`.
//!
//! Run: `cargo bench --bench wht` (`-- --quick`: n = 20 only).
#![allow(missing_docs)]

use parsimony::wht::cases::{
    Amplitudes, evaluate, noise, sigma_for_snr, sparse_spectrum, synthesise,
};
use parsimony::wht::{Mode, Oracle, SliceOracle, SprightParams, fwht};
use std::time::Instant;

fn best_of<R>(repeats: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one repeat"))
}

/// The full transform of 2ⁿ values, best of `repeats` (the input copied outside the clock).
fn fwht_time<T: parsimony::wht::Sample>(x: &[T], repeats: usize) -> f64 {
    let mut y = x.to_vec();
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        y.copy_from_slice(x);
        let t = Instant::now();
        fwht(&mut y).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(&y);
    }
    best
}

/// Bytes per second of a read + write of `len` f64 (copy), best of 5.
fn copy_bandwidth(len: usize) -> f64 {
    let x = vec![1.0f64; len];
    let mut y = vec![0.0f64; len];
    let (t, _) = best_of(5, || {
        y.copy_from_slice(&x);
        std::hint::black_box(&y);
    });
    (16 * len) as f64 / t
}

#[inline(always)]
#[allow(clippy::extra_unused_type_parameters)] // the dispatch macro passes the scalar type
fn butterflies_body<F: parsimony::simd::Real, const FMA: bool>(a: &mut [f64], b: &mut [f64]) {
    for _ in 0..1000 {
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            let (u, v) = (*x, *y);
            *x = u + v;
            *y = u - v;
        }
        std::hint::black_box(&mut *a);
    }
}
parsimony_core::dispatch_simd!(butterflies, butterflies_body, (a: &mut [f64], b: &mut [f64]));

/// Additions per second of butterflies (a + b, a − b) over an L1-resident block, compiled
/// like the transform's kernels (runtime SIMD dispatch).
fn add_rate() -> f64 {
    let mut a = vec![1.0f64; 2048];
    let mut b = vec![0.5f64; 2048];
    let (t, _) = best_of(5, || butterflies::<f64>(&mut a, &mut b));
    (2 * 2048 * 1000) as f64 / t
}

struct Timed<'a, O> {
    inner: O,
    seconds: f64,
    calls: usize,
    _p: std::marker::PhantomData<&'a ()>,
}

impl<O: Oracle<u64>> Oracle<u64> for Timed<'_, O> {
    fn n_bits(&self) -> usize {
        self.inner.n_bits()
    }
    fn query(&mut self, idx: &[u64], out: &mut [f64]) -> parsimony::Result<()> {
        let t = Instant::now();
        let r = self.inner.query(idx, out);
        self.seconds += t.elapsed().as_secs_f64();
        self.calls += idx.len();
        r
    }
}

fn main() -> parsimony::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    // one thread: the rayon pool of this process
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .ok();
    let adds = add_rate();
    println!("floor,add rate,{:.3} Gadd/s", adds / 1e9);
    let sizes: &[usize] = if quick { &[20] } else { &[20, 24] };
    let mut fwht24 = f64::NAN;
    for &n in sizes {
        let len = 1usize << n;
        let bw = copy_bandwidth(len);
        let x: Vec<f64> = (0..len)
            .map(|k| ((k * 7919) % 1001) as f64 / 1000.0 - 0.5)
            .collect();
        let t64 = fwht_time(&x, 7);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let t32 = fwht_time(&x32, 7);
        // passes over memory beyond L2 (depth first: parts of 2¹⁵ f64 / 2¹⁶ f32 are done in
        // cache, the levels above them in sweeps of 3); the cache-resident work counts once
        let passes = 1 + (n.saturating_sub(15)).div_ceil(3);
        let passes32 = 1 + (n.saturating_sub(16)).div_ceil(3);
        let flops = (len * n) as f64;
        println!(
            "fwht,n={n},f64,{:.3} ms,floor adds {:.3} ms,floor bytes {:.3} ms ({passes} passes at {:.1} GB/s)",
            t64 * 1e3,
            flops / adds * 1e3,
            (passes * 16 * len) as f64 / bw * 1e3,
            bw / 1e9
        );
        println!(
            "fwht,n={n},f32,{:.3} ms,floor bytes {:.3} ms",
            t32 * 1e3,
            (passes32 * 8 * len) as f64 / bw * 1e3
        );
        if n == 24 {
            fwht24 = t64;
        }
    }
    let n = if quick { 20 } else { 24 };
    let k = 100;
    let big_n = (1u64 << n) as f64;
    let mut truth = sparse_spectrum(n, k, 1, Amplitudes::PlusMinusOne)?;
    let x = synthesise(n, &truth)?;
    truth.sort_by_key(|e| e.0);
    let full = if fwht24.is_nan() {
        fwht_time(&x, 5)
    } else {
        fwht24
    };
    let prm = SprightParams::new(k).seed(1).build()?;
    let (t, sol) = best_of(20, || {
        prm.recover(&mut SliceOracle::new(&x).unwrap()).unwrap()
    });
    let exact = sol.coefficients.len() == k
        && sol
            .coefficients
            .iter()
            .zip(&truth)
            .all(|(a, b)| a.0 == b.0 && (a.1 - b.1).abs() < 1e-9);
    println!(
        "spright,n={n},K={k},noiseless,{:.4} ms,{} queries ({:.4} % of N),exact {exact},full FWHT {:.3} ms,{:.0}x",
        t * 1e3,
        sol.report.queries,
        100.0 * sol.report.distinct_samples as f64 / big_n,
        full * 1e3,
        full / t
    );
    // the same with B = 64 bins per group (K/B = 1.56, within the peeling threshold of C = 4
    // groups; solvers/wht/tests/spright.rs checks 50 seeds): half the queries
    let prm6 = SprightParams::new(k).bins_log2(6).seed(1).build()?;
    let (t6, sol6) = best_of(20, || {
        prm6.recover(&mut SliceOracle::new(&x).unwrap()).unwrap()
    });
    let exact6 = sol6.coefficients.len() == k
        && sol6
            .coefficients
            .iter()
            .zip(&truth)
            .all(|(a, b)| a.0 == b.0 && (a.1 - b.1).abs() < 1e-9);
    println!(
        "spright,n={n},K={k},noiseless b=6,{:.4} ms,{} queries ({:.4} % of N),exact {exact6},full FWHT {:.3} ms,{:.0}x",
        t6 * 1e3,
        sol6.report.queries,
        100.0 * sol6.report.distinct_samples as f64 / big_n,
        full * 1e3,
        full / t6
    );
    let sigma = sigma_for_snr(&truth, 10.0);
    let noisy: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(m, v)| v + noise(7, m as u64, sigma))
        .collect();
    let prm = SprightParams::new(k)
        .mode(Mode::Robust { chains: None })
        .snr_db(10.0)
        .seed(1)
        .build()?;
    let (t, sol) = best_of(20, || {
        prm.recover(&mut SliceOracle::new(&noisy).unwrap()).unwrap()
    });
    let same =
        sol.coefficients.len() == k && sol.coefficients.iter().zip(&truth).all(|(a, b)| a.0 == b.0);
    let err: f64 = sol
        .coefficients
        .iter()
        .zip(&truth)
        .map(|(a, b)| (a.1 - b.1).powi(2))
        .sum::<f64>()
        / k as f64;
    println!(
        "spright,n={n},K={k},10 dB,{:.4} ms,{} queries ({:.4} % of N),exact support {same},NMSE {err:.2e}",
        t * 1e3,
        sol.report.queries,
        100.0 * sol.report.distinct_samples as f64 / big_n
    );
    // a black box of 32 bits: x[m] from the sparse sum, never materialised
    let spec = sparse_spectrum(32, k, 2, Amplitudes::PlusMinusOne)?;
    let prm = SprightParams::new(k).seed(2).build()?;
    let mut best = (f64::INFINITY, 0.0, 0usize, false);
    for _ in 0..10 {
        let mut oracle = Timed {
            inner: parsimony::wht::FnOracle::new(32, |m: u64| evaluate(&spec, m))?,
            seconds: 0.0,
            calls: 0,
            _p: std::marker::PhantomData,
        };
        let t = Instant::now();
        let sol = prm.recover(&mut oracle)?;
        let total = t.elapsed().as_secs_f64();
        let outside = total - oracle.seconds;
        if outside < best.0 {
            let mut s = spec.clone();
            s.sort_by_key(|e| e.0);
            let ok = sol.coefficients.len() == k
                && sol
                    .coefficients
                    .iter()
                    .zip(&s)
                    .all(|(a, b)| a.0 == b.0 && (a.1 - b.1).abs() < 1e-9);
            best = (outside, oracle.seconds, sol.report.queries, ok);
        }
    }
    println!(
        "spright,blackbox n=32,K={k},{:.4} ms outside the oracle,{:.4} ms in it,{} queries,exact {}",
        best.0 * 1e3,
        best.1 * 1e3,
        best.2,
        best.3
    );
    Ok(())
}
