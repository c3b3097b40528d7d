//! A black-box pseudo-Boolean function with sparse low-order interactions, an epistatic
//! fitness landscape f(x) = Σ_S w_S Π_{i∈S} xᵢ over n sites (single-site effects, pairs and
//! triples, Gaussian weights), recovered by SPRIGHT's low-degree mode through the oracle
//! alone (f is only ever evaluated at the masks SPRIGHT asks for; the 2ⁿ-point signal never
//! exists), at n = 32 (`u64` masks) and n = 200 (`Wide<4>` masks). Reports the queries, the
//! time inside and outside the oracle, whether the Fourier spectrum (and so the Möbius
//! weights w_S) came out exact, and the features' Shapley values, true against recovered.
//!
//! Config ([`WhtBlackboxConfig`]): `sizes = [32, 200]`, `singles = 10`, `pairs = 20`,
//! `triples = 8`, `seed = 1`, `top = 12` (Shapley values plotted). The sparsity handed to
//! SPRIGHT is the bound the model's shape gives, Σ_S 2^{|S|}. `parsimony run wht-blackbox` or
//! `cargo run --release --example wht_blackbox`. Writes `shapley.png`, `shapley.csv`,
//! `weights.csv` and `run.json`.

use super::shape::Experiment;
use crate::output::write_csv;
use crate::plot::{LinePlot, SeriesStyle};
use crate::solve::{IterInfo, Observer};
use crate::wht::interactions::{fourier_from_mobius, mobius, shapley};
use crate::wht::{BitIndex, Mode, Oracle, SprightParams, Wide};
use parsimony_core::random::SplitMix64;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhtBlackboxConfig {
    /// Numbers of sites n (each ≤ 256).
    pub sizes: Vec<usize>,
    /// Single-site terms.
    pub singles: usize,
    /// Pair terms.
    pub pairs: usize,
    /// Triple terms.
    pub triples: usize,
    /// Seed of the landscape and of SPRIGHT's hashes.
    pub seed: u64,
    /// Features whose Shapley values are plotted (largest |φ| first).
    pub top: usize,
}

impl Default for WhtBlackboxConfig {
    fn default() -> Self {
        Self {
            sizes: vec![32, 200],
            singles: 10,
            pairs: 20,
            triples: 8,
            seed: 1,
            top: 12,
        }
    }
}

/// One landscape's recovery.
#[derive(Clone, Debug, Serialize)]
pub struct BlackboxCase {
    /// Sites.
    pub n: usize,
    /// Interaction terms of the landscape.
    pub terms: usize,
    /// Its non-zero Fourier coefficients.
    pub fourier_terms: usize,
    /// The sparsity handed to SPRIGHT (Σ_S 2^{|S|}).
    pub k_bound: usize,
    /// Observations used (C·P·B).
    pub queries: usize,
    /// Oracle evaluations (distinct masks).
    pub oracle_calls: usize,
    /// Time inside the oracle, s.
    pub oracle_seconds: f64,
    /// Time of the recovery outside the oracle, s.
    pub decode_seconds: f64,
    /// Fourier support and amplitudes exact (to 1e-9).
    pub exact: bool,
    /// Largest |ŵ_S − w_S| over the Möbius weights.
    pub weight_error: f64,
    /// The top features: (feature, true φ, recovered φ).
    pub top_shapley: Vec<(usize, f64, f64)>,
    /// The true and recovered Möbius weights: (sites, true, recovered).
    #[serde(skip)]
    pub weights: Vec<(Vec<usize>, f64, f64)>,
}

/// The outputs.
#[derive(Clone, Debug, Serialize)]
pub struct WhtBlackboxReport {
    /// One case per size.
    pub cases: Vec<BlackboxCase>,
}

/// The experiment (see the module documentation).
pub struct WhtBlackbox;

/// The landscape's terms: distinct site sets (singles, pairs, triples), N(0, 1) weights.
fn landscape(cfg: &WhtBlackboxConfig, n: usize) -> crate::Result<Vec<(Vec<usize>, f64)>> {
    let mut rng = SplitMix64::new(cfg.seed ^ (n as u64).wrapping_mul(0x9E37_79B9));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (order, count) in [(1, cfg.singles), (2, cfg.pairs), (3, cfg.triples)] {
        if order > n {
            continue;
        }
        let mut tries = 0;
        while out
            .iter()
            .filter(|(s, _): &&(Vec<usize>, f64)| s.len() == order)
            .count()
            < count
        {
            tries += 1;
            if tries > 100 * count + 100 {
                return Err(crate::Error::invalid(
                    "terms",
                    format!("{count} distinct terms of order {order} do not fit in n = {n}"),
                ));
            }
            let sites = rng.choose(n, order)?;
            if seen.insert(sites.clone()) {
                out.push((sites, rng.normal_open()));
            }
        }
    }
    Ok(out)
}

/// The black box: f(x) = Σ_S w_S Π_{i∈S} xᵢ, evaluated mask by mask, timed and counted.
struct Landscape<'a> {
    n: usize,
    terms: &'a [(Vec<usize>, f64)],
    calls: usize,
    seconds: f64,
}

impl<I: BitIndex> Oracle<I> for Landscape<'_> {
    fn n_bits(&self) -> usize {
        self.n
    }
    fn query(&mut self, masks: &[I], out: &mut [f64]) -> crate::Result<()> {
        let t = Instant::now();
        for (o, &x) in out.iter_mut().zip(masks) {
            // a term is on when all its sites are
            *o = self
                .terms
                .iter()
                .filter(|(s, _)| s.iter().all(|&i| x.bit(i)))
                .map(|(_, w)| w)
                .sum();
        }
        self.calls += masks.len();
        self.seconds += t.elapsed().as_secs_f64();
        Ok(())
    }
}

fn run_case<I: BitIndex>(cfg: &WhtBlackboxConfig, n: usize) -> crate::Result<BlackboxCase> {
    let raw = landscape(cfg, n)?;
    let terms: Vec<(I, f64)> = raw.iter().map(|(s, w)| (I::from_ones(s), *w)).collect();
    let fourier = fourier_from_mobius(&terms)?;
    let k_bound: usize = raw.iter().map(|(s, _)| 1usize << s.len()).sum();
    let t_max = raw.iter().map(|(s, _)| s.len()).max().unwrap_or(1);
    let mut oracle = Landscape {
        n,
        terms: &raw,
        calls: 0,
        seconds: 0.0,
    };
    let t = Instant::now();
    let sol = SprightParams::new(k_bound.max(1))
        .mode(Mode::LowDegree { t: t_max })
        .seed(cfg.seed)
        .build()?
        .recover(&mut oracle)?;
    let total = t.elapsed().as_secs_f64();
    let found: Vec<(I, f64)> = sol
        .coefficients
        .iter()
        .copied()
        .filter(|(_, v)| v.abs() > 1e-12)
        .collect();
    let exact = found.len() == fourier.len()
        && found
            .iter()
            .zip(&fourier)
            .all(|(a, b)| a.0 == b.0 && (a.1 - b.1).abs() <= 1e-9);
    let recovered_w = mobius(&found, t_max)?;
    let lookup = |v: &[(I, f64)], k: I| v.binary_search_by_key(&k, |e| e.0).map_or(0.0, |p| v[p].1);
    let weights: Vec<(Vec<usize>, f64, f64)> = raw
        .iter()
        .zip(&terms)
        .map(|((s, w), (k, _))| (s.clone(), *w, lookup(&recovered_w, *k)))
        .collect();
    let mut weight_error = weights
        .iter()
        .fold(0.0f64, |m, (_, w, r)| m.max((w - r).abs()));
    // a recovered weight on a set that is not a term is an error too
    for (k, v) in &recovered_w {
        if !terms.iter().any(|e| e.0 == *k) {
            weight_error = weight_error.max(v.abs());
        }
    }
    let phi_true = shapley(&fourier, n)?;
    let phi = shapley(&found, n)?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| phi_true[b].abs().total_cmp(&phi_true[a].abs()));
    let top_shapley = order
        .iter()
        .take(cfg.top)
        .map(|&i| (i, phi_true[i], phi[i]))
        .collect();
    Ok(BlackboxCase {
        n,
        terms: terms.len(),
        fourier_terms: fourier.len(),
        k_bound,
        queries: sol.report.queries,
        oracle_calls: oracle.calls,
        oracle_seconds: oracle.seconds,
        decode_seconds: total - oracle.seconds,
        exact,
        weight_error,
        top_shapley,
        weights,
    })
}

impl Experiment for WhtBlackbox {
    const NAME: &'static str = "wht-blackbox";
    const ABOUT: &'static str = "WHT: an epistatic landscape (n = 32, 200) recovered through a black-box oracle; Shapley values";
    type Config = WhtBlackboxConfig;
    type Report = WhtBlackboxReport;

    fn run(
        cfg: &WhtBlackboxConfig,
        observer: &mut dyn Observer,
    ) -> crate::Result<WhtBlackboxReport> {
        let mut cases = Vec::new();
        for (step, &n) in cfg.sizes.iter().enumerate() {
            let case = match n {
                1..=63 => run_case::<u64>(cfg, n)?,
                64..=256 => run_case::<Wide<4>>(cfg, n)?,
                _ => {
                    return Err(crate::Error::invalid(
                        "sizes",
                        format!("each size must be in 1..=256, got {n}"),
                    ));
                }
            };
            observer.observe(&IterInfo::new(step + 1, f64::NAN, case.weight_error));
            cases.push(case);
        }
        Ok(WhtBlackboxReport { cases })
    }

    fn render(cfg: &WhtBlackboxConfig, r: &WhtBlackboxReport, dir: &Path) -> crate::Result<()> {
        let mut plot = LinePlot::new(format!(
            "Shapley values of the {} most important sites: true (bars), SPRIGHT (markers)",
            cfg.top
        ))
        .labels("rank of the site (by |φ|)", "Shapley value φ");
        for (c, case) in r.cases.iter().enumerate() {
            // each size's bars side by side around the rank
            let shift = 0.2 * (c as f64 - 0.5 * (r.cases.len() as f64 - 1.0));
            let rank: Vec<f64> = (1..=case.top_shapley.len())
                .map(|k| k as f64 + shift)
                .collect();
            let (mut bx, mut by) = (Vec::new(), Vec::new());
            for (x, e) in rank.iter().zip(&case.top_shapley) {
                bx.extend([*x, *x]);
                by.extend([0.0, e.1]);
            }
            let got: Vec<f64> = case.top_shapley.iter().map(|e| e.2).collect();
            plot = plot
                .series(
                    format!("n = {}, true", case.n),
                    &bx,
                    &by,
                    SeriesStyle::Segments,
                )
                .color(c)
                .points(format!("n = {}, SPRIGHT", case.n), &rank, &got)
                .color(c);
        }
        plot.save(dir.join("shapley.png"))?;
        let rows: Vec<Vec<f64>> = r
            .cases
            .iter()
            .flat_map(|c| {
                c.top_shapley
                    .iter()
                    .map(|&(i, t, g)| vec![c.n as f64, i as f64, t, g])
            })
            .collect();
        write_csv(
            &dir.join("shapley.csv"),
            &["n", "site", "true", "recovered"],
            &rows,
        )?;
        // a term's sites as up to three columns (−1: none)
        let rows: Vec<Vec<f64>> = r
            .cases
            .iter()
            .flat_map(|c| {
                c.weights.iter().map(move |(s, w, g)| {
                    let site = |t: usize| s.get(t).map_or(-1.0, |&i| i as f64);
                    vec![c.n as f64, site(0), site(1), site(2), *w, *g]
                })
            })
            .collect();
        write_csv(
            &dir.join("weights.csv"),
            &["n", "site_1", "site_2", "site_3", "true", "recovered"],
            &rows,
        )
    }

    fn metrics(r: &WhtBlackboxReport) -> Vec<(String, f64)> {
        let mut m = Vec::new();
        for c in &r.cases {
            m.push((format!("n = {} queries", c.n), c.queries as f64));
            m.push((format!("n = {} exact", c.n), f64::from(u8::from(c.exact))));
            m.push((format!("n = {} weight error", c.n), c.weight_error));
        }
        m
    }

    fn summary(_cfg: &WhtBlackboxConfig, r: &WhtBlackboxReport) -> String {
        let mut out = String::new();
        for c in &r.cases {
            out.push_str(&format!(
                "  n = {:3}: {} terms = {} Fourier coefficients (bound {}); {} queries, {} oracle calls; exact {}, max weight error {:.1e}; oracle {:.2} ms, decoding {:.2} ms\n",
                c.n,
                c.terms,
                c.fourier_terms,
                c.k_bound,
                c.queries,
                c.oracle_calls,
                c.exact,
                c.weight_error,
                1e3 * c.oracle_seconds,
                1e3 * c.decode_seconds
            ));
            for (i, t, g) in c.top_shapley.iter().take(5) {
                out.push_str(&format!(
                    "      site {i:3}: φ = {t:+.6} (recovered {g:+.6})\n"
                ));
            }
        }
        out
    }

    fn seed(cfg: &WhtBlackboxConfig) -> u64 {
        cfg.seed
    }
}
