//! The experiments the command line knows, and sweeps over their configs.
//!
//! A sweep is the Cartesian product of `--grid key=v1,v2,…` (the first key varies slowest);
//! point i runs in `DIR/point-iiii/` (its `run.json` and `point.json`). `--shard i/N` runs the
//! points whose index is i − 1 modulo N, so N machines split a sweep. A point's seed is its
//! grid value of `seed` when the grid has one, else it derives from the config's seed and the
//! point's index (not from N): a sweep split in shards and merged equals the unsplit one bit
//! for bit. `merge` gathers every point under the given folders into one long table (one row
//! per point and metric; no paths, no times) and a figure.

use super::shape::{Experiment, Outcome, config_of, run_into, to_toml};
use crate::Result;
use crate::solve::Observer;
use std::path::{Path, PathBuf};

/// Reads a config (a TOML file or the defaults, then `key=value` settings) and runs it into a
/// folder; returns the report's metrics and summary.
pub type RunFn =
    fn(Option<&Path>, &[(String, String)], &Path, &mut dyn Observer) -> Result<Outcome>;

/// Reads a config (a TOML file laid over the defaults, then `key=value` settings) and gives
/// it back as TOML text, checked.
pub type ConfigFn = fn(Option<&Path>, &[(String, String)]) -> Result<String>;

/// One experiment, type-erased for the command line.
pub struct Entry {
    /// The name (`sbl-synthetic`).
    pub name: &'static str,
    /// One line on what it computes.
    pub about: &'static str,
    /// The config (file laid over the defaults, then `key=value` settings), checked, as TOML
    /// text in the config's field order.
    pub config: ConfigFn,
    /// Reads the config (file or defaults, then `key=value` settings) and runs it into a folder;
    /// returns the metrics and the summary.
    pub run: RunFn,
}

/// The command-line entry of `E`.
pub fn entry<E: Experiment>() -> Entry {
    fn config<E: Experiment>(file: Option<&Path>, settings: &[(String, String)]) -> Result<String> {
        to_toml(&config_of::<E>(file, settings)?)
    }
    fn run<E: Experiment>(
        file: Option<&Path>,
        settings: &[(String, String)],
        dir: &Path,
        observer: &mut dyn Observer,
    ) -> Result<Outcome> {
        let config = config_of::<E>(file, settings)?;
        run_into::<E>(&config, dir, observer)
    }
    Entry {
        name: E::NAME,
        about: E::ABOUT,
        config: config::<E>,
        run: run::<E>,
    }
}

/// Every experiment in the config → run → report → render shape.
pub fn registry() -> Vec<Entry> {
    let mut all: Vec<Entry> = vec![
        entry::<super::optimizers::Optimizers>(),
        entry::<super::kron_deblur::KronDeblur>(),
    ];
    #[cfg(feature = "sbl")]
    all.extend([
        entry::<super::sbl_synthetic::SblSynthetic>(),
        entry::<super::sbl_convergence::SblConvergence>(),
        entry::<super::sbl_irs::SblIrs>(),
    ]);
    #[cfg(feature = "medida")]
    all.extend([
        entry::<super::ks_medida::KsMedida>(),
        entry::<super::ks_discovery::KsDiscovery>(),
    ]);
    #[cfg(feature = "ot")]
    all.extend([
        entry::<super::ot_gaussians::OtGaussians>(),
        entry::<super::ot_assignment::OtAssignment>(),
    ]);
    #[cfg(feature = "wht")]
    all.extend([
        entry::<super::wht_sparse::WhtSparse>(),
        entry::<super::wht_blackbox::WhtBlackbox>(),
    ]);
    #[cfg(feature = "flame")]
    all.extend([
        entry::<super::flame_pinn::FlameForward>(),
        entry::<super::flame_pinn::FlameInverse>(),
        entry::<super::flame_pinn::FlameSweep>(),
        entry::<super::flame_reference::FlameReference>(),
    ]);
    all
}

/// The experiment called `name`, or an error listing the known ones.
pub fn find(name: &str) -> Result<Entry> {
    let all = registry();
    let names: Vec<&str> = all.iter().map(|e| e.name).collect();
    let list = names.join(", ");
    all.into_iter().find(|e| e.name == name).ok_or_else(|| {
        crate::Error::invalid(
            "experiment",
            format!("unknown experiment '{name}' (known: {list})"),
        )
    })
}

/// `key=value` → (key, value); an error naming the argument otherwise.
pub fn parse_setting(s: &str) -> Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(crate::Error::invalid(
            "--set/--grid",
            format!("'{s}' is not key=value"),
        )),
    }
}

/// Splits `v1,v2,…` at the commas outside brackets and quotes (so `[4,8],[12]` is two values).
pub fn split_values(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// The grid points: every combination of the keys' values, the first key slowest.
pub fn grid_points(grid: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut points = vec![Vec::new()];
    for (key, values) in grid {
        let mut next = Vec::with_capacity(points.len() * values.len());
        for p in &points {
            for v in values {
                let mut q: Vec<(String, String)> = p.clone();
                q.push((key.clone(), v.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// `i/N` (1 ≤ i ≤ N) → (i − 1, N).
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || crate::Error::invalid("--shard", format!("'{s}' is not i/N with 1 ≤ i ≤ N"));
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i - 1, n))
}

/// Runs the points of `grid` that belong to `shard` (index, count) into `out`.
pub fn sweep(
    entry: &Entry,
    file: Option<&Path>,
    settings: &[(String, String)],
    grid: &[(String, Vec<String>)],
    shard: (usize, usize),
    out: &Path,
    observer: &mut dyn Observer,
) -> Result<usize> {
    if grid.is_empty() {
        return Err(crate::Error::invalid(
            "--grid",
            "a sweep needs at least one --grid key=v1,v2",
        ));
    }
    // the base config, and every point's config, checked before any point runs
    let base: toml::Table = (entry.config)(file, settings)?
        .parse()
        .map_err(|e: toml::de::Error| crate::Error::invalid("config", e.to_string()))?;
    for point in grid_points(grid) {
        let mut all = settings.to_vec();
        all.extend(point);
        (entry.config)(file, &all)?;
    }
    let base_seed = base.get("seed").and_then(|v| v.as_integer());
    let grid_has_seed = grid.iter().any(|(k, _)| k == "seed");
    let mut ran = 0;
    for (index, point) in grid_points(grid).into_iter().enumerate() {
        if index % shard.1 != shard.0 {
            continue;
        }
        let mut all: Vec<(String, String)> = settings.to_vec();
        all.extend(point.iter().cloned());
        if let (Some(seed), false) = (base_seed, grid_has_seed) {
            let derived = crate::random::mix64((seed as u64).wrapping_add(index as u64)) >> 1;
            all.push(("seed".into(), derived.to_string()));
        }
        let dir = out.join(format!("point-{index:04}"));
        (entry.run)(file, &all, &dir, observer)?;
        let doc = serde_json::json!({
            "experiment": entry.name,
            "index": index,
            "grid": point.iter().map(|(k, v)| serde_json::json!({ "key": k, "value": v })).collect::<Vec<_>>(),
        });
        std::fs::write(
            dir.join("point.json"),
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
        )?;
        ran += 1;
    }
    Ok(ran)
}

/// One merged row: point index, its grid settings, a metric and its value.
pub type MergedRow = (usize, Vec<(String, String)>, String, f64);

/// Reads every `point-*/` under `dirs` (their `point.json` and `run.json`).
pub fn collect(dirs: &[PathBuf]) -> Result<Vec<MergedRow>> {
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for d in dirs {
        let mut points: Vec<PathBuf> = std::fs::read_dir(d)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("point.json").is_file() && p.join("run.json").is_file())
            .collect();
        points.sort();
        for p in points {
            let read = |f: &str| -> Result<serde_json::Value> {
                let text = std::fs::read_to_string(p.join(f))?;
                serde_json::from_str(&text)
                    .map_err(|e| crate::Error::invalid(f, format!("{}: {e}", p.display())))
            };
            let (point, run) = (read("point.json")?, read("run.json")?);
            let index = point["index"]
                .as_u64()
                .ok_or_else(|| crate::Error::invalid("point.json", "no index"))?
                as usize;
            if !seen.insert(index) {
                return Err(crate::Error::invalid(
                    "merge",
                    format!("point {index} appears twice"),
                ));
            }
            let grid: Vec<(String, String)> = point["grid"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|kv| {
                            (
                                kv["key"].as_str().unwrap_or("").to_string(),
                                kv["value"].as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            for m in run["metrics"].as_array().cloned().unwrap_or_default() {
                let name = m["metric"].as_str().unwrap_or("").to_string();
                let value = m["value"].as_f64().unwrap_or(f64::NAN);
                rows.push((index, grid.clone(), name, value));
            }
        }
    }
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}

/// Writes `sweep.csv` (long format: point, grid keys…, metric, value) and `sweep.png` (every
/// metric against the point index) into `out`; returns the number of rows.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<usize> {
    let rows = collect(dirs)?;
    if rows.is_empty() {
        return Err(crate::Error::invalid(
            "merge",
            "no point-*/ folders with point.json and run.json",
        ));
    }
    std::fs::create_dir_all(out)?;
    let keys: Vec<String> = rows[0].1.iter().map(|(k, _)| k.clone()).collect();
    let mut text = format!("point,{},metric,value\n", keys.join(","));
    for (index, grid, metric, value) in &rows {
        let values: Vec<&str> = grid.iter().map(|(_, v)| v.as_str()).collect();
        text.push_str(&format!(
            "{index},{},\"{metric}\",{value:e}\n",
            values.join(",")
        ));
    }
    std::fs::write(out.join("sweep.csv"), text)?;
    let mut metrics: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    metrics.sort_unstable();
    metrics.dedup();
    let positive = rows.iter().all(|r| r.3 > 0.0);
    let mut plot = crate::plot::LinePlot::new(format!(
        "sweep of {} points",
        rows.last().map_or(0, |r| r.0 + 1)
    ))
    .labels("grid point", "value")
    .log_y(positive);
    for m in metrics.iter().take(8) {
        let (x, y): (Vec<f64>, Vec<f64>) = rows
            .iter()
            .filter(|r| r.2 == *m && r.3.is_finite())
            .map(|r| (r.0 as f64, r.3))
            .unzip();
        if !x.is_empty() {
            plot = plot.line(m.to_string(), &x, &y);
        }
    }
    plot.save(out.join("sweep.png"))?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_shards_and_values() {
        assert_eq!(split_values("10,20,30"), vec!["10", "20", "30"]);
        assert_eq!(split_values("[4,8],[12]"), vec!["[4,8]", "[12]"]);
        let g = vec![
            ("a".to_string(), split_values("1,2")),
            ("b".to_string(), split_values("x,y,z")),
        ];
        let p = grid_points(&g);
        assert_eq!(p.len(), 6);
        assert_eq!(
            p[1],
            vec![("a".into(), "1".into()), ("b".into(), "y".into())]
        );
        assert_eq!(parse_shard("2/3").unwrap(), (1, 3));
        assert!(
            parse_shard("0/3").is_err() && parse_shard("4/3").is_err() && parse_shard("x").is_err()
        );
        assert!(
            parse_setting("k=v").is_ok()
                && parse_setting("=v").is_err()
                && parse_setting("kv").is_err()
        );
        // from_toml refuses unknown keys of a known config
        #[cfg(feature = "sbl")]
        {
            let bad = crate::experiments::shape::from_toml::<
                super::super::sbl_synthetic::SyntheticConfig,
            >("trials = 2\ntrails = 3\n");
            assert!(bad.unwrap_err().to_string().contains("trails"));
        }
    }
}
