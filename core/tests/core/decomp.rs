//! Decompositions through faer, checked by their defining identities and against nalgebra.

use super::*;
use parsimony_core::Error;
use parsimony_core::linalg::{
    as_faer, cholesky, least_squares, symmetric_eigen, thin_svd, view_as_faer,
};

#[test]
fn cholesky_solves_and_log_det_match_nalgebra() {
    let mut rng = SplitMix64::new(1);
    let b = real_matrix(&mut rng, 30, 30);
    let a = b.transpose() * &b + DMatrix::identity(30, 30);
    let rhs = real_vector(&mut rng, 30);
    let ch = cholesky(&a).unwrap();
    let reference = nalgebra::Cholesky::new(a.clone()).unwrap();
    assert!(
        rel_diff(
            ch.solve(&rhs).unwrap().as_slice(),
            reference.solve(&rhs).as_slice()
        ) < 1e-10
    );
    let l = ch.l();
    assert!(rel_diff((&l * l.transpose()).as_slice(), a.as_slice()) < 1e-12);
    let det = reference.determinant();
    assert!((ch.log_det() - det.ln()).abs() < 1e-10 * det.ln().abs());
    assert!(
        rel_diff(
            (ch.inverse() * &a).as_slice(),
            DMatrix::<f64>::identity(30, 30).as_slice()
        ) < 1e-10
    );

    // Hermitian complex.
    let c = complex_matrix(&mut rng, 8, 8);
    let h = c.adjoint() * &c + DMatrix::<C64>::identity(8, 8);
    let rhs = complex_vector(&mut rng, 8);
    let x = cholesky(&h).unwrap().solve(&rhs).unwrap();
    assert!(rel_diff((&h * &x).as_slice(), rhs.as_slice()) < 1e-12);
}

#[test]
fn cholesky_rejects_bad_matrices() {
    let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
    assert!(matches!(
        cholesky(&indefinite),
        Err(Error::NotPositiveDefinite { .. })
    ));
    assert!(matches!(
        cholesky(&DMatrix::<f64>::zeros(2, 3)),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut nan = DMatrix::<f64>::identity(2, 2);
    nan[(0, 1)] = f64::NAN;
    assert!(matches!(cholesky(&nan), Err(Error::NonFinite { .. })));
    let ch = cholesky(&DMatrix::<f64>::identity(2, 2)).unwrap();
    assert!(matches!(
        ch.solve(&DVector::zeros(3)),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn symmetric_eigen_satisfies_its_identities() {
    let mut rng = SplitMix64::new(2);
    let b = real_matrix(&mut rng, 12, 12);
    let a = &b + b.transpose();
    let e = symmetric_eigen(&a).unwrap();
    let n = 12;
    assert!(e.values.as_slice().windows(2).all(|w| w[0] <= w[1]));
    let recon = &e.vectors * DMatrix::from_diagonal(&e.values) * e.vectors.transpose();
    assert!(rel_diff(recon.as_slice(), a.as_slice()) < 1e-12);
    let gram = e.vectors.transpose() * &e.vectors;
    assert!(rel_diff(gram.as_slice(), DMatrix::<f64>::identity(n, n).as_slice()) < 1e-12);
    // eigenvalues agree with nalgebra's independent solver
    let mut nv: Vec<f64> = a
        .clone()
        .symmetric_eigen()
        .eigenvalues
        .iter()
        .copied()
        .collect();
    nv.sort_by(|x, y| x.partial_cmp(y).unwrap());
    assert!(rel_diff(e.values.as_slice(), &nv) < 1e-12);

    let c = complex_matrix(&mut rng, 6, 6);
    let h = &c + c.adjoint();
    let e = symmetric_eigen(&h).unwrap();
    let lam = DMatrix::from_diagonal(&e.values.map(C64::from));
    let recon = &e.vectors * lam * e.vectors.adjoint();
    assert!(rel_diff(recon.as_slice(), h.as_slice()) < 1e-12);
}

#[test]
fn thin_svd_reconstructs_and_is_ordered() {
    let mut rng = SplitMix64::new(3);
    for (m, n) in [(9, 4), (4, 9), (6, 6)] {
        let a = real_matrix(&mut rng, m, n);
        let s = thin_svd(&a).unwrap();
        let k = m.min(n);
        assert_eq!(s.u.shape(), (m, k));
        assert_eq!(s.v.shape(), (n, k));
        assert!(
            s.singular_values
                .as_slice()
                .windows(2)
                .all(|w| w[0] >= w[1])
        );
        let recon = &s.u * DMatrix::from_diagonal(&s.singular_values) * s.v.transpose();
        assert!(rel_diff(recon.as_slice(), a.as_slice()) < 1e-12);
        let mut nsv: Vec<f64> = a
            .clone()
            .svd(false, false)
            .singular_values
            .iter()
            .copied()
            .collect();
        nsv.sort_by(|x, y| y.partial_cmp(x).unwrap());
        assert!(rel_diff(s.singular_values.as_slice(), &nsv) < 1e-12);
    }
    let c = complex_matrix(&mut rng, 5, 3);
    let s = thin_svd(&c).unwrap();
    let sig = DMatrix::from_diagonal(&s.singular_values.map(C64::from));
    assert!(rel_diff((&s.u * sig * s.v.adjoint()).as_slice(), c.as_slice()) < 1e-12);
    assert!(matches!(
        thin_svd(&DMatrix::<f64>::zeros(0, 3)),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn least_squares_matches_normal_equations() {
    let mut rng = SplitMix64::new(4);
    let a = real_matrix(&mut rng, 40, 6);
    let b = real_vector(&mut rng, 40);
    let x = least_squares(&a, &b).unwrap();
    let normal = nalgebra::Cholesky::new(a.transpose() * &a)
        .unwrap()
        .solve(&(a.transpose() * &b));
    assert!(rel_diff(x.as_slice(), normal.as_slice()) < 1e-10);
    // residual orthogonal to the column space
    assert!((a.transpose() * (&b - &a * &x)).norm() < 1e-10 * b.norm() * a.norm());

    let mut rank1 = DMatrix::<f64>::zeros(5, 2);
    rank1.column_mut(0).fill(1.0);
    rank1.column_mut(1).fill(2.0);
    assert!(matches!(
        least_squares(&rank1, &DVector::zeros(5)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        least_squares(&DMatrix::<f64>::zeros(2, 3), &DVector::zeros(2)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        least_squares(&a, &DVector::zeros(39)),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn strided_views_address_the_right_entries() {
    let mut rng = SplitMix64::new(5);
    let a = real_matrix(&mut rng, 7, 6);
    let block = a.view((2, 1), (4, 3));
    let f = view_as_faer(block);
    for i in 0..4 {
        for j in 0..3 {
            assert_eq!(f[(i, j)], a[(2 + i, 1 + j)]);
        }
    }
    let full = as_faer(&a);
    assert_eq!(full[(6, 5)], a[(6, 5)]);
}

#[test]
fn gram_matrices_equal_the_plain_products() {
    let a = nalgebra::DMatrix::from_fn(37, 23, |i, j| ((i * 7 + j * 3) as f64 * 0.1).sin());
    let r = parsimony_core::linalg::gram_rows(&a);
    let c = parsimony_core::linalg::gram_cols(&a);
    assert!((r - &a * a.transpose()).amax() < 1e-12);
    assert!((c - a.transpose() * &a).amax() < 1e-12);
}
