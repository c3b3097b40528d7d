//! Small helpers shared by the examples: `--out DIR` and `--name value` flags, CSV/JSON output.
#![allow(dead_code)] // each example uses a different subset of these helpers

use std::collections::HashMap;
use std::path::PathBuf;

/// Command-line flags of an example: `--out DIR` plus any `--key value` pairs.
pub struct Args {
    pub out: PathBuf,
    values: HashMap<String, String>,
}

impl Args {
    /// Parses `--key value` pairs; `--out` defaults to `out/<example>`.
    pub fn parse(example: &str) -> Self {
        let mut values = HashMap::new();
        let mut it = std::env::args().skip(1);
        while let Some(k) = it.next() {
            if k == "--help" || k == "-h" {
                eprintln!(
                    "usage: cargo run --release --example {example} -- [--out DIR] [--key value ...]"
                );
                std::process::exit(0);
            }
            let Some(key) = k.strip_prefix("--") else {
                eprintln!("unexpected argument '{k}' (flags are --key value)");
                std::process::exit(2);
            };
            let Some(v) = it.next() else {
                eprintln!("flag --{key} needs a value");
                std::process::exit(2);
            };
            values.insert(key.to_string(), v);
        }
        let out = values
            .remove("out")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("out").join(example));
        if let Err(e) = std::fs::create_dir_all(&out) {
            eprintln!("cannot create output folder {}: {e}", out.display());
            std::process::exit(1);
        }
        Self { out, values }
    }

    /// The value of `--key`, parsed, or `default`; exits with a message if it does not parse.
    pub fn get<T: std::str::FromStr>(&self, key: &str, default: T) -> T {
        match self.values.get(key) {
            None => default,
            Some(v) => v.parse().unwrap_or_else(|_| {
                eprintln!("cannot parse --{key} {v}");
                std::process::exit(2)
            }),
        }
    }
}

/// Writes rows of numbers as CSV with a header line.
pub fn write_csv(
    path: &std::path::Path,
    header: &[&str],
    rows: &[Vec<f64>],
) -> std::io::Result<()> {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| format!("{v:.17e}")).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    std::fs::write(path, s)
}

/// Writes a flat JSON object of numbers and strings.
pub fn write_json(path: &std::path::Path, fields: &[(&str, JsonValue)]) -> std::io::Result<()> {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| match v {
            JsonValue::Num(x) if x.is_finite() => format!("  \"{k}\": {x:e}"),
            JsonValue::Num(_) => format!("  \"{k}\": null"),
            JsonValue::Int(i) => format!("  \"{k}\": {i}"),
            JsonValue::Bool(b) => format!("  \"{k}\": {b}"),
            JsonValue::Str(s) => format!("  \"{k}\": \"{}\"", s.replace('"', "\\\"")),
        })
        .collect();
    std::fs::write(path, format!("{{\n{}\n}}\n", body.join(",\n")))
}

/// A JSON value for [`write_json`].
#[allow(dead_code)]
pub enum JsonValue {
    Num(f64),
    Int(i64),
    Bool(bool),
    Str(String),
}
