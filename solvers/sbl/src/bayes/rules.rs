//! The hyperparameter update rules of the sparse-Bayes engine: one step of type-II maximum
//! likelihood from the posterior N(μ, Σ) of [`super::posterior`].
//!
//! With sⱼ = Σⱼⱼ, the well-determinedness gⱼ = 1 − αⱼsⱼ = 1 − sⱼ/γⱼ, the residual
//! rss = ‖y − Aμ‖² and M rows:
//!
//! | rule | prior (precision αⱼ = 1/γⱼ) | noise (precision β = 1/σ²) |
//! |---|---|---|
//! | [`Rule::Em`] (Wipf–Rao) | γⱼ ← sⱼ + \|μⱼ\|² | σ² ← (rss + σ² Σⱼgⱼ)/M |
//! | [`Rule::MacKay`] (Tipping's RVM) | αⱼ ← gⱼ/\|μⱼ\|² | β ← (M − Σⱼgⱼ)/rss |
//! | [`Rule::Ard`] (scikit-learn) | αⱼ ← (gⱼ + 2λ₁)/(\|μⱼ\|² + 2λ₂) | β ← (M − Σⱼgⱼ + 2α₁)/(rss + 2α₂) |
//!
//! EM decreases the evidence cost monotonically but slowly; MacKay's fixed point converges in
//! tens of iterations; ARD is MacKay with Gamma(λ₁, λ₂) and Gamma(α₁, α₂) hyperpriors (equal
//! to MacKay when all four are 0). The Tipping–Faul fast sequential rule, which changes one
//! αⱼ per step, is in [`super::sequential`].
//!
//! The Gram route works in precisions (αⱼ, β), the dense (complex) route in variances
//! (γⱼ, σ²) with
//! the denominators floored at 1e-12; the two are the same rule.

/// Gamma hyperpriors of ARD: α ~ Gamma(α₁, α₂) on the noise precision and
/// λⱼ ~ Gamma(λ₁, λ₂) on the weight precisions (shape, rate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyperpriors {
    /// Shape α₁ of the noise-precision hyperprior.
    pub alpha_1: f64,
    /// Rate α₂ of the noise-precision hyperprior.
    pub alpha_2: f64,
    /// Shape λ₁ of the weight-precision hyperprior.
    pub lambda_1: f64,
    /// Rate λ₂ of the weight-precision hyperprior.
    pub lambda_2: f64,
}

impl Default for Hyperpriors {
    /// scikit-learn's defaults, 1e-6 each.
    fn default() -> Self {
        Self {
            alpha_1: 1e-6,
            alpha_2: 1e-6,
            lambda_1: 1e-6,
            lambda_2: 1e-6,
        }
    }
}

impl Hyperpriors {
    /// Checks that every value is finite and ≥ 0.
    pub(crate) fn validate(&self) -> parsimony_core::Result<()> {
        for (name, v) in [
            ("alpha_1", self.alpha_1),
            ("alpha_2", self.alpha_2),
            ("lambda_1", self.lambda_1),
            ("lambda_2", self.lambda_2),
        ] {
            parsimony_core::error::check_non_negative(name, v)?;
        }
        Ok(())
    }
}

/// The hyperparameter update (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// Expectation–maximisation: γⱼ ← Σⱼⱼ + |μⱼ|².
    Em,
    /// MacKay / Tipping fixed point: γⱼ ← |μⱼ|² / (1 − Σⱼⱼ/γⱼ).
    MacKay,
    /// scikit-learn's ARD: MacKay with Gamma hyperpriors.
    Ard(Hyperpriors),
}

impl Rule {
    /// The new prior precision αⱼ from the old one, sⱼ = Σⱼⱼ and |μⱼ|².
    #[inline]
    pub(crate) fn precision(&self, alpha: f64, s: f64, mu2: f64) -> f64 {
        match self {
            Rule::Em => 1.0 / (s + mu2),
            Rule::MacKay => (1.0 - alpha * s) / mu2,
            Rule::Ard(h) => (1.0 - alpha * s + 2.0 * h.lambda_1) / (mu2 + 2.0 * h.lambda_2),
        }
    }

    /// The new noise precision β from M rows, Σⱼgⱼ, the residual and the old β.
    #[inline]
    pub(crate) fn noise_precision(&self, rows: f64, sum_g: f64, rss: f64, beta: f64) -> f64 {
        match self {
            Rule::Em => rows / (rss + sum_g / beta),
            Rule::MacKay => (rows - sum_g) / rss,
            Rule::Ard(h) => (rows - sum_g + 2.0 * h.alpha_1) / (rss + 2.0 * h.alpha_2),
        }
    }

    /// The new prior variance γⱼ from the old one, sⱼ = Σⱼⱼ and |μⱼ|².
    #[inline]
    pub(crate) fn variance(&self, gamma: f64, s: f64, mu2: f64) -> f64 {
        match self {
            Rule::Em => s + mu2,
            Rule::MacKay => mu2 / (1.0 - s / gamma).max(1e-12),
            Rule::Ard(h) => {
                (mu2 + 2.0 * h.lambda_2) / (1.0 - s / gamma + 2.0 * h.lambda_1).max(1e-12)
            }
        }
    }

    /// The new noise variance σ² from M rows, Σⱼgⱼ, the residual and the old σ².
    #[inline]
    pub(crate) fn noise_variance(&self, rows: f64, sum_g: f64, rss: f64, sigma2: f64) -> f64 {
        match self {
            Rule::Em => (rss + sigma2 * sum_g) / rows,
            Rule::MacKay => rss / (rows - sum_g).max(1e-12),
            Rule::Ard(h) => (rss + 2.0 * h.alpha_2) / (rows - sum_g + 2.0 * h.alpha_1).max(1e-12),
        }
    }
}
