//! The baselines against identities (oracle LS, n-route = m-route) and on the high-SNR
//! reference problems of RC6 (exact support expected from every method).

use nalgebra::{DMatrix, DVector};
use parsimony_core::linalg::kron_dense;
use parsimony_core::random::SplitMix64;
use parsimony_core::stats::nmse;
use parsimony_sbl::Regression;
use parsimony_sbl::baselines::{
    KompParams, KsblParams, OmpParams, dkrosbl, komp, kron_oracle_least_squares,
    oracle_least_squares, posterior_nroute,
};
use parsimony_sbl::generator::{SignalKind, make_problem};
use parsimony_sbl::kron::KronProblem;
use parsimony_sbl::kron::estep::posterior;

/// OMP with a residual threshold and an atom cap.
fn omp(
    a: &DMatrix<f64>,
    y: &DVector<f64>,
    threshold: f64,
    max_atoms: usize,
) -> parsimony_sbl::baselines::OmpSolution<f64> {
    OmpParams::default()
        .residual_threshold(threshold)
        .max_atoms(max_atoms)
        .build()
        .unwrap()
        .solve(&Regression::new(a, y).unwrap())
        .unwrap()
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    let s = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / s
}

#[test]
fn nroute_posterior_equals_mroute_posterior() {
    let mut g = SplitMix64::new(3);
    for (n, m) in [([5usize, 4, 3], [3usize, 3, 2]), ([6, 7, 5], [4, 5, 3])] {
        let factors: Vec<DMatrix<f64>> = n
            .iter()
            .zip(&m)
            .map(|(&ni, &mi)| DMatrix::from_row_slice(mi, ni, &g.normals(mi * ni).unwrap()))
            .collect();
        let big_m: usize = m.iter().product();
        let y = DVector::from_vec(g.normals(big_m).unwrap());
        let gamma: Vec<DVector<f64>> = n
            .iter()
            .map(|&ni| {
                DVector::from_iterator(
                    ni,
                    g.normals(ni).unwrap().into_iter().map(|v| v.abs() + 0.1),
                )
            })
            .collect();
        let p = KronProblem::new(factors, y).unwrap();
        let a = posterior(&p, &gamma, 0.3).unwrap();
        let b = posterior_nroute(&p, &gamma, 0.3).unwrap();
        assert!(max_rel(a.mean.as_slice(), b.mean.as_slice()) < 1e-10);
        assert!(max_rel(a.variances.as_slice(), b.variances.as_slice()) < 1e-10);
    }
}

#[test]
fn kronecker_oracle_equals_dense_oracle() {
    let p = make_problem(
        2,
        &[8, 7, 6],
        &[6, 6, 5],
        &[2, 3, 2],
        30.0,
        SignalKind::Normal,
    )
    .unwrap();
    let xk = kron_oracle_least_squares(&p.factors, &p.y, &p.supports).unwrap();
    let support: Vec<usize> = (0..p.x.len()).filter(|&j| p.x[j] != 0.0).collect();
    let xd = oracle_least_squares(&kron_dense(&p.factors).unwrap(), &p.y, &support).unwrap();
    assert!(max_rel(xk.as_slice(), xd.as_slice()) < 1e-10);
}

#[test]
fn baselines_recover_the_rc6_supports_at_40_db() {
    for seed in 1..=5u64 {
        let p = make_problem(
            seed,
            &[10, 10, 10],
            &[8, 8, 8],
            &[2, 2, 2],
            40.0,
            SignalKind::Bounded,
        )
        .unwrap();
        let problem = KronProblem::new(p.factors.clone(), p.y.clone()).unwrap();
        let oracle = kron_oracle_least_squares(&p.factors, &p.y, &p.supports).unwrap();
        let e_oracle = nmse(oracle.as_slice(), p.x.as_slice()).unwrap();

        // KOMP is greedy and may pick wrong indices; what must hold is the least-squares
        // optimality of its refit: the residual is orthogonal to every selected atom.
        let k = komp(&problem, &KompParams::default()).unwrap();
        let hs: Vec<DMatrix<f64>> = p
            .factors
            .iter()
            .zip(&k.supports)
            .map(|(h, s)| h.select_columns(s.iter()))
            .collect();
        let x_s: Vec<f64> = (0..1000)
            .filter(|&j| {
                let (a, b, c) = (j / 100, (j / 10) % 10, j % 10);
                k.supports[0].contains(&a)
                    && k.supports[1].contains(&b)
                    && k.supports[2].contains(&c)
            })
            .map(|j| k.x[j])
            .collect();
        let hk = kron_dense(&hs).unwrap();
        let r = &p.y - &hk * DVector::from_vec(x_s);
        assert!(
            (hk.transpose() * &r).amax() < 1e-9 * p.y.norm() * hk.amax(),
            "seed {seed}"
        );
        assert!((r.norm() / p.y.norm() - k.info.stop_value).abs() < 1e-12);
        assert!(k.supports.iter().all(|s| s.len() <= 10));

        let ks = KsblParams::new(p.noise_variance)
            .max_iter(150)
            .tol(1e-4)
            .prune_rel(1e-2)
            .build()
            .unwrap()
            .solve(&problem)
            .unwrap();
        assert_eq!(ks.active, p.supports, "seed {seed}: KSBL supports");
        let e = nmse(ks.x.as_slice(), p.x.as_slice()).unwrap();
        assert!(
            e / e_oracle < 1.1,
            "seed {seed}: KSBL NMSE/oracle {}",
            e / e_oracle
        );

        let d = dkrosbl(&problem).unwrap();
        let e = nmse(d.x.as_slice(), p.x.as_slice()).unwrap();
        assert!(
            e < 10.0 * e_oracle,
            "seed {seed}: dKroSBL NMSE {e:e} vs oracle {e_oracle:e}"
        );
        for (xi, si) in d.factors.iter().zip(&p.supports) {
            let top = xi.amax();
            let est: Vec<usize> = (0..xi.len())
                .filter(|&j| xi[j].abs() > 1e-2 * top)
                .collect();
            assert_eq!(&est, si, "seed {seed}: dKroSBL factor support");
        }
    }
}

/// OMP scores a column by its correlation |aⱼᴴr|/‖aⱼ‖, so a long column does not win by its
/// length: y is the unit column 0; column 1 is ten times a unit vector at cos 0.5 to it
/// (|aᴴy| = 5, but correlation 0.5).
#[test]
fn omp_scores_by_correlation_not_length() {
    let a = DMatrix::from_column_slice(3, 2, &[1.0, 0.0, 0.0, 5.0, 75f64.sqrt(), 0.0]);
    let y = DVector::from_column_slice(&[1.0, 0.0, 0.0]);
    let sol = omp(&a, &y, 1e-12, 1);
    assert_eq!(sol.support, vec![0]);
    assert!(sol.info.converged && sol.info.stop_value < 1e-12);
}

/// OMP on the RC7 dense problem (100 × 60, 6 atoms, 30 dB): the true atoms are found first,
/// and OMP stopped there equals the oracle least squares.
#[test]
fn omp_on_the_rc7_problem() {
    let rc7 = parsimony_sbl::generator::rc7_problem();
    let (a, y, support, m) = (rc7.a, rc7.y, rc7.support, 100);
    let s2 = rc7.noise_variance;
    let oracle = oracle_least_squares(&a, &y, &support).unwrap();
    let first = omp(&a, &y, 0.0, 6);
    let mut s = first.support.clone();
    s.sort_unstable();
    assert_eq!(s, support);
    assert!(max_rel(first.x.as_slice(), oracle.as_slice()) < 1e-10);
    let full = omp(&a, &y, (s2 * m as f64).sqrt(), 60);
    assert!(full.info.converged && full.info.stop_value <= (s2 * m as f64).sqrt());
    assert!(support.iter().all(|j| full.support.contains(j)));
}
