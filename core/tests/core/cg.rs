//! Conjugate gradient against dense solves (nalgebra's own Cholesky) and on known failures.

use super::*;
use parsimony_core::Error;
use parsimony_core::linalg::{
    CgBreakdown, CgParams, CgSolution, JacobiPreconditioner, KroneckerOperator, LinearOperator,
    Preconditioner, csr_diagonal, csr_from_triplets,
};

/// CG with the given parameters, built and run in one call (the tests' shorthand).
pub fn cg<A: LinearOperator<f64>>(
    a: &A,
    b: &DVector<f64>,
    x0: Option<&DVector<f64>>,
    pre: Option<&dyn Preconditioner>,
    params: &CgParams,
) -> parsimony_core::Result<CgSolution> {
    params.clone().build()?.solve(a, b, x0, pre)
}

fn spd(rng: &mut SplitMix64, n: usize, shift: f64) -> DMatrix<f64> {
    let b = real_matrix(rng, n, n);
    b.transpose() * b + DMatrix::identity(n, n) * shift
}

#[test]
fn matches_dense_solve_on_spd_systems() {
    let mut rng = SplitMix64::new(21);
    for (n, shift) in [(5, 1.0), (40, 0.5), (120, 10.0)] {
        let a = spd(&mut rng, n, shift);
        let b = real_vector(&mut rng, n);
        let exact = nalgebra::Cholesky::new(a.clone()).unwrap().solve(&b);
        let sol = cg(&a, &b, None, None, &CgParams::default().rel_tol(1e-12)).unwrap();
        assert!(sol.info.converged, "n = {n}: {:?}", sol.info);
        assert!(sol.relative_residual <= 1e-12);
        assert!(
            (&sol.x - &exact).norm() / exact.norm() < 1e-8,
            "n = {n}: error {}",
            (&sol.x - &exact).norm() / exact.norm()
        );
    }
}

#[test]
fn jacobi_preconditioner_reduces_iterations_on_a_badly_scaled_system() {
    // A = D^{1/2} S D^{1/2} with S well conditioned and D spanning 6 decades.
    let mut rng = SplitMix64::new(4);
    let n = 60;
    let s = spd(&mut rng, n, 30.0);
    let d = DVector::from_fn(n, |i, _| 10f64.powf(6.0 * i as f64 / (n - 1) as f64));
    let a = DMatrix::from_fn(n, n, |i, j| s[(i, j)] * (d[i] * d[j]).sqrt());
    let b = real_vector(&mut rng, n);
    let exact = nalgebra::Cholesky::new(a.clone()).unwrap().solve(&b);
    let params = CgParams::default().rel_tol(1e-10).max_iter(2000);
    let plain = cg(&a, &b, None, None, &params).unwrap();
    let diag: Vec<f64> = a.diagonal().iter().copied().collect();
    let jac = JacobiPreconditioner::new(&diag).unwrap();
    let pre = cg(&a, &b, None, Some(&jac), &params).unwrap();
    assert!(pre.info.converged);
    assert!((&pre.x - &exact).norm() / exact.norm() < 1e-6);
    assert!(
        pre.info.iterations * 2 < plain.info.iterations,
        "preconditioned {} vs plain {}",
        pre.info.iterations,
        plain.info.iterations
    );
}

#[test]
fn sparse_laplacian_recovers_a_known_solution() {
    // 1D Dirichlet Laplacian tridiag(−1, 2, −1): b = A x* for a known x*.
    let n = 200;
    let a = super::laplacian_1d(n);
    let x_true = DVector::from_fn(n, |i, _| ((i + 1) as f64 * 0.05).sin());
    let mut b = DVector::zeros(n);
    for i in 0..n {
        b[i] = 2.0 * x_true[i]
            - if i > 0 { x_true[i - 1] } else { 0.0 }
            - if i + 1 < n { x_true[i + 1] } else { 0.0 };
    }
    let jac = JacobiPreconditioner::new(&csr_diagonal(&a).unwrap()).unwrap();
    let sol = cg(
        &a,
        &b,
        None,
        Some(&jac),
        &CgParams::default().record_history(true),
    )
    .unwrap();
    assert!(sol.info.converged);
    assert_eq!(sol.history.len(), sol.info.iterations);
    // CG on an n×n system terminates in ≤ n steps up to rounding.
    assert!(sol.info.iterations <= n + 5);
    assert!((&sol.x - &x_true).norm() / x_true.norm() < 1e-7);
}

#[test]
fn kronecker_operator_of_spd_factors_is_solved_matrix_free() {
    let mut rng = SplitMix64::new(8);
    let f = vec![
        spd(&mut rng, 6, 2.0),
        spd(&mut rng, 5, 2.0),
        spd(&mut rng, 4, 2.0),
    ];
    let op = KroneckerOperator::new(f.clone()).unwrap();
    let dense = op.to_dense().unwrap();
    let b = real_vector(&mut rng, op.ncols());
    let exact = nalgebra::Cholesky::new(dense).unwrap().solve(&b);
    let sol = cg(&op, &b, None, None, &CgParams::default().max_iter(1000)).unwrap();
    assert!(sol.info.converged, "{:?}", sol.info);
    assert!((&sol.x - &exact).norm() / exact.norm() < 1e-7);
}

#[test]
fn indefinite_operator_is_reported_not_hidden() {
    // ⟨b, A b⟩ = 0 for A = diag(1, −1), b = (1, 1): negative/zero curvature at once.
    let a = DMatrix::from_diagonal(&DVector::from_vec(vec![1.0, -1.0]));
    let b = DVector::from_vec(vec![1.0, 1.0]);
    let sol = cg(&a, &b, None, None, &CgParams::default()).unwrap();
    assert!(!sol.info.converged);
    assert!(matches!(
        sol.breakdown,
        Some(CgBreakdown::NonPositiveCurvature { iteration: 0, .. })
    ));
    assert!(matches!(
        sol.clone().require_converged(),
        Err(Error::NotConverged { .. })
    ));

    // A symmetric matrix with half its spectrum negative.
    let mut rng = SplitMix64::new(99);
    let n = 30;
    let q = nalgebra::QR::new(real_matrix(&mut rng, n, n)).q();
    let lam = DVector::from_fn(n, |i, _| {
        if i % 2 == 0 {
            1.0 + i as f64
        } else {
            -(1.0 + i as f64)
        }
    });
    let a = &q * DMatrix::from_diagonal(&lam) * q.transpose();
    let b = real_vector(&mut rng, n);
    let sol = cg(&a, &b, None, None, &CgParams::default()).unwrap();
    assert!(!sol.info.converged);
    assert!(sol.breakdown.is_some());
}

#[test]
fn iteration_cap_is_reported() {
    let mut rng = SplitMix64::new(2);
    let a = spd(&mut rng, 50, 0.01);
    let b = real_vector(&mut rng, 50);
    let sol = cg(&a, &b, None, None, &CgParams::default().max_iter(3)).unwrap();
    assert_eq!(sol.info.iterations, 3);
    assert!(!sol.info.converged);
    assert!(sol.breakdown.is_none());
    assert!(sol.residual_norm > sol.tolerance);
}

#[test]
fn bad_input_gives_typed_errors() {
    let a = DMatrix::<f64>::identity(3, 3);
    assert!(matches!(
        cg(&a, &DVector::zeros(4), None, None, &CgParams::default()),
        Err(Error::DimensionMismatch {
            expected: 3,
            got: 4,
            ..
        })
    ));
    let nan = DVector::from_vec(vec![1.0, f64::NAN, 0.0]);
    assert!(matches!(
        cg(&a, &nan, None, None, &CgParams::default()),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        cg(
            &DMatrix::<f64>::zeros(3, 2),
            &DVector::zeros(3),
            None,
            None,
            &CgParams::default()
        ),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        cg(
            &a,
            &DVector::zeros(3),
            None,
            None,
            &CgParams::default().rel_tol(-1.0)
        ),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        JacobiPreconditioner::new(&[1.0, 0.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        csr_from_triplets(2, 2, &[(2, 0, 1.0)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        csr_from_triplets(2, 2, &[(0, 0, f64::NAN)]),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn solve_convention() {
    // converged agrees with status, the cap is respected, an observer can stop the run
    use parsimony_core::solve::{Status, StopAfter};
    let mut rng = SplitMix64::new(3);
    let a = spd(&mut rng, 40, 0.1);
    let b = real_vector(&mut rng, 40);
    let solver = CgParams::default().max_iter(5).build().unwrap();
    let capped = solver.solve(&a, &b, None, None).unwrap();
    assert_eq!(capped.info.status, Status::MaxIterations);
    assert_eq!(capped.info.iterations, 5);
    assert!(!capped.info.converged);
    let full = CgParams::default()
        .build()
        .unwrap()
        .solve(&a, &b, None, None)
        .unwrap();
    assert_eq!(full.info.status, Status::Converged);
    assert!(full.info.converged && full.info.iterations <= 80);
    assert_eq!(full.info.stop_value, full.residual_norm);
    let stopped = CgParams::default()
        .build()
        .unwrap()
        .solve_observed(&a, &b, None, None, &mut StopAfter(2))
        .unwrap();
    assert_eq!(stopped.info.status, Status::StoppedByObserver);
    assert_eq!(stopped.info.iterations, 2);
    assert!(!stopped.info.converged);
}
