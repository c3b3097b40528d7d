//! Seeded generators: published SplitMix64 check values and statistical sanity.

use nalgebra::DVector;
use parsimony_core::Error;
use parsimony_core::random::{
    SplitMix64, add_noise_snr, complex_normal_vector, mix64, noise_variance_for_snr,
    portable_noise, seeded_rng, standard_normal_vector,
};

/// Check values of shared/specs/sbl.md §13.0 (seed 1).
#[test]
fn splitmix64_matches_the_sbl_reference_stream() {
    let mut g = SplitMix64::new(1);
    assert_eq!(g.next_u64(), 0x910a2dec89025cc1);
    assert_eq!(g.next_u64(), 0xbeeb8da1658eec67);
    assert_eq!(g.next_u64(), 0xf893a2eefb32555e);
    let mut g = SplitMix64::new(1);
    let u = [g.uniform(), g.uniform(), g.uniform()];
    assert_eq!(
        u,
        [0.5665615751722809, 0.7457817572627011, 0.9710027535867962]
    );
    let mut g = SplitMix64::new(1);
    let z = g.normals(3).unwrap();
    let expect = [
        -0.034267321791851144,
        -2.5000674933698677,
        0.08772246831488635,
    ];
    for (a, b) in z.iter().zip(expect) {
        assert!((a - b).abs() <= 1e-15 * b.abs().max(1.0), "{z:?}");
    }
    assert_eq!(SplitMix64::new(1).choose(15, 3).unwrap(), vec![8, 11, 14]);
    assert!(matches!(
        SplitMix64::new(1).choose(3, 4),
        Err(Error::InvalidParameter { .. })
    ));
}

/// Check values of shared/specs/data/wht/rng_vectors.json.
#[test]
fn splitmix64_matches_the_wht_reference_vectors() {
    let mut g = SplitMix64::new(1);
    let first: Vec<u64> = (0..5).map(|_| g.next_u64()).collect();
    assert_eq!(
        first,
        [
            10451216379200822465,
            13757245211066428519,
            17911839290282890590,
            8196980753821780235,
            8195237237126968761
        ]
    );
    assert_eq!(mix64(0), 16294208416658607535);
    let expect = [
        -0.5472913005346491,
        1.0048572779290565,
        2.372790486833531,
        0.5696190353448499,
        0.24721758152954743,
    ];
    for (m, e) in expect.iter().enumerate() {
        let w = portable_noise(77, m as u64, 1.0);
        assert!((w - e).abs() <= 1e-14, "m = {m}: {w} vs {e}");
    }
}

#[test]
fn seeded_streams_are_reproducible_and_distinct() {
    let a = standard_normal_vector(&mut seeded_rng(42), 16).unwrap();
    let b = standard_normal_vector(&mut seeded_rng(42), 16).unwrap();
    let c = standard_normal_vector(&mut seeded_rng(43), 16).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn noise_hits_the_requested_snr() {
    let mut rng = seeded_rng(7);
    let n = 200_000;
    let s = DVector::from_fn(n, |i, _| (i as f64 * 0.01).sin() * 3.0);
    let (y, sigma2) = add_noise_snr(&mut rng, &s, 20.0).unwrap();
    let power = s.norm_squared() / n as f64;
    assert!((sigma2 - power / 100.0).abs() < 1e-15 * power);
    let emp = (&y - &s).norm_squared() / n as f64;
    // the sample variance of n Gaussians has relative std √(2/n) ≈ 0.3 %; allow 5σ
    assert!(
        (emp / sigma2 - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(),
        "{emp} vs {sigma2}"
    );

    let z = complex_normal_vector(&mut rng, n, 2.0).unwrap();
    let var = z.iter().map(|v| v.norm_sqr()).sum::<f64>() / n as f64;
    assert!((var / 2.0 - 1.0).abs() < 5.0 * (1.0 / n as f64).sqrt());
    let re = z.iter().map(|v| v.re * v.re).sum::<f64>() / n as f64;
    assert!((re - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt());

    let zc = z.map(|v| v * 0.0 + parsimony_core::C64::new(1.0, 1.0));
    let (yc, s2) = add_noise_snr(&mut rng, &zc, 10.0).unwrap();
    assert!((s2 - 0.2).abs() < 1e-15);
    let emp = (&yc - &zc).iter().map(|v| v.norm_sqr()).sum::<f64>() / n as f64;
    assert!((emp / s2 - 1.0).abs() < 0.02);

    assert!(matches!(
        noise_variance_for_snr::<f64>(&[], 10.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        noise_variance_for_snr(&[1.0, f64::NAN], 10.0),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        noise_variance_for_snr(&[1.0], f64::INFINITY),
        Err(Error::InvalidParameter { .. })
    ));
}

/// Both Box–Muller branches, checked against the OT brief's gauss2d_n500 case (seed 1): the first
/// pair is X[0], and after 2N = 1000 normals the next pair z gives Y[0] = 0.5 z + (2, 0).
#[test]
fn normal_pairs_match_the_ot_reference_points() {
    let mut g = SplitMix64::new(1);
    let x0 = g.normal_pair();
    assert!((x0.0 - -0.034267321791851144).abs() < 1e-15, "{x0:?}");
    assert!((x0.1 - -1.2926085332373185).abs() < 1e-15, "{x0:?}");
    for _ in 1..500 {
        g.normal_pair();
    }
    let z = g.normal_pair();
    let y0 = (0.5 * z.0 + 2.0, 0.5 * z.1);
    assert!((y0.0 - 2.368862667909542).abs() < 1e-14, "{y0:?}");
    assert!((y0.1 - 0.42179271467868923).abs() < 1e-14, "{y0:?}");
    // the cos value is what normal() returns
    assert_eq!(
        SplitMix64::new(9).normal_pair().0,
        SplitMix64::new(9).normal()
    );
}
