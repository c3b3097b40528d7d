//! dKroSBL (He & Joseph, SPAWC 2024, arXiv 2310.07869): when x = x₁ ⊗ … ⊗ x_I, the noise-free
//! measurement tensor is rank-1, Y = (H₁x₁) ∘ … ∘ (H_I x_I). Split the noisy Y by successive
//! rank-1 SVDs into y₁, …, y_I and solve the I small problems yᵢ = Hᵢ xᵢ by classical SBL
//! (EM, noise learnt per factor, relative pruning 1e-3) on unit-norm columns; x̂ = x̂₁ ⊗ … ⊗ x̂_I. The scale split
//! between factors does not matter because the problems are linear; it is spread evenly so
//! that every small problem has the same scale. Cost: one SVD of the
//! m₁ × (M/m₁) unfolding and so on, plus Σᵢ cSBL(mᵢ × nᵢ): essentially independent of N.
//!
//! The per-factor noise starts at 0.1·var(yᵢ) (the SPAWC code starts at 10^-0.33 after
//! rescaling its factors; a relative start is scale-free).

use crate::Noise;
use crate::classical::{SblParams, UpdateRule};
use crate::kron::KronProblem;
use crate::regression::Regression;
use nalgebra::{DMatrix, DVector};
use parsimony_core::Result;
use parsimony_core::linalg::{Scalar, thin_svd};
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};

/// Parameters of [`DkroSbl`]: the classical SBL run on every factor.
///
/// | name | default | meaning |
/// |---|---|---|
/// | `sbl` | EM, noise learnt from 0.1·var(yᵢ), relative pruning 1e-3, 150 iterations, tol 1e-4 | the per-factor [`SblParams`] |
#[derive(Clone, Debug)]
pub struct DkroSblParams {
    /// The per-factor classical SBL.
    pub sbl: SblParams,
}

impl Default for DkroSblParams {
    fn default() -> Self {
        Self {
            sbl: SblParams::new(UpdateRule::Em)
                .noise(Noise::Learn { init: None })
                .prune_rel(1e-3),
        }
    }
}

impl DkroSblParams {
    /// The per-factor classical SBL.
    pub fn sbl(mut self, sbl: SblParams) -> Self {
        self.sbl = sbl;
        self
    }
    /// Checks the parameters and returns the solver.
    pub fn build(self) -> Result<DkroSbl> {
        Ok(DkroSbl {
            sbl: self.sbl.build()?,
        })
    }
}

/// dKroSBL; build it with [`DkroSblParams::build`].
#[derive(Clone, Debug)]
pub struct DkroSbl {
    sbl: crate::classical::Sbl,
}

/// The result of [`DkroSbl::solve`].
#[derive(Clone, Debug)]
pub struct DkroSblSolution<T: Scalar> {
    /// x̂ = ⊗x̂ᵢ (length N).
    pub x: DVector<T>,
    /// The factor estimates x̂ᵢ.
    pub factors: Vec<DVector<T>>,
    /// How each factor's SBL went.
    pub factor_info: Vec<SolveInfo>,
    /// The whole run: iterations summed over the factors; `Converged` when every factor
    /// converged, `StoppedByObserver` when the observer cut the run short, else the first
    /// factor's other status (a factor i whose atoms were all pruned gives
    /// `AllPruned { factor: Some(i) }`); stop value the largest of the factors'.
    pub info: SolveInfo,
}

/// Runs dKroSBL with the default parameters (see the module docs of `baselines::dkrosbl`):
/// the thin preset `DkroSblParams::default().build()?.solve(problem)`.
pub fn dkrosbl<T: Scalar>(problem: &KronProblem<T>) -> Result<DkroSblSolution<T>> {
    DkroSblParams::default().build()?.solve(problem)
}

impl DkroSbl {
    /// Runs dKroSBL silently.
    pub fn solve<T: Scalar>(&self, problem: &KronProblem<T>) -> Result<DkroSblSolution<T>> {
        self.solve_observed(problem, &mut Silent)
    }

    /// Runs dKroSBL, showing `observer` every SBL iteration of every factor in turn, numbered
    /// on through the run (factor 1's first iteration follows factor 0's last), and calling
    /// its `finish` once, with the run's [`SolveInfo`]. A stop requested by the observer ends
    /// the run after that factor's SBL (which itself follows core's stop rule: a factor whose
    /// tolerance is met at that iteration still converges); the remaining factors stay zero
    /// and the run's status is [`Status::StoppedByObserver`] unless the stop came in the last
    /// factor and every factor converged.
    pub fn solve_observed<T: Scalar>(
        &self,
        problem: &KronProblem<T>,
        observer: &mut dyn Observer,
    ) -> Result<DkroSblSolution<T>> {
        let clock = Clock::start();
        let m = problem.m();
        let modes = m.len();
        // successive rank-1 split of Y (row-major m₁ × … × m_I)
        let mut ys: Vec<DVector<T>> = Vec::with_capacity(modes);
        let mut cur: Vec<T> = problem.y().as_slice().to_vec();
        for &mi in &m[..modes - 1] {
            let cols = cur.len() / mi;
            let unf = DMatrix::from_row_slice(mi, cols, &cur);
            let svd = thin_svd(&unf)?;
            let s0 = svd.singular_values[0];
            ys.push(svd.u.column(0).into_owned());
            // Y_unf ≈ σ u vᴴ: the rest of the tensor is σ·conj(v)
            cur = svd
                .v
                .column(0)
                .iter()
                .map(|v| v.conjugated().scaled(s0))
                .collect();
        }
        ys.push(DVector::from_vec(cur));
        // Spread the scale evenly (every ‖yᵢ‖ = (∏‖yⱼ‖)^{1/I}): the per-factor SBL starts at
        // γ = 1, and a factor carrying the whole scale would converge needlessly slowly.
        let norms: Vec<f64> = ys.iter().map(|v| v.norm()).collect();
        if norms.iter().all(|&v| v > 0.0) {
            let target = norms.iter().map(|v| v.ln()).sum::<f64>() / modes as f64;
            for (v, nv) in ys.iter_mut().zip(&norms) {
                let f = (target - nv.ln()).exp();
                v.iter_mut().for_each(|z| *z = z.scaled(f));
            }
        }
        let mut factors = Vec::with_capacity(modes);
        let mut factor_info: Vec<SolveInfo> = Vec::with_capacity(modes);
        let mut per_factor = FactorObserver {
            inner: observer,
            offset: 0,
            stop_requested: false,
        };
        let mut stopped = false;
        for (h, yi) in problem.factors().iter().zip(&ys) {
            if stopped {
                factors.push(DVector::from_element(h.ncols(), T::default()));
                continue;
            }
            // unit-norm columns (x = D z): SBL's start γ = 1 presumes atoms and data of unit
            // scale
            let norms: Vec<f64> = h.column_iter().map(|c| c.norm()).collect();
            let mut hn = h.clone();
            for (mut col, &nv) in hn.column_iter_mut().zip(&norms) {
                if nv > 0.0 {
                    col /= T::of_real(nv);
                }
            }
            let s = self
                .sbl
                .solve_observed(&Regression::new(&hn, yi)?, &mut per_factor)?;
            per_factor.offset += s.info.iterations;
            stopped = per_factor.stop_requested;
            factor_info.push(s.info);
            let x = DVector::from_fn(h.ncols(), |j, _| {
                if norms[j] > 0.0 {
                    s.weights[j].scaled(1.0 / norms[j])
                } else {
                    T::default()
                }
            });
            factors.push(x);
        }
        let mut x = factors[0].clone();
        for f in &factors[1..] {
            x = x.kronecker(f);
        }
        // cut short by the observer (factors left at zero, or a factor it stopped), else the
        // first factor that did not converge (an emptied factor named by its index)
        let cut_short = factor_info.len() < modes
            || factor_info
                .iter()
                .any(|i| i.status == Status::StoppedByObserver);
        let status = if cut_short {
            Status::StoppedByObserver
        } else {
            factor_info
                .iter()
                .enumerate()
                .find(|(_, i)| i.status != Status::Converged)
                .map(|(k, i)| match i.status {
                    Status::AllPruned { .. } => Status::AllPruned { factor: Some(k) },
                    other => other,
                })
                .unwrap_or(Status::Converged)
        };
        let info = clock.finish(
            factor_info.iter().map(|i| i.iterations).sum(),
            status,
            factor_info
                .iter()
                .map(|i| i.stop_value)
                .fold(f64::NAN, f64::max),
        );
        per_factor.inner.finish(&info);
        Ok(DkroSblSolution {
            x,
            factors,
            factor_info,
            info,
        })
    }
}

/// The caller's observer as seen by one factor's SBL: iterations numbered after those of the
/// earlier factors, `observe` forwarded (and a stop remembered, since the factor's SBL
/// converges at a stop that meets its tolerance), `finish` swallowed (the run calls the
/// caller's once, at its end).
struct FactorObserver<'a> {
    inner: &'a mut dyn Observer,
    offset: usize,
    stop_requested: bool,
}

impl Observer for FactorObserver<'_> {
    fn observe(&mut self, info: &IterInfo<'_>) -> Control {
        let mut shifted = *info;
        shifted.iteration += self.offset;
        let control = self.inner.observe(&shifted);
        if control == Control::Stop {
            self.stop_requested = true;
        }
        control
    }

    fn finish(&mut self, _: &SolveInfo) {}
}
