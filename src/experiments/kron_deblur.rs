//! Deblurring an image through a matrix-free Kronecker operator.
//!
//! A separable Gaussian blur of an n × n image is H = B ⊗ B (B the 1-D blur, row-major image
//! vectorisation), an N × N matrix with N = n². For n = 128 that is 16 384² entries (2 GiB);
//! parsimony never forms it. The experiment blurs a test image, adds white noise at a chosen
//! SNR, and recovers it by Tikhonov regularisation,
//!
//! ```text
//! min ‖H x − y‖² + λ‖x‖²  ⇔  (Hᵀ H + λ I) x = Hᵀ y,
//! ```
//!
//! solved by matrix-free conjugate gradient where each iteration applies H and Hᵀ through mode
//! products (O(N·n) flops instead of O(N²)).
//!
//! Config ([`DeblurConfig`]): `n = 128` pixels per side, `sigma = 2` (blur width, pixels),
//! `snr = 30` dB, `lambda = 5e-3`, `seed = 7`. `parsimony run kron-deblur`, or
//! `cargo run --release --example kron_deblur`. Writes `image_true.png`, `image_blurred.png`,
//! `image_recovered.png`, `cg_residual.png`, `cg_residual.csv` and `run.json`.

use super::shape::Experiment;
use crate::linalg::{CgParams, KroneckerOperator, LinearOperator, ModeWorkspace, Transform};
use crate::output::write_csv;
use crate::plot::{Colormap, Heatmap, LinePlot};
use crate::random::{add_noise_snr, seeded_rng};
use crate::solve::Observer;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeblurConfig {
    /// Pixels per side of the image (N = n² unknowns).
    pub n: usize,
    /// Standard deviation of the Gaussian blur, in pixels (the kernel is cut at 4σ).
    pub sigma: f64,
    /// Signal-to-noise ratio of the data, in dB.
    pub snr: f64,
    /// Tikhonov weight λ.
    pub lambda: f64,
    /// Seed of the noise.
    pub seed: u64,
}

impl Default for DeblurConfig {
    fn default() -> Self {
        Self {
            n: 128,
            sigma: 2.0,
            snr: 30.0,
            lambda: 5e-3,
            seed: 7,
        }
    }
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct DeblurReport {
    /// Variance of the added noise.
    pub noise_variance: f64,
    /// CG iterations.
    pub cg_iterations: usize,
    /// Whether CG reached its tolerance (relative residual 1e-8).
    pub cg_converged: bool,
    /// ‖b − A x‖ / ‖b‖ of the returned x.
    pub cg_relative_residual: f64,
    /// ‖rₖ‖ / ‖Hᵀy‖ per CG iteration.
    pub cg_history: Vec<f64>,
    /// ‖y − x‖ / ‖x‖: the data against the true image.
    pub relative_error_data: f64,
    /// ‖x̂ − x‖ / ‖x‖: the recovered image against the true one.
    pub relative_error_recovered: f64,
    /// The true, the blurred + noisy and the recovered image (row-major, n² each; not written
    /// to run.json).
    #[serde(skip)]
    pub images: [DVector<f64>; 3],
}

/// The experiment (see the module documentation).
pub struct KronDeblur;

/// The Tikhonov normal operator x ↦ Hᵀ H x + λ x, applied matrix-free.
struct Normal<'a> {
    h: &'a KroneckerOperator<f64>,
    lambda: f64,
}

impl LinearOperator<f64> for Normal<'_> {
    type Workspace = (ModeWorkspace<f64>, Vec<f64>);
    fn nrows(&self) -> usize {
        self.h.ncols()
    }
    fn ncols(&self) -> usize {
        self.h.ncols()
    }
    fn workspace(&self) -> Self::Workspace {
        (self.h.workspace(), vec![0.0; self.h.nrows()])
    }
    fn apply_into(&self, x: &[f64], y: &mut [f64], ws: &mut Self::Workspace) -> crate::Result<()> {
        let (modes, hx) = ws;
        self.h.apply_into(Transform::Identity, x, hx, modes)?;
        self.h.apply_into(Transform::Transpose, hx, y, modes)?;
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += self.lambda * xi;
        }
        Ok(())
    }
}

/// 1-D Gaussian blur with zero boundary, rows normalised to sum 1.
fn blur_matrix(n: usize, sigma: f64) -> DMatrix<f64> {
    let mut b = DMatrix::from_fn(n, n, |i, j| {
        let d = i as f64 - j as f64;
        if d.abs() <= 4.0 * sigma {
            (-d * d / (2.0 * sigma * sigma)).exp()
        } else {
            0.0
        }
    });
    for mut row in b.row_iter_mut() {
        let s = row.sum();
        row /= s;
    }
    b
}

/// A test image: two rectangles, a disc and a smooth blob on [0, 1]².
fn phantom(n: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, n, |i, j| {
        let (y, x) = (
            1.0 - (i as f64 + 0.5) / n as f64,
            (j as f64 + 0.5) / n as f64,
        );
        let mut v = 0.0;
        if (0.15..0.45).contains(&x) && (0.55..0.85).contains(&y) {
            v += 1.0;
        }
        if (0.6..0.68).contains(&x) && (0.1..0.9).contains(&y) {
            v += 0.7;
        }
        if (x - 0.3).powi(2) + (y - 0.28).powi(2) < 0.015 {
            v += 0.8;
        }
        v + 0.6 * (-((x - 0.8).powi(2) + (y - 0.3).powi(2)) / 0.01).exp()
    })
}

fn rel_err(a: &DVector<f64>, b: &DVector<f64>) -> f64 {
    (a - b).norm() / b.norm()
}

/// Image (row i from the top) as heat-map rows (row 0 at the bottom).
fn as_field(v: &DVector<f64>, n: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, n, |r, c| v[(n - 1 - r) * n + c])
}

impl Experiment for KronDeblur {
    const NAME: &'static str = "kron-deblur";
    const ABOUT: &'static str =
        "Core: deblurring an n×n image, Tikhonov through a matrix-free Kronecker operator and CG";
    type Config = DeblurConfig;
    type Report = DeblurReport;

    fn run(cfg: &DeblurConfig, observer: &mut dyn Observer) -> crate::Result<DeblurReport> {
        let n = cfg.n;
        if n < 2 {
            return Err(crate::Error::invalid(
                "n",
                format!("need ≥ 2 pixels, got {n}"),
            ));
        }
        if !(cfg.sigma.is_finite() && cfg.sigma > 0.0) {
            return Err(crate::Error::invalid(
                "sigma",
                format!("must be finite and > 0, got {}", cfg.sigma),
            ));
        }
        if !(cfg.lambda.is_finite() && cfg.lambda >= 0.0) {
            return Err(crate::Error::invalid(
                "lambda",
                format!("must be finite and ≥ 0, got {}", cfg.lambda),
            ));
        }
        let pixels = crate::memory::checked_product("n", &[n, n])?;
        // the image, the data, the recovered image and CG's vectors
        crate::memory::check_elements::<f64>("kron-deblur images", pixels.saturating_mul(8))?;
        let b = blur_matrix(n, cfg.sigma);
        let h = KroneckerOperator::new(vec![b.clone(), b])?;
        let img = phantom(n);
        // row-major vectorisation of the image: x[i·n + j] = img[(i, j)]
        let x_true = DVector::from_iterator(n * n, img.transpose().iter().copied());
        let y_clean = h.apply(&x_true)?;
        let (y, noise_variance) = add_noise_snr(&mut seeded_rng(cfg.seed), &y_clean, cfg.snr)?;
        let rhs = h.apply_transpose(&y)?;
        let normal = Normal {
            h: &h,
            lambda: cfg.lambda,
        };
        let sol = CgParams::default()
            .rel_tol(1e-8)
            .max_iter(2000)
            .record_history(true)
            .build()?
            .solve_observed(&normal, &rhs, None, None, observer)?;
        let scale = rhs.norm();
        Ok(DeblurReport {
            noise_variance,
            cg_iterations: sol.info.iterations,
            cg_converged: sol.info.converged,
            cg_relative_residual: sol.relative_residual,
            cg_history: sol.history.iter().map(|r| r / scale).collect(),
            relative_error_data: rel_err(&y, &x_true),
            relative_error_recovered: rel_err(&sol.x, &x_true),
            images: [x_true, y, sol.x],
        })
    }

    fn render(cfg: &DeblurConfig, report: &DeblurReport, dir: &Path) -> crate::Result<()> {
        let n = cfg.n;
        let truth = &report.images[0];
        let lim = (truth.min().min(0.0), truth.max());
        let titles = [
            ("image_true.png", "true image"),
            ("image_blurred.png", "blurred + noisy data y = (B⊗B)x + e"),
            ("image_recovered.png", "Tikhonov + matrix-free CG"),
        ];
        for ((name, title), v) in titles.into_iter().zip(&report.images) {
            Heatmap::new(title, &as_field(v, n))
                .extent((0.0, 1.0), (0.0, 1.0))
                .labels("x", "y")
                .colorbar_label("intensity")
                .colormap(Colormap::Viridis)
                .limits(lim.0, lim.1)
                .size(800, 650)
                .save(dir.join(name))?;
        }
        let k: Vec<f64> = (1..=report.cg_history.len()).map(|k| k as f64).collect();
        LinePlot::new("CG on (HᵀH + λI)x = Hᵀy")
            .labels("iteration", "‖r‖ / ‖Hᵀy‖")
            .log_y(true)
            .line("relative residual", &k, &report.cg_history)
            .save(dir.join("cg_residual.png"))?;
        let rows: Vec<Vec<f64>> = k
            .iter()
            .zip(&report.cg_history)
            .map(|(a, b)| vec![*a, *b])
            .collect();
        write_csv(
            &dir.join("cg_residual.csv"),
            &["iteration", "relative_residual"],
            &rows,
        )
    }

    fn metrics(r: &DeblurReport) -> Vec<(String, f64)> {
        vec![
            ("relative error of the data".into(), r.relative_error_data),
            (
                "relative error recovered".into(),
                r.relative_error_recovered,
            ),
            ("CG iterations".into(), r.cg_iterations as f64),
            ("CG relative residual".into(), r.cg_relative_residual),
        ]
    }

    fn seed(cfg: &DeblurConfig) -> u64 {
        cfg.seed
    }
}
