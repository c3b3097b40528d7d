//! The matrix-free Kronecker operator against the dense Kronecker product.

use super::*;
use parsimony_core::Error;
use parsimony_core::linalg::{
    KroneckerDiagonal, KroneckerOperator, LinearOperator, ModeWorkspace, Transform, kron_dense,
    mode_product, multimode_product,
};
use proptest::prelude::*;

/// Dense Kronecker product built with nalgebra's own `kronecker` (the independent oracle).
fn dense<T: parsimony_core::Scalar>(f: &[DMatrix<T>]) -> DMatrix<T> {
    let mut acc = f[0].clone();
    for g in &f[1..] {
        acc = acc.kronecker(g);
    }
    acc
}

fn shapes() -> impl Strategy<Value = (Vec<(usize, usize)>, u64)> {
    (
        prop::collection::vec((1usize..6, 1usize..6), 1..=4),
        any::<u64>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn real_apply_and_transpose_match_dense((dims, seed) in shapes()) {
        let mut rng = SplitMix64::new(seed);
        let factors: Vec<_> = dims.iter().map(|&(m, n)| real_matrix(&mut rng, m, n)).collect();
        let op = KroneckerOperator::new(factors.clone()).unwrap();
        let a = dense(&factors);
        let x = real_vector(&mut rng, op.ncols());
        let y = real_vector(&mut rng, op.nrows());
        prop_assert!(rel_diff(op.apply(&x).unwrap().as_slice(), (&a * &x).as_slice()) < 1e-12);
        prop_assert!(rel_diff(op.apply_transpose(&y).unwrap().as_slice(), (a.transpose() * &y).as_slice()) < 1e-12);
        prop_assert!(rel_diff(op.apply_adjoint(&y).unwrap().as_slice(), (a.transpose() * &y).as_slice()) < 1e-12);
    }

    #[test]
    fn complex_apply_transpose_adjoint_match_dense((dims, seed) in shapes()) {
        let mut rng = SplitMix64::new(seed);
        let factors: Vec<_> = dims.iter().map(|&(m, n)| complex_matrix(&mut rng, m, n)).collect();
        let op = KroneckerOperator::new(factors.clone()).unwrap();
        let a = dense(&factors);
        let x = complex_vector(&mut rng, op.ncols());
        let y = complex_vector(&mut rng, op.nrows());
        prop_assert!(rel_diff(op.apply(&x).unwrap().as_slice(), (&a * &x).as_slice()) < 1e-12);
        prop_assert!(rel_diff(op.apply_transpose(&y).unwrap().as_slice(), (a.transpose() * &y).as_slice()) < 1e-12);
        prop_assert!(rel_diff(op.apply_adjoint(&y).unwrap().as_slice(), (a.adjoint() * &y).as_slice()) < 1e-12);
    }

    #[test]
    fn kronecker_diagonal_matches_dense((lens, seed) in (prop::collection::vec(1usize..7, 1..=4), any::<u64>())) {
        let mut rng = SplitMix64::new(seed);
        let f: Vec<DVector<f64>> = lens.iter().map(|&n| real_vector(&mut rng, n)).collect();
        let g: Vec<DVector<f64>> = lens.iter().map(|&n| real_vector(&mut rng, n)).collect();
        let mut full = f[0].clone();
        for v in &f[1..] { full = full.kronecker(v); }
        let mut full_g = g[0].clone();
        for v in &g[1..] { full_g = full_g.kronecker(v); }
        let d = KroneckerDiagonal::new(f).unwrap();
        let e = KroneckerDiagonal::new(g).unwrap();
        prop_assert!(rel_diff(d.to_vector().unwrap().as_slice(), full.as_slice()) < 1e-14);
        let x = real_vector(&mut rng, d.len());
        let mut y = vec![0.0; d.len()];
        d.apply_into(x.as_slice(), &mut y).unwrap();
        prop_assert!(rel_diff(&y, full.component_mul(&x).as_slice()) < 1e-14);
        prop_assert!((d.norm() - full.norm()).abs() <= 1e-12 * full.norm());
        prop_assert!((d.sum() - full.sum()).abs() <= 1e-12 * full.abs().sum());
        prop_assert!((d.dot(&e).unwrap() - full.dot(&full_g)).abs() <= 1e-12 * full.abs().dot(&full_g.abs()));
        let j = (seed as usize) % d.len();
        prop_assert!((d.entry(j).unwrap() - full[j]).abs() <= 1e-14 * full[j].abs().max(1e-300));
    }
}

#[test]
fn three_factor_operator_with_reused_workspace() {
    let mut rng = SplitMix64::new(3);
    let factors = vec![
        real_matrix(&mut rng, 4, 7),
        real_matrix(&mut rng, 6, 3),
        real_matrix(&mut rng, 2, 5),
    ];
    let op = KroneckerOperator::new(factors.clone()).unwrap();
    let a = kron_dense(&factors).unwrap();
    assert_eq!(a.shape(), (48, 105));
    let mut ws = op.workspace();
    let mut y = vec![0.0; op.nrows()];
    let mut z = vec![0.0; op.ncols()];
    for _ in 0..3 {
        let x = real_vector(&mut rng, op.ncols());
        op.apply_into(Transform::Identity, x.as_slice(), &mut y, &mut ws)
            .unwrap();
        assert!(rel_diff(&y, (&a * &x).as_slice()) < 1e-12);
        let w = real_vector(&mut rng, op.nrows());
        op.apply_into(Transform::Transpose, w.as_slice(), &mut z, &mut ws)
            .unwrap();
        assert!(rel_diff(&z, (a.transpose() * &w).as_slice()) < 1e-12);
    }
    // The LinearOperator impl is the same map.
    let x = real_vector(&mut rng, op.ncols());
    let mut ws2 = LinearOperator::workspace(&op);
    LinearOperator::apply_into(&op, x.as_slice(), &mut y, &mut ws2).unwrap();
    assert!(rel_diff(&y, (&a * &x).as_slice()) < 1e-12);
}

#[test]
fn mode_product_matches_naive_loops() {
    let mut rng = SplitMix64::new(11);
    let dims = [3usize, 4, 5];
    let x = real_vector(&mut rng, 60);
    for mode in 0..3 {
        let b = real_matrix(&mut rng, 2, dims[mode]);
        let mut out_dims = dims;
        out_dims[mode] = 2;
        let mut out = vec![0.0; out_dims.iter().product()];
        mode_product(x.as_slice(), &dims, mode, &b, Transform::Identity, &mut out).unwrap();
        for i in 0..out_dims[0] {
            for j in 0..out_dims[1] {
                for k in 0..out_dims[2] {
                    let idx = [i, j, k];
                    let mut acc = 0.0;
                    for l in 0..dims[mode] {
                        let mut src = idx;
                        src[mode] = l;
                        acc +=
                            b[(idx[mode], l)] * x[(src[0] * dims[1] + src[1]) * dims[2] + src[2]];
                    }
                    let got = out[(i * out_dims[1] + j) * out_dims[2] + k];
                    assert!((got - acc).abs() < 1e-12 * (1.0 + acc.abs()));
                }
            }
        }
    }
}

#[test]
fn multimode_with_mixed_transforms_matches_dense() {
    let mut rng = SplitMix64::new(5);
    // U_i are m_i × m_i; applying U_iᴴ on every mode equals (⊗U_i)ᴴ.
    let us: Vec<_> = [3usize, 4, 2]
        .iter()
        .map(|&m| complex_matrix(&mut rng, m, m))
        .collect();
    let y = complex_vector(&mut rng, 24);
    let mut out = vec![C64::new(0.0, 0.0); 24];
    let mut ws = ModeWorkspace::new();
    multimode_product(
        y.as_slice(),
        &[3, 4, 2],
        &us,
        Transform::Adjoint,
        &mut out,
        &mut ws,
    )
    .unwrap();
    let expect = dense(&us).adjoint() * &y;
    assert!(rel_diff(&out, expect.as_slice()) < 1e-12);
}

#[test]
fn constructors_and_apply_reject_bad_input() {
    assert!(matches!(
        KroneckerOperator::<f64>::new(vec![]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        KroneckerOperator::<f64>::new(vec![DMatrix::zeros(0, 3)]),
        Err(Error::InvalidParameter { .. })
    ));
    let mut bad = DMatrix::from_element(2, 2, 1.0);
    bad[(1, 0)] = f64::NAN;
    match KroneckerOperator::new(vec![DMatrix::identity(2, 2), bad]) {
        Err(Error::NonFinite { what }) => assert!(what.contains("factors[1]")),
        other => panic!("expected NonFinite, got {other:?}"),
    }
    let op = KroneckerOperator::new(vec![
        DMatrix::<f64>::identity(2, 3),
        DMatrix::identity(4, 5),
    ])
    .unwrap();
    match op.apply(&DVector::zeros(14)) {
        Err(Error::DimensionMismatch { expected, got, .. }) => {
            assert_eq!((expected, got), (15, 14))
        }
        other => panic!("expected DimensionMismatch, got {other:?}"),
    }
    assert!(matches!(
        op.apply_transpose(&DVector::zeros(9)),
        Err(Error::DimensionMismatch {
            expected: 8,
            got: 9,
            ..
        })
    ));
    assert!(matches!(
        KroneckerDiagonal::new(vec![DVector::from_vec(vec![1.0, f64::INFINITY])]),
        Err(Error::NonFinite { .. })
    ));
    let d = KroneckerDiagonal::new(vec![DVector::from_vec(vec![1.0, 2.0])]).unwrap();
    assert!(matches!(d.entry(2), Err(Error::InvalidParameter { .. })));
    let mut out = vec![0.0; 5];
    assert!(matches!(
        mode_product(
            &[1.0; 6],
            &[2, 3],
            1,
            &DMatrix::identity(2, 2),
            Transform::Identity,
            &mut out
        ),
        Err(Error::DimensionMismatch { .. })
    ));
}
