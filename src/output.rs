//! Writing results: command-line flags of the examples and the tool, CSV tables and flat JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `--key value` flags with a `--out DIR` output folder (default `out/<name>`), parsed from a
/// list of arguments.
#[derive(Clone, Debug)]
pub struct Flags {
    /// The output folder (created on parse).
    pub out: PathBuf,
    values: HashMap<String, String>,
}

impl Flags {
    /// Parses `--key value` pairs; creates the output folder.
    pub fn parse(name: &str, args: impl IntoIterator<Item = String>) -> crate::Result<Self> {
        let mut values = HashMap::new();
        let mut it = args.into_iter();
        while let Some(k) = it.next() {
            let Some(key) = k.strip_prefix("--") else {
                return Err(crate::Error::invalid(
                    "arguments",
                    format!("unexpected '{k}' (flags are --key value)"),
                ));
            };
            let Some(v) = it.next() else {
                return Err(crate::Error::invalid(key, "flag needs a value"));
            };
            values.insert(key.to_string(), v);
        }
        let out = values
            .remove("out")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("out").join(name));
        std::fs::create_dir_all(&out)?;
        Ok(Self { out, values })
    }

    /// The value of `--key` parsed as `T`, or `default`.
    pub fn get<T: std::str::FromStr>(&self, key: &str, default: T) -> crate::Result<T> {
        match self.values.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| crate::Error::invalid(key, format!("cannot parse '{v}'"))),
        }
    }

    /// Whether `--key` was given.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// A comma-separated list of numbers, or `default`.
    pub fn list(&self, key: &str, default: &[f64]) -> crate::Result<Vec<f64>> {
        match self.values.get(key) {
            None => Ok(default.to_vec()),
            Some(v) => v
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse()
                        .map_err(|_| crate::Error::invalid(key, format!("cannot parse '{s}'")))
                })
                .collect(),
        }
    }
}

/// Writes rows of numbers as CSV with a header line (full double precision).
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<f64>]) -> crate::Result<()> {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| format!("{v:.17e}")).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// A JSON value for [`write_json`].
#[derive(Clone, Debug)]
pub enum JsonValue {
    /// A number (non-finite numbers are written as null).
    Num(f64),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
}

/// Writes a flat JSON object.
pub fn write_json(path: &Path, fields: &[(&str, JsonValue)]) -> crate::Result<()> {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| match v {
            JsonValue::Num(x) if x.is_finite() => format!("  \"{k}\": {x:e}"),
            JsonValue::Num(_) => format!("  \"{k}\": null"),
            JsonValue::Int(i) => format!("  \"{k}\": {i}"),
            JsonValue::Bool(b) => format!("  \"{k}\": {b}"),
            JsonValue::Str(s) => format!(
                "  \"{k}\": \"{}\"",
                s.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        })
        .collect();
    std::fs::write(path, format!("{{\n{}\n}}\n", body.join(",\n")))?;
    Ok(())
}
