//! The shape of an experiment: `Config` (serde, defaults = the paper's setting) → `run`
//! (computes only, returns a serde `Report`) → `render` (PNG + CSV), and `run.json` holding the
//! config, the report, the crate version and the seed.
//!
//! The command line (`parsimony run | list | show-config | sweep | merge`), the examples and the
//! notebooks all call the same [`Experiment::run`]. A config is read from TOML with unknown keys
//! refused, then changed key by key with `key=value` settings ([`apply_setting`]), the way a
//! sweep changes it per grid point.

use crate::Result;
use crate::solve::Observer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// One experiment in the config → run → report → render shape.
pub trait Experiment {
    /// The name the command line knows it by (`sbl-synthetic`).
    const NAME: &'static str;
    /// One line on what it computes.
    const ABOUT: &'static str;
    /// Every input, with the paper's setting as `Default`; units in the field docs.
    type Config: Serialize + DeserializeOwned + Default + Clone;
    /// Every output, computed by [`Experiment::run`].
    type Report: Serialize;

    /// Computes the report (no files, no printing). The observer sees one iteration per trial.
    fn run(config: &Self::Config, observer: &mut dyn Observer) -> Result<Self::Report>;

    /// Writes the report's figures and tables into `dir` (which exists).
    fn render(config: &Self::Config, report: &Self::Report, dir: &Path) -> Result<()>;

    /// The report's deterministic numbers, one (metric, value) per row of a merged sweep (no
    /// run times: a sweep split in shards must merge to the same table).
    fn metrics(report: &Self::Report) -> Vec<(String, f64)>;

    /// The config's base seed (0 where the experiment draws nothing).
    fn seed(config: &Self::Config) -> u64;

    /// What the command line and the examples print besides the metrics: the setting and a
    /// table of the report (nothing by default).
    fn summary(_config: &Self::Config, _report: &Self::Report) -> String {
        String::new()
    }
}

/// The TOML text of a config.
pub fn to_toml<C: Serialize>(config: &C) -> Result<String> {
    toml::to_string(config).map_err(|e| crate::Error::invalid("config", e.to_string()))
}

/// A config from TOML text: unknown keys and unparsable values are errors naming them.
pub fn from_toml<C: DeserializeOwned>(text: &str) -> Result<C> {
    toml::from_str(text)
        .map_err(|e| crate::Error::invalid("config", e.to_string().trim().to_string()))
}

/// Sets `key = value` in a config table. `value` is read as a TOML value (`10`, `1.5`,
/// `"KS1"`, `[4, 8]`, `true`); a bare word is a string. Where the table holds a float, an
/// integer is taken as that float; where it holds a list, a single value is a list of one
/// (so a grid over `snr` runs one SNR per point). A dotted key (`training.steps`) reaches into
/// a sub-table. An unknown key is an error naming it.
pub fn apply_setting(table: &mut toml::Table, key: &str, value: &str) -> Result<()> {
    let (head, rest) = match key.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (key, None),
    };
    let keys: Vec<&str> = table.keys().map(String::as_str).collect();
    let unknown = || {
        crate::Error::invalid(
            key,
            format!("unknown key (the config has: {})", keys.join(", ")),
        )
    };
    let current = table.get(head).ok_or_else(unknown)?;
    if let Some(rest) = rest {
        let mut sub = current.as_table().cloned().ok_or_else(unknown)?;
        apply_setting(&mut sub, rest, value)
            .map_err(|e| crate::Error::invalid(key, format!("{head}: {e}")))?;
        table.insert(head.to_string(), toml::Value::Table(sub));
        return Ok(());
    }
    if current.is_table() {
        return Err(crate::Error::invalid(
            key,
            format!("is a table: set one of its keys ({key}.<name>)"),
        ));
    }
    let parsed = parse_value(value);
    let coerced = coerce(current, parsed)
        .ok_or_else(|| crate::Error::invalid(key, format!("'{value}' does not fit {current}")))?;
    table.insert(key.to_string(), coerced);
    Ok(())
}

/// Lays `over` on `base`, key by key and into sub-tables (a file's values over the defaults).
pub fn overlay(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => overlay(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The table of `E`'s config: the defaults, the TOML file laid over them (so a file may give
/// only what it changes, also inside sub-tables), then every `key=value` setting. Unknown keys
/// of the file are refused when the table is read as the config.
pub fn config_table<E: Experiment>(
    file: Option<&Path>,
    settings: &[(String, String)],
) -> Result<toml::Table> {
    let mut table = parse_table(&to_toml(&E::Config::default())?)?;
    if let Some(p) = file {
        let text = std::fs::read_to_string(p)
            .map_err(|e| crate::Error::invalid("--config", format!("{}: {e}", p.display())))?;
        let over = parse_table(&text)?;
        overlay(&mut table, over);
        // unknown keys and values of the wrong type in the file are named here
        from_toml::<E::Config>(&to_toml(&table)?)?;
    }
    for (k, v) in settings {
        apply_setting(&mut table, k, v)?;
    }
    check_finite(&table, "")?;
    Ok(table)
}

/// Every number of a config is finite (TOML reads `nan` and `inf`): an error names the key.
fn check_finite(table: &toml::Table, prefix: &str) -> Result<()> {
    fn value(v: &toml::Value, key: &str) -> Result<()> {
        match v {
            toml::Value::Float(f) if !f.is_finite() => Err(crate::Error::invalid(
                key,
                format!("{f} is not a finite number"),
            )),
            toml::Value::Array(items) => items.iter().try_for_each(|x| value(x, key)),
            toml::Value::Table(t) => check_finite(t, &format!("{key}.")),
            _ => Ok(()),
        }
    }
    table
        .iter()
        .try_for_each(|(k, v)| value(v, &format!("{prefix}{k}")))
}

fn parse_table(text: &str) -> Result<toml::Table> {
    text.parse().map_err(|e: toml::de::Error| {
        crate::Error::invalid("config", e.to_string().trim().to_string())
    })
}

fn parse_value(value: &str) -> toml::Value {
    match format!("v = {value}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(value.to_string())),
        Err(_) => toml::Value::String(value.to_string()),
    }
}

/// `v` in the type of `like` (integer → float, scalar → list of one), or None.
fn coerce(like: &toml::Value, v: toml::Value) -> Option<toml::Value> {
    use toml::Value as V;
    match (like, v) {
        (V::Float(_), V::Integer(i)) => Some(V::Float(i as f64)),
        (V::Float(_), V::Float(f)) => Some(V::Float(f)),
        (V::Integer(_), V::Integer(i)) => Some(V::Integer(i)),
        (V::String(_), V::String(s)) => Some(V::String(s)),
        (V::Boolean(_), V::Boolean(b)) => Some(V::Boolean(b)),
        (V::Array(a), V::Array(items)) => {
            let elem = a.first();
            items
                .into_iter()
                .map(|x| match elem {
                    Some(e) => coerce(e, x),
                    None => Some(x),
                })
                .collect::<Option<Vec<_>>>()
                .map(V::Array)
        }
        (V::Array(a), scalar) => {
            let x = match a.first() {
                Some(e) => coerce(e, scalar)?,
                None => scalar,
            };
            Some(V::Array(vec![x]))
        }
        _ => None,
    }
}

/// The config of `E`: its defaults, the TOML file laid over them, then every `key=value`
/// setting ([`config_table`]).
pub fn config_of<E: Experiment>(
    file: Option<&Path>,
    settings: &[(String, String)],
) -> Result<E::Config> {
    from_toml(&to_toml(&config_table::<E>(file, settings)?)?)
}

/// What a run leaves besides its files: the metrics and the printed summary.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// [`Experiment::metrics`] of the report.
    pub metrics: Vec<(String, f64)>,
    /// [`Experiment::summary`] of the report.
    pub summary: String,
}

/// Runs `E` on `config`, renders it into `dir` (created) and writes `run.json` there; returns
/// the report's metrics and summary.
pub fn run_into<E: Experiment>(
    config: &E::Config,
    dir: &Path,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let report = E::run(config, observer)?;
    std::fs::create_dir_all(dir)?;
    E::render(config, &report, dir)?;
    write_run_json::<E>(config, &report, dir)?;
    Ok(Outcome {
        metrics: E::metrics(&report),
        summary: E::summary(config, &report),
    })
}

/// `run.json`: experiment, crate version, seed, config, report, metrics.
pub fn write_run_json<E: Experiment>(
    config: &E::Config,
    report: &E::Report,
    dir: &Path,
) -> Result<()> {
    let metrics: Vec<serde_json::Value> = E::metrics(report)
        .into_iter()
        .map(|(m, v)| serde_json::json!({ "metric": m, "value": v }))
        .collect();
    let doc = serde_json::json!({
        "experiment": E::NAME,
        "version": env!("CARGO_PKG_VERSION"),
        "seed": E::seed(config),
        "config": config,
        "report": report,
        "metrics": metrics,
    });
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| crate::Error::invalid("report", e.to_string()))?;
    std::fs::write(dir.join("run.json"), text + "\n")?;
    Ok(())
}
