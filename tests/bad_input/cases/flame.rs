//! parsimony-flame: the Case 1 model, the finite-difference reference (Newton, Richardson),
//! shooting, the physics kernels, observations, the tanh MLP, the PINN losses and training,
//! and the classical inverse.

use super::{HUGE, NON_FINITE};
use crate::verdict::{Case, Verdict, add, all, either, finite, finite_or_err, must_fail, ok_if};
use parsimony::flame::data::{DataWeights, Observations, Profile, uniform_points};
use parsimony::flame::inverse_fd::{FdInverse, FdInverseParams, FdInverseProblem, fit_fd_inverse};
use parsimony::flame::loss::{Case1Loss, LossParts, Problem, WarmupLoss};
use parsimony::flame::mlp::{Mlp, MlpWorkspace};
use parsimony::flame::model::FlameModel;
use parsimony::flame::physics::{Case1Physics, RateSlices};
use parsimony::flame::reference::{
    FdProblem, FdSolution, NewtonParams, solve_fd, solve_fd_richardson,
};
use parsimony::flame::shooting::{
    Outcome, ShootingParams, ShootingSolution, flame_speed_shooting, shoot,
};
use parsimony::flame::train::{PinnParams, PinnProblem, PinnSolution};
use parsimony::simd::Precision;
use parsimony::solve::{SolveInfo, Status};

/// Network inputs x̂, none at 0 (so that a poisoned first-layer weight reaches every point).
const XHAT: [f64; 4] = [0.5, 1.0, 2.0, 7.5];

pub fn cases(v: &mut Vec<Case>) {
    model_cases(v);
    reference_cases(v);
    shooting_cases(v);
    physics_cases(v);
    data_cases(v);
    mlp_cases(v);
    loss_cases(v);
    train_cases(v);
    inverse_cases(v);
}

/// `FlameModel::validate`: every field, and the quantities derived from them.
fn model_cases(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(
            v,
            3,
            format!("flame/model_validate/t_in_{name}"),
            move || must_fail(FlameModel::new(bad, 101_325.0, 0.4).validate()),
        );
    }
    add(v, 3, "flame/model_validate/inlet_gradient_inf", || {
        let m = FlameModel {
            inlet_gradient: f64::INFINITY,
            ..FlameModel::default()
        };
        must_fail(m.validate())
    });
    add(v, 4, "flame/model_validate/length_zero", || {
        let m = FlameModel {
            length: 0.0,
            ..FlameModel::default()
        };
        must_fail(m.validate())
    });
    // every field finite and positive, but T_max, ρ_in or R_g overflows
    let overflowing = [
        ("t_max_overflows", hot_model()),
        (
            "rho_in_overflows",
            FlameModel {
                p_in: 1e308,
                t_in: 1e-300,
                ..FlameModel::default()
            },
        ),
        (
            "gas_constant_overflows",
            FlameModel {
                molar_mass: 1e-320,
                ..FlameModel::default()
            },
        ),
    ];
    for (name, m) in overflowing {
        add(v, 3, format!("flame/model_validate/{name}"), move || {
            either(m.validate(), |()| {
                ok_if(
                    [m.t_max(), m.rho_in(), m.gas_constant()]
                        .iter()
                        .all(|x| x.is_finite()),
                    format!(
                        "accepted a model with T_max = {}, ρ_in = {}, R_g = {}",
                        m.t_max(),
                        m.rho_in(),
                        m.gas_constant()
                    ),
                )
            })
        });
    }
}

/// `FdProblem::new`, `NewtonParams::build`, `FdSolver::solve` (through `solve_fd`),
/// `solve_fd_richardson`, and `FdSolution`'s public fields.
fn reference_cases(v: &mut Vec<Case>) {
    for (name, n) in HUGE {
        add(
            v,
            1,
            format!("flame/fd_solve/intervals_{name}"),
            move || {
                must_fail(solve_fd(
                    &FlameModel::default(),
                    n,
                    &NewtonParams::default(),
                ))
            },
        );
    }
    add(v, 3, "flame/newton_params/tol_nan", || {
        must_fail(NewtonParams::default().tol(f64::NAN).build())
    });
    add(v, 2, "flame/fd_solve/tol_1e-300_max_iter_huge", || {
        // below the spacing of doubles: only a stall (or an exact zero step) ends the run
        let p = NewtonParams::default().tol(1e-300).max_iter(usize::MAX);
        either(solve_fd(&FlameModel::default(), 100, &p), |s| fd_ok(&s))
    });
    for (name, speed) in [("1e300", 1e300), ("1e-300", 1e-300)] {
        add(
            v,
            3,
            format!("flame/fd_solve/initial_speed_{name}"),
            move || {
                let p = NewtonParams::default().initial_speed(speed);
                either(solve_fd(&FlameModel::default(), 100, &p), |s| fd_ok(&s))
            },
        );
    }
    add(v, 3, "flame/fd_solve/initial_width_1e-300", || {
        let p = NewtonParams::default().initial_profile(0.45e-3, 1e-300);
        either(solve_fd(&FlameModel::default(), 100, &p), |s| fd_ok(&s))
    });
    add(v, 3, "flame/fd_solve/t_max_overflows", || {
        either(solve_fd(&hot_model(), 100, &NewtonParams::default()), |s| {
            fd_ok(&s)
        })
    });
    add(v, 4, "flame/fd_solve/length_1e-300", || {
        let m = FlameModel {
            length: 1e-300,
            ..FlameModel::default()
        };
        let r = FdProblem::new(&m, 100).and_then(|p| NewtonParams::default().build()?.solve(&p));
        either(r, |s| fd_ok(&s))
    });
    add(v, 4, "flame/fd_solve/four_intervals", || {
        either(
            solve_fd(&FlameModel::default(), 4, &NewtonParams::default()),
            |s| fd_ok(&s),
        )
    });
    add(v, 4, "flame/fd_solve/inlet_temperature", || {
        let m = FlameModel::default();
        either(solve_fd(&m, 100, &NewtonParams::default()), |s| {
            let t0 = s.temperature_at(0.0);
            let right = t0
                .as_ref()
                .is_ok_and(|t| !s.info.converged || (t - m.t_in).abs() <= 1e-9 * m.t_in);
            all([
                fd_ok(&s),
                ok_if(right, format!("T(0) = {t0:?}, T_in = {}", m.t_in)),
            ])
        })
    });
    add(v, 2, "flame/fd_richardson/fifty_intervals", || {
        let r = solve_fd_richardson(&FlameModel::default(), 50, &NewtonParams::default());
        either(r, |(s, fine)| {
            all([
                fd_ok(&fine),
                ok_if(s.is_finite() && s > 0.0, format!("extrapolated s_L = {s}")),
            ])
        })
    });
    // FdSolution has public fields: temperature_at must not trust them
    add(v, 5, "flame/fd_temperature_at/fields_empty", || {
        must_fail(fd_solution(vec![], vec![]).temperature_at(0.0))
    });
    add(v, 5, "flame/fd_temperature_at/one_point", || {
        either(
            fd_solution(vec![0.0], vec![300.0]).temperature_at(0.0),
            |t| ok_if(t == 300.0, format!("T = {t} at the only point (300 K)")),
        )
    });
    add(v, 5, "flame/fd_temperature_at/t_shorter_than_x", || {
        let l = FlameModel::default().length;
        let fd = fd_solution(uniform_points(l, 5).unwrap(), vec![300.0, 400.0, 500.0]);
        must_fail(fd.temperature_at(l))
    });
    add(v, 5, "flame/fd_temperature_at/non_uniform_grid", || {
        // T = 300 K + 10⁶ K/m · x: linear interpolation is exact on any grid
        let x = vec![0.0, 0.9e-3, 1.0e-3, 1.5e-3];
        let t = x.iter().map(|x| 300.0 + 1e6 * x).collect();
        either(fd_solution(x, t).temperature_at(0.5e-3), |t| {
            ok_if(
                (t - 800.0).abs() < 1e-9,
                format!("T(0.5 mm) = {t}, not 800 K"),
            )
        })
    });
    add(v, 5, "flame/fd_temperature_at/t_nan", || {
        let l = FlameModel::default().length;
        let t = vec![300.0, f64::NAN, 500.0, 600.0, 700.0];
        let fd = fd_solution(uniform_points(l, 5).unwrap(), t);
        finite_or_err(fd.temperature_at(l / 8.0), |t| vec![*t])
    });
    add(v, 4, "flame/fd_temperature_at/zero_width_grid", || {
        let fd = fd_solution(vec![1e-3, 1e-3], vec![300.0, 400.0]);
        finite_or_err(fd.temperature_at(1e-3), |t| vec![*t])
    });
    add(v, 3, "flame/fd_temperature_at/x_nan", || {
        must_fail(profile(100).temperature_at(f64::NAN))
    });
    add(v, 1, "flame/fd_temperature_at/x_outside", || {
        must_fail(profile(100).temperature_at(-1e-3))
    });
    add(v, 4, "flame/fd_temperature_at/grid_ends", || {
        let fd = profile(100);
        let l = FlameModel::default().length;
        let (t0, tn) = (fd.t[0], fd.t[100]);
        let first = fd.temperature_at(0.0).is_ok_and(|t| t == t0);
        let last = fd
            .temperature_at(l)
            .is_ok_and(|t| (t - tn).abs() <= 1e-12 * tn);
        ok_if(
            first && last,
            "T at the ends of the grid are its end values",
        )
    });
    add(v, 3, "flame/fd_position_of/level_nan", || {
        ok_if(
            profile(100).position_of(f64::NAN).is_none(),
            "a NaN level is reached nowhere",
        )
    });
}

/// `ShootingParams::build`, `Shooting::solve`, `flame_speed_shooting`, `shoot`.
fn shooting_cases(v: &mut Vec<Case>) {
    add(v, 3, "flame/shooting_params/tol_nan", || {
        must_fail(fast().tol(f64::NAN).build())
    });
    add(v, 2, "flame/shooting_params/tol_zero", || {
        must_fail(fast().tol(0.0).build())
    });
    add(v, 2, "flame/shooting_params/dx_1e-300", || {
        must_fail(fast().dx(1e-300).build())
    });
    add(v, 3, "flame/shooting_params/bracket_nan", || {
        must_fail(fast().bracket(f64::NAN, 1.0).build())
    });
    add(
        v,
        2,
        "flame/shooting_solve/tol_below_double_spacing",
        || {
            // the bracket cannot narrow below one ulp of s_L (~6e-17 m/s); x_end long enough
            // that every trial is decided
            let p = fast().tol(1e-300).x_end(1e-2).max_trials(usize::MAX);
            either(p.build(), |s| {
                either(s.solve(&FlameModel::default()), |s| shooting_ok(&s))
            })
        },
    );
    add(
        v,
        2,
        "flame/shooting_solve/tol_below_double_spacing_bounded",
        || {
            let p = fast().tol(1e-300).x_end(1e-2).max_trials(70);
            either(p.build(), |s| {
                either(s.solve(&FlameModel::default()), |s| {
                    all([
                        shooting_ok(&s),
                        ok_if(!s.info.converged, "converged to a bracket below one ulp"),
                    ])
                })
            })
        },
    );
    add(v, 2, "flame/shooting_solve/max_trials_huge", || {
        let p = fast().tol(1e-4).max_trials(usize::MAX);
        either(flame_speed_shooting(&FlameModel::default(), &p), |s| {
            all([
                shooting_ok(&s),
                ok_if(
                    s.info.converged || s.info.status == Status::Stalled,
                    format!("{:?} with an unbounded trial budget", s.info.status),
                ),
            ])
        })
    });
    add(v, 3, "flame/flame_speed_shooting/model_nan", || {
        let m = FlameModel {
            conductivity: f64::NAN,
            ..FlameModel::default()
        };
        must_fail(flame_speed_shooting(&m, &fast()))
    });
    add(
        v,
        4,
        "flame/flame_speed_shooting/bracket_misses_s_l",
        || {
            // both ends blow out
            must_fail(flame_speed_shooting(
                &FlameModel::default(),
                &fast().bracket(5.0, 10.0),
            ))
        },
    );
    add(v, 3, "flame/shoot/s_nan", || {
        must_fail(shoot(&FlameModel::default(), f64::NAN, &fast()))
    });
    add(v, 4, "flame/shoot/s_zero", || {
        must_fail(shoot(&FlameModel::default(), 0.0, &fast()))
    });
    add(v, 3, "flame/shoot/s_1e300", || {
        either(shoot(&FlameModel::default(), 1e300, &fast()), |o| {
            ok_if(o == Outcome::BlowOut, format!("{o:?} for s_L = 1e300 m/s"))
        })
    });
}

/// `Case1Physics::rates` and `Case1Physics::velocities`.
fn physics_cases(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("flame/physics_rates/t_{name}"), move || {
            // no rate is right at a non-finite temperature
            must_fail(rates(&phys(), &[300.0, bad, 2000.0]))
        });
        add(
            v,
            3,
            format!("flame/physics_velocities/t_{name}"),
            move || finite_or_err(velocities(&phys(), &[300.0, bad, 2000.0]), |u| u.clone()),
        );
    }
    add(v, 3, "flame/physics_rates/t_1e-300", || {
        finite_or_err(rates(&phys(), &[1e-300, 300.0]), |r| r.clone())
    });
    add(v, 3, "flame/physics_velocities/t_1e308", || {
        finite_or_err(velocities(&phys(), &[300.0, 1e308]), |u| u.clone())
    });
    add(v, 3, "flame/physics_velocities/s_nan", || {
        let p = Case1Physics::new(&FlameModel::default(), f64::NAN);
        finite_or_err(velocities(&p, &[300.0, 2000.0]), |u| u.clone())
    });
    add(v, 1, "flame/physics_rates/omega_short", || {
        let t = [300.0, 1000.0, 2000.0];
        let (mut omega, mut d_t, mut d_s) = ([0.0; 2], [0.0; 3], [0.0; 3]);
        must_fail(phys().rates(
            &t,
            RateSlices {
                omega: &mut omega,
                d_t: &mut d_t,
                d_s: &mut d_s,
            },
        ))
    });
    add(v, 1, "flame/physics_velocities/d_s_long", || {
        let t = [300.0, 1000.0];
        let (mut u, mut d_t, mut d_s) = ([0.0; 2], [0.0; 2], [0.0; 5]);
        must_fail(phys().velocities(&t, &mut u, &mut d_t, &mut d_s))
    });
    add(v, 4, "flame/physics_rates/no_points", || {
        either(rates(&phys(), &[]), |r| {
            ok_if(r.is_empty(), "no points, no rates")
        })
    });
}

/// `Observations::synthetic`, `Observations::validate`, `uniform_points`.
fn data_cases(v: &mut Vec<Case>) {
    for (name, n) in HUGE {
        add(
            v,
            1,
            format!("flame/observations_synthetic/n_{name}"),
            move || {
                must_fail(Observations::synthetic(
                    &FlameModel::default(),
                    &profile(100),
                    n,
                    0.01,
                    1,
                ))
            },
        );
    }
    add(v, 1, "flame/uniform_points/n_2^40", || {
        // 2^40 doubles (8 TiB) are beyond any budget
        must_fail(uniform_points(1.5e-3, 1 << 40))
    });
    add(v, 4, "flame/uniform_points/zero_and_one_points", || {
        ok_if(
            uniform_points(1e-3, 0).unwrap().is_empty()
                && uniform_points(1e-3, 1).unwrap() == [0.0],
            "no points; one point at 0",
        )
    });
    add(v, 3, "flame/observations_synthetic/sigma_nan", || {
        must_fail(Observations::synthetic(
            &FlameModel::default(),
            &profile(100),
            5,
            f64::NAN,
            1,
        ))
    });
    add(v, 3, "flame/observations_synthetic/profile_nan", || {
        let p = Flat {
            temperature: f64::NAN,
            speed: 0.4,
        };
        must_fail(Observations::synthetic(
            &FlameModel::default(),
            &p,
            5,
            0.0,
            1,
        ))
    });
    add(v, 4, "flame/observations_synthetic/negative_speed", || {
        let p = Flat {
            temperature: 1000.0,
            speed: -1.0,
        };
        must_fail(Observations::synthetic(
            &FlameModel::default(),
            &p,
            5,
            0.0,
            1,
        ))
    });
    add(
        v,
        5,
        "flame/observations_synthetic/reference_fields_empty",
        || {
            let fd = fd_solution(vec![], vec![]);
            must_fail(Observations::synthetic(
                &FlameModel::default(),
                &fd,
                5,
                0.0,
                1,
            ))
        },
    );
    add(v, 4, "flame/observations_validate/empty", || {
        let o = Observations {
            x: vec![],
            temperature: vec![],
            velocity: vec![],
        };
        must_fail(o.validate(1.5e-3))
    });
    add(v, 5, "flame/observations_validate/lengths_disagree", || {
        let mut o = observations(5);
        o.velocity.pop();
        must_fail(o.validate(1.5e-3))
    });
    add(v, 3, "flame/observations_validate/x_nan", || {
        let mut o = observations(5);
        o.x[2] = f64::NAN;
        must_fail(o.validate(1.5e-3))
    });
    add(v, 5, "flame/observations_validate/x_outside", || {
        let mut o = observations(5);
        o.x[4] = 2e-3;
        must_fail(o.validate(1.5e-3))
    });
    add(v, 3, "flame/observations_validate/length_nan", || {
        must_fail(observations(5).validate(f64::NAN))
    });
}

/// `Mlp::new`, `Mlp::hidden`, `MlpWorkspace::forward`, `MlpWorkspace::backward`.
fn mlp_cases(v: &mut Vec<Case>) {
    add(v, 4, "flame/mlp_new/no_layers", || must_fail(Mlp::new(&[])));
    add(v, 4, "flame/mlp_new/zero_width", || {
        must_fail(Mlp::new(&[1, 0, 1]))
    });
    add(v, 1, "flame/mlp_new/output_width_3", || {
        must_fail(Mlp::new(&[1, 1 << 32, 3]))
    });
    add(v, 1, "flame/mlp_new/parameter_count_overflows", || {
        must_fail(Mlp::new(&[1, 1 << 32, 1 << 32, 1]))
    });
    add(v, 1, "flame/mlp_new/wide_but_countable", || {
        either(Mlp::new(&[1, 1 << 32, 1]), |m| {
            ok_if(
                m.n_params() == 3 * (1usize << 32) + 1,
                format!("{} parameters, not 3 · 2^32 + 1", m.n_params()),
            )
        })
    });
    for (name, n) in HUGE {
        add(v, 1, format!("flame/mlp_hidden/depth_{name}"), move || {
            must_fail(Mlp::hidden(n, 4))
        });
        add(v, 1, format!("flame/mlp_hidden/width_{name}"), move || {
            must_fail(Mlp::hidden(2, n))
        });
    }
    add(v, 1, "flame/mlp_forward/theta_wrong_length", || {
        let m = net();
        let theta = vec![0.1; m.n_params() - 1];
        must_fail(MlpWorkspace::<f64>::new().forward(&m, &theta, &XHAT))
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("flame/mlp_forward/theta_{name}"), move || {
            let m = net();
            let mut theta = m.glorot_normal(1);
            theta[0] = bad;
            let mut ws = MlpWorkspace::<f64>::new();
            finite_or_err(ws.forward(&m, &theta, &XHAT), |o| o.to_vec())
        });
    }
    add(v, 3, "flame/mlp_forward/xhat_nan", || {
        let m = net();
        let theta = m.glorot_normal(1);
        let mut ws = MlpWorkspace::<f64>::new();
        finite_or_err(ws.forward(&m, &theta, &[0.5, f64::NAN]), |o| o.to_vec())
    });
    add(v, 3, "flame/mlp_forward/xhat_1e300", || {
        let m = net();
        let theta = m.glorot_normal(1);
        let mut ws = MlpWorkspace::<f64>::new();
        finite_or_err(ws.forward(&m, &theta, &[1e300, -1e300]), |o| o.to_vec())
    });
    add(v, 3, "flame/mlp_forward/weights_1e200", || {
        let m = net();
        let theta = vec![1e200; m.n_params()];
        let mut ws = MlpWorkspace::<f64>::new();
        finite_or_err(ws.forward(&m, &theta, &XHAT), |o| o.to_vec())
    });
    add(v, 4, "flame/mlp_forward/no_points", || {
        let m = net();
        let theta = m.glorot_normal(1);
        let mut ws = MlpWorkspace::<f64>::new();
        either(ws.forward(&m, &theta, &[]), |o| {
            ok_if(o.is_empty(), "no points, no outputs")
        })
    });
    add(
        v,
        5,
        "flame/mlp_backward/other_network_than_forward",
        || {
            let (a, b) = (Mlp::hidden(1, 3).unwrap(), net());
            let mut ws = MlpWorkspace::<f64>::new();
            let _ = ws.forward(&a, &a.glorot_normal(1), &XHAT);
            let mut grad = vec![0.0; b.n_params()];
            // adjoints of the 3 streams at the 4 points of XHAT
            let adj = [1.0; 12];
            must_fail(ws.backward(&b, &b.glorot_normal(1), &XHAT, &adj, &mut grad, false))
        },
    );
    add(v, 3, "flame/mlp_backward/adjoint_nan", || {
        let m = net();
        let theta = m.glorot_normal(1);
        let mut ws = MlpWorkspace::<f64>::new();
        let _ = ws.forward(&m, &theta, &XHAT);
        // adjoints of the 3 streams at the 4 points of XHAT
        let mut adj = [1.0; 12];
        adj[5] = f64::NAN;
        let mut grad = vec![0.0; m.n_params()];
        either(
            ws.backward(&m, &theta, &XHAT, &adj, &mut grad, false),
            |()| finite(&grad),
        )
    });
    add(v, 4, "flame/mlp_backward/before_any_forward", || {
        let m = net();
        let theta = m.glorot_normal(1);
        let mut grad = vec![1.0; m.n_params()];
        let mut ws = MlpWorkspace::<f64>::new();
        either(ws.backward(&m, &theta, &[], &[], &mut grad, false), |()| {
            ok_if(grad.iter().all(|g| *g == 0.0), "no points: a zero gradient")
        })
    });
}

/// `Case1Loss::new`, `with_residual_weight`, `set_residual_weight`, `with_threads`,
/// `evaluate`, `predict`, `residual_at`; `WarmupLoss::new` and `evaluate`.
fn loss_cases(v: &mut Vec<Case>) {
    add(v, 4, "flame/loss_new/no_points", || {
        must_fail(loss_at(&[], Problem::Forward))
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("flame/loss_new/x_{name}"), move || {
            must_fail(loss_at(&[0.0, bad], Problem::Forward))
        });
    }
    add(v, 5, "flame/loss_new/observations_disagree", || {
        let mut o = observations(4);
        o.temperature.push(1000.0);
        must_fail(loss_at(&[0.0, 1e-3], Problem::Inverse(o)))
    });
    add(v, 1, "flame/loss_new/network_2^32_wide", || {
        // 3 · 2^32 + 1 parameters: 100 GB of θ in f64
        either(Mlp::new(&[1, 1 << 32, 1]), |mlp| {
            must_fail(Case1Loss::<f64>::new(
                &FlameModel::default(),
                &mlp,
                &[0.0, 1e-3],
                Problem::Forward,
            ))
        })
    });
    add(v, 3, "flame/loss_with_residual_weight/nan", || {
        must_fail(small_loss(Problem::Forward).and_then(|l| l.with_residual_weight(f64::NAN)))
    });
    add(v, 4, "flame/loss_set_residual_weight/zero", || {
        either(small_loss(Problem::Forward), |mut l| {
            must_fail(l.set_residual_weight(0.0))
        })
    });
    add(v, 1, "flame/loss_evaluate/theta_wrong_length", || {
        either(small_loss(Problem::Forward), |mut l| {
            let theta = vec![0.1; l.dim() + 1];
            must_fail(l.evaluate(&theta, None))
        })
    });
    add(v, 1, "flame/loss_evaluate/grad_wrong_length", || {
        either(small_loss(Problem::Forward), |mut l| {
            let theta = start(&l);
            let mut grad = [0.0; 2];
            must_fail(l.evaluate(&theta, Some(&mut grad[..])))
        })
    });
    add(v, 3, "flame/loss_evaluate/theta_nan", || {
        evaluated(Problem::Forward, |t, _| t[0] = f64::NAN)
    });
    add(v, 4, "flame/loss_evaluate/s_l_zero", || {
        evaluated(Problem::Forward, |t, np| t[np] = 0.0)
    });
    add(v, 3, "flame/loss_evaluate/weights_1e200", || {
        evaluated(Problem::Forward, |t, np| t[..np].fill(1e200))
    });
    add(v, 3, "flame/loss_evaluate/inverse_conductivity_nan", || {
        evaluated(Problem::Inverse(observations(5)), |t, np| {
            t[np + 1] = f64::NAN;
        })
    });
    for (name, n) in HUGE {
        add(v, 1, format!("flame/loss_with_threads/{name}"), move || {
            either(small_loss(Problem::Forward), |l| {
                let mut l = l.with_threads(n);
                let theta = start(&l);
                finite_or_err(l.evaluate(&theta, None), |p| vec![p.total])
            })
        });
    }
    add(v, 3, "flame/loss_predict/x_nan", || {
        either(small_loss(Problem::Forward), |l| {
            must_fail(l.predict(&start(&l), &[0.0, f64::NAN]))
        })
    });
    add(v, 3, "flame/loss_residual_at/theta_nan", || {
        either(small_loss(Problem::Forward), |l| {
            let mut theta = start(&l);
            theta[1] = f64::NAN;
            finite_or_err(l.residual_at(&theta, &[0.0, 1e-3]), |r| r.clone())
        })
    });
    add(v, 3, "flame/warmup_loss_new/model_nan", || {
        let m = FlameModel {
            t_in: f64::NAN,
            ..FlameModel::default()
        };
        must_fail(WarmupLoss::<f64>::new(&m, &net()))
    });
    add(v, 1, "flame/warmup_loss_evaluate/grad_wrong_length", || {
        let m = net();
        either(
            WarmupLoss::<f64>::new(&FlameModel::default(), &m),
            |mut w| {
                let theta = m.glorot_normal(1);
                let mut grad = [0.0; 3];
                must_fail(w.evaluate(&theta, Some(&mut grad[..])))
            },
        )
    });
    add(v, 3, "flame/warmup_loss_evaluate/theta_nan", || {
        let m = net();
        either(
            WarmupLoss::<f64>::new(&FlameModel::default(), &m),
            |mut w| {
                let mut theta = m.glorot_normal(1);
                theta[0] = f64::NAN;
                let mut grad = vec![0.0; theta.len()];
                either(w.evaluate(&theta, Some(&mut grad)), |loss| {
                    let mut numbers = vec![loss];
                    numbers.extend(&grad);
                    finite(&numbers)
                })
            },
        )
    });
}

/// `PinnProblem::forward` / `inverse`, `PinnParams::build`, `Pinn::solve`, and
/// `PinnSolution`'s public fields (`fields`, `temperature`, `residual`).
fn train_cases(v: &mut Vec<Case>) {
    add(v, 3, "flame/pinn_problem/forward_model_nan", || {
        let m = FlameModel {
            cp: f64::NAN,
            ..FlameModel::default()
        };
        must_fail(PinnProblem::forward(&m))
    });
    add(v, 3, "flame/pinn_problem/inverse_observations_nan", || {
        let mut o = observations(5);
        o.velocity[1] = f64::NAN;
        must_fail(PinnProblem::inverse(&FlameModel::default(), &o))
    });
    add(
        v,
        5,
        "flame/pinn_problem/inverse_observations_outside",
        || {
            let mut o = observations(5);
            o.x[0] = -1e-4;
            must_fail(PinnProblem::inverse(&FlameModel::default(), &o))
        },
    );
    let bad_params = [
        ("width_zero", 1, tiny().network(1, 0)),
        ("steps_zero", 2, tiny().steps(0, 0)),
        ("collocation_one", 4, tiny().collocation(1)),
        (
            "learning_rate_nan",
            3,
            tiny().learning_rate(f64::NAN, 1000, 0.95),
        ),
        (
            "decay_factor_above_one",
            2,
            tiny().learning_rate(1e-3, 1000, 1.5),
        ),
        (
            "polish_weight_nan",
            3,
            tiny().lbfgs_steps(2).polish_weights(vec![f64::NAN]),
        ),
        ("polish_without_lbfgs", 5, tiny().polish_weights(vec![1.0])),
    ];
    for (name, class, p) in bad_params {
        add(v, class, format!("flame/pinn_params/{name}"), move || {
            must_fail(p.clone().build())
        });
    }
    for (name, n) in HUGE {
        add(
            v,
            1,
            format!("flame/pinn_solve/collocation_{name}"),
            move || must_fail(train(tiny().collocation(n), forward())),
        );
        add(
            v,
            1,
            format!("flame/pinn_solve/threads_{name}"),
            move || {
                // more threads than blocks of points: the surplus has nothing to do
                either(train(tiny().threads(n), forward()), |s| pinn_ok(&s))
            },
        );
    }
    add(v, 1, "flame/pinn_solve/width_2^32", || {
        must_fail(train(tiny().network(3, 1 << 32), forward()))
    });
    add(v, 1, "flame/pinn_solve/hidden_layers_2^40", || {
        must_fail(train(tiny().network(1 << 40, 4), forward()))
    });
    add(v, 2, "flame/pinn_solve/steps_huge_grad_tol_met", || {
        let p = tiny().steps(0, usize::MAX).grad_tol(1e300);
        either(train(p, forward()), |s| {
            all([
                pinn_ok(&s),
                ok_if(s.info.converged, "‖∇L‖ ≤ 1e300 holds at the start"),
            ])
        })
    });
    add(v, 2, "flame/pinn_solve/warmup_huge_grad_tol_met", || {
        let p = tiny().steps(usize::MAX, 1).grad_tol(1e300);
        either(train(p, forward()), |s| pinn_ok(&s))
    });
    add(v, 3, "flame/pinn_solve/learning_rate_1e300", || {
        let p = tiny().steps(0, 3).learning_rate(1e300, 1000, 0.95);
        either(train(p, forward()), |s| {
            all([
                pinn_ok(&s),
                ok_if(s.s_l > 0.0, format!("s_L = {} m/s", s.s_l)),
            ])
        })
    });
    add(v, 3, "flame/pinn_solve/f32", || {
        either(train(tiny().precision(Precision::F32), forward()), |s| {
            pinn_ok(&s)
        })
    });
    add(
        v,
        4,
        "flame/pinn_solve/inverse_one_observation_relative",
        || {
            let o = Observations {
                x: vec![0.7e-3],
                temperature: vec![1500.0],
                velocity: vec![1.5],
            };
            let p = tiny().data_weights(DataWeights::Relative);
            either(
                train(p, PinnProblem::inverse(&FlameModel::default(), &o)),
                |s| pinn_ok(&s),
            )
        },
    );
    add(v, 3, "flame/pinn_solve/polish_weight_1e300", || {
        let p = tiny().lbfgs_steps(2).polish_weights(vec![1e300]);
        either(train(p, forward()), |s| pinn_ok(&s))
    });
    add(v, 3, "flame/pinn_solve/model_t_max_overflows", || {
        either(train(tiny(), PinnProblem::forward(&hot_model())), |s| {
            pinn_ok(&s)
        })
    });
    add(v, 5, "flame/pinn_solution/theta_short", || {
        let mut s = pinn_solution();
        s.theta.pop();
        must_fail(s.temperature(&[0.0, 1e-3]))
    });
    add(v, 5, "flame/pinn_solution/theta_nan", || {
        let mut s = pinn_solution();
        s.theta[0] = f64::NAN;
        finite_or_err(s.fields(&[0.0, 1e-3]), |f| f.concat())
    });
    add(v, 5, "flame/pinn_solution/model_nan", || {
        let mut s = pinn_solution();
        s.model.t_in = f64::NAN;
        must_fail(s.temperature(&[0.0]))
    });
    add(v, 3, "flame/pinn_solution/x_nan", || {
        must_fail(pinn_solution().temperature(&[f64::NAN]))
    });
    add(v, 4, "flame/pinn_solution/residual_s_l_zero", || {
        let mut s = pinn_solution();
        let np = s.mlp.n_params();
        s.theta[np] = 0.0;
        finite_or_err(s.residual(&[0.0, 0.7e-3]), |r| r.clone())
    });
}

/// `FdInverseProblem::new`, `FdInverseParams::build`, `FdInverseSolver::solve`,
/// `fit_fd_inverse`.
fn inverse_cases(v: &mut Vec<Case>) {
    for (name, bad) in NON_FINITE {
        add(
            v,
            3,
            format!("flame/fit_fd_inverse/sigma_{name}"),
            move || {
                must_fail(fit_fd_inverse(
                    &FlameModel::default(),
                    &observations(5),
                    bad,
                    &FdInverseParams::default(),
                ))
            },
        );
    }
    add(v, 4, "flame/fd_inverse_problem/sigma_one", || {
        must_fail(FdInverseProblem::new(
            &FlameModel::default(),
            &observations(5),
            1.0,
        ))
    });
    add(
        v,
        5,
        "flame/fd_inverse_problem/observations_disagree",
        || {
            let mut o = observations(5);
            o.x.push(1e-3);
            must_fail(FdInverseProblem::new(&FlameModel::default(), &o, 0.02))
        },
    );
    for (name, n) in HUGE {
        add(
            v,
            1,
            format!("flame/fd_inverse_solve/grid_{name}"),
            move || {
                must_fail(fit(
                    FdInverseParams::default().grid(n).max_iter(1),
                    &observations(5),
                ))
            },
        );
    }
    add(v, 2, "flame/fd_inverse_params/max_iter_zero", || {
        must_fail(FdInverseParams::default().max_iter(0).build())
    });
    add(v, 3, "flame/fd_inverse_params/initial_g_nan", || {
        must_fail(
            FdInverseParams::default()
                .initial(0.03, 1.5e5, Some(f64::NAN))
                .build(),
        )
    });
    add(
        v,
        2,
        "flame/fd_inverse_solve/tol_1e-300_max_iter_huge",
        || {
            let p = FdInverseParams::default()
                .grid(100)
                .tol(1e-300)
                .max_iter(usize::MAX);
            either(fit(p, &observations(6)), |f| fd_inverse_ok(&f))
        },
    );
    add(
        v,
        3,
        "flame/fd_inverse_solve/initial_conductivity_1e300",
        || {
            let p = FdInverseParams::default()
                .grid(100)
                .max_iter(3)
                .initial(1e300, 1.5e5, None);
            either(fit(p, &observations(6)), |f| fd_inverse_ok(&f))
        },
    );
    add(v, 4, "flame/fd_inverse_solve/observations_at_inlet", || {
        let m = FlameModel::default();
        let o = Observations {
            x: vec![0.0; 3],
            temperature: vec![m.t_in; 3],
            velocity: vec![0.4; 3],
        };
        either(
            fit(FdInverseParams::default().grid(100).max_iter(3), &o),
            |f| fd_inverse_ok(&f),
        )
    });
    add(v, 4, "flame/fd_inverse_solve/paper_weights", || {
        let p = FdInverseParams::default()
            .grid(100)
            .max_iter(3)
            .weights(DataWeights::Paper);
        either(fit(p, &observations(6)), |f| fd_inverse_ok(&f))
    });
}

/// A model whose fields are all in range but whose T_max = T_in + q_F Y_F/c_p overflows.
fn hot_model() -> FlameModel {
    FlameModel {
        heat_release: 1e308,
        cp: 1e-10,
        ..FlameModel::default()
    }
}

/// A tanh front at 0.45 mm from T_in to T_max (the shape of the Case 1 flame).
fn front(model: &FlameModel, x: f64) -> f64 {
    let z = ((x - 0.45e-3) / 0.06e-3).tanh();
    model.t_in + (model.t_max() - model.t_in) * 0.5 * (1.0 + z)
}

fn fd_solution(x: Vec<f64>, t: Vec<f64>) -> FdSolution {
    FdSolution {
        x,
        t,
        s_l: 0.4,
        residual_norm: 0.0,
        info: SolveInfo::new(0, Status::Converged, 0.0, 0.0),
    }
}

/// The tanh front on a uniform grid of `n` intervals of [0, L], made by hand (no solve).
fn profile(n: usize) -> FdSolution {
    let model = FlameModel::default();
    let x: Vec<f64> = (0..=n)
        .map(|i| model.length * i as f64 / n as f64)
        .collect();
    let t = x.iter().map(|&x| front(&model, x)).collect();
    fd_solution(x, t)
}

/// `n` noise-free observations of the tanh front (s_L = 0.4 m/s), uniform on [0, L].
fn observations(n: usize) -> Observations {
    let model = FlameModel::default();
    let x = uniform_points(model.length, n).unwrap();
    let temperature: Vec<f64> = x.iter().map(|&x| front(&model, x)).collect();
    let velocity = temperature
        .iter()
        .map(|&t| model.velocity(t, 0.4))
        .collect();
    Observations {
        x,
        temperature,
        velocity,
    }
}

/// A profile with one temperature everywhere and a given flame speed.
struct Flat {
    temperature: f64,
    speed: f64,
}

impl Profile for Flat {
    fn temperature_at(&self, _x: f64) -> parsimony::Result<f64> {
        Ok(self.temperature)
    }
    fn flame_speed(&self) -> f64 {
        self.speed
    }
}

/// A flame passes if every number is finite, x and T have one length and s_L > 0; never
/// `converged` beside a non-finite number.
fn fd_ok(s: &FdSolution) -> Verdict {
    let mut numbers = s.x.clone();
    numbers.extend(&s.t);
    numbers.extend([s.s_l, s.residual_norm]);
    let v = finite(&numbers);
    if !v.passed() && s.info.converged {
        return Verdict::NanEscape(format!("converged beside {}", v.detail()));
    }
    all([
        v,
        ok_if(
            s.x.len() == s.t.len() && s.s_l > 0.0,
            "x and T of one length, s_L > 0",
        ),
    ])
}

/// Shooting with a 0.1 µm RK4 step (ten times the default; still far below the 55 µm
/// e-folding length), so that a trial costs ~10⁴ steps.
fn fast() -> ShootingParams {
    ShootingParams::default().dx(1e-7)
}

fn shooting_ok(s: &ShootingSolution) -> Verdict {
    let (lo, hi) = s.bracket;
    all([
        finite(&[s.s_l, lo, hi]),
        ok_if(
            lo < hi && (lo..=hi).contains(&s.s_l),
            format!("s_L = {} outside the bracket ({lo}, {hi})", s.s_l),
        ),
    ])
}

fn phys() -> Case1Physics {
    Case1Physics::new(&FlameModel::default(), 0.4)
}

/// ω, ∂ω/∂T, ∂ω/∂s_L at `t`, one after the other.
fn rates(p: &Case1Physics, t: &[f64]) -> parsimony::Result<Vec<f64>> {
    let n = t.len();
    let (mut omega, mut d_t, mut d_s) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    p.rates(
        t,
        RateSlices {
            omega: &mut omega,
            d_t: &mut d_t,
            d_s: &mut d_s,
        },
    )?;
    omega.extend(d_t);
    omega.extend(d_s);
    Ok(omega)
}

/// u, ∂u/∂T, ∂u/∂s_L at `t`, one after the other.
fn velocities(p: &Case1Physics, t: &[f64]) -> parsimony::Result<Vec<f64>> {
    let n = t.len();
    let (mut u, mut d_t, mut d_s) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    p.velocities(t, &mut u, &mut d_t, &mut d_s)?;
    u.extend(d_t);
    u.extend(d_s);
    Ok(u)
}

/// A network of two hidden layers of 3 (so that the hidden-to-hidden GEMM runs).
fn net() -> Mlp {
    Mlp::hidden(2, 3).unwrap()
}

fn loss_at(x: &[f64], problem: Problem) -> parsimony::Result<Case1Loss<f64>> {
    Case1Loss::new(&FlameModel::default(), &Mlp::hidden(1, 4)?, x, problem)
}

/// The loss at 8 uniform collocation points with a 1 × 4 network.
fn small_loss(problem: Problem) -> parsimony::Result<Case1Loss<f64>> {
    loss_at(&uniform_points(1.5e-3, 8).unwrap(), problem)
}

/// Glorot weights and the paper's starting unknowns (s_L, λ, E_a).
fn start(loss: &Case1Loss<f64>) -> Vec<f64> {
    loss.initial_theta(loss.mlp().glorot_normal(1), 0.4, 0.03, 1.5e5)
}

/// The loss and its gradient at the starting θ after `poison(θ, network parameter count)`.
fn evaluated(problem: Problem, poison: impl Fn(&mut [f64], usize)) -> Verdict {
    either(small_loss(problem), |mut loss| {
        let mut theta = start(&loss);
        poison(&mut theta, loss.mlp().n_params());
        let mut grad = vec![0.0; loss.dim()];
        either(loss.evaluate(&theta, Some(&mut grad)), |p| {
            let mut numbers = vec![p.total, p.residual, p.boundary, p.data];
            numbers.extend(&grad);
            finite(&numbers)
        })
    })
}

/// A PINN run small enough for the battery: one hidden layer of 4, 16 points, 2 warm-up and
/// 3 Adam steps.
fn tiny() -> PinnParams {
    PinnParams::new().network(1, 4).collocation(16).steps(2, 3)
}

fn forward() -> parsimony::Result<PinnProblem> {
    PinnProblem::forward(&FlameModel::default())
}

fn train(
    params: PinnParams,
    problem: parsimony::Result<PinnProblem>,
) -> parsimony::Result<PinnSolution> {
    params.build()?.solve(&problem?)
}

fn pinn_ok(s: &PinnSolution) -> Verdict {
    let mut numbers = s.theta.clone();
    numbers.extend([s.s_l, s.conductivity, s.activation_energy, s.loss.total]);
    numbers.extend(s.history.iter().map(|r| r.loss.total));
    let v = finite(&numbers);
    if !v.passed() && s.info.converged {
        return Verdict::NanEscape(format!("converged beside {}", v.detail()));
    }
    v
}

/// A trained PINN made by hand (no training): Glorot weights, s_L = 0.4 m/s.
fn pinn_solution() -> PinnSolution {
    let model = FlameModel::default();
    let mlp = Mlp::hidden(1, 3).unwrap();
    let mut theta = mlp.glorot_normal(2);
    theta.push(0.4);
    PinnSolution {
        theta,
        mlp,
        problem: Problem::Forward,
        s_l: 0.4,
        conductivity: model.conductivity,
        activation_energy: model.activation_energy,
        model,
        loss: LossParts::default(),
        best_step: 0,
        warmup_steps: 0,
        polishes: Vec::new(),
        history: Vec::new(),
        info: SolveInfo::new(0, Status::Converged, 0.0, 0.0),
    }
}

fn fit(params: FdInverseParams, obs: &Observations) -> parsimony::Result<FdInverse> {
    let problem = FdInverseProblem::new(&FlameModel::default(), obs, 0.02)?;
    params.build()?.solve(&problem)
}

fn fd_inverse_ok(f: &FdInverse) -> Verdict {
    let mut numbers = vec![
        f.s_l,
        f.conductivity,
        f.activation_energy,
        f.inlet_gradient,
        f.chi2,
    ];
    numbers.extend(f.relative_std);
    finite(&numbers)
}
