//! The PINN engine against finite differences: the network's input derivatives (Taylor
//! streams), the adjoint gradient of the network, and the gradient of the Case 1 losses with
//! respect to every parameter and physical unknown (forward and inverse), in f64 and f32.

use parsimony_core::random::SplitMix64;
use parsimony_flame::data::{DataWeights, Observations};
use parsimony_flame::loss::{Case1Loss, Problem};
use parsimony_flame::mlp::{Mlp, MlpWorkspace};
use parsimony_flame::model::FlameModel;

/// Glorot weights plus random biases (so that the bias paths are exercised).
fn random_theta(mlp: &Mlp, seed: u64) -> Vec<f64> {
    let mut theta = mlp.glorot_normal(seed);
    let mut rng = SplitMix64::new(seed + 1);
    let widths = mlp.widths().to_vec();
    let mut k = 0;
    for l in 0..mlp.layers() {
        k += widths[l] * widths[l + 1];
        for _ in 0..widths[l + 1] {
            theta[k] = 0.3 * rng.normal();
            k += 1;
        }
    }
    theta
}

fn rel_err(a: f64, b: f64, scale: f64) -> f64 {
    (a - b).abs() / scale
}

#[test]
fn taylor_streams_are_the_input_derivatives() {
    let mlp = Mlp::new(&[1, 7, 5, 6, 1]).unwrap();
    let theta = random_theta(&mlp, 3);
    let xs: Vec<f64> = (0..23).map(|i| -2.0 + 0.37 * i as f64).collect();
    let mut ws = MlpWorkspace::<f64>::new();
    let out = ws.forward(&mlp, &theta, &xs).unwrap().to_vec();
    let n = xs.len();
    let value = |x: f64| {
        let mut w = MlpWorkspace::<f64>::new();
        w.forward(&mlp, &theta, &[x]).unwrap()[0]
    };
    let mut worst = (0.0f64, 0.0f64);
    for (i, &x) in xs.iter().enumerate() {
        // fourth-order central differences
        let h = 1e-3;
        let (fm2, fm1, f0, fp1, fp2) = (
            value(x - 2.0 * h),
            value(x - h),
            value(x),
            value(x + h),
            value(x + 2.0 * h),
        );
        let d1 = (fm2 - 8.0 * fm1 + 8.0 * fp1 - fp2) / (12.0 * h);
        let d2 = (-fm2 + 16.0 * fm1 - 30.0 * f0 + 16.0 * fp1 - fp2) / (12.0 * h * h);
        assert!((f0 - out[i]).abs() < 1e-15 * f0.abs().max(1.0));
        worst.0 = worst.0.max((d1 - out[n + i]).abs());
        worst.1 = worst.1.max((d2 - out[2 * n + i]).abs());
    }
    println!(
        "max |n₁ − FD| = {:.2e}, max |n₂ − FD| = {:.2e}",
        worst.0, worst.1
    );
    assert!(worst.0 < 1e-9, "first derivative off by {:e}", worst.0);
    assert!(worst.1 < 1e-6, "second derivative off by {:e}", worst.1);
}

#[test]
fn adjoint_gradient_of_the_network_matches_finite_differences() {
    // three hidden layers of different widths, and a single hidden layer (no hidden-to-hidden
    // GEMM: the first layer is also the last)
    for (widths, seed) in [(&[1, 6, 5, 4, 1][..], 11), (&[1, 5, 1][..], 12)] {
        check_adjoint(&Mlp::new(widths).unwrap(), seed);
    }
}

/// L(θ) = Σ cᵢ nᵢ + c₁ᵢ n₁ᵢ + c₂ᵢ n₂ᵢ: the adjoint is c, the gradient ∂L/∂θ.
fn check_adjoint(mlp: &Mlp, seed: u64) {
    let theta = random_theta(mlp, seed);
    let xs: Vec<f64> = (0..17).map(|i| -1.5 + 0.21 * i as f64).collect();
    let mut rng = SplitMix64::new(99);
    let c = rng.normals(3 * xs.len()).unwrap();
    let loss = |th: &[f64]| {
        let mut w = MlpWorkspace::<f64>::new();
        let o = w.forward(mlp, th, &xs).unwrap();
        o.iter().zip(&c).map(|(a, b)| a * b).sum::<f64>()
    };
    let mut ws = MlpWorkspace::<f64>::new();
    ws.forward(mlp, &theta, &xs).unwrap();
    let mut grad = vec![0.0; mlp.n_params()];
    ws.backward(mlp, &theta, &xs, &c, &mut grad, false).unwrap();
    let scale = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let mut worst = 0.0f64;
    for k in 0..mlp.n_params() {
        let h = 1e-6;
        let mut tp = theta.clone();
        tp[k] += h;
        let mut tm = theta.clone();
        tm[k] -= h;
        let fd = (loss(&tp) - loss(&tm)) / (2.0 * h);
        worst = worst.max(rel_err(fd, grad[k], scale));
    }
    println!(
        "{:?}, {} parameters: max |adjoint − FD| / max|∇| = {worst:.2e}",
        mlp.widths(),
        mlp.n_params()
    );
    assert!(worst < 1e-8, "adjoint gradient off by {worst:e}");
}

#[test]
fn the_network_rejects_wrong_sizes_and_takes_no_points() {
    let mlp = Mlp::new(&[1, 4, 3, 1]).unwrap();
    let theta = random_theta(&mlp, 2);
    let xs = [0.1, 0.5, 0.9];
    let mut ws = MlpWorkspace::<f64>::new();
    let err = ws.forward(&mlp, &theta[1..], &xs).unwrap_err();
    assert!(err.to_string().contains('θ'), "{err}");
    ws.forward(&mlp, &theta, &xs).unwrap();
    let mut grad = vec![0.0; mlp.n_params()];
    let adj = [1.0; 9];
    for (adj_out, g_len, pts, name) in [
        (&adj[..8], mlp.n_params(), &xs[..], "adj_out"),
        (&adj[..], mlp.n_params() - 1, &xs[..], "grad"),
        (&adj[..], mlp.n_params(), &xs[..2], "xhat"),
    ] {
        let mut g = vec![0.0; g_len];
        let err = ws
            .backward(&mlp, &theta, pts, adj_out, &mut g, false)
            .unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
    // no points: no output, a zero gradient
    assert!(ws.forward(&mlp, &theta, &[]).unwrap().is_empty());
    grad.fill(7.0);
    ws.backward(&mlp, &theta, &[], &[], &mut grad, false)
        .unwrap();
    assert!(grad.iter().all(|&g| g == 0.0));
}

fn check_loss_gradient(problem: Problem, unknowns: &[f64; 3], label: &str) {
    check_loss_gradient_weighted(problem, unknowns, label, DataWeights::Paper)
}

fn check_loss_gradient_weighted(
    problem: Problem,
    unknowns: &[f64; 3],
    label: &str,
    weights: DataWeights,
) {
    let model = FlameModel::new(298.0, 101_325.0, 0.42);
    let mlp = Mlp::new(&[1, 8, 8, 1]).unwrap();
    // 301 points: three blocks of the fused pass
    let x: Vec<f64> = (0..301).map(|i| model.length * i as f64 / 300.0).collect();
    let mut loss = Case1Loss::<f64>::new(&model, &mlp, &x, problem)
        .unwrap()
        .with_data_weights(weights);
    let theta = loss.initial_theta(random_theta(&mlp, 5), unknowns[0], unknowns[1], unknowns[2]);
    let mut grad = vec![0.0; loss.dim()];
    let parts = loss.evaluate(&theta, Some(&mut grad)).unwrap();
    let value_only = loss.evaluate(&theta, None).unwrap();
    assert_eq!(parts, value_only);
    let scale = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let mut worst = 0.0f64;
    let mut worst_phys = 0.0f64;
    let np = mlp.n_params();
    for k in 0..loss.dim() {
        let h = 1e-6 * theta[k].abs().max(1.0);
        let mut tp = theta.clone();
        tp[k] += h;
        let mut tm = theta.clone();
        tm[k] -= h;
        let fd = (loss.evaluate(&tp, None).unwrap().total
            - loss.evaluate(&tm, None).unwrap().total)
            / (2.0 * h);
        let e = rel_err(fd, grad[k], scale);
        if k >= np {
            // physical unknowns: relative to their own size
            let ep = (fd - grad[k]).abs() / grad[k].abs().max(1e-12 * scale);
            println!(
                "{label}: unknown {}: adjoint {:.10e}, FD {fd:.10e}",
                k - np,
                grad[k]
            );
            worst_phys = worst_phys.max(ep);
        }
        worst = worst.max(e);
    }
    println!(
        "{label}: loss {:.6e} (residual {:.3e}, boundary {:.3e}, data {:.3e}); max |∇ − FD|/max|∇| = {worst:.2e}, unknowns {worst_phys:.2e}",
        parts.total, parts.residual, parts.boundary, parts.data
    );
    assert!(parts.total.is_finite() && parts.total > 0.0);
    assert!(worst < 1e-6, "{label}: gradient off by {worst:e}");
    assert!(
        worst_phys < 1e-5,
        "{label}: unknowns' gradient off by {worst_phys:e}"
    );
}

#[test]
fn forward_loss_gradient_matches_finite_differences() {
    check_loss_gradient(Problem::Forward, &[0.35, 0.026, 121_417.2], "forward");
}

#[test]
fn inverse_loss_gradient_matches_finite_differences() {
    let model = FlameModel::new(298.0, 101_325.0, 0.42);
    let x: Vec<f64> = (0..5).map(|i| model.length * i as f64 / 4.0).collect();
    let temperature = vec![300.0, 1200.0, 4000.0, 4900.0, 5000.0];
    let velocity: Vec<f64> = temperature
        .iter()
        .map(|&t| model.velocity(t, 0.3))
        .collect();
    let obs = Observations {
        x,
        temperature,
        velocity,
    };
    check_loss_gradient(
        Problem::Inverse(obs.clone()),
        &[0.38, 0.03, 1.5e5],
        "inverse",
    );
    check_loss_gradient_weighted(
        Problem::Inverse(obs),
        &[0.38, 0.03, 1.5e5],
        "inverse, relative weights",
        DataWeights::Relative,
    );
}

#[test]
fn f32_network_agrees_with_f64() {
    let model = FlameModel::new(298.0, 101_325.0, 0.42);
    let mlp = Mlp::hidden(3, 16).unwrap();
    let x: Vec<f64> = (0..201).map(|i| model.length * i as f64 / 200.0).collect();
    let mut l64 = Case1Loss::<f64>::new(&model, &mlp, &x, Problem::Forward).unwrap();
    let mut l32 = Case1Loss::<f32>::new(&model, &mlp, &x, Problem::Forward).unwrap();
    let theta = l64.initial_theta(random_theta(&mlp, 8), 0.4, 0.0, 0.0);
    let mut g64 = vec![0.0; l64.dim()];
    let mut g32 = vec![0.0; l32.dim()];
    let p64 = l64.evaluate(&theta, Some(&mut g64)).unwrap();
    let p32 = l32.evaluate(&theta, Some(&mut g32)).unwrap();
    let scale = g64.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let worst = g64
        .iter()
        .zip(&g32)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs() / scale));
    let lrel = (p64.total - p32.total).abs() / p64.total;
    println!("f32 vs f64: loss rel. diff {lrel:.2e}, gradient {worst:.2e}");
    assert!(lrel < 1e-4 && worst < 1e-3);
}

#[test]
fn bad_input_is_a_typed_error() {
    assert!(Mlp::new(&[1, 1]).is_err());
    assert!(Mlp::new(&[2, 4, 1]).is_err());
    assert!(Mlp::new(&[1, 0, 1]).is_err());
    let model = FlameModel::new(298.0, 101_325.0, 0.46);
    let mlp = Mlp::hidden(2, 4).unwrap();
    let x = vec![0.0, 0.5e-3, 1.0e-3];
    let obs = |x: Vec<f64>, t: Vec<f64>| Observations {
        velocity: vec![0.4; x.len()],
        x,
        temperature: t,
    };
    let err = Case1Loss::<f64>::new(
        &model,
        &mlp,
        &x,
        Problem::Inverse(obs(vec![0.0, 2e-3], vec![300.0, 5000.0])),
    )
    .unwrap_err();
    assert!(err.to_string().contains("outside the domain"), "{err}");
    let err = Case1Loss::<f64>::new(
        &model,
        &mlp,
        &x,
        Problem::Inverse(obs(vec![0.0, 1e-3], vec![300.0, f64::NAN])),
    )
    .unwrap_err();
    assert!(err.to_string().contains("observed temperatures"), "{err}");
    assert!(Case1Loss::<f64>::new(&model, &mlp, &[0.0, 2e-3], Problem::Forward).is_err());
    let short = FlameModel {
        length: 0.0,
        ..FlameModel::default()
    };
    for (bad, name) in [
        (FlameModel::new(298.0, 101_325.0, 0.0), "phi"),
        (FlameModel::new(-1.0, 101_325.0, 0.4), "t_in"),
        (FlameModel::new(298.0, 0.0, 0.4), "p_in"),
        (short, "length"),
    ] {
        let err = Case1Loss::<f64>::new(&bad, &mlp, &x, Problem::Forward).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
    let mut loss = Case1Loss::<f64>::new(&model, &mlp, &x, Problem::Forward).unwrap();
    assert!(loss.evaluate(&[0.0; 3], None).is_err());
    assert!(loss.unknowns(&[0.0; 3]).is_err());
    let theta = vec![0.1; loss.dim()];
    let mut short = vec![0.0; loss.dim() - 1];
    let err = loss.evaluate(&theta, Some(&mut short)).unwrap_err();
    assert!(err.to_string().contains("grad"), "{err}");
    // no points to predict at: nothing, not a panic
    assert!(loss.predict(&theta, &[]).unwrap().is_empty());
    assert!(loss.residual_at(&theta, &[]).unwrap().is_empty());
}

#[test]
fn two_threads_give_the_same_loss_and_gradient() {
    let model = FlameModel::new(298.0, 101_325.0, 0.42);
    let mlp = Mlp::hidden(2, 12).unwrap();
    let x: Vec<f64> = (0..1001)
        .map(|i| model.length * i as f64 / 1000.0)
        .collect();
    let mut one = Case1Loss::<f64>::new(&model, &mlp, &x, Problem::Forward).unwrap();
    let mut two = Case1Loss::<f64>::new(&model, &mlp, &x, Problem::Forward)
        .unwrap()
        .with_threads(2);
    let theta = one.initial_theta(random_theta(&mlp, 4), 0.33, 0.0, 0.0);
    let (mut g1, mut g2) = (vec![0.0; one.dim()], vec![0.0; two.dim()]);
    let p1 = one.evaluate(&theta, Some(&mut g1)).unwrap();
    let p2 = two.evaluate(&theta, Some(&mut g2)).unwrap();
    let scale = g1.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let worst = g1
        .iter()
        .zip(&g2)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs() / scale));
    println!(
        "1 vs 2 threads: loss {:.3e}, gradient {worst:.2e}",
        (p1.total - p2.total).abs() / p1.total
    );
    assert!((p1.total - p2.total).abs() <= 1e-13 * p1.total);
    assert!(worst < 1e-13, "{worst:e}");
    // more threads than 128-point blocks: the surplus threads stay idle
    let few = &x[..200];
    let mut one = Case1Loss::<f64>::new(&model, &mlp, few, Problem::Forward).unwrap();
    let mut four = Case1Loss::<f64>::new(&model, &mlp, few, Problem::Forward)
        .unwrap()
        .with_threads(4);
    let p1 = one.evaluate(&theta, Some(&mut g1)).unwrap();
    let p4 = four.evaluate(&theta, Some(&mut g2)).unwrap();
    let worst = g1
        .iter()
        .zip(&g2)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs() / scale));
    assert!((p1.total - p4.total).abs() <= 1e-13 * p1.total);
    assert!(worst < 1e-13, "{worst:e}");
}
