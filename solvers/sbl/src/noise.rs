//! The noise model shared by the SBL solvers.

/// The noise variance σ²: known, or learnt by the EM update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Noise {
    /// σ² is known (> 0).
    Known(f64),
    /// σ² is learnt; `init` = None starts at 0.1·var(y).
    Learn {
        /// Starting value (> 0), or None for 0.1·var(y).
        init: Option<f64>,
    },
}

impl Noise {
    /// Checks that a given variance is finite and positive.
    pub(crate) fn validate(&self) -> parsimony_core::Result<()> {
        match *self {
            Noise::Known(s) | Noise::Learn { init: Some(s) } => {
                parsimony_core::error::check_positive("noise variance σ²", s)
            }
            Noise::Learn { init: None } => Ok(()),
        }
    }
}

impl Noise {
    /// The starting σ²: the known or given value, else 0.1·var(y) (floored at the smallest
    /// positive double so that y = const still gives a valid start).
    pub(crate) fn initial<T: parsimony_core::Scalar>(&self, y: &[T]) -> f64 {
        match *self {
            Noise::Known(s) | Noise::Learn { init: Some(s) } => s,
            Noise::Learn { init: None } => (0.1 * variance(y)).max(f64::MIN_POSITIVE),
        }
    }

    /// Whether σ² is learnt.
    pub(crate) fn is_learnt(&self) -> bool {
        matches!(self, Noise::Learn { .. })
    }
}

/// Population variance (1/M) Σ |yᵢ − ȳ|².
pub(crate) fn variance<T: parsimony_core::Scalar>(y: &[T]) -> f64 {
    let m = y.len().max(1) as f64;
    let mean = y.iter().fold(T::default(), |a, &b| a + b).scaled(1.0 / m);
    y.iter().map(|&v| (v - mean).modulus2()).sum::<f64>() / m
}
