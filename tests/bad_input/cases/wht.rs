//! parsimony-wht: the transform's lengths, SPRIGHT's parameters, oracles that fail or return
//! non-finite values, budgets too small for one round, sizes against the index type, and the
//! interaction conversions.

use super::NON_FINITE;
use crate::verdict::{Case, add, all, either, finite, must_fail, ok_if};
use parsimony::wht::cases::{Amplitudes, sparse_spectrum, synthesise};
use parsimony::wht::interactions::{mobius, shapley};
use parsimony::wht::{
    FnOracle, Mode, Oracle, SliceOracle, SprightParams, Wide, fwht, sequency_order,
};

pub fn cases(v: &mut Vec<Case>) {
    transform_cases(v);
    parameter_cases(v);
    oracle_cases(v);
    interaction_cases(v);
}

fn transform_cases(v: &mut Vec<Case>) {
    for len in [0usize, 3, 12, 1000] {
        add(v, 1, format!("wht/fwht/length_{len}"), move || {
            must_fail(fwht(&mut vec![1.0f64; len]))
        });
    }
    add(v, 1, "wht/sequency_order/length_5", || {
        must_fail(sequency_order(&[1.0; 5]))
    });
    add(v, 1, "wht/slice_oracle/length_1", || {
        must_fail(SliceOracle::new(&[1.0]))
    });
    add(v, 1, "wht/slice_oracle/length_6", || {
        must_fail(SliceOracle::new(&[1.0; 6]))
    });
    // a NaN in the signal is the caller's value: the transform carries it, it does not panic
    add(v, 3, "wht/fwht/nan_sample", || {
        let mut x = vec![1.0, f64::NAN, 0.0, 2.0];
        either(fwht(&mut x), |()| {
            ok_if(x.iter().all(|v| v.is_nan()), "NaN spreads to every output")
        })
    });
}

fn parameter_cases(v: &mut Vec<Case>) {
    add(v, 4, "wht/spright/k_0", || {
        must_fail(SprightParams::new(0).build())
    });
    add(v, 4, "wht/spright/budget_0", || {
        must_fail(SprightParams::with_budget(0).build())
    });
    add(v, 4, "wht/spright/chains_0", || {
        must_fail(
            SprightParams::new(4)
                .mode(Mode::Robust { chains: Some(0) })
                .build(),
        )
    });
    add(v, 4, "wht/spright/t_0", || {
        must_fail(SprightParams::new(4).mode(Mode::LowDegree { t: 0 }).build())
    });
    add(v, 4, "wht/spright/bins_log2_0", || {
        must_fail(SprightParams::new(4).bins_log2(0).build())
    });
    add(v, 4, "wht/spright/max_rounds_0", || {
        must_fail(SprightParams::new(4).max_rounds(0).build())
    });
    for (name, bad) in NON_FINITE
        .into_iter()
        .chain([("zero", 0.0), ("negative", -1.0)])
    {
        add(v, 3, format!("wht/spright/noise_sd_{name}"), move || {
            must_fail(SprightParams::new(4).noise_sd(bad).build())
        });
        add(
            v,
            3,
            format!("wht/spright/min_amplitude_{name}"),
            move || must_fail(SprightParams::new(4).min_amplitude(bad).build()),
        );
    }
    add(v, 3, "wht/spright/snr_nan", || {
        must_fail(SprightParams::new(4).snr_db(f64::NAN).build())
    });
    // K beyond N, b beyond n, windows that miss a bit, a budget too small for one round
    let x = synthesise(6, &[(5, 1.0)]).unwrap();
    let x2 = x.clone();
    add(v, 1, "wht/spright/k_above_n", move || {
        either(SprightParams::new(65).build(), |s| {
            must_fail(s.recover(&mut SliceOracle::new(&x2).unwrap()))
        })
    });
    let x2 = x.clone();
    add(v, 1, "wht/spright/b_above_n", move || {
        either(SprightParams::new(4).bins_log2(7).build(), |s| {
            must_fail(s.recover(&mut SliceOracle::new(&x2).unwrap()))
        })
    });
    let x2 = x.clone();
    add(v, 4, "wht/spright/windows_miss_a_bit", move || {
        let w = vec![vec![0, 1], vec![2, 3], vec![0, 2]];
        either(SprightParams::new(4).windows(w).build(), |s| {
            must_fail(s.recover(&mut SliceOracle::new(&x2).unwrap()))
        })
    });
    let x2 = x.clone();
    add(v, 4, "wht/spright/windows_repeat_a_bit", move || {
        let w = vec![vec![0, 0], vec![2, 3], vec![4, 5]];
        either(SprightParams::new(4).windows(w).build(), |s| {
            must_fail(s.recover(&mut SliceOracle::new(&x2).unwrap()))
        })
    });
    let x2 = x.clone();
    add(v, 4, "wht/spright/budget_too_small", move || {
        either(SprightParams::with_budget(10).build(), |s| {
            must_fail(s.recover(&mut SliceOracle::new(&x2).unwrap()))
        })
    });
    // t too large for the field of n = 3 (2t ≤ 7)
    add(v, 4, "wht/spright/t_too_large", || {
        either(
            SprightParams::new(2).mode(Mode::LowDegree { t: 4 }).build(),
            |s| {
                let mut o = FnOracle::new(3, |_: u64| 1.0).unwrap();
                must_fail(s.recover(&mut o))
            },
        )
    });
}

/// An oracle that fails on its second batch.
struct Failing {
    batches: usize,
}

impl Oracle<u64> for Failing {
    fn n_bits(&self) -> usize {
        10
    }
    fn query(&mut self, idx: &[u64], out: &mut [f64]) -> parsimony::Result<()> {
        self.batches += 1;
        if self.batches > 1 {
            return Err(parsimony::Error::invalid(
                "oracle",
                "the model server is down",
            ));
        }
        for (o, &m) in out.iter_mut().zip(idx) {
            *o = (m % 3) as f64;
        }
        Ok(())
    }
}

/// An oracle that claims a number of bits the index type cannot hold.
struct TooWide;

impl Oracle<u64> for TooWide {
    fn n_bits(&self) -> usize {
        64
    }
    fn query(&mut self, _: &[u64], out: &mut [f64]) -> parsimony::Result<()> {
        out.fill(0.0);
        Ok(())
    }
}

fn oracle_cases(v: &mut Vec<Case>) {
    for n in [0usize, 64, 1000] {
        add(v, 1, format!("wht/fn_oracle/n_{n}"), move || {
            must_fail(FnOracle::new(n, |_: u64| 0.0))
        });
    }
    add(v, 1, "wht/fn_oracle/wide_n_256", || {
        must_fail(FnOracle::new(256, |_: Wide<4>| 0.0))
    });
    add(v, 1, "wht/spright/oracle_n_64", || {
        either(SprightParams::new(4).build(), |s| {
            must_fail(s.recover(&mut TooWide))
        })
    });
    for (name, bad) in NON_FINITE {
        add(
            v,
            3,
            format!("wht/spright/oracle_returns_{name}"),
            move || {
                either(SprightParams::new(4).build(), |s| {
                    let mut o = FnOracle::new(10, |m: u64| if m == 5 { bad } else { 1.0 }).unwrap();
                    must_fail(s.recover(&mut o))
                })
            },
        );
    }
    add(v, 4, "wht/spright/oracle_error", || {
        either(SprightParams::new(4).build(), |s| {
            must_fail(s.recover(&mut Failing { batches: 0 }))
        })
    });
    // not sparse at all: must end (round cap or stall) and report unresolved bins
    add(v, 2, "wht/spright/dense_signal_terminates", || {
        let x: Vec<f64> = (0..1 << 12).map(|m| ((m * 7919) % 101) as f64).collect();
        either(SprightParams::new(8).build(), |s| {
            either(s.recover(&mut SliceOracle::new(&x).unwrap()), |sol| {
                all([
                    ok_if(
                        sol.report.unresolved_bins > 0 && !sol.info.converged,
                        "a dense signal leaves unresolved bins",
                    ),
                    finite(&sol.coefficients.iter().map(|e| e.1).collect::<Vec<_>>()),
                ])
            })
        })
    });
    // pure noise in the robust mode: ends, finite
    add(v, 2, "wht/spright/pure_noise_terminates", || {
        let mut o = FnOracle::new(16, |m: u64| parsimony::wht::cases::noise(3, m, 1.0)).unwrap();
        either(
            SprightParams::new(20)
                .mode(Mode::Robust { chains: Some(2) })
                .build(),
            |s| {
                either(s.recover(&mut o), |sol| {
                    finite(&sol.coefficients.iter().map(|e| e.1).collect::<Vec<_>>())
                })
            },
        )
    });
}

fn interaction_cases(v: &mut Vec<Case>) {
    add(v, 1, "wht/shapley/index_beyond_n", || {
        must_fail(shapley(&[(1u64 << 9, 1.0)], 5))
    });
    add(v, 1, "wht/shapley/n_0", || {
        must_fail(shapley::<u64>(&[], 0))
    });
    add(v, 1, "wht/mobius/too_many_subsets", || {
        let spec: Vec<(Wide<4>, f64)> = (0..200)
            .map(|i| {
                let ones: Vec<usize> = (0..40).map(|t| (i + 3 * t) % 250).collect();
                (parsimony::wht::BitIndex::from_ones(&ones), 1.0)
            })
            .collect();
        must_fail(mobius(&spec, 40))
    });
    add(v, 1, "wht/sparse_spectrum/k_above_n", || {
        must_fail(sparse_spectrum(3, 9, 1, Amplitudes::PlusMinusOne))
    });
    add(v, 1, "wht/synthesise/n_64", || {
        must_fail(synthesise(64, &[]))
    });
}
