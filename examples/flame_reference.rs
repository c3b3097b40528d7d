//! Story: laminar flame speeds of FlamePINN-1D's Case 1 from the classical reference solver —
//! finite differences with the flame speed as a Newton unknown, checked by shooting — over
//! φ = 0.40 … 0.50, and the temperature profile at φ = 0.42.
//!
//! Run: `cargo run --release --example flame_reference -- --out out/flame_reference`
//! (flags: `--n` intervals (default 4000; Richardson uses n and 2n), `--t-in` K (298),
//! `--p` atm (1)). Writes `speeds.csv`, `flame_speed.png`, `profile.csv`, `profile.png` and
//! `summary.json`.

use parsimony::flame::model::FlameModel;
use parsimony::flame::reference::{NewtonParams, solve_fd_richardson};
use parsimony::flame::shooting::{ShootingParams, flame_speed_shooting};
use parsimony::output::{Flags, JsonValue, write_csv, write_json};
use parsimony::plot::LinePlot;
use std::time::Instant;

fn main() -> std::process::ExitCode {
    parsimony::output::report(run())
}

fn run() -> parsimony::Result<()> {
    let flags = Flags::parse("flame_reference", std::env::args().skip(1))?;
    flags.accept(&["n", "t-in", "p"])?;
    let n: usize = flags.get("n", 4000)?;
    let t_in: f64 = flags.get("t-in", 298.0)?;
    let p_atm: f64 = flags.get("p", 1.0)?;
    println!(
        "flame reference: Case 1 (one-step chemistry, Le = 1), T_in = {t_in} K, p = {p_atm} atm, L = 1.5 mm, G = 1e5 K/m; FD on {n} and {} intervals + Richardson, shooting cross-check",
        2 * n
    );
    let phis: Vec<f64> = (0..6).map(|k| 0.40 + 0.02 * k as f64).collect();
    let mut rows = Vec::new();
    let mut fd_speeds = Vec::new();
    for &phi in &phis {
        let model = FlameModel::new(t_in, p_atm * 101_325.0, phi);
        let t0 = Instant::now();
        let (s_fd, fine) = solve_fd_richardson(&model, n, &NewtonParams::default())?;
        let t_fd = t0.elapsed().as_secs_f64();
        let t0 = Instant::now();
        let shot = flame_speed_shooting(&model, &ShootingParams::default())?;
        let (s_sh, trials) = (shot.s_l, shot.trials);
        let t_sh = t0.elapsed().as_secs_f64();
        println!(
            "φ = {phi:.2}: s_L = {s_fd:.10} m/s (FD, {} Newton iterations, {t_fd:.3} s), shooting {s_sh:.10} ({trials} trials, {t_sh:.2} s{}), T_max = {:.1} K",
            fine.info.iterations,
            if shot.info.converged {
                String::new()
            } else {
                format!(
                    "; no event within x_end, bracket width {:.1e}",
                    shot.bracket.1 - shot.bracket.0
                )
            },
            model.t_max()
        );
        rows.push(vec![phi, s_fd, s_sh, model.t_max()]);
        fd_speeds.push(s_fd);
    }
    write_csv(
        &flags.out.join("speeds.csv"),
        &["phi", "s_l_fd", "s_l_shooting", "t_max"],
        &rows,
    )?;
    LinePlot::new(format!(
        "Case 1 laminar flame speed, T_in = {t_in} K, {p_atm} atm"
    ))
    .labels("equivalence ratio φ", "s_L (m/s)")
    .line(
        "finite differences + Newton (Richardson)",
        &phis,
        &fd_speeds,
    )
    .points(
        "shooting",
        &phis,
        &rows.iter().map(|r| r[2]).collect::<Vec<_>>(),
    )
    .color(1)
    .save(flags.out.join("flame_speed.png"))?;

    let model = FlameModel::new(t_in, p_atm * 101_325.0, 0.42);
    let (_, sol) = solve_fd_richardson(&model, n, &NewtonParams::default())?;
    let xs: Vec<f64> = sol.x.iter().map(|x| x * 1e3).collect();
    write_csv(
        &flags.out.join("profile.csv"),
        &["x_mm", "temperature_k"],
        &xs.iter()
            .zip(&sol.t)
            .map(|(x, t)| vec![*x, *t])
            .collect::<Vec<_>>(),
    )?;
    LinePlot::new("Case 1 temperature profile, φ = 0.42")
        .labels("x (mm)", "T (K)")
        .line("finite differences", &xs, &sol.t)
        .save(flags.out.join("profile.png"))?;
    write_json(
        &flags.out.join("summary.json"),
        &[
            ("t_in", JsonValue::Num(t_in)),
            ("p_atm", JsonValue::Num(p_atm)),
            ("s_l_phi_0_40", JsonValue::Num(fd_speeds[0])),
            ("s_l_phi_0_42", JsonValue::Num(fd_speeds[1])),
            ("converged", JsonValue::Bool(sol.info.converged)),
        ],
    )?;
    println!("wrote {}", flags.out.display());
    Ok(())
}
