//! Parameters of Kronecker-structured SBL, set by a builder and checked once.

use super::estep::Route;
pub use crate::noise::Noise;
use parsimony_core::error::{check_at_least_one, check_in_range, check_non_negative};
use parsimony_core::{Error, Result};

/// Which M-step fits the Kronecker-structured prior γ = γ₁ ⊗ … ⊗ γ_I to d = diag Σ + |μ|².
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// AM-KroSBL: exact EM M-step by alternating (Gauss–Seidel) minimisation over the factors
    /// (a rank-1 fit in the Itakura–Saito divergence). The evidence cost is non-increasing
    /// when the inner sweeps converge and nothing is pruned (EM's monotonicity).
    Am,
    /// SVD-KroSBL: the rank-1 fit in the Frobenius norm by successive top singular triples
    /// (approximate EM; usually ~10× fewer iterations than AM).
    Svd,
    /// PC-KroSBL: AM with block-coupled factors. A coupled factor is γᵢ = ε + C_β ξᵢ, ξᵢ ≥ 0,
    /// with C_β = tridiag(β, 1, β) on the (active) grid, fitted to the AM target by
    /// non-negative least squares, so neighbouring grid points share evidence (clustered
    /// angles). ε = 1e-5.
    PcAm {
        /// Coupling β ∈ (0, 1) (the paper uses 0.8 and 0.5).
        beta: f64,
        /// Indices of the coupled factors (0-based).
        coupled: Vec<usize>,
    },
}

/// How the top singular triple of the SVD M-step is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SvdSolver {
    /// Warm-started power iteration on the unfolding R (u ← R Rᵀ u), O(S) per step.
    Power {
        /// Stop when ‖uₖ₊₁ − uₖ‖₂ ≤ tol.
        tol: f64,
        /// Step cap.
        max_iter: usize,
    },
    /// A dense thin SVD of the unfolding (faer); O(S·min(sᵢ, S/sᵢ)) per factor.
    Dense,
    /// The top eigenvector of the Gram matrix R Rᵀ (sᵢ × sᵢ, one GEMM of O(S·sᵢ) and a dense
    /// eigendecomposition of O(sᵢ³)); exact, no iterations. Best when sᵢ is small.
    Gram,
    /// `Gram` when the unfolding has at most 64 rows, else `Power` with these settings.
    Auto {
        /// Power-iteration tolerance.
        tol: f64,
        /// Power-iteration step cap.
        max_iter: usize,
    },
}

/// Starting hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// γᵢ = 1/√nᵢ for i < I and γ_I = ∏_{i<I} √nᵢ, so ⊗γ = 1 with the gauge fixed
    /// (the synthetic code's start).
    Normalised,
    /// γᵢ = 1 for every factor (the IRS code's start of AM- and SVD-KroSBL).
    Ones,
    /// ξᵢ = 1 for the coupled factors of PC-KroSBL, i.e. γᵢ = C_β·1 (1 + β at the ends of the
    /// grid, 1 + 2β inside), and γᵢ = 1 for the others: the start of the authors'
    /// `kroSBL_am_pc.m`. For AM and SVD it is [`Init::Ones`].
    ///
    /// The scale matters: from γ = 1 the prior starts about 5× smaller, the 3-atom UE factor
    /// peaks before the other two settle, and its relative pruning (0.1 of the maximum) cuts
    /// the true atom in about twice as many IRS trials (docs/irs.md).
    CoupledOnes,
}

/// Parameters of KroSBL, checked once by [`KroSblParams::build`] into a
/// [`KroSbl`](crate::kron::KroSbl).
///
/// | name | default | valid range |
/// |---|---|---|
/// | `method` | `Svd` | `Am`, `Svd`, `PcAm { beta ∈ (0, 1), coupled }` |
/// | `max_iter` | 150 | ≥ 1 EM iterations |
/// | `tol` | 1e-4 | ≥ 0: stop when ‖γ⁽ʳ⁾ − γ⁽ʳ⁻¹⁾‖/‖γ⁽ʳ⁻¹⁾‖ ≤ tol |
/// | `prune_rel` | 1e-2 (AM, PC), 1e-3 (SVD) for every factor | each in [0, 1) |
/// | `prune_abs` | 0 | ≥ 0 |
/// | `noise` | `Learn { init: None }` | `Known(σ² > 0)` or `Learn` |
/// | `inner_tol` | 1e-5 | ≥ 0, AM sweeps stop at this max relative factor change |
/// | `inner_max_sweeps` | 1000 (AM), 9 (PC) | ≥ 1 |
/// | `svd_solver` | `Auto { tol: 1e-12, max_iter: 500 }` | tol ≥ 0, max_iter ≥ 1 |
/// | `init` | `Normalised` | `Normalised`, `Ones`, `CoupledOnes` (PC-KroSBL's ξ = 1) |
/// | `record_history` | false | keep per-iteration γ change and evidence cost |
/// | `route` | `Auto` | E-step route: `Auto`, `Measurement`, `Coefficient` |
#[derive(Clone, Debug)]
pub struct KroSblParams {
    pub(crate) method: Method,
    pub(crate) max_iter: usize,
    pub(crate) tol: f64,
    pub(crate) prune_rel: Option<Vec<f64>>,
    pub(crate) prune_abs: f64,
    pub(crate) noise: Noise,
    pub(crate) inner_tol: f64,
    pub(crate) inner_max_sweeps: Option<usize>,
    pub(crate) svd_solver: SvdSolver,
    pub(crate) init: Init,
    pub(crate) record_history: bool,
    pub(crate) route: Route,
}

impl Default for KroSblParams {
    fn default() -> Self {
        Self {
            method: Method::Svd,
            max_iter: 150,
            tol: 1e-4,
            prune_rel: None,
            prune_abs: 0.0,
            noise: Noise::Learn { init: None },
            inner_tol: 1e-5,
            inner_max_sweeps: None,
            svd_solver: SvdSolver::Auto {
                tol: 1e-12,
                max_iter: 500,
            },
            init: Init::Normalised,
            record_history: false,
            route: Route::Auto,
        }
    }
}

impl KroSblParams {
    /// Defaults for `method` (see the table).
    pub fn new(method: Method) -> Self {
        Self {
            method,
            ..Self::default()
        }
    }
    /// The E-step route (the posterior is the same either way; `Auto` picks the cheaper).
    pub fn route(mut self, route: Route) -> Self {
        self.route = route;
        self
    }
    /// EM iteration cap.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Outer stopping tolerance on the relative change of ⊗γ.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// The same relative pruning threshold for every factor.
    pub fn prune_rel(mut self, r: f64) -> Self {
        self.prune_rel = Some(vec![r]);
        self
    }
    /// One relative pruning threshold per factor.
    pub fn prune_rel_per_factor(mut self, r: Vec<f64>) -> Self {
        self.prune_rel = Some(r);
        self
    }
    /// Absolute pruning threshold on γᵢ entries.
    pub fn prune_abs(mut self, r: f64) -> Self {
        self.prune_abs = r;
        self
    }
    /// Known or learnt noise variance.
    pub fn noise(mut self, noise: Noise) -> Self {
        self.noise = noise;
        self
    }
    /// AM inner-loop tolerance and sweep cap.
    pub fn inner(mut self, tol: f64, max_sweeps: usize) -> Self {
        self.inner_tol = tol;
        self.inner_max_sweeps = Some(max_sweeps);
        self
    }
    /// How the SVD M-step finds top singular triples.
    pub fn svd_solver(mut self, s: SvdSolver) -> Self {
        self.svd_solver = s;
        self
    }
    /// Starting hyperparameters.
    pub fn init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }
    /// Record the per-iteration history.
    pub fn record_history(mut self, yes: bool) -> Self {
        self.record_history = yes;
        self
    }

    /// Checks every parameter (called once, by [`KroSblParams::build`]).
    pub(crate) fn validate(&self) -> Result<()> {
        check_at_least_one("max_iter", self.max_iter)?;
        check_non_negative("tol", self.tol)?;
        check_non_negative("prune_abs", self.prune_abs)?;
        check_non_negative("inner_tol", self.inner_tol)?;
        if let Some(r) = &self.prune_rel {
            if r.is_empty() {
                return Err(Error::invalid("prune_rel", "needs at least one threshold"));
            }
            for (i, &v) in r.iter().enumerate() {
                check_in_range(&format!("prune_rel[{i}]"), v, 0.0, 1.0)?;
            }
        }
        if let Method::PcAm { beta, .. } = &self.method
            && !(*beta > 0.0 && *beta < 1.0)
        {
            return Err(Error::invalid(
                "beta",
                format!("coupling must lie in (0, 1), got {beta}"),
            ));
        }
        if let Some(n) = self.inner_max_sweeps {
            check_at_least_one("inner_max_sweeps", n)?;
        }
        self.noise.validate()?;
        if let SvdSolver::Power { tol, max_iter } | SvdSolver::Auto { tol, max_iter } =
            self.svd_solver
            && (!(tol.is_finite() && tol >= 0.0) || max_iter == 0)
        {
            return Err(Error::invalid(
                "svd_solver",
                format!("power iteration needs tol ≥ 0 and max_iter ≥ 1, got {tol}, {max_iter}"),
            ));
        }
        Ok(())
    }

    /// The relative pruning threshold of factor `i` of `count`.
    pub(crate) fn prune_rel_of(&self, i: usize, count: usize) -> Result<f64> {
        match &self.prune_rel {
            None => Ok(match self.method {
                Method::Am | Method::PcAm { .. } => 1e-2,
                Method::Svd => 1e-3,
            }),
            Some(r) if r.len() == 1 => Ok(r[0]),
            Some(r) if r.len() == count => Ok(r[i]),
            Some(r) => Err(Error::dimension(
                "prune_rel thresholds (one, or one per factor)",
                count,
                r.len(),
            )),
        }
    }
}

impl KroSblParams {
    /// The AM/PC inner sweep cap.
    pub(crate) fn inner_sweeps(&self) -> usize {
        self.inner_max_sweeps.unwrap_or(match self.method {
            Method::PcAm { .. } => 9,
            _ => 1000,
        })
    }
}
