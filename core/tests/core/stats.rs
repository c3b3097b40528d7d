//! Metrics and intervals against hand-computed values.

use parsimony_core::stats::{gaussian_interval, nmse, relative_error};
use parsimony_core::{C64, Error};

#[test]
fn nmse_and_relative_error() {
    let x = [3.0, 4.0];
    assert_eq!(nmse(&[3.0, 4.0], &x).unwrap(), 0.0);
    // ‖(1, 0)‖² / 25
    assert!((nmse(&[4.0, 4.0], &x).unwrap() - 1.0 / 25.0).abs() < 1e-16);
    assert!((relative_error(&[4.0, 4.0], &x).unwrap() - 0.2).abs() < 1e-16);
    let z = [C64::new(0.0, 1.0)];
    assert!((nmse(&[C64::new(0.0, 0.0)], &z).unwrap() - 1.0).abs() < 1e-16);
    assert!(matches!(
        nmse(&[1.0], &[0.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        nmse(&[1.0], &[1.0, 2.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        nmse(&[f64::NAN], &[1.0]),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn gaussian_interval_uses_the_normal_quantile() {
    // z(0.975) = 1.959963984540054 (Abramowitz & Stegun 26.2.23 tables; scipy.stats.norm.ppf)
    let (lo, hi) = gaussian_interval(1.0, 2.0, 0.95).unwrap();
    assert!((hi - 1.0 - 2.0 * 1.959963984540054).abs() < 1e-9);
    assert!((1.0 - lo - 2.0 * 1.959963984540054).abs() < 1e-9);
    // z(0.8413447460685429) = 1: the one-sigma interval has level 0.6826894921370859
    let (lo, hi) = gaussian_interval(0.0, 1.0, 0.6826894921370859).unwrap();
    assert!((hi - 1.0).abs() < 1e-9 && (lo + 1.0).abs() < 1e-9);
    assert!(matches!(
        gaussian_interval(0.0, 1.0, 1.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        gaussian_interval(0.0, -1.0, 0.5),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        gaussian_interval(f64::NAN, 1.0, 0.5),
        Err(Error::NonFinite { .. })
    ));
}
