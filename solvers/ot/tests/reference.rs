//! The shared reference cases of the OT spec: costs and objectives to 1e-9 relative at L1
//! error ≤ 1e-11 for both solvers, the dual–primal identity, gauge invariance, the ε → 0 limit
//! against exact OT, super-linear Newton convergence, and Sinkhorn vs SNS iteration counts.

use nalgebra::DMatrix;
use parsimony_ot::cases::{dens1d, dens1d_weights, gauss2d, gauss2d_points, random_assignment};
use parsimony_ot::wasserstein::{w1_1d, w2_squared_1d};
use parsimony_ot::{EpsScaling, OtProblem, OtSolution, SinkhornParams, SnsParams, WarmStart};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn read_csv(name: &str) -> Vec<[f64; 2]> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let mut it = l.split(',').map(|v| v.trim().parse::<f64>().unwrap());
            [it.next().unwrap(), it.next().unwrap()]
        })
        .collect()
}

#[test]
fn the_generator_reproduces_the_stored_points() {
    let (x, y) = gauss2d_points(500, 1);
    for (name, pts) in [("gauss2d_n500_X.csv", &x), ("gauss2d_n500_Y.csv", &y)] {
        let stored = read_csv(name);
        assert_eq!(stored.len(), 500);
        for (i, p) in stored.iter().enumerate() {
            for k in 0..2 {
                assert!(
                    (pts[(i, k)] - p[k]).abs() <= 1e-15 * p[k].abs().max(1.0),
                    "{name} row {i}"
                );
            }
        }
    }
    // the spec's spot values
    assert_eq!(x[(0, 0)], -0.034267321791851144);
    assert_eq!(y[(0, 1)], 0.42179271467868923);
    let mut max: f64 = 0.0;
    for i in 0..500 {
        for j in 0..500 {
            let d = (x[(i, 0)] - y[(j, 0)]).powi(2) + (x[(i, 1)] - y[(j, 1)]).powi(2);
            max = max.max(d);
        }
    }
    assert!(rel(max, 51.028184408468206) < 1e-14, "{max}");
}

/// (problem, reg, cost, objective) of the spec's table.
fn cases() -> Vec<(&'static str, OtProblem, f64, f64, f64)> {
    vec![
        (
            "gauss2d_n500 1e-2",
            gauss2d(500, 1, false).unwrap(),
            1e-2,
            0.0543326910199727,
            -0.0571183322542737,
        ),
        (
            "gauss2d_n500 1e-3",
            gauss2d(500, 1, false).unwrap(),
            1e-3,
            0.0470958456533658,
            0.0378653938403809,
        ),
        (
            "randassign_n500 1/1200",
            random_assignment(500, 3).unwrap(),
            1.0 / 1200.0,
            0.00345768115067113,
            -0.00236796227028426,
        ),
        (
            "randassign_n500 1e-2",
            random_assignment(500, 3).unwrap(),
            1e-2,
            0.0112203216049703,
            -0.077194648819148,
        ),
    ]
}

fn check(name: &str, s: &OtSolution, cost: f64, objective: f64) {
    assert!(s.info.converged, "{name}: {:?}", s.info);
    assert!(
        s.marginal_error <= 1e-11,
        "{name}: L1 {:e}",
        s.marginal_error
    );
    assert!(
        rel(s.transport_cost, cost) < 1e-9,
        "{name}: cost {:.16e} vs {cost:.16e}",
        s.transport_cost
    );
    assert!(
        rel(s.objective, objective) < 1e-9,
        "{name}: objective {:.16e} vs {objective:.16e}",
        s.objective
    );
    // the dual value equals the primal objective at the optimum
    assert!(
        (s.dual - s.objective).abs() < 1e-10 * s.objective.abs().max(1e-3),
        "{name}: dual {:e} objective {:e}",
        s.dual,
        s.objective
    );
}

#[test]
fn sns_matches_the_reference_costs_and_objectives() {
    for (name, problem, reg, cost, objective) in cases() {
        let s = SnsParams::new(reg)
            .tol(1e-12)
            .build()
            .unwrap()
            .solve(&problem)
            .unwrap();
        check(name, &s, cost, objective);
        eprintln!(
            "SNS {name}: {} Sinkhorn + {} Newton ({} CG), L1 {:.1e}, {:.3} s",
            s.sinkhorn_iterations,
            s.newton_iterations,
            s.cg_iterations,
            s.marginal_error,
            s.info.seconds
        );
    }
}

#[test]
fn sinkhorn_matches_the_reference_costs_and_objectives() {
    for (name, problem, reg, cost, objective) in cases() {
        let s = SinkhornParams::new(reg)
            .tol(1e-11)
            .build()
            .unwrap()
            .solve(&problem)
            .unwrap();
        check(name, &s, cost, objective);
        eprintln!(
            "Sinkhorn {name}: {} iterations, L1 {:.1e}, {:.3} s",
            s.sinkhorn_iterations, s.marginal_error, s.info.seconds
        );
    }
}

#[test]
fn gauge_free_spot_values_of_gauss2d_at_1e_3() {
    let problem = gauss2d(500, 1, false).unwrap();
    let s = SnsParams::new(1e-3)
        .tol(1e-13)
        .plan(true)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    assert!((s.f[0] - s.f[1] - 0.10454417568663166).abs() < 1e-9);
    assert!((s.g[0] - s.g[1] + 0.01699605025525964).abs() < 1e-9);
    assert!((s.f[0] + s.g[0] - 0.1050174985524076).abs() < 1e-9);
    let plan = s.plan.as_ref().unwrap();
    assert!(rel(plan[(0, 0)], 2.773e-29) < 1e-3, "{:e}", plan[(0, 0)]);
    let argmax = (0..500)
        .max_by(|&i, &j| plan[(0, i)].total_cmp(&plan[(0, j)]))
        .unwrap();
    assert_eq!(argmax, 420);
    // an entry from the potentials alone equals the stored plan's (dense and on the fly)
    let fly = gauss2d(500, 1, true).unwrap();
    for (i, j) in [(0, 0), (0, 420), (499, 7)] {
        for p in [&problem, &fly] {
            let e = s.plan_entry(p, i, j);
            assert!(
                (e - plan[(i, j)]).abs() <= 1e-12 * plan[(i, j)].max(1e-300),
                "({i}, {j})"
            );
        }
    }
    // gauge invariance: (f + t, g − t) from a warm start gives the same plan
    let t = 0.37;
    let warm = WarmStart {
        f: s.f.iter().map(|v| v + t).collect(),
        g: s.g.iter().map(|v| v - t).collect(),
    };
    let again = SnsParams::new(1e-3)
        .tol(1e-13)
        .plan(true)
        .build()
        .unwrap()
        .solve_observed(&problem, Some(&warm), &mut parsimony_core::solve::Silent)
        .unwrap();
    let p2 = again.plan.as_ref().unwrap();
    let diff = (plan - p2).abs().max();
    assert!(diff < 1e-12 * plan.max(), "{diff:e}");
    assert!(
        (again.f[0] - s.f[0]).abs() < 1e-10,
        "the gauge is fixed on output"
    );
}

#[test]
fn entropic_costs_decrease_to_the_exact_cost() {
    for (name, problem, exact, regs) in [
        (
            "gauss2d_n500",
            gauss2d(500, 1, false).unwrap(),
            0.04633332892386592,
            [1e-2, 1e-3, 1e-4],
        ),
        (
            "randassign_n500",
            random_assignment(500, 3).unwrap(),
            0.00323381664446694,
            [1e-2, 1e-3, 1.0 / 1200.0],
        ),
    ] {
        let mut last = f64::INFINITY;
        for reg in regs {
            let s = SnsParams::new(reg)
                .tol(1e-10)
                .eps_scaling(EpsScaling::default())
                .build()
                .unwrap()
                .solve(&problem)
                .unwrap();
            assert!(s.info.converged, "{name} {reg}: {:?}", s.info);
            assert!(
                s.transport_cost > exact && s.transport_cost < last,
                "{name} {reg}"
            );
            last = s.transport_cost;
        }
        assert!(rel(last, exact) < 0.1, "{name}: {last} vs {exact}");
    }
}

/// n ≤ 8 with uniform weights: the LP optimum is a permutation (Birkhoff); as ε → 0 the
/// entropic cost tends to the cheapest one, enumerated.
#[test]
fn small_problems_tend_to_the_enumerated_assignment() {
    let mut rng = parsimony_core::random::SplitMix64::new(11);
    for n in [2usize, 3, 5, 7] {
        let c = DMatrix::from_fn(n, n, |_, _| rng.uniform());
        let w = vec![1.0 / n as f64; n];
        let problem = OtProblem::new(&c, &w, &w).unwrap();
        let best = min_assignment(&c) / n as f64;
        let mut errs = Vec::new();
        for reg in [1e-2, 1e-3, 1e-4] {
            let s = SnsParams::new(reg)
                .tol(1e-12)
                .eps_scaling(EpsScaling::default())
                .build()
                .unwrap()
                .solve(&problem)
                .unwrap();
            assert!(s.info.converged, "n = {n}, ε = {reg}: {:?}", s.info);
            errs.push(s.transport_cost - best);
        }
        // below the LP optimum only by what the marginal error (≤ 1e-12) lets the cost slip
        assert!(errs.iter().all(|&e| e >= -1e-11), "n = {n}: {errs:?}");
        assert!(errs[2] < 1e-3 && errs[2] <= errs[0], "n = {n}: {errs:?}");
    }
}

fn min_assignment(c: &DMatrix<f64>) -> f64 {
    fn go(c: &DMatrix<f64>, row: usize, used: &mut Vec<bool>, acc: f64, best: &mut f64) {
        let n = c.nrows();
        if row == n {
            *best = best.min(acc);
            return;
        }
        for j in 0..n {
            if !used[j] {
                used[j] = true;
                go(c, row + 1, used, acc + c[(row, j)], best);
                used[j] = false;
            }
        }
    }
    let mut best = f64::INFINITY;
    go(c, 0, &mut vec![false; c.nrows()], 0.0, &mut best);
    best
}

#[test]
fn newton_converges_super_linearly() {
    let problem = gauss2d(500, 1, false).unwrap();
    let s = SnsParams::new(1e-2)
        .tol(1e-13)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    let e = &s.newton_errors;
    eprintln!("Newton errors: {e:?}");
    // the last steps above the precision floor: e_{k+1} ≤ C e_k^1.5
    let above: Vec<f64> = e.iter().copied().filter(|&v| v > 1e-13).collect();
    assert!(above.len() >= 3, "{e:?}");
    let k = above.len();
    for w in above[k - 3..].windows(2) {
        assert!(w[1] <= 10.0 * w[0].powf(1.5), "{e:?}");
    }
}

#[test]
fn sns_needs_far_fewer_iterations_than_sinkhorn_on_random_assignment() {
    let problem = random_assignment(500, 3).unwrap();
    let reg = 1.0 / 1200.0;
    let sns = SnsParams::new(reg)
        .tol(1e-12)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    let sk = SinkhornParams::new(reg)
        .tol(1e-12)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    assert!(sns.info.converged, "SNS: {:?}", sns.info);
    assert!(sk.info.converged, "Sinkhorn: {:?}", sk.info);
    let sns_its = sns.sinkhorn_iterations + sns.newton_iterations;
    eprintln!(
        "random assignment η = 1200: SNS {} + {} = {sns_its}, Sinkhorn {}",
        sns.sinkhorn_iterations, sns.newton_iterations, sk.sinkhorn_iterations
    );
    assert!(sk.sinkhorn_iterations >= 100 * sns_its);
}

#[test]
fn dens1d_converges_where_scaling_sinkhorn_fails() {
    let (x, a, b) = dens1d_weights(1000);
    for (p, reg, scaling) in [(2u32, 1e-3, false), (1, 1e-3, false), (2, 1e-4, true)] {
        let problem = dens1d(1000, p).unwrap();
        let mut prm = SnsParams::new(reg).tol(1e-10);
        if scaling {
            prm = prm.eps_scaling(EpsScaling::default());
        }
        let s = prm.build().unwrap().solve(&problem).unwrap();
        assert!(
            s.info.converged && s.marginal_error <= 1e-10,
            "W{p} ε = {reg}: {:?}",
            s.info
        );
        let exact = if p == 1 {
            w1_1d(&x, &a, &x, &b).unwrap()
        } else {
            w2_squared_1d(&x, &a, &x, &b).unwrap()
        };
        eprintln!(
            "dens1d W{p} ε = {reg}: cost {:.6e} (exact {exact:.6e}), {} + {} its, {:.2} s",
            s.transport_cost, s.sinkhorn_iterations, s.newton_iterations, s.info.seconds
        );
        assert!(s.transport_cost >= exact * (1.0 - 1e-9));
    }
}

/// The answer does not depend on the road: SNS with the Newton ε schedule (stages 3 apart,
/// loose intermediate stages), with the default one and without scaling reach the same
/// potentials and cost.
#[test]
fn eps_schedules_reach_the_same_solution() {
    let problem = gauss2d(300, 1, false).unwrap();
    let run = |s: Option<EpsScaling>| {
        let mut prm = SnsParams::new(1e-3).tol(1e-11);
        if let Some(s) = s {
            prm = prm.eps_scaling(s);
        }
        let sol = prm.build().unwrap().solve(&problem).unwrap();
        assert!(sol.info.converged, "{s:?}: {:?}", sol.info);
        sol
    };
    let plain = run(None);
    for s in [EpsScaling::newton(), EpsScaling::default()] {
        let sol = run(Some(s));
        let rel = (sol.transport_cost - plain.transport_cost).abs() / plain.transport_cost;
        let df = (&sol.f - &plain.f).abs().max();
        assert!(rel < 1e-9 && df < 1e-8, "{s:?}: cost {rel:e}, f {df:e}");
    }
}

#[test]
fn on_the_fly_and_dense_costs_give_the_same_potentials() {
    let dense = gauss2d(200, 1, false).unwrap();
    let fly = gauss2d(200, 1, true).unwrap();
    assert!(fly.is_on_the_fly() && !dense.is_on_the_fly());
    for threads in [1, 2] {
        let run = |p: &OtProblem| {
            SinkhornParams::new(1e-2)
                .tol(1e-12)
                .threads(threads)
                .build()
                .unwrap()
                .solve(p)
                .unwrap()
        };
        let (s1, s2) = (run(&dense), run(&fly));
        let df = (&s1.f - &s2.f).abs().max();
        let dg = (&s1.g - &s2.g).abs().max();
        assert!(df < 1e-12 && dg < 1e-12, "threads {threads}: {df:e} {dg:e}");
        assert_eq!(s1.sinkhorn_iterations, s2.sinkhorn_iterations);
    }
    // SNS: on the fly no plan is stored, every Newton product recomputes it from the points
    let run = |p: &OtProblem| {
        SnsParams::new(1e-3)
            .tol(1e-12)
            .build()
            .unwrap()
            .solve(p)
            .unwrap()
    };
    let (s1, s2) = (run(&dense), run(&fly));
    assert!(s1.info.converged && s2.info.converged, "{:?}", s2.info);
    let df = (&s1.f - &s2.f).abs().max();
    let dg = (&s1.g - &s2.g).abs().max();
    assert!(df < 1e-12 && dg < 1e-12, "SNS: {df:e} {dg:e}");
    assert_eq!(s1.newton_iterations, s2.newton_iterations);
    assert!(s2.newton_iterations > 0);
}

#[test]
fn the_sparse_hessian_works_on_sparse_plans_and_gives_way_on_dense_ones() {
    // random assignment at η = 1200: each row's mass sits in a few entries (the paper's case)
    let problem = random_assignment(500, 3).unwrap();
    let reg = 1.0 / 1200.0;
    for (name, prm) in [
        ("paper", SnsParams::paper(reg)),
        (
            "sparse κ = 3",
            SnsParams::new(reg).hessian(parsimony_ot::Hessian::sparse()),
        ),
    ] {
        let s = prm.tol(1e-11).build().unwrap().solve(&problem).unwrap();
        eprintln!(
            "{name}: {} Sinkhorn + {} Newton ({} sparse, {} CG), L1 {:.1e}, {:.3} s",
            s.sinkhorn_iterations,
            s.newton_iterations,
            s.sparse_newton_iterations,
            s.cg_iterations,
            s.marginal_error,
            s.info.seconds
        );
        assert!(s.info.converged, "{name}: {:?}", s.info);
        assert!(rel(s.transport_cost, 0.00345768115067113) < 1e-9, "{name}");
        assert!(s.sparse_newton_iterations > 0, "{name}");
    }
    // gauss2d at ε = 1e-3: a row needs ~40 entries; the adaptive mode switches to exact
    let problem = gauss2d(500, 1, false).unwrap();
    let s = SnsParams::new(1e-3)
        .hessian(parsimony_ot::Hessian::sparse())
        .tol(1e-11)
        .build()
        .unwrap()
        .solve(&problem)
        .unwrap();
    assert!(s.info.converged, "{:?}", s.info);
    assert!(s.sparse_newton_iterations < s.newton_iterations);
    assert!(rel(s.transport_cost, 0.0470958456533658) < 1e-9);
}
