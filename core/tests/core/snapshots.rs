//! Snapshot tests of solver statistics: exact iteration counts of deterministic runs whose
//! arithmetic involves no CPU-dependent kernels (CSR products, argmin's Vec ops, Adam's loop).
//! A change here means the algorithm's behaviour changed: check it was intended, then update.

use super::cg::cg;
use nalgebra::DVector;
use parsimony_core::linalg::{CgParams, JacobiPreconditioner, csr_diagonal};
use parsimony_core::optim::{AdamParams, LbfgsParams, Rosenbrock};

#[test]
fn cg_on_the_1d_laplacian() {
    let n = 100;
    let a = super::laplacian_1d(n);
    let b = DVector::from_element(n, 1.0);
    let jac = JacobiPreconditioner::new(&csr_diagonal(&a).unwrap()).unwrap();
    let sol = cg(&a, &b, None, Some(&jac), &CgParams::default()).unwrap();
    // b = 1 is symmetric about the centre: CG needs n/2 = 50 steps.
    assert_eq!(sol.info.iterations, 50);
    assert!(sol.info.converged);
    // exact solution xᵢ = (i+1)(n−i)/2
    let exact = DVector::from_fn(n, |i, _| ((i + 1) * (n - i)) as f64 / 2.0);
    assert!((&sol.x - &exact).norm() / exact.norm() < 1e-10);
}

#[test]
fn lbfgs_on_rosenbrock() {
    let r = LbfgsParams::default()
        .build()
        .unwrap()
        .solve(
            &mut Rosenbrock { n: 2 },
            &DVector::from_vec(vec![-1.2, 1.0]),
        )
        .unwrap();
    assert_eq!(r.info.iterations, 38);
}

#[test]
fn adam_on_rosenbrock() {
    let mut adam = AdamParams::new()
        .learning_rate(0.02)
        .step_decay(2000, 0.5)
        .max_iter(20_000)
        .grad_tol(1e-8)
        .build(2)
        .unwrap();
    let r = adam
        .solve(
            &mut Rosenbrock { n: 2 },
            &DVector::from_vec(vec![-1.2, 1.0]),
        )
        .unwrap();
    assert!(r.info.converged);
    assert_eq!(r.info.iterations, 6640);
}
