//! SPRIGHT (Li, Bradley, Pawar & Ramchandran, arXiv 1508.06336): the K-sparse spectrum X of a
//! signal x on F₂ⁿ, x\[m\] = Σₖ X\[k\] (−1)^⟨m,k⟩ (+ noise), from O(K log N) samples.
//!
//! 1. **Aliasing** ([`crate::design`]): C groups; group c reads x at m = M_c l ⊕ d for
//!    l < B = 2ᵇ and each of its P offsets d, and a B-point FWHT ÷ B gives the bins
//!    U_{c,d}\[j\] = Σ_{k : M_cᵀk = j} X[k](−1)^⟨d,k⟩. Queries: C·P·B (the oracle sees each
//!    distinct index once).
//! 2. **Bins**: a bin u ∈ ℝᴾ is a zero-ton (energy mean u² ≤ τ), a single-ton (one k: u =
//!    α·s(k) with s_p = (−1)^⟨d_p,k⟩), or a multi-ton. To test for a single-ton, k is located
//!    from the signs (bits on the window from j; the other bits from Σ_chains u_base·u_bit < 0,
//!    or from the BCH syndrome in the low-degree mode), then α̂ = mean(s ∘ u) and the bin is a
//!    single-ton when the residual mean (u − α̂ s)² ≤ τ and |α̂| ≥ a_min.
//! 3. **Peeling**: every single-ton found is added to the spectrum (*accumulated*: a "ghost"
//!    single-ton, three coefficients whose signs mimic a fourth index, cancels later) and
//!    subtracted from its bin in every group, which may turn other bins into single-tons;
//!    rounds over the bins changed since they were last looked at, until none is left.
//! 4. **Refit** (default in noise): least squares of the found coefficients on all bin
//!    observations (Gauss–Seidel sweeps; the bins' design is nearly orthogonal), so each
//!    coefficient averages its C·P observations.
//!
//! Thresholds. Noiseless: relative to the largest bin value (zero below 1e-9 of it). In noise,
//! with ν² = σ²/B the variance of a bin observation (σ given, or estimated from the bins'
//! energies: the low cluster, below the first ×10 jump): a bin is empty, and a single-ton's
//! residual small, below τ = ν²(1 + 4√(2/P)) (four standard deviations of a pure-noise bin's
//! mean square), and a single-ton needs |α̂| ≥ a_min = 4ν/√P unless given.
//!
//! Cost: C·P·B samples, C·P B-point transforms (C·P·B·b additions), peeling O((K + C·B)·P)
//! per round. Unresolved bins (energy above τ after peeling: a stopping set, too little
//! signal-to-noise, or K beyond the design's capacity of about B) are reported in the result,
//! never hidden; `info.status` is then [`Status::Stalled`].

use crate::bch::Bch;
use crate::bits::BitIndex;
use crate::design::{self, Group, Probe};
use crate::fwht::fwht;
use crate::oracle::{Oracle, Sampler, check_bits};
use parsimony_core::random::SplitMix64;
use parsimony_core::solve::{Clock, Control, IterInfo, Observer, Silent, SolveInfo, Status};
use parsimony_core::{Error, Result};
use std::collections::HashMap;

/// How the offsets are chosen and bins decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// Offsets 0 and e_i: exact recovery of noiseless signals, P = n − b + 1.
    Noiseless,
    /// Random chains r, r ⊕ e_i with soft bit decisions; `chains` None: from `snr_db`
    /// (2 at ≥ 10 dB, doubling every 5 dB below), or 3 without it.
    Robust {
        /// Chains per group (P₁).
        chains: Option<usize>,
    },
    /// Random dense hashes and BCH-coded offsets for spectra supported on indices of Hamming
    /// weight ≤ t (interactions of order ≤ t): P = 1 + t⌈log₂(n + 1)⌉, n up to thousands.
    /// Noiseless (or nearly) signals.
    LowDegree {
        /// The largest interaction order.
        t: usize,
    },
}

/// What fixes the design's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// K, the expected number of non-zero coefficients: B = 2ᵇ ≥ K.
    Sparsity(usize),
    /// The most queries (C·P·B) to spend: the largest b that fits.
    Budget(usize),
}

/// Parameters of SPRIGHT; [`SprightParams::build`] checks them.
///
/// | name | default | valid | meaning |
/// |---|---|---|---|
/// | `target` | (given) | K ≥ 1 or budget ≥ 1 | [`Target`]: sparsity K (b = ⌈log₂K⌉) or a query budget |
/// | `mode` | `Noiseless` | [`Mode`] | offsets and decoding |
/// | `seed` | 0 | any | the random chains and hashes |
/// | `bins_log2` | from the target | 1 ≤ b ≤ n | b, with B = 2ᵇ bins per group |
/// | `groups` | max(3, ⌈n/b⌉) | ≥ 1, windows must cover n | C |
/// | `windows` | circular | b distinct bits each, covering all n | the groups' bits (noiseless and robust) |
/// | `noise_sd` | estimated | > 0 | σ, the standard deviation of a sample's noise |
/// | `snr_db` | none | finite | total SNR Σ X² / σ² in dB, for the default number of chains |
/// | `min_amplitude` | 4σ/√(BP) (noise), 1e-9·max bin (noiseless) | > 0 | smallest |X\[k\]| accepted |
/// | `refit` | true in noise | | least-squares refit of the found coefficients |
/// | `max_rounds` | 100 | ≥ 1 | peeling rounds |
#[derive(Clone, Debug, PartialEq)]
pub struct SprightParams {
    /// Sparsity or budget.
    pub target: Target,
    /// The design and decoder.
    pub mode: Mode,
    /// Seed of every random choice.
    pub seed: u64,
    /// b (None: from the target).
    pub bins_log2: Option<usize>,
    /// C (None: max(3, ⌈n/b⌉)).
    pub groups: Option<usize>,
    /// Explicit bit windows, one per group.
    pub windows: Option<Vec<Vec<usize>>>,
    /// σ of the samples' noise (None: noiseless mode uses none; robust estimates it).
    pub noise_sd: Option<f64>,
    /// Total SNR in dB, for the default number of chains.
    pub snr_db: Option<f64>,
    /// The smallest amplitude accepted.
    pub min_amplitude: Option<f64>,
    /// Refit the amplitudes by least squares (None: in noise only).
    pub refit: Option<bool>,
    /// Peeling rounds, at most.
    pub max_rounds: usize,
}

impl SprightParams {
    /// Defaults for a spectrum of about `k` non-zero coefficients, noiseless.
    pub fn new(k: usize) -> Self {
        Self {
            target: Target::Sparsity(k),
            mode: Mode::Noiseless,
            seed: 0,
            bins_log2: None,
            groups: None,
            windows: None,
            noise_sd: None,
            snr_db: None,
            min_amplitude: None,
            refit: None,
            max_rounds: 100,
        }
    }

    /// Defaults for a query budget instead of a sparsity.
    pub fn with_budget(queries: usize) -> Self {
        Self {
            target: Target::Budget(queries),
            ..Self::new(1)
        }
    }

    /// Sets the mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets b.
    pub fn bins_log2(mut self, b: usize) -> Self {
        self.bins_log2 = Some(b);
        self
    }
    /// Sets C.
    pub fn groups(mut self, c: usize) -> Self {
        self.groups = Some(c);
        self
    }
    /// Sets the groups' bit windows (and so b and C).
    pub fn windows(mut self, w: Vec<Vec<usize>>) -> Self {
        self.windows = Some(w);
        self
    }
    /// Sets σ.
    pub fn noise_sd(mut self, s: f64) -> Self {
        self.noise_sd = Some(s);
        self
    }
    /// Sets the total SNR (dB) the chains are sized for.
    pub fn snr_db(mut self, s: f64) -> Self {
        self.snr_db = Some(s);
        self
    }
    /// Sets the smallest accepted amplitude.
    pub fn min_amplitude(mut self, a: f64) -> Self {
        self.min_amplitude = Some(a);
        self
    }
    /// Turns the least-squares refit on or off.
    pub fn refit(mut self, yes: bool) -> Self {
        self.refit = Some(yes);
        self
    }
    /// Sets the round cap.
    pub fn max_rounds(mut self, r: usize) -> Self {
        self.max_rounds = r;
        self
    }

    /// Checks what does not depend on n.
    pub fn build(self) -> Result<Spright> {
        match self.target {
            Target::Sparsity(0) => return Err(Error::invalid("k", "the sparsity must be ≥ 1")),
            Target::Budget(0) => return Err(Error::invalid("budget", "must be ≥ 1 query")),
            _ => {}
        }
        match self.mode {
            Mode::Robust { chains: Some(0) } => {
                return Err(Error::invalid("mode.chains", "must be ≥ 1"));
            }
            Mode::LowDegree { t: 0 } => {
                return Err(Error::invalid(
                    "mode.t",
                    "the interaction order must be ≥ 1",
                ));
            }
            _ => {}
        }
        for (name, v) in [
            ("noise_sd", self.noise_sd),
            ("min_amplitude", self.min_amplitude),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0)
            {
                return Err(Error::invalid(
                    name,
                    format!("must be finite and > 0, got {v}"),
                ));
            }
        }
        if let Some(s) = self.snr_db
            && !s.is_finite()
        {
            return Err(Error::invalid("snr_db", format!("must be finite, got {s}")));
        }
        if self.bins_log2 == Some(0) {
            return Err(Error::invalid("bins_log2", "b must be ≥ 1"));
        }
        if self.groups == Some(0) {
            return Err(Error::invalid("groups", "C must be ≥ 1"));
        }
        if self.max_rounds == 0 {
            return Err(Error::invalid("max_rounds", "must be ≥ 1"));
        }
        Ok(Spright { params: self })
    }
}

/// What a recovery did.
#[derive(Clone, Debug, PartialEq)]
pub struct SprightReport {
    /// Observations used, C·P·B (an index read by several groups counts each time).
    pub queries: usize,
    /// Distinct indices the oracle evaluated.
    pub distinct_samples: usize,
    /// Peeling rounds (passes over the changed bins).
    pub rounds: usize,
    /// Bins still holding energy above the zero-ton threshold: 0 means the spectrum explains
    /// every observation.
    pub unresolved_bins: usize,
    /// σ: given, or estimated from the bins left after peeling (0 in the noiseless mode).
    pub noise_sd: f64,
    /// b (B = 2ᵇ bins per group).
    pub bins_log2: usize,
    /// C.
    pub groups: usize,
    /// P, offsets per group.
    pub offsets: usize,
}

/// A recovered sparse spectrum (convention x\[m\] = Σ X[k](−1)^⟨m,k⟩).
#[derive(Clone, Debug, PartialEq)]
pub struct SparseSpectrum<I> {
    /// (k, X\[k\]) sorted by k.
    pub coefficients: Vec<(I, f64)>,
    /// Counts and the noise level.
    pub report: SprightReport,
    /// Rounds, `Converged` (no unresolved bin), `Stalled` (unresolved bins left) or
    /// `MaxIterations` (the round cap); stop value: the unresolved bins.
    pub info: SolveInfo,
}

impl<I: BitIndex> SparseSpectrum<I> {
    /// X\[k\] (0 when k was not found).
    pub fn get(&self, k: I) -> f64 {
        self.coefficients
            .binary_search_by(|(i, _)| i.cmp(&k))
            .map_or(0.0, |p| self.coefficients[p].1)
    }

    /// x\[m\] = Σ X[k](−1)^⟨m,k⟩ of the recovered spectrum.
    pub fn evaluate(&self, m: I) -> f64 {
        self.coefficients
            .iter()
            .map(|&(k, a)| if m.dot(k) { -a } else { a })
            .sum()
    }
}

/// SPRIGHT (see the module documentation).
#[derive(Clone, Debug)]
pub struct Spright {
    params: SprightParams,
}

/// The bins of all groups: bins\[c\]\[j·P + p\].
struct Bins<I> {
    n: usize,
    groups: Vec<Group<I>>,
    code: Option<Bch>,
    p: usize,
    u: Vec<Vec<f64>>,
}

/// How a bin classifies.
enum Class<I> {
    Zero,
    Single(I, f64),
    Multi,
}

/// The thresholds in use.
#[derive(Clone, Copy, Debug)]
struct Thresholds {
    /// Zero-ton and residual threshold on mean squares.
    tau: f64,
    /// Smallest accepted |α̂|.
    a_min: f64,
    noisy: bool,
}

impl Spright {
    /// The parameters.
    pub fn params(&self) -> &SprightParams {
        &self.params
    }

    /// Recovers the spectrum of the oracle's signal, silently.
    pub fn recover<I: BitIndex, O: Oracle<I> + ?Sized>(
        &self,
        oracle: &mut O,
    ) -> Result<SparseSpectrum<I>> {
        self.recover_observed(oracle, &mut Silent)
    }

    /// Recovers the spectrum, reporting each peeling round to `observer` (cost: the
    /// coefficients found so far; stop value: the unresolved bins).
    pub fn recover_observed<I: BitIndex, O: Oracle<I> + ?Sized>(
        &self,
        oracle: &mut O,
        observer: &mut dyn Observer,
    ) -> Result<SparseSpectrum<I>> {
        let clock = Clock::start();
        let prm = &self.params;
        let n = oracle.n_bits();
        check_bits::<I>(n)?;
        let mut rng = SplitMix64::new(prm.seed);
        let (groups, code) = self.design::<I>(n, &mut rng)?;
        let b = groups[0].cols.len();
        let p = groups[0].offsets.len();
        // sampling: one oracle batch per group
        let mut sampler = Sampler::new(oracle);
        let big_b = 1usize << b;
        sampler.reserve(groups.len() * p * big_b);
        let mut bins = Bins {
            u: Vec::with_capacity(groups.len()),
            p,
            n,
            groups,
            code,
        };
        let mut indices = Vec::with_capacity(p * big_b);
        let mut values = vec![0.0; p * big_b];
        let mut span = vec![I::zero(); big_b];
        for g in &bins.groups {
            // span[l] = M l, each from a smaller one and one column
            for l in 1..big_b {
                span[l] = span[l & (l - 1)].xor(g.cols[l.trailing_zeros() as usize]);
            }
            indices.clear();
            for &d in &g.offsets {
                indices.extend(span.iter().map(|&m| m.xor(d)));
            }
            sampler.values(&indices, &mut values)?;
            // B-point transforms ÷ B, stored bin-major
            let mut u = vec![0.0; big_b * p];
            for (pp, chunk) in values.chunks_exact_mut(big_b).enumerate() {
                fwht(chunk)?;
                for (j, v) in chunk.iter().enumerate() {
                    u[j * p + pp] = v / big_b as f64;
                }
            }
            bins.u.push(u);
        }
        let queries = sampler.queries;
        let distinct = sampler.distinct();
        // the decoder works on bins scaled to a largest value near 1, so that squares neither
        // overflow (values near 1e200) nor underflow (near 1e-200); amplitudes and σ are
        // scaled back at the end
        let top = bins.u.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        if !top.is_finite() {
            return Err(Error::invalid(
                "oracle",
                "the bins overflow: the oracle's values are too large to add up (rescale them)",
            ));
        }
        // a power of two: scaling by it is exact
        let scale = if top > 0.0 {
            2f64.powi(top.log2().round() as i32)
        } else {
            1.0
        };
        bins.u.iter_mut().flatten().for_each(|v| *v /= scale);
        // (the largest scaled value is top / scale exactly: scale is a power of two)
        let th = self.thresholds(&bins, big_b, scale, top / scale);
        let (found, rounds, status) = peel(&mut bins, &th, prm.max_rounds, &mut *observer);
        // amplitudes below the floor (ghosts that cancelled, noise) are dropped and given
        // back to the bins, so that the bins stay the residual of the spectrum returned
        let mut kept = Vec::with_capacity(found.len());
        let mut s = vec![0.0; p];
        for (k, a) in found {
            if a.abs() >= th.a_min {
                kept.push((k, a));
            } else {
                subtract(&mut bins, k, -a, &mut s, None);
            }
        }
        let mut found = kept;
        found.sort_by_key(|e| e.0);
        let refit = prm.refit.unwrap_or(th.noisy);
        if refit && !found.is_empty() {
            refit_on_bins(&mut bins, &mut found);
            if th.noisy && prm.min_amplitude.is_none() {
                // after the refit a coefficient averages its C·P observations: one the noise
                // made up shrinks to ~ν/√(CP); drop what is not 5 of those out, and refit
                let nu2 = self.residual_noise(&bins, big_b, scale);
                let floor = 5.0 * (nu2 / (p * bins.groups.len()) as f64).sqrt();
                let before = found.len();
                let mut s = vec![0.0; p];
                found.retain(|&(k, a)| {
                    let keep = a.abs() >= floor;
                    if !keep {
                        subtract(&mut bins, k, -a, &mut s, None);
                    }
                    keep
                });
                if found.len() < before && !found.is_empty() {
                    refit_on_bins(&mut bins, &mut found);
                }
            }
        }
        // in noise, the bins left are judged against the noise they should hold: ν² given,
        // or estimated again from the residual bins (pure noise when the recovery worked)
        let (noise_sd, final_th) = if th.noisy {
            let nu2 = self.residual_noise(&bins, big_b, scale);
            // 5 standard deviations of a χ²_P/P mean square above its mean
            let tau = nu2 * (1.0 + 5.0 * (2.0 / p as f64).sqrt());
            (
                scale * (nu2 * big_b as f64).sqrt(),
                Thresholds { tau, ..th },
            )
        } else {
            (0.0, th)
        };
        let unresolved = unresolved(&bins, &final_th);
        let status = match (status, unresolved) {
            (Status::MaxIterations | Status::StoppedByObserver, _) => status,
            (_, 0) => Status::Converged,
            _ => Status::Stalled,
        };
        for (_, a) in &mut found {
            *a *= scale;
        }
        let info = clock.finish(rounds, status, unresolved as f64);
        observer.finish(&info);
        Ok(SparseSpectrum {
            coefficients: found,
            report: SprightReport {
                queries,
                distinct_samples: distinct,
                rounds,
                unresolved_bins: unresolved,
                noise_sd,
                bins_log2: b,
                groups: bins.groups.len(),
                offsets: p,
            },
            info,
        })
    }

    /// The design for n bits: b, C, windows or hashes, offsets.
    fn design<I: BitIndex>(
        &self,
        n: usize,
        rng: &mut SplitMix64,
    ) -> Result<(Vec<Group<I>>, Option<Bch>)> {
        let prm = &self.params;
        if let Target::Sparsity(k) = prm.target
            && n < 64
            && k > 1usize << n
        {
            return Err(Error::invalid(
                "k",
                format!("a spectrum of 2^{n} coefficients cannot hold {k}"),
            ));
        }
        let code = match prm.mode {
            Mode::LowDegree { t } => Some(Bch::new(n, t)?),
            _ => None,
        };
        let chains = match prm.mode {
            Mode::Robust { chains } => Some(chains.unwrap_or_else(|| match prm.snr_db {
                Some(snr) => (2.0 * 2f64.powf((10.0 - snr) / 5.0)).ceil().max(2.0) as usize,
                None => 3,
            })),
            _ => None,
        };
        // queries of a design with b bits per group
        let offsets = |b: usize| match (&code, chains) {
            (Some(code), _) => 1 + code.rows(),
            (None, c) => c.unwrap_or(1) * (n - b + 1),
        };
        let groups_for = |b: usize| {
            prm.groups.unwrap_or(if code.is_some() {
                3
            } else {
                3.max(n.div_ceil(b))
            })
        };
        let b = if let Some(w) = &prm.windows {
            w.first().map_or(0, Vec::len)
        } else if let Some(b) = prm.bins_log2 {
            b
        } else {
            match prm.target {
                Target::Sparsity(k) => {
                    (k.next_power_of_two().trailing_zeros() as usize).clamp(1, n)
                }
                Target::Budget(q) => {
                    let cost = |b: usize| (groups_for(b) * offsets(b)) << b;
                    let fits: Vec<usize> = (1..=n.min(30)).filter(|&b| cost(b) <= q).collect();
                    match fits.last() {
                        Some(&b) => b,
                        None => {
                            return Err(Error::invalid(
                                "budget",
                                format!(
                                    "{q} queries do not pay for one round (the smallest design, \
                                     b = 1, needs {})",
                                    cost(1)
                                ),
                            ));
                        }
                    }
                }
            }
        };
        if b == 0 || b > n || b > 30 {
            return Err(Error::invalid(
                "bins_log2",
                format!("b must be in 1..={} for n = {n}, got {b}", n.min(30)),
            ));
        }
        let c = groups_for(b);
        if let Some(code) = code {
            let groups = design::coded_groups(n, b, c, &code, rng);
            return Ok((groups, Some(code)));
        }
        let wins = match &prm.windows {
            Some(w) => w.clone(),
            None => design::windows(n, b, c),
        };
        design::check_windows(&wins, n, b)?;
        Ok((design::window_groups(n, wins, chains, rng), None))
    }

    /// τ and a_min from the mode, σ or the bins' energies.
    /// ν² of the (scaled) bins after peeling: from σ when given, else estimated from them.
    fn residual_noise<I>(&self, bins: &Bins<I>, big_b: usize, scale: f64) -> f64 {
        match self.params.noise_sd {
            Some(s) => (s / scale).powi(2) / big_b as f64,
            None => residual_bin_noise(bins),
        }
    }

    /// (The bins are divided by `scale`; so are σ and a_min here; `top` is their largest |value|.)
    fn thresholds<I>(&self, bins: &Bins<I>, big_b: usize, scale: f64, top: f64) -> Thresholds {
        let prm = &self.params;
        let a_given = prm.min_amplitude.map(|a| a / scale);
        if matches!(prm.mode, Mode::Robust { .. }) || prm.noise_sd.is_some() {
            let nu2 = match prm.noise_sd {
                Some(s) => (s / scale).powi(2) / big_b as f64,
                None => estimate_bin_noise(bins),
            };
            // a pure-noise bin's mean square is ν²·χ²_P/P, of standard deviation ν²√(2/P):
            // τ = ν²(1 + 4√(2/P)) is four of them out; a pure-noise bin's α̂ is N(0, ν²/P), and
            // a_min = 4ν/√P four of its standard deviations
            let p = bins.p as f64;
            let tau = nu2 * (1.0 + 4.0 * (2.0 / p).sqrt());
            let a_min = a_given.unwrap_or(4.0 * (nu2 / p).sqrt());
            return Thresholds {
                tau,
                a_min,
                noisy: true,
            };
        }
        // noiseless (and low-degree): relative to the largest bin value
        let floor = 1e-9 * top;
        Thresholds {
            tau: floor * floor,
            a_min: a_given.unwrap_or(floor),
            noisy: false,
        }
    }
}

/// ν² from the bins' mean squares: the mean of the low cluster below the first ×10 jump
/// (all bins when there is none: the smallest quarter).
fn estimate_bin_noise<I>(bins: &Bins<I>) -> f64 {
    let p = bins.p;
    let mut e: Vec<f64> = bins
        .u
        .iter()
        .flat_map(|u| {
            u.chunks_exact(p)
                .map(|b| b.iter().map(|v| v * v).sum::<f64>() / p as f64)
        })
        .collect();
    e.sort_by(f64::total_cmp);
    let cut = (1..e.len())
        .find(|&i| e[i] > 10.0 * e[i - 1] && e[i - 1] > 0.0)
        .unwrap_or((e.len() / 4).max(1));
    let low = &e[..cut];
    let nu2 = low.iter().sum::<f64>() / low.len() as f64;
    nu2.max(f64::MIN_POSITIVE)
}

/// Classifies bin j of group c.
fn classify<I: BitIndex>(
    g: &Group<I>,
    j: usize,
    u: &[f64],
    th: &Thresholds,
    code: Option<&Bch>,
    s: &mut [f64],
    votes: &mut [f64],
) -> Class<I> {
    let p = u.len() as f64;
    let energy = u.iter().map(|v| v * v).sum::<f64>() / p;
    let peak = u.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if energy <= th.tau && (th.noisy || peak * peak <= th.tau) {
        return Class::Zero;
    }
    // noiseless: a single-ton has |u_p| = |α| at every offset, so a bin that breaks it is a
    // multi-ton without further work
    let exact_tol = (!th.noisy).then(|| th.tau.sqrt());
    let k = match locate(g, j, u, code, votes, exact_tol) {
        Some(k) => k,
        None => return Class::Multi,
    };
    if g.bin(k) != j {
        return Class::Multi;
    }
    g.signature(k, s);
    let alpha = s.iter().zip(u).map(|(a, b)| a * b).sum::<f64>() / p;
    let resid = s
        .iter()
        .zip(u)
        .map(|(a, b)| (b - alpha * a).powi(2))
        .sum::<f64>()
        / p;
    if resid <= th.tau && alpha.abs() >= th.a_min {
        Class::Single(k, alpha)
    } else {
        Class::Multi
    }
}

/// The index a single-ton in bin j would have (`votes`: scratch of n entries; `exact_tol`:
/// noiseless, refuse as soon as a probe's magnitude differs from the base's).
fn locate<I: BitIndex>(
    g: &Group<I>,
    j: usize,
    u: &[f64],
    code: Option<&Bch>,
    votes: &mut [f64],
    exact_tol: Option<f64>,
) -> Option<I> {
    match (&g.window, code) {
        (Some(win), _) => {
            let mut k = I::zero();
            for (t, &s) in win.iter().enumerate() {
                if (j >> t) & 1 == 1 {
                    k.flip(s);
                }
            }
            // Σ over chains of u_base·u_bit per probed bit
            votes.iter_mut().for_each(|v| *v = 0.0);
            let mut base = 0.0;
            for (&probe, &up) in g.probes.iter().zip(u) {
                match probe {
                    Probe::Base { .. } => base = up,
                    Probe::Bit { bit, .. } => {
                        if let Some(tol) = exact_tol
                            && (up.abs() - base.abs()).abs() > 1e-6 * base.abs() + tol
                        {
                            return None;
                        }
                        votes[bit] += base * up;
                    }
                    Probe::Row { .. } => {}
                }
            }
            for (bit, v) in votes.iter().enumerate() {
                if *v < 0.0 {
                    k.flip(bit);
                }
            }
            Some(k)
        }
        (None, Some(code)) => {
            // syndrome bits: the sign of each row's value against the base's
            let base = u[0];
            if base == 0.0 {
                return None;
            }
            let bits: Vec<bool> = u[1..].iter().map(|v| v * base < 0.0).collect();
            let ones = code.decode(&bits)?;
            Some(I::from_ones(&ones))
        }
        (None, None) => None,
    }
}

/// Peels until no bin changes; returns the coefficients, the rounds and why it stopped.
fn peel<I: BitIndex>(
    bins: &mut Bins<I>,
    th: &Thresholds,
    max_rounds: usize,
    observer: &mut dyn Observer,
) -> (HashMap<I, f64>, usize, Status) {
    let p = bins.p;
    let c = bins.groups.len();
    let nb = bins.u[0].len() / p;
    let mut dirty = vec![vec![true; nb]; c];
    let mut found: HashMap<I, f64> = HashMap::new();
    let mut peeled: HashMap<I, usize> = HashMap::new();
    let mut s = vec![0.0; p];
    let mut votes = vec![0.0; bins.n];
    let mut rounds = 0;
    loop {
        if rounds == max_rounds {
            return (found, rounds, Status::MaxIterations);
        }
        rounds += 1;
        let mut progress = false;
        for g in 0..c {
            for j in 0..nb {
                if !dirty[g][j] {
                    continue;
                }
                dirty[g][j] = false;
                let class = classify(
                    &bins.groups[g],
                    j,
                    &bins.u[g][j * p..(j + 1) * p],
                    th,
                    bins.code.as_ref(),
                    &mut s,
                    &mut votes,
                );
                let Class::Single(k, alpha) = class else {
                    continue;
                };
                // in noise an index may be peeled at most C times (no churning)
                let count = peeled.entry(k).or_insert(0);
                if th.noisy && *count >= c {
                    continue;
                }
                *count += 1;
                *found.entry(k).or_insert(0.0) += alpha;
                subtract(bins, k, alpha, &mut s, Some(&mut dirty));
                progress = true;
            }
        }
        let info = IterInfo::new(rounds, found.len() as f64, unresolved(bins, th) as f64);
        if observer.observe(&info) == Control::Stop {
            return (found, rounds, Status::StoppedByObserver);
        }
        if !progress {
            return (found, rounds, Status::Converged);
        }
    }
}

/// Removes α·s(k) from k's bin in every group (and marks those bins changed).
fn subtract<I: BitIndex>(
    bins: &mut Bins<I>,
    k: I,
    alpha: f64,
    s: &mut [f64],
    mut dirty: Option<&mut Vec<Vec<bool>>>,
) {
    let p = bins.p;
    for (g, (grp, u)) in bins.groups.iter().zip(bins.u.iter_mut()).enumerate() {
        let j = grp.bin(k);
        grp.signature(k, s);
        for (v, sp) in u[j * p..(j + 1) * p].iter_mut().zip(s.iter()) {
            *v -= alpha * sp;
        }
        if let Some(d) = dirty.as_deref_mut() {
            d[g][j] = true;
        }
    }
}

/// Bins with energy above τ.
fn unresolved<I>(bins: &Bins<I>, th: &Thresholds) -> usize {
    let p = bins.p;
    bins.u
        .iter()
        .flat_map(|u| u.chunks_exact(p))
        .filter(|b| {
            let e = b.iter().map(|v| v * v).sum::<f64>() / p as f64;
            let peak = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if th.noisy {
                e > th.tau
            } else {
                peak * peak > th.tau
            }
        })
        .count()
}

/// ν² from the bins after peeling: the median mean square over the median of χ²_P/P,
/// (1 − 2/(9P))³ (Wilson–Hilferty); robust to a few bins that still hold signal.
fn residual_bin_noise<I>(bins: &Bins<I>) -> f64 {
    let p = bins.p;
    let mut e: Vec<f64> = bins
        .u
        .iter()
        .flat_map(|u| {
            u.chunks_exact(p)
                .map(|b| b.iter().map(|v| v * v).sum::<f64>() / p as f64)
        })
        .collect();
    e.sort_by(f64::total_cmp);
    let median = e[e.len() / 2];
    median / (1.0 - 2.0 / (9.0 * p as f64)).powi(3)
}

/// Least squares of the found amplitudes on the bins (the residual bins hold U − Σ found):
/// Gauss–Seidel sweeps α_k += mean over k's C·P observations of s·residual.
fn refit_on_bins<I: BitIndex>(bins: &mut Bins<I>, found: &mut [(I, f64)]) {
    let p = bins.p;
    let mut s = vec![0.0; p];
    for _ in 0..5 {
        let mut change = 0.0f64;
        for (k, a) in found.iter_mut() {
            let mut delta = 0.0;
            for (g, u) in bins.groups.iter().zip(&bins.u) {
                let j = g.bin(*k);
                g.signature(*k, &mut s);
                delta += s
                    .iter()
                    .zip(&u[j * p..(j + 1) * p])
                    .map(|(x, y)| x * y)
                    .sum::<f64>();
            }
            delta /= (p * bins.groups.len()) as f64;
            for (g, u) in bins.groups.iter().zip(bins.u.iter_mut()) {
                let j = g.bin(*k);
                g.signature(*k, &mut s);
                for (v, sp) in u[j * p..(j + 1) * p].iter_mut().zip(&s) {
                    *v -= delta * sp;
                }
            }
            *a += delta;
            change = change.max(delta.abs());
        }
        if change <= 1e-12 * found.iter().fold(0.0f64, |m, (_, a)| m.max(a.abs())) {
            break;
        }
    }
}
