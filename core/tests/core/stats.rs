//! Metrics and intervals against hand-computed values.

use parsimony_core::stats::{
    RunningMoments, gaussian_interval, median, nmse, population_std, quantile, relative_error,
};
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

/// NumPy's linear-interpolation quantiles: `np.quantile([10, 7, 4, 3, 2, 1], q)` gives 1, 1.5,
/// 2.5, 3.5, 6.25, 10 at q = 0, 0.1, 0.3, 0.5, 0.75, 1 (hand-checked: h = 5q).
#[test]
fn quantiles_interpolate_between_order_statistics() {
    let v = [10.0, 7.0, 4.0, 3.0, 2.0, 1.0];
    for (q, want) in [
        (0.0, 1.0),
        (0.1, 1.5),
        (0.3, 2.5),
        (0.5, 3.5),
        (0.75, 6.25),
        (1.0, 10.0),
    ] {
        let got = quantile(&v, q).unwrap();
        assert!((got - want).abs() < 1e-12, "q = {q}: {got} vs {want}");
    }
    assert_eq!(median(&[3.0, -1.0, 2.0]).unwrap(), 2.0);
    assert_eq!(median(&[5.0]).unwrap(), 5.0);
    assert!(matches!(median(&[]), Err(Error::InvalidParameter { .. })));
    assert!(median(&[1.0, f64::NAN]).is_err());
    assert!(quantile(&v, 1.5).is_err());
    assert!(quantile(&v, f64::NAN).is_err());
}

/// Bit for bit as NumPy 2.4.6, printed by
/// `python -c "import numpy as np; v=[0.1,0.7,0.3,1.3,2.9,0.2,1.1]; [print(repr(float(np.quantile(v,q)))) for q in [0.1,0.12,0.3,0.55,0.75,0.79,0.9,0.95,0.97]]"`
/// (its interpolation runs from the nearer order statistic; at q = 0.12, 0.79, 0.97 the plain
/// a + (b − a)t differs in the last bit).
#[test]
fn quantiles_round_as_numpy() {
    let v = [0.1, 0.7, 0.3, 1.3, 2.9, 0.2, 1.1];
    for (q, want) in [
        (0.1, 0.16000000000000003),
        (0.12, 0.17200000000000001),
        (0.3, 0.27999999999999997),
        (0.55, 0.8200000000000001),
        (0.75, 1.2000000000000002),
        (0.79, 1.248),
        (0.9, 1.9400000000000006),
        (0.95, 2.419999999999999),
        (0.97, 2.6120000000000005),
    ] {
        assert_eq!(quantile(&v, q).unwrap(), want, "q = {q}");
    }
}

/// Running moments against the hand-computed mean 5 and population variance 4 of
/// [2, 4, 4, 4, 5, 5, 7, 9] (sample variance 32/7), pushed one by one, as one slice and as
/// two merged parts.
#[test]
fn running_moments_by_value_slice_and_merge() {
    let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    let mut one = RunningMoments::new();
    v.iter().for_each(|&x| one.push(x));
    let slice = RunningMoments::from_slice(&v);
    let mut merged = RunningMoments::from_slice(&v[..3]);
    merged.merge(&RunningMoments::from_slice(&v[3..]));
    let mut pushed = RunningMoments::new();
    pushed.push_slice(&v[..5]);
    pushed.push_slice(&v[5..]);
    for m in [one, slice, merged, pushed] {
        assert_eq!(m.count(), 8);
        assert!((m.mean() - 5.0).abs() < 1e-15);
        assert!((m.variance() - 4.0).abs() < 1e-14);
        assert!((m.std() - 2.0).abs() < 1e-14);
        assert!((m.sample_variance() - 32.0 / 7.0).abs() < 1e-14);
    }
    assert!((population_std(&v) - 2.0).abs() < 1e-15);
    // empty parts change nothing; an empty accumulator reads 0
    let mut e = RunningMoments::new();
    assert_eq!((e.count(), e.mean(), e.variance()), (0, 0.0, 0.0));
    e.merge(&slice);
    e.merge(&RunningMoments::new());
    assert_eq!(e, slice);
    assert_eq!(population_std(&[]), 0.0);
    assert_eq!(RunningMoments::from_slice(&[3.0]).sample_variance(), 0.0);
}

/// A large offset does not cancel the variance: 1e9 + (0, 1, 2, …, 999) in parts of 7 has the
/// variance (1000² − 1)/12 of 0…999.
#[test]
fn running_moments_keep_the_variance_of_offset_data() {
    let v: Vec<f64> = (0..1000).map(|i| 1e9 + i as f64).collect();
    let mut m = RunningMoments::new();
    for c in v.chunks(7) {
        m.push_slice(c);
    }
    let want = (1000.0f64 * 1000.0 - 1.0) / 12.0;
    assert!(
        (m.variance() - want).abs() < 1e-9 * want,
        "{}",
        m.variance()
    );
    assert!((m.mean() - (1e9 + 499.5)).abs() < 1e-6);
}
