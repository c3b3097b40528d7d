//! Story: Adam and L-BFGS on the Rosenbrock valley.
//!
//! Minimises f(x) = Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² from the classic start (−1.2, 1, −1.2, …)
//! with Adam (step-decay schedule, as used to train PINNs) and with L-BFGS (argmin's solver
//! under parsimony's driver), and plots the two cost histories on a log axis.
//!
//! Run: `cargo run --release --example optimizers -- --out out/optimizers`
//! Flags: --n 2 (dimension) --adam-iters 20000 --lr 0.02

use nalgebra::DVector;
use parsimony::optim::{AdamParams, LbfgsParams, Rosenbrock};
use parsimony::output::{Flags, JsonValue, write_csv, write_json};
use parsimony::plot::{LinePlot, ProgressObserver};

fn main() -> std::process::ExitCode {
    parsimony::output::report(run())
}

fn run() -> parsimony::Result<()> {
    let args = Flags::parse("optimizers", std::env::args().skip(1))?;
    args.accept(&["n", "adam-iters", "lr"])?;
    let n: usize = args.get("n", 2)?;
    let iters: usize = args.get("adam-iters", 20_000)?;
    let lr: f64 = args.get("lr", 0.02)?;
    let mut f = Rosenbrock { n };
    let x0 = DVector::from_fn(n, |i, _| if i % 2 == 0 { -1.2 } else { 1.0 });

    let mut adam = AdamParams::new()
        .learning_rate(lr)
        .step_decay(iters / 10, 0.5)
        .max_iter(iters)
        .grad_tol(1e-8)
        .build(n)?;
    let mut bar = ProgressObserver::new("adam", iters as u64);
    let a = adam.solve_observed(&mut f, &x0, &mut bar)?;
    let l = LbfgsParams::default().build()?.solve(&mut f, &x0)?;
    for (name, r) in [("Adam", &a), ("L-BFGS", &l)] {
        let dist = (&r.x - DVector::from_element(n, 1.0)).norm();
        println!(
            "{name:7} {:6} iterations  f = {:.3e}  ‖∇f‖ = {:.2e}  ‖x − 1‖ = {:.2e}  converged = {} ({})",
            r.info.iterations, r.cost, r.grad_norm, dist, r.info.converged, r.info.status
        );
    }
    let ka: Vec<f64> = (1..=a.cost_history.len()).map(|k| k as f64).collect();
    let kl: Vec<f64> = (1..=l.cost_history.len()).map(|k| k as f64).collect();
    LinePlot::new(format!("Rosenbrock, n = {n}"))
        .labels("iteration", "f(x)")
        .log_x(true)
        .log_y(true)
        .line("Adam (step decay)", &ka, &a.cost_history)
        .line("L-BFGS (Moré–Thuente)", &kl, &l.cost_history)
        .save(args.out.join("optimizers.png"))?;
    let rows: Vec<Vec<f64>> = ka
        .iter()
        .zip(&a.cost_history)
        .map(|(k, c)| vec![*k, *c])
        .collect();
    write_csv(
        &args.out.join("adam_cost.csv"),
        &["iteration", "cost"],
        &rows,
    )?;
    let rows: Vec<Vec<f64>> = kl
        .iter()
        .zip(&l.cost_history)
        .map(|(k, c)| vec![*k, *c])
        .collect();
    write_csv(
        &args.out.join("lbfgs_cost.csv"),
        &["iteration", "cost"],
        &rows,
    )?;
    write_json(
        &args.out.join("summary.json"),
        &[
            ("n", JsonValue::Int(n as i64)),
            ("adam_iterations", JsonValue::Int(a.info.iterations as i64)),
            ("adam_cost", JsonValue::Num(a.cost)),
            ("lbfgs_iterations", JsonValue::Int(l.info.iterations as i64)),
            ("lbfgs_cost", JsonValue::Num(l.cost)),
            ("lbfgs_converged", JsonValue::Bool(l.info.converged)),
        ],
    )?;
    println!(
        "wrote optimizers.png, adam_cost.csv, lbfgs_cost.csv, summary.json to {}",
        args.out.display()
    );
    Ok(())
}
