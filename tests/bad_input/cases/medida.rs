//! parsimony-medida: the spectral grid, the KS solvers (ETDRK4, CNAB2), libraries and their
//! moments, the EnKF, MEDIDA, PDE discovery and the truth generator.

use super::{HUGE, NON_FINITE};
use crate::verdict::{Case, add, all, either, finite, finite_or_err, must_fail, ok_if};
use nalgebra::DMatrix;
use parsimony::C64;
use parsimony::medida::cases::TruthConfig;
use parsimony::medida::cnab2::{Cnab2, Cnab2Run};
use parsimony::medida::enkf::{EnkfParams, EnkfProblem, enkf_analysis};
use parsimony::medida::ks::{CoefficientMethod, Ks, KsParams, KsRun, etdrk4_coefficients};
use parsimony::medida::library::{Derivatives, Library, Term, finite_difference};
use parsimony::medida::library_moments::LibraryMoments;
use parsimony::medida::model_error::{MedidaParams, MedidaProblem, NoisyConfig, Sample, Target};
use parsimony::medida::pde_discovery::{PdeData, PdeDiscoveryParams, discover_pde};
use parsimony::medida::spectral::{Nyquist, SpectralGrid};
use parsimony::random::seeded_rng;

const N: usize = 32;
const L: f64 = 32.0 * std::f64::consts::PI;

fn ks() -> KsParams {
    KsParams::default().n(N).length(L).dt(0.25)
}

fn wave(shift: f64) -> Vec<f64> {
    (0..N)
        .map(|j| {
            let x = j as f64 * L / N as f64;
            (x / 16.0 + shift).cos() * (1.0 + (x / 16.0).sin())
        })
        .collect()
}

fn grid() -> SpectralGrid {
    SpectralGrid::new(N, L, Nyquist::Zero).unwrap()
}

/// A short KS field (N × T) from the default solver.
fn field(t: usize) -> DMatrix<f64> {
    let mut s = Ks::new(ks()).unwrap();
    s.solve(&KsRun::new(wave(0.0), t as u64 - 1, 1).unwrap())
        .unwrap()
        .states
}

fn samples(k: usize, u: impl Fn(usize) -> Vec<f64>) -> Vec<Sample> {
    (0..k)
        .map(|i| Sample {
            u_prev2: u(3 * i),
            u_prev1: u(3 * i + 1),
            u_now: u(3 * i + 2),
        })
        .collect()
}

fn medida_verdict(
    r: parsimony::Result<parsimony::medida::model_error::ModelErrorFit>,
) -> crate::verdict::Verdict {
    either(r, |fit| {
        let mut numbers = vec![fit.target_std, fit.tendency_std];
        numbers.extend(fit.terms.iter().flat_map(|t| [t.coefficient, t.std]));
        if let Some(f) = &fit.fit {
            numbers.extend([f.beta, f.noise_variance]);
        }
        all([
            finite(&numbers),
            ok_if(
                !(fit.significant && fit.terms.is_empty()),
                "significant with no terms",
            ),
        ])
    })
}

pub fn cases(v: &mut Vec<Case>) {
    sizes(v);
    non_finite(v);
    degenerate(v);
    fields(v);
}

fn sizes(v: &mut Vec<Case>) {
    for (name, n) in HUGE {
        add(v, 1, format!("medida/spectral_grid/n_{name}"), move || {
            must_fail(SpectralGrid::new(n, L, Nyquist::Zero))
        });
        add(v, 1, format!("medida/ks/n_{name}"), move || {
            must_fail(Ks::new(ks().n(n)))
        });
        add(v, 1, format!("medida/cnab2/n_{name}"), move || {
            must_fail(Cnab2::new(ks().n(n)))
        });
        add(
            v,
            1,
            format!("medida/library/max_derivative_{name}"),
            move || {
                either(Library::new(n, 2, Derivatives::Spectral), |lib| {
                    let mut g = grid();
                    must_fail(lib.evaluate(&wave(0.0), &mut g))
                })
            },
        );
        add(
            v,
            1,
            format!("medida/library_evaluate_into/row0_{name}"),
            move || {
                let lib = Library::new(2, 2, Derivatives::Spectral).unwrap();
                let mut g = grid();
                let mut out = DMatrix::zeros(N, lib.len());
                must_fail(lib.evaluate_into(&wave(0.0), &mut g, &mut out, n))
            },
        );
        add(
            v,
            1,
            format!("medida/finite_difference/order_{name}"),
            move || {
                let mut out = vec![0.0; N];
                must_fail(finite_difference(&wave(0.0), L / N as f64, n, &mut out))
            },
        );
        add(
            v,
            1,
            format!("medida/spectral_derivative/order_{name}"),
            move || {
                let mut out = vec![0.0; N];
                finite_or_err(
                    grid().derivative(&wave(0.0), n, &mut out).map(|_| out),
                    |o| o.clone(),
                )
            },
        );
        add(
            v,
            1,
            format!("medida/noisy_medida/members_{name}"),
            move || {
                let model = Cnab2::new(ks()).unwrap();
                let s = samples(3, |i| wave(i as f64 * 0.01));
                let cfg = NoisyConfig {
                    members: Some(n),
                    ..NoisyConfig::default()
                };
                either(MedidaParams::new(Target::Plain).noisy(cfg).build(), |m| {
                    must_fail(m.solve(&MedidaProblem::new(model, &s).unwrap()))
                })
            },
        );
        add(v, 1, format!("medida/enkf_build/n_{name}"), move || {
            must_fail(EnkfParams::new(0.1).build(n))
        });
        add(
            v,
            1,
            format!("medida/truth_config/samples_{name}"),
            move || {
                must_fail(
                    TruthConfig {
                        samples: n,
                        ..TruthConfig::ci()
                    }
                    .build()
                    .and_then(|g| g.generate()),
                )
            },
        );
        add(v, 1, format!("medida/truth_config/n_{name}"), move || {
            must_fail(
                TruthConfig {
                    n,
                    ..TruthConfig::ci()
                }
                .build()
                .and_then(|g| g.generate()),
            )
        });
        add(
            v,
            1,
            format!("medida/library_moments/n_{name}"),
            move || {
                let lib = Library::new(2, 2, Derivatives::Spectral).unwrap();
                must_fail(LibraryMoments::new(&lib, n))
            },
        );
    }
    add(v, 1, "medida/library/max_power_huge", || {
        either(Library::new(1, u32::MAX, Derivatives::Spectral), |lib| {
            let mut g = grid();
            must_fail(lib.evaluate(&wave(0.0), &mut g))
        })
    });
    add(v, 1, "medida/ks_run/steps_u64_max_every_1", || {
        // u64::MAX snapshots cannot be stored: a typed error, never 0 snapshots or an abort
        let mut s = Ks::new(ks()).unwrap();
        must_fail(s.solve(&KsRun::new(wave(0.0), u64::MAX, 1).unwrap()))
    });
    add(v, 1, "medida/ks_run/every_zero", || {
        must_fail(KsRun::new(wave(0.0), 10, 0))
    });
    add(v, 1, "medida/ks/advance_batch_wrong_rows", || {
        let mut s = Ks::new(ks()).unwrap();
        let mut states = DMatrix::zeros(N + 1, 2);
        must_fail(s.advance_batch(&mut states, 1))
    });
    add(v, 1, "medida/ks/set_state_wrong_length", || {
        let mut s = Ks::new(ks()).unwrap();
        must_fail(s.set_state(&[1.0; 5]))
    });
    add(v, 1, "medida/spectral_forward/wrong_out", || {
        let mut out = vec![C64::new(0.0, 0.0); 3];
        must_fail(grid().forward(&wave(0.0), &mut out))
    });
    add(v, 1, "medida/enkf_problem/w_wrong_length", || {
        let f = DMatrix::from_element(N, 4, 1.0);
        either(EnkfProblem::new(&f, &[1.0; 3]), |p| {
            must_fail(
                EnkfParams::new(0.1)
                    .build(N)
                    .and_then(|e| e.solve(&p, &mut seeded_rng(1))),
            )
        })
    });
    add(v, 1, "medida/enkf/observe_out_of_range", || {
        let f = DMatrix::from_fn(N, 4, |i, j| (i + j) as f64);
        let w = vec![0.0; N];
        let p = EnkfParams::new(0.1).observe_points(vec![usize::MAX]);
        must_fail(enkf_analysis(&f, &w, &p, &mut seeded_rng(1)))
    });
    add(v, 1, "medida/pde_data/one_snapshot", || {
        must_fail(PdeData::new(&field(1), L, 0.25))
    });
    add(v, 1, "medida/cnab2_run/lengths_differ", || {
        must_fail(Cnab2Run::new(wave(0.0), vec![0.0; 3], 5))
    });
    add(v, 2, "medida/cnab2/steps_huge_blow_up_reported", || {
        // two inconsistent states: the run blows up, and must say so with a finite state
        let mut m = Cnab2::new(ks()).unwrap();
        either(
            m.solve(&Cnab2Run::new(wave(0.0), wave(0.01), usize::MAX).unwrap()),
            |s| {
                all([
                    finite(&s.state),
                    finite(&s.previous),
                    ok_if(
                        !s.info.converged,
                        "a run that stopped early is not converged",
                    ),
                ])
            },
        )
    });
}

fn non_finite(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("medida/ks_params/dt_{name}"), move || {
            must_fail(Ks::new(ks().dt(bad)))
        });
        add(v, 3, format!("medida/ks_params/length_{name}"), move || {
            must_fail(Ks::new(ks().length(bad)))
        });
        add(v, 3, format!("medida/ks_params/c2_{name}"), move || {
            must_fail(Ks::new(ks().c2(bad)))
        });
        add(v, 3, format!("medida/ks_run/u0_{name}"), move || {
            let mut u = wave(0.0);
            u[3] = bad;
            must_fail(KsRun::new(u, 4, 1))
        });
        add(v, 3, format!("medida/ks_set_state/u_{name}"), move || {
            let mut s = Ks::new(ks()).unwrap();
            let mut u = wave(0.0);
            u[0] = bad;
            must_fail(s.set_state(&u))
        });
        add(
            v,
            3,
            format!("medida/spectral_derivative/u_{name}"),
            move || {
                let mut u = wave(0.0);
                u[5] = bad;
                let mut out = vec![0.0; N];
                finite_or_err(grid().derivative(&u, 2, &mut out).map(|_| out), |o| {
                    o.clone()
                })
            },
        );
        add(
            v,
            3,
            format!("medida/spectral_grid/length_{name}"),
            move || must_fail(SpectralGrid::new(N, bad, Nyquist::Zero)),
        );
        add(v, 3, format!("medida/lowpass/k_{name}"), move || {
            let mut u = wave(0.0);
            either(grid().lowpass(&mut u, bad), |_| finite(&u))
        });
        add(
            v,
            3,
            format!("medida/library_evaluate/u_{name}"),
            move || {
                let lib = Library::new(3, 3, Derivatives::Spectral).unwrap();
                let mut u = wave(0.0);
                u[1] = bad;
                must_fail(lib.evaluate(&u, &mut grid()))
            },
        );
        add(
            v,
            3,
            format!("medida/finite_difference/dx_{name}"),
            move || {
                let mut out = vec![0.0; N];
                must_fail(finite_difference(&wave(0.0), bad, 2, &mut out))
            },
        );
        add(
            v,
            3,
            format!("medida/etdrk4_coefficients/h_{name}"),
            move || {
                must_fail(etdrk4_coefficients(
                    &[C64::new(-1.0, 0.0)],
                    bad,
                    CoefficientMethod::Exact,
                ))
            },
        );
        add(
            v,
            3,
            format!("medida/etdrk4_coefficients/symbol_{name}"),
            move || {
                must_fail(etdrk4_coefficients(
                    &[C64::new(bad, 0.0)],
                    0.25,
                    CoefficientMethod::Exact,
                ))
            },
        );
        add(v, 3, format!("medida/enkf/forecast_{name}"), move || {
            let mut f = DMatrix::from_fn(N, 4, |i, j| ((i * 3 + j) as f64).sin());
            f[(2, 1)] = bad;
            must_fail(enkf_analysis(
                &f,
                &wave(0.0),
                &EnkfParams::new(0.1),
                &mut seeded_rng(1),
            ))
        });
        add(v, 3, format!("medida/enkf/obs_std_{name}"), move || {
            must_fail(EnkfParams::new(bad).build(N))
        });
        add(v, 3, format!("medida/enkf/w_{name}"), move || {
            let f = DMatrix::from_fn(N, 4, |i, j| ((i * 3 + j) as f64).sin());
            let mut w = wave(0.0);
            w[0] = bad;
            must_fail(enkf_analysis(
                &f,
                &w,
                &EnkfParams::new(0.1),
                &mut seeded_rng(1),
            ))
        });
        add(v, 3, format!("medida/pde_discovery/u_{name}"), move || {
            let mut u = field(6);
            u[(4, 2)] = bad;
            must_fail(discover_pde(&u, L, 0.25, &PdeDiscoveryParams::new()))
        });
        add(v, 3, format!("medida/pde_discovery/dt_{name}"), move || {
            must_fail(discover_pde(&field(6), L, bad, &PdeDiscoveryParams::new()))
        });
        add(v, 3, format!("medida/medida/sample_{name}"), move || {
            let model = Cnab2::new(ks()).unwrap();
            let mut s = samples(3, |i| wave(i as f64 * 0.01));
            s[1].u_now[4] = bad;
            either(MedidaProblem::new(model, &s), |p| {
                medida_verdict(
                    MedidaParams::new(Target::Plain)
                        .build()
                        .and_then(|m| m.solve(&p)),
                )
            })
        });
        add(
            v,
            3,
            format!("medida/medida_params/gate_{name}"),
            move || must_fail(MedidaParams::new(Target::Plain).gate(bad).build()),
        );
        add(v, 3, format!("medida/cnab2_step/u_{name}"), move || {
            let mut m = Cnab2::new(ks()).unwrap();
            let mut u = wave(0.0);
            u[2] = bad;
            let mut out = vec![0.0; N];
            finite_or_err(m.step(&wave(0.01), &u, &mut out).map(|_| out), |o| {
                o.clone()
            })
        });
    }
    // finite input whose results overflow
    add(v, 3, "medida/etdrk4_coefficients/h_l_overflows", || {
        finite_or_err(
            etdrk4_coefficients(
                &[C64::new(1e300, 0.0), C64::new(-1.0, 0.0)],
                1e10,
                CoefficientMethod::Exact,
            ),
            |c| {
                format!("{c:?}")
                    .split(|ch: char| !(ch.is_ascii_digit() || ".-+eEinfNa".contains(ch)))
                    .filter_map(|s| s.parse::<f64>().ok())
                    .collect()
            },
        )
    });
    add(
        v,
        3,
        "medida/etdrk4_coefficients/contour_h_l_overflows",
        || {
            let m = CoefficientMethod::Contour { points: 16 };
            finite_or_err(etdrk4_coefficients(&[C64::new(1e300, 0.0)], 1e10, m), |c| {
                format!("{c:?}")
                    .split(|ch: char| !(ch.is_ascii_digit() || ".-+eEinfNa".contains(ch)))
                    .filter_map(|s| s.parse::<f64>().ok())
                    .collect()
            })
        },
    );
    add(v, 3, "medida/library_evaluate/power_overflows", || {
        let lib = Library::new(1, 4, Derivatives::Spectral).unwrap();
        let u: Vec<f64> = wave(0.0).iter().map(|x| x * 1e100).collect();
        finite_or_err(lib.evaluate(&u, &mut grid()), |m| m.as_slice().to_vec())
    });
    add(v, 3, "medida/spectral_derivative/order_8_of_1e300", || {
        let u: Vec<f64> = wave(0.0).iter().map(|x| x * 1e300).collect();
        let mut out = vec![0.0; N];
        finite_or_err(grid().derivative(&u, 8, &mut out).map(|_| out), |o| {
            o.clone()
        })
    });
    add(v, 3, "medida/ks/blow_up_reported", || {
        // an anti-diffusive, huge-amplitude start: NonFinite status or an error, never NaN snapshots
        let mut s = Ks::new(ks().c2(-50.0).c3(0.0)).unwrap();
        let u: Vec<f64> = wave(0.0).iter().map(|x| x * 1e150).collect();
        either(s.solve(&KsRun::new(u, 400, 1).unwrap()), |t| {
            finite(t.states.as_slice())
        })
    });
    add(v, 3, "medida/enkf/obs_std_huge", || {
        let f = DMatrix::from_fn(N, 4, |i, j| ((i * 3 + j) as f64).sin());
        finite_or_err(
            enkf_analysis(&f, &wave(0.0), &EnkfParams::new(1e300), &mut seeded_rng(1)),
            |a| a.mean.to_vec(),
        )
    });
}

fn degenerate(v: &mut Vec<Case>) {
    let model = || Cnab2::new(ks()).unwrap();
    for (name, u) in [
        ("zero", (|_| vec![0.0; N]) as fn(usize) -> Vec<f64>),
        ("constant", |_| vec![1.5; N]),
        ("same_snapshot", |_| wave(0.0)),
        ("tiny", |i| {
            wave(i as f64 * 0.01).iter().map(|x| x * 1e-200).collect()
        }),
    ] {
        add(v, 4, format!("medida/medida/samples_{name}"), move || {
            let s = samples(4, u);
            either(MedidaProblem::new(model(), &s), |p| {
                medida_verdict(
                    MedidaParams::new(Target::Plain)
                        .build()
                        .and_then(|m| m.solve(&p)),
                )
            })
        });
        add(
            v,
            4,
            format!("medida/medida_corrected/samples_{name}"),
            move || {
                let s = samples(4, u);
                either(MedidaProblem::new(model(), &s), |p| {
                    medida_verdict(
                        MedidaParams::new(Target::ResponseCorrected)
                            .build()
                            .and_then(|m| m.solve(&p)),
                    )
                })
            },
        );
        add(
            v,
            4,
            format!("medida/noisy_medida/samples_{name}"),
            move || {
                let s = samples(3, u);
                let cfg = NoisyConfig {
                    members: Some(8),
                    ..NoisyConfig::default()
                };
                either(MedidaProblem::new(model(), &s), |p| {
                    medida_verdict(
                        MedidaParams::new(Target::Plain)
                            .noisy(cfg)
                            .build()
                            .and_then(|m| m.solve(&p)),
                    )
                })
            },
        );
        add(
            v,
            4,
            format!("medida/pde_discovery/field_{name}"),
            move || {
                let u = DMatrix::from_fn(N, 6, |i, j| u(j)[i]);
                either(
                    discover_pde(&u, L, 0.25, &PdeDiscoveryParams::new()),
                    |fit| {
                        let mut numbers: Vec<f64> =
                            fit.terms.iter().flat_map(|t| [t.2, t.3]).collect();
                        numbers.extend([fit.fit.beta, fit.fit.noise_variance]);
                        finite(&numbers)
                    },
                )
            },
        );
        add(v, 4, format!("medida/enkf/forecast_{name}"), move || {
            let f = DMatrix::from_fn(N, 4, |i, j| u(j)[i]);
            finite_or_err(
                enkf_analysis(&f, &wave(0.0), &EnkfParams::new(0.1), &mut seeded_rng(1)),
                |a| a.mean.to_vec(),
            )
        });
    }
    add(v, 4, "medida/medida/no_samples", || {
        must_fail(MedidaProblem::new(Cnab2::new(ks()).unwrap(), &[]))
    });
    add(v, 4, "medida/enkf/one_member", || {
        let f = DMatrix::from_fn(N, 1, |i, _| wave(0.0)[i]);
        finite_or_err(
            enkf_analysis(&f, &wave(0.0), &EnkfParams::new(0.1), &mut seeded_rng(1)),
            |a| a.mean.to_vec(),
        )
    });
    add(v, 4, "medida/library/empty_terms", || {
        must_fail(Library::from_terms(vec![], Derivatives::Spectral))
    });
    add(v, 4, "medida/library/duplicate_terms", || {
        let t = Term::new(1, 1);
        either(
            Library::from_terms(vec![t, t], Derivatives::Spectral),
            |lib| ok_if(lib.len() == 1, "one copy kept"),
        )
    });
    add(v, 4, "medida/spectral_grid/one_point", || {
        either(SpectralGrid::new(1, L, Nyquist::Zero), |mut g| {
            let mut out = vec![0.0; 1];
            either(g.derivative(&[2.0], 1, &mut out), |_| {
                ok_if(out[0] == 0.0, "d/dx of a constant")
            })
        })
    });
    add(v, 4, "medida/spectral_grid/odd_n", || {
        either(SpectralGrid::new(7, L, Nyquist::Zero), |mut g| {
            let u = vec![1.0; 7];
            let mut out = vec![0.0; 7];
            either(g.derivative(&u, 2, &mut out), |_| {
                ok_if(
                    out.iter().all(|d| d.abs() < 1e-12),
                    "derivative of a constant",
                )
            })
        })
    });
}

/// Class 5: public fields that must agree.
fn fields(v: &mut Vec<Case>) {
    add(v, 5, "medida/medida/sample_lengths_differ", || {
        let mut s = samples(3, |i| wave(i as f64 * 0.01));
        s[2].u_prev2.pop();
        must_fail(
            MedidaProblem::new(Cnab2::new(ks()).unwrap(), &s).and_then(|p| {
                MedidaParams::new(Target::Plain)
                    .build()
                    .and_then(|m| m.solve(&p))
            }),
        )
    });
    add(v, 5, "medida/medida/sample_wrong_grid", || {
        let s = vec![Sample {
            u_prev2: vec![0.0; 8],
            u_prev1: vec![0.0; 8],
            u_now: vec![0.0; 8],
        }];
        must_fail(
            MedidaProblem::new(Cnab2::new(ks()).unwrap(), &s).and_then(|p| {
                MedidaParams::new(Target::Plain)
                    .build()
                    .and_then(|m| m.solve(&p))
            }),
        )
    });
    add(v, 5, "medida/ks_params/public_n_zero", || {
        let mut p = ks();
        p.n = 0;
        must_fail(Ks::new(p))
    });
    add(v, 5, "medida/ks_params/public_n_odd", || {
        let mut p = ks();
        p.n = 31;
        either(Ks::new(p), |mut s| {
            either(s.solve(&KsRun::new(vec![0.1; 31], 2, 1).unwrap()), |t| {
                finite(t.states.as_slice())
            })
        })
    });
    add(v, 5, "medida/truth_config/first_step_not_multiple", || {
        must_fail(
            TruthConfig {
                every: 0,
                ..TruthConfig::ci()
            }
            .build(),
        )
    });
    add(v, 5, "medida/enkf_params/public_inflation_nan", || {
        let mut p = EnkfParams::new(0.1);
        p.inflation = f64::NAN;
        must_fail(p.build(N))
    });
    add(v, 5, "medida/medida_params/public_lowpass_negative", || {
        let mut p = MedidaParams::new(Target::Plain);
        p.lowpass = Some(-1.0);
        must_fail(p.build())
    });
    add(v, 5, "medida/pde_params/library_without_derivative", || {
        let lib = Library::new(0, 2, Derivatives::Spectral);
        either(lib, |lib| {
            either(PdeDiscoveryParams::new().library(lib).build(), |p| {
                either(p.solve(&PdeData::new(&field(6), L, 0.25).unwrap()), |fit| {
                    finite(
                        &fit.terms
                            .iter()
                            .flat_map(|t| [t.2, t.3])
                            .collect::<Vec<_>>(),
                    )
                })
            })
        })
    });
}
