//! IRS-aided MIMO uplink channel estimation (He & Joseph, TSP 2024, §VI; the authors'
//! `PC-KroSBL/main.m` setting).
//!
//! **System.** A user (UE, N_u = 6 antennas) sends K₁ = 3 QPSK pilot vectors (X ∈ ℂ^{6×3},
//! entries (±1 ± j)/√2 scaled by 1/√6) to a base station (BS, N_b = 16) through an intelligent
//! reflecting surface (IRS, N_r = 256 elements) that cycles through K₂ = 6 random phase
//! patterns θ_t ∈ {±1/16}^{256}. All arrays are uniform linear arrays on a grid of G = 18
//! angles with atoms `a(g)[k] = exp(jπ(2g/G − 1)k)/√dim`. The channels are
//!
//! ```text
//!   H₁ = √(N_u N_r/3) · (Σ_l α_l a_IRS(g_{a,l})) a_UE(g_u)ᴴ       (IRS ← UE, 1 UE path, 3 IRS AoAs)
//!   H₂ = √(N_b N_r/3) · (Σ_l β_l a_BS(g_{b,l})) a_IRS(g_d)ᴴ       (BS ← IRS, 3 BS AoAs, 1 IRS AoD)
//! ```
//!
//! with three contiguous grid angles per cluster and CN(0, 1) gains. The measurements
//! y = [vec(H₂ diag(θ_t) H₁ X)]_{t=1..6} + noise (M = 16·3·6 = 288) are exactly
//!
//! ```text
//!   y = (H_p1 ⊗ H_p2 ⊗ A_BS) x + n,   H_p1[t, g] = Σ_k θ_t[k] A_IRS[k, 0] conj(A_IRS[k, g]),
//!                                      H_p2 = Xᵀ conj(A_UE),
//! ```
//!
//! because the cascaded IRS response depends only on the angle difference g = g_d − g_a mod G.
//! x (N = 18³ = 5832) is rank-1 with supports (3, 1, 3): the Kronecker-structured sparse
//! recovery problem of [`crate::kron`]. The quality measure is the NMSE of the cascaded
//! channels G_t = H₂ diag(θ_t) H₁ (16 × 6), averaged over the patterns.

pub mod presets;
use nalgebra::{DMatrix, DVector};
use parsimony_core::error::check_len;
use parsimony_core::linalg::KroneckerOperator;
use parsimony_core::random::{StdRng, add_noise_snr, seeded_rng};
use parsimony_core::{C64, Error, Result, memory};
use rand::RngExt;
use rand_distr::StandardNormal;

/// Sizes of the IRS system.
///
/// | name | default | meaning |
/// |---|---|---|
/// | `ue` | 6 | UE antennas |
/// | `bs` | 16 | BS antennas |
/// | `irs` | 256 | IRS elements |
/// | `grid` | 18 | angular grid points |
/// | `pilots` | 3 | pilot vectors K₁ |
/// | `patterns` | 6 | IRS phase patterns K₂ |
/// | `spread` | 3 | contiguous angles per cluster (IRS AoA, BS AoA) |
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrsConfig {
    /// UE antennas.
    pub ue: usize,
    /// BS antennas.
    pub bs: usize,
    /// IRS elements.
    pub irs: usize,
    /// Angular grid size G.
    pub grid: usize,
    /// Pilot vectors K₁.
    pub pilots: usize,
    /// IRS patterns K₂.
    pub patterns: usize,
    /// Angles per cluster.
    pub spread: usize,
}

impl Default for IrsConfig {
    fn default() -> Self {
        Self {
            ue: 6,
            bs: 16,
            irs: 256,
            grid: 18,
            pilots: 3,
            patterns: 6,
            spread: 3,
        }
    }
}

/// The fixed part of the system: array dictionaries, pilots, IRS patterns, and the factors of
/// the Kronecker dictionary.
#[derive(Clone, Debug)]
pub struct IrsSystem {
    config: IrsConfig,
    a_irs: DMatrix<C64>,
    a_ue: DMatrix<C64>,
    a_bs: DMatrix<C64>,
    pilots: DMatrix<C64>,
    patterns: DMatrix<f64>,
    factors: Vec<DMatrix<C64>>,
}

/// One channel draw.
#[derive(Clone, Debug)]
pub struct IrsChannel {
    /// IRS ← UE channel (irs × ue).
    pub h1: DMatrix<C64>,
    /// BS ← IRS channel (bs × irs).
    pub h2: DMatrix<C64>,
    /// The sparse angular-domain representation x (length G³), row-major (IRS difference, UE, BS).
    pub x: DVector<C64>,
}

/// ULA dictionary: column g is `a(g)[k] = exp(jπ(2g/G − 1)k)/√dim`. Errors: `dim` or `grid`
/// zero, or a `dim × grid` matrix beyond the memory budget.
pub fn ula_dictionary(dim: usize, grid: usize) -> Result<DMatrix<C64>> {
    parsimony_core::error::check_at_least_one("dim", dim)?;
    parsimony_core::error::check_at_least_one("grid", grid)?;
    let len = memory::checked_mul("dim × grid", dim, grid)?;
    memory::check_elements::<C64>(&format!("a {dim} × {grid} dictionary"), len)?;
    let s = 1.0 / (dim as f64).sqrt();
    Ok(DMatrix::from_fn(dim, grid, |k, g| {
        let phase = std::f64::consts::PI * (2.0 * g as f64 / grid as f64 - 1.0) * k as f64;
        C64::from_polar(s, phase)
    }))
}

fn cn(rng: &mut StdRng) -> C64 {
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let re: f64 = rng.sample(StandardNormal);
    let im: f64 = rng.sample(StandardNormal);
    C64::new(s * re, s * im)
}

fn coin(rng: &mut StdRng) -> bool {
    rng.random::<bool>()
}

/// The cascaded-channel norm below which the authors' code redraws an IRS pattern.
pub const MIN_CASCADED_NORM: f64 = 1e-5;

/// H_p1[t, g] = Σ_k θ_t[k] A_IRS[k, 0] conj(A_IRS[k, g]): pattern t's response at angle
/// difference g.
fn pattern_response(a_irs: &DMatrix<C64>, patterns: &DMatrix<f64>, t: usize, g: usize) -> C64 {
    (0..a_irs.nrows())
        .map(|k| a_irs[(k, 0)] * a_irs[(k, g)].conj() * patterns[(t, k)])
        .sum()
}

impl IrsSystem {
    /// Builds the system with pilots and IRS patterns drawn from `seed` (fixed across trials,
    /// as in the paper).
    pub fn new(config: IrsConfig, seed: u64) -> Result<Self> {
        for (name, v) in [
            ("ue", config.ue),
            ("bs", config.bs),
            ("irs", config.irs),
            ("grid", config.grid),
            ("pilots", config.pilots),
            ("patterns", config.patterns),
            ("spread", config.spread),
        ] {
            parsimony_core::error::check_at_least_one(name, v)?;
        }
        if config.spread > config.grid {
            return Err(Error::invalid("spread", "cannot exceed the grid size"));
        }
        // what the system and one estimate of its grid³ unknowns hold
        let c = &config;
        let sizes = [
            memory::checked_mul("irs × grid", c.irs, c.grid)?,
            memory::checked_mul("ue × grid", c.ue, c.grid)?,
            memory::checked_mul("bs × grid", c.bs, c.grid)?,
            memory::checked_mul("patterns × irs", c.patterns, c.irs)?,
            memory::checked_mul("ue × pilots", c.ue, c.pilots)?,
            memory::checked_product("unknowns grid³", &[c.grid, c.grid, c.grid])?,
            memory::checked_product(
                "measurements bs·pilots·patterns",
                &[c.bs, c.pilots, c.patterns],
            )?,
        ];
        memory::check_total::<C64>(
            "the IRS system (dictionaries, patterns, grid³ unknowns)",
            &sizes,
        )?;
        let mut rng = seeded_rng(seed);
        let a_irs = ula_dictionary(config.irs, config.grid)?;
        let a_ue = ula_dictionary(config.ue, config.grid)?;
        let a_bs = ula_dictionary(config.bs, config.grid)?;
        let qpsk = std::f64::consts::FRAC_1_SQRT_2 / (config.ue as f64).sqrt();
        let pilots = DMatrix::from_fn(config.ue, config.pilots, |_, _| {
            let re = if coin(&mut rng) { qpsk } else { -qpsk };
            let im = if coin(&mut rng) { qpsk } else { -qpsk };
            C64::new(re, im)
        });
        let amp = 1.0 / (config.irs as f64).sqrt();
        let patterns = DMatrix::from_fn(config.patterns, config.irs, |_, _| {
            if coin(&mut rng) { amp } else { -amp }
        });
        let h_p1 = DMatrix::from_fn(config.patterns, config.grid, |t, g| {
            pattern_response(&a_irs, &patterns, t, g)
        });
        let h_p2 = pilots.transpose() * a_ue.map(|z| z.conj());
        let factors = vec![h_p1, h_p2, a_bs.clone()];
        Ok(Self {
            config,
            a_irs,
            a_ue,
            a_bs,
            pilots,
            patterns,
            factors,
        })
    }

    /// Redraws every IRS pattern whose cascaded channel G_t = H₂ diag(θ_t) H₁ for the channel
    /// `ch` has Frobenius norm below `min_norm` (the authors' code uses
    /// [`MIN_CASCADED_NORM`] = 1e-5; it happens rarely), updating the patterns and the
    /// dictionary factor H_p1. Returns how many patterns were redrawn. Fails with
    /// `NumericalBreakdown` when a pattern stays below `min_norm` after 1000 redraws (a
    /// threshold the channel cannot reach), and `InvalidParameter` for a negative or non-finite
    /// `min_norm`.
    pub fn redraw_weak_patterns(
        &mut self,
        ch: &IrsChannel,
        min_norm: f64,
        rng: &mut StdRng,
    ) -> Result<usize> {
        parsimony_core::error::check_non_negative("min_norm", min_norm)?;
        let amp = 1.0 / (self.config.irs as f64).sqrt();
        let mut redrawn = 0;
        for t in 0..self.config.patterns {
            let mut tries = 0;
            while self.cascaded_one(ch, t).norm() < min_norm {
                if tries == 1000 {
                    return Err(Error::breakdown(
                        "IRS pattern redraw",
                        format!("pattern {t}: cascaded norm stays below {min_norm:e}"),
                    ));
                }
                tries += 1;
                for k in 0..self.config.irs {
                    self.patterns[(t, k)] = if coin(rng) { amp } else { -amp };
                }
                for g in 0..self.config.grid {
                    self.factors[0][(t, g)] = pattern_response(&self.a_irs, &self.patterns, t, g);
                }
            }
            redrawn += tries;
        }
        Ok(redrawn)
    }

    /// The configuration.
    pub fn config(&self) -> &IrsConfig {
        &self.config
    }

    /// The Kronecker dictionary factors (H_p1, H_p2, A_BS): sizes (K₂ × G, K₁ × G, N_b × G).
    pub fn factors(&self) -> &[DMatrix<C64>] {
        &self.factors
    }

    /// Draws a channel: UE AoD and IRS AoD uniform on the grid, three contiguous IRS AoAs and
    /// BS AoAs (contiguous, not wrapping around the grid, as in `main.m`) with CN(0, 1) gains.
    pub fn draw_channel(&self, rng: &mut StdRng) -> IrsChannel {
        let c = &self.config;
        let g = c.grid;
        let gu = rng.random_range(0..g);
        let gd = rng.random_range(0..g);
        // contiguous clusters that do not wrap around the grid (main.m: randsample(0:G−3))
        let ga0 = rng.random_range(0..=g - c.spread);
        let gb0 = rng.random_range(0..=g - c.spread);
        let alpha: Vec<C64> = (0..c.spread).map(|_| cn(rng)).collect();
        let beta: Vec<C64> = (0..c.spread).map(|_| cn(rng)).collect();
        let c1 = ((c.ue * c.irs) as f64 / c.spread as f64).sqrt();
        let c2 = ((c.bs * c.irs) as f64 / c.spread as f64).sqrt();
        let mut irs_resp = DVector::<C64>::zeros(c.irs);
        let mut bs_resp = DVector::<C64>::zeros(c.bs);
        for l in 0..c.spread {
            irs_resp += self.a_irs.column(ga0 + l) * alpha[l];
            bs_resp += self.a_bs.column(gb0 + l) * beta[l];
        }
        let h1 = (&irs_resp * self.a_ue.column(gu).adjoint()) * C64::from(c1);
        let h2 = (&bs_resp * self.a_irs.column(gd).adjoint()) * C64::from(c2);
        let mut x = DVector::<C64>::zeros(g * g * g);
        for (l, a) in alpha.iter().enumerate() {
            let gi = (gd + g - (ga0 + l)) % g;
            for (l2, b) in beta.iter().enumerate() {
                let gbi = gb0 + l2;
                x[(gi * g + gu) * g + gbi] += a * b * (c1 * c2);
            }
        }
        IrsChannel { h1, h2, x }
    }

    /// Noise-free measurements y₀ = (H_p1 ⊗ H_p2 ⊗ A_BS) x.
    pub fn measure_clean(&self, x: &DVector<C64>) -> Result<DVector<C64>> {
        KroneckerOperator::new(self.factors.clone())?.apply(x)
    }

    /// Noisy measurements at `snr_db` (σ² = mean|y₀|²/SNR, circular complex noise) and σ².
    pub fn measure(
        &self,
        ch: &IrsChannel,
        snr_db: f64,
        rng: &mut StdRng,
    ) -> Result<(DVector<C64>, f64)> {
        let y0 = self.measure_clean(&ch.x)?;
        add_noise_snr(rng, &y0, snr_db)
    }

    /// The cascaded channels G_t = H₂ diag(θ_t) H₁ of a channel draw, one per pattern.
    ///
    /// Errors: H₁ not N_irs × N_u or H₂ not N_b × N_irs.
    pub fn cascaded_true(&self, ch: &IrsChannel) -> Result<Vec<DMatrix<C64>>> {
        let c = &self.config;
        for (what, m, rows, cols) in [
            ("h1 (IRS × UE)", &ch.h1, c.irs, c.ue),
            ("h2 (BS × IRS)", &ch.h2, c.bs, c.irs),
        ] {
            check_len(format_args!("rows of {what}"), rows, m.nrows())?;
            check_len(format_args!("columns of {what}"), cols, m.ncols())?;
        }
        Ok((0..self.config.patterns)
            .map(|t| self.cascaded_one(ch, t))
            .collect())
    }

    /// G_t for pattern `t`.
    fn cascaded_one(&self, ch: &IrsChannel, t: usize) -> DMatrix<C64> {
        let mut h1t = ch.h1.clone();
        for (k, mut row) in h1t.row_iter_mut().enumerate() {
            row *= C64::from(self.patterns[(t, k)]);
        }
        &ch.h2 * h1t
    }

    /// The cascaded channels implied by an angular-domain estimate x̂:
    /// G_t = A_BS M_t A_UEᴴ with M_t[b, u] = Σ_g H_p1[t, g] x̂[g, u, b].
    pub fn cascaded_from_x(&self, x: &DVector<C64>) -> Result<Vec<DMatrix<C64>>> {
        let g = self.config.grid;
        parsimony_core::error::check_len("length of x (G³)", g * g * g, x.len())?;
        let h_p1 = &self.factors[0];
        Ok((0..self.config.patterns)
            .map(|t| {
                let m = DMatrix::from_fn(g, g, |b, u| {
                    (0..g)
                        .map(|gi| h_p1[(t, gi)] * x[(gi * g + u) * g + b])
                        .sum::<C64>()
                });
                &self.a_bs * m * self.a_ue.adjoint()
            })
            .collect())
    }

    /// Checks that every matrix is a cascaded channel: N_b × N_u.
    fn check_channel_shapes<'a>(
        &self,
        channels: impl Iterator<Item = &'a DMatrix<C64>>,
        what: &str,
    ) -> Result<()> {
        let (nb, nu) = (self.config.bs, self.config.ue);
        for m in channels {
            check_len(format_args!("rows of {what} (BS antennas)"), nb, m.nrows())?;
            check_len(
                format_args!("columns of {what} (UE antennas)"),
                nu,
                m.ncols(),
            )?;
        }
        Ok(())
    }

    /// Channel NMSE averaged over the patterns: mean_t ‖Ĝ_t − G_t‖²_F / ‖G_t‖²_F.
    pub fn channel_nmse(&self, estimate: &[DMatrix<C64>], truth: &[DMatrix<C64>]) -> Result<f64> {
        parsimony_core::error::check_len(
            "number of estimated patterns",
            truth.len(),
            estimate.len(),
        )?;
        self.check_channel_shapes(estimate.iter().chain(truth), "channels")?;
        let mut acc = 0.0;
        for (k, (e, t)) in estimate.iter().zip(truth).enumerate() {
            parsimony_core::linalg::check_finite(format_args!("estimate[{k}]"), e.as_slice())?;
            parsimony_core::linalg::check_finite(format_args!("truth[{k}]"), t.as_slice())?;
            acc += parsimony_core::stats::nmse(e.as_slice(), t.as_slice())
                .map_err(|_| Error::invalid("truth", format!("cascaded channel {k} is zero")))?;
        }
        Ok(acc / truth.len() as f64)
    }

    /// Symbol error rate of QPSK over one cascaded channel with rank-1 SVD beamforming designed
    /// from the estimate: the UE precodes with the top right singular vector v̂ of Ĝ, the BS
    /// combines with the top left one û and divides by ûᴴĜv̂ = σ̂₁, then decides by the signs
    /// of the real and imaginary parts. The true channel G carries the symbols; the noise is
    /// CN(0, σₙ²I) with σₙ² = (‖G‖²_F / (N_b N_u)) / 10^(SNR/10). `symbols` draws from `rng`.
    pub fn qpsk_ser(
        &self,
        estimate: &DMatrix<C64>,
        truth: &DMatrix<C64>,
        snr_db: f64,
        symbols: usize,
        rng: &mut StdRng,
    ) -> Result<f64> {
        let (nb, nu) = (self.config.bs, self.config.ue);
        self.check_channel_shapes([estimate].into_iter(), "estimate")?;
        self.check_channel_shapes([truth].into_iter(), "truth")?;
        if symbols == 0 || !snr_db.is_finite() {
            return Err(Error::invalid(
                "symbols, snr_db",
                "need ≥ 1 symbol and a finite SNR",
            ));
        }
        let svd = parsimony_core::linalg::thin_svd(estimate)?;
        let s1 = svd.singular_values[0];
        if s1 == 0.0 {
            // no channel estimate: the receiver can only guess
            return Ok(0.75);
        }
        let u = svd.u.column(0).into_owned();
        let v = svd.v.column(0).into_owned();
        let gain = (u.adjoint() * truth * &v)[(0, 0)];
        let sigma_n = (truth.norm_squared() / (nb * nu) as f64 / 10f64.powf(snr_db / 10.0)).sqrt();
        let a = std::f64::consts::FRAC_1_SQRT_2;
        let mut errors = 0usize;
        for _ in 0..symbols {
            let (b0, b1) = (coin(rng), coin(rng));
            let sym = C64::new(if b0 { a } else { -a }, if b1 { a } else { -a });
            // ûᴴ(G v̂ s + n) = (ûᴴGv̂) s + ûᴴn, and ûᴴn ~ CN(0, σₙ²) since ‖û‖ = 1
            let z = (gain * sym + cn(rng) * sigma_n) / s1;
            if (z.re >= 0.0) != b0 || (z.im >= 0.0) != b1 {
                errors += 1;
            }
        }
        Ok(errors as f64 / symbols as f64)
    }

    /// The pilot matrix X (ue × pilots).
    pub fn pilots(&self) -> &DMatrix<C64> {
        &self.pilots
    }
}
