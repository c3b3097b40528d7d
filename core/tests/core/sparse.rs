//! CSR operators against the dense matrices they hold.

use super::*;
use parsimony_core::Error;
use parsimony_core::linalg::{CsrAdjoint, LinearOperator, csr_from_triplets};

/// Aᴴx by scattering equals the dense conjugate transpose times x, for real and complex
/// entries, with duplicate triplets (summed), empty rows and an empty column.
#[test]
fn csr_adjoint_equals_the_dense_conjugate_transpose() {
    let mut rng = SplitMix64::new(41);
    let (m, n) = (9, 6);
    // entries in rows 0..9 except row 4, columns 0..6 except column 2, a few repeated
    let mut pos: Vec<(usize, usize)> = Vec::new();
    for k in 0..30 {
        let i = (k * 7 + 3) % m;
        let j = (k * 5 + 1) % n;
        if i != 4 && j != 2 {
            pos.push((i, j));
        }
    }
    let real: Vec<(usize, usize, f64)> = pos.iter().map(|&(i, j)| (i, j, rng.normal())).collect();
    let complex: Vec<(usize, usize, C64)> = pos
        .iter()
        .map(|&(i, j)| (i, j, C64::new(rng.normal(), rng.normal())))
        .collect();
    let mut dense_r = DMatrix::<f64>::zeros(m, n);
    for &(i, j, v) in &real {
        dense_r[(i, j)] += v;
    }
    let mut dense_c = DMatrix::<C64>::zeros(m, n);
    for &(i, j, v) in &complex {
        dense_c[(i, j)] += v;
    }
    let a_r = csr_from_triplets(m, n, &real).unwrap();
    let a_c = csr_from_triplets(m, n, &complex).unwrap();

    let x = real_vector(&mut rng, m);
    let mut y = vec![f64::NAN; n];
    let op = CsrAdjoint(&a_r);
    assert_eq!((op.nrows(), op.ncols()), (n, m));
    op.apply_into(x.as_slice(), &mut y, &mut ()).unwrap();
    let want = dense_r.transpose() * &x;
    assert!(rel_diff(&y, want.as_slice()) < 1e-14);
    assert_eq!(y[2], 0.0);

    let x = complex_vector(&mut rng, m);
    let mut y = vec![C64::new(f64::NAN, 0.0); n];
    CsrAdjoint(&a_c)
        .apply_into(x.as_slice(), &mut y, &mut ())
        .unwrap();
    let want = dense_c.adjoint() * &x;
    assert!(rel_diff(&y, want.as_slice()) < 1e-14);

    // x must have one entry per row of A, y one per column
    let mut y = vec![0.0; n];
    assert!(matches!(
        CsrAdjoint(&a_r).apply_into(&[1.0; 6], &mut y, &mut ()),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut y = vec![0.0; m];
    assert!(matches!(
        CsrAdjoint(&a_r).apply_into(&[1.0; 9], &mut y, &mut ()),
        Err(Error::DimensionMismatch { .. })
    ));
}
