//! The simplified freely-propagating premixed flame of FlamePINN-1D, Case 1
//! (shared/specs/flame.md §1.1, §6.1), in SI units.
//!
//! One unknown field T(x) on [0, L] and the eigenvalue s_L (inlet velocity, m/s). With the mass
//! flux m = ρ_in s_L, an ideal gas of constant molar mass and the momentum balance
//! p + ρu² = const, the velocity is the subsonic root u(T) = (c − √(c² − 4R_gT))/2 with
//! c = s_L + R_g T_in/s_L; ρ = m/u; the fuel fraction follows from unity Lewis number,
//! Y_F = Y_F,in + c_p(T_in − T)/q_F; the one-step rate is ω = A e^{−E_a/(RT)} (ρY_F)^n. Energy:
//!
//! ```text
//!   m c_p T' − λ T'' − q_F ω(T; s_L) = 0 on (0, L),   T(0) = T_in,   T'(0) = G.
//! ```
//!
//! This module holds the constants and operating conditions; the closures and the rate are
//! evaluated by [`crate::physics`] (which also provides [`FlameModel::velocity`] and
//! [`FlameModel::rate`]).

use parsimony_core::{Error, Result};

/// Universal gas constant R (J/mol/K) as in the paper's code.
pub const R_UNIVERSAL: f64 = 8.3145;

/// Physical constants and operating conditions of Case 1.
///
/// | name | default | unit | valid range |
/// |---|---|---|---|
/// | `t_in` | 298 | K | > 0 |
/// | `p_in` | 101 325 | Pa | > 0 |
/// | `phi` (equivalence ratio) | 0.40 | – | > 0 |
/// | `length` L | 1.5e-3 | m | > 0 |
/// | `inlet_gradient` G | 1e5 | K/m | finite |
/// | `conductivity` λ | 0.026 | W/m/K | > 0 |
/// | `cp` | 1000 | J/kg/K | > 0 |
/// | `heat_release` q_F | 5e7 | J/kg | > 0 |
/// | `pre_exponential` A | 1.4e8 | SI | > 0 |
/// | `activation_energy` E_a | 121 417.2 | J/mol | > 0 |
/// | `order` n | 1.6 | – | > 0 |
/// | `molar_mass` W | 28.97e-3 | kg/mol | > 0 |
#[derive(Clone, Debug, PartialEq)]
pub struct FlameModel {
    /// Inlet temperature T_in.
    pub t_in: f64,
    /// Pressure p.
    pub p_in: f64,
    /// Equivalence ratio φ (fuel mass fraction φ/(φ + 4)).
    pub phi: f64,
    /// Domain length L.
    pub length: f64,
    /// Inlet temperature gradient G.
    pub inlet_gradient: f64,
    /// Thermal conductivity λ.
    pub conductivity: f64,
    /// Specific heat c_p.
    pub cp: f64,
    /// Heat of reaction per unit fuel mass q_F.
    pub heat_release: f64,
    /// Pre-exponential factor A.
    pub pre_exponential: f64,
    /// Activation energy E_a.
    pub activation_energy: f64,
    /// Reaction order n.
    pub order: f64,
    /// Molar mass W.
    pub molar_mass: f64,
}

impl Default for FlameModel {
    fn default() -> Self {
        Self {
            t_in: 298.0,
            p_in: 101_325.0,
            phi: 0.40,
            length: 1.5e-3,
            inlet_gradient: 1e5,
            conductivity: 0.026,
            cp: 1000.0,
            heat_release: 5e7,
            pre_exponential: 1.4e8,
            activation_energy: 121_417.2,
            order: 1.6,
            molar_mass: 28.97e-3,
        }
    }
}

impl FlameModel {
    /// The model at (T_in, p, φ) with the other constants at their defaults.
    pub fn new(t_in: f64, p_in: f64, phi: f64) -> Self {
        Self {
            t_in,
            p_in,
            phi,
            ..Self::default()
        }
    }

    /// Checks every field (typed errors naming the field).
    pub fn validate(&self) -> Result<()> {
        use parsimony_core::error::check_positive;
        for (name, v) in [
            ("t_in", self.t_in),
            ("p_in", self.p_in),
            ("phi", self.phi),
            ("length", self.length),
            ("conductivity", self.conductivity),
            ("cp", self.cp),
            ("heat_release", self.heat_release),
            ("pre_exponential", self.pre_exponential),
            ("activation_energy", self.activation_energy),
            ("order", self.order),
            ("molar_mass", self.molar_mass),
        ] {
            check_positive(name, v)?;
        }
        if !self.inlet_gradient.is_finite() {
            return Err(Error::non_finite("inlet_gradient"));
        }
        // the quantities every solver derives from the fields must exist in doubles too
        for (name, v) in [
            ("gas constant R/W (from molar_mass)", self.gas_constant()),
            (
                "inlet density ρ_in (from p_in, t_in, molar_mass)",
                self.rho_in(),
            ),
            (
                "adiabatic temperature T_max (from t_in, heat_release, cp, phi)",
                self.t_max(),
            ),
            ("inlet fuel fraction (from phi)", self.fuel_in()),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(
                    name,
                    format!(
                        "must be finite and > 0, got {v}: the fields' scales overflow or vanish"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Specific gas constant R_g = R/W.
    pub fn gas_constant(&self) -> f64 {
        R_UNIVERSAL / self.molar_mass
    }

    /// Inlet fuel mass fraction Y_F,in = φ/(φ + 4).
    pub fn fuel_in(&self) -> f64 {
        self.phi / (self.phi + 4.0)
    }

    /// Inlet density ρ_in = p/(R_g T_in).
    pub fn rho_in(&self) -> f64 {
        self.p_in / (self.gas_constant() * self.t_in)
    }

    /// Adiabatic temperature T_max = T_in + q_F Y_F,in/c_p.
    pub fn t_max(&self) -> f64 {
        self.t_in + self.heat_release * self.fuel_in() / self.cp
    }
}
