//! The transport problem: a cost between n sources and m targets and the weights a, b.
//!
//! The cost is either a dense n × m matrix ([`OtProblem::new`]) or computed from two point
//! clouds ([`OtProblem::from_points`]): C_ij = s·‖x_i − y_j‖₂² ([`Metric::SquaredEuclidean`])
//! or s·‖x_i − y_j‖_p ([`Metric::Norm`]), with s = 1 or s = 1 / max_ij (unscaled C_ij) when
//! normalised (so the cost lies in [0, 1], the convention of Tang et al.'s experiments and of
//! the reference cases). A point-cloud problem never forms C unless asked
//! ([`OtProblem::dense_cost`]): the solvers compute its rows on the fly, O((n + m) d) memory.
//!
//! Validation (once, here): every cost entry and coordinate finite, every weight finite and
//! > 0, the two masses equal to 1e-12 relative, shapes that match, n, m ≥ 1.

use nalgebra::DMatrix;
use parsimony_core::{Error, Result, memory};

/// How a point-cloud cost is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric {
    /// ‖x − y‖₂² (the W2 ground cost).
    SquaredEuclidean,
    /// ‖x − y‖_p for p ≥ 1 (p = 1 or 2 for the W1 ground cost in ℓ¹ or ℓ²).
    Norm(f64),
}

/// Where the cost comes from.
#[derive(Clone, Debug)]
pub(crate) enum CostSource {
    /// Row-major n × m entries, and the transpose (row-major m × n) for column sweeps.
    Dense { c: Vec<f64>, ct: Vec<f64> },
    /// Points, row-major n × d and m × d, the metric and the scale s.
    Points {
        x: Vec<f64>,
        y: Vec<f64>,
        d: usize,
        metric: Metric,
        scale: f64,
    },
}

/// A discrete optimal-transport problem (see the module documentation).
#[derive(Clone, Debug)]
pub struct OtProblem {
    pub(crate) n: usize,
    pub(crate) m: usize,
    pub(crate) cost: CostSource,
    pub(crate) a: Vec<f64>,
    pub(crate) b: Vec<f64>,
    pub(crate) mass: f64,
    /// The smallest and the largest cost entry.
    pub(crate) range: (f64, f64),
}

fn check_weights(name: &str, w: &[f64]) -> Result<f64> {
    if w.is_empty() {
        return Err(Error::invalid(name, "needs at least one weight"));
    }
    for (i, &v) in w.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::non_finite(format!("{name}[{i}]")));
        }
        if v <= 0.0 {
            return Err(Error::invalid(
                name,
                format!("weights must be > 0, {name}[{i}] = {v}"),
            ));
        }
    }
    let s: f64 = w.iter().sum();
    if !s.is_finite() {
        return Err(Error::non_finite(format!("the sum of {name}")));
    }
    Ok(s)
}

fn check_masses(a: &[f64], b: &[f64]) -> Result<f64> {
    let (sa, sb) = (check_weights("a", a)?, check_weights("b", b)?);
    if (sa - sb).abs() > 1e-12 * sa.max(sb) {
        return Err(Error::invalid(
            "b",
            format!(
                "the masses differ: sum a = {sa:.17e}, sum b = {sb:.17e} (balanced OT needs them equal to 1e-12 relative)"
            ),
        ));
    }
    Ok(sa)
}

impl OtProblem {
    /// A problem with a dense cost matrix (n × m, any sign) and weights a (n), b (m).
    pub fn new(cost: &DMatrix<f64>, a: &[f64], b: &[f64]) -> Result<Self> {
        let (n, m) = cost.shape();
        if n == 0 || m == 0 {
            return Err(Error::invalid("cost", "the cost matrix is empty"));
        }
        if a.len() != n {
            return Err(Error::dimension("a (rows of the cost)", n, a.len()));
        }
        if b.len() != m {
            return Err(Error::dimension("b (columns of the cost)", m, b.len()));
        }
        let mass = check_masses(a, b)?;
        let nm = memory::checked_mul("cost entries", n, m)?;
        // the cost, its transpose, and the Newton stage's two plans
        memory::check_elements::<f64>("cost and plans", nm.saturating_mul(4))?;
        if let Some(k) = cost.iter().position(|v| !v.is_finite()) {
            return Err(Error::non_finite(format!("cost[({}, {})]", k % n, k / n)));
        }
        let mut c = vec![0.0; nm];
        for i in 0..n {
            for j in 0..m {
                c[i * m + j] = cost[(i, j)];
            }
        }
        let ct = cost.iter().copied().collect(); // column-major = the transpose row-major
        let range = c
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        Ok(Self {
            n,
            m,
            cost: CostSource::Dense { c, ct },
            a: a.to_vec(),
            b: b.to_vec(),
            mass,
            range,
        })
    }

    /// A problem between the points x (n × d, one point per row) and y (m × d) with weights a,
    /// b; the cost is computed on the fly (see the module documentation). `normalise` divides
    /// it by its largest entry (a pass over all pairs, O(nmd)).
    pub fn from_points(
        x: &DMatrix<f64>,
        y: &DMatrix<f64>,
        a: &[f64],
        b: &[f64],
        metric: Metric,
        normalise: bool,
    ) -> Result<Self> {
        let (n, d) = x.shape();
        let m = y.nrows();
        if n == 0 || m == 0 || d == 0 {
            return Err(Error::invalid(
                "points",
                format!(
                    "need points with coordinates (x is {n} × {d}, y is {m} × {})",
                    y.ncols()
                ),
            ));
        }
        if y.ncols() != d {
            return Err(Error::dimension(
                "y columns (the dimension of x)",
                d,
                y.ncols(),
            ));
        }
        if a.len() != n {
            return Err(Error::dimension("a (points of x)", n, a.len()));
        }
        if b.len() != m {
            return Err(Error::dimension("b (points of y)", m, b.len()));
        }
        if let Metric::Norm(p) = metric
            && !(p.is_finite() && p >= 1.0)
        {
            return Err(Error::invalid(
                "metric",
                format!("p must be finite and ≥ 1, got {p}"),
            ));
        }
        let mass = check_masses(a, b)?;
        memory::checked_mul("cost entries", n, m)?;
        for (name, pts) in [("x", x), ("y", y)] {
            if let Some(k) = pts.iter().position(|v| !v.is_finite()) {
                let rows = pts.nrows();
                return Err(Error::non_finite(format!(
                    "{name}[({}, {})]",
                    k % rows,
                    k / rows
                )));
            }
        }
        let row_major = |p: &DMatrix<f64>| -> Vec<f64> { p.transpose().iter().copied().collect() };
        let mut problem = Self {
            n,
            m,
            cost: CostSource::Points {
                x: row_major(x),
                y: row_major(y),
                d,
                metric,
                scale: 1.0,
            },
            a: a.to_vec(),
            b: b.to_vec(),
            mass,
            range: (0.0, 0.0),
        };
        let mut row = vec![0.0; m];
        let mut max: f64 = 0.0;
        let mut min = f64::INFINITY;
        for i in 0..n {
            problem.cost_row(i, &mut row);
            for &v in &row {
                if !v.is_finite() {
                    return Err(Error::non_finite(format!(
                        "cost of point {i} (the coordinates are too large: scale them)"
                    )));
                }
                max = max.max(v);
                min = min.min(v);
            }
        }
        problem.range = (min, max);
        if normalise {
            if max <= 0.0 {
                return Err(Error::degenerate(
                    "points",
                    "every pair of points coincides: the cost is zero and cannot be normalised",
                ));
            }
            if let CostSource::Points { scale, .. } = &mut problem.cost {
                *scale = 1.0 / max;
            }
            problem.range = (min / max, 1.0);
        }
        Ok(problem)
    }

    /// Number of sources n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of targets m.
    pub fn m(&self) -> usize {
        self.m
    }

    /// The source weights a.
    pub fn a(&self) -> &[f64] {
        &self.a
    }

    /// The target weights b.
    pub fn b(&self) -> &[f64] {
        &self.b
    }

    /// The total mass Σ a = Σ b.
    pub fn mass(&self) -> f64 {
        self.mass
    }

    /// The smallest and the largest entry of the cost.
    pub fn cost_range(&self) -> (f64, f64) {
        self.range
    }

    /// Whether the cost is computed from points on the fly.
    pub fn is_on_the_fly(&self) -> bool {
        matches!(self.cost, CostSource::Points { .. })
    }

    /// Row i of the cost into `out` (length m).
    pub fn cost_row(&self, i: usize, out: &mut [f64]) {
        match &self.cost {
            CostSource::Dense { c, .. } => out.copy_from_slice(&c[i * self.m..(i + 1) * self.m]),
            CostSource::Points {
                x,
                y,
                d,
                metric,
                scale,
            } => points_row(&x[i * d..(i + 1) * d], y, *d, *metric, *scale, out),
        }
    }

    /// The cost entry C_ij (computed from the points for an on-the-fly cost).
    pub fn cost_entry(&self, i: usize, j: usize) -> f64 {
        match &self.cost {
            CostSource::Dense { c, .. } => c[i * self.m + j],
            CostSource::Points {
                x,
                y,
                d,
                metric,
                scale,
            } => {
                let mut out = [0.0];
                points_row(
                    &x[i * d..(i + 1) * d],
                    &y[j * d..(j + 1) * d],
                    *d,
                    *metric,
                    *scale,
                    &mut out,
                );
                out[0]
            }
        }
    }

    /// Column j of the cost into `out` (length n).
    pub fn cost_col(&self, j: usize, out: &mut [f64]) {
        match &self.cost {
            CostSource::Dense { ct, .. } => out.copy_from_slice(&ct[j * self.n..(j + 1) * self.n]),
            CostSource::Points {
                x,
                y,
                d,
                metric,
                scale,
            } => points_row(&y[j * d..(j + 1) * d], x, *d, *metric, *scale, out),
        }
    }

    /// The cost as a dense n × m matrix (checked against the memory budget).
    pub fn dense_cost(&self) -> Result<DMatrix<f64>> {
        let nm = memory::checked_mul("cost entries", self.n, self.m)?;
        memory::check_elements::<f64>("dense cost", nm)?;
        let mut row = vec![0.0; self.m];
        let mut c = DMatrix::zeros(self.n, self.m);
        for i in 0..self.n {
            self.cost_row(i, &mut row);
            for (j, v) in row.iter().enumerate() {
                c[(i, j)] = *v;
            }
        }
        Ok(c)
    }

    /// The row-major dense cost, if the problem holds one.
    pub(crate) fn dense(&self) -> Option<(&[f64], &[f64])> {
        match &self.cost {
            CostSource::Dense { c, ct } => Some((c, ct)),
            CostSource::Points { .. } => None,
        }
    }
}

/// s·dist(p, y_k) for every point k of `ys` (row-major, k × d) into `out`.
fn points_row(p: &[f64], ys: &[f64], d: usize, metric: Metric, scale: f64, out: &mut [f64]) {
    match (metric, d) {
        (Metric::SquaredEuclidean, 2) => {
            let (p0, p1) = (p[0], p[1]);
            for (o, q) in out.iter_mut().zip(ys.chunks_exact(2)) {
                let (u, v) = (p0 - q[0], p1 - q[1]);
                *o = scale * (u * u + v * v);
            }
        }
        (Metric::SquaredEuclidean, _) => {
            for (o, q) in out.iter_mut().zip(ys.chunks_exact(d)) {
                *o = scale * p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum::<f64>();
            }
        }
        (Metric::Norm(pp), _) => {
            for (o, q) in out.iter_mut().zip(ys.chunks_exact(d)) {
                let s = if pp == 1.0 {
                    p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
                } else if pp == 2.0 {
                    p.iter()
                        .zip(q)
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                        .sqrt()
                } else {
                    p.iter()
                        .zip(q)
                        .map(|(a, b)| (a - b).abs().powf(pp))
                        .sum::<f64>()
                        .powf(1.0 / pp)
                };
                *o = scale * s;
            }
        }
    }
}
