//! MEDIDA benchmarks (shared/specs/medida.md §5, B4–B5 and the EnKF row), one thread unless
//! stated:
//!
//! - the MEDIDA regression at the paper's geometry with n = 100 samples (102 400 × 24): the
//!   CNAB2 forecasts + targets + library (spectral and PDE-FIND finite differences), the EM-RVM
//!   fit on it (Gram once, then O(p³) per iteration), the same regression by its moments
//!   (`LibraryMoments`, no stacked matrix) with the RVM fit from them, and the whole
//!   `Medida::solve` (MEDIDA noise-free, the problem built inside the timing);
//! - one stochastic EnKF analysis at N = 1024 with Nₑ = 1024 and 10 240 members (mean only, and
//!   with the analysed members), on one and two threads.
//!
//! The truth samples are written to `target/bench_medida/samples.npy` (100 × 3 × 1024) for the
//! NumPy peer `bench/peers/medida_numpy.py`; `bash bench/run_medida.sh` runs both.
//! Run: `cargo bench --bench medida` (`-- --regression-only` skips the EnKF rows).
#![allow(missing_docs)]

use nalgebra::{DMatrix, DVector};
use parsimony::medida::cases::TruthConfig;
use parsimony::medida::cnab2::Cnab2;
use parsimony::medida::enkf::{EnkfParams, enkf_analysis};
use parsimony::medida::library::{Derivatives, Library};
use parsimony::medida::library_moments::LibraryMoments;
use parsimony::medida::model_error::{MedidaParams, MedidaProblem, Sample, Target};
use parsimony::random::seeded_rng;
use parsimony::sbl::rvm::{RowMoments, RvmParams, rvm_fit, rvm_fit_moments};
use rand_distr::{Distribution, StandardNormal};
use std::time::Instant;

/// Median wall time of `runs` calls after one warm-up.
fn median_time(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

/// Φ and y of the MEDIDA regression (plain target) with the library's derivatives.
fn regression(
    model: &mut Cnab2,
    samples: &[Sample],
    lib: &Library,
) -> parsimony::Result<(DMatrix<f64>, DVector<f64>)> {
    let n = model.params().n;
    let h = model.params().dt;
    let mut phi = DMatrix::zeros(n * samples.len(), lib.len());
    let mut y = DVector::zeros(n * samples.len());
    let mut f = vec![0.0; n];
    for (i, s) in samples.iter().enumerate() {
        model.step(&s.u_prev2, &s.u_prev1, &mut f)?;
        for j in 0..n {
            y[i * n + j] = (s.u_now[j] - f[j]) / h;
        }
        lib.evaluate_into(&s.u_now, model.grid_mut(), &mut phi, i * n)?;
    }
    Ok((phi, y))
}

/// The moments of the same regression, accumulated sample by sample.
fn regression_moments(
    model: &mut Cnab2,
    samples: &[Sample],
    lib: &Library,
) -> parsimony::Result<RowMoments> {
    let n = model.params().n;
    let h = model.params().dt;
    let mut acc = LibraryMoments::new(lib, n)?;
    let (mut f, mut y) = (vec![0.0; n], vec![0.0; n]);
    for s in samples {
        model.step(&s.u_prev2, &s.u_prev1, &mut f)?;
        for ((o, a), b) in y.iter_mut().zip(&s.u_now).zip(&f) {
            *o = (a - b) / h;
        }
        acc.push(&s.u_now, &y, model.grid_mut())?;
    }
    acc.moments()
}

fn main() -> parsimony::Result<()> {
    parsimony::linalg::set_threads(1);
    let cfg = TruthConfig {
        samples: 100,
        every: 1000,
        ..TruthConfig::paper()
    };
    let t = Instant::now();
    let samples = cfg.generate()?;
    println!(
        "# MEDIDA benchmarks: paper geometry (L = 100, N = 1024), {} samples ({} truth steps in {:.1} s)",
        samples.len(),
        cfg.first_step + 99 * cfg.every,
        t.elapsed().as_secs_f64()
    );
    std::fs::create_dir_all("target/bench_medida")?;
    let flat: Vec<f64> = samples
        .iter()
        .flat_map(|s| {
            s.u_prev2
                .iter()
                .chain(&s.u_prev1)
                .chain(&s.u_now)
                .copied()
                .collect::<Vec<_>>()
        })
        .collect();
    parsimony::io::write_npy(
        "target/bench_medida/samples.npy",
        &[samples.len(), 3, cfg.n],
        &flat,
    )?;
    println!("bench,what,seconds,detail");
    let lambda = [0.0, 1.0, 1.0, 0.0]; // case KS1
    let mut model = Cnab2::new(cfg.model_params(lambda))?;
    for (name, d) in [
        ("spectral", Derivatives::Spectral),
        ("fd", Derivatives::FiniteDifference),
    ] {
        let lib = Library::new(4, 4, d)?;
        let secs = median_time(5, || {
            regression(&mut model, &samples, &lib).unwrap();
        });
        println!("B4,regression_build_{name},{secs:.6e},102400x24 (forecasts + targets + library)");
    }
    let lib = Library::default();
    let (phi, y) = regression(&mut model, &samples, &lib)?;
    let params = RvmParams::medida_ks();
    let mut fit = None;
    let secs = median_time(5, || fit = Some(rvm_fit(&phi, &y, &params).unwrap()));
    let fit = fit.expect("ran");
    let support: Vec<String> = fit
        .support
        .iter()
        .map(|&j| format!("{}={:.9}", lib.terms()[j].label(), fit.weights[j]))
        .collect();
    println!(
        "B5,rvm_em_fit,{secs:.6e},{} iterations; support {}",
        fit.info.iterations,
        support.join(" ")
    );
    // the same regression by its moments: forecasts + targets + library moments, then the RVM
    // from the moments (no stacked matrix)
    let secs = median_time(5, || {
        regression_moments(&mut model, &samples, &lib).unwrap();
    });
    println!("B4,regression_moments_spectral,{secs:.6e},forecasts + targets + library moments");
    let mut mfit = None;
    let secs = median_time(5, || {
        let m = regression_moments(&mut model, &samples, &lib).unwrap();
        mfit = rvm_fit_moments(&m, &params).unwrap();
    });
    let mfit = mfit.expect("the moments suffice for KS1");
    let support: Vec<String> = mfit
        .support
        .iter()
        .map(|&j| format!("{}={:.9}", lib.terms()[j].label(), mfit.weights[j]))
        .collect();
    println!(
        "B4+B5,moments_and_rvm_fit,{secs:.6e},{} iterations; support {}",
        mfit.info.iterations,
        support.join(" ")
    );
    // the library moments and the fit only, the targets computed beforehand
    let n = cfg.n;
    let targets: Vec<Vec<f64>> = samples
        .iter()
        .map(|s| {
            let mut f = vec![0.0; n];
            model.step(&s.u_prev2, &s.u_prev1, &mut f)?;
            let h = model.params().dt;
            Ok(s.u_now.iter().zip(&f).map(|(a, b)| (a - b) / h).collect())
        })
        .collect::<parsimony::Result<_>>()?;
    let mut lfit = None;
    let secs = median_time(5, || {
        let mut acc = LibraryMoments::new(&lib, n).unwrap();
        for (s, y) in samples.iter().zip(&targets) {
            acc.push(&s.u_now, y, model.grid_mut()).unwrap();
        }
        lfit = rvm_fit_moments(&acc.moments().unwrap(), &params).unwrap();
    });
    let lfit = lfit.expect("the moments suffice for KS1");
    println!(
        "B4+B5,library_moments_and_rvm_fit,{secs:.6e},targets computed beforehand; weight {:.9}",
        lfit.weights[lfit.support[0]]
    );
    let secs = median_time(5, || {
        let (phi, y) = regression(&mut model, &samples, &lib).unwrap();
        rvm_fit(&phi, &y, &params).unwrap();
    });
    println!("B4+B5,rows_and_rvm_fit,{secs:.6e},stacked 102400x24 matrix, then the RVM");
    let medida = MedidaParams::new(Target::Plain).build()?;
    // the problem (a copy of the model, the samples checked) inside the timing, as the old
    // `discover` checked the samples as it went
    let secs = median_time(5, || {
        let problem = MedidaProblem::new(model.clone(), &samples).unwrap();
        medida.solve(&problem).unwrap();
    });
    println!("B4+B5,medida_discover_total,{secs:.6e},spectral library, plain target");
    // two threads on one core (a pinned run) would only fight over it
    if std::thread::available_parallelism().is_ok_and(|p| p.get() > 1) {
        parsimony::linalg::set_threads(2);
        let secs = median_time(5, || {
            let problem = MedidaProblem::new(model.clone(), &samples).unwrap();
            medida.solve(&problem).unwrap();
        });
        parsimony::linalg::set_threads(1);
        println!(
            "B4+B5,medida_discover_total_threads2,{secs:.6e},spectral library, plain target, samples split between 2 threads"
        );
    }

    if std::env::args().any(|a| a == "--regression-only") {
        return Ok(());
    }
    // EnKF: F = u(t) + 0.25 ξ, w = u(t), σ = 0.01
    let u = &samples[0].u_now;
    for threads in [1usize, 2] {
        parsimony::linalg::set_threads(threads);
        for ne in [1024usize, 10_240] {
            let mut rng = seeded_rng(0);
            let f = DMatrix::from_fn(cfg.n, ne, |i, _| {
                let z: f64 = StandardNormal.sample(&mut rng);
                u[i] + 0.25 * z
            });
            for (what, keep) in [("mean", false), ("members", true)] {
                let p = EnkfParams::new(0.01).keep_members(keep);
                let secs = median_time(3, || {
                    enkf_analysis(&f, u, &p, &mut seeded_rng(1)).unwrap();
                });
                println!(
                    "EnKF,analysis_{what}_ne{ne}_threads{threads},{secs:.6e},N = 1024, stochastic"
                );
            }
        }
    }
    Ok(())
}
