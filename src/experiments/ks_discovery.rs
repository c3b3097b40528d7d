//! Discovering the whole Kuramoto–Sivashinsky equation from a space–time data set with the
//! 24-term library and the RVM (PySINDy's KS example).
//!
//! Flags:
//!
//! | flag | meaning |
//! |---|---|
//! | `--data` | folder with `ks_pysindy_u.npy` and `ks_pysindy_t.npy` (N × T and T, as PySINDy's `kuramoto_sivishinky.mat`) (default solvers/medida/tests/data) |
//! | `--generate` | `true`: simulate the same trajectory instead (L = 32π, N = 1024, h = 0.025, every 16 steps to t = 100) (default false) |
//! | `--stencil` | time derivative `central2` or `central4` (default central2) |
//!
//! Writes `discovered.csv` (term index, coefficient, posterior std) and `summary.json`.

use crate::medida::ks::{CoefficientMethod, KsParams, KsRun, Nyquist};
use crate::medida::pde_discovery::{PdeData, PdeDiscoveryParams, TimeDerivative, read_npy};
use crate::output::{Flags, JsonValue, write_csv, write_json};
use std::f64::consts::PI;
use std::path::PathBuf;
use std::time::Instant;

/// The flags [`run`] takes besides `--out` (see the module documentation).
pub const FLAGS: &[&str] = &["data", "generate", "stencil"];

/// Runs the experiment (see the module documentation for the flags).
pub fn run(flags: &Flags) -> crate::Result<()> {
    flags.accept(FLAGS)?;
    let generate: bool = flags.get("generate", false)?;
    let stencil = match flags.get("stencil", "central2".to_string())?.as_str() {
        "central2" => TimeDerivative::Central2,
        "central4" => TimeDerivative::Central4,
        v => {
            return Err(crate::Error::invalid(
                "stencil",
                format!("'{v}': central2 or central4"),
            ));
        }
    };
    let length = 32.0 * PI;
    let t0 = Instant::now();
    if generate && flags.has("data") {
        return Err(crate::Error::invalid(
            "data",
            "--generate true simulates its own data; drop one of the two",
        ));
    }
    let (u, dt, source) = if generate {
        let mut ks = KsParams::default()
            .n(1024)
            .dt(0.025)
            .nyquist(Nyquist::Zero)
            .coefficients(CoefficientMethod::Contour { points: 16 })
            .build()?;
        let x = ks.grid(length / 1024.0);
        let u0: Vec<f64> = x
            .iter()
            .map(|&x| (x / 16.0).cos() * (1.0 + (x / 16.0).sin()))
            .collect();
        let run = ks.solve(&KsRun::new(u0, 4000, 16)?)?;
        run.info.require_converged()?;
        (
            run.states,
            0.4,
            "simulated (ETDRK4, h = 0.025, every 16 steps)".to_string(),
        )
    } else {
        let dir: PathBuf = flags
            .get("data", "solvers/medida/tests/data".to_string())?
            .into();
        let u = read_npy(dir.join("ks_pysindy_u.npy"))?.to_matrix()?;
        let t = read_npy(dir.join("ks_pysindy_t.npy"))?;
        if t.data.len() < 2 {
            return Err(crate::Error::invalid("data", "need at least two times"));
        }
        let dt = t.data[1] - t.data[0];
        (u, dt, format!("{}", dir.join("ks_pysindy_u.npy").display()))
    };
    println!(
        "ks discovery: {source}: {} grid points × {} times, Δt = {dt}, L = 32π; library u^p ∂ₓ^d u (d, p ≤ 4, 24 terms, spectral), RVM MEDIDA preset, {stencil:?} time differences",
        u.nrows(),
        u.ncols()
    );
    let params = PdeDiscoveryParams::new().time_derivative(stencil);
    let fit = params
        .clone()
        .build()?
        .solve(&PdeData::new(&u, length, dt)?)?;
    println!(
        "discovered: {}   ({} rows, {} RVM iterations, {:.2} s)",
        fit.equation(),
        fit.rows,
        fit.fit.info.iterations,
        t0.elapsed().as_secs_f64()
    );
    println!("truth:      u_t = − 1 uu_x − 1 u_xx − 1 u_xxxx");
    let rows: Vec<Vec<f64>> = fit
        .terms
        .iter()
        .map(|(t, _, w, s)| {
            vec![
                params.library.index_of(*t).map_or(f64::NAN, |i| i as f64),
                *w,
                *s,
            ]
        })
        .collect();
    write_csv(
        &flags.out.join("discovered.csv"),
        &["term_index", "coefficient", "std"],
        &rows,
    )?;
    write_json(
        &flags.out.join("summary.json"),
        &[
            ("source", JsonValue::Str(source)),
            ("equation", JsonValue::Str(fit.equation())),
            ("terms", JsonValue::Int(fit.terms.len() as i64)),
        ],
    )?;
    println!("wrote {}", flags.out.display());
    Ok(())
}
