//! Kronecker operator vs dense Kronecker product.
//!
//! For two n × n factors (N = n²), compares
//! * `operator`: `KroneckerOperator::apply_into` (two GEMMs of n³ flops, no allocation),
//! * `dense_form_and_matvec`: forming A₁ ⊗ A₂ (N² entries) and multiplying it with x,
//! * `dense_matvec_only`: the matvec with an already formed product (N² flops),
//!
//! at n = 32, 64, 128, 256. The dense product does not fit in memory at n = 256 (N² · 8 B =
//! 32 GiB on a 24 GiB machine), so only the operator runs there.
//!
//! Run: `cargo bench --bench kronecker` (results in BENCHMARKS.md).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nalgebra::{DMatrix, DVector};
use parsimony::linalg::{KroneckerOperator, Transform, kron_dense};
use parsimony::random::SplitMix64;
use std::hint::black_box;
use std::time::Duration;

fn factor(rng: &mut SplitMix64, n: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, n, |_, _| rng.normal())
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("kronecker_2_factors");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in [32usize, 64, 128, 256] {
        let mut rng = SplitMix64::new(n as u64);
        let factors = vec![factor(&mut rng, n), factor(&mut rng, n)];
        let op = KroneckerOperator::new(factors.clone()).unwrap();
        let x = DVector::from_fn(n * n, |_, _| rng.normal());
        let mut y = vec![0.0; n * n];
        let mut ws = op.workspace();
        group.bench_with_input(BenchmarkId::new("operator", n), &n, |b, _| {
            b.iter(|| {
                op.apply_into(
                    Transform::Identity,
                    black_box(x.as_slice()),
                    &mut y,
                    &mut ws,
                )
                .unwrap();
                black_box(&y);
            })
        });
        if n <= 128 {
            group.bench_with_input(BenchmarkId::new("dense_form_and_matvec", n), &n, |b, _| {
                b.iter(|| {
                    let a = kron_dense(black_box(&factors)).unwrap();
                    black_box(&a * &x)
                })
            });
            let a = kron_dense(&factors).unwrap();
            group.bench_with_input(BenchmarkId::new("dense_matvec_only", n), &n, |b, _| {
                b.iter(|| black_box(&a * black_box(&x)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
