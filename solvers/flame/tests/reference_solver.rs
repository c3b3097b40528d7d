//! The finite-difference reference solver against the shared reference cases of
//! shared/specs/flame.md (s_L from FD-Newton with Richardson extrapolation and, independently,
//! DOP853 shooting; field values from a 4.5 mm domain).

use parsimony_flame::model::FlameModel;
use parsimony_flame::reference::{NewtonParams, solve_fd, solve_fd_richardson};

const ATM: f64 = 101_325.0;

#[test]
fn flame_speed_table_to_1e6() {
    let rows = [
        (298.0, 1.0, 0.40, 4843.455, 0.2678204820),
        (298.0, 1.0, 0.42, 5049.131, 0.2927861121),
        (298.0, 1.0, 0.44, 5252.955, 0.3179797987),
        (298.0, 1.0, 0.46, 5454.951, 0.3433394999),
        (298.0, 1.0, 0.48, 5655.143, 0.3688116249),
        (298.0, 1.0, 0.50, 5853.556, 0.3943499100),
        (300.0, 1.0, 0.40, 4845.455, 0.2700641392),
        (350.0, 1.0, 0.40, 4895.455, 0.3283438294),
        (400.0, 1.0, 0.40, 4945.455, 0.3909962535),
    ];
    for (t_in, p, phi, t_max, s_ref) in rows {
        let model = FlameModel::new(t_in, p * ATM, phi);
        assert!((model.t_max() - t_max).abs() < 1e-3);
        let (s, fine) = solve_fd_richardson(&model, 4000, &NewtonParams::default()).unwrap();
        let rel = (s - s_ref).abs() / s_ref;
        println!(
            "T_in {t_in}, φ {phi}: s_L {s:.10} (ref {s_ref}), rel {rel:.1e}, {} Newton iterations",
            fine.info.iterations
        );
        assert!(rel < 1e-6, "T_in {t_in} φ {phi}: {s} vs {s_ref}");
    }
}

#[test]
fn second_order_in_the_grid_spacing() {
    // the spec's sequence: N = 1000, 2000, 4000 → 0.2678189923, 0.2678201097, 0.2678203890
    let model = FlameModel::default();
    let s: Vec<f64> = [1000, 2000, 4000]
        .iter()
        .map(|&n| solve_fd(&model, n, &NewtonParams::default()).unwrap().s_l)
        .collect();
    for (got, want) in s.iter().zip([0.2678189923, 0.2678201097, 0.2678203890]) {
        assert!((got - want).abs() < 2e-10, "{got} vs {want}");
    }
    let ratio = (s[1] - s[0]) / (s[2] - s[1]);
    assert!((3.8..4.2).contains(&ratio), "ratio {ratio}");
}

#[test]
fn inlet_gradient_dependence() {
    for (g, want) in [
        (1e3, 0.268642),
        (1e4, 0.268568),
        (1e5, 0.267820),
        (1e6, 0.260382),
        (3e6, 0.244061),
    ] {
        let model = FlameModel {
            inlet_gradient: g,
            ..FlameModel::default()
        };
        // a steep inlet gradient moves the flame upstream: start the tanh profile there
        let params = NewtonParams {
            initial_centre: if g > 1e6 { 0.25e-3 } else { 0.45e-3 },
            ..NewtonParams::default()
        };
        let (s, _) = solve_fd_richardson(&model, 4000, &params).unwrap();
        assert!((s - want).abs() < 1e-6, "G = {g}: {s} vs {want}");
    }
}

#[test]
fn field_values_on_the_extended_domain() {
    // φ 0.40, 298 K, 1 atm: T at 0.25, 0.5, 1.0, 1.5 mm and x_mid from a 4.5 mm domain
    let model = FlameModel {
        length: 4.5e-3,
        ..FlameModel::default()
    };
    let sol = solve_fd(&model, 24_000, &NewtonParams::default()).unwrap();
    assert!(sol.info.converged);
    for (x, want) in [
        (0.25e-3, 462.98),
        (0.5e-3, 3181.27),
        (1.0e-3, 4787.73),
        (1.5e-3, 4828.98),
    ] {
        let t = sol.temperature_at(x).unwrap();
        assert!((t - want).abs() < 0.05, "T({x}) = {t} vs {want}");
    }
    let mid = sol.position_of(0.5 * (model.t_in + model.t_max())).unwrap();
    assert!((mid * 1e3 - 0.4680).abs() < 1e-4, "x_mid {mid}");
}

#[test]
fn bad_input_is_refused() {
    let p = NewtonParams::default();
    for m in [
        FlameModel::new(298.0, ATM, 0.0),
        FlameModel::new(-1.0, ATM, 0.4),
        FlameModel::new(298.0, 0.0, 0.4),
        FlameModel {
            length: 0.0,
            ..FlameModel::default()
        },
        FlameModel {
            inlet_gradient: f64::NAN,
            ..FlameModel::default()
        },
    ] {
        assert!(solve_fd(&m, 100, &p).is_err(), "{m:?}");
    }
    assert!(solve_fd(&FlameModel::default(), 3, &p).is_err());
    let sol = solve_fd(&FlameModel::default(), 200, &p).unwrap();
    assert!(sol.temperature_at(2e-3).is_err());
}

#[test]
fn shooting_agrees_with_finite_differences() {
    use parsimony_flame::shooting::{ShootingParams, flame_speed_shooting, shoot};
    for (t_in, phi, s_ref) in [(298.0, 0.40, 0.2678204820), (350.0, 0.40, 0.3283438294)] {
        let model = FlameModel::new(t_in, ATM, phi);
        let sol = flame_speed_shooting(&model, &ShootingParams::default()).unwrap();
        let s = sol.s_l;
        println!(
            "shooting T_in {t_in}: s_L {s:.10} ({} trials, bracket width {:.1e}, converged {}), FD table {s_ref}",
            sol.trials,
            sol.bracket.1 - sol.bracket.0,
            sol.info.converged
        );
        assert!((s - s_ref).abs() / s_ref < 1e-8, "{s} vs {s_ref}");
        assert!(sol.bracket.0 <= s && s <= sol.bracket.1);
    }
    let bad = ShootingParams {
        bracket: (0.5, 2.0),
        ..ShootingParams::default()
    };
    assert!(flame_speed_shooting(&FlameModel::default(), &bad).is_err());
    // a step that would never end, and a non-positive trial speed: typed errors
    let endless = ShootingParams {
        dx: 1e-300,
        ..ShootingParams::default()
    };
    let err = flame_speed_shooting(&FlameModel::default(), &endless).unwrap_err();
    assert!(err.to_string().contains("dx"), "{err}");
    let err = shoot(&FlameModel::default(), 0.0, &ShootingParams::default()).unwrap_err();
    assert!(err.to_string().contains('s'), "{err}");
}
