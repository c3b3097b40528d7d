//! The Case 1 physics, written once: the closures of the simplified flame (velocity, density,
//! fuel fraction) and the one-step reaction rate with their derivatives in T and s_L, as point
//! kernels and as slice kernels with runtime SIMD dispatch. The finite-difference solver
//! ([`crate::reference`]), the shooting solver ([`crate::shooting`]), the PINN loss (the crate's
//! `pointwise` kernel) and the data terms all evaluate the physics here.
//!
//! With the mass flux m = ρ_in s_L, R_g = R/W and c = s_L + R_g T_in/s_L (momentum
//! p + ρu² = const with the ideal gas of constant molar mass):
//!
//! ```text
//!   u(T)  = 2 R_g T / (c + √(c² − 4 R_g T))        (the subsonic root, without cancellation)
//!   ∂u/∂T = R_g / √(c² − 4 R_g T),   ∂u/∂s_L = −u c_s / √(c² − 4 R_g T),   c_s = 1 − R_g T_in/s_L²
//!   ρ(T)  = m/u,                      Y_F(T) = Y_F,in + c_p (T_in − T)/q_F   (unity Lewis number)
//!   ω(T)  = A exp(n ln(ρ Y_F) − E_a/(RT))   (0 where Y_F ≤ 0 or u ≤ 0)
//!   ∂ln ω/∂T = E_a/(RT²) + n (−u_T/u − c_p/(q_F Y_F)),   ∂ln ω/∂s_L = n (1/s_L − u_s/u)
//! ```
//!
//! [`Case1Physics`] holds what every point of one evaluation shares (the model's constants at one
//! s_L). Its point kernels ([`Case1Physics::velocity`], [`Case1Physics::density`],
//! [`Case1Physics::rate`]) are `#[inline(always)]` and branch-free (e^x and ln x from
//! `parsimony_core::simd`), so a loop over points that calls them vectorises: the PINN's
//! pointwise kernel inlines them into its own loop; [`Case1Physics::rates`] and
//! [`Case1Physics::velocities`] are such loops over slices, dispatched to AVX-512, AVX2 or the
//! baseline at run time. The scalar [`FlameModel::velocity`] and [`FlameModel::rate`] are the same
//! kernels at one point. All quantities are in SI units (K, m/s, kg/m³, kg m⁻³ s⁻¹).
//!
//! # Growing into detailed chemistry
//! The kernels take the state as slices over points (structure of arrays) and write each output
//! and each derivative into its own slice: the shape that NASA-7 thermodynamics (c_p, h, s as
//! polynomials in T per species), mixture-averaged transport and several species keep, with the
//! state gaining one slice per mass fraction and the outputs one slice per species' production
//! rate and Jacobian column. [`Case1Physics`] is the one-step, constant-property member of that
//! family.

use crate::model::{FlameModel, R_UNIVERSAL};
use parsimony_core::error::check_len;
use parsimony_core::simd::{exp_f64_fma, ln_f64_fma};
use parsimony_core::{Error, Result};

/// ω and its partial derivatives at one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// ω (kg m⁻³ s⁻¹).
    pub omega: f64,
    /// ∂ω/∂T.
    pub d_t: f64,
    /// ∂ω/∂s_L.
    pub d_s: f64,
}

/// The reaction rates of many points: ω, ∂ω/∂T, ∂ω/∂s_L, one slice each.
#[derive(Debug)]
pub struct RateSlices<'a> {
    /// ω.
    pub omega: &'a mut [f64],
    /// ∂ω/∂T.
    pub d_t: &'a mut [f64],
    /// ∂ω/∂s_L.
    pub d_s: &'a mut [f64],
}

/// The constants of the Case 1 physics at one flame speed s_L (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Case1Physics {
    pub(crate) t_in: f64,
    pub(crate) y_in: f64,
    /// c_p/q_F.
    pub(crate) cp_over_q: f64,
    /// R_g, c = s_L + R_g T_in/s_L, c_s = ∂c/∂s_L.
    pub(crate) rg: f64,
    pub(crate) c: f64,
    pub(crate) c_s: f64,
    /// m = ρ_in s_L, 1/s_L.
    pub(crate) m: f64,
    pub(crate) inv_s: f64,
    pub(crate) pre_exponential: f64,
    /// E_a/R.
    pub(crate) ea_over_r: f64,
    pub(crate) order: f64,
}

impl Case1Physics {
    /// The physics of `model` at flame speed `s` (m/s). For a valid model and s > 0 (not
    /// checked: [`FlameModel::validate`] checks the model).
    pub fn new(model: &FlameModel, s: f64) -> Self {
        let rg = model.gas_constant();
        Self {
            t_in: model.t_in,
            y_in: model.fuel_in(),
            cp_over_q: model.cp / model.heat_release,
            rg,
            c: s + rg * model.t_in / s,
            c_s: 1.0 - rg * model.t_in / (s * s),
            m: model.rho_in() * s,
            inv_s: 1.0 / s,
            pre_exponential: model.pre_exponential,
            ea_over_r: model.activation_energy / R_UNIVERSAL,
            order: model.order,
        }
    }

    /// The mass flux m = ρ_in s_L (kg m⁻² s⁻¹).
    pub fn mass_flux(&self) -> f64 {
        self.m
    }

    /// [u, ∂u/∂T, ∂u/∂s_L] at temperature `t` (the discriminant is clipped at a tiny positive
    /// number).
    #[inline(always)]
    pub fn velocity(&self, t: f64) -> [f64; 3] {
        let root = (self.c * self.c - 4.0 * self.rg * t).max(1e-300).sqrt();
        let u = 2.0 * self.rg * t / (self.c + root);
        let inv_root = 1.0 / root;
        [u, self.rg * inv_root, -u * self.c_s * inv_root]
    }

    /// [ρ, ∂ρ/∂T, ∂ρ/∂s_L] at temperature `t`: ρ = m/u.
    #[inline(always)]
    pub fn density(&self, t: f64) -> [f64; 3] {
        let [u, u_t, u_s] = self.velocity(t);
        let rho = self.m / u;
        [rho, -rho * u_t / u, rho * (self.inv_s - u_s / u)]
    }

    /// Y_F at temperature `t` (∂Y_F/∂T = −c_p/q_F).
    #[inline(always)]
    pub fn fuel(&self, t: f64) -> f64 {
        self.y_in + self.cp_over_q * (self.t_in - t)
    }

    /// ω and its derivatives at temperature `t`, multiply-adds of e^x and ln x fused when `FMA`
    /// (for kernels compiled with the FMA target feature; `false` elsewhere).
    #[inline(always)]
    pub fn rate<const FMA: bool>(&self, t: f64) -> Rate {
        let [u, u_t, u_s] = self.velocity(t);
        let y = self.fuel(t);
        let inv_u = 1.0 / u;
        let inv_t = 1.0 / t;
        let valid = y > 0.0 && u > 0.0;
        // A exp(−E_a/(RT)) (ρY)ⁿ as one exponential
        let log_rate = self.order * ln_f64_fma::<FMA>(self.m * inv_u * y) - self.ea_over_r * inv_t;
        let omega = self.pre_exponential * exp_f64_fma::<FMA>(log_rate);
        let dlog_t =
            self.ea_over_r * inv_t * inv_t + self.order * (-u_t * inv_u - self.cp_over_q / y);
        let dlog_s = self.order * (self.inv_s - u_s * inv_u);
        if valid {
            Rate {
                omega,
                d_t: omega * dlog_t,
                d_s: omega * dlog_s,
            }
        } else {
            Rate {
                omega: 0.0,
                d_t: 0.0,
                d_s: 0.0,
            }
        }
    }

    /// ω, ∂ω/∂T, ∂ω/∂s_L at the temperatures `t`, vectorised.
    ///
    /// Errors: a slice of `out` whose length is not that of `t` (checked once, before the
    /// kernel runs).
    pub fn rates(&self, t: &[f64], out: RateSlices<'_>) -> Result<()> {
        let n = t.len();
        check_len("length of out.omega (the length of t)", n, out.omega.len())?;
        check_len("length of out.d_t (the length of t)", n, out.d_t.len())?;
        check_len("length of out.d_s (the length of t)", n, out.d_s.len())?;
        self.check_inputs(t)?;
        let RateSlices { omega, d_t, d_s } = out;
        self.rates_unchecked(
            t,
            RateSlices {
                omega: &mut *omega,
                d_t: &mut *d_t,
                d_s: &mut *d_s,
            },
        );
        check_outputs("rates ω, ∂ω/∂T, ∂ω/∂s_L", [&*omega, &*d_t, &*d_s])
    }

    /// The public kernels' entry check: finite temperatures and a physics built from a valid
    /// model at a finite, positive speed.
    fn check_inputs(&self, t: &[f64]) -> Result<()> {
        parsimony_core::linalg::check_finite("t", t)?;
        if !(self.c.is_finite() && self.m.is_finite() && self.m > 0.0 && self.inv_s.is_finite()) {
            return Err(Error::invalid(
                "s",
                "the physics was built at a flame speed that is not finite and > 0",
            ));
        }
        Ok(())
    }

    /// [`Case1Physics::rates`] for callers that sized the slices themselves (the FD solver
    /// allocates them once per solve): every slice of `out` has at least the length of `t`.
    #[inline]
    pub(crate) fn rates_unchecked(&self, t: &[f64], out: RateSlices<'_>) {
        debug_assert!(out.omega.len() >= t.len() && out.d_t.len() >= t.len());
        debug_assert!(out.d_s.len() >= t.len());
        rates_simd::<f64>(self, t, out.omega, out.d_t, out.d_s);
    }

    /// u, ∂u/∂T, ∂u/∂s_L at the temperatures `t`, vectorised.
    ///
    /// Errors: `u`, `d_t` or `d_s` of another length than `t` (checked once, before the
    /// kernel runs).
    pub fn velocities(
        &self,
        t: &[f64],
        u: &mut [f64],
        d_t: &mut [f64],
        d_s: &mut [f64],
    ) -> Result<()> {
        let n = t.len();
        check_len("length of u (the length of t)", n, u.len())?;
        check_len("length of d_t (the length of t)", n, d_t.len())?;
        check_len("length of d_s (the length of t)", n, d_s.len())?;
        self.check_inputs(t)?;
        velocities_simd::<f64>(self, t, u, d_t, d_s);
        check_outputs("velocities u, ∂u/∂T, ∂u/∂s_L", [&*u, &*d_t, &*d_s])
    }
}

parsimony_core::dispatch_simd!(
    rates_simd,
    rates_body,
    (p: &Case1Physics, t: &[f64], omega: &mut [f64], d_t: &mut [f64], d_s: &mut [f64])
);
parsimony_core::dispatch_simd!(
    velocities_simd,
    velocities_body,
    (p: &Case1Physics, t: &[f64], u: &mut [f64], d_t: &mut [f64], d_s: &mut [f64])
);

// `F` is the dispatch macro's type parameter (the physics runs in f64 whatever the network)
#[allow(clippy::extra_unused_type_parameters)]
#[inline(always)]
fn rates_body<F, const FMA: bool>(
    p: &Case1Physics,
    t: &[f64],
    omega: &mut [f64],
    d_t: &mut [f64],
    d_s: &mut [f64],
) {
    let n = t.len();
    let (omega, d_t, d_s) = (&mut omega[..n], &mut d_t[..n], &mut d_s[..n]);
    for i in 0..n {
        let r = p.rate::<FMA>(t[i]);
        omega[i] = r.omega;
        d_t[i] = r.d_t;
        d_s[i] = r.d_s;
    }
}

// `F` is the dispatch macro's type parameter (the physics runs in f64 whatever the network)
#[allow(clippy::extra_unused_type_parameters)]
#[inline(always)]
fn velocities_body<F, const FMA: bool>(
    p: &Case1Physics,
    t: &[f64],
    u: &mut [f64],
    d_t: &mut [f64],
    d_s: &mut [f64],
) {
    let n = t.len();
    let (u, d_t, d_s) = (&mut u[..n], &mut d_t[..n], &mut d_s[..n]);
    for i in 0..n {
        [u[i], d_t[i], d_s[i]] = p.velocity(t[i]);
    }
}

impl FlameModel {
    /// Velocity u(T; s_L) (m/s) at temperature `t` (K) for flame speed `s` (m/s):
    /// [`Case1Physics::velocity`] at one point. For T > 0 and s_L > 0, which this hot-path
    /// function does not check ([`FlameModel::validate`] checks the model).
    pub fn velocity(&self, t: f64, s: f64) -> f64 {
        Case1Physics::new(self, s).velocity(t)[0]
    }

    /// [u, ∂u/∂T, ∂u/∂s_L] at (`t`, `s`), as [`velocity`](Self::velocity).
    pub fn velocity_derivatives(&self, t: f64, s: f64) -> [f64; 3] {
        Case1Physics::new(self, s).velocity(t)
    }

    /// ω(T; s_L) and its derivatives in T and s_L: [`Case1Physics::rate`] at one point (Y_F ≤ 0
    /// gives 0 with zero derivatives). For T > 0 and s_L > 0 (not checked, as
    /// [`velocity`](Self::velocity)).
    pub fn rate(&self, t: f64, s: f64) -> Rate {
        Case1Physics::new(self, s).rate::<false>(t)
    }
}

/// A non-finite output of a public kernel (finite input): the temperatures lie beyond where the
/// model's closed forms exist in doubles (T far beyond the sonic limit c²/4R_g, or T → 0).
fn check_outputs(what: &str, outs: [&[f64]; 3]) -> Result<()> {
    if outs.iter().any(|o| o.iter().any(|v| !v.is_finite())) {
        return Err(Error::non_finite(format!(
            "{what}: a temperature lies where the model's closed forms overflow"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The physics written the naive way, with the library's e^x and ln x.
    fn naive(model: &FlameModel, t: f64, s: f64) -> (f64, [f64; 3], Rate) {
        let rg = R_UNIVERSAL / model.molar_mass;
        let c = s + rg * model.t_in / s;
        let root = (c * c - 4.0 * rg * t).sqrt();
        // the subsonic root (c − √…)/2, written without its cancellation (c ≫ u)
        let u = 2.0 * rg * t / (c + root);
        let u_t = rg / root;
        let u_s = -(1.0 - rg * model.t_in / (s * s)) * u / root;
        let rho = model.p_in / (rg * model.t_in) * s / u;
        let y = model.phi / (model.phi + 4.0) + model.cp * (model.t_in - t) / model.heat_release;
        if y <= 0.0 {
            let z = Rate {
                omega: 0.0,
                d_t: 0.0,
                d_s: 0.0,
            };
            return (rho, [u, u_t, u_s], z);
        }
        let omega = model.pre_exponential
            * (-model.activation_energy / (R_UNIVERSAL * t)).exp()
            * (rho * y).powf(model.order);
        let d_t = omega
            * (model.activation_energy / (R_UNIVERSAL * t * t)
                + model.order * (-u_t / u - model.cp / (model.heat_release * y)));
        let d_s = omega * model.order * (1.0 / s - u_s / u);
        (rho, [u, u_t, u_s], Rate { omega, d_t, d_s })
    }

    #[test]
    fn slices_of_other_lengths_are_typed_errors() {
        let p = Case1Physics::new(&FlameModel::default(), 0.4);
        let t = [300.0, 1200.0, 2000.0];
        let (mut a, mut b, mut c) = ([0.0; 3], [0.0; 3], [0.0; 2]);
        let short = RateSlices {
            omega: &mut a,
            d_t: &mut b,
            d_s: &mut c,
        };
        assert!(matches!(
            p.rates(&t, short),
            Err(parsimony_core::Error::DimensionMismatch { .. })
        ));
        assert!(p.velocities(&t, &mut a, &mut b, &mut c).is_err());
        let mut c = [0.0; 3];
        assert!(p.velocities(&t, &mut a, &mut b, &mut c).is_ok());
    }

    #[test]
    fn kernels_match_the_naive_physics() {
        let mut model = FlameModel::new(298.0, 101_325.0, 0.46);
        model.activation_energy = 1.3e5;
        for s in [0.2, 0.37, 0.6] {
            let p = Case1Physics::new(&model, s);
            let ts: Vec<f64> = (0..301)
                .map(|i| 300.0 + 5500.0 * i as f64 / 300.0)
                .collect();
            let n = ts.len();
            let (mut om, mut dt, mut ds) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            p.rates(
                &ts,
                RateSlices {
                    omega: &mut om,
                    d_t: &mut dt,
                    d_s: &mut ds,
                },
            )
            .unwrap();
            let (mut u, mut ut, mut us) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            p.velocities(&ts, &mut u, &mut ut, &mut us).unwrap();
            let mut cut_off = 0;
            for (i, &t) in ts.iter().enumerate() {
                let (rho, vel, rate) = naive(&model, t, s);
                let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs().max(1e-300);
                assert!(close(u[i], vel[0], 1e-9), "u at {t}");
                assert!(close(ut[i], vel[1], 1e-12) && close(us[i], vel[2], 1e-9));
                assert!(close(p.density(t)[0], rho, 1e-9), "ρ at {t}");
                // ω: the exponent of (ρY)ⁿ e^{−E_a/RT} amplifies rounding near Y_F → 0
                for (a, b) in [(om[i], rate.omega), (dt[i], rate.d_t)] {
                    assert!(
                        close(a, b, 1e-9),
                        "rate at T = {t}, s = {s}: {a:e} vs {b:e}"
                    );
                }
                // ∂ω/∂s_L = ω n (1/s − u_s/u): the two terms cancel near T_in (ρ ≈ ρ_in
                // whatever s_L), so compare on the scale of ω n/s
                let scale = rate.omega * model.order / s;
                assert!(
                    (ds[i] - rate.d_s).abs() <= 1e-9 * scale.max(1e-300),
                    "∂ω/∂s at T = {t}, s = {s}: {:e} vs {:e}",
                    ds[i],
                    rate.d_s
                );
                let scalar = model.rate(t, s);
                assert!(close(scalar.omega, om[i], 1e-13) && close(scalar.d_t, dt[i], 1e-13));
                assert!((model.velocity(t, s) - u[i]).abs() <= 1e-15 * u[i]);
                cut_off += usize::from(rate.omega == 0.0);
            }
            assert!(cut_off > 0, "some temperatures beyond T_max");
        }
        // ∂ρ/∂T, ∂ρ/∂s by central differences
        let (t, s, h) = (1500.0, 0.37, 1e-4);
        let d = Case1Physics::new(&model, s).density(t);
        let rho = |t: f64, s: f64| Case1Physics::new(&model, s).density(t)[0];
        let fd_t = (rho(t + h, s) - rho(t - h, s)) / (2.0 * h);
        let fd_s = (rho(t, s + 1e-5) - rho(t, s - 1e-5)) / 2e-5;
        assert!((d[1] - fd_t).abs() < 1e-6 * d[1].abs());
        // ∂ρ/∂s_L = ρ (1/s − u_s/u) cancels too: on the scale of ρ/s
        assert!((d[2] - fd_s).abs() < 1e-6 * d[0] / s, "{} vs {fd_s}", d[2]);
    }
}
