//! The passes over the cost that every solver makes, for a dense or an on-the-fly cost, on one
//! thread or on a rayon pool: the two log-sum-exp sweeps of Sinkhorn and the evaluation of
//! the plan's sums at given potentials.

use crate::kernels::{PlanSums, lse_rows, plan_rows};
use crate::problem::OtProblem;
use rayon::prelude::*;

/// Rows per task when the sweeps run on several threads.
const BLOCK: usize = 64;

/// The sweeps of one problem at one ε.
pub(crate) struct Engine<'a> {
    pub problem: &'a OtProblem,
    pub eps: f64,
    pub inv_eps: f64,
    /// A pool of `threads` workers (None: the calling thread).
    pool: Option<rayon::ThreadPool>,
}

impl<'a> Engine<'a> {
    pub fn new(problem: &'a OtProblem, eps: f64, threads: usize) -> parsimony_core::Result<Self> {
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| parsimony_core::Error::invalid("threads", e.to_string()))?,
            )
        } else {
            None
        };
        Ok(Self {
            problem,
            eps,
            inv_eps: 1.0 / eps,
            pool,
        })
    }

    /// Another ε on the same problem and pool.
    pub fn set_eps(&mut self, eps: f64) {
        self.eps = eps;
        self.inv_eps = 1.0 / eps;
    }

    fn run<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }

    /// lse[i] = log Σⱼ exp((gⱼ − Cᵢⱼ)/ε) for every row i (length n), g of length m.
    pub fn row_lse(&self, g: &[f64], lse: &mut [f64]) {
        let p = self.problem;
        self.sweep(
            g,
            lse,
            p.m,
            |i, buf| p.cost_row(i, buf),
            p.dense().map(|d| d.0),
        );
    }

    /// lse[j] = log Σᵢ exp((fᵢ − Cᵢⱼ)/ε) for every column j (length m), f of length n.
    pub fn col_lse(&self, f: &[f64], lse: &mut [f64]) {
        let p = self.problem;
        self.sweep(
            f,
            lse,
            p.n,
            |j, buf| p.cost_col(j, buf),
            p.dense().map(|d| d.1),
        );
    }

    fn sweep(
        &self,
        h: &[f64],
        lse: &mut [f64],
        len: usize,
        line: impl Fn(usize, &mut [f64]) + Sync,
        dense: Option<&[f64]>,
    ) {
        let inv_eps = self.inv_eps;
        match (dense, &self.pool) {
            (Some(c), None) => lse_rows(c, h, inv_eps, lse, &mut vec![0.0; len]),
            (Some(c), Some(_)) => self.run(|| {
                lse.par_chunks_mut(BLOCK)
                    .zip(c.par_chunks(BLOCK * len))
                    .for_each_init(
                        || vec![0.0; len],
                        |scratch, (out, block)| lse_rows(block, h, inv_eps, out, scratch),
                    );
            }),
            (None, None) => {
                let (mut buf, mut scratch) = (vec![0.0; len], vec![0.0; len]);
                for (i, o) in lse.iter_mut().enumerate() {
                    line(i, &mut buf);
                    lse_rows(&buf, h, inv_eps, std::slice::from_mut(o), &mut scratch);
                }
            }
            (None, Some(_)) => self.run(|| {
                lse.par_chunks_mut(BLOCK).enumerate().for_each_init(
                    || (vec![0.0; len], vec![0.0; len]),
                    |(buf, scratch), (b, out)| {
                        for (k, o) in out.iter_mut().enumerate() {
                            line(b * BLOCK + k, buf);
                            lse_rows(buf, h, inv_eps, std::slice::from_mut(o), scratch);
                        }
                    },
                );
            }),
        }
    }

    /// The plan's row sums, column sums and ⟨C, P⟩ at (f, g); the plan itself into `plan`
    /// (row-major n × m) when given.
    pub fn plan_sums(&self, f: &[f64], g: &[f64], plan: Option<&mut [f64]>) -> PlanSums {
        let p = self.problem;
        let (n, m) = (p.n, p.m);
        let mut sums = PlanSums {
            rows: vec![0.0; n],
            cols: vec![0.0; m],
            transport: 0.0,
        };
        match (p.dense(), plan) {
            (Some((c, _)), Some(out)) => plan_rows(c, f, g, self.inv_eps, out, &mut sums),
            (dense, mut plan) => {
                let mut crow = vec![0.0; m];
                let mut prow = vec![0.0; m];
                let mut one = PlanSums {
                    rows: vec![0.0],
                    cols: vec![0.0; m],
                    transport: 0.0,
                };
                for i in 0..n {
                    let c = match dense {
                        Some((c, _)) => &c[i * m..(i + 1) * m],
                        None => {
                            p.cost_row(i, &mut crow);
                            &crow[..]
                        }
                    };
                    let out = match plan.as_deref_mut() {
                        Some(pl) => &mut pl[i * m..(i + 1) * m],
                        None => &mut prow[..],
                    };
                    plan_rows(c, &f[i..=i], g, self.inv_eps, out, &mut one);
                    sums.rows[i] = one.rows[0];
                }
                sums.cols = one.cols;
                sums.transport = one.transport;
            }
        }
        sums
    }
}
