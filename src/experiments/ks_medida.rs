//! MEDIDA on Kuramoto–Sivashinsky (Mojgani, Chattopadhyay & Hassanzadeh, Chaos 2022): simulate
//! the truth, discover the model error of an imperfect CNAB2 model from noise-free and noisy
//! (EnKF) samples, and compare the forecasts of the imperfect and the corrected model.
//!
//! Flags:
//!
//! | flag | meaning |
//! |---|---|
//! | `--case` | model-error case KS1…KS12, KSpu3x1…3 (default KS1) |
//! | `--geometry` | `paper` (L = 100, N = 1024) or `ci` (L = 32π, N = 256) (default paper) |
//! | `--samples` | sample times, 10 000 truth steps apart (default 10) |
//! | `--noise` | relative observation noise of the noisy run; 0 skips it (default 0.01) |
//! | `--members` | EnKF ensemble size (default 10·N) |
//! | `--noisy-library` | `fd` (the paper's PDE-FIND differences) or `spectral` (default fd) |
//! | `--seed` | seed of the noisy run (default 0) |
//! | `--input-lowpass` | k_c of the noisy run's input/forecast low-pass (not in the paper; 10 recovers hyperdiffusion errors, see `NoisyConfig`); 0 = off (default 0) |
//! | `--horizon` | forecast comparison length in time units (default 10) |
//!
//! Writes `ks_field.png` (space–time truth), `coefficients.png` and `coefficients.csv`
//! (discovered vs exact model error), `forecast_error.png` and `forecast_error.csv` (relative
//! L2 forecast error of the imperfect and the corrected model), and `summary.json`.

use crate::medida::cases::{ModelErrorCase, TruthConfig, case, paper_cases};
use crate::medida::cnab2::{Cnab2, Cnab2Run};
use crate::medida::ks::Ks;
use crate::medida::library::{Derivatives, Library, Term};
use crate::medida::model_error::{MedidaParams, MedidaProblem, ModelErrorFit, NoisyConfig, Target};
use crate::output::{Flags, JsonValue, write_csv, write_json};
use crate::plot::progress::progress_bar;
use crate::plot::{Heatmap, LinePlot};
use crate::solve::{Every, IterInfo, Status};
use std::time::Instant;

/// "u_t = −u u_x − u_xx − u_xxxx" written from a case's exact error.
fn exact_equation(c: &ModelErrorCase) -> String {
    let parts: Vec<String> = c
        .exact_error()
        .iter()
        .map(|(t, w)| format!("{w:+.6} {}", t.label()))
        .collect();
    parts.join(" ")
}

fn relative_l2(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

/// The flags [`run`] takes besides `--out` (see the module documentation).
pub const FLAGS: &[&str] = &[
    "case",
    "geometry",
    "samples",
    "noise",
    "members",
    "noisy-library",
    "seed",
    "input-lowpass",
    "horizon",
];

/// Runs the experiment (see the module documentation for the flags).
pub fn run(flags: &Flags) -> crate::Result<()> {
    flags.accept(FLAGS)?;
    let name: String = flags.get("case", "KS1".to_string())?;
    let the_case = case(&name).ok_or_else(|| {
        let names: Vec<&str> = paper_cases().iter().map(|c| c.name).collect();
        crate::Error::invalid("case", format!("unknown '{name}'; one of {names:?}"))
    })?;
    let geometry: String = flags.get("geometry", "paper".to_string())?;
    let mut cfg = match geometry.as_str() {
        "paper" => TruthConfig::paper(),
        "ci" => TruthConfig::ci(),
        g => {
            return Err(crate::Error::invalid(
                "geometry",
                format!("'{g}': paper or ci"),
            ));
        }
    };
    cfg.samples = flags.get("samples", cfg.samples)?;
    if cfg.samples == 0 {
        return Err(crate::Error::invalid("samples", "need at least 1"));
    }
    // 0 turns the noisy run (noise) or the input filter (input-lowpass) off
    let noise: f64 = flags.get("noise", 0.01)?;
    let members: usize = flags.get("members", 10 * cfg.n)?;
    let seed: u64 = flags.get("seed", 0)?;
    let horizon: f64 = flags.get("horizon", 10.0)?;
    let input_lowpass: f64 = flags.get("input-lowpass", 0.0)?;
    for (name, v) in [
        ("noise", noise),
        ("horizon", horizon),
        ("input-lowpass", input_lowpass),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(crate::Error::invalid(
                name,
                format!("must be finite and ≥ 0, got {v}"),
            ));
        }
    }
    let noisy_library = match flags.get("noisy-library", "fd".to_string())?.as_str() {
        "fd" => Derivatives::FiniteDifference,
        "spectral" => Derivatives::Spectral,
        v => {
            return Err(crate::Error::invalid(
                "noisy-library",
                format!("'{v}': fd or spectral"),
            ));
        }
    };
    let h = cfg.model_step();
    println!(
        "ks medida: case {} (model λ = {:?}, truth (1, 1, 1, 0)); L = {:.4}, N = {}, truth ETDRK4 dt = {}, model CNAB2 h = {h}; {} samples from t = {}",
        the_case.name,
        the_case.lambda,
        cfg.length,
        cfg.n,
        cfg.dt,
        cfg.samples,
        cfg.first_step as f64 * cfg.dt
    );
    println!("exact model error:   {}", exact_equation(&the_case));

    // 1. truth
    let t0 = Instant::now();
    let total = cfg.first_step + (cfg.samples as u64 - 1) * cfg.every;
    let pb = progress_bar("truth", total);
    let truth = cfg.generate_observed(&mut Every::new(100, |info: &IterInfo| {
        pb.set_position(info.iteration as u64)
    }))?;
    pb.finish_and_clear();
    if truth.info.status != Status::Converged {
        return Err(crate::Error::breakdown(
            "truth",
            format!(
                "{} after {} steps",
                truth.info.status, truth.info.iterations
            ),
        ));
    }
    let samples = truth.samples;
    println!(
        "truth: {total} ETDRK4 steps in {:.2} s",
        t0.elapsed().as_secs_f64()
    );

    // 2. noise-free MEDIDA, plain and response-corrected
    let model = || Cnab2::new(cfg.model_params(the_case.lambda));
    let mut fits: Vec<(&str, ModelErrorFit)> = Vec::new();
    for (label, target) in [
        ("plain", Target::Plain),
        ("corrected", Target::ResponseCorrected),
    ] {
        let t = Instant::now();
        let fit = MedidaParams::new(target)
            .build()?
            .solve(&MedidaProblem::new(model()?, &samples)?)?;
        println!(
            "noise-free, {label:9} target: {}   ({} rows, {:.2} s)",
            fit.equation(),
            fit.rows,
            t.elapsed().as_secs_f64()
        );
        fits.push((label, fit));
    }

    // 3. noisy MEDIDA with the EnKF
    if noise > 0.0 {
        let t = Instant::now();
        let lib = Library::new(4, 4, noisy_library)?;
        let conf = NoisyConfig {
            noise,
            members: Some(members),
            input_lowpass: (input_lowpass > 0.0).then_some(input_lowpass),
            seed,
            ..NoisyConfig::default()
        };
        let pb = progress_bar("EnKF samples", samples.len() as u64);
        let fit = MedidaParams::new(Target::Plain)
            .library(lib)
            .noisy(conf.clone())
            .build()?
            .solve_observed(
                &MedidaProblem::new(model()?, &samples)?,
                &mut |info: &IterInfo| pb.set_position(info.iteration as u64),
            )?;
        pb.finish_and_clear();
        println!(
            "noisy ({:.1} %, Nₑ = {members}, {:?} library, input low-pass {}, seed {seed}): {}   ({:.1} s)",
            100.0 * noise,
            noisy_library,
            conf.input_lowpass
                .map_or("off".to_string(), |k| format!("k ≤ {k}")),
            fit.equation(),
            t.elapsed().as_secs_f64()
        );
        fits.push(("noisy", fit));
    }

    // 4. coefficients table and figure
    let lib = Library::default();
    let exact = the_case.exact_error();
    let mut rows = Vec::new();
    for (j, term) in lib.terms().iter().enumerate() {
        let ex = exact
            .iter()
            .find(|(t, _)| t == term)
            .map_or(0.0, |(_, w)| *w);
        let mut row = vec![j as f64, ex];
        row.extend(fits.iter().map(|(_, f)| f.coefficient(*term)));
        rows.push(row);
    }
    let mut header = vec!["term_index", "exact"];
    header.extend(fits.iter().map(|(l, _)| *l));
    write_csv(&flags.out.join("coefficients.csv"), &header, &rows)?;
    let idx: Vec<f64> = (0..lib.len()).map(|j| j as f64).collect();
    // the axis names the KS terms by their column in the library
    let landmarks: Vec<String> = [
        Term::new(1, 1),
        Term::new(0, 2),
        Term::new(0, 3),
        Term::new(0, 4),
    ]
    .iter()
    .filter_map(|t| {
        let j = lib.terms().iter().position(|u| u == t)?;
        Some(format!("{t} = {j}"))
    })
    .collect();
    let mut plot = LinePlot::new(format!("{}: discovered model error", the_case.name))
        .labels(
            format!("library term ({})", landmarks.join(", ")),
            "coefficient",
        )
        .points(
            "exact",
            &idx,
            &rows.iter().map(|r| r[1]).collect::<Vec<_>>(),
        );
    for (k, (label, _)) in fits.iter().enumerate() {
        plot = plot
            .points(
                *label,
                &idx,
                &rows.iter().map(|r| r[2 + k]).collect::<Vec<_>>(),
            )
            .color(k + 1);
    }
    plot.save(flags.out.join("coefficients.png"))?;

    // 5. space–time field and forecasts of the imperfect and the corrected model
    let steps_per_h = cfg.ndt;
    let model_steps = (horizon / h).round() as usize;
    let mut ks = Ks::new(cfg.truth_params())?;
    let start = &samples[0];
    ks.set_state(&start.u_now)?;
    let mut truth_h = vec![start.u_now.clone()];
    let pb = progress_bar("forecast", model_steps as u64);
    for s in 0..model_steps {
        ks.advance(steps_per_h)?;
        truth_h.push(ks.state());
        pb.set_position(s as u64 + 1);
    }
    pb.finish_and_clear();
    let stride = (model_steps / 200).max(1);
    let cols: Vec<usize> = (0..=model_steps).step_by(stride).collect();
    let field = nalgebra::DMatrix::from_fn(cfg.n, cols.len(), |i, c| truth_h[cols[c]][i]);
    let t_start = cfg.first_step as f64 * cfg.dt;
    Heatmap::new(
        format!("Kuramoto–Sivashinsky truth u(x, t), L = {:.1}", cfg.length),
        &field,
    )
    .extent((t_start, t_start + horizon), (0.0, cfg.length))
    .labels("t", "x")
    .colorbar_label("u")
    .symmetric(true)
    .save(flags.out.join("ks_field.png"))?;

    let corrected = fits[1].1.corrected_model(&model()?)?;
    let mut forecast_rows = Vec::new();
    let mut errs: Vec<Vec<f64>> = vec![Vec::new(); 2];
    let record_every = (model_steps / 100).max(1);
    let labels = ["imperfect", "corrected"];
    let run = Cnab2Run::new(start.u_prev1.clone(), start.u_now.clone(), model_steps)?;
    for (k, mut m) in [model()?, corrected].into_iter().enumerate() {
        let e = &mut errs[k];
        let sol = m.solve_observed(
            &run,
            &mut Every::new(record_every, |info: &IterInfo| {
                if let Some(u) = info.state::<Vec<f64>>() {
                    e.push(relative_l2(u, &truth_h[info.iteration]));
                }
            }),
        )?;
        // an unstable model (e.g. one without the hyperdiffusion) blows up: report it and
        // leave the rest of its curve empty
        if sol.info.status == Status::NonFinite {
            println!(
                "the {} model blew up before lead time {:.3} (step {})",
                labels[k],
                (e.len() + 1) as f64 * record_every as f64 * h,
                sol.info.iterations + 1
            );
        }
    }
    let recorded = errs[0].len().max(errs[1].len());
    for e in errs.iter_mut() {
        e.resize(recorded, f64::NAN);
    }
    let times: Vec<f64> = (1..=recorded)
        .map(|i| (i * record_every) as f64 * h)
        .collect();
    for (i, t) in times.iter().enumerate() {
        forecast_rows.push(vec![*t, errs[0][i], errs[1][i]]);
    }
    write_csv(
        &flags.out.join("forecast_error.csv"),
        &["time", "imperfect", "corrected"],
        &forecast_rows,
    )?;
    let mut plot = LinePlot::new(format!(
        "{}: forecast error from t = {t_start}, CNAB2 h = {h}",
        the_case.name
    ))
    .labels("lead time", "relative L2 error")
    .log_y(true);
    let names = [
        "imperfect model",
        "corrected model (noise-free MEDIDA, corrected target)",
    ];
    for (k, e) in errs.iter().enumerate() {
        // the finite, positive part of the curve (a blown-up model stops early)
        let n = e.iter().take_while(|v| v.is_finite() && **v > 0.0).count();
        if n > 0 {
            plot = plot.line(names[k], &times[..n], &e[..n]).color(k);
        }
    }
    plot.save(flags.out.join("forecast_error.png"))?;
    let at = |v: &[f64], t: f64| {
        times
            .iter()
            .position(|&x| x >= t - 1e-9)
            .map_or(f64::NAN, |i| v[i])
    };
    println!(
        "forecast error at lead 1 / {horizon}: imperfect {:.2e} / {:.2e}, corrected {:.2e} / {:.2e}",
        at(&errs[0], 1.0),
        errs[0].last().copied().unwrap_or(f64::NAN),
        at(&errs[1], 1.0),
        errs[1].last().copied().unwrap_or(f64::NAN)
    );

    let mut summary = vec![
        ("case", JsonValue::Str(the_case.name.into())),
        ("exact", JsonValue::Str(exact_equation(&the_case))),
        ("n", JsonValue::Int(cfg.n as i64)),
        ("samples", JsonValue::Int(cfg.samples as i64)),
    ];
    for (label, f) in &fits {
        summary.push((label, JsonValue::Str(f.equation())));
    }
    let exact_support: Vec<_> = exact.iter().map(|(t, _)| *t).collect();
    let support_ok = |f: &ModelErrorFit| {
        let mut s = f.support();
        s.sort_by_key(|t| (t.derivative, t.power));
        let mut e = exact_support.clone();
        e.sort_by_key(|t| (t.derivative, t.power));
        s == e
    };
    summary.push((
        "plain_support_exact",
        JsonValue::Bool(support_ok(&fits[0].1)),
    ));
    summary.push((
        "corrected_support_exact",
        JsonValue::Bool(support_ok(&fits[1].1)),
    ));
    if let Some((_, f)) = fits.get(2) {
        summary.push(("noisy_support_exact", JsonValue::Bool(support_ok(f))));
    }
    summary.push((
        "forecast_error_imperfect_end",
        JsonValue::Num(errs[0].last().copied().unwrap_or(f64::NAN)),
    ));
    summary.push((
        "forecast_error_corrected_end",
        JsonValue::Num(errs[1].last().copied().unwrap_or(f64::NAN)),
    ));
    write_json(&flags.out.join("summary.json"), &summary)?;
    println!("wrote {}", flags.out.display());
    Ok(())
}
